"""The decisions of a plan as CP-SAT variables, keyed by the problem's ids.

Only choices that can be part of a plan get a variable: a venue literal for each
venue able to host the exercise, a participation literal for each invited partner
who could attend, start values limited to the slots the exercise could start in.
That pruning is what keeps a 1500-exercise programme small; it only ever uses
input rows that are always enforced (see `Guard`), so a row that an explanation
may switch off never prunes anything.

Besides the decisions this module defines the quantities that several rules and
the objective share: each event's organizer and partner spend and each goal's
counts. Their defining constraints are definitions, never relaxed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from planner.domain import Exercise, Goal, GoalKind, Period, Problem, Source, Venue

Literal = cp_model.IntVar
Expr = cp_model.LinearExprT
GuardFn = Callable[[Source], list[Literal]]
Valuation = Callable[[Expr], int]  # the value of an expression in some plan
Derivation = Callable[[Valuation], int]  # an auxiliary variable's value from it


class Guard:
    """Which input rows an explanation may switch off, as enforcement literals.

    ``guard(source)`` lists the literals that must all be true for the row's
    constraint to hold; ``[]`` means the row always holds (the default, and every
    row without a source). Answers are cached so each row is asked once.
    """

    def __init__(self, guard: GuardFn | None = None) -> None:
        self._guard = guard
        self._cache: dict[Source, list[Literal]] = {}

    def __call__(self, source: Source | None) -> list[Literal]:
        if self._guard is None or source is None:
            return []
        if source not in self._cache:
            self._cache[source] = list(self._guard(source))
        return self._cache[source]

    def always(self, source: Source | None) -> bool:
        """True when the row can never be switched off, so it may prune."""
        return not self(source)


class SourceGuard:
    """A guard giving every input row its own assumption literal.

    ``build_model`` binds it to the model it builds; afterwards ``literals`` maps
    each row that guards a constraint to its literal, ready for
    ``CpModel.add_assumptions`` and ``sufficient_assumptions_for_infeasibility``.
    """

    def __init__(self) -> None:
        self.model: cp_model.CpModel | None = None
        self.literals: dict[Source, Literal] = {}

    def bind(self, model: cp_model.CpModel) -> None:
        self.model = model
        self.literals = {}

    def __call__(self, source: Source) -> list[Literal]:
        if self.model is None:
            raise RuntimeError("SourceGuard is used before build_model bound it")
        if source not in self.literals:
            self.literals[source] = self.model.new_bool_var(f"row {source}")
        return [self.literals[source]]


@dataclass
class Variables:
    """Every decision and shared quantity of the model, keyed by ids.

    Interval variables are made by the rules that schedule them, since their
    presence (and for partners their length, rest gap included) is the rule's.
    """

    held: dict[str, Literal] = field(default_factory=dict)  # exercise -> held
    start: dict[str, cp_model.IntVar] = field(default_factory=dict)  # first slot
    starts: dict[str, tuple[int, ...]] = field(default_factory=dict)  # its domain
    # (exercise, venue) -> held there; (exercise, partner) -> takes part
    at_venue: dict[tuple[str, str], Literal] = field(default_factory=dict)
    takes_part: dict[tuple[str, str], Literal] = field(default_factory=dict)
    venues: dict[str, tuple[str, ...]] = field(default_factory=dict)  # can host
    partners: dict[str, tuple[str, ...]] = field(default_factory=dict)  # can attend
    partner_spend: dict[tuple[str, str], Expr] = field(default_factory=dict)
    organizer_spend: dict[str, Expr] = field(default_factory=dict)  # per exercise
    # goal -> each count it is measured on, with that count's shortfall weight
    goal_counts: dict[str, list[tuple[int, Expr]]] = field(default_factory=dict)
    # Auxiliary variables with their values in terms of the decisions, in the
    # order they were made, so a hinted plan can hint them too.
    derived: list[tuple[cp_model.IntVar, Derivation]] = field(default_factory=list)


def blocked_starts(periods: Iterable[Period], duration: int) -> set[int]:
    """Starts whose event of ``duration`` slots would touch one of ``periods``."""
    blocked: set[int] = set()
    for period in periods:
        blocked.update(range(period.first - duration + 1, period.last + 1))
    return blocked


def fixed_periods(periods: Iterable[Period], guard: Guard) -> list[Period]:
    """The blackouts that can never be switched off."""
    return [p for p in periods if guard.always(p.source)]


def can_host(exercise: Exercise, venue: Venue, guard: Guard) -> bool:
    """Whether ``venue`` could ever host ``exercise``, judged on fixed rows only."""
    if exercise.venues and venue.id not in exercise.venues:
        return False
    if not exercise.needs <= venue.capabilities:
        return False
    fixed = guard.always(exercise.source)
    if fixed and exercise.fixed_venue is not None and venue.id != exercise.fixed_venue:
        return False
    fewest = max(len(exercise.required_partners), exercise.min_partners)
    return not (
        venue.capacity is not None
        and venue.capacity < fewest
        and guard.always(venue.source)
    )


def possible_starts(problem: Problem, exercise: Exercise, guard: Guard) -> list[int]:
    """Starts allowed by the horizon and by the rows that always hold.

    Those rows: the exercise's window and fixed start, and the blackouts of its
    required partners and of its assets (which it uses throughout).
    """
    lowest, highest = 0, problem.n_slots - exercise.duration
    if guard.always(exercise.source):
        lowest = max(lowest, exercise.earliest_start)
        highest = min(highest, exercise.latest_start)
        if exercise.fixed_start is not None:
            lowest = max(lowest, exercise.fixed_start)
            highest = min(highest, exercise.fixed_start)
    periods = [
        period
        for partner_id in exercise.required_partners
        for period in problem.partner[partner_id].unavailable
    ]
    periods += [
        period
        for asset_id in exercise.assets
        for period in problem.asset[asset_id].unavailable
    ]
    blocked = blocked_starts(fixed_periods(periods, guard), exercise.duration)
    return [s for s in range(lowest, highest + 1) if s not in blocked]


def venue_starts(
    exercise: Exercise, venue: Venue, starts: list[int], guard: Guard
) -> list[int]:
    """The starts in ``starts`` that the venue's fixed blackouts leave open."""
    blocked = blocked_starts(fixed_periods(venue.unavailable, guard), exercise.duration)
    return [s for s in starts if s not in blocked]


