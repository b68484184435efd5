"""The problem and the plan, as the rest of `planner` sees them.

The workbook reader builds a `Problem` once; nothing changes it afterwards
(variants for what-if questions are made with `dataclasses.replace`). Dates are
already turned into slot indices: slot ``i`` covers the days
``planning_start + i * slot_days`` to ``planning_start + i * slot_days +
slot_days - 1``. Every slot range here is inclusive at both ends.

Money is in whole currency units and every weight is a whole number, because
CP-SAT works on integers; the reader rounds money and says so when it has to.

The model (``planner.model``) and the independent checker (``planner.check``)
share nothing but this module, so each rule is written twice, once per side.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Protocol


@dataclass(frozen=True)
class Source:
    """Where a fact came from in the workbook, so messages can point at it."""

    sheet: str
    row: int  # 1-based Excel row number

    def __str__(self) -> str:
        return f"{self.sheet}!{self.row}"


@dataclass(frozen=True)
class Period:
    """A run of slots during which a partner, venue or asset cannot be used."""

    first: int
    last: int  # inclusive
    reason: str = ""
    source: Source | None = None
    # The row's dates as typed (None when built in code): weeks round them to
    # whole slots, and what people read shows both (`planner.explain.words`).
    start_date: dt.date | None = None
    end_date: dt.date | None = None

    def touches(self, start: int, end: int) -> bool:
        """True when the period shares a slot with ``start..end`` (inclusive)."""
        return self.first <= end and start <= self.last


@dataclass(frozen=True)
class Partner:
    id: str
    name: str = ""
    country_code: str = ""
    region: str = ""
    budget: int | None = None  # cap on what this partner spends; None: no cap
    max_events: int | None = None
    max_concurrent: int = 1
    min_gap: int = 0  # free slots between two of its events that do not overlap
    weight: int = 1  # scales this partner's engagement-goal shortfall
    unavailable: tuple[Period, ...] = ()  # its public holidays included
    dropout_probability: float = 0.0  # robustness study: chance it drops out
    source: Source | None = None
    public_holidays: bool | None = None  # its own choice; None: as Settings


@dataclass(frozen=True)
class Holiday:
    """A public holiday of a partner's country inside the horizon.

    ``blocks``: the holiday's slot is one of the partner's blackouts (a week
    holding at least ``Settings.holiday_days_per_week`` weekday holidays, or
    the day itself with day slots); that blackout's Period has ``source``.
    """

    partner_id: str
    country_code: str
    day: dt.date
    name: str
    slot: int
    blocks: bool
    source: Source | None = None


@dataclass(frozen=True)
class Venue:
    id: str
    name: str = ""
    host_partner: str | None = None
    region: str = ""
    capabilities: frozenset[str] = frozenset()
    capacity: int | None = None  # max partners taking part in one event there
    cost_per_slot: int = 0
    max_concurrent: int = 1
    unavailable: tuple[Period, ...] = ()
    source: Source | None = None


@dataclass(frozen=True)
class Asset:
    """A ship, a headquarters staff, a simulation centre shared by exercises."""

    id: str
    name: str = ""
    capacity: int = 1  # events that may use it at once
    unavailable: tuple[Period, ...] = ()
    source: Source | None = None


@dataclass(frozen=True)
class Exercise:
    id: str
    duration: int  # slots
    earliest_start: int  # first slot it may occupy
    latest_end: int  # last slot it may occupy (inclusive)
    name: str = ""
    kind: str = ""
    mandatory: bool = False
    value: int = 1
    venues: tuple[str, ...] = ()  # allowed venue ids; empty: any venue
    needs: frozenset[str] = frozenset()  # capabilities the venue must have
    required_partners: tuple[str, ...] = ()
    invited_partners: tuple[str, ...] = ()  # includes every required partner
    min_partners: int = 0  # counts every partner taking part
    max_partners: int | None = None
    fixed_cost: int = 0
    cost_per_partner: int = 0  # paid by each partner that takes part
    areas: frozenset[str] = frozenset()  # interoperability areas it trains
    assets: tuple[str, ...] = ()
    fixed_start: int | None = None
    fixed_venue: str | None = None
    source: Source | None = None
    # The row's dates as typed (None when blank or built in code): weeks
    # round them to whole slots, and what people read shows both.
    earliest_start_date: dt.date | None = None
    latest_end_date: dt.date | None = None
    fixed_start_date: dt.date | None = None
    # Why it can never be held, as the workbook findings that say so (each
    # with its cell): an optional exercise the workbook makes impossible is
    # kept, left out of every plan and listed with these reasons.
    impossible: tuple[Finding, ...] = ()

    @property
    def latest_start(self) -> int:
        return self.latest_end - self.duration + 1

    @property
    def optional_partners(self) -> tuple[str, ...]:
        """Invited partners that may, but need not, take part."""
        required = set(self.required_partners)
        return tuple(p for p in self.invited_partners if p not in required)

    def trains(self, area: str | None) -> bool:
        """Whether it counts for a goal in ``area`` (None: any exercise does)."""
        return area is None or area in self.areas

    def organizer_cost(self, venue: Venue | None) -> int:
        """What the organizer pays to hold it at ``venue`` (None: an unknown
        venue, which costs nothing per slot)."""
        per_slot = venue.cost_per_slot if venue is not None else 0
        return self.fixed_cost + per_slot * self.duration


class GoalKind(StrEnum):
    TOGETHER = "together"
    ENGAGEMENT = "engagement"
    COVERAGE = "coverage"


@dataclass(frozen=True)
class Goal:
    """An interoperability goal.

    together: all listed partners take part in the same held exercise (in
    ``area`` if given) at least ``min_count`` times.
    engagement: each listed partner (empty: every partner) takes part in at
    least ``min_count`` held exercises (in ``area`` if given).
    coverage: at least ``min_count`` held exercises train ``area``.
    """

    id: str
    kind: GoalKind
    min_count: int
    partners: tuple[str, ...] = ()
    area: str | None = None
    weight: int = 1
    hard: bool = False
    source: Source | None = None


@dataclass(frozen=True)
class Dependency:
    """``after`` starts at least ``min_gap`` free slots after ``before`` ends.

    Applies when both are held. ``max_gap`` (if set) caps the free slots
    between them. ``requires``: ``after`` may only be held when ``before`` is.
    """

    before: str
    after: str
    min_gap: int = 0
    max_gap: int | None = None
    requires: bool = False
    source: Source | None = None


@dataclass(frozen=True)
class Weights:
    """Objective weights, all in currency units so they compare directly.

    The objective (maximized) is::

        value * Σ value(e) over held e
        - goal_shortfall * Σ goal.weight * shortfall(goal)   (soft goals)
        - cost * (organizer spend + Σ partner spend)

    With the defaults one point of exercise value is worth 100,000 of spend
    and each missing count of a soft goal costs 200,000: exercise values of
    1 to 10 and travel costs in the thousands then pull against each other
    without either swamping the other.
    """

    value: int = 100_000
    goal_shortfall: int = 200_000
    cost: int = 1
    # Re-planning against a baseline (the ``change`` term): what each change
    # to an already published plan costs in staff work and goodwill. Each is
    # well below one point of value, so the plan changes for any real gain
    # but never for a tie.
    change_move: int = 30_000  # an exercise starts in another slot
    change_venue: int = 30_000  # an exercise is held at another venue
    change_drop: int = 50_000  # a baseline exercise is no longer held
    change_add: int = 20_000  # an exercise the baseline did not hold is held
    change_partner: int = 10_000  # per partner joining or leaving an event


@dataclass(frozen=True)
class Settings:
    planning_start: dt.date
    planning_end: dt.date  # inclusive
    time_unit: str = "week"  # "week" or "day"
    total_budget: int | None = None  # cap on organizer spend; None: no cap
    total_budget_source: Source | None = None  # the Settings row that sets it
    currency: str = ""
    time_limit_s: float = 60.0
    weights: Weights = field(default_factory=Weights)
    # Robustness study: the chance the total budget is cut, and by what share.
    budget_shock_probability: float = 0.0
    budget_shock_cut: float = 0.1
    public_holidays: bool = False  # partners' public holidays become blackouts
    holiday_days_per_week: int = 2  # weekday holidays that block a week slot
    # What the programme says about itself, printed on everything people hold.
    title: str = ""
    organisation: str = ""
    classification: str = ""  # the marking at the top and bottom of each page
    # The programme's identity in partners' calendars; blank: derived.
    programme_id: str = ""

    def __post_init__(self) -> None:
        """A programme always has an identity: one it was given, else one made
        from its title and planning start (`derived_programme_id`), never from
        a file name, so saving the workbook under another name keeps it."""
        if not self.programme_id:
            derived = derived_programme_id(self.title, self.planning_start)
            object.__setattr__(self, "programme_id", derived)

    @property
    def slot_days(self) -> int:
        return slot_days(self.time_unit)


def derived_programme_id(title: str, planning_start: dt.date) -> str:
    """The identity of a programme that was given none: its title in plain
    letters and its first day (``baltic-programme-2027-01-04``).

    Letters with diacritics keep their base letter; a title with letters of
    another script also gets a short digest of the title as typed, so two
    programmes titled in Cyrillic or Greek do not share one identity.
    """
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    kept = sum(c.isalnum() for c in plain)
    if kept < sum(c.isalnum() for c in title):
        digest = hashlib.sha256(title.encode()).hexdigest()[:8]
        slug = f"{slug}-{digest}" if slug else digest
    return f"{slug or 'programme'}-{planning_start.isoformat()}"


def slot_days(time_unit: str) -> int:
    """Days in one slot of ``time_unit``: a week or a day."""
    return 7 if time_unit == "week" else 1


@dataclass(frozen=True)
class Problem:
    """A validated programme: everything the model and the checker need."""

    settings: Settings
    partners: tuple[Partner, ...]
    venues: tuple[Venue, ...]
    exercises: tuple[Exercise, ...]
    assets: tuple[Asset, ...] = ()
    goals: tuple[Goal, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    travel_costs: tuple[tuple[str, str, int], ...] = ()  # (partner, venue, cost)
    name: str = ""
    holidays: tuple[Holiday, ...] = ()  # partners' public holidays, looked up

    def __post_init__(self) -> None:
        """Refuse a problem that breaks its own invariants (`problem_faults`).

        The reader only builds sound problems, so this fires on problems built
        in code (tests, probes, what-if variants made with ``replace``) that
        would otherwise reach the model and the checker unnoticed.
        """
        faults = problem_faults(self)
        if faults:
            raise ProblemError(faults)

    @property
    def n_slots(self) -> int:
        """Number of slots in the horizon; the last one holds planning_end."""
        return self.slot_of(self.settings.planning_end) + 1

    def slot_of(self, day: dt.date) -> int:
        """The slot that holds ``day`` (negative before the horizon)."""
        return (day - self.settings.planning_start).days // self.settings.slot_days

    def slot_start(self, slot: int) -> dt.date:
        return self.settings.planning_start + dt.timedelta(
            days=slot * self.settings.slot_days
        )

    def slot_end(self, slot: int) -> dt.date:
        """Last day of ``slot`` (inclusive)."""
        return self.slot_start(slot + 1) - dt.timedelta(days=1)

    def __getstate__(self) -> dict[str, object]:
        """The fields alone: a copy or another process rebuilds the lookups
        (read-only views, which cannot be pickled) when it first uses them."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    # The lookups are read-only views, so the problem cannot be changed
    # through them either.

    @cached_property
    def partner(self) -> Mapping[str, Partner]:
        return MappingProxyType({p.id: p for p in self.partners})

    @cached_property
    def venue(self) -> Mapping[str, Venue]:
        return MappingProxyType({v.id: v for v in self.venues})

    @cached_property
    def exercise(self) -> Mapping[str, Exercise]:
        return MappingProxyType({e.id: e for e in self.exercises})

    @cached_property
    def asset(self) -> Mapping[str, Asset]:
        return MappingProxyType({a.id: a for a in self.assets})

    @cached_property
    def travel(self) -> Mapping[tuple[str, str], int]:
        """Travel cost by (partner, venue); a missing pair costs nothing."""
        return MappingProxyType({(p, v): c for p, v, c in self.travel_costs})

    def partner_cost(self, exercise: Exercise, partner_id: str, venue_id: str) -> int:
        """What one partner pays to take part in ``exercise`` at ``venue_id``."""
        return exercise.cost_per_partner + self.travel.get((partner_id, venue_id), 0)


