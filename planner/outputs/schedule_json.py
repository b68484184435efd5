"""schedule.json: the result for programs, as plain JSON values.

Written from what it is handed: the problem, the result and the figures and
words reckoned above the writers (`planner.report.ResultReport`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Mapping
from pathlib import Path

from planner import __version__
from planner.domain import (
    Event,
    Problem,
    Result,
    Source,
    event_end_date,
    unscheduled_exercises,
)
from planner.report import Explanation, ResultReport


def file_sha256(path: Path) -> str | None:
    """The input's fingerprint, so a result can be traced to the exact workbook.

    None when the file cannot be read: a result is still worth writing when the
    input has since been moved.
    """
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def json_safe(value: object) -> object:
    """``value`` as plain JSON: no NaN or infinity, numpy scalars, sets or dates.

    Solver parameters and statistics come from several libraries; this keeps
    schedule.json loadable by any strict JSON reader.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)  # a StrEnum becomes its plain value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((json_safe(v) for v in value), key=str)
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return json_safe(value.tolist())
    return str(value)


def _event_json(problem: Problem, event: Event) -> dict[str, object]:
    return {
        "exercise_id": event.exercise_id,
        "start_date": problem.slot_start(event.start).isoformat(),
        "end_date": event_end_date(problem, event).isoformat(),
        "start_slot": event.start,
        "duration": problem.exercise[event.exercise_id].duration,
        "venue_id": event.venue_id,
        "participants": list(event.participants),
    }


def _unscheduled_json(problem: Problem, exercise_id: str) -> dict[str, object]:
    exercise = problem.exercise[exercise_id]
    return {
        "exercise_id": exercise.id,
        "name": exercise.name,
        "kind": exercise.kind,
        "value": exercise.value,
        "mandatory": exercise.mandatory,
        "earliest_start_date": problem.slot_start(exercise.earliest_start).isoformat(),
        "latest_end_date": problem.slot_end(exercise.latest_end).isoformat(),
        # The workbook findings that make it impossible, with their cells.
        "impossible": [
            {"cell": f.address, "message": f.message} for f in exercise.impossible
        ],
    }


def workbook_facts(problem: Problem, goal_texts: Iterable[str]) -> dict[str, object]:
    """What the brief needs from the workbook beyond the plan: who is where,
    each goal in words (``goal_texts``, in the problem's order), the public
    holidays looked up."""
    return {
        "partners": [
            {
                "id": p.id,
                "name": p.name,
                "country_code": p.country_code,
                "region": p.region,
            }
            for p in problem.partners
        ],
        "venues": [
            {
                "id": v.id,
                "name": v.name,
                "region": v.region,
                "host_partner": v.host_partner,
            }
            for v in problem.venues
        ],
        "goals": [
            {"id": g.id, "text": text}
            for g, text in zip(problem.goals, goal_texts, strict=True)
        ],
        "holidays": [
            {
                "partner_id": h.partner_id,
                "date": h.day,
                "name": h.name,
                "blocks": h.blocks,
            }
            for h in problem.holidays
        ],
    }


def result_json(
    problem: Problem, result: Result, report: ResultReport, input_path: Path
) -> dict[str, object]:
    """Everything schedule.json holds, as plain JSON values.

    With no plan (infeasible, or none found in time) ``plan``, ``events`` and
    ``unscheduled`` are null, so a program cannot mistake it for an empty plan.
    ``kpis`` holds the checker's key figures (``report.kpis``), so
    `planner.differences` can compare results from their JSON alone; an
    explanation goes in as ``explanation``.
    """
    settings = problem.settings
    data: dict[str, object] = {
        "planner_version": __version__,
        "input": {"file": input_path.name, "sha256": file_sha256(input_path)},
        "status": str(result.status),
        "objective": result.objective,
        "terms": dict(result.terms),
        "bound": result.bound,
        "gap": result.gap,
        "runtime_s": result.runtime_s,
        "parameters": result.parameters,
        "statistics": result.statistics,
        "time_unit": settings.time_unit,
        "planning_start": settings.planning_start,
        "planning_end": settings.planning_end,
        "currency": settings.currency,
        "kpis": report.kpis,
        "programme": {
            "id": settings.programme_id,
            "title": settings.title,
            "organisation": settings.organisation,
            "classification": settings.classification,
        },
        "workbook": workbook_facts(problem, report.goal_texts),
        "baseline_changes": [
            {"exercise_id": c.exercise_id, "change": c.change, "detail": c.detail}
            for c in report.baseline_changes
        ],
    }
    plan = result.plan
    if plan is None:
        data |= {"plan": None, "events": None, "unscheduled": None}
    else:
        data["events"] = [_event_json(problem, event) for event in plan.events]
        data["unscheduled"] = [
            _unscheduled_json(problem, exercise_id)
            for exercise_id in unscheduled_exercises(problem, plan)
        ]
    if report.explanation is not None:
        data["explanation"] = explanation_to_json(report.explanation)
    return json_safe(data)  # type: ignore[return-value]


def explanation_to_json(explanation: Explanation) -> dict[str, object]:
    """The explanation for programs: rows as sheet and row, texts as shown."""

    def row(source: Source) -> dict[str, object]:
        return {"sheet": source.sheet, "row": source.row}

    def rows(sources: Iterable[Source] | None) -> list[dict[str, object]] | None:
        return None if sources is None else [row(s) for s in sources]

    return {
        "conflict": rows(explanation.conflict),
        "lines": list(explanation.lines),
        "seconds": round(explanation.seconds, 2),
        "probed": explanation.probed,
        "not_examined": explanation.not_examined,
        "reasons": [
            {
                "id": r.item_id,
                "kind": r.kind,
                "loss": r.loss,
                "forced_objective": r.forced_objective,
                "conflict": rows(r.conflict),
                "fitted": r.fitted,
                "probed": r.probed,
                "text": r.text,
            }
            for r in explanation.reasons
        ],
        "budget_prices": [
            {
                "partner_id": b.owner or None,
                "source": row(b.source) if b.source else None,
                "budget": b.budget,
                "larger": b.larger,
                "gain": b.gain,
                "text": b.text,
            }
            for b in explanation.budget_prices
        ],
    }
