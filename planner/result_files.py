"""A result's files and comparison.xlsx, with what they print reckoned here.

The writers (`planner.workbook.write`, `planner.workbook.result_json`,
`planner.workbook.compare_write`) print what they are handed: this module
reckons the plan's figures with `planner.figures` (as the independent checker
does), words the rows with `planner.explain`, lays out a comparison's
calendar with `planner.compare`, and hands them over as data (`ResultReport`).
It also reads a result back for comparing, recomputing the figures of a
hand-edited schedule.xlsx the same way.

It works at the application level, beside `whatif.py`, rather than inside
`planner/app/`: what-if runs write results and comparisons, and `planner.app`
calls `whatif`, so from inside the package `whatif` would import the package
that imports it (a cycle `tests/test_layers.py` refuses).
"""

from __future__ import annotations

from pathlib import Path

from planner.compare import calendar
from planner.domain import Plan, Problem, Result, Severity, Status
from planner.explain import conflict_heading, describe_goal, impossible_text, where
from planner.figures import (
    event_cost,
    goal_progress,
    objective_terms,
    organizer_spend,
    partner_spend,
    plan_kpis,
)
from planner.report import Comparison, Explanation, PlanFigures, ResultReport
from planner.results import ResultError, ResultSummary, load_result, summary_from_json
from planner.workbook.compare_write import write_comparison_file
from planner.workbook.read_schedule import read_plan, schedule_in
from planner.workbook.result_json import result_json
from planner.workbook.schedule_layout import unscheduled_exercises
from planner.workbook.write import write_result_files


def write_result(
    problem: Problem,
    result: Result,
    out_dir: Path,
    input_path: Path,
    explanation: Explanation | None = None,
) -> list[Path]:
    """Write schedule.xlsx and schedule.json (or, with no plan, no-plan.xlsx
    and no-plan.json) into ``out_dir``, as `write_result_files` says; return
    their paths."""
    report = result_report(problem, result, explanation)
    return write_result_files(problem, result, report, out_dir, input_path)


def plan_to_json(
    problem: Problem, result: Result, input_path: Path
) -> dict[str, object]:
    """Everything schedule.json holds for ``result``, as plain JSON values."""
    return result_json(problem, result, result_report(problem, result), input_path)


def result_report(
    problem: Problem, result: Result, explanation: Explanation | None = None
) -> ResultReport:
    """The figures and words a result's files print, reckoned as the checker
    reckons them."""
    plan = result.plan
    prices = explanation.budget_prices if explanation is not None else ()
    rows = explanation.conflict if explanation is not None else None
    return ResultReport(
        kpis=plan_kpis(problem, plan, result.baseline),
        goal_texts=tuple(describe_goal(problem, g) for g in problem.goals),
        plan=None if plan is None else plan_figures(problem, plan, result.baseline),
        impossible={
            e.id: impossible_text(e) for e in problem.exercises if e.impossible
        },
        pinned_left_out=(
            () if plan is None else tuple(pinned_left_out(problem, plan, explanation))
        ),
        explanation=explanation,
        conflict_heading="" if rows is None else conflict_heading(rows),
        budget_price_places=tuple(where(price.source) for price in prices),
    )


def plan_figures(
    problem: Problem, plan: Plan, baseline: Plan | None = None
) -> PlanFigures:
    """What ``plan`` amounts to: goal progress, the objective's terms, spend."""
    return PlanFigures(
        progress=tuple(goal_progress(problem, plan)),
        terms=objective_terms(problem, plan, baseline),
        organizer_spend=organizer_spend(problem, plan),
        partner_spend=partner_spend(problem, plan),
        event_costs=tuple(event_cost(problem, event) for event in plan.events),
    )


def pinned_left_out(
    problem: Problem, plan: Plan, explanation: Explanation | None = None
) -> list[str]:
    """A warning for each pinned exercise (fixed_start or fixed_venue) left out.

    Someone pinned it because it is meant to happen there and then; that the
    plan drops it is news to report loudly, not one reason among many. With an
    ``explanation``, its reason closes the warning.
    """
    why = explanation.why if explanation is not None else {}
    warnings = []
    for exercise_id in unscheduled_exercises(problem, plan):
        exercise = problem.exercise[exercise_id]
        pins = []
        if exercise.fixed_start is not None:
            day = problem.slot_start(exercise.fixed_start).isoformat()
            pins.append(f"fixed_start {day}")
        if exercise.fixed_venue:
            pins.append(f"fixed_venue {exercise.fixed_venue}")
        if not pins:
            continue
        text = (
            f"exercise {exercise.id} '{exercise.name}' is pinned "
            f"({', '.join(pins)}, {where(exercise.source)}) but left out of the plan"
        )
        reason = why.get(exercise.id)
        warnings.append(f"{text}: {reason}" if reason else f"{text}.")
    return warnings


def read_result(
    path: Path, problem: Problem | None = None, input_path: Path | None = None
) -> ResultSummary:
    """A result as `planner compare` sees it, from whatever `planner check` reads.

    A result folder or schedule.json carries its key figures. A schedule.xlsx,
    perhaps edited by hand, does not: its plan is read as `read_plan` reads
    it and its figures are recomputed against ``problem``, the workbook at
    ``input_path`` it was planned from. Raises `ResultError` saying why a
    file cannot be compared.
    """
    path = Path(path)
    file = (schedule_in(path) or path) if path.is_dir() else path
    if file.suffix.lower() not in (".xlsx", ".xlsm"):
        return load_result(path)
    if problem is None or input_path is None:
        raise ResultError(
            f"{file}: an Excel schedule holds no key figures; name the workbook "
            "it was planned from with --workbook to compare it"
        )
    plan, findings = read_plan(problem, file)
    if plan is None:
        errors = "; ".join(str(f) for f in findings if f.severity is Severity.ERROR)
        raise ResultError(f"{file}: cannot be compared ({errors})")
    data = plan_to_json(problem, Result(Status.FEASIBLE, plan), input_path)
    data["status"] = f"read from {file.name}"
    return summary_from_json(path, file, data)


def write_comparison(comparison: Comparison, path: Path) -> Path:
    """Write comparison.xlsx at ``path`` (a folder: comparison.xlsx in it):
    key figures, differences and each plan's calendar. Returns the path."""
    slot_dates, gantts = calendar(comparison)
    return write_comparison_file(comparison, slot_dates, gantts, path)
