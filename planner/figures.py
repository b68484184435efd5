"""What a plan amounts to, reckoned from the domain alone: spend, goal
progress, the objective's named terms, changes from a baseline.

The checker (`planner.check`) judges plans with these figures, and every
output shows them, so they are computed here once and the same way for both.
Like the checker, this module shares nothing with the model but
``planner.domain``: the objective terms recomputed here are what tests compare
with the model's own.

A plan read from a user's schedule may name exercises twice or exercises the
programme does not have: the figures see only the first event of each known
exercise (`Held`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from planner.domain import (
    TERM_CHANGE,
    TERM_COST,
    TERM_GOAL_SHORTFALL,
    TERM_VALUE,
    Change,
    Event,
    Exercise,
    Goal,
    GoalKind,
    Plan,
    Problem,
    event_changes,
)
from planner.report import GoalProgress

# Long lists of exercise ids are cut here so a message stays readable.
MAX_LISTED = 10


def listed_ids(ids: Iterable[str]) -> str:
    """Exercise ids for a message, cut after `MAX_LISTED` so it stays readable."""
    ids = list(ids)
    if len(ids) <= MAX_LISTED:
        return ", ".join(ids)
    listed = ", ".join(ids[:MAX_LISTED])
    return f"{listed} and {len(ids) - MAX_LISTED} more"


@dataclass(frozen=True)
class Placed:
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
class Held:
    """The plan as the rules see it: one event per held exercise, indexed.

    Built once per check, so that every rule that needs "the events of this
    partner" or "of this venue" finds them without scanning the whole plan.
    """

    problem: Problem
    plan: Plan
    events: tuple[Placed, ...]  # first event of each known exercise, plan order
    by_exercise: dict[str, Placed]
    by_partner: dict[str, list[Placed]]  # known partners only
    by_venue: dict[str, list[Placed]]  # known venues only
    by_asset: dict[str, list[Placed]]  # known assets only

    @classmethod
    def of(cls, problem: Problem, plan: Plan) -> Held:
        by_exercise: dict[str, Placed] = {}
        for event in plan.events:
            exercise = problem.exercise.get(event.exercise_id)
            if exercise is None or exercise.id in by_exercise:
                continue
            participants = tuple(dict.fromkeys(event.participants))
            by_exercise[exercise.id] = Placed(event, exercise, participants)
        events = tuple(by_exercise.values())
        by_partner: dict[str, list[Placed]] = defaultdict(list)
        by_venue: dict[str, list[Placed]] = defaultdict(list)
        by_asset: dict[str, list[Placed]] = defaultdict(list)
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

    def partner_spend(self) -> dict[str, int]:
        """Every partner's spend: cost_per_partner plus travel, per event."""
        problem = self.problem
        return {
            partner.id: sum(
                problem.partner_cost(placed.exercise, partner.id, placed.venue_id)
                for placed in self.by_partner.get(partner.id, [])
            )
            for partner in problem.partners
        }

    def organizer_spend(self) -> int:
        """Σ over held exercises of fixed_cost + venue cost_per_slot * duration."""
        return sum(
            placed.exercise.organizer_cost(self.problem.venue.get(placed.venue_id))
            for placed in self.events
        )

    def goal_progress(self, goal: Goal) -> GoalProgress:
        """How far the held events get towards ``goal``."""
        if goal.kind is GoalKind.ENGAGEMENT:
            return _engagement(self, goal)
        return _count_towards(self, goal)


def _count_towards(held: Held, goal: Goal) -> GoalProgress:
    """Held exercises that count towards a together or coverage goal."""
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
        listed_ids(counted),
        tuple(counted),
    )


def _engagement(held: Held, goal: Goal) -> GoalProgress:
    """Each partner counts on its own; a missing count weighs partner.weight."""
    problem = held.problem
    partner_ids = goal.partners or tuple(p.id for p in problem.partners)
    counted = {
        partner_id: [
            placed.id
            for placed in held.by_partner.get(partner_id, [])
            if placed.exercise.trains(goal.area)
        ]
        for partner_id in partner_ids
    }
    counts = {partner_id: len(ids) for partner_id, ids in counted.items()}
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
        tuple(dict.fromkeys(i for ids in counted.values() for i in ids)),
    )


def partner_spend(problem: Problem, plan: Plan) -> dict[str, int]:
    """Every partner's spend: cost_per_partner plus travel, per event it attends."""
    return Held.of(problem, plan).partner_spend()


