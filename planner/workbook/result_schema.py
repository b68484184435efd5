"""schedule.json as `planner.workbook.read_result` reads it back: its shape
and its bounds.

A result may come back from anyone (a colleague's folder, a file edited by
hand, an upload to the page), so what is read from it is checked as a
workbook's cells are: each value of its kind and within planner's bounds
(`planner.bounds`), each fault a finding at its place in the file
("events[3].start_date"). pydantic does the checking; only what planner
reads is described, and anything else in the file is left alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from planner.bounds import MAX_HORIZON_DAYS, MAX_ROWS, check_date, check_horizon
from planner.domain import OBJECTIVE_LIMIT, Finding

MAX_TEXT = 32_767  # characters: what an Excel cell holds
# A reason in words: schedule.json keeps the whole text, which may be longer
# than a cell (schedule.xlsx cuts it); a megabyte of text at most.
MAX_REASON = 2**20


def _day(value: object) -> dt.date:
    """A date written as text YYYY-MM-DD, within the dates planner plans."""
    if not isinstance(value, str):
        raise ValueError(f"should be a date written YYYY-MM-DD, not {_shown(value)}")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{_shown(value)} is not a date (YYYY-MM-DD)") from None
    beyond = check_date(day)
    if beyond is not None:
        raise ValueError(beyond)
    return day


Text = Annotated[str, Strict(), Field(max_length=MAX_TEXT)]
Words = Annotated[str, Strict(), Field(max_length=MAX_REASON)]
Whole = Annotated[int, Strict(), Field(ge=-OBJECTIVE_LIMIT, le=OBJECTIVE_LIMIT)]
Count = Annotated[int, Strict(), Field(ge=0, le=OBJECTIVE_LIMIT)]
Flag = Annotated[bool, Strict()]
Day = Annotated[dt.date, BeforeValidator(_day)]
Slots = Annotated[int, Strict(), Field(ge=1, le=MAX_HORIZON_DAYS)]


class _Part(BaseModel):
    """A part of the file: read-only, and what planner does not read ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class EventPart(_Part):
    exercise_id: Text
    start_date: Day
    end_date: Day
    venue_id: Text
    participants: Annotated[list[Text], Field(max_length=MAX_ROWS)]

    @model_validator(mode="after")
    def _runs_forwards(self) -> EventPart:
        if self.end_date < self.start_date:
            raise ValueError(
                f"end_date {self.end_date} is before start_date {self.start_date}"
            )
        return self


class ExercisePart(_Part):
    """An exercise of the programme, as a result lists it (``kpis.exercises``)."""

    id: Text
    name: Text = ""
    kind: Text = ""
    mandatory: Flag = False
    value: Whole = 0
    duration: Slots = 1


class GoalPart(_Part):
    """How far the plan went towards one goal."""

    id: Text
    kind: Text
    hard: Flag
    target: Count
    achieved: Count
    shortfall: Count
    met: Flag


class PartnerPart(_Part):
    """What one partner takes part in and spends in the plan."""

    id: Text
    name: Text
    events: Count
    spend: Count
    budget: Count | None


class KpisPart(_Part):
    programme: Text
    exercises: Annotated[list[ExercisePart], Field(max_length=MAX_ROWS)]
    total_budget: Count | None
    objective: Whole | None
    terms: Annotated[dict[Text, Whole], Field(max_length=16)] | None
    held_mandatory: Count | None
    held_optional: Count | None
    value: Whole | None
    organizer_spend: Count | None
    goals: Annotated[list[GoalPart], Field(max_length=MAX_ROWS)] | None = None
    partners: Annotated[list[PartnerPart], Field(max_length=MAX_ROWS)] | None = None


class InputPart(_Part):
    file: Text
    sha256: Text | None = None


class VenuePart(_Part):
    id: Text
    name: Text | None = None
    region: Text | None = None
    host_partner: Text | None = None


class GoalTextPart(_Part):
    id: Text
    text: Words


class WorkbookPart(_Part):
    """The workbook's facts a brief shows: venues' names, regions and hosts,
    goals in words."""

    venues: Annotated[list[VenuePart], Field(max_length=MAX_ROWS)] = []
    goals: Annotated[list[GoalTextPart], Field(max_length=MAX_ROWS)] = []


