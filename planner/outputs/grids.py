"""Slot grids that print: the calendar of a sheet in blocks of half a year.

A year of weeks in one row of columns prints, one page wide, at 5 pt; three
years on A3 cannot be read at all. So a grid is written as blocks stacked
down the sheet, each a half-year of weeks (a month of days) under its own
month and day headings, the label columns repeated: a block is as wide as
A4 landscape holds at full size, and a programme of several years is as
many blocks as it has half-years. A bar carries its label once, in its first
cell, from where it runs over the bar's other cells; the cells of a slot a
row's resource cannot be used are shaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from planner.outputs.cells import put
from planner.outputs.printing import align_headings, heading, month_headings
from planner.outputs.tables import (
    BLOCK_TITLE_FONT,
    HEADER_FILL,
    HEADER_FONT,
    fit_widths,
)

# Wide enough for a two-digit day at the grid's size, narrow enough that
# 27 weeks and the label columns fit A4 landscape without shrinking.
SLOT_COLUMN_WIDTH = 3.2
# Slots per block: half a year of weeks; a month of days.
WEEKS_PER_BLOCK = 27
# A block longer than this starts a page of its own.
ROWS_ON_A_SHARED_PAGE = 14
LABEL_WIDTH = 24  # a label column at most this many characters wide


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


def write_blocks(
    ws: Worksheet,
    headers: Sequence[str],
    rows: Sequence[GridRow],
    slot_starts: Sequence[dt.date],
    slot_days: int,
    slot_header_style: str,
    formats: dict[str, str] | None = None,
) -> int:
    """Write the grid as blocks from row 1 down; return the first row below.

    Every block has a title row (the half-year, and the months over the slot
    columns) and a heading row (the label columns' names, each slot's first
    day), then one row per resource.
    """
    first_slot_column = len(headers) + 1
    row_number = 1
    blocks = slot_blocks(slot_starts, slot_days)
    for index, block in enumerate(blocks):
        if index and len(rows) > ROWS_ON_A_SHARED_PAGE:
            ws.row_breaks.append(Break(id=row_number - 1))
        title = put(ws, row_number, 1, _block_title(slot_starts, block))
        title.font = BLOCK_TITLE_FONT
        month_headings(
            ws, row_number, first_slot_column, slot_starts[block.start : block.stop]
        )
        heads = row_number + 1
        for column, name in enumerate(headers, start=1):
            cell = put(ws, heads, column, heading(name))
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        for offset, slot in enumerate(block):
            cell = put(ws, heads, first_slot_column + offset, slot_starts[slot])
            cell.style = slot_header_style
        align_headings(ws, heads, [r.labels for r in rows], len(headers))
        for row_offset, grid_row in enumerate(rows, start=heads + 1):
            _write_row(
                ws, row_offset, grid_row, block, first_slot_column, formats, headers
            )
        row_number = heads + len(rows) + 2
    fit_widths(ws, [heading(h) for h in headers], [r.labels for r in rows])
    for column in range(1, len(headers) + 1):
        dimension = ws.column_dimensions[get_column_letter(column)]
        dimension.width = min(dimension.width, LABEL_WIDTH)
    widest = max((len(b) for b in blocks), default=0)
    for offset in range(widest):
        letter = get_column_letter(first_slot_column + offset)
        ws.column_dimensions[letter].width = SLOT_COLUMN_WIDTH
    ws.freeze_panes = ws.cell(1, first_slot_column).coordinate
    return row_number


def _write_row(
    ws: Worksheet,
    row: int,
    grid_row: GridRow,
    block: range,
    first_slot_column: int,
    formats: dict[str, str] | None,
    headers: Sequence[str],
) -> None:
    for column, value in enumerate(grid_row.labels, start=1):
        cell = put(ws, row, column, value)
        if formats and headers[column - 1] in formats:
            cell.number_format = formats[headers[column - 1]]
    for first, last, fill in grid_row.shaded:
        for slot in range(max(first, block.start), min(last, block.stop - 1) + 1):
            ws.cell(row, first_slot_column + slot - block.start).fill = fill
    for bar in grid_row.bars:
        first, last = max(bar.first, block.start), min(bar.last, block.stop - 1)
        for slot in range(first, last + 1):
            ws.cell(row, first_slot_column + slot - block.start).style = bar.style
        if first <= last:
            put(ws, row, first_slot_column + first - block.start, bar.label)


def legend(
    ws: Worksheet, row: int, title: str, items: Sequence[tuple[str, PatternFill]]
) -> None:
    """A title and one coloured cell per item, each with its meaning beside."""
    put(ws, row, 1, title).font = BLOCK_TITLE_FONT
    for offset, (meaning, fill) in enumerate(items, start=1):
        ws.cell(row + offset, 1).fill = fill
        put(ws, row + offset, 2, meaning)
