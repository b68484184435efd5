"""The brief: rendered to images and read back as a person would.

One solve of the sample programme (module fixture) gives the result every test
briefs; `planner solve` writes brief.pdf and brief.html beside it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner import cli
from planner.outputs.brief.charts import (
    drawing,
    gantt_figure,
    pack,
    split_lanes,
)
from planner.outputs.brief.content import Bar, Group
from planner.outputs.brief.fonts import chart_families
from tests.test_cli import SAMPLE, assert_checked
from tests.tools import (
    ink_at_edges,
    page_count,
    render_pages,
    require,
    words_outside,
)

pytestmark = pytest.mark.office

EDGE_POINTS = 12.0  # closer to the paper's edge than this, a printer cuts it


@pytest.fixture(scope="module")
def sample_result(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("brief") / "sample"
    ran = CliRunner().invoke(
        cli.main,
        ["solve", str(SAMPLE), "--out", str(folder), "--time-limit", "30",
         "--workers", "2", "--deterministic", "--quiet"],
    )  # fmt: skip
    assert ran.exit_code == 0, ran.output
    assert_checked(SAMPLE, folder)
    return folder


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        [require("pdftotext"), "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_solve_writes_the_brief_beside_the_result(sample_result: Path) -> None:
    assert (sample_result / "brief.pdf").stat().st_size > 0
    assert (sample_result / "brief.html").stat().st_size > 0


def test_the_sample_brief_is_three_landscape_pages_with_nothing_cut_off(
    sample_result: Path, tmp_path: Path
) -> None:
    pdf = sample_result / "brief.pdf"
    # Page 1: what the programme achieves and the plan by month; 2: every
    # event and the goals; 3: spend and the exercises left out.
    assert page_count(pdf) == 3
    assert words_outside(pdf, EDGE_POINTS) == []
    pages = render_pages(pdf, tmp_path)
    assert len(pages) == 3
    for page in pages:
        assert not ink_at_edges(page, band=5), f"{page.name} is drawn to its edge"
    info = subprocess.run(
        [require("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    width, height = map(float, re.search(r"([\d.]+) x ([\d.]+) pts", info).groups())
    assert (round(width), round(height)) == (842, 595), "A4 landscape"
    assert round(smallest_text(pdf), 1) >= 8.0


def smallest_text(pdf: Path) -> float:
    """The size of the smallest letter, in points, as the PDF sets its font
    (a word's box is as high as its tallest letter, not its font's size)."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        return min(char["size"] for page in document.pages for char in page.chars)


def test_the_brief_says_what_the_result_says(sample_result: Path) -> None:
    data = json.loads((sample_result / "schedule.json").read_text())
    text = " ".join(pdf_text(sample_result / "brief.pdf").split())
    kpis = data["kpis"]
    held = kpis["held_mandatory"] + kpis["held_optional"]
    assert "Northern Training Programme 2027" in text
    assert "Joint Training Branch" in text
    assert f"The plan holds {held} of the 13 exercises" in text
    assert f"The organiser spends {kpis['organizer_spend']:,} EUR" in text
    for event in data["events"]:
        assert f"({event['exercise_id']})" in text
    for item in data["unscheduled"]:
        assert item["exercise_id"] in text
    for reason in data["explanation"]["reasons"]:
        # Reasons wrap inside their cell; their first words are on one line.
        assert " ".join(reason["text"].split()[:4]) in text
    for goal in kpis["goals"]:
        assert goal["id"] in text
    assert f"planner {data['planner_version']}" in text


def test_the_first_pages_speak_without_solver_words(sample_result: Path) -> None:
    text = pdf_text(sample_result / "brief.pdf").lower()
    for word in ("objective", "optimal", "feasible", "solver", "gap", "bound"):
        assert word not in text, word


