"""What-if scenarios kept inside the workbook: one changed cell per row.

A staff planner rarely plans from scratch: a partner announces an election, the
budget is cut by ten percent, a venue closes for repairs. Copying the workbook
for each question gives files that drift apart, so the optional Scenarios sheet
lists each scenario's changes to the base data instead, row by row::

    scenario      action  sheet           id              column        value
    budget-cut    set     Settings        total_budget    value         1980000
    pol-election  add     Unavailability  POL             start         2027-05-31
    pol-election  add     Unavailability  POL             end           2027-06-13
    no-fra        delete  Partners        FRA

A scenario is applied to the raw tables (`planner.workbook.tables.Table`) before
a single cell is read, so a changed or added cell goes through exactly the
reading and the checks a typed one does. Findings about such a cell are then
re-addressed to the Scenarios cell that put it there, with the base sheet's
wording: ``Scenarios!F3: total_budget must be an amount >= 0, got "abc"``.
A deleted partner, venue, asset or exercise goes from every row that names
it, each change a warning at the delete (`planner.workbook.deletions`).

The base programme (no scenario) ignores what the rows say, but the sheet is
still checked row by row (actions, sheets, columns, the shape of each id), so
a slip is found before anyone asks for that scenario.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from openpyxl.utils import get_column_letter

from planner.domain import Finding, Severity
from planner.workbook.cells import BAD, BadCell, is_blank, read_cell, shown
from planner.workbook.deletions import Deleted, DraftRow, delete_references
from planner.workbook.schema import (
    SCENARIOS,
    SETTINGS,
    SETTINGS_KEYS,
    SHEET_BY_NAME,
    Column,
    Kind,
    split_list,
)
from planner.workbook.tables import Row, Table
from planner.workbook.validate import Record

SET, ADD, DELETE = "set", "add", "delete"

# The columns whose values pick out one row of each sheet, in the order an id
# lists them. Sheets with an id column need only that; the others are named by
# what a planner would say: "NOR's blackout from 17 May", "NOR's travel to SET".
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "Settings": ("key",),
    "Partners": ("partner_id",),
    "Venues": ("venue_id",),
    "Exercises": ("exercise_id",),
    "Assets": ("asset_id",),
    "Unavailability": ("resource_id", "start"),
    "TravelCosts": ("partner_id", "venue_id"),
    "Goals": ("goal_id",),
    "Dependencies": ("before", "after"),
}
# Sheets a scenario may change, as a message lists them.
CHANGEABLE = tuple(ROW_KEYS)

_SETTING_KEY = Column("key", Kind.TEXT, True)
_SETTING_COLUMNS = {"key": 0, "value": 1}  # Settings is read by position
_SETTING_NAMES = frozenset(key.name for key in SETTINGS_KEYS)
_ROW = re.compile(r"[A-Z]+(\d+)")


@dataclass(frozen=True)
class Edit:
    """One row of the Scenarios sheet, read and checked on its own."""

    scenario: str
    action: str  # SET, ADD or DELETE
    sheet: str  # as the schema spells it
    key: tuple[object, ...]  # the id's values, read as their key columns' kinds
    column: str | None  # None: add the key only, or delete
    value: object  # as typed; read later as the column's kind
    row: int  # the Scenarios row
    id_cell: str  # where the id is, e.g. "D7": messages about the row point here
    value_cell: str  # where the value is: messages about the value point here
    note: str = ""

    def __str__(self) -> str:
        key = "; ".join(_plain(part) for part in self.key)
        if self.action == DELETE:
            return f"delete {self.sheet} {key}"
        target = f"{self.sheet} {key}" + (f" {self.column}" if self.column else "")
        if self.column is None:
            return f"add {target}"
        value = "(blank)" if is_blank(self.value) else _plain(self.value)
        return f"{self.action} {target} = {value}"


@dataclass(frozen=True)
class Applied:
    """A scenario's tables, and how to point findings back at its rows.

    ``origins`` maps a changed cell (sheet, "F7") to the Scenarios cell whose
    value it holds; ``added`` maps each added row (sheet, row number) to the
    edit that started it.
    """

    tables: dict[str, Table]
    findings: list[Finding]
    origins: Mapping[tuple[str, str], str] = field(default_factory=dict)
    added: Mapping[tuple[str, int], Edit] = field(default_factory=dict)

    def readdress(self, findings: Iterable[Finding]) -> list[Finding]:
        """Findings about cells the scenario wrote now name its Scenarios cell.

        A cell of an added row that no scenario row set (a required column
        left out) is blamed on the id cell of the row that started it. An
        exercise the scenario's deletes already left nowhere to be held is
        not reported again by what reading finds of its emptied cells.
        """
        settled = {f.exercise_id for f in self.findings if f.exercise_id}
        moved = []
        for finding in findings:
            if finding.exercise_id in settled:
                continue
            origin = self.origins.get((finding.sheet, finding.cell))
            if origin is None:
                started = self.added.get((finding.sheet, _row_of(finding.cell)))
                origin = None if started is None else started.id_cell
            moved.append(
                finding
                if origin is None
                else replace(finding, sheet=SCENARIOS.name, cell=origin)
            )
        return moved

    def relocate(
        self, records: Mapping[str, Sequence[Record]]
    ) -> dict[str, list[Record]]:
        """Records of added rows say they came from the Scenarios sheet.

        Their row numbers in the changed sheet exist nowhere in the workbook,
        so the problem's sources point at the scenario row that added them.
        """
        return {
            sheet: [self._relocated(record) for record in sheet_records]
            for sheet, sheet_records in records.items()
        }

    def _relocated(self, record: Record) -> Record:
        started = self.added.get((record.sheet, record.row))
        if started is None:
            return record
        return replace(record, sheet=SCENARIOS.name, row=started.row)


def apply_scenario(tables: Mapping[str, Table], scenario: str | None) -> Applied:
    """The workbook's tables (by schema name) with ``scenario`` applied.

    The Scenarios sheet is checked whatever ``scenario`` is; with None the
    tables come back unchanged.
    """
    table = tables.get(SCENARIOS.name)
    edits, findings = read_edits(table)
    if scenario is None:
        return Applied(dict(tables), findings)
    names = _scenario_names(table)
    if scenario not in names:
        findings.append(_unknown_scenario(scenario, names, table is not None))
        return Applied(dict(tables), findings)
    drafts = _Drafts(tables)
    for edit in (e for e in edits if e.scenario == scenario):
        drafts.apply(edit)
    return Applied(
        drafts.tables(), findings + drafts.findings, drafts.origins, drafts.added
    )


def scenario_names_in(tables: Mapping[str, Table]) -> list[str]:
    """The scenarios named by the Scenarios sheet among ``tables``."""
    return _scenario_names(_scenarios_table(tables))


def scenario_edits_in(tables: Mapping[str, Table], scenario: str) -> list[Edit]:
    """The sound rows of one scenario among ``tables``, in sheet order."""
    edits, _ = read_edits(_scenarios_table(tables))
    return [edit for edit in edits if edit.scenario == scenario]


def read_edits(table: Table | None) -> tuple[list[Edit], list[Finding]]:
    """Every sound row of the Scenarios sheet, and what is wrong with the others.

    Each row is checked on its own: that its action, sheet and column exist
    and its id has the shape of the sheet's key. Whether the row it names
    exists depends on the scenario's earlier rows, so that waits for
    `apply_scenario`.
    """
    if table is None or not table.header:
        return [], []
    findings = _header_findings(table)
    if any(f.severity is Severity.ERROR for f in findings):
        return [], findings
    edits = []
    for row in table.rows:
        edit = _read_edit(table, row, findings)
        if edit is not None:
            edits.append(edit)
    return edits, findings


# Reading the Scenarios sheet.


def _scenarios_table(tables: Mapping[str, Table]) -> Table | None:
    """The Scenarios sheet, matched as the reader matches sheet names."""
    for title, table in tables.items():
        if title.strip().lower() == SCENARIOS.name.lower():
            return table
    return None


def _scenario_names(table: Table | None) -> list[str]:
    if table is None:
        return []
    column = SCENARIOS.column("scenario")
    names: dict[str, None] = {}
    for row in table.rows:
        raw = table.value(row, "scenario")
        if raw is BAD or is_blank(raw):
            continue
        try:
            names[str(read_cell(raw, column).value)] = None
        except BadCell:
            continue
    return list(names)


def _unknown_scenario(scenario: str, names: list[str], has_sheet: bool) -> Finding:
    if not has_sheet:
        return Finding(
            SCENARIOS.name,
            "",
            f'no scenario "{scenario}": the workbook has no Scenarios sheet',
        )
    known = ", ".join(names) if names else "none"
    return Finding(
        SCENARIOS.name,
        "",
        f'no scenario "{scenario}" on the Scenarios sheet; it names: {known}',
    )


def _header_findings(table: Table) -> list[Finding]:
    """Unknown columns are ignored; a missing required one stops the sheet."""
    known = {column.name for column in SCENARIOS.columns}
    findings = [
        Finding(
            SCENARIOS.name,
            f"{table.letter(name)}1",
            f'column "{name}" is not one planner reads; ignored',
            Severity.WARNING,
        )
        for name in table.header
        if name not in known
    ]
    findings += [
        Finding(
            SCENARIOS.name,
            "",
            f'required column "{column.name}" is missing '
            "(row 1 holds the column names)",
        )
        for column in SCENARIOS.required_columns
        if column.name not in table.header
    ]
    return findings


class _RowFindings:
    """Findings about one Scenarios row, each at the cell it is about."""

    def __init__(self, table: Table, row: Row, findings: list[Finding]) -> None:
        self.table, self.row, self.findings = table, row, findings
        self.sound = True

    def cell(self, column: str) -> str:
        index = self.table.header.get(column)
        letter = get_column_letter(index + 1) if index is not None else "A"
        return f"{letter}{self.row.number}"

    def error(self, column: str, message: str) -> None:
        self.findings.append(Finding(SCENARIOS.name, self.cell(column), message))
        self.sound = False

    def warn(self, column: str, message: str) -> None:
        self.findings.append(
            Finding(SCENARIOS.name, self.cell(column), message, Severity.WARNING)
        )

    def raw(self, column: str) -> object:
        value = self.table.value(self.row, column)
        if value is BAD:
            self.sound = False  # already reported where the sheet was read
        return value

    def read(self, column: str) -> object:
        """The cell read as the Scenarios column's kind; None when blank or bad."""
        spec = SCENARIOS.column(column)
        raw = self.raw(column)
        if raw is BAD:
            return None
        if is_blank(raw):
            if spec.required:
                self.error(column, f"{column} is required")
            return spec.default
        try:
            return read_cell(raw, spec).value
        except BadCell as bad:
            self.error(column, str(bad))
            return None


