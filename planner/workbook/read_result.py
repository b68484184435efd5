"""A result as a run wrote it (schedule.json, or no-plan.json), read back.

What `planner.differences` lines up and what the web page lists: the programme's
exercises, the plan's events and its key figures (the ``kpis`` object written
by `planner.figures.plan_kpis` when the plan was saved), so no workbook is
needed to compare results. Pure: JSON only, no openpyxl.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planner.report import (
    JSON_NAME,
    NO_PLAN_JSON,
    ExerciseInfo,
    GoalOutcome,
    HeldEvent,
    PartnerOutcome,
    ResultError,
    ResultSummary,
)


def load_result(path: str | Path) -> ResultSummary:
    """Read a result folder (or its schedule.json) for comparing.

    A folder whose run found no plan is read from its no-plan.json. Raises
    `ResultError` with a message naming the file when it is missing, is not a
    schedule planner wrote, or predates the ``kpis`` object.
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
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ResultError(f"{file}: cannot be read as JSON ({error})") from error
    return summary_from_json(path, file, data)


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
    try:
        return _summary(_label(path, file), file, data)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ResultError(
            f"{file}: is not a schedule written by planner ({error!r} is wrong)"
        ) from error


def _label(path: Path, file: Path) -> str:
    """The result folder's name: runs are told apart by where they were written."""
    if path.is_dir():
        return path.resolve().name
    if file.stem in (Path(JSON_NAME).stem, Path(NO_PLAN_JSON).stem):
        return file.parent.resolve().name
    return file.stem


def _summary(label: str, file: Path, data: dict[str, Any]) -> ResultSummary:
    kpis = data["kpis"]
    events = data["events"]
    terms = kpis["terms"]
    return ResultSummary(
        label=label,
        path=file,
        programme=str(kpis["programme"]),
        input_file=str(data["input"]["file"]),
        input_sha256=data["input"]["sha256"],
        status=str(data["status"]),
        time_unit=str(data["time_unit"]),
        planning_start=dt.date.fromisoformat(data["planning_start"]),
        planning_end=dt.date.fromisoformat(data["planning_end"]),
        currency=str(data.get("currency") or ""),
        exercises=tuple(ExerciseInfo(**item) for item in kpis["exercises"]),
        total_budget=kpis["total_budget"],
        events=None if events is None else tuple(_event(item) for item in events),
        objective=kpis["objective"],
        terms=None if terms is None else {str(k): int(v) for k, v in terms.items()},
        held_mandatory=kpis["held_mandatory"],
        held_optional=kpis["held_optional"],
        value=kpis["value"],
        organizer_spend=kpis["organizer_spend"],
        goals=tuple(GoalOutcome(**item) for item in kpis["goals"] or ()),
        partners=tuple(PartnerOutcome(**item) for item in kpis["partners"] or ()),
    )


def _event(item: Mapping[str, Any]) -> HeldEvent:
    return HeldEvent(
        exercise_id=str(item["exercise_id"]),
        start=dt.date.fromisoformat(item["start_date"]),
        end=dt.date.fromisoformat(item["end_date"]),
        venue_id=str(item["venue_id"]),
        participants=tuple(str(p) for p in item["participants"]),
    )
