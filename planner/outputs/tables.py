"""Tables on the sheets planner writes: shared styles, a heading row, a
filterable table with fitted widths, and a workbook saved in memory.

schedule.xlsx, comparison.xlsx and robustness.xlsx lay their tables out the
same way, so each looks like the others and prints the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from planner.outputs.cells import put
from planner.outputs.printing import (
    FONT_NAME,
    align_headings,
    heading,
    indented_columns,
)

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
# Set in from a number column on their left (`indented_columns`).
WRAPPED_INDENTED = Alignment(wrap_text=True, vertical="top", indent=1)
TOP_INDENTED = Alignment(vertical="top", indent=1)
LINE_POINTS = 15  # the height of a line of 11 pt text
# What an A4 landscape page holds between its margins (480 pt), less a line
# for rows LibreOffice draws a little taller than they are set.
PAGE_POINTS = 465
PAGE_WIDTH_POINTS = 784  # A4 landscape between margins of 0.4 inch
# How wide letters print in Calibri (Carlito when LibreOffice prints), in
# the unit of a column's width, a digit's width: capitals wider, most small
# letters a little narrower, i, l, t, f, r, spaces and marks about half. A
# count of characters promised a line too many under every long reason, and
# one too few for "CBRN Defence Centre, Germany", which was cut.
NARROW_LETTERS = frozenset("ijlftrI ,.;:'!|()-/")
WIDE_LETTERS = frozenset("mwMW")
PADDING_WIDTH = 1.0  # the cell's margins


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
    paged: bool = False,
) -> None:
    """A header row and data rows, filterable, with the header frozen; with
    a ``title``, a second table below what the sheet holds, under it. A
    column of longer texts than ``max_width`` wraps them.

    ``paged`` (a sheet of two tables, whose print titles could only be the
    first table's): cut into pages, each under its own header row, and no
    header frozen, so the printed pages repeat no other table's headings.
    """
    words = [heading(h) for h in headers]
    wraps = fit_widths(ws, words, rows, max_width, title is not None)
    widths = [ws.column_dimensions[get_column_letter(i + 1)].width for i in wraps]
    lines = [
        max(
            [1]
            + [
                wrapped_lines(str(row[i]), width)
                for i, width in zip(wraps, widths, strict=True)
                if i < len(row) and row[i] is not None
            ]
        )
        for row in rows
    ]
    first = 1 if title is None else ws.max_row + 2
    pages = [range(len(rows))]
    if paged:
        tall = PAGE_POINTS / _scale(ws)  # a page's height, in the sheet's points
        above = _points_on_page(ws, first - 1)
        heads = LINE_POINTS * (1 if title is None else 2)
        room = tall - above - heads
        if above and rows and LINE_POINTS * lines[0] > room:
            ws.row_breaks.append(Break(id=first - 1))  # not even a row fits
            room = tall - heads
        pages = _pages([LINE_POINTS * n for n in lines], room, tall)
    if title is not None:
        put(ws, first, 1, title).font = TITLE_FONT
        first += 1
    indented = indented_columns(rows, len(headers))
    row_number = first
    for index, page in enumerate(pages):
        if index:
            ws.row_breaks.append(Break(id=row_number - 1))
        write_header(ws, headers, row=row_number)
        align_headings(ws, row_number, rows, len(headers))
        for number in page:
            row_number += 1
            _write_row(ws, row_number, rows[number], indented, wraps)
            if wraps:
                ws.row_dimensions[row_number].height = LINE_POINTS * lines[number]
        row_number += 1
    for name, number_format in (formats or {}).items():
        column = headers.index(name) + 1
        for (cell,) in ws.iter_rows(
            min_row=first + 1, max_row=row_number - 1, min_col=column, max_col=column
        ):
            cell.number_format = number_format
    if title is None and not paged:
        ws.freeze_panes = "A2"
        if rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"


def _write_row(
    ws: Worksheet,
    row: int,
    values: Sequence[object],
    indented: Sequence[int],
    wraps: Sequence[int],
) -> None:
    """A table's row, top-aligned as its wrapped texts are; a column right
    of numbers set in from them, a column of long texts wrapped."""
    for column, value in enumerate(values, start=1):
        wrapped = column - 1 in wraps
        if column in indented:
            alignment = WRAPPED_INDENTED if wrapped else TOP_INDENTED
        else:
            alignment = WRAPPED if wrapped else TOP
        put(ws, row, column, value).alignment = alignment


def _points_on_page(ws: Worksheet, last_row: int) -> float:
    """How far down its page a sheet's rows reach, to ``last_row``: rows
    since the last page break, at their heights."""
    breaks = [b.id for b in ws.row_breaks.brk if b.id is not None and b.id < last_row]
    start = max(breaks, default=0) + 1
    return sum(
        ws.row_dimensions[r].height or LINE_POINTS for r in range(start, last_row + 1)
    )


def _scale(ws: Worksheet) -> float:
    """How much a sheet printed one page wide is shrunk, at least: its
    columns so far (a later table may widen them, shrinking it more) against
    the width of A4 landscape between its margins."""
    pixels = sum(
        int(dimension.width * 7 + 5)
        for dimension in ws.column_dimensions.values()
        if dimension.width
    )
    return min(1.0, PAGE_WIDTH_POINTS / max(1.0, pixels * 0.75))


def _pages(heights: Sequence[float], room: float, page: float) -> list[range]:
    """Rows cut into pages under a header: ``room`` points on the first
    page (what the sheet leaves of it), a whole ``page`` under the header
    on the next; a row taller than a page alone on its page."""
    pages: list[range] = []
    start, used = 0, 0.0
    for index, height in enumerate(heights):
        if used + height > room and index > start:
            pages.append(range(start, index))
            start, used, room = index, 0.0, page - LINE_POINTS
        used += height
    pages.append(range(start, len(heights)))
    return pages


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
    max_width: int = MAX_COLUMN_WIDTH,
    widen_only: bool = False,
) -> list[int]:
    """Each column as wide as its widest value (``widen_only``: never
    narrower than it was, for a second table on the sheet), a column of
    long texts at most ``max_width``; returns those columns (from 0), whose
    texts wrap so a printed sheet keeps its size of text."""
    wraps = []
    for i, header in enumerate(headers):
        widest = max(
            [len(header) + 2] + [_display_width(row[i]) for row in rows if i < len(row)]
        )
        dimension = ws.column_dimensions[get_column_letter(i + 1)]
        before = dimension.width if widen_only else 0
        dimension.width = max(before, min(widest + 2, max_width))
        if widest + 2 > max_width:
            wraps.append(i)
    return wraps


def letters_width(text: str) -> float:
    """How wide ``text`` prints, in column width units (`NARROW_LETTERS`)."""
    return sum(
        0.5 if letter in NARROW_LETTERS
        else 1.5 if letter in WIDE_LETTERS
        else 1.15 if letter.isupper()
        else 1.0
        for letter in text
    )  # fmt: skip


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a column ``width`` wide that wraps
    it, word by word as an office suite does."""
    room = max(1.0, width - PADDING_WIDTH)
    lines = 0
    for part in text.split("\n"):
        lines += 1
        used = 0.0
        for word in part.split(" "):
            size = letters_width(word)
            if used and used + 0.5 + size > room:
                lines += 1
                used = 0.0
            used += (0.5 if used else 0.0) + size
            while used > room:  # a word longer than a line breaks in it
                lines += 1
                used -= room
    return lines


def tall_enough(ws: Worksheet, row: int, text: str, width: float) -> None:
    """A row high enough for ``text`` wrapped in a column ``width`` wide (no
    office suite measures it when it opens a file)."""
    dimension = ws.row_dimensions[row]
    lines = wrapped_lines(text, width)
    dimension.height = max(dimension.height or 0, LINE_POINTS * lines)
