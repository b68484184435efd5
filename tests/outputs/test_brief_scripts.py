"""The brief's charts and running lines with names as people type them:
Arabic and Hebrew, a line break (Alt+Enter) in a cell, a 200-character id.

Charts are built as the brief builds them and their texts read back; the
running lines are laid out by reportlab and read back with pdftotext.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import warnings
from pathlib import Path

from matplotlib.text import Text

from planner.outputs.brief.charts import (
    drawing,
    gantt_figure,
    pack,
    png,
    spend_figure,
)
from planner.outputs.brief.content import Bar, Brief, Group, Spend, Table
from planner.outputs.brief.fonts import chart_families, in_drawing_order
from planner.outputs.brief.render import Drawn, write_pdf
from planner.report import partner_marking
from tests.tools import require

ARABIC = "تمرين الربيع"
HEBREW = "תרגיל אביב"
FIRST, LAST = dt.date(2027, 1, 4), dt.date(2027, 12, 26)
LONG_ID = "POL" + "X" * 197


def gantt_texts(bars: tuple[Bar, ...], region: str, kinds: dict[str, str]) -> set[str]:
    """Every text of the plan by month of ``bars`` in ``region``, as drawn;
    any Python warning on the way fails the test (it would reach stderr)."""
    names = [region, *(b.label for b in bars), *kinds]
    families = chart_families(names)
    with warnings.catch_warnings(), drawing(families):
        warnings.simplefilter("error")
        lanes = pack(Group(region, bars), FIRST, LAST, 10.0, families)
        figure = gantt_figure([lanes], FIRST, LAST, kinds, 10.0, families)
        png(figure, dpi=40)
        return {t.get_text() for t in figure.findobj(Text) if t.get_text()}


def test_the_chart_hands_arabic_and_hebrew_to_matplotlib_as_typed() -> None:
    """matplotlib (libraqm) lays right-to-left text out itself: a name put in
    drawing order first came out backwards, "عيبرلا نيرمت"."""
    bars = (
        Bar("SPS27", ARABIC, "field", dt.date(2027, 4, 26), dt.date(2027, 5, 9)),
        Bar("CPX27", HEBREW, "field", dt.date(2027, 3, 1), dt.date(2027, 3, 7)),
    )
    texts = gantt_texts(bars, "מרכז", {"field": "#c49c94"})
    assert {ARABIC, HEBREW, "מרכז"} <= texts


def test_a_line_break_in_a_name_or_kind_is_drawn_as_a_space() -> None:
    """A label has the height of one line, and no font has a letter for a
    line break: matplotlib warned "Glyph 10 (\\n) missing" on stderr."""
    bars = (
        Bar("CR27", "Cold Response\n27", "staff\ntalks", FIRST, dt.date(2027, 1, 24)),
    )
    texts = gantt_texts(bars, "Nordic\nregion", {"staff\ntalks": "#aec7e8"})
    assert {"Cold Response 27", "staff talks", "Nordic region"} <= texts
    assert not any("\n" in text for text in texts - {"Jan\n2027"})


def test_a_200_character_id_is_shortened_beside_the_spend_chart() -> None:
    """The whole id left the axes no room: "constrained_layout not applied"
    on stderr, and the id cut off at the figure's edge."""
    spends = [Spend(LONG_ID, "Poland", 215_000, 500_000), Spend("NOR", "", 1, 2)]
    families = chart_families([LONG_ID])
    with warnings.catch_warnings(), drawing(families):
        warnings.simplefilter("error")
        figure = spend_figure(spends, "EUR", 8.0, 6.0, families)
        png(figure, dpi=40)
        (ax,) = figure.axes
        labels = [t.get_text() for t in ax.get_yticklabels()]
    # The biggest spender at the top, the last label.
    assert labels[-1].startswith("POLXXX") and labels[-1].endswith("…")
    assert len(labels[-1]) < 40 and labels[0] == "NOR"


def test_a_pdf_line_keeps_an_arabic_name_before_its_id() -> None:
    """A line is read left to right, as the HTML page shows it: taken as
    right to left because it starts in Arabic, the id came first,
    "(SPS27) (mandatory) تمرين الربيع"."""
    drawn = in_drawing_order(f"{ARABIC} (SPS27) (mandatory)")
    assert drawn.endswith(" (SPS27) (mandatory)")
    assert in_drawing_order(f"{HEBREW} (CPX27)") == "ביבא ליגרת (CPX27)"


def test_a_partner_marking_keeps_the_classification_and_says_for_whom() -> None:
    """A classification that already says to whom it is releasable is kept as
    it is; a second "releasable to Poland" contradicted it."""
    classification = "NATO RESTRICTED – releasable to Türkiye, Україна"  # noqa: RUF001
    assert partner_marking(classification, "Poland (POL)") == (
        f"{classification}\nPrepared for Poland (POL)"
    )
    assert partner_marking("", "Poland (POL)") == "Prepared for Poland (POL)"


def layout_lines(pdf: Path) -> list[str]:
    text = subprocess.run(
        [require("pdftotext"), "-layout", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_a_long_marking_wraps_clear_of_the_footer(tmp_path: Path) -> None:
    """A 200-character partner id wraps the marking over three lines; the
    page makes room for them, so the footer is a line of its own."""
    brief = Brief(
        title="Programme: Poland",
        organisation="",
        marking=partner_marking("OFFICIAL", f"Poland ({LONG_ID})"),
        period="4 Jan to 26 Dec 2027",
        summary_title="What the programme holds",
        summary=("Poland takes part.",),
        first_day=FIRST,
        last_day=LAST,
        groups=(),
        kinds=(),
        events=Table("Events", ("Dates",), (("4 Jan",),)),
        footer="Brief of 5 Dec 2026; input sample.xlsx",
    )
    pdf = tmp_path / "partner.pdf"
    write_pdf(brief, pdf, Drawn())
    lines = layout_lines(pdf)
    assert lines[0] == "OFFICIAL"
    assert lines[1].startswith("Prepared for Poland (POLXXX")
    footer = [line for line in lines if "Brief of 5 Dec 2026" in line]
    assert len(footer) == 1 and "XXX" not in footer[0]
    # The bottom marking after the footer, the page's last lines.
    assert lines[-1].endswith("X)") and lines.index(footer[0]) < len(lines) - 3
