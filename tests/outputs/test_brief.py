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
from planner.outputs.brief.charts import split_groups
from planner.outputs.brief.content import Group, pack_lanes
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
    # Page 1: banner, key figures, the year plan; 2: goals and spend; 3: the
    # exercises left out (the spend table fills page 2).
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


def test_the_brief_says_what_the_result_says(sample_result: Path) -> None:
    data = json.loads((sample_result / "schedule.json").read_text())
    text = " ".join(pdf_text(sample_result / "brief.pdf").split())
    kpis = data["kpis"]
    held = kpis["held_mandatory"] + kpis["held_optional"]
    assert "Training programme sample" in text
    assert f"Exercises held {held} of 13" in text
    assert f"Organizer spend {kpis['organizer_spend']:,} EUR" in text
    for item in data["unscheduled"]:
        assert item["exercise_id"] in text
    for reason in data["explanation"]["reasons"]:
        # Reasons wrap inside their cell; their first words are on one line.
        assert " ".join(reason["text"].split()[:4]) in text
    for goal in kpis["goals"]:
        assert goal["id"] in text
    assert f"planner {data['planner_version']}" in text


def test_the_html_brief_is_self_contained(sample_result: Path) -> None:
    page = (sample_result / "brief.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 2  # the year plan and the spend chart
    assert re.search(r"""(src|href)=["'](?!#)""", page) is None
    assert "<script" not in page
    for title in ("Key figures", "Goals met and missed", "Exercises left out"):
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


def test_lanes_never_overlap_and_are_as_few_as_the_busiest_day_needs() -> None:
    d = dt.date
    bars = pack_lanes(
        [
            ("A", "", d(2027, 1, 4), d(2027, 1, 17)),
            ("B", "", d(2027, 1, 11), d(2027, 1, 17)),  # overlaps A
            ("C", "", d(2027, 1, 18), d(2027, 1, 24)),  # after both: lane 0 again
        ]
    )
    assert {b.exercise_id: b.lane for b in bars} == {"A": 0, "B": 1, "C": 0}


def test_a_long_plan_goes_over_as_many_charts_as_its_lanes_need() -> None:
    d = dt.date
    bars = tuple(
        pack_lanes([(f"E{i}", "", d(2027, 1, 4), d(2027, 1, 10)) for i in range(30)])
    )
    chunks = split_groups([Group("Nordic", bars), Group("Baltic", bars[:5])], 26)
    # 30 lanes of Nordic: 26 on the first chart, 4 and Baltic's 5 on the next.
    assert [[(g.name, g.lanes) for g in chunk] for chunk in chunks] == [
        [("Nordic", 26)],
        [("Nordic (continued)", 4), ("Baltic", 5)],
    ]


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
