"""The brief as a PDF (reportlab) and as one self-contained HTML page.

Why reportlab for the PDF: a brief is mostly tables whose length depends on
the programme (60 partners, 100 exercises left out), and reportlab's platypus
lays them out as a typesetter would: cells wrap their text, a table longer
than a page splits and repeats its header row, every page gets the same
marking, banner and page number. matplotlib's own PdfPages would need all of
that by hand. reportlab is BSD-licensed, pure Python with wheels everywhere,
and has been maintained since 2000; it needs no system libraries (weasyprint
needs pango). The charts are matplotlib's, placed as 200 dpi images at the
size they were drawn, so their text is as large on paper as it was made.

One font family throughout (DejaVu Sans, `planner.outputs.brief.fonts`),
nothing smaller than 8 pt, the marking at the top and bottom of every page,
clear of the text.

The HTML page holds the same sections and the same charts, the PDF's images
held in the page itself (`Drawn`), with a print style sheet for the same
landscape paper, so it can be mailed as one file and printed from a browser.
Each chart is drawn once for both: drawing them again as SVG for the page
took as long as the PDF's (dense xl: 4.5 s of 13 s writing).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from planner.outputs.brief.charts import (
    MAX_CHART_LANES,
    Lanes,
    chart_height,
    drawing,
    first_lanes,
    gantt_figure,
    kind_colours,
    lanes_in,
    pack,
    png,
    spend_figure,
    split_lanes,
)
from planner.outputs.brief.content import Brief, Table
from planner.outputs.brief.fonts import (
    BASE_FONT,
    BOLD_FONT,
    chart_families,
    printable,
    register_fonts,
)

# The charts go into the PDF as binary streams, not ASCII85 text: reportlab
# encodes ASCII85 in Python here: 2.2 s of the 15.5 s the dense l brief's
# PDF took (benchmarks/RESULTS.md, issue 5); a reader shows the same image.
rl_config.useA85 = 0

register_fonts()  # the styles below name them; measuring text needs them
PAPERS = {"a4": A4, "a3": A3}
MARGIN = 1.2 * cm
# Above and below the text: room for the marking and the running footer.
TOP_MARGIN = BOTTOM_MARGIN = 1.9 * cm
HEADER_FILL = colors.HexColor("#dde7f3")
FONT = BASE_FONT
BOLD = BOLD_FONT
SMALLEST = 8  # points: nothing in the brief is printed smaller

TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=18, leading=22)
BANNER = ParagraphStyle("banner", fontName=FONT, fontSize=10, leading=13)
HEADING = ParagraphStyle(
    "heading", fontName=BOLD, fontSize=12, leading=15, spaceBefore=6, spaceAfter=4
)
SENTENCE = ParagraphStyle(
    "sentence", fontName=FONT, bulletFontName=FONT, fontSize=10, leading=13,
    leftIndent=10,
    bulletIndent=0, spaceAfter=2,
)  # fmt: skip
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=SMALLEST, leading=10)
NUMBER = ParagraphStyle("number", parent=CELL, alignment=TA_RIGHT)
HEAD_CELL = ParagraphStyle("head", fontName=BOLD, fontSize=SMALLEST, leading=10)
HEAD_NUMBER = ParagraphStyle("head number", parent=HEAD_CELL, alignment=TA_RIGHT)
MARKING = ParagraphStyle(
    "marking", fontName=BOLD, fontSize=10, leading=12, alignment=TA_CENTER
)
RUNNING = ParagraphStyle(
    "running", fontName=FONT, fontSize=SMALLEST, leading=10,
    textColor=colors.HexColor("#555555"),
)  # fmt: skip
RUNNING_RIGHT = ParagraphStyle("running right", parent=RUNNING, alignment=TA_RIGHT)
CELL_PADDING = 6  # reportlab's default left and right padding of a table cell
# A column's longest word may claim at most this share of the width (a longer
# word, such as a long id, is broken rather than pushed off the page).
MAX_FLOOR_SHARE = 0.3
NOTE = ParagraphStyle("note", fontName=FONT, fontSize=9, leading=12)
# A chart split over pages keeps at least this many lanes on a page.
MIN_LANES = 3
# Where the bottom marking and the footer above it start, from the page's foot.
MARKING_Y = 0.55 * cm
FOOTER_Y = 1.15 * cm


# A table cell of the PDF holds at most this many characters: reportlab lays a
# long paragraph out line by line (a 387,000-character reason took minutes and
# 140 pages); the workbook and the HTML page keep the whole text.
MAX_CELL_CHARS = 2_000


def _text(value: str) -> str:
    """Text for a Paragraph: markup escaped, every letter in a font that has
    it (a long word is broken by the paragraph itself, `splitLongWords`)."""
    return printable(value).markup


def _cell_text(value: str) -> str:
    """A table cell's text, cut at `MAX_CELL_CHARS` with a pointer to the rest."""
    if len(value) > MAX_CELL_CHARS:
        more = len(value) - MAX_CELL_CHARS
        value = (
            f"{value[:MAX_CELL_CHARS]}… ({more:,} more characters in "
            "schedule.xlsx and brief.html)"
        )
    return _text(value)


