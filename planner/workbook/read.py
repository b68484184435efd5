"""Reading a planner's workbook into a validated `Problem`, or saying why not.

Reading goes in three passes, each collecting every finding it has before the
next runs, so one `planner validate` lists everything to fix:

1. the file and its sheets (`read_sheets`): is it an .xlsx at all, which
   sheets it has, each sheet's header row and data rows, and what a reader
   would miss (formulas never calculated, merged or hidden cells);
2. cell by cell (`planner.workbook.cells`): each value read as its column's
   kind from `planner.workbook.schema`;
3. across rows and sheets (`planner.workbook.validate`): duplicate and unknown
   ids, windows, venues, dependencies, goals.

Only when no finding is an error is the `Problem` built, dates turned into
slots by `Problem.slot_of`.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string
from openpyxl.worksheet.worksheet import Worksheet

from planner.domain import (
    Asset,
    Dependency,
    Exercise,
    Finding,
    Goal,
    GoalKind,
    Partner,
    Period,
    Problem,
    Settings,
    Severity,
    Source,
    Venue,
    Weights,
)
from planner.public_holidays import with_public_holidays
from planner.workbook.cells import (
    BAD,
    BadCell,
    blank_value,
    is_blank,
    read_cell,
    shown,
)
from planner.workbook.limits import (
    OutOfBounds,
    check_horizon,
    is_open_document,
    scan_workbook,
)
from planner.workbook.scenarios import (
    Edit,
    apply_scenario,
    scenario_edits_in,
    scenario_names_in,
)
from planner.workbook.schema import (
    SCENARIOS,
    SETTINGS,
    SETTINGS_KEYS,
    SHEET_BY_NAME,
    SHEETS,
    Column,
    SheetSpec,
)
from planner.workbook.tables import Row, Table
from planner.workbook.validate import (
    Programme,
    Record,
    blackout_period,
    check_programme,
)

T = TypeVar("T")

# Sheets a planner's workbook may hold that are not data: the template's
# first sheet (planner.workbook.template.INSTRUCTIONS) is read by people only.
IGNORED_SHEETS = frozenset({"instructions"})

# Whole numbers that make no sense below 1; every other whole number and
# amount of money must be at least 0.
AT_LEAST_ONE = frozenset(
    {"duration", "capacity", "max_concurrent", "holiday_days_per_week"}
)

SAVE_AS_XLSX = "open it in Excel and save it as Excel Workbook (.xlsx)"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# An encrypted .xlsx is an OLE file holding a stream of this name.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def read_problem(
    path: str | Path, scenario: str | None = None
) -> tuple[Problem | None, list[Finding]]:
    """Read and validate the workbook at ``path``.

    With ``scenario``, the changes the Scenarios sheet lists for it are made
    first (`planner.workbook.scenarios`), and the problem is named
    ``<file stem>:<scenario>``.

    Returns the problem and every finding, sorted by sheet (schema order),
    row and column. The problem is None exactly when some finding is an
    error.
    """
    return read_variants(path, [scenario])[scenario]


def scenario_names(path: str | Path) -> list[str]:
    """The scenarios the workbook's Scenarios sheet names, in order of first use.

    Empty when there is no such sheet or the file cannot be read (reading the
    problem says why).
    """
    tables, _ = read_sheets(path)
    return scenario_names_in(tables)


def scenario_edits(path: str | Path, scenario: str) -> list[Edit]:
    """The sound rows of one scenario, in sheet order, to show what it changes."""
    tables, _ = read_sheets(path)
    return scenario_edits_in(tables, scenario)


def read_variants(
    path: str | Path, scenarios: Iterable[str | None] | None = None
) -> dict[str | None, tuple[Problem | None, list[Finding]]]:
    """The base programme (key None) and scenarios, the file read only once.

    ``scenarios`` None: the base and every scenario of the Scenarios sheet,
    in the order the sheet first names them. Each entry is what
    `read_problem` returns for it.
    """
    path = Path(path)
    tables, findings = _read_tables(path)
    if tables is None:
        return {scenario: (None, findings) for scenario in scenarios or [None]}
    matched, findings = _match_sheets(tables, findings)
    if scenarios is None:
        scenarios = [None, *scenario_names_in(matched)]
    return {
        scenario: _read_variant(matched, findings, path.stem, scenario)
        for scenario in scenarios
    }


def _read_variant(
    matched: dict[str, Table], findings: list[Finding], stem: str, scenario: str | None
) -> tuple[Problem | None, list[Finding]]:
    """One variant of the programme from the workbook's sheets."""
    applied = apply_scenario(matched, scenario)
    findings = findings + applied.findings
    # Findings from here on may be about cells the scenario wrote.
    read: list[Finding] = []
    settings = _read_settings(applied.tables.get(SETTINGS.name), read)
    records = {
        spec.name: _read_records(spec, applied.tables.get(spec.name), read)
        for spec in SHEETS
        if spec not in (SETTINGS, SCENARIOS)
    }
    if settings is not None:
        settings = _budget_from_scenario(settings, applied.origins)
    horizon = Problem(settings, (), (), ()) if settings else None
    read.extend(check_programme(Programme(records, horizon)))
    findings = sort_findings(findings + applied.readdress(read))
    if horizon is None or any(f.severity is Severity.ERROR for f in findings):
        return None, findings
    name = stem if scenario is None else f"{stem}:{scenario}"
    programme = Programme(applied.relocate(records), horizon)
    return _build_problem(programme, horizon, name, _impossible(findings)), findings


