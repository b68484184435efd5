"""schedule.xlsx and comparison.xlsx on paper: print settings, month headings,
shaded blackouts, headings aligned with their numbers; and a rendering through
LibreOffice that shows no heading cut off."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from planner.app.publish import write_comparison, write_schedule
from planner.domain import Period, Source
from planner.outputs.printing import column_name, heading
from planner.outputs.schedule_xlsx import BLACKOUT_FILL, HOLIDAY_FILL
from planner.outputs.tables import LINE_POINTS
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
    problem = with_blackouts()
    settings = dataclasses.replace(
        problem.settings, classification="OFFICIAL - releasable to A & B"
    )
    problem = dataclasses.replace(problem, settings=settings)
    write_schedule(problem, small_result(), tmp_path, input_file(tmp_path))
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
            assert int(setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
            assert setup.fitToWidth == 1, ws.title
            assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
            # A grid's blocks carry their own headings; every table repeats
            # its; the two tables of Goals head each of their pages themselves
            # (`test_a_long_goals_sheet_heads_every_page_with_its_own_table`).
            if ws.title != "Goals":
                assert ws.print_title_rows or ws.print_title_cols, ws.title
            assert "&P" in ws.oddFooter.right.text
            # The header and footer have margins of their own, clear of the table.
            margins = ws.page_margins
            assert margins.top - margins.header >= 0.4, ws.title


def test_the_marking_heads_and_foots_every_page(schedule: Path) -> None:
    for ws in load_workbook(schedule).worksheets:
        assert ws.oddHeader.center.text == "OFFICIAL - releasable to A && B"
        assert ws.oddFooter.center.text == "OFFICIAL - releasable to A && B"


def test_calendar_grids_repeat_their_label_columns(schedule: Path) -> None:
    workbook = load_workbook(schedule)
    # Calendar: 3 label columns (A:C), Partners 6 (A:F), Venues 4; each block
    # has its own heading rows, so none repeats.
    for name, columns in (("Calendar", "C"), ("Partners", "F"), ("Venues", "D")):
        ws = workbook[name]
        assert ws.print_title_cols == f"$A:${columns}"
        assert ws.print_title_rows is None
    # Two exercises held, below the heading; columns to Cost printed.
    assert workbook["Schedule"].print_area == "'Schedule'!$A$1:$L$3"


def test_months_head_the_week_columns(schedule: Path) -> None:
    ws = load_workbook(schedule)["Calendar"]
    # Ten weeks from Monday 2027-01-04: January holds slots 0-3 (D:G), February
    # slots 4-7 (H:K), March 8-9 (L:M).
    assert sorted(str(r) for r in ws.merged_cells.ranges) == [
        "D1:G1",
        "H1:K1",
        "L1:M1",
    ]
    assert [ws[c].value for c in ("D1", "H1", "L1")] == [
        "Jan 2027",
        "Feb 2027",
        "Mar 2027",
    ]


def test_blackouts_and_holidays_are_shaded_on_the_partner_calendar(
    schedule: Path,
) -> None:
    ws = load_workbook(schedule)["Partners"]
    # Slot 0 is column G; partner A is row 3 (row 1 the block, 2 headings).
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


@pytest.fixture(scope="module")
def sample_printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The committed sample solved, and its schedule.xlsx printed to PDF by
    LibreOffice: (result folder, PDF)."""
    from tests.test_cli import SAMPLE, solve_checked

    folder = tmp_path_factory.mktemp("sample")
    solve_checked(SAMPLE, folder / "out")
    rendered_text(folder / "out" / "schedule.xlsx", folder)
    return folder / "out", folder / "schedule.pdf"


def sheet_pages(pdf: Path, sheet: str) -> list[object]:
    """The printed pages of one sheet (its name heads every page)."""
    import pdfplumber

    document = pdfplumber.open(pdf)
    return [
        page
        for page in document.pages
        if f": {sheet}" in (page.extract_text() or "").splitlines()[0]
    ]


def test_the_sample_prints_on_six_a4_pages_at_8_pt_with_its_marking(
    sample_printed: tuple[Path, Path],
) -> None:
    """The committed sample's schedule.xlsx through LibreOffice: at most six
    A4 landscape pages, no character under 8 pt, one font family, the
    marking at the top and bottom of every page, no empty page."""
    import pdfplumber

    with pdfplumber.open(sample_printed[1]) as pdf:
        assert 1 <= len(pdf.pages) <= 6
        families = set()
        for number, page in enumerate(pdf.pages, start=1):
            assert (round(page.width), round(page.height)) == (842, 595), number
            assert min(char["size"] for char in page.chars) >= 8.0, number
            families |= {
                char["fontname"].split("+")[-1].split("-")[0] for char in page.chars
            }
            lines = [x for x in (page.extract_text() or "").splitlines() if x.strip()]
            assert "OFFICIAL" in lines[0], f"page {number} head: {lines[0]}"
            assert "OFFICIAL" in lines[-1], f"page {number} foot: {lines[-1]}"
            assert len(lines) > 3, f"page {number} is empty"
        assert len(families) == 1, families


