"""Where else could an exercise go, and what would it cost?

``planner suggest`` and the page's "move by hand" ask this of one exercise of
a plan: the best (start, venue) placements with the rest of the plan kept
(`planner.model.probe.placements`), each with its objective change; and when
none fits, the best plan found moving other exercises, or the rows that
forbid it (`planner.model.conflicts`), in the planner's words. A week that
rounds a date typed for the exercise (its earliest start, say) is named with
that date: a start of 29 March reads as the week that holds 1 April.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from planner.domain import CancelToken, Event, Plan, Problem, Source
from planner.explain.reasons import CONFLICT_LIMIT_S, PROBE_LIMIT_S, plan_objective
from planner.explain.words import (
    Suggestion,
    conflict_summary,
    describe_exercise,
    first_day,
    impossible_text,
    moved_text,
    placement,
    worth,
)
from planner.model.conflicts import conflict
from planner.model.probe import (
    Outcome,
    best_with,
    both,
    elsewhere,
    fix_rest,
    place,
    placements,
)


def suggest(
    problem: Problem,
    plan: Plan,
    exercise_id: str,
    top: int = 5,
    at_venue: str | None = None,
    at_start: int | None = None,
    time_limit_s: float = PROBE_LIMIT_S,
    cancel: CancelToken | None = None,
    typed_start: dt.date | None = None,
) -> list[Suggestion]:
    """The best places for one exercise with the rest of the plan as it is.

    Each suggestion is a (start, venue) with the participants that suit it
    best and the objective change against the plan; re-solving with that
    start and venue fixed gives exactly that objective. The plan's own
    placement of the exercise is never suggested (`placements`). When
    ``at_venue``/``at_start`` ask for a placement that is impossible, the one
    Suggestion returned carries no objective and the rows that forbid it.

    There is always an answer: when no placement keeps the rest of the plan,
    the one Suggestion says why and, where other exercises could move to make
    room, the best plan found with it and its objective change. ``cancel``,
    once set, stops it with a KeyboardInterrupt, as Ctrl-C does.
    ``typed_start``: the date ``at_start`` was asked as, named where its week
    is.
    """
    exercise = problem.exercise[exercise_id]
    refuse = _refusal(problem, exercise_id, at_start, at_venue, typed_start)
    if exercise.impossible:
        return [refuse((), impossible_text(exercise))]
    if at_venue is not None and at_venue not in problem.venue:
        return [refuse((), "no such venue")]
    if (
        at_start is not None
        and not 0 <= at_start <= problem.n_slots - exercise.duration
    ):
        return [refuse((), "it would run past the horizon")]
    base = plan_objective(problem, plan)
    found = placements(
        problem, plan, exercise_id, top, at_venue, at_start, time_limit_s, cancel
    )
    if found is None:
        return [
            refuse(
                tuple(s for s in [exercise.source] if s is not None),
                f"the venue cannot host it: {describe_exercise(problem, exercise)}",
            )
        ]
    if found:
        return [
            Suggestion(
                exercise_id,
                one.event.start,
                one.event.venue_id,
                one.event.participants,
                one.objective,
                one.objective - base,
                _placement_text(problem, one.event, one.objective - base),
            )
            for one in found
        ]
    if at_venue is None and at_start is None:
        return [_moving_others(problem, plan, exercise_id, base, time_limit_s, cancel)]
    rows = conflict(
        problem,
        CONFLICT_LIMIT_S,
        both(
            fix_rest(problem, plan, exercise_id), place(exercise_id, at_start, at_venue)
        ),
        cancel,
    )
    return [refuse(tuple(rows or ()), conflict_summary(problem, rows or []))]


def _moving_others(
    problem: Problem,
    plan: Plan,
    exercise_id: str,
    base: int,
    time_limit_s: float,
    cancel: CancelToken | None = None,
) -> Suggestion:
    """No placement fits around the plan: the best plan found moving others.

    Its own placement in the plan (if held) stays forbidden, so the answer is
    always another one; with none at all, the rows that forbid it.
    """
    force = elsewhere(plan, exercise_id)
    outcome: Outcome = best_with(problem, force, plan, time_limit_s, cancel)
    if outcome.plan is not None and outcome.objective is not None:
        event = outcome.plan.by_exercise[exercise_id]
        return Suggestion(
            exercise_id,
            event.start,
            event.venue_id,
            event.participants,
            outcome.objective,
            outcome.objective - base,
            moved_text(
                problem, plan, outcome.plan, exercise_id, outcome.objective - base
            ),
        )
    rows: list[Source] = []
    if outcome.impossible:
        rows = conflict(problem, CONFLICT_LIMIT_S, force, cancel) or []
        why = conflict_summary(problem, rows)
    else:
        why = f"no plan with it was found within {time_limit_s:g} s"
    return _refusal(problem, exercise_id, None, None)(tuple(rows), why)


def _placement_text(problem: Problem, event: Event, change: int) -> str:
    return (
        f"{event.exercise_id} {placement(problem, event)}: the plan would be "
        f"{worth(problem, change)}"
    )


def _refusal(
    problem: Problem,
    exercise_id: str,
    start: int | None,
    venue_id: str | None,
    typed_start: dt.date | None = None,
) -> Callable[[tuple[Source, ...], str], Suggestion]:
    """How to say the exercise cannot be held where asked: rows and why; a
    week that rounds the date asked (or the earliest start) names it."""
    at = []
    if venue_id is not None:
        at.append(f"at {venue_id}")
    if start is not None:
        exercise = problem.exercise[exercise_id]
        asked = ("the start", typed_start)
        typed = ("earliest start", exercise.earliest_start_date)
        at.append(f"from {first_day(problem, start, asked, typed)}")

    def refused(rows: tuple[Source, ...], why: str) -> Suggestion:
        return Suggestion(
            exercise_id,
            start if start is not None else -1,
            venue_id or "",
            (),
            None,
            None,
            f"{exercise_id} cannot be held{''.join(' ' + a for a in at)}: {why}",
            rows,
        )

    return refused
