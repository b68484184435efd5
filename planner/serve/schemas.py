"""What the JSON API accepts and answers, as pydantic models (and so in the
OpenAPI at /docs). A request with a field the API does not know is refused
(422), so a misspelt option is never silently ignored."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from planner.serve.accounts import ROLES


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunOptions(Request):
    """How to search; omitted fields keep the workbook's Settings."""

    time_limit_s: float | None = Field(None, gt=0, le=24 * 3600)
    workers: int = Field(0, ge=0, le=64)
    seed: int = Field(0, ge=0)
    deterministic: bool = False
    # As on the command line: without it the explanations fit in the time
    # limit, which is the whole run's; with it they take what they need.
    explain_all: bool = False


class SweepRequest(Request):
    """The variants of a sweep, as ``planner sweep`` makes them."""

    drop_each_partner: bool = False
    budget_cuts: list[Annotated[int, Field(ge=1, le=99)]] = Field(
        default_factory=list, max_length=20, description="Percents, each 1 to 99"
    )
    close_quarters: list[Annotated[int, Field(ge=1, le=4)]] = Field(
        default_factory=list, max_length=4, description="Calendar quarters, 1 to 4"
    )


class StudyRequest(Request):
    """A robustness study against the plan of a finished solve run."""

    committed_run: str = Field(
        ..., description="The solve run of the same workbook whose plan is kept"
    )
    samples: int = Field(20, ge=1, le=1000)
    seed: int = Field(0, ge=0)


class RunRequest(RunOptions):
    upload_id: str
    scenario: str | None = None
    against: str | None = Field(
        None,
        description="A finished solve of the same programme to re-plan against, "
        "changing as little as it must (the page sends the committed plan's run).",
    )
    freeze_before: dt.date | None = Field(
        None, description="With against: its events starting before this are kept."
    )
    pins: bool = Field(
        False,
        description="Plan the workbook with the programme's pins filled in "
        "(a new upload of it is kept).",
    )
    whatif: bool = Field(False, description="Plan the base and every scenario.")
    sweep: SweepRequest | None = Field(
        None, description="Make variants, re-plan each against the base, rank them."
    )
    study: StudyRequest | None = Field(
        None, description="Drawn futures re-planned against a committed plan."
    )


class RerunRequest(RunOptions):
    scenario: str | None = Field(None, description="Solves only: another scenario.")


class CommitRequest(Request):
    run_id: str = Field(..., description="The finished solve to commit")
    note: str = Field("", max_length=500, description="Why, for the history")


class SuggestRequest(Request):
    exercise_id: str = Field(..., max_length=200)
    top: int = Field(5, ge=1, le=10)


class PinRequest(Request):
    exercise_id: str = Field(..., max_length=200)
    start: dt.date = Field(..., description="The day it starts (its slot's)")
    venue_id: str = Field(..., max_length=200)
    freeze_before: dt.date | None = Field(
        None, description="Nothing starting before this moves, nothing moves into it"
    )


class PinAndReplan(PinRequest, RunOptions):
    run_id: str = Field(..., description="The solve whose plan the pin is made on")


class CompareRequest(Request):
    runs: list[str] = Field(..., min_length=2, description="Run ids, first = reference")


class SignIn(Request):
    name: str = Field(..., max_length=64)
    password: str = Field(..., max_length=1024)


class NewUser(Request):
    name: str = Field(..., max_length=64)
    role: str = Field(..., description=f"One of {', '.join(ROLES)}")
    password: str = Field(..., max_length=1024)


# answers ------------------------------------------------------------------


class Error(BaseModel):
    detail: str = Field(..., description="What went wrong, in words for the user.")


class Info(BaseModel):
    version: str
    max_solves: int
    max_upload_bytes: int
    max_validations: int
    engine: str
    keep_days: int | None
    keep_gb: float | None


class Finding(BaseModel):
    sheet: str
    cell: str
    message: str
    severity: str
    text: str