def _impossible(findings: Iterable[Finding]) -> dict[str, tuple[Finding, ...]]:
    """The findings that make each optional exercise impossible, by its id."""
    found: dict[str, tuple[Finding, ...]] = {}
    for finding in findings:
        if finding.exercise_id is not None:
            found[finding.exercise_id] = (*found.get(finding.exercise_id, ()), finding)
    return found


def read_sheets(path: str | Path) -> tuple[dict[str, Table], list[Finding]]:
    """Every worksheet of the workbook at ``path``, by its name as written.

    The findings are about the file (not found, not an .xlsx, ...) or about
    what a reader of any sheet would get wrong: formulas never calculated,
    Excel errors, merged cells, hidden rows and columns, a missing header.
    """
    tables, findings = _read_tables(Path(path))
    return tables or {}, findings


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """By sheet in schema order (others after), then row, then column."""
    order = {spec.name: index for index, spec in enumerate(SHEETS)}

    def key(finding: Finding) -> tuple[int, str, int, int]:
        column, row = _position(finding.cell)
        rank = order.get(finding.sheet, len(order))
        return rank, finding.sheet if rank == len(order) else "", row, column

    return sorted(findings, key=key)


def _position(cell: str) -> tuple[int, int]:
    """Column and row numbers of "F7" (or of "B3:C4"'s first cell); 0 if none."""
    match = re.match(r"([A-Z]*)(\d*)", cell)
    letters, digits = match.groups() if match else ("", "")
    column = column_index_from_string(letters) if letters else 0
    return column, int(digits) if digits else 0


# The file and its sheets.


def _read_tables(path: Path) -> tuple[dict[str, Table] | None, list[Finding]]:
    """The workbook's tables, or None and the reason it cannot be read."""
    problem = _file_problem(path)
    if problem is not None:
        return None, [Finding(path.name, "", problem)]
    try:
        scan = scan_workbook(path)
    except OutOfBounds as bound:
        return None, [Finding(bound.sheet or path.name, bound.cell, str(bound))]
    except Exception:  # zipfile's many errors on a damaged file, as in _load
        scan = None
    workbook = None if scan is None else _load(path)
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


