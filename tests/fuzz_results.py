"""Hostile and mutated results for fuzzing what reads a result back.

`planner check`, `compare`, `brief` and `solve --baseline` read a
schedule.json or schedule.xlsx that may come from anyone. A case is a seed,
as in tests/fuzz_workbooks.py: the same seed makes the same file from the
same base result (tests/hostile/sample, the sample programme solved), at
one of two levels:

- json: a value anywhere in the file replaced by one no planner writes
  (wrong kinds, dates in year 9999, numbers of hundreds of digits, NaN,
  nesting thousands deep, a `$` for matplotlib, ten thousand events), a key
  dropped, or the text itself cut, marked with a byte-order mark or salted;
- xlsx: schedule.xlsx changed as tests/fuzz_workbooks.py changes a workbook
  (cells, XML parts, the zip itself).

`ATTACKS` are the named cases of issue 19, each once a crash or a hang; the
small ones are committed in tests/hostile (``python -m tests.fuzz_results``
writes them again) and tests/test_results_read.py asserts what each gives.

Used by tests/test_fuzz.py (a few cases in CI) and benchmarks/fuzz_campaign.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import random
import re
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from tests.fuzz_workbooks import MUTATIONS, Outcome, Ran, in_process

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "instances" / "sample.xlsx"
HOSTILE = Path(__file__).resolve().parent / "hostile"
BASE = HOSTILE / "sample"
LEVELS = ("json", "xlsx")
SCHEDULE_PART = "xl/worksheets/sheet2.xml"  # the Schedule sheet of schedule.xlsx

# Values a result may hold instead of the one planner wrote.
HOSTILE_VALUES: tuple[object, ...] = (
    None,
    "",
    "x" * 40_000,
    -1,
    0,
    2**63,
    10**400,
    1.5,
    1e308,
    True,
    [],
    {},
    [None],
    {"id": None},
    12345,
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "2199-12-31",
    "2027-02-30",
    "NaN",
    "$x^2$ \\frac{a}{b} $",
    "$$",
    "Łódź Şile Київ Αθήνα",
    "=cmd|' /C calc'!A0",
    "week",
    "day",
    "hour",
)


def _paths(data: object, at: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every place in ``data`` a value could be replaced, as a path of keys."""
    found = [at]
    if len(at) > 8:  # below lies only what a mutation nested there
        return found
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*at, key))
    elif isinstance(data, list):
        for index, value in enumerate(data[:50]):
            found += _paths(value, (*at, index))
    return found


def _put(data: object, path: tuple[object, ...], value: object) -> object:
    """``data`` with the value at ``path`` replaced (the root: ``value``)."""
    if not path:
        return value
    parent = data
    for key in path[:-1]:
        parent = parent[key]  # type: ignore[index]
    parent[path[-1]] = value  # type: ignore[index]
    return data


def _drop(data: object, path: tuple[object, ...]) -> object:
    if not path:
        return data
    parent = data
    for key in path[:-1]:
        parent = parent[key]  # type: ignore[index]
    del parent[path[-1]]  # type: ignore[union-attr, arg-type]
    return data


def _value(chance: random.Random) -> object:
    pick = chance.random()
    if pick < 0.05:
        return _nested(chance.choice((50, 199, 5000)))
    if pick < 0.08:
        return [copy.deepcopy(chance.choice(HOSTILE_VALUES))] * chance.choice(
            (2, 1000, 10_000)
        )
    return copy.deepcopy(chance.choice(HOSTILE_VALUES))


def _nested(depth: int) -> object:
    value: object = []
    for _ in range(depth):
        value = [value]
    return value


def _dumps(data: object) -> str:
    """JSON as any program might write it: deep nesting built without
    Python's recursion (json.dumps would refuse it)."""
    try:
        return json.dumps(data)
    except (RecursionError, ValueError):
        return json.dumps(_flat(data))


def _flat(data: object) -> object:
    """``data`` with every list deeper than 100 levels cut off."""

    def cut(item: object, depth: int) -> object:
        if isinstance(item, list):
            return [] if depth > 100 else [cut(x, depth + 1) for x in item]
        if isinstance(item, dict):
            return {k: cut(v, depth + 1) for k, v in item.items()}
        return item

    return cut(data, 0)


def _mutate_json(base: bytes, chance: random.Random) -> bytes:
    data = json.loads(base)
    for _ in range(chance.randint(1, 3)):
        places = _paths(data)
        path = chance.choice(places[1:] or places)
        action = chance.random()
        if action < 0.75:
            data = _put(data, path, _value(chance))
        elif action < 0.9:
            data = _drop(data, path)
        else:
            events = data.get("events") if isinstance(data, dict) else None
            if isinstance(events, list) and events:
                events *= chance.choice((2, 100, 2000))
    text = _dumps(data).encode()
    pick = chance.random()
    if pick < 0.1:
        return _text_edit(text, chance)
    if pick < 0.15:
        return b"\xef\xbb\xbf" + text
    return text


