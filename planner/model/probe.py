"""Solving again with one thing forced: the model's half of why and suggest.

Each probe is a re-solve of the programme with something forced:

- an optional exercise the plan does not hold, forced to be held (`hold`);
- a soft goal the plan misses, forced to be met in full (`meet`);
- one exercise placed elsewhere while the rest of the plan stays as it is
  (`fix_rest`, `place`, `placements`).

The plan is every re-solve's first guess, so a short time limit is enough to
find a plan at least as good as it wherever the forcing allows. Probes return
plans, objectives and statuses: what they mean to a planner, and in which
words, is decided above the model (`planner.explain.reasons`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from planner.domain import CancelToken, Event, Plan, Problem, SolveOptions
from planner.model.baseline import keep_event
from planner.model.search import (
    BuiltModel,
    add_hint,
    apply_parameters,
    build_model,
    run_cancellable,
    solution_plan,
    solver_parameters,
)

Force = Callable[[BuiltModel], None]


@dataclass(frozen=True)
class Outcome:
    """The best plan found under some forcing, or None when there is none.

    ``status`` is CP-SAT's; ``objective`` is the plan's, from the model's own
    named terms (which the independent checker is tested to agree with).
    """

    status: cp_model.CpSolverStatus
    plan: Plan | None
    objective: int | None
    work: float = 0.0  # CP-SAT's deterministic time it took

    @property
    def impossible(self) -> bool:
        """Proven: no plan exists with the forcing."""
        return self.status == cp_model.INFEASIBLE


@dataclass(frozen=True)
class Placement:
    """One placement of an exercise found by `placements`, and the objective of
    the plan with the exercise there and everything else as it was."""

    event: Event
    objective: int


def solution_objective(built: BuiltModel, solver: cp_model.CpSolver) -> int:
    """The objective of the solver's solution: the sum of the named terms."""
    return sum(int(solver.value(term)) for term in built.terms.values())


def best_with(
    problem: Problem,
    force: Force | None,
    hint: Plan | None,
    time_limit_s: float,
    cancel: CancelToken | None = None,
    clock_s: float | None = None,
) -> Outcome:
    """The best plan of ``problem`` with ``force`` added, searched as
    ``--deterministic`` searches for ``time_limit_s``, and never longer than
    ``clock_s`` on the clock (``cancel``, once set, stops it with a
    KeyboardInterrupt)."""
    built = build_model(problem)
    if force is not None:
        force(built)
    if hint is not None:
        add_hint(built, hint)
    solver = _solver(problem, time_limit_s, clock_s)
    status = run_cancellable(solver, built.model, cancel)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Outcome(status, None, None, solver.deterministic_time)
    plan = solution_plan(problem, built.variables, solver)
    return Outcome(
        status, plan, solution_objective(built, solver), solver.deterministic_time
    )


def _solver(
    problem: Problem, time_limit_s: float, clock_s: float | None = None
) -> cp_model.CpSolver:
    """A solver set up as ``solve --deterministic`` sets one up: the same
    question gets the same answer on a loaded machine as on an idle one (the
    same workbook gave 429,000 and 360,000 EUR for one exercise when these
    searches stopped on the clock). ``clock_s`` only guards the run's own
    deadline."""
    solver = cp_model.CpSolver()
    options = SolveOptions(time_limit_s=time_limit_s, deterministic=True)
    parameters = solver_parameters(problem, options)
    if clock_s is not None:
        parameters["max_time_in_seconds"] = clock_s
    apply_parameters(solver, parameters)
    return solver


def hold(exercise_id: str) -> Force:
    """Force the exercise to be held."""

    def force(built: BuiltModel) -> None:
        built.model.add(built.variables.held[exercise_id] == 1)

    return force


def meet(goal_id: str, min_count: int) -> Force:
    """Force the goal to be met in full: every count it is measured on."""

    def force(built: BuiltModel) -> None:
        for _, count in built.variables.goal_counts[goal_id]:
            built.model.add(count >= min_count)

    return force


def fix_rest(problem: Problem, plan: Plan, exercise_id: str) -> Force:
    """Keep every other exercise exactly as the plan has it: hard, not a row."""

    def force(built: BuiltModel) -> None:
        v, model = built.variables, built.model
        for other in problem.exercises:
            if other.id == exercise_id:
                continue
            event = plan.by_exercise.get(other.id)
            if event is None:
                model.add(v.held[other.id] == 0)
            else:
                keep_event(model, v, event)

    return force


def place(exercise_id: str, start: int | None, venue_id: str | None) -> Force:
    """Hold the exercise, at ``start`` and ``venue_id`` where given."""

    def force(built: BuiltModel) -> None:
        v, model = built.variables, built.model
        model.add(v.held[exercise_id] == 1)
        if start is not None:
            model.add(v.start[exercise_id] == start)
        if venue_id is not None:
            model.add(v.at_venue[exercise_id, venue_id] == 1)

    return force


def both(*forces: Force) -> Force:
    """Every one of ``forces``."""

    def force(built: BuiltModel) -> None:
        for one in forces:
            one(built)

    return force


