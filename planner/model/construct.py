"""A complete plan in seconds: mandatory exercises and hard goals first, repaired.

The greedy (`planner.model.hint`) places each exercise at its earliest free
start; on a programme packed into one year a mandatory exercise often finds
every start taken, and the greedy plan breaks a rule. Construction repairs it
instead of giving up:

1. Mandatory exercises are placed first, tightest window first. One that does
   not fit takes the placement whose *blockers* (events at the same venue, on
   the same assets, or with the same required partners in those weeks, rest
   included) cost least to move; the blockers are taken out, the exercise is
   placed, and the blockers are put back wherever they fit. A blocker that
   fits nowhere is repaired in turn. Each time an exercise is pushed out it
   costs more to push out again, so the chain ends instead of cycling.
2. Hard goals still unmet take partners into held events, or exercises that
   count for them, repairing the same way when nothing fits.
3. Optional exercises fill the rest, best value first.

Every step keeps every rule the greedy tracks, so the plan is feasible as soon
as every mandatory exercise is held and every hard goal met; the improvement
(`planner.model.lns`) starts from it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from planner.domain import (
    Deadline,
    Event,
    Exercise,
    Goal,
    GoalKind,
    Plan,
    Problem,
    Venue,
)
from planner.model.hint import (
    PlanState,
    partner_free,
    place_exercise,
    try_venue,
)

# Cost of pushing an exercise out, per kind, plus KICK_COST per earlier push.
MANDATORY_COST = 8
OPTIONAL_COST = 2
KICK_COST = 6
RELEASE_COST = 1
GOAL_ROUNDS = 8
CHAIN_LIMIT = 200  # repairs one exercise may set off
FIXED_START_COST = 16
CANDIDATES_TRIED = 12  # cheapest placements tried before a repair gives up
REPAIRS_PER_EXERCISE = 30  # budget of repairs, per exercise in the programme
# Budget of the hard goals' pursuit, per exercise: each placement tried and
# each repair step counts one. Unbounded, the pursuit of 14 goals a plan had
# no room for took minutes on a 1,500-exercise programme and met none.
PURSUIT_PER_EXERCISE = 10


def construct_plan(problem: Problem, deadline: Deadline | None = None) -> Plan:
    """A plan holding every mandatory exercise and meeting every hard goal
    whenever the repairs find one; otherwise the best partial plan.

    Optional exercises are placed before the hard goals are pursued: where
    first fit needs no repair this is exactly the greedy plan
    (`planner.model.hint.greedy_plan`), and on dense programmes with few
    hard goals pursuing them first gave plans 8% worse. When that order
    leaves something undone, the goals are pursued before the optional
    exercises, which on a programme with many tight hard goals meets all but
    one count in half a second where the other order leaves 14 goals unmet
    (benchmarks/RESULTS.md, issue 20); the plan that breaks less, then the
    one worth more, is kept.

    Its work is bounded by counts (repairs and placements tried per
    exercise), so the same programme gets the same plan on any machine;
    ``deadline`` stops it sooner on a machine too slow for its counts:
    every loop asks it, and what is placed by then is the plan (every event
    keeps every rule; only mandatory exercises or hard goals may still be
    missing, which mending takes up).
    """
    if deadline is None:
        deadline = Deadline.never()
    best = _construct(problem, deadline, goals_first=False)
    if _undone(best) and not deadline.passed():
        other = _construct(problem, deadline, goals_first=True)
        if (_undone(other), -other.worth()) < (_undone(best), -best.worth()):
            best = other
    return state_plan(best)


def _construct(problem: Problem, deadline: Deadline, goals_first: bool) -> PlanState:
    """Mandatory exercises (repaired into place), then optional ones and the
    hard goals' pursuit in the order asked, then whatever still fits."""
    state = PlanState(problem)
    work = max(1, len(problem.exercises))
    repair = _Repair(state, REPAIRS_PER_EXERCISE * work, deadline)
    for exercise in state.order:
        if deadline.passed():
            break
        if exercise.mandatory and not _fit(state, exercise):
            repair.run(exercise)
    if not goals_first:
        _fill(state, deadline)
    _drop_unsupported(state)
    repair.budget = PURSUIT_PER_EXERCISE * work
    # A repair for one goal may push out an event another goal counted.
    for _ in range(GOAL_ROUNDS):
        hard = [g for g in state.goals if g.hard and not _met(state, g)]
        short = _shortfall(state, hard)
        if not hard or deadline.passed() or repair.budget <= 0:
            break
        for goal in hard:
            _pursue(state, repair, goal, deadline)
        _drop_unsupported(state)
        if _shortfall(state, hard) >= short:
            break  # a round that gains nothing will not be followed by one that does
    _fill(state, deadline)
    return state


