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
`planner.whatif`) on an engine, and the comparison lists them most harmful
first: no plan, then the largest loss of objective, then the most exercises
lost, then the most moved.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

from planner.domain import TERM_CHANGE, Finding, Period, Problem, Result, SolveOptions
from planner.engines import Engine
from planner.engines.local import LocalEngine
from planner.figures import plan_changes
from planner.whatif import ScenarioRun, WhatifResult, plan_variants
from planner.workbook.read import read_problem

QUARTERS = (1, 2, 3, 4)
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


@dataclass(frozen=True)
class SweepResult:
    """A sweep's variants, their plans (``planned``) and impacts, worst first."""

    findings: list[Finding]
    variants: tuple[Variant, ...] = ()
    planned: WhatifResult | None = None
    impacts: tuple[Impact, ...] = field(default=())


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


def run_sweep(
    path: str | Path,
    out_dir: str | Path,
    spec: SweepSpec,
    options: SolveOptions = SolveOptions(),  # noqa: B008 - frozen, never mutated
    engine: Engine | None = None,
    report: Callable[[str, int, int], None] | None = None,
    freeze_before: dt.date | None = None,
) -> SweepResult:
    """Plan the base, re-plan every generated variant against it, rank them.

    Writes what ``planner whatif`` writes (``out_dir/base/``, a folder per
    variant, ``comparison.xlsx``), the variants in the comparison most
    harmful first. ``report(line, done, total)`` hears each plan as it ends
    (base included). A workbook with errors plans nothing (see ``findings``);
    raises `SweepError` when ``spec`` asks for nothing or for what the
    workbook cannot give.
    """
    path, out_dir = Path(path), Path(out_dir)
    problem, findings = read_problem(path)
    if problem is None:
        return SweepResult(findings)
    if spec.empty:
        raise SweepError(
            "The sweep asks for no variant: give --drop-each-partner, "
            "--budget-cut or --close-each-venue."
        )
    variants = sweep_variants(problem, spec)
    by_name = {variant.name: variant for variant in variants}
    impacts: dict[str, Impact] = {}

    def worst_first(
        base: ScenarioRun, runs: Sequence[ScenarioRun]
    ) -> list[ScenarioRun]:
        for run in runs:
            impacts[run.name] = impact(base.result, by_name[run.name], run.result)
        order = {i.name: n for n, i in enumerate(ranked(list(impacts.values())))}
        return sorted(runs, key=lambda run: order[run.name])

    ended = []

    def tell(line: str) -> None:
        ended.append(line)
        if report is not None:
            report(line, len(ended), len(variants) + 1)

    planned = plan_variants(
        problem,
        {variant.name: variant.problem for variant in variants},
        out_dir,
        path,
        options,
        engine or LocalEngine(),
        tell,
        freeze_before,
        order=worst_first,
    )
    return SweepResult(
        findings, tuple(variants), planned, tuple(ranked(list(impacts.values())))
    )
