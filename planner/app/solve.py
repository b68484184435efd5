"""Solving one workbook, start to finish, as ``planner solve`` does.

`solve_workbook` reads and validates the workbook (and a baseline), plans,
checks the plan with the independent checker, explains what is left out and
writes every file of the result. It reports progress to a callback and stops
when a cancel token is set, keeping the best plan found, which is still
checked and written; it never prints or exits, so any front end can call it,
and its outcome carries the one verdict a front end presents.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from planner.app.budget import RunBudget, SolveRequest
from planner.app.plans import plan_problem
from planner.app.progress import (
    EXPLAINING,
    READING,
    SEARCHING,
    WRITING,
    Report,
    teller,
)
from planner.app.publish import (
    check_result_folder,
    load_writers_aside,
    pinned_left_out,
    result_folder,
    write_result,
)
from planner.app.verdict import Verdict, plans_verdict
from planner.app.view import PlanView, plan_view
from planner.check import check_plan
from planner.domain import (
    CancelToken,
    Finding,
    Problem,
    Progress,
    Result,
    Violation,
)
from planner.explain.reasons import explain_result
from planner.outputs.files import OutputError
from planner.report import Explanation
from planner.workbook.read import read_problem
from planner.workbook.read_schedule import read_baseline


@dataclass(frozen=True)
class SolveOutcome:
    """Everything one solve did.

    ``result`` is None when the workbook (or the baseline) has errors:
    ``findings`` then says where (``problem`` is None when the workbook's
    own rows do); when the output folder cannot be written (``output_error``
    says why); or when a cancel came before any plan existed. ``cancelled``:
    the cancel token stopped the run; the best plan found (if any) was still
    checked and written, and the explanations stopped where they were.
    ``violations`` is the checker's verdict on the plan (empty: every hard
    rule holds); ``pinned_left_out`` warns of each pinned exercise the plan
    leaves out. ``files`` are what was written; ``timings`` the seconds each
    stage took.
    """

    findings: tuple[Finding, ...]
    problem: Problem | None = None
    result: Result | None = None
    explanation: Explanation | None = None
    view: PlanView | None = None
    violations: tuple[Violation, ...] = ()
    pinned_left_out: tuple[str, ...] = ()
    cancelled: bool = False
    files: tuple[Path, ...] = ()
    unprinted: tuple[str, ...] = ()  # what the files could not show, and why
    output_error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def verdict(self) -> Verdict:
        """How the solve ended (`planner.app.verdict`)."""
        if self.output_error is not None:
            return Verdict.OUTPUT_ERROR
        if self.result is None:
            return Verdict.STOPPED if self.cancelled else Verdict.INVALID
        if self.result.frozen_violations:
            return Verdict.INFEASIBLE
        return plans_verdict(
            [self.result.status], bool(self.violations), self.cancelled, False
        )

    @property
    def warnings(self) -> tuple[str, ...]:
        failures = () if self.result is None else self.result.failures
        return (*failures, *self.pinned_left_out, *self.unprinted)


def solve_workbook(
    path: str | Path,
    out_dir: str | Path,
    request: SolveRequest = SolveRequest(),  # noqa: B008 - frozen, never mutated
    progress: Report | None = None,
    cancel: CancelToken | None = None,
    read: Callable[[Problem, Sequence[Finding]], None] | None = None,
) -> SolveOutcome:
    """Read, plan, check, explain and write one programme, as ``planner solve``.

    Writes schedule.xlsx and schedule.json, the calendars and the brief into
    ``out_dir``. ``read`` hears the problem and what reading found once the
    workbook and any baseline are read, before the search. Once ``cancel``
    is set each stage stops as soon as it can: before a plan exists nothing
    is written; after, the best plan found is checked and written with the
    reasons found until then.
    """
    path, out_dir = Path(path), Path(out_dir)
    began = time.perf_counter() if request.began is None else request.began
    tell = teller(progress, began)
    timings: dict[str, float] = {}
    tell(READING)
    mark = time.perf_counter()
    problem, findings = read_problem(path, request.scenario)
    read_took = time.perf_counter() - mark
    if problem is None:
        timings["read_s"] = time.perf_counter() - began
        return SolveOutcome(tuple(findings), timings=timings)
    try:
        check_result_folder(
            out_dir
        )  # one that cannot be written fails before the search
    except OutputError as error:
        return SolveOutcome(
            tuple(findings), problem, output_error=str(error), timings=timings
        )
    previous = None
    if request.baseline is not None:
        previous, more = read_baseline(problem, request.baseline)
        findings = [*findings, *more]
        if previous is None:
            return SolveOutcome(tuple(findings), problem, timings=timings)
    timings["read_s"] = time.perf_counter() - began
    if read is not None:
        read(problem, findings)
    if _stopped(cancel):
        return SolveOutcome(tuple(findings), problem, cancelled=True, timings=timings)

    def searching(news: Progress) -> None:
        tell(SEARCHING, news.objective, news.bound)

    budget = RunBudget.of(problem, request, began, cancel, read_took)
    load_writers_aside()
    mark = time.perf_counter()
    result = plan_problem(
        problem,
        request.options,
        previous,
        request.freeze_before if previous is not None else None,
        searching,
        cancel,
        budget.search,
    )
    timings["solve_s"] = time.perf_counter() - mark
    if result.plan is None and _stopped(cancel):
        return SolveOutcome(tuple(findings), problem, cancelled=True, timings=timings)
    explanation = None
    if not result.frozen_violations and not _stopped(cancel):
        tell(EXPLAINING, result.objective, result.bound)
        mark = time.perf_counter()
        explanation = explain_result(
            problem, result, request.explain_all, until=budget.explaining
        )
        timings["explain_s"] = time.perf_counter() - mark
    tell(WRITING, result.objective, result.bound)
    mark = time.perf_counter()
    violations = [] if result.plan is None else check_plan(problem, result.plan)
    pinned: tuple[str, ...] = ()
    if result.plan is not None:
        pinned = tuple(pinned_left_out(problem, result.plan, explanation))
    files: tuple[Path, ...] = ()
    unprinted: tuple[str, ...] = ()
    output_error = None
    previous_dir = None if request.baseline is None else result_folder(request.baseline)
    try:
        written = write_result(
            problem,
            result,
            out_dir,
            path,
            explanation,
            previous_dir,
            cancel if request.stop_at_once else None,
        )
        files, unprinted = written.files, written.warnings
    except (OutputError, OSError) as error:
        output_error = str(error)
    timings["write_s"] = time.perf_counter() - mark
    timings["total_s"] = time.perf_counter() - began
    return SolveOutcome(
        findings=tuple(findings),
        problem=problem,
        result=result,
        explanation=explanation,
        view=plan_view(problem, result, explanation),
        violations=tuple(violations),
        pinned_left_out=pinned,
        cancelled=_stopped(cancel) or bool(result.statistics.get("interrupted")),
        files=files,
        unprinted=unprinted,
        output_error=output_error,
        timings=timings,
    )


def _stopped(cancel: CancelToken | None) -> bool:
    return cancel is not None and cancel.is_set()