def _read_edit(table: Table, row: Row, findings: list[Finding]) -> Edit | None:
    """One Scenarios row as an Edit; None (and findings) when it is unsound."""
    cells = _RowFindings(table, row, findings)
    used = ("scenario", "action", "sheet", "id", "column", "value")
    if all(is_blank(table.value(row, name)) for name in used):
        return None  # a row holding only a note
    scenario = cells.read("scenario")
    action = cells.read("action")
    sheet = _read_sheet(cells)
    column = _read_column(cells, sheet, action)
    key = _read_key(cells, sheet, action, column)
    value = cells.raw("value")
    if action == DELETE:
        for name in ("column", "value"):
            if not is_blank(table.value(row, name)):
                cells.warn(name, f"{name} is ignored: delete removes the whole row")
    if not cells.sound or sheet is None or key is None:
        return None
    note = table.value(row, "note")
    column = None if action == DELETE else column
    return Edit(
        scenario=str(scenario),
        action=str(action),
        sheet=sheet,
        key=key,
        column=column,
        value=None if column is None else value,
        row=row.number,
        id_cell=cells.cell("id"),
        value_cell=cells.cell("value"),
        note=note.strip() if isinstance(note, str) else "",
    )


def _read_sheet(cells: _RowFindings) -> str | None:
    raw = cells.read("sheet")
    if raw is None:
        return None
    spec = SHEET_BY_NAME.get(str(raw).strip().lower())
    if spec is None or spec.name not in ROW_KEYS:
        cells.error(
            "sheet",
            f"sheet {shown(raw)} is not one a scenario can change; one of "
            f"{', '.join(CHANGEABLE)}",
        )
        return None
    return spec.name


