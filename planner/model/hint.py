"""A quick greedy plan, handed to CP-SAT as a starting point (a hint).

Mandatory exercises go first (tightest window first), then optional ones by
value; an exercise pulls in first what it requires and the mandatory ones it
follows. Each takes the earliest start, the cheapest venue and the fewest
partners that keep every rule the greedy tracks: windows, fixed start and
venue, blackouts, venue, partner and asset concurrency, partner rest gaps, max
events, budgets and dependencies. Partners that a goal still needs are
brought along when they can come (hard goals first: a missed soft goal costs
far more than a partner's travel at the default weights). An exercise that
does not fit is left out, so the plan is feasible whenever every mandatory
exercise fits and the hard goals are met; otherwise CP-SAT starts its search
from it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from planner.domain import (
    Dependency,
    Event,
    Exercise,
    Goal,
    GoalKind,
    Period,
    Plan,
    Problem,
    Venue,
)


def greedy_plan(problem: Problem) -> Plan:
    """Place exercises one by one, each at its earliest feasible start."""
    state = PlanState(problem)
    for exercise in placement_order(problem):
        place_exercise(state, exercise)
    events = sorted(state.placed.values(), key=lambda e: (e.start, e.exercise_id))
    return Plan(tuple(events))


def placement_order(problem: Problem) -> list[Exercise]:
    """Mandatory first, tightest window first; then optional by value."""

    def key(item: tuple[int, Exercise]) -> tuple[int, int, int]:
        index, exercise = item
        if exercise.mandatory:
            return (0, exercise.latest_start - exercise.earliest_start, index)
        return (1, -exercise.value, index)

    return [e for _, e in sorted(enumerate(problem.exercises), key=key)]


def place_exercise(state: PlanState, exercise: Exercise) -> bool:
    """Place ``exercise``; True when it is in the plan.

    What it requires, and mandatory exercises it follows, are placed first so
    that it can be fitted after them.
    """
    if exercise.id in state.placed:
        return True
    if exercise.id in state.tried:
        return False
    state.tried.add(exercise.id)
    for dependency in state.depends.get(exercise.id, []):
        if dependency.after != exercise.id:
            continue
        before = state.problem.exercise[dependency.before]
        placed = before.mandatory or dependency.requires
        if placed and not place_exercise(state, before) and dependency.requires:
            return False
    event = first_fit(state, exercise)
    if event is None:
        return False
    state.place(exercise, event)
    return True


def _slots(periods: tuple[Period, ...]) -> set[int]:
    return {s for p in periods for s in range(p.first, p.last + 1)}


@dataclass
class PlanState:
    """What the plan so far occupies and spends, and what goals still need.

    Everything a placement asks is looked up, not searched for: which goals
    an exercise can count for (`counts_for`), which exercises count for a
    goal (`counting`), each goal's count so far. On a programme of 1,500
    exercises and 70 goals a construction asks these questions hundreds of
    thousands of times; scanning every goal or exercise each time made it
    take minutes (benchmarks/RESULTS.md, issue 20).
    """

    problem: Problem
    venue_load: dict[str, list[int]] = field(default_factory=dict)
    partner_load: dict[str, list[int]] = field(default_factory=dict)
    asset_load: dict[str, list[int]] = field(default_factory=dict)
    partner_events: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    partner_spend: dict[str, int] = field(default_factory=dict)
    organizer_spend: int = 0
    placed: dict[str, Event] = field(default_factory=dict)
    tried: set[str] = field(default_factory=set)
    blackout: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    depends: dict[str, list[Dependency]] = field(default_factory=dict)
    goals: list[Goal] = field(default_factory=list)  # that count, hard first
    together: dict[str, int] = field(default_factory=dict)  # goal -> count
    covered: dict[str, int] = field(default_factory=dict)  # goal -> count
    engaged: dict[tuple[str, str], int] = field(default_factory=dict)
    occupants: list[set[str]] = field(default_factory=list)  # slot -> exercises
    order: list[Exercise] = field(default_factory=list)  # `placement_order`
    # Exercise -> the goals (of `goals`, in that order) it can count for,
    # each with the goal's partners it invites; goal -> the exercises that
    # can count for it, in placement order.
    counts_for: dict[str, list[tuple[Goal, tuple[str, ...]]]] = field(
        default_factory=dict
    )
    counting: dict[str, list[Exercise]] = field(default_factory=dict)
    invited: dict[str, frozenset[str]] = field(default_factory=dict)
    removals: int = 0  # events taken out so far: room may have been made
    # Exercise -> `removals` when first fit last found no room for it: until
    # something is taken out, it cannot fit (placing only fills the plan).
    full_at: dict[str, int] = field(default_factory=dict)
    hosts: dict[tuple[str, tuple[str, ...], int], list[Venue]] = field(
        default_factory=dict
    )  # `venues_for`

    def __post_init__(self) -> None:
        n = self.problem.n_slots
        p = self.problem
        self.venue_load = {v.id: [0] * n for v in p.venues}
        self.partner_load = {x.id: [0] * n for x in p.partners}
        self.asset_load = {a.id: [0] * n for a in p.assets}
        self.partner_events = {x.id: [] for x in p.partners}
        self.partner_spend = {x.id: 0 for x in p.partners}
        for kind, items in (("venue", p.venues), ("partner", p.partners)):
            for item in items:
                self.blackout[kind, item.id] = _slots(item.unavailable)
        for asset in p.assets:
            self.blackout["asset", asset.id] = _slots(asset.unavailable)
        self.depends = defaultdict(list)
        for dependency in p.dependencies:
            self.depends[dependency.before].append(dependency)
            self.depends[dependency.after].append(dependency)
        soft_counts = bool(p.settings.weights.goal_shortfall)
        self.goals = sorted(
            (g for g in p.goals if g.hard or (soft_counts and g.weight)),
            key=lambda g: (not g.hard, -g.weight),
        )
        self.together = defaultdict(int)
        self.covered = defaultdict(int)
        self.engaged = defaultdict(int)
        self.occupants = [set() for _ in range(n)]
        self.order = placement_order(p)
        self.invited = {e.id: frozenset(e.invited_partners) for e in p.exercises}
        everyone = tuple(x.id for x in p.partners)
        self.counts_for = {e.id: [] for e in p.exercises}
        self.counting = {g.id: [] for g in self.goals}
        for exercise in self.order:
            invited = self.invited[exercise.id]
            for goal in self.goals:
                if not exercise.trains(goal.area):
                    continue
                partners = goal.partners
                if goal.kind == GoalKind.TOGETHER:
                    if not set(partners) <= invited:
                        continue
                elif goal.kind == GoalKind.ENGAGEMENT:
                    listed = partners or everyone
                    partners = tuple(x for x in listed if x in invited)
                    if not partners:
                        continue
                self.counts_for[exercise.id].append((goal, partners))
                self.counting[goal.id].append(exercise)

    def place(self, exercise: Exercise, event: Event) -> None:
        self._book(exercise, event, 1)
        self.placed[exercise.id] = event

    def remove(self, exercise_id: str) -> Event:
        """Take a placed event out again, freeing what it used (for repairs)."""
        event = self.take_back(exercise_id)
        self.removals += 1
        return event

    def take_back(self, exercise_id: str) -> Event:
        """Take out the event placed last: the plan is as it was before, so
        no room is made for anything that did not fit then."""
        event = self.placed.pop(exercise_id)
        self._book(self.problem.exercise[exercise_id], event, -1)
        return event

    def _book(self, exercise: Exercise, event: Event, sign: int) -> None:
        """Add (``sign`` 1) or release (-1) what ``event`` uses and counts."""
        slots = range(event.start, event.start + exercise.duration)
        for s in slots:
            if sign > 0:
                self.occupants[s].add(exercise.id)
            else:
                self.occupants[s].discard(exercise.id)
            self.venue_load[event.venue_id][s] += sign
            for asset_id in exercise.assets:
                self.asset_load[asset_id][s] += sign
            for partner_id in event.participants:
                self.partner_load[partner_id][s] += sign
        span = (slots[0], slots[-1])
        for partner_id in event.participants:
            if sign > 0:
                self.partner_events[partner_id].append(span)
            else:
                self.partner_events[partner_id].remove(span)
            self.partner_spend[partner_id] += sign * self.problem.partner_cost(
                exercise, partner_id, event.venue_id
            )
        self.organizer_spend += sign * exercise.organizer_cost(
            self.problem.venue[event.venue_id]
        )
        taking_part = set(event.participants)
        for goal, partners in self.counts_for[exercise.id]:
            if goal.kind == GoalKind.COVERAGE:
                self.covered[goal.id] += sign
            elif goal.kind == GoalKind.TOGETHER:
                if taking_part.issuperset(partners):
                    self.together[goal.id] += sign
            else:
                for partner_id in partners:
                    if partner_id in taking_part:
                        self.engaged[goal.id, partner_id] += sign

    def worth(self) -> int:
        """The plan's objective so far (the model's terms without a
        baseline): value held, less soft goals' weighted shortfall and spend."""
        problem = self.problem
        weights = problem.settings.weights
        value = sum(problem.exercise[eid].value for eid in self.placed)
        short = 0
        for goal in self.goals:
            if goal.hard:
                continue
            if goal.kind == GoalKind.ENGAGEMENT:
                listed = goal.partners or tuple(p.id for p in problem.partners)
                short += goal.weight * sum(
                    problem.partner[p].weight
                    * max(0, goal.min_count - self.engaged[goal.id, p])
                    for p in listed
                )
            else:
                together = goal.kind == GoalKind.TOGETHER
                counts = self.together if together else self.covered
                short += goal.weight * max(0, goal.min_count - counts[goal.id])
        spend = self.organizer_spend + sum(self.partner_spend.values())
        return (
            weights.value * value
            - weights.goal_shortfall * short
            - weights.cost * spend
        )

    def venues_for(self, exercise: Exercise) -> list[Venue]:
        """`candidate_venues`, worked out once per exercise (and per set of
        partners it must bring, which the repairs change)."""
        key = (exercise.id, exercise.required_partners, exercise.min_partners)
        venues = self.hosts.get(key)
        if venues is None:
            venues = self.hosts[key] = candidate_venues(self.problem, exercise)
        return venues

    def wanted(self, exercise: Exercise) -> list[list[str]]:
        """Groups of invited partners that goals still need, hard goals first.

        A together goal's group comes all or none; an engagement goal's
        partners come one by one.
        """
        groups: list[list[str]] = []
        for goal, partners in self.counts_for[exercise.id]:
            if goal.kind == GoalKind.TOGETHER:
                if self.together[goal.id] < goal.min_count:
                    groups.append(list(partners))
            elif goal.kind == GoalKind.ENGAGEMENT:
                groups.extend(
                    [p] for p in partners if self.engaged[goal.id, p] < goal.min_count
                )
        return groups


