"""What if? The base plan, each scenario re-planned against it, side by side.

A staff planner asks "a partner announces an election: what changes, and what
does it cost us?". `run_whatif` answers for every scenario of the workbook's
Scenarios sheet at once: it plans the base programme, then re-plans each
scenario against the base plan with minimal change (the base plan is the
baseline, so only what must move moves), and writes one comparison of all.

Scenarios are solved in parallel, one process each, with CP-SAT's workers
shared out among them so the machine's cores are used once, not oversubscribed.
Given an engine (`planner.engines`, e.g. Ray), the base and every scenario are
tasks on it instead (`plan_variants`), as sweeps and robustness studies are.
A scenario whose rows are invalid is reported with its findings and skipped;
the others still run.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
import signal
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType

from planner.brief import write_brief
from planner.check import check_plan, frozen_violations
from planner.compare import Comparison, compare
from planner.domain import (
    Deadline,
    Finding,
    Plan,
    Problem,
    Progress,
    Result,
    Severity,
    SolveOptions,
    Status,
    Violation,
)
from planner.engines import Engine, Outcome, share_cores
from planner.interrupt import Interrupted, signals
from planner.model import solve
from planner.model.search import CancelToken
from planner.publish import publish
from planner.result_files import write_comparison, write_result
from planner.results import load_result, no_plan_text
from planner.workbook.read import read_variants

BASE = "base"
COMPARISON_NAME = "comparison.xlsx"
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
POLL_S = 0.1  # how often the parent looks for a stop while scenarios run


class NoScenarios(Exception):
    """The workbook asks no what-if question: its Scenarios sheet is empty."""


@dataclass(frozen=True)
class ScenarioRun:
    """One solved plan of a what-if run and where it was written."""

    name: str  # the scenario, or "base"
    folder: Path
    result: Result
    violations: tuple[Violation, ...] = ()  # the checker's verdict; () = clean

    @property
    def outcome(self) -> str:
        """The line a person reads: its status, or that it has no plan and why."""
        if self.result.frozen_violations:
            return f"{self.name}: no plan (frozen events break a rule, see below)"
        if self.result.plan is None:
            return f"{self.name}: {no_plan_text(self.result.status)}"
        return f"{self.name}: {self.result.status}"


@dataclass(frozen=True)
class WhatifResult:
    """Everything a what-if run did, for the CLI to print.

    ``findings`` holds, by scenario (``base`` for the workbook itself), what
    reading it reported; ``skipped`` the scenarios not solved because some of
    their findings are errors. ``comparison`` is None when there was nothing to
    compare (the base could not be read or no scenario could be solved).
    """

    base: ScenarioRun | None
    scenarios: tuple[ScenarioRun, ...] = ()
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()
    comparison: Path | None = None
    compared: Comparison | None = None  # what comparison.xlsx shows
    interrupted: bool = False  # Ctrl-C or SIGTERM: the plans found were kept
    # By name, why a plan whose task failed twice (a crashed worker, a lost
    # machine) has none; only with an engine.
    failed: dict[str, str] = field(default_factory=dict)


def run_whatif(
    path: str | Path,
    out_dir: str | Path,
    options: SolveOptions = SolveOptions(),  # noqa: B008 - frozen, never mutated
    scenarios: Sequence[str] | None = None,
    report: Callable[[str], None] | None = None,
    freeze_before: dt.date | None = None,
    engine: Engine | None = None,
) -> WhatifResult:
    """Plan the base, re-plan each scenario against it, compare them all.

    Writes ``out_dir/base/``, ``out_dir/<scenario>/`` (schedule.xlsx and
    schedule.json each, or no-plan.xlsx and no-plan.json for a run without a
    plan) and ``out_dir/comparison.xlsx`` (base first). ``scenarios`` picks
    some of the workbook's scenarios (default: all, in sheet order);
    ``report`` hears one line per finished plan, for a live display. Raises
    `NoScenarios`, before planning anything, when the workbook has none.
    When the base has no plan, each scenario is planned from scratch.
    ``freeze_before``: in every scenario, the base plan's events that start
    before that day keep their start, venue and participants; a scenario in
    which one of them breaks a rule has no plan, and its result's
    ``statistics["frozen_violations"]`` names each. With an ``engine`` the
    plans are tasks on it (`plan_variants`); without, the base is planned
    here and the scenarios in processes of this machine.
    """
    path, out_dir = Path(path), Path(out_dir)
    tell = report or (lambda _: None)
    variants = read_variants(path, None if scenarios is None else [None, *scenarios])
    problem, findings = variants.pop(None)
    all_findings = {BASE: findings}
    if problem is None:
        return WhatifResult(None, findings=all_findings, skipped=(BASE,))
    if not variants:
        raise NoScenarios(
            f"{path.name} has no scenarios, so there is nothing to compare: add "
            "rows to its Scenarios sheet (docs/workbook.md, Scenarios), or run "
            "planner solve to plan the base alone."
        )
    if engine is not None:
        problems, skipped = _valid_scenarios(variants, all_findings, tell)
        planned = plan_variants(
            problem, problems, out_dir, path, options, engine, tell, freeze_before
        )
        return replace(planned, findings=all_findings, skipped=tuple(skipped))
    base = _solve_and_write(problem, options, None, out_dir / BASE, path)
    tell(base.outcome)
    if _stop_asked(base.result):
        return WhatifResult(base, findings=all_findings, interrupted=True)
    problems, skipped = _valid_scenarios(variants, all_findings, tell)
    runs, interrupted = _solve_scenarios(
        problems, options, base.result.plan, out_dir, path, tell, freeze_before
    )
    comparison, compared = None, None
    if runs:
        folders = [base.folder, *(run.folder for run in runs)]
        compared = compare([load_result(folder) for folder in folders])
        with signals.writing():
            comparison = write_comparison(compared, out_dir / COMPARISON_NAME)
            write_brief(base.folder, folders[1:], out_dir)
    return WhatifResult(
        base,
        tuple(runs),
        all_findings,
        tuple(skipped),
        comparison,
        compared,
        interrupted,
    )


def _stop_asked(result: Result) -> bool:
    """Whether Ctrl-C or SIGTERM came: the search stopped, or the command noted it."""
    return bool(result.statistics.get("interrupted")) or signals.received is not None


def _valid_scenarios(
    variants: Mapping[str | None, tuple[Problem | None, list[Finding]]],
    all_findings: dict[str, list[Finding]],
    tell: Callable[[str], None],
) -> tuple[dict[str, Problem], list[str]]:
    """The scenarios to plan, and those skipped for their errors (told); the
    base (None), read with them, is not one of them."""
    problems: dict[str, Problem] = {}
    skipped: list[str] = []
    for name, (scenario, found) in variants.items():
        if name is None:
            continue
        all_findings[name] = found
        if scenario is None:
            skipped.append(name)
            tell(f"{name}: skipped, the scenario has errors")
        else:
            problems[name] = scenario
    return problems, skipped


def plan_variants(
    problem: Problem,
    variants: Mapping[str, Problem],
    out_dir: Path,
    input_path: Path,
    options: SolveOptions,
    engine: Engine,
    tell: Callable[[str], None] | None = None,
    freeze_before: dt.date | None = None,
    order: Callable[[ScenarioRun, Sequence[ScenarioRun]], Sequence[ScenarioRun]]
    | None = None,
) -> WhatifResult:
    """Plan ``problem`` (the base), then each variant against its plan.

    Each plan is a task on ``engine``, written to ``out_dir/<name>/`` and
    checked as it ends; ``comparison.xlsx`` sets the base and the variants
    side by side, in the order ``order(base, runs)`` gives them (default: as
    given).
    A task that fails twice is in the result's ``failed``; the others stand.
    """
    tell = tell or (lambda _: None)
    base_runs, failed = _solve_on_engine(
        {BASE: problem}, options, None, out_dir, input_path, tell, None, engine
    )
    if not base_runs:
        return WhatifResult(None, failed=failed)
    base = base_runs[0]
    runs, lost = _solve_on_engine(
        dict(variants),
        options,
        base.result.plan,
        out_dir,
        input_path,
        tell,
        freeze_before,
        engine,
    )
    runs = list(order(base, runs) if order else runs)
    comparison, compared = None, None
    if runs:
        folders = [base.folder, *(run.folder for run in runs)]
        compared = compare([load_result(folder) for folder in folders])
        with signals.writing():
            comparison = write_comparison(compared, out_dir / COMPARISON_NAME)
    return WhatifResult(
        base, tuple(runs), comparison=comparison, compared=compared, failed=lost
    )


@dataclass(frozen=True)
class ReplanTask:
    """One plan to find, as an engine ships it to a worker: the problem, how
    hard to search, and the plan it is re-planned against (if any)."""

    problem: Problem
    options: SolveOptions
    baseline: Plan | None = None
    freeze_before: dt.date | None = None


def run_replan(task: ReplanTask) -> Result:
    """One plan, re-planned against its baseline (run in an engine's worker)."""
    freeze = None
    if task.baseline is not None and task.freeze_before is not None:
        freeze = freeze_slot(task.problem, task.freeze_before)
    return replan(task.problem, task.options, task.baseline, freeze)


def replan_all(
    problems: Mapping[str, Problem],
    options: SolveOptions,
    baseline: Plan | None,
    engine: Engine,
    done: Callable[[Outcome[Result]], None] | None = None,
    freeze_before: dt.date | None = None,
) -> dict[str, Outcome[Result]]:
    """Every problem re-planned against ``baseline`` on ``engine``.

    The cores (``options.workers``, or all the engine has) are shared out
    before the tasks leave, so each task carries its own worker count and
    the same task finds the same plan on any engine.
    """
    cores = options.workers or engine.cores()
    each = replace(options, workers=share_cores(cores, len(problems)))
    tasks = {
        name: ReplanTask(problem, each, baseline, freeze_before)
        for name, problem in problems.items()
    }
    return engine.run(run_replan, tasks, each.workers, done) if tasks else {}


def _solve_on_engine(
    problems: dict[str, Problem],
    options: SolveOptions,
    baseline: Plan | None,
    out_dir: Path,
    input_path: Path,
    tell: Callable[[str], None],
    freeze_before: dt.date | None,
    engine: Engine,
) -> tuple[list[ScenarioRun], dict[str, str]]:
    """Solve the scenarios on ``engine``; write and check each plan as it ends.

    Returns the runs in the order of ``problems`` and, by name, why each
    scenario whose task failed twice has no run.
    """
    taken = {BASE}
    folders = {
        name: out_dir / (BASE if name == BASE else folder_name(name, taken))
        for name in problems
    }
    runs: dict[str, ScenarioRun] = {}
    failed: dict[str, str] = {}

    def write(outcome: Outcome[Result]) -> None:
        name = outcome.name
        if outcome.value is None:
            failed[name] = outcome.error or "failed"
            tell(f"{name}: failed ({failed[name]})")
            return
        runs[name] = _written(
            name, problems[name], outcome.value, folders[name], input_path
        )
        tell(runs[name].outcome)

    replan_all(problems, options, baseline, engine, write, freeze_before)
    return [runs[name] for name in problems if name in runs], failed


def freeze_slot(problem: Problem, day: dt.date) -> int:
    """The first slot starting on or after ``day``: ``--freeze-before`` as a slot.

    An event that started before ``day`` is frozen, even when ``day`` falls
    in the middle of its first week.
    """
    slot = problem.slot_of(day)
    return slot if problem.slot_start(slot) == day else slot + 1


def errors(findings: Sequence[Finding]) -> list[Finding]:
    """The findings that stop a scenario from being planned."""
    return [f for f in findings if f.severity is Severity.ERROR]


def folder_name(scenario: str, taken: set[str]) -> str:
    """A folder name for ``scenario``: its name with only safe characters,
    never ``base`` or one already taken."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", scenario).strip("._") or "scenario"
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{name}-{n}"
    taken.add(candidate.lower())
    return candidate


def workers_each(options: SolveOptions, parallel: int) -> int:
    """CP-SAT workers per scenario: the cores shared out, at least one each."""
    cores = options.workers or os.cpu_count() or 1
    return max(1, cores // max(1, parallel))


def _solve_scenarios(
    problems: dict[str, Problem],
    options: SolveOptions,
    baseline: Plan | None,
    out_dir: Path,
    input_path: Path,
    tell: Callable[[str], None],
    freeze_before: dt.date | None = None,
) -> tuple[list[ScenarioRun], bool]:
    """Solve each scenario in its own process; write and check each plan.

    Processes are spawned, not forked: the parent has run CP-SAT's threads,
    and a forked child of a threaded process may inherit a held lock.

    On Ctrl-C or SIGTERM every scenario is told to stop (`_Stop`) and
    returns the best plan it found, which is written; scenarios not started
    are left out. Returns the runs and whether the run was interrupted.
    """
    if not problems:
        return [], False
    cores = options.workers or os.cpu_count() or 1
    parallel = min(len(problems), cores)
    each = replace(options, workers=workers_each(options, parallel))
    taken = {BASE}
    folders = {name: out_dir / folder_name(name, taken) for name in problems}
    context = multiprocessing.get_context("spawn")
    runs = []
    stop = _Stop()
    with ProcessPoolExecutor(
        max_workers=parallel, mp_context=context, initializer=_in_scenario_process
    ) as pool:
        with _signals_blocked():  # until each process has its handlers
            futures = {
                name: pool.submit(_replan, problem, each, baseline, freeze_before)
                for name, problem in problems.items()
            }
        stop.futures = list(futures.values())
        for name, future in futures.items():
            result = stop.wait(future)
            if result is None:
                tell(f"{name}: not planned (interrupted)")
                continue
            run = _written(name, problems[name], result, folders[name], input_path)
            tell(run.outcome)
            runs.append(run)
    return runs, stop.asked


class _Stop:
    """Ctrl-C or SIGTERM while scenarios run: each one is told to stop.

    The signal reaches the parent (raised as KeyboardInterrupt, or noted by
    the command's handler); it is passed on to every scenario process as
    SIGINT, whose search then stops and returns its best plan.
    """

    def __init__(self) -> None:
        self.asked = False
        self.futures: list[Future[Result | None]] = []

    def wait(self, future: Future[Result | None]) -> Result | None:
        """The scenario's result; None when it was stopped before a plan."""
        while True:
            try:
                if not self.asked and signals.received is not None:
                    raise Interrupted(signals.received)
                return future.result(timeout=POLL_S)
            except FutureTimeout:
                continue
            except CancelledError:
                return None
            except KeyboardInterrupt:
                self._ask()

    def _ask(self) -> None:
        if self.asked:
            return
        self.asked = True
        for future in self.futures:
            future.cancel()  # those not started yet
        for child in multiprocessing.active_children():
            os.kill(child.pid, signal.SIGINT)  # type: ignore[arg-type]


@contextmanager
def _signals_blocked() -> Iterator[None]:
    """SIGINT and SIGTERM held back while scenario processes are started.

    A spawned process inherits the blocked mask, so a signal during its start
    waits until `_in_scenario_process` has set its handlers, instead of
    ending it with a traceback. In the parent a held signal arrives after.
    """
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


_searching = False  # in a scenario process: whether a signal may stop it now


def _in_scenario_process() -> None:
    """Set up a scenario process: signals stop its search, nothing else.

    The parent decides when the run ends and passes a signal on; a process
    ended by one would take its plan with it and break the pool.
    """
    for signum in STOP_SIGNALS:
        signal.signal(signum, _stop_search)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _stop_search(signum: int, frame: FrameType | None) -> None:
    if _searching:
        raise KeyboardInterrupt


def replan(
    problem: Problem,
    options: SolveOptions,
    baseline: Plan | None = None,
    freeze_before: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
    deadline: Deadline | None = None,
) -> Result:
    """Plan ``problem`` against a ``baseline``, its events before a slot
    frozen, by ``deadline`` (default: the time limit from now).

    A frozen event that breaks a hard rule of ``problem`` is named, not
    silently dropped: no search is run, the result is infeasible, without a
    plan, and ``statistics["frozen_violations"]`` holds each message.
    """
    if baseline is not None and freeze_before is not None:
        broken = frozen_violations(problem, baseline, freeze_before)
        if broken:
            return Result(
                status=Status.INFEASIBLE,
                plan=None,
                baseline=baseline,
                statistics={"frozen_violations": [v.message for v in broken]},
            )
    return solve(
        problem,
        options,
        progress,
        baseline=baseline,
        freeze_before=freeze_before,
        cancel=cancel,
        deadline=deadline,
    )


def _replan(
    problem: Problem,
    options: SolveOptions,
    baseline: Plan | None,
    freeze_before: dt.date | None = None,
) -> Result | None:
    """One scenario, re-planned against the base plan (run in a worker process).

    None when a signal stopped it before it had a plan.
    """
    global _searching
    freeze = None
    if baseline is not None and freeze_before is not None:
        freeze = freeze_slot(problem, freeze_before)
    _searching = True
    try:
        result = replan(problem, options, baseline, freeze)
    except KeyboardInterrupt:
        return None
    finally:
        _searching = False
    if result.plan is None and result.statistics.get("interrupted"):
        return None
    return result


def _solve_and_write(
    problem: Problem,
    options: SolveOptions,
    baseline: Plan | None,
    folder: Path,
    input_path: Path,
) -> ScenarioRun:
    result = solve(problem, options, baseline=baseline)
    if result.plan is None and _stop_asked(result):
        raise Interrupted(signals.received or signal.SIGINT)
    if result.plan is not None:
        signals.holding_plan()
    return _written(BASE, problem, result, folder, input_path)


def _written(
    name: str, problem: Problem, result: Result, folder: Path, input_path: Path
) -> ScenarioRun:
    """Write one result, its calendars and brief; record the checker's verdict."""
    with signals.writing():
        write_result(problem, result, folder, input_path)
        publish(problem, result, folder)
    violations = check_plan(problem, result.plan) if result.plan is not None else []
    return ScenarioRun(name, folder, result, tuple(violations))