def _undone(state: PlanState) -> int:
    """Mandatory exercises left out and hard goals' missing counts."""
    problem = state.problem
    missing = sum(e.mandatory and e.id not in state.placed for e in problem.exercises)
    return missing + _shortfall(state, [g for g in state.goals if g.hard])


def _fill(state: PlanState, deadline: Deadline) -> None:
    """Place every optional exercise that still fits, best value first."""
    for exercise in state.order:
        if deadline.passed():
            return
        if not exercise.mandatory and exercise.id not in state.placed:
            _fit(state, exercise)


def state_plan(state: PlanState) -> Plan:
    events = sorted(state.placed.values(), key=lambda e: (e.start, e.exercise_id))
    return Plan(tuple(events))


def _fit(state: PlanState, exercise: Exercise) -> bool:
    """First fit, trying again if something was taken out since it last
    found no room (placing more only fills the plan, so until then it would
    fail again)."""
    if exercise.id in state.placed:
        return True
    if state.full_at.get(exercise.id) == state.removals:
        return False
    state.tried.discard(exercise.id)
    if place_exercise(state, exercise):
        return True
    state.full_at[exercise.id] = state.removals
    return False


@dataclass(frozen=True, order=True)
class _Move:
    """A placement of the exercise being repaired, and what it displaces.

    ``released``: (exercise, partner) pairs where an optional partner simply
    leaves a held event, which costs far less than moving the event.
    """

    cost: int
    start: int
    venue_index: int
    ejected: frozenset[str]
    released: tuple[tuple[str, str], ...]


