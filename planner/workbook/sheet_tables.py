"""A workbook's sheets as tables: each sheet's header row and data rows, and
what a reader would get wrong (formulas never calculated, Excel errors, merged
or hidden cells, a missing header), each a finding naming its cell; then the
sheets matched to the schema's by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.domain import (
    Finding,
    Severity,
)
from planner.workbook.cells import (
    BAD,
    is_blank,
)
from planner.workbook.file_checks import SAVE_AS_XLSX, file_problem, load_file
from planner.workbook.limits import (
    OutOfBounds,
    scan_workbook,
)
from planner.workbook.schema import (
    SHEET_BY_NAME,
)
from planner.workbook.tables import Row, Table

# Sheets a planner's workbook may hold that are not data: the template's
# first sheet (planner.workbook.template.INSTRUCTIONS) is read by people only.
IGNORED_SHEETS = frozenset({"instructions"})


def read_tables(path: Path) -> tuple[dict[str, Table] | None, list[Finding]]:
    """The workbook's tables, or None and the reason it cannot be read."""
    problem = file_problem(path)
    if problem is not None:
        return None, [Finding(path.name, "", problem)]
    try:
        scan = scan_workbook(path)
    except OutOfBounds as bound:
        return None, [Finding(bound.sheet or path.name, bound.cell, str(bound))]
    except Exception:  # zipfile's many errors on a damaged file, as in load_file
        scan = None
    workbook = None if scan is None else load_file(path)
    if workbook is None or scan is None:
        return None, [
            Finding(
                path.name,
                "",
                "cannot be opened: the file is damaged or not an Excel "
                f"workbook; if Excel opens it, {SAVE_AS_XLSX}",
            )
        ]
    uncalculated = scan.uncalculated
    tables: dict[str, Table] = {}
    findings: list[Finding] = []
    for sheet in workbook.worksheets:
        tables[sheet.title] = _read_table(
            sheet, uncalculated.get(sheet.title, {}), findings
        )
    return tables, findings


def _read_table(
    sheet: Worksheet,
    uncalculated: Mapping[tuple[int, int], str],
    findings: list[Finding],
) -> Table:
    """Header and non-blank rows of one sheet; what cannot be read is BAD."""
    title = sheet.title
    if sheet.sheet_state != "visible":
        findings.append(
            Finding(title, "", "sheet is hidden; it is read anyway", Severity.WARNING)
        )
    grid: list[tuple[int, tuple[object, ...]]] = []
    for number, cells in enumerate(sheet.iter_rows(min_row=1), start=1):
        values: list[object] = []
        for column, cell in enumerate(cells, start=1):
            value: object = cell.value
            if (number, column) in uncalculated:
                formula = uncalculated[(number, column)]
                findings.append(
                    Finding(
                        title,
                        cell.coordinate,
                        f"formula ={formula} has no saved result: the workbook "
                        "was never calculated; open it in Excel and save it",
                    )
                )
                value = BAD
            elif cell.data_type == "e":
                findings.append(
                    Finding(
                        title,
                        cell.coordinate,
                        f"the cell shows the error {value}: correct it or type "
                        "the value",
                    )
                )
                value = BAD
            values.append(value)
        if cells and any(not is_blank(value) for value in values):
            grid.append((number, tuple(values)))
    if not grid:
        findings.append(
            Finding(title, "", "empty sheet: row 1 must hold the column names")
        )
        return Table(title, {}, ())
    if grid[0][0] != 1:
        findings.append(
            Finding(title, "A1", "row 1 is blank: it must hold the column names")
        )
        return Table(title, {}, ())
    header = _header(title, grid[0][1], findings)
    rows = tuple(Row(number, values) for number, values in grid[1:])
    _unnamed_columns(title, header, rows, findings)
    _merged_cells(sheet, header, findings)
    _hidden_cells(sheet, header, rows, findings)
    return Table(title, header, rows)


