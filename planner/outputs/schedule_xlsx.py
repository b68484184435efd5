"""Writing a result: schedule.xlsx for people, schedule.json for programs.

Every number about the plan (costs, spends, goal progress, objective terms)
comes from the independent checker's figures, so what staff read is what
`planner check` would recompute, never the model's own bookkeeping. They are
reckoned above this module and handed in (`planner.report.ResultReport`,
made by `planner.app.publish_files`): the writer prints, it computes nothing.

Both files are written whole or not at all (`planner.outputs.files`), so a
run stopped halfway (Ctrl-C, a full disk) leaves the previous calendar intact
and no half-written file behind.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.domain import (
    TERM_CHANGE,
    TERM_COST,
    TERM_GOAL_SHORTFALL,
    TERM_VALUE,
    Event,
    Goal,
    GoalKind,
    Period,
    Plan,
    Problem,
    Result,
    Status,
    event_end_date,
    event_end_slot,
    unscheduled_exercises,
)
from planner.outputs.cells import append_row, first_sheet, xlsx_bytes
from planner.outputs.files import (
    OutputError,
    cannot_write,
    make_folder,
    replace_atomically,
)
from planner.outputs.grids import Bar, GridRow, legend, write_blocks
from planner.outputs.printing import (
    FONT_NAME,
    printable,
)
from planner.outputs.tables import (
    HEADER_FILL,
    HEADER_FONT,
    LINE_POINTS,
    MAX_COLUMN_WIDTH,
    PRINTED_TEXT_WIDTH,
    SIGNED_FORMAT,
    SLOT_DAY_FORMAT,
    SLOT_HEADER_ALIGNMENT,
    TITLE_FONT,
    TOP,
    WRAPPED,
    tall_enough,
    write_header,
    write_table,
)
from planner.public_holidays import HOLIDAYS_SHEET
from planner.report import (
    CELL_LIST_SEPARATOR,
    JSON_NAME,
    NO_PLAN_JSON,
    SCHEDULE_COLUMNS,
    SCHEDULE_SHEET,
    XLSX_NAME,
    Explanation,
    GoalProgress,
    PlanFigures,
    ResultReport,
)

NO_PLAN_XLSX = "no-plan.xlsx"
SUMMARY_SHEET = "Summary"
CALENDAR_SHEET = "Calendar"
PARTNERS_SHEET = "Partners"
VENUES_SHEET = "Venues"
GOALS_SHEET = "Goals"
# Below the goals on their sheet: the exercises the plan leaves out.
LEFT_OUT_TITLE = "Exercises left out"
INFEASIBLE_SHEET = "Infeasible"
INFEASIBLE_COLUMNS = ("sheet", "row", "what the row asks for")
WHY_COLUMN = "why"

DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00%"

# Light tints, so black text stays readable on every kind's bar.
KIND_COLOURS = (
    "9DC3E6",
    "A9D08E",
    "FFD966",
    "F4B183",
    "C9A0DC",
    "8FD3C8",
    "F8CBAD",
    "B4C7E7",
    "E2EFDA",
    "FFE699",
    "D9D2E9",
    "C6E0B4",
)
NO_KIND_COLOUR = "D9D9D9"

TERM_MEANINGS = {
    TERM_VALUE: "weight_value x total value of the exercises held",
    TERM_GOAL_SHORTFALL: "- weight_goal_shortfall x weighted shortfall of soft goals",
    TERM_COST: "- weight_cost x (organizer spend + partner spend)",
    TERM_CHANGE: "- weighted count of changes to the baseline plan",
}

NO_SCHEDULE_NOTE = (
    "This folder holds no schedule: a schedule.xlsx or schedule.json of an "
    "earlier run here was removed, so that no one briefs an old plan as this one."
)
NO_PLAN_REASONS = {
    Status.INFEASIBLE: "No plan exists: the workbook's hard rules contradict "
    "each other.",
    Status.NO_PLAN: "No plan was found within the time limit; try a longer one.",
    Status.INVALID: "The solver rejected the model; please report it with the "
    "workbook attached.",
}

GRID_FONT = Font(name=FONT_NAME, size=10)
# A bar's label starts in its first cell and runs over the bar to the
# right: centred in a one-week cell it would spill left, under the labels.
BAR_ALIGNMENT = Alignment(horizontal="left", vertical="center")
UNMET_FILL = PatternFill("solid", fgColor="F8CBAD")
# Slots a partner or venue cannot be used: grey for a blackout of the
# workbook, pale red for a public holiday.
BLACKOUT_FILL = PatternFill("lightGray", fgColor="A6A6A6", bgColor="EDEDED")
HOLIDAY_FILL = PatternFill("lightGray", fgColor="E6A0A0", bgColor="FBE5E5")
RUN_SHEET = "Run"
# Summary values: numbers and words alike read from the left, under "Value".
ITEM_VALUE_ALIGNMENT = Alignment(horizontal="left")


INTERRUPTED_NOTE = (
    "stopped by Ctrl-C or SIGTERM: the best plan found until then, checked"
)


def write_result_files(
    problem: Problem,
    result: Result,
    report: ResultReport,
    data: dict[str, object],
    out_dir: Path,
    input_path: Path,
) -> list[Path]:
    """Write schedule.xlsx and schedule.json (``data``, as
    `planner.outputs.schedule_json.result_json` makes it) into ``out_dir``;
    return their paths.

    With no plan (infeasible, none found in time) no schedule is written:
    no-plan.xlsx (its Summary says what was tried and how far it got, its
    Infeasible sheet which rows conflict) and no-plan.json (the same JSON, its
    plan null) take their place, and a schedule of an earlier run in the
    folder is removed, so that nobody opens an empty calendar, or briefs an
    old plan, as this run's. A plan likewise removes an old no-plan pair. An
    explanation (in ``report``) adds the Infeasible sheet (the conflicting
    rows), the why columns of Unscheduled and Goals and the budgets' prices,
    and goes into the JSON as ``explanation``. Every figure and word printed
    beyond the problem and the result comes in ``report``.
    """
    out_dir = Path(out_dir)
    make_folder(out_dir)
    names = [(XLSX_NAME, JSON_NAME), (NO_PLAN_XLSX, NO_PLAN_JSON)]
    if result.plan is None:
        names.reverse()
    (xlsx_name, json_name), stale = names
    xlsx_path, json_path = out_dir / xlsx_name, out_dir / json_name
    _refuse_to_overwrite_input(Path(input_path), (xlsx_path, json_path))
    workbook = result_workbook(problem, result, report, data)
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    replace_atomically(
        [
            (xlsx_path, lambda temp: temp.write_bytes(xlsx_bytes(workbook))),
            (json_path, lambda temp: temp.write_text(text, encoding="utf-8")),
        ]
    )
    for name in stale:
        try:
            (out_dir / name).unlink(missing_ok=True)
        except OSError as error:
            raise cannot_write(out_dir / name, error) from None
    return [xlsx_path, json_path]


def _refuse_to_overwrite_input(input_path: Path, targets: Iterable[Path]) -> None:
    for target in targets:
        if target.resolve() == input_path.resolve():
            raise OutputError(
                f"The input workbook {input_path} would be overwritten by the "
                "result; choose another output folder."
            )


def result_workbook(
    problem: Problem,
    result: Result,
    report: ResultReport,
    data: dict[str, object],
) -> Workbook:
    """The result as a workbook for people; ``data`` is what schedule.json holds."""
    workbook = Workbook()
    summary = first_sheet(workbook)
    summary.title = SUMMARY_SHEET
    plan = result.plan
    styles = kind_styles(workbook, problem)
    figures = report.plan
    explanation = report.explanation
    write_summary(summary, problem, result, report, data, styles)
    if explanation is not None and explanation.budget_prices:
        write_budget_prices(summary, explanation, report.budget_price_places)
    if explanation is not None and explanation.conflict is not None:
        sheet = workbook.create_sheet(INFEASIBLE_SHEET)
        write_infeasible(sheet, explanation, report.conflict_heading)
    if plan is not None and figures is not None:
        why = explanation.why if explanation is not None else None
        write_schedule(
            workbook.create_sheet(SCHEDULE_SHEET), problem, plan, figures, styles
        )
        write_calendar(workbook.create_sheet(CALENDAR_SHEET), problem, plan, styles)
        write_partners(
            workbook.create_sheet(PARTNERS_SHEET), problem, plan, figures, styles
        )
        write_venues(workbook.create_sheet(VENUES_SHEET), problem, plan, styles)
        goals = workbook.create_sheet(GOALS_SHEET)
        write_goals(goals, problem, figures.progress, why)
        write_unscheduled(goals, problem, plan, report, why)
    if problem.holidays:
        write_holidays(workbook.create_sheet(HOLIDAYS_SHEET), problem)
    run = workbook.create_sheet(RUN_SHEET)
    write_run(run, problem, result, report, data)
    settings = problem.settings
    printable(workbook, settings.title or problem.name, settings.classification)
    if _lines(summary) <= SUMMARY_ON_ONE_PAGE:
        summary.page_setup.fitToHeight = 1  # its legends too, at 8 pt or more
    if plan is not None:
        schedule = workbook[SCHEDULE_SHEET]
        last = get_column_letter(PRINTED_SCHEDULE_COLUMNS)
        schedule.print_area = f"A1:{last}{schedule.max_row}"
    # How the plan was searched for is for whoever audits it, not for the
    # briefing: on screen (unhide it), never printed with the plan.
    if result.plan is not None:
        run.sheet_state = "hidden"
    return workbook


# The Schedule sheet's columns printed: what a person reads; the slots, ISO
# week, areas and assets stay on screen.
PRINTED_SCHEDULE_COLUMNS = 12
# A Summary of at most this many lines prints on one page (scaled to no less
# than three quarters, so no text under 8 pt).
SUMMARY_ON_ONE_PAGE = 45


def _lines(ws: Worksheet) -> float:
    """A sheet's rows counted in lines, a wrapped row as its lines."""
    return sum(
        (ws.row_dimensions[row].height or LINE_POINTS) / LINE_POINTS
        for row in range(1, ws.max_row + 1)
    )


