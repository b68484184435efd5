"""What holds the bound up: the full model searched with what might tighten it.

Issue 10 found the gaps on l and xl held up by the bound as much as by the
plans, and named what to try: cuts over what can count towards a goal, and a
bound worker beside the neighbourhood search. One command runs each variant
on the same generated instance, one after the other, each with the same time
limit and 2 workers, from the construction's plan (repository root)::

    python benchmarks/bounds.py dense:l spread:l:weeks=52 --time-limit 60

Variants:

- ``model``: the planner's full search as `planner.model.solve` runs it
  (``max_lp`` beside the default worker), from the construction;
- ``energy``: the same with energy cuts: for every partner, venue and asset,
  and every window of 13 slots (half-overlapping) and the whole horizon, the
  held exercises that must lie inside it need no more slots than the
  resource has free in it (a partner's exercises are what its engagement
  and together goals count, so these are their covers);
- ``lin2``: both workers at linearization level 2 (the LP with every
  constraint the model can linearize);
- ``lb-search``: ``objective_lb_search`` beside the default worker instead of
  ``max_lp`` (a worker that only raises the bound);
- ``bound-worker``: the neighbourhood search on one core and the full search
  on the other, beside it, for its bound (the plan is the better of both).

Prints one Markdown row per instance and variant: the objective of the best
plan, the bound, the gap between them, and the wall seconds.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from ortools.sat.python import cp_model
from race import generate

from planner.domain import Deadline, Period, Problem, SolveOptions
from planner.model import lns
from planner.model.construct import construct_plan
from planner.model.search import (
    BuiltModel,
    add_hint,
    apply_parameters,
    build_model,
    solver_parameters,
)
from planner.workbook.read import read_problem

VARIANTS = ("model", "energy", "lin2", "lb-search", "bound-worker")
WINDOW = 13  # slots in an energy cut's window: a quarter of a year of weeks


def free_slots(periods: Iterable[Period], first: int, last: int) -> int:
    """Slots of ``first``..``last`` that no period blocks."""
    blocked: set[int] = set()
    for period in periods:
        blocked.update(range(max(first, period.first), min(last, period.last) + 1))
    return last - first + 1 - len(blocked)


def energy_cuts(built: BuiltModel, problem: Problem) -> int:
    """Add every violated-by-the-LP-looking energy cut; how many were added."""
    v, model, n = built.variables, built.model, problem.n_slots
    users: dict[tuple[str, str], list[tuple[str, object]]] = {}
    for (eid, partner_id), takes_part in v.takes_part.items():
        users.setdefault(("partner", partner_id), []).append((eid, takes_part))
    for (eid, venue_id), at_venue in v.at_venue.items():
        users.setdefault(("venue", venue_id), []).append((eid, at_venue))
    for exercise in problem.exercises:
        for asset_id in exercise.assets:
            users.setdefault(("asset", asset_id), []).append(
                (exercise.id, v.held[exercise.id])
            )
    capacity: dict[tuple[str, str], tuple[int, tuple[Period, ...]]] = {}
    for partner in problem.partners:
        capacity["partner", partner.id] = (partner.max_concurrent, partner.unavailable)
    for venue in problem.venues:
        capacity["venue", venue.id] = (venue.max_concurrent, venue.unavailable)
    for asset in problem.assets:
        capacity["asset", asset.id] = (asset.capacity, asset.unavailable)
    windows = [(0, n - 1)]
    windows += [(a, min(n - 1, a + WINDOW - 1)) for a in range(0, n, WINDOW // 2)]
    added = 0
    for key, items in users.items():
        cap, periods = capacity[key]
        for first, last in windows:
            inside = [
                (problem.exercise[eid].duration, x)
                for eid, x in items
                if problem.exercise[eid].earliest_start >= first
                and problem.exercise[eid].latest_end <= last
            ]
            room = cap * free_slots(periods, first, last)
            if len(inside) < 2 or sum(d for d, _ in inside) <= room:
                continue
            model.add(sum(d * x for d, x in inside) <= room)  # type: ignore[operator]
            added += 1
    return added


def full_search(
    problem: Problem, variant: str, seconds: float
) -> tuple[float | None, float | None, int]:
    """The full model from the construction: objective, bound, cuts added."""
    built = build_model(problem)
    cuts = energy_cuts(built, problem) if variant == "energy" else 0
    add_hint(built, construct_plan(problem))
    parameters = solver_parameters(
        problem, SolveOptions(time_limit_s=seconds, workers=2)
    )
    if variant == "lin2":
        parameters.pop("extra_subsolvers", None)
        parameters["linearization_level"] = 2
    if variant == "lb-search":
        parameters["extra_subsolvers"] = ["objective_lb_search"]
    solver = cp_model.CpSolver()
    apply_parameters(solver, parameters)
    status = solver.solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, None, cuts
    return solver.objective_value, solver.best_objective_bound, cuts


def bound_worker(problem: Problem, seconds: float) -> tuple[float | None, float | None]:
    """The neighbourhood search on one worker, the full search on another."""
    began = time.perf_counter()
    plan = construct_plan(problem)
    built = build_model(problem)
    accepted = lns._accepted(built, plan, Deadline.after(seconds))
    if accepted is None:
        return None, None
    full = build_model(problem)
    add_hint(full, plan)
    parameters = solver_parameters(
        problem, SolveOptions(time_limit_s=seconds, workers=1)
    )
    parameters["max_time_in_seconds"] = max(
        1.0, seconds - (time.perf_counter() - began)
    )
    solver = cp_model.CpSolver()
    apply_parameters(solver, parameters)
    ended: list[cp_model.CpSolverStatus] = []
    beside = threading.Thread(target=lambda: ended.append(solver.solve(full.model)))
    beside.start()
    search = lns.improve(
        problem,
        built,
        plan,
        round(accepted.objective_value),
        Deadline(began + seconds),
        workers=1,
    )
    beside.join()
    found = ended and ended[0] in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    best = max(search.objective, solver.objective_value if found else search.objective)
    return best, solver.best_objective_bound if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("instances", nargs="+")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=60)
    args = parser.parse_args()
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"load: {load}; time limit {args.time_limit} s, 2 workers\n")
    print("| instance | variant | cuts | objective | bound | gap | wall_s |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for instance in args.instances:
            problem, _ = read_problem(generate(instance, args.seed, Path(folder)))
            assert problem is not None
            for variant in args.variants.split(","):
                began = time.perf_counter()
                cuts = 0
                if variant == "bound-worker":
                    objective, bound = bound_worker(problem, args.time_limit)
                else:
                    objective, bound, cuts = full_search(
                        problem, variant, args.time_limit
                    )
                wall = time.perf_counter() - began
                gap = "-"
                if objective is not None and bound is not None:
                    gap = f"{abs(bound - objective) / max(1.0, abs(bound)):.2%}"
                cells = [
                    instance,
                    variant,
                    str(cuts),
                    "-" if objective is None else f"{round(objective):,}",
                    "-" if bound is None else f"{round(bound):,}",
                    gap,
                    f"{wall:.1f}",
                ]
                print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
