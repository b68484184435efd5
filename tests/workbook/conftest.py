"""A minimal valid programme as plain data, and a way to write it as a workbook.

Tests change one cell of `minimal_programme` and read the workbook back, so
each states one fact: this cell, this value, this finding. The programme is
twelve weeks from Monday 2027-01-04 (slot i is the week from 2027-01-04 + 7i);
its rows are laid out column by column in schema order, so cell references in
the tests are the cells a planner would see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from copy import deepcopy
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from planner.domain import Finding, Problem
from planner.workbook.read import read_problem

Sheets = dict[str, list[list[object]]]
Reader = Callable[[Sheets], tuple[Problem | None, list[Finding]]]

D = dt.date

_PROGRAMME: Sheets = {
    "Settings": [
        ["key", "value"],
        ["planning_start", D(2027, 1, 4)],
        ["planning_end", D(2027, 3, 28)],  # a Sunday: 12 whole weeks
        ["time_unit", "week"],
        ["total_budget", 100000],
        ["currency", "EUR"],
    ],
    "Partners": [
        [
            "partner_id",
            "name",
            "country_code",
            "region",
            "budget",
            "max_events",
            "max_concurrent",
            "min_gap",
            "weight",
        ],
        ["NOR", "Norway", "NO", "North", 50000, 3, 1, 1, 2],
        ["POL", "Poland", "PL", "East"],
        ["EST", "Estonia", "EE", "East"],
    ],
    "Venues": [
        [
            "venue_id",
            "name",
            "host_partner",
            "region",
            "capabilities",
            "capacity",
            "cost_per_slot",
            "max_concurrent",
        ],
        [
            "HAAKONSVERN",
            "Haakonsvern",
            "NOR",
            "North",
            "maritime; classroom",
            10,
            1000,
            1,
        ],
        ["TAPA", "Tapa", "EST", "East", "land", 3, 0, 2],
    ],
    "Exercises": [
        [
            "exercise_id",
            "name",
            "kind",
            "duration",
            "mandatory",
            "value",
            "earliest_start",
            "latest_end",
            "venues",
            "needs",
            "required_partners",
            "invited_partners",
            "min_partners",
            "max_partners",
            "fixed_cost",
            "cost_per_partner",
            "areas",
            "assets",
            "fixed_start",
            "fixed_venue",
        ],
        [
            "DYNMON",
            "Dynamic Mongoose",
            "exercise",
            2,
            "yes",
            8,
            D(2027, 1, 11),  # week 1
            D(2027, 2, 28),  # week 7
            "HAAKONSVERN",
            "maritime",
            "NOR",
            "POL, EST",
            2,
            3,
            20000,
            500,
            "maritime; asw",
            "SHIP",
        ],
        [
            "TALKS",
            "Staff talks",
            "staff talks",
            1,
            "no",
            3,
            None,
            None,
            None,
            None,
            None,
            "NOR; POL",
            0,
            None,
            0,
            100,
            "logistics",
            None,
            D(2027, 3, 3),  # a Wednesday of week 8
        ],
    ],
    "Assets": [
        ["asset_id", "name", "capacity"],
        ["SHIP", "KNM Maud", 1],
    ],
    "Unavailability": [
        ["resource_id", "start", "end", "reason"],
        ["NOR", D(2027, 1, 18), D(2027, 1, 20), "national holiday"],  # week 2
        ["TAPA", D(2026, 12, 20), D(2027, 1, 12), "maintenance"],  # weeks 0-1
        ["SHIP", D(2027, 3, 22), D(2027, 4, 30), "dock"],  # week 11
    ],
    "TravelCosts": [
        ["partner_id", "venue_id", "cost"],
        ["POL", "HAAKONSVERN", 1500],
    ],
    "Goals": [
        ["goal_id", "kind", "partners", "area", "min_count", "weight", "hard"],
        ["G1", "together", "NOR; POL", "maritime", 1, 2, "no"],
        ["G2", "engagement", None, None, 1, 1, "yes"],
        ["G3", "coverage", None, "logistics", 1, 1, "no"],
    ],
    "Dependencies": [
        ["before", "after", "min_gap", "max_gap", "requires"],
        ["DYNMON", "TALKS", 1, 4, "yes"],
    ],
}


def minimal_programme() -> Sheets:
    """A fresh copy of the valid programme, safe to change."""
    return deepcopy(_PROGRAMME)


def set_cell(sheets: Sheets, sheet: str, cell: str, value: object) -> Sheets:
    """Put ``value`` in ``sheet!cell``, growing the rows as needed."""
    letters, row = coordinate_from_string(cell)
    column = column_index_from_string(letters)
    rows = sheets.setdefault(sheet, [])
    while len(rows) < row:
        rows.append([])
    cells = rows[row - 1]
    while len(cells) < column:
        cells.append(None)
    cells[column - 1] = value
    return sheets


def write_workbook(path: Path, sheets: Sheets) -> Path:
    """Each sheet's rows as they are, row 1 first, in the order given."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def programme() -> Sheets:
    return minimal_programme()


@pytest.fixture
def read(tmp_path: Path) -> Reader:
    """Write the sheets to a workbook in tmp_path and read it back."""

    def write_and_read(sheets: Sheets) -> tuple[Problem | None, list[Finding]]:
        return read_problem(write_workbook(tmp_path / "programme.xlsx", sheets))

    return write_and_read