class Invariant(StrEnum):
    """The kinds of fact a `Problem` refuses (`problem_faults`).

    Named so that a test can prove the workbook reader catches every kind
    first, as a finding at its cell: a workbook never passes validation and
    then fails on its Problem.
    """

    HORIZON = "horizon runs backwards"
    DUPLICATE_ID = "id defined twice"
    UNKNOWN_ID = "unknown id"
    PERIOD = "blackout runs backwards"
    NOT_INVITED = "required partner not invited"
    PARTNER_BOUNDS = "max_partners below min_partners"
    DURATION = "duration below one slot"
    MANDATORY_WINDOW = "mandatory exercise's window too short"
    FIXED_START = "fixed start outside the horizon"
    GAP_BOUNDS = "max_gap below min_gap"
    OBJECTIVE_REACH = "objective beyond what is counted exactly"


@dataclass(frozen=True)
class Fault:
    """One broken invariant, in words."""

    invariant: Invariant
    message: str

    def __str__(self) -> str:
        return self.message


class ProblemError(ValueError):
    """A `Problem` built with facts that contradict each other; says which."""

    def __init__(self, faults: Iterable[Fault]) -> None:
        self.faults = tuple(faults)
        super().__init__("; ".join(map(str, self.faults)))


# CP-SAT reports the objective and its bound as doubles, exact up to 2**53,
# and the checker recomputes every term in whole numbers: a programme whose
# objective could go beyond would be judged on rounded figures (and a little
# further, could not be built at all: 64-bit coefficients overflow).
OBJECTIVE_LIMIT = 2**53