def _read_column(cells: _RowFindings, sheet: str | None, action: object) -> str | None:
    """The column to write, by its schema name; None when there is none."""
    raw = cells.read("column")
    name = str(raw).strip().lower() if raw else ""
    if action == DELETE:
        return None  # the whole row goes; _read_edit warns if a column is named
    if sheet is None or action is None:
        return name or None
    if sheet == SETTINGS.name:
        if name not in ("", "value"):
            cells.error(
                "column",
                f"column {shown(raw)}: a setting has only a value; leave column "
                "blank or write value",
            )
        return "value"
    columns = [column.name for column in SHEET_BY_NAME[sheet.lower()].columns]
    if not name:
        if action == SET:
            cells.error("column", f"column is required: which column of {sheet}?")
        return None
    if name not in columns:
        cells.error(
            "column",
            f"column {shown(raw)} is not a column of {sheet}; one of "
            f"{', '.join(columns)}",
        )
        return None
    return name


def _read_key(
    cells: _RowFindings, sheet: str | None, action: object, column: str | None
) -> tuple[object, ...] | None:
    """The id's values, one per key column given, each read as that column.

    An id may leave off trailing key columns (``NOR`` for Unavailability) as
    long as the rest pick out one row.
    """
    raw = cells.raw("id")
    if raw is BAD:
        return None
    if is_blank(raw):
        cells.error("id", "id is required")
        return None
    if sheet is None:
        return None
    names = ROW_KEYS[sheet]
    parts = _key_parts(raw)
    if len(parts) > len(names):
        cells.error(
            "id",
            f"id {shown(raw)} names {len(parts)} values, but a row of {sheet} "
            f"is named by {'; '.join(names)}",
        )
        return None
    key = []
    for name, part in zip(names, parts, strict=False):
        value = _key_value(sheet, name, part)
        if isinstance(value, BadCell):
            cells.error("id", str(value))
            return None
        key.append(value)
    if action == ADD and column in names[: len(key)]:
        cells.error(
            "column",
            f"{column} is already given by the id {shown(raw)}: leave it out of "
            "one of them",
        )
    return tuple(key)


