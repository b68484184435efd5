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


def excel_value(value: object) -> CellValue:
    """``value`` as a cell holds it; anything else is a programming error."""
    if value is None or isinstance(value, str | int | float | dt.date | dt.time):
        return value
    raise TypeError(f"a cell cannot hold {value!r}")


def first_sheet(workbook: Workbook) -> Worksheet:
    """The worksheet a new workbook starts with."""
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):
        raise TypeError("a new workbook starts with a worksheet")
    return sheet