def spend_reach(
    fixed_cost: int, duration: int, per_slot: int, partners: int, per_partner: int
) -> int:
    """The most one exercise could cost everyone: held at a venue costing
    ``per_slot`` a slot, with ``partners`` partners paying ``per_partner``
    each (its cost_per_partner and the dearest travel)."""
    return fixed_cost + per_slot * duration + partners * per_partner


def objective_reach(
    weights: Weights,
    values: int,
    spend: int,
    shortfall: int,
    exercises: int,
    partners: int,
) -> dict[str, int]:
    """The largest magnitude each objective term could reach, by its name.

    ``values``: the exercises' values summed; ``spend``: their `spend_reach`
    summed; ``shortfall``: Σ over soft goals of goal.weight * min_count *
    the weights of the counts it is measured on (an engagement goal's
    partners' weights, else 1). The change term counts every change an
    exercise could make to a baseline, ``partners`` joining and leaving.
    The cost term counts spend at weight 1 at least, since budgets add it up
    whatever its weight.
    """
    change = exercises * (
        weights.change_move
        + weights.change_venue
        + weights.change_drop
        + weights.change_add
        + 2 * partners * weights.change_partner
    )
    return {
        TERM_VALUE: weights.value * values,
        TERM_GOAL_SHORTFALL: weights.goal_shortfall * shortfall,
        TERM_COST: max(weights.cost, 1) * spend,
        TERM_CHANGE: change,
    }


