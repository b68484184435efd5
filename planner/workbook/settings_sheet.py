"""The Settings sheet (one key and value per row) read into `Settings`, each
value into its type, a missing or bad key a finding naming its cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import TypeVar

from planner.domain import (
    Finding,
    Settings,
    Severity,
    Source,
    Weights,
)
from planner.workbook.cells import (
    BAD,
    cell_position,
    is_blank,
    shown,
)
from planner.workbook.limits import (
    check_horizon,
)
from planner.workbook.records import read_value
from planner.workbook.schema import (
    SCENARIOS,
    SETTINGS,
    SETTINGS_KEYS,
)
from planner.workbook.tables import Table

T = TypeVar("T")


def read_settings(table: Table | None, findings: list[Finding]) -> Settings | None:
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
            values[key] = read_value(
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
        title=typed("title", str),
        organisation=typed("organisation", str),
        classification=typed("classification", str),
        programme_id=typed("programme_id", str),
    )


def budget_from_scenario(
    settings: Settings, origins: Mapping[tuple[str, str], str]
) -> Settings:
    """Point the total budget at the Scenarios row that set it, if one did."""
    source = settings.total_budget_source
    if source is None:
        return settings
    origin = origins.get((SETTINGS.name, f"B{source.row}"))
    if origin is None:
        return settings
    _, row = cell_position(origin)
    return replace(settings, total_budget_source=Source(SCENARIOS.name, row))


def _row_source(rows: Mapping[str, int], key: str) -> Source | None:
    """The Settings row of ``key``, so an explanation can point at it."""
    return Source(SETTINGS.name, rows[key]) if key in rows else None
