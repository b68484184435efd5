"""Names in their own spelling, and names that look like TeX or formulas,
through the web page: shown on it exactly as typed, and kept in the files it
offers for download (issue 21). In a real headless Chromium against
``planner serve``; screenshots in test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from planner.check import check_plan
from planner.workbook.read import read_problem
from planner.workbook.read_schedule import read_plan
from planner.workbook.template import write_workbook
from tests.outputs.test_names import (
    DOLLAR_KIND,
    FORMULA_EXERCISE,
    PARTNER_NAMES,
    VENUE_NAMES,
    cell_texts,
    spelt_programme,
)
from tests.serve.conftest import Server
from tests.serve.pages import (
    calendar_rows,
    calendar_view,
    hover_bar,
    open_tab,
    result_message,
    shot,
    solve,
    upload_file,
)

pytestmark = pytest.mark.browser

DOLLAR_NAME = "Coastal $a_$ x"  # TeX to matplotlib, were it read as such
LINK_PARTNER = "FIN"  # named =HYPERLINK("http://example.invalid","Suomi")
SPELT = (
    "Rzeczpospolita Polska (Łódź, Świętoszów)",
    "Türkiye (Şile, Kış)",  # noqa: RUF001 (Turkish)
    PARTNER_NAMES[LINK_PARTNER],
)


@pytest.fixture
def spelt_workbook(tmp_path: Path) -> Path:
    """The sample with real partners' and venues' spellings, a ``$`` name
    and ``=`` names, every one typed into the workbook as text."""
    tables = spelt_programme()
    for row in tables["Exercises"]:
        if row["exercise_id"] == "CPX27":
            row["name"] = DOLLAR_NAME
    path = tmp_path / "spelt.xlsx"
    write_workbook(tables, path)
    return path


def downloaded(page, testid: str, target: Path) -> Path:
    with page.expect_download() as download:
        page.click(f"[data-testid='{testid}']")
    download.value.save_as(target)
    return target


def test_names_as_typed_show_on_the_page_and_stay_in_its_downloads(
    page, server: Server, spelt_workbook: Path, tmp_path: Path
) -> None:
    upload_file(page, spelt_workbook)
    run = solve(page, explain=False, same_every_run=True)
    assert result_message(page).startswith("The best plan possible")
    problem, _ = read_problem(spelt_workbook)
    plan, findings = read_plan(problem, server.data / "runs" / run)
    assert plan is not None, findings
    assert check_plan(problem, plan) == []
    held = {e.exercise_id for e in plan.events}
    assert {"CPX27", "MEDX"} <= held  # the $ and the = exercise names are shown

    assert set(calendar_rows(page)) == held  # drawn
    labels = page.locator("#calendar .cal-label").all_text_contents()
    assert f"CPX27 {DOLLAR_NAME}" in labels
    assert f"MEDX {FORMULA_EXERCISE}" in labels
    tip = hover_bar(page, "CR27")
    assert f"kind: {DOLLAR_KIND}" in tip
    assert page.locator("#calendar .cal-tip a, #calendar a").count() == 0
    shot(page, "40-names-on-the-calendar")

    calendar_view(page, "partner")
    labels = page.locator("#calendar .cal-label").all_text_contents()
    for partner, name in PARTNER_NAMES.items():
        assert f"{partner} {name}" in labels
    calendar_view(page, "venue")
    labels = page.locator("#calendar .cal-label").all_text_contents()
    for venue, name in VENUE_NAMES.items():
        assert f"{venue} {name}" in labels
    shot(page, "41-names-by-venue")

    open_tab(page, "budgets")
    spend = page.text_content("[data-testid=spend]")
    for name in SPELT:
        assert name in spend
    page.wait_for_selector("[data-testid=spend-chart] .main-svg")
    ticks = page.locator("[data-testid=spend-chart] .ytick text").all_text_contents()
    assert set(SPELT) <= set(ticks)
    shot(page, "42-names-in-the-budgets", full=True)

    open_tab(page, "downloads")
    partners = page.text_content("[data-testid=downloads]")
    assert f"POL {PARTNER_NAMES['POL']}" in partners
    folder = tmp_path / "downloads"
    folder.mkdir()
    texts = cell_texts(downloaded(page, "download-schedule.xlsx", folder / "s.xlsx"))
    for name in (*PARTNER_NAMES.values(), *VENUE_NAMES.values(), DOLLAR_NAME):
        assert name in texts, name
    assert FORMULA_EXERCISE in texts and DOLLAR_KIND in texts
    book = load_workbook(folder / "s.xlsx")
    assert all(cell.data_type != "f" for ws in book for row in ws for cell in row)
    data = json.loads(
        downloaded(page, "download-schedule.json", folder / "s.json").read_text(
            encoding="utf-8"
        )
    )
    assert PARTNER_NAMES["POL"] in json.dumps(data, ensure_ascii=False)
    page.click("[data-testid=downloads] details summary")
    calendar = downloaded(
        page, "download-calendars/partner-POL.ics", folder / "pol.ics"
    ).read_bytes()
    events = Calendar.from_ical(calendar).walk("VEVENT")
    said = " ".join(str(e["DESCRIPTION"]) + str(e["LOCATION"]) for e in events)
    assert PARTNER_NAMES["POL"] in said
    assert any(name in said for name in VENUE_NAMES.values())
    html = downloaded(page, "download-brief.html", folder / "brief.html")
    brief = html.read_text(encoding="utf-8")
    for name in ("Łódź, Świętoszów", "Şile, Kış", "Київ", "Αθήνα"):  # noqa: RUF001
        assert name in brief, name
