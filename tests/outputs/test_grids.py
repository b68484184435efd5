"""Slot grids and tables laid out for paper: labels clear of the next bar,
a calendar block per half-year with only its events, blocks and tables that
go on over pages under their own headings."""

from __future__ import annotations

import datetime as dt
import itertools

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from planner.outputs.cells import first_sheet
from planner.outputs.grids import (
    EMPTY_BLOCK,
    PAGE_LINES,
    Bar,
    GridRow,
    lanes,
    write_blocks,
)
from planner.outputs.tables import PAGE_POINTS, wrapped_lines, write_table

MONDAY = dt.date(2027, 1, 4)
YEAR = [MONDAY + dt.timedelta(weeks=i) for i in range(52)]


def bar(first: int, last: int, label: str) -> Bar:
    return Bar(first, last, label, "Normal")


def sheet() -> Worksheet:
    return first_sheet(Workbook())


def column_a(ws: Worksheet) -> list[object]:
    return [ws.cell(row, 1).value for row in range(1, ws.max_row + 1)]


def test_a_bar_where_the_label_before_still_runs_takes_a_second_line() -> None:
    # "CPX27" (5 letters) runs over two week columns from week 8, so
    # "CYB-TTX" in week 9 goes below; "SPS27" in week 16 fits after it.
    bars = [bar(8, 8, "CPX27"), bar(9, 9, "CYB-TTX"), bar(16, 17, "SPS27")]
    assert [[b.label for b in lane] for lane in lanes(bars, range(0, 26))] == [
        ["CPX27", "SPS27"],
        ["CYB-TTX"],
    ]
    # In the next half-year none of them is drawn: one empty line.
    assert lanes(bars, range(26, 52)) == [[]]


def test_a_calendar_block_lists_only_its_own_events() -> None:
    ws = sheet()
    rows = [
        GridRow(("E1", "Cold Response"), (bar(2, 3, "V"),)),
        GridRow(("E2", "Staff talks"), (bar(30, 30, "W"),)),
    ]
    write_blocks(ws, ("exercise_id", "name"), rows, YEAR, 7, "Normal", events_only=True)
    # Jan to Jun: title, headings, E1; a blank row; Jul to Dec the same, E2.
    assert column_a(ws)[:7] == [
        "Jan to Jun 2027", "Exercise", "E1", None,
        "Jul to Dec 2027", "Exercise", "E2",
    ]  # fmt: skip


def test_a_half_year_without_events_says_so() -> None:
    ws = sheet()
    rows = [GridRow(("E1", "Cold Response"), (bar(2, 3, "V"),))]
    write_blocks(ws, ("exercise_id", "name"), rows, YEAR, 7, "Normal", events_only=True)
    assert column_a(ws)[4:7] == ["Jul to Dec 2027", "Exercise", EMPTY_BLOCK]


def test_a_block_longer_than_a_page_goes_on_under_its_headings() -> None:
    ws = sheet()
    rows = [GridRow((f"P{i:02}", f"Partner {i}"), ()) for i in range(70)]
    write_blocks(ws, ("partner_id", "name"), rows, YEAR[:26], 7, "Normal")
    values = column_a(ws)
    breaks = [b.id for b in ws.row_breaks.brk]
    # 70 partners, at most PAGE_LINES - 2 under each page's two heading rows.
    per_page = PAGE_LINES - 2
    assert len(breaks) == -(-70 // per_page) - 1
    for page_break in breaks:
        # Row ids count from 1: the row after a break is the block's title.
        assert values[page_break] == "Jan to Jun 2027 (continued)"
        assert values[page_break + 1] == "Partner"
    assert sorted(v for v in values if str(v)[1:].isdigit()) == [
        f"P{i:02}" for i in range(70)
    ]


def test_a_paged_table_heads_each_of_its_pages() -> None:
    ws = sheet()
    reason = "It does not fit around the rest of the plan: " * 3
    rows = [(f"G{i:02}", reason) for i in range(40)]
    write_table(ws, ("goal_id", "why"), rows, max_width=24, paged=True)
    breaks = [0] + [b.id for b in ws.row_breaks.brk] + [ws.max_row]
    assert len(breaks) > 2
    lines = wrapped_lines(reason, ws.column_dimensions["B"].width)
    for top, bottom in itertools.pairwise(breaks):
        assert ws.cell(top + 1, 1).value == "Goal"
        heights = [
            ws.row_dimensions[row].height or 15 for row in range(top + 1, bottom + 1)
        ]
        assert sum(heights) <= PAGE_POINTS
    assert ws.row_dimensions[2].height == 15 * lines
    # Its headings are in the sheet, so none is frozen to print on every page.
    assert ws.freeze_panes is None


def test_a_long_summary_warning_wraps_over_value_and_note() -> None:
    """A warning of 250 characters ran on past the Summary's columns, and
    the sheet, printed one page wide, shrank to 3 pt to hold it."""
    from planner.outputs.schedule_xlsx import ITEM_WIDTHS, _write_items

    warning = "exercise EX019 'Amber Response 28' is pinned but left out. " * 4
    note = "see the Partners sheet, where every partner's spend is. " * 2
    ws = sheet()
    _write_items(
        ws, [("Warnings",), ("pinned, left out", warning), ("partner spend", 5, note)]
    )
    assert [str(r) for r in ws.merged_cells.ranges] == ["B3:C3"]
    assert ws["B3"].alignment.wrap_text
    assert ws["A3"].alignment.vertical == "top"
    over = ITEM_WIDTHS[1] + ITEM_WIDTHS[2]
    assert ws.row_dimensions[3].height == 15 * wrapped_lines(warning, over) > 15
    # A long note wraps in its own column, beside its value.
    assert ws["C4"].alignment.wrap_text
    assert ws.row_dimensions[4].height == 15 * wrapped_lines(note, ITEM_WIDTHS[2])


def test_wrapped_lines_are_counted_as_libreoffice_prints_them() -> None:
    # Counted on the printed sample and on a generated programme: LibreOffice
    # fits "rest of the plan: with every" (28 letters) on a line of a column
    # 24 wide, and not "CBRN Defence Centre, Germany" (also 28, wider ones).
    reason = (
        "It does not fit around the rest of the plan: with every other exercise "
        "held as planned, no start, venue and partners break no rule, so other "
        "exercises would have to move or be dropped."
    )
    assert wrapped_lines("rest of the plan: with every", 24) == 1
    assert wrapped_lines("CBRN Defence Centre, Germany", 24) == 2
    assert wrapped_lines(reason, 24) == 7
    assert (
        wrapped_lines("NOR 3, POL 9, EST 5, FIN 7, GBR 3, FRA 3, DEU 3, USA 3", 24) == 2
    )
    assert wrapped_lines("one\ntwo", 24) == 2
