"""`whatif_workbook` on the example programme: base, scenarios, comparison."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from planner import cli
from planner.app.examine import conflict_of_workbook
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
from tests.workbook.conftest import minimal_programme, write_workbook

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


@pytest.mark.slow
def test_a_skipped_scenarios_errors_are_said_before_the_plans_run(
    programme: Path, tmp_path: Path
) -> None:
    """The planner can mend the broken rows while the others are searched;
    at the end they are named once more only by the scenario's name."""
    ran = CliRunner().invoke(
        cli.main,
        ["whatif", str(programme), "--out", str(tmp_path), "--scenario",
         "broken", "--time-limit", "5", "--workers", "1"],
    )  # fmt: skip
    assert ran.exit_code == 2, ran.output
    lines = ran.stderr.splitlines()
    error = 'Scenarios!F9: total_budget must be an amount >= 0, got "abc"'
    assert lines[:2] == ["broken: skipped, the scenario has errors:", error]
    assert lines[2].startswith("Planning the base and 0 other plans")
    assert lines.count(error) == 1
    assert "broken: not planned, its rows have errors (listed above)." in lines
    problem, _ = read_problem(programme)
    assert problem is not None
    plan, findings = read_plan(problem, tmp_path / "base")
    assert plan is not None, findings
    assert check_plan(problem, plan) == []


def test_folder_names_are_safe_and_distinct() -> None:
    taken = {"base"}
    assert folder_name("nor election/2027", taken) == "nor_election_2027"
    assert folder_name("base", taken) == "base-2"
    assert folder_name("nor election:2027", taken) == "nor_election_2027-2"
    assert folder_name("x" * 300, taken) == "x" * 60
    assert folder_name("x" * 301, taken) == "x" * 60 + "-2"


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