def organizer_spend(problem: Problem, plan: Plan) -> int:
    """Σ over held exercises of fixed_cost + venue cost_per_slot * duration."""
    return Held.of(problem, plan).organizer_spend()


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
    held = Held.of(problem, plan)
    return [held.goal_progress(goal) for goal in problem.goals]


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
    held = Held.of(problem, plan)
    weights = problem.settings.weights
    value = sum(placed.exercise.value for placed in held.events)
    shortfall = sum(
        goal.weight * held.goal_progress(goal).shortfall
        for goal in problem.goals
        if not goal.hard
    )
    spend = held.organizer_spend() + sum(held.partner_spend().values())
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
    now = Held.of(problem, plan).by_exercise
    before = Held.of(problem, baseline).by_exercise
    found: dict[Change, list[str]] = {change: [] for change in Change}
    partners: list[tuple[str, str, str]] = []
    for exercise in problem.exercises:
        eid = exercise.id
        old, new = before.get(eid), now.get(eid)
        changes = dict(event_changes(_seen(problem, old), _seen(problem, new)))
        # Nobody chose to leave a venue the programme no longer has.
        if old is not None and old.venue_id not in problem.venue:
            changes.pop(Change.VENUE, None)
        for change in changes:
            found[change].append(eid)
        partners += [(eid, p, "leaves") for p in changes.get(Change.LEFT, ())]
        partners += [(eid, p, "joins") for p in changes.get(Change.JOINED, ())]
    moved, venue_changed = found[Change.MOVED], found[Change.VENUE]
    dropped, added = found[Change.DROPPED], found[Change.ADDED]
    return Changes(
        tuple(moved),
        tuple(venue_changed),
        tuple(dropped),
        tuple(added),
        tuple(partners),
    )


def _seen(problem: Problem, placed: Placed | None) -> Event | None:
    """The event as the change weights see it: the programme's partners only."""
    if placed is None:
        return None
    participants = tuple(p for p in placed.participants if p in problem.partner)
    return Event(placed.id, placed.first, placed.venue_id, participants)


def plan_kpis(
    problem: Problem, plan: Plan | None, baseline: Plan | None = None
) -> dict[str, object]:
    """The ``kpis`` object of schedule.json: what a comparison needs to know.

    The programme's exercises are always listed (names and kinds for display,
    and to tell whether two results plan the same programme); the figures about
    the plan are null when there is none. An event of an unknown exercise, or
    a second event of one, counts as the checker counts it: not at all.
    """
    data: dict[str, object] = {
        "programme": problem.name,
        "exercises": [
            {
                "id": e.id,
                "name": e.name,
                "kind": e.kind,
                "mandatory": e.mandatory,
                "value": e.value,
                "duration": e.duration,
            }
            for e in problem.exercises
        ],
        "total_budget": problem.settings.total_budget,
    }
    figures = (
        "objective",
        "terms",
        "held_mandatory",
        "held_optional",
        "value",
        "organizer_spend",
        "goals",
        "partners",
    )
    if plan is None:
        return data | dict.fromkeys(figures)
    held = Held.of(problem, plan)
    exercises = [placed.exercise for placed in held.events]
    terms = objective_terms(problem, plan, baseline)
    mandatory = sum(e.mandatory for e in exercises)
    return data | {
        "objective": sum(terms.values()),
        "terms": terms,
        "held_mandatory": mandatory,
        "held_optional": len(exercises) - mandatory,
        "value": sum(e.value for e in exercises),
        "organizer_spend": held.organizer_spend(),
        "goals": _goals_json(held),
        "partners": _partners_json(held),
    }


def _goals_json(held: Held) -> list[dict[str, object]]:
    return [
        {
            "id": goal.id,
            "kind": str(goal.kind),
            "hard": goal.hard,
            "target": progress.target,
            "achieved": progress.achieved,
            "shortfall": progress.shortfall,
            "met": progress.met,
        }
        for goal in held.problem.goals
        for progress in [held.goal_progress(goal)]
    ]


def _partners_json(held: Held) -> list[dict[str, object]]:
    spends = held.partner_spend()
    return [
        {
            "id": partner.id,
            "name": partner.name,
            "events": sum(partner.id in placed.participants for placed in held.events),
            "spend": spends.get(partner.id, 0),
            "budget": partner.budget,
        }
        for partner in held.problem.partners
    ]