@dataclass
class _Repair:
    """Ejection chains that place exercises which do not fit."""

    state: PlanState
    budget: int
    deadline: Deadline
    kicks: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # (exercise, partners it should bring) -> `PlanState.removals` when first
    # fit (``unfit``) or a repair (``futile``) last could not hold it with
    # them: until something is taken out, neither can now.
    unfit: dict[tuple[str, frozenset[str]], int] = field(default_factory=dict)
    futile: dict[tuple[str, frozenset[str]], int] = field(default_factory=dict)

    def run(self, exercise: Exercise) -> bool:
        """Place ``exercise`` by moving what blocks it; True when it is held.

        Blockers that are mandatory and fit nowhere else are repaired in turn
        (breadth first), within the repair budget and CHAIN_LIMIT steps.
        """
        pending = [exercise]
        steps = 0
        while pending and self.budget > 0 and steps < CHAIN_LIMIT:
            if self.deadline.passed():
                break
            current = pending.pop(0)
            if current.id in self.state.placed:
                continue
            self.budget -= 1
            steps += 1
            ejected = self._force(current)
            if ejected is None:
                if current is exercise:
                    return False
                continue
            for eid in ejected:
                other = self.state.problem.exercise[eid]
                if not _fit(self.state, other) and (
                    other.mandatory or _required_by_placed(self.state, eid)
                ):
                    pending.append(other)
        return exercise.id in self.state.placed and not pending

    def _force(self, exercise: Exercise) -> list[str] | None:
        """Place ``exercise`` at its cheapest blocked placement; the ejected."""
        state = self.state
        for before in _required_before(state, exercise):
            if before.id not in state.placed and not self.run(before):
                return None
        venues = state.venues_for(exercise)
        for move in sorted(self._moves(exercise, venues))[:CANDIDATES_TRIED]:
            mark = state.removals
            released = _release(state, move.released)
            removed = _remove_all(state, move.ejected)
            end = move.start + exercise.duration - 1
            event = try_venue(
                state, exercise, venues[move.venue_index], move.start, end
            )
            if event is not None and not _dependency_blockers(
                state, exercise, move.start
            ):
                state.place(exercise, event)
                for eid in removed:
                    self.kicks[eid] += 1
                return list(removed)
            for eid, old in [*reversed(removed.items()), *reversed(released.items())]:
                if eid in state.placed:
                    state.remove(eid)
                state.place(state.problem.exercise[eid], old)
            state.removals = mark  # the plan is as it was: no room was made
        return None

    def _moves(self, exercise: Exercise, venues: list[Venue]) -> list[_Move]:
        """Every placement that could work once its blockers move or release."""
        state = self.state
        problem = state.problem
        first = max(0, exercise.earliest_start)
        last = min(problem.n_slots - exercise.duration, exercise.latest_start)
        if exercise.fixed_start is not None:
            first = max(first, exercise.fixed_start)
            last = min(last, exercise.fixed_start)
        moves = []
        for start in range(first, last + 1):
            end = start + exercise.duration - 1
            common = self._common(exercise, start, end)
            if common is None:
                continue
            common[0].update(_dependency_blockers(state, exercise, start))
            for index, venue in enumerate(venues):
                at_venue = _resource_blockers(
                    state,
                    exercise.id,
                    start,
                    end,
                    venue.max_concurrent,
                    state.blackout["venue", venue.id],
                    lambda e, v=venue.id: e.venue_id == v,
                )
                if at_venue is not None:
                    moves.append(
                        self._move(start, index, common[0] | at_venue, common[1])
                    )
        return moves

    def _common(
        self, exercise: Exercise, start: int, end: int
    ) -> tuple[set[str], list[tuple[str, str]]] | None:
        """Events in the way on the exercise's assets (to move) and of the
        partners it needs (each a partner to release); None when a blackout
        or an event cap is in the way, which no move fixes."""
        state = self.state
        problem = state.problem
        ejected: set[str] = set()
        for asset_id in exercise.assets:
            found = _resource_blockers(
                state,
                exercise.id,
                start,
                end,
                problem.asset[asset_id].capacity,
                state.blackout["asset", asset_id],
                lambda e, a=asset_id: a in problem.exercise[e.exercise_id].assets,
            )
            if found is None:
                return None
            ejected |= found
        hits: list[tuple[str, str]] = []
        for partner_id in exercise.required_partners:
            found = _partner_blockers(state, partner_id, start, end)
            if found is None:
                return None
            hits.extend((eid, partner_id) for eid in sorted(found))
        need = exercise.min_partners - len(exercise.required_partners)
        if need > 0:
            options = []
            for partner_id in exercise.optional_partners:
                found = _partner_blockers(state, partner_id, start, end)
                if found is not None:
                    pairs = [(eid, partner_id) for eid in sorted(found)]
                    options.append((self._hit_cost(pairs), partner_id, pairs))
            if len(options) < need:
                return None
            options.sort()
            for _, _, pairs in options[:need]:
                hits.extend(pairs)
        return ejected, hits

    def _hit_cost(self, pairs: list[tuple[str, str]]) -> int:
        return sum(
            RELEASE_COST if _optional_in(self.state, eid, p) else self._cost(eid)
            for eid, p in pairs
        )

    def _move(
        self, start: int, index: int, ejected: set[str], hits: list[tuple[str, str]]
    ) -> _Move:
        """Partners that are optional where they are in the way are released,
        as long as the event keeps its min_partners; otherwise it moves."""
        state = self.state
        releasing: dict[str, set[str]] = defaultdict(set)
        for eid, partner_id in hits:
            if eid in ejected:
                continue
            if _optional_in(state, eid, partner_id):
                releasing[eid].add(partner_id)
            else:
                ejected.add(eid)
        released: list[tuple[str, str]] = []
        for eid, partners in sorted(releasing.items()):
            event = state.placed[eid]
            fewest = state.problem.exercise[eid].min_partners
            if eid in ejected:
                continue
            if len(event.participants) - len(partners) < fewest:
                ejected.add(eid)
            else:
                released.extend((eid, p) for p in sorted(partners))
        cost = sum(self._cost(e) for e in ejected) + RELEASE_COST * len(released)
        return _Move(cost, start, index, frozenset(ejected), tuple(released))

    def _cost(self, exercise_id: str) -> int:
        exercise = self.state.problem.exercise[exercise_id]
        kind = MANDATORY_COST if exercise.mandatory else OPTIONAL_COST
        if exercise.fixed_start is not None:
            # It can only come back at its start, with other partners.
            kind += FIXED_START_COST
        return kind + KICK_COST * self.kicks[exercise_id]


