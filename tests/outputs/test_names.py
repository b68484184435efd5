"""Names in their own spelling, and names that look like markup or formulas,
through every file a solve writes: the brief (PDF and HTML) and the partner
briefs, schedule.xlsx and schedule.json, the calendars; then a what-if's
comparison.xlsx.

The sample programme with its partners and venues renamed as real ones are
spelt (Łódź, Şile, Câmpia Turzii, Київ, Αθήνα, Thai, Korean, Chinese and
Arabic letters), a kind and a region with ``$`` signs (TeX for matplotlib),
and names starting with ``=``, ``+``, ``-`` and ``@`` (formulas for a
spreadsheet).
"""

from __future__ import annotations

import copy
import json
import subprocess
import unicodedata
from pathlib import Path

import pytest
import vobject
from click.testing import CliRunner
from openpyxl import load_workbook

from planner import cli
from planner.outputs.brief import fonts, write_brief
from planner.outputs.brief.charts import kind_colours
from planner.outputs.brief.content import make_brief, make_partner_brief
from planner.workbook.read_result import load_result
from planner.workbook.sample import example_programme
from planner.workbook.template import write_workbook
from tests.test_cli import assert_checked
from tests.tools import page_count, require

PARTNER_NAMES = {
    "POL": "Rzeczpospolita Polska (Łódź, Świętoszów)",
    "DEU": "Türkiye (Şile, Kış)",  # noqa: RUF001 (Turkish)
    "FRA": "România (Câmpia Turzii, ș ț)",
    "FIN": '=HYPERLINK("http://example.invalid","Suomi")',
    "USA": "@SUM(1,2)",
    "GBR": "+44 United Kingdom",
    "NOR": "-Norge- النرويج",
    "EST": "Eesti ค่ายสุรสีห์ 서울 東京",
}
VENUE_NAMES = {
    "GDY": "Київ",
    "TAP": "Αθήνα",
    "TLL": "=cmd|' /C calc'!A0",
}
DOLLAR_KIND = "cost $a_$ x"
DOLLAR_REGION = "$x$ region"
FORMULA_EXERCISE = "=1+1"
ARABIC_EXERCISE = "تمرين الربيع"
MARKING = "OFFICIAL"
# Letters drawn right to left come back from pdftotext in visual word order,
# between embedding marks; compared word by word.
BIDI_MARKS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e"))


def spelt_programme() -> dict[str, list[dict[str, object]]]:
    tables = copy.deepcopy(example_programme())
    for row in tables["Partners"]:
        row["name"] = PARTNER_NAMES[str(row["partner_id"])]
    for row in tables["Venues"]:
        row["name"] = VENUE_NAMES.get(str(row["venue_id"]), row["name"])
        if row["venue_id"] == "TLL":
            row["region"] = DOLLAR_REGION
    for row in tables["Exercises"]:
        if row["exercise_id"] == "CR27":
            row["kind"] = DOLLAR_KIND
        if row["exercise_id"] == "MEDX":
            row["name"] = FORMULA_EXERCISE
        if row["exercise_id"] == "SPS27":
            row["name"] = ARABIC_EXERCISE
    return tables


