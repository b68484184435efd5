"""The independent checker: every hard rule again, every objective term again.

It is the oracle of the tests and of ``planner check``, so it shares nothing
with the model but ``planner.domain``: each rule is written a second time,
straight from its wording, slot by slot where that is clearest. A bug would
have to be made twice, the same way, to slip through.

Each hard rule is one function below, named after the rule and listed in
``RULES``; it yields one message per broken fact (a run of slots is one fact,
not one per slot), and messages name exercises, partners, venues and dates as
the staff officer reading them knows them.

A plan read from a user's schedule may name exercises twice or exercises the
programme does not have. Those events are reported (``unknown_exercise``,
``duplicate_event``) and then left out: every other rule, each spend and each
objective term sees only the first event of each known exercise. A partner
listed twice in one event is reported once and counted once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from planner.domain import (
    Event,
    Goal,
    GoalKind,
    Period,
    Plan,
    Problem,
    Violation,
)
from planner.figures import Held, Placed, listed_ids
from planner.report import GoalProgress

__all__ = ["RULES", "check_plan", "frozen_violations", "pin_violations"]

# --- wording -----------------------------------------------------------------


def _span(problem: Problem, first: int, last: int) -> str:
    """Slots ``first..last`` as the dates they cover; one day is one date."""
    start, end = problem.slot_start(first), problem.slot_end(last)
    return f"{start}" if start == end else f"{start} to {end}"


def _rounded(problem: Problem, *typed: tuple[int, str, dt.date | None]) -> list[str]:
    """Each (slot, label, date typed) whose date weeks round to its slot, as
    'fixed start 2027-03-03': what the planner typed, beside the week's dates
    a message shows (none in days, nor for a date on the slot's edge)."""
    return [
        f"{label} {day}"
        for slot, label, day in typed
        if day is not None
        and problem.slot_of(day) == slot
        and day not in (problem.slot_start(slot), problem.slot_end(slot))
    ]


def _where(problem: Problem, placed: Placed) -> str:
    span = _span(problem, placed.first, placed.last)
    return f"Exercise {placed.id} at venue {placed.venue_id} ({span})"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _slot_word(problem: Problem) -> str:
    return "week" if problem.settings.time_unit == "week" else "day"


def _money(problem: Problem, amount: int) -> str:
    currency = problem.settings.currency
    return f"{amount:,} {currency}" if currency else f"{amount:,}"


def _reason(period: Period) -> str:
    return f" ({period.reason})" if period.reason else ""


def _take_part(n: int) -> str:
    return "1 partner takes part" if n == 1 else f"{n} partners take part"


# --- shared reckoning ----------------------------------------------------------


def _clashes(
    periods: Iterable[Period], first: int, last: int
) -> Iterator[tuple[int, int, Period]]:
    """The part of each blackout that falls within slots ``first..last``."""
    for period in periods:
        if period.touches(first, last):
            yield max(first, period.first), min(last, period.last), period


def _overbooked(
    events: Iterable[Placed], limit: int
) -> Iterator[tuple[int, int, tuple[str, ...]]]:
    """Runs of slots in which more than ``limit`` of ``events`` take place.

    Consecutive slots shared by the same exercises make one run, so one
    clash lasting four weeks is one fact, not four.
    """
    occupancy: dict[int, list[str]] = defaultdict(list)
    for placed in events:
        for slot in placed.slots:
            occupancy[slot].append(placed.id)
    run: tuple[int, int, tuple[str, ...]] | None = None
    for slot in sorted(occupancy):
        ids = tuple(occupancy[slot])
        if len(ids) <= limit:
            continue
        if run is not None and run[1] == slot - 1 and run[2] == ids:
            run = (run[0], slot, ids)
            continue
        if run is not None:
            yield run
        run = (slot, slot, ids)
    if run is not None:
        yield run


# --- the hard rules, in the order they are reported ---------------------------


def unknown_exercise(held: Held) -> Iterator[str]:
    """Every event in the plan is of an exercise in the programme."""
    problem = held.problem
    for event in held.plan.events:
        if event.exercise_id not in problem.exercise:
            yield (
                f"Exercise {event.exercise_id} (at venue {event.venue_id}, "
                f"starting {problem.slot_start(event.start)}) is not in the programme"
            )


def duplicate_event(held: Held) -> Iterator[str]:
    """An exercise is held at most once, and lists each partner once."""
    problem = held.problem
    for event in held.plan.events:
        placed = held.by_exercise.get(event.exercise_id)
        if placed is None or placed.event is event:
            continue
        last = event.start + placed.exercise.duration - 1
        yield (
            f"Exercise {placed.id} is held twice: at venue {placed.venue_id} "
            f"({_span(problem, placed.first, placed.last)}) and again at venue "
            f"{event.venue_id} ({_span(problem, event.start, last)}); "
            "only the first is checked"
        )
    for placed in held.events:
        seen: set[str] = set()
        for partner_id in placed.event.participants:
            if partner_id in seen:
                yield (
                    f"{_where(problem, placed)}: partner {partner_id} is listed "
                    "more than once"
                )
            seen.add(partner_id)


def horizon(held: Held) -> Iterator[str]:
    """Every event lies within the planning horizon, slots 0..n_slots-1."""
    problem = held.problem
    whole = _span(problem, 0, problem.n_slots - 1)
    for placed in held.events:
        if placed.first < 0 or placed.last > problem.n_slots - 1:
            yield (
                f"{_where(problem, placed)} lies outside the planning horizon ({whole})"
            )


def window(held: Held) -> Iterator[str]:
    """Every event lies within its exercise's window.

    An event outside the horizon is reported there only: the window lies
    within the horizon, so saying it twice would add nothing.
    """
    problem = held.problem
    for placed in held.events:
        if placed.first < 0 or placed.last > problem.n_slots - 1:
            continue
        exercise = placed.exercise
        if placed.first < exercise.earliest_start or placed.last > exercise.latest_end:
            allowed = _span(problem, exercise.earliest_start, exercise.latest_end)
            typed = _rounded(
                problem,
                (
                    exercise.earliest_start,
                    "earliest start",
                    exercise.earliest_start_date,
                ),
                (exercise.latest_end, "latest end", exercise.latest_end_date),
            )
            if typed:
                weeks = "week" if len(typed) == 1 else "weeks"
                allowed += f": the {weeks} of {' and '.join(typed)}"
            yield f"{_where(problem, placed)} lies outside its window ({allowed})"


def fixed_start(held: Held) -> Iterator[str]:
    """An exercise with a fixed start starts exactly then."""
    problem = held.problem
    for placed in held.events:
        fixed = placed.exercise.fixed_start
        if fixed is not None and placed.first != fixed:
            typed = _rounded(
                problem, (fixed, "fixed start", placed.exercise.fixed_start_date)
            )
            week = f" (the week of {typed[0]})" if typed else ""
            yield (
                f"{_where(problem, placed)} must start on "
                f"{problem.slot_start(fixed)}{week}"
            )


def fixed_venue(held: Held) -> Iterator[str]:
    """An exercise with a fixed venue is held there."""
    for placed in held.events:
        fixed = placed.exercise.fixed_venue
        if fixed is not None and placed.venue_id != fixed:
            yield f"{_where(held.problem, placed)} must be held at venue {fixed}"


def venue_not_allowed(held: Held) -> Iterator[str]:
    """The venue exists and, if the exercise lists venues, is one of them."""
    problem = held.problem
    for placed in held.events:
        allowed = placed.exercise.venues
        if placed.venue_id not in problem.venue:
            yield (
                f"{_where(problem, placed)}: venue {placed.venue_id} "
                "is not in the programme"
            )
        elif allowed and placed.venue_id not in allowed:
            yield (
                f"{_where(problem, placed)}: venue {placed.venue_id} is not one of "
                f"its venues ({', '.join(allowed)})"
            )


def venue_capability(held: Held) -> Iterator[str]:
    """The venue offers every capability the exercise needs."""
    problem = held.problem
    for placed in held.events:
        venue = problem.venue.get(placed.venue_id)
        if venue is None:
            continue
        missing = sorted(placed.exercise.needs - venue.capabilities)
        if missing:
            word = "capability" if len(missing) == 1 else "capabilities"
            yield (
                f"{_where(problem, placed)}: venue {venue.id} lacks {word} "
                f"{', '.join(missing)}"
            )


def venue_unavailable(held: Held) -> Iterator[str]:
    """No blackout of the venue touches a slot of the event."""
    problem = held.problem
    for placed in held.events:
        venue = problem.venue.get(placed.venue_id)
        if venue is None:
            continue
        for first, last, period in _clashes(
            venue.unavailable, placed.first, placed.last
        ):
            yield (
                f"{_where(problem, placed)}: venue {venue.id} is unavailable "
                f"{_span(problem, first, last)}{_reason(period)}"
            )


def venue_concurrency(held: Held) -> Iterator[str]:
    """At most ``max_concurrent`` events take place at a venue in any slot."""
    problem = held.problem
    for venue in problem.venues:
        events = held.by_venue.get(venue.id, [])
        for first, last, ids in _overbooked(events, venue.max_concurrent):
            yield (
                f"Venue {venue.id} hosts {len(ids)} exercises at once "
                f"{_span(problem, first, last)} (at most {venue.max_concurrent}): "
                f"{listed_ids(ids)}"
            )


def venue_capacity(held: Held) -> Iterator[str]:
    """No more partners take part than the venue holds."""
    problem = held.problem
    for placed in held.events:
        venue = problem.venue.get(placed.venue_id)
        if venue is None or venue.capacity is None:
            continue
        if len(placed.participants) > venue.capacity:
            yield (
                f"{_where(problem, placed)}: {_take_part(len(placed.participants))}, "
                f"more than venue {venue.id} holds ({venue.capacity})"
            )


def required_partner(held: Held) -> Iterator[str]:
    """Every required partner takes part in a held exercise."""
    for placed in held.events:
        for partner_id in placed.exercise.required_partners:
            if partner_id not in placed.participants:
                yield (
                    f"{_where(held.problem, placed)}: required partner {partner_id} "
                    "does not take part"
                )


def uninvited_partner(held: Held) -> Iterator[str]:
    """Only invited partners (required ones included) take part."""
    problem = held.problem
    for placed in held.events:
        invited = set(placed.exercise.invited_partners) | set(
            placed.exercise.required_partners
        )
        for partner_id in placed.participants:
            if partner_id not in problem.partner:
                yield (
                    f"{_where(problem, placed)}: partner {partner_id} takes part "
                    "but is not in the programme"
                )
            elif partner_id not in invited:
                yield (
                    f"{_where(problem, placed)}: partner {partner_id} takes part "
                    "but is not invited"
                )


def partner_count(held: Held) -> Iterator[str]:
    """Between min_partners and max_partners partners take part."""
    for placed in held.events:
        exercise = placed.exercise
        n = len(placed.participants)
        if n < exercise.min_partners:
            yield (
                f"{_where(held.problem, placed)}: {_take_part(n)}, "
                f"at least {exercise.min_partners} needed"
            )
        if exercise.max_partners is not None and n > exercise.max_partners:
            yield (
                f"{_where(held.problem, placed)}: {_take_part(n)}, "
                f"at most {exercise.max_partners} allowed"
            )


def partner_unavailable(held: Held) -> Iterator[str]:
    """A partner takes part only when no blackout of its touches the event."""
    problem = held.problem
    for placed in held.events:
        for partner_id in placed.participants:
            partner = problem.partner.get(partner_id)
            if partner is None:
                continue
            clashes = _clashes(partner.unavailable, placed.first, placed.last)
            for first, last, period in clashes:
                yield (
                    f"{_where(problem, placed)}: partner {partner.id} is unavailable "
                    f"{_span(problem, first, last)}{_reason(period)}"
                )


def partner_concurrency(held: Held) -> Iterator[str]:
    """At most ``max_concurrent`` of a partner's events share any slot."""
    problem = held.problem
    for partner in problem.partners:
        events = held.by_partner.get(partner.id, [])
        for first, last, ids in _overbooked(events, partner.max_concurrent):
            yield (
                f"Partner {partner.id} takes part in {len(ids)} exercises at once "
                f"{_span(problem, first, last)} (at most {partner.max_concurrent}): "
                f"{listed_ids(ids)}"
            )


def partner_gap(held: Held) -> Iterator[str]:
    """Two events of a partner that share no slot leave min_gap free slots.

    For the earlier event ``a`` and the later ``b``:
    ``b.start >= a.start + a.duration + min_gap``.
    """
    problem = held.problem
    free_word = f"free {_slot_word(problem)}"
    for partner in problem.partners:
        if partner.min_gap <= 0:
            continue
        events = sorted(held.by_partner.get(partner.id, []), key=lambda p: p.first)
        for i, earlier in enumerate(events):
            for later in events[i + 1 :]:
                if later.first > earlier.last + partner.min_gap:
                    break  # sorted by start: every later event is far enough
                if later.first <= earlier.last:
                    continue  # they share a slot: concurrency's business
                free = later.first - earlier.last - 1
                yield (
                    f"Partner {partner.id} has {_count(free, free_word)} between "
                    f"exercise {earlier.id} "
                    f"({_span(problem, earlier.first, earlier.last)}) and exercise "
                    f"{later.id} ({_span(problem, later.first, later.last)}), "
                    f"at least {partner.min_gap} needed"
                )


def partner_max_events(held: Held) -> Iterator[str]:
    """A partner takes part in at most max_events events in all."""
    for partner in held.problem.partners:
        events = held.by_partner.get(partner.id, [])
        if partner.max_events is not None and len(events) > partner.max_events:
            yield (
                f"Partner {partner.id} takes part in {len(events)} exercises, "
                f"at most {partner.max_events} allowed: "
                f"{listed_ids(p.id for p in events)}"
            )


def asset_capacity(held: Held) -> Iterator[str]:
    """At most ``capacity`` events use an asset in any slot."""
    problem = held.problem
    for asset in problem.assets:
        events = held.by_asset.get(asset.id, [])
        for first, last, ids in _overbooked(events, asset.capacity):
            yield (
                f"Asset {asset.id} is used by {len(ids)} exercises at once "
                f"{_span(problem, first, last)} (at most {asset.capacity}): "
                f"{listed_ids(ids)}"
            )


def asset_unavailable(held: Held) -> Iterator[str]:
    """No event uses an asset while one of its blackouts lasts."""
    problem = held.problem
    for placed in held.events:
        for asset_id in dict.fromkeys(placed.exercise.assets):
            asset = problem.asset.get(asset_id)
            if asset is None:
                continue
            for first, last, period in _clashes(
                asset.unavailable, placed.first, placed.last
            ):
                yield (
                    f"{_where(problem, placed)}: asset {asset.id} is unavailable "
                    f"{_span(problem, first, last)}{_reason(period)}"
                )


def partner_budget(held: Held) -> Iterator[str]:
    """A partner's spend stays within its budget."""
    problem = held.problem
    spend = held.partner_spend()
    for partner in problem.partners:
        if partner.budget is not None and spend[partner.id] > partner.budget:
            yield (
                f"Partner {partner.id} spends {_money(problem, spend[partner.id])}, "
                f"over its budget of {_money(problem, partner.budget)}"
            )


def total_budget(held: Held) -> Iterator[str]:
    """The organizer's spend stays within the total budget."""
    problem = held.problem
    cap = problem.settings.total_budget
    spend = held.organizer_spend()
    if cap is not None and spend > cap:
        yield (
            f"Organizer spend is {_money(problem, spend)}, over the total budget "
            f"of {_money(problem, cap)}"
        )


def dependency_order(held: Held) -> Iterator[str]:
    """When both are held, ``after`` starts min_gap free slots after ``before``.

    ``after.start >= before.start + before.duration + min_gap``.
    """
    problem = held.problem
    word = f"free {_slot_word(problem)}"
    for dependency in problem.dependencies:
        before = held.by_exercise.get(dependency.before)
        after = held.by_exercise.get(dependency.after)
        if before is None or after is None:
            continue
        earliest = before.last + 1 + dependency.min_gap
        if after.first < earliest:
            gap = (
                f"{_count(dependency.min_gap, word)} after"
                if dependency.min_gap
                else "after"
            )
            yield (
                f"Exercise {after.id} ({_span(problem, after.first, after.last)}) "
                f"must start on or after {problem.slot_start(earliest)}, {gap} "
                f"exercise {before.id} ({_span(problem, before.first, before.last)}) "
                "ends"
            )


def dependency_max_gap(held: Held) -> Iterator[str]:
    """When both are held, ``after`` starts at most max_gap free slots later.

    ``after.start <= before.start + before.duration + max_gap``.
    """
    problem = held.problem
    word = f"free {_slot_word(problem)}"
    for dependency in problem.dependencies:
        before = held.by_exercise.get(dependency.before)
        after = held.by_exercise.get(dependency.after)
        if before is None or after is None or dependency.max_gap is None:
            continue
        latest = before.last + 1 + dependency.max_gap
        if after.first > latest:
            yield (
                f"Exercise {after.id} ({_span(problem, after.first, after.last)}) "
                f"must start on or before {problem.slot_start(latest)}, at most "
                f"{_count(dependency.max_gap, word)} after exercise {before.id} "
                f"({_span(problem, before.first, before.last)}) ends"
            )


def dependency_requires(held: Held) -> Iterator[str]:
    """With ``requires``, ``after`` is held only when ``before`` is."""
    problem = held.problem
    for dependency in problem.dependencies:
        after = held.by_exercise.get(dependency.after)
        if (
            dependency.requires
            and after is not None
            and dependency.before not in held.by_exercise
        ):
            yield (
                f"Exercise {after.id} is held "
                f"({_span(problem, after.first, after.last)}) but exercise "
                f"{dependency.before}, which it requires, is not"
            )


def mandatory(held: Held) -> Iterator[str]:
    """Every mandatory exercise is held."""
    for exercise in held.problem.exercises:
        if exercise.mandatory and exercise.id not in held.by_exercise:
            yield f"Mandatory exercise {exercise.id} is not held"


def impossible_exercise(held: Held) -> Iterator[str]:
    """An exercise the workbook makes impossible is not held."""
    for exercise in held.problem.exercises:
        if exercise.impossible and exercise.id in held.by_exercise:
            why = "; ".join(f"{f.address}: {f.message}" for f in exercise.impossible)
            yield f"Exercise {exercise.id} is held but can never be: {why}"


def hard_goal(held: Held) -> Iterator[str]:
    """Every hard goal is met in full (engagement: by every partner)."""
    for goal in held.problem.goals:
        if not goal.hard:
            continue
        progress = held.goal_progress(goal)
        if not progress.met:
            yield f"Hard goal {goal.id} is not met: {_goal_story(goal, progress)}"


RULES: dict[str, Callable[[Held], Iterator[str]]] = {
    rule.__name__: rule
    for rule in (
        unknown_exercise,
        duplicate_event,
        horizon,
        window,
        fixed_start,
        fixed_venue,
        venue_not_allowed,
        venue_capability,
        venue_unavailable,
        venue_concurrency,
        venue_capacity,
        required_partner,
        uninvited_partner,
        partner_count,
        partner_unavailable,
        partner_concurrency,
        partner_gap,
        partner_max_events,
        asset_capacity,
        asset_unavailable,
        partner_budget,
        total_budget,
        dependency_order,
        dependency_max_gap,
        dependency_requires,
        mandatory,
        impossible_exercise,
        hard_goal,
    )
}
"""Every hard rule by name, in the order its violations are reported."""


# --- goals ---------------------------------------------------------------------


def _goal_story(goal: Goal, progress: GoalProgress) -> str:
    """What a goal asks and how far the plan gets, in one sentence."""
    area = f" in area {goal.area}" if goal.area is not None else ""
    counted = f" ({progress.detail})" if progress.detail else ""
    achieved = _count(progress.achieved, "exercise")
    if goal.kind is GoalKind.ENGAGEMENT:
        return (
            f"each partner needs at least {_count(goal.min_count, 'exercise')}"
            f"{area}; {progress.detail}"
        )
    if goal.kind is GoalKind.TOGETHER:
        return (
            f"partners {', '.join(goal.partners)} take part together in {achieved}"
            f"{area}{counted}, at least {goal.min_count} needed"
        )
    return f"{achieved} held{area}{counted}, at least {goal.min_count} needed"


# --- public API ----------------------------------------------------------------


def check_plan(problem: Problem, plan: Plan) -> list[Violation]:
    """Every hard rule the plan breaks, one violation per broken fact.

    An empty list means the plan is feasible. Violations come rule by rule
    in the order of ``RULES``, and within a rule in plan or programme order.
    """
    held = Held.of(problem, plan)
    return [
        Violation(name, message)
        for name, rule in RULES.items()
        for message in rule(held)
    ]


_PLAN_WIDE_RULES = frozenset(
    {
        "venue_concurrency",
        "partner_concurrency",
        "partner_gap",
        "partner_max_events",
        "asset_capacity",
        "partner_budget",
        "total_budget",
        "dependency_order",
        "dependency_max_gap",
        "dependency_requires",
    }
)
# What the frozen events alone cannot be blamed for: later events may still
# hold a mandatory exercise or meet a goal.
_NOT_FROZEN_RULES = frozenset({"mandatory", "hard_goal"})


def frozen_violations(
    problem: Problem, baseline: Plan, freeze_before: int
) -> list[Violation]:
    """The hard rules that the frozen events of ``baseline`` break in ``problem``.

    Frozen events are the baseline's (first) events of exercises the programme
    has that start before slot ``freeze_before``: they have happened or been
    announced, so re-planning keeps them as they are and cannot repair them.
    Each violation names the frozen event it is about, e.g. ``Frozen event
    EX-3 (starts 2027-02-01) breaks a rule: partner NOR is unavailable
    2027-02-01 to 2027-02-07 (election)``; a rule broken by several frozen
    events together (a venue double-booked) names them all.
    """
    frozen = tuple(
        placed.event
        for placed in Held.of(problem, baseline).events
        if placed.first < freeze_before
    )
    return _kept_violations(
        problem, frozen, _PLAN_WIDE_RULES, "Frozen event", "Frozen events break a rule"
    )


# What a pin replaces: the workbook's own fixed start and venue of the exercise.
_REPLACED_BY_PIN = frozenset({"fixed_start", "fixed_venue"})
# The plan-wide rules one event can break all by itself.
_ALONE_RULES = frozenset({"partner_max_events", "partner_budget", "total_budget"})


def pin_violations(problem: Problem, event: Event) -> list[Violation]:
    """The hard rules an exercise placed by hand at ``event`` breaks on its own.

    Whatever the rest of the plan does, a pin that breaks one of these can
    never hold (a partner or the venue unavailable, a venue that cannot host
    it, outside its window, over a budget by itself), so it is refused with
    the rule named. Clashes with other events (a venue or a partner booked
    twice) are not counted here: a re-plan can move the others. The
    workbook's own fixed start and venue of the exercise are not held against
    it, since the pin replaces them; nor are dependencies, whose other
    exercise the re-plan may move.
    """
    found = _kept_violations(
        problem, (event,), _ALONE_RULES, "Pinned event", "The pin breaks a rule"
    )
    return [v for v in found if v.rule not in _REPLACED_BY_PIN]


def _kept_violations(
    problem: Problem,
    kept: tuple[Event, ...],
    plan_wide: frozenset[str],
    each: str,
    together: str,
) -> list[Violation]:
    """The hard rules events kept as they are break: each event on its own
    (``each`` names it), then the ``plan_wide`` rules of them all
    (``together`` opens the message). Mandatory exercises and hard goals are
    not counted: other events may still hold or meet them."""
    found: list[Violation] = []
    for event in kept:
        held = Held.of(problem, Plan((event,)))
        placed = held.by_exercise.get(event.exercise_id)
        if placed is None:
            continue
        prefix = f"{_where(problem, placed)}: "
        for name, rule in RULES.items():
            if name in _PLAN_WIDE_RULES or name in _NOT_FROZEN_RULES:
                continue
            for message in rule(held):
                detail = message.removeprefix(prefix)
                found.append(
                    Violation(
                        name,
                        f"{each} {placed.id} (starts "
                        f"{problem.slot_start(placed.first)}) breaks a rule: {detail}",
                    )
                )
    held = Held.of(problem, Plan(kept))
    for name in sorted(plan_wide, key=list(RULES).index):
        for message in RULES[name](held):
            found.append(Violation(name, f"{together}: {message}"))
    return found
