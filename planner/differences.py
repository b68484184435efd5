"""Plans side by side: what changes between them, and what it costs.

"What if Poland calls an election in June?" is answered by two plans, the
base one and the scenario's, and the question staff then ask is what moved,
what was dropped and what the cut costs in exercises, goals and money. This
module reads the ``schedule.json`` of each result (its ``kpis`` object, written
by `plan_kpis` when the plan was saved, so no workbook is needed) and lines
them up: a table of key figures, one column per plan, and every difference per
exercise between the first plan and each of the others.

Pure: no openpyxl here; `planner.outputs.comparison_xlsx` turns a `Comparison`
and its `calendar` (records of `planner.report`) into comparison.xlsx;
`planner.workbook.read_result` reads the results. Every number about a plan comes from
`planner.figures`, the same figures the plan's own workbook shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import partial

from planner.domain import (
    TERM_NAMES,
    Change,
    event_changes,
    slot_days,
)
from planner.report import (
    Comparison,
    Difference,
    Gantt,
    GanttRow,
    HeldEvent,
    Kpi,
    ResultError,
    ResultSummary,
    Value,
    no_plan_text,
)


def compare(results: Sequence[ResultSummary]) -> Comparison:
    """Key figures side by side and every difference from the first plan.

    Results of different programmes (another workbook, another exercise list)
    are compared all the same, with a warning: their differences may come
    from the data rather than from planning.
    """
    if len(results) < 2:
        raise ResultError("compare needs two or more results")
    results = tuple(_unique_labels(results))
    first = results[0]
    differences = [
        difference for other in results[1:] for difference in _differences(first, other)
    ]
    return Comparison(
        results=results,
        kpis=tuple(_kpis(results, differences)),
        differences=tuple(differences),
        warnings=tuple(_warnings(results)),
    )


def _unique_labels(results: Sequence[ResultSummary]) -> Iterable[ResultSummary]:
    """Two folders of the same name (out/ of two projects) go by their paths."""
    labels = [result.label for result in results]
    for result in results:
        if labels.count(result.label) > 1:
            yield replace(result, label=str(result.path.parent))
        else:
            yield result


def _warnings(results: Sequence[ResultSummary]) -> Iterable[str]:
    first = results[0]
    for other in results[1:]:
        if (
            first.input_sha256
            and other.input_sha256
            and first.input_sha256 != other.input_sha256
        ):
            yield (
                f"{other.label} was planned from another workbook than "
                f"{first.label} ({other.input_file} and {first.input_file} differ): "
                "some differences may come from the data, not the planning"
            )
        ours = [e.id for e in first.exercises]
        theirs = [e.id for e in other.exercises]
        parts = [
            f"only in {label}: {', '.join(only)}"
            for label, only in (
                (first.label, [e for e in ours if e not in theirs]),
                (other.label, [e for e in theirs if e not in ours]),
            )
            if only
        ]
        if parts:
            yield f"the plans have different exercises ({'; '.join(parts)})"
        if other.time_unit != first.time_unit:
            yield (
                f"{other.label} plans in {other.time_unit}s, {first.label} in "
                f"{first.time_unit}s: moves are counted in {first.time_unit}s"
            )
    for result in results:
        if result.events is None:
            yield (
                f"{result.label} holds no plan ({result.status}): no differences "
                "are listed for it"
            )


def _at(event: HeldEvent) -> str:
    return f"{event.start.isoformat()} at {event.venue_id}"


def _differences(first: ResultSummary, other: ResultSummary) -> list[Difference]:
    """Every exercise's differences in ``other`` from ``first``, in programme
    order, each exercise's in the order of `Change`."""
    if first.events is None or other.events is None:
        return []
    before, after = first.by_exercise, other.by_exercise
    order = [e.id for e in first.exercises] + [e.id for e in other.exercises]
    order += [*before, *after]  # a hand-edited plan may name other exercises
    return [
        difference
        for exercise_id in dict.fromkeys(order)
        for difference in _exercise_differences(
            other.label,
            exercise_id,
            before.get(exercise_id),
            after.get(exercise_id),
            first.time_unit,
        )
    ]