def _text_edit(text: bytes, chance: random.Random) -> bytes:
    """The JSON text itself damaged: cut, salted, a number made huge or NaN,
    nesting thousands deep spliced in."""
    spot = chance.randrange(len(text) + 1)
    edit = chance.randrange(5)
    if edit == 0:
        return text[:spot]
    if edit == 1:
        junk = chance.choice(
            (b"NaN", b"Infinity", b"-Infinity", b"\x00", b"\xff", b",")
        )
        return text[:spot] + junk + text[spot:]
    if edit == 2:
        numbers = list(re.finditer(rb"(?<=: )-?\d+", text))
        if numbers:
            found = chance.choice(numbers)
            digits = chance.choice((b"9" * 400, b"7" * 5000, b"1e999", b"NaN"))
            return text[: found.start()] + digits + text[found.end() :]
        return text
    if edit == 3:
        depth = chance.choice((300, 5000, 100_000))
        return text.replace(
            b'"events": ',
            b'"deep": ' + b"[" * depth + b"]" * depth + b', "events": ',
            1,
        )
    return text.replace(b'"', b"'", chance.randint(1, 5))


def _mutate_xlsx(base: bytes, chance: random.Random) -> bytes:
    level = chance.choice(tuple(MUTATIONS))
    return MUTATIONS[level](base, chance)


def mutated_result(case: int, folder: Path) -> tuple[str, Path]:
    """The result file of ``case`` (its level and path), made from the base."""
    chance = random.Random(case)
    level = LEVELS[case % len(LEVELS)]
    name = f"schedule.{level}"
    data = (_mutate_json if level == "json" else _mutate_xlsx)(
        (BASE / name).read_bytes(), chance
    )
    path = folder / f"case{case}" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    return level, path


# The named attacks ------------------------------------------------------------


def _json_attack(change: Callable[[dict[str, object]], object]) -> Callable[[], bytes]:
    def make() -> bytes:
        data = json.loads((BASE / "schedule.json").read_bytes())
        change(data)
        return json.dumps(data, indent=1).encode()

    return make


def _events(data: dict[str, object]) -> list[dict[str, object]]:
    events = data["events"]
    assert isinstance(events, list)
    return events


def _kpi_exercises(data: dict[str, object]) -> list[dict[str, object]]:
    kpis = data["kpis"]
    assert isinstance(kpis, dict)
    exercises: list[dict[str, object]] = kpis["exercises"]
    return exercises


def _start_in_9999(data: dict[str, object]) -> None:
    _events(data)[0].update(start_date="9999-12-31", end_date="9999-12-31")


def _numbers_as_names(data: dict[str, object]) -> None:
    for event in _events(data):
        event.update(exercise_id=101, venue_id=7, participants=[1, 2])
    for exercise in _kpi_exercises(data):
        exercise["id"] = 101


def _dollar_kinds(data: dict[str, object]) -> None:
    for exercise in _kpi_exercises(data):
        exercise.update(kind="$\\frac{$ cost", name="$$ cost in $ $")


def _a_century(data: dict[str, object]) -> None:
    data.update(planning_start="1927-01-03", planning_end="2127-01-03")
    _events(data)[0].update(start_date="1927-01-03", end_date="2126-12-31")


def _twenty_thousand_events(data: dict[str, object]) -> None:
    """20,000 events all at once, each its own exercise."""
    first = _events(data)[0]
    data["events"] = [dict(first, exercise_id=f"X{i}") for i in range(20_000)]
    exercise = _kpi_exercises(data)[0]
    _kpi_exercises(data).extend(dict(exercise, id=f"X{i}") for i in range(20_000))


def _moved(to: dt.date, time_unit: str) -> Callable[[dict[str, object]], None]:
    """The whole plan moved to start on ``to``, planned in ``time_unit``s."""

    def move(data: dict[str, object]) -> None:
        shift = to - dt.date.fromisoformat(str(data["planning_start"]))

        def later(day: object) -> str:
            return (dt.date.fromisoformat(str(day)) + shift).isoformat()

        data.update(
            planning_start=later(data["planning_start"]),
            planning_end=later(data["planning_end"]),
            time_unit=time_unit,
        )
        for event in _events(data):
            event.update(
                start_date=later(event["start_date"]), end_date=later(event["end_date"])
            )

    return move


def _text(make: Callable[[bytes], bytes]) -> Callable[[], bytes]:
    return lambda: make((BASE / "schedule.json").read_bytes())


def _sheet_attack(change: Callable[[bytes], bytes]) -> Callable[[], bytes]:
    """schedule.xlsx with its Schedule sheet's XML changed."""

    def make() -> bytes:
        source = zipfile.ZipFile(BASE / "schedule.xlsx")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for name in source.namelist():
                data = source.read(name)
                target.writestr(name, change(data) if name == SCHEDULE_PART else data)
        return out.getvalue()

    return make