def _header(
    title: str, values: tuple[object, ...], findings: list[Finding]
) -> dict[str, int]:
    header: dict[str, int] = {}
    for index, value in enumerate(values):
        if is_blank(value) or value is BAD:
            continue
        name = str(value).strip().lower()
        if name in header:
            findings.append(
                Finding(
                    title,
                    f"{get_column_letter(index + 1)}1",
                    f'column "{name}" appears twice: first in column '
                    f"{get_column_letter(header[name] + 1)}",
                )
            )
        else:
            header[name] = index
    return header


def _unnamed_columns(
    title: str, header: Mapping[str, int], rows: Iterable[Row], findings: list[Finding]
) -> None:
    """Values in a column with no name in row 1 are ignored: say so."""
    named = set(header.values())
    unnamed: set[int] = set()
    for row in rows:
        unnamed.update(
            index
            for index, value in enumerate(row.values)
            if index not in named and not is_blank(value)
        )
    for index in sorted(unnamed):
        findings.append(
            Finding(
                title,
                f"{get_column_letter(index + 1)}1",
                f"column {get_column_letter(index + 1)} holds values but has no "
                "name in row 1; ignored",
                Severity.WARNING,
            )
        )


def _merged_cells(
    sheet: Worksheet, header: Mapping[str, int], findings: list[Finding]
) -> None:
    """Merged cells keep their value in the first cell only, so others read blank."""
    named = {index + 1 for index in header.values()}
    for merged in sheet.merged_cells.ranges:
        if any(merged.min_col <= column <= merged.max_col for column in named):
            findings.append(
                Finding(
                    sheet.title,
                    merged.coord,
                    f"merged cells {merged.coord}: unmerge them and give every "
                    "row its own values",
                )
            )


def _hidden_cells(
    sheet: Worksheet,
    header: Mapping[str, int],
    rows: Iterable[Row],
    findings: list[Finding],
) -> None:
    """Hidden rows and columns are read like any others: say so, as few expect it."""
    used = {1} | {row.number for row in rows}
    hidden_rows = sorted(
        number
        for number, dimension in sheet.row_dimensions.items()
        if dimension.hidden and number in used
    )
    for first, last in _runs(hidden_rows):
        message = (
            f"row {first} is hidden; it is read anyway"
            if first == last
            else f"rows {first} to {last} are hidden; they are read anyway"
        )
        findings.append(Finding(sheet.title, f"A{first}", message, Severity.WARNING))
    spans = [
        (dimension.min, dimension.max)
        for dimension in sheet.column_dimensions.values()
        if dimension.hidden and dimension.min and dimension.max
    ]
    for name, index in header.items():
        column = index + 1
        if any(low <= column <= high for low, high in spans):
            letter = get_column_letter(column)
            findings.append(
                Finding(
                    sheet.title,
                    f"{letter}1",
                    f"column {letter} ({name}) is hidden; it is read anyway",
                    Severity.WARNING,
                )
            )


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Sorted numbers as runs of consecutive ones: [1, 2, 5] -> (1, 2), (5, 5)."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


def match_sheets(
    tables: Mapping[str, Table], findings: list[Finding]
) -> tuple[dict[str, Table], list[Finding]]:
    """The schema's sheets found in the workbook, by schema name.

    Sheet names match trimmed and in any case. Findings about sheets planner
    does not read are dropped (they do not matter), and those about sheets it
    reads are renamed to the schema's spelling, so they sort in schema order.
    """
    matched: dict[str, Table] = {}
    renamed: dict[str, str] = {}
    kept: list[Finding] = []
    for title, table in tables.items():
        spec = SHEET_BY_NAME.get(title.strip().lower())
        if spec is None:
            if title.strip().lower() not in IGNORED_SHEETS:
                kept.append(
                    Finding(
                        title,
                        "",
                        "not a sheet planner reads; ignored",
                        Severity.WARNING,
                    )
                )
        elif spec.name in matched:
            kept.append(
                Finding(
                    title,
                    "",
                    f"a second {spec.name} sheet; ignored (planner reads the "
                    f'sheet "{matched[spec.name].sheet}")',
                    Severity.WARNING,
                )
            )
        else:
            matched[spec.name] = table
            renamed[title] = spec.name
    kept += [
        replace(finding, sheet=renamed[finding.sheet])
        for finding in findings
        if finding.sheet in renamed
    ]
    return matched, kept