def _key_parts(raw: object) -> Sequence[object]:
    if isinstance(raw, str):
        return split_list(raw)
    return [raw]


def _key_value(sheet: str, name: str, raw: object) -> object:
    """One key cell read as its column; a BadCell (returned) when it cannot be."""
    if sheet == SETTINGS.name:
        key = str(read_cell(raw, _SETTING_KEY).value).lower()
        if key not in _SETTING_NAMES:
            return BadCell(f"{shown(raw)} is not a setting planner knows")
        return key
    try:
        return read_cell(raw, SHEET_BY_NAME[sheet.lower()].column(name)).value
    except BadCell as bad:
        return bad


def _plain(value: object) -> str:
    """A value as an edit's description shows it: text without quotes."""
    return value if isinstance(value, str) else shown(value)


def _row_of(cell: str) -> int:
    match = _ROW.fullmatch(cell)
    return int(match.group(1)) if match else 0


# Applying one scenario's edits to the tables.


@dataclass
class _Draft:
    """A sheet being changed: its header grows, its rows change in place."""

    sheet: str  # the schema's name
    title: str  # as written in the workbook
    header: dict[str, int]
    rows: list[DraftRow]

    @classmethod
    def of(cls, sheet: str, table: Table) -> _Draft:
        rows = [(row.number, list(row.values)) for row in table.rows]
        return cls(sheet, table.sheet, dict(table.header), rows)

    @property
    def width(self) -> int:
        widest = max((len(values) for _, values in self.rows), default=0)
        return max([widest, *(index + 1 for index in self.header.values())])

    def next_row(self) -> int:
        """Below every row, as if the planner had typed it there."""
        return max((number for number, _ in self.rows), default=1) + 1

    def find(self, column: str) -> int | None:
        if self.sheet == SETTINGS.name:
            return _SETTING_COLUMNS[column]  # read by position, whatever row 1 says
        return self.header.get(column)

    def index(self, column: str) -> int:
        """Where ``column`` is, added after every used column if it is absent."""
        found = self.find(column)
        if found is None:
            found = self.header[column] = self.width
        return found

    def table(self) -> Table:
        rows = tuple(Row(number, tuple(values)) for number, values in self.rows)
        return Table(self.title, self.header, rows)


