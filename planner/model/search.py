"""Build the model, run CP-SAT on it, and read the plan back.

The search runs in a worker thread while the main thread waits on it, so a
Ctrl-C reaches Python promptly: the main thread then stops the search and the
best plan found so far is still returned. Progress is collected by CP-SAT's
callbacks into a queue and reported from the main thread, so a slow progress
display never holds the solver up.
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from typing import TYPE_CHECKING, Protocol, TypeVar

from ortools.sat.python import cp_model, cp_model_helper

from planner.domain import (
    TERM_CHANGE,
    TERM_NAMES,
    Event,
    Plan,
    Problem,
    Progress,
    Result,
    SolveOptions,
    Status,
)
from planner.model.baseline import freeze_past, keep_event
from planner.model.construct import construct_plan
from planner.model.objective import set_objective, term_expressions
from planner.model.rules import add_rules
from planner.model.running import answered, run_cp_sat
from planner.model.variables import (
    Expr,
    Guard,
    GuardFn,
    Variables,
    create_variables,
)

if TYPE_CHECKING:  # lns imports this module
    from planner.model.lns import Search

HEARTBEAT_S = 1.0  # how often progress is reported while nothing improves
# CP-SAT's deterministic time runs at about 0.06-0.09 units per second of
# one worker's search on the loaded 2-core machine it was measured on (the
# sample, generated m; OR-Tools 9.15): a deterministic run ends in its limit.
WORK_PER_SECOND = 0.05
CLOCK_SAFETY = 10.0  # a loaded shared 2-core machine ran one worker 10x slower
FALLBACK_LIMIT_S = 30.0  # for checking the hinted plan when the search has none
# Share of the time limit kept for filling gaps around the plan found, when the
# search does not prove it best (see `_fill_gaps`).
FILL_SHARE = 0.1
# The full search's limit once the neighbourhood search was interrupted: it
# only hands back the plan found (CP-SAT needs one call to report anything).
STOPPED_S = 0.01
FULL_PORTFOLIO_WORKERS = 7  # from 7 workers on, CP-SAT runs max_lp itself

T = TypeVar("T")


class CancelToken(Protocol):
    """Set by a front end to stop the search early (a `threading.Event`, a
    `multiprocessing.Event`): the best plan found so far is kept, as on Ctrl-C."""

    def is_set(self) -> bool: ...


STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.UNKNOWN: Status.NO_PLAN,
    cp_model.MODEL_INVALID: Status.INVALID,
}


@dataclass
class BuiltModel:
    """The CP-SAT model, its variables and its named objective terms."""

    model: cp_model.CpModel
    variables: Variables
    terms: dict[str, Expr]  # only the terms whose weight is not 0
    build_s: float = 0.0


def build_model(
    problem: Problem,
    guard: GuardFn | None = None,
    *,
    baseline: Plan | None = None,
    freeze_before: int | None = None,
) -> BuiltModel:
    """The whole model of ``problem``: variables, hard rules, objective.

    ``guard(source)`` lists the literals under which the constraints of an
    input row hold (default: none, always enforced); a guard with a ``bind``
    method (such as `SourceGuard`) is first bound to the new model.

    With a ``baseline`` the objective also prices every change to it (the
    change term); with ``freeze_before`` as well, its events starting before
    that slot are fixed and nothing else starts before it.
    """
    began = time.perf_counter()
    model = cp_model.CpModel()
    bind = getattr(guard, "bind", None)
    if bind is not None:
        bind(model)
    guards = Guard(guard)
    variables = create_variables(model, problem, guards)
    add_rules(model, problem, variables, guards)
    if baseline is not None and freeze_before is not None:
        freeze_past(model, problem, variables, baseline, freeze_before)
    terms = term_expressions(model, problem, variables, baseline)
    set_objective(model, terms)
    return BuiltModel(model, variables, terms, time.perf_counter() - began)


def clear_hints(model: cp_model.CpModel) -> None:
    """Forget the model's hints, so that new ones replace them."""
    model.clear_hints()  # type: ignore[no-untyped-call]  # unannotated in ortools


