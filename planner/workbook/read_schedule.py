"""Reading a schedule back: a plan, or a baseline to re-plan against, from
schedule.xlsx, schedule.json or a result folder.

Only what makes a plan is read (exercise, start date, venue, participants);
each row that does not fit the workbook is a finding naming its cell.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from planner.domain import Event, Finding, Plan, Problem, Severity, event_end_date
from planner.outputs.printing import column_name
from planner.report import JSON_NAME, NO_PLAN_JSON, SCHEDULE_SHEET, XLSX_NAME
from planner.workbook.schema import split_list

# The Schedule's columns that make a plan; the rest are for people.
_READ_COLUMNS = ("exercise_id", "start_date", "venue_id", "participants")

# What happens to a baseline row the workbook no longer matches.
_ROW_LEFT_OUT = "this row is left out of the baseline"
_PARTNER_LEFT_OUT = "it is left out of this baseline event"
_VENUE_KEPT = (
    "the event stays in the baseline, and holding it at another venue is not "
    "counted as a venue change"
)


@dataclass
class _Collector:
    """Gathers the events and findings of one schedule as rows are read.

    ``lenient`` (a baseline for re-planning): a row the workbook no longer
    matches is a warning saying what is done with it, not an error.
    """

    events: list[Event] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    lenient: bool = False

    def error(self, sheet: str, cell: str, message: str) -> None:
        self.findings.append(Finding(sheet, cell, message))

    def warn(self, sheet: str, cell: str, message: str) -> None:
        self.findings.append(Finding(sheet, cell, message, Severity.WARNING))

    def mismatch(self, sheet: str, cell: str, message: str, consequence: str) -> None:
        """A row that does not fit the workbook: an error, or when lenient a
        warning that says what becomes of it."""
        if self.lenient:
            self.warn(sheet, cell, f"{message}; {consequence}")
        else:
            self.error(sheet, cell, message)

    def add(self, sheet: str, cell: str, event: Event) -> None:
        """Keep ``event``; a baseline keeps only the first event of an exercise,
        as the checker and the change term see it."""
        if self.lenient and any(
            e.exercise_id == event.exercise_id for e in self.events
        ):
            self.warn(
                sheet,
                cell,
                f"exercise {event.exercise_id} is listed again; only its first "
                "event is the baseline",
            )
            return
        self.events.append(event)

    def outcome(self) -> tuple[Plan | None, list[Finding]]:
        if any(f.severity is Severity.ERROR for f in self.findings):
            return None, self.findings
        return Plan(tuple(self.events)), self.findings


def read_plan(problem: Problem, path: Path) -> tuple[Plan | None, list[Finding]]:
    """Read a plan from schedule.xlsx, schedule.json or a result folder.

    The plan is None exactly when some finding is an error. Only what makes a
    plan is read: exercise, start date, venue and participants; the rest of
    the Schedule sheet is for people and may be edited freely. Whether the plan
    keeps the rules is for the checker to say, not for this reader.
    """
    return _read(problem, Path(path), lenient=False)


def read_baseline(problem: Problem, path: Path) -> tuple[Plan | None, list[Finding]]:
    """Read a plan published earlier, to re-plan against it (a baseline).

    The workbook may have changed since: each row it no longer matches is a
    warning naming the row, and the rest of the baseline is still used:

    - an exercise no longer in the workbook, a blank exercise_id or an
      unreadable start date: the row is left out;
    - a partner no longer in the workbook: left out of that event;
    - a venue no longer in the workbook: the event stays (it still counts as
      held, moved or not), and holding it at another venue is not a venue
      change; a frozen event there is reported by the checker;
    - an exercise listed twice: its first event is the baseline.

    The plan is None only when the file is not a schedule at all (missing, not
    JSON or Excel, no Schedule sheet or columns, no plan in it).
    """
    return _read(problem, Path(path), lenient=True)


def _read(
    problem: Problem, path: Path, lenient: bool
) -> tuple[Plan | None, list[Finding]]:
    if path.is_dir():
        file = schedule_in(path)
        if file is not None:
            return _read(problem, file, lenient)
        return None, [
            Finding(path.name, "", f"folder holds neither {JSON_NAME} nor {XLSX_NAME}")
        ]
    if not path.is_file():
        return None, [Finding(path.name, "", "file not found")]
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _read_json(problem, path, _Collector(lenient=lenient))
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(problem, path, _Collector(lenient=lenient))
    return None, [
        Finding(path.name, "", "is not a schedule: expected an .xlsx or .json file")
    ]


def schedule_in(folder: Path) -> Path | None:
    """The file a result folder is read from: the JSON (or, when the run found
    no plan, its no-plan JSON) before the workbook, which people may edit."""
    for name in (JSON_NAME, NO_PLAN_JSON, XLSX_NAME):
        if (folder / name).is_file():
            return folder / name
    return None


def _cell_text(value: object) -> str:
    """A cell as trimmed text; 101.0 reads as "101" since ids may be numbers."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell_date(value: object) -> dt.date | None:
    """A real Excel date, a date serial number, or ISO text; None otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            converted = from_excel(value)
        except (ValueError, OverflowError, TypeError):
            return None
        return converted.date() if isinstance(converted, dt.datetime) else None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _check_exercise(
    problem: Problem, found: _Collector, sheet: str, cell: str, exercise_id: str
) -> bool:
    """Report an exercise the workbook does not know; True when it knows it."""
    if exercise_id in problem.exercise:
        return True
    found.mismatch(
        sheet,
        cell,
        f"exercise {exercise_id!r} is not in the workbook's Exercises sheet",
        _ROW_LEFT_OUT,
    )
    return False


def _check_venue_and_partners(
    problem: Problem,
    found: _Collector,
    sheet: str,
    cells: Mapping[str, str],
    exercise_id: str,
    venue_id: str,
    participants: Iterable[str],
) -> tuple[bool, tuple[str, ...]]:
    """Report a venue or partner the workbook does not know.

    Returns whether the event may be kept and the participants kept with it:
    strictly, only when all are known; leniently, always, without the unknown
    partners. ``cells`` names where each field came from (a cell, or a JSON
    path).
    """
    known = True
    if not venue_id:
        found.mismatch(
            sheet,
            cells["venue_id"],
            f"exercise {exercise_id} has no venue",
            _VENUE_KEPT,
        )
        known = False
    elif venue_id not in problem.venue:
        found.mismatch(
            sheet,
            cells["venue_id"],
            f"exercise {exercise_id}: venue {venue_id!r} is not in the workbook's "
            "Venues sheet",
            _VENUE_KEPT,
        )
        known = False
    kept = []
    for partner_id in participants:
        if partner_id in problem.partner:
            kept.append(partner_id)
            continue
        found.mismatch(
            sheet,
            cells["participants"],
            f"exercise {exercise_id}: partner {partner_id!r} is not in the "
            "workbook's Partners sheet",
            _PARTNER_LEFT_OUT,
        )
        known = False
    return known or found.lenient, tuple(kept)


def _check_end_date(
    problem: Problem,
    found: _Collector,
    sheet: str,
    cell: str,
    event: Event,
    written: object,
) -> None:
    """Warn when a hand-edited end date disagrees with the exercise's duration.

    The end follows from the start and the duration, so the written end date is
    never used; a silent mismatch would hide that someone moved one date only.
    """
    if _cell_text(written) == "":
        return
    expected = event_end_date(problem, event)
    end = _cell_date(written)
    if end != expected:
        shown = end.isoformat() if end is not None else _cell_text(written)
        duration = problem.exercise[event.exercise_id].duration
        unit = problem.settings.time_unit
        found.warn(
            sheet,
            cell,
            f"exercise {event.exercise_id}: end_date {shown} is "
            f"ignored; it lasts {duration} {unit}(s), so it ends {expected}",
        )


def _read_json(
    problem: Problem, path: Path, found: _Collector
) -> tuple[Plan | None, list[Finding]]:
    where = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        return None, [
            Finding(
                where,
                "",
                f"is not valid JSON (line {error.lineno}, column {error.colno})",
            )
        ]
    except (OSError, UnicodeDecodeError) as error:
        return None, [Finding(where, "", f"cannot be read: {error}")]
    if not isinstance(data, dict) or "events" not in data:
        return None, [Finding(where, "", "is not a schedule written by planner")]
    events = data["events"]
    if events is None:
        status = data.get("status", "unknown")
        return None, [Finding(where, "", f"holds no plan (the run's status: {status})")]
    if not isinstance(events, list):
        return None, [Finding(where, "", "'events' is not a list")]
    if data.get("time_unit", problem.settings.time_unit) != problem.settings.time_unit:
        found.warn(
            where,
            "",
            f"planned in {data['time_unit']}s but the workbook plans in "
            f"{problem.settings.time_unit}s; each start date is taken as the "
            f"{problem.settings.time_unit} holding it",
        )
    for index, item in enumerate(events):
        _read_json_event(problem, found, where, f"events[{index}]", item)
    return found.outcome()


def _read_json_event(
    problem: Problem, found: _Collector, where: str, at: str, item: object
) -> None:
    if not isinstance(item, dict):
        found.error(where, at, "is not an event object")
        return
    cells = {name: f"{at}.{name}" for name in _READ_COLUMNS}
    exercise_id = _cell_text(item.get("exercise_id"))
    known = _check_exercise(problem, found, where, cells["exercise_id"], exercise_id)
    written_start = item.get("start_date")
    start = _cell_date(written_start) if isinstance(written_start, str) else None
    if start is None:
        found.mismatch(
            where,
            cells["start_date"],
            f"exercise {exercise_id}: start_date {written_start!r} is not a date "
            "(YYYY-MM-DD)",
            _ROW_LEFT_OUT,
        )
    participants = item.get("participants") or []
    if not isinstance(participants, list):
        found.mismatch(
            where, cells["participants"], "is not a list of partner ids", _ROW_LEFT_OUT
        )
        return
    participant_ids = tuple(_cell_text(p) for p in participants)
    venue_id = _cell_text(item.get("venue_id"))
    if not known or start is None:
        if not found.lenient:
            # Report the row's other unknown ids too, as a user fixes them all.
            _check_venue_and_partners(
                problem, found, where, cells, exercise_id, venue_id, participant_ids
            )
        return
    keep, kept = _check_venue_and_partners(
        problem, found, where, cells, exercise_id, venue_id, participant_ids
    )
    if keep:
        found.add(
            where,
            cells["exercise_id"],
            Event(exercise_id, problem.slot_of(start), venue_id, kept),
        )


def _read_xlsx(
    problem: Problem, path: Path, found: _Collector
) -> tuple[Plan | None, list[Finding]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a bad file
        return None, [
            Finding(
                path.name,
                "",
                f"cannot be opened as an Excel workbook ({type(error).__name__}); "
                "save it again as .xlsx",
            )
        ]
    try:
        sheet_name = next(
            (n for n in workbook.sheetnames if n.lower() == SCHEDULE_SHEET.lower()),
            None,
        )
        if sheet_name is None:
            return None, [
                Finding(
                    path.name,
                    "",
                    f"has no {SCHEDULE_SHEET} sheet (a run that found no plan "
                    "writes only its Summary)",
                )
            ]
        rows = list(workbook[sheet_name].iter_rows(values_only=True))
    finally:
        workbook.close()
    return _read_schedule_rows(problem, rows, found)


def _header_columns(
    header: tuple[object, ...], found: _Collector
) -> dict[str, int] | None:
    """Column index of each column the reader needs; None when one is missing."""
    # Headings are written in words ("Start date"); older results and hand-made
    # sheets use the column names ("start_date"): both are read.
    index = {
        column_name(_cell_text(v)): i for i, v in reversed(list(enumerate(header)))
    }
    missing = [name for name in _READ_COLUMNS if name not in index]
    for name in missing:
        found.error(SCHEDULE_SHEET, "", f"the header row (row 1) has no {name} column")
    if missing:
        return None
    return {name: index[name] for name in (*_READ_COLUMNS, "end_date") if name in index}


def _read_schedule_rows(
    problem: Problem, rows: Sequence[tuple[object, ...]], found: _Collector
) -> tuple[Plan | None, list[Finding]]:
    if not rows:
        found.error(SCHEDULE_SHEET, "", "the sheet is empty (no header row)")
        return found.outcome()
    columns = _header_columns(rows[0], found)
    if columns is None:
        return found.outcome()
    for row_number, row in enumerate(rows[1:], start=2):
        if all(_cell_text(v) == "" for v in row):
            continue
        _read_schedule_row(problem, found, columns, row_number, row)
    return found.outcome()


def _row_values(
    columns: Mapping[str, int], row: tuple[object, ...]
) -> Iterator[tuple[str, object]]:
    for name, i in columns.items():
        yield name, row[i] if i < len(row) else None


def _read_schedule_row(
    problem: Problem,
    found: _Collector,
    columns: Mapping[str, int],
    row_number: int,
    row: tuple[object, ...],
) -> None:
    """Read one event, reporting its bad cells from left to right."""
    values = dict(_row_values(columns, row))
    cells = {
        name: f"{get_column_letter(i + 1)}{row_number}" for name, i in columns.items()
    }
    exercise_id = _cell_text(values["exercise_id"])
    if not exercise_id:
        found.mismatch(
            SCHEDULE_SHEET, cells["exercise_id"], "exercise_id is blank", _ROW_LEFT_OUT
        )
        return
    known = _check_exercise(
        problem, found, SCHEDULE_SHEET, cells["exercise_id"], exercise_id
    )
    start = _cell_date(values["start_date"])
    if start is None:
        found.mismatch(
            SCHEDULE_SHEET,
            cells["start_date"],
            f"exercise {exercise_id}: start_date "
            f"{_cell_text(values['start_date']) or '(blank)'} is not a date; "
            "write an Excel date or YYYY-MM-DD",
            _ROW_LEFT_OUT,
        )
    venue_id = _cell_text(values["venue_id"])
    participants = tuple(split_list(_cell_text(values["participants"])))
    if found.lenient and (not known or start is None):
        return  # the row is left out, so its venue and partners do not matter
    keep, kept = _check_venue_and_partners(
        problem, found, SCHEDULE_SHEET, cells, exercise_id, venue_id, participants
    )
    if not known or start is None or not keep:
        return
    event = Event(exercise_id, problem.slot_of(start), venue_id, kept)
    found.add(SCHEDULE_SHEET, cells["exercise_id"], event)
    if "end_date" in columns:
        _check_end_date(
            problem,
            found,
            SCHEDULE_SHEET,
            cells["end_date"],
            event,
            values["end_date"],
        )
