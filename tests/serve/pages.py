"""What the browser journeys do on the page: wait, upload, plan, read.

The browser and the page come from the fixtures in conftest.py. Each step
leaves a screenshot in test-artifacts/screenshots/.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path

from tests.serve.conftest import ROOT, STEP_MS

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
LAPTOP = {"width": 1366, "height": 900}
DESKTOP = {"width": 1920, "height": 1080}


def until(page, expression: str, timeout_ms: int = STEP_MS) -> None:
    """Wait until ``expression`` is true in the page, asking from outside it:
    Playwright's own waiting evaluates strings inside the page, which the
    page's Content-Security-Policy rightly refuses."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.1)


def shot(page, name: str, full: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full)


def shot_of(page, selector: str, name: str, height: int = 1040) -> Path:
    """A screenshot of the element at ``selector``, its top ``height``
    pixels (taller than the window if need be): a picture for a reader,
    not the whole window."""
    box = page.locator(selector).bounding_box()
    scrolled = page.evaluate("[window.scrollX, window.scrollY]")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    clip = {
        "x": box["x"] + scrolled[0],
        "y": box["y"] + scrolled[1],
        "width": box["width"],
        "height": min(box["height"], height),
    }
    page.screenshot(path=str(path), clip=clip, full_page=True)
    return path


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


def upload_file(page, path: Path) -> None:
    page.set_input_files("[data-testid=file-input]", str(path))
    page.wait_for_selector(f"text={path.name} is valid")


def search_settings(page) -> None:
    """Open "Search settings", where cores, seed and a fixed search are set."""
    if not page.locator("details.advanced").evaluate("node => node.open"):
        page.click("details.advanced summary")


def solve(
    page,
    what: str = "",
    time_limit: int = 20,
    explain: bool = True,
    same_every_run: bool = False,
) -> str:
    """Plan as the form asks; the run now shown (its id), once it appears."""
    before = current_run(page)
    page.select_option("[data-testid=what]", what)
    page.fill("[data-testid=time-limit]", str(time_limit))
    if not explain:
        page.uncheck("#explain-all")
    search_settings(page)
    page.fill("#workers", "1")
    if same_every_run:
        page.check("#deterministic")
    page.click("[data-testid=solve]")
    until(page, f"location.hash.match(/^#run=/) && location.hash !== '#run={before}'")
    return current_run(page)


def result_message(page) -> str:
    """The run's message once it has finished."""
    until(
        page,
        "document.querySelector('#run-card:not([hidden]) [data-testid=p-state]')"
        "?.textContent.match(/done|stopped|failed/)",
    )
    return page.text_content("[data-testid=result-message]")


def open_tab(page, name: str) -> None:
    page.click(f"[data-testid=tab-{name}]")
    page.wait_for_selector(f"#tab-{name}:not([hidden])")


def calendar_rows(page, box: str = "#calendar") -> list[str]:
    until(page, f"document.querySelector('{box}').dataset.rows !== undefined")
    rows = page.eval_on_selector(box, "node => node.dataset.rows")
    return rows.split("|") if rows else []


def calendar_view(page, view: str) -> None:
    page.click(f"#calendar [data-testid=cal-view] button[data-value={view}]")


def drawn_bars(page, box: str = "#calendar") -> int:
    return page.locator(f"{box} .cal-bar").count()


def current_run(page) -> str:
    return page.evaluate("location.hash").removeprefix("#run=")


def history_rows(page) -> int:
    return page.locator("[data-testid=history] li").count()


def hover_bar(page, exercise_id: str) -> str:
    """Hover the bar of ``exercise_id``: the tooltip's text."""
    bar = page.locator(f"#calendar .cal-bar[data-exercise='{exercise_id}']").first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
    page.wait_for_selector("[data-testid=cal-tip]")
    return page.text_content("[data-testid=cal-tip]")