class ProgrammePart(_Part):
    """How the programme's Settings name it: title, organisation, marking."""

    title: Text | None = None
    organisation: Text | None = None
    classification: Text | None = None


class BaselineChangePart(_Part):
    exercise_id: Text
    change: Text
    detail: Text


class StatisticsPart(_Part):
    interrupted: Flag = False


class ReasonPart(_Part):
    id: Text
    kind: Text
    text: Words


class ExplanationPart(_Part):
    reasons: Annotated[list[ReasonPart], Field(max_length=MAX_ROWS)] = []
    lines: Annotated[list[Words], Field(max_length=MAX_ROWS)] = []  # no plan: why


class LeftOutPart(_Part):
    exercise_id: Text
    name: Text | None = None
    value: Whole | None = None
    mandatory: Flag = False


class SchedulePart(_Part):
    """The whole of what is read from a schedule.json."""

    planner_version: Text = ""
    input: InputPart
    status: Text
    time_unit: Literal["week", "day"]
    planning_start: Day
    planning_end: Day
    currency: Text | None = None
    kpis: KpisPart
    events: Annotated[list[EventPart], Field(max_length=MAX_ROWS)] | None
    workbook: WorkbookPart | None = None
    programme: ProgrammePart | None = None
    baseline_changes: (
        Annotated[list[BaselineChangePart], Field(max_length=MAX_ROWS)] | None
    ) = None
    statistics: StatisticsPart | None = None
    explanation: ExplanationPart | None = None
    unscheduled: Annotated[list[LeftOutPart], Field(max_length=MAX_ROWS)] | None = None

    @model_validator(mode="after")
    def _horizon(self) -> SchedulePart:
        if self.planning_end < self.planning_start:
            raise ValueError(
                f"planning_end {self.planning_end} is before planning_start "
                f"{self.planning_start}"
            )
        too_long = check_horizon(self.planning_start, self.planning_end)
        if too_long is not None:
            raise ValueError(too_long)
        return self


def read_schedule_part(
    data: object, where: str
) -> tuple[SchedulePart | None, list[Finding]]:
    """``data`` (schedule.json as loaded) checked: the part read, or None and
    a finding for each fault, addressed in the file named ``where``."""
    try:
        return SchedulePart.model_validate(data), []
    except ValidationError as error:
        return None, [
            Finding(where, address(detail["loc"]), _message(detail))
            for detail in error.errors(include_url=False)
        ]


def address(loc: tuple[int | str, ...]) -> str:
    """A place in a JSON file as a path: ("events", 3, "start_date") ->
    "events[3].start_date"."""
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else f".{step}"
    return text.removeprefix(".")


def _shown(value: object) -> str:
    """A value as a message quotes it: JSON-like, cut to 40 characters."""
    if isinstance(value, list | dict):
        return "a list" if isinstance(value, list) else "an object"
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _message(detail: ErrorDetails) -> str:
    """pydantic's finding in planner's words."""
    kind, context = detail["type"], detail.get("ctx", {})
    got = _shown(detail["input"])
    if kind == "value_error":
        return str(context.get("error", detail["msg"]))
    words = {
        "missing": "is missing",
        "string_type": f"should be text, not {got}",
        "int_type": f"should be a whole number, not {got}",
        "bool_type": f"should be true or false, not {got}",
        "list_type": f"should be a list, not {got}",
        "dict_type": f"should be an object {{...}}, not {got}",
        "model_type": f"should be an object {{...}}, not {got}",
        "dataclass_type": f"should be an object {{...}}, not {got}",
        "literal_error": f"should be {context.get('expected')}, not {got}",
        "less_than_equal": f"{got} is more than {context.get('le', 0):,}",
        "greater_than_equal": f"{got} is less than {context.get('ge', 0):,}",
        "string_too_long": (
            f"is longer than {context.get('max_length', 0):,} characters"
        ),
        "too_long": f"holds more than {context.get('max_length', 0):,} items",
    }
    return words.get(kind, detail["msg"])
