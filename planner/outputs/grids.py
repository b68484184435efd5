"""Slot grids that print: the calendar of a sheet in blocks of half a year.

A year of weeks in one row of columns prints, one page wide, at 5 pt; three
years on A3 cannot be read at all. So a grid is written as blocks stacked
down the sheet, each a half-year of weeks (a month of days) under its own
month and day headings, the label columns repeated: a block is as wide as
A4 landscape holds at full size, and a programme of several years is as
many blocks as it has half-years. A block longer than a page goes on over
the next pages under its headings again, "(continued)"; a calendar of
events lists in each block only the events in it.

A bar carries its label once, in its first cell, from where it runs over
the bar's other cells; a bar starting where the label before it still runs
goes on a second line of its row (a lane), so no label is cut by the next
bar. The cells of a slot a row's resource cannot be used are shaded.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from planner.outputs.cells import put
from planner.outputs.printing import align_headings, heading, month_headings
from planner.outputs.tables import (
    BLOCK_TITLE_FONT,
    HEADER_FILL,
    HEADER_FONT,
    LINE_POINTS,
    WRAPPED,
    fit_widths,
    wrapped_lines,
)

# Wide enough for a two-digit day at the grid's size, narrow enough that
# 27 weeks and the label columns fit A4 landscape without shrinking.
SLOT_COLUMN_WIDTH = 3.2
# Letters of a bar's label a slot column holds (Carlito 11 pt, capitals and
# digits: "CPX27" takes two columns).
LETTERS_PER_SLOT = 2.8
LABEL_WIDTH = 24  # a label column at most this many characters wide
# Lines of 15 pt an A4 landscape page holds between its margins (480 pt),
# less one for a line LibreOffice draws a little taller.
PAGE_LINES = 31
HEAD_LINES = 2  # a block's title and months, and its headings
EMPTY_BLOCK = "No exercise held in these months."


@dataclass(frozen=True)
class Bar:
    """One event in a row: its slots, its label and its cell style."""

    first: int
    last: int  # inclusive
    label: str
    style: str


@dataclass(frozen=True)
class GridRow:
    """One resource of a grid: its label cells, its bars, its shaded slots."""

    labels: tuple[object, ...]
    bars: tuple[Bar, ...]
    shaded: tuple[tuple[int, int, PatternFill], ...] = ()


def slot_blocks(slot_starts: Sequence[dt.date], slot_days: int) -> list[range]:
    """The slots cut into half-years (weeks) or months (days), by the date a
    slot starts on."""

    def block_of(day: dt.date) -> tuple[int, int]:
        if slot_days == 1:
            return day.year, day.month
        return day.year, (day.month - 1) // 6

    blocks: list[range] = []
    first = 0
    for slot in range(1, len(slot_starts) + 1):
        if slot == len(slot_starts) or block_of(slot_starts[slot]) != block_of(
            slot_starts[first]
        ):
            blocks.append(range(first, slot))
            first = slot
    return blocks


def _block_title(slot_starts: Sequence[dt.date], block: range) -> str:
    first, last = slot_starts[block.start], slot_starts[block.stop - 1]
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%B %Y}"
    return f"{first:%b} to {last:%b %Y}"


def _label_end(bar: Bar, first: int) -> int:
    """The last slot a bar's label, written in slot ``first``, runs over."""
    return first + max(1, math.ceil(len(bar.label) / LETTERS_PER_SLOT)) - 1


def lanes(bars: Sequence[Bar], block: range) -> list[list[Bar]]:
    """A row's bars in ``block`` on as few lines as keep every label clear of
    the next bar: each bar on the first line free from its first slot (the
    bar and its label ended before it)."""
    ends: list[int] = []
    placed: list[list[Bar]] = []
    inside = [b for b in bars if b.first < block.stop and b.last >= block.start]
    for bar in sorted(inside, key=lambda b: (max(b.first, block.start), b.label)):
        first = max(bar.first, block.start)
        end = max(min(bar.last, block.stop - 1), _label_end(bar, first))
        lane = next((i for i, last in enumerate(ends) if last < first), len(ends))
        if lane == len(ends):
            ends.append(end)
            placed.append([])
        ends[lane] = end
        placed[lane].append(bar)
    return placed or [[]]