def add_hint(built: BuiltModel, plan: Plan) -> int:
    """Hint every variable from ``plan``; returns how many events it could use.

    Events naming an unknown exercise, a venue that cannot host it or a start
    outside its domain are skipped: a baseline plan may come from an older
    workbook. Auxiliary variables are hinted too, so CP-SAT can take the plan
    as its first solution when it is feasible.
    """
    v = built.variables
    values: dict[int, int] = {}

    def hint(variable: cp_model.IntVar, value: int) -> None:
        if variable.index not in values:
            values[variable.index] = int(value)
            built.model.add_hint(variable, value)

    used = 0
    for exercise_id, held in v.held.items():
        event = plan.by_exercise.get(exercise_id)
        if event is not None and not _fits(v, event):
            event = None
        hint(held, event is not None)
        start = event.start if event is not None else v.starts[exercise_id][0]
        hint(v.start[exercise_id], start)
        for venue_id in v.venues[exercise_id]:
            at = event is not None and event.venue_id == venue_id
            hint(v.at_venue[exercise_id, venue_id], at)
        for partner_id in v.partners[exercise_id]:
            takes_part = event is not None and partner_id in event.participants
            hint(v.takes_part[exercise_id, partner_id], takes_part)
        used += event is not None

    def value(expression: Expr) -> int:
        if not isinstance(expression, cp_model.LinearExpr):
            return int(expression)
        flat = cp_model_helper.FlatIntExpr(expression)
        return flat.offset + sum(
            c * values[x.index] for x, c in zip(flat.vars, flat.coeffs, strict=True)
        )

    for variable, derive in v.derived:
        hint(variable, derive(value))
    return used


def _fits(v: Variables, event: Event) -> bool:
    exercise_id = event.exercise_id
    return (
        event.start in v.starts[exercise_id]
        and event.venue_id in v.venues[exercise_id]
        and all(p in v.partners[exercise_id] for p in event.participants)
    )


def solver_parameters(problem: Problem, options: SolveOptions) -> dict[str, object]:
    """The CP-SAT parameters of a run, everything needed to repeat it.

    A deterministic run searches with one worker and stops on CP-SAT's
    deterministic time instead of the clock: one worker's search depends on
    nothing but the model and the parameters, so load on the machine cannot
    change where it stops, and it ends as soon as it proves its plan best.
    (CP-SAT's interleaved search is deterministic with several workers, but
    it finishes whole batches of work before it stops: 6.3 s against 0.1 s
    for the sample, see benchmarks/RESULTS.md.) The limit is converted at
    `WORK_PER_SECOND`; a clock limit of `CLOCK_SAFETY` times the time limit
    only guards against a machine far slower than expected.
    """
    limit = options.time_limit_s
    if limit is None:
        limit = problem.settings.time_limit_s
    workers = 1 if options.deterministic else options.workers or os.cpu_count() or 1
    parameters: dict[str, object] = {
        "num_workers": workers,
        "random_seed": options.seed,
    }
    # With few workers CP-SAT leaves out its strongest LP relaxation, which is
    # what proves the bound on these models (the 13-exercise sample: optimal in
    # 0.2 s with it, a 9% gap after 60 s without on 2 workers).
    if workers == 1:
        parameters["linearization_level"] = 2
    elif workers < FULL_PORTFOLIO_WORKERS:
        parameters["extra_subsolvers"] = ["max_lp"]
    if options.deterministic:
        parameters["max_deterministic_time"] = limit * WORK_PER_SECOND
        parameters["max_time_in_seconds"] = limit * CLOCK_SAFETY
    else:
        parameters["max_time_in_seconds"] = float(limit)
    return parameters


def _number(parameters: dict[str, object], name: str) -> float:
    """A numeric parameter of `solver_parameters`, typed as what it is."""
    value = parameters[name]
    if not isinstance(value, int | float):
        raise TypeError(f"CP-SAT parameter {name} is {value!r}, not a number")
    return value


def apply_parameters(solver: cp_model.CpSolver, parameters: dict[str, object]) -> None:
    """Set CP-SAT parameters by name; list-valued ones are appended."""
    for name, value in parameters.items():
        if isinstance(value, list):
            getattr(solver.parameters, name).extend(value)
        else:
            setattr(solver.parameters, name, value)