def problem_reach(problem: Problem) -> dict[str, int]:
    """`objective_reach` of ``problem``: every exercise at its dearest venue
    with every invited partner at the dearest travel."""
    per_slot = max((v.cost_per_slot for v in problem.venues), default=0)
    travel = max((cost for _, _, cost in problem.travel_costs), default=0)
    spend = sum(
        spend_reach(
            e.fixed_cost,
            e.duration,
            per_slot,
            len(e.invited_partners),
            e.cost_per_partner + travel,
        )
        for e in problem.exercises
    )
    shortfall = sum(
        goal.weight * goal.min_count * _count_weights(problem, goal)
        for goal in problem.goals
        if not goal.hard
    )
    return objective_reach(
        problem.settings.weights,
        sum(e.value for e in problem.exercises),
        spend,
        shortfall,
        len(problem.exercises),
        len(problem.partners),
    )


def _count_weights(problem: Problem, goal: Goal) -> int:
    """What one missing count of ``goal`` weighs before goal.weight: an
    engagement goal's partners' weights summed, else 1."""
    if goal.kind is not GoalKind.ENGAGEMENT:
        return 1
    partners = goal.partners or tuple(problem.partner)
    return sum(problem.partner[p].weight for p in partners if p in problem.partner)


def problem_faults(problem: Problem) -> list[Fault]:
    """Every broken invariant of ``problem``; empty when it is sound.

    Ids are unique per kind; every id an exercise, venue, goal, dependency or
    travel cost names exists; durations are at least one slot and a fixed
    start lies in the horizon; a mandatory exercise's window
    holds its duration; periods run forwards; partner and gap bounds are
    consistent; the objective stays within `OBJECTIVE_LIMIT`.

    An optional exercise's window may be too short: that is a fact of the
    programme, not a fault. The reader keeps such a row with its reason
    (`Exercise.impossible`, a warning since issue 8) and the model leaves it
    out of every plan, as the rules' tests show; so may partner bounds that
    contradict each other, on an exercise kept with such reasons. A
    mandatory one the reader refuses (an error naming the cell), so only a
    problem built by hand can have one, and no plan could ever hold it.
    """
    faults: list[Fault] = []
    settings = problem.settings
    if settings.planning_end < settings.planning_start:
        faults.append(Fault(Invariant.HORIZON, "planning_end is before planning_start"))
    kinds: tuple[tuple[str, tuple[Partner | Venue | Exercise | Asset | Goal, ...]], ...]
    kinds = (
        ("partner", problem.partners),
        ("venue", problem.venues),
        ("exercise", problem.exercises),
        ("asset", problem.assets),
        ("goal", problem.goals),
    )
    for kind, items in kinds:
        ids = [item.id for item in items]
        faults += [
            Fault(Invariant.DUPLICATE_ID, f"{kind} {i} is defined twice")
            for i in sorted(_twice(ids))
        ]
    partners = {p.id for p in problem.partners}
    venues = {v.id for v in problem.venues}
    assets = {a.id for a in problem.assets}
    exercises = {e.id for e in problem.exercises}
    n_slots = problem.n_slots
    for venue in problem.venues:
        if venue.host_partner is not None and venue.host_partner not in partners:
            faults += _unknown(f"venue {venue.id}", "host", [venue.host_partner], set())
        faults += _period_faults(f"venue {venue.id}", venue.unavailable)
    for partner in problem.partners:
        faults += _period_faults(f"partner {partner.id}", partner.unavailable)
    for asset in problem.assets:
        faults += _period_faults(f"asset {asset.id}", asset.unavailable)
    for e in problem.exercises:
        faults += _exercise_faults(e, n_slots, venues, partners, assets)
    for goal in problem.goals:
        faults += _unknown(f"goal {goal.id}", "partner", goal.partners, partners)
    for d in problem.dependencies:
        faults += _unknown("dependency", "exercise", [d.before, d.after], exercises)
        if d.max_gap is not None and d.max_gap < d.min_gap:
            faults.append(
                Fault(
                    Invariant.GAP_BOUNDS,
                    f"dependency {d.before}->{d.after}: max_gap below min_gap",
                )
            )
    for partner_id, venue_id, _ in problem.travel_costs:
        faults += _unknown("travel cost", "partner", [partner_id], partners)
        faults += _unknown("travel cost", "venue", [venue_id], venues)
    reach = sum(problem_reach(problem).values())
    if reach > OBJECTIVE_LIMIT:
        faults.append(
            Fault(
                Invariant.OBJECTIVE_REACH,
                f"the objective could reach {reach:.3g}, beyond the "
                f"{OBJECTIVE_LIMIT:.3g} counted exactly",
            )
        )
    return faults