@pytest.fixture(scope="module")
def spelt(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    folder = tmp_path_factory.mktemp("names")
    workbook = folder / "spelt.xlsx"
    write_workbook(spelt_programme(), workbook)
    out = folder / "out"
    ran = CliRunner().invoke(
        cli.main,
        ["solve", str(workbook), "--out", str(out), "--time-limit", "30",
         "--workers", "2", "--deterministic", "--quiet"],
    )  # fmt: skip
    assert ran.exit_code == 0, ran.output
    assert_checked(workbook, out)
    return workbook, out, ran.stderr


def pdf_words(pdf: Path, page: int | None = None) -> str:
    """The PDF's text in drawing order, lines joined, spaces single."""
    pages = [] if page is None else ["-f", str(page), "-l", str(page)]
    text = subprocess.run(
        [require("pdftotext"), "-raw", *pages, str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return " ".join(unicodedata.normalize("NFC", text).split())


def top_and_bottom(pdf: Path, page: int) -> tuple[str, str]:
    """The first and last line of a page as laid out."""
    text = subprocess.run(
        [require("pdftotext"), "-layout", "-f", str(page), "-l", str(page),
         str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout  # fmt: skip
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0], lines[-1]


def cell_texts(path: Path) -> set[str]:
    """Every text of a written workbook, each cell checked to be no formula."""
    texts = set()
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    texts.add(cell.value)
    return texts


def held_venues(out: Path) -> set[str]:
    data = json.loads((out / "schedule.json").read_text(encoding="utf-8"))
    return {event["venue_id"] for event in data["events"]}


def test_the_brief_prints_every_name_as_spelt(spelt: tuple[Path, Path, str]) -> None:
    _, out, stderr = spelt
    text = pdf_words(out / "brief.pdf")
    for name in PARTNER_NAMES.values():
        for word in name.split():
            if unicodedata.bidirectional(word[0]) == "AL":
                continue  # below, in drawing order
            assert word in text, word
    for name in (
        "Rzeczpospolita Polska (Łódź, Świętoszów)",
        "Türkiye (Şile, Kış)",  # noqa: RUF001
        "România (Câmpia Turzii, ș ț)",
    ):
        assert name in text
    for venue, name in VENUE_NAMES.items():
        if venue in held_venues(out):
            assert name in text
    assert {"Київ", "Αθήνα"} <= set(text.replace("(", " ").split())
    assert DOLLAR_KIND in text and FORMULA_EXERCISE in text
    arabic = unicodedata.normalize("NFKC", text.translate(BIDI_MARKS))
    assert "النرويج" in arabic.split()
    assert "cannot print" not in stderr
    assert "findfont" not in stderr  # matplotlib's font notes are not for staff


def test_an_arabic_exercise_name_stays_before_its_id(
    spelt: tuple[Path, Path, str],
) -> None:
    """Every line of the PDF reads left to right with the name in it drawn
    right to left, as the HTML page shows it; the id came first, "(SPS27)
    (mandatory) تمرين الربيع", when a line starting in Arabic was taken as
    right to left."""
    _, out, _ = spelt
    raw = subprocess.run(
        [require("pdftotext"), "-raw", str(out / "brief.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (line,) = [line for line in raw.splitlines() if "(SPS27)" in line]
    name, _, after = unicodedata.normalize("NFKC", line).partition("(SPS27)")
    assert set(ARABIC_EXERCISE.split()) <= set(name.translate(BIDI_MARKS).split())
    assert after.startswith(" (mandatory)")
    html = (out / "brief.html").read_text(encoding="utf-8")
    assert f"{ARABIC_EXERCISE} (SPS27) (mandatory)" in html


def test_the_brief_uses_one_family_and_a_font_for_each_script(
    spelt: tuple[Path, Path, str],
) -> None:
    _, out, _ = spelt
    listed = subprocess.run(
        [require("pdffonts"), str(out / "brief.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[2:]
    names = {line.split()[0].split("+")[-1] for line in listed}
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= names
    # Thai and Korean/Chinese from the fonts the test command installs;
    # nothing else, Helvetica not even named.
    others = names - {"DejaVuSans", "DejaVuSans-Bold"}
    assert others and all("Helvetica" not in n for n in names), names
    assert all(line.split()[-5] == "yes" for line in listed), "every font embedded"


def test_the_marking_is_at_the_top_and_bottom_of_every_page(
    spelt: tuple[Path, Path, str],
) -> None:
    _, out, _ = spelt
    pdf = out / "brief.pdf"
    for page in range(1, page_count(pdf) + 1):
        assert top_and_bottom(pdf, page) == (MARKING, MARKING), page
    html = (out / "brief.html").read_text(encoding="utf-8")
    assert html.count(f">{MARKING}</p>") == 2


@pytest.mark.slow
def test_a_partner_brief_is_releasable_to_that_partner_only(
    spelt: tuple[Path, Path, str],
) -> None:
    _, out, _ = spelt
    # A solve writes the programme's brief; `planner brief` the partners'.
    assert not (out / "briefs").exists()
    briefed = CliRunner().invoke(cli.main, ["brief", str(out), "--partners"])
    assert briefed.exit_code == 0, briefed.output
    assert "partner briefs (PDF and HTML) in briefs/" in briefed.output
    data = json.loads((out / "schedule.json").read_text(encoding="utf-8"))
    pdf = out / "briefs" / "partner-POL.pdf"
    # The programme's classification as it is, and for whom on a line of its
    # own: "releasable to Poland" contradicted a classification naming others.
    prepared = f"Prepared for {PARTNER_NAMES['POL']} (POL)"
    for page in range(1, page_count(pdf) + 1):
        assert top_and_bottom(pdf, page) == (MARKING, prepared), page
    assert "releasable" not in pdf_words(pdf)
    text = pdf_words(pdf)
    mine = [e for e in data["events"] if "POL" in e["participants"]]
    for event in mine:
        assert f"({event['exercise_id']})" in text
    others = [e for e in data["events"] if "POL" not in e["participants"]]
    assert others and not any(f"({e['exercise_id']})" in text for e in others)
    # No other partner's budget, spend or participation.
    figures = {p["id"]: (p["budget"], p["spend"]) for p in data["kpis"]["partners"]}
    own = set(figures.pop("POL"))
    for budget, spend in figures.values():
        for amount in {budget, spend} - own:
            assert f"{amount:,}" not in text
    assert "Partners" not in text
    calendar = (out / "calendars" / "partner-POL.ics").read_text(encoding="utf-8")
    found = vobject.readOne(calendar)
    for event in found.vevent_list:
        assert "Participants" not in event.description.value
        # a calendar's line of facts holds the marking's two lines as one
        assert f"Marking: {MARKING} {prepared}\n" in event.description.value


def test_a_kind_has_one_colour_in_every_brief(spelt: tuple[Path, Path, str]) -> None:
    """Colours follow the programme's kinds, not the kinds of a partner's own
    events: staff talks were light blue in the main brief, pink in Poland's."""
    _, out, _ = spelt
    summary = load_result(out)
    colours = kind_colours(make_brief(summary).kinds)
    for partner in summary.partners:
        kinds = make_partner_brief(summary, partner.id).kinds
        assert kind_colours(kinds) == colours, partner.id
    mine = {e.kind for e in summary.exercises if e.id in {
        event.exercise_id for event in summary.events or ()
        if "POL" in event.participants}}  # fmt: skip
    assert mine < set(colours)  # Poland's events have fewer kinds


def test_the_workbook_keeps_every_name_as_text(spelt: tuple[Path, Path, str]) -> None:
    workbook, out, _ = spelt
    texts = cell_texts(out / "schedule.xlsx")
    for name in (*PARTNER_NAMES.values(), FORMULA_EXERCISE, DOLLAR_KIND):
        assert name in texts, name
    checked = CliRunner().invoke(cli.main, ["check", str(workbook), str(out)])
    assert checked.exit_code == 0, checked.output


def test_json_html_and_calendars_keep_every_name(spelt: tuple[Path, Path, str]) -> None:
    _, out, _ = spelt
    data = json.loads((out / "schedule.json").read_text(encoding="utf-8"))
    names = {p["name"] for p in data["workbook"]["partners"]}
    assert names == set(PARTNER_NAMES.values())
    html = (out / "brief.html").read_text(encoding="utf-8")
    assert "=HYPERLINK(&quot;http://example.invalid&quot;,&quot;Suomi&quot;)" in html
    assert "Rzeczpospolita Polska (Łódź, Świętoszów)" in html
    calendar = vobject.readOne((out / "schedule.ics").read_text(encoding="utf-8"))
    described = " ".join(e.description.value for e in calendar.vevent_list)
    assert PARTNER_NAMES["POL"] in described


def test_a_script_no_font_prints_is_a_warning_naming_it(
    spelt: tuple[Path, Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = spelt
    monkeypatch.setattr(fonts, "_system_fonts", lambda: ())
    fonts.fallback_for.cache_clear()
    try:
        written = write_brief(load_result(out), tmp_path)
    finally:
        fonts.fallback_for.cache_clear()
    scripts = " ".join(written.warnings)
    assert "Thai letters" in scripts and "Korean (Hangul) letters" in scripts
    assert "Chinese/Japanese/Korean (CJK) letters" in scripts
    # Latin, Greek, Cyrillic and Arabic need no font of the machine.
    assert len(written.warnings) == 3


@pytest.mark.slow
def test_a_whatif_comparison_keeps_formula_names_as_text(
    spelt: tuple[Path, Path, str], tmp_path: Path
) -> None:
    workbook, _, _ = spelt
    ran = CliRunner().invoke(
        cli.main,
        ["whatif", str(workbook), "--out", str(tmp_path), "--time-limit", "10",
         "--workers", "2"],
    )  # fmt: skip
    assert ran.exit_code in (0, 3, 4), ran.output
    texts = cell_texts(tmp_path / "comparison.xlsx")
    assert FORMULA_EXERCISE in texts