@dataclass(frozen=True)
class _Unit:
    """A row of the grid in one block: its lanes and the lines they take."""

    row: GridRow
    lanes: list[list[Bar]]
    label_lines: int

    @property
    def lines(self) -> int:
        return self.label_lines + len(self.lanes) - 1


def _label_lines(ws: Worksheet, labels: Sequence[object]) -> int:
    """The lines a row's longest label takes, wrapped in its column."""
    return max(
        (
            wrapped_lines(value, ws.column_dimensions[get_column_letter(i)].width)
            for i, value in enumerate(labels, start=1)
            if isinstance(value, str)
        ),
        default=1,
    )


def _reach(unit: _Unit, block: range) -> int:
    """How many slot columns a row's bars and labels in ``block`` take."""
    return max(
        (
            _label_end(bar, max(bar.first, block.start)) - block.start + 1
            for lane in unit.lanes
            for bar in lane
        ),
        default=0,
    )


def _pages(units: Sequence[_Unit], room: int) -> list[list[_Unit]]:
    """Units cut into pages of at most ``room`` lines under the headings
    (the first page's room given, the others' a whole page's)."""
    pages: list[list[_Unit]] = [[]]
    used = 0
    for unit in units:
        if pages[-1] and used + unit.lines > room:
            pages.append([])
            used, room = 0, PAGE_LINES - HEAD_LINES
        pages[-1].append(unit)
        used += unit.lines
    return pages


def write_blocks(
    ws: Worksheet,
    headers: Sequence[str],
    rows: Sequence[GridRow],
    slot_starts: Sequence[dt.date],
    slot_days: int,
    slot_header_style: str,
    formats: dict[str, str] | None = None,
    events_only: bool = False,
) -> int:
    """Write the grid as blocks from row 1 down; return the first row below.

    Every block has a title row (the half-year, and the months over the slot
    columns) and a heading row (the label columns' names, each slot's first
    day), then one row per resource, on as many lines as its labels need;
    with ``events_only`` (a row per event) only the rows with a bar in the
    block. A block that does not fit what is left of a page starts the
    next; one longer than a page goes on over pages under its headings.
    """
    first_slot_column = len(headers) + 1
    _label_widths(ws, headers, rows)
    blocks = slot_blocks(slot_starts, slot_days)
    # Slot columns printed: the widest block's, and past it as far as a
    # label in a block's last slots runs (cut at the page's edge otherwise).
    reach = max((len(b) for b in blocks), default=0)
    row_number = 1
    used = 0  # lines on the page being written
    for block in blocks:
        units = [
            _Unit(
                grid_row, lanes(grid_row.bars, block), _label_lines(ws, grid_row.labels)
            )
            for grid_row in rows
        ]
        if events_only:
            units = [u for u in units if any(u.lanes[0])]
        reach = max([reach] + [_reach(u, block) for u in units])
        room = PAGE_LINES - used - HEAD_LINES
        if used and sum(u.lines for u in units) > room:
            ws.row_breaks.append(Break(id=row_number - 1))
            used, room = 0, PAGE_LINES - HEAD_LINES
        title = _block_title(slot_starts, block)
        for index, page in enumerate(_pages(units, room)):
            if index:
                ws.row_breaks.append(Break(id=row_number - 1))
                used = 0
            heads = _block_head(
                ws, row_number, headers, slot_starts, block, slot_header_style,
                title if index == 0 else f"{title} (continued)",
            )  # fmt: skip
            align_headings(ws, heads, [r.labels for r in rows], len(headers))
            row_number = heads + 1
            for unit in page:
                row_number = _write_unit(
                    ws, row_number, unit, block, first_slot_column, formats, headers
                )
            if not page:
                put(ws, row_number, 1, EMPTY_BLOCK)
                row_number += 1
            used += HEAD_LINES + max(1, sum(u.lines for u in page)) + 1
            row_number += 1
    for offset in range(reach):
        letter = get_column_letter(first_slot_column + offset)
        ws.column_dimensions[letter].width = SLOT_COLUMN_WIDTH
    ws.freeze_panes = ws.cell(1, first_slot_column).coordinate
    last_column = get_column_letter(first_slot_column + reach - 1)
    ws.print_area = f"A1:{last_column}{max(1, row_number - 2)}"
    return row_number