def test_every_bar_of_the_chart_has_one_label_clear_of_the_others() -> None:
    """Drawn as the brief draws it, no label runs over a bar other than its
    own, nor over another label, and a label inside its bar stays inside.
    Seen: a label of wide letters ("HADR WWWW") overran both ends of its
    bar, as an estimate per letter put it a fifth shorter than it printed."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    d = dt.date
    # Bars of one to four weeks; "HADR WWWW" gets the four weeks of E3 and E15.
    names = (
        "MEDEVAC MMM WARSAW", "Київ Щит 27", "Αθήνα Ωμέγα", "HADR WWWW",
        "Rzeczpospolita Polska (Łódź, Świętoszów)", "Türkiye (Şile, Kış)",  # noqa: RUF001
    )  # fmt: skip
    bars = tuple(
        Bar(f"E{i}", names[i % len(names)], "k", d(2027, 1, 4) + dt.timedelta(14 * i),
            d(2027, 1, 10) + dt.timedelta(14 * i + 7 * (i % 4)))
        for i in range(26)
    )  # fmt: skip
    families = chart_families(names)
    first, last = d(2027, 1, 4), d(2027, 12, 26)
    with drawing(families):
        lanes = pack(Group("Nordic", bars), first, last, 10.5, families)
        figure = gantt_figure([lanes], first, last, {"k": "#aec7e8"}, 10.5)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        renderer = canvas.get_renderer()
        (ax,) = figure.axes
        labels = [t.get_window_extent(renderer) for t in ax.texts]
        boxes = [p.get_window_extent(renderer) for p in ax.containers[0].patches]
    assert len(labels) == len(boxes) == len(bars)  # one label a bar
    # A one-week bar cannot hold its name: the name goes beside it, so the
    # next week's bar must take another lane.
    assert lanes.count > 1
    for index, label in enumerate(labels):
        label = label.shrunk(0.99, 0.9)  # touching is not running over
        for other, box in enumerate(boxes):
            if other != index:
                assert not label.overlaps(box), (ax.texts[index], bars[other])
        for other, box in enumerate(labels):
            if other != index:
                assert not label.overlaps(box), (ax.texts[index], ax.texts[other])
        # Beside its bar, or inside it from end to end.
        own = boxes[index]
        if label.overlaps(own):
            assert own.x0 <= label.x0 and label.x1 <= own.x1, ax.texts[index]


def test_chart_text_prints_at_8_pt_at_least() -> None:
    """The charts are pictures in the PDF, drawn at the size they print:
    every text in them is 8 pt or more."""
    from matplotlib.text import Text

    d = dt.date
    bars = (Bar("E1", "Cold Response 27", "field", d(2027, 2, 1), d(2027, 2, 21)),)
    first, last = d(2027, 1, 4), d(2027, 12, 26)
    with drawing(chart_families(["Cold Response 27"])):
        lanes = pack(Group("Nordic", bars), first, last, 10.0)
        figure = gantt_figure([lanes], first, last, {"field": "#c49c94"}, 10.0)
        figure.canvas.draw_idle()
        texts = [t for t in figure.findobj(Text) if t.get_text().strip()]
    assert texts
    assert min(t.get_fontsize() for t in texts) >= 8.0


def test_a_long_plan_goes_over_as_many_charts_as_its_lanes_need() -> None:
    d = dt.date
    bars = tuple(
        Bar(f"E{i}", f"E{i}", "", d(2027, 1, 4), d(2027, 3, 28)) for i in range(30)
    )
    first, last = d(2027, 1, 4), d(2027, 12, 26)
    nordic = pack(Group("Nordic", bars), first, last, 10.0)
    baltic = pack(Group("Baltic", bars[:5]), first, last, 10.0)
    chunks = split_lanes([nordic, baltic], 26)
    # 30 lanes of Nordic: 26 on the first chart, 4 and Baltic's 5 on the next.
    assert [[(g.name, g.count) for g in chunk] for chunk in chunks] == [
        [("Nordic", 26)],
        [("Nordic (continued)", 4), ("Baltic", 5)],
    ]


def test_the_html_brief_is_self_contained(sample_result: Path) -> None:
    page = (sample_result / "brief.html").read_text(encoding="utf-8")
    # The year plan and the spend chart, as the PDF's images held in the page.
    assert page.count('src="data:image/png;base64,') == 2
    assert re.search(r"""(src|href)=["'](?!#|data:image/png;base64,)""", page) is None
    assert "<script" not in page
    for title in (
        "What the programme achieves",
        "Every event of the plan",
        "Goals met and missed",
        "Exercises left out",
    ):
        assert title in page


