"""Writing comparison.xlsx: plans side by side, for people.

Three sheets: KPIs (one column per plan, each figure that differs from the
first plan's highlighted), Differences (one row per change of an exercise)
and Calendar (each plan's Gantt grid, one above the other on the same slot
columns, cells that differ from the first plan highlighted); and Why, when a
plan leaves something out or has none: each plan's reasons as its result
states them, and the rows that leave a plan without one. Everything shown
comes from `planner.differences` and the results; this module only lays it
out.

Like the schedule, the file is written whole or not at all
(`planner.outputs.files`), so a run stopped halfway leaves the previous
comparison intact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.outputs.cells import append_row, first_sheet, put, xlsx_bytes
from planner.outputs.files import make_folder, replace_atomically
from planner.outputs.printing import (
    FONT_NAME,
    align_headings,
    heading,
    month_headings,
    printable,
)
from planner.outputs.tables import (
    GRID_COLUMN_WIDTH,
    GRID_HEADER_ROWS,
    HEADER_FILL,
    HEADER_FONT,
    SIGNED_FORMAT,
    SLOT_DAY_FORMAT,
    SLOT_HEADER_ALIGNMENT,
    TITLE_FONT,
    write_table,
)
from planner.report import Comparison, ExerciseInfo, Gantt, no_plan_text

COMPARISON_NAME = "comparison.xlsx"
KPIS_SHEET = "KPIs"
DIFFERENCES_SHEET = "Differences"
CALENDAR_SHEET = "Calendar"
WHY_SHEET = "Why"
WHY_COLUMNS = ("plan", "about", "id", "why")
CONFLICT = "conflicting row"

# Orange: this plan differs from the first here. Pale red: the first plan
# held this slot and this plan does not. Blue: held, as in the first plan.
CHANGED_FILL = PatternFill("solid", fgColor="F4B183")
VACATED_FILL = PatternFill("solid", fgColor="FCE4D6")
HELD_FILL = PatternFill("solid", fgColor="BDD7EE")
GRID_FONT = Font(name=FONT_NAME, size=10)
CENTRED = Alignment(horizontal="center", vertical="center")
WHY_WIDTH = 80  # the why column's characters: an A4 landscape page's worth
LABEL_WIDTH = 28
PLAN_WIDTH = 18

DIFFERENCE_COLUMNS = (
    "plan",
    "exercise_id",
    "name",
    "kind",
    "change",
    "before",
    "after",
    "slots",
)


def write_comparison_file(
    comparison: Comparison,
    slot_dates: Sequence[dt.date],
    gantts: Sequence[Gantt],
    path: Path,
) -> Path:
    """Write the comparison workbook at ``path`` (a folder: comparison.xlsx in it).

    ``slot_dates`` and ``gantts`` are the comparison's calendar
    (`planner.differences.calendar`): the first day of each slot, one grid per
    plan. Returns the path written.
    """
    path = Path(path)
    if path.is_dir():
        path = path / COMPARISON_NAME
    make_folder(path.parent)
    workbook = comparison_workbook(comparison, slot_dates, gantts)
    replace_atomically([(path, lambda temp: temp.write_bytes(xlsx_bytes(workbook)))])
    return path


def comparison_workbook(
    comparison: Comparison, slot_dates: Sequence[dt.date], gantts: Sequence[Gantt]
) -> Workbook:
    workbook = Workbook()
    kpis = first_sheet(workbook)
    kpis.title = KPIS_SHEET
    write_kpis(kpis, comparison)
    write_differences(workbook.create_sheet(DIFFERENCES_SHEET), comparison)
    calendar = workbook.create_sheet(CALENDAR_SHEET)
    write_comparison_calendar(calendar, comparison, slot_dates, gantts)
    why = why_rows(comparison)
    if why:
        write_why(workbook.create_sheet(WHY_SHEET), why)
    printable(workbook, "comparison of " + ", ".join(comparison.labels))
    return workbook


def _header(ws: Worksheet, row: int, values: Sequence[object]) -> None:
    for column, value in enumerate(values, start=1):
        cell = put(ws, row, column, value)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL


def write_kpis(ws: Worksheet, comparison: Comparison) -> None:
    """One row per figure, one column per plan; sections as title rows.

    A value that differs from the first plan's is highlighted, so the cost of
    a scenario shows at a glance. Warnings about the comparison close the
    sheet.
    """
    _header(ws, 1, ("Figure", *comparison.labels))
    section = None
    for kpi in comparison.kpis:
        if kpi.section != section:
            section = kpi.section
            append_row(ws, [section])
            ws.cell(ws.max_row, 1).font = TITLE_FONT
        append_row(ws, [kpi.label, *kpi.values])
        row = ws.max_row
        for index, value in enumerate(kpi.values):
            cell = ws.cell(row, index + 2)
            if isinstance(value, int):
                cell.number_format = SIGNED_FORMAT
            if index > 0 and value != kpi.values[0]:
                cell.fill = CHANGED_FILL
    if comparison.warnings:
        append_row(ws, [])
        append_row(ws, ["Warnings"])
        ws.cell(ws.max_row, 1).font = TITLE_FONT
        for warning in comparison.warnings:
            append_row(ws, [warning])
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = LABEL_WIDTH
    for index in range(len(comparison.labels)):
        ws.column_dimensions[get_column_letter(index + 2)].width = PLAN_WIDTH


def write_differences(ws: Worksheet, comparison: Comparison) -> None:
    """Every change of an exercise from the first plan, one row each.

    A run without a plan gets one row saying so and why: no rows would read
    as a plan that changes nothing.
    """
    exercises = comparison.exercises
    _header(ws, 1, [heading(name) for name in DIFFERENCE_COLUMNS])
    for result in comparison.results[1:]:
        if result.events is None:
            append_row(ws, [result.label, "", "", "", no_plan_text(result.status)])
    for difference in comparison.differences:
        exercise = exercises.get(difference.exercise_id)
        append_row(
            ws,
            [
                difference.plan,
                difference.exercise_id,
                exercise.name if exercise else "",
                exercise.kind if exercise else "",
                str(difference.change),
                difference.before,
                difference.after,
                difference.slots,
            ],
        )
    ws.freeze_panes = "A2"
    last = ws.max_row
    if last > 1:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(DIFFERENCE_COLUMNS))}{last}"
    table = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    align_headings(ws, 1, table, len(DIFFERENCE_COLUMNS))
    widths = (PLAN_WIDTH, 14, LABEL_WIDTH, 16, 16, 22, 22, 8)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def why_rows(comparison: Comparison) -> list[tuple[str, str, str, str]]:
    """Each plan's reasons for what it leaves out, and for a plan that does
    not exist the rows that cannot all hold (as ``planner explain`` names
    them), in the plans' order."""
    rows = []
    for result in comparison.results:
        if result.events is None:
            rows.append((result.label, "status", "", no_plan_text(result.status)))
        rows += [(result.label, CONFLICT, "", line) for line in result.conflict]
        rows += [(result.label, r.kind, r.id, r.text) for r in result.reasons]
    return rows


