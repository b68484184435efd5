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
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from planner.app.publish import write_comparison, write_result
from planner.check import check_plan, frozen_violations
from planner.differences import compare
from planner.domain import (
    CancelToken,
    Plan,
    Problem,
    Progress,
    Result,
    SolveOptions,
    Status,
    Violation,
)
from planner.engines.base import Engine, Outcome, share_cores
from planner.model.baseline import freeze_slot
from planner.model.solve import solve
from planner.outputs.brief import write_brief
from planner.report import Comparison, WrittenResult, no_plan_text

BASE = "base"
COMPARISON_NAME = "comparison.xlsx"


def plan_problem(
    problem: Problem,
    options: SolveOptions,
    baseline: Plan | None = None,
    freeze_before: dt.date | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
) -> Result:
    """The best plan of ``problem``, re-planned against ``baseline`` if given,
    its events starting before ``freeze_before`` kept as they are.

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
    )


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


def replan_all(
    problems: Mapping[str, Problem],
    options: SolveOptions,
    baseline: Plan | None,
    engine: Engine,
    done: Callable[[Outcome[Result]], None] | None = None,
    freeze_before: dt.date | None = None,
    cancel: CancelToken | None = None,
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
    if not tasks:
        return {}
    return engine.run(run_replan, tasks, each.workers, done, cancel)


@dataclass(frozen=True)
class PlannedRun:
    """One plan of many, written: the base, a scenario, a variant or a sample."""

    name: str
    folder: Path
    problem: Problem
    result: Result
    written: WrittenResult  # what its schedule.json holds
    files: tuple[Path, ...] = ()
    violations: tuple[Violation, ...] = ()  # the checker's verdict; () = clean

    @property
    def line(self) -> str:
        """The line a person reads: its status, or that it has no plan and why."""
        if self.result.frozen_violations:
            return f"{self.name}: no plan (frozen events break a rule, see below)"
        if self.result.plan is None:
            return f"{self.name}: {no_plan_text(self.result.status)}"
        return f"{self.name}: {self.result.status}"


def write_run(
    name: str, problem: Problem, result: Result, folder: Path, input_path: Path
) -> PlannedRun:
    """Write one plan's files and record the checker's verdict on it."""
    written = write_result(problem, result, folder, input_path)
    violations = check_plan(problem, result.plan) if result.plan is not None else []
    return PlannedRun(
        name, folder, problem, result, written.written, written.files, tuple(violations)
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
    """
    result = plan_problem(problem, options, cancel=cancel)
    base = write_run(BASE, problem, result, out_dir / BASE, input_path)
    tell(base.line)
    if cancel is not None and cancel.is_set():
        return Variants(base, stopped=tuple(variants))
    taken = {BASE}
    folders = {name: out_dir / folder_name(name, taken) for name in variants}
    runs: dict[str, PlannedRun] = {}
    failed: dict[str, str] = {}
    stopped: list[str] = []

    def ended(outcome: Outcome[Result]) -> None:
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
        variants, options, base.result.plan, engine, ended, freeze_before, cancel
    )
    found = [runs[name] for name in variants if name in runs]
    found = list(order(base, found) if order else found)
    if not found:
        return Variants(base, stopped=tuple(stopped), failed=failed)
    comparison = compare([base.written.summary, *(r.written.summary for r in found)])
    if stopped or failed:
        comparison = replace(
            comparison, warnings=(*comparison.warnings, *_missing(stopped, failed))
        )
    files = [write_comparison(comparison, out_dir / COMPARISON_NAME)]
    if brief:
        files += write_brief(base.written, out_dir, comparison).files
    return Variants(
        base,
        tuple(found),
        tuple(stopped),
        failed,
        comparison,
        files[0],
        tuple(files),
    )


def _missing(stopped: Sequence[str], failed: Mapping[str, str]) -> list[str]:
    """What the comparison says of the plans it lacks."""
    lines = []
    if stopped:
        lines.append(f"not planned, the run was stopped first: {', '.join(stopped)}")
    for name, why in failed.items():
        lines.append(f"{name}: failed twice, no plan ({why})")
    return lines


def folder_name(variant: str, taken: set[str]) -> str:
    """A folder name for ``variant``: its name with only safe characters,
    never ``base`` or one already taken."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", variant).strip("._") or "scenario"
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{name}-{n}"
    taken.add(candidate.lower())
    return candidate
