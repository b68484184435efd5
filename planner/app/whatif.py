"""What if? The base plan, each scenario re-planned against it, side by side.

A staff planner asks "a partner announces an election: what changes, and what
does it cost us?". `whatif_workbook` answers for every scenario of the
workbook's Scenarios sheet at once: it plans the base programme, then
re-plans each scenario against the base plan with minimal change (the base
plan is the baseline, so only what must move moves), as tasks on an engine
(`planner.engines`: processes on this machine, or Ray), and writes one
comparison of all and a brief with the scenarios beside the base. A scenario
whose rows are invalid is reported with its findings and skipped; the others
still run.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from planner.app.compare import ComparisonReport, report_of
from planner.app.plans import BASE, plan_variants, run_bound
from planner.app.progress import PLANNING, Report, teller
from planner.app.verdict import Verdict, plans_verdict
from planner.app.view import PlanView, plan_view
from planner.domain import (
    CancelToken,
    EngineChoice,
    Finding,
    Problem,
    Result,
    Severity,
    SolveOptions,
    Violation,
)
from planner.engines import open_engine
from planner.engines.base import EngineUnavailable
from planner.explain.words import too_few_text
from planner.outputs.files import OutputError
from planner.report import Explanation
from planner.workbook.read import read_variants
from planner.workbook.schema import GOALS


@dataclass(frozen=True)
class PlanOutcome:
    """One plan of a what-if run: the base or a scenario, and its result."""

    name: str
    folder: Path
    view: PlanView
    violations: tuple[Violation, ...]
    result: Result
    explanation: Explanation | None = None  # its reasons; without a plan, the
    # fewest rows that conflict, as ``planner explain --scenario`` names them


@dataclass(frozen=True)
class WhatifOutcome:
    """Everything a what-if run did, as ``planner whatif`` reports it.

    ``plans`` is empty when the base has errors; ``findings`` holds what
    reading said about the base (key ``base``) and each scenario;
    ``skipped`` the scenarios not planned because of their errors;
    ``stopped`` those a cancel left unplanned; ``comparison`` sets the plans
    side by side (None with fewer than two plans) and ``comparison_file`` is
    where it was written; ``failed`` names each plan whose task failed
    twice, and why; ``error`` says in one line why nothing was planned (no
    scenarios, the engine unavailable).
    """

    findings: dict[str, tuple[Finding, ...]]
    plans: tuple[PlanOutcome, ...] = ()
    skipped: tuple[str, ...] = ()
    stopped: tuple[str, ...] = ()
    comparison: ComparisonReport | None = None
    comparison_file: Path | None = None
    files: tuple[Path, ...] = ()
    failed: dict[str, str] = field(default_factory=dict)
    cancelled: bool = False
    error: str | None = None
    output_error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def verdict(self) -> Verdict:
        """How the run ended (`planner.app.verdict`): a skipped scenario makes
        it invalid once every plan was found and kept every rule."""
        if self.output_error is not None:
            return Verdict.OUTPUT_ERROR
        if self.error is not None or not self.plans:
            if self.failed:
                return Verdict.FAILED
            return Verdict.STOPPED if self.cancelled else Verdict.INVALID
        found = plans_verdict(
            [plan.result.status for plan in self.plans],
            any(plan.violations for plan in self.plans),
            self.cancelled,
            bool(self.failed),
        )
        usual = (Verdict.DONE, Verdict.INFEASIBLE, Verdict.NO_PLAN)
        return Verdict.INVALID if self.skipped and found in usual else found


def whatif_workbook(
    path: str | Path,
    out_dir: str | Path,
    options: SolveOptions = SolveOptions(),  # noqa: B008 - frozen, never mutated
    scenarios: Sequence[str] | None = None,
    freeze_before: dt.date | None = None,
    progress: Report | None = None,
    cancel: CancelToken | None = None,
    engine: EngineChoice = EngineChoice(),  # noqa: B008 - frozen, never mutated
) -> WhatifOutcome:
    """Plan the base and every scenario (or ``scenarios``) side by side, each
    scenario re-planned against the base, as ``planner whatif``.

    Writes ``out_dir/base/`` and ``out_dir/<scenario>/`` (every file of a
    result each), ``comparison.xlsx`` and the what-if brief. In every
    scenario the base plan's events that start before ``freeze_before``
    keep their start, venue and participants. ``progress`` hears how long
    the whole run takes at most (`run_bound`), then one line per finished
    plan; once ``cancel`` is set the scenarios not yet planned
    are left out and every plan found is written.
    """
    path, out_dir = Path(path), Path(out_dir)
    began = time.perf_counter()
    tell = teller(progress, began)
    variants = read_variants(path, None if scenarios is None else [None, *scenarios])
    problem, found = variants.pop(None)
    findings = {BASE: tuple(found)}
    if problem is None:
        return WhatifOutcome(findings, skipped=(BASE,))
    if not variants:
        return WhatifOutcome(findings, error=_no_scenarios(path))
    problems: dict[str, Problem] = {}
    skipped = []
    for name, (scenario, scenario_findings) in variants.items():
        assert name is not None  # the base was taken out above
        findings[name] = (*scenario_findings, *out_of_reach(problem, scenario))
        if scenario is None:
            skipped.append(name)
            tell(PLANNING, message=skipped_text(name, findings[name]))
        else:
            problems[name] = scenario
    try:
        runner = open_engine(engine.name, engine.address)
    except EngineUnavailable as error:
        return WhatifOutcome(findings, error=str(error))
    try:
        tell(PLANNING, message=run_bound(problem, len(problems), options, runner)[1])
        planned = plan_variants(
            problem,
            problems,
            out_dir,
            path,
            options,
            runner,
            lambda line: tell(PLANNING, message=line),
            freeze_before,
            cancel=cancel,
            brief=True,
        )
    except OutputError as error:
        return WhatifOutcome(findings, output_error=str(error))
    finally:
        runner.close()
    plans = tuple(
        PlanOutcome(
            run.name,
            run.folder,
            plan_view(run.problem, run.result, run.explanation),
            run.violations,
            run.result,
            run.explanation,
        )
        for run in planned.plans
    )
    return WhatifOutcome(
        findings=findings,
        plans=plans,
        skipped=tuple(skipped),
        stopped=planned.stopped,
        comparison=None
        if planned.comparison is None
        else report_of(planned.comparison),
        comparison_file=planned.comparison_file,
        files=(*(f for run in planned.plans for f in run.files), *planned.files),
        failed=dict(planned.failed),
        cancelled=cancel is not None and cancel.is_set(),
        timings={"total_s": time.perf_counter() - began},
    )


def skipped_text(name: str, findings: Sequence[Finding]) -> str:
    """A scenario skipped for its errors, with what reading found, one line
    each: said before the plans run, so the planner can mend its rows while
    the others are searched rather than learn why only at the end."""
    lines = [f"{name}: skipped, the scenario has errors:"]
    return "\n".join([*lines, *(str(finding) for finding in findings)])


def out_of_reach(base: Problem, scenario: Problem | None) -> list[Finding]:
    """Goals the base could meet that ``scenario`` no longer can (an exercise
    that counted for it deleted or left nowhere to be held): a warning each,
    naming its row and the exercises that could still count, so a planner
    sees what a change costs before reading the plan."""
    if scenario is None:
        return []
    reachable = {goal.id for goal in base.goals if too_few_text(base, goal) is None}
    found = []
    for goal in scenario.goals:
        why = too_few_text(scenario, goal)
        if goal.id not in reachable or why is None:
            continue
        source = goal.source
        row = "" if source is None else f" ({source.sheet} row {source.row})"
        found.append(
            Finding(
                GOALS.name,
                "",
                f"goal {goal.id}{row} can no longer be met in this scenario: {why}",
                Severity.WARNING,
            )
        )
    return found


def _no_scenarios(path: Path) -> str:
    return (
        f"{path.name} has no scenarios, so there is nothing to compare: add "
        "rows to its Scenarios sheet (docs/workbook.md, Scenarios), or run "
        "planner solve to plan the base alone."
    )