def _exercise_differences(
    plan: str,
    exercise_id: str,
    was: HeldEvent | None,
    now: HeldEvent | None,
    unit: str,
) -> list[Difference]:
    """Each change of `event_changes`, with what the two plans hold."""
    return [
        _difference(plan, exercise_id, change, partners, was, now, unit)
        for change, partners in event_changes(was, now)
    ]


def _difference(
    plan: str,
    exercise_id: str,
    change: Change,
    partners: tuple[str, ...],
    was: HeldEvent | None,
    now: HeldEvent | None,
    unit: str,
) -> Difference:
    one = Difference(plan, exercise_id, change)
    if change is Change.DROPPED and was is not None:
        return replace(one, before=_at(was))
    if change is Change.ADDED and now is not None:
        return replace(one, after=_at(now))
    if change is Change.JOINED:
        return replace(one, after="; ".join(partners))
    if change is Change.LEFT:
        return replace(one, before="; ".join(partners))
    assert was is not None and now is not None  # moved or venue: held in both
    if change is Change.VENUE:
        return replace(one, before=was.venue_id, after=now.venue_id)
    slots = (now.start - was.start).days // slot_days(unit)
    return replace(
        one,
        before=was.start.isoformat(),
        after=now.start.isoformat(),
        slots=slots,
        unit=unit,
    )


def _changes(
    results: Sequence[ResultSummary], differences: Sequence[Difference]
) -> list[Value]:
    """How many differences each plan has from the first; a run without a plan
    says so and why, so that it never reads as a plan with no change."""
    first = results[0]
    values: list[Value] = [
        None if first.events is not None else no_plan_text(first.status)
    ]
    for result in results[1:]:
        if result.events is None:
            values.append(no_plan_text(result.status))
        elif first.events is None:
            values.append(None)
        else:
            values.append(sum(d.plan == result.label for d in differences))
    return values


def _kpis(
    results: Sequence[ResultSummary], differences: Sequence[Difference]
) -> Iterable[Kpi]:
    """The key figures, section by section, one value per result."""

    def row(section: str, label: str, values: Iterable[Value]) -> Kpi:
        return Kpi(section, label, tuple(values))

    def each(figure: Callable[[ResultSummary], Value]) -> list[Value]:
        return [figure(result) for result in results]

    yield row("Run", "programme", each(lambda r: r.programme))
    yield row("Run", "status", each(lambda r: r.status))
    yield row("Run", f"changes from {results[0].label}", _changes(results, differences))
    yield row("Objective", "objective", each(lambda r: r.objective))
    for term in TERM_NAMES:
        if any(term in (r.terms or {}) for r in results):
            yield row("Objective", term, each(partial(_term, term=term)))
    yield row("Exercises", "held, mandatory", each(lambda r: r.held_mandatory))
    yield row("Exercises", "held, optional", each(lambda r: r.held_optional))
    yield row("Exercises", "value held", each(lambda r: r.value))
    for hard, kind in ((True, "hard"), (False, "soft")):
        yield row(
            "Goals",
            f"{kind} goals met",
            each(partial(_goals_met, hard=hard)),
        )
    goal_ids = dict.fromkeys(g.id for r in results for g in r.goals)
    for goal_id in goal_ids:
        yield row(
            "Goals",
            f"{goal_id} shortfall",
            each(partial(_goal_shortfall, goal_id=goal_id)),
        )
    yield row("Money", "organizer spend", each(lambda r: r.organizer_spend))
    yield row("Money", "total budget", each(lambda r: r.total_budget))
    yield row("Money", "budget remaining", each(_remaining))
    yield row("Money", "partner spend", each(_partner_total))
    partner_ids = dict.fromkeys(p.id for r in results for p in r.partners)
    for partner_id in partner_ids:
        for figure in ("events", "spend", "budget"):
            yield row(
                "Partners",
                f"{partner_id} {figure}",
                each(partial(_partner_figure, partner_id=partner_id, figure=figure)),
            )


