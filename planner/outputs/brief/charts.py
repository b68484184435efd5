"""The brief's charts, drawn by matplotlib: the plan by month and spend by
partner.

Figures are built with `matplotlib.figure.Figure` directly, never pyplot, so
no global state is touched and nothing tries to open a window; the Agg
backend renders each once to PNG, for the PDF and the HTML page alike.

Text is drawn as written (`drawing`): matplotlib would read a kind named
``cost $a_$ x`` as TeX maths and fail, so maths is off; each letter comes
from a font that has it (`planner.outputs.brief.fonts`). matplotlib lays out
right-to-left text itself (libraqm, since 3.11): Arabic and Hebrew are handed
over in the order they are typed, never put in drawing order first (that
drew them backwards). A name is drawn on one line (`one_line`), and a name
beside an axis is shortened to the room it has (`fitted`), so no chart's
layout collapses.
"""

from __future__ import annotations

import datetime as dt
import heapq
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import matplotlib
import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from planner.outputs.brief.content import Bar, Group, Spend
from planner.outputs.brief.fonts import CHART_FAMILY, in_drawing_order

LABEL_POINTS = 8.0  # nothing printed smaller
# Room between a label and the edge of its bar, or of the next bar.
LABEL_PAD_INCHES = 0.08
# Letters are measured at this resolution: a width rounded to whole pixels
# at 72 dpi would be up to a point short per letter.
MEASURE_DPI = 720
LANE_INCHES = 0.24
# Room the axes, month names and the legend take besides the lanes.
FRAME_INCHES = 1.1
GROUP_GAP = 0.5  # in lanes
# Share of the figure's width the time axis takes (the rest: region names).
AXIS_SHARE = 0.86
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
SPEND_BAR_INCHES = 0.17
SPEND_FRAME_INCHES = 0.9  # the axis, its title and the legend
# Room a partner's id takes beside the spend chart at most.
SPEND_LABEL_INCHES = 2.0
# Room a legend entry takes besides its name: its patch, the gaps around it.
LEGEND_ENTRY_INCHES = 0.6
# Rows of bars the plan by month draws at most, about six A4 pages: a chart
# takes a fraction of a second a page, and a plan of thousands of overlapping
# events would otherwise take minutes to brief on pages nobody reads.
MAX_CHART_LANES = 140


@dataclass(frozen=True)
class Placed:
    """A bar in its lane, with where its one label goes."""

    bar: Bar
    lane: int
    label_x: float  # in matplotlib date numbers
    align: str  # "left", "center" or "right"


@dataclass(frozen=True)
class Lanes:
    """A region's bars packed into lanes so no two bars, nor their labels,
    touch."""

    name: str
    placed: tuple[Placed, ...]

    @property
    def count(self) -> int:
        return 1 + max((p.lane for p in self.placed), default=-1)


def kind_colours(kinds: Sequence[str]) -> dict[str, str]:
    """One colour per kind, in the order given: the programme's kinds,
    sorted, so a kind has the same colour in every brief of the programme."""
    return {kind: KIND_COLOURS[i % len(KIND_COLOURS)] for i, kind in enumerate(kinds)}


@contextmanager
def drawing(families: Sequence[str]) -> Iterator[None]:
    """Text as written: no TeX maths, each letter from one of ``families``
    (`chart_families` of the texts drawn: worked out once per brief, as it
    looks at every letter of every name)."""
    with matplotlib.rc_context(
        {
            "text.parse_math": False,
            "text.usetex": False,
            "font.family": list(families),
            "svg.fonttype": "path",
        }
    ):
        yield


def days_per_inch(first_day: dt.date, last_day: dt.date, width_in: float) -> float:
    return ((last_day - first_day).days + 1) / (width_in * AXIS_SHARE)


@cache
def _measurer() -> RendererAgg:
    return RendererAgg(1, 1, MEASURE_DPI)


@cache
def _letter_inches(letter: str, families: tuple[str, ...]) -> float:
    """How wide one letter prints at LABEL_POINTS, from the first of
    ``families`` that has it, as matplotlib draws it."""
    font = FontProperties(family=list(families), size=LABEL_POINTS)
    width, _, _ = _measurer().get_text_width_height_descent(letter, font, False)
    return float(width) / MEASURE_DPI


def one_line(text: str) -> str:
    """A name as a chart draws it: a line break typed in a cell (Alt+Enter)
    drawn as a space, as a label has the height of one line (and a font has
    no letter for a line break)."""
    return " ".join(text.split())


