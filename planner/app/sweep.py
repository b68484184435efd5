"""Generated what-ifs: each partner dropping out, each budget cut, each venue
closed for a quarter, all re-planned against the base and ranked by impact.

Before a planning conference a planning cell asks the same questions of every
partner, budget line and venue. Writing each as rows of the Scenarios sheet
is tedious and error-prone, so a sweep makes the variants itself, each the
problem a Scenarios row would give (the changes are the ones such rows
make, applied to the validated problem with `dataclasses.replace`):

- a partner drops out: it is unavailable over the whole horizon, as if an
  Unavailability row from planning_start to planning_end named it;
- a budget cut of p%: Settings' total_budget times (100 - p) / 100, rounded
  down to a whole currency unit;
- a venue closed for quarter Qn: unavailable in that calendar quarter of
  every year the horizon touches.

Each variant is re-planned against the base plan with minimal change (as in
`planner.app.whatif`) on an engine, and the comparison lists them most harmful
first: no plan, then the largest loss of objective, then the most exercises
lost, then the most moved.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

from planner.app.compare import ComparisonReport, report_of
from planner.app.plans import PlannedRun, plan_variants, run_bound
from planner.app.progress import PLANNING, Report, teller
from planner.app.verdict import Verdict, plans_verdict
from planner.domain import (
    TERM_CHANGE,
    CancelToken,
    EngineChoice,
    Finding,
    Period,
    Problem,
    Result,
    SolveOptions,
    Violation,
)
from planner.engines import open_engine
from planner.engines.base import EngineUnavailable
from planner.figures import plan_changes
from planner.outputs.files import OutputError
from planner.workbook.read import read_problem

DROPS_OUT = "drops out"


class SweepError(Exception):
    """The sweep asked for cannot be made from this workbook (one line why)."""


@dataclass(frozen=True)
class SweepSpec:
    """Which variants to make: the options of ``planner sweep``."""

    drop_each_partner: bool = False
    budget_cuts: tuple[int, ...] = ()  # percent, each 1 to 99
    close_quarters: tuple[int, ...] = ()  # calendar quarters, each 1 to 4

    @property
    def empty(self) -> bool:
        return not (self.drop_each_partner or self.budget_cuts or self.close_quarters)


@dataclass(frozen=True)
class Variant:
    """One generated scenario: its name, what it changes, and the problem."""

    name: str  # e.g. "drop-NOR", "budget-cut-10", "close-SPTA-Q3"
    description: str
    problem: Problem


@dataclass(frozen=True)
class Impact:
    """How much one variant hurts the base plan.

    ``objective_loss``: the base plan's objective less the variant's, the
    change term left out (what the programme loses, not the price of
    re-planning); None without a plan. ``lost``: exercises the base holds and
    the variant does not; ``moved``: held in both, at another start or venue.
    """

    name: str
    description: str
    status: str
    objective_loss: int | None
    lost: int
    moved: int

    @property
    def has_plan(self) -> bool:
        return self.objective_loss is not None


def drop_partner(problem: Problem, partner_id: str, reason: str = DROPS_OUT) -> Problem:
    """``partner_id`` unavailable over the whole horizon."""
    whole = Period(0, problem.n_slots - 1, reason)
    partners = tuple(
        replace(p, unavailable=(*p.unavailable, whole)) if p.id == partner_id else p
        for p in problem.partners
    )
    return replace(problem, partners=partners)


def cut_budget(problem: Problem, percent: float) -> Problem:
    """The total budget cut by ``percent``, rounded down to a whole unit.

    Worked in fractions, so a 10% cut of 1,980,000 is 1,782,000 exactly.

    Raises `SweepError` when the workbook sets no total budget.
    """
    budget = problem.settings.total_budget
    if budget is None:
        raise SweepError(
            f"{problem.name} sets no total_budget in Settings, so a budget cut "
            "has nothing to cut: set one, or leave out the budget cut."
        )
    kept = 100 - Fraction(percent).limit_denominator(10**6)
    cut = math.floor(budget * kept / 100)
    return replace(problem, settings=replace(problem.settings, total_budget=cut))


def quarter_periods(problem: Problem, quarter: int) -> list[tuple[int, int]]:
    """The slots (first, last) of calendar quarter ``quarter`` in each year
    of the horizon, clipped to it; empty when the horizon misses it."""
    start, end = problem.settings.planning_start, problem.settings.planning_end
    periods = []
    for year in range(start.year, end.year + 1):
        first = dt.date(year, 3 * quarter - 2, 1)
        after = dt.date(year + (quarter == 4), 3 * quarter % 12 + 1, 1)
        last = after - dt.timedelta(days=1)
        if first <= end and start <= last:
            periods.append(
                (problem.slot_of(max(first, start)), problem.slot_of(min(last, end)))
            )
    return periods


def close_venue(problem: Problem, venue_id: str, quarter: int) -> Problem:
    """``venue_id`` unavailable in calendar quarter ``quarter`` of every year."""
    closed = tuple(
        Period(first, last, f"closed in Q{quarter}")
        for first, last in quarter_periods(problem, quarter)
    )
    venues = tuple(
        replace(v, unavailable=(*v.unavailable, *closed)) if v.id == venue_id else v
        for v in problem.venues
    )
    return replace(problem, venues=venues)


def sweep_variants(problem: Problem, spec: SweepSpec) -> list[Variant]:
    """Every variant ``spec`` asks for, partners, budgets, then venues, each in
    the workbook's order. A quarter the horizon does not touch makes none."""
    variants = []
    if spec.drop_each_partner:
        variants += [
            Variant(
                f"drop-{p.id}",
                f"{p.id} drops out",
                drop_partner(problem, p.id),
            )
            for p in problem.partners
        ]
    variants += [
        Variant(
            f"budget-cut-{percent}",
            f"total budget cut by {percent}%",
            cut_budget(problem, percent),
        )
        for percent in spec.budget_cuts
    ]
    variants += [
        Variant(
            f"close-{v.id}-Q{quarter}",
            f"{v.id} closed in Q{quarter}",
            close_venue(problem, v.id, quarter),
        )
        for quarter in spec.close_quarters
        for v in problem.venues
        if quarter_periods(problem, quarter)
    ]
    return variants


