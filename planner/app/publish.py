"""Everything written for one result, with what it prints reckoned here.

A result folder holds schedule.xlsx and schedule.json, the calendars
(schedule.ics, one per partner and venue) and the brief (brief.pdf and
brief.html), all of the same plan. The writers (`planner.outputs`) print what
they are handed: this module reckons the plan's figures with
`planner.figures` (as the independent checker does), words the rows with
`planner.explain.words`, and hands them over as records (`ResultReport`);
the brief gets the JSON just written, in memory. A run without a plan
writes no-plan.xlsx and no-plan.json and removes an earlier run's brief and
calendars, as it removes the earlier schedule: nobody should brief, or find
in a calendar, an old plan as this run's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from planner.differences import calendar
from planner.domain import Event, Plan, Problem, Result, unscheduled_exercises
from planner.explain.words import (
    conflict_heading,
    describe_goal,
    impossible_text,
    where,
)
from planner.figures import (
    event_cost,
    goal_progress,
    objective_terms,
    organizer_spend,
    partner_spend,
    plan_changes,
    plan_kpis,
)
from planner.outputs.brief import BRIEFS_DIR, HTML_NAME, PDF_NAME, write_brief
from planner.outputs.calendars import CALENDARS_DIR, PROGRAMME_ICS, write_calendars
from planner.outputs.comparison_xlsx import write_comparison_file
from planner.outputs.schedule_json import result_json
from planner.outputs.schedule_xlsx import write_result_files
from planner.report import (
    BaselineChange,
    Comparison,
    Explanation,
    PlanFigures,
    ResultReport,
    WrittenResult,
)
from planner.workbook.read_result import summary_from_json


@dataclass(frozen=True)
class ResultFiles:
    """The files of one result, and what its schedule.json (or no-plan.json)
    holds, for comparing it and briefing it without reading it back;
    ``warnings``: what the files could not show (a script no font prints)."""

    files: tuple[Path, ...]
    written: WrittenResult
    warnings: tuple[str, ...] = ()


def write_result(
    problem: Problem,
    result: Result,
    folder: Path,
    input_path: Path,
    explanation: Explanation | None = None,
    previous_dir: Path | None = None,
) -> ResultFiles:
    """Write every file of ``result`` into ``folder``.

    schedule.xlsx and schedule.json (or, with no plan, no-plan.xlsx and
    no-plan.json), then the calendars, whose SEQUENCE numbers continue those
    of the calendars already in ``folder`` or else in ``previous_dir`` (the
    baseline's result folder), then the brief.
    """
    files, written = write_schedule(problem, result, folder, input_path, explanation)
    if result.plan is None:
        remove_published(folder)
        return ResultFiles(tuple(files), written)
    files += write_calendars(problem, result.plan, folder, previous_dir)
    brief = write_brief(written, folder, partners=True)
    files += brief.files
    return ResultFiles(tuple(files), written, brief.warnings)


def write_schedule(
    problem: Problem,
    result: Result,
    folder: Path,
    input_path: Path,
    explanation: Explanation | None = None,
) -> tuple[list[Path], WrittenResult]:
    """Write schedule.xlsx and schedule.json (or, with no plan, no-plan.xlsx
    and no-plan.json) into ``folder``: their paths, and what the JSON holds."""
    report = result_report(problem, result, explanation)
    data = result_json(problem, result, report, input_path)
    files = write_result_files(problem, result, report, data, folder, input_path)
    return files, WrittenResult(summary_from_json(folder, files[1], data), data)


def remove_published(folder: Path) -> None:
    """Delete the brief and the calendars planner wrote into ``folder``."""
    for name in (PDF_NAME, HTML_NAME, PROGRAMME_ICS):
        (folder / name).unlink(missing_ok=True)
    for subfolder, patterns in (
        (CALENDARS_DIR, ("partner-*.ics", "venue-*.ics")),
        (BRIEFS_DIR, ("partner-*.pdf", "partner-*.html")),
    ):
        inside = folder / subfolder
        if inside.is_dir():
            for pattern in patterns:
                for path in inside.glob(pattern):
                    path.unlink()
            if not any(inside.iterdir()):
                inside.rmdir()


def result_folder(path: Path) -> Path:
    """The folder of a result given as a folder, schedule.json or .xlsx."""
    return path if path.is_dir() else path.parent


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
        baseline_changes=(
            ()
            if plan is None or result.baseline is None
            else tuple(baseline_changes(problem, plan, result.baseline))
        ),
    )


def baseline_changes(
    problem: Problem, plan: Plan, baseline: Plan
) -> list[BaselineChange]:
    """Each change from ``baseline`` to ``plan``, in words, in the
    programme's order (as the change term of the objective counts them)."""
    changes = plan_changes(problem, plan, baseline)
    before = {e.exercise_id: e for e in baseline.events}
    now = {e.exercise_id: e for e in plan.events}

    def day(event: Event) -> str:
        start = problem.slot_start(event.start)
        return f"{start.day} {start:%b %Y}"

    found = [
        BaselineChange(e, "moved", f"from {day(before[e])} to {day(now[e])}")
        for e in changes.moved
    ]
    found += [
        BaselineChange(
            e, "venue changed", f"from {before[e].venue_id} to {now[e].venue_id}"
        )
        for e in changes.venue_changed
    ]
    found += [BaselineChange(e, "dropped", "no longer held") for e in changes.dropped]
    found += [
        BaselineChange(e, "added", f"held from {day(now[e])} at {now[e].venue_id}")
        for e in changes.added
    ]
    found += [
        BaselineChange(e, f"partner {how}", partner)
        for e, partner, how in changes.partners
    ]
    order = {e.id: i for i, e in enumerate(problem.exercises)}
    return sorted(found, key=lambda c: order.get(c.exercise_id, len(order)))


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


def write_comparison(comparison: Comparison, path: Path) -> Path:
    """Write comparison.xlsx at ``path`` (a folder: comparison.xlsx in it):
    key figures, differences and each plan's calendar. Returns the path."""
    slot_dates, gantts = calendar(comparison)
    return write_comparison_file(comparison, slot_dates, gantts, path)
