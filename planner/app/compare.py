"""Comparing results, as ``planner compare`` does: key figures side by side,
every change per exercise, and each plan's calendar on the same days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from planner.compare import Comparison, Gantt, calendar, compare, comparison_rows
from planner.domain import Problem
from planner.workbook.plan_io import read_result


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