def impact(base: Result, variant: Variant, run: Result) -> Impact:
    """How much ``run`` (the variant re-planned) loses against ``base``."""
    if run.plan is None or base.plan is None or base.objective is None:
        return Impact(variant.name, variant.description, str(run.status), None, 0, 0)
    kept = sum(value for term, value in run.terms.items() if term != TERM_CHANGE)
    changes = plan_changes(variant.problem, run.plan, base.plan)
    return Impact(
        variant.name,
        variant.description,
        str(run.status),
        base.objective - kept,
        len(changes.dropped),
        len(set(changes.moved) | set(changes.venue_changed)),
    )


def ranked(impacts: Sequence[Impact]) -> list[Impact]:
    """Most harmful first: no plan, then objective lost, exercises lost, moved."""
    return sorted(
        impacts,
        key=lambda i: (
            i.has_plan,
            -(i.objective_loss or 0),
            -i.lost,
            -i.moved,
            i.name,
        ),
    )


@dataclass(frozen=True)
class SweepOutcome:
    """A sweep as a front end shows it: the variants ranked, worst first.

    ``error`` says in one line why nothing was planned (no variant asked for,
    no total budget to cut, Ray missing); ``findings`` what reading found
    (``planned`` is False when they stopped the sweep). ``base`` is the
    base plan's result; ``broken`` each rule a written plan breaks, by plan
    name; ``stopped`` the variants a cancel left unplanned.
    """

    findings: tuple[Finding, ...] = ()
    impacts: tuple[Impact, ...] = ()
    comparison: ComparisonReport | None = None
    failed: dict[str, str] = field(default_factory=dict)
    files: tuple[Path, ...] = ()
    error: str | None = None
    planned: bool = False
    base: Result | None = None
    broken: tuple[tuple[str, Violation], ...] = ()
    comparison_file: Path | None = None
    stopped: tuple[str, ...] = ()
    cancelled: bool = False
    output_error: str | None = None

    @property
    def verdict(self) -> Verdict:
        """How the sweep ended (`planner.app.verdict`): a variant without a
        plan is an answer, not a failure; the base's plan sets the verdict."""
        if self.output_error is not None:
            return Verdict.OUTPUT_ERROR
        if self.error is not None or self.base is None:
            return Verdict.INVALID
        return plans_verdict(
            [self.base.status], bool(self.broken), self.cancelled, bool(self.failed)
        )


