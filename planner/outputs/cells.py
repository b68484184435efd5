"""What planner puts into a sheet, narrowed from openpyxl's looser types.

openpyxl accepts many kinds of cell value and types a new workbook's first
sheet as possibly a chart sheet; the writers only ever hold the values below
and a worksheet, and these functions say so once, with a check.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.cell.rich_text import CellRichText
from openpyxl.worksheet.worksheet import Worksheet

CellValue = str | int | float | dt.date | dt.datetime | dt.time | CellRichText | None


# Excel holds at most this many characters in a cell; a file with a longer
# text opens as damaged ("We found a problem with some content").
EXCEL_MAX_CHARS = 32_767


def excel_value(value: object) -> CellValue:
    """``value`` as a cell holds it, a text cut to what Excel can hold (saying
    so); anything else is a programming error.

    Every cell planner writes goes through here. A text is always text: a
    name such as ``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0`` would become
    a live formula (openpyxl types a string starting with ``=`` as one), so
    it is written as a rich-text run, which Excel and LibreOffice show as
    typed and every reader reads back as the same text. A text starting with
    ``+``, ``-`` or ``@`` is stored as a string cell, never evaluated.
    """
    if isinstance(value, str) and len(value) > EXCEL_MAX_CHARS:
        kept = EXCEL_MAX_CHARS - 100  # room for the note
        value = (
            f"{value[:kept]}… ({len(value) - kept:,} more characters cut: a cell "
            f"holds at most {EXCEL_MAX_CHARS:,})"
        )
    if isinstance(value, str) and value.startswith("="):
        return CellRichText([value])
    if value is None or isinstance(value, str | int | float | dt.date | dt.time):
        return value
    raise TypeError(f"a cell cannot hold {value!r}")


def put(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """Write ``value`` into one cell, as `excel_value` makes it."""
    cell = ws.cell(row, column)
    if not isinstance(cell, Cell):
        raise TypeError(f"row {row}, column {column} is inside a merged range")
    cell.value = excel_value(value)
    return cell


def append_row(ws: Worksheet, values: Iterable[object]) -> None:
    """Write ``values`` into the row below the last, as `excel_value` makes them."""
    ws.append([excel_value(value) for value in values])


def first_sheet(workbook: Workbook) -> Worksheet:
    """The worksheet a new workbook starts with."""
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):
        raise TypeError("a new workbook starts with a worksheet")
    return sheet


def xlsx_bytes(workbook: Workbook) -> bytes:
    """The workbook saved in memory, to be written to disk by our own code.

    openpyxl saving straight to a file that fails (a full disk) leaves its
    zip half-closed, and Python prints that zip's traceback on exit.
    """
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