@dataclass(frozen=True)
class KindStyles:
    """Each exercise kind's colour, as a fill for table cells and as a named
    style for grid cells.

    Grids hold tens of thousands of cells. Assigning a named style copies a
    few ids, where setting font, fill and alignment on each cell makes openpyxl
    hash every style object again, several times slower on a big programme.
    """

    fills: dict[str, PatternFill]
    grid_styles: dict[str, str]
    slot_header_style: str

    def fill(self, kind: str) -> PatternFill:
        return self.fills.get(kind, self.fills[""])

    def grid_style(self, kind: str) -> str:
        return self.grid_styles.get(kind, self.grid_styles[""])


def kind_styles(workbook: Workbook, problem: Problem) -> KindStyles:
    """One colour per exercise kind, assigned in sorted order so reruns agree."""
    kinds = sorted({e.kind for e in problem.exercises if e.kind})
    colours = {
        kind: KIND_COLOURS[i % len(KIND_COLOURS)] for i, kind in enumerate(kinds)
    }
    colours[""] = NO_KIND_COLOUR
    fills = {kind: PatternFill("solid", fgColor=c) for kind, c in colours.items()}
    grid_styles = {}
    for kind, fill in fills.items():
        name = f"planner grid {kind or '(no kind)'}"
        workbook.add_named_style(
            NamedStyle(name, font=GRID_FONT, fill=fill, alignment=BAR_ALIGNMENT)
        )
        grid_styles[kind] = name
    slot_header = NamedStyle(
        "planner slot header",
        font=HEADER_FONT,
        fill=HEADER_FILL,
        alignment=SLOT_HEADER_ALIGNMENT,
        number_format=SLOT_DAY_FORMAT,
    )
    workbook.add_named_style(slot_header)
    return KindStyles(fills, grid_styles, slot_header.name)


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _joined(items: Iterable[str]) -> str:
    return CELL_LIST_SEPARATOR.join(items)