def _exercise_faults(
    e: Exercise, n_slots: int, venues: set[str], partners: set[str], assets: set[str]
) -> list[Fault]:
    """The faults of one exercise: the ids it names, its partner bounds and
    its slots."""
    what = f"exercise {e.id}"
    faults = _unknown(what, "venue", e.venues, venues)
    faults += _unknown(what, "partner", e.invited_partners, partners)
    faults += _unknown(what, "asset", e.assets, assets)
    if e.fixed_venue is not None:
        faults += _unknown(what, "venue", [e.fixed_venue], venues)
    missing = set(e.required_partners) - set(e.invited_partners)
    if missing:
        faults.append(
            Fault(
                Invariant.NOT_INVITED,
                f"{what}: required partners {sorted(missing)} not invited",
            )
        )
    if (
        e.max_partners is not None
        and e.max_partners < e.min_partners
        and not e.impossible
    ):
        faults.append(
            Fault(Invariant.PARTNER_BOUNDS, f"{what}: max_partners below min_partners")
        )
    if e.duration < 1:
        faults.append(
            Fault(Invariant.DURATION, f"{what}: duration {e.duration} below 1 slot")
        )
    if e.mandatory and e.latest_start < e.earliest_start:
        faults.append(
            Fault(
                Invariant.MANDATORY_WINDOW,
                f"{what}: mandatory, but its window (slots {e.earliest_start} to "
                f"{e.latest_end}) cannot hold its {e.duration} slots",
            )
        )
    if e.fixed_start is not None and not 0 <= e.fixed_start < n_slots:
        faults.append(
            Fault(
                Invariant.FIXED_START,
                f"{what}: fixed start slot {e.fixed_start} outside the horizon "
                f"of {n_slots} slots",
            )
        )
    return faults


