"""Plan a programme: the search from a first guess to the best plan found.

`solve` builds the model (`planner.model.search`), takes a first guess (the
baseline, or a constructed plan), lets the large-neighbourhood search improve
it on large programmes (`planner.model.lns`), runs CP-SAT from it, and then,
when the search stopped short of a proof, fills the gaps around the plan; a
plan proven best is made canonical so that equal runs give equal plans.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace
from importlib.metadata import version
from typing import TypeVar

from ortools.sat.python import cp_model

from planner.domain import (
    TERM_CHANGE,
    TERM_NAMES,
    CancelToken,
    Deadline,
    Plan,
    Problem,
    Progress,
    Result,
    SolveOptions,
    Status,
)
from planner.model.baseline import keep_event
from planner.model.construct import construct_plan
from planner.model.lns import Search, improve_first, mend
from planner.model.running import answered, run_cp_sat
from planner.model.search import (
    CLOCK_SAFETY,
    BuiltModel,
    Found,
    Run,
    Solution,
    add_hint,
    apply_parameters,
    build_model,
    clear_hints,
    hinted_solution,
    solution_of,
    solution_plan,
    solver_parameters,
)

# Share of the time left when the full search starts that is kept for filling
# gaps around the plan found, when the search does not prove it best (see
# `_fill_gaps`).
FILL_SHARE = 0.1
MIN_STEP_S = 0.2  # a step after the search with less time left is not begun
# The construction gets at least this long, past the deadline if need be: a
# run whose reading took its whole limit (a short one, a loaded machine)
# still hands over a plan. Counts bound it too: 0.3 s on the dense l.
CONSTRUCT_FLOOR_S = 1.0
WORK_DONE = 0.99  # share of its deterministic time a search that used it all reports
# Models below this many variables (generated m: about 2,000) are first
# searched by one worker for up to ONE_WORKER_WORK units of deterministic
# time (about 1 s idle on 2 cores): proven best, that is the plan.
ONE_WORKER_BELOW = 5_000
ONE_WORKER_WORK = 0.1
# The full search's limit once the neighbourhood search was interrupted: it
# only hands back the plan found (CP-SAT needs one call to report anything).
STOPPED_S = 0.01

T = TypeVar("T")


STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.UNKNOWN: Status.NO_PLAN,
    cp_model.MODEL_INVALID: Status.INVALID,
}


def _number(parameters: dict[str, object], name: str) -> float:
    """A numeric parameter of `solver_parameters`, typed as what it is."""
    value = parameters[name]
    if not isinstance(value, int | float):
        raise TypeError(f"CP-SAT parameter {name} is {value!r}, not a number")
    return value


def solve(
    problem: Problem,
    options: SolveOptions = SolveOptions(),  # noqa: B008 - frozen, never mutated
    progress: Callable[[Progress], None] | None = None,
    hint: Plan | None = None,
    baseline: Plan | None = None,
    freeze_before: int | None = None,
    cancel: CancelToken | None = None,
    deadline: Deadline | None = None,
) -> Result:
    """Plan ``problem``: the best plan found by ``deadline``, and its terms.

    ``deadline`` (default: the time limit from now; ten times that for a
    deterministic run, which stops on deterministic time), heeding
    ``cancel`` as well, bounds every step: the construction, its mending,
    the neighbourhood and full searches, gap filling and making the plan
    canonical each stop by it and hand over what they have. Which step comes
    next depends on what the last one achieved (a small model proven best by
    one worker needs no more; the neighbourhood search hands over once it
    stalls), not on shares of the time limit.

    When the search ends without a plan of its own (stopped during presolve,
    which takes a while on a large programme), the hinted plan is returned if
    the model accepts it. A plan proven best is made canonical (`_canonical`),
    so the same input and options give the same plan run after run.

    ``statistics["canonical"]`` says whether the same input and options give
    this same plan again (a deterministic run, or a plan proven best).

    Ctrl-C (a KeyboardInterrupt) during the search stops it, and so does
    ``cancel`` once set: the best plan found so far is returned,
    ``statistics["interrupted"]`` set. Once a plan exists, nothing that fails
    afterwards loses it: the failure is named in ``statistics["failures"]``.

    With a ``baseline`` (a plan published earlier) the best plan is the one
    that changes as little as it must: each change is priced in the change
    term, and the baseline is the search's first guess (unless ``hint`` is
    given). ``freeze_before`` (a slot; needs a baseline) keeps every baseline
    event starting before it as it is; a frozen event that breaks a hard rule
    makes the model infeasible, so callers name such events first
    (`planner.app.plans.plan_problem`).
    """
    if freeze_before is not None and baseline is None:
        raise ValueError("freeze_before needs a baseline: the plan to freeze")
    began = time.perf_counter()
    if deadline is None:
        # A deterministic run stops on deterministic time; its clock limit
        # only guards against a machine far slower than expected.
        safety = CLOCK_SAFETY if options.deterministic else 1.0
        deadline = Deadline(began + safety * options.limit_for(problem))
    deadline = deadline.heeding(cancel)
    cancel = deadline.cancel
    built = build_model(problem, baseline=baseline, freeze_before=freeze_before)
    run = Run(began, progress, cancel)
    cp_parameters = solver_parameters(problem, options)
    first_guess = hint if hint is not None else baseline
    found: Found | None = None
    if first_guess is None:
        first_guess = construct_plan(problem, deadline.at_least(CONSTRUCT_FLOOR_S))
        if _small(built) and not options.deterministic:
            found = _one_worker_first(
                built, problem, options, first_guess, run, deadline
            )
            if not (found.canonical or found.interrupted):
                if found.solution is not None:
                    first_guess = solution_plan(
                        problem, built.variables, found.solution
                    )
                found = None
        if not options.deterministic and found is None:
            first_guess = mend(problem, built, first_guess, options, deadline)
    neighbourhoods = None
    if not options.deterministic and found is None:
        neighbourhoods = improve_first(
            problem, built, first_guess, options, deadline, progress, began
        )
        if neighbourhoods is not None:
            first_guess = neighbourhoods.plan
    clear_hints(built.model)
    hinted = add_hint(built, first_guess)
    fill_s = 0.0
    if options.deterministic:
        cp_parameters["max_time_in_seconds"] = min(
            _number(cp_parameters, "max_time_in_seconds"), deadline.left()
        )
    else:
        fill_s = deadline.left() * FILL_SHARE
        cp_parameters["max_time_in_seconds"] = max(STOPPED_S, deadline.left() - fill_s)
    if neighbourhoods is not None and neighbourhoods.interrupted:
        cp_parameters["max_time_in_seconds"] = STOPPED_S
    if found is None:
        solver = cp_model.CpSolver()
        apply_parameters(solver, cp_parameters)
        found = run.search(solver, built.model)
        found.interrupted |= neighbourhoods is not None and neighbourhoods.interrupted
        found.bound = _bound(solver, found.status)
        found.figures = _solver_statistics(solver, found.status)
    found.interrupted |= deadline.cancelled()
    # The full search may end before it takes up the neighbourhood search's
    # plan (the hint) or anything better: that plan is the result then.
    behind = (
        neighbourhoods is not None
        and found.solution is not None
        and found.solution.objective_value < neighbourhoods.objective
    )
    if found.solution is None or behind:
        first = "hint" if neighbourhoods is None else "neighbourhoods"
        check = _hinted_step(built, first, deadline)
        if _after_search(found, "checking the first guess", check):
            found.status = cp_model.FEASIBLE
    elif found.interrupted:
        pass  # the plan found so far is all that is wanted
    elif options.deterministic:
        found.canonical = _stopped_by_work(found, cp_parameters)
    elif found.canonical:
        pass  # one worker proved it best: the deterministic run's plan
    elif found.status == cp_model.FEASIBLE:
        workers = int(_number(cp_parameters, "num_workers"))
        fill = _fill_step(built, problem, found.solution, deadline, workers)
        _after_search(found, "filling gaps", fill)
    elif found.status == cp_model.OPTIMAL:
        canonical = _canonical_step(built, problem, found.solution, options, deadline)
        found.canonical = _after_search(found, "making the plan canonical", canonical)
    plan: Plan | None = None
    terms: dict[str, int] = {}
    if found.solution is not None:
        names = tuple(n for n in TERM_NAMES if n != TERM_CHANGE or baseline is not None)
        plan, terms = _shielded(found, lambda: _read(problem, built, found, names))
    proto = built.model.proto
    return Result(
        status=STATUS.get(found.status, Status.INVALID),
        plan=plan,
        objective=sum(terms.values()) if plan is not None else None,
        bound=found.bound,
        terms=terms,
        baseline=baseline,
        runtime_s=time.perf_counter() - began,
        parameters={
            "time_limit_s": options.limit_for(problem),
            "workers": cp_parameters["num_workers"],
            "seed": options.seed,
            "deterministic": options.deterministic,
            "hint": _hint_name(hint, baseline),
            "baseline": baseline is not None,
            "freeze_before": freeze_before,
            "cp_sat": cp_parameters,
        },
        statistics={
            **found.figures,
            "build_s": built.build_s,
            "variables": len(proto.variables),
            "constraints": len(proto.constraints),
            "hint_events": hinted,
            "solutions": run.solutions,
            "first_plan_s": _first_plan_s(run, found, neighbourhoods, began),
            "plan_from": found.plan_from if plan is not None else None,
            "canonical": found.canonical,
            "interrupted": found.interrupted,
            "failures": found.failures,
        },
    )


def _stopped_by_work(found: Found, parameters: dict[str, object]) -> bool:
    """Whether a deterministic search ended where any machine would: on its
    proof or its deterministic time, not on the deadline's clock (a machine
    too slow for the work within the time limit)."""
    if found.status == cp_model.OPTIMAL:
        return True
    work = found.figures.get("deterministic_time")
    limit = _number(parameters, "max_deterministic_time")
    return isinstance(work, float) and work >= limit * WORK_DONE


def _small(built: BuiltModel) -> bool:
    """Whether the model is small enough for one worker to try first."""
    return len(built.model.proto.variables) < ONE_WORKER_BELOW


def _one_worker_first(
    built: BuiltModel,
    problem: Problem,
    options: SolveOptions,
    plan: Plan,
    run: Run,
    deadline: Deadline,
) -> Found:
    """A one-worker search from ``plan`` for up to `ONE_WORKER_WORK` units of
    deterministic time; ``canonical`` when it proves its plan best, which is
    then the plan a deterministic run gives.

    On a small programme one worker proves the optimum in about half the
    time the parallel search and the canonical re-solve that follows it take
    (generated m: 0.54 s against 1.1-1.4 s, benchmarks/RESULTS.md), and its
    plan is the one ``--deterministic`` gives: the same model, parameters and
    hint (the construction, before any mending), stopped only by the proof.
    """
    clear_hints(built.model)
    add_hint(built, plan)
    parameters = solver_parameters(problem, replace(options, deterministic=True))
    parameters["max_deterministic_time"] = min(
        ONE_WORKER_WORK, _number(parameters, "max_deterministic_time")
    )
    parameters["max_time_in_seconds"] = min(
        _number(parameters, "max_time_in_seconds"), deadline.left()
    )
    solver = cp_model.CpSolver()
    apply_parameters(solver, parameters)
    found = run.search(solver, built.model)
    found.canonical = found.status == cp_model.OPTIMAL and not found.interrupted
    found.bound = _bound(solver, found.status)
    found.figures = _solver_statistics(solver, found.status)
    return found


def _bound(solver: cp_model.CpSolver, status: cp_model.CpSolverStatus) -> float | None:
    """The search's best bound, when it searched well enough to have one."""
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or not answered(solver):
        return None
    bound = solver.best_objective_bound
    return bound if math.isfinite(bound) else None