def _term(result: ResultSummary, term: str) -> int | None:
    return (result.terms or {}).get(term)


def _goals_met(result: ResultSummary, hard: bool) -> str | None:
    """How many goals of the kind (hard or soft) the plan meets: "2 of 3"."""
    if result.events is None:
        return None
    goals = [g for g in result.goals if g.hard == hard]
    return f"{sum(g.met for g in goals)} of {len(goals)}"


def _goal_shortfall(result: ResultSummary, goal_id: str) -> int | None:
    return next((g.shortfall for g in result.goals if g.id == goal_id), None)


def _remaining(result: ResultSummary) -> int | None:
    if result.total_budget is None or result.organizer_spend is None:
        return None
    return result.total_budget - result.organizer_spend


def _partner_total(result: ResultSummary) -> int | None:
    if result.events is None:
        return None
    return sum(p.spend for p in result.partners)


def _partner_figure(result: ResultSummary, partner_id: str, figure: str) -> Value:
    partner = next((p for p in result.partners if p.id == partner_id), None)
    return None if partner is None else getattr(partner, figure)


# What the command line prints --------------------------------------------------

# The key figures worth a line on screen; the workbook holds them all.
HEADLINE = (
    "status",
    "objective",
    *TERM_NAMES,
    "held, mandatory",
    "held, optional",
    "value held",
    "hard goals met",
    "soft goals met",
    "organizer spend",
    "total budget",
)


def comparison_rows(comparison: Comparison) -> list[tuple[str, ...]]:
    """A short table as text: a header, the headline figures, the change count.

    The first row is the header ("", each plan's label); the last counts each
    plan's differences from the first, or says it has no plan and why.
    """
    rows: list[tuple[str, ...]] = [("", *comparison.labels)]
    changes = f"changes from {comparison.labels[0]}"
    for kpi in comparison.kpis:
        if kpi.label in HEADLINE:
            rows.append((kpi.label, *(_text(value) for value in kpi.values)))
    for kpi in comparison.kpis:
        if kpi.label == changes:
            first, *others = kpi.values
            rows.append(
                (changes, "" if first is None else str(first), *map(_text, others))
            )
    return rows


def _text(value: Value) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return value


# The calendar of each plan, for the comparison workbook ---------------------------


def calendar(comparison: Comparison) -> tuple[list[dt.date], list[Gantt]]:
    """Each plan as a grid of exercises by slots, on the first plan's slots.

    Returns the first day of each slot and one grid per plan. Every grid has a
    row for each exercise held in any plan, so they line up one above the
    other; a cell holding another venue than the first plan's, or held in
    only one of the two, is marked changed.
    """
    first = comparison.results[0]
    start, days = first.planning_start, first.slot_days
    last = max(result.planning_end for result in comparison.results)
    slot_dates = [
        start + dt.timedelta(days=days * slot)
        for slot in range((last - start).days // days + 1)
    ]
    held = {e for result in comparison.results for e in result.by_exercise}
    exercise_ids = [e for e in comparison.exercises if e in held]
    exercise_ids += sorted(held - set(exercise_ids))

    def cells(result: ResultSummary, exercise_id: str) -> dict[int, str]:
        event = result.by_exercise.get(exercise_id)
        if event is None:
            return {}
        first_slot = max((event.start - start).days // days, 0)
        last_slot = min((event.end - start).days // days, len(slot_dates) - 1)
        return dict.fromkeys(range(first_slot, last_slot + 1), event.venue_id)

    gantts = []
    for index, result in enumerate(comparison.results):
        compared = index > 0 and None not in (result.events, first.events)
        rows = []
        for exercise_id in exercise_ids:
            now, was = cells(result, exercise_id), cells(first, exercise_id)
            slots = now.keys() | was.keys() if compared else set()
            changed = frozenset(s for s in slots if now.get(s) != was.get(s))
            rows.append(GanttRow(exercise_id, now, changed))
        gantts.append(Gantt(result.label, tuple(rows)))
    return slot_dates, gantts