def _column_widths(table: Table, width: float) -> list[float]:
    """Widths in proportion to each column's longest text, within bounds, so a
    reason column gets the room and an id column stays narrow; but never
    narrower than the column's longest word, so "Goal" or "G01" is not broken
    over two lines."""
    columns = range(len(table.header))
    longest = [
        max([len(table.header[i])] + [len(r[i]) for r in table.rows]) for i in columns
    ]
    weights = [min(max(n, 4), 60) for n in longest]
    floors = [
        min(
            max(
                [_word_width(table.header[i], BOLD)]
                + [_word_width(r[i], FONT) for r in table.rows]
            )
            + 2 * CELL_PADDING,
            MAX_FLOOR_SHARE * width,
        )
        for i in columns
    ]
    spare = max(0.0, width - sum(floors))
    total = sum(weights)
    return [floor + spare * w / total for floor, w in zip(floors, weights, strict=True)]


def _word_width(text: str, font: str) -> float:
    """Width of the longest word of ``text`` in the table cells' font size."""
    return max(
        (stringWidth(word, font, CELL.fontSize) for word in text.split()), default=0.0
    )


def pdf_table(table: Table, width: float) -> list[Flowable]:
    """A heading and the table (or its note), splitting across pages."""
    parts: list[Flowable] = [Paragraph(_text(table.title), HEADING)]
    if not table.rows:
        parts.append(Paragraph(_text(table.note), NOTE))
        return [KeepTogether(parts)]
    numeric = [
        all(_is_number(row[i]) for row in table.rows) for i in range(len(table.header))
    ]
    data = [
        [
            Paragraph(_text(h), HEAD_NUMBER if numbers else HEAD_CELL)
            for h, numbers in zip(table.header, numeric, strict=True)
        ]
    ]
    data += [
        [
            Paragraph(_cell_text(cell), NUMBER if _is_number(cell) else CELL)
            for cell in row
        ]
        for row in table.rows
    ]
    flowable = PdfTable(
        data,
        colWidths=_column_widths(table, width),
        repeatRows=1,
        hAlign="LEFT",
        splitInRow=1,  # a row taller than a page goes on over the next
    )
    flowable.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # else Helvetica is named
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [CondPageBreak(3 * cm), *parts, flowable, Spacer(1, 0.3 * cm)]


def _image(figure_png: bytes, width: float, height: float) -> Image:
    """A chart at the size it was drawn (points), so its text keeps its size."""
    image = Image(io.BytesIO(figure_png))
    image.drawWidth, image.drawHeight = width, height
    return image


