"""A plain CP-SAT run of the planner's rules: no hint, no tuning, no repair.

"Plain" here means the planner's own model building (`planner.model.build_model`:
the same variables, the same one-function-per-rule constraints, the same
objective terms), handed to CP-SAT with only a time limit, a worker count and
a seed: no construction or greedy hint, no ``max_lp`` subsolver, no bounded
presolve, no gap filling, no large-neighbourhood search. It measures what the
planner's search adds on top of a correct model. Usage::

    python benchmarks/plain.py WORKBOOK.xlsx OUT.json --time-limit 60 --workers 2

writes the best plan in the events layout of schedule.json (readable by
``planner check``), with the bound and the time of the first solution.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from ortools.sat.python import cp_model

from planner.model.search import build_model, solution_plan
from planner.workbook.read import read_problem


class _First(cp_model.CpSolverSolutionCallback):
    def __init__(self, began: float) -> None:
        super().__init__()
        self.began = began
        self.first_s: float | None = None

    def on_solution_callback(self) -> None:
        if self.first_s is None:
            self.first_s = time.perf_counter() - self.began


def main() -> None:
    began = time.perf_counter()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workbook", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--time-limit", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    problem, findings = read_problem(args.workbook)
    if problem is None:
        raise SystemExit("; ".join(str(f) for f in findings))
    built = build_model(problem)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = args.time_limit
    solver.parameters.num_workers = args.workers
    solver.parameters.random_seed = args.seed
    first = _First(began)
    status = solver.solve(built.model, first)
    has_plan = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    plan = solution_plan(problem, built.variables, solver) if has_plan else None
    data = {
        "status": solver.status_name(status).lower(),
        "bound": solver.best_objective_bound if has_plan else None,
        "first_plan_s": first.first_s,
        "events": None
        if plan is None
        else [
            {
                "exercise_id": e.exercise_id,
                "start_date": problem.slot_start(e.start).isoformat(),
                "venue_id": e.venue_id,
                "participants": list(e.participants),
            }
            for e in plan.events
        ],
    }
    args.output.write_text(json.dumps(data), encoding="utf-8")


if __name__ == "__main__":
    main()