class _Drafts:
    """The tables one scenario changes, and where each change came from."""

    def __init__(self, tables: Mapping[str, Table]) -> None:
        self.base = dict(tables)
        self.drafts: dict[str, _Draft] = {}
        self.findings: list[Finding] = []
        self.origins: dict[tuple[str, str], str] = {}
        self.added: dict[tuple[str, int], Edit] = {}
        # The row consecutive adds are building: its first edit, its number and
        # the columns set so far.
        self.building: tuple[Edit, int, set[str]] | None = None

    def tables(self) -> dict[str, Table]:
        return self.base | {sheet: d.table() for sheet, d in self.drafts.items()}

    def draft(self, sheet: str) -> _Draft | None:
        """The sheet being changed; None when the workbook lacks it."""
        if sheet not in self.drafts:
            table = self.base.get(sheet)
            if table is None or not table.header:
                return None
            self.drafts[sheet] = _Draft.of(sheet, table)
        return self.drafts[sheet]

    def grown_draft(self, sheet: str) -> _Draft:
        """The sheet, made with the schema's columns when a scenario adds to a
        sheet the workbook lacks (an optional one such as TravelCosts)."""
        draft = self.draft(sheet)
        if draft is None:
            columns = SHEET_BY_NAME[sheet.lower()].columns
            header = {column.name: i for i, column in enumerate(columns)}
            draft = self.drafts[sheet] = _Draft(sheet, sheet, header, [])
        return draft

    def apply(self, edit: Edit) -> None:
        if edit.action == ADD:
            self.add(edit)
            return
        self.building = None
        matches = self.matching(edit)
        if edit.action == SET and not matches and edit.sheet == SETTINGS.name:
            self.new_row(edit)  # a setting left out of the base is now given
        elif len(matches) != 1:
            self.findings.append(
                Finding(SCENARIOS.name, edit.id_cell, _no_single_row(edit, matches))
            )
        elif edit.action == DELETE:
            self.grown_draft(edit.sheet).rows.remove(matches[0])
            self.findings += delete_references(self.draft, _deleted(edit))
        else:
            self.put(edit, matches[0])

    def add(self, edit: Edit) -> None:
        """Consecutive adds with the same sheet and id build one row.

        A column already set in that row starts the next one, so two blackouts
        of one partner can follow each other.
        """
        if self.building is not None and edit.column is not None:
            first, number, done = self.building
            same = (first.sheet, first.key) == (edit.sheet, edit.key)
            if same and edit.column not in done:
                draft = self.grown_draft(edit.sheet)
                self.put(edit, next(r for r in draft.rows if r[0] == number))
                done.add(edit.column)
                return
        number = self.new_row(edit)
        done = set(ROW_KEYS[edit.sheet][: len(edit.key)])
        if edit.column is not None:
            done.add(edit.column)
        self.building = (edit, number, done)

    def new_row(self, edit: Edit) -> int:
        """A row holding the edit's key and value, below every other row."""
        draft = self.grown_draft(edit.sheet)
        row: DraftRow = (draft.next_row(), [None] * draft.width)
        draft.rows.append(row)
        self.added[(edit.sheet, row[0])] = edit
        for name, part in zip(ROW_KEYS[edit.sheet], edit.key, strict=False):
            self.write(draft, row, name, part, edit.id_cell)
        if edit.column is not None:
            self.put(edit, row)
        return row[0]

    def put(self, edit: Edit, row: DraftRow) -> None:
        assert edit.column is not None
        draft = self.grown_draft(edit.sheet)
        self.write(draft, row, edit.column, edit.value, edit.value_cell)

    def write(
        self, draft: _Draft, row: DraftRow, column: str, value: object, origin: str
    ) -> None:
        index = draft.index(column)
        number, values = row
        values.extend([None] * (index + 1 - len(values)))
        values[index] = value
        self.origins[(draft.sheet, f"{get_column_letter(index + 1)}{number}")] = origin

    def matching(self, edit: Edit) -> list[DraftRow]:
        """The rows whose key cells hold the edit's key."""
        draft = self.draft(edit.sheet)
        if draft is None:
            return []
        names = ROW_KEYS[edit.sheet][: len(edit.key)]
        indices = [draft.find(name) for name in names]
        if None in indices:
            return []  # a key column the sheet lacks: already an error
        return [
            row
            for row in draft.rows
            if all(
                _cell_key(edit.sheet, name, _at(row[1], index)) == part
                for name, index, part in zip(names, indices, edit.key, strict=True)
            )
        ]


def _deleted(edit: Edit) -> Deleted:
    """The row ``edit`` deletes, by the id other sheets name it with."""
    return Deleted(edit.sheet, _plain(edit.key[0]), edit.id_cell)


def _no_single_row(edit: Edit, matches: Sequence[DraftRow]) -> str:
    names = ROW_KEYS[edit.sheet]
    given = " and ".join(
        f"{name} {shown(part)}" for name, part in zip(names, edit.key, strict=False)
    )
    if not matches:
        return f"no row of {edit.sheet} has {given}"
    rows = ", ".join(str(number) for number, _ in matches)
    return (
        f"{len(matches)} rows of {edit.sheet} have {given} (rows {rows}): "
        f"name one by more of its key, {'; '.join(names)}"
    )


def _at(values: Sequence[object], index: int | None) -> object:
    if index is None or index >= len(values):
        return None
    return values[index]


def _cell_key(sheet: str, name: str, raw: object) -> object:
    """A key cell of the sheet as its column reads it; None if it cannot be."""
    if raw is BAD or is_blank(raw):
        return None
    value = _key_value(sheet, name, raw)
    return None if isinstance(value, BadCell) else value