def label_inches(text: str, families: Sequence[str] = (CHART_FAMILY,)) -> float:
    """How wide a label prints: measured letter by letter in the fonts that
    draw it, Arabic letters in their joined forms. An estimate per letter put
    "HADR WWWW" a fifth short, so its label ran over its bar's ends and into
    the next bar; a whole label measured at once takes a millisecond, too
    long for 20,000 events."""
    drawn = in_drawing_order(one_line(text))
    return sum(_letter_inches(letter, tuple(families)) for letter in drawn)


def fitted(text: str, inches: float, families: Sequence[str]) -> str:
    """``text`` on one line, cut short with "…" to print within ``inches``:
    a name beside an axis wider than the figure left the axes no room (a
    200-character partner id). The tables beside the chart hold it whole."""
    line = one_line(text)
    if label_inches(line, families) <= inches:
        return line
    while line and label_inches(f"{line}…", families) > inches:
        line = line[:-1]
    return f"{line.rstrip()}…"


def _place(
    bar: Bar, per_inch: float, first: float, end: float, families: Sequence[str]
) -> tuple[float, float, float, str]:
    """A bar's label: inside when it fits, else after the bar, else before it.
    Returns (from, to) the bar and label take together, and the label's spot."""
    left = mdates.date2num(bar.start)
    right = mdates.date2num(bar.end) + 1
    needed = (label_inches(bar.label, families) + LABEL_PAD_INCHES) * per_inch
    if right - left >= needed:
        return left, right, (left + right) / 2, "center"
    gap = 0.03 * per_inch
    if right + gap + needed <= end or left - gap - needed < first:
        return left, right + gap + needed, right + gap, "left"
    return left - gap - needed, right, left - gap, "right"


def pack(
    group: Group,
    first_day: dt.date,
    last_day: dt.date,
    width_in: float,
    families: Sequence[str] = (CHART_FAMILY,),
) -> Lanes:
    """Bars in the lowest lane free over the bar and its label (greedy
    interval colouring), so every bar has its one label and none covers
    another; labels measured in ``families`` (`drawing`'s)."""
    per_inch = days_per_inch(first_day, last_day, width_in)
    first, end = mdates.date2num(first_day), mdates.date2num(last_day) + 1
    spots = sorted(
        ((*_place(bar, per_inch, first, end, families), bar) for bar in group.bars),
        key=lambda s: (s[0], s[4].exercise_id),
    )
    # Lanes whose last bar ends by a start are free from then on (starts come
    # in order), so two heaps find the lowest free lane without looking at
    # every lane: thousands of overlapping events pack in moments.
    busy: list[tuple[float, int]] = []  # (where the bar and label end, lane)
    free: list[int] = []
    lanes = 0
    placed = []
    for start, stop, x, align, bar in spots:
        while busy and busy[0][0] <= start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            lane = heapq.heappop(free)
        else:
            lane, lanes = lanes, lanes + 1
        heapq.heappush(busy, (stop, lane))
        placed.append(Placed(bar, lane, x, align))
    return Lanes(group.name, tuple(placed))


def first_lanes(regions: Sequence[Lanes], most: int) -> tuple[list[Lanes], int]:
    """The regions' first ``most`` lanes, and how many bars the lanes beyond
    hold (the schedule lists them)."""
    kept: list[Lanes] = []
    left = 0
    room = most
    for region in regions:
        take = min(room, region.count)
        inside = tuple(p for p in region.placed if p.lane < take)
        left += len(region.placed) - len(inside)
        if inside:
            kept.append(Lanes(region.name, inside))
        room -= take
    return kept, left


def split_lanes(lanes: Sequence[Lanes], max_lanes: int) -> list[list[Lanes]]:
    """Regions cut into charts of at most ``max_lanes`` lanes; a region with
    more lanes than fit is cut between lanes and goes on as "<region>
    (continued)". Each bar is placed once (bars bucketed by lane), so a
    region of hundreds of lanes costs no more than its bars."""
    chunks: list[list[Lanes]] = [[]]
    room = max(1, max_lanes)
    for region in lanes:
        by_lane: dict[int, list[Placed]] = {}
        for spot in region.placed:
            by_lane.setdefault(spot.lane, []).append(spot)
        first = 0
        while first < region.count:
            if room == 0:
                chunks.append([])
                room = max(1, max_lanes)
            take = min(room, region.count - first)
            placed = tuple(
                Placed(p.bar, p.lane - first, p.label_x, p.align)
                for lane in range(first, first + take)
                for p in by_lane.get(lane, ())
            )
            name = region.name if first == 0 else f"{region.name} (continued)"
            chunks[-1].append(Lanes(name, placed))
            room -= take
            first += take
    return [chunk for chunk in chunks if chunk]


