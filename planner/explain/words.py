"""Explanations in the planner's words: which rows conflict, what a choice costs.

The model (``planner.model.conflicts``, ``planner.model.probe``) finds the rows
and the numbers; this module only names them, one line per workbook row,
each readable on its own: the sheet and row, the ids, dates rather than slots.
It imports nothing from the model. Its records (`Reason`, `Explanation`, ...)
are data in `planner.report`, which the writers print; the wording of what a
result's files show is done above them, in `planner.app.publish_files`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from planner.domain import (
    TERM_GOAL_SHORTFALL,
    TERM_VALUE,
    Asset,
    Dependency,
    Event,
    Exercise,
    Goal,
    GoalKind,
    Partner,
    Period,
    Plan,
    Problem,
    Source,
    Venue,
)
from planner.figures import objective_terms, organizer_spend, partner_spend
from planner.report import Explanation


@dataclass(frozen=True)
class Suggestion:
    """One placement of an exercise with the rest of the plan kept as it is.

    A placement asked for that is impossible has no objective; ``conflict``
    then names the rows that forbid it.
    """

    exercise_id: str
    start: int  # -1 when a refused request named no start
    venue_id: str
    participants: tuple[str, ...]
    objective: int | None
    change: int | None  # objective of this placement minus the plan's
    text: str
    conflict: tuple[Source, ...] | None = None


def explain_conflict(problem: Problem, rows: Sequence[Source]) -> Explanation:
    """The Explanation of a programme with no plan, given its conflicting rows.

    Rows come in sheet order, each at the index of its line.
    """
    ordered = tuple(sorted(rows, key=_row_order))
    return Explanation(conflict=ordered, lines=tuple(conflict_lines(problem, ordered)))


def conflict_lines(problem: Problem, rows: Sequence[Source]) -> list[str]:
    """One line per conflicting row, in sheet order; a note when none is named."""
    if not rows:
        return [
            "No single row can be blamed: it cannot hold even with every row "
            "that can be switched off switched off, so what is fixed decides: "
            f"the horizon {problem.settings.planning_start} to "
            f"{problem.settings.planning_end}, the exercises' durations and who "
            "is invited to each."
        ]
    return [describe_row(problem, source) for source in sorted(rows, key=_row_order)]


# Rows a reason lists of a forced item's conflict: when shrinking the conflict
# ran out of time it can hold every row of the workbook (dense xl: 2,900 rows,
# 387,000 characters in one cell).
_MAX_CONFLICT_LINES = 6


def conflict_summary(problem: Problem, rows: Sequence[Source]) -> str:
    """The rows that cannot all hold, on one line: the first few when there are
    many (the result's JSON keeps them all)."""
    lines = conflict_lines(problem, rows)
    more = len(lines) - _MAX_CONFLICT_LINES
    if more <= 0:
        return " | ".join(lines)
    return (
        " | ".join(lines[:_MAX_CONFLICT_LINES])
        + f" | and {more:,} more rows (no smaller set that cannot all hold "
        "was found in time)"
    )


def conflict_heading(rows: Sequence[Source]) -> str:
    """The sentence above the lines: what they mean and what to do."""
    if not rows:
        return "No plan exists."
    if len(rows) == 1:
        return "No plan exists because of this row; change it."
    return (
        f"No plan exists: these {len(rows):,} rows cannot all hold. Changing any "
        "one of them makes a plan possible as far as they are concerned."
    )


def _row_order(source: Source) -> tuple[str, int]:
    return source.sheet, source.row


def where(source: Source | None) -> str:
    """A row as staff find it: 'Exercises row 14'."""
    if source is None:
        return "the workbook"
    if source.row <= 0:
        return f"{source.sheet} sheet"
    return f"{source.sheet} row {source.row}"


def describe_row(problem: Problem, source: Source) -> str:
    """What a row asks for, in the planner's words, ending with where it is."""
    rows = _RowIndex.of(problem)
    if source in rows.exercises:
        text = describe_exercise(problem, rows.exercises[source])
    elif source in rows.periods:
        kind, resource_id, period = rows.periods[source]
        text = f"{kind} {resource_id} is unavailable {_period(problem, period)}"
    elif source in rows.partners:
        text = describe_partner(problem, rows.partners[source])
    elif source in rows.venues:
        text = describe_venue(rows.venues[source])
    elif source in rows.assets:
        text = describe_asset(rows.assets[source])
    elif source in rows.goals:
        text = describe_goal(problem, rows.goals[source])
    elif source in rows.dependencies:
        text = describe_dependency(problem, rows.dependencies[source])
    elif (budget := _total_budget_set_by(problem, source)) is not None:
        text = f"The organizer's total budget is {money(problem, budget)}"
    else:
        text = "A rule of this row"
    return f"{text} ({where(source)})"


def _total_budget_set_by(problem: Problem, source: Source) -> int | None:
    """The total budget, when ``source`` is the row that sets it: in Settings,
    or a scenario's row; else None."""
    settings = problem.settings
    if settings.total_budget_source is None:
        sets_it = source.sheet == "Settings"
    else:
        sets_it = source == settings.total_budget_source
    return settings.total_budget if sets_it else None


def slots(problem: Problem, n: int) -> str:
    """'3 weeks', '1 day': a number of slots in the workbook's unit."""
    unit = "week" if problem.settings.slot_days == 7 else "day"
    return f"{n:,} {unit}" + ("" if n == 1 else "s")


def money(problem: Problem, amount: int) -> str:
    """An amount with the workbook's currency, thousands separated."""
    currency = problem.settings.currency
    return f"{amount:,} {currency}".rstrip()


def _ids(ids: Iterable[str]) -> str:
    return ", ".join(ids)


# A date the planner typed, and the words naming it ("earliest start").
Typed = tuple[str, dt.date | None]


def first_day(problem: Problem, slot: int, *typed: Typed) -> str:
    """The first day of ``slot``; where weeks round a typed date to it, the
    week and that date: 'the week of 2027-03-29 (earliest start 2027-04-01
    falls in it)'.

    The first of ``typed`` that falls in ``slot`` is named; nothing rounds in
    day units or for a date on the slot's first day, and then the date alone
    is shown.
    """
    start = problem.slot_start(slot)
    found = _typed_in(problem, slot, typed)
    if found is None or found[1] == start:
        return str(start)
    return _week(problem, slot, [found])


def last_day(problem: Problem, slot: int, *typed: Typed) -> str:
    """The last day of ``slot``, or the week and the typed date weeks round
    to it (as `first_day`)."""
    end = problem.slot_end(slot)
    found = _typed_in(problem, slot, typed)
    if found is None or found[1] == end:
        return str(end)
    return _week(problem, slot, [found])


def span(
    problem: Problem,
    first: int,
    last: int,
    starts: Sequence[Typed],
    ends: Sequence[Typed],
) -> str:
    """'A to B' of slots ``first`` to ``last``, each end as `first_day` and
    `last_day` say; one week that rounds a typed date is named once."""
    return _one_week(problem, first, last, starts, ends) or (
        f"{first_day(problem, first, *starts)} to {last_day(problem, last, *ends)}"
    )


def _one_week(
    problem: Problem,
    first: int,
    last: int,
    starts: Sequence[Typed],
    ends: Sequence[Typed],
) -> str | None:
    """A single slot that rounds its typed start or end: 'the week of W
    (start A and end B fall in it)', naming only the dates it rounds; else
    None."""
    if first != last:
        return None
    start = _typed_in(problem, first, starts)
    end = _typed_in(problem, last, ends)
    rounded = [
        *([start] if start and start[1] != problem.slot_start(first) else []),
        *([end] if end and end[1] != problem.slot_end(last) else []),
    ]
    return _week(problem, first, rounded) if rounded else None


def _typed_in(
    problem: Problem, slot: int, typed: Sequence[Typed]
) -> tuple[str, dt.date] | None:
    """The first typed date that falls in ``slot``, with its words."""
    for label, day in typed:
        if day is not None and problem.slot_of(day) == slot:
            return label, day
    return None


def _week(problem: Problem, slot: int, typed: Sequence[tuple[str, dt.date]]) -> str:
    said = " and ".join(f"{label} {day}" for label, day in typed)
    verb = "falls" if len(typed) == 1 else "fall"
    return f"the week of {problem.slot_start(slot)} ({said} {verb} in it)"


def _planning_end(problem: Problem) -> Typed:
    return "planning end", problem.settings.planning_end


def _period(problem: Problem, period: Period) -> str:
    """A blackout's dates: as typed where weeks round them."""
    dates = span(
        problem,
        period.first,
        period.last,
        [("start", period.start_date)],
        [("end", period.end_date), _planning_end(problem)],
    )
    reason = f" ({period.reason})" if period.reason else ""
    return dates + reason


def window(problem: Problem, exercise: Exercise) -> str:
    """The slots an exercise may occupy, with the dates typed for them."""
    return span(
        problem,
        exercise.earliest_start,
        exercise.latest_end,
        [("earliest start", exercise.earliest_start_date)],
        [("latest end", exercise.latest_end_date), _planning_end(problem)],
    )


def event_dates(problem: Problem, event: Event) -> str:
    """'from A to B' of an event, or 'in the week of W (...)'; where its first
    or last week rounds a date typed for the exercise, that week and date."""
    exercise = problem.exercise[event.exercise_id]
    fixed = exercise.fixed_start_date if exercise.fixed_start is not None else None
    starts = [("fixed start", fixed), ("earliest start", exercise.earliest_start_date)]
    ends = [("latest end", exercise.latest_end_date), _planning_end(problem)]
    last = event.start + exercise.duration - 1
    one = _one_week(problem, event.start, last, starts, ends)
    if one is not None:
        return f"in {one}"
    return (
        f"from {first_day(problem, event.start, *starts)} to "
        f"{last_day(problem, last, *ends)}"
    )


def placement(problem: Problem, event: Event) -> str:
    """'at V from A to B with X, Y': where and when an event is, and who."""
    who = ", ".join(event.participants) or "no partners"
    return f"at {event.venue_id} {event_dates(problem, event)} with {who}"


# --- what a choice is worth -------------------------------------------------


def worth(problem: Problem, change: int) -> str:
    """A change of the plan's worth (the value held less the penalties for
    goals, spend and changes, all in money): 'worth 202,000 EUR less'."""
    if change == 0:
        return "worth the same"
    more = "more" if change > 0 else "less"
    return f"worth {money(problem, abs(change))} {more}"


def trade_off(problem: Problem, plan: Plan, other: Plan) -> str:
    """What ``other`` holds against ``plan`` in the planner's units: the
    exercises it drops, value points, soft goals and money spent, each with
    what it is worth; empty when none changes."""
    before, after = objective_terms(problem, plan), objective_terms(problem, other)
    parts = []
    dropped = [eid for eid in plan.by_exercise if eid not in other.by_exercise]
    if dropped:
        parts.append(f"drops {_named(dropped)}")
    points = _points(problem, other) - _points(problem, plan)
    if points:
        more = "more" if points > 0 else "fewer"
        gained = abs(after[TERM_VALUE] - before[TERM_VALUE])
        parts.append(
            f"{abs(points):,} value point{'' if abs(points) == 1 else 's'} {more}, "
            f"worth {money(problem, gained)}"
        )
    goals = after[TERM_GOAL_SHORTFALL] - before[TERM_GOAL_SHORTFALL]
    if goals:
        nearer = "nearer" if goals > 0 else "further from"
        weighed = "worth" if goals > 0 else "costing"
        parts.append(
            f"soft goals {nearer} their targets, {weighed} {money(problem, abs(goals))}"
        )
    spent = _spend(problem, other) - _spend(problem, plan)
    if spent:
        more = "more" if spent > 0 else "less"
        parts.append(f"{money(problem, abs(spent))} {more} spent")
    return "; ".join(parts)


def _points(problem: Problem, plan: Plan) -> int:
    return sum(problem.exercise[e.exercise_id].value for e in plan.events)


def _spend(problem: Problem, plan: Plan) -> int:
    return organizer_spend(problem, plan) + sum(partner_spend(problem, plan).values())


def describe_exercise(problem: Problem, exercise: Exercise) -> str:
    """An exercise's hard demands: mandatory, length, window, who and what."""
    label = f"Exercise {exercise.id}"
    if exercise.name:
        label += f" '{exercise.name}'"
    facts = ["mandatory"] if exercise.mandatory else ["optional"]
    facts.append(slots(problem, exercise.duration))
    facts.append(f"window {window(problem, exercise)}")
    if exercise.fixed_start is not None:
        start = first_day(
            problem,
            exercise.fixed_start,
            ("fixed start", exercise.fixed_start_date),
        )
        facts.append(f"fixed to start {start}")
    if exercise.fixed_venue is not None:
        facts.append(f"fixed at venue {exercise.fixed_venue}")
    needs = []
    if exercise.required_partners:
        needs.append(f"partners {_ids(exercise.required_partners)}")
    if exercise.assets:
        needs.append(f"assets {_ids(exercise.assets)}")
    if exercise.venues:
        needs.append(f"a venue among {_ids(exercise.venues)}")
    if exercise.needs:
        needs.append(f"a venue with {_ids(sorted(exercise.needs))}")
    if exercise.min_partners:
        needs.append(f"at least {exercise.min_partners} partners")
    text = f"{label} ({', '.join(facts)})"
    return text + (f" needs {'; '.join(needs)}" if needs else "")


def describe_partner(problem: Problem, partner: Partner) -> str:
    """A partner's limits: budget, number of events, concurrency, rest."""
    limits = []
    if partner.budget is not None:
        limits.append(f"budget {money(problem, partner.budget)}")
    if partner.max_events is not None:
        limits.append(f"at most {partner.max_events} events")
    limits.append(
        "one event at a time"
        if partner.max_concurrent == 1
        else f"at most {partner.max_concurrent} events at a time"
    )
    if partner.min_gap:
        limits.append(f"{slots(problem, partner.min_gap)} free between events")
    return f"Partner {partner.id} allows {', '.join(limits)}"


def describe_venue(venue: Venue) -> str:
    limits = [
        "one event at a time"
        if venue.max_concurrent == 1
        else f"at most {venue.max_concurrent} events at a time"
    ]
    if venue.capacity is not None:
        limits.append(f"at most {venue.capacity} partners per event")
    return f"Venue {venue.id} hosts {', '.join(limits)}"


def describe_asset(asset: Asset) -> str:
    count = "one event" if asset.capacity == 1 else f"{asset.capacity} events"
    return f"Asset {asset.id} serves {count} at a time"


def describe_goal(problem: Problem, goal: Goal) -> str:
    """A goal's target: who, how often, in which area."""
    hardness = "Hard goal" if goal.hard else "Goal"
    area = f" in area {goal.area}" if goal.area else ""
    count = f"{goal.min_count:,} exercise{'' if goal.min_count == 1 else 's'}"
    if goal.kind is GoalKind.TOGETHER:
        what = f"{_ids(goal.partners)} together in at least {count}{area}"
    elif goal.kind is GoalKind.ENGAGEMENT:
        who = _ids(goal.partners) if goal.partners else "every partner"
        what = f"{who} each in at least {count}{area}"
    else:
        what = f"at least {count}{area}"
    return f"{hardness} {goal.id}: {what}"


def describe_dependency(problem: Problem, dependency: Dependency) -> str:
    text = (
        f"{dependency.after} starts at least "
        f"{slots(problem, dependency.min_gap)} after {dependency.before} ends"
    )
    if dependency.max_gap is not None:
        text += f" and at most {slots(problem, dependency.max_gap)} after"
    if dependency.requires:
        text += f"; {dependency.after} only if {dependency.before} is held"
    return text


@dataclass(frozen=True)
class _RowIndex:
    """Every row with a source, by that source."""

    exercises: dict[Source, Exercise]
    partners: dict[Source, Partner]
    venues: dict[Source, Venue]
    assets: dict[Source, Asset]
    periods: dict[Source, tuple[str, str, Period]]  # (kind, resource id, period)
    goals: dict[Source, Goal]
    dependencies: dict[Source, Dependency]

    @classmethod
    def of(cls, problem: Problem) -> _RowIndex:
        periods: dict[Source, tuple[str, str, Period]] = {}
        for kind, resources in (
            ("Partner", problem.partners),
            ("Venue", problem.venues),
            ("Asset", problem.assets),
        ):
            for resource in resources:
                for period in resource.unavailable:
                    if period.source is not None:
                        periods[period.source] = (kind, resource.id, period)
        return cls(
            exercises=_by_source(problem.exercises),
            partners=_by_source(problem.partners),
            venues=_by_source(problem.venues),
            assets=_by_source(problem.assets),
            periods=periods,
            goals=_by_source(problem.goals),
            dependencies=_by_source(problem.dependencies),
        )


class _FromRow(Protocol):
    @property
    def source(self) -> Source | None: ...


_Row = TypeVar("_Row", bound=_FromRow)


def _by_source(rows: Iterable[_Row]) -> dict[Source, _Row]:
    return {row.source: row for row in rows if row.source is not None}


# --- reasons found without a full re-solve --------------------------------------

_MAX_NAMED = 10  # exercise ids listed in one reason before "and N more"


def _named(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_MAX_NAMED])
    more = len(ids) - _MAX_NAMED
    return shown + (f" and {more:,} more" if more > 0 else "")


