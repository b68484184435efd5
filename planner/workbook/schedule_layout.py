"""What a result's files are called and how the Schedule sheet is laid out.

Shared by the writers (schedule.xlsx, schedule.json) and by the reader of a
schedule (`planner.workbook.read_schedule`), so a written schedule reads back.
"""

from __future__ import annotations

import datetime as dt

from planner.domain import Event, Plan, Problem

XLSX_NAME = "schedule.xlsx"
JSON_NAME = "schedule.json"
SCHEDULE_SHEET = "Schedule"

# The Schedule sheet's columns, in order. The first six are what a plan is
# made of and what `read_plan` reads; the rest are there for people.
PLAN_COLUMNS: tuple[str, ...] = (
    "exercise_id",
    "name",
    "start_date",
    "end_date",
    "venue_id",
    "participants",
)
SCHEDULE_COLUMNS: tuple[str, ...] = (
    *PLAN_COLUMNS,
    "kind",
    "venue_name",
    "duration",
    "mandatory",
    "value",
    "cost",
    "participant_count",
    "areas",
    "assets",
    "start_slot",
    "end_slot",
    "iso_week",
)
# How lists are written into one cell; the reader also accepts commas.
CELL_LIST_SEPARATOR = "; "


def event_end_slot(problem: Problem, event: Event) -> int:
    """Last slot the event occupies (inclusive)."""
    return event.start + problem.exercise[event.exercise_id].duration - 1


def event_end_date(problem: Problem, event: Event) -> dt.date:
    """Last day of the event (inclusive)."""
    return problem.slot_end(event_end_slot(problem, event))


def unscheduled_exercises(problem: Problem, plan: Plan) -> list[str]:
    """Exercises the plan does not hold, in workbook order."""
    held = plan.by_exercise
    return [e.id for e in problem.exercises if e.id not in held]
