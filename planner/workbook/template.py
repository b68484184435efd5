"""Writing input workbooks: the empty template, the example, generated programmes.

This is the one place that writes an *input* workbook, so every workbook a
planner starts from looks the same: an Instructions sheet first, then every
sheet of the schema with its headers, a note on each header saying what the
column means, drop-downs where Excel can offer them, and date formats on date
columns. Everything about the columns comes from `planner.workbook.schema`, so
the template cannot drift from what the reader expects.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from planner.outputs.cells import CellValue, excel_value, first_sheet
from planner.workbook.sample import example_programme, infeasible_programme
from planner.workbook.schema import (
    SETTINGS,
    SETTINGS_KEYS,
    SHEET_BY_NAME,
    SHEETS,
    Column,
    Kind,
    SheetSpec,
    WorkbookData,
)

INSTRUCTIONS = "Instructions"
SETTINGS_KEYS_BY_NAME = {key.name: key for key in SETTINGS_KEYS}
DATE_FORMAT = "yyyy-mm-dd"
LIST_JOIN = "; "
AUTHOR = "planner"

# Drop-downs cover at least this many data rows, so an empty template offers
# them on the rows a planner is about to fill.
MIN_VALIDATED_ROWS = 1000
# Widths are guessed from the first rows only: enough for a good look, and
# cheap on a generated workbook of thousands of rows.
WIDTH_SAMPLE_ROWS = 300
MIN_WIDTH, MAX_WIDTH = 10, 42

HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FFE699")
OPTIONAL_FILL = PatternFill("solid", fgColor="D9E1F2")
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")

KIND_HINTS: dict[Kind, str] = {
    Kind.ID: "An id: short text without spaces is easiest.",
    Kind.INT: "A whole number.",
    Kind.MONEY: "An amount in whole currency units.",
    Kind.NUMBER: "A number.",
    Kind.SHARE: "A share from 0 to 1, e.g. 0.2 or 20%.",
    Kind.DATE: "A date (or text YYYY-MM-DD).",
    Kind.BOOL: "yes or no.",
    Kind.LIST: "Several values separated by ; (or ,).",
    Kind.COUNTRY: "An ISO 3166 country code: two letters (NO) or three (NOR).",
}

SHEET_PURPOSES: dict[str, str] = {
    "Settings": "The planning horizon, time unit, total budget and objective "
    "weights: one setting per row.",
    "Partners": "The partner nations: budget, how many events they can attend, "
    "how much rest they need between events.",
    "Venues": "Where exercises can be held: capabilities, capacity, cost per "
    "slot, how many events at once.",
    "Exercises": "What to plan: duration, window, value, mandatory or not, "
    "venues and capabilities needed, partners required and invited, costs.",
    "Assets": "Ships, headquarters staffs, simulation centres shared by exercises.",
    "Unavailability": "Blackouts: elections, national holidays, maintenance. "
    "One row per partner, venue or asset and period.",
    "TravelCosts": "What a partner pays to send its people to a venue, per event.",
    "Goals": "Interoperability goals: partners training together, partner "
    "engagement, coverage of an area. Hard goals must be met.",
    "Dependencies": "Exercises that must follow others (planning conference "
    "before the exercise, build-up before the main event).",
    "Scenarios": "What-if variants of the sheets above (an election, a budget "
    "cut, a venue closed for repairs): each row sets, adds or deletes one cell "
    "or row for the scenario it names. Plans of the base programme ignore them.",
}


def write_workbook(tables: WorkbookData, path: Path) -> None:
    """Write ``tables`` as an input workbook at ``path``.

    Every sheet of the schema is written, in schema order, even when
    ``tables`` has no rows for it, so a planner always sees the whole layout.
    A sheet or column the schema does not know is a programming error here
    (the data comes from code, not from a person), hence ``ValueError``.
    """
    _reject_unknown_names(tables)
    workbook = Workbook()
    workbook.remove(first_sheet(workbook))
    _write_instructions(workbook.create_sheet(INSTRUCTIONS))
    for spec in SHEETS:
        sheet = workbook.create_sheet(spec.name)
        rows = tables.get(spec.name, [])
        if spec is SETTINGS:
            _write_settings(sheet, rows)
        else:
            _write_table(sheet, spec, rows)
    workbook.save(Path(path))


def write_template(path: Path, example: bool = False, force: bool = False) -> None:
    """Write an empty input workbook, or one holding the example programme.

    Refuses to overwrite an existing file unless ``force``, because the file
    at ``path`` may be a planner's filled-in workbook.
    """
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists")
    write_workbook(example_programme() if example else empty_tables(), path)


def empty_tables() -> WorkbookData:
    """No data rows, but the Settings a planner must fill already listed.

    The horizon dates are left blank for the planner to fill; the other keys
    show their defaults so it is clear they exist and may be changed.
    """
    settings: list[dict[str, object]] = [
        {"key": "title", "value": None},
        {"key": "organisation", "value": None},
        {"key": "classification", "value": None},
        {"key": "programme_id", "value": new_programme_id()},
        {"key": "planning_start", "value": None},
        {"key": "planning_end", "value": None},
    ]
    settings += [
        {"key": key.name, "value": key.default}
        for key in SETTINGS_KEYS
        if key.default not in (None, "")
    ]
    return {"Settings": settings}


def new_programme_id() -> str:
    """A fresh identity for a new programme: random, so two programmes begun
    from the template never share one, and fixed once written."""
    return f"programme-{uuid.uuid4()}"


def _reject_unknown_names(tables: WorkbookData) -> None:
    for sheet_name, rows in tables.items():
        spec = SHEET_BY_NAME.get(sheet_name.lower())
        if spec is None or spec.name != sheet_name:
            raise ValueError(f"unknown sheet {sheet_name!r}")
        known = {column.name for column in spec.columns}
        for row in rows:
            unknown = sorted(set(row) - known)
            if unknown:
                raise ValueError(f"unknown column(s) {unknown} in sheet {sheet_name}")


def cell_value(value: object) -> CellValue:
    """The value as Excel should hold it: yes/no, "; "-joined lists, dates."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, frozenset | set):
        # Sorted, so the same data always writes the same cell.
        return LIST_JOIN.join(sorted(str(item) for item in value))
    if isinstance(value, list | tuple):
        return LIST_JOIN.join(str(item) for item in value)
    return excel_value(value)