def impossible_text(exercise: Exercise) -> str:
    """Why an exercise the workbook makes impossible is left out."""
    findings = "; ".join(f"{f.address}: {f.message}" for f in exercise.impossible)
    return f"It can never be held: {findings}."


def could_count(
    problem: Problem,
    goal: Goal,
    partner_id: str | None = None,
    impossible: bool = False,
) -> list[Exercise]:
    """Exercises that could ever count for ``goal`` (for ``partner_id``).

    In its area, inviting every partner it counts (together: all listed;
    engagement: ``partner_id``), and not made impossible by the workbook
    (with ``impossible``: only those that are).
    """
    if goal.kind is GoalKind.TOGETHER:
        needed: tuple[str, ...] = goal.partners
    elif goal.kind is GoalKind.ENGAGEMENT and partner_id is not None:
        needed = (partner_id,)
    else:
        needed = ()
    return [
        e
        for e in problem.exercises
        if (goal.area is None or goal.area in e.areas)
        and all(p in e.invited_partners for p in needed)
        and bool(e.impossible) is impossible
    ]


def too_few_text(problem: Problem, goal: Goal) -> str | None:
    """The goal asks for more than the exercises that could count: say so.

    None when enough exercises could count (then the plan chose not to).
    """
    if goal.kind is GoalKind.ENGAGEMENT:
        partners = goal.partners or tuple(p.id for p in problem.partners)
        short = []
        for partner_id in partners:
            eligible = [e.id for e in could_count(problem, goal, partner_id)]
            if len(eligible) < goal.min_count:
                short.append(
                    f"{partner_id} is invited to {len(eligible):,}"
                    + (f" ({_named(eligible)})" if eligible else "")
                )
        if not short:
            return None
        where = f" training {goal.area}" if goal.area else ""
        return (
            f"It asks each partner for {goal.min_count:,} exercises{where}, but "
            f"{'; '.join(short)}."
        )
    eligible = [e.id for e in could_count(problem, goal)]
    if len(eligible) >= goal.min_count:
        return None
    one = len(eligible) == 1
    what = f"{len(eligible):,} exercise{'' if one else 's'}"
    if goal.area:
        what += f" train{'s' if one else ''} {goal.area}"
    else:
        what += " can be held"
    if goal.kind is GoalKind.TOGETHER:
        what += f" with {_ids(goal.partners)} all invited"
    named = f": {_named(eligible)}" if eligible else ""
    text = f"Only {what}{named}; it asks for {goal.min_count:,}."
    impossible = [e.id for e in could_count(problem, goal, impossible=True)]
    if impossible:
        text += f" ({_named(impossible)} would count but can never be held.)"
    return text


