"""The app layer's results as JSON for the page and the API.

The server calls `planner.app` and turns what it returns into plain JSON here,
in one place; nothing here plans, reads or writes workbooks itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from planner.app.budget import SolveRequest
from planner.app.compare import ComparisonReport
from planner.app.programme import replan
from planner.app.progress import RunProgress
from planner.app.robustness import StudyOutcome, robustness_workbook
from planner.app.solve import SolveOutcome, solve_workbook
from planner.app.sweep import SweepOutcome, SweepSpec, sweep_workbook
from planner.app.validate import Validation
from planner.app.verdict import Verdict
from planner.app.whatif import WhatifOutcome, whatif_workbook
from planner.domain import EngineChoice, Finding, SolveOptions
from planner.report import FATES, PLAN_WORDS
from planner.serve.storage import CANCELLED, DONE, FAILED, UPLOAD_NAME


def to_json(value: Any) -> Any:
    """Dataclasses, dates, paths, enums, sets and mappings as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return value.name
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_json(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def finding_json(finding: Finding, file_name: str | None = None) -> dict[str, str]:
    """A finding as JSON; one about the stored upload as a whole names the
    file as the user called it (``file_name``)."""
    sheet = finding.sheet
    if file_name is not None and sheet == UPLOAD_NAME:
        sheet = file_name
    return {
        "sheet": sheet,
        "cell": finding.cell,
        "message": finding.message,
        "severity": str(finding.severity),
        "text": f"{sheet}!{finding.cell}: {finding.message}"
        if finding.cell
        else f"{sheet}: {finding.message}",
    }


def validation_json(validation: Validation, file_name: str) -> dict[str, Any]:
    programme = validation.programme
    return {
        "valid": validation.valid,
        "errors": [finding_json(f, file_name) for f in validation.errors],
        "warnings": [finding_json(f, file_name) for f in validation.warnings],
        "scenarios": list(validation.scenarios),
        "summary": validation.summary,
        "programme_id": None if programme is None else programme.id,
        "title": None if programme is None else programme.title,
    }


def progress_json(progress: RunProgress) -> dict[str, Any]:
    return {
        "stage": progress.stage,
        "elapsed_s": progress.elapsed_s,
        "objective": progress.objective,
        "bound": progress.bound,
        "gap": progress.gap,
        "message": progress.message,
        "runs": None if progress.runs is None else list(progress.runs),
    }


def comparison_json(report: ComparisonReport) -> dict[str, Any]:
    comparison = report.comparison
    return {
        "labels": list(comparison.labels),
        "rows": [list(row) for row in report.rows],
        "kpis": to_json(comparison.kpis),
        "differences": [{**to_json(d), "text": str(d)} for d in comparison.differences],
        "warnings": list(comparison.warnings),
        "plans": [
            {
                "label": result.label,
                "status": result.status,
                "planning_start": result.planning_start.isoformat(),
                "planning_end": result.planning_end.isoformat(),
                "events": to_json(result.events),
                "exercises": to_json(result.exercises),
            }
            for result in comparison.results
        ],
    }


def solve_options(options: Mapping[str, Any]) -> SolveOptions:
    return SolveOptions(
        time_limit_s=options.get("time_limit_s"),
        workers=int(options.get("workers") or 0),
        seed=int(options.get("seed") or 0),
        deterministic=bool(options.get("deterministic")),
    )


def run_job(
    job: Any, progress: Callable[[dict[str, Any]], None], cancel: Any
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Run one job through the app layer: its final state, the figures the
    database keeps, and the view the result page draws."""

    def tell(news: RunProgress) -> None:
        progress(progress_json(news))

    options = solve_options(job.options)
    if job.kind in ("sweep", "study"):
        return run_many(job, tell, options, cancel)
    if job.kind == "whatif":
        done = whatif_workbook(
            job.workbook,
            job.folder,
            options,
            progress=tell,
            cancel=cancel,
            engine=EngineChoice(**job.options.get("engine", {})),
        )
        return _whatif_record(done, job.folder)
    request = SolveRequest(
        options=options,
        scenario=job.scenario,
        explain_all=bool(job.options.get("explain_all")),
    )
    if job.committed is None:
        outcome = solve_workbook(job.workbook, job.folder, request, tell, cancel)
        return _solve_record(outcome, job.folder)
    freeze = job.options.get("freeze_before")
    again = replan(
        job.workbook,
        job.folder,
        job.committed,
        None if freeze is None else dt.date.fromisoformat(freeze),
        request,
        tell,
        cancel,
    )
    state, record, view = _solve_record(again.solved, job.folder)
    view["changes"] = None if again.changes is None else comparison_json(again.changes)
    view["changes_error"] = again.changes_error
    return state, record, view


def _solve_record(
    outcome: SolveOutcome, folder: Path
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    view = {
        "kind": "solve",
        "findings": [finding_json(f) for f in outcome.findings],
        "plan": to_json(outcome.view),
        "violations": [str(v) for v in outcome.violations],
        "warnings": list(outcome.warnings),
        "cancelled": outcome.cancelled,
    }
    result = outcome.result
    record: dict[str, Any] = {
        "status": None if result is None else str(result.status),
        "objective": None if result is None else result.objective,
        "terms": {} if result is None else dict(result.terms),
        "bound": None if result is None else to_json(result.bound),
        "gap": None if result is None else to_json(result.gap),
        "timings": outcome.timings,
        "files": [str(p.relative_to(folder)) for p in outcome.files],
        "message": _solve_message(outcome),
    }
    return STATES.get(outcome.verdict, DONE), record, view


# The run's state in the history, by verdict; any other verdict is done.
STATES = {
    Verdict.INTERRUPTED: CANCELLED,
    Verdict.STOPPED: CANCELLED,
    Verdict.INVALID: FAILED,
    Verdict.OUTPUT_ERROR: FAILED,
    Verdict.FAILED: FAILED,
}


def _solve_message(outcome: SolveOutcome) -> str:
    """The verdict's words (`planner.app.verdict`), with the run's own figures."""
    verdict = outcome.verdict
    held = len(outcome.view.events) if outcome.view is not None else 0
    result = outcome.result
    if verdict is Verdict.OUTPUT_ERROR and outcome.output_error:
        return outcome.output_error
    if verdict is Verdict.INVALID:
        errors = [f for f in outcome.findings if str(f.severity) == "error"]
        return f"The workbook has {len(errors)} error(s); nothing was planned."
    if result is not None and result.frozen_violations:
        frozen = len(result.frozen_violations)
        return f"{frozen} frozen event(s) break a rule; no plan."
    if verdict is Verdict.BROKEN_RULES:
        return f"{verdict.words} ({len(outcome.violations)} rule(s))"
    if verdict is Verdict.INTERRUPTED:
        return f"Cancelled: the best plan found ({held} exercises held) was kept."
    if verdict is Verdict.DONE and result is not None:
        found = PLAN_WORDS.get(result.status, f"plan {result.status}")
        return f"{found.capitalize()}: {held} exercises held; every hard rule holds."
    return verdict.words


def _whatif_record(
    done: WhatifOutcome, folder: Path
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    view = {
        "kind": "whatif",
        "findings": {
            name: [finding_json(f) for f in found]
            for name, found in done.findings.items()
        },
        "skipped": list(done.skipped),
        "plans": [
            {
                "name": plan.name,
                "folder": str(plan.folder.relative_to(folder)),
                "plan": to_json(plan.view),
                "violations": [str(v) for v in plan.violations],
            }
            for plan in done.plans
        ],
        "comparison": None
        if done.comparison is None
        else comparison_json(done.comparison),
    }
    base = done.plans[0].view if done.plans else None
    record: dict[str, Any] = {
        "status": None if base is None else base.status,
        "objective": None if base is None else base.objective,
        "terms": {} if base is None else base.terms,
        "bound": None if base is None else to_json(base.bound),
        "gap": None if base is None else to_json(base.gap),
        "timings": done.timings,
        "files": [str(p.relative_to(folder)) for p in done.files],
    }
    verdict = done.verdict
    state = STATES.get(verdict, DONE)
    if not done.plans:
        message = done.error or verdict.words
        if verdict is Verdict.INVALID and done.error is None:
            message = "The workbook has errors; nothing was planned."
        return state, record | {"message": message}, view
    skipped = f"; skipped (errors): {', '.join(done.skipped)}" if done.skipped else ""
    stopped = f"; not planned (cancelled): {', '.join(done.stopped)}"
    record["message"] = (
        f"{len(done.plans)} plans: "
        + ", ".join(f"{p.name} {p.view.status}" for p in done.plans)
        + skipped
        + (stopped if done.stopped else "")
    )
    return state, record, view


def run_many(
    job: Any, tell: Callable[[RunProgress], None], options: SolveOptions, cancel: Any
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A sweep or a robustness study, on the engine the server was started
    with; progress says how many runs are done of how many."""
    engine = EngineChoice(**job.options.get("engine", {}))
    if job.kind == "sweep":
        asked = job.options["sweep"]
        spec = SweepSpec(
            bool(asked.get("drop_each_partner")),
            tuple(asked.get("budget_cuts") or ()),
            tuple(asked.get("close_quarters") or ()),
        )
        swept = sweep_workbook(
            job.workbook, job.folder, spec, options, engine, tell, cancel=cancel
        )
        return _sweep_record(swept, job.folder)
    asked = job.options["study"]
    studied = robustness_workbook(
        job.workbook,
        job.committed,
        job.folder,
        int(asked["samples"]),
        int(asked.get("seed") or 0),
        options,
        engine,
        tell,
        cancel,
    )
    return _study_record(studied, job.folder)


def _sweep_record(
    done: SweepOutcome, folder: Path
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    view = {
        "kind": "sweep",
        "findings": [finding_json(f) for f in done.findings],
        "impacts": [
            {
                "name": i.name,
                "description": i.description,
                "status": i.status,
                "objective_loss": i.objective_loss,
                "lost": i.lost,
                "moved": i.moved,
            }
            for i in done.impacts
        ],
        "failed": done.failed,
        "comparison": None
        if done.comparison is None
        else comparison_json(done.comparison),
    }
    record: dict[str, Any] = {
        "files": [str(p.relative_to(folder)) for p in done.files],
    }
    if done.error or not done.impacts:
        errors = [f for f in done.findings if str(f.severity) == "error"]
        message = done.error or f"The workbook has {len(errors)} error(s)."
        return FAILED, record | {"message": message}, view
    failed = f"; {len(done.failed)} failed twice" if done.failed else ""
    worst = done.impacts[0]
    record["message"] = (
        f"{len(done.impacts)} variants re-planned{failed}; the most harmful: "
        f"{worst.name} ({worst.description})."
    )
    return DONE, record, view


def _study_record(
    done: StudyOutcome, folder: Path
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    study = done.study
    record: dict[str, Any] = {
        "files": [str(p.relative_to(folder)) for p in done.files],
    }
    view: dict[str, Any] = {
        "kind": "study",
        "findings": [finding_json(f) for f in done.findings],
        "warnings": list(done.warnings),
    }
    if study is None:
        errors = [f for f in done.findings if str(f.severity) == "error"]
        message = done.error or f"The workbook has {len(errors)} error(s)."
        return FAILED, record | {"message": message}, view
    view |= {
        "samples": len(study.samples),
        "planned": study.planned,
        "seed": study.seed,
        "fates": list(FATES),
        "exercises": [
            {
                "exercise_id": t.exercise_id,
                "name": t.name,
                "mandatory": t.mandatory,
                "counts": dict(t.counts),
            }
            for t in study.fragile_first
        ],
        "goals": [g.__dict__ for g in study.goals],
        "sample_rows": [
            {"name": s.draw.name, "drawn": str(s.draw), "status": s.status}
            for s in study.samples
        ],
        "failed": study.failed,
    }
    record["message"] = (
        f"{len(study.samples)} samples (seed {study.seed}): {study.planned} "
        "re-planned against the committed plan."
    )
    return DONE, record, view