def _twice(ids: Iterable[str]) -> set[str]:
    counts = Counter(ids)
    return {i for i, n in counts.items() if n > 1}


def _unknown(what: str, kind: str, ids: Iterable[str], known: set[str]) -> list[Fault]:
    return [
        Fault(Invariant.UNKNOWN_ID, f"{what}: unknown {kind} {i}")
        for i in ids
        if i not in known
    ]


def _period_faults(what: str, periods: Iterable[Period]) -> list[Fault]:
    return [
        Fault(
            Invariant.PERIOD,
            f"{what}: unavailable from slot {p.first} to {p.last}, which runs "
            "backwards",
        )
        for p in periods
        if p.last < p.first
    ]


@dataclass(frozen=True)
class Event:
    """One held exercise: when it starts, where, and who takes part."""

    exercise_id: str
    start: int  # first slot
    venue_id: str
    participants: tuple[str, ...]  # partner ids, required ones included


@dataclass(frozen=True)
class Pin:
    """An exercise placed by hand: it starts on ``start`` at ``venue_id``.

    Written back into the workbook as the exercise's fixed_start and
    fixed_venue, so every later plan of that workbook holds it there.
    """

    exercise_id: str
    start: dt.date
    venue_id: str


class Change(StrEnum):
    """How one exercise differs between two plans, in the order listed."""

    DROPPED = "dropped"
    ADDED = "added"
    MOVED = "moved"
    VENUE = "venue changed"
    JOINED = "partners joined"
    LEFT = "partners left"


class Placing(Protocol):
    """Where and when an exercise is held, with whom: an `Event`, or one read
    back from a result (its start a date rather than a slot)."""

    @property
    def start(self) -> object: ...
    @property
    def venue_id(self) -> str: ...
    @property
    def participants(self) -> tuple[str, ...]: ...


