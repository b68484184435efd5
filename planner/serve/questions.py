"""Short questions the page asks about a plan, answered at once: where else
an exercise could go, whether a pin holds, a workbook with the pins filled
in, whether a plan may be committed.

Each runs in a process of its own with a memory and a time cap
(`planner.serve.uploads.Validator.ask`), beside the queued runs rather than
behind them, so a planner waits seconds, not for a long solve to end. Each
takes and gives plain values (paths, strings, JSON), so it crosses the
process boundary as it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from planner.app.examine import check_schedule, suggest_placements
from planner.app.programme import (
    PinCheck,
    check_pin,
    pins_of,
    write_pinned_workbook,
)
from planner.catalogue import RULE_SAYS
from planner.domain import Violation
from planner.serve.present import finding_json, to_json, validation_json


def violation_json(violation: Violation) -> dict[str, str]:
    """A broken rule: its name, the rule in words, and what breaks it."""
    return {
        "rule": violation.rule,
        "says": RULE_SAYS.get(violation.rule, ""),
        "message": violation.message,
    }


def suggestions(
    workbook: Path, result: Path, exercise_id: str, top: int, scenario: str | None
) -> dict[str, Any]:
    """``planner suggest``: the best other placements of one exercise."""
    found = suggest_placements(workbook, result, exercise_id, top, scenario=scenario)
    placements = []
    for suggestion in found.suggestions:
        days = found.days(suggestion)
        placements.append(
            {
                "exercise_id": suggestion.exercise_id,
                "start": None if days is None else days[0].isoformat(),
                "end": None if days is None else days[1].isoformat(),
                "venue_id": suggestion.venue_id,
                "participants": list(suggestion.participants),
                "objective": suggestion.objective,
                "change": suggestion.change,
                "text": suggestion.text,
                "rows": [str(source) for source in suggestion.conflict or ()],
            }
        )
    return {
        "verdict": found.verdict.name.lower(),
        "unknown_exercise": found.unknown_exercise,
        "findings": [finding_json(f) for f in found.reading.plan_findings],
        "suggestions": placements,
    }


def pin_check(
    workbook: Path,
    result: Path,
    pin: dict[str, str],
    freeze_before: str | None,
    scenario: str | None,
) -> dict[str, Any]:
    """Whether an exercise may be pinned where asked, every rule checked."""
    freeze = None if freeze_before is None else dt.date.fromisoformat(freeze_before)
    (asked,) = pins_of([pin])
    return pin_check_json(check_pin(workbook, result, asked, freeze, scenario))


def pin_check_json(checked: PinCheck) -> dict[str, Any]:
    return {
        "verdict": checked.verdict.name.lower(),
        "allowed": checked.allowed,
        "unknown_exercise": checked.unknown_exercise,
        "frozen": checked.frozen,
        "broken": [violation_json(v) for v in checked.broken],
        "clashes": [violation_json(v) for v in checked.clashes],
        "change": checked.change,
        "event": to_json(checked.event),
        "findings": [finding_json(f) for f in checked.reading.plan_findings],
    }


def pinned_workbook(
    source: Path, pins: list[dict[str, str]], target: Path, file_name: str
) -> dict[str, Any]:
    """The workbook at ``source`` written to ``target`` with ``pins`` filled
    in, validated; its SHA-256 and size when it was written."""
    written = write_pinned_workbook(source, pins_of(pins), target)
    validation = written.validation
    answer: dict[str, Any] = {
        "verdict": written.verdict.name.lower(),
        "output_error": written.output_error,
        "findings": [finding_json(f) for f in written.findings],
        "validation": None
        if validation is None
        else validation_json(validation, file_name),
    }
    if validation is not None:
        content = target.read_bytes()
        answer |= {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
    return answer


def commit_check(workbook: Path, result: Path) -> dict[str, Any]:
    """``planner check`` of a plan about to be committed."""
    checked = check_schedule(workbook, result)
    if checked.reading.plan is None:
        return {"verdict": "invalid", "violations": [], "held": 0, "objective": None}
    return {
        "verdict": checked.verdict.name.lower(),
        "violations": [violation_json(v) for v in checked.violations],
        "held": len(checked.reading.plan.events),
        "objective": checked.objective,
    }
