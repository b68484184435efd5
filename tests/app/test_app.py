"""The application layer: the calls a front end makes, and what they return."""

from __future__ import annotations

import _thread
import threading
from pathlib import Path

import pytest

from planner.app import (
    RunProgress,
    SolveRequest,
    compare_results,
    solve_workbook,
    validate_workbook,
    write_template_file,
)
from planner.check import check_plan
from planner.domain import Severity, SolveOptions, Status
from planner.results import ResultError
from planner.workbook.read import read_problem
from planner.workbook.read_schedule import read_plan
from tests.serve.conftest import (
    BROKEN_FINDINGS,
    SAMPLE,
    SCENARIOS,
    write_broken_workbook,
)

FAST = SolveOptions(time_limit_s=20, workers=1)


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
    path = write_template_file(tmp_path / "example.xlsx", example=True)
    assert validate_workbook(path).summary == validate_workbook(SAMPLE).summary


def test_solve_reports_progress_and_writes_a_checked_plan(tmp_path: Path) -> None:
    heard: list[RunProgress] = []
    outcome = solve_workbook(
        SAMPLE, tmp_path / "out", SolveRequest(options=FAST), heard.append
    )
    assert outcome.status is Status.OPTIMAL
    assert outcome.objective == 3_379_000 == sum(outcome.terms.values())
    assert outcome.violations == ()
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


def test_a_workbook_with_errors_is_not_solved(tmp_path: Path) -> None:
    broken = write_broken_workbook(tmp_path / "broken.xlsx")
    outcome = solve_workbook(broken, tmp_path / "out", SolveRequest(options=FAST))
    assert outcome.result is None
    assert outcome.status is None
    assert [f.cell for f in outcome.findings if f.severity is Severity.ERROR] == [
        "E4",
        "D3",
    ]
    assert not (tmp_path / "out").exists()


def test_a_cancel_keeps_a_checked_plan_without_explanations(tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    options = SolveOptions(time_limit_s=60, workers=1)
    outcome = solve_workbook(
        SAMPLE, tmp_path / "out", SolveRequest(options=options), cancel=cancel
    )
    assert outcome.cancelled
    assert outcome.explanation is None
    assert "explain_s" not in outcome.timings
    problem, _ = read_problem(SAMPLE)
    plan, _ = read_plan(problem, tmp_path / "out")
    assert plan is not None
    assert check_plan(problem, plan) == []


def test_compare_results_labels_the_plans(tmp_path: Path) -> None:
    base = solve_workbook(SAMPLE, tmp_path / "a", SolveRequest(options=FAST))
    cut = solve_workbook(
        SAMPLE, tmp_path / "b", SolveRequest(options=FAST, scenario="budget-cut")
    )
    assert base.status is cut.status is Status.OPTIMAL
    report = compare_results([tmp_path / "a", tmp_path / "b"], ["base", "cut"])
    assert report.comparison.labels == ("base", "cut")
    assert report.rows[0] == ("", "base", "cut")
    assert len(report.calendars) == 2
    assert report.slot_dates[0].isoformat() == "2027-01-04"
    with pytest.raises(ResultError):
        compare_results([tmp_path / "a"])


def test_an_interrupt_while_explaining_still_writes_the_plan(tmp_path: Path) -> None:
    def interrupt_the_explaining(progress: RunProgress) -> None:
        if progress.stage == "explaining":
            threading.Timer(0.05, _thread.interrupt_main).start()

    request = SolveRequest(options=FAST, explain_all=True)
    outcome = solve_workbook(
        SAMPLE, tmp_path / "out", request, interrupt_the_explaining
    )
    assert outcome.cancelled
    assert outcome.explanation is None
    assert outcome.status is Status.OPTIMAL
    names = [p.name for p in outcome.files]
    assert names[:2] == ["schedule.xlsx", "schedule.json"]
    assert names[-2:] == ["brief.pdf", "brief.html"]
