"""What planner puts into a sheet, narrowed from openpyxl's looser types.

openpyxl accepts many kinds of cell value and types a new workbook's first
sheet as possibly a chart sheet; the writers only ever hold the values below
and a worksheet, and these functions say so once, with a check.
"""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

CellValue = str | int | float | dt.date | dt.datetime | dt.time | None


# Excel holds at most this many characters in a cell; a file with a longer
# text opens as damaged ("We found a problem with some content").
EXCEL_MAX_CHARS = 32_767


def excel_value(value: object) -> CellValue:
    """``value`` as a cell holds it, a text cut to what Excel can hold (saying
    so); anything else is a programming error."""
    if isinstance(value, str) and len(value) > EXCEL_MAX_CHARS:
        kept = EXCEL_MAX_CHARS - 100  # room for the note
        return (
            f"{value[:kept]}… ({len(value) - kept:,} more characters cut: a cell "
            f"holds at most {EXCEL_MAX_CHARS:,})"
        )
    if value is None or isinstance(value, str | int | float | dt.date | dt.time):
        return value
    raise TypeError(f"a cell cannot hold {value!r}")


def first_sheet(workbook: Workbook) -> Worksheet:
    """The worksheet a new workbook starts with."""
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):
        raise TypeError("a new workbook starts with a worksheet")
    return sheet