def lanes_in(height_in: float, regions: int) -> int:
    """How many lanes a chart of ``height_in`` holds."""
    return int(
        (height_in - FRAME_INCHES) / LANE_INCHES - GROUP_GAP * max(regions - 1, 0)
    )


def chart_height(chunk: Sequence[Lanes]) -> float:
    lanes = sum(r.count for r in chunk) + GROUP_GAP * max(len(chunk) - 1, 0)
    return lanes * LANE_INCHES + FRAME_INCHES


def _month_label(value: float, _position: int) -> str:
    day = mdates.num2date(value)
    return f"{day:%b}\n{day:%Y}" if day.month == 1 else f"{day:%b}"


def gantt_figure(
    chunk: Sequence[Lanes],
    first_day: dt.date,
    last_day: dt.date,
    colours: dict[str, str],
    width_in: float,
    families: Sequence[str] = (CHART_FAMILY,),
) -> Figure:
    """The held exercises as bars over the months, one band per region, each
    bar with its name beside or inside it. Call inside `drawing` of
    ``families``."""
    figure = Figure(figsize=(width_in, chart_height(chunk)), layout="constrained")
    ax = figure.add_subplot()
    start, end = mdates.date2num(first_day), mdates.date2num(last_day) + 1
    y = 0.0
    ticks, labels = [], []
    region_inches = width_in * (1 - AXIS_SHARE) - LABEL_PAD_INCHES
    rows: list[float] = []
    bars: list[Bar] = []
    for index, region in enumerate(chunk):
        if index:
            ax.axhline(y - GROUP_GAP / 2 - 0.5, color="#999999", linewidth=0.6)
        for placed in region.placed:
            row = y + placed.lane
            rows.append(row)
            bars.append(placed.bar)
            ax.text(
                placed.label_x, row, one_line(placed.bar.label),
                ha=placed.align, va="center", fontsize=LABEL_POINTS, clip_on=True,
            )  # fmt: skip
        ticks.append(y + (region.count - 1) / 2)
        labels.append(fitted(region.name, region_inches, families))
        y += region.count + GROUP_GAP
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
    ax.set_yticks(ticks, labels, fontsize=LABEL_POINTS)
    ax.set_ylim(y - GROUP_GAP - 0.5, -0.6)
    ax.set_xlim(start, end)
    months = (last_day.year - first_day.year) * 12 + last_day.month - first_day.month
    step = 1 if months <= 18 else 3
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=range(1, 13, step)))
    ax.xaxis.set_minor_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(_month_label))
    ax.tick_params(axis="x", labelsize=LABEL_POINTS)
    ax.grid(axis="x", which="minor", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    used = [kind for kind in colours if kind in {bar.kind for bar in bars}]
    names = [
        fitted(kind or "(no kind)", width_in - LEGEND_ENTRY_INCHES, families)
        for kind in used
    ]
    widest = max((label_inches(name, families) for name in names), default=0.0)
    columns = max(
        1, min(len(names), 6, int(width_in // (widest + LEGEND_ENTRY_INCHES)))
    )
    handles = [
        Patch(facecolor=colours[kind], edgecolor="#555555", label=name)
        for kind, name in zip(used, names, strict=True)
    ]
    if handles:
        figure.legend(
            handles=handles,
            loc="outside upper center",
            ncols=columns,
            fontsize=LABEL_POINTS,
            frameon=False,
        )
    return figure


def spend_figure(
    spends: Sequence[Spend],
    currency: str,
    width_in: float,
    height_in: float,
    families: Sequence[str] = (CHART_FAMILY,),
) -> Figure:
    """Each partner's spend as a bar, its budget as a tick; the biggest
    spenders only when there are many, as many as fit in ``height_in`` at
    most (the table lists every partner). Call inside `drawing`."""
    room = max(1, int((height_in - SPEND_FRAME_INCHES) / SPEND_BAR_INCHES))
    shown = sorted(spends, key=lambda s: -s.spend)[: min(MAX_SPEND_BARS, room)]
    shown.reverse()
    height = max(1.8, len(shown) * SPEND_BAR_INCHES + SPEND_FRAME_INCHES)
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
            fontsize=LABEL_POINTS,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            frameon=False,
        )
    ax.set_yticks(
        list(rows),
        [fitted(s.partner_id, SPEND_LABEL_INCHES, families) for s in shown],
        fontsize=LABEL_POINTS,
    )
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.tick_params(axis="x", labelsize=LABEL_POINTS)
    title = f"Spend against budget ({currency or 'currency units'})"
    if len(spends) > len(shown):
        title += f", the {len(shown)} biggest spenders of {len(spends)}"
    ax.set_title(one_line(title), fontsize=9, loc="left")
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    return figure


def png(figure: Figure, dpi: int = 200) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()