def create_variables(
    model: cp_model.CpModel, problem: Problem, guard: Guard
) -> Variables:
    """Create the decisions for every exercise and the quantities shared by rules."""
    v = Variables()
    for exercise in problem.exercises:
        _exercise_decisions(model, problem, exercise, guard, v)
    for exercise in problem.exercises:
        _participation(model, problem, exercise, guard, v)
    for exercise in problem.exercises:
        _spend(model, problem, exercise, v)
    for goal in problem.goals:
        if goal.hard or (problem.settings.weights.goal_shortfall and goal.weight):
            v.goal_counts[goal.id] = _goal_counts(model, problem, goal, v)
    return v


def _exercise_decisions(
    model: cp_model.CpModel,
    problem: Problem,
    exercise: Exercise,
    guard: Guard,
    v: Variables,
) -> None:
    """Held, start and venue choice of one exercise, pruned to what can be."""
    eid = exercise.id
    starts = possible_starts(problem, exercise, guard)
    venue_open: dict[str, list[int]] = {}
    for venue in problem.venues:
        if can_host(exercise, venue, guard):
            open_starts = venue_starts(exercise, venue, starts, guard)
            if open_starts:
                venue_open[venue.id] = open_starts
    starts = sorted({s for open_starts in venue_open.values() for s in open_starts})
    held = model.new_bool_var(f"held {eid}")
    if not starts:
        # No venue can host it at any start (rules.one_venue then forbids
        # holding it), so the start is a placeholder.
        starts = [0]
    start = model.new_int_var_from_domain(
        cp_model.Domain.from_values(starts), f"start {eid}"
    )
    v.held[eid] = held
    v.start[eid] = start
    v.starts[eid] = tuple(starts)
    v.venues[eid] = tuple(venue_open)
    for venue_id in venue_open:
        if len(venue_open) == 1:
            v.at_venue[eid, venue_id] = held
        else:
            v.at_venue[eid, venue_id] = model.new_bool_var(f"{eid} at {venue_id}")


def _participation(
    model: cp_model.CpModel,
    problem: Problem,
    exercise: Exercise,
    guard: Guard,
    v: Variables,
) -> None:
    """One literal per invited partner who could attend some possible start.

    A required partner always gets one: its blackouts already shaped the starts.
    """
    eid = exercise.id
    required = set(exercise.required_partners)
    attending = []
    for partner_id in exercise.required_partners + exercise.optional_partners:
        partner = problem.partner[partner_id]
        blocked = blocked_starts(
            fixed_periods(partner.unavailable, guard), exercise.duration
        )
        if partner_id in required or any(s not in blocked for s in v.starts[eid]):
            v.takes_part[eid, partner_id] = model.new_bool_var(f"{partner_id} in {eid}")
            attending.append(partner_id)
    v.partners[eid] = tuple(attending)