class Validation(BaseModel):
    valid: bool
    errors: list[Finding]
    warnings: list[Finding]
    scenarios: list[str]
    summary: str | None
    programme_id: str | None = Field(None, description="Which programme it plans")
    title: str | None = None


class Upload(BaseModel):
    upload_id: str | None = Field(
        ..., description="None: the workbook has errors and was not kept."
    )
    created: str
    file_name: str
    sha256: str
    size: int
    uploaded_by: str
    validation: Validation
    programme_id: str = ""
    title: str = ""
    pins: list[dict[str, str]] | None = Field(
        None, description="The pins the page wrote into it (None: as uploaded)"
    )


class Live(BaseModel):
    stage: str
    objective: float | None
    bound: float | None
    gap: float | None
    message: str
    lines: list[str]
    runs: list[int] | None = Field(None, description="Sweeps, studies: [done, of]")


class Run(BaseModel):
    id: str
    created: str
    upload_id: str
    file_name: str
    sha256: str
    kind: str = Field(..., description="solve, whatif, sweep or study")
    scenario: str | None
    options: dict[str, Any]
    state: str = Field(..., description="queued, running, done, cancelled, failed")
    status: str | None = Field(None, description="optimal, feasible, infeasible...")
    message: str
    objective: float | None
    terms: dict[str, float] | None
    bound: float | None
    gap: float | None
    timings: dict[str, float] | None
    files: list[str] | None
    started: str | None
    finished: str | None
    started_by: str = Field(..., description="Who asked for the run")
    programme_id: str = ""
    elapsed_s: float | None
    live: Live | None
    queue_position: int | None


class Comparison(BaseModel):
    labels: list[str]
    rows: list[list[str]]
    kpis: list[dict[str, Any]]
    differences: list[dict[str, Any]]
    warnings: list[str]
    plans: list[dict[str, Any]]


class Commit(BaseModel):
    id: int
    programme_id: str
    run_id: str
    at: str
    user: str
    note: str


class Pin(BaseModel):
    id: int
    programme_id: str
    exercise_id: str
    start: str
    venue_id: str
    run_id: str
    at: str
    user: str
    removed: str | None


class ProgrammeBrief(BaseModel):
    programme_id: str
    title: str
    versions: int
    updated: str
    committed: Commit | None


class Programme(ProgrammeBrief):
    uploads: list[Upload] = Field(..., description="Its versions, newest first")
    commits: list[Commit] = Field(..., description="Newest (the committed plan) first")
    pins: list[Pin] = Field(..., description="The pins in force")


class BrokenRule(BaseModel):
    rule: str
    says: str = Field(..., description="The rule, in words")
    message: str = Field(..., description="What breaks it")


class Placement(BaseModel):
    exercise_id: str
    start: str | None
    end: str | None
    venue_id: str
    participants: list[str]
    objective: int | None
    change: int | None = Field(None, description="Objective change against the plan")
    text: str
    rows: list[str] = Field(..., description="Refused: the workbook rows why")


class Suggestions(BaseModel):
    verdict: str
    unknown_exercise: bool
    findings: list[Finding]
    suggestions: list[Placement]


class PinCheck(BaseModel):
    verdict: str
    allowed: bool
    unknown_exercise: bool
    frozen: str = Field(..., description="Why the frozen past forbids it, or ''")
    broken: list[BrokenRule] = Field(..., description="What the pin alone breaks")
    clashes: list[BrokenRule] = Field(
        ..., description="What the rest of the plan breaks with it (the re-plan mends)"
    )
    change: int | None
    event: dict[str, Any] | None
    findings: list[Finding]


class Pinned(BaseModel):
    pin: Pin
    run: Run
    not_written: list[Finding] = Field(
        ..., description="Pins whose exercise this workbook lacks"
    )


class Me(BaseModel):
    name: str
    role: str
    via: str = Field(..., description="session, token, shared or open")


class User(BaseModel):
    name: str
    role: str
    created: str
    has_token: bool


class AuditEntry(BaseModel):
    id: int
    at: str
    user: str
    action: str
    target: str
    detail: str
    address: str
