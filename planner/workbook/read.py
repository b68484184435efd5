"""Reading a planner's workbook into a validated `Problem`, or saying why not.

Reading goes in three passes, each collecting every finding it has before the
next runs, so one `planner validate` lists everything to fix:

1. the file and its sheets (`read_sheets`; `planner.workbook.file_checks`,
   `planner.workbook.sheet_tables`): is it an .xlsx at all, which sheets it
   has, each sheet's header row and data rows, and what a reader would miss
   (formulas never calculated, merged or hidden cells);
2. cell by cell (`planner.workbook.records`, `planner.workbook.settings_sheet`,
   `planner.workbook.cells`): each value read as its column's kind from
   `planner.workbook.schema`;
3. across rows and sheets (`planner.workbook.validate`): duplicate and unknown
   ids, windows, venues, dependencies, goals.

Only when no finding is an error is the `Problem` built
(`planner.workbook.build`), dates turned into slots by `Problem.slot_of`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from planner.domain import (
    Finding,
    Problem,
    Severity,
)
from planner.workbook.build import build_problem
from planner.workbook.cells import (
    cell_position,
)
from planner.workbook.records import read_records
from planner.workbook.scenarios import (
    Edit,
    apply_scenario,
    scenario_edits_in,
    scenario_names_in,
)
from planner.workbook.schema import (
    SCENARIOS,
    SETTINGS,
    SHEETS,
)
from planner.workbook.settings_sheet import (
    budget_from_scenario,
    read_settings,
    setting_rows,
)
from planner.workbook.sheet_tables import match_sheets, read_tables
from planner.workbook.tables import Table
from planner.workbook.validate import (
    Programme,
    check_programme,
)


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
    tables, findings = read_tables(path)
    if tables is None:
        return {scenario: (None, findings) for scenario in scenarios or [None]}
    matched, findings = match_sheets(tables, findings)
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
    settings_table = applied.tables.get(SETTINGS.name)
    settings = read_settings(settings_table, read)
    records = {
        spec.name: read_records(spec, applied.tables.get(spec.name), read)
        for spec in SHEETS
        if spec not in (SETTINGS, SCENARIOS)
    }
    if settings is not None:
        settings = budget_from_scenario(settings, applied.origins)
    horizon = Problem(settings, (), (), ()) if settings else None
    rows = setting_rows(settings_table)
    read.extend(check_programme(Programme(records, horizon, rows)))
    findings = sort_findings(findings + applied.readdress(read))
    if horizon is None or any(f.severity is Severity.ERROR for f in findings):
        return None, findings
    name = stem if scenario is None else f"{stem}:{scenario}"
    programme = Programme(applied.relocate(records), horizon)
    return build_problem(programme, horizon, name, _impossible(findings)), findings


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
    tables, findings = read_tables(Path(path))
    return tables or {}, findings


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """By sheet in schema order (others after), then row, then column."""
    order = {spec.name: index for index, spec in enumerate(SHEETS)}

    def key(finding: Finding) -> tuple[int, str, int, int]:
        column, row = cell_position(finding.cell)
        rank = order.get(finding.sheet, len(order))
        return rank, finding.sheet if rank == len(order) else "", row, column

    return sorted(findings, key=key)