def event_changes(
    was: Placing | None, now: Placing | None
) -> list[tuple[Change, tuple[str, ...]]]:
    """How an exercise's event changed from ``was`` to ``now`` (None: not held),
    in the order of `Change`; with each change the partners who joined or left
    (empty for the other changes). The one diff of plans: the checker prices
    it, comparisons list it."""
    if now is None:
        return [] if was is None else [(Change.DROPPED, ())]
    if was is None:
        return [(Change.ADDED, ())]
    found: list[tuple[Change, tuple[str, ...]]] = []
    if was.start != now.start:
        found.append((Change.MOVED, ()))
    if was.venue_id != now.venue_id:
        found.append((Change.VENUE, ()))
    joined = tuple(p for p in now.participants if p not in was.participants)
    left = tuple(p for p in was.participants if p not in now.participants)
    if joined:
        found.append((Change.JOINED, joined))
    if left:
        found.append((Change.LEFT, left))
    return found


@dataclass(frozen=True)
class Plan:
    events: tuple[Event, ...]

    @cached_property
    def by_exercise(self) -> dict[str, Event]:
        return {e.exercise_id: e for e in self.events}


def event_end_slot(problem: Problem, event: Event) -> int:
    """Last slot the event occupies (inclusive)."""
    return event.start + problem.exercise[event.exercise_id].duration - 1


def event_end_date(problem: Problem, event: Event) -> dt.date:
    """Last day of the event (inclusive)."""
    return problem.slot_end(event_end_slot(problem, event))


def unscheduled_exercises(problem: Problem, plan: Plan) -> list[str]:
    """Exercises the plan does not hold, in workbook order."""
    held = plan.by_exercise
    return [e.id for e in problem.exercises if e.id not in held]