def _dependency_blockers(state: PlanState, exercise: Exercise, start: int) -> set[str]:
    """Placed exercises whose dependency with ``exercise`` a start here breaks.

    What the exercise requires may be among them: it is put back around the
    exercise afterwards, or the exercise goes (see `_drop_unsupported`).
    """
    blockers: set[str] = set()
    problem = state.problem
    for dependency in state.depends.get(exercise.id, []):
        other = (
            dependency.before if dependency.after == exercise.id else dependency.after
        )
        event = state.placed.get(other)
        if event is None:
            continue
        if dependency.after == exercise.id:
            gap = start - (event.start + problem.exercise[other].duration)
        else:
            gap = event.start - (start + exercise.duration)
        too_far = dependency.max_gap is not None and gap > dependency.max_gap
        if gap < dependency.min_gap or too_far:
            blockers.add(other)
    return blockers


def _optional_in(state: PlanState, exercise_id: str, partner_id: str) -> bool:
    return partner_id not in state.problem.exercise[exercise_id].required_partners


def _release(state: PlanState, pairs: tuple[tuple[str, str], ...]) -> dict[str, Event]:
    """Let partners leave held events; the events as they were."""
    leaving: dict[str, set[str]] = defaultdict(set)
    for eid, partner_id in pairs:
        leaving[eid].add(partner_id)
    before: dict[str, Event] = {}
    for eid, partners in leaving.items():
        event = state.remove(eid)
        before[eid] = event
        kept = tuple(p for p in event.participants if p not in partners)
        state.place(
            state.problem.exercise[eid],
            Event(eid, event.start, event.venue_id, kept),
        )
    return before


def _required_by_placed(state: PlanState, exercise_id: str) -> bool:
    return any(
        d.before == exercise_id and d.requires and d.after in state.placed
        for d in state.depends.get(exercise_id, [])
    )


def _drop_unsupported(state: PlanState) -> None:
    """Take out every event whose required exercise is not held (a repair
    that could not put it back), and what requires those in turn."""
    while True:
        unsupported = [
            eid
            for eid in state.placed
            for d in state.depends.get(eid, [])
            if d.after == eid and d.requires and d.before not in state.placed
        ]
        if not unsupported:
            return
        _remove_all(state, frozenset(unsupported))


def _required_before(state: PlanState, exercise: Exercise) -> list[Exercise]:
    return [
        state.problem.exercise[d.before]
        for d in state.depends.get(exercise.id, [])
        if d.after == exercise.id and d.requires
    ]


def _resource_blockers(
    state: PlanState,
    exercise_id: str,
    start: int,
    end: int,
    capacity: int,
    blackout: set[int],
    uses: object,
) -> set[str] | None:
    """Events using a venue or asset in the slots where it is full."""
    blockers: set[str] = set()
    for s in range(start, end + 1):
        if s in blackout:
            return None
        users = [
            eid
            for eid in state.occupants[s]
            if eid != exercise_id and uses(state.placed[eid])  # type: ignore[operator]
        ]
        if len(users) >= capacity:
            blockers.update(users)
    return blockers


