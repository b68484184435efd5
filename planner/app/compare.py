"""Comparing results, as ``planner compare`` does: key figures side by side,
every change per exercise, and each plan's calendar on the same days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from planner.app.publish import plan_to_json, write_comparison
from planner.app.verdict import Verdict
from planner.differences import calendar, compare, comparison_rows
from planner.domain import Finding, Problem, Result, Severity, Status
from planner.outputs.brief import write_brief
from planner.outputs.files import OutputError
from planner.report import Comparison, Gantt, ResultError, ResultSummary
from planner.workbook.read import read_problem
from planner.workbook.read_result import load_result, summary_from_json
from planner.workbook.read_schedule import read_plan, schedule_in


@dataclass(frozen=True)
class ComparisonReport:
    """A comparison and what a front end shows of it.

    ``rows`` is the short table ``planner compare`` prints (header first);
    ``slot_dates`` the first day of every slot and ``calendars`` one grid of
    exercises by slots per plan, all on those slots, so they stack.
    """

    comparison: Comparison
    rows: tuple[tuple[str, ...], ...]
    slot_dates: tuple[dt.date, ...]
    calendars: tuple[Gantt, ...]


def compare_results(
    paths: Sequence[str | Path],
    labels: Sequence[str] | None = None,
    problem: Problem | None = None,
    workbook: Path | None = None,
) -> ComparisonReport:
    """Compare two or more results (folders, schedule.json or schedule.xlsx
    files, as ``planner compare`` reads them), the first one the reference.
    ``labels`` name the plans (default: their folders); a schedule.xlsx needs
    the ``problem`` read from ``workbook`` to recompute its figures.

    Raises `planner.differences.ResultError` when a result cannot be read or
    fewer than two are given.
    """
    results = [read_result(Path(path), problem, workbook) for path in paths]
    if labels is not None:
        results = [
            replace(result, label=label)
            for result, label in zip(results, labels, strict=True)
        ]
    return report_of(compare(results))


def report_of(comparison: Comparison) -> ComparisonReport:
    """The report of a comparison already made (by a what-if run)."""
    slot_dates, calendars = calendar(comparison)
    return ComparisonReport(
        comparison,
        tuple(comparison_rows(comparison)),
        tuple(slot_dates),
        tuple(calendars),
    )


@dataclass(frozen=True)
class ComparisonFile:
    """A comparison of result files, as ``planner compare`` makes it.

    ``findings`` are what reading the workbook found (``valid`` False: it has
    errors, nothing was compared); ``error`` says why a result could not be
    read (nothing was compared); ``file`` is the comparison workbook
    written, or ``output_error`` says why it could not be.
    """

    findings: tuple[Finding, ...]
    valid: bool
    report: ComparisonReport | None = None
    file: Path | None = None
    output_error: str | None = None
    error: str | None = None

    @property
    def verdict(self) -> Verdict:
        """How the comparison ended (`planner.app.verdict`)."""
        if not self.valid or self.report is None:
            return Verdict.INVALID
        return Verdict.OUTPUT_ERROR if self.output_error else Verdict.DONE


def compare_files(
    paths: Sequence[str | Path], out: str | Path, workbook: str | Path | None = None
) -> ComparisonFile:
    """Compare two or more results (`compare_results`), the figures of a
    schedule.xlsx recomputed from ``workbook``, and write the comparison
    workbook at ``out`` (a folder: comparison.xlsx in it).
    """
    problem: Problem | None = None
    findings: list[Finding] = []
    if workbook is not None:
        problem, findings = read_problem(workbook)
        if problem is None:
            return ComparisonFile(tuple(findings), valid=False)
    source = None if workbook is None else Path(workbook)
    try:
        report = compare_results(paths, problem=problem, workbook=source)
    except ResultError as error:
        return ComparisonFile(tuple(findings), True, error=str(error))
    try:
        written = write_comparison(report.comparison, Path(out))
    except OutputError as error:
        return ComparisonFile(tuple(findings), True, report, output_error=str(error))
    return ComparisonFile(tuple(findings), True, report, written)


def read_result(
    path: Path, problem: Problem | None = None, input_path: Path | None = None
) -> ResultSummary:
    """A result as `planner compare` sees it, from whatever `planner check` reads.

    A result folder or schedule.json carries its key figures. A schedule.xlsx,
    perhaps edited by hand, does not: its plan is read as `read_plan` reads
    it and its figures are recomputed against ``problem``, the workbook at
    ``input_path`` it was planned from. Raises `ResultError` saying why a
    file cannot be compared.
    """
    path = Path(path)
    file = (schedule_in(path) or path) if path.is_dir() else path
    if file.suffix.lower() not in (".xlsx", ".xlsm"):
        return load_result(path)
    if problem is None or input_path is None:
        raise ResultError(
            f"{file}: an Excel schedule holds no key figures; name the workbook "
            "it was planned from with --workbook to compare it"
        )
    plan, findings = read_plan(problem, file)
    if plan is None:
        errors = "; ".join(str(f) for f in findings if f.severity is Severity.ERROR)
        raise ResultError(f"{file}: cannot be compared ({errors})")
    data = plan_to_json(problem, Result(Status.FEASIBLE, plan), input_path)
    data["status"] = f"read from {file.name}"
    return summary_from_json(path, file, data)


@dataclass(frozen=True)
class BriefOutcome:
    """The brief of a result, as ``planner brief`` writes it: the files, or
    why a result could not be read (``error``) or the brief not written
    (``output_error``)."""

    files: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None
    output_error: str | None = None

    @property
    def verdict(self) -> Verdict:
        if self.error is not None:
            return Verdict.INVALID
        return Verdict.OUTPUT_ERROR if self.output_error else Verdict.DONE


def brief_files(
    result: str | Path,
    others: Sequence[str | Path] = (),
    out_dir: str | Path | None = None,
    paper: str = "a4",
    partners: bool = False,
) -> BriefOutcome:
    """Write brief.pdf and brief.html for ``result`` (a result folder or its
    schedule.json), with ``others`` (scenarios) side by side; into
    ``out_dir`` or beside the result; with ``partners``, one brief per
    partner nation too."""
    try:
        main = load_result(Path(result))
        comparison = None
        if others:
            summaries = [load_result(Path(other)) for other in others]
            comparison = compare([main, *summaries])
    except ResultError as error:
        return BriefOutcome(error=str(error))
    folder = Path(out_dir) if out_dir is not None else main.path.parent
    try:
        written = write_brief(main, folder, comparison, paper, partners=partners)
        return BriefOutcome(written.files, written.warnings)
    except OutputError as error:
        return BriefOutcome(output_error=str(error))
