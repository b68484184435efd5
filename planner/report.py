"""What a result's files report beyond the problem and the plan, as data.

The writers (`planner.outputs.schedule_xlsx`, `planner.outputs.schedule_json`) print
figures and words they do not compute: the application layer
(`planner.app.publish_files`) reckons the figures with `planner.figures`, words
them with `planner.explain.words`, and hands them over in a `ResultReport`. So the
files show what the checker would recompute, and the writers import neither
the checker's figures nor the wording. Pure data: the domain only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from planner.domain import (
    TERM_CHANGE,
    TERM_COST,
    TERM_GOAL_SHORTFALL,
    TERM_VALUE,
    Change,
    Finding,
    GoalKind,
    Plan,
    Result,
    Source,
    Status,
    slot_days,
)

XLSX_NAME = "schedule.xlsx"
JSON_NAME = "schedule.json"
SCHEDULE_SHEET = "Schedule"

# The Schedule sheet's columns, in order. The first six are what a plan is
# made of and what `read_plan` reads; the rest are there for people.
PLAN_COLUMNS: tuple[str, ...] = (
    "exercise_id",
    "name",
    "start_date",
    "end_date",
    "venue_id",
    "participants",
)
SCHEDULE_COLUMNS: tuple[str, ...] = (
    *PLAN_COLUMNS,
    "kind",
    "venue_name",
    "duration",
    "mandatory",
    "value",
    "cost",
    "participant_count",
    "areas",
    "assets",
    "start_slot",
    "end_slot",
    "iso_week",
)
# How lists are written into one cell; the reader also accepts commas.
CELL_LIST_SEPARATOR = "; "
# What a folder holds instead when its run found no plan: the same JSON, its
# plan null, under a name nobody takes for a calendar.
NO_PLAN_JSON = "no-plan.json"


class ResultError(Exception):
    """A result cannot be compared; the message says which and why.

    ``findings``: each fault at its place in the file, when the file was
    read but holds what planner cannot use.
    """

    def __init__(self, message: str, findings: Sequence[Finding] = ()) -> None:
        super().__init__(message)
        self.findings = tuple(findings)


NO_PLAN_WHY: dict[str, str] = {
    Status.INFEASIBLE: "proven infeasible",
    Status.NO_PLAN: "none found in time",
    Status.INVALID: "model rejected",
}


# The objective's terms, named as a staff officer reads them (as the web
# page's TERM_WORDS): the plan's worth is the value held less the penalties.
TERM_WORDS: dict[str, str] = {
    TERM_VALUE: "value of the exercises held",
    TERM_GOAL_SHORTFALL: "goals not met (penalty)",
    TERM_COST: "spending (penalty)",
    TERM_CHANGE: "changes to the committed plan (penalty)",
}
WORTH_WORDS = "the plan's worth (value less penalties)"
# The key figures' rows named after the objective and its terms, as the page
# names them (its FIGURE_WORDS); the others read as they are.
FIGURE_WORDS: dict[str, str] = {
    **TERM_WORDS,
    "objective": WORTH_WORDS,
    "status": "how good it is",
}
# What a plan's status means to a planner: in a sentence, and in a table's
# cell beside other plans.
PLAN_WORDS: dict[str, str] = {
    Status.OPTIMAL: "the best plan possible",
    Status.FEASIBLE: "a good plan, perhaps not the best possible",
}
PLAN_WORDS_SHORT: dict[str, str] = {
    Status.OPTIMAL: "proven best",
    Status.FEASIBLE: "not proven best",
}


def could_improve_text(status: str, gap: float | None) -> str:
    """How far a plan may be from the best possible, in words: the search's
    gap (its best plan against the bound it proved) without the jargon."""
    if status == Status.OPTIMAL:
        return "no better plan exists"
    if gap is None:
        return "how much better a plan could be is not known"
    return f"a better plan could be worth at most {gap:.2%} more"


def not_examined_hint(count: int) -> str:
    """What to do about items the time ran out before: for the terminal (the
    Run sheet has its own note), never for the brief a general reads."""
    items = f"{count:,} item{'' if count == 1 else 's'}"
    return (
        f"{items} not examined in time: planner suggest examines one exercise, "
        "and solve --explain-time S gives the explanations S more seconds."
    )


def no_plan_text(status: str) -> str:
    """What a run without a plan shows where its figures would be, and why."""
    return f"no plan ({NO_PLAN_WHY.get(status, status)})"


def partner_marking(marking: str, partner: str) -> str:
    """The marking of what is prepared for one partner: the programme's own
    classification as it is, and on a line of its own for whom it is
    ("OFFICIAL\nPrepared for Poland (POL)"). Adding "releasable to Poland"
    would contradict a classification that already names who may read it
    ("... releasable to Türkiye"); releasing is the classification's to say.
    The partner briefs and calendars both print this."""
    return "\n".join(line for line in (marking, f"Prepared for {partner}") if line)


@dataclass(frozen=True)
class ExerciseInfo:
    """An exercise of the programme, as a result lists it (``kpis.exercises``)."""

    id: str
    name: str = ""
    kind: str = ""
    mandatory: bool = False
    value: int = 0
    duration: int = 1


@dataclass(frozen=True)
class HeldEvent:
    """One event of a compared plan, by dates so plans of shifted horizons agree."""

    exercise_id: str
    start: dt.date
    end: dt.date  # last day, inclusive
    venue_id: str
    participants: tuple[str, ...]


@dataclass(frozen=True)
class GoalOutcome:
    """How far the plan went towards one goal."""

    id: str
    kind: str
    hard: bool
    target: int
    achieved: int
    shortfall: int
    met: bool


@dataclass(frozen=True)
class StatedReason:
    """Why an exercise was left out or a goal missed, as the result says it."""

    kind: str  # KIND_EXERCISE or KIND_GOAL
    id: str
    text: str


@dataclass(frozen=True)
class LeftOut:
    """An exercise the plan does not hold, as the result lists it."""

    exercise_id: str
    name: str
    value: int | None
    mandatory: bool


@dataclass(frozen=True)
class PartnerOutcome:
    """What one partner takes part in and spends in the plan."""

    id: str
    name: str
    events: int
    spend: int
    budget: int | None


@dataclass(frozen=True)
class Heading:
    """How the programme's Settings name it on a brief: its title (empty:
    "Training programme <name>"), organisation and classification marking."""

    title: str = ""
    organisation: str = ""
    marking: str = ""


@dataclass(frozen=True)
class VenueFacts:
    """A venue as a brief names it: its name, region and host partner (each
    empty where the workbook gives none)."""

    name: str = ""
    region: str = ""
    host: str = ""


@dataclass(frozen=True)
class ResultSummary:
    """What one schedule.json says about its plan, for comparing."""

    label: str  # how tables head its column: the result folder's name
    path: Path
    programme: str  # the problem's name: "sample" or "sample:budget-cut"
    input_file: str
    input_sha256: str | None
    status: str
    time_unit: str
    planning_start: dt.date
    planning_end: dt.date
    currency: str
    exercises: tuple[ExerciseInfo, ...]
    total_budget: int | None
    events: tuple[HeldEvent, ...] | None  # None: the run found no plan
    objective: int | None = None
    terms: Mapping[str, int] | None = None
    held_mandatory: int | None = None
    held_optional: int | None = None
    value: int | None = None
    organizer_spend: int | None = None
    goals: tuple[GoalOutcome, ...] = ()
    partners: tuple[PartnerOutcome, ...] = ()
    # What a brief shows besides the key figures.
    planner_version: str = ""
    heading: Heading = field(default_factory=lambda: Heading())
    venues: Mapping[str, VenueFacts] = field(default_factory=dict)  # by id
    goal_texts: Mapping[str, str] = field(default_factory=dict)  # goal -> words
    reasons: tuple[StatedReason, ...] = ()
    conflict: tuple[str, ...] = ()  # no plan: the rows that cannot all hold
    left_out: tuple[LeftOut, ...] = ()
    baseline_changes: tuple[BaselineChange, ...] = ()
    interrupted: bool = False  # the search was stopped before its limit

    @property
    def slot_days(self) -> int:
        return slot_days(self.time_unit)

    @cached_property
    def by_exercise(self) -> Mapping[str, HeldEvent]:
        """Each held exercise's event; built once, as comparing asks for it
        for every row of every calendar."""
        return MappingProxyType({e.exercise_id: e for e in self.events or ()})


@dataclass(frozen=True)
class GoalProgress:
    """How far the plan gets towards one goal, for the output and the checker.

    ``achieved`` is the count (for engagement: the smallest count over its
    partners); ``shortfall`` is as in the objective, so for engagement it is
    weighted by each partner's weight; ``met`` says the goal holds in full;
    ``counted`` are the held exercises that count towards it (engagement:
    towards any of its partners).
    """

    goal_id: str
    kind: GoalKind
    target: int
    achieved: int
    shortfall: int
    met: bool
    detail: str  # engagement: "NOR 3, POL 1"; otherwise the counted exercises
    counted: tuple[str, ...] = ()


# What a reason is about: an optional exercise left out, a soft goal missed.
KIND_EXERCISE = "exercise"
KIND_GOAL = "goal"


@dataclass(frozen=True)
class Reason:
    """Why the plan leaves one optional exercise out or one soft goal unmet.

    Either forcing it in gives a plan, whose best objective found is
    ``forced_objective`` and ``loss`` below the plan's, or no plan holds it and
    ``conflict`` names the rows that forbid it. Both None: nothing was found
    within the time limit.
    """

    item_id: str
    kind: str  # KIND_EXERCISE or KIND_GOAL
    text: str
    loss: int | None = None
    forced_objective: int | None = None
    conflict: tuple[Source, ...] | None = None
    # The plan with the item forced in that backs ``loss``; ``fitted``: found
    # with every other exercise kept as the plan has it.
    plan: Plan | None = None
    fitted: bool = False
    probed: bool = False  # from a full re-solve with it forced in
    work: float = 0.0  # CP-SAT's deterministic time that re-solve took


@dataclass(frozen=True)
class BudgetPrice:
    """What 10% more of one budget would buy: its shadow price, measured."""

    source: Source | None
    owner: str  # a partner id, or "" for the organizer's total budget
    budget: int
    larger: int
    gain: int | None  # objective gained by the larger budget; None: not found
    text: str


@dataclass(frozen=True)
class Explanation:
    """Everything the writer shows about why: conflict rows, reasons, prices.

    ``conflict`` is set only when no plan exists (``[]`` when no row is to
    blame); ``lines`` are its rows in words, one per row.
    """

    conflict: tuple[Source, ...] | None = None
    lines: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()
    budget_prices: tuple[BudgetPrice, ...] = field(default_factory=tuple)
    seconds: float = 0.0  # what explaining took, part of the command's wall time
    probed: int = 0  # reasons from a full re-solve (the rest are cheap ones)
    not_examined: int = 0  # items the time ran out before (their reason says so)

    @property
    def why(self) -> dict[str, str]:
        """Reason text by (exercise or goal) id, for the why columns."""
        return {r.item_id: r.text for r in self.reasons}


@dataclass(frozen=True)
class PlanFigures:
    """What the plan amounts to, as the independent checker reckons it.

    ``terms`` are the objective's terms recomputed from the plan (the Summary
    flags a term the solver reported otherwise); ``event_costs`` each event's
    cost, in the plan's order.
    """

    progress: tuple[GoalProgress, ...]
    terms: Mapping[str, int]
    organizer_spend: int
    partner_spend: Mapping[str, int]
    event_costs: tuple[int, ...]


@dataclass(frozen=True)
class ResultReport:
    """Everything a result's files print that is reckoned or worded above them.

    ``kpis`` is schedule.json's ``kpis`` object; ``goal_texts`` each goal of
    the problem in words, in its order; ``plan`` None when the run found no
    plan. ``impossible`` says why each exercise no window can hold is left
    out; ``pinned_left_out`` warns of each pinned exercise the plan drops.
    With an ``explanation``, ``conflict_heading`` heads its conflicting rows
    and ``budget_price_places`` names the row of each budget priced, in order.
    ``baseline_changes``: what a re-plan changes from its baseline.
    """

    kpis: Mapping[str, object]
    goal_texts: tuple[str, ...]
    plan: PlanFigures | None
    impossible: Mapping[str, str] = field(default_factory=dict)
    pinned_left_out: tuple[str, ...] = ()
    explanation: Explanation | None = None
    conflict_heading: str = ""
    budget_price_places: tuple[str, ...] = ()
    baseline_changes: tuple[BaselineChange, ...] = ()


@dataclass(frozen=True)
class BaselineChange:
    """One way a re-plan differs from the plan it was re-planned against."""

    exercise_id: str
    change: str  # a `Change`'s words: moved, venue changed, ...
    detail: str  # in words: "from 1 Feb 2027 to 8 Feb 2027"


# Plans side by side, as comparison.xlsx prints them (made by planner.differences)

Value = int | str | None  # a key figure of one plan; None: not known (no plan)


@dataclass(frozen=True)
class Difference:
    """One way an exercise differs in ``plan`` from the first plan.

    ``before`` and ``after`` are what the first plan and this one hold: start
    dates (moved), venues (venue changed), partners (joined: after; left:
    before), "start at venue" (added: after; dropped: before). ``slots``: how
    far a moved exercise moved, in the first plan's slots (``unit``: week or
    day), later positive.
    """

    plan: str
    exercise_id: str
    change: Change
    before: str = ""
    after: str = ""
    slots: int | None = None
    unit: str = ""

    def __str__(self) -> str:
        what = f"{self.plan}: {self.exercise_id} {self.change}"
        if self.change is Change.MOVED:
            plural = "" if abs(self.slots or 0) == 1 else "s"
            moved = f"{self.slots:+d} {self.unit}{plural}"
            return f"{what} {self.before} -> {self.after} ({moved})"
        if self.change is Change.VENUE:
            return f"{what} {self.before} -> {self.after}"
        return f"{what}: {self.after or self.before}"


@dataclass(frozen=True)
class Kpi:
    """One key figure, one value per plan (None: not known, e.g. no plan)."""

    section: str
    label: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Comparison:
    results: tuple[ResultSummary, ...]
    kpis: tuple[Kpi, ...]
    differences: tuple[Difference, ...]
    warnings: tuple[str, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(result.label for result in self.results)

    @property
    def exercises(self) -> dict[str, ExerciseInfo]:
        """Every exercise of any plan's programme, the first plan's order first."""
        found: dict[str, ExerciseInfo] = {}
        for result in self.results:
            for exercise in result.exercises:
                found.setdefault(exercise.id, exercise)
        return found


@dataclass(frozen=True)
class GanttRow:
    """One exercise's slots in one plan: the venue in each slot it occupies."""

    exercise_id: str
    cells: Mapping[int, str]  # slot -> venue id
    changed: frozenset[int]  # slots that differ from the first plan's