def _first_plan_s(
    run: Run, found: Found, neighbourhoods: Search | None, began: float
) -> float | None:
    """Seconds from the start to the first plan proven to keep every rule."""
    if neighbourhoods is not None:
        return neighbourhoods.checked_at - began
    return run.first_s if found.plan_from.startswith("search") else None


def _hint_name(hint: Plan | None, baseline: Plan | None) -> str:
    if hint is not None:
        return "given"
    return "baseline" if baseline is not None else "construction"


def _solver_statistics(
    solver: cp_model.CpSolver, status: cp_model.CpSolverStatus
) -> dict[str, object]:
    """The search's own figures; None where a failed search left none."""
    figures: dict[str, object] = dict.fromkeys(
        ("branches", "conflicts", "wall_time_s", "deterministic_time")
    )
    if answered(solver):
        figures = {
            "branches": solver.num_branches,
            "conflicts": solver.num_conflicts,
            "wall_time_s": solver.wall_time,
            "deterministic_time": solver.deterministic_time,
        }
    return {
        **figures,
        "cp_sat_status": solver.status_name(status),
        "cp_sat_version": version("ortools"),
    }


def _read(
    problem: Problem, built: BuiltModel, found: Found, names: tuple[str, ...]
) -> tuple[Plan, dict[str, int]]:
    """The plan of the best solution found and its objective terms."""
    solution = found.solution
    assert solution is not None
    plan = solution_plan(problem, built.variables, solution)
    terms = {
        name: solution.value(built.terms[name]) if name in built.terms else 0
        for name in names
    }
    return plan, terms


