"""Tables on the sheets planner writes: shared styles, a heading row, a
filterable table with fitted widths, and a workbook saved in memory.

schedule.xlsx, comparison.xlsx and robustness.xlsx lay their tables out the
same way, so each looks like the others and prints the same.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.outputs.cells import append_row, put
from planner.outputs.printing import align_headings, heading

SIGNED_FORMAT = "#,##0;[Red]-#,##0"


# Shared style objects: openpyxl stores each distinct style once, and reusing
# these keeps big calendar grids quick to write.
HEADER_FONT = Font(bold=True)


HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


TITLE_FONT = Font(bold=True, size=12)


SLOT_HEADER_ALIGNMENT = Alignment(horizontal="center")


GRID_COLUMN_WIDTH = 6.0


SLOT_DAY_FORMAT = "d"  # the slot's first day under its month heading


# Grid rows: 1 months, 2 the table's headings and each slot's first day.
GRID_HEADER_ROWS = 2


MAX_COLUMN_WIDTH = 60


def xlsx_bytes(workbook: Workbook) -> bytes:
    """The workbook saved in memory, to be written to disk by our own code.

    openpyxl saving straight to a file that fails (a full disk) leaves its
    zip half-closed, and Python prints that zip's traceback on exit.
    """
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_header(ws: Worksheet, headers: Sequence[object], row: int = 1) -> None:
    for column, header in enumerate(headers, start=1):
        words = heading(header) if isinstance(header, str) else header
        cell = put(ws, row, column, words)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL


def write_table(
    ws: Worksheet,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    formats: dict[str, str] | None = None,
) -> None:
    """A header row and data rows, filterable, with the header frozen."""
    write_header(ws, headers)
    for row in rows:
        append_row(ws, row)
    for name, number_format in (formats or {}).items():
        column = headers.index(name) + 1
        for (cell,) in ws.iter_rows(
            min_row=2, max_row=len(rows) + 1, min_col=column, max_col=column
        ):
            cell.number_format = number_format
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    align_headings(ws, 1, rows, len(headers))
    fit_widths(ws, [heading(h) for h in headers], rows)


def _display_width(value: object) -> int:
    if value is None:
        return 0
    if hasattr(value, "isoformat"):
        return 10
    if isinstance(value, int | float) and not isinstance(value, bool):
        return len(f"{value:,}") + 1
    return len(str(value))


def fit_widths(
    ws: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[object]]
) -> None:
    for i, header in enumerate(headers):
        widest = max(
            [len(header) + 2] + [_display_width(row[i]) for row in rows if i < len(row)]
        )
        ws.column_dimensions[get_column_letter(i + 1)].width = min(
            widest + 2, MAX_COLUMN_WIDTH
        )
