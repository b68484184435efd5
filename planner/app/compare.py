"""Comparing results, as ``planner compare`` does: key figures side by side,
every change per exercise, and each plan's calendar on the same days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from planner.brief import write_brief
from planner.compare import Comparison, Gantt, calendar, compare, comparison_rows
from planner.domain import Finding, Problem
from planner.result_files import read_result, write_comparison
from planner.results import ResultError
from planner.workbook.output import OutputError
from planner.workbook.read import read_problem


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

    Raises `planner.compare.ResultError` when a result cannot be read or
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


def brief_files(
    result: str | Path,
    others: Sequence[str | Path] = (),
    out_dir: str | Path | None = None,
    paper: str = "a4",
) -> tuple[Path, ...]:
    """Write brief.pdf and brief.html for ``result`` (a result folder or its
    schedule.json), with ``others`` side by side; into ``out_dir`` or beside
    the result. Raises `planner.results.ResultError` for a result it cannot
    read, `OutputError` for a folder it cannot write."""
    written = write_brief(
        Path(result),
        [Path(other) for other in others],
        None if out_dir is None else Path(out_dir),
        paper,
    )
    return tuple(written)