# Tables ---------------------------------------------------------------------


def _colour_kind_column(
    ws: Worksheet,
    column: int,
    kinds: Sequence[str],
    styles: KindStyles,
) -> None:
    for row, kind in enumerate(kinds, start=2):
        ws.cell(row, column).fill = styles.fill(kind)


# Summary --------------------------------------------------------------------


CUT_SHORT_NOTE = (
    "left out or unmet, not examined: the time limit ran out first; "
    "--explain-time S gives the explanations S more seconds"
)


def _explanation_rows(data: dict[str, object]) -> list[tuple[object, ...]]:
    """How many reasons were given and what finding them took."""
    explanation = cast(dict[str, object] | None, data.get("explanation"))
    if explanation is None or explanation.get("conflict") is not None:
        return []
    reasons = cast(list[object], explanation["reasons"])
    return [
        ("Explanations",),
        ("reasons", len(reasons), "one per exercise left out and goal not met"),
        ("probed", explanation["probed"], "re-solved with the item forced in"),
        ("not examined", explanation.get("not_examined", 0), CUT_SHORT_NOTE),
        (
            "explain time (s)",
            explanation["seconds"],
            "part of the run's wall time: what the search left of the time "
            "limit (unlimited with --explain-all)",
        ),
    ]


def _summary_rows(
    problem: Problem,
    result: Result,
    report: ResultReport,
    data: dict[str, object],
) -> list[tuple[object, ...]]:
    """Rows of (item, value, note); a 1-tuple is a section title."""
    rows: list[tuple[object, ...]] = [("Result",), ("status", str(result.status))]
    if result.statistics.get("interrupted"):
        rows.append(("interrupted", "yes", INTERRUPTED_NOTE))
    failures = result.failures
    rows += [("failed", failure) for failure in failures]
    explanation = cast(dict[str, object] | None, data.get("explanation"))
    cut_short = 0 if explanation is None else explanation.get("not_examined", 0)
    if cut_short:
        rows.append(("reasons cut short", cut_short, CUT_SHORT_NOTE))
    if result.plan is None:
        rows.append(("", NO_PLAN_REASONS.get(result.status, "No plan.")))
        rows += [
            ("", NO_SCHEDULE_NOTE),
            ("time limit (s)", result.parameters.get("time_limit_s")),
            ("best bound", result.bound, "no plan can score better than this"),
            ("solve time (s)", round(result.runtime_s, 2)),
            ("", "How far the search got: see the solver statistics on the Run sheet."),
        ]
    elif report.plan is not None:
        rows += _plan_summary_rows(problem, result, result.plan, report.plan)
        # First, where nobody reading the sheet can miss them.
        warnings = report.pinned_left_out
        if warnings:
            pinned = [("pinned, left out", warning) for warning in warnings]
            rows = [("Warnings",), *pinned, *rows]
    settings = problem.settings
    rows += [
        ("Horizon",),
        ("planning start", settings.planning_start),
        ("planning end", settings.planning_end),
        ("time unit", settings.time_unit),
        ("currency", settings.currency),
        ("input file", cast(dict[str, object], data["input"])["file"]),
    ]
    return rows