@dataclass(frozen=True)
class Gantt:
    label: str
    rows: tuple[GanttRow, ...]  # the same exercises, in the same order, per plan


# What became of one committed exercise in one sample of a robustness study.
UNCHANGED, MOVED, PARTNERS, LOST = "unchanged", "moved", "partners changed", "lost"
FATES = (UNCHANGED, MOVED, PARTNERS, LOST)


@dataclass(frozen=True)
class Draw:
    """One sample: the partners that drop out and the budget cut (a share)."""

    number: int  # 1-based
    dropped: tuple[str, ...] = ()
    budget_cut: float | None = None

    @property
    def name(self) -> str:
        return f"sample-{self.number:03d}"

    def __str__(self) -> str:
        parts = [f"{partner} drops out" for partner in self.dropped]
        if self.budget_cut is not None:
            parts.append(f"total budget cut by {self.budget_cut:.0%}")
        return "; ".join(parts) or "nothing happens"


@dataclass(frozen=True)
class SampleOutcome:
    """A sample re-planned: its status and what it changed, or why it failed."""

    draw: Draw
    status: str  # the solve's status, or "failed"
    objective: int | None = None
    fates: Mapping[str, str] = field(default_factory=dict)  # exercise -> fate
    goals_met: tuple[str, ...] = ()
    error: str | None = None
    # The re-plan itself, for a closer look (not part of the outcome's equality:
    # its runtime differs run by run).
    result: Result | None = field(default=None, compare=False, repr=False)

    @property
    def has_plan(self) -> bool:
        return self.objective is not None

    def __str__(self) -> str:
        status = f"failed ({self.error})" if self.error else self.status
        return f"{self.draw.name}: {self.draw}: {status}"