def write_why(ws: Worksheet, rows: Sequence[tuple[str, str, str, str]]) -> None:
    """One row per reason, the why column wrapped to be read on screen and
    on an A4 page."""
    write_table(ws, WHY_COLUMNS, rows, max_width=WHY_WIDTH)


def write_comparison_calendar(
    ws: Worksheet,
    comparison: Comparison,
    slot_dates: Sequence[dt.date],
    gantts: Sequence[Gantt],
) -> None:
    """Each plan's Gantt grid, one above the other on the same slot columns.

    Months and each slot's first day head the sheet once (rows 1 and 2, on
    every printed page); each plan's grid starts with its title row.
    """
    exercises = comparison.exercises
    first_slot_column = 3
    _slot_header(ws, first_slot_column, slot_dates)
    row = GRID_HEADER_ROWS + 1
    for result, gantt in zip(comparison.results, gantts, strict=True):
        status = result.status
        if result.events is None:
            status = no_plan_text(result.status)
        title = f"{gantt.label}: {result.programme} ({status})"
        put(ws, row, 1, title).font = TITLE_FONT
        row += 1
        row = _gantt_rows(ws, row, first_slot_column, gantt, exercises) + 1
    _legend(ws, row, comparison.labels[0])
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = LABEL_WIDTH
    for index in range(len(slot_dates)):
        letter = get_column_letter(first_slot_column + index)
        ws.column_dimensions[letter].width = GRID_COLUMN_WIDTH
    ws.freeze_panes = ws.cell(GRID_HEADER_ROWS + 1, first_slot_column).coordinate


def _legend(ws: Worksheet, row: int, first: str) -> None:
    """What the colours mean, below the last grid."""
    for fill, meaning in (
        (HELD_FILL, f"held as in {first}"),
        (CHANGED_FILL, f"differs from {first}"),
        (VACATED_FILL, f"held in {first} only"),
    ):
        ws.cell(row, 1).fill = fill
        put(ws, row, 2, meaning)
        row += 1


def _slot_header(
    ws: Worksheet, first_column: int, slot_dates: Sequence[dt.date]
) -> None:
    """Months over the slot columns, then each slot's first day of the month."""
    month_headings(ws, 1, first_column, slot_dates)
    _header(ws, GRID_HEADER_ROWS, ("Exercise", "Name"))
    for index, day in enumerate(slot_dates):
        cell = put(ws, GRID_HEADER_ROWS, first_column + index, day)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = SLOT_HEADER_ALIGNMENT
        cell.number_format = SLOT_DAY_FORMAT


def _gantt_rows(
    ws: Worksheet,
    row: int,
    first_column: int,
    gantt: Gantt,
    exercises: Mapping[str, ExerciseInfo],
) -> int:
    """The grid's rows from ``row`` on; returns the row after the last."""
    for gantt_row in gantt.rows:
        exercise = exercises.get(gantt_row.exercise_id)
        put(ws, row, 1, gantt_row.exercise_id)
        put(ws, row, 2, exercise.name if exercise else "")
        for slot in gantt_row.cells.keys() | gantt_row.changed:
            venue = gantt_row.cells.get(slot)
            cell = put(ws, row, first_column + slot, venue)
            cell.font = GRID_FONT
            cell.alignment = CENTRED
            if slot not in gantt_row.changed:
                cell.fill = HELD_FILL
            else:
                cell.fill = CHANGED_FILL if venue is not None else VACATED_FILL
        row += 1
    return row