def _run_rows(
    problem: Problem, result: Result, data: dict[str, object]
) -> list[tuple[object, ...]]:
    """How the plan was found: search figures, solver settings, the input's
    fingerprint. For whoever re-runs or audits it, not for the briefing."""
    rows: list[tuple[object, ...]] = [
        ("Search",),
        ("best bound", result.bound, "no plan can score better than this"),
        ("gap", result.gap, "0% means proven best"),
        ("solve time (s)", round(result.runtime_s, 2)),
    ]
    rows += [("Solver parameters",)]
    rows += [(str(k), _plain(v)) for k, v in sorted(result.parameters.items())]
    if result.statistics:
        rows += [("Solver statistics",)]
        rows += [(str(k), _plain(v)) for k, v in sorted(result.statistics.items())]
    rows += _explanation_rows(data)
    source = cast(dict[str, object], data["input"])
    rows += [
        ("Input",),
        ("planner version", data["planner_version"]),
        ("input file", source["file"]),
        ("input sha256", source["sha256"] or "(input file could not be read)"),
        ("slots", problem.n_slots),
    ]
    return rows


def _finite(value: object) -> object:
    """Blank for NaN or infinity, which Excel would reject as a corrupt file."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _plain(value: object) -> object:
    """A parameter as a cell value: numbers and text stay, the rest as text."""
    if isinstance(value, bool):
        return str(value).lower()
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


def _term_rows(result: Result, checked: dict[str, int]) -> list[tuple[object, ...]]:
    """Each objective term as the solver reported it, flagged if the checker
    recomputes a different contribution."""
    rows: list[tuple[object, ...]] = []
    for name in dict.fromkeys([*checked, *result.terms]):
        reported = result.terms.get(name, checked.get(name))
        note = TERM_MEANINGS.get(name, "")
        if name in checked and checked[name] != reported:
            note = f"the independent checker computes {checked[name]:,}"
        rows.append((name, reported, note))
    return rows


def _plan_summary_rows(
    problem: Problem, result: Result, plan: Plan, figures: PlanFigures
) -> list[tuple[object, ...]]:
    progress = figures.progress
    held = [problem.exercise[e.exercise_id] for e in plan.events]
    mandatory = sum(e.mandatory for e in held)
    spend = figures.organizer_spend
    budget = problem.settings.total_budget
    spends = figures.partner_spend
    hard = {g.id for g in problem.goals if g.hard}
    taking_part = {p for e in plan.events for p in e.participants}
    return [
        ("Programme",),
        ("exercises held", len(held)),
        ("  mandatory", mandatory),
        ("  optional", len(held) - mandatory),
        ("exercises not held", len(problem.exercises) - len(held)),
        ("partners taking part", len(taking_part), f"of {len(problem.partners)}"),
        (
            "venues used",
            len({e.venue_id for e in plan.events}),
            f"of {len(problem.venues)}",
        ),
        ("Money",),
        ("organizer spend", spend),
        ("total budget", budget, "" if budget is not None else "no cap"),
        ("budget remaining", None if budget is None else budget - spend),
        ("partner spend", sum(spends.values()), "see the Partners sheet"),
        ("Goals",),
        _goals_met_row("hard goals met", [g for g in progress if g.goal_id in hard]),
        _goals_met_row(
            "soft goals met", [g for g in progress if g.goal_id not in hard]
        ),
    ]


def _goals_met_row(label: str, goals: Sequence[GoalProgress]) -> tuple[object, ...]:
    met = sum(g.met for g in goals)
    return (label, met, f"of {len(goals)}")


def write_summary(
    ws: Worksheet,
    problem: Problem,
    result: Result,
    report: ResultReport,
    data: dict[str, object],
    styles: KindStyles,
) -> None:
    """Status, the programme, money, goals and the horizon: what a briefing
    needs (the objective and how the search went are on the Run sheet)."""
    _write_items(ws, _summary_rows(problem, result, report, data))
    if result.plan is not None:
        kinds = sorted({e.kind for e in problem.exercises})
        fills = [(kind or "(no kind)", styles.fill(kind)) for kind in kinds]
        legend(ws, ws.max_row + 2, "Exercise kinds", fills)
        _calendar_legend(ws, problem)


def write_run(
    ws: Worksheet,
    problem: Problem,
    result: Result,
    report: ResultReport,
    data: dict[str, object],
) -> None:
    """The objective and its terms, the search's figures, the solver's
    parameters and statistics, the input: the solver's own words, kept off
    the pages a briefing prints."""
    rows: list[tuple[object, ...]] = []
    if report.plan is not None:
        checked = dict(report.plan.terms)
        objective = result.objective
        rows += [
            ("Objective",),
            (
                "objective",
                sum(checked.values()) if objective is None else objective,
                "sum of the terms below; higher is better",
            ),
            *_term_rows(result, checked),
        ]
    _write_items(ws, rows + _run_rows(problem, result, data))


ITEM_FORMATS = {
    "best bound": SIGNED_FORMAT,
    "gap": PERCENT_FORMAT,
    "solve time (s)": "0.00",
    "planning start": DATE_FORMAT,
    "planning end": DATE_FORMAT,
}


ITEM_WIDTHS = (26, 28, 60)  # item, value, note


def _wrap_long_item(ws: Worksheet, row: tuple[object, ...]) -> None:
    """A long value or note wrapped in its row, the last written; a value
    without a note (a warning) over both columns. A long warning ran on past
    the table, and the sheet, printed one page wide, shrank to 3 pt to hold
    it."""
    number = ws.max_row
    value, note = (*row[1:3], None, None)[:2]
    if isinstance(value, str) and note is None and len(value) > ITEM_WIDTHS[1] - 2:
        ws.merge_cells(start_row=number, start_column=2, end_row=number, end_column=3)
        ws.cell(number, 2).alignment = WRAPPED
        ws.cell(number, 1).alignment = TOP
        tall_enough(ws, number, value, ITEM_WIDTHS[1] + ITEM_WIDTHS[2])
        return
    for column, text in ((2, value), (3, note)):
        if isinstance(text, str) and len(text) > ITEM_WIDTHS[column - 1] - 2:
            ws.cell(number, column).alignment = WRAPPED
            ws.cell(number, 1).alignment = TOP
            tall_enough(ws, number, text, ITEM_WIDTHS[column - 1])


def _write_items(ws: Worksheet, rows: Sequence[tuple[object, ...]]) -> None:
    """Rows of (item, value, note) under one header; a 1-tuple is a title."""
    write_header(ws, ("item", "value", "note"))
    for row in rows:
        append_row(ws, [_finite(value) for value in row])
        cell = ws.cell(ws.max_row, 2)
        if len(row) == 1:
            ws.cell(ws.max_row, 1).font = TITLE_FONT
        elif row[0] in ITEM_FORMATS:
            cell.number_format = ITEM_FORMATS[str(row[0])]
        elif isinstance(row[1], int) and not isinstance(row[1], bool):
            cell.number_format = SIGNED_FORMAT
        if len(row) > 1:
            cell.alignment = ITEM_VALUE_ALIGNMENT
        _wrap_long_item(ws, row)
    ws.freeze_panes = "A2"
    for column, width in enumerate(ITEM_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width


def _calendar_legend(ws: Worksheet, problem: Problem) -> None:
    """What the shading of the Partners and Venues calendars means."""
    shades = [("blackout (Unavailability sheet)", BLACKOUT_FILL)]
    if problem.holidays:
        shades.append(("public holiday (Holidays sheet)", HOLIDAY_FILL))
    legend(ws, ws.max_row + 2, "Partner and venue calendars", shades)


# Schedule -------------------------------------------------------------------


def _schedule_row(problem: Problem, event: Event, cost: int) -> list[object]:
    exercise = problem.exercise[event.exercise_id]
    venue = problem.venue[event.venue_id]
    start = problem.slot_start(event.start)
    values = {
        "exercise_id": exercise.id,
        "name": exercise.name,
        "start_date": start,
        "end_date": event_end_date(problem, event),
        "venue_id": venue.id,
        "participants": _joined(event.participants),
        "kind": exercise.kind,
        "venue_name": venue.name,
        "duration": exercise.duration,
        "mandatory": _yes_no(exercise.mandatory),
        "value": exercise.value,
        "cost": cost,
        "participant_count": len(event.participants),
        "areas": _joined(sorted(exercise.areas)),
        "assets": _joined(exercise.assets),
        "start_slot": event.start,
        "end_slot": event_end_slot(problem, event),
        "iso_week": start.isocalendar().week,
    }
    return [values[name] for name in SCHEDULE_COLUMNS]


def write_schedule(
    ws: Worksheet,
    problem: Problem,
    plan: Plan,
    figures: PlanFigures,
    styles: KindStyles,
) -> None:
    """One row per held exercise, in the plan's order; `read_plan` reads it back."""
    rows = [
        _schedule_row(problem, event, cost)
        for event, cost in zip(plan.events, figures.event_costs, strict=True)
    ]
    write_table(
        ws,
        SCHEDULE_COLUMNS,
        rows,
        {"start_date": DATE_FORMAT, "end_date": DATE_FORMAT, "cost": MONEY_FORMAT},
        max_width=PRINTED_TEXT_WIDTH,
    )
    kinds = [problem.exercise[e.exercise_id].kind for e in plan.events]
    _colour_kind_column(ws, SCHEDULE_COLUMNS.index("kind") + 1, kinds, styles)