def _shielded(found: Found, read: Callable[[], T]) -> T:
    """``read()``, done again if Ctrl-C cuts it short: the plan is all there is.

    Reading a large plan takes a moment; an interrupt then must not lose it.
    """
    while True:
        try:
            return read()
        except KeyboardInterrupt:
            found.interrupted = True


Step = Callable[[], tuple[Solution | None, str]]


def _after_search(found: Found, what: str, step: Step) -> bool:
    """Run one step after the search; True when it gave a solution, now kept.

    A step that fails or is interrupted is given up and the solution found so
    far kept: a plan that exists is never lost to a later step.
    """
    try:
        solution, plan_from = step()
    except KeyboardInterrupt:
        found.interrupted = True
        return False
    except Exception as error:  # the plan found must survive it
        kept = "; the plan found so far is kept" if found.solution else ""
        found.failures.append(f"{what} failed ({type(error).__name__}: {error}){kept}")
        return False
    if solution is None:
        return False
    found.solution, found.plan_from = solution, plan_from
    return True


def _hinted_step(built: BuiltModel, plan_from: str, deadline: Deadline) -> Step:
    def step() -> tuple[Solution | None, str]:
        return hinted_solution(built, deadline), plan_from

    return step


def _fill_step(
    built: BuiltModel,
    problem: Problem,
    searched: Solution,
    deadline: Deadline,
    workers: int,
) -> Step:
    def step() -> tuple[Solution | None, str]:
        plan = solution_plan(problem, built.variables, searched)
        filled = _fill_gaps(built, problem, plan, deadline, workers)
        if filled is None or filled.objective_value <= searched.objective_value:
            return None, "search"
        return filled, "search, then gaps filled"

    return step