def _partner_blockers(
    state: PlanState, partner_id: str, start: int, end: int
) -> set[str] | None:
    """Events of the partner too close to ``start..end`` (rest gap included)."""
    partner = state.problem.partner[partner_id]
    if state.blackout["partner", partner_id] & set(range(start, end + 1)):
        return None
    most = partner.max_events
    if most is not None and len(state.partner_events[partner_id]) >= most:
        return None
    gap = partner.min_gap
    lo, hi = max(0, start - gap), min(state.problem.n_slots - 1, end + gap)
    near = {
        eid
        for s in range(lo, hi + 1)
        for eid in state.occupants[s]
        if partner_id in state.placed[eid].participants
    }
    if partner.max_concurrent == 1:
        return near
    blockers: set[str] = set()
    for eid in near:
        event = state.placed[eid]
        last = event.start + state.problem.exercise[eid].duration - 1
        overlaps = event.start <= end and start <= last
        if not overlaps and (start < last + 1 + gap and event.start < end + 1 + gap):
            blockers.add(eid)
    for s in range(start, end + 1):
        if state.partner_load[partner_id][s] >= partner.max_concurrent:
            blockers.update(
                e
                for e in state.occupants[s]
                if partner_id in state.placed[e].participants
            )
    return blockers


def _remove_all(state: PlanState, exercise_ids: frozenset[str]) -> dict[str, Event]:
    """Take events out, and with them what requires them; the events removed."""
    removed: dict[str, Event] = {}
    pending = sorted(exercise_ids)
    while pending:
        eid = pending.pop()
        if eid not in state.placed:
            continue
        removed[eid] = state.remove(eid)
        pending.extend(
            d.after
            for d in state.depends.get(eid, [])
            if d.before == eid and d.requires and d.after in state.placed
        )
    return removed


def _pursue(state: PlanState, repair: _Repair, goal: Goal, deadline: Deadline) -> None:
    """Bring a hard goal's counts up to min_count, one event at a time."""
    problem = state.problem
    if goal.kind == GoalKind.ENGAGEMENT:
        partners = goal.partners or tuple(p.id for p in problem.partners)
        for partner_id in partners:
            while state.engaged[goal.id, partner_id] < goal.min_count:
                if deadline.passed() or not _one_more(
                    state, repair, goal, (partner_id,)
                ):
                    break
        return
    while _count(state, goal) < goal.min_count:
        if deadline.passed() or not _one_more(state, repair, goal, goal.partners):
            return


def _met(state: PlanState, goal: Goal) -> bool:
    return _short(state, goal) == 0


def _short(state: PlanState, goal: Goal) -> int:
    """How many counts ``goal`` still lacks (summed over an engagement
    goal's partners)."""
    if goal.kind == GoalKind.ENGAGEMENT:
        partners = goal.partners or tuple(p.id for p in state.problem.partners)
        return sum(max(0, goal.min_count - state.engaged[goal.id, p]) for p in partners)
    return max(0, goal.min_count - _count(state, goal))


def _shortfall(state: PlanState, goals: list[Goal]) -> int:
    return sum(_short(state, g) for g in goals)


def _count(state: PlanState, goal: Goal) -> int:
    if goal.kind == GoalKind.TOGETHER:
        return state.together[goal.id]
    return state.covered[goal.id]


