"""What a brief says, worked out from a result as its schedule.json holds it.

A brief is made from what a result file holds (`WrittenResult`: the key
figures, and the ``workbook`` and ``explanation`` objects of the JSON for the
regions, the goals in words and the reasons), so it can be made again later,
for any result, without the solver; a solve hands over the JSON it has just
written, without reading it back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from planner import __version__
from planner.report import Comparison, HeldEvent, ResultSummary, WrittenResult

NO_REGION = "(no region)"
# Rows of the side-by-side table of a what-if brief, as `planner.differences`
# labels its key figures.
COMPARED_FIGURES = (
    "status",
    "objective",
    "held, mandatory",
    "held, optional",
    "value held",
    "hard goals met",
    "soft goals met",
    "organizer spend",
    "total budget",
    "budget remaining",
    "partner spend",
)


@dataclass(frozen=True)
class Bar:
    """One held exercise on the Gantt chart."""

    exercise_id: str
    kind: str
    start: dt.date
    end: dt.date  # last day, inclusive
    lane: int  # row within its group, so bars of a group never overlap


@dataclass(frozen=True)
class Group:
    """The exercises held in one region, packed into as few lanes as fit."""

    name: str
    bars: tuple[Bar, ...]

    @property
    def lanes(self) -> int:
        return 1 + max((bar.lane for bar in self.bars), default=-1)


@dataclass(frozen=True)
class Table:
    """A table of the brief: its title, header and rows, all as text."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""  # shown instead of an empty table


@dataclass(frozen=True)
class Spend:
    partner_id: str
    name: str
    spend: int
    budget: int | None


@dataclass(frozen=True)
class Brief:
    """Everything a brief shows, in the order it shows it."""

    title: str
    banner: tuple[str, ...]  # lines under the title: programme, date, version
    first_day: dt.date
    last_day: dt.date
    groups: tuple[Group, ...]  # the Gantt chart; empty without a plan
    kinds: tuple[str, ...]  # exercise kinds, for the chart's colours
    figures: Table
    goals: Table
    spends: tuple[Spend, ...]
    spend_table: Table
    left_out: Table
    compared: Table | None = None  # what-if: key figures side by side
    changes: Table | None = None  # what-if: what changed from the first plan
    currency: str = ""


def _money(value: int | None, currency: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:,} {currency}".strip()


def _workbook(source: WrittenResult) -> Mapping[str, Any]:
    """The workbook facts of the JSON; empty for results written before them."""
    facts = source.data.get("workbook")
    return facts if isinstance(facts, Mapping) else {}


def _reasons(source: WrittenResult, kind: str) -> dict[str, str]:
    explanation = source.data.get("explanation") or {}
    return {
        str(r["id"]): str(r["text"])
        for r in explanation.get("reasons", ())
        if r.get("kind") == kind
    }