# Slot grids -----------------------------------------------------------------


def _slot_starts(problem: Problem) -> list[dt.date]:
    return [problem.slot_start(slot) for slot in range(problem.n_slots)]


def _bars(
    problem: Problem,
    events: Iterable[Event],
    label: Callable[[Event], str],
    styles: KindStyles,
) -> tuple[Bar, ...]:
    return tuple(
        Bar(
            event.start,
            min(event_end_slot(problem, event), problem.n_slots - 1),
            label(event),
            styles.grid_style(problem.exercise[event.exercise_id].kind),
        )
        for event in sorted(events, key=lambda e: (e.start, e.exercise_id))
    )


def _shaded(periods: Sequence[Period]) -> tuple[tuple[int, int, PatternFill], ...]:
    """Blackouts grey, public holidays pale red."""
    return tuple(
        (
            period.first,
            period.last,
            HOLIDAY_FILL
            if period.source is not None and period.source.sheet == HOLIDAYS_SHEET
            else BLACKOUT_FILL,
        )
        for period in periods
    )


def _write_grid(
    ws: Worksheet,
    problem: Problem,
    headers: Sequence[str],
    rows: Sequence[GridRow],
    styles: KindStyles,
    formats: dict[str, str] | None = None,
    events_only: bool = False,
) -> int:
    return write_blocks(
        ws,
        headers,
        rows,
        _slot_starts(problem),
        problem.settings.slot_days,
        styles.slot_header_style,
        formats,
        events_only,
    )