class Solution:
    """The values of one solution CP-SAT reported, readable after its solve.

    Built from a finished solver or from a solution callback, so the last
    plan the search reported survives a solve that fails afterwards.
    """

    def __init__(self, response: cp_model_helper.CpSolverResponse) -> None:
        self._response = response

    @property
    def objective_value(self) -> float:
        return float(self._response.objective_value)

    def value(self, expression: Expr) -> int:
        return int(cp_model_helper.ResponseHelper.value(self._response, expression))

    def boolean_value(self, literal: cp_model.IntVar) -> bool:
        return bool(
            cp_model_helper.ResponseHelper.boolean_value(self._response, literal)
        )


@dataclass
class _Found:
    """The best solution known after the search, and what happened on the way.

    ``status`` is the search's own; ``failures`` says, in a sentence each,
    what went wrong after a plan existed (the plan was kept).
    """

    status: cp_model.CpSolverStatus
    solution: Solution | None
    plan_from: str
    interrupted: bool = False
    failures: list[str] = field(default_factory=list)
    canonical: bool = False


def solve(
    problem: Problem,
    options: SolveOptions = SolveOptions(),  # noqa: B008 - frozen, never mutated
    progress: Callable[[Progress], None] | None = None,
    hint: Plan | None = None,
    baseline: Plan | None = None,
    freeze_before: int | None = None,
    cancel: CancelToken | None = None,
) -> Result:
    """Plan ``problem``: the best plan found within the time limit, and its terms.

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
    (`planner.whatif.replan`).
    """
    if freeze_before is not None and baseline is None:
        raise ValueError("freeze_before needs a baseline: the plan to freeze")
    began = time.perf_counter()
    built = build_model(problem, baseline=baseline, freeze_before=freeze_before)
    first_guess = hint if hint is not None else baseline
    if first_guess is None:
        first_guess = construct_plan(problem)
    hinted = add_hint(built, first_guess)
    solver = cp_model.CpSolver()
    cp_parameters = solver_parameters(problem, options)
    neighbourhoods = None
    if not options.deterministic:
        from planner.model.lns import improve_first  # lns builds on this module

        neighbourhoods = improve_first(
            problem, built, first_guess, options, progress, cancel, began
        )
        if neighbourhoods is not None:
            first_guess = neighbourhoods.plan
            clear_hints(built.model)
            hinted = add_hint(built, first_guess)
            left = began + _number(cp_parameters, "max_time_in_seconds")
            cp_parameters["max_time_in_seconds"] = max(1.0, left - time.perf_counter())
            if neighbourhoods.interrupted:
                cp_parameters["max_time_in_seconds"] = STOPPED_S
    fill_s = 0.0
    if not options.deterministic:
        clock_s = _number(cp_parameters, "max_time_in_seconds")
        fill_s = clock_s * FILL_SHARE
        cp_parameters["max_time_in_seconds"] = clock_s - fill_s
    apply_parameters(solver, cp_parameters)
    run = _Run(began, progress, cancel)
    found = run.search(solver, built.model)
    found.interrupted |= neighbourhoods is not None and neighbourhoods.interrupted
    searched = found.status
    # The full search may end before it takes up the neighbourhood search's
    # plan (the hint) or anything better: that plan is the result then.
    behind = (
        neighbourhoods is not None
        and found.solution is not None
        and found.solution.objective_value < neighbourhoods.objective
    )
    if found.solution is None or behind:
        first = "hint" if neighbourhoods is None else "neighbourhoods"
        if _after_search(found, "checking the first guess", _hinted_step(built, first)):
            found.status = cp_model.FEASIBLE
    elif found.interrupted:
        pass  # the plan found so far is all that is wanted
    elif options.deterministic:
        found.canonical = True
    elif found.status == cp_model.FEASIBLE:
        workers = int(_number(cp_parameters, "num_workers"))
        fill = _fill_step(built, problem, found.solution, fill_s, workers)
        _after_search(found, "filling gaps", fill)
    elif found.status == cp_model.OPTIMAL:
        canonical = _canonical_step(built, problem, found.solution, options)
        found.canonical = _after_search(found, "making the plan canonical", canonical)
    plan: Plan | None = None
    terms: dict[str, int] = {}
    if found.solution is not None:
        names = tuple(n for n in TERM_NAMES if n != TERM_CHANGE or baseline is not None)
        plan, terms = _shielded(found, lambda: _read(problem, built, found, names))
    searched_well = searched in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    bound = solver.best_objective_bound if answered(solver) else math.nan
    proto = built.model.proto
    return Result(
        status=STATUS.get(found.status, Status.INVALID),
        plan=plan,
        objective=sum(terms.values()) if plan is not None else None,
        bound=bound if searched_well and math.isfinite(bound) else None,
        terms=terms,
        baseline=baseline,
        runtime_s=time.perf_counter() - began,
        parameters={
            "time_limit_s": _time_limit(problem, options),
            "workers": cp_parameters["num_workers"],
            "seed": options.seed,
            "deterministic": options.deterministic,
            "hint": _hint_name(hint, baseline),
            "baseline": baseline is not None,
            "freeze_before": freeze_before,
            "cp_sat": cp_parameters,
        },
        statistics={
            **_solver_statistics(solver, searched),
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


def _time_limit(problem: Problem, options: SolveOptions) -> float:
    if options.time_limit_s is not None:
        return options.time_limit_s
    return problem.settings.time_limit_s


def _first_plan_s(
    run: _Run, found: _Found, neighbourhoods: Search | None, began: float
) -> float | None:
    """Seconds from the start to the first plan proven to keep every rule."""
    if neighbourhoods is not None:
        return neighbourhoods.checked_at - began
    return run.first_s if found.plan_from == "search" else None


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
    problem: Problem, built: BuiltModel, found: _Found, names: tuple[str, ...]
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


def _shielded(found: _Found, read: Callable[[], T]) -> T:
    """``read()``, done again if Ctrl-C cuts it short: the plan is all there is.

    Reading a large plan takes a moment; an interrupt then must not lose it.
    """
    while True:
        try:
            return read()
        except KeyboardInterrupt:
            found.interrupted = True


Step = Callable[[], tuple[Solution | None, str]]


def _after_search(found: _Found, what: str, step: Step) -> bool:
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


def _hinted_step(built: BuiltModel, plan_from: str) -> Step:
    def step() -> tuple[Solution | None, str]:
        return hinted_solution(built), plan_from

    return step


def _fill_step(
    built: BuiltModel,
    problem: Problem,
    searched: Solution,
    seconds: float,
    workers: int,
) -> Step:
    def step() -> tuple[Solution | None, str]:
        plan = solution_plan(problem, built.variables, searched)
        filled = _fill_gaps(built, problem, plan, seconds, workers)
        if filled is None or filled.objective_value <= searched.objective_value:
            return None, "search"
        return filled, "search, then gaps filled"

    return step


def _canonical_step(
    built: BuiltModel, problem: Problem, searched: Solution, options: SolveOptions
) -> Step:
    def step() -> tuple[Solution | None, str]:
        optimum = round(searched.objective_value)
        return _canonical(built, problem, optimum, options), "search"

    return step


def _fill_gaps(
    built: BuiltModel, problem: Problem, plan: Plan, seconds: float, workers: int
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
    options = SolveOptions(time_limit_s=max(seconds, 1.0), workers=workers)
    apply_parameters(solver, solver_parameters(problem, options))
    return _solution(solver, run_cp_sat(solver, model))


def _canonical(
    built: BuiltModel, problem: Problem, optimum: int, options: SolveOptions
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
    solver = cp_model.CpSolver()
    apply_parameters(solver, parameters)
    status = run_cp_sat(solver, built.model, _StopAt(optimum))
    solution = _solution(solver, status)
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


def search_once(
    solver: cp_model.CpSolver, model: cp_model.CpModel, cancel: CancelToken | None
) -> tuple[cp_model.CpSolverStatus, bool]:
    """One CP-SAT solve that Ctrl-C or ``cancel`` stops, keeping its best
    solution; its status and whether it was stopped so."""
    found = _Run(time.perf_counter(), None, cancel).search(solver, model)
    return found.status, found.interrupted


def hinted_solution(built: BuiltModel) -> Solution | None:
    """The hinted plan as a solution, if the model accepts it.

    Every hinted variable is fixed, so this takes a fraction of a second even
    on the largest programmes.
    """
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = FALLBACK_LIMIT_S
    return _solution(solver, run_cp_sat(solver, built.model))


def _solution(
    solver: cp_model.CpSolver, status: cp_model.CpSolverStatus
) -> Solution | None:
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Solution(solver.response_proto)
    return None


class Values(Protocol):
    """Where a plan is read from: a finished solver or a `Solution`."""

    def value(self, expression: Expr) -> int: ...

    def boolean_value(self, literal: cp_model.IntVar) -> bool: ...


def solution_plan(problem: Problem, v: Variables, solver: Values) -> Plan:
    """The plan in the solver's best solution, events by start then exercise."""
    events = []
    for exercise in problem.exercises:
        eid = exercise.id
        if not solver.boolean_value(v.held[eid]):
            continue
        venue_id = next(
            u for u in v.venues[eid] if solver.boolean_value(v.at_venue[eid, u])
        )
        participants = sorted(
            p for p in v.partners[eid] if solver.boolean_value(v.takes_part[eid, p])
        )
        events.append(
            Event(eid, solver.value(v.start[eid]), venue_id, tuple(participants))
        )
    events.sort(key=lambda e: (e.start, e.exercise_id))
    return Plan(tuple(events))


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Keeps each improving solution and queues its news; nothing heavier.

    It never raises: an exception here would stop the search.
    """

    def __init__(self, run: _Run) -> None:
        super().__init__()
        self._run = run

    def on_solution_callback(self) -> None:
        with contextlib.suppress(Exception):  # the final response has it too
            self._run.on_solution(
                Solution(self.Response()),  # type: ignore[no-untyped-call]  # unannotated in ortools
                self.objective_value,
                self.best_objective_bound,
            )


class _Run:
    """One search: the best solution it reported and its news for the display."""

    def __init__(
        self,
        began: float,
        progress: Callable[[Progress], None] | None,
        cancel: CancelToken | None = None,
    ) -> None:
        self.began = began
        self.progress = progress
        self.cancel = cancel
        self.objective: float | None = None
        self.bound: float | None = None
        self.solutions = 0
        self.first_s: float | None = None  # when the first solution came
        self.best: Solution | None = None
        self.news: queue.SimpleQueue[Progress] = queue.SimpleQueue()
        self.last_news = time.perf_counter()

    def on_solution(self, solution: Solution, objective: float, bound: float) -> None:
        """Called in CP-SAT's thread for each improving solution."""
        if self.first_s is None:
            self.first_s = time.perf_counter() - self.began
        self.solutions += 1
        self.best = solution
        self.objective, self.bound = objective, bound
        self.report()

    def report(self) -> None:
        if self.progress is not None:
            elapsed = time.perf_counter() - self.began
            self.news.put(Progress(elapsed, self.objective, self.bound))

    def _on_bound(self, bound: float) -> None:
        self.bound = bound
        self.report()

    def search(self, solver: cp_model.CpSolver, model: cp_model.CpModel) -> _Found:
        """Run the search; Ctrl-C stops it with the best solution found so far.

        Should the solve itself fail after reporting a plan, that plan is
        kept and the failure noted.
        """
        reporter = _Reporter(self)
        if self.progress is not None:
            solver.best_bound_callback = self._on_bound
        found = _Found(cp_model.UNKNOWN, None, "search")
        try:
            found.status = run_cp_sat(solver, model, reporter, self._poll)
        except KeyboardInterrupt:
            found.interrupted = True
            if answered(solver):
                found.status = solver.response_proto.status
        except Exception as error:  # a plan found must survive it
            if self.best is None:
                raise
            found.status = cp_model.FEASIBLE
            found.failures.append(
                f"the search failed ({type(error).__name__}: {error}); "
                "the best plan it had found is kept"
            )
        if found.status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found.solution = (
                Solution(solver.response_proto) if answered(solver) else self.best
            )
        if self.progress is not None:
            self._drain()
            self.report()
            self._drain()
        return found

    def _poll(self) -> None:
        """Pass news on, and a heartbeat when there is none for a while.

        A cancel token set stops the search as Ctrl-C does.
        """
        if self.cancel is not None and self.cancel.is_set():
            raise KeyboardInterrupt
        if self.progress is None:
            return
        if self._drain():
            self.last_news = time.perf_counter()
        elif time.perf_counter() - self.last_news >= HEARTBEAT_S:
            self.report()

    def _drain(self) -> bool:
        """Pass queued news to the progress display; True when there was any."""
        assert self.progress is not None
        any_news = False
        while True:
            try:
                news = self.news.get_nowait()
            except queue.Empty:
                return any_news
            self.progress(news)
            any_news = True
