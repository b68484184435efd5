"""Tables on the sheets planner writes: shared styles, a heading row, a
filterable table with fitted widths, and a workbook saved in memory.

schedule.xlsx, comparison.xlsx and robustness.xlsx lay their tables out the
same way, so each looks like the others and prints the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.outputs.cells import put
from planner.outputs.printing import FONT_NAME, align_headings, heading

SIGNED_FORMAT = "#,##0;[Red]-#,##0"


# Shared style objects: openpyxl stores each distinct style once, and reusing
# these keeps big calendar grids quick to write.
HEADER_FONT = Font(name=FONT_NAME, bold=True)


HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


TITLE_FONT = Font(name=FONT_NAME, bold=True, size=12)
BLOCK_TITLE_FONT = Font(name=FONT_NAME, bold=True, size=11)


SLOT_HEADER_ALIGNMENT = Alignment(horizontal="center")


GRID_COLUMN_WIDTH = 6.0


SLOT_DAY_FORMAT = "d"  # the slot's first day under its month heading


# Grid rows: 1 months, 2 the table's headings and each slot's first day.
GRID_HEADER_ROWS = 2


MAX_COLUMN_WIDTH = 45
# Tables that print: a text column at most this wide, its long texts wrapped,
# so the sheet fits A4 landscape without shrinking its text below 8 pt.
PRINTED_TEXT_WIDTH = 24
WRAPPED = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
LINE_POINTS = 15  # the height of a line of 11 pt text


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
    title: str | None = None,
    max_width: int = MAX_COLUMN_WIDTH,
) -> None:
    """A header row and data rows, filterable, with the header frozen; with
    a ``title``, a second table below what the sheet holds, under it. A
    column of longer texts than ``max_width`` wraps them."""
    first = 1
    if title is not None:
        first = ws.max_row + 2
        put(ws, first, 1, title).font = TITLE_FONT
        first += 1
    write_header(ws, headers, row=first)
    for offset, row in enumerate(rows, start=first + 1):
        for column, value in enumerate(row, start=1):
            # Top, as the wrapped texts of the row are.
            put(ws, offset, column, value).alignment = TOP
    for name, number_format in (formats or {}).items():
        column = headers.index(name) + 1
        for (cell,) in ws.iter_rows(
            min_row=first + 1, max_row=first + len(rows), min_col=column, max_col=column
        ):
            cell.number_format = number_format
    if title is None:
        ws.freeze_panes = "A2"
        if rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    align_headings(ws, first, rows, len(headers))
    fit_widths(
        ws, [heading(h) for h in headers], rows, first + 1, max_width, title is not None
    )


def _display_width(value: object) -> int:
    if value is None:
        return 0
    if hasattr(value, "isoformat"):
        return 10
    if isinstance(value, int | float) and not isinstance(value, bool):
        return len(f"{value:,}") + 1
    return len(str(value))


def fit_widths(
    ws: Worksheet,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    first_row: int | None = None,
    max_width: int = MAX_COLUMN_WIDTH,
    widen_only: bool = False,
) -> None:
    """Each column as wide as its widest value (``widen_only``: never
    narrower than it was, for a second table on the sheet);
    a column of long texts at most ``max_width``, its cells from
    ``first_row`` on wrapping, so a printed sheet keeps its size of text."""
    for i, header in enumerate(headers):
        widest = max(
            [len(header) + 2] + [_display_width(row[i]) for row in rows if i < len(row)]
        )
        dimension = ws.column_dimensions[get_column_letter(i + 1)]
        before = dimension.width if widen_only else 0
        dimension.width = max(before, min(widest + 2, max_width))
        if widest + 2 > max_width and first_row is not None:
            for row_number in range(first_row, first_row + len(rows)):
                cell = ws.cell(row_number, i + 1)
                cell.alignment = WRAPPED
                _tall_enough(ws, row_number, _display_width(cell.value), max_width)


def _tall_enough(ws: Worksheet, row: int, characters: int, width: int) -> None:
    """A row high enough for a text wrapped over lines ``width`` wide (no
    office suite measures it when it opens a file)."""
    lines = -(-characters // max(1, width - 2))
    dimension = ws.row_dimensions[row]
    dimension.height = max(dimension.height or 0, LINE_POINTS * lines)