def _label_widths(
    ws: Worksheet, headers: Sequence[str], rows: Sequence[GridRow]
) -> None:
    fit_widths(ws, [heading(h) for h in headers], [r.labels for r in rows])
    for column in range(1, len(headers) + 1):
        dimension = ws.column_dimensions[get_column_letter(column)]
        dimension.width = min(dimension.width, LABEL_WIDTH)


def _block_head(
    ws: Worksheet,
    row: int,
    headers: Sequence[str],
    slot_starts: Sequence[dt.date],
    block: range,
    slot_header_style: str,
    title: str,
) -> int:
    """A block's title and months on ``row``, its headings below; returns
    the headings' row."""
    first_slot_column = len(headers) + 1
    put(ws, row, 1, title).font = BLOCK_TITLE_FONT
    month_headings(ws, row, first_slot_column, slot_starts[block.start : block.stop])
    heads = row + 1
    for column, name in enumerate(headers, start=1):
        cell = put(ws, heads, column, heading(name))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for offset, slot in enumerate(block):
        cell = put(ws, heads, first_slot_column + offset, slot_starts[slot])
        cell.style = slot_header_style
    return heads


def _write_unit(
    ws: Worksheet,
    row: int,
    unit: _Unit,
    block: range,
    first_slot_column: int,
    formats: dict[str, str] | None,
    headers: Sequence[str],
) -> int:
    """A row's labels on its first line, each lane of bars on a line, its
    shaded slots on every line; returns the row below."""
    for column, value in enumerate(unit.row.labels, start=1):
        cell = put(ws, row, column, value)
        if formats and headers[column - 1] in formats:
            cell.number_format = formats[headers[column - 1]]
        if unit.label_lines > 1:  # top, beside the first line of the long one
            cell.alignment = WRAPPED
    if unit.label_lines > 1:
        ws.row_dimensions[row].height = LINE_POINTS * unit.label_lines
    for line, bars in enumerate(unit.lanes, start=row):
        for first, last, fill in unit.row.shaded:
            for slot in range(max(first, block.start), min(last, block.stop - 1) + 1):
                ws.cell(line, first_slot_column + slot - block.start).fill = fill
        for bar in bars:
            first, last = max(bar.first, block.start), min(bar.last, block.stop - 1)
            for slot in range(first, last + 1):
                ws.cell(line, first_slot_column + slot - block.start).style = bar.style
            cell = put(ws, line, first_slot_column + first - block.start, bar.label)
            # Set in from the label columns, whose last may be a number
            # aligned right ("519,000CR27-FPC" printed as one word); at the
            # top of a row of long labels, as they are.
            indent = int(first == block.start)
            if indent or (line == row and unit.label_lines > 1):
                vertical = "top" if line == row and unit.label_lines > 1 else None
                cell.alignment = _bar_label(indent, vertical)
    return row + len(unit.lanes)


@cache
def _bar_label(indent: int, vertical: str | None) -> Alignment:
    """One alignment object per kind of bar label (openpyxl hashes each)."""
    return Alignment(horizontal="left", vertical=vertical, indent=indent)


def legend(
    ws: Worksheet, row: int, title: str, items: Sequence[tuple[str, PatternFill]]
) -> None:
    """A title and one coloured cell per item, each with its meaning beside."""
    put(ws, row, 1, title).font = BLOCK_TITLE_FONT
    for offset, (meaning, fill) in enumerate(items, start=1):
        ws.cell(row + offset, 1).fill = fill
        put(ws, row + offset, 2, meaning)
