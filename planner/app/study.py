"""Sweeps and robustness studies, as a front end asks for them.

``planner sweep`` and ``planner robustness`` do the same through
`planner.sweep` and `planner.robustness`; this module adds what a front end
needs around them: the engine opened by name and closed after, progress as
`RunProgress` with the runs done of how many, and the outcome as plain data
(the ranking, the comparison, the tallies, the files written).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from planner.app.compare import ComparisonReport, report_of
from planner.app.solve import PLANNING, EngineChoice, RunProgress
from planner.domain import Finding, Result, SolveOptions, Violation
from planner.engines import EngineUnavailable, open_engine
from planner.robustness import StudyResult, run_study, study_warnings
from planner.sweep import Impact, SweepError, SweepSpec, run_sweep
from planner.workbook.read import read_problem
from planner.workbook.read_schedule import read_baseline
from planner.workbook.study_write import write_study

Report = Callable[[RunProgress], None]
# RunProgress.stage of what reading found (a finding's line) and of what the
# draws leave out, each told once before the runs start.
FINDING = "finding"
WARNING = "warning"


def engine_unavailable(engine: EngineChoice) -> str | None:
    """Why the ``engine`` cannot run plans (Ray missing, a cluster that does
    not answer), in one line; None when it can. The engine is closed again:
    a front end asks before it accepts work for it."""
    try:
        open_engine(engine.name, engine.address).close()
    except EngineUnavailable as error:
        return str(error)
    return None


@dataclass(frozen=True)
class SweepOutcome:
    """A sweep as a front end shows it: the variants ranked, worst first.

    ``error`` says in one line why nothing was planned (no variant asked for,
    no total budget to cut, Ray missing); ``findings`` what reading found
    (``planned`` is False when they stopped the sweep). ``base`` is the
    base plan's result (None when its task failed twice, see ``failed``);
    ``broken`` each rule a written plan breaks, by plan name.
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


@dataclass(frozen=True)
class StudyOutcome:
    """A robustness study as a front end shows it (None: see ``error``, and
    ``findings``, which also say why the ``committed`` plan could not be
    read when it could not)."""

    findings: tuple[Finding, ...] = ()
    study: StudyResult | None = None
    warnings: tuple[str, ...] = ()
    files: tuple[Path, ...] = ()
    error: str | None = None
    committed_read: bool = True


def _counting(progress: Report | None) -> Callable[[str, int, int], None]:
    """``tell(line, done, total)`` as RunProgress, stamped since it was made."""
    began = time.perf_counter()

    def tell(line: str, done: int, total: int) -> None:
        if progress is not None:
            elapsed = time.perf_counter() - began
            progress(RunProgress(PLANNING, elapsed, message=line, runs=(done, total)))

    return tell


def sweep_workbook(
    path: str | Path,
    out_dir: str | Path,
    spec: SweepSpec,
    options: SolveOptions = SolveOptions(),  # noqa: B008 - frozen, never mutated
    engine: EngineChoice = EngineChoice(),  # noqa: B008 - frozen, never mutated
    progress: Report | None = None,
    freeze_before: dt.date | None = None,
) -> SweepOutcome:
    """Make the variants ``spec`` asks for, re-plan each, rank them, as
    ``planner sweep`` does; base events before ``freeze_before`` stay put in
    every variant. A signal that stops the run raises `Interrupted` (the
    plans that ended are written, the comparison is not)."""
    try:
        runner = open_engine(engine.name, engine.address)
    except EngineUnavailable as error:
        return SweepOutcome(error=str(error))
    try:
        done = run_sweep(
            path, out_dir, spec, options, runner, _counting(progress), freeze_before
        )
    except (SweepError, EngineUnavailable) as error:
        return SweepOutcome(error=str(error))
    finally:
        runner.close()
    planned = done.planned
    if planned is None:
        return SweepOutcome(tuple(done.findings))
    runs = [run for run in (planned.base, *planned.scenarios) if run is not None]
    files = [p for run in runs for p in sorted(run.folder.iterdir()) if p.is_file()]
    if planned.comparison is not None:
        files.append(planned.comparison)
    return SweepOutcome(
        tuple(done.findings),
        done.impacts,
        None if planned.compared is None else report_of(planned.compared),
        dict(planned.failed),
        tuple(files),
        planned=True,
        base=None if planned.base is None else planned.base.result,
        broken=tuple((run.name, v) for run in runs for v in run.violations),
        comparison_file=planned.comparison,
    )


def robustness_workbook(
    path: str | Path,
    committed: str | Path,
    out_dir: str | Path,
    samples: int,
    seed: int = 0,
    options: SolveOptions = SolveOptions(),  # noqa: B008 - frozen, never mutated
    engine: EngineChoice = EngineChoice(),  # noqa: B008 - frozen, never mutated
    progress: Report | None = None,
) -> StudyOutcome:
    """Draw ``samples`` futures and re-plan each against the ``committed``
    plan (a result folder or schedule), as ``planner robustness`` does.

    Before the runs start, ``progress`` hears each finding of reading (as a
    ``finding``) and what the draws leave out of the workbook (as a
    ``warning``: no probabilities given); both are returned too."""
    problem, findings = read_problem(path)
    if problem is None:
        return StudyOutcome(tuple(findings))
    plan, found = read_baseline(problem, Path(committed))
    findings = [*findings, *found]
    if plan is None:
        return StudyOutcome(
            tuple(findings),
            error="The committed plan cannot be read.",
            committed_read=False,
        )
    warnings = tuple(study_warnings(problem))
    if progress is not None:
        for finding in findings:
            progress(RunProgress(FINDING, 0.0, message=str(finding)))
        for warning in warnings:
            progress(RunProgress(WARNING, 0.0, message=warning))
    try:
        runner = open_engine(engine.name, engine.address)
        try:
            study = run_study(
                problem, plan, samples, seed, options, runner, _counting(progress)
            )
        finally:
            runner.close()
    except EngineUnavailable as error:
        return StudyOutcome(tuple(findings), error=str(error))
    written = write_study(study, Path(out_dir))
    return StudyOutcome(tuple(findings), study, warnings, (written,))