def weighted(pairs: Iterable[tuple[int, Expr]]) -> Expr:
    """Σ coefficient * expression, built flat so large sums stay cheap."""
    pairs = [(c, e) for c, e in pairs if c]
    return cp_model.LinearExpr.weighted_sum(
        [e for _, e in pairs], [c for c, _ in pairs]
    )


def _spend(
    model: cp_model.CpModel, problem: Problem, exercise: Exercise, v: Variables
) -> None:
    """Organizer and partner spend of one exercise, equal to the true spend.

    Travel depends on the venue, so a partner's spend is
    ``(cost_per_partner + cheapest travel) * takes_part + extra travel``, where
    the extra travel is ``Σ_venue (travel(partner, venue) - cheapest) *
    at_venue`` when it takes part and 0 otherwise: one integer per (exercise,
    partner) instead of a literal per (exercise, venue, partner). A required
    partner takes part exactly when the exercise is held, so its extra travel is
    the plain sum, no extra variable.
    """
    eid = exercise.id
    venues = v.venues[eid]
    v.organizer_spend[eid] = weighted(
        [(exercise.fixed_cost, v.held[eid])]
        + [
            (
                problem.venue[venue_id].cost_per_slot * exercise.duration,
                v.at_venue[eid, venue_id],
            )
            for venue_id in venues
        ]
    )
    required = set(exercise.required_partners)
    for partner_id in v.partners[eid]:
        takes_part = v.takes_part[eid, partner_id]
        travel = {
            venue_id: problem.travel.get((partner_id, venue_id), 0)
            for venue_id in venues
        }
        cheapest = min(travel.values(), default=0)
        extra = {
            venue_id: cost - cheapest
            for venue_id, cost in travel.items()
            if cost != cheapest
        }
        base = (exercise.cost_per_partner + cheapest, takes_part)
        if not extra:
            spend = weighted([base])
        elif partner_id in required:
            spend = weighted(
                [base]
                + [
                    (cost, v.at_venue[eid, venue_id])
                    for venue_id, cost in extra.items()
                ]
            )
        else:
            travel_var = _extra_travel(model, eid, partner_id, takes_part, extra, v)
            spend = weighted([base, (1, travel_var)])
        v.partner_spend[eid, partner_id] = spend


def _extra_travel(
    model: cp_model.CpModel,
    eid: str,
    partner_id: str,
    takes_part: Literal,
    extra: dict[str, int],
    v: Variables,
) -> cp_model.IntVar:
    """Travel above the cheapest venue for an optional partner: 0 when absent."""
    travel = model.new_int_var(0, max(extra.values()), f"travel {partner_id} {eid}")
    at_venue = weighted(
        (cost, v.at_venue[eid, venue_id]) for venue_id, cost in extra.items()
    )
    model.add(travel == at_venue).only_enforce_if(takes_part)
    model.add(travel == 0).only_enforce_if(~takes_part)
    v.derived.append(
        (travel, lambda value: value(at_venue) if value(takes_part) else 0)
    )
    return travel


def _goal_counts(
    model: cp_model.CpModel, problem: Problem, goal: Goal, v: Variables
) -> list[tuple[int, Expr]]:
    """The counts a goal is measured on, each with the weight of its shortfall."""
    exercises = [e for e in problem.exercises if e.trains(goal.area)]
    if goal.kind == GoalKind.COVERAGE:
        return [(1, cp_model.LinearExpr.sum([v.held[e.id] for e in exercises]))]
    if goal.kind == GoalKind.ENGAGEMENT:
        partners = goal.partners or tuple(p.id for p in problem.partners)
        return [
            (
                problem.partner[partner_id].weight,
                cp_model.LinearExpr.sum(
                    [
                        v.takes_part[e.id, partner_id]
                        for e in exercises
                        if (e.id, partner_id) in v.takes_part
                    ]
                ),
            )
            for partner_id in partners
        ]
    together = [
        _all_take_part(model, goal, e.id, v)
        for e in exercises
        if all((e.id, p) in v.takes_part for p in goal.partners)
    ]
    return [(1, cp_model.LinearExpr.sum(together))]


def _all_take_part(
    model: cp_model.CpModel, goal: Goal, eid: str, v: Variables
) -> Literal:
    """A literal true exactly when the exercise is held with all goal partners."""
    if not goal.partners:
        return v.held[eid]
    members = [v.takes_part[eid, p] for p in goal.partners]
    if len(members) == 1:
        return members[0]
    together = model.new_bool_var(f"together {goal.id} {eid}")
    model.add_bool_and(members).only_enforce_if(together)
    model.add_bool_or([together] + [~m for m in members])
    v.derived.append((together, lambda value: int(all(value(m) for m in members))))
    return together