def test_brief_compares_a_scenario_and_names_what_changed(
    sample_result: Path, tmp_path: Path
) -> None:
    # A hand-moved copy of the plan: its first event a week later.
    other = tmp_path / "later"
    shutil.copytree(sample_result, other)
    data = json.loads((other / "schedule.json").read_text())
    event = data["events"][0]
    for key in ("start_date", "end_date"):
        day = dt.date.fromisoformat(event[key]) + dt.timedelta(days=7)
        event[key] = day.isoformat()
    (other / "schedule.json").write_text(json.dumps(data))
    out = tmp_path / "brief"
    ran = CliRunner().invoke(
        cli.main,
        ["brief", str(sample_result), "--compare", str(other), "--out", str(out)],
    )
    assert ran.exit_code == 0, ran.output
    text = " ".join(pdf_text(out / "brief.pdf").split())
    assert "Scenarios side by side" in text
    assert f"later {event['exercise_id']} moved" in text
    assert words_outside(out / "brief.pdf", EDGE_POINTS) == []


def test_brief_of_a_folder_without_a_result_exits_2(tmp_path: Path) -> None:
    ran = CliRunner().invoke(cli.main, ["brief", str(tmp_path)])
    assert ran.exit_code == 2
    assert "holds no schedule.json" in ran.output


def test_a_narrow_column_is_never_narrower_than_its_longest_word() -> None:
    # Seen on a generated l brief: the Goals table's id column, sized by
    # share alone, broke "Goal" into "Go/al" and "G01" into "G0/1".
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from planner.outputs.brief.content import Table
    from planner.outputs.brief.render import BOLD, CELL_PADDING, FONT, _column_widths

    long_reason = "It reaches 9 of 11. Partners short of it: MEX 9. " * 4
    table = Table(
        "Goals met and missed",
        ("Goal", "What it asks", "Kind", "Why missed"),
        tuple(
            (f"G{i:02}", "at least 70 exercises", "hard", long_reason)
            for i in range(20)
        ),
    )
    widths = _column_widths(table, 770.0)
    assert sum(widths) == pytest.approx(770.0)
    assert widths[0] >= stringWidth("Goal", BOLD, 8) + 2 * CELL_PADDING
    assert widths[0] >= stringWidth("G19", FONT, 8) + 2 * CELL_PADDING
    assert widths[3] == max(widths)  # the reasons get the room


def test_a_cell_longer_than_a_page_is_cut_in_the_pdf(tmp_path: Path) -> None:
    # A reason of 387,000 characters stopped `planner solve` on a dense xl
    # with reportlab's LayoutError (a row taller than the page); cut, the
    # table fits, and the cut says where the rest is.
    from planner.outputs.brief.content import Table
    from planner.outputs.brief.render import MAX_CELL_CHARS, _cell_text, pdf_table

    long_reason = "Asset SHIP-1 serves one event at a time (Assets row 2) | " * 7000
    cut = _cell_text(long_reason)
    assert len(cut) < MAX_CELL_CHARS + 100
    assert cut.endswith("more characters in schedule.xlsx and brief.html)")
    table = Table(
        "Goals met and missed", ("Goal", "Why missed"), (("G01", long_reason),)
    )
    from reportlab.platypus import SimpleDocTemplate

    pdf = tmp_path / "long.pdf"
    SimpleDocTemplate(str(pdf)).build(pdf_table(table, 450.0))
    assert 1 <= page_count(pdf) <= 3
