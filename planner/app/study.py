"""Sweeps and robustness studies, as a front end asks for them.

``planner sweep`` and ``planner robustness`` do the same through
`planner.sweep` and `planner.robustness`; this module adds what a front end
needs around them: the engine opened by name and closed after, progress as
`RunProgress` with the runs done of how many, and the outcome as plain data
(the ranking, the comparison, the tallies, the files written).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from planner.app.compare import ComparisonReport, report_of
from planner.app.solve import PLANNING, RunProgress
from planner.domain import Finding, SolveOptions
from planner.engines import LOCAL, EngineUnavailable, open_engine
from planner.robustness import StudyResult, run_study, study_warnings
from planner.sweep import Impact, SweepError, SweepSpec, run_sweep
from planner.workbook.plan_io import read_baseline
from planner.workbook.read import read_problem
from planner.workbook.study_write import write_study

Report = Callable[[RunProgress], None]


@dataclass(frozen=True)
class EngineChoice:
    """Where the plans run: ``local`` or ``ray`` (at ``address``; None: a Ray
    started on this machine)."""

    name: str = LOCAL
    address: str | None = None


@dataclass(frozen=True)
class SweepOutcome:
    """A sweep as a front end shows it: the variants ranked, worst first.

    ``error`` says in one line why nothing was planned (no variant asked for,
    no total budget to cut, Ray missing); ``findings`` what reading found.
    """

    findings: tuple[Finding, ...] = ()
    impacts: tuple[Impact, ...] = ()
    comparison: ComparisonReport | None = None
    failed: dict[str, str] = field(default_factory=dict)
    files: tuple[Path, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class StudyOutcome:
    """A robustness study as a front end shows it (None: see ``error``)."""

    findings: tuple[Finding, ...] = ()
    study: StudyResult | None = None
    warnings: tuple[str, ...] = ()
    files: tuple[Path, ...] = ()
    error: str | None = None


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
    engine: EngineChoice = EngineChoice(),
    progress: Report | None = None,
) -> SweepOutcome:
    """Make the variants ``spec`` asks for, re-plan each, rank them, as
    ``planner sweep`` does."""
    try:
        runner = open_engine(engine.name, engine.address)
    except EngineUnavailable as error:
        return SweepOutcome(error=str(error))
    try:
        done = run_sweep(path, out_dir, spec, options, runner, _counting(progress))
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
    )


def robustness_workbook(
    path: str | Path,
    committed: str | Path,
    out_dir: str | Path,
    samples: int,
    seed: int = 0,
    options: SolveOptions = SolveOptions(),  # noqa: B008 - frozen, never mutated
    engine: EngineChoice = EngineChoice(),
    progress: Report | None = None,
) -> StudyOutcome:
    """Draw ``samples`` futures and re-plan each against the ``committed``
    plan (a result folder or schedule), as ``planner robustness`` does."""
    problem, findings = read_problem(path)
    if problem is None:
        return StudyOutcome(tuple(findings))
    plan, found = read_baseline(problem, Path(committed))
    findings = [*findings, *found]
    if plan is None:
        return StudyOutcome(tuple(findings), error="The committed plan cannot be read.")
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
    return StudyOutcome(
        tuple(findings), study, tuple(study_warnings(problem)), (written,)
    )