def _canonical_step(
    built: BuiltModel,
    problem: Problem,
    searched: Solution,
    options: SolveOptions,
    deadline: Deadline,
) -> Step:
    def step() -> tuple[Solution | None, str]:
        optimum = round(searched.objective_value)
        return _canonical(built, problem, optimum, options, deadline), "search"

    return step


def _fill_gaps(
    built: BuiltModel, problem: Problem, plan: Plan, deadline: Deadline, workers: int
) -> Solution | None:
    """Keep every event of ``plan`` as it is and add what still fits around it.

    On a large programme the search often stops with exercises left out that
    fit into the plan's gaps; with every held event fixed that question is
    small and is usually answered to optimality in seconds (generated xl:
    +0.5-0.8 % objective in about 6 s, see benchmarks/RESULTS.md). The events
    are fixed for good: the model is not searched again.
    """
    model = built.model
    for event in plan.events:
        keep_event(model, built.variables, event)
    clear_hints(model)
    add_hint(built, plan)
    solver = cp_model.CpSolver()
    left = deadline.left()
    if left < MIN_STEP_S:
        return None
    options = SolveOptions(time_limit_s=left, workers=workers)
    apply_parameters(solver, solver_parameters(problem, options))
    return solution_of(solver, run_cp_sat(solver, model))


def _canonical(
    built: BuiltModel,
    problem: Problem,
    optimum: int,
    options: SolveOptions,
    deadline: Deadline,
) -> Solution | None:
    """The first plan worth ``optimum`` that a deterministic run finds.

    The parallel search proves the best value, but which of several equally
    good plans it ends on depends on its threads' timing: the same workbook
    gave two plans with 12 differences. A one-worker search depends only on
    the model and its parameters, so the first plan worth the optimum it
    comes to is the same every time; it is stopped there (`_StopAt`), which
    for a one-worker search is as deterministic as the search itself. It is
    the plan ``--deterministic`` gives, found without proving it best again
    (generated m: about as long as the parallel search). It has the budget
    of a deterministic run; when that is not enough (None) the search's plan
    stands.
    """
    parameters = solver_parameters(problem, replace(options, deterministic=True))
    left = deadline.left()
    if left < MIN_STEP_S:
        return None
    parameters["max_time_in_seconds"] = min(
        _number(parameters, "max_time_in_seconds"), left
    )
    solver = cp_model.CpSolver()
    apply_parameters(solver, parameters)
    status = run_cp_sat(solver, built.model, _StopAt(optimum))
    solution = solution_of(solver, status)
    if solution is None or solution.objective_value < optimum:
        return None
    return solution


class _StopAt(cp_model.CpSolverSolutionCallback):
    """Stops the search at its first solution worth ``optimum``."""

    def __init__(self, optimum: int) -> None:
        super().__init__()
        self._optimum = optimum

    def on_solution_callback(self) -> None:
        if self.objective_value >= self._optimum:
            self.stop_search()