def _file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be an .xlsx workbook, judged before opening it."""
    if not path.exists():
        return f"file not found: {path}"
    if path.is_dir():
        return f"{path} is a folder, not a workbook"
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return (
            "a CSV file holds one sheet only; planner needs a workbook with "
            f"one sheet per kind of fact: {SAVE_AS_XLSX}"
        )
    try:
        with path.open("rb") as stream:
            head = stream.read(len(_OLE_MAGIC))
    except OSError as error:
        return f"cannot be read ({error.strerror}); is it open in another program?"
    if not head:
        return "the file is empty"
    if head == _OLE_MAGIC:
        if _ENCRYPTED_STREAM in path.read_bytes():
            return (
                "the workbook is password-protected: remove the password in "
                "Excel (File > Info > Protect Workbook) and save it again"
            )
        return f"this is an old-style Excel 97-2003 (.xls) workbook: {SAVE_AS_XLSX}"
    if not head.startswith(_ZIP_MAGIC):
        return f"not an Excel workbook (.xlsx); if Excel opens it, {SAVE_AS_XLSX}"
    if is_open_document(path):
        return (
            "an OpenDocument spreadsheet (.ods, from LibreOffice): planner reads "
            ".xlsx only; in LibreOffice Calc choose File > Save As, file type "
            '"Excel 2007-365 (.xlsx)"'
        )
    return None


def _load(path: Path) -> Workbook | None:
    """The workbook with each formula's saved result, or None if unreadable.

    openpyxl raises many kinds of error on a damaged file (zip, XML, key and
    attribute errors from half-written parts); all of them mean the same to
    a planner, so all are caught here and nowhere else. The file is handed
    over open, so openpyxl does not judge it by its name's extension.
    """
    try:
        with warnings.catch_warnings(), path.open("rb") as stream:
            warnings.simplefilter("ignore")
            return load_workbook(stream, data_only=True)
    except Exception:  # any failure here means a damaged file
        return None


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


def _match_sheets(
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


# Cell by cell.


def _minimum(column: Column) -> int:
    return 1 if column.name in AT_LEAST_ONE else 0


def _read_value(
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


def _read_records(
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
    return _read_value(raw[column.name], column, sheet, cell, findings)


def _read_settings(table: Table | None, findings: list[Finding]) -> Settings | None:
    """The Settings sheet's key/value rows; None when the horizon is unsound.

    Keys are in column A and values in column B whatever row 1 calls them.
    """
    sheet = SETTINGS.name
    if table is None:
        findings.append(Finding(sheet, "", "sheet is missing"))
        return None
    keys = {column.name: column for column in SETTINGS_KEYS}
    first_name = next(iter(table.header), None)
    if first_name in keys:
        findings.append(
            Finding(
                sheet,
                "A1",
                f"row 1 holds the column names (key, value): move {first_name} "
                "to a row below",
            )
        )
    values: dict[str, object] = {}
    rows: dict[str, int] = {}
    for row in table.rows:
        raw_key, raw_value = row.get(0), row.get(1)
        if is_blank(raw_key) or raw_key is BAD:
            if not is_blank(raw_value) and raw_key is not BAD:
                findings.append(
                    Finding(
                        sheet,
                        f"B{row.number}",
                        "a value without a key in column A; ignored",
                        Severity.WARNING,
                    )
                )
            continue
        key = raw_key.strip().lower() if isinstance(raw_key, str) else shown(raw_key)
        column = keys.get(key)
        if column is None:
            findings.append(
                Finding(
                    sheet,
                    f"A{row.number}",
                    f"{shown(raw_key)} is not a setting planner knows; ignored",
                    Severity.WARNING,
                )
            )
        elif key in rows:
            findings.append(
                Finding(
                    sheet,
                    f"A{row.number}",
                    f"{key} is set twice: first on row {rows[key]}",
                )
            )
        else:
            rows[key] = row.number
            values[key] = _read_value(
                raw_value, column, sheet, f"B{row.number}", findings
            )
    for column in SETTINGS_KEYS:
        if column.required and column.name not in rows:
            findings.append(
                Finding(
                    sheet,
                    "",
                    f"{column.name} is missing: add a row with {column.name} in "
                    "column A and its value in column B",
                )
            )
    return _settings(values, rows, findings)


def _settings(
    values: Mapping[str, object], rows: Mapping[str, int], findings: list[Finding]
) -> Settings | None:
    """Settings from the values read, or None when the horizon is unsound.

    A bad value of any other key is already an error; its default stands in
    so the horizon can still be used to check the other sheets.
    """

    def value(name: str) -> object:
        found = values.get(name, BAD)
        column = next(key for key in SETTINGS_KEYS if key.name == name)
        return column.default if found is BAD else found

    def typed(name: str, kind: type[T]) -> T:
        """The value, of the type its column's kind reads into."""
        found = value(name)
        if not isinstance(found, kind):
            raise TypeError(f"Settings {name} was read as {found!r}")
        return found

    def whole(name: str) -> int:
        return typed(name, int)

    def number(name: str) -> float:
        found = value(name)
        if not isinstance(found, int | float):
            raise TypeError(f"Settings {name} was read as {found!r}")
        return float(found)

    start, end = values.get("planning_start"), values.get("planning_end")
    if values.get("time_unit") is BAD or start is BAD or end is BAD:
        return None
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        return None
    if end < start:
        findings.append(
            Finding(
                SETTINGS.name,
                f"B{rows['planning_end']}",
                f"planning_end {end} is before planning_start {start}",
            )
        )
        return None
    too_long = check_horizon(start, end)
    if too_long is not None:
        findings.append(Finding(SETTINGS.name, f"B{rows['planning_end']}", too_long))
        return None
    return Settings(
        planning_start=start,
        planning_end=end,
        time_unit=typed("time_unit", str),
        total_budget=None if value("total_budget") is None else whole("total_budget"),
        total_budget_source=_row_source(rows, "total_budget"),
        currency=typed("currency", str),
        time_limit_s=number("time_limit_s"),
        weights=Weights(
            value=whole("weight_value"),
            goal_shortfall=whole("weight_goal_shortfall"),
            cost=whole("weight_cost"),
            change_move=whole("weight_change_move"),
            change_venue=whole("weight_change_venue"),
            change_drop=whole("weight_change_drop"),
            change_add=whole("weight_change_add"),
            change_partner=whole("weight_change_partner"),
        ),
        budget_shock_probability=number("budget_shock_probability"),
        budget_shock_cut=number("budget_shock_cut"),
        public_holidays=typed("public_holidays", bool),
        holiday_days_per_week=whole("holiday_days_per_week"),
    )


