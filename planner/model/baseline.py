"""Re-planning against a baseline: the cost of each change, and the frozen past.

A staff planner re-plans a published programme when something happens (an
election, a budget cut, a closed venue); every change to the published plan
costs work and goodwill, so the model prices each one (the ``change`` term) and
may keep the events that have already happened or been announced fixed.

Changes are counted per exercise of the programme against the baseline's first
event of it (events of exercises the programme no longer has are ignored):

- moved: held in both, another start;
- venue: held in both, another venue (only when the baseline venue still
  exists: a venue that closed for good is no one's choice to leave);
- dropped: held in the baseline, not now;
- added: held now, not in the baseline;
- partner: held in both, per partner (still in the programme) that joins or
  leaves.

Each count is an exact function of the decisions, so the term reported equals
the independent checker's recomputation in any solution, not only the best.
"""

from __future__ import annotations

import datetime as dt

from ortools.sat.python import cp_model

from planner.domain import Event, Plan, Problem
from planner.model.variables import Expr, Literal, Variables, weighted


def baseline_events(problem: Problem, baseline: Plan) -> dict[str, Event]:
    """The baseline's first event of each exercise the programme still has."""
    events: dict[str, Event] = {}
    for event in baseline.events:
        if event.exercise_id in problem.exercise:
            events.setdefault(event.exercise_id, event)
    return events


def change_term(
    model: cp_model.CpModel, problem: Problem, v: Variables, baseline: Plan
) -> Expr:
    """- Σ over changes of their weight: moves, venues, drops, adds, partners."""
    weights = problem.settings.weights
    before = baseline_events(problem, baseline)
    pairs: list[tuple[int, Expr]] = []
    for exercise in problem.exercises:
        eid = exercise.id
        held = v.held[eid]
        event = before.get(eid)
        if event is None:
            pairs.append((-weights.change_add, held))
            continue
        # held in the baseline: 1 - held is 1 exactly when it is dropped
        pairs.append((-weights.change_drop, 1 - held))
        if weights.change_move:
            pairs.append((-weights.change_move, held - _stays(model, v, event)))
        if weights.change_venue and event.venue_id in problem.venue:
            at_venue = v.at_venue.get((eid, event.venue_id), 0)
            pairs.append((-weights.change_venue, held - at_venue))
        if weights.change_partner:
            pairs.extend(
                (-weights.change_partner, change)
                for change in _partner_changes(problem, v, event)
            )
    return weighted(pairs)


def _stays(model: cp_model.CpModel, v: Variables, event: Event) -> Literal | int:
    """A literal true exactly when the exercise is held and starts as before
    (0 when the model cannot start it there)."""
    eid = event.exercise_id
    if event.start not in v.starts[eid]:
        return 0
    held, start = v.held[eid], v.start[eid]
    stays = model.new_bool_var(f"{eid} stays at {event.start}")
    model.add_implication(stays, held)
    model.add(start == event.start).only_enforce_if(stays)
    model.add(start != event.start).only_enforce_if([held, ~stays])
    v.derived.append(
        (
            stays,
            lambda value: int(bool(value(held)) and value(start) == event.start),
        )
    )
    return stays


def _partner_changes(problem: Problem, v: Variables, event: Event) -> list[Expr]:
    """Per partner, 1 when it joins or leaves an exercise held in both plans.

    A partner that takes part now also means the exercise is held
    (takes_part <= held), so held - takes_part counts a partner that left.
    """
    eid = event.exercise_id
    held = v.held[eid]
    before = {p for p in event.participants if p in problem.partner}
    changes: list[Expr] = [
        held - v.takes_part.get((eid, partner_id), 0) for partner_id in sorted(before)
    ]
    changes += [
        v.takes_part[eid, partner_id]
        for partner_id in v.partners[eid]
        if partner_id not in before
    ]
    return changes


def freeze_past(
    model: cp_model.CpModel,
    problem: Problem,
    v: Variables,
    baseline: Plan,
    freeze_before: int,
) -> None:
    """What has happened or been announced stays; nothing new starts before it.

    Every baseline event starting before slot ``freeze_before`` is held with
    its start, venue and participants; every other exercise, if held, starts
    at or after ``freeze_before``. A frozen event the model cannot represent (a
    start, venue or partner its variables leave out) makes the model
    infeasible: the caller checks the frozen events first and reports them.
    """
    frozen = {
        eid: event
        for eid, event in baseline_events(problem, baseline).items()
        if event.start < freeze_before
    }
    for exercise in problem.exercises:
        eid = exercise.id
        event = frozen.get(eid)
        if event is None:
            model.add(v.start[eid] >= freeze_before).only_enforce_if(v.held[eid])
            continue
        keep_event(model, v, event)


def keep_event(model: cp_model.CpModel, v: Variables, event: Event) -> None:
    """The event is held exactly as given: start, venue and participants.

    An event the model cannot represent (a venue or partner its variables
    leave out) makes the model infeasible rather than being bent to fit.
    """
    eid = event.exercise_id
    model.add(v.held[eid] == 1)
    model.add(v.start[eid] == event.start)
    for venue_id in v.venues[eid]:
        model.add(v.at_venue[eid, venue_id] == (venue_id == event.venue_id))
    _fix(model, v.at_venue.get((eid, event.venue_id)))
    participants = set(event.participants)
    for partner_id in participants:
        _fix(model, v.takes_part.get((eid, partner_id)))
    for partner_id in v.partners[eid]:
        if partner_id not in participants:
            model.add(v.takes_part[eid, partner_id] == 0)


def _fix(model: cp_model.CpModel, literal: cp_model.IntVar | None) -> None:
    """The literal holds; a missing one is a choice the model cannot make."""
    if literal is None:
        model.add_bool_or([])
    else:
        model.add(literal == 1)


def freeze_slot(problem: Problem, day: dt.date) -> int:
    """The first slot starting on or after ``day``: ``--freeze-before`` as a slot.

    An event that started before ``day`` is frozen, even when ``day`` falls
    in the middle of its first week.
    """
    slot = problem.slot_of(day)
    return slot if problem.slot_start(slot) == day else slot + 1