def first_fit(state: PlanState, exercise: Exercise) -> Event | None:
    """The earliest start, cheapest venue and fewest partners that fit, if any."""
    problem = state.problem
    duration = exercise.duration
    first = max(0, exercise.earliest_start)
    last = min(problem.n_slots - duration, exercise.latest_start)
    if exercise.fixed_start is not None:
        first, last = max(first, exercise.fixed_start), min(last, exercise.fixed_start)
    venues = state.venues_for(exercise)
    wanted = state.wanted(exercise)
    for start in range(first, last + 1):
        end = start + duration - 1
        if not _assets_free(state, exercise, start, end):
            continue
        if not dependencies_hold(state, exercise, start):
            continue
        if not all(
            partner_free(state, p, start, end) for p in exercise.required_partners
        ):
            continue
        free: dict[str, bool] = {}
        for venue in venues:
            event = try_venue(state, exercise, venue, start, end, wanted, free)
            if event is not None:
                return event
    return None


def candidate_venues(problem: Problem, exercise: Exercise) -> list[Venue]:
    """Venues that can host the exercise, cheapest first (with required travel)."""
    fewest = max(len(exercise.required_partners), exercise.min_partners)
    venues = [
        venue
        for venue in problem.venues
        if (not exercise.venues or venue.id in exercise.venues)
        and exercise.needs <= venue.capabilities
        and (exercise.fixed_venue is None or venue.id == exercise.fixed_venue)
        and (venue.capacity is None or venue.capacity >= fewest)
    ]

    def cost(venue: Venue) -> int:
        return exercise.organizer_cost(venue) + sum(
            problem.partner_cost(exercise, p, venue.id)
            for p in exercise.required_partners
        )

    return sorted(venues, key=cost)