def _budget_from_scenario(
    settings: Settings, origins: Mapping[tuple[str, str], str]
) -> Settings:
    """Point the total budget at the Scenarios row that set it, if one did."""
    source = settings.total_budget_source
    if source is None:
        return settings
    origin = origins.get((SETTINGS.name, f"B{source.row}"))
    if origin is None:
        return settings
    _, row = _position(origin)
    return replace(settings, total_budget_source=Source(SCENARIOS.name, row))


def _row_source(rows: Mapping[str, int], key: str) -> Source | None:
    """The Settings row of ``key``, so an explanation can point at it."""
    return Source(SETTINGS.name, rows[key]) if key in rows else None


# Building the problem, once every finding is at most a warning.


def _build_problem(
    programme: Programme,
    horizon: Problem,
    name: str,
    impossible: Mapping[str, tuple[Finding, ...]],
) -> Problem:
    records = programme.records
    blackouts: dict[str, list[Period]] = {}
    for record in records["Unavailability"]:
        period = blackout_period(record, horizon)
        if period is not None:
            blackouts.setdefault(record["resource_id"], []).append(period)

    def unavailable(key: object) -> tuple[Period, ...]:
        return tuple(blackouts.get(str(key), ()))

    problem = Problem(
        settings=horizon.settings,
        partners=tuple(
            _partner(record, unavailable(record["partner_id"]))
            for record in records["Partners"]
        ),
        venues=tuple(
            _venue(record, unavailable(record["venue_id"]))
            for record in records["Venues"]
        ),
        exercises=tuple(
            _exercise(record, horizon, impossible.get(record["exercise_id"], ()))
            for record in records["Exercises"]
        ),
        assets=tuple(
            _asset(record, unavailable(record["asset_id"]))
            for record in records["Assets"]
        ),
        goals=tuple(_goal(record) for record in records["Goals"]),
        dependencies=tuple(_dependency(record) for record in records["Dependencies"]),
        travel_costs=tuple(
            (record["partner_id"], record["venue_id"], record["cost"])
            for record in records["TravelCosts"]
        ),
        name=name,
    )
    return with_public_holidays(problem)