def fitted_text(
    problem: Problem, plan: Plan, fitted: Plan, exercise_id: str, loss: int
) -> str:
    """What holding a left-out exercise costs with the rest of the plan kept
    (``fitted``): where it would go, what the plan would be worth, and why."""
    at = placement(problem, fitted.by_exercise[exercise_id])
    change = -loss
    trade = trade_off(problem, plan, fitted)
    why = f" ({trade})" if trade else ""
    if change < 0:
        return (
            f"With the rest of the plan as it is, it could be held {at}, but the "
            f"plan would be {worth(problem, change)}{why}."
        )
    return (
        f"It fits around the rest of the plan without loss ({at}; the plan "
        f"would be {worth(problem, change)}); solve for longer."
    )


def no_room_text(seconds: float | None = None) -> str:
    """A left-out exercise that does not fit around the rest of the plan."""
    if seconds is not None:
        return (
            "With the rest of the plan as it is, no place for it was found "
            f"within {seconds:g} s."
        )
    return (
        "It does not fit around the rest of the plan: with every other "
        "exercise held as planned, every start, venue and choice of partners "
        "for it breaks a rule, so other exercises would have to move or be "
        "dropped."
    )


def goal_facts_text(problem: Problem, goal: Goal, plan: Plan, achieved: int) -> str:
    """Where a goal stands: its count, and which exercises count or could.

    Engagement: the partners short of it. Together: the exercises held without
    every listed partner. Then those that could count but are left out.
    """
    text = f"It reaches {achieved:,} of {goal.min_count:,}."
    if goal.kind is GoalKind.ENGAGEMENT:
        partners = goal.partners or tuple(p.id for p in problem.partners)
        counts = {
            partner_id: sum(
                partner_id in event.participants
                for event in plan.events
                if goal.area is None
                or goal.area in problem.exercise[event.exercise_id].areas
            )
            for partner_id in partners
        }
        short = [f"{p} {n}" for p, n in counts.items() if n < goal.min_count]
        return f"{text} Partners short of it: {_named(short)}."
    eligible = could_count(problem, goal)
    events = plan.by_exercise
    held = [e.id for e in eligible if e.id in events]
    without = [
        eid for eid in held if not set(goal.partners) <= set(events[eid].participants)
    ]
    left = [e.id for e in eligible if e.id not in events]
    text += (
        f" {len(eligible):,} exercise{'' if len(eligible) == 1 else 's'} could count"
    )
    if without:
        text += f"; held without all of {_ids(goal.partners)}: {_named(without)}"
    if left:
        text += f"; left out: {_named(left)}"
    return text + "."