def _add_rows(data: bytes, rows: range) -> bytes:
    extra = b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in rows
    )
    return data.replace(b"</sheetData>", extra + b"</sheetData>")


def _start_cell(data: bytes, value: bytes) -> bytes:
    """The first event's start date (C2) set to ``value``, a number."""
    return re.sub(
        rb'(<c r="C2"[^>]*>)<v>[^<]*</v>', rb"\g<1><v>" + value + b"</v>", data, count=1
    )


# Name -> (file name, how it is made); the large ones are made by the tests.
ATTACKS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "start-9999": ("start-9999.json", _json_attack(_start_in_9999)),
    "nan": (
        "nan.json",
        _text(lambda text: text.replace(b'"duration": 1', b'"duration": NaN', 1)),
    ),
    "nested-5000": (
        "nested-5000.json",
        _text(
            lambda text: text.replace(
                b"{", b'{"deep": ' + b"[" * 5000 + b"]" * 5000 + b", ", 1
            )
        ),
    ),
    "digits-5000": (
        "digits-5000.json",
        _text(lambda text: text.replace(b'"value": 2', b'"value": ' + b"9" * 5000, 1)),
    ),
    "numbers-as-names": ("numbers-as-names.json", _json_attack(_numbers_as_names)),
    "dollar-kinds": ("dollar-kinds.json", _json_attack(_dollar_kinds)),
    "a-century": ("a-century.json", _json_attack(_a_century)),
    # Each sound alone; compared, one calendar of days from 1900 to 2190.
    "days-from-1900": (
        "days-from-1900.json",
        _json_attack(_moved(dt.date(1900, 1, 1), "day")),
    ),
    "weeks-from-2190": (
        "weeks-from-2190.json",
        _json_attack(_moved(dt.date(2190, 1, 2), "week")),
    ),
    "byte-order-mark": (
        "byte-order-mark.json",
        _text(lambda text: b"\xef\xbb\xbf" + text),
    ),
    "events-20000": ("events-20000.json", _json_attack(_twenty_thousand_events)),
    "malformed-sheet": (
        "malformed-sheet.xlsx",
        _sheet_attack(lambda data: data[: len(data) // 2]),
    ),
    "far-cell": (
        "far-cell.xlsx",
        _sheet_attack(lambda data: _add_rows(data, range(1_048_576, 1_048_577))),
    ),
    "rows-100001": (
        "rows-100001.xlsx",
        _sheet_attack(lambda data: _add_rows(data, range(99_990, 100_002))),
    ),
    "start-9999-xlsx": (
        "start-9999.xlsx",
        _sheet_attack(lambda data: _start_cell(data, b"2958465")),  # 9999-12-31
    ),
    "digits-5000-xlsx": (
        "digits-5000.xlsx",
        _sheet_attack(lambda data: _start_cell(data, b"7" * 5000)),
    ),
}
LARGE = frozenset({"events-20000"})  # made when needed, not committed


def attack_file(name: str, folder: Path) -> Path:
    """The file of attack ``name``, written into ``folder``."""
    file_name, make = ATTACKS[name]
    path = folder / file_name
    path.write_bytes(make())
    return path


# Running the commands ---------------------------------------------------------


def result_commands(
    level: str, path: Path, out: Path, baseline: bool
) -> list[list[str]]:
    """What reads a result back, given this one: check and compare always,
    brief for JSON (it reads no workbook), and a short re-plan against it
    when ``baseline``."""
    commands = [["check", str(SAMPLE), str(path)]]
    if level == "json":
        commands += [
            ["compare", str(BASE), str(path), "--out", str(out / "compare")],
            ["brief", str(path), "--out", str(out / "brief")],
        ]
    else:
        commands.append(
            ["compare", str(BASE / "schedule.json"), str(path), "--workbook",
             str(SAMPLE), "--out", str(out / "compare")]
        )  # fmt: skip
    if baseline:
        commands.append(
            ["solve", str(SAMPLE), "--baseline", str(path), "--out", str(out / "solve"),
             "--time-limit", "2", "--workers", "1", "--quiet"]
        )  # fmt: skip
    return commands


def run_result_case(
    case: int,
    baseline_every: int = 0,
    invoke: Callable[[list[str]], Ran] = in_process,
) -> list[Outcome]:
    """Every command that reads a result, on the result of ``case``.

    ``baseline_every`` N > 0 re-plans against one result in N as well.
    """
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="planner-fuzz-result-") as folder:
        level, path = mutated_result(case, Path(folder))
        baseline = baseline_every > 0 and case % baseline_every == 0
        for command in result_commands(level, path, Path(folder), baseline):
            exit_code, traceback, output = invoke(command)
            outcomes.append(
                Outcome(case, level, command[0], exit_code, traceback, output[-500:])
            )
    return outcomes


def main() -> None:
    """Write the committed attacks again (python -m tests.fuzz_results)."""
    for name in ATTACKS:
        if name not in LARGE:
            print(attack_file(name, HOSTILE), file=sys.stderr)


if __name__ == "__main__":
    main()