def _free(load: list[int], blocked: set[int], start: int, end: int, cap: int) -> bool:
    return all(load[s] < cap and s not in blocked for s in range(start, end + 1))


def _assets_free(state: PlanState, exercise: Exercise, start: int, end: int) -> bool:
    return all(
        _free(
            state.asset_load[a],
            state.blackout["asset", a],
            start,
            end,
            state.problem.asset[a].capacity,
        )
        for a in exercise.assets
    )


def partner_free(state: PlanState, partner_id: str, start: int, end: int) -> bool:
    """Available, under its concurrency and event count, rested on both sides."""
    partner = state.problem.partner[partner_id]
    events = state.partner_events[partner_id]
    if partner.max_events is not None and len(events) >= partner.max_events:
        return False
    load = state.partner_load[partner_id]
    blocked = state.blackout["partner", partner_id]
    if not _free(load, blocked, start, end, partner.max_concurrent):
        return False
    gap = partner.min_gap
    if partner.max_concurrent == 1:
        lo, hi = max(0, start - gap), min(len(load) - 1, end + gap)
        return all(load[s] == 0 for s in range(lo, hi + 1))
    return all(
        (first <= end and start <= last)
        or start >= last + 1 + gap
        or first >= end + 1 + gap
        for first, last in events
    )