def test_printed_headings_stand_apart(sample_printed: tuple[Path, Path]) -> None:
    """A text heading right of a number's is set in from it: "Shortfall"
    and "Met" printed as one word "ShortfallMet", "End date" and "Venue" as
    "dateVenue"."""
    pairs = {("Shortfall", "Met"), ("date", "Venue"), ("Duration", "Mandatory")}
    seen = set()
    for sheet in ("Schedule", "Goals"):
        for page in sheet_pages(sample_printed[1], sheet):
            words = page.extract_words()
            for word, after in itertools.pairwise(words):
                if (word["text"], after["text"]) in pairs:
                    seen.add((word["text"], after["text"]))
                    assert after["x0"] - word["x1"] >= 4.0, (word, after)
    assert seen == pairs


def test_the_printed_calendars_show_whole_names_and_labels(
    sample_printed: tuple[Path, Path],
) -> None:
    """Every held exercise's name in full on the Calendar (a long one wraps
    in its cell, "Cold Response 27 final planni" was cut by the venue
    column), and each partner's every event labelled once and whole (a bar
    starting where the label before it ran printed "CPXCYB-TTX")."""
    folder, pdf = sample_printed
    data = json.loads((folder / "schedule.json").read_text())
    schedule = load_workbook(folder / "schedule.xlsx")["Schedule"]
    names = {r[0]: r[1] for r in schedule.iter_rows(min_row=2, values_only=True)}
    assert len(names) == len(data["events"])
    calendar = [
        w["text"] for p in sheet_pages(pdf, "Calendar") for w in p.extract_words()
    ]
    for name in names.values():
        assert set(name.split()) <= set(calendar), name
    for exercise_id in names:
        # Once, in the half-year the exercise is held in.
        assert calendar.count(exercise_id) == 1, exercise_id
    partners = [
        w["text"] for p in sheet_pages(pdf, "Partners") for w in p.extract_words()
    ]
    for event in data["events"]:
        # One label per partner taking part, each a word of its own.
        assert partners.count(event["exercise_id"]) == len(event["participants"]), event


def test_wrapped_rows_are_as_tall_as_their_text(
    sample_printed: tuple[Path, Path],
) -> None:
    """A row that wraps a reason is as many lines high as LibreOffice prints
    it on, or one more, never fewer (a count of characters made the rows of
    the exercises left out two and three lines too tall)."""
    folder, pdf = sample_printed
    left_out = [e["exercise_id"] for e in json.loads(
        (folder / "schedule.json").read_text())["unscheduled"]]  # fmt: skip
    ws = load_workbook(folder / "schedule.xlsx")["Goals"]
    heights = {
        row[0].value: ws.row_dimensions[row[0].row].height
        for row in ws.iter_rows()
        if row[0].value in left_out
    }
    (page,) = sheet_pages(pdf, "Goals")
    words = page.extract_words()
    why = max((w for w in words if w["text"] == "Why"), key=lambda w: w["top"])
    starts = {w["text"]: w["top"] for w in words if w["text"] in left_out}
    foot = max(w["top"] for w in words if w["text"] == "OFFICIAL")
    assert len(starts) == len(left_out) >= 2
    tops = sorted(starts.values())
    for exercise_id, top in starts.items():
        below = min([t for t in tops if t > top] + [foot])
        printed = {
            round(w["top"]) for w in words
            if w["x0"] >= why["x0"] - 1 and top - 1 <= w["top"] < below - 1
        }  # fmt: skip
        lines = heights[exercise_id] / LINE_POINTS
        assert lines - 1 <= len(printed) <= lines, exercise_id


