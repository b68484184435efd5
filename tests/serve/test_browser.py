"""End to end: the page in a real headless Chromium, against ``planner serve``:
upload, plan, read, compare, keep the history; stop a long run; sweeps and
studies; names shown as written; who may do what.

The browser and the page come from conftest.py; the steps from pages.py.
The programme's own journeys (commit, re-plan, pin, the calendar at 400
exercises) are in test_browser_programme.py.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from planner.check import check_plan
from planner.workbook.generate import generate
from planner.workbook.read import read_problem
from planner.workbook.read_schedule import read_plan
from planner.workbook.template import write_workbook
from tests.serve.conftest import (
    BROKEN_FINDINGS,
    SAMPLE,
    Server,
    closed,
    open_page,
    write_broken_workbook,
)
from tests.serve.pages import (
    calendar_rows,
    calendar_view,
    current_run,
    drawn_bars,
    drop_file,
    history_rows,
    hover_bar,
    open_tab,
    result_message,
    search_settings,
    shot,
    solve,
    until,
    upload_file,
)

pytestmark = pytest.mark.browser

BEST_11 = "The best plan possible: 11 exercises held; every hard rule holds."


def test_a_planner_uploads_solves_reads_compares_and_finds_the_history(
    page, server: Server, tmp_path: Path
) -> None:
    shot(page, "01-start")

    broken = write_broken_workbook(tmp_path / "broken.xlsx")
    page.set_input_files("[data-testid=file-input]", str(broken))
    page.wait_for_selector("[data-testid=errors] tbody tr")
    rows = page.locator("[data-testid=errors] tbody tr")
    found = [tuple(rows.nth(i).locator("td").all_text_contents()) for i in range(2)]
    assert found == BROKEN_FINDINGS
    assert page.is_hidden("#solve-card")
    shot(page, "02-broken-workbook-errors-by-cell")

    drop_file(page, SAMPLE)
    page.wait_for_selector("text=sample.xlsx is valid")
    assert page.is_hidden("#errors-block")
    # The programme is read after the upload's answer: wait for it, not race it.
    page.wait_for_selector("[data-testid=programme-title]:not(:empty)")
    assert page.text_content("[data-testid=programme-title]") == (
        "Northern Training Programme 2027"
    )
    options = page.locator("[data-testid=what] option").all_text_contents()
    assert options[-1] == "The programme and every scenario (what-if)"
    shot(page, "03-sample-valid")

    base_id = solve(page)
    page.wait_for_selector("#run-card:not([hidden])")
    shot(page, "04-progress")
    assert result_message(page) == BEST_11
    assert page.text_content("[data-testid=p-best]") == "3,379,000"
    assert page.text_content("[data-testid=p-gap]") == "0.00 %"
    held = [
        e["exercise_id"]
        for e in server.api(f"/api/runs/{base_id}/result")["plan"]["events"]
    ]
    assert sorted(calendar_rows(page)) == sorted(held)
    assert drawn_bars(page) == len(held) == 11
    hover = hover_bar(page, held[0])
    assert " to " in hover
    assert "partners:" in hover
    shot(page, "05-result-calendar-by-exercise")
    open_tab(page, "left-out")
    assert page.locator("[data-testid=left-out] tbody tr").count() == 2

    open_tab(page, "calendar")
    calendar_view(page, "partner")
    assert "unavailable (blackout)" in page.text_content("#calendar .cal-legend")
    assert len(calendar_rows(page)) == 8
    assert page.locator("#calendar .cal-off").count() > 0
    shot(page, "06-calendar-by-partner")
    calendar_view(page, "venue")
    assert len(calendar_rows(page)) == 5
    shot(page, "07-calendar-by-venue")
    calendar_view(page, "exercise")

    open_tab(page, "downloads")
    with page.expect_download() as download:
        page.click("[data-testid='download-schedule.xlsx']")
    saved = tmp_path / "downloaded.xlsx"
    download.value.save_as(saved)
    checked = subprocess.run(
        [sys.executable, "-m", "planner", "check", str(SAMPLE), str(saved)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stderr
    assert "11 events checked: every hard rule holds." in checked.stdout

    solve(page, "scenario:budget-cut")
    assert result_message(page) == (
        "The best plan possible: 10 exercises held; every hard rule holds."
    )
    until(page, "document.querySelectorAll('[data-testid=history] li').length === 2")
    for box in page.locator(".pick").all():
        box.check()
    page.click("[data-testid=compare]")
    page.wait_for_selector("[data-testid=kpis]")
    kpis = page.text_content("[data-testid=kpis]")
    assert "3,379,000" in kpis
    assert "3,160,000" in kpis
    assert "what the plan is worth" in kpis and "value points held" in kpis
    assert "bjective" not in page.text_content("[data-testid=comparison]")
    assert page.locator("[data-testid=differences] li").count() > 0
    compared = "[data-testid=compare-calendar]"
    assert page.locator(f"{compared} .cal-bar.changed").count() > 0
    assert page.locator(f"{compared} .cal-bar").count() == 11 + 10
    ticked = [box.input_value() for box in page.locator(".pick").all()][::-1]
    comparison = server.api("/api/compare", {"runs": ticked})
    page.check(f"{compared} [data-testid=cal-changed-only]")
    changed = {d["exercise_id"] for d in comparison["differences"]}
    assert set(calendar_rows(page, compared)) == changed
    shot(page, "08-compare-two-runs")

    server.stop()
    server.start()
    page.goto(server.url)
    until(page, "document.querySelectorAll('[data-testid=history] li').length === 2")
    page.locator(f"[data-run='{base_id}'] [data-testid=open]").click()
    assert result_message(page) == BEST_11
    until(page, "document.querySelectorAll('#calendar .cal-bar').length === 11")
    search_settings(page)
    assert page.input_value("#workers") == "1"  # its options, ready to change
    shot(page, "09-history-after-restart")

    page.fill("#seed", "5")
    page.locator(f"[data-run='{base_id}'] button", has_text="Re-run").click()
    until(page, "location.hash !== '#run=" + base_id + "'")
    assert result_message(page) == BEST_11
    again = server.api(f"/api/runs/{current_run(page)}")
    assert again["options"]["seed"] == 5
    assert again["upload_id"] == server.api(f"/api/runs/{base_id}")["upload_id"]
    until(page, "document.querySelectorAll('[data-testid=history] li').length === 3")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(f"[data-run='{base_id}'] button", has_text="Delete").click()
    until(page, "document.querySelectorAll('[data-testid=history] li').length === 2")
    assert base_id not in [run["id"] for run in server.api("/api/runs")]
    assert history_rows(page) == 2
    shot(page, "10-rerun-with-another-seed-and-delete")


def test_cancel_keeps_the_best_plan_of_a_long_run(
    page, server: Server, tmp_path: Path
) -> None:
    large = tmp_path / "generated-l.xlsx"
    tables, _ = generate("l", 3)
    write_workbook(tables, large)
    upload_file(page, large)
    solve(page, time_limit=900)
    until(
        page,
        "document.querySelector('[data-testid=p-best]').textContent.match(/[0-9]/)",
    )
    first = page.text_content("[data-testid=p-elapsed]")
    until(
        page,
        f"document.querySelector('[data-testid=p-elapsed]').textContent !== '{first}'",
    )
    assert page.text_content("[data-testid=p-gap]").endswith("%")
    shot(page, "11-long-run-progress")

    page.click("[data-testid=cancel]")
    message = result_message(page)
    assert message.startswith("Cancelled: the best plan found (")
    run_id = current_run(page)
    run = server.api(f"/api/runs/{run_id}")
    assert run["state"] == "cancelled"
    assert run["files"][:2] == ["schedule.xlsx", "schedule.json"]
    assert {"brief.pdf", "brief.html", "schedule.ics"} <= set(run["files"])
    problem, _ = read_problem(large)
    plan, findings = read_plan(problem, server.data / "runs" / run_id)
    assert plan is not None, findings
    assert check_plan(problem, plan) == []
    assert f"({len(plan.events)} exercises held)" in message
    until(page, "document.querySelector('#calendar').dataset.bars")
    assert drawn_bars(page) == len(plan.events)
    shot(page, "12-cancelled-run-keeps-its-best-plan")


def test_a_sweep_and_a_study_from_the_page_show_runs_done_of_n(
    page, tmp_path: Path
) -> None:
    from tests.app.test_robustness import risky_workbook

    risky = risky_workbook(tmp_path / "risky.xlsx")
    upload_file(page, risky)
    solve(page, time_limit=2)
    assert result_message(page).startswith(("The best plan possible", "A good plan"))

    page.click("[data-testid=many] summary")
    page.uncheck("#sweep-drop")
    page.fill("[data-testid=sweep-cuts]", "10,30")
    page.fill("[data-testid=sweep-quarters]", "")
    page.click("[data-testid=sweep]")
    page.wait_for_selector("[data-testid=ranking] tbody tr")
    assert page.text_content("[data-testid=p-runs]") == "3 of 3"
    ranked = page.locator("[data-testid=ranking] tbody tr td:nth-child(2)")
    assert sorted(ranked.all_text_contents()) == ["budget-cut-10", "budget-cut-30"]
    assert "Worth lost" in page.text_content("[data-testid=ranking] thead")
    assert "bjective" not in page.text_content("[data-testid=many-result]")
    shot(page, "13-sweep-ranked")

    page.fill("[data-testid=study-samples]", "3")
    page.click("[data-testid=study]")
    page.wait_for_selector("[data-testid=fates] tbody tr")
    assert page.text_content("[data-testid=p-runs]") == "3 of 3"
    assert page.locator("[data-testid=goal-odds] tbody tr").count() == 6
    shot(page, "14-robustness-study")


# Plotly's own options that would send a chart's data out of the page.
CLOUD_OPTIONS = {
    "showSendToCloud": False,
    "plotlyServerURL": "",
    "displaylogo": False,
    "editable": False,
}


def assert_no_cloud(chart) -> None:
    """The config Plotly drew ``chart`` with, as it holds it, and its mode bar."""
    config = chart.evaluate(
        "node => Object.fromEntries(Object.keys(node._context)"
        ".filter((k) => /Cloud|ServerURL|logo|editable/.test(k))"
        ".map((k) => [k, node._context[k]]))"
    )
    assert {k: config[k] for k in CLOUD_OPTIONS} == CLOUD_OPTIONS
    titles = chart.evaluate(
        "node => [...node.querySelectorAll('.modebar-btn')]"
        ".map((b) => b.getAttribute('data-title'))"
    )
    assert titles, "no mode bar"
    assert not [t for t in titles if "Share" in t or "Cloud" in t or "Edit" in t]
    assert chart.evaluate("node => node.querySelectorAll('a').length") == 0


def test_the_charts_keep_their_data_and_show_names_as_written(
    page, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    book = load_workbook(SAMPLE)
    link = '<a href="http://evil.example/login">Norway</a>'
    big = '<span style="font-size:80px">Setermoen</span>'
    book["Partners"]["B2"] = link
    book["Venues"]["B2"] = big
    book["Exercises"]["B2"] = "<b>Cold</b> Response & Łódź"
    marked = tmp_path / "markup.xlsx"
    book.save(marked)
    upload_file(page, marked)
    solve(page)
    assert result_message(page).startswith("The best plan possible")

    open_tab(page, "budgets")
    page.wait_for_selector("[data-testid=spend-chart] .main-svg")
    chart = page.locator("[data-testid=spend-chart]").element_handle()
    assert_no_cloud(chart)
    ticks = page.locator("[data-testid=spend-chart] .ytick text").all_text_contents()
    assert link in ticks  # the text as typed, not a link
    assert page.locator("[data-testid=spend-chart] a").count() == 0

    open_tab(page, "calendar")
    calendar_view(page, "partner")
    labels = page.locator("#calendar .cal-label").all_text_contents()
    assert f"NOR {link}" in labels
    assert page.locator("#calendar a").count() == 0
    calendar_view(page, "venue")
    assert f"SET {big}" in page.locator("#calendar .cal-label").all_text_contents()
    sizes = page.evaluate(
        "[...document.querySelectorAll('#calendar *')]"
        ".map((t) => getComputedStyle(t).fontSize)"
    )
    assert "80px" not in sizes
    assert f"SET {big}" in page.text_content("#calendar .cal-legend")
    shot(page, "15-names-shown-as-written")
    calendar_view(page, "exercise")
    found = hover_bar(page, "CR27-FPC")
    assert "<b>Cold</b> Response & Łódź" in found
    assert page.locator("[data-testid=cal-tip] a").count() == 0
    assert "<b>Cold</b> Response & Łódź" in page.text_content("#calendar .cal-label")


@pytest.fixture
def cell_server(tmp_path: Path) -> Iterator[Server]:
    """A server with an admin, a planner and a viewer."""
    from planner.serve.accounts import add_user
    from planner.serve.storage import Storage

    storage = Storage(tmp_path / "cell-data")
    for name, role in (("alice", "admin"), ("bob", "planner"), ("carol", "viewer")):
        add_user(storage, name, role, "correct horse battery")
    running = Server(tmp_path / "cell-data")
    running.start()
    yield running
    running.stop()


def sign_in(page, name: str, password: str = "correct horse battery") -> None:
    page.fill("[data-testid=sign-in-name]", name)
    page.fill("[data-testid=sign-in-password]", password)
    page.click("[data-testid=sign-in]")


def test_officers_sign_in_and_see_what_their_role_allows(
    browser, cell_server: Server
) -> None:
    page = open_page(browser, cell_server.url)
    page.wait_for_selector("[data-testid=sign-in-form]")
    assert page.is_hidden("#work")
    shot(page, "16-sign-in")

    sign_in(page, "bob", "not his password")
    until(page, "document.querySelector('[data-testid=sign-in-error]').textContent")
    assert page.text_content("[data-testid=sign-in-error]") == (
        "The name or the password is wrong."
    )
    sign_in(page, "bob")
    page.wait_for_selector("#upload-card", state="visible")
    assert page.text_content("[data-testid=who]") == "bob (planner)"
    upload_file(page, SAMPLE)
    solve(page)
    assert result_message(page).startswith("The best plan possible")
    page.wait_for_selector("[data-testid=history] li")
    assert page.text_content("[data-testid=started-by]") == "bob"
    assert page.is_visible("[data-testid=commit]")
    assert page.is_hidden("#audit-card")
    assert page.is_hidden("[data-testid=history] button.needs-admin")
    shot(page, "17-planner-signed-in")
    page.click("[data-testid=sign-out]")
    page.wait_for_selector("[data-testid=sign-in-form]", state="visible")

    sign_in(page, "carol")
    page.wait_for_selector("[data-testid=history] li")
    assert page.text_content("[data-testid=who]") == "carol (viewer)"
    assert page.is_hidden("#upload-card")
    assert page.is_hidden("[data-testid=history] button:text('Re-run')")
    assert page.is_visible("[data-testid=history] [data-testid=open]")
    page.click("[data-testid=history] [data-testid=open]")
    result_message(page)
    assert page.locator("[data-testid=commit]").count() == 0
    page.locator("#calendar .cal-bar").first.click()
    assert page.locator("[data-testid=suggest]").count() == 0
    shot(page, "18-viewer-reads-only")
    page.click("[data-testid=sign-out]")

    sign_in(page, "alice")
    page.wait_for_selector("[data-testid=audit] tbody tr")
    rows = page.locator("[data-testid=audit] tbody tr")
    seen = [
        tuple(rows.nth(i).locator("td").all_text_contents()[1:3])
        for i in range(rows.count())
    ]
    assert seen[::-1][:6] == [
        ("bob", "sign-in failed"),
        ("bob", "sign-in"),
        ("bob", "upload"),
        ("bob", "run"),
        ("bob", "sign-out"),
        ("carol", "sign-in"),
    ]
    assert page.is_visible("[data-testid=history] button.needs-admin")
    shot(page, "19-admin-reads-the-audit-log")
    closed(page)