def elsewhere(plan: Plan, exercise_id: str) -> Force:
    """Hold the exercise anywhere but where the plan has it; others may move."""
    current = plan.by_exercise.get(exercise_id)

    def force(built: BuiltModel) -> None:
        hold(exercise_id)(built)
        if (
            current is not None
            and current.venue_id in built.variables.venues[exercise_id]
        ):
            _forbid(built, exercise_id, current.start, current.venue_id)

    return force


def _forbid(built: BuiltModel, exercise_id: str, start: int, venue_id: str) -> None:
    v = built.variables
    built.model.add_forbidden_assignments(
        [v.start[exercise_id], v.at_venue[exercise_id, venue_id]], [(start, 1)]
    )


def pinned(problem: Problem, plan: Plan) -> Problem:
    """The problem with every held exercise pinned where the plan holds it.

    Each is made mandatory at its start and venue with exactly its
    participants, so the model gives it one start, one venue and no choice of
    partners: a much smaller model than fixing the same events by constraints
    (generated xl: about 0.1 s a question against 0.3 s).
    """
    exercises = []
    for exercise in problem.exercises:
        event = plan.by_exercise.get(exercise.id)
        if event is not None:
            exercise = replace(
                exercise,
                mandatory=True,
                fixed_start=event.start,
                fixed_venue=event.venue_id,
                venues=(event.venue_id,),
                required_partners=event.participants,
                invited_partners=event.participants,
            )
        exercises.append(exercise)
    return replace(problem, exercises=tuple(exercises))


def alone(problem: Problem, exercise_id: str) -> Problem:
    """The programme with only this exercise: no other exercise, no goal and
    no dependency.

    Every row asks no more of it than of the whole programme, so rows that
    cannot all hold with the exercise held here cannot in the whole programme
    either; and the model is small, so such rows are found in a fraction of a
    second where the whole programme's can take longer than a run leaves.
    """
    return replace(
        problem,
        exercises=(problem.exercise[exercise_id],),
        goals=(),
        dependencies=(),
    )


class Fitter:
    """Each left-out exercise forced in alone, every other exercise as planned.

    One model serves them all: the plan's events are pinned (`pinned`), and
    each question only changes the assumptions (this exercise held, the other
    left-out ones not), so a large programme is built once.
    """

    def __init__(self, problem: Problem, plan: Plan, exercise_ids: list[str]) -> None:
        self.problem, self.plan = problem, plan
        self.ids = exercise_ids
        self._built: BuiltModel | None = None
        self.build_s = 0.0  # what building the model took, once built

    @property
    def built(self) -> BuiltModel:
        if self._built is None:
            began = time.perf_counter()
            built = build_model(pinned(self.problem, self.plan))
            add_hint(built, self.plan)
            self._built = built
            self.build_s = time.perf_counter() - began
        return self._built

    def fit(
        self,
        exercise_id: str,
        time_limit_s: float,
        cancel: CancelToken | None = None,
        clock_s: float | None = None,
    ) -> Outcome:
        """The best plan with ``exercise_id`` added to the plan as it is,
        searched as `best_with` searches (``cancel``, once set, stops it with
        a KeyboardInterrupt)."""
        built = self.built
        v, model = built.variables, built.model
        model.clear_assumptions()
        model.add_assumptions(
            [v.held[exercise_id]]
            + [~v.held[other] for other in self.ids if other != exercise_id]
        )
        solver = _solver(self.problem, time_limit_s, clock_s)
        try:
            status = run_cancellable(solver, model, cancel)
        finally:
            model.clear_assumptions()
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Outcome(status, None, None)
        plan = solution_plan(self.problem, v, solver)
        return Outcome(status, plan, solution_objective(built, solver))


def placements(
    problem: Problem,
    plan: Plan,
    exercise_id: str,
    top: int,
    at_venue: str | None,
    at_start: int | None,
    time_limit_s: float,
    cancel: CancelToken | None = None,
) -> list[Placement] | None:
    """The ``top`` best placements of one exercise, the rest of the plan kept.

    Each solve forbids the (start, venue) pairs already found, so ``top``
    solves give the ``top`` best, best first; the plan's own placement of the
    exercise is never one of them. None when ``at_venue`` cannot host the
    exercise at all.
    """
    built = build_model(problem)
    v = built.variables
    if at_venue is not None and at_venue not in v.venues[exercise_id]:
        return None
    both(fix_rest(problem, plan, exercise_id), place(exercise_id, at_start, at_venue))(
        built
    )
    current = plan.by_exercise.get(exercise_id)
    if current is not None and current.venue_id in v.venues[exercise_id]:
        _forbid(built, exercise_id, current.start, current.venue_id)
    found: list[Placement] = []
    while len(found) < top:
        solver = _solver(problem, time_limit_s)
        status = run_cancellable(solver, built.model, cancel)
        if status != cp_model.OPTIMAL:
            break
        event = solution_plan(problem, v, solver).by_exercise[exercise_id]
        found.append(Placement(event, solution_objective(built, solver)))
        _forbid(built, exercise_id, event.start, event.venue_id)
    return found
