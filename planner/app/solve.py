"""Solving a workbook and answering what-if questions, start to finish.

`solve_workbook` does what ``planner solve`` does, in the same order: read and
validate, (re-)plan, check, explain what is left out, write schedule.xlsx and
schedule.json. `whatif_workbook` does what ``planner whatif`` does. Both
report progress to a callback and stop when a cancel token is set; neither
prints or exits, so any front end can call them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from planner.app.compare import ComparisonReport, report_of
from planner.app.reasons import explain_result
from planner.app.view import PlanView, plan_view
from planner.check import check_plan
from planner.domain import (
    Deadline,
    Finding,
    Plan,
    Problem,
    Progress,
    Result,
    SolveOptions,
    Status,
    Violation,
)
from planner.engines import LOCAL, EngineUnavailable, open_engine
from planner.explain import Explanation
from planner.model.search import CancelToken
from planner.publish import publish, result_folder
from planner.result_files import pinned_left_out, write_result
from planner.whatif import NoScenarios, freeze_slot, replan, run_whatif
from planner.workbook.output import OutputError, make_folder
from planner.workbook.read import read_problem, read_variants
from planner.workbook.read_schedule import read_baseline

# Share of the time limit kept for explanations when the search runs to its
# end, what writing the results takes, and how much of that may fall in the
# seconds a command may run past its limit: see `RunBudget`.
EXPLAIN_RESERVE = 0.1
WRITE_GRACE_S = 3.0
WRITE_BASE_S = 1.0
WRITE_PER_EXERCISE_S = 0.003
WRITE_PER_PARTNER_S = 0.01

# Stages a run goes through, as RunProgress.stage names them.
READING = "reading"
SEARCHING = "searching"
EXPLAINING = "explaining"
WRITING = "writing"
PLANNING = "planning"  # what-if: one line per finished plan


@dataclass(frozen=True)
class SolveRequest:
    """What to plan and how hard to search.

    ``scenario`` applies that scenario of the Scenarios sheet; ``baseline`` (a
    result folder or schedule file) re-plans against an earlier plan, its
    events before ``freeze_before`` kept; ``explain_all`` gives a reason for
    every exercise and goal left out (else the most valuable few).

    The time limit is the whole run's: from ``began`` (a `time.perf_counter`
    value, the command's start; default when `solve_workbook` is called)
    reading, the search, explanations and writing all fit in it.
    Explanations get what the search leaves, and ``explain_s`` more seconds
    when asked for.
    """

    options: SolveOptions = field(default_factory=SolveOptions)
    scenario: str | None = None
    explain_all: bool = False
    baseline: Path | None = None
    freeze_before: dt.date | None = None
    explain_s: float = 0.0
    began: float | None = None


@dataclass(frozen=True)
class RunBudget:
    """The moments one solve's steps must be done by, from one time limit.

    The command may end a few seconds after its limit; writing the results
    uses up to `WRITE_GRACE_S` of those, and what it takes beyond (it grows
    with the programme, `writing_s`) is kept free at the end of the limit.
    Before that the explanations get `EXPLAIN_RESERVE` of the limit and
    whatever the search leaves; the search may run until then.
    """

    search: Deadline
    explaining: Deadline

    @classmethod
    def of(cls, problem: Problem, request: SolveRequest, began: float) -> RunBudget:
        limit = request.options.limit_for(problem)
        end = Deadline(began + limit)
        writing = max(0.0, writing_s(problem) - WRITE_GRACE_S)
        explaining = EXPLAIN_RESERVE * limit
        return cls(
            search=end.earlier(writing + explaining),
            explaining=Deadline(end.at + request.explain_s).earlier(writing),
        )


def writing_s(problem: Problem) -> float:
    """Seconds to check the plan and write every file of its result, as
    measured on a loaded 2-core machine (benchmarks/RESULTS.md): a base for
    the brief's charts and the workbook, and a share per exercise and per
    partner (the schedule's rows, each partner's calendar)."""
    return (
        WRITE_BASE_S
        + WRITE_PER_EXERCISE_S * len(problem.exercises)
        + WRITE_PER_PARTNER_S * len(problem.partners)
    )


@dataclass(frozen=True)
class EngineChoice:
    """Where the plans run: ``local`` or ``ray`` (at ``address``; None: a Ray
    started on this machine)."""

    name: str = LOCAL
    address: str | None = None


def _no_hold(_: Result) -> None:
    """By default a run goes on to explain and write whatever the search found."""


def _skip_explanations(_: Result, __: KeyboardInterrupt) -> None:
    """By default an interrupt while explaining skips the explanations only."""


@dataclass(frozen=True)
class Stages:
    """What a front end does at the stages of one solve, beside progress.

    The defaults do nothing, as the web page wants. The command line uses
    them to keep its signal policy (`planner.interrupt`) without this layer
    knowing of terminals or signals: ``read`` hears the problem and what
    reading found once the workbook and any baseline are read, ``searched``
    the result as the search ends (to hold the plan, or to stop when there
    is none), ``explaining`` and ``writing`` wrap those
    stages, and ``explaining_stopped`` hears a KeyboardInterrupt that cut
    the explanations short (it may raise it again to end the run).
    """

    read: Callable[[Problem, Sequence[Finding]], None] = lambda _, __: None
    searched: Callable[[Result], None] = _no_hold
    explaining: Callable[[], AbstractContextManager[None]] = nullcontext
    writing: Callable[[], AbstractContextManager[None]] = nullcontext
    explaining_stopped: Callable[[Result, KeyboardInterrupt], None] = _skip_explanations


@dataclass(frozen=True)
class RunProgress:
    """A snapshot of a run for a live display: the stage, and while searching
    the best objective found, the bound and the gap between them."""

    stage: str
    elapsed_s: float
    objective: float | None = None
    bound: float | None = None
    message: str = ""
    runs: tuple[int, int] | None = None  # many plans (sweep, study): done of N

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return abs(self.bound - self.objective) / max(1.0, abs(self.bound))


@dataclass(frozen=True)
class SolveOutcome:
    """Everything one solve did.

    ``result`` is None when the workbook (or the baseline) has errors:
    ``findings`` then says where (``problem`` is None when the workbook's
    own rows do); or when the output folder cannot be written:
    ``output_error`` says why. ``cancelled``: the cancel token stopped the
    search; the best plan found (if any) was still checked and written, only
    the explanations were skipped. ``violations`` is the checker's verdict on
    the plan (empty: every hard rule holds); ``frozen`` names frozen events
    that break a rule; ``warnings`` what the plan does that its reader must
    hear of (a pinned exercise left out, a failure after the search that
    the plan survived). ``files`` are what was written;
    ``timings`` the seconds each stage took.
    """

    findings: tuple[Finding, ...]
    problem: Problem | None = None
    result: Result | None = None
    explanation: Explanation | None = None
    view: PlanView | None = None
    violations: tuple[Violation, ...] = ()
    frozen: tuple[str, ...] = ()
    pinned_left_out: tuple[str, ...] = ()
    cancelled: bool = False
    files: tuple[Path, ...] = ()
    output_error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def warnings(self) -> tuple[str, ...]:
        failures = () if self.result is None else self.result.failures
        return (*failures, *self.pinned_left_out)

    @property
    def status(self) -> Status | None:
        return None if self.result is None else self.result.status

    @property
    def objective(self) -> int | None:
        return None if self.result is None else self.result.objective

    @property
    def bound(self) -> float | None:
        return None if self.result is None else self.result.bound

    @property
    def gap(self) -> float | None:
        return None if self.result is None else self.result.gap

    @property
    def terms(self) -> dict[str, int]:
        return {} if self.result is None else dict(self.result.terms)


Report = Callable[[RunProgress], None]


def solve_workbook(
    path: str | Path,
    out_dir: str | Path,
    request: SolveRequest = SolveRequest(),
    progress: Report | None = None,
    cancel: CancelToken | None = None,
    stages: Stages = Stages(),
) -> SolveOutcome:
    """Read, plan, check, explain and write one programme, as ``planner solve``.

    Writes schedule.xlsx and schedule.json, the calendars and the brief into
    ``out_dir``. A cancel stops
    the search and keeps the best plan found: it is checked and written
    without explanations, which would take longer than the user wants to wait.
    A KeyboardInterrupt while explaining (Ctrl-C, or a front end's way to
    cancel then) skips the explanations and writes the plan all the same.
    """
    path, out_dir = Path(path), Path(out_dir)
    began = time.perf_counter() if request.began is None else request.began
    tell = teller(progress, began)
    timings: dict[str, float] = {}
    tell(READING)
    problem, findings = read_problem(path, request.scenario)
    if problem is None:
        timings["read_s"] = time.perf_counter() - began
        return SolveOutcome(tuple(findings), timings=timings)
    try:
        make_folder(out_dir)  # a folder that cannot be written fails before the search
    except OutputError as error:
        return SolveOutcome(
            tuple(findings), problem, output_error=str(error), timings=timings
        )
    previous, freeze = None, None
    if request.baseline is not None:
        previous, more = read_baseline(problem, request.baseline)
        findings = [*findings, *more]
        if previous is None:
            return SolveOutcome(tuple(findings), problem, timings=timings)
        if request.freeze_before is not None:
            freeze = freeze_slot(problem, request.freeze_before)
    timings["read_s"] = time.perf_counter() - began
    stages.read(problem, findings)

    def searching(news: Progress) -> None:
        tell(SEARCHING, news.objective, news.bound)

    budget = RunBudget.of(problem, request, began)
    mark = time.perf_counter()
    result = replan(
        problem, request.options, previous, freeze, searching, cancel, budget.search
    )
    timings["solve_s"] = time.perf_counter() - mark
    stages.searched(result)
    cancelled = cancel is not None and cancel.is_set()
    frozen = result.frozen_violations
    explanation = None
    if not frozen and not cancelled:
        tell(EXPLAINING, result.objective, result.bound)
        mark = time.perf_counter()
        try:
            with stages.explaining():
                explanation = explain_result(
                    problem, result, request.explain_all, until=budget.explaining
                )
        except KeyboardInterrupt as stop:  # Ctrl-C, or a cancel: the plan counts
            stages.explaining_stopped(result, stop)
            cancelled = True
        timings["explain_s"] = time.perf_counter() - mark
    tell(WRITING, result.objective, result.bound)
    mark = time.perf_counter()
    violations = _violations(problem, result.plan)
    pinned: tuple[str, ...] = ()
    if result.plan is not None:
        pinned = tuple(pinned_left_out(problem, result.plan, explanation))
    files: tuple[Path, ...] = ()
    output_error = None
    try:
        with stages.writing():
            files = tuple(write_result(problem, result, out_dir, path, explanation))
            previous_dir = (
                None if request.baseline is None else result_folder(request.baseline)
            )
            files += tuple(publish(problem, result, out_dir, previous_dir))
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
        frozen=frozen,
        pinned_left_out=pinned,
        cancelled=cancelled,
        files=files,
        output_error=output_error,
        timings=timings,
    )


@dataclass(frozen=True)
class PlanOutcome:
    """One plan of a what-if run: the base or a scenario, and its result."""

    name: str
    folder: Path
    view: PlanView
    violations: tuple[Violation, ...]
    result: Result


@dataclass(frozen=True)
class WhatifOutcome:
    """Everything a what-if run did, as ``planner whatif`` reports it.

    ``plans`` is empty when the base has errors (or its task failed);
    ``findings`` holds what reading said about the base (key ``base``) and
    each scenario; ``skipped`` the scenarios not planned because of their
    errors; ``comparison`` sets the plans side by side (None with fewer than
    two plans) and ``comparison_file`` is where it was written; ``failed``
    names each plan whose task failed twice, and why; ``interrupted``: a
    signal stopped the run and the plans found until then were kept;
    ``error`` says in one line why nothing was planned (no scenarios, the
    engine unavailable).
    """

    findings: dict[str, tuple[Finding, ...]]
    plans: tuple[PlanOutcome, ...] = ()
    skipped: tuple[str, ...] = ()
    comparison: ComparisonReport | None = None
    comparison_file: Path | None = None
    files: tuple[Path, ...] = ()
    failed: dict[str, str] = field(default_factory=dict)
    interrupted: bool = False
    cancelled: bool = False
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)


def whatif_workbook(
    path: str | Path,
    out_dir: str | Path,
    options: SolveOptions = SolveOptions(),  # noqa: B008 - frozen, never mutated
    scenarios: Sequence[str] | None = None,
    freeze_before: dt.date | None = None,
    progress: Report | None = None,
    cancel: CancelToken | None = None,
    engine: EngineChoice = EngineChoice(),
) -> WhatifOutcome:
    """Plan the base and every scenario (or ``scenarios``) side by side, each
    scenario re-planned against the base, as ``planner whatif``.

    The plans run in processes of their own (or as tasks on the ``engine``)
    and are not stopped one by one: a cancel set before the run starts plans
    nothing; set later, the caller stops the process this runs in. Locally,
    the base is planned in this process, which a signal stops cleanly
    (`planner.interrupt`).
    """
    path, out_dir = Path(path), Path(out_dir)
    began = time.perf_counter()
    tell = teller(progress, began)
    if cancel is not None and cancel.is_set():
        return WhatifOutcome({}, cancelled=True)
    try:
        runner = open_engine(engine.name, engine.address)
        try:
            tell(PLANNING)
            done = run_whatif(
                path,
                out_dir,
                options,
                scenarios,
                report=lambda line: tell(PLANNING, message=line),
                freeze_before=freeze_before,
                engine=None if runner.name == LOCAL else runner,
            )
        finally:
            runner.close()
    except (NoScenarios, EngineUnavailable) as error:
        return WhatifOutcome({}, error=str(error))
    findings = {name: tuple(found) for name, found in done.findings.items()}
    if done.base is None:
        return WhatifOutcome(findings, skipped=done.skipped, failed=dict(done.failed))
    names = [None, *(run.name for run in done.scenarios)]
    variants = read_variants(path, names)
    plans = []
    for run in (done.base, *done.scenarios):
        problem = variants[None if run is done.base else run.name][0]
        assert problem is not None  # it was planned, so it was valid
        view = plan_view(problem, run.result)
        plans.append(
            PlanOutcome(run.name, run.folder, view, run.violations, run.result)
        )
    files = [
        path
        for plan in plans
        for path in sorted(plan.folder.iterdir())
        if path.is_file()
    ]
    if done.comparison is not None:
        files.append(done.comparison)
    return WhatifOutcome(
        findings=findings,
        plans=tuple(plans),
        skipped=done.skipped,
        comparison=None if done.compared is None else report_of(done.compared),
        comparison_file=done.comparison,
        files=tuple(files),
        failed=dict(done.failed),
        interrupted=done.interrupted,
        timings={"total_s": time.perf_counter() - began},
    )


def _violations(problem: Problem, plan: Plan | None) -> list[Violation]:
    return [] if plan is None else check_plan(problem, plan)


def teller(progress: Report | None, began: float) -> Callable[..., None]:
    """``tell(stage, objective, bound, message)``: a RunProgress stamped with
    the time since ``began``, or nothing when no one listens."""

    def tell(
        stage: str,
        objective: float | None = None,
        bound: float | None = None,
        message: str = "",
    ) -> None:
        if progress is not None:
            elapsed = time.perf_counter() - began
            progress(RunProgress(stage, elapsed, objective, bound, message))

    return tell