def _put(sheet: Worksheet, row: int, column: int, value: object) -> None:
    cell = sheet.cell(row=row, column=column, value=cell_value(value))
    if isinstance(cell.value, str) and cell.value.startswith("="):
        # Text such as a reason "=tbd" must stay text, not become a formula.
        cell.data_type = "s"
    if isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT


def _write_table(
    sheet: Worksheet, spec: SheetSpec, rows: list[dict[str, object]]
) -> None:
    for index, column in enumerate(spec.columns, start=1):
        _write_header(sheet, index, column.name, column.required, header_note(column))
    for row_number, row in enumerate(rows, start=2):
        for index, column in enumerate(spec.columns, start=1):
            value = row.get(column.name)
            if value is not None:
                _put(sheet, row_number, index, value)
    last_row = max(len(rows), MIN_VALIDATED_ROWS) + 1
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        if column.kind is Kind.DATE:
            sheet.column_dimensions[letter].number_format = DATE_FORMAT
        validation = column_validation(column)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(validation)
    _finish_sheet(sheet, [column.name for column in spec.columns], rows)


def _write_settings(sheet: Worksheet, rows: list[dict[str, object]]) -> None:
    """Key/value rows; each key's meaning is a note on its key cell."""
    notes = {key.name: header_note(key) for key in SETTINGS_KEYS}
    for index, column in enumerate(SETTINGS.columns, start=1):
        note = SETTINGS.note if index == 1 else ""
        _write_header(sheet, index, column.name, column.required, note)
    time_unit_cells: list[str] = []
    for row_number, row in enumerate(rows, start=2):
        key = row.get("key")
        _put(sheet, row_number, 1, key)
        if row.get("value") is not None:
            _put(sheet, row_number, 2, row["value"])
        if isinstance(key, str) and key in notes:
            sheet.cell(row=row_number, column=1).comment = _comment(notes[key])
        if key == "time_unit":
            time_unit_cells.append(f"B{row_number}")
    keys = DataValidation(
        type="list",
        formula1=_list_literal(key.name for key in SETTINGS_KEYS),
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        error="Not a setting planner knows; it will be ignored.",
    )
    keys.add(f"A2:A{len(SETTINGS_KEYS) + len(rows) + 10}")
    sheet.add_data_validation(keys)
    if time_unit_cells:
        time_unit = _choice_validation(SETTINGS_KEYS_BY_NAME["time_unit"])
        for reference in time_unit_cells:
            time_unit.add(reference)
        sheet.add_data_validation(time_unit)
    _finish_sheet(sheet, ["key", "value"], rows)