class Status(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a plan, not proven best
    INFEASIBLE = "infeasible"  # proven: no plan exists
    NO_PLAN = "no plan found"  # none found within the time limit
    INVALID = "invalid model"


# Names of the objective terms, shared by the model, checker and outputs.
TERM_VALUE = "value"
TERM_GOAL_SHORTFALL = "goal_shortfall"
TERM_COST = "cost"
# Only when re-planning against a baseline: - the weighted count of changes.
TERM_CHANGE = "change"
# Every term, in the order results list them; the change term comes last.
TERM_NAMES = (TERM_VALUE, TERM_GOAL_SHORTFALL, TERM_COST, TERM_CHANGE)


@dataclass(frozen=True)
class Result:
    """What a solve returns: the plan (if any) and how good it is.

    ``terms`` maps each objective term's name to its signed contribution,
    so ``objective == sum(terms.values())``.
    """

    status: Status
    plan: Plan | None
    objective: int | None = None
    bound: float | None = None
    terms: dict[str, int] = field(default_factory=dict)
    runtime_s: float = 0.0
    parameters: dict[str, object] = field(default_factory=dict)
    statistics: dict[str, object] = field(default_factory=dict)
    baseline: Plan | None = None  # the plan re-planned against; priced in terms

    @property
    def gap(self) -> float | None:
        """Relative gap between the best plan and the best bound."""
        if self.objective is None or self.bound is None:
            return None
        return abs(self.bound - self.objective) / max(1.0, abs(self.bound))

    @property
    def frozen_violations(self) -> tuple[str, ...]:
        """What each frozen event that breaks a rule breaks (re-planning kept
        it as it was)."""
        return self._messages("frozen_violations")

    @property
    def failures(self) -> tuple[str, ...]:
        """Steps after the search that failed, each in a sentence; the plan
        found before them was kept."""
        return self._messages("failures")

    def _messages(self, key: str) -> tuple[str, ...]:
        """The sentences the run recorded under ``key`` in its statistics."""
        found = self.statistics.get(key, ())
        return tuple(map(str, found)) if isinstance(found, list | tuple) else ()


@dataclass(frozen=True)
class SolveOptions:
    """How hard and how reproducibly to search; recorded in every output."""

    time_limit_s: float | None = None  # None: the workbook's Settings value
    workers: int = 0  # 0: all cores
    seed: int = 0
    deterministic: bool = False  # fixed seed and deterministic search

    def limit_for(self, problem: Problem) -> float:
        """Seconds to search ``problem``: these options', else its workbook's."""
        if self.time_limit_s is not None:
            return self.time_limit_s
        return problem.settings.time_limit_s


# Where many plans run (what-if, sweep, robustness): processes on this
# machine, or tasks on a Ray cluster (`planner.engines`).
LOCAL, RAY = "local", "ray"
ENGINES = (LOCAL, RAY)


@dataclass(frozen=True)
class EngineChoice:
    """Where the plans run: ``local`` or ``ray`` (at ``address``; None: a Ray
    started on this machine)."""

    name: str = LOCAL
    address: str | None = None


class CancelToken(Protocol):
    """Set by a front end to stop a run early (a `threading.Event`, a
    `multiprocessing.Event`): the one way any stage is told to stop. The
    search keeps the best plan found so far, explanations stop where they
    are, and the plan is still checked and written."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Deadline:
    """When a run must stop: one moment, or sooner once ``cancel`` is set;
    the one stopping object handed down to every step.

    The command (or a test) makes one from its time limit and its cancel
    token; each step that can take long (construction, mending, search,
    explanations, writing) asks how much is `left` and stops by it, handing
    over what it has. A step never re-reads seconds of its own, so the steps
    together end by the one moment, and a Ctrl-C (which sets the token) ends
    a Python loop as surely as a CP-SAT search. ``at`` is a value of
    ``clock`` (`time.perf_counter` unless a test counts its own ticks).
    """

    at: float
    clock: Callable[[], float] = time.perf_counter
    cancel: CancelToken | None = None

    @classmethod
    def after(
        cls, seconds: float, clock: Callable[[], float] = time.perf_counter
    ) -> Deadline:
        """The moment ``seconds`` from now."""
        return cls(clock() + seconds, clock)

    @classmethod
    def never(cls) -> Deadline:
        """No moment at all: a step bounded by its own work only."""
        return cls(math.inf)

    def cancelled(self) -> bool:
        """Whether the run was told to stop now (its token is set)."""
        return self.cancel is not None and self.cancel.is_set()

    def left(self) -> float:
        """Seconds until the moment (0 once it has passed or on a cancel)."""
        if self.cancelled():
            return 0.0
        return max(0.0, self.at - self.clock())

    def passed(self) -> bool:
        return self.cancelled() or self.clock() >= self.at

    def heeding(self, cancel: CancelToken | None) -> Deadline:
        """This deadline, stopping also once ``cancel`` is set (a token it
        already heeds is kept when ``cancel`` is None)."""
        return self if cancel is None else replace(self, cancel=cancel)

    def sooner(self, seconds: float) -> Deadline:
        """This deadline, or ``seconds`` from now if that comes first."""
        return replace(self, at=min(self.at, self.clock() + seconds))

    def at_least(self, seconds: float) -> Deadline:
        """This deadline, or ``seconds`` from now if that comes later: a step
        whose result is worth more than the moment (a plan to hand over)."""
        return replace(self, at=max(self.at, self.clock() + seconds))

    def earlier(self, seconds: float) -> Deadline:
        """The moment ``seconds`` before this one: what a step leaves for
        the steps after it."""
        return replace(self, at=self.at - seconds)

    def later(self, seconds: float) -> Deadline:
        """The moment ``seconds`` after this one (what a user gives more)."""
        return replace(self, at=self.at + seconds)


@dataclass(frozen=True)
class Progress:
    """A snapshot of the search, for live display."""

    elapsed_s: float
    objective: float | None
    bound: float | None


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """A message about the input workbook, pointing at a sheet and cell."""

    sheet: str
    cell: str  # e.g. "F7"; "" when about a whole sheet or file
    message: str
    severity: Severity = Severity.ERROR
    # Set when the finding means this exercise can never be held: an error for
    # a mandatory exercise, a warning for an optional one (it is left out).
    exercise_id: str | None = None

    @property
    def address(self) -> str:
        """Where it points: 'Exercises!M61', or the sheet alone."""
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    def __str__(self) -> str:
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{self.address}: {prefix}{self.message}"


@dataclass(frozen=True)
class Violation:
    """A hard rule a plan breaks, found by the independent checker."""

    rule: str  # e.g. "partner_unavailable"
    message: str  # in the planner's words: names the exercise/partner/venue and slots

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"
