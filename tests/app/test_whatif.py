"""`whatif_workbook` on the example programme: base, scenarios, comparison."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from planner.app.plans import folder_name
from planner.app.whatif import WhatifOutcome, whatif_workbook
from planner.check import check_plan
from planner.domain import TERM_CHANGE, Severity, SolveOptions, Status
from planner.engines.base import share_cores
from planner.figures import objective_terms
from planner.model.baseline import freeze_slot
from planner.model.solve import solve
from planner.workbook.read import read_problem
from planner.workbook.read_schedule import read_plan
from tests.factories import make_problem

SAMPLE = Path(__file__).resolve().parents[2] / "instances" / "sample.xlsx"
OPTIONS = SolveOptions(time_limit_s=5, workers=2, deterministic=True)
SCENARIOS = ("pol-election", "budget-cut", "spta-repairs")


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with a fourth scenario whose total_budget is not a number."""
    path = tmp_path_factory.mktemp("whatif") / "sample.xlsx"
    shutil.copy(SAMPLE, path)
    workbook = load_workbook(path)
    workbook["Scenarios"].append(
        ["broken", "set", "Settings", "total_budget", "value", "abc", None]
    )
    workbook.save(path)
    return path


@pytest.fixture(scope="module")
def whatif(programme: Path) -> tuple[WhatifOutcome, Path]:
    out_dir = programme.parent / "out"
    return whatif_workbook(programme, out_dir, OPTIONS), out_dir


@pytest.mark.slow
@pytest.mark.slow
def test_every_scenario_is_written_beside_the_base_and_compared(
    whatif: tuple[WhatifOutcome, Path],
) -> None:
    result, out_dir = whatif
    assert [run.name for run in result.plans] == ["base", *SCENARIOS]
    assert result.comparison_file == out_dir / "comparison.xlsx"
    for name in ("base", *SCENARIOS):
        assert (out_dir / name / "schedule.json").is_file()
    assert (out_dir / "brief.pdf").is_file()
    comparison = load_workbook(result.comparison_file, read_only=True)
    kpis = next(comparison["KPIs"].iter_rows(values_only=True))
    assert [label for label in kpis if label in ("base", *SCENARIOS)] == [
        "base",
        *SCENARIOS,
    ]


@pytest.mark.slow
def test_every_plan_written_is_checker_clean(
    programme: Path, whatif: tuple[WhatifOutcome, Path]
) -> None:
    result, out_dir = whatif
    for run in result.plans:
        assert run.result.status in (Status.OPTIMAL, Status.FEASIBLE)
        assert run.violations == ()
        problem, _ = read_problem(programme, None if run.name == "base" else run.name)
        assert problem is not None
        plan, findings = read_plan(problem, out_dir / run.name)
        assert plan is not None, findings
        assert check_plan(problem, plan) == []


@pytest.mark.slow
def test_scenarios_are_replanned_against_the_base_plan(
    programme: Path, whatif: tuple[WhatifOutcome, Path]
) -> None:
    # Each scenario's change term is the checker's count of changes from the
    # base plan; the base itself has no baseline, so no change term.
    result, _ = whatif
    base = result.plans[0]
    assert base.result.plan is not None
    assert TERM_CHANGE not in base.result.terms
    for run in result.plans[1:]:
        problem, _ = read_problem(programme, run.name)
        assert problem is not None and run.result.plan is not None
        checked = objective_terms(problem, run.result.plan, base.result.plan)
        assert run.result.terms == checked


@pytest.mark.slow
def test_an_invalid_scenario_is_reported_and_skipped(
    whatif: tuple[WhatifOutcome, Path],
) -> None:
    result, out_dir = whatif
    assert result.skipped == ("broken",)
    errors = [f for f in result.findings["broken"] if f.severity is Severity.ERROR]
    assert errors and all(f.sheet == "Scenarios" for f in errors)
    assert not (out_dir / "broken").exists()


def test_folder_names_are_safe_and_distinct() -> None:
    taken = {"base"}
    assert folder_name("nor election/2027", taken) == "nor_election_2027"
    assert folder_name("base", taken) == "base-2"
    assert folder_name("nor election:2027", taken) == "nor_election_2027-2"


@pytest.mark.parametrize(("cores", "tasks", "each"), [(8, 3, 2), (2, 3, 1)])
def test_workers_are_shared_out_among_scenarios(
    cores: int, tasks: int, each: int
) -> None:
    # 8 cores // 3 processes = 2 each; 2 // 3 = 0, but every solve needs one.
    assert share_cores(cores, tasks) == each


@pytest.mark.parametrize(
    ("day", "slot"),
    [(dt.date(2027, 1, 18), 2), (dt.date(2027, 1, 20), 3), (dt.date(2027, 1, 24), 3)],
)
def test_freeze_slot_freezes_every_event_started_before_the_day(
    day: dt.date, slot: int
) -> None:
    # Weeks from Monday 2027-01-04: week 2 starts 2027-01-18, so freezing
    # before that Monday freezes weeks 0-1; a Wednesday or Sunday in week 2
    # comes after week 2 started, so week 2 is frozen too.
    assert freeze_slot(make_problem([]), day) == slot


@pytest.mark.slow
def test_the_base_is_the_plan_solve_gives(tmp_path: Path) -> None:
    # the sample is proven best in well under a second: the plan is canonical,
    # whichever run (and process) found it, with the options of a plain solve
    options = SolveOptions(time_limit_s=30, workers=2)
    done = whatif_workbook(SAMPLE, tmp_path, options, ["budget-cut"])
    problem, _ = read_problem(SAMPLE)
    assert problem is not None and done.plans
    solved = solve(problem, options)
    assert solved.statistics["canonical"] is True
    assert done.plans[0].result.plan == solved.plan