def pack_lanes(events: Sequence[tuple[str, str, dt.date, dt.date]]) -> list[Bar]:
    """Bars placed in the lowest lane free on their first day (greedy interval
    colouring: as few lanes as the busiest day needs)."""
    lane_ends: list[dt.date] = []
    bars = []
    for exercise_id, kind, start, end in sorted(events, key=lambda e: (e[2], e[0])):
        lane = next((i for i, last in enumerate(lane_ends) if last < start), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(end)
        else:
            lane_ends[lane] = end
        bars.append(Bar(exercise_id, kind, start, end, lane))
    return bars


def gantt_groups(source: WrittenResult) -> list[Group]:
    """Held exercises grouped by the region of their venue, regions by name.

    A venue's region is where the exercise happens, which is what a
    commander looks at a year plan for; a venue without one is grouped
    under "(no region)".
    """
    summary = source.summary
    regions = {
        str(v["id"]): str(v.get("region") or "") or NO_REGION
        for v in _workbook(source).get("venues", ())
    }
    kinds = {e.id: e.kind for e in summary.exercises}
    grouped: dict[str, list[HeldEvent]] = {}
    for event in summary.events or ():
        region = regions.get(event.venue_id, NO_REGION)
        grouped.setdefault(region, []).append(event)
    return [
        Group(
            region,
            tuple(
                pack_lanes(
                    [
                        (e.exercise_id, kinds.get(e.exercise_id, ""), e.start, e.end)
                        for e in events
                    ]
                )
            ),
        )
        for region, events in sorted(grouped.items())
    ]


def key_figures(summary: ResultSummary) -> Table:
    exercises = len(summary.exercises)
    rows: list[tuple[str, str]] = [("Status", summary.status)]
    if summary.events is not None:
        held = (summary.held_mandatory or 0) + (summary.held_optional or 0)
        mandatory = sum(e.mandatory for e in summary.exercises)
        partners = {p for e in summary.events for p in e.participants}
        hard = [g for g in summary.goals if g.hard]
        soft = [g for g in summary.goals if not g.hard]
        partner_spend = sum(p.spend for p in summary.partners)
        rows += [
            ("Exercises held", f"{held} of {exercises}"),
            (
                "Mandatory exercises held",
                f"{summary.held_mandatory} of {mandatory}",
            ),
            ("Value held", f"{summary.value:,}"),
            ("Partners taking part", f"{len(partners)} of {len(summary.partners)}"),
            ("Hard goals met", f"{sum(g.met for g in hard)} of {len(hard)}"),
            ("Soft goals met", f"{sum(g.met for g in soft)} of {len(soft)}"),
            ("Organizer spend", _money(summary.organizer_spend, summary.currency)),
            ("Total budget", _money(summary.total_budget, summary.currency)),
            ("Partner spend", _money(partner_spend, summary.currency)),
        ]
    return Table("Key figures", ("Figure", "Value"), tuple(rows))


def goal_table(source: WrittenResult) -> Table:
    summary = source.summary
    texts = {
        str(g["id"]): str(g["text"]).partition(": ")[2] or str(g["text"])
        for g in _workbook(source).get("goals", ())
    }
    why = _reasons(source, "goal")
    rows = []
    for goal in sorted(summary.goals, key=lambda g: (g.met, not g.hard, g.id)):
        reason = "" if goal.met else why.get(goal.id, "")
        rows.append(
            (
                goal.id,
                texts.get(goal.id, goal.kind),
                "hard" if goal.hard else "soft",
                f"{goal.achieved} of {goal.target}",
                "met" if goal.met else f"missed by {goal.shortfall}",
                reason,
            )
        )
    return Table(
        "Goals met and missed",
        ("Goal", "What it asks", "Kind", "Achieved", "Met", "Why missed"),
        tuple(rows),
        note="The programme sets no goals." if not rows else "",
    )


def spend_rows(summary: ResultSummary) -> list[Spend]:
    return [Spend(p.id, p.name, p.spend, p.budget) for p in summary.partners]


def spend_table(summary: ResultSummary) -> Table:
    rows = []
    for p in summary.partners:
        remaining = None if p.budget is None else p.budget - p.spend
        rows.append(
            (
                p.id,
                p.name,
                str(p.events),
                _money(p.spend),
                _money(p.budget),
                _money(remaining),
            )
        )
    return Table(
        f"Spend against budget by partner ({summary.currency or 'currency units'})",
        ("Partner", "Name", "Events", "Spend", "Budget", "Remaining"),
        tuple(rows),
    )


def left_out_table(source: WrittenResult) -> Table:
    why = _reasons(source, "exercise")
    unscheduled = source.data.get("unscheduled") or ()
    rows = tuple(
        (
            str(item["exercise_id"]),
            str(item.get("name") or ""),
            str(item.get("value", "")),
            "yes" if item.get("mandatory") else "no",
            why.get(
                str(item["exercise_id"]),
                "not examined (solve with --explain-all for every reason)",
            ),
        )
        for item in unscheduled
    )
    return Table(
        "Exercises left out",
        ("Exercise", "Name", "Value", "Mandatory", "Why left out"),
        rows,
        note="Every exercise is held." if not rows else "",
    )


def compared_tables(comparison: Comparison) -> tuple[Table, Table]:
    """Key figures side by side, and every change from the first plan."""
    rows = tuple(
        (
            kpi.label,
            *(
                "-" if v is None else f"{v:,}" if isinstance(v, int) else str(v)
                for v in kpi.values
            ),
        )
        for kpi in comparison.kpis
        if kpi.label in COMPARED_FIGURES
    )
    side = Table("Scenarios side by side", ("Figure", *comparison.labels), rows)
    changes = tuple(
        (d.plan, d.exercise_id, str(d.change), _change_detail(str(d)))
        for d in comparison.differences
    )
    return side, Table(
        f"What changed from {comparison.labels[0]}",
        ("Plan", "Exercise", "Change", "Detail"),
        changes,
        note="Nothing changed." if not changes else "",
    )


def _change_detail(text: str) -> str:
    """The part of a difference's sentence after the exercise and change."""
    head, _, tail = text.partition(": ")
    rest = tail if tail else head
    for word in ("moved", "venue changed"):
        if f" {word} " in rest:
            return rest.split(f" {word} ", 1)[1]
    return rest


def make_brief(
    main: WrittenResult,
    comparison: Comparison | None = None,
    today: dt.date | None = None,
) -> Brief:
    """The brief of ``main``, with a what-if's ``comparison`` (``main`` its
    first plan, the scenarios after it) beside it."""
    summary = main.summary
    today = today or dt.date.today()
    title = f"Training programme {summary.programme}"
    banner = (
        f"Programme {summary.programme}: {summary.planning_start:%d %b %Y} to "
        f"{summary.planning_end:%d %b %Y}, in {summary.time_unit}s",
        f"Brief of {today:%d %b %Y}; plan {summary.status}; input "
        f"{summary.input_file} ({(summary.input_sha256 or 'unknown')[:12]}); "
        f"planner {main.data.get('planner_version', __version__)}",
    )
    compared = changes = None
    if comparison is not None:
        compared, changes = compared_tables(comparison)
    return Brief(
        title=title,
        banner=banner,
        first_day=summary.planning_start,
        last_day=summary.planning_end,
        groups=tuple(gantt_groups(main)),
        kinds=tuple(sorted({e.kind for e in summary.exercises})),
        figures=key_figures(summary),
        goals=goal_table(main),
        spends=tuple(spend_rows(summary)),
        spend_table=spend_table(summary),
        left_out=left_out_table(main),
        compared=compared,
        changes=changes,
        currency=summary.currency,
    )