def write_calendar(
    ws: Worksheet, problem: Problem, plan: Plan, styles: KindStyles
) -> None:
    """A Gantt chart: each held exercise's slots coloured by kind (the
    Summary names the colours), labelled once with its venue; rows by start
    date, so the programme reads top-left to bottom-right, each half-year
    listing only its own exercises."""
    events = sorted(plan.events, key=lambda e: (e.start, e.exercise_id))
    rows = [
        GridRow(
            (e.exercise_id, problem.exercise[e.exercise_id].name, e.venue_id),
            _bars(problem, [e], lambda event: event.venue_id, styles),
        )
        for e in events
    ]
    _write_grid(
        ws, problem, ("exercise_id", "name", "venue_id"), rows, styles, events_only=True
    )


def write_partners(
    ws: Worksheet,
    problem: Problem,
    plan: Plan,
    figures: PlanFigures,
    styles: KindStyles,
) -> None:
    """Each partner's events and spend against budget, and the slots of its
    events, its blackouts shaded."""
    spends = figures.partner_spend
    rows = []
    for partner in problem.partners:
        mine = [e for e in plan.events if partner.id in e.participants]
        spend = spends.get(partner.id, 0)
        remaining = None if partner.budget is None else partner.budget - spend
        labels = (partner.id, partner.name, len(mine), spend, partner.budget, remaining)
        bars = _bars(problem, mine, lambda event: event.exercise_id, styles)
        rows.append(GridRow(labels, bars, _shaded(partner.unavailable)))
    headers = ("partner_id", "name", "events", "spend", "budget", "remaining")
    formats = {
        "spend": MONEY_FORMAT,
        "budget": MONEY_FORMAT,
        "remaining": SIGNED_FORMAT,
    }
    _write_grid(ws, problem, headers, rows, styles, formats)