def _write_header(
    sheet: Worksheet, index: int, name: str, required: bool, note: str
) -> None:
    cell = sheet.cell(row=1, column=index, value=name)
    cell.font = HEADER_FONT
    cell.fill = REQUIRED_FILL if required else OPTIONAL_FILL
    if note:
        cell.comment = _comment(note)


def _comment(text: str) -> Comment:
    lines = text.count("\n") + 1 + len(text) // 40
    return Comment(text, AUTHOR, height=max(60, 18 * lines), width=260)


def header_note(column: Column) -> str:
    """What a planner reads when hovering over a header: meaning, form, default."""
    lines = [column.note] if column.note else []
    if column.required:
        lines.append("Required.")
    if column.kind is Kind.CHOICE:
        lines.append("One of: " + ", ".join(column.choices) + ".")
    elif column.kind in KIND_HINTS:
        lines.append(KIND_HINTS[column.kind])
    if column.refers_to:
        lines.append(f"Ids from the {column.refers_to} sheet.")
    if column.default not in (None, "") and "blank" not in column.note.lower():
        lines.append(f"Blank means {cell_value(column.default)}.")
    return "\n".join(lines)


def column_validation(column: Column) -> DataValidation | None:
    """The drop-down Excel should offer in this column, if any.

    yes/no for booleans and the fixed choices for choice columns; for a
    column naming ids of another sheet, that sheet's id column. A list column
    may hold several ids, so its drop-down only suggests and never refuses.
    """
    if column.kind is Kind.BOOL:
        return DataValidation(
            type="list",
            formula1=_list_literal(["yes", "no"]),
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            error="Type yes or no.",
        )
    if column.kind is Kind.CHOICE:
        return _choice_validation(column)
    if column.refers_to:
        return _id_validation(column)
    return None


def _choice_validation(column: Column) -> DataValidation:
    return DataValidation(
        type="list",
        formula1=_list_literal(column.choices),
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        error="Pick one of: " + ", ".join(column.choices) + ".",
    )


def _id_validation(column: Column) -> DataValidation:
    """A drop-down over the referred sheet's ids, growing as ids are added."""
    assert column.refers_to is not None
    referred = SHEET_BY_NAME[column.refers_to.lower()]
    sheet = f"'{referred.name}'"
    ids = f"OFFSET({sheet}!$A$2,0,0,MAX(1,COUNTA({sheet}!$A:$A)-1),1)"
    several = column.kind is Kind.LIST
    return DataValidation(
        type="list",
        formula1=ids,
        allow_blank=True,
        showErrorMessage=not several,
        errorStyle="warning",
        error=f"Not an id from the {referred.name} sheet.",
        showInputMessage=several,
        prompt=f"Pick from {referred.name}, or type several ids separated by ;"
        if several
        else None,
    )


