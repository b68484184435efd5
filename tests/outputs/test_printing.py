"""schedule.xlsx and comparison.xlsx on paper: print settings, month headings,
shaded blackouts, headings aligned with their numbers; and a rendering through
LibreOffice that shows no heading cut off."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from planner.app.publish import write_comparison, write_schedule
from planner.domain import Period, Source
from planner.outputs.printing import column_name, heading
from planner.outputs.schedule_xlsx import BLACKOUT_FILL, HOLIDAY_FILL
from tests.outputs.test_comparison_xlsx import compare, load_result
from tests.test_differences import BASE, CUT, write
from tests.tools import require
from tests.workbook.test_plan_io import input_file, small_problem, small_result

pytestmark = pytest.mark.office


def with_blackouts() -> object:
    """The small problem with partner A out in slot 4 (a workbook row) and
    slot 5 (a public holiday)."""
    problem = small_problem()
    a, b = problem.partners
    a = dataclasses.replace(
        a,
        unavailable=(
            Period(4, 4, "exercise leave", Source("Unavailability", 2)),
            Period(5, 5, "public holidays in NO: Easter", Source("Holidays", 2)),
        ),
    )
    return dataclasses.replace(problem, partners=(a, b))


@pytest.fixture
def schedule(tmp_path: Path) -> Path:
    write_schedule(with_blackouts(), small_result(), tmp_path, input_file(tmp_path))
    return tmp_path / "schedule.xlsx"


@pytest.fixture
def comparison(tmp_path: Path) -> Path:
    base = load_result(write(tmp_path, "base", BASE))
    cut = load_result(write(tmp_path, "cut", CUT))
    return write_comparison(compare([base, cut]), tmp_path / "comparison.xlsx")


def test_every_sheet_prints_landscape_one_page_wide_with_its_headings(
    schedule: Path, comparison: Path
) -> None:
    for path in (schedule, comparison):
        for ws in load_workbook(path).worksheets:
            setup = ws.page_setup
            assert setup.orientation == "landscape", ws.title
            assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), ws.title
            assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
            assert ws.print_title_rows, f"{ws.title} repeats no heading row"
            assert "&P" in ws.oddFooter.right.text


def test_calendar_grids_print_on_a3_with_their_label_columns(schedule: Path) -> None:
    workbook = load_workbook(schedule)
    # Calendar: 4 label columns (A:D), Partners 6 (A:F), Venues 4; two
    # heading rows (months, then days).
    for name, columns in (("Calendar", "D"), ("Partners", "F"), ("Venues", "D")):
        ws = workbook[name]
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A3)
        assert ws.print_title_rows == "$1:$2"
        assert ws.print_title_cols == f"$A:${columns}"
    schedule = workbook["Schedule"]
    assert int(schedule.page_setup.paperSize) == int(schedule.PAPERSIZE_A4)


def test_months_head_the_week_columns(schedule: Path) -> None:
    ws = load_workbook(schedule)["Calendar"]
    # Ten weeks from Monday 2027-01-04: January holds slots 0-3 (E:H), February
    # slots 4-7 (I:L), March 8-9 (M:N).
    assert sorted(str(r) for r in ws.merged_cells.ranges) == [
        "E1:H1",
        "I1:L1",
        "M1:N1",
    ]
    assert [ws[c].value for c in ("E1", "I1", "M1")] == [
        "Jan 2027",
        "Feb 2027",
        "Mar 2027",
    ]


def test_blackouts_and_holidays_are_shaded_on_the_partner_calendar(
    schedule: Path,
) -> None:
    ws = load_workbook(schedule)["Partners"]
    # Slot 0 is column G; partner A is row 3.
    assert ws["K3"].fill.fgColor.rgb[-6:] == BLACKOUT_FILL.fgColor.rgb[-6:]
    assert ws["L3"].fill.fgColor.rgb[-6:] == HOLIDAY_FILL.fgColor.rgb[-6:]
    assert ws["K3"].fill.fill_type == BLACKOUT_FILL.fill_type
    assert ws["M3"].fill.fill_type is None
    summary = [c.value for c in load_workbook(schedule)["Summary"]["B"]]
    assert "blackout (Unavailability sheet)" in summary


def test_number_headings_align_right_above_their_numbers(schedule: Path) -> None:
    ws = load_workbook(schedule)["Goals"]
    headings = {c.value: c.alignment.horizontal for c in ws[1]}
    # Weight, target, achieved and shortfall hold numbers; goal ids are text.
    assert headings["Weight"] == headings["Target"] == headings["Shortfall"] == "right"
    assert headings["Goal"] == headings["Met"] == "left"


def test_headings_in_words_read_back_as_column_names() -> None:
    for name in ("exercise_id", "start_date", "participant_count", "hard/soft"):
        assert column_name(heading(name)) == name
    assert heading("start_date") == "Start date"
    assert column_name("start_date") == "start_date"


def rendered_text(xlsx: Path, folder: Path) -> str:
    """The workbook printed by LibreOffice, as the text on its pages."""
    soffice = require("soffice")
    profile = folder / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(folder), str(xlsx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = folder / (xlsx.stem + ".pdf")
    return subprocess.run(
        [require("pdftotext"), "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_libreoffice_prints_no_cut_date(
    schedule: Path, comparison: Path, tmp_path: Path
) -> None:
    for path in (schedule, comparison):
        text = rendered_text(path, tmp_path)
        # A date cut by its column prints as "2027-01-0" or as ###.
        assert re.search(r"\b\d{4}-\d{2}-\d(?!\d)", text) is None, path.name
        assert "###" not in text, path.name
        assert "Jan 2027" in text