def write_venues(
    ws: Worksheet, problem: Problem, plan: Plan, styles: KindStyles
) -> None:
    """Each venue's events and the slots they use, its blackouts shaded."""
    rows = []
    for venue in problem.venues:
        here = [e for e in plan.events if e.venue_id == venue.id]
        used = {s for e in here for s in range(e.start, event_end_slot(problem, e) + 1)}
        labels = (venue.id, venue.name, len(here), len(used))
        bars = _bars(problem, here, lambda event: event.exercise_id, styles)
        rows.append(GridRow(labels, bars, _shaded(venue.unavailable)))
    _write_grid(ws, problem, ("venue_id", "name", "events", "slots_used"), rows, styles)


# Goals and unscheduled exercises ---------------------------------------------

GOAL_COLUMNS = (
    "goal_id",
    "kind",
    "partners",
    "area",
    "hard/soft",
    "weight",
    "target",
    "achieved",
    "shortfall",
    "met",
    "detail",
)


# The Goals sheet's text columns at most this wide: twelve columns, two
# tables widening them, printed one page wide at 8 pt or more.
GOALS_TEXT_WIDTH = 20


def _goal_partners(goal: Goal) -> str:
    if not goal.partners and goal.kind is GoalKind.ENGAGEMENT:
        return "(every partner)"
    return _joined(goal.partners)


def write_goals(
    ws: Worksheet,
    problem: Problem,
    progress: Sequence[GoalProgress],
    why: Mapping[str, str] | None = None,
) -> None:
    """How far the plan gets towards each goal, as the checker measures it.

    With ``why`` (reason by goal id) a last column says what meeting each
    missed goal would take.
    """
    goals = {g.id: g for g in problem.goals}
    rows = []
    for goal_state in progress:
        goal = goals[goal_state.goal_id]
        rows.append(
            (
                goal.id,
                str(goal.kind),
                _goal_partners(goal),
                goal.area or "",
                "hard" if goal.hard else "soft",
                goal.weight,
                goal_state.target,
                goal_state.achieved,
                goal_state.shortfall,
                _yes_no(goal_state.met),
                goal_state.detail,
                *([] if why is None else [why.get(goal.id, "")]),
            )
        )
    headers = GOAL_COLUMNS if why is None else (*GOAL_COLUMNS, WHY_COLUMN)
    write_table(ws, headers, rows, max_width=GOALS_TEXT_WIDTH, paged=True)
    met_column = GOAL_COLUMNS.index("met") + 1
    for (cell,) in ws.iter_rows(min_row=2, min_col=met_column, max_col=met_column):
        if cell.value == "no":  # the headings a page repeats read "Met"
            cell.fill = UNMET_FILL


