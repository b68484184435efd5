"""End to end: the page in a real headless Chromium, against ``planner serve``.

Playwright drives the distribution's Chromium (/usr/bin/chromium, installed by
scripts/install-test-deps.sh); Playwright's own browser download is not used.
In CI (CI=true) a missing browser fails these tests instead of skipping them.
Each step leaves a screenshot in test-artifacts/screenshots/.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
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
    ROOT,
    SAMPLE,
    Server,
    write_broken_workbook,
)

CHROMIUM = Path(os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
STEP_MS = 120_000  # the longest any one step may wait (a shared, busy machine)


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI needs it: run scripts/install-test-deps.sh)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed")
    if not CHROMIUM.exists():
        _missing(f"Chromium is not installed at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "planner-data")
    running.start()
    yield running
    running.stop()


@pytest.fixture
def page(browser, server: Server) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(STEP_MS)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", lambda m: _policy_violation(m.text) and errors.append(m.text))
    opened.goto(server.url)
    yield opened
    context.close()
    assert errors == [], errors


def _policy_violation(text: str) -> bool:
    """A console message saying the Content-Security-Policy blocked something."""
    return "Content Security Policy" in text


def until(page, expression: str) -> None:
    """Wait until ``expression`` is true in the page, asking from outside it:
    Playwright's own waiting evaluates strings inside the page, which the
    page's Content-Security-Policy rightly refuses."""
    deadline = time.monotonic() + STEP_MS / 1000
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.1)


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def drop_file(page, path: Path) -> None:
    """Drag and drop ``path`` onto the drop zone, as from a file manager."""
    data = base64.b64encode(path.read_bytes()).decode()
    transfer = page.evaluate_handle(
        """([data, name]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name));
            return transfer;
        }""",
        [data, path.name],
    )
    page.dispatch_event("[data-testid=drop]", "drop", {"dataTransfer": transfer})


def solve(page, what: str = "", time_limit: int = 20) -> None:
    page.select_option("[data-testid=what]", what)
    page.fill("[data-testid=time-limit]", str(time_limit))
    page.fill("#workers", "1")
    page.click("[data-testid=solve]")


def result_message(page) -> str:
    page.wait_for_selector("#result-card:not([hidden]) [data-testid=result-message]")
    until(
        page,
        "document.querySelector('[data-testid=result-message]').textContent.length",
    )
    return page.text_content("[data-testid=result-message]")


def gantt_rows(page) -> list[str]:
    until(page, "document.querySelector('#gantt').dataset.rows")
    return page.eval_on_selector("#gantt", "node => node.dataset.rows").split("|")


def drawn_bars(page) -> int:
    return page.locator("#gantt .trace.bars .point").count()


