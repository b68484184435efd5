"""The brief as a PDF (reportlab) and as one self-contained HTML page.

Why reportlab for the PDF: a brief is mostly tables whose length depends on
the programme (60 partners, 100 exercises left out), and reportlab's platypus
lays them out as a typesetter would: cells wrap their text, a table longer
than a page splits and repeats its header row, every page gets the same
banner and page number. matplotlib's own PdfPages would need all of that by
hand. reportlab is BSD-licensed, pure Python with wheels everywhere, and has
been maintained since 2000; it needs no system libraries (weasyprint needs
pango). The charts are matplotlib's, placed as 200 dpi images.

The HTML page holds the same sections and the same charts, embedded as
images in the page itself, with a print style sheet for the same landscape
paper, so it can be mailed as one file and printed from a browser. Each
chart is drawn once (`draw_charts`) for both: drawing them again as SVG for
the page took as long as the PDF's (dense xl: 4.5 s of 13 s writing).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from planner.outputs.brief.charts import (
    chart_pages,
    charts_left_note,
    gantt_figure,
    kind_colours,
    png,
    spend_figure,
)
from planner.outputs.brief.content import Brief, Table

PAPERS = {"a4": A4, "a3": A3}
MARGIN = 1.2 * cm
# Lanes of the Gantt chart per page: what fits under the banner at 0.24 in.
LANES_PER_PAGE = {"a4": 26, "a3": 44}
HEADER_FILL = colors.HexColor("#dde7f3")
FONT = "Helvetica"
BOLD = "Helvetica-Bold"

TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=18, leading=22)
BANNER = ParagraphStyle("banner", fontName=FONT, fontSize=9, leading=12)
HEADING = ParagraphStyle(
    "heading", fontName=BOLD, fontSize=12, leading=15, spaceBefore=6, spaceAfter=4
)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10)
NUMBER = ParagraphStyle("number", parent=CELL, alignment=TA_RIGHT)
HEAD_CELL = ParagraphStyle("head", fontName=BOLD, fontSize=8, leading=10)
CELL_PADDING = 6  # reportlab's default left and right padding of a table cell
# A column's longest word may claim at most this share of the width (a longer
# word, such as a long id, is broken rather than pushed off the page).
MAX_FLOOR_SHARE = 0.3
NOTE = ParagraphStyle("note", fontName=FONT, fontSize=9, leading=12)


# A table cell of the PDF holds at most this many characters: reportlab lays a
# long paragraph out line by line (a 387,000-character reason took minutes and
# 140 pages); the workbook and the HTML page keep the whole text.
MAX_CELL_CHARS = 2_000


def _text(value: str) -> str:
    """Text for a Paragraph: markup escaped, long ids allowed to break."""
    return html.escape(value).replace("_", "_\u200b").replace("/", "/\u200b")


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
    data = [[Paragraph(_text(h), HEAD_CELL) for h in table.header]]
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
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [CondPageBreak(3 * cm), *parts, flowable, Spacer(1, 0.3 * cm)]


def _image(figure_png: bytes, width: float, max_height: float) -> Image:
    """A chart scaled to the frame's width, or down to fit its height."""
    image = Image(io.BytesIO(figure_png))
    scale = min(width / image.imageWidth, max_height / image.imageHeight)
    image.drawWidth = image.imageWidth * scale
    image.drawHeight = image.imageHeight * scale
    return image


@dataclass(frozen=True)
class Charts:
    """The brief's charts as 200 dpi PNG images, drawn once for the PDF and
    the HTML page: the year plan (one image per page, at most MAX_CHARTS),
    how many held exercises the pages not drawn would have shown, and the
    spend chart (None without spending partners)."""

    gantt: tuple[bytes, ...]
    left: int
    spend: bytes | None


def draw_charts(brief: Brief, paper: str = "a4") -> Charts:
    """Draw every chart of ``brief`` for a page of ``paper``."""
    width_in = _frame(paper)[0] / 72
    colours = kind_colours(brief.kinds)
    chunks, left = chart_pages(brief.groups, LANES_PER_PAGE[paper])
    gantt = tuple(
        png(
            gantt_figure(
                chunk,
                brief.first_day,
                brief.last_day,
                colours,
                width_in,
                _first_room(paper) / 72 if not index else None,
            )
        )
        for index, chunk in enumerate(chunks)
    )
    spend = None
    if brief.spends:
        spend = png(spend_figure(brief.spends, brief.currency, width_in * 0.75))
    return Charts(gantt, left, spend)


def _frame(paper: str) -> tuple[float, float]:
    """The width and height (points) a page of ``paper`` leaves for content."""
    page_width, page_height = landscape(PAPERS[paper])
    return page_width - 2 * MARGIN, page_height - 2 * MARGIN - 1.0 * cm


def _first_room(paper: str) -> float:
    """The height (points) the first chart has under the banner and figures."""
    return _frame(paper)[1] - 6.5 * cm