UNSCHEDULED_COLUMNS = (
    "exercise_id",
    "name",
    "kind",
    "value",
    "duration",
    "earliest_start",
    "latest_end",
    "mandatory",
)


def write_unscheduled(
    ws: Worksheet,
    problem: Problem,
    plan: Plan,
    report: ResultReport,
    why: Mapping[str, str] | None = None,
) -> None:
    """Exercises the plan does not hold, with the window they could have
    used as typed (weeks round it; the why column says so where it matters),
    below the goals (`LEFT_OUT_TITLE`).

    With ``why`` (reason by exercise id) a last column says what holding each
    would cost, or which rows forbid it.
    """
    rows = []
    left_out = unscheduled_exercises(problem, plan)
    reasons = {
        eid: report.impossible[eid] for eid in left_out if eid in report.impossible
    }
    if why is not None or reasons:
        why = {**reasons, **(why or {})}
    for exercise_id in left_out:
        exercise = problem.exercise[exercise_id]
        rows.append(
            (
                exercise.id,
                exercise.name,
                exercise.kind,
                exercise.value,
                exercise.duration,
                exercise.earliest_start_date
                or problem.slot_start(exercise.earliest_start),
                exercise.latest_end_date or problem.slot_end(exercise.latest_end),
                _yes_no(exercise.mandatory),
                *([] if why is None else [why.get(exercise.id, "")]),
            )
        )
    if not rows:
        return  # nothing left out: no empty table to print
    write_table(
        ws,
        UNSCHEDULED_COLUMNS if why is None else (*UNSCHEDULED_COLUMNS, WHY_COLUMN),
        rows,
        {"earliest_start": DATE_FORMAT, "latest_end": DATE_FORMAT},
        title=LEFT_OUT_TITLE,
        max_width=GOALS_TEXT_WIDTH,
        paged=True,
    )


HOLIDAY_COLUMNS = ("Partner", "Country", "Date", "Holiday", "Slot starts", "Blocks")


def write_holidays(ws: Worksheet, problem: Problem) -> None:
    """Every public holiday looked up, one per row, in the order explanations
    number them ("Holidays row 5"), and whether it blocks its slot."""
    rows = [
        (
            holiday.partner_id,
            holiday.country_code,
            holiday.day,
            holiday.name,
            problem.slot_start(holiday.slot),
            _yes_no(holiday.blocks),
        )
        for holiday in problem.holidays
    ]
    write_table(
        ws, HOLIDAY_COLUMNS, rows, {"Date": DATE_FORMAT, "Slot starts": DATE_FORMAT}
    )


# Explanations -----------------------------------------------------------------


def write_infeasible(ws: Worksheet, explanation: Explanation, heading: str) -> None:
    """The rows that leave no plan, one per line, each readable on its own,
    under ``heading``."""
    conflict = explanation.conflict or ()
    append_row(ws, [heading])
    ws.cell(1, 1).font = TITLE_FONT
    rows = [
        (source.sheet, source.row if source.row > 0 else None, line)
        for source, line in zip(conflict, explanation.lines, strict=False)
    ]
    if not conflict:
        rows = [("", None, line) for line in explanation.lines]
    write_header(ws, INFEASIBLE_COLUMNS, row=2)
    for row in rows:
        append_row(ws, list(row))
    ws.freeze_panes = "A3"
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 8
    ws.column_dimensions["C"].width = MAX_COLUMN_WIDTH * 2


def write_budget_prices(
    ws: Worksheet, explanation: Explanation, places: Sequence[str]
) -> None:
    """Below the Summary: what 10% more of each budget would buy; ``places``
    name each budget's row, in the explanation's order."""
    append_row(ws, [])
    append_row(ws, ["Budgets: what 10% more would buy"])
    ws.cell(ws.max_row, 1).font = TITLE_FONT
    for price, place in zip(explanation.budget_prices, places, strict=True):
        label = f"budget {price.owner}" if price.owner else "total budget"
        append_row(ws, [label, price.gain, f"{place}: {price.text}"])
        ws.cell(ws.max_row, 2).number_format = SIGNED_FORMAT
