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

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from planner.domain import (
    TERM_CHANGE,
    TERM_COST,
    TERM_GOAL_SHORTFALL,
    TERM_VALUE,
    Event,
    Exercise,
    Goal,
    GoalKind,
    Period,
    Plan,
    Problem,
    Violation,
)

__all__ = [
    "RULES",
    "Changes",
    "GoalProgress",
    "check_plan",
    "event_cost",
    "frozen_violations",
    "goal_progress",
    "objective_terms",
    "organizer_spend",
    "partner_spend",
    "plan_changes",
]

# Long lists of exercise ids are cut here so a message stays readable.
_MAX_LISTED = 10


@dataclass(frozen=True)
class _Placed:
    """One event the rules look at, with its exercise resolved."""

    event: Event
    exercise: Exercise
    participants: tuple[str, ...]  # distinct, in the plan's order

    @property
    def id(self) -> str:
        return self.exercise.id

    @property
    def venue_id(self) -> str:
        return self.event.venue_id

    @property
    def first(self) -> int:
        return self.event.start

    @property
    def last(self) -> int:
        return self.event.start + self.exercise.duration - 1

    @property
    def slots(self) -> range:
        return range(self.first, self.last + 1)


@dataclass(frozen=True)
class _Held:
    """The plan as the rules see it: one event per held exercise, indexed.

    Built once per check, so that every rule that needs "the events of this
    partner" or "of this venue" finds them without scanning the whole plan.
    """

    problem: Problem
    plan: Plan
    events: tuple[_Placed, ...]  # first event of each known exercise, plan order
    by_exercise: dict[str, _Placed]
    by_partner: dict[str, list[_Placed]]  # known partners only
    by_venue: dict[str, list[_Placed]]  # known venues only
    by_asset: dict[str, list[_Placed]]  # known assets only

    @classmethod
    def of(cls, problem: Problem, plan: Plan) -> _Held:
        by_exercise: dict[str, _Placed] = {}
        for event in plan.events:
            exercise = problem.exercise.get(event.exercise_id)
            if exercise is None or exercise.id in by_exercise:
                continue
            participants = tuple(dict.fromkeys(event.participants))
            by_exercise[exercise.id] = _Placed(event, exercise, participants)
        events = tuple(by_exercise.values())
        by_partner: dict[str, list[_Placed]] = defaultdict(list)
        by_venue: dict[str, list[_Placed]] = defaultdict(list)
        by_asset: dict[str, list[_Placed]] = defaultdict(list)
        for placed in events:
            for partner_id in placed.participants:
                if partner_id in problem.partner:
                    by_partner[partner_id].append(placed)
            if placed.venue_id in problem.venue:
                by_venue[placed.venue_id].append(placed)
            for asset_id in dict.fromkeys(placed.exercise.assets):
                if asset_id in problem.asset:
                    by_asset[asset_id].append(placed)
        return cls(
            problem,
            plan,
            events,
            by_exercise,
            dict(by_partner),
            dict(by_venue),
            dict(by_asset),
        )


# --- wording -----------------------------------------------------------------


def _span(problem: Problem, first: int, last: int) -> str:
    """Slots ``first..last`` as the dates they cover; one day is one date."""
    start, end = problem.slot_start(first), problem.slot_end(last)
    return f"{start}" if start == end else f"{start} to {end}"


def _where(problem: Problem, placed: _Placed) -> str:
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


def _ids(ids: Iterable[str]) -> str:
    ids = list(ids)
    if len(ids) <= _MAX_LISTED:
        return ", ".join(ids)
    listed = ", ".join(ids[:_MAX_LISTED])
    return f"{listed} and {len(ids) - _MAX_LISTED} more"


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
    events: Iterable[_Placed], limit: int
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


def _partner_spend(held: _Held) -> dict[str, int]:
    problem = held.problem
    return {
        partner.id: sum(
            problem.partner_cost(placed.exercise, partner.id, placed.venue_id)
            for placed in held.by_partner.get(partner.id, [])
        )
        for partner in problem.partners
    }


def _organizer_spend(held: _Held) -> int:
    return sum(
        placed.exercise.organizer_cost(held.problem.venue.get(placed.venue_id))
        for placed in held.events
    )


# --- the hard rules, in the order they are reported ---------------------------


def unknown_exercise(held: _Held) -> Iterator[str]:
    """Every event in the plan is of an exercise in the programme."""
    problem = held.problem
    for event in held.plan.events:
        if event.exercise_id not in problem.exercise:
            yield (
                f"Exercise {event.exercise_id} (at venue {event.venue_id}, "
                f"starting {problem.slot_start(event.start)}) is not in the programme"
            )


def duplicate_event(held: _Held) -> Iterator[str]:
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


