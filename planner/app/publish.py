"""Everything written for one result, with what it prints reckoned here.

A result folder holds schedule.xlsx and schedule.json, the calendars
(schedule.ics, one per partner and venue) and the brief (brief.pdf and
brief.html), all of the same plan. The writers (`planner.outputs`) print what
they are handed: this module reckons the plan's figures with
`planner.figures` (as the independent checker does), words the rows with
`planner.explain.words`, and hands them over as records (`ResultReport`);
the brief gets the JSON just written, in memory. The folder changes as a
whole (`planner.outputs.files.publish_folder`): a run without a plan leaves
only no-plan.xlsx and no-plan.json, and no stop, kill or full disk leaves a
new schedule beside an old brief or calendars. A folder holding files
planner did not write (`planner_wrote` says which it does), or made
read-only, is refused before the search.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from planner.differences import calendar
from planner.domain import (
    CancelToken,
    Event,
    Plan,
    Problem,
    Result,
    unscheduled_exercises,
)
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
from planner.outputs.brief import (
    BRIEFS_DIR,
    HTML_NAME,
    PDF_NAME,
    load_renderer,
    write_brief,
)
from planner.outputs.brief.content import MAX_EVENT_ROWS
from planner.outputs.calendars import CALENDARS_DIR, PROGRAMME_ICS, write_calendars
from planner.outputs.comparison_xlsx import COMPARISON_NAME, write_comparison_file
from planner.outputs.files import (
    check_publishable,
    is_temporary,
    moved,
    publish_folder,
)
from planner.outputs.schedule_json import result_json
from planner.outputs.schedule_xlsx import NO_PLAN_XLSX, write_result_files
from planner.outputs.study_xlsx import ROBUSTNESS_NAME
from planner.report import (
    JSON_NAME,
    NO_PLAN_JSON,
    XLSX_NAME,
    BaselineChange,
    Comparison,
    Explanation,
    PlanFigures,
    ResultReport,
    ResultSummary,
)
from planner.workbook.read_result import summary_from_json

# Checking a plan and writing every file of its result, on the shared 2-core
# machine beside other engineers' work (benchmarks/RESULTS.md, issues 5 and
# 20, measured with benchmarks/write_time.py): the schedule and calendars
# take a base, a share per exercise (the workbook's rows, the calendars'
# events) and per partner (its calendar); the brief a base for its charts
# and a share per exercise up to the rows its table holds (its chart and
# table of every event), most of all the writing. Writing takes at least
# WRITE_PER_READ times what reading the workbook took, which slows with the
# machine as writing does (dense xl under a load of 6.6 on 2 cores: read
# 2.6 s, write 8.9 s).
WRITE_BASE_S = 0.5
WRITE_PER_EXERCISE_S = 0.005
WRITE_PER_PARTNER_S = 0.01
BRIEF_BASE_S = 1.5
BRIEF_PER_EXERCISE_S = 0.017
WRITE_PER_READ = 3.5
# ... but at most this many times the size alone asks: the slowest writing
# seen was 4.1 times it (days l under a load of 7 on 2 cores), and a reading
# slowed by something else (a cold disk, a workbook on a network share) must
# not take a small programme's whole search.
WRITE_SLOWDOWN_MAX = 4.0
# After Ctrl-C or SIGTERM the user wants out: the brief is still written if
# it takes no more than this, else the user is told how to make it.
STOP_GRACE_S = 2.5


def writing_s(problem: Problem, read_s: float = 0.0) -> float:
    """Seconds writing the result of ``problem`` may take, its workbook read
    in ``read_s``: what the time limit keeps free for it."""
    sized = (
        WRITE_BASE_S
        + WRITE_PER_EXERCISE_S * len(problem.exercises)
        + WRITE_PER_PARTNER_S * len(problem.partners)
        + brief_s(problem)
    )
    return max(sized, min(WRITE_PER_READ * read_s, WRITE_SLOWDOWN_MAX * sized))


def brief_s(problem: Problem) -> float:
    """Seconds writing the brief of ``problem`` may take: the largest part
    of writing, and one a stopped run may leave for later."""
    rows = min(len(problem.exercises), MAX_EVENT_ROWS)
    return BRIEF_BASE_S + BRIEF_PER_EXERCISE_S * rows


def brief_now(problem: Problem, cancel: CancelToken | None) -> bool:
    """Whether to write the brief of ``problem`` now: always, unless a
    signal asked the run to stop and the brief would not fit in
    `STOP_GRACE_S` (``planner brief`` makes it later)."""
    stopping = cancel is not None and cancel.is_set()
    return not stopping or brief_s(problem) <= STOP_GRACE_S


def brief_later(folder: Path) -> str:
    """What a stopped run says of the brief it left for later."""
    return (
        "brief.pdf and brief.html were not written, so as to stop at once; "
        f"make them with: planner brief {folder}"
    )


def load_writers_aside() -> threading.Thread:
    """Start loading the brief's renderer in a thread of its own, to be
    called as the search starts: CP-SAT's search leaves the interpreter to
    it, and the writing that follows finds it loaded."""
    loading = threading.Thread(target=load_renderer, name="load-brief-renderer")
    loading.start()
    return loading


@dataclass(frozen=True)
class ResultFiles:
    """The files of one result, and what its schedule.json (or no-plan.json)
    holds, for comparing it and briefing it without reading it back;
    ``warnings``: what the files could not show (a script no font prints)."""

    files: tuple[Path, ...]
    summary: ResultSummary
    warnings: tuple[str, ...] = ()


def write_result(
    problem: Problem,
    result: Result,
    folder: Path,
    input_path: Path,
    explanation: Explanation | None = None,
    previous_dir: Path | None = None,
    cancel: CancelToken | None = None,
) -> ResultFiles:
    """Write every file of ``result`` into a new ``folder``, which replaces
    the old one as a whole.

    schedule.xlsx and schedule.json (or, with no plan, no-plan.xlsx and
    no-plan.json alone), then the calendars, whose SEQUENCE numbers continue
    those of the calendars in the old ``folder`` or else in ``previous_dir``
    (the baseline's result folder), then the brief, unless ``cancel`` is set
    and it would not fit the grace of a stopped run (`brief_now`; a warning
    then says how to make it). Raises `OutputError`
    for a folder that cannot be written or holds files planner did not write.
    """

    def write(stage: Path) -> ResultFiles:
        files, summary = write_schedule(problem, result, stage, input_path, explanation)
        warnings: tuple[str, ...] = ()
        if result.plan is not None:
            earlier = [folder] if previous_dir is None else [folder, previous_dir]
            files += write_calendars(problem, result.plan, stage, earlier)
            if brief_now(problem, cancel):
                brief = write_brief(summary, stage)
                files += brief.files
                warnings = brief.warnings
            else:
                warnings = (brief_later(folder),)
        return ResultFiles(
            tuple(moved(path, stage, folder) for path in files),
            replace(
                summary,
                label=_name(folder),
                path=moved(summary.path, stage, folder),
            ),
            warnings,
        )

    return publish_folder(folder, write, planner_wrote)


def check_result_folder(folder: Path) -> None:
    """Raise `OutputError` unless results can be written at ``folder``
    (`check_publishable`): asked before a long run, so that a folder planner
    may not replace is named before the search, not after it."""
    check_publishable(folder, planner_wrote)


def _name(folder: Path) -> str:
    """How a result folder is labelled: its name, as `load_result` reads it."""
    return folder.resolve().name


def write_schedule(
    problem: Problem,
    result: Result,
    folder: Path,
    input_path: Path,
    explanation: Explanation | None = None,
) -> tuple[list[Path], ResultSummary]:
    """Write schedule.xlsx and schedule.json (or, with no plan, no-plan.xlsx
    and no-plan.json) into ``folder``: their paths, and what the JSON holds."""
    report = result_report(problem, result, explanation)
    data = result_json(problem, result, report, input_path)
    files = write_result_files(problem, result, report, data, folder, input_path)
    return files, summary_from_json(folder, files[1], data)


# What planner writes into a result folder, by name: the schedule (or what a
# run without a plan writes instead), the brief, the programme's calendar,
# and the comparison and study a front end may be told to write there.
RESULT_NAMES = frozenset(
    {
        XLSX_NAME,
        JSON_NAME,
        NO_PLAN_XLSX,
        NO_PLAN_JSON,
        PDF_NAME,
        HTML_NAME,
        PROGRAMME_ICS,
        COMPARISON_NAME,
        ROBUSTNESS_NAME,
    }
)
# The folders of a result planner writes, and the files each holds: the
# partner and venue calendars, the partner briefs (`planner brief`).
SUBFOLDER_FILES = {
    CALENDARS_DIR: re.compile(r"(?:partner|venue)-.+\.ics"),
    BRIEFS_DIR: re.compile(r"partner-.+\.(?:pdf|html)"),
}
# A what-if's folder holds result folders (base, each scenario): one level.
NESTED_RESULTS = 1


def _subfolder_file(path: Path, name: re.Pattern[str]) -> bool:
    return (
        path.is_file()
        and not path.is_symlink()
        and name.fullmatch(path.name) is not None
    )


def planner_wrote(path: Path, depth: int = NESTED_RESULTS) -> bool:
    """Whether ``path``, in a result folder or a what-if's or a sweep's, is
    what planner writes there: a file of RESULT_NAMES, the calendars or
    partner briefs folder, or a result folder of a what-if (base, a
    scenario), with nothing else in them. The test that keeps the user's
    own files from being replaced."""
    if path.is_symlink():
        return False
    if path.is_file():
        return path.name in RESULT_NAMES
    try:
        entries = [e for e in path.iterdir() if not is_temporary(e)]
    except OSError:
        return False
    if path.name in SUBFOLDER_FILES:
        return all(_subfolder_file(e, SUBFOLDER_FILES[path.name]) for e in entries)
    holds_a_result = any(e.name in (JSON_NAME, NO_PLAN_JSON) for e in entries)
    return (
        depth > 0
        and holds_a_result
        and all(planner_wrote(e, depth - 1) for e in entries)
    )


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
            typed = exercise.fixed_start_date
            day = typed or problem.slot_start(exercise.fixed_start)
            pins.append(f"fixed_start {day.isoformat()}")
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