def _one_more(
    state: PlanState, repair: _Repair, goal: Goal, partners: tuple[str, ...]
) -> bool:
    """One more event counting for ``goal`` with ``partners``: invite them to
    a held event, or hold an exercise that brings them (repairing if needed)."""
    wanted = frozenset(partners)
    counting = [e for e in state.counting[goal.id] if wanted <= state.invited[e.id]]
    for exercise in counting:
        event = state.placed.get(exercise.id)
        if event is None or wanted <= set(event.participants):
            continue
        if _invite(state, exercise, event, partners):
            return True
    unheld = [e for e in counting if e.id not in state.placed]

    def fits_bringing(exercise: Exercise) -> bool:
        repair.budget -= 1
        if not _fit(state, exercise):
            return False
        if wanted <= set(state.placed[exercise.id].participants):
            return True
        state.take_back(exercise.id)
        return False

    def repaired(exercise: Exercise) -> bool:
        return repair.run(_bringing(exercise, partners))

    return _any_of(repair, unheld, wanted, repair.unfit, fits_bringing) or (
        _any_of(repair, unheld, wanted, repair.futile, repaired)
    )


def _any_of(
    repair: _Repair,
    exercises: list[Exercise],
    wanted: frozenset[str],
    failed: dict[tuple[str, frozenset[str]], int],
    attempt: Callable[[Exercise], bool],
) -> bool:
    """Whether ``attempt`` succeeds for one of ``exercises``, tried in turn
    within the repair's budget and deadline; ``failed`` remembers those it
    failed for since the plan last made room."""
    for exercise in exercises:
        key = (exercise.id, wanted)
        if failed.get(key) == repair.state.removals:
            continue
        if repair.budget <= 0 or repair.deadline.passed():
            return False
        if attempt(exercise):
            return True
        failed[key] = repair.state.removals
    return False


def _bringing(exercise: Exercise, partners: tuple[str, ...]) -> Exercise:
    """The exercise as the repair should place it: with ``partners`` as if
    they were required, so that their other events are moved out of the way."""
    required = tuple(dict.fromkeys((*exercise.required_partners, *partners)))
    fewest = max(exercise.min_partners, len(required))
    return replace(exercise, required_partners=required, min_partners=fewest)


def _invite(
    state: PlanState, exercise: Exercise, event: Event, partners: tuple[str, ...]
) -> bool:
    """Add ``partners`` to a held event if each is free, in budget and room."""
    new = [p for p in partners if p not in event.participants]
    venue = state.problem.venue[event.venue_id]
    most = min(
        exercise.max_partners if exercise.max_partners is not None else 10**9,
        venue.capacity if venue.capacity is not None else 10**9,
    )
    if len(event.participants) + len(new) > most:
        return False
    end = event.start + exercise.duration - 1
    for partner_id in new:
        cap = state.problem.partner[partner_id].budget
        cost = state.problem.partner_cost(exercise, partner_id, event.venue_id)
        if cap is not None and state.partner_spend[partner_id] + cost > cap:
            return False
        if not partner_free(state, partner_id, event.start, end):
            return False
    state.remove(exercise.id)
    participants = tuple(sorted((*event.participants, *new)))
    state.place(exercise, Event(exercise.id, event.start, event.venue_id, participants))
    return True


def shortfalls(problem: Problem, plan: Plan) -> frozenset[str]:
    """The exercises at the heart of what ``plan`` still breaks: each mandatory
    exercise it does not hold, and every exercise that could count for a hard
    goal it does not meet (trains the goal's area and invites its partners).

    Empty when the plan holds every mandatory exercise and meets every hard
    goal, the two things a construction can leave undone.
    """
    state = PlanState(problem)
    for event in plan.events:
        state.place(problem.exercise[event.exercise_id], event)
    missing = {
        e.id for e in problem.exercises if e.mandatory and e.id not in plan.by_exercise
    }
    for goal in state.goals:
        if not goal.hard or _met(state, goal):
            continue
        if goal.kind == GoalKind.ENGAGEMENT:
            partners = goal.partners or tuple(p.id for p in problem.partners)
            short = {p for p in partners if state.engaged[goal.id, p] < goal.min_count}
            missing |= {
                e.id
                for e in problem.exercises
                if e.trains(goal.area) and short & set(e.invited_partners)
            }
        else:
            missing |= {
                e.id
                for e in problem.exercises
                if e.trains(goal.area) and set(goal.partners) <= set(e.invited_partners)
            }
    return frozenset(missing)