def dependencies_hold(state: PlanState, exercise: Exercise, start: int) -> bool:
    """Dependencies with already placed exercises hold for this start."""
    problem = state.problem
    for dependency in state.depends.get(exercise.id, []):
        if dependency.after == exercise.id:
            before = state.placed.get(dependency.before)
            if before is None:
                if dependency.requires:
                    return False
                continue
            end = before.start + problem.exercise[dependency.before].duration
            after_start = start
        else:
            after = state.placed.get(dependency.after)
            if after is None:
                continue
            end = start + exercise.duration
            after_start = after.start
        if after_start < end + dependency.min_gap:
            return False
        if dependency.max_gap is not None and after_start > end + dependency.max_gap:
            return False
    return True


def try_venue(
    state: PlanState,
    exercise: Exercise,
    venue: Venue,
    start: int,
    end: int,
    wanted: list[list[str]] | None = None,
    free: dict[str, bool] | None = None,
) -> Event | None:
    """The event at ``venue`` with the partners it needs, if it fits.

    Required partners, then those goals still need (``wanted``: the
    exercise's `PlanState.wanted`, when the caller has it), then the cheapest
    optional ones up to min_partners. ``free`` remembers which partners are
    free in ``start..end``, for the caller trying several venues there.
    """
    problem = state.problem
    if not _free(
        state.venue_load[venue.id],
        state.blackout["venue", venue.id],
        start,
        end,
        venue.max_concurrent,
    ):
        return None
    organizer = state.organizer_spend + exercise.organizer_cost(venue)
    budget = problem.settings.total_budget
    if budget is not None and organizer > budget:
        return None
    most = min(
        exercise.max_partners if exercise.max_partners is not None else 10**9,
        venue.capacity if venue.capacity is not None else 10**9,
    )
    if free is None:
        free = {}

    def can_come(partner_id: str) -> bool:
        cap = problem.partner[partner_id].budget
        cost = problem.partner_cost(exercise, partner_id, venue.id)
        if cap is not None and state.partner_spend[partner_id] + cost > cap:
            return False
        if partner_id not in free:
            free[partner_id] = partner_free(state, partner_id, start, end)
        return free[partner_id]

    participants = list(exercise.required_partners)
    if len(participants) > most or not all(can_come(p) for p in participants):
        return None
    for group in state.wanted(exercise) if wanted is None else wanted:
        new = [p for p in dict.fromkeys(group) if p not in participants]
        if len(participants) + len(new) <= most and all(can_come(p) for p in new):
            participants.extend(new)
    optional = sorted(
        (p for p in exercise.optional_partners if p not in participants),
        key=lambda p: problem.partner_cost(exercise, p, venue.id),
    )
    for partner_id in optional:
        if len(participants) >= exercise.min_partners:
            break
        if can_come(partner_id):
            participants.append(partner_id)
    if len(participants) < exercise.min_partners:
        return None
    return Event(exercise.id, start, venue.id, tuple(sorted(participants)))
