"""Planning a problem, and many problems side by side against one base.

`plan_problem` is how the application layer asks for one plan: the frozen
events of a baseline are first checked by the independent checker (a frozen
event that breaks a rule cannot be repaired, so it is named instead of
searched around), then `planner.model.solve.solve` searches. `plan_variants`
is what a what-if run and a sweep share: the base planned here, every
variant re-planned against the base plan as a task on an engine, each plan
checked and written as it ends, and a comparison of all.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from planner.app.budget import RunBudget, SolveRequest
from planner.app.publish import planner_wrote, write_comparison, write_result, writing_s
from planner.check import check_plan, frozen_violations
from planner.differences import compare
from planner.domain import (
    CancelToken,
    Deadline,
    Plan,
    Problem,
    Progress,
    Result,
    SolveOptions,
    Status,
    Violation,
)
from planner.engines.base import Engine, Outcome, Value, Work, share_cores
from planner.explain.reasons import explain_result
from planner.model.baseline import freeze_slot
from planner.model.solve import solve
from planner.outputs.brief import write_brief
from planner.outputs.comparison_xlsx import COMPARISON_NAME
from planner.outputs.files import moved, publish_folder
from planner.report import Comparison, Explanation, ResultSummary, no_plan_text

BASE = "base"
# What a run of many plans adds to each plan's time limit: starting the
# engine's worker processes (a spawned Python importing the solver, on the
# shared 2-core machine) and the comparison and brief written at the end.
START_S = 5.0


def plan_problem(
    problem: Problem,
    options: SolveOptions,
    baseline: Plan | None = None,
    freeze_before: dt.date | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
    deadline: Deadline | None = None,
) -> Result:
    """The best plan of ``problem`` by ``deadline`` (default: the time limit
    from now), re-planned against ``baseline`` if given, its events starting
    before ``freeze_before`` kept as they are.

    A frozen event that breaks a hard rule of ``problem`` is named, not
    silently dropped: no search is run, the result is infeasible, without a
    plan, and its ``frozen_violations`` say what each breaks.
    """
    freeze = None
    if baseline is not None and freeze_before is not None:
        freeze = freeze_slot(problem, freeze_before)
        broken = frozen_violations(problem, baseline, freeze)
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
        freeze_before=freeze,
        cancel=cancel,
        deadline=deadline,
    )


def run_bound(
    problem: Problem,
    plans: int,
    options: SolveOptions,
    engine: Engine,
    base: bool = True,
) -> tuple[float, str]:
    """How long a run of ``plans`` plans on ``engine`` takes at most, and the
    line that says so before it starts: each plan searches for at most the
    time limit and is then written, ``base`` (planned here first) alone, the
    others as many at a time as the engine runs.

    A what-if, a sweep and a study each tell it up front, so a planner who
    asks for 40 variants at 300 s each knows to come back in an hour.
    """
    limit = options.limit_for(problem)
    each = limit + writing_s(problem)
    cores = options.workers or engine.cores()
    parallel = max(1, min(plans, engine.cores() // share_cores(cores, plans)))
    rounds = math.ceil(plans / parallel) if plans else 0
    bound = (each if base else 0.0) + START_S + rounds * each
    counted = f"{plans} plan" + ("s" if plans != 1 else "")
    what = f"the base and {plans} other plan" + ("s" if plans != 1 else "")
    if not base:
        what = counted
    line = (
        f"Planning {what}, each searched for at most {limit:g} s, {parallel} at "
        f"a time: the whole run ends within about {_duration(bound)}."
    )
    return bound, line


def _duration(seconds: float) -> str:
    """``seconds`` rounded up, in minutes from two minutes on."""
    if seconds < 120:
        return f"{math.ceil(seconds)} s"
    return f"{math.ceil(seconds / 60)} min"


@dataclass(frozen=True)
class ReplanTask:
    """One plan to find, as an engine ships it to a worker: the problem, how
    hard to search, and the plan it is re-planned against (if any)."""

    problem: Problem
    options: SolveOptions
    baseline: Plan | None = None
    freeze_before: dt.date | None = None


def run_replan(task: ReplanTask, cancel: CancelToken | None) -> Result:
    """One plan, re-planned against its baseline (run in an engine's worker)."""
    return plan_problem(
        task.problem, task.options, task.baseline, task.freeze_before, cancel=cancel
    )


@dataclass(frozen=True)
class Explained:
    """A plan and why it leaves out what it does, as `planner solve` says
    it (None: cancelled first, or frozen events that break a rule)."""

    result: Result
    explanation: Explanation | None = None


def plan_explained(
    problem: Problem,
    options: SolveOptions,
    baseline: Plan | None = None,
    freeze_before: dt.date | None = None,
    cancel: CancelToken | None = None,
) -> Explained:
    """The best plan of ``problem`` and its reasons, both within its time
    limit from now, split as `planner solve` splits it (`RunBudget`): the
    search leaves the explanations their share, and writing its time.

    Without a plan the reasons are the fewest rows that conflict, the
    answer ``planner explain`` gives.
    """
    budget = RunBudget.of(problem, SolveRequest(options), time.perf_counter(), cancel)
    result = plan_problem(
        problem, options, baseline, freeze_before, cancel=cancel, deadline=budget.search
    )
    if result.frozen_violations or budget.explaining.cancelled():
        return Explained(result)
    return Explained(result, explain_result(problem, result, until=budget.explaining))


def run_explained(task: ReplanTask, cancel: CancelToken | None) -> Explained:
    """One plan and its reasons, re-planned against its baseline (run in an
    engine's worker, so the explanations share the task's time limit)."""
    return plan_explained(
        task.problem, task.options, task.baseline, task.freeze_before, cancel
    )


def replan_all(
    work: Work[ReplanTask, Value],
    problems: Mapping[str, Problem],
    options: SolveOptions,
    baseline: Plan | None,
    engine: Engine,
    done: Callable[[Outcome[Value]], None] | None = None,
    freeze_before: dt.date | None = None,
    cancel: CancelToken | None = None,
) -> dict[str, Outcome[Value]]:
    """``work`` (`run_replan`, `run_explained`) on every problem re-planned
    against ``baseline`` on ``engine``.

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
    if not tasks:
        return {}
    return engine.run(work, tasks, each.workers, done, cancel)


@dataclass(frozen=True)
class PlannedRun:
    """One plan of many, written: the base, a scenario, a variant or a sample."""

    name: str
    folder: Path
    problem: Problem
    result: Result
    summary: ResultSummary  # what its schedule.json holds
    files: tuple[Path, ...] = ()
    violations: tuple[Violation, ...] = ()  # the checker's verdict; () = clean
    explanation: Explanation | None = None  # its reasons, as in schedule.json

    @property
    def line(self) -> str:
        """The line a person reads: its status, or that it has no plan and why."""
        if self.result.frozen_violations:
            return f"{self.name}: no plan (frozen events break a rule, see below)"
        if self.result.plan is None:
            return f"{self.name}: {no_plan_text(self.result.status)}"
        return f"{self.name}: {self.result.status}"


def write_run(
    name: str, problem: Problem, found: Explained, folder: Path, input_path: Path
) -> PlannedRun:
    """Write one plan's files, with its reasons, and record the checker's
    verdict on it."""
    result, explanation = found.result, found.explanation
    written = write_result(problem, result, folder, input_path, explanation)
    violations = check_plan(problem, result.plan) if result.plan is not None else []
    return PlannedRun(
        name,
        folder,
        problem,
        result,
        written.summary,
        written.files,
        tuple(violations),
        explanation,
    )


@dataclass(frozen=True)
class Variants:
    """The base and its variants, planned and written.

    ``runs`` are the variants that have a result, in the comparison's order;
    ``stopped`` names those a stop left unplanned, ``failed`` (by name, why)
    those whose task failed twice. ``comparison`` sets the base and the runs
    side by side (None with no run), written to ``comparison_file``.
    """

    base: PlannedRun
    runs: tuple[PlannedRun, ...] = ()
    stopped: tuple[str, ...] = ()
    failed: dict[str, str] = field(default_factory=dict)
    comparison: Comparison | None = None
    comparison_file: Path | None = None
    files: tuple[Path, ...] = ()

    @property
    def plans(self) -> tuple[PlannedRun, ...]:
        return (self.base, *self.runs)


def plan_variants(
    problem: Problem,
    variants: Mapping[str, Problem],
    out_dir: Path,
    input_path: Path,
    options: SolveOptions,
    engine: Engine,
    tell: Callable[[str], None],
    freeze_before: dt.date | None = None,
    order: Callable[[PlannedRun, Sequence[PlannedRun]], Sequence[PlannedRun]]
    | None = None,
    cancel: CancelToken | None = None,
    brief: bool = False,
) -> Variants:
    """Plan ``problem`` (the base) here, then each variant against its plan
    on ``engine``, each written to ``out_dir/<name>/`` and checked as it
    ends; comparison.xlsx sets them side by side, in the order ``order(base,
    runs)`` gives (default: as given), and with ``brief`` the brief of the
    base shows them beside it. When the base has no plan, each variant is
    planned from scratch. Once ``cancel`` is set, variants not yet planned
    are left out (``stopped``) and every plan found is still written.

    ``out_dir`` changes as a whole once every plan is written
    (`publish_folder`): a kill or a full disk before leaves the earlier
    run's folder as it was. Raises `OutputError` for a folder that cannot
    be written or holds files planner did not write.
    """

    def plan_into(stage: Path) -> Variants:
        planned = plan_explained(problem, options, cancel=cancel)
        base = write_run(BASE, problem, planned, stage / BASE, input_path)
        tell(base.line)
        if cancel is not None and cancel.is_set():
            return Variants(base, stopped=tuple(variants))
        taken = {BASE}
        folders = {name: stage / folder_name(name, taken) for name in variants}
        runs: dict[str, PlannedRun] = {}
        failed: dict[str, str] = {}
        stopped: list[str] = []

        def ended(outcome: Outcome[Explained]) -> None:
            name = outcome.name
            if outcome.value is None:
                if outcome.stopped:
                    stopped.append(name)
                    tell(f"{name}: not planned (interrupted)")
                else:
                    failed[name] = outcome.error or "failed"
                    tell(f"{name}: failed ({failed[name]})")
                return
            runs[name] = write_run(
                name, variants[name], outcome.value, folders[name], input_path
            )
            tell(runs[name].line)

        replan_all(
            run_explained,
            variants,
            options,
            base.result.plan,
            engine,
            ended,
            freeze_before,
            cancel,
        )
        found = [runs[name] for name in variants if name in runs]
        found = list(order(base, found) if order else found)
        if not found:
            return Variants(base, stopped=tuple(stopped), failed=failed)
        comparison = compare([base.summary, *(r.summary for r in found)])
        if stopped or failed:
            comparison = replace(
                comparison, warnings=(*comparison.warnings, *_missing(stopped, failed))
            )
        files = [write_comparison(comparison, stage / COMPARISON_NAME)]
        if brief:
            files += write_brief(base.summary, stage, comparison).files
        return Variants(
            base,
            tuple(found),
            tuple(stopped),
            failed,
            comparison,
            files[0],
            tuple(files),
        )

    def write(stage: Path) -> Variants:
        return _moved(plan_into(stage), stage, out_dir)

    return publish_folder(out_dir, write, planner_wrote)


def _moved(planned: Variants, stage: Path, out_dir: Path) -> Variants:
    """``planned`` as it reads once ``stage`` became ``out_dir``."""

    def run(planned_run: PlannedRun) -> PlannedRun:
        return replace(
            planned_run,
            folder=moved(planned_run.folder, stage, out_dir),
            files=tuple(moved(path, stage, out_dir) for path in planned_run.files),
            summary=replace(
                planned_run.summary,
                path=moved(planned_run.summary.path, stage, out_dir),
            ),
        )

    comparison_file = planned.comparison_file
    return replace(
        planned,
        base=run(planned.base),
        runs=tuple(map(run, planned.runs)),
        comparison_file=None
        if comparison_file is None
        else moved(comparison_file, stage, out_dir),
        files=tuple(moved(path, stage, out_dir) for path in planned.files),
    )


def _missing(stopped: Sequence[str], failed: Mapping[str, str]) -> list[str]:
    """What the comparison says of the plans it lacks."""
    lines = []
    if stopped:
        lines.append(f"not planned, the run was stopped first: {', '.join(stopped)}")
    for name, why in failed.items():
        lines.append(f"{name}: failed twice, no plan ({why})")
    return lines


FOLDER_NAME_LENGTH = 60


def folder_name(variant: str, taken: set[str]) -> str:
    """A folder name for ``variant``: its name with only safe characters, at
    most `FOLDER_NAME_LENGTH` of them (a scenario's name is any text; a path
    part over 255 bytes cannot be written), never ``base`` or one already
    taken."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", variant)[:FOLDER_NAME_LENGTH]
    name = safe.strip("._") or "scenario"
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{name}-{n}"
    taken.add(candidate.lower())
    return candidate
