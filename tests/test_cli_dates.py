"""Issue 21 from the command line: dates as typed, and words a planner uses.

The minimal programme (tests/workbook/conftest.py) in weeks and in days,
with dates typed mid-week: in weeks `planner suggest` and `planner explain`
name the week and the typed date that falls in it; in days the date alone.
`planner solve` and `planner check` name the objective's parts as the brief
and the web page do, with no solver vocabulary.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from planner import cli
from planner.app.progress import SEARCHING, RunProgress
from tests.test_cli import assert_checked, run
from tests.workbook.conftest import Sheets, minimal_programme, set_cell, write_workbook

D = dt.date
SOLVER_WORDS = ("objective", "gap", "bound", "optimal", "feasible")


def programme(
    tmp_path: Path, time_unit: str, cells: dict[tuple[str, str], object]
) -> Path:
    """The minimal programme in ``time_unit``, with ``cells`` (sheet, cell)
    set."""
    sheets: Sheets = set_cell(minimal_programme(), "Settings", "B4", time_unit)
    for (sheet, cell), value in cells.items():
        set_cell(sheets, sheet, cell, value)
    return write_workbook(tmp_path / f"{time_unit}.xlsx", sheets)


def solved(tmp_path: Path, time_unit: str) -> tuple[Path, Path]:
    """A plan holding DYNMON from Monday 2027-02-01, checked, and the
    programme to ask about it: DYNMON's earliest start typed as Wednesday
    2027-01-13 (in weeks: week 1, from Monday 2027-01-11), NOR's holiday
    moved to March and no dependency, so DYNMON may start then."""
    sheets = minimal_programme()
    sheets["Dependencies"] = sheets["Dependencies"][:1]
    set_cell(sheets, "Settings", "B4", time_unit)
    set_cell(sheets, "Exercises", "G2", D(2027, 1, 13))
    set_cell(sheets, "Unavailability", "B2", D(2027, 3, 15))
    set_cell(sheets, "Unavailability", "C2", D(2027, 3, 17))
    workbook = write_workbook(tmp_path / f"{time_unit}.xlsx", sheets)
    set_cell(sheets, "Exercises", "S2", D(2027, 2, 1))
    pinned = write_workbook(tmp_path / "pinned.xlsx", sheets)
    out = tmp_path / "out"
    ran = run(
        "solve", pinned, "--out", out, "--time-limit", "20",
        "--workers", "1", "--deterministic", "--quiet",
    )  # fmt: skip
    assert ran.exit_code == 0, ran.output
    assert_checked(workbook, out)
    return workbook, out


def test_solve_names_the_parts_of_the_plans_worth_in_planner_words(
    tmp_path: Path,
) -> None:
    workbook = programme(tmp_path, "week", {})
    out = tmp_path / "out"
    ran = run("solve", workbook, "--out", out, "--time-limit", "20",
              "--workers", "1", "--deterministic")  # fmt: skip
    assert ran.exit_code == 0, ran.output
    assert_checked(workbook, out)
    lines = [line.strip("│┃ ") for line in ran.stdout.splitlines()]
    assert lines[0] == "Plan: the best plan possible"
    assert "part of the plan's worth" in ran.stdout
    # DYNMON (8 points) and TALKS (3 points): 11 x 100,000 EUR of value.
    assert any(
        line.startswith("value of the exercises held") and line.endswith("1,100,000")
        for line in lines
    )
    assert "2 exercises held; no better plan exists;" in ran.stdout
    for word in SOLVER_WORDS:
        assert word not in ran.stdout.lower(), word
    checked = run("check", workbook, out)
    assert checked.exit_code == 0, checked.output
    assert "The plan's worth, recomputed" in checked.stdout
    assert "value of the exercises held" in checked.stdout
    for word in SOLVER_WORDS:
        assert word not in checked.stdout.lower(), word


@pytest.mark.parametrize(
    ("time_unit", "placement"),
    [
        # Two weeks from the week of Monday 2027-01-11, to Sunday 2027-01-24.
        (
            "week",
            "from the week of 2027-01-11 (earliest start 2027-01-13 falls in it) "
            "to 2027-01-24",
        ),
        # Two days from Wednesday 2027-01-13: nothing rounds.
        ("day", "from 2027-01-13 to 2027-01-14"),
    ],
)
def test_suggest_names_the_week_that_rounds_the_typed_earliest_start(
    tmp_path: Path, time_unit: str, placement: str
) -> None:
    workbook, out = solved(tmp_path, time_unit)
    ran = run("suggest", workbook, out, "DYNMON", "--start", "2027-01-13")
    assert ran.exit_code == 0, ran.output
    assert ran.stdout.startswith(f"DYNMON at HAAKONSVERN {placement} with ")
    assert ": the plan would be worth " in ran.stdout
    assert "objective" not in ran.stdout


# NOR, whom mandatory DYNMON needs, away from Sunday 2027-01-10 to Saturday
# 2027-02-27: in weeks that blocks weeks 0 to 7 and all of DYNMON's window
# (weeks 1 to 7); in days it leaves Sunday 2027-02-28, one day of the two
# DYNMON takes.
AWAY = {
    ("Unavailability", "B2"): D(2027, 1, 10),
    ("Unavailability", "C2"): D(2027, 2, 27),
}


@pytest.mark.parametrize(
    ("time_unit", "dates"),
    [
        (
            "week",
            "the week of 2027-01-04 (start 2027-01-10 falls in it) to the week of "
            "2027-02-22 (end 2027-02-27 falls in it)",
        ),
        ("day", "2027-01-10 to 2027-02-27"),
    ],
)
def test_explain_shows_a_blackout_as_typed(
    tmp_path: Path, time_unit: str, dates: str
) -> None:
    workbook = programme(tmp_path, time_unit, AWAY)
    ran = run("explain", workbook, "--time-limit", "20")
    assert ran.exit_code == 3, ran.output
    assert (
        f"  Partner NOR is unavailable {dates} (national holiday) "
        "(Unavailability row 2)"
    ) in ran.stdout.splitlines()


def test_the_live_line_says_how_far_the_search_is_from_proven_best() -> None:
    # Best plan so far worth 3,379,000, none can be worth more than
    # 3,500,000: it could still improve by 121,000 / 3,500,000 = 3.46%.
    line = cli._progress_line(
        RunProgress(SEARCHING, 12.3, objective=3_379_000, bound=3_500_000)
    )
    assert line == (
        "searching…   12.3s   best plan so far 3,379,000   best possible "
        "3,500,000   could still improve by 3.46%"
    )
    for word in SOLVER_WORDS:
        assert word not in line, word


def test_compare_names_the_key_figures_as_the_page_does(tmp_path: Path) -> None:
    workbook = programme(tmp_path, "week", {})
    for out in ("a", "b"):
        ran = run("solve", workbook, "--out", tmp_path / out, "--time-limit", "20",
                  "--workers", "1", "--deterministic", "--quiet")  # fmt: skip
        assert ran.exit_code == 0, ran.output
        assert_checked(workbook, tmp_path / out)
    compared = run("compare", tmp_path / "a", tmp_path / "b", "--out", tmp_path)
    assert compared.exit_code == 0, compared.output
    table = {
        cells[0]: cells[1:]
        for line in compared.stdout.splitlines()
        if len(cells := [c.strip() for c in line.split("│")[1:-1]]) == 3
    }
    assert table["how good it is"] == ["proven best"] * 2
    # Long names wrap within their column (at most 17 characters wide).
    assert "│ goals not met     │ 0" in compared.stdout
    for word in SOLVER_WORDS:
        assert word not in compared.stdout.lower(), word
