"""The brief's charts, drawn by matplotlib: the year plan and spend by partner.

Figures are built with `matplotlib.figure.Figure` directly, never pyplot, so
no global state is touched and nothing tries to open a window; the Agg
backend renders each once to PNG, for the PDF and the HTML page alike.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Callable, Sequence
from typing import ParamSpec, TypeVar

import matplotlib.dates as mdates
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from planner.outputs.brief.content import Bar, Group, Spend

FONT = "DejaVu Sans"  # ships with matplotlib: every glyph, on every machine
LANE_INCHES = 0.24
MAX_LANE_INCHES = 0.55
LABEL_POINTS = 6.5
LABEL_CHAR_INCHES = LABEL_POINTS * 0.62 / 72  # DejaVu Sans, about
GROUP_GAP = 0.5  # in lanes
# Tableau's light palette: black text stays readable on every bar.
KIND_COLOURS = (
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#dbdb8d",
    "#9edae5",
    "#c7c7c7",
)
SPEND_COLOUR = "#4c72b0"
BUDGET_COLOUR = "#222222"
MAX_SPEND_BARS = 30
# Pages of the plan by month at most (generated xl: 2 at A4).
MAX_CHARTS = 6


P = ParamSpec("P")
R = TypeVar("R")


def plain_text(draw: Callable[P, R]) -> Callable[P, R]:
    """Draw (and render) with every text as written.

    Names, kinds and currencies come from workbooks and results: a `$` in
    one is a dollar sign, never matplotlib's mathtext, which refuses
    unbalanced or unknown TeX while the page is drawn. Tick labels are made
    when a figure is rendered, so rendering is wrapped too.
    """

    @functools.wraps(draw)
    def plain(*args: P.args, **kwargs: P.kwargs) -> R:
        with rc_context({"text.parse_math": False}):
            return draw(*args, **kwargs)

    return plain


def kind_colours(kinds: Sequence[str]) -> dict[str, str]:
    """One colour per kind, in the order given (sorted by the caller)."""
    return {kind: KIND_COLOURS[i % len(KIND_COLOURS)] for i, kind in enumerate(kinds)}


def split_groups(groups: Sequence[Group], max_lanes: int) -> list[list[Group]]:
    """Groups cut into chunks of at most ``max_lanes`` lanes, one chart each.

    A region with more lanes than fit is cut between lanes and goes on as
    "<region> (continued)". Each bar is placed once (bars bucketed by lane),
    so a plan of thousands of lanes costs no more than its bars.
    """
    chunks: list[list[Group]] = [[]]
    room = max_lanes
    for group in groups:
        by_lane: dict[int, list[Bar]] = {}
        for bar in group.bars:
            by_lane.setdefault(bar.lane, []).append(bar)
        lanes = group.lanes
        first = 0
        while first < lanes:
            if room == 0:
                chunks.append([])
                room = max_lanes
            take = min(room, lanes - first)
            bars = tuple(
                Bar(b.exercise_id, b.kind, b.start, b.end, b.lane - first)
                for lane in range(first, first + take)
                for b in by_lane.get(lane, ())
            )
            name = group.name if first == 0 else f"{group.name} (continued)"
            chunks[-1].append(Group(name, bars))
            room -= take
            first += take
    return [chunk for chunk in chunks if chunk]


def chart_pages(
    groups: Sequence[Group], max_lanes: int
) -> tuple[list[list[Group]], int]:
    """The charts a brief draws, at most MAX_CHARTS, and how many held
    exercises the ones beyond would have shown (the schedule lists them).

    A chart takes a fraction of a second to draw: a plan of thousands of
    overlapping events would otherwise take minutes to brief, on hundreds of
    pages nobody reads.
    """
    chunks = split_groups(groups, max_lanes)
    left = sum(len(group.bars) for chunk in chunks[MAX_CHARTS:] for group in chunk)
    return chunks[:MAX_CHARTS], left


def charts_left_note(left: int) -> str:
    """What a brief says under its charts when some were not drawn."""
    return (
        f"The chart stops after {MAX_CHARTS} pages: {left:,} more held exercises "
        "are listed in schedule.xlsx."
    )


def _month_label(value: float, _position: int) -> str:
    day = mdates.num2date(value)
    return f"{day:%b}\n{day:%Y}" if day.month == 1 else f"{day:%b}"


def _label_spots(
    group: Group, days_per_inch: float, end: float
) -> dict[str, tuple[float, str]]:
    """Where each bar's id goes: inside the bar when it fits, else just right of
    it when the lane is free there, else nowhere (the workbook lists all)."""
    spots: dict[str, tuple[float, str]] = {}
    by_lane: dict[int, list[Bar]] = {}
    for bar in group.bars:
        by_lane.setdefault(bar.lane, []).append(bar)
    for bars in by_lane.values():
        bars.sort(key=lambda b: b.start)
        for bar, following in zip(bars, [*bars[1:], None], strict=True):
            left = mdates.date2num(bar.start)
            width = (bar.end - bar.start).days + 1
            needed = (len(bar.exercise_id) * LABEL_CHAR_INCHES + 0.06) * days_per_inch
            room = (end if following is None else mdates.date2num(following.start)) - (
                left + width
            )
            if width >= needed:
                spots[bar.exercise_id] = (left + width / 2, "center")
            elif room >= needed:
                spots[bar.exercise_id] = (left + width + 0.02 * days_per_inch, "left")
    return spots


@plain_text
def gantt_figure(
    groups: Sequence[Group],
    first_day: dt.date,
    last_day: dt.date,
    colours: dict[str, str],
    width_in: float,
    height_in: float | None = None,
) -> Figure:
    """The held exercises as bars over the months, one band per region.

    Each bar is labelled with its exercise id where the id fits inside it or
    beside it; the full list is in the schedule workbook. Lanes grow up to
    ``height_in`` (the room on the page) so a small programme reads large.
    """
    lanes = sum(g.lanes for g in groups) + GROUP_GAP * max(len(groups) - 1, 0)
    lane_inches = LANE_INCHES
    if height_in is not None:
        lane_inches = min(MAX_LANE_INCHES, max(LANE_INCHES, (height_in - 1.3) / lanes))
    height = max(1.6, lanes * lane_inches + 1.3)
    figure = Figure(figsize=(width_in, height), layout="constrained")
    ax = figure.add_subplot()
    start, end = mdates.date2num(first_day), mdates.date2num(last_day) + 1
    days_per_inch = (end - start) / (width_in * 0.85)
    y = 0.0
    ticks, labels = [], []
    rows: list[float] = []
    bars: list[Bar] = []
    for index, group in enumerate(groups):
        if index:
            ax.axhline(y - GROUP_GAP / 2 - 0.5, color="#999999", linewidth=0.6)
        spots = _label_spots(group, days_per_inch, end)
        for bar in group.bars:
            row = y + bar.lane
            rows.append(row)
            bars.append(bar)
            if bar.exercise_id in spots:
                x, align = spots[bar.exercise_id]
                ax.text(
                    x, row, bar.exercise_id, ha=align, va="center",
                    fontsize=LABEL_POINTS, clip_on=True,
                )  # fmt: skip
        ticks.append(y + (group.lanes - 1) / 2)
        labels.append(group.name)
        y += group.lanes + GROUP_GAP
    if bars:  # one call for every bar: a call per bar took most of the drawing
        ax.barh(
            rows,
            [(bar.end - bar.start).days + 1 for bar in bars],
            left=[mdates.date2num(bar.start) for bar in bars],
            height=0.8,
            color=[colours.get(bar.kind, KIND_COLOURS[-1]) for bar in bars],
            edgecolor="#555555",
            linewidth=0.4,
        )
    ax.set_yticks(ticks, labels, fontsize=8)
    ax.set_ylim(y - GROUP_GAP - 0.5, -0.6)
    ax.set_xlim(start, end)
    months = (last_day.year - first_day.year) * 12 + last_day.month - first_day.month
    step = 1 if months <= 18 else 3
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=range(1, 13, step)))
    ax.xaxis.set_minor_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(_month_label))
    ax.tick_params(axis="x", labelsize=7)
    years = sorted({first_day.year, last_day.year})
    ax.set_xlabel(" to ".join(str(y) for y in years), fontsize=7)
    ax.grid(axis="x", which="minor", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    handles = [
        Patch(facecolor=colour, edgecolor="#555555", label=kind or "(no kind)")
        for kind, colour in colours.items()
    ]
    if handles:
        figure.legend(
            handles=handles,
            loc="outside upper center",
            ncols=min(len(handles), 6),
            fontsize=7,
            frameon=False,
        )
    return figure


@plain_text
def spend_figure(spends: Sequence[Spend], currency: str, width_in: float) -> Figure:
    """Each partner's spend as a bar, its budget as a tick; the biggest
    spenders only when there are many (the table lists every partner)."""
    shown = sorted(spends, key=lambda s: -s.spend)[:MAX_SPEND_BARS]
    shown.reverse()
    height = max(1.8, len(shown) * 0.22 + 1.0)
    figure = Figure(figsize=(width_in, height), layout="constrained")
    ax = figure.add_subplot()
    rows = range(len(shown))
    ax.barh(rows, [s.spend for s in shown], color=SPEND_COLOUR, height=0.6)
    budgets = [(i, s.budget) for i, s in zip(rows, shown, strict=True) if s.budget]
    if budgets:
        ax.scatter(
            [b for _, b in budgets],
            [i for i, _ in budgets],
            marker="|",
            s=120,
            color=BUDGET_COLOUR,
            label="budget",
            zorder=3,
        )
        ax.legend(
            fontsize=7, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False
        )
    ax.set_yticks(list(rows), [s.partner_id for s in shown], fontsize=7)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.tick_params(axis="x", labelsize=7)
    title = f"Spend against budget ({currency or 'currency units'})"
    if len(spends) > len(shown):
        title += f", the {len(shown)} biggest spenders of {len(spends)}"
    ax.set_title(title, fontsize=9, loc="left")
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    return figure


@plain_text
def png(figure: Figure, dpi: int = 200) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()