def horizon(held: _Held) -> Iterator[str]:
    """Every event lies within the planning horizon, slots 0..n_slots-1."""
    problem = held.problem
    whole = _span(problem, 0, problem.n_slots - 1)
    for placed in held.events:
        if placed.first < 0 or placed.last > problem.n_slots - 1:
            yield (
                f"{_where(problem, placed)} lies outside the planning horizon ({whole})"
            )


def window(held: _Held) -> Iterator[str]:
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
            yield f"{_where(problem, placed)} lies outside its window ({allowed})"


def fixed_start(held: _Held) -> Iterator[str]:
    """An exercise with a fixed start starts exactly then."""
    problem = held.problem
    for placed in held.events:
        fixed = placed.exercise.fixed_start
        if fixed is not None and placed.first != fixed:
            yield f"{_where(problem, placed)} must start on {problem.slot_start(fixed)}"


def fixed_venue(held: _Held) -> Iterator[str]:
    """An exercise with a fixed venue is held there."""
    for placed in held.events:
        fixed = placed.exercise.fixed_venue
        if fixed is not None and placed.venue_id != fixed:
            yield f"{_where(held.problem, placed)} must be held at venue {fixed}"


def venue_not_allowed(held: _Held) -> Iterator[str]:
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


def venue_capability(held: _Held) -> Iterator[str]:
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


def venue_unavailable(held: _Held) -> Iterator[str]:
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


def venue_concurrency(held: _Held) -> Iterator[str]:
    """At most ``max_concurrent`` events take place at a venue in any slot."""
    problem = held.problem
    for venue in problem.venues:
        events = held.by_venue.get(venue.id, [])
        for first, last, ids in _overbooked(events, venue.max_concurrent):
            yield (
                f"Venue {venue.id} hosts {len(ids)} exercises at once "
                f"{_span(problem, first, last)} (at most {venue.max_concurrent}): "
                f"{_ids(ids)}"
            )


def venue_capacity(held: _Held) -> Iterator[str]:
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


def required_partner(held: _Held) -> Iterator[str]:
    """Every required partner takes part in a held exercise."""
    for placed in held.events:
        for partner_id in placed.exercise.required_partners:
            if partner_id not in placed.participants:
                yield (
                    f"{_where(held.problem, placed)}: required partner {partner_id} "
                    "does not take part"
                )


def uninvited_partner(held: _Held) -> Iterator[str]:
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


def partner_count(held: _Held) -> Iterator[str]:
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


def partner_unavailable(held: _Held) -> Iterator[str]:
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


def partner_concurrency(held: _Held) -> Iterator[str]:
    """At most ``max_concurrent`` of a partner's events share any slot."""
    problem = held.problem
    for partner in problem.partners:
        events = held.by_partner.get(partner.id, [])
        for first, last, ids in _overbooked(events, partner.max_concurrent):
            yield (
                f"Partner {partner.id} takes part in {len(ids)} exercises at once "
                f"{_span(problem, first, last)} (at most {partner.max_concurrent}): "
                f"{_ids(ids)}"
            )


def partner_gap(held: _Held) -> Iterator[str]:
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


def partner_max_events(held: _Held) -> Iterator[str]:
    """A partner takes part in at most max_events events in all."""
    for partner in held.problem.partners:
        events = held.by_partner.get(partner.id, [])
        if partner.max_events is not None and len(events) > partner.max_events:
            yield (
                f"Partner {partner.id} takes part in {len(events)} exercises, "
                f"at most {partner.max_events} allowed: "
                f"{_ids(p.id for p in events)}"
            )


def asset_capacity(held: _Held) -> Iterator[str]:
    """At most ``capacity`` events use an asset in any slot."""
    problem = held.problem
    for asset in problem.assets:
        events = held.by_asset.get(asset.id, [])
        for first, last, ids in _overbooked(events, asset.capacity):
            yield (
                f"Asset {asset.id} is used by {len(ids)} exercises at once "
                f"{_span(problem, first, last)} (at most {asset.capacity}): "
                f"{_ids(ids)}"
            )


def asset_unavailable(held: _Held) -> Iterator[str]:
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


def partner_budget(held: _Held) -> Iterator[str]:
    """A partner's spend stays within its budget."""
    problem = held.problem
    spend = _partner_spend(held)
    for partner in problem.partners:
        if partner.budget is not None and spend[partner.id] > partner.budget:
            yield (
                f"Partner {partner.id} spends {_money(problem, spend[partner.id])}, "
                f"over its budget of {_money(problem, partner.budget)}"
            )


def total_budget(held: _Held) -> Iterator[str]:
    """The organizer's spend stays within the total budget."""
    problem = held.problem
    cap = problem.settings.total_budget
    spend = _organizer_spend(held)
    if cap is not None and spend > cap:
        yield (
            f"Organizer spend is {_money(problem, spend)}, over the total budget "
            f"of {_money(problem, cap)}"
        )


