"""A result as a run wrote it (schedule.json, or no-plan.json), read back.

What `planner.differences` lines up and what the web page lists: the programme's
exercises, the plan's events and its key figures (the ``kpis`` object written
by `planner.figures.plan_kpis` when the plan was saved), so no workbook is
needed to compare results. Pure: JSON only, no openpyxl; read within
planner's bounds, each fault a finding at its place in the file
(`planner.workbook.result_schema`).
"""

from __future__ import annotations

import math
from pathlib import Path

from pydantic_core import from_json

from planner.bounds import MAX_FILE_BYTES
from planner.report import (
    JSON_NAME,
    NO_PLAN_JSON,
    BaselineChange,
    ExerciseInfo,
    GoalOutcome,
    Heading,
    HeldEvent,
    LeftOut,
    PartnerOutcome,
    ResultError,
    ResultSummary,
    StatedReason,
    VenueFacts,
)
from planner.workbook.result_schema import (
    EventPart,
    ExplanationPart,
    ProgrammePart,
    SchedulePart,
    WorkbookPart,
    read_schedule_part,
)


def load_result(path: str | Path) -> ResultSummary:
    """Read a result folder (or its schedule.json) for comparing.

    A folder whose run found no plan is read from its no-plan.json. Raises
    `ResultError` with a message naming the file when it is missing, is not a
    schedule planner wrote, predates the ``kpis`` object, or holds a value
    planner cannot use (each a finding at its place in the file).
    """
    path = Path(path)
    file = path
    if path.is_dir():
        file = path / JSON_NAME
        if not file.is_file() and (path / NO_PLAN_JSON).is_file():
            file = path / NO_PLAN_JSON
    if not file.is_file():
        where = f"{path} holds no {JSON_NAME}" if path.is_dir() else "not found"
        raise ResultError(f"{path}: {where}")
    return summary_from_json(path, file, read_json(file))


def read_json(file: Path) -> object:
    """The JSON in ``file``, read within bounds; raises `ResultError` saying why not.

    A byte-order mark (as Notepad saves) is skipped; the file is at most
    `MAX_FILE_BYTES`; NaN and Infinity are refused, as are numbers too long to
    be a figure and nesting deeper than any result's (pydantic's JSON
    parser, which never recurses in Python).
    """
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ResultError(
                f"{file}: is {size / 2**20:,.1f} MB; planner reads results of at "
                f"most {MAX_FILE_BYTES / 2**20:,.0f} MB"
            )
        text = file.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise ResultError(f"{file}: cannot be read ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise ResultError(f"{file}: is not valid JSON (not UTF-8 text)") from error
    try:
        data = from_json(text, allow_inf_nan=False)
    except ValueError as error:
        raise ResultError(f"{file}: is not valid JSON ({error})") from error
    if _has_infinity(data):
        raise ResultError(
            f"{file}: is not valid JSON (a number too large to be a figure)"
        )
    return data


def _has_infinity(data: object) -> bool:
    """Whether a number in ``data`` overflowed to infinity (1e999), walked
    without recursion."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return True
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


# Faults listed in the message of a result that cannot be read; the rest
# are counted.
SHOWN_FAULTS = 5


def summary_from_json(path: Path, file: Path, data: object) -> ResultSummary:
    """What ``data``, as schedule.json holds it, says about its plan.

    ``path`` is what the user named (a folder or the file), ``file`` where
    ``data`` came from.
    """
    if not isinstance(data, dict) or "events" not in data:
        raise ResultError(f"{file}: is not a schedule written by planner")
    if not isinstance(data.get("kpis"), dict):
        raise ResultError(
            f"{file}: written by an older planner without key figures (kpis); "
            "solve again to compare it"
        )
    part, findings = read_schedule_part(data, str(file))
    if part is None:
        shown = f"{file}: " + "; ".join(
            f"{f.cell}: {f.message}" if f.cell else f.message
            for f in findings[:SHOWN_FAULTS]
        )
        more = len(findings) - SHOWN_FAULTS
        if more > 0:
            shown += f"; and {more:,} more"
        raise ResultError(shown, findings)
    return _summary(_label(path, file), file, part)


def _label(path: Path, file: Path) -> str:
    """The result folder's name: runs are told apart by where they were written."""
    if path.is_dir():
        return path.resolve().name
    if file.stem in (Path(JSON_NAME).stem, Path(NO_PLAN_JSON).stem):
        return file.parent.resolve().name
    return file.stem


def _summary(label: str, file: Path, part: SchedulePart) -> ResultSummary:
    kpis = part.kpis
    events = part.events
    workbook = part.workbook or WorkbookPart()
    explanation = part.explanation or ExplanationPart()
    programme = part.programme or ProgrammePart()
    return ResultSummary(
        label=label,
        path=file,
        programme=kpis.programme,
        input_file=part.input.file,
        input_sha256=part.input.sha256,
        status=part.status,
        time_unit=part.time_unit,
        planning_start=part.planning_start,
        planning_end=part.planning_end,
        currency=part.currency or "",
        exercises=tuple(ExerciseInfo(**e.model_dump()) for e in kpis.exercises),
        total_budget=kpis.total_budget,
        events=None if events is None else tuple(map(_event, events)),
        objective=kpis.objective,
        terms=kpis.terms,
        held_mandatory=kpis.held_mandatory,
        held_optional=kpis.held_optional,
        value=kpis.value,
        organizer_spend=kpis.organizer_spend,
        goals=tuple(GoalOutcome(**g.model_dump()) for g in kpis.goals or ()),
        partners=tuple(PartnerOutcome(**p.model_dump()) for p in kpis.partners or ()),
        planner_version=part.planner_version,
        heading=Heading(
            programme.title or "",
            programme.organisation or "",
            programme.classification or "",
        ),
        venues={
            venue.id: VenueFacts(
                venue.name or "", venue.region or "", venue.host_partner or ""
            )
            for venue in workbook.venues
        },
        goal_texts={goal.id: goal.text for goal in workbook.goals},
        reasons=tuple(StatedReason(r.kind, r.id, r.text) for r in explanation.reasons),
        conflict=tuple(explanation.lines),
        left_out=tuple(
            LeftOut(item.exercise_id, item.name or "", item.value, item.mandatory)
            for item in part.unscheduled or ()
        ),
        baseline_changes=tuple(
            BaselineChange(c.exercise_id, c.change, c.detail)
            for c in part.baseline_changes or ()
        ),
        interrupted=part.statistics is not None and part.statistics.interrupted,
    )


def _event(item: EventPart) -> HeldEvent:
    return HeldEvent(
        exercise_id=item.exercise_id,
        start=item.start_date,
        end=item.end_date,
        venue_id=item.venue_id,
        participants=tuple(item.participants),
    )