def current_run(page) -> str:
    return page.evaluate("location.hash").removeprefix("#run=")


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
    options = page.locator("[data-testid=what] option").all_text_contents()
    assert options[-1] == "The base and every scenario (what-if)"
    shot(page, "03-sample-valid")

    solve(page)
    page.wait_for_selector("#progress-card:not([hidden])")
    shot(page, "04-progress")
    assert result_message(page) == (
        "Plan optimal: 11 exercises held; every hard rule holds."
    )
    assert page.text_content("[data-testid=p-best]") == "3,379,000"
    assert page.text_content("[data-testid=p-gap]") == "0.00 %"
    base_id = current_run(page)
    held = [
        e["exercise_id"]
        for e in server.api(f"/api/runs/{base_id}/result")["plan"]["events"]
    ]
    assert sorted(gantt_rows(page)) == sorted(held)
    assert drawn_bars(page) == len(held) == 11
    # the bar itself, not its group: a one-week bar's group is mostly its label
    first_bar = page.locator("#gantt .trace.bars .point path").first
    first_bar.scroll_into_view_if_needed()
    bar = first_bar.bounding_box()
    middle = (bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    page.mouse.move(*middle, steps=5)
    page.wait_for_selector("#gantt .hovertext")
    hover = page.locator("#gantt .hovertext").first.text_content()
    assert " to " in hover
    assert "partners:" in hover
    assert page.locator("[data-testid=left-out] tbody tr").count() == 2
    shot(page, "05-result-gantt-by-exercise")

    page.check("input[name=mode][value=partner]")
    assert "Unavailable (blackout)" in page.text_content("#gantt .legend")
    assert len(gantt_rows(page)) == 8
    shot(page, "06-gantt-by-partner")
    page.check("input[name=mode][value=venue]")
    assert len(gantt_rows(page)) == 5
    shot(page, "07-gantt-by-venue")

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
    until(page, "location.hash !== '#run=" + base_id + "'")
    assert result_message(page) == (
        "Plan optimal: 10 exercises held; every hard rule holds."
    )
    until(
        page, "document.querySelectorAll('[data-testid=history] tbody tr').length === 2"
    )
    for box in page.locator(".pick").all():
        box.check()
    page.click("[data-testid=compare]")
    page.wait_for_selector("[data-testid=kpis]")
    kpis = page.text_content("[data-testid=kpis]")
    assert "3,379,000" in kpis
    assert "3,160,000" in kpis
    assert page.locator("[data-testid=differences] li").count() > 0
    assert page.locator("#compare-body .compare-chart .main-svg").count() >= 2
    for chart in page.locator("#compare-body .compare-chart").element_handles():
        assert_no_cloud(chart)
    shot(page, "08-compare-two-runs")

    server.stop()
    server.start()
    page.goto(server.url)
    until(
        page, "document.querySelectorAll('[data-testid=history] tbody tr').length === 2"
    )
    page.locator(f"[data-run='{base_id}'] [data-testid=open]").click()
    assert result_message(page) == (
        "Plan optimal: 11 exercises held; every hard rule holds."
    )
    assert drawn_bars(page) == 11
    assert page.input_value("#workers") == "1"  # its options, ready to change
    shot(page, "09-history-after-restart")

    page.fill("#seed", "5")
    page.locator(f"[data-run='{base_id}'] button", has_text="Re-run").click()
    until(page, "location.hash !== '#run=" + base_id + "'")
    assert result_message(page) == (
        "Plan optimal: 11 exercises held; every hard rule holds."
    )
    again = server.api(f"/api/runs/{current_run(page)}")
    assert again["options"]["seed"] == 5
    assert again["upload_id"] == server.api(f"/api/runs/{base_id}")["upload_id"]
    until(
        page, "document.querySelectorAll('[data-testid=history] tbody tr').length === 3"
    )
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(f"[data-run='{base_id}'] button", has_text="Delete").click()
    until(
        page, "document.querySelectorAll('[data-testid=history] tbody tr').length === 2"
    )
    assert base_id not in [run["id"] for run in server.api("/api/runs")]
    shot(page, "10-rerun-with-another-seed-and-delete")


def test_cancel_keeps_the_best_plan_of_a_long_run(
    page, server: Server, tmp_path: Path
) -> None:
    large = tmp_path / "generated-l.xlsx"
    tables, _ = generate("l", 3)
    write_workbook(tables, large)
    page.set_input_files("[data-testid=file-input]", str(large))
    page.wait_for_selector("text=generated-l.xlsx is valid")
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
    assert drawn_bars(page) == len(plan.events)
    shot(page, "12-cancelled-run-keeps-its-best-plan")


def test_a_sweep_and_a_study_from_the_page_show_runs_done_of_n(
    page, tmp_path: Path
) -> None:
    from tests.app.test_robustness import risky_workbook

    risky = risky_workbook(tmp_path / "risky.xlsx")
    page.set_input_files("[data-testid=file-input]", str(risky))
    page.wait_for_selector("text=risky.xlsx is valid")
    solve(page, time_limit=2)
    assert result_message(page).startswith("Plan ")

    page.click("[data-testid=many] summary")
    page.uncheck("#sweep-drop")
    page.fill("[data-testid=sweep-cuts]", "10,30")
    page.fill("[data-testid=sweep-quarters]", "")
    page.click("[data-testid=sweep]")
    page.wait_for_selector("[data-testid=ranking] tbody tr")
    assert page.text_content("[data-testid=p-runs]") == "3 of 3"
    ranked = page.locator("[data-testid=ranking] tbody tr td:nth-child(2)")
    assert sorted(ranked.all_text_contents()) == ["budget-cut-10", "budget-cut-30"]
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
    page.set_input_files("[data-testid=file-input]", str(marked))
    page.wait_for_selector("text=markup.xlsx is valid")
    solve(page)
    assert result_message(page).startswith("Plan optimal")
    gantt = page.locator("#gantt").element_handle()
    assert_no_cloud(gantt)
    page.check("input[name=mode][value=partner]")
    until(page, "document.querySelector('#gantt').dataset.rows.includes('NOR')")
    ticks = page.locator("#gantt .ytick text").all_text_contents()
    assert f"NOR {link}" in ticks  # the text as typed, not a link
    assert page.locator("#gantt a").count() == 0
    page.check("input[name=mode][value=venue]")
    until(page, "document.querySelector('#gantt').dataset.rows.includes('SET')")
    assert f"SET {big}" in page.locator("#gantt .ytick text").all_text_contents()
    sizes = page.evaluate(
        "[...document.querySelectorAll('#gantt text, #gantt tspan')]"
        ".map((t) => getComputedStyle(t).fontSize)"
    )
    assert "80px" not in sizes
    legend = page.locator("#gantt .legendtext").all_text_contents()
    assert f"SET {big}" in legend
    shot(page, "15-names-shown-as-written")
    page.check("input[name=mode][value=exercise]")
    bars = page.locator("#gantt .trace.bars .point path")
    found = ""
    for index in range(bars.count()):
        bars.nth(index).scroll_into_view_if_needed()
        box = bars.nth(index).bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_selector("#gantt .hovertext")
        found = page.locator("#gantt .hovertext").first.text_content()
        if "Response" in found:
            break
    assert "<b>Cold</b> Response & Łódź" in found
    assert page.locator("#gantt .hovertext a").count() == 0


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
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: _policy_violation(m.text) and errors.append(m.text))
    page.goto(cell_server.url)
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
    page.set_input_files("[data-testid=file-input]", str(SAMPLE))
    page.wait_for_selector("text=sample.xlsx is valid")
    solve(page)
    assert result_message(page).startswith("Plan optimal")
    page.wait_for_selector("[data-testid=history] tbody tr")
    assert page.text_content("[data-testid=started-by]") == "bob"
    assert page.is_hidden("#audit-card")
    assert page.is_hidden("[data-testid=history] button.needs-admin")
    shot(page, "17-planner-signed-in")
    page.click("[data-testid=sign-out]")
    page.wait_for_selector("[data-testid=sign-in-form]", state="visible")

    sign_in(page, "carol")
    page.wait_for_selector("[data-testid=history] tbody tr")
    assert page.text_content("[data-testid=who]") == "carol (viewer)"
    assert page.is_hidden("#upload-card")
    assert page.is_hidden("[data-testid=history] button:text('Re-run')")
    assert page.is_visible("[data-testid=history] [data-testid=open]")
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
    context.close()
    assert errors == [], errors