@dataclass
class Drawn:
    """The charts as the PDF drew them (200 dpi PNG), in page order, for the
    HTML page to hold the same images; ``left``: the held exercises beyond
    the chart's MAX_CHART_LANES rows of bars."""

    families: list[str] = field(default_factory=list)  # `chart_families`
    gantt: list[bytes] = field(default_factory=list)
    spend: bytes | None = None
    left: int = 0


def left_note(left: int) -> str:
    """What a brief says under its chart when some bars were not drawn."""
    return (
        f"The chart shows the first {MAX_CHART_LANES} rows of bars: {left:,} "
        "more held exercises are listed in schedule.xlsx."
    )


class Gantt(Flowable):
    """The plan by month, as much of it as fits where it lands; the rest
    goes on over the next pages, "(continued)". Each page's image is kept in
    ``drawn`` as it is drawn."""

    def __init__(
        self, brief: Brief, lanes: Sequence[Lanes], width: float, drawn: Drawn
    ) -> None:
        super().__init__()
        self.brief, self.lanes, self.width = brief, list(lanes), width
        self.drawn = drawn
        self.height = chart_height(self.lanes) * 72

    def wrap(
        self, available_width: float, available_height: float
    ) -> tuple[float, float]:
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        room = lanes_in(available_height / 72, 1)
        while room >= MIN_LANES:
            chunks = split_lanes(self.lanes, room)
            if chart_height(chunks[0]) * 72 <= available_height:
                rest = [region for chunk in chunks[1:] for region in chunk]
                first = Gantt(self.brief, chunks[0], self.width, self.drawn)
                after = Gantt(self.brief, rest, self.width, self.drawn)
                return [first, *([after] if rest else [])]
            room -= 1
        return []

    def draw(self) -> None:
        brief = self.brief
        colours = kind_colours(brief.kinds)
        with drawing(self.drawn.families):
            figure = gantt_figure(
                self.lanes,
                brief.first_day,
                brief.last_day,
                colours,
                self.width / 72,
                self.drawn.families,
            )
            picture = png(figure)
        self.drawn.gantt.append(picture)
        _image(picture, self.width, self.height).drawOn(self.canv, 0, 0)


def chart_lanes(brief: Brief, width: float, families: Sequence[str]) -> list[Lanes]:
    """Each region's bars packed for a chart ``width`` points wide, its
    labels in ``families``."""
    return [
        pack(group, brief.first_day, brief.last_day, width / 72, families)
        for group in brief.groups
    ]


def _marking(brief: Brief) -> Paragraph:
    """The marking as printed: each of its lines (the classification, and
    for whom a partner's brief is prepared) on a line of its own."""
    return Paragraph(
        "<br/>".join(_text(line) for line in brief.marking.splitlines()), MARKING
    )


def _footer_parts(brief: Brief, page: int) -> tuple[Paragraph, Paragraph]:
    return (
        Paragraph(_text(brief.footer), RUNNING),
        Paragraph(_text(f"{brief.title}, page {page}"), RUNNING_RIGHT),
    )


@dataclass(frozen=True)
class Margins:
    """Room above and below the text for the running lines: more than the
    usual when a long marking or title wraps (a 200-character partner id
    ran the marking over the footer)."""

    top: float
    bottom: float
    marking: float  # the marking's height
    footer: float  # the footer's height


def margins(brief: Brief, width: float) -> Margins:
    """How much room the running lines of ``brief`` take, wrapped at ``width``."""
    marking = 0.0
    if brief.marking:
        marking = _marking(brief).wrap(width, MARGIN)[1]
    left, right = _footer_parts(brief, 9_999)
    footer = max(left.wrap(width * 0.6, MARGIN)[1], right.wrap(width * 0.4, MARGIN)[1])
    more_marking = max(0.0, marking - MARKING.leading)
    more_footer = max(0.0, footer - RUNNING.leading)
    return Margins(
        TOP_MARGIN + more_marking,
        BOTTOM_MARGIN + more_marking + more_footer,
        marking,
        footer,
    )