def sweep_workbook(
    path: str | Path,
    out_dir: str | Path,
    spec: SweepSpec,
    options: SolveOptions = SolveOptions(),  # noqa: B008 - frozen, never mutated
    engine: EngineChoice = EngineChoice(),  # noqa: B008 - frozen, never mutated
    progress: Report | None = None,
    freeze_before: dt.date | None = None,
    cancel: CancelToken | None = None,
) -> SweepOutcome:
    """Plan the base, re-plan every variant ``spec`` asks for against it, rank
    them, as ``planner sweep`` does.

    Writes what ``planner whatif`` writes (``out_dir/base/``, a folder per
    variant, comparison.xlsx), the variants in the comparison most harmful
    first; base events before ``freeze_before`` stay put in every variant.
    ``progress`` hears how long the whole run takes at most (`run_bound`),
    then each plan as it ends (base included), with the runs done of how
    many. Once ``cancel`` is set the variants not yet planned
    are left out; every plan found is written and ranked.
    """
    path, out_dir = Path(path), Path(out_dir)
    problem, findings = read_problem(path)
    if problem is None:
        return SweepOutcome(tuple(findings))
    try:
        if spec.empty:
            raise SweepError(
                "The sweep asks for no variant: give --drop-each-partner, "
                "--budget-cut or --close-each-venue."
            )
        variants = sweep_variants(problem, spec)
        runner = open_engine(engine.name, engine.address)
    except (SweepError, EngineUnavailable) as error:
        return SweepOutcome(tuple(findings), error=str(error))
    by_name = {variant.name: variant for variant in variants}
    impacts: dict[str, Impact] = {}

    def worst_first(base: PlannedRun, runs: Sequence[PlannedRun]) -> list[PlannedRun]:
        for run in runs:
            impacts[run.name] = impact(base.result, by_name[run.name], run.result)
        order = {i.name: n for n, i in enumerate(ranked(list(impacts.values())))}
        return sorted(runs, key=lambda run: order[run.name])

    tell = teller(progress, time.perf_counter())
    ended: list[str] = []

    def line(text: str) -> None:
        ended.append(text)
        tell(PLANNING, message=text, runs=(len(ended), len(variants) + 1))

    try:
        bound = run_bound(problem, len(variants), options, runner)[1]
        tell(PLANNING, message=bound)
        planned = plan_variants(
            problem,
            {variant.name: variant.problem for variant in variants},
            out_dir,
            path,
            options,
            runner,
            line,
            freeze_before,
            order=worst_first,
            cancel=cancel,
        )
    except OutputError as error:
        return SweepOutcome(tuple(findings), output_error=str(error))
    finally:
        runner.close()
    runs = planned.plans
    return SweepOutcome(
        tuple(findings),
        tuple(ranked(list(impacts.values()))),
        None if planned.comparison is None else report_of(planned.comparison),
        dict(planned.failed),
        (*(f for run in runs for f in run.files), *planned.files),
        planned=True,
        base=planned.base.result,
        broken=tuple((run.name, v) for run in runs for v in run.violations),
        comparison_file=planned.comparison_file,
        stopped=planned.stopped,
        cancelled=cancel is not None and cancel.is_set(),
    )
