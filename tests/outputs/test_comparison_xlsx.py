"""comparison.xlsx: key figures, differences and the calendars one above the other.

The two plans are those of tests/test_compare.py (base, and cut: E1 moved a
week later to W, E2 dropped, E3 added, A joining E4).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from planner.app.publish import write_comparison
from planner.differences import compare
from planner.outputs.comparison_xlsx import (
    CHANGED_FILL,
    HELD_FILL,
    VACATED_FILL,
)
from planner.report import Comparison
from planner.workbook.read_result import load_result
from tests.test_differences import BASE, CUT, write


@pytest.fixture
def comparison(tmp_path: Path) -> Comparison:
    base = load_result(write(tmp_path, "base", BASE))
    cut = load_result(write(tmp_path, "cut", CUT))
    return compare([base, cut])


@pytest.fixture
def written(tmp_path: Path, comparison: Comparison) -> Path:
    return write_comparison(comparison, tmp_path / "comparison.xlsx")


def fill(ws: Worksheet, cell: str) -> str:
    return ws[cell].fill.fgColor.rgb[-6:] if ws[cell].fill.fill_type else ""


def colour(pattern: object) -> str:
    return pattern.fgColor.rgb[-6:]  # type: ignore[attr-defined]


def test_the_three_sheets(written: Path) -> None:
    assert load_workbook(written).sheetnames == ["KPIs", "Differences", "Calendar"]


def test_a_folder_gets_comparison_xlsx_and_no_temporary_file_stays(
    tmp_path: Path, comparison: Comparison
) -> None:
    folder = tmp_path / "compared"
    folder.mkdir()
    assert write_comparison(comparison, folder) == folder / "comparison.xlsx"
    assert [p.name for p in folder.iterdir()] == ["comparison.xlsx"]


def test_kpis_highlight_what_differs_from_the_first_plan(written: Path) -> None:
    ws = load_workbook(written)["KPIs"]
    rows = {row[0].value: row for row in ws.iter_rows(min_row=2) if row[0].value}
    assert [c.value for c in ws[1]] == ["Figure", "base", "cut"]
    objective = rows["objective"]
    assert (objective[1].value, objective[2].value) == (796_850, 697_700)
    assert fill(ws, objective[2].coordinate) == colour(CHANGED_FILL)
    assert fill(ws, objective[1].coordinate) == ""
    # The goal shortfall is 200,000 in both: not highlighted.
    shortfall = rows["goal_shortfall"]
    assert shortfall[2].value == -200_000
    assert fill(ws, shortfall[2].coordinate) == ""


def test_differences_one_row_per_change(written: Path) -> None:
    ws = load_workbook(written)["Differences"]
    assert [list(row) for row in ws.iter_rows(values_only=True)] == [
        ["Plan", "Exercise", "Name", "Kind", "Change", "Before", "After", "Slots"],
        [
            "cut",
            "E1",
            "Cold Response",
            "exercise",
            "moved",
            "2027-01-11",
            "2027-01-18",
            1,
        ],
        ["cut", "E1", "Cold Response", "exercise", "venue changed", "V", "W", None],
        ["cut", "E1", "Cold Response", "exercise", "partners left", "B", None, None],
        ["cut", "E2", "Staff talks", None, "dropped", "2027-01-25 at W", None, None],
        ["cut", "E3", "HADR drill", None, "added", None, "2027-01-04 at V", None],
        ["cut", "E4", "Range day", None, "partners joined", None, "A", None],
    ]


def test_calendar_shows_the_plans_one_above_the_other(written: Path) -> None:
    # Slot s is column C + s. Months row 1, slot days row 2; base: title row
    # 3, E1..E4 rows 4-7, a blank row; cut: title row 9, E1..E4 rows 10-13.
    ws = load_workbook(written)["Calendar"]
    assert ws["A3"].value == "base: tiny (optimal)"
    assert ws["A9"].value == "cut: tiny (optimal)"
    assert [ws[f"A{row}"].value for row in range(10, 14)] == ["E1", "E2", "E3", "E4"]
    # base E1 weeks 1-2 at V, as it is: held, not highlighted.
    assert (ws["D4"].value, fill(ws, "D4")) == ("V", colour(HELD_FILL))
    # cut E1 weeks 2-3 at W: changed; week 1 left empty: vacated.
    assert (ws["E10"].value, fill(ws, "E10")) == ("W", colour(CHANGED_FILL))
    assert (ws["F10"].value, fill(ws, "F10")) == ("W", colour(CHANGED_FILL))
    assert (ws["D10"].value, fill(ws, "D10")) == (None, colour(VACATED_FILL))
    # cut E2 dropped from week 3; E4 kept in week 5 at V.
    assert fill(ws, "F11") == colour(VACATED_FILL)
    assert (ws["H13"].value, fill(ws, "H13")) == ("V", colour(HELD_FILL))
    # The legend follows a blank row after the last grid.
    assert [(fill(ws, f"A{r}"), ws[f"B{r}"].value) for r in (15, 16, 17)] == [
        (colour(HELD_FILL), "held as in base"),
        (colour(CHANGED_FILL), "differs from base"),
        (colour(VACATED_FILL), "held in base only"),
    ]
