"""The rough edges a planner hits in the first hour (issue 8 §5, issue 10).

Options out of range, where answers and diagnostics go, --quiet, compare on a
schedule.xlsx, whatif without scenarios or with a scenario that has no plan,
a pinned exercise left out, and what a run without a plan leaves behind.
click 8.2+ keeps stderr apart: ``stdout`` is the answer, ``stderr`` the rest.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from planner import cli
from tests.test_cli import INFEASIBLE, SAMPLE, assert_checked


def run(*args: object) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def edited(source: Path, target: Path, sheet: str, *rows: tuple[object, ...]) -> Path:
    """A copy of ``source`` with ``rows`` appended to ``sheet``."""
    workbook = load_workbook(source)
    for row in rows:
        workbook[sheet].append(list(row))
    workbook.save(target)
    return target


def without_scenarios(target: Path) -> Path:
    workbook = load_workbook(SAMPLE)
    del workbook["Scenarios"]
    workbook.save(target)
    return target


def pinned(target: Path) -> Path:
    """The sample with optional ACE27 (row 8) pinned to start 2027-06-07.

    The plan leaves ACE27 out either way: holding it costs more than it brings.
    """
    workbook = load_workbook(SAMPLE)
    sheet = workbook["Exercises"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(8, 1).value == "ACE27"
    sheet.cell(8, header.index("fixed_start") + 1, dt.datetime(2027, 6, 7))
    workbook.save(target)
    return target


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("solve", SAMPLE, "--time-limit", "-5"), "'--time-limit': -5.0 is not"),
        (("solve", SAMPLE, "--time-limit", "0"), "'--time-limit': 0.0 is not"),
        (("solve", SAMPLE, "--workers", "-1"), "'--workers': -1 is not"),
        (("whatif", SAMPLE, "--time-limit", "-5"), "'--time-limit': -5.0 is not"),
        (("whatif", SAMPLE, "--workers", "-1"), "'--workers': -1 is not"),
        (("explain", INFEASIBLE, "--time-limit", "-5"), "'--time-limit': -5.0 is not"),
    ],
)
def test_time_limit_and_workers_out_of_range_are_refused(
    args: tuple[object, ...], message: str
) -> None:
    # Refused while parsing, before anything is read or written: CP-SAT would
    # only say "invalid model", which reads as a fault in the workbook.
    result = run(*args)
    assert result.exit_code == 2
    assert f"Error: Invalid value for {message} in the range x>" in result.stderr
    assert result.stdout == ""


def test_explain_answers_on_stdout() -> None:
    result = run("explain", INFEASIBLE)
    assert result.exit_code == 3
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "No plan exists: these rows of the workbook cannot all hold together:"
    )
    assert lines[1].endswith("(Exercises row 3)")
    assert lines[2].endswith("(Unavailability row 19)")


@pytest.mark.slow
def test_solve_prints_answers_on_stdout_and_diagnostics_on_stderr(
    tmp_path: Path,
) -> None:
    result = run("solve", SAMPLE, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("sample.xlsx: 13 exercises, 8 partners")
    assert "Plan: the best plan possible" in result.stdout
    assert "Exercise ACE27 left out: " in result.stdout
    written = ", ".join(
        str(tmp_path / name)
        for name in (
            "schedule.xlsx", "schedule.json", "schedule.ics", "brief.pdf", "brief.html"
        )
    )  # fmt: skip
    assert result.stdout.endswith(
        f"Wrote {written}, 13 partner and venue calendars in {tmp_path / 'calendars'}\n"
    )  # the partner briefs are `planner brief`'s: writing them took a solve's time


@pytest.mark.slow
def test_quiet_prints_nothing_on_success(tmp_path: Path) -> None:
    result = run("solve", SAMPLE, "--out", tmp_path, "--quiet")
    assert result.exit_code == 0
    assert result.output == ""
    assert_checked(SAMPLE, tmp_path)


def test_quiet_still_prints_errors(tmp_path: Path) -> None:
    result = run("solve", INFEASIBLE, "--out", tmp_path, "--quiet")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith(
        "No plan exists: these rows of the workbook cannot all hold together:"
    )


@pytest.mark.slow
def test_compare_accepts_what_check_accepts(tmp_path: Path) -> None:
    out = tmp_path / "a"
    assert run("solve", SAMPLE, "--out", out, "--quiet").exit_code == 0
    # A planner deletes the first event from a copy of the calendar: compare
    # reads that workbook as check does, not the JSON beside the original.
    edited = tmp_path / "edited" / "schedule.xlsx"
    edited.parent.mkdir()
    workbook = load_workbook(out / "schedule.xlsx")
    first = workbook["Schedule"].cell(2, 1).value
    workbook["Schedule"].delete_rows(2)
    workbook.save(edited)
    result = run(
        "compare", out, edited, "--workbook", SAMPLE, "--out", tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = {
        cells[0]: cells[1:]
        for line in result.stdout.splitlines()
        if len(cells := [c.strip() for c in line.split("│")[1:-1]]) == 3
    }
    assert table["how good it is"] == ["proven best", "read from schedule.xlsx"]
    assert table["changes from a"] == ["", "1"]
    assert f"edited: {first} dropped: " in result.stdout
    assert (tmp_path / "comparison.xlsx").is_file()


@pytest.mark.slow
def test_compare_names_the_workbook_an_excel_schedule_needs(tmp_path: Path) -> None:
    out = tmp_path / "a"
    assert run("solve", SAMPLE, "--out", out, "--quiet").exit_code == 0
    result = run("compare", out / "schedule.xlsx", out, "--out", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        f"{out / 'schedule.xlsx'}: an Excel schedule holds no key figures; name "
        "the workbook it was planned from with --workbook to compare it\n"
    )


def test_whatif_without_scenarios_says_so_and_plans_nothing(tmp_path: Path) -> None:
    workbook = without_scenarios(tmp_path / "plain.xlsx")
    result = run("whatif", workbook, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr == (
        "plain.xlsx has no scenarios, so there is nothing to compare: add rows "
        "to its Scenarios sheet (docs/workbook.md, Scenarios), or run planner "
        "solve to plan the base alone.\n"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_whatif_scenario_without_plan_says_no_plan_and_why(tmp_path: Path) -> None:
    # nor-crisis blacks out NOR over the window of mandatory CR27, which needs
    # NOR: no plan exists for it (as instances/infeasible.xlsx).
    workbook = edited(
        SAMPLE, tmp_path / "crisis.xlsx", "Scenarios",
        ("nor-crisis", "add", "Unavailability", "NOR", "start", dt.date(2027, 1, 25)),
        ("nor-crisis", "add", "Unavailability", "NOR", "end", dt.date(2027, 4, 4)),
    )  # fmt: skip
    out = tmp_path / "out"
    result = run(
        "whatif", workbook, "--out", out, "--time-limit", "10",
        "--scenario", "nor-crisis", "--scenario", "budget-cut",
    )  # fmt: skip
    # 3: a scenario is proven infeasible; every other plan was found.
    assert result.exit_code == 3, result.output
    assert "nor-crisis: no plan (proven infeasible)\n" in result.stderr
    # Its rows, named as planner explain --scenario names them.
    explained = run("explain", workbook, "--scenario", "nor-crisis")
    assert explained.stdout.startswith("No plan exists: these rows")
    assert f"nor-crisis:\n{explained.stdout}" in result.stderr
    assert "1 of 3 plans not found (nor-crisis): each folder holds no-plan.xlsx" in (
        result.stderr
    )
    changes = next(
        line for line in result.stdout.splitlines() if "changes from base" in line
    )
    assert changes.split("│")[3].strip() == "no plan (proven infeasible)"
    assert changes.split("│")[4].strip() == "3"
    assert sorted(p.name for p in (out / "nor-crisis").iterdir()) == [
        "no-plan.json",
        "no-plan.xlsx",
    ]
    assert_checked(workbook, out / "budget-cut", "budget-cut")
    comparison = load_workbook(out / "comparison.xlsx")
    kpis = {row[0]: row[1:] for row in comparison["KPIs"].iter_rows(values_only=True)}
    assert kpis["changes from base"] == (None, "no plan (proven infeasible)", 3)
    differences = list(comparison["Differences"].iter_rows(values_only=True))
    assert differences[1][:5] == (
        "nor-crisis",
        None,
        None,
        None,
        "no plan (proven infeasible)",
    )


@pytest.mark.slow
def test_pinned_optional_left_out_is_a_warning(tmp_path: Path) -> None:
    workbook = pinned(tmp_path / "pinned.xlsx")
    out = tmp_path / "out"
    result = run("solve", workbook, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert_checked(workbook, out)
    warning = (
        "exercise ACE27 'Arctic Air Challenge 27' is pinned (fixed_start "
        "2027-06-07, Exercises row 8) but left out of the plan: Holding it "
        "costs more than it brings"
    )
    assert result.stderr.startswith(f"warning: {warning}")
    summary = list(
        load_workbook(out / "schedule.xlsx")["Summary"].iter_rows(values_only=True)
    )
    assert summary[1][0] == "Warnings"
    assert summary[2][0] == "pinned, left out"
    assert summary[2][1].startswith(warning)


@pytest.mark.slow
def test_solve_without_plan_leaves_no_schedule_behind(tmp_path: Path) -> None:
    assert run("solve", SAMPLE, "--out", tmp_path, "--quiet").exit_code == 0
    result = run("solve", INFEASIBLE, "--out", tmp_path)
    assert result.exit_code == 3
    assert "No plan (proven infeasible)" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "no-plan.json",
        "no-plan.xlsx",
    ]
    infeasible = load_workbook(tmp_path / "no-plan.xlsx")["Infeasible"]
    rows = list(infeasible.iter_rows(min_row=3, values_only=True))
    assert [row[:2] for row in rows] == [("Exercises", 3), ("Unavailability", 19)]
    checked = run("check", INFEASIBLE, tmp_path)
    assert checked.exit_code == 2
    assert "no-plan.json: holds no plan (the run's status: infeasible)" in (
        checked.stderr
    )