# Reasons and conflicts in every scenario's result, on a tiny programme: the
# minimal programme of tests/workbook (DYNMON mandatory, needs NOR, weeks 1-7;
# TALKS optional) with three scenarios.
NOR_OUT = (  # a blackout of NOR over the whole horizon: no plan holds DYNMON
    ("nor-out", "add", "Unavailability", "NOR", "start", dt.date(2027, 1, 4)),
    ("nor-out", "add", "Unavailability", "NOR", "end", dt.date(2027, 3, 28)),
)
TAPA_SHUT = (  # TALKS may only use TAPA, which closes: TALKS is left out
    ("tapa-shut", "set", "Exercises", "TALKS", "venues", "TAPA"),
    ("tapa-shut", "delete", "Venues", "TAPA"),
)
TALKS_LEFT_OUT = (
    "Scenarios!D5: warning: exercise TALKS (Exercises row 3) could be held only "
    "at TAPA: it is left out"
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[WhatifOutcome, Path]:
    folder = tmp_path_factory.mktemp("tiny")
    sheets = minimal_programme()
    sheets["Scenarios"] = [
        ["scenario", "action", "sheet", "id", "column", "value"],
        *(list(row) for row in (*NOR_OUT, *TAPA_SHUT)),
    ]
    path = write_workbook(folder / "tiny.xlsx", sheets)
    options = SolveOptions(time_limit_s=5, workers=1, deterministic=True)
    return whatif_workbook(path, folder / "out", options), path


@pytest.mark.slow
def test_an_infeasible_scenario_names_its_rows_as_explain_does(
    tiny: tuple[WhatifOutcome, Path],
) -> None:
    done, path = tiny
    plans = {plan.name: plan for plan in done.plans}
    assert plans["nor-out"].result.status is Status.INFEASIBLE
    explained = conflict_of_workbook(path, "nor-out").conflict
    assert explained is not None
    lines = [
        "Exercise DYNMON 'Dynamic Mongoose' (mandatory, 2 weeks, window "
        "2027-01-11 to 2027-02-28) needs partners NOR; assets SHIP; a venue "
        "among HAAKONSVERN; a venue with maritime; at least 2 partners "
        "(Exercises row 2)",
        "Partner NOR is unavailable 2027-01-04 to 2027-03-28 (Scenarios row 2)",
    ]
    assert list(explained.lines) == lines
    found = plans["nor-out"].explanation
    assert found is not None and list(found.lines) == lines
    assert list(plans["nor-out"].view.conflict) == lines
    written = json.loads((plans["nor-out"].folder / "no-plan.json").read_text())
    assert written["explanation"]["lines"] == lines
    assert done.comparison_file is not None
    why = list(load_workbook(done.comparison_file)["Why"].iter_rows(values_only=True))
    assert ("nor-out", "conflicting row", None, lines[0]) in why
    assert ("nor-out", "conflicting row", None, lines[1]) in why


def test_every_scenario_result_carries_its_reasons(
    tiny: tuple[WhatifOutcome, Path],
) -> None:
    done, path = tiny
    plans = {plan.name: plan for plan in done.plans}
    assert list(plans) == ["base", "nor-out", "tapa-shut"]
    for name in ("base", "tapa-shut"):
        written = json.loads((plans[name].folder / "schedule.json").read_text())
        assert written["explanation"] is not None
    shut = plans["tapa-shut"]
    assert shut.violations == ()
    assert shut.result.plan is not None
    assert "TALKS" not in {event.exercise_id for event in shut.result.plan.events}
    problem, findings = read_problem(path, "tapa-shut")
    assert problem is not None and TALKS_LEFT_OUT in [str(f) for f in findings]
    assert check_plan(problem, shut.result.plan) == []
    written = json.loads((shut.folder / "schedule.json").read_text())
    reasons = {r["id"]: r["text"] for r in written["explanation"]["reasons"]}
    assert reasons["TALKS"] == (
        "It can never be held: Scenarios!D5: exercise TALKS (Exercises row 3) "
        "could be held only at TAPA: it is left out."
    )
    assert done.comparison_file is not None
    why = list(load_workbook(done.comparison_file)["Why"].iter_rows(values_only=True))
    assert ("tapa-shut", "exercise", "TALKS", reasons["TALKS"]) in why


def test_a_goal_a_scenario_puts_out_of_reach_is_a_warning_with_its_row(
    tiny: tuple[WhatifOutcome, Path],
) -> None:
    # G3 asks for one exercise training logistics: TALKS alone does, and
    # tapa-shut leaves it nowhere to be held.
    done, _ = tiny
    assert [str(f) for f in done.findings["tapa-shut"] if f.sheet == "Goals"] == [
        "Goals: warning: goal G3 (Goals row 4) can no longer be met in this "
        "scenario: Only 0 exercises train logistics; it asks for 1. (TALKS would "
        "count but can never be held.)"
    ]
    assert [f for f in done.findings["base"] if f.sheet == "Goals"] == []


@pytest.mark.slow
def test_whatif_prints_an_infeasible_scenario_s_rows(
    tiny: tuple[WhatifOutcome, Path], tmp_path: Path
) -> None:
    _, path = tiny
    ran = CliRunner().invoke(
        cli.main,
        ["whatif", str(path), "--out", str(tmp_path), "--time-limit", "5",
         "--workers", "1", "--scenario", "nor-out"],
    )  # fmt: skip
    assert ran.exit_code == 3, ran.output
    explained = CliRunner().invoke(
        cli.main, ["explain", str(path), "--scenario", "nor-out"]
    )
    assert explained.exit_code == 3
    assert f"nor-out:\n{explained.stdout}" in ran.stderr


@pytest.mark.slow
def test_deleting_each_partner_of_the_sample_plans(tmp_path: Path) -> None:
    # The documented "delete Partners FRA", for every partner in turn: each
    # scenario plans, checker-clean, with warnings only, at its Scenarios row.
    path = tmp_path / "sample.xlsx"
    workbook = load_workbook(SAMPLE)
    scenarios = workbook["Scenarios"]
    scenarios.delete_rows(2, scenarios.max_row)
    partners = [row[0] for row in workbook["Partners"].iter_rows(2, values_only=True)]
    for partner in partners:
        scenarios.append([f"no-{partner}", "delete", "Partners", partner])
    workbook.save(path)
    options = SolveOptions(time_limit_s=3, workers=2, deterministic=True)
    done = whatif_workbook(path, tmp_path / "out", options)
    assert [plan.name for plan in done.plans] == [
        "base",
        *(f"no-{p}" for p in partners),
    ]
    assert done.skipped == ()
    for row, partner in enumerate(partners, start=2):
        name = f"no-{partner}"
        findings = done.findings[name]
        assert {(f.address, f.severity) for f in findings} == {
            (f"Scenarios!D{row}", Severity.WARNING)
        }
        assert findings[0].message.startswith(
            f"{partner} is taken off the partners of Exercises rows "
        )
    for plan in done.plans:
        assert plan.result.plan is not None and plan.violations == ()
        assert plan.explanation is not None
        scenario = None if plan.name == "base" else plan.name
        problem, _ = read_problem(path, scenario)
        assert problem is not None
        assert check_plan(problem, plan.result.plan) == []
