"""Pins written back into the planner's own workbook.

A planner who moves an exercise by hand on the page wants the workbook to
say so, so that the next plan made from it (on the page, on the command line
or by a colleague) holds the exercise there too: each pin becomes the
exercise's fixed_start and fixed_venue on the Exercises sheet. Everything
else in the workbook is kept as the planner wrote it (formulas, notes,
drop-downs, other sheets); a workbook without those two columns gets them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from planner.domain import Finding, Pin
from planner.outputs.files import replace_atomically
from planner.workbook.cells import is_blank
from planner.workbook.schema import EXERCISES
from planner.workbook.template import DATE_FORMAT

ID_COLUMN = "exercise_id"
PIN_COLUMNS = ("fixed_start", "fixed_venue")


def write_pins(source: Path, pins: Sequence[Pin], target: Path) -> list[Finding]:
    """Write ``source`` to ``target`` with each pin's exercise fixed where the
    pin puts it; a finding for each pin whose exercise has no row (nothing
    else is changed then). ``target`` is written whole or not at all."""
    book = load_workbook(source)
    sheet = _exercises_sheet(book.worksheets)
    if sheet is None:
        return [Finding(source.name, "", "has no Exercises sheet to pin exercises on")]
    columns = _header(sheet)
    for name in PIN_COLUMNS:
        if name not in columns:
            columns[name] = sheet.max_column + 1
            sheet.cell(row=1, column=columns[name], value=name)
    rows = _rows_by_id(sheet, columns[ID_COLUMN]) if ID_COLUMN in columns else {}
    findings = []
    for pin in pins:
        row = rows.get(pin.exercise_id)
        if row is None:
            findings.append(
                Finding(
                    sheet.title,
                    "",
                    f"exercise {pin.exercise_id} is pinned but has no row here; "
                    "its pin was not written",
                )
            )
            continue
        start = sheet.cell(row=row, column=columns["fixed_start"], value=pin.start)
        start.number_format = DATE_FORMAT
        venue = sheet.cell(row=row, column=columns["fixed_venue"], value=pin.venue_id)
        venue.data_type = "s"  # a venue id such as "=X" stays text
    replace_atomically([(target, book.save)])
    return findings


def _exercises_sheet(sheets: Sequence[Worksheet]) -> Worksheet | None:
    """The Exercises sheet, named as the reader finds it (any case)."""
    for sheet in sheets:
        if sheet.title.strip().lower() == EXERCISES.name.lower():
            return sheet
    return None


def _header(sheet: Worksheet) -> dict[str, int]:
    """Column name (trimmed, lower case) -> column number, from row 1."""
    columns: dict[str, int] = {}
    for number, cell in enumerate(sheet[1], start=1):
        if not is_blank(cell.value):
            columns.setdefault(str(cell.value).strip().lower(), number)
    return columns


def _rows_by_id(sheet: Worksheet, column: int) -> dict[str, int]:
    """Exercise id -> its row (the first, as the reader takes it)."""
    rows: dict[str, int] = {}
    cells = sheet.iter_rows(min_row=2, min_col=column, max_col=column, values_only=True)
    for number, (value,) in enumerate(cells, start=2):
        if not is_blank(value):
            rows.setdefault(str(value).strip(), number)
    return rows