def unnamed_conflict_text(noun: str) -> str:
    """An item proven impossible whose forbidding rows the time did not
    narrow down: what is proven, and no row that may not be to blame."""
    return (
        f"{noun} is impossible: no plan can have it, however the other "
        "exercises move; which rows forbid it was not narrowed down in the "
        "time the run had."
    )


def not_examined_text() -> str:
    """An item the explanation's time ran out before."""
    return "Not examined: the time for explanations ran out before this one."


def moved_text(
    problem: Problem, plan: Plan, moved: Plan, exercise_id: str, change: int
) -> str:
    """A placement that needs other exercises to move, and what moves."""
    changed = [
        e.exercise_id
        for e in moved.events
        if e.exercise_id != exercise_id and plan.by_exercise.get(e.exercise_id) != e
    ]
    dropped = [eid for eid in plan.by_exercise if eid not in moved.by_exercise]
    parts = []
    if changed:
        parts.append(f"changes {_named(changed)}")
    if dropped:
        parts.append(f"drops {_named(dropped)}")
    what = "; ".join(parts) or "changes nothing else"
    other = " other" if exercise_id in plan.by_exercise else ""
    return (
        f"{exercise_id} has no{other} place around the rest of the plan as it is. "
        "The best plan found with it holds it "
        f"{placement(problem, moved.by_exercise[exercise_id])} and {what}: the "
        f"plan would be {worth(problem, change)}"
    )