def dependency_order(held: _Held) -> Iterator[str]:
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


def dependency_max_gap(held: _Held) -> Iterator[str]:
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


def dependency_requires(held: _Held) -> Iterator[str]:
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


def mandatory(held: _Held) -> Iterator[str]:
    """Every mandatory exercise is held."""
    for exercise in held.problem.exercises:
        if exercise.mandatory and exercise.id not in held.by_exercise:
            yield f"Mandatory exercise {exercise.id} is not held"


def impossible_exercise(held: _Held) -> Iterator[str]:
    """An exercise the workbook makes impossible is not held."""
    for exercise in held.problem.exercises:
        if exercise.impossible and exercise.id in held.by_exercise:
            why = "; ".join(f"{f.address}: {f.message}" for f in exercise.impossible)
            yield f"Exercise {exercise.id} is held but can never be: {why}"


def hard_goal(held: _Held) -> Iterator[str]:
    """Every hard goal is met in full (engagement: by every partner)."""
    for goal in held.problem.goals:
        if not goal.hard:
            continue
        progress = _goal_progress(held, goal)
        if not progress.met:
            yield f"Hard goal {goal.id} is not met: {_goal_story(goal, progress)}"


RULES: dict[str, Callable[[_Held], Iterator[str]]] = {
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


@dataclass(frozen=True)
class GoalProgress:
    """How far the plan gets towards one goal, for the output and the checker.

    ``achieved`` is the count (for engagement: the smallest count over its
    partners); ``shortfall`` is as in the objective, so for engagement it is
    weighted by each partner's weight; ``met`` says the goal holds in full.
    """

    goal_id: str
    kind: GoalKind
    target: int
    achieved: int
    shortfall: int
    met: bool
    detail: str  # engagement: "NOR 3, POL 1"; otherwise the counted exercises


def _goal_progress(held: _Held, goal: Goal) -> GoalProgress:
    if goal.kind is GoalKind.ENGAGEMENT:
        return _engagement(held, goal)
    # A coverage goal names no partners, so only its area filters.
    together = set(goal.partners) if goal.kind is GoalKind.TOGETHER else set()
    counted = [
        placed.id
        for placed in held.events
        if placed.exercise.trains(goal.area) and together.issubset(placed.participants)
    ]
    shortfall = max(0, goal.min_count - len(counted))
    return GoalProgress(
        goal.id,
        goal.kind,
        goal.min_count,
        len(counted),
        shortfall,
        shortfall == 0,
        _ids(counted),
    )


def _engagement(held: _Held, goal: Goal) -> GoalProgress:
    """Each partner counts on its own; a missing count weighs partner.weight."""
    problem = held.problem
    partner_ids = goal.partners or tuple(p.id for p in problem.partners)
    counts = {
        partner_id: sum(
            1
            for placed in held.by_partner.get(partner_id, [])
            if placed.exercise.trains(goal.area)
        )
        for partner_id in partner_ids
    }
    shortfall = 0
    for partner_id, count in counts.items():
        partner = problem.partner.get(partner_id)
        weight = partner.weight if partner is not None else 1
        shortfall += weight * max(0, goal.min_count - count)
    return GoalProgress(
        goal.id,
        goal.kind,
        goal.min_count,
        min(counts.values(), default=0),
        shortfall,
        all(count >= goal.min_count for count in counts.values()),
        ", ".join(f"{partner_id} {count}" for partner_id, count in counts.items()),
    )


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
    held = _Held.of(problem, plan)
    return [
        Violation(name, message)
        for name, rule in RULES.items()
        for message in rule(held)
    ]


def partner_spend(problem: Problem, plan: Plan) -> dict[str, int]:
    """Every partner's spend: cost_per_partner plus travel, per event it attends."""
    return _partner_spend(_Held.of(problem, plan))


def organizer_spend(problem: Problem, plan: Plan) -> int:
    """Σ over held exercises of fixed_cost + venue cost_per_slot * duration."""
    return _organizer_spend(_Held.of(problem, plan))


def event_cost(problem: Problem, event: Event) -> int:
    """What one event costs everyone: the organizer's part and each partner's.

    Summed over a plan's events it equals organizer spend plus every partner's
    spend, so the Schedule sheet adds up to the cost term.
    """
    exercise = problem.exercise.get(event.exercise_id)
    if exercise is None:
        return 0
    partners = (p for p in dict.fromkeys(event.participants) if p in problem.partner)
    return exercise.organizer_cost(problem.venue.get(event.venue_id)) + sum(
        problem.partner_cost(exercise, p, event.venue_id) for p in partners
    )


def goal_progress(problem: Problem, plan: Plan) -> list[GoalProgress]:
    """Progress towards every goal, hard and soft, in the programme's order."""
    held = _Held.of(problem, plan)
    return [_goal_progress(held, goal) for goal in problem.goals]


def objective_terms(
    problem: Problem, plan: Plan, baseline: Plan | None = None
) -> dict[str, int]:
    """The objective's named terms, each a signed contribution; they sum to it.

    value = weights.value * Σ value of held exercises;
    goal_shortfall = -weights.goal_shortfall * Σ soft goal.weight * shortfall;
    cost = -weights.cost * (organizer spend + Σ partner spend);
    with a ``baseline`` also change = -Σ over changes of their weight
    (see `plan_changes`).
    A term whose weight is 0 is 0.
    """
    held = _Held.of(problem, plan)
    weights = problem.settings.weights
    value = sum(placed.exercise.value for placed in held.events)
    shortfall = sum(
        goal.weight * _goal_progress(held, goal).shortfall
        for goal in problem.goals
        if not goal.hard
    )
    spend = _organizer_spend(held) + sum(_partner_spend(held).values())
    # Integer products: a weight of 0 gives exactly 0, never -0.
    terms = {
        TERM_VALUE: weights.value * value,
        TERM_GOAL_SHORTFALL: -weights.goal_shortfall * shortfall,
        TERM_COST: -weights.cost * spend,
    }
    if baseline is not None:
        terms[TERM_CHANGE] = -plan_changes(problem, plan, baseline).penalty(problem)
    return terms


# --- re-planning against a baseline ---------------------------------------------


@dataclass(frozen=True)
class Changes:
    """How a plan differs from a baseline plan, exercise by exercise.

    Both plans are seen as the rules see them: the first event of each
    exercise the programme has. ``partners`` lists (exercise, partner,
    "joins" or "leaves") for exercises held in both plans, partners of the
    programme only. A venue change counts only while the baseline's venue is
    still in the programme: nobody chose to leave a venue that is gone.
    """

    moved: tuple[str, ...] = ()
    venue_changed: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    partners: tuple[tuple[str, str, str], ...] = ()

    def penalty(self, problem: Problem) -> int:
        """Σ over the changes of their weight from the programme's Settings."""
        weights = problem.settings.weights
        return (
            weights.change_move * len(self.moved)
            + weights.change_venue * len(self.venue_changed)
            + weights.change_drop * len(self.dropped)
            + weights.change_add * len(self.added)
            + weights.change_partner * len(self.partners)
        )


def plan_changes(problem: Problem, plan: Plan, baseline: Plan) -> Changes:
    """Every change from ``baseline`` to ``plan``, in the programme's order."""
    now = _Held.of(problem, plan).by_exercise
    before = _Held.of(problem, baseline).by_exercise
    moved, venue_changed, dropped, added = [], [], [], []
    partners: list[tuple[str, str, str]] = []
    for exercise in problem.exercises:
        eid = exercise.id
        old, new = before.get(eid), now.get(eid)
        if old is None and new is None:
            continue
        if new is None:
            dropped.append(eid)
            continue
        if old is None:
            added.append(eid)
            continue
        if new.first != old.first:
            moved.append(eid)
        if old.venue_id in problem.venue and new.venue_id != old.venue_id:
            venue_changed.append(eid)
        was = [p for p in old.participants if p in problem.partner]
        is_ = [p for p in new.participants if p in problem.partner]
        partners += [(eid, p, "leaves") for p in was if p not in is_]
        partners += [(eid, p, "joins") for p in is_ if p not in was]
    return Changes(
        tuple(moved),
        tuple(venue_changed),
        tuple(dropped),
        tuple(added),
        tuple(partners),
    )


# Rules about one event alone; the others weigh events against each other.
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
        for placed in _Held.of(problem, baseline).events
        if placed.first < freeze_before
    )
    found: list[Violation] = []
    for event in frozen:
        held = _Held.of(problem, Plan((event,)))
        placed = held.by_exercise[event.exercise_id]
        prefix = f"{_where(problem, placed)}: "
        for name, rule in RULES.items():
            if name in _PLAN_WIDE_RULES or name in _NOT_FROZEN_RULES:
                continue
            for message in rule(held):
                detail = message.removeprefix(prefix)
                found.append(
                    Violation(
                        name,
                        f"Frozen event {placed.id} (starts "
                        f"{problem.slot_start(placed.first)}) breaks a rule: {detail}",
                    )
                )
    held = _Held.of(problem, Plan(frozen))
    for name in sorted(_PLAN_WIDE_RULES, key=list(RULES).index):
        for message in RULES[name](held):
            found.append(Violation(name, f"Frozen events break a rule: {message}"))
    return found