def test_a_long_goals_sheet_heads_every_page_with_its_own_table(
    tmp_path: Path,
) -> None:
    """Thirty missed goals with long reasons and a dozen exercises left out
    go over several pages, each row under its own table's headings: the
    exercises left out were printed under the goals' (the sheet's print
    titles), a page of goals past the first under none."""
    from openpyxl import Workbook

    from planner.domain import Goal, GoalKind
    from planner.outputs.cells import first_sheet
    from planner.outputs.printing import printable
    from planner.outputs.schedule_xlsx import UNSCHEDULED_COLUMNS, write_goals
    from planner.outputs.tables import PRINTED_TEXT_WIDTH, write_table
    from planner.report import GoalProgress

    reason = (
        "Meeting it in full is impossible: Asset SHIP-1 serves one event at a "
        "time (Assets row 2) and 12 more rows."
    )
    ids = [f"G{i:02}" for i in range(30)]
    problem = dataclasses.replace(
        small_problem(),
        goals=tuple(Goal(g, GoalKind.TOGETHER, 2, partners=("A", "B")) for g in ids),
    )
    progress = [GoalProgress(g, GoalKind.TOGETHER, 2, 1, 1, False, "E1") for g in ids]
    workbook = Workbook()
    ws = first_sheet(workbook)
    ws.title = "Goals"
    write_goals(ws, problem, progress, dict.fromkeys(ids, reason))
    left_out = [
        (f"X{i:02}", f"Exercise {i}", "field", 3, 2, None, None, "no", reason)
        for i in range(12)
    ]
    write_table(
        ws, (*UNSCHEDULED_COLUMNS, "why"), left_out, title="Exercises left out",
        max_width=PRINTED_TEXT_WIDTH, paged=True,
    )  # fmt: skip
    printable(workbook, "Programme", "OFFICIAL")
    path = tmp_path / "goals.xlsx"
    workbook.save(path)
    rendered_text(path, tmp_path)
    pages = sheet_pages(tmp_path / "goals.pdf", "Goals")
    assert len(pages) >= 3
    seen = []
    for number, page in enumerate(pages, start=1):
        words = page.extract_words()
        heads = [w for w in words if w["text"] in ("Goal", "Exercise")]
        for word in words:
            if re.fullmatch(r"[GX]\d\d", word["text"]):
                above = [h for h in heads if h["top"] < word["top"]]
                assert above, f"page {number}: {word['text']} under no heading"
                nearest = max(above, key=lambda h: h["top"])["text"]
                expected = "Goal" if word["text"][0] == "G" else "Exercise"
                assert nearest == expected, f"page {number}: {word['text']}"
                seen.append(word["text"])
        assert min(char["size"] for char in page.chars) >= 8.0, number
    assert sorted(seen) == sorted(ids + [row[0] for row in left_out])


@pytest.mark.slow
def test_a_two_year_programme_prints_a_readable_block_per_half_year(
    tmp_path: Path,
) -> None:
    """A generated programme of 100 exercises over two years, printed: every
    page at 8 pt or more and under its headings; the Calendar a block per
    half-year, each page of it under the block's title, every held exercise
    on it. (Three years on one A3 page could not be read; a calendar block
    past its first page had no headings, and one page in three was rows of
    exercises held in another half-year.)"""
    import pdfplumber

    from tests.test_cli import assert_checked, run

    workbook = tmp_path / "m.xlsx"
    assert run("generate", "--size", "m", str(workbook)).exit_code == 0
    out = tmp_path / "out"
    ran = run("solve", workbook, "--out", out, "--time-limit", "10", "--quiet")
    assert ran.exit_code == 0, ran.output
    assert_checked(workbook, out)
    rendered_text(out / "schedule.xlsx", tmp_path)
    pdf = tmp_path / "schedule.pdf"
    with pdfplumber.open(pdf) as document:
        for number, page in enumerate(document.pages, start=1):
            assert min(char["size"] for char in page.chars) >= 8.0, number
    held = {
        e["exercise_id"]
        for e in json.loads((out / "schedule.json").read_text())["events"]
    }
    blocks = (
        "Jan to Jun 2027",
        "Jul to Dec 2027",
        "Jan to Jun 2028",
        "Jul to Dec 2028",
    )
    seen: set[str] = set()
    titles: set[str] = set()
    for sheet, first_heading in (("Calendar", "Exercise"), ("Partners", "Partner")):
        for page in sheet_pages(pdf, sheet):
            lines = (page.extract_text() or "").splitlines()
            # Under the running header: the block's title, then its headings.
            assert any(lines[1].startswith(b) for b in blocks), lines[1]
            assert lines[2].split()[0] == first_heading, lines[2]
            titles.add(" ".join(lines[1].split()[:4]))
            if sheet == "Calendar":
                seen |= {w["text"] for w in page.extract_words()} & held
    assert titles == set(blocks)
    assert seen == held
    # Every name of the calendars printed whole (a long one wraps in its cell).
    printed = {w["text"] for page in sheet_pages(pdf, "") for w in page.extract_words()}
    book = load_workbook(out / "schedule.xlsx")
    for name in ("Calendar", "Partners", "Venues"):
        for (label,) in book[name].iter_rows(min_col=2, max_col=2, values_only=True):
            assert label is None or set(str(label).split()) <= printed, label
