"""How the written workbooks look on paper and on screen: headings in words,
month headings over slot columns, print settings.

A staff officer prints the calendar for a meeting. Without print settings a
52-week grid comes out as dozens of portrait pages with no headings after
the first; with them every sheet prints landscape, as wide as the paper,
with its title rows (and for grids its label columns) repeated on every page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from planner.outputs.cells import put

# Column names whose words are not just the name with spaces.
HEADINGS = {
    "exercise_id": "Exercise",
    "partner_id": "Partner",
    "venue_id": "Venue",
    "goal_id": "Goal",
    "iso_week": "ISO week",
    "hard/soft": "Hard or soft",
    "participant_count": "Partners taking part",
    "slots_used": "Slots used",
}
# Every font names the workbook's own family: a font without a name prints
# in the office suite's default, a serif beside the sans-serif cells.
FONT_NAME = "Calibri"
MONTH_FONT = Font(name=FONT_NAME, bold=True, size=10)
MONTH_FILL = PatternFill("solid", fgColor="BDD7EE")
MONTH_ALIGNMENT = Alignment(horizontal="center", vertical="center")
RIGHT = Alignment(horizontal="right", vertical="bottom", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="bottom", wrap_text=True)
# A text heading right of a number's: "Shortfall" ended where "Met" began,
# printed as one word "ShortfallMet".
INDENTED = Alignment(horizontal="left", vertical="bottom", wrap_text=True, indent=1)


def heading(name: str) -> str:
    """A column name as people read it: "start_date" -> "Start date"."""
    if name in HEADINGS:
        return HEADINGS[name]
    words = name.replace("_", " ")
    return words[:1].upper() + words[1:]


def column_name(text: str) -> str:
    """A heading back to its column name, for readers: "Start date" ->
    "start_date"; a name already in that form is returned as it is."""
    for name, words in HEADINGS.items():
        if text.strip().lower() == words.lower():
            return name
    return text.strip().lower().replace(" ", "_")


def is_number(value: object) -> bool:
    """Numbers and dates: what a spreadsheet aligns right."""
    return isinstance(value, int | float | dt.date) and not isinstance(value, bool)


def numeric_columns(rows: Sequence[Sequence[object]], columns: int) -> list[bool]:
    """Which columns hold only numbers and dates, which a spreadsheet
    aligns right."""
    found = []
    for index in range(columns):
        values = [r[index] for r in rows if index < len(r) and r[index] is not None]
        found.append(bool(values) and all(is_number(v) for v in values))
    return found


def indented_columns(rows: Sequence[Sequence[object]], columns: int) -> list[int]:
    """The text columns (numbered from 1) right of a number column: their
    left-aligned texts would touch the numbers aligned right beside them."""
    numeric = numeric_columns(rows, columns)
    return [
        index + 1
        for index in range(1, columns)
        if numeric[index - 1] and not numeric[index]
    ]


def align_headings(
    ws: Worksheet, row: int, rows: Sequence[Sequence[object]], columns: int
) -> None:
    """Each heading aligned as the values below it, so a right-aligned number
    sits under its own heading and not under the next one; a text heading
    right of a number's set in from it."""
    for index, numeric in enumerate(numeric_columns(rows, columns)):
        ws.cell(row, index + 1).alignment = RIGHT if numeric else LEFT
    for column in indented_columns(rows, columns):
        ws.cell(row, column).alignment = INDENTED


def month_headings(
    ws: Worksheet, row: int, first_column: int, slot_starts: Sequence[dt.date]
) -> None:
    """One merged cell per month over the slot columns that start in it."""
    start = 0
    while start < len(slot_starts):
        month = (slot_starts[start].year, slot_starts[start].month)
        end = start
        while (
            end + 1 < len(slot_starts)
            and (slot_starts[end + 1].year, slot_starts[end + 1].month) == month
        ):
            end += 1
        cell = put(ws, row, first_column + start, f"{slot_starts[start]:%b %Y}")
        cell.font, cell.fill, cell.alignment = MONTH_FONT, MONTH_FILL, MONTH_ALIGNMENT
        if end > start:
            ws.merge_cells(
                start_row=row,
                start_column=first_column + start,
                end_row=row,
                end_column=first_column + end,
            )
        start = end + 1


def print_layout(
    ws: Worksheet,
    title: str,
    marking: str = "",
    title_rows: int = 1,
    title_columns: int = 0,
    paper: str = Worksheet.PAPERSIZE_A4,
) -> None:
    """Landscape, one page wide (as many long as it takes), the first
    ``title_rows`` rows and ``title_columns`` columns on every page; the
    marking at the top and bottom of every page, the title and sheet in the
    header, the page number in the footer, all in margins of their own so no
    header runs into the table."""
    setup = ws.page_setup
    setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    setup.paperSize = int(paper)
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    fit = ws.sheet_properties.pageSetUpPr
    if fit is None:
        fit = ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    fit.fitToPage = True
    if title_rows:
        ws.print_title_rows = f"1:{title_rows}"
    if title_columns:
        ws.print_title_cols = f"A:{get_column_letter(title_columns)}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.8
    ws.page_margins.header = ws.page_margins.footer = 0.3
    header, footer = _part(ws.oddHeader), _part(ws.oddFooter)
    # Header and footer shrink with the sheet to fit the paper's width:
    # at 11 pt they stay above 8 pt down to a scale of 73%.
    header.left.text = f"{_escaped(title)}: &A"
    header.left.size = 11
    footer.right.text = "Page &P of &N"
    footer.right.size = 11
    if marking:
        for part in (header.center, footer.center):
            part.text = _escaped(marking)
            part.size = 11
            part.font = f"{FONT_NAME},Bold"
    ws.print_options.gridLines = False


def printable(workbook: Workbook, title: str, marking: str = "") -> None:
    """Print settings on every sheet (`print_layout`): what stays on screen
    (the frozen rows and columns) is what repeats on every printed page."""
    for ws in workbook.worksheets:
        column, row = coordinate_from_string(ws.freeze_panes or "A1")
        print_layout(
            ws,
            title or "planner",
            marking,
            title_rows=row - 1,
            title_columns=column_index_from_string(column) - 1,
        )


def _escaped(text: str) -> str:
    """Text for a page header: ``&`` starts a code there (``&P`` the page)."""
    return text.replace("&", "&&")


def _part(item: HeaderFooterItem | None) -> HeaderFooterItem:
    """A worksheet's header or footer, which openpyxl always makes."""
    if item is None:
        raise TypeError("a worksheet has its headers and footers")
    return item