def _partner(record: Record, unavailable: tuple[Period, ...]) -> Partner:
    return Partner(
        id=record["partner_id"],
        name=record["name"],
        country_code=record["country_code"],
        region=record["region"],
        budget=record["budget"],
        max_events=record["max_events"],
        max_concurrent=record["max_concurrent"],
        min_gap=record["min_gap"],
        weight=record["weight"],
        unavailable=unavailable,
        dropout_probability=record["dropout_probability"],
        source=record.source,
        public_holidays=_yes_no(record["public_holidays"]),
    )


def _yes_no(choice: str | None) -> bool | None:
    """A yes/no choice; None when left blank."""
    return None if choice is None else choice == "yes"


def _venue(record: Record, unavailable: tuple[Period, ...]) -> Venue:
    return Venue(
        id=record["venue_id"],
        name=record["name"],
        host_partner=record["host_partner"],
        region=record["region"],
        capabilities=frozenset(record["capabilities"]),
        capacity=record["capacity"],
        cost_per_slot=record["cost_per_slot"],
        max_concurrent=record["max_concurrent"],
        unavailable=unavailable,
        source=record.source,
    )


def _asset(record: Record, unavailable: tuple[Period, ...]) -> Asset:
    return Asset(
        id=record["asset_id"],
        name=record["name"],
        capacity=record["capacity"],
        unavailable=unavailable,
        source=record.source,
    )


def _exercise(
    record: Record, horizon: Problem, impossible: tuple[Finding, ...] = ()
) -> Exercise:
    """An exercise with its dates turned into slots.

    A blank earliest_start is the first slot and a blank latest_end the last;
    invited partners start with the required ones. ``impossible``: the
    warnings saying it can never be held.
    """
    earliest, latest, fixed = (
        record["earliest_start"],
        record["latest_end"],
        record["fixed_start"],
    )
    required: tuple[str, ...] = record["required_partners"]
    invited: tuple[str, ...] = record["invited_partners"]
    return Exercise(
        id=record["exercise_id"],
        duration=record["duration"],
        earliest_start=horizon.slot_of(earliest) if earliest else 0,
        latest_end=horizon.slot_of(latest) if latest else horizon.n_slots - 1,
        name=record["name"],
        kind=record["kind"],
        mandatory=record["mandatory"],
        value=record["value"],
        venues=record["venues"],
        needs=frozenset(record["needs"]),
        required_partners=required,
        invited_partners=tuple(dict.fromkeys(required + invited)),
        min_partners=record["min_partners"],
        max_partners=record["max_partners"],
        fixed_cost=record["fixed_cost"],
        cost_per_partner=record["cost_per_partner"],
        areas=frozenset(record["areas"]),
        assets=record["assets"],
        fixed_start=horizon.slot_of(fixed) if fixed else None,
        fixed_venue=record["fixed_venue"],
        source=record.source,
        impossible=impossible,
    )


def _goal(record: Record) -> Goal:
    return Goal(
        id=record["goal_id"],
        kind=GoalKind(record["kind"]),
        min_count=record["min_count"],
        partners=record["partners"],
        area=record["area"] or None,
        weight=record["weight"],
        hard=record["hard"],
        source=record.source,
    )


def _dependency(record: Record) -> Dependency:
    return Dependency(
        before=record["before"],
        after=record["after"],
        min_gap=record["min_gap"],
        max_gap=record["max_gap"],
        requires=record["requires"],
        source=record.source,
    )