def _running(brief: Brief, page_width: float, page_height: float, room: Margins):  # type: ignore[no-untyped-def]
    """What every page carries: the marking at its top and bottom, the
    brief's source on the left and its title and page number on the right,
    above the bottom marking however many lines it takes (``room``)."""

    def draw(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        width = page_width - 2 * MARGIN
        footer_y = FOOTER_Y
        if brief.marking:
            marking = _marking(brief)
            marking.wrapOn(canvas, width, MARGIN)
            marking.drawOn(canvas, MARGIN, page_height - 0.6 * cm - room.marking)
            marking.drawOn(canvas, MARGIN, MARKING_Y)
            footer_y += max(0.0, room.marking - MARKING.leading)
        left, right = _footer_parts(brief, document.page)
        _, high = left.wrapOn(canvas, width * 0.6, MARGIN)
        left.drawOn(canvas, MARGIN, footer_y + room.footer - high)
        _, high = right.wrapOn(canvas, width * 0.4, MARGIN)
        right.drawOn(canvas, MARGIN + width * 0.6, footer_y + room.footer - high)
        canvas.restoreState()

    return draw


def write_pdf(brief: Brief, path: Path, drawn: Drawn, paper: str = "a4") -> None:
    """The brief as a landscape PDF: page 1 what the programme achieves and
    the plan by month, then every event, goals, spend, changes, fragile
    exercises, exercises left out and, for a what-if, the scenarios; the
    charts, as drawn, kept in ``drawn`` for `write_html`."""
    page_width, page_height = landscape(PAPERS[paper])
    width = page_width - 2 * MARGIN
    room = margins(brief, width)
    height = page_height - room.top - room.bottom
    drawn.families = chart_families(brief.texts())
    story: list[Flowable] = [Paragraph(_text(brief.title), TITLE)]
    if brief.organisation:
        story.append(Paragraph(_text(brief.organisation), BANNER))
    story.append(Paragraph(_text(brief.period), BANNER))
    story.append(Paragraph(_text(brief.summary_title), HEADING))
    story += [
        Paragraph(_text(line), SENTENCE, bulletText="•") for line in brief.summary
    ]
    if brief.groups:
        story.append(CondPageBreak(2.5 * cm))
        story.append(Paragraph(_text("The plan by month"), HEADING))
        lanes, drawn.left = first_lanes(
            chart_lanes(brief, width, drawn.families), MAX_CHART_LANES
        )
        story.append(Gantt(brief, lanes, width, drawn))
        if drawn.left:
            story.append(Paragraph(_text(left_note(drawn.left)), NOTE))
    story += pdf_table(brief.events, width)
    if brief.goals is not None:
        story += pdf_table(brief.goals, width)
    if len(brief.spends) > 1:
        with drawing(drawn.families):
            figure = spend_figure(
                brief.spends,
                brief.currency,
                width * 0.75 / 72,
                (height - 12) / 72,
                drawn.families,
            )
            chart = png(figure)
        drawn.spend = chart
        size = figure.get_size_inches()
        story.append(CondPageBreak(min(height, size[1] * 72)))
        story.append(_image(chart, size[0] * 72, size[1] * 72))
    for table in (brief.spend_table, brief.changes, brief.fragile, brief.left_out):
        if table is not None:
            story += pdf_table(table, width)
    for table in (brief.compared, brief.scenario_changes):
        if table is not None:
            story += pdf_table(table, width)
    while isinstance(story[-1], Spacer):
        story.pop()  # below the last table it would start an empty page
    document = SimpleDocTemplate(
        str(path),
        pagesize=(page_width, page_height),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=room.top,
        bottomMargin=room.bottom,
        title=brief.title,
        author="planner",
        subject=brief.marking,
        initialFontName=FONT,  # else every page names Helvetica too
    )
    decorate = _running(brief, page_width, page_height, room)
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)


