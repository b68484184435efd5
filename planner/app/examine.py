"""Questions about one programme or one plan that write no result.

``planner explain`` asks why no plan exists, ``planner suggest`` where else an
exercise could go, ``planner check`` whether a schedule keeps every rule.
Each answer comes back as data with what reading found, so a front end says
where a workbook or a schedule is wrong before it says anything else.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from planner.app.progress import READING, SEARCHING, Report, teller
from planner.app.verdict import Verdict
from planner.check import check_plan
from planner.domain import CancelToken, Finding, Plan, Problem, Violation
from planner.explain.suggest import suggest
from planner.explain.words import Suggestion, explain_conflict
from planner.figures import objective_terms
from planner.model.conflicts import DEFAULT_LIMIT_S, conflict
from planner.report import Explanation
from planner.workbook.read import read_problem
from planner.workbook.read_schedule import read_plan


@dataclass(frozen=True)
class ConflictOutcome:
    """Why no plan exists, as ``planner explain`` says it.

    ``valid`` is False when the workbook has errors (``findings`` say where);
    ``conflict`` is None when a plan exists, else its ``lines`` name the
    fewest rows of the workbook that cannot all hold together.
    ``cancelled``: the cancel token stopped the search; nothing was found.
    """

    findings: tuple[Finding, ...]
    valid: bool
    conflict: Explanation | None = None
    cancelled: bool = False

    @property
    def verdict(self) -> Verdict:
        """Invalid input, stopped, no plan exists (the conflict found), or done
        (a plan exists)."""
        if not self.valid:
            return Verdict.INVALID
        if self.cancelled:
            return Verdict.STOPPED
        return Verdict.INFEASIBLE if self.conflict is not None else Verdict.DONE


def conflict_of_workbook(
    path: str | Path,
    scenario: str | None = None,
    time_limit_s: float = DEFAULT_LIMIT_S,
    progress: Report | None = None,
    cancel: CancelToken | None = None,
) -> ConflictOutcome:
    """The fewest rows of the workbook (with ``scenario`` applied) that
    together leave no plan, searched for at most ``time_limit_s``.

    ``progress`` hears of reading and searching; ``cancel``, once set, stops
    the search and the answer says so (Ctrl-C stops it as before).
    """
    tell = teller(progress, time.perf_counter())
    tell(READING)
    problem, findings = read_problem(path, scenario)
    if problem is None:
        return ConflictOutcome(tuple(findings), valid=False)
    tell(SEARCHING)
    try:
        rows = conflict(problem, time_limit_s, cancel=cancel)
    except KeyboardInterrupt:
        if cancel is None or not cancel.is_set():
            raise
        return ConflictOutcome(tuple(findings), True, cancelled=True)
    found = None if rows is None else explain_conflict(problem, rows)
    return ConflictOutcome(tuple(findings), True, found)


@dataclass(frozen=True)
class PlanReading:
    """A workbook and a plan read against it.

    ``findings`` are the workbook's (``valid`` False: it has errors, nothing
    more was read), ``plan_findings`` the plan's; ``plan`` is None when the
    plan could not be read (or was not, see ``valid``).
    """

    findings: tuple[Finding, ...]
    valid: bool
    plan_findings: tuple[Finding, ...] = ()
    plan: Plan | None = None

    @property
    def read(self) -> bool:
        """Both the workbook and the plan were read."""
        return self.valid and self.plan is not None


def _read_plan(problem: Problem, path: Path) -> tuple[Plan | None, tuple[Finding, ...]]:
    plan, findings = read_plan(problem, path)
    return plan, tuple(findings)


@dataclass(frozen=True)
class SuggestOutcome:
    """Other placements of one exercise, as ``planner suggest`` lists them.

    ``unknown_exercise``: the workbook has no such exercise (nothing else was
    done); ``suggestions`` are best first, empty unless the plan was read;
    ``problem`` (None unless the workbook was read) turns their slots into
    dates.
    """

    reading: PlanReading
    unknown_exercise: bool = False
    suggestions: tuple[Suggestion, ...] = ()
    cancelled: bool = False  # the cancel token stopped it: no suggestion
    problem: Problem | None = None

    @property
    def verdict(self) -> Verdict:
        if self.unknown_exercise or not self.reading.read:
            return Verdict.INVALID
        return Verdict.STOPPED if self.cancelled else Verdict.DONE

    def days(self, suggestion: Suggestion) -> tuple[dt.date, dt.date] | None:
        """The first and last day of a suggested placement (None: refused)."""
        if self.problem is None or suggestion.objective is None:
            return None
        exercise = self.problem.exercise[suggestion.exercise_id]
        last = suggestion.start + exercise.duration - 1
        return self.problem.slot_start(suggestion.start), self.problem.slot_end(last)


def suggest_placements(
    path: str | Path,
    result: str | Path,
    exercise_id: str,
    top: int = 5,
    at_venue: str | None = None,
    at_start: dt.date | None = None,
    scenario: str | None = None,
    progress: Report | None = None,
    cancel: CancelToken | None = None,
) -> SuggestOutcome:
    """The ``top`` best other placements of ``exercise_id`` with the rest of
    the plan in ``result`` kept (at ``at_venue`` or ``at_start`` if given).

    ``progress`` hears of reading and searching; ``cancel``, once set, stops
    the search and the answer says so (Ctrl-C stops it as before).
    """
    tell = teller(progress, time.perf_counter())
    tell(READING)
    problem, findings = read_problem(path, scenario)
    if problem is None:
        return SuggestOutcome(PlanReading(tuple(findings), valid=False))
    if exercise_id not in problem.exercise:
        return SuggestOutcome(PlanReading(tuple(findings), True), True)
    plan, plan_findings = _read_plan(problem, Path(result))
    reading = PlanReading(tuple(findings), True, plan_findings, plan)
    if plan is None:
        return SuggestOutcome(reading, problem=problem)
    start = None if at_start is None else problem.slot_of(at_start)
    tell(SEARCHING)
    try:
        found = suggest(
            problem,
            plan,
            exercise_id,
            top,
            at_venue,
            start,
            cancel=cancel,
            typed_start=at_start,
        )
    except KeyboardInterrupt:
        if cancel is None or not cancel.is_set():
            raise
        return SuggestOutcome(reading, cancelled=True, problem=problem)
    return SuggestOutcome(reading, suggestions=tuple(found), problem=problem)


@dataclass(frozen=True)
class CheckOutcome:
    """The independent checker's verdict on a schedule, as ``planner check``
    gives it: every rule it breaks, and the objective recomputed term by term
    (both empty unless the plan was read)."""

    reading: PlanReading
    violations: tuple[Violation, ...] = ()
    terms: dict[str, int] = field(default_factory=dict)

    @property
    def objective(self) -> int:
        return sum(self.terms.values())

    @property
    def verdict(self) -> Verdict:
        if not self.reading.read:
            return Verdict.INVALID
        return Verdict.BROKEN_RULES if self.violations else Verdict.DONE


def check_schedule(path: str | Path, schedule: str | Path) -> CheckOutcome:
    """Re-verify ``schedule`` (schedule.xlsx, schedule.json or a result
    folder) against the workbook at ``path``, independently of the solver."""
    problem, findings = read_problem(path)
    if problem is None:
        return CheckOutcome(PlanReading(tuple(findings), valid=False))
    plan, plan_findings = _read_plan(problem, Path(schedule))
    reading = PlanReading(tuple(findings), True, plan_findings, plan)
    if plan is None:
        return CheckOutcome(reading)
    violations = tuple(check_plan(problem, plan))
    return CheckOutcome(reading, violations, objective_terms(problem, plan))
