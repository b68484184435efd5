"""Build the model, run CP-SAT on it, and read the plan back.

The search runs in a worker thread while the main thread waits on it, so a
Ctrl-C reaches Python promptly: the main thread then stops the search and the
best plan found so far is still returned. Progress is collected by CP-SAT's
callbacks into a queue and reported from the main thread, so a slow progress
display never holds the solver up.
"""

from __future__ import annotations

import math
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, cast

import ortools
from ortools.sat.python import cp_model, cp_model_helper

from planner.domain import (
    TERM_CHANGE,
    TERM_COST,
    TERM_GOAL_SHORTFALL,
    TERM_VALUE,
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
from planner.model.objective import objective_terms, set_objective
from planner.model.rules import add_rules
from planner.model.variables import (
    Expr,
    Guard,
    GuardFn,
    Variables,
    create_variables,
)

TERM_NAMES = (TERM_VALUE, TERM_GOAL_SHORTFALL, TERM_COST)
HEARTBEAT_S = 1.0  # how often progress is reported while nothing improves
POLL_S = 0.05  # how often the main thread looks at the search
# CP-SAT's deterministic time runs at about 0.05-0.1 units per second of
# interleaved search on the 2-core machine it was measured on (OR-Tools 9.15).
WORK_PER_SECOND = 0.05
CLOCK_SAFETY = 4.0
FALLBACK_LIMIT_S = 30.0  # for checking the hinted plan when the search has none
# Share of the time limit kept for filling gaps around the plan found, when the
# search does not prove it best (see `_fill_gaps`).
FILL_SHARE = 0.1
# The full search's limit once the neighbourhood search was interrupted: it
# only hands back the plan found (CP-SAT needs one call to report anything).
STOPPED_S = 0.01
FULL_PORTFOLIO_WORKERS = 7  # from 7 workers on, CP-SAT runs max_lp itself


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
    terms = objective_terms(model, problem, variables, baseline)
    set_objective(model, terms)
    return BuiltModel(model, variables, terms, time.perf_counter() - began)


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

    Deterministic runs interleave the workers' search in fixed batches
    (``interleave_search``) and stop on CP-SAT's deterministic time instead of
    the clock, so load on the machine cannot change where they stop. The limit
    is converted at `WORK_PER_SECOND`; a clock limit of `CLOCK_SAFETY` times
    the time limit only guards against a machine far slower than expected.
    """
    limit = options.time_limit_s
    if limit is None:
        limit = problem.settings.time_limit_s
    workers = options.workers or os.cpu_count() or 1
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
        parameters["interleave_search"] = True
        parameters["max_deterministic_time"] = limit * WORK_PER_SECOND
        parameters["max_time_in_seconds"] = limit * CLOCK_SAFETY
    else:
        parameters["max_time_in_seconds"] = float(limit)
    return parameters


def apply_parameters(solver: cp_model.CpSolver, parameters: dict[str, object]) -> None:
    """Set CP-SAT parameters by name; list-valued ones are appended."""
    for name, value in parameters.items():
        if isinstance(value, list):
            getattr(solver.parameters, name).extend(value)
        else:
            setattr(solver.parameters, name, value)


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
    the model accepts it.

    With a ``baseline`` (a plan published earlier) the best plan is the one
    that changes as little as it must: each change is priced in the change
    term, and the baseline is the search's first guess (unless ``hint`` is
    given). ``freeze_before`` (a slot; needs a baseline) keeps every baseline
    event starting before it as it is; a frozen event that breaks a hard rule
    makes the model infeasible, so callers name such events first
    (`planner.whatif.replan`). ``cancel``, once set, stops the search as
    Ctrl-C does: the best plan found so far is returned.
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
            problem, built, first_guess, options, progress, cancel
        )
        if neighbourhoods is not None:
            first_guess = neighbourhoods.plan
            built.model.clear_hints()
            hinted = add_hint(built, first_guess)
            left = began + cast(float, cp_parameters["max_time_in_seconds"])
            cp_parameters["max_time_in_seconds"] = max(1.0, left - time.perf_counter())
            if neighbourhoods.interrupted:
                cp_parameters["max_time_in_seconds"] = STOPPED_S
    fill_s = 0.0
    if not options.deterministic:
        fill_s = cp_parameters["max_time_in_seconds"] * FILL_SHARE
        cp_parameters["max_time_in_seconds"] -= fill_s
    apply_parameters(solver, cp_parameters)
    run = _Run(solver, began)
    searched, interrupted = run.search(built.model, progress, cancel)
    interrupted = interrupted or (
        neighbourhoods is not None and neighbourhoods.interrupted
    )
    status, source, plan_from = searched, solver, "search"
    # The full search may end before it takes up the neighbourhood search's
    # plan (the hint) or anything better: that plan is the result then.
    behind = neighbourhoods is not None and (
        searched == cp_model.FEASIBLE
        and solver.objective_value < neighbourhoods.objective
    )
    if searched == cp_model.UNKNOWN or behind:
        fallback = hinted_solution(built)
        if fallback is not None:
            source, status = fallback, cp_model.FEASIBLE
            plan_from = "hint" if neighbourhoods is None else "neighbourhoods"
    plan, terms = None, {}
    if status == cp_model.FEASIBLE and plan_from == "search" and not interrupted:
        filled = _fill_gaps(
            built,
            problem,
            read_plan(problem, built.variables, solver),
            fill_s,
            cp_parameters["num_workers"],
        )
        if filled is not None and filled.objective_value > solver.objective_value:
            source, plan_from = filled, "search, then gaps filled"
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        plan = read_plan(problem, built.variables, source)
        names = TERM_NAMES + ((TERM_CHANGE,) if baseline is not None else ())
        terms = {
            name: int(source.value(built.terms[name])) if name in built.terms else 0
            for name in names
        }
    time_limit = options.time_limit_s
    if time_limit is None:
        time_limit = problem.settings.time_limit_s
    bound = solver.best_objective_bound
    searched_well = searched in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    proto = built.model.proto
    return Result(
        status=STATUS.get(status, Status.INVALID),
        plan=plan,
        objective=sum(terms.values()) if plan is not None else None,
        bound=bound if searched_well and math.isfinite(bound) else None,
        terms=terms,
        baseline=baseline,
        runtime_s=time.perf_counter() - began,
        parameters={
            "time_limit_s": time_limit,
            "workers": cp_parameters["num_workers"],
            "seed": options.seed,
            "deterministic": options.deterministic,
            "hint": _hint_name(hint, baseline),
            "baseline": baseline is not None,
            "freeze_before": freeze_before,
            "cp_sat": cp_parameters,
        },
        statistics={
            "branches": solver.num_branches,
            "conflicts": solver.num_conflicts,
            "wall_time_s": solver.wall_time,
            "deterministic_time": solver.deterministic_time,
            "build_s": built.build_s,
            "variables": len(proto.variables),
            "constraints": len(proto.constraints),
            "hint_events": hinted,
            "solutions": run.solutions,
            "first_plan_s": run.first_s if plan_from != "hint" else None,
            "plan_from": plan_from if plan is not None else None,
            "interrupted": interrupted,
            "cp_sat_status": solver.status_name(searched),
            "cp_sat_version": ortools.__version__,
        },
    )


def _hint_name(hint: Plan | None, baseline: Plan | None) -> str:
    if hint is not None:
        return "given"
    return "baseline" if baseline is not None else "construction"


def _fill_gaps(
    built: BuiltModel, problem: Problem, plan: Plan, seconds: float, workers: int
) -> cp_model.CpSolver | None:
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
    model.clear_hints()
    add_hint(built, plan)
    solver = cp_model.CpSolver()
    options = SolveOptions(time_limit_s=max(seconds, 1.0), workers=workers)
    apply_parameters(solver, solver_parameters(problem, options))
    if solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return solver
    return None


def search_once(
    solver: cp_model.CpSolver, model: cp_model.CpModel, cancel: CancelToken | None
) -> tuple[cp_model.CpSolverStatus, bool]:
    """One CP-SAT solve that Ctrl-C or ``cancel`` stops, keeping its best
    solution; its status and whether it was stopped so."""
    return _Run(solver, time.perf_counter()).search(model, None, cancel)


def hinted_solution(built: BuiltModel) -> cp_model.CpSolver | None:
    """A solver holding the hinted plan as its solution, if the plan is feasible.

    Every hinted variable is fixed, so this takes a fraction of a second even
    on the largest programmes.
    """
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = FALLBACK_LIMIT_S
    status = solver.solve(built.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return solver
    return None


def read_plan(problem: Problem, v: Variables, solver: cp_model.CpSolver) -> Plan:
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
    """Queues a Progress for each improving solution; nothing heavier."""

    def __init__(self, run: _Run) -> None:
        super().__init__()
        self._run = run

    def on_solution_callback(self) -> None:
        if self._run.first_s is None:
            self._run.first_s = time.perf_counter() - self._run.began
        self._run.solutions += 1
        self._run.objective = self.objective_value
        self._run.bound = self.best_objective_bound
        self._run.report()


class _Run:
    """One search: the solver thread, the latest news, the Ctrl-C handling."""

    def __init__(self, solver: cp_model.CpSolver, began: float) -> None:
        self.solver = solver
        self.began = began
        self.objective: float | None = None
        self.bound: float | None = None
        self.solutions = 0
        self.first_s: float | None = None  # when the first solution came
        self.listening = False
        self.news: queue.SimpleQueue[Progress] = queue.SimpleQueue()

    def report(self) -> None:
        if self.listening:
            elapsed = time.perf_counter() - self.began
            self.news.put(Progress(elapsed, self.objective, self.bound))

    def _on_bound(self, bound: float) -> None:
        self.bound = bound
        self.report()

    def search(
        self,
        model: cp_model.CpModel,
        progress: Callable[[Progress], None] | None,
        cancel: CancelToken | None = None,
    ) -> tuple[cp_model.CpSolverStatus, bool]:
        """Run the search; returns its status and whether Ctrl-C or ``cancel``
        stopped it."""
        outcome: list[cp_model.CpSolverStatus] = []
        failure: list[BaseException] = []
        reporter = _Reporter(self)
        self.listening = progress is not None
        if self.listening:
            self.solver.best_bound_callback = self._on_bound

        def work() -> None:
            try:
                outcome.append(self.solver.solve(model, reporter))
            except BaseException as error:  # re-raised in the main thread
                failure.append(error)

        worker = threading.Thread(target=work, name="cp-sat", daemon=True)
        interrupted = False
        worker.start()
        try:
            interrupted = self._wait(worker, progress, cancel)
        except KeyboardInterrupt:
            interrupted = True
        if interrupted:
            self.solver.stop_search()
            worker.join()
        if failure:
            raise failure[0]
        if progress is not None:
            self._drain(progress)
            self.report()
            self._drain(progress)
        return outcome[0], interrupted

    def _wait(
        self,
        worker: threading.Thread,
        progress: Callable[[Progress], None] | None,
        cancel: CancelToken | None = None,
    ) -> bool:
        """Join the solver thread, passing news on and a heartbeat when quiet;
        True when ``cancel`` was set before the search ended."""
        last = time.perf_counter()
        while worker.is_alive():
            worker.join(POLL_S)
            if cancel is not None and cancel.is_set():
                return True
            if progress is None:
                continue
            if self._drain(progress):
                last = time.perf_counter()
            elif time.perf_counter() - last >= HEARTBEAT_S:
                self.report()
        return False

    def _drain(self, progress: Callable[[Progress], None]) -> bool:
        """Pass queued news to ``progress``; True when there was any."""
        any_news = False
        while True:
            try:
                news = self.news.get_nowait()
            except queue.Empty:
                return any_news
            progress(news)
            any_news = True
