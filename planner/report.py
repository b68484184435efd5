"""What a result's files report beyond the problem and the plan, as data.

The writers (`planner.workbook.write`, `planner.workbook.result_json`) print
figures and words they do not compute: the application layer
(`planner.result_files`) reckons the figures with `planner.figures`, words
them with `planner.explain`, and hands them over in a `ResultReport`. So the
files show what the checker would recompute, and the writers import neither
the checker's figures nor the wording. Pure data: the domain only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from planner.domain import Change, GoalKind, Plan, Source
from planner.results import ExerciseInfo, ResultSummary


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
    """

    kpis: Mapping[str, object]
    goal_texts: tuple[str, ...]
    plan: PlanFigures | None
    impossible: Mapping[str, str] = field(default_factory=dict)
    pinned_left_out: tuple[str, ...] = ()
    explanation: Explanation | None = None
    conflict_heading: str = ""
    budget_price_places: tuple[str, ...] = ()


# Plans side by side, as comparison.xlsx prints them (made by planner.compare)

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
