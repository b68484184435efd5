"""A plan as a front end shows it: the calendar, the figures, the reasons.

Everything here is dates and names, not slots and indices, so a page or a
report draws it without knowing the model: each held exercise with its days,
venue and partners; every blackout of a partner, venue or asset; the
objective terms; every goal, met or not; spend against each budget; every
exercise left out, each with the reason the explanation found.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from planner.domain import (
    Event,
    Period,
    Problem,
    Result,
    event_end_date,
    unscheduled_exercises,
)
from planner.figures import goal_progress, organizer_spend, partner_spend
from planner.report import KIND_EXERCISE, KIND_GOAL, Explanation

ORGANIZER = "organizer"


@dataclass(frozen=True)
class EventView:
    exercise_id: str
    name: str
    kind: str
    mandatory: bool
    start: dt.date
    end: dt.date  # last day, inclusive
    venue_id: str
    venue_name: str
    participants: tuple[str, ...]


@dataclass(frozen=True)
class Blackout:
    """Days a partner, venue or asset cannot be used, as the workbook says."""

    owner_kind: str  # "partner", "venue" or "asset"
    owner_id: str
    start: dt.date
    end: dt.date  # inclusive
    reason: str
    # The row's dates as typed, when whole weeks round them (else None): the
    # page shows both, so a blackout typed to 30 June shown to 4 July is
    # explained, not a surprise.
    typed_start: dt.date | None = None
    typed_end: dt.date | None = None


@dataclass(frozen=True)
class GoalView:
    id: str
    kind: str
    hard: bool
    target: int
    achieved: int
    met: bool
    detail: str
    reason: str  # why it is not met ("" when met or not explained)
    exercises: tuple[str, ...]  # the held exercises that count towards it


@dataclass(frozen=True)
class SpendView:
    owner_id: str  # a partner id, or ORGANIZER
    name: str
    spend: int
    budget: int | None


@dataclass(frozen=True)
class LeftOut:
    exercise_id: str
    name: str
    kind: str
    value: int
    reason: str  # "" when not explained


@dataclass(frozen=True)
class PlanView:
    """One result, ready to draw. ``events`` is empty when there is no plan.

    ``regions`` gives each venue's and each partner's region (by id, ""
    when none), so a front end groups and filters by region; ``value_weight``
    is what one point of an exercise's value adds to the objective.
    ``organisation`` and ``classification`` are the Settings that head the
    brief, so the page carries the same heading and marking ("" when none).
    """

    programme: str
    programme_id: str
    title: str
    organisation: str
    classification: str
    status: str
    objective: int | None
    bound: float | None
    gap: float | None
    terms: dict[str, int]
    currency: str
    time_unit: str
    planning_start: dt.date
    planning_end: dt.date
    partners: dict[str, str]  # id -> name, in workbook order
    venues: dict[str, str]
    regions: dict[str, dict[str, str]]  # "venue" / "partner" -> id -> region
    value_weight: int
    events: tuple[EventView, ...]
    blackouts: tuple[Blackout, ...]
    goals: tuple[GoalView, ...]
    spend: tuple[SpendView, ...]
    left_out: tuple[LeftOut, ...]
    conflict: tuple[str, ...]  # no plan: the workbook rows that cannot all hold
    frozen: tuple[str, ...]  # frozen events that break a rule


def plan_view(
    problem: Problem, result: Result, explanation: Explanation | None = None
) -> PlanView:
    """What a front end shows of ``result``, the plan of ``problem``."""
    reasons = {
        (r.kind, r.item_id): r.text
        for r in (explanation.reasons if explanation is not None else ())
    }
    plan = result.plan
    settings = problem.settings
    return PlanView(
        programme=problem.name,
        programme_id=settings.programme_id,
        title=settings.title,
        organisation=settings.organisation,
        classification=settings.classification,
        status=str(result.status),
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        terms=dict(result.terms),
        currency=settings.currency,
        time_unit=settings.time_unit,
        planning_start=settings.planning_start,
        planning_end=settings.planning_end,
        partners={p.id: p.name or p.id for p in problem.partners},
        venues={v.id: v.name or v.id for v in problem.venues},
        regions={
            "venue": {v.id: v.region for v in problem.venues},
            "partner": {p.id: p.region for p in problem.partners},
        },
        value_weight=settings.weights.value,
        events=() if plan is None else tuple(_events(problem, result)),
        blackouts=tuple(_blackouts(problem)),
        goals=() if plan is None else tuple(_goals(problem, result, reasons)),
        spend=() if plan is None else tuple(_spend(problem, result)),
        left_out=()
        if plan is None
        else tuple(
            LeftOut(
                e.id, e.name, e.kind, e.value, reasons.get((KIND_EXERCISE, e.id), "")
            )
            for e in map(problem.exercise.get, unscheduled_exercises(problem, plan))
            if e is not None
        ),
        conflict=tuple(explanation.lines) if explanation is not None else (),
        frozen=result.frozen_violations,
    )


def _events(problem: Problem, result: Result) -> Iterable[EventView]:
    assert result.plan is not None
    for event in result.plan.events:
        yield event_view(problem, event)


def event_view(problem: Problem, event: Event) -> EventView:
    """One event of ``problem`` in dates and names."""
    exercise = problem.exercise[event.exercise_id]
    venue = problem.venue.get(event.venue_id)
    return EventView(
        exercise_id=exercise.id,
        name=exercise.name,
        kind=exercise.kind,
        mandatory=exercise.mandatory,
        start=problem.slot_start(event.start),
        end=event_end_date(problem, event),
        venue_id=event.venue_id,
        venue_name=(venue.name if venue else "") or event.venue_id,
        participants=tuple(event.participants),
    )


def _blackouts(problem: Problem) -> Iterable[Blackout]:
    owners: list[tuple[str, str, tuple[Period, ...]]] = [
        *(("partner", p.id, p.unavailable) for p in problem.partners),
        *(("venue", v.id, v.unavailable) for v in problem.venues),
        *(("asset", a.id, a.unavailable) for a in problem.assets),
    ]
    last = problem.n_slots - 1
    for kind, owner_id, periods in owners:
        for period in periods:
            first, end = max(period.first, 0), min(period.last, last)
            if first <= end:
                start, last_day = problem.slot_start(first), problem.slot_end(end)
                rounded = (period.start_date or start, period.end_date or last_day)
                typed = rounded if rounded != (start, last_day) else (None, None)
                yield Blackout(kind, owner_id, start, last_day, period.reason, *typed)


def _goals(
    problem: Problem, result: Result, reasons: dict[tuple[str, str], str]
) -> Iterable[GoalView]:
    assert result.plan is not None
    for goal, progress in zip(
        problem.goals, goal_progress(problem, result.plan), strict=True
    ):
        yield GoalView(
            id=goal.id,
            kind=str(goal.kind),
            hard=goal.hard,
            target=progress.target,
            achieved=progress.achieved,
            met=progress.met,
            detail=progress.detail,
            reason="" if progress.met else reasons.get((KIND_GOAL, goal.id), ""),
            exercises=progress.counted,
        )


def _spend(problem: Problem, result: Result) -> Iterable[SpendView]:
    assert result.plan is not None
    yield SpendView(
        ORGANIZER,
        "Organizer (total budget)",
        organizer_spend(problem, result.plan),
        problem.settings.total_budget,
    )
    spends = partner_spend(problem, result.plan)
    for partner in problem.partners:
        yield SpendView(
            partner.id,
            partner.name or partner.id,
            spends.get(partner.id, 0),
            partner.budget,
        )
