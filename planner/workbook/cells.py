"""Reading one cell as its column's kind: ids, whole numbers, money, dates, ...

Each reader takes the raw value openpyxl hands over (str, int, float, bool,
datetime, time, None) and returns it in the planner's terms, or raises
`BadCell` with a message a staff officer can act on. The caller knows the sheet
and cell and adds them, so nothing here depends on where the value came from.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl.utils.cell import column_index_from_string

from planner.bounds import check_date
from planner.public_holidays import iso_country
from planner.workbook.schema import (
    FALSE_WORDS,
    TRUE_WORDS,
    Column,
    Kind,
    holds_separator,
    split_list,
)

# CP-SAT works on 64-bit integers and multiplies money by objective weights of
# up to a few hundred thousand, so a figure beyond this is a typing slip, not a
# budget.
LARGEST_WHOLE = 10**12

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SHOWN_TEXT = 40


class BadCell(ValueError):
    """A cell whose value cannot be read as its column's kind."""


class _Bad:
    """A cell that could not be read; its finding has already been given."""

    def __repr__(self) -> str:
        return "BAD"


BAD = _Bad()


@dataclass(frozen=True)
class Reading:
    """A cell's value, and a warning when reading it changed what was typed."""

    value: object
    warning: str | None = None


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value: object) -> str:
    """A value as a message quotes it: text in quotes, dates as YYYY-MM-DD."""
    if isinstance(value, str):
        text = value if len(value) <= _SHOWN_TEXT else value[:_SHOWN_TEXT] + "..."
        return f'"{text}"'
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and abs(value) >= 10**_SHOWN_TEXT:
        return f"a number of {len(str(abs(value)))} digits"
    return str(value)


def blank_value(column: Column) -> object:
    """What a blank cell means: the column's default, or nothing."""
    if column.kind is Kind.LIST:
        return ()
    if column.kind is Kind.TEXT and column.default is None:
        return ""
    return column.default


def read_cell(value: object, column: Column, minimum: int = 0) -> Reading:
    """Read a non-blank cell of ``column``; ``minimum`` bounds whole numbers."""
    reader = _READERS[column.kind]
    return reader(value, column, minimum)


