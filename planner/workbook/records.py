"""Cell by cell: each data row of a sheet read into a record of typed values,
each value as its column's kind in the schema; a bad cell is a finding naming
it, and the record keeps the rest.
"""

from __future__ import annotations

from collections.abc import Mapping

from planner.domain import (
    Finding,
    Severity,
)
from planner.workbook.cells import (
    BAD,
    BadCell,
    blank_value,
    is_blank,
    read_cell,
)
from planner.workbook.schema import (
    Column,
    SheetSpec,
)
from planner.workbook.tables import Table
from planner.workbook.validate import (
    Record,
)

# Whole numbers that make no sense below 1; every other whole number and
# amount of money must be at least 0.
AT_LEAST_ONE = frozenset(
    {"duration", "capacity", "max_concurrent", "holiday_days_per_week"}
)


def _minimum(column: Column) -> int:
    return 1 if column.name in AT_LEAST_ONE else 0


def read_value(
    raw: object, column: Column, sheet: str, cell: str, findings: list[Finding]
) -> object:
    """A cell's value as its column's kind; BAD (and a finding) if it is not."""
    if raw is BAD:
        return BAD
    if is_blank(raw):
        if column.required:
            findings.append(Finding(sheet, cell, f"{column.name} is required"))
            return BAD
        return blank_value(column)
    try:
        reading = read_cell(raw, column, _minimum(column))
    except BadCell as bad:
        findings.append(Finding(sheet, cell, str(bad)))
        return BAD
    if reading.warning:
        findings.append(Finding(sheet, cell, reading.warning, Severity.WARNING))
    return reading.value


def read_records(
    spec: SheetSpec, table: Table | None, findings: list[Finding]
) -> list[Record]:
    """The rows of one sheet, each cell read as its column's kind."""
    if table is None:
        if not spec.optional:
            findings.append(Finding(spec.name, "", "sheet is missing"))
        return []
    if not table.header:
        return []
    known = {column.name: column for column in spec.columns}
    letters: dict[str, str] = {}
    for name in table.header:
        if name in known:
            letters[name] = table.letter(name)
        else:
            findings.append(
                Finding(
                    spec.name,
                    f"{table.letter(name)}1",
                    f'column "{name}" is not one planner reads; ignored',
                    Severity.WARNING,
                )
            )
    for column in spec.required_columns:
        if column.name not in letters:
            findings.append(
                Finding(
                    spec.name,
                    "",
                    f'required column "{column.name}" is missing '
                    "(row 1 holds the column names)",
                )
            )
    indices = {name: table.header[name] for name in letters}
    records = []
    for row in table.rows:
        raw = {name: row.get(index) for name, index in indices.items()}
        if all(is_blank(value) for value in raw.values()):
            continue
        values = {
            column.name: _record_value(
                raw, column, spec.name, letters, row.number, findings
            )
            for column in spec.columns
        }
        records.append(Record(spec.name, row.number, values, letters))
    return records


def _record_value(
    raw: Mapping[str, object],
    column: Column,
    sheet: str,
    letters: Mapping[str, str],
    row: int,
    findings: list[Finding],
) -> object:
    """One cell of a row; a column the sheet lacks reads as blank.

    A missing required column has been reported once for the whole sheet, so
    its cells are BAD without a finding each.
    """
    if column.name not in raw:
        return BAD if column.required else blank_value(column)
    cell = f"{letters[column.name]}{row}"
    return read_value(raw[column.name], column, sheet, cell, findings)