def write_pdf(brief: Brief, path: Path, charts: Charts, paper: str = "a4") -> None:
    """The brief as a landscape PDF: banner and key figures, the year plan,
    then goals, spend, exercises left out and, for a what-if, the scenarios;
    ``charts`` drawn for ``paper``."""
    page_width, page_height = landscape(PAPERS[paper])
    width, height = _frame(paper)

    def decorate(canvas: object, document: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont(FONT, 7)  # type: ignore[attr-defined]
        canvas.setFillColor(colors.HexColor("#555555"))  # type: ignore[attr-defined]
        canvas.drawString(MARGIN, MARGIN / 2, brief.banner[1])  # type: ignore[attr-defined]
        canvas.drawRightString(  # type: ignore[attr-defined]
            page_width - MARGIN,
            MARGIN / 2,
            f"{brief.title}, page {document.page}",  # type: ignore[attr-defined]
        )
        canvas.restoreState()  # type: ignore[attr-defined]

    story: list[Flowable] = [Paragraph(_text(brief.title), TITLE)]
    story += [Paragraph(_text(line), BANNER) for line in brief.banner]
    story.append(Spacer(1, 0.3 * cm))
    story += _figures_block(brief.figures, width)
    # The first chart shares its page with the banner and key figures.
    first_room = _first_room(paper)
    for index, chart in enumerate(charts.gantt):
        if index:
            story.append(PageBreak())
        title = "The plan by month, by region of the venue"
        story.append(Paragraph(title if not index else f"{title} (continued)", HEADING))
        # The first chart shrinks to the room left under the key figures, so
        # its heading never stands alone at the foot of page 1.
        room = first_room - 1 * cm if not index else height - 2 * cm
        story.append(_image(chart, width, room))
    if not brief.groups:
        story.append(Paragraph("No plan: nothing to show by month.", NOTE))
    if charts.left:
        story.append(Paragraph(_text(charts_left_note(charts.left)), NOTE))
    story.append(PageBreak())
    story += pdf_table(brief.goals, width)
    if charts.spend is not None:
        story.append(CondPageBreak(height / 2))
        story.append(_image(charts.spend, width * 0.75, height * 0.8))
    story += pdf_table(brief.spend_table, width)
    story += pdf_table(brief.left_out, width)
    if brief.compared is not None and brief.changes is not None:
        story.append(PageBreak())
        story += pdf_table(brief.compared, width)
        story += pdf_table(brief.changes, width)
    document = SimpleDocTemplate(
        str(path),
        pagesize=(page_width, page_height),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=brief.title,
        author="planner",
    )
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)


def _figures_block(figures: Table, width: float) -> list[Flowable]:
    """Key figures as one compact row of label/value pairs, four to a line."""
    pairs = list(figures.rows)
    per_line = 4
    data = []
    for start in range(0, len(pairs), per_line):
        line: list[object] = []
        for label, value in pairs[start : start + per_line]:
            line += [Paragraph(_text(label), CELL), Paragraph(_text(value), HEAD_CELL)]
        line += [""] * (2 * per_line - len(line))
        data.append(line)
    table = PdfTable(
        data, colWidths=[width / per_line * 0.55, width / per_line * 0.45] * per_line
    )
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f3f6fa")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return [Paragraph(_text(figures.title), HEADING), table, Spacer(1, 0.2 * cm)]


# HTML ---------------------------------------------------------------------------

CSS = """
@page { size: %(paper)s landscape; margin: 12mm; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 1.5em;
       color: #222; max-width: 1400px; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
.banner { color: #555; font-size: 0.9em; margin: 0; }
h2 { font-size: 1.15em; margin-top: 1.4em; break-after: avoid; }
table { border-collapse: collapse; font-size: 0.82em; margin-bottom: 0.8em; }
th, td { border: 1px solid #999; padding: 2px 6px; vertical-align: top;
         text-align: left; }
th { background: #dde7f3; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
td.number { text-align: right; }
.chart img { width: 100%%; height: auto; }
.chart.spend img { width: 75%%; }
.figures td:nth-child(even) { font-weight: bold; }
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


def write_html(brief: Brief, path: Path, charts: Charts, paper: str = "a4") -> None:
    """The brief as one HTML file: no link, script or image file outside it
    (``charts`` are embedded as data)."""
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(brief.title)}</title>",
        f"<style>{CSS % {'paper': paper.upper()}}</style></head><body>",
        f"<h1>{html.escape(brief.title)}</h1>",
        *(f'<p class="banner">{html.escape(line)}</p>' for line in brief.banner),
        _figures_html(brief.figures),
        "<h2>The plan by month, by region of the venue</h2>",
    ]
    parts += [_html_image(chart, "The plan by month") for chart in charts.gantt]
    if not charts.gantt:
        parts.append("<p>No plan: nothing to show by month.</p>")
    if charts.left:
        parts.append(f"<p>{html.escape(charts_left_note(charts.left))}</p>")
    parts.append(_html_table(brief.goals))
    if charts.spend is not None:
        spend = _html_image(charts.spend, "Spend against budget", "chart spend")
        parts.append(f"<h2>Spend</h2>{spend}")
    parts += [_html_table(brief.spend_table), _html_table(brief.left_out)]
    for extra in (brief.compared, brief.changes):
        if extra is not None:
            parts.append(_html_table(extra))
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


def _figures_html(figures: Table) -> str:
    cells = "".join(
        f"<tr><td>{html.escape(label)}</td><td>{html.escape(value)}</td></tr>"
        for label, value in figures.rows
    )
    return (
        f"<h2>{html.escape(figures.title)}</h2>"
        f'<table class="figures"><tbody>{cells}</tbody></table>'
    )


def chart_count(brief: Brief, paper: str) -> int:
    """How many Gantt charts (pages) the PDF holds."""
    return len(chart_pages(brief.groups, LANES_PER_PAGE[paper])[0])


__all__: Sequence[str] = ("chart_count", "draw_charts", "write_html", "write_pdf")
