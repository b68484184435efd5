"""Mutated workbooks for fuzzing `planner`, and how one run of it turned out.

A case is a seed: the same seed always makes the same workbook from the same
base, so any failure found can be made again. Mutations work at three levels,
as a damaged or hostile file would differ from a good one:

- cells: values a planner (or Excel) could type, and some no one should;
- XML: parts of the .xlsx edited as bytes (cut, repeated, renumbered cells,
  numbers of hundreds of digits, cell types swapped, entity declarations);
- file: the zip truncated, bytes flipped, parts dropped or repeated.

Used by tests/test_fuzz.py (a few hundred cases in CI) and
benchmarks/fuzz_campaign.py (tens of thousands, with time and memory).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from planner import cli

LEVELS = ("cells", "xml", "file")
UNEXPECTED = 70

# Values a cell may hold, chosen to hit each column kind's edge cases.
HOSTILE_VALUES: tuple[object, ...] = (
    None,
    "",
    "   ",
    "#N/A",
    "#REF!",
    "#DIV/0!",
    "=1/0",
    "=A1+B2",
    -1,
    0,
    1,
    2**31,
    50,
    522,  # weeks: one more than the longest horizon
    3654,  # days: the same
    189_820_768,  # a duration that once took 17.8 GB to plan
    10**11,
    10**12,  # the largest whole number a cell holds
    10**15,
    10**300,
    1.5,
    -0.5,
    1e300,
    True,
    False,
    dt.date(9999, 12, 31),
    dt.date(1900, 1, 1),
    dt.date(2027, 2, 28),
    dt.datetime(2027, 3, 1, 12, 30),
    dt.time(12, 0),
    "2027-02-30",
    "2027-01-04",
    "yes",
    "no",
    "week",
    "day",
    "x" * 5000,
    "A;B;;C",
    "NOR, NOR, POL",
    "Ünïcödé ✓ 中文",
    "'quoted'",
    "1e999",
    "NaN",
)


@dataclass(frozen=True)
class Outcome:
    """How one command ran on one mutated workbook."""

    case: int
    level: str
    command: str
    exit_code: int
    traceback: bool  # a Python exception escaped, or "Traceback" was printed
    output: str

    @property
    def failed(self) -> bool:
        return self.exit_code == UNEXPECTED or self.traceback


def mutated_workbook(base: bytes, case: int, folder: Path) -> tuple[str, Path]:
    """The workbook of ``case`` (its level and path), made from ``base``."""
    chance = random.Random(case)
    level = LEVELS[case % len(LEVELS)]
    data = MUTATIONS[level](base, chance)
    path = folder / f"case{case}.xlsx"
    path.write_bytes(data)
    return level, path


def _mutate_cells(base: bytes, chance: random.Random) -> bytes:
    workbook = load_workbook(io.BytesIO(base))
    for _ in range(chance.randint(1, 4)):
        sheet = chance.choice(workbook.worksheets)
        action = chance.random()
        if action < 0.75:
            row = chance.randint(1, sheet.max_row + 2)
            column = chance.randint(1, sheet.max_column + 1)
            value = chance.choice(HOSTILE_VALUES)
            if chance.random() < 0.3:
                value = _existing_value(sheet, chance)
            if not isinstance(sheet.cell(row, column), MergedCell):
                try:
                    sheet.cell(row, column, value)
                except (ValueError, TypeError):
                    sheet.cell(row, column, str(value)[:50])
        elif action < 0.85 and sheet.max_row > 1:
            sheet.delete_rows(chance.randint(1, sheet.max_row))
        elif action < 0.92:
            sheet.title = chance.choice(("Exercises ", "exercises", "Other", "Data"))[
                :31
            ] + str(chance.randint(0, 9)) * chance.randint(0, 1)
        elif len(workbook.worksheets) > 1:
            workbook.remove(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _existing_value(sheet: object, chance: random.Random) -> object:
    """A value from elsewhere in the sheet: a duplicate id, a swapped column."""
    row = chance.randint(1, max(1, sheet.max_row))  # type: ignore[attr-defined]
    column = chance.randint(1, max(1, sheet.max_column))  # type: ignore[attr-defined]
    return sheet.cell(row, column).value  # type: ignore[attr-defined]


_XML_EDITS: tuple[Callable[[bytes, random.Random], bytes], ...]


def _cut(data: bytes, chance: random.Random) -> bytes:
    start = chance.randrange(len(data) + 1)
    return data[:start] + data[start + chance.randint(1, 200) :]


def _repeat(data: bytes, chance: random.Random) -> bytes:
    start = chance.randrange(len(data) + 1)
    piece = data[start : start + chance.randint(1, 400)]
    return data[:start] + piece * chance.randint(2, 5) + data[start:]


def _junk(data: bytes, chance: random.Random) -> bytes:
    start = chance.randrange(len(data) + 1)
    junk = chance.choice((b"<", b">", b"&", b'"', b"\x00", b"<c>", b"</row>", b"&x;"))
    return data[:start] + junk + data[start:]


def _renumber(data: bytes, chance: random.Random) -> bytes:
    reference = chance.choice(
        (b"A1048576", b"XFD1", b"XFD1048576", b"A1048577", b"ZZZZ1", b"A0", b"1A")
    )
    refs = list(re.finditer(rb'\br="[A-Z]*\d+"', data))
    if not refs:
        return data
    found = chance.choice(refs)
    return data[: found.start()] + b'r="' + reference + b'"' + data[found.end() :]


def _long_number(data: bytes, chance: random.Random) -> bytes:
    values = list(re.finditer(rb"<v>[^<]*</v>", data))
    if not values:
        return data
    found = chance.choice(values)
    digits = chance.choice(
        (b"9" * 309, b"1" + b"0" * 400, b"7" * 5000, b"1e999", b"-0")
    )
    return data[: found.start()] + b"<v>" + digits + b"</v>" + data[found.end() :]


def _retype(data: bytes, chance: random.Random) -> bytes:
    cells = list(re.finditer(rb"<c r=\"[A-Z]+\d+\"", data))
    if not cells:
        return data
    found = chance.choice(cells)
    kind = chance.choice((b"e", b"b", b"d", b"s", b"str", b"inlineStr", b"n", b"zz"))
    return data[: found.end()] + b' t="' + kind + b'"' + data[found.end() :]


def _declare_entity(data: bytes, chance: random.Random) -> bytes:
    body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
    return b'<!DOCTYPE x [<!ENTITY e "' + b"e" * chance.randint(1, 50) + b'">]>' + body


_XML_EDITS = (_cut, _repeat, _junk, _renumber, _long_number, _retype, _declare_entity)
# Edits that keep the XML well-formed reach past the parser, so they come
# more often.
_XML_WEIGHTS = (1, 1, 1, 3, 3, 3, 1)


def _mutate_xml(base: bytes, chance: random.Random) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(base))
    names = source.namelist()
    sheets = [name for name in names if name.startswith("xl/worksheets/sheet")]
    out = io.BytesIO()
    targets = {
        chance.choice(sheets if sheets and chance.random() < 0.7 else names)
        for _ in range(chance.randint(1, 3))
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            data = source.read(name)
            if name in targets:
                for edit in chance.choices(
                    _XML_EDITS, _XML_WEIGHTS, k=chance.randint(1, 2)
                ):
                    data = edit(data, chance)
            target.writestr(name, data)
    return out.getvalue()


def _mutate_file(base: bytes, chance: random.Random) -> bytes:
    action = chance.randrange(5)
    data = bytearray(base)
    if action == 0:
        return bytes(data[: chance.randrange(len(data))])
    if action == 1:
        for _ in range(chance.randint(1, 20)):
            data[chance.randrange(len(data))] = chance.randrange(256)
        return bytes(data)
    source = zipfile.ZipFile(io.BytesIO(base))
    names = source.namelist()
    out = io.BytesIO()
    dropped = chance.choice(names) if action == 2 else None
    doubled = chance.choice(names) if action == 3 else None
    method = zipfile.ZIP_STORED if action == 4 else zipfile.ZIP_DEFLATED
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", method) as target:
        warnings.simplefilter("ignore")  # the repeated part is the point
        for name in names:
            if name == dropped:
                continue
            target.writestr(name, source.read(name))
            if name == doubled:
                target.writestr(name, source.read(name)[::-1])
    return out.getvalue()


# How each level changes an .xlsx: any .xlsx, a workbook or a schedule.
MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "cells": _mutate_cells,
    "xml": _mutate_xml,
    "file": _mutate_file,
}

Ran = tuple[int, bool, str]  # exit code, whether a traceback escaped, output


def in_process(command: list[str]) -> Ran:
    """Run one `planner` command in this process, through click's CliRunner."""
    result = CliRunner().invoke(cli.main, command)
    escaped = result.exception is not None and not isinstance(
        result.exception, SystemExit
    )
    return result.exit_code, escaped or "Traceback" in result.output, result.output


def run_case(
    base: bytes,
    case: int,
    solve_every: int = 0,
    invoke: Callable[[list[str]], Ran] = in_process,
) -> list[Outcome]:
    """Validate the workbook of ``case``; solve it too if it is valid and chosen.

    ``solve_every`` N > 0 solves one valid workbook in N (a short search), so
    the writers meet what `validate` accepts. ``invoke`` runs one command: in
    this process by default; the campaign sends some cases through the real
    `planner` program instead.
    """
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="planner-fuzz-") as folder:
        level, path = mutated_workbook(base, case, Path(folder))
        commands = [["validate", str(path)]]
        for command in commands:
            exit_code, traceback, output = invoke(command)
            outcomes.append(
                Outcome(case, level, command[0], exit_code, traceback, output[-500:])
            )
            if (
                command[0] == "validate"
                and exit_code == 0
                and solve_every
                and (case % solve_every == 0)
            ):
                commands.append(_solve_command(path, Path(folder) / "out"))
    return outcomes


def _solve_command(path: Path, out: Path) -> list[str]:
    """A short single-worker search, enough to reach the writers."""
    return [
        "solve", str(path), "--out", str(out), "--time-limit", "2",
        "--workers", "1", "--quiet",
    ]  # fmt: skip