@dataclass(frozen=True)
class ExerciseTally:
    """How often one committed exercise met each fate, over the planned samples."""

    exercise_id: str
    name: str
    mandatory: bool
    counts: Mapping[str, int]  # fate -> samples

    def share(self, fate: str, planned: int) -> float:
        return self.counts.get(fate, 0) / planned if planned else 0.0


@dataclass(frozen=True)
class GoalTally:
    """How often one goal is still met, over the planned samples."""

    goal_id: str
    kind: str
    hard: bool
    met_in_plan: bool
    met: int


@dataclass(frozen=True)
class StudyResult:
    """A robustness study: every sample's outcome and the tallies.

    Tallies count the samples that have a plan (``planned``); a sample without
    one (infeasible, not found in time, failed twice) is listed in
    ``samples`` with its status and counts in none of them.
    """

    seed: int
    samples: tuple[SampleOutcome, ...]
    exercises: tuple[ExerciseTally, ...]
    goals: tuple[GoalTally, ...]

    @property
    def planned(self) -> int:
        return sum(sample.has_plan for sample in self.samples)

    @property
    def fragile_first(self) -> list[ExerciseTally]:
        """The committed exercises, the least often unchanged first."""
        return sorted(
            self.exercises,
            key=lambda t: (t.counts.get(UNCHANGED, 0), -t.counts.get(LOST, 0)),
        )

    @property
    def failed(self) -> dict[str, str]:
        """Samples whose task failed twice, by name: why."""
        return {s.draw.name: s.error for s in self.samples if s.error}