def _list_literal(items: Iterable[str]) -> str:
    return '"' + ",".join(items) + '"'


def _finish_sheet(
    sheet: Worksheet, names: list[str], rows: list[dict[str, object]]
) -> None:
    """Frozen header row and column widths that fit header and values."""
    sheet.freeze_panes = "A2"
    sample = rows[:WIDTH_SAMPLE_ROWS]
    for index, name in enumerate(names, start=1):
        widest = max([len(name) + 3, *(_shown_length(row.get(name)) for row in sample)])
        width = min(max(widest + 1, MIN_WIDTH), MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = width


def _shown_length(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return len(DATE_FORMAT)
    return len(str(cell_value(value)))


def _write_instructions(sheet: Worksheet) -> None:
    """A page a staff officer can read before touching the other sheets."""
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100
    sheet["A1"] = "Exercise programme: input workbook"
    sheet["A1"].font = TITLE_FONT
    row = 3
    for text in _INTRODUCTION:
        sheet.cell(row=row, column=1, value=text)
        row += 1
    row += 1
    sheet.cell(row=row, column=1, value="Sheet").font = HEADER_FONT
    sheet.cell(row=row, column=2, value="What it holds").font = HEADER_FONT
    for spec in SHEETS:
        row += 1
        purpose = SHEET_PURPOSES.get(spec.name, "")
        if spec.optional:
            purpose += " (Optional: may be left empty or deleted.)"
        sheet.cell(row=row, column=1, value=spec.name)
        sheet.cell(row=row, column=2, value=purpose).alignment = WRAP
    row += 2
    sheet.cell(row=row, column=1, value="How cells are read").font = HEADER_FONT
    for label, text in _CONVENTIONS:
        row += 1
        sheet.cell(row=row, column=1, value=label)
        sheet.cell(row=row, column=2, value=text).alignment = WRAP


_INTRODUCTION = (
    "Fill in one sheet per kind of fact. Row 1 of each sheet holds the column "
    "names: keep them as they are.",
    "Each row below the names is one partner, venue, exercise, ... "
    "Hover over a column name to read what the column means.",
    "Column names shaded yellow must be filled in; blue ones are optional "
    "(a blank cell takes the default named in the note).",
    "Then check the workbook with:  planner validate <file>   and plan with:  "
    "planner solve <file>",
)

_CONVENTIONS = (
    (
        "Lists",
        "Several ids or words in one cell, separated by ; or , "
        "(for example: NOR; POL; EST).",
    ),
    (
        "Yes / no",
        "yes or no (true/false, 1/0 and x are understood too). "
        "Blank means no unless the note says otherwise.",
    ),
    ("Dates", "Real Excel dates, or text written YYYY-MM-DD."),
    ("Money", "Whole currency units (the currency is named in Settings)."),
    (
        "Weeks",
        "With time_unit week, the plan moves in whole weeks counted from "
        "planning_start: a date stands for the week that holds it. An exercise's "
        "window runs from the week holding earliest_start to the week holding "
        "latest_end.",
    ),
    (
        "Objective",
        "The plan maximizes  weight_value x (value of the exercises "
        "held)  -  weight_goal_shortfall x (missed counts of soft goals, times "
        "each goal's weight)  -  weight_cost x (organizer spend + partner "
        "spend). Set the three weights in Settings.",
    ),
)


def write_instances(folder: Path) -> list[Path]:
    """Write the committed instances: the example and its infeasible twin."""
    folder.mkdir(parents=True, exist_ok=True)
    sample = folder / "sample.xlsx"
    infeasible = folder / "infeasible.xlsx"
    write_template(sample, example=True, force=True)
    write_workbook(infeasible_programme(), infeasible)
    return [sample, infeasible]


if __name__ == "__main__":
    for written in write_instances(Path(__file__).resolve().parents[2] / "instances"):
        print(f"Wrote {written}")
