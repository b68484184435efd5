"""Build the model, run CP-SAT on it, and read the plan back.

The search runs in a worker thread while the main thread waits on it, so a
Ctrl-C reaches Python promptly: the main thread then stops the search and the
best plan found so far is still returned. Progress is collected by CP-SAT's
callbacks into a queue and reported from the main thread, so a slow progress
display never holds the solver up.
"""

from __future__ import annotations

import contextlib
import os
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ortools.sat.python import cp_model, cp_model_helper

from planner.domain import (
    CancelToken,
    Deadline,
    Event,
    Plan,
    Problem,
    Progress,
    SolveOptions,
)
from planner.model.baseline import freeze_past
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

HEARTBEAT_S = 1.0  # how often progress is reported while nothing improves
# CP-SAT's deterministic time runs at about 0.06-0.09 units per second of
# one worker's search on the loaded 2-core machine it was measured on (the
# sample, generated m; OR-Tools 9.15): a deterministic run ends in its limit.
WORK_PER_SECOND = 0.05
CLOCK_SAFETY = 10.0  # a loaded shared 2-core machine ran one worker 10x slower
# Checking a plan by fixing every variable to it takes a fraction of a
# second even on the largest programmes; it gets at least this long, past
# the deadline if need be, as it is how a plan found is handed over.
CHECK_S = 2.0
FULL_PORTFOLIO_WORKERS = 7  # from 7 workers on, CP-SAT runs max_lp itself


def run_cancellable(
    solver: cp_model.CpSolver, model: cp_model.CpModel, cancel: CancelToken | None
) -> cp_model.CpSolverStatus:
    """`run_cp_sat`, stopped as Ctrl-C would stop it once ``cancel`` is set (a
    KeyboardInterrupt, which the caller turns into a cancelled answer).

    The token is looked at before the solve too: a solve shorter than one
    poll would otherwise never see it.
    """
    if cancel is None:
        return run_cp_sat(solver, model)

    def poll() -> None:
        if cancel.is_set():
            raise KeyboardInterrupt

    poll()
    return run_cp_sat(solver, model, poll=poll)


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
    limit = options.limit_for(problem)
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
class Found:
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
    bound: float | None = None  # the search's best bound, if it had one
    figures: dict[str, object] = field(default_factory=dict)  # its statistics


def search_once(
    solver: cp_model.CpSolver, model: cp_model.CpModel, cancel: CancelToken | None
) -> tuple[cp_model.CpSolverStatus, bool]:
    """One CP-SAT solve that Ctrl-C or ``cancel`` stops, keeping its best
    solution; its status and whether it was stopped so."""
    found = Run(time.perf_counter(), None, cancel).search(solver, model)
    return found.status, found.interrupted


def hinted_solution(
    built: BuiltModel, deadline: Deadline | None = None
) -> Solution | None:
    """The hinted plan as a solution, if the model accepts it.

    Every hinted variable is fixed, so this takes a fraction of a second even
    on the largest programmes: it runs until ``deadline``, but at least
    `CHECK_S`.
    """
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.num_workers = 1
    left = CHECK_S if deadline is None else deadline.left()
    solver.parameters.max_time_in_seconds = max(CHECK_S, left)
    return solution_of(solver, run_cp_sat(solver, built.model))


def solution_of(
    solver: cp_model.CpSolver, status: cp_model.CpSolverStatus
) -> Solution | None:
    """The solver's solution, when its status says it has one."""
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

    def __init__(self, run: Run) -> None:
        super().__init__()
        self._run = run

    def on_solution_callback(self) -> None:
        with contextlib.suppress(Exception):  # the final response has it too
            self._run.on_solution(
                Solution(self.Response()),  # type: ignore[no-untyped-call]  # unannotated in ortools
                self.objective_value,
                self.best_objective_bound,
            )


class Run:
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

    def search(self, solver: cp_model.CpSolver, model: cp_model.CpModel) -> Found:
        """Run the search; Ctrl-C stops it with the best solution found so far.

        Should the solve itself fail after reporting a plan, that plan is
        kept and the failure noted.
        """
        reporter = _Reporter(self)
        if self.progress is not None:
            solver.best_bound_callback = self._on_bound
        found = Found(cp_model.UNKNOWN, None, "search")
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