# HTML ---------------------------------------------------------------------------

CSS = """
@page { size: %(paper)s landscape; margin: 16mm 12mm; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 1.5em;
       color: #222; max-width: 1400px; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
.banner { color: #555; font-size: 0.9em; margin: 0; }
.marking { text-align: center; font-weight: bold; margin: 0.3em 0; }
@media print {
  .marking { position: fixed; left: 0; right: 0; margin: 0; }
  .marking.top { top: -10mm; }
  .marking.bottom { bottom: -10mm; }
}
h2 { font-size: 1.15em; margin-top: 1.4em; break-after: avoid; }
ul.summary li { margin-bottom: 0.3em; }
table { border-collapse: collapse; font-size: 0.82em; margin-bottom: 0.8em; }
th, td { border: 1px solid #999; padding: 2px 6px; vertical-align: top;
         text-align: left; }
th { background: #dde7f3; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
td.number { text-align: right; }
.chart img { width: 100%%; height: auto; }
.chart.spend img { width: 75%%; }
"""


def _html_table(table: Table) -> str:
    if not table.rows:
        return f"<h2>{html.escape(table.title)}</h2><p>{html.escape(table.note)}</p>"
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="number">{html.escape(c)}</td>'
            if _is_number(c)
            else f"<td>{html.escape(c)}</td>"
            for c in row
        )
        + "</tr>"
        for row in table.rows
    )
    return (
        f"<h2>{html.escape(table.title)}</h2>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _is_number(text: str) -> bool:
    return text.replace(",", "").replace("-", "").replace(" ", "").isdigit()


def write_html(brief: Brief, path: Path, drawn: Drawn, paper: str = "a4") -> None:
    """The brief as one HTML file: no link, script or image file outside it
    (the charts ``drawn`` for the PDF are held in the page as data)."""
    marking = "<br>".join(html.escape(line) for line in brief.marking.splitlines())
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(brief.title)}</title>",
        f"<style>{CSS % {'paper': paper.upper()}}</style></head><body>",
    ]
    if marking:
        parts.append(f'<p class="marking top">{marking}</p>')
    parts += [
        f"<h1>{html.escape(brief.title)}</h1>",
        *(
            f'<p class="banner">{html.escape(line)}</p>'
            for line in (brief.organisation, brief.period)
            if line
        ),
        f"<h2>{html.escape(brief.summary_title)}</h2>",
        '<ul class="summary">',
        *(f"<li>{html.escape(line)}</li>" for line in brief.summary),
        "</ul>",
    ]
    if drawn.gantt:
        parts.append("<h2>The plan by month</h2>")
        parts += [_html_image(chart, "The plan by month") for chart in drawn.gantt]
    if drawn.left:
        parts.append(f"<p>{html.escape(left_note(drawn.left))}</p>")
    parts.append(_html_table(brief.events))
    if brief.goals is not None:
        parts.append(_html_table(brief.goals))
    if drawn.spend is not None:
        spend = _html_image(drawn.spend, "Spend against budget", "chart spend")
        parts.append(f"<h2>Spend</h2>{spend}")
    for table in (
        brief.spend_table,
        brief.changes,
        brief.fragile,
        brief.left_out,
        brief.compared,
        brief.scenario_changes,
    ):
        if table is not None:
            parts.append(_html_table(table))
    parts.append(f'<p class="banner">{html.escape(brief.footer)}</p>')
    if marking:
        parts.append(f'<p class="marking bottom">{marking}</p>')
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")


def _html_image(chart: bytes, words: str, kind: str = "chart") -> str:
    """A chart as an image held in the page itself (a data URL); ``kind``
    its class ("chart spend" for the spend chart, three quarters wide as in
    the PDF)."""
    data = base64.b64encode(chart).decode("ascii")
    return (
        f'<div class="{kind}"><img alt="{html.escape(words)}" '
        f'src="data:image/png;base64,{data}"></div>'
    )
