"""A programme lived with for a year: its committed plan, re-plans against
it, and exercises placed by hand.

A planning cell commits a plan once it is content with it: the plan becomes
the baseline that every later plan of the programme is made against, and its
calendars are what partners have. When the world changes (a new version of
the workbook, a pin), `replan` plans again against the committed plan with
the fewest changes it must make, the past (before a freeze date) kept as it
is, and says what changed, exercise by exercise. A commit is only ever made
of a plan the independent checker passes (`planner.app.examine.check_schedule`).

A planner who wants an exercise elsewhere pins it: `check_pin` checks the
place at once against every hard rule (the checker names the rule a pin
breaks on its own; clashes with other events are for the re-plan to solve),
and `write_pinned_workbook` writes the pins back into the workbook as the
exercises' fixed_start and fixed_venue, the workbook the re-plan reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from planner.app.budget import SolveRequest
from planner.app.compare import ComparisonReport, compare_results
from planner.app.examine import PlanReading
from planner.app.progress import Report
from planner.app.solve import SolveOutcome, solve_workbook
from planner.app.validate import Validation, validate_workbook
from planner.app.verdict import Verdict
from planner.app.view import EventView, event_view
from planner.check import check_plan, pin_violations
from planner.domain import (
    CancelToken,
    Event,
    Exercise,
    Finding,
    Pin,
    Plan,
    Problem,
    Violation,
)
from planner.explain.reasons import PROBE_LIMIT_S, plan_objective
from planner.model.probe import placements
from planner.outputs.files import OutputError
from planner.report import ResultError
from planner.workbook.pins import write_pins
from planner.workbook.read import read_problem
from planner.workbook.read_schedule import read_plan

COMMITTED_LABEL = "committed plan"
REPLAN_LABEL = "this plan"


# --- re-planning against the committed plan -----------------------------------


@dataclass(frozen=True)
class ReplanOutcome:
    """A plan made against the committed plan, and what changed.

    ``changes`` sets the committed plan and the new one side by side, every
    difference listed per exercise (None when no plan was written, or the
    committed plan could not be read: ``changes_error`` says why).
    """

    solved: SolveOutcome
    changes: ComparisonReport | None = None
    changes_error: str | None = None

    @property
    def verdict(self) -> Verdict:
        return self.solved.verdict


def replan(
    path: str | Path,
    out_dir: str | Path,
    committed: Path,
    freeze_before: dt.date | None,
    request: SolveRequest,
    progress: Report | None = None,
    cancel: CancelToken | None = None,
) -> ReplanOutcome:
    """Plan the workbook at ``path`` against the committed plan (the result
    folder ``committed``), as ``planner solve --baseline COMMITTED
    --freeze-before DATE`` does: the fewest changes it must make, events
    starting before ``freeze_before`` kept as they are; then what changed.
    ``request`` says how hard to search (its baseline and freeze are these)."""
    asked = replace(request, baseline=committed, freeze_before=freeze_before)
    solved = solve_workbook(path, out_dir, asked, progress, cancel)
    if solved.view is None or not solved.view.events or solved.output_error:
        return ReplanOutcome(solved)
    try:
        changes = compare_results(
            [committed, Path(out_dir)], (COMMITTED_LABEL, REPLAN_LABEL)
        )
    except ResultError as error:
        return ReplanOutcome(solved, changes_error=str(error))
    return ReplanOutcome(solved, changes)


# --- pins -------------------------------------------------------------------------


@dataclass(frozen=True)
class PinCheck:
    """What holding one exercise where a planner asks would do.

    ``broken`` are the hard rules the pinned exercise breaks on its own (the
    independent checker's words): the pin can never hold. ``frozen`` says
    why the frozen past forbids it ("" when it does not). Otherwise the pin
    may be made: ``event`` is the exercise there with the partners that suit
    it (in dates); ``change`` the objective change with the rest of the plan
    kept as it is (None when no such plan exists: ``clashes`` then lists what
    the rest of the plan breaks with it, which the re-plan mends by moving
    others).
    """

    reading: PlanReading
    pin: Pin
    unknown_exercise: bool = False
    frozen: str = ""
    broken: tuple[Violation, ...] = ()
    event: EventView | None = None
    change: int | None = None
    clashes: tuple[Violation, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.reading.read and not (
            self.unknown_exercise or self.frozen or self.broken
        )

    @property
    def verdict(self) -> Verdict:
        if self.unknown_exercise or not self.reading.read:
            return Verdict.INVALID
        return Verdict.DONE if self.allowed else Verdict.BROKEN_RULES


def check_pin(
    path: str | Path,
    result: str | Path,
    pin: Pin,
    freeze_before: dt.date | None = None,
    scenario: str | None = None,
    cancel: CancelToken | None = None,
) -> PinCheck:
    """Check ``pin`` against the plan in ``result`` of the workbook at ``path``.

    First what the frozen past allows (nothing starting before
    ``freeze_before`` moves, nothing moves into it), then every hard rule
    the exercise alone breaks there, by the independent checker; then, with
    the rest of the plan kept, the model's best partners and the objective
    change, or the clashes the checker finds.
    """
    problem, findings = read_problem(path, scenario)
    if problem is None:
        return PinCheck(PlanReading(tuple(findings), valid=False), pin)
    exercise = problem.exercise.get(pin.exercise_id)
    if exercise is None:
        return PinCheck(PlanReading(tuple(findings), True), pin, unknown_exercise=True)
    plan, plan_findings = read_plan(problem, Path(result))
    reading = PlanReading(tuple(findings), True, tuple(plan_findings), plan)
    if plan is None:
        return PinCheck(reading, pin)
    frozen = _frozen(problem, plan, pin, freeze_before)
    if frozen:
        return PinCheck(reading, pin, frozen=frozen)
    start = problem.slot_of(pin.start)
    alone = Event(
        exercise.id,
        start,
        pin.venue_id,
        _likely_partners(problem, plan, exercise, start),
    )
    broken = tuple(pin_violations(problem, alone))
    if broken:
        return PinCheck(reading, pin, broken=broken, event=event_view(problem, alone))
    current = plan.by_exercise.get(exercise.id)
    if current is not None and (current.start, current.venue_id) == (
        start,
        pin.venue_id,
    ):
        return PinCheck(reading, pin, event=event_view(problem, current), change=0)
    free = unpinned(problem, exercise.id)
    found = placements(
        free, plan, exercise.id, 1, pin.venue_id, start, PROBE_LIMIT_S, cancel
    )
    if found:
        best = found[0]
        change = best.objective - plan_objective(problem, plan)
        return PinCheck(
            reading, pin, event=event_view(problem, best.event), change=change
        )
    moved = Plan((*(e for e in plan.events if e.exercise_id != exercise.id), alone))
    before = set(check_plan(free, plan))
    clashes = tuple(v for v in check_plan(free, moved) if v not in before)
    return PinCheck(reading, pin, event=event_view(problem, alone), clashes=clashes)


def unpinned(problem: Problem, exercise_id: str) -> Problem:
    """``problem`` with the exercise free of the workbook's own fixed start
    and venue, which a pin replaces."""
    exercises = tuple(
        replace(e, fixed_start=None, fixed_venue=None) if e.id == exercise_id else e
        for e in problem.exercises
    )
    return replace(problem, exercises=exercises)


def _frozen(
    problem: Problem, plan: Plan, pin: Pin, freeze_before: dt.date | None
) -> str:
    """Why the frozen past forbids the pin ("" when it does not)."""
    if freeze_before is None:
        return ""
    current = plan.by_exercise.get(pin.exercise_id)
    if current is not None and problem.slot_start(current.start) < freeze_before:
        return (
            f"{pin.exercise_id} starts {problem.slot_start(current.start)}, before "
            f"{freeze_before}: the past is kept as it is, so it cannot move"
        )
    if pin.start < freeze_before:
        return (
            f"{pin.start} is before {freeze_before}: the past is kept as it is, "
            "so nothing moves into it"
        )
    return ""


def _likely_partners(
    problem: Problem, plan: Plan, exercise: Exercise, start: int
) -> tuple[str, ...]:
    """The partners the pinned exercise would have: every required one, then
    those it has in the plan and then the other invited ones, as long as they
    are free throughout, until it has its fewest (or as many as in the plan).
    """
    last = start + exercise.duration - 1
    current = plan.by_exercise.get(exercise.id)
    had = current.participants if current is not None else ()
    wanted = max(exercise.min_partners, len(had))
    chosen = list(exercise.required_partners)
    for partner_id in dict.fromkeys([*had, *exercise.invited_partners]):
        if len(chosen) >= wanted:
            break
        partner = problem.partner.get(partner_id)
        if partner is None or partner_id in chosen:
            continue
        if not any(period.touches(start, last) for period in partner.unavailable):
            chosen.append(partner_id)
    return tuple(chosen)


@dataclass(frozen=True)
class PinnedWorkbook:
    """A workbook written with pins filled in, and what validate says of it.

    ``findings`` are the pins that could not be written (their exercise has
    no row: the rest were); ``validation`` is None when the file could not be
    written (``output_error`` says why).
    """

    path: Path
    findings: tuple[Finding, ...] = ()
    validation: Validation | None = None
    output_error: str | None = None

    @property
    def verdict(self) -> Verdict:
        if self.output_error is not None:
            return Verdict.OUTPUT_ERROR
        if self.validation is None or not self.validation.valid:
            return Verdict.INVALID
        return Verdict.DONE


def write_pinned_workbook(
    source: Path, pins: Sequence[Pin], target: Path
) -> PinnedWorkbook:
    """Write ``source`` to ``target`` with each pin as its exercise's
    fixed_start and fixed_venue, then validate what was written."""
    try:
        findings = write_pins(source, pins, target)
    except (OutputError, OSError) as error:
        return PinnedWorkbook(target, output_error=str(error))
    return PinnedWorkbook(target, tuple(findings), validate_workbook(target))


def pins_of(rows: Sequence[dict[str, str]]) -> tuple[Pin, ...]:
    """Pins from plain values (``exercise_id``, ``start`` as YYYY-MM-DD,
    ``venue_id``), as a front end keeps them."""
    return tuple(
        Pin(row["exercise_id"], dt.date.fromisoformat(row["start"]), row["venue_id"])
        for row in rows
    )