def _number(value: object) -> float | int | None:
    """The number in a cell, whether typed as a number or as text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = float(value.strip())
        return number if math.isfinite(number) else None
    return None


def _too_large(column: Column, value: object) -> BadCell:
    return BadCell(
        f"{column.name} {shown(value)} is too large (at most {LARGEST_WHOLE:,})"
    )


def _read_int(value: object, column: Column, minimum: int) -> Reading:
    number = _number(value)
    whole = isinstance(number, int) or (
        isinstance(number, float) and number.is_integer()
    )
    if number is None or number < minimum or not whole:
        raise BadCell(
            f"{column.name} must be a whole number >= {minimum}, got {shown(value)}"
        )
    if number > LARGEST_WHOLE:
        raise _too_large(column, value)
    return Reading(int(number))


def _read_money(value: object, column: Column, minimum: int) -> Reading:
    number = _number(value)
    if number is None or number < minimum:
        raise BadCell(
            f"{column.name} must be an amount >= {minimum}, got {shown(value)}"
        )
    if number > LARGEST_WHOLE:
        raise _too_large(column, value)
    whole = math.floor(number + 0.5)
    if whole != number:
        return Reading(
            whole,
            f"{column.name} {shown(value)} rounded to {whole} "
            "(money is planned in whole currency units)",
        )
    return Reading(whole)


def _read_number(value: object, column: Column, minimum: int) -> Reading:
    """Any number above ``minimum`` (only time_limit_s so far: seconds > 0)."""
    number = _number(value)
    if number is None or number <= minimum:
        raise BadCell(f"{column.name} must be a number > {minimum}, got {shown(value)}")
    if number > LARGEST_WHOLE:
        raise _too_large(column, value)
    return Reading(float(number))


def _read_share(value: object, column: Column, minimum: int) -> Reading:
    """A share from 0 to 1: 0.2, or 20% as Excel stores it (0.2) or as text."""
    text = value.strip() if isinstance(value, str) else None
    number = _number(text[:-1] if text and text.endswith("%") else value)
    if number is not None and text and text.endswith("%"):
        number = number / 100
    if number is None or not 0 <= number <= 1:
        raise BadCell(
            f"{column.name} must be a share from 0 to 1 (or 0% to 100%), "
            f"got {shown(value)}"
        )
    return Reading(float(number))


def _read_date(value: object, column: Column, minimum: int) -> Reading:
    """A date within the dates planner reads (`check_date`)."""
    day = _date(value)
    if day is None:
        raise BadCell(
            f"{column.name} must be a date (an Excel date or text YYYY-MM-DD), "
            f"got {shown(value)}"
        )
    beyond = check_date(day)
    if beyond is not None:
        raise BadCell(f"{column.name} {beyond}")
    return Reading(day)


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _read_bool(value: object, column: Column, minimum: int) -> Reading:
    if isinstance(value, bool):
        return Reading(value)
    word = None
    if isinstance(value, str):
        word = value.strip().lower()
    elif isinstance(value, int | float):
        word = shown(value)
    if word in TRUE_WORDS:
        return Reading(True)
    if word in FALSE_WORDS:
        return Reading(False)
    raise BadCell(f"{column.name} must be yes or no, got {shown(value)}")


def _read_choice(value: object, column: Column, minimum: int) -> Reading:
    word = value.strip().lower() if isinstance(value, str) else None
    if word not in column.choices:
        raise BadCell(
            f"{column.name} must be one of {', '.join(column.choices)}, "
            f"got {shown(value)}"
        )
    return Reading(word)


def _read_country(value: object, column: Column, minimum: int) -> Reading:
    text = _as_text(value, column)
    code = iso_country(text)
    if code is None:
        hint = " (the United Kingdom is GB)" if text.upper() == "UK" else ""
        raise BadCell(
            f"{column.name} must be an ISO 3166 country code such as NO or NOR, "
            f"got {shown(value)}{hint}"
        )
    return Reading(code)


def _as_text(value: object, column: Column) -> str:
    """Text of a cell meant to hold words; a date here is Excel's doing."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return shown(value)
    if isinstance(value, dt.date | dt.time):
        raise BadCell(
            f"{column.name} must be text, got the date {shown(value)} (Excel "
            "turned what was typed into a date: format the cell as Text)"
        )
    raise BadCell(f"{column.name} must be text, got {shown(value)}")


def _read_id(value: object, column: Column, minimum: int) -> Reading:
    text = _as_text(value, column)
    if holds_separator(text):
        raise BadCell(
            f"{column.name} {shown(text)} must not contain , or ; "
            "(they separate the ids in a list)"
        )
    return Reading(text)


def _read_text(value: object, column: Column, minimum: int) -> Reading:
    if isinstance(value, dt.datetime):
        return Reading(value.date().isoformat())
    if isinstance(value, str):
        return Reading(value.strip())
    return Reading(shown(value))


def _read_list(value: object, column: Column, minimum: int) -> Reading:
    """Items separated by , or ; trimmed, empties dropped, repeats once."""
    counts = Counter(split_list(_as_text(value, column)))
    unique = tuple(counts)
    repeated = [item for item, count in counts.items() if count > 1]
    if repeated:
        return Reading(
            unique,
            f"{column.name} lists {', '.join(repeated)} more than once; counted once",
        )
    return Reading(unique)


_READERS: dict[Kind, Callable[[object, Column, int], Reading]] = {
    Kind.ID: _read_id,
    Kind.TEXT: _read_text,
    Kind.INT: _read_int,
    Kind.MONEY: _read_money,
    Kind.NUMBER: _read_number,
    Kind.SHARE: _read_share,
    Kind.DATE: _read_date,
    Kind.BOOL: _read_bool,
    Kind.CHOICE: _read_choice,
    Kind.LIST: _read_list,
    Kind.COUNTRY: _read_country,
}


def cell_position(cell: str) -> tuple[int, int]:
    """Column and row numbers of "F7" (or of "B3:C4"'s first cell); 0 if none."""
    match = re.match(r"([A-Z]*)(\d*)", cell)
    letters, digits = match.groups() if match else ("", "")
    column = column_index_from_string(letters) if letters else 0
    return column, int(digits) if digits else 0
