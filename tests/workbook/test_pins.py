"""Pins written back into the planner's workbook (`planner.workbook.pins`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from planner.domain import Pin
from planner.workbook.pins import write_pins
from planner.workbook.read import read_problem
from tests.serve.conftest import SAMPLE


def cells(path: Path) -> dict[tuple[str, str], object]:
    """Every cell's value (formulas as written), by sheet and coordinate."""
    book = load_workbook(path)
    return {
        (sheet.title, cell.coordinate): cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }


def test_a_pin_fills_in_fixed_start_and_fixed_venue_and_nothing_else(
    tmp_path: Path,
) -> None:
    target = tmp_path / "pinned.xlsx"
    assert write_pins(SAMPLE, [Pin("NBST", dt.date(2027, 10, 4), "TAP")], target) == []
    before, after = cells(SAMPLE), cells(target)
    # NBST is on row 13; fixed_start and fixed_venue are columns S and T
    assert {k: v for k, v in after.items() if before.get(k) != v} == {
        ("Exercises", "S13"): dt.datetime(2027, 10, 4),
        ("Exercises", "T13"): "TAP",
    }
    assert set(before) <= set(after)
    problem, findings = read_problem(target)
    assert problem is not None, findings
    assert problem.exercise["NBST"].fixed_venue == "TAP"
    assert problem.slot_start(problem.exercise["NBST"].fixed_start) == dt.date(
        2027, 10, 4
    )
    assert load_workbook(target)["Exercises"]["S13"].number_format == "yyyy-mm-dd"


def test_a_workbook_without_the_pin_columns_gets_them(tmp_path: Path) -> None:
    book = load_workbook(SAMPLE)
    book["Exercises"].delete_cols(19, 2)
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    target = tmp_path / "pinned.xlsx"
    write_pins(plain, [Pin("CR27", dt.date(2027, 2, 8), "=SET")], target)
    sheet = load_workbook(target)["Exercises"]
    assert [sheet["S1"].value, sheet["T1"].value] == ["fixed_start", "fixed_venue"]
    assert sheet["T3"].value == "=SET"
    assert sheet["T3"].data_type == "s"  # a venue id, never a formula


def test_a_pin_of_an_exercise_the_workbook_lacks_is_said_and_skipped(
    tmp_path: Path,
) -> None:
    target = tmp_path / "pinned.xlsx"
    findings = write_pins(SAMPLE, [Pin("GONE", dt.date(2027, 2, 8), "SET")], target)
    assert [(f.sheet, f.message) for f in findings] == [
        (
            "Exercises",
            "exercise GONE is pinned but has no row here; its pin was not written",
        )
    ]
    assert cells(target) == cells(SAMPLE)
