"""The application layer: the calls a front end makes, and what they return."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook

from planner.app.budget import SolveRequest
from planner.app.compare import compare_results
from planner.app.progress import RunProgress
from planner.app.solve import solve_workbook
from planner.app.validate import validate_workbook, write_template_file
from planner.app.verdict import Verdict
from planner.check import check_plan
from planner.domain import Severity, SolveOptions, Status
from planner.report import ResultError
from planner.workbook.read import read_problem
from planner.workbook.read_schedule import read_plan
from tests.serve.conftest import (
    BROKEN_FINDINGS,
    SAMPLE,
    SCENARIOS,
    write_broken_workbook,
)

FAST = SolveOptions(time_limit_s=20, deterministic=True)


def test_validation_sorts_errors_from_warnings_by_cell(tmp_path: Path) -> None:
    validation = validate_workbook(write_broken_workbook(tmp_path / "broken.xlsx"))
    assert not validation.valid
    assert [(f.sheet, f.cell, f.message) for f in validation.errors] == (
        BROKEN_FINDINGS
    )
    assert all(f.severity is Severity.WARNING for f in validation.warnings)
    assert validation.summary is None
    assert list(validation.scenarios) == SCENARIOS


def test_validation_of_a_scenario(tmp_path: Path) -> None:
    assert validate_workbook(SAMPLE, "budget-cut").valid
    unknown = validate_workbook(SAMPLE, "nope")
    assert [f.sheet for f in unknown.errors] == ["Scenarios"]


def test_the_example_template_is_the_sample_programme(tmp_path: Path) -> None:
    (path,) = write_template_file(tmp_path / "example.xlsx", example=True).files
    assert validate_workbook(path).summary == validate_workbook(SAMPLE).summary


@pytest.mark.slow
def test_solve_reports_progress_and_writes_a_checked_plan(tmp_path: Path) -> None:
    heard: list[RunProgress] = []
    outcome = solve_workbook(
        SAMPLE, tmp_path / "out", SolveRequest(options=FAST), heard.append
    )
    assert outcome.result is not None
    assert outcome.result.status is Status.OPTIMAL
    assert outcome.result.objective == 3_379_000 == sum(outcome.result.terms.values())
    assert outcome.violations == ()
    assert outcome.verdict is Verdict.DONE
    assert not outcome.cancelled
    assert [p.name for p in outcome.files][:3] == [
        "schedule.xlsx",
        "schedule.json",
        "schedule.ics",
    ]
    assert [p.name for p in outcome.files][-2:] == ["brief.pdf", "brief.html"]
    stages = [p.stage for p in heard]
    assert stages[0] == "reading"
    assert "searching" in stages
    assert stages[-1] == "writing"
    assert outcome.view is not None
    assert len(outcome.view.events) == 11
    assert {"read_s", "solve_s", "explain_s", "write_s", "total_s"} == set(
        outcome.timings
    )


def test_a_blackout_typed_mid_week_shows_its_typed_dates_beside_the_weeks(
    tmp_path: Path,
) -> None:
    # USA's blackout of the week of 28 June, typed Wednesday to Friday.
    book = load_workbook(SAMPLE)
    sheet = book["Unavailability"]
    (row,) = [
        r
        for r in sheet.iter_rows(min_row=2)
        if r[0].value == "USA" and r[1].value == dt.datetime(2027, 6, 28)
    ]
    row[1].value, row[2].value = dt.date(2027, 6, 30), dt.date(2027, 7, 2)
    book.save(tmp_path / "typed.xlsx")
    outcome = solve_workbook(
        tmp_path / "typed.xlsx", tmp_path / "out", SolveRequest(options=FAST)
    )
    assert outcome.view is not None and outcome.violations == ()
    shown = {
        (b.owner_id, b.start.isoformat()): (b.end, b.typed_start, b.typed_end)
        for b in outcome.view.blackouts
    }
    assert shown[("USA", "2027-06-28")] == (
        dt.date(2027, 7, 4),
        dt.date(2027, 6, 30),
        dt.date(2027, 7, 2),
    )
    assert shown[("USA", "2027-11-22")] == (dt.date(2027, 11, 28), None, None)


def test_a_workbook_with_errors_is_not_solved(tmp_path: Path) -> None:
    broken = write_broken_workbook(tmp_path / "broken.xlsx")
    outcome = solve_workbook(broken, tmp_path / "out", SolveRequest(options=FAST))
    assert outcome.result is None
    assert outcome.verdict is Verdict.INVALID
    assert [f.cell for f in outcome.findings if f.severity is Severity.ERROR] == [
        "E4",
        "D3",
    ]
    assert not (tmp_path / "out").exists()


def test_a_cancel_before_the_search_writes_nothing(tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    outcome = solve_workbook(
        SAMPLE, tmp_path / "out", SolveRequest(options=FAST), cancel=cancel
    )
    assert outcome.cancelled and outcome.result is None
    assert outcome.verdict is Verdict.STOPPED
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_cancel_in_the_search_keeps_a_checked_plan_without_explanations(
    tmp_path: Path,
) -> None:
    cancel = threading.Event()

    def cancel_when_searching(progress: RunProgress) -> None:
        if progress.stage == "searching":
            cancel.set()

    options = SolveOptions(time_limit_s=60, workers=1)
    outcome = solve_workbook(
        SAMPLE,
        tmp_path / "out",
        SolveRequest(options=options),
        cancel_when_searching,
        cancel,
    )
    assert outcome.cancelled
    assert outcome.verdict is Verdict.INTERRUPTED
    assert outcome.explanation is None
    assert "explain_s" not in outcome.timings
    problem, _ = read_problem(SAMPLE)
    plan, _ = read_plan(problem, tmp_path / "out")
    assert plan is not None
    assert check_plan(problem, plan) == []


@pytest.mark.slow
def test_compare_results_labels_the_plans(tmp_path: Path) -> None:
    base = solve_workbook(SAMPLE, tmp_path / "a", SolveRequest(options=FAST))
    cut = solve_workbook(
        SAMPLE, tmp_path / "b", SolveRequest(options=FAST, scenario="budget-cut")
    )
    assert base.verdict is cut.verdict is Verdict.DONE
    report = compare_results([tmp_path / "a", tmp_path / "b"], ["base", "cut"])
    assert report.comparison.labels == ("base", "cut")
    assert report.rows[0] == ("", "base", "cut")
    assert len(report.calendars) == 2
    assert report.slot_dates[0].isoformat() == "2027-01-04"
    with pytest.raises(ResultError):
        compare_results([tmp_path / "a"])


@pytest.mark.slow
def test_a_cancel_while_explaining_still_writes_the_plan(tmp_path: Path) -> None:
    cancel = threading.Event()

    def cancel_the_explaining(progress: RunProgress) -> None:
        if progress.stage == "explaining":
            cancel.set()

    request = SolveRequest(options=FAST, explain_all=True)
    outcome = solve_workbook(
        SAMPLE, tmp_path / "out", request, cancel_the_explaining, cancel
    )
    assert outcome.cancelled
    assert outcome.verdict is Verdict.INTERRUPTED
    # Stopped before any question was put: every reason says it was not examined.
    assert outcome.explanation is not None
    assert outcome.explanation.probed == 0
    assert outcome.result is not None and outcome.result.status is Status.OPTIMAL
    names = [p.name for p in outcome.files]
    assert names[:2] == ["schedule.xlsx", "schedule.json"]
    assert names[-2:] == ["brief.pdf", "brief.html"]
