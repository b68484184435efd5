"""Workbooks and a server for the web page's tests, and the browser the
journeys drive.

Playwright drives the distribution's Chromium (/usr/bin/chromium, installed by
scripts/install-test-deps.sh); Playwright's own browser download is not used.
In CI (CI=true) a missing browser fails the journeys instead of skipping them.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from planner.serve.app import create_app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "instances" / "sample.xlsx"
SCENARIOS = ["pol-election", "budget-cut", "spta-repairs"]
# The two cells `broken_workbook` spoils, and what validate says of each.
BROKEN_FINDINGS = [
    ("Partners", "E4", "budget must be an amount >= 0, got -5"),
    ("Exercises", "D3", 'duration must be a whole number >= 1, got "two weeks"'),
]
RUN_TIMEOUT_S = 120


def write_broken_workbook(path: Path) -> Path:
    """The sample with a text duration and a negative partner budget."""
    book = load_workbook(SAMPLE)
    book["Exercises"]["D3"] = "two weeks"
    book["Partners"]["E4"] = -5
    book.save(path)
    return path


@pytest.fixture
def broken_workbook(tmp_path: Path) -> Path:
    return write_broken_workbook(tmp_path / "broken.xlsx")


# The page's own address: the Host the server allows, the Origin of the page.
ORIGIN = "http://127.0.0.1:8000"


def browser_like(app: FastAPI) -> TestClient:
    """A client that asks as the page does: an allowed Host, its Origin."""
    return TestClient(app, base_url=ORIGIN, headers={"Origin": ORIGIN})


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(tmp_path / "data", max_upload_bytes=2_000_000)
    with browser_like(app) as c:
        yield c


def upload(client: TestClient, path: Path, name: str | None = None) -> dict:
    with path.open("rb") as stream:
        response = client.post(
            "/api/uploads", files={"file": (name or path.name, stream)}
        )
    assert response.status_code == 200, response.text
    return response.json()


def wait_for(client: TestClient, run_id: str, timeout_s: float = RUN_TIMEOUT_S) -> dict:
    """The run once it has finished (fails the test after ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        run = client.get(f"/api/runs/{run_id}").json()
        if run["state"] in ("done", "cancelled", "failed"):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish in {timeout_s} s: {run}")


def wait_until(condition, timeout_s: float = RUN_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


class Server:
    """``planner serve`` as a user starts it, in a process of its own.

    ``args``: more options (--certfile, --max-solves, ...); ``ca``: the
    certificate to trust when it serves https."""

    def __init__(
        self, data: Path, args: tuple[str, ...] = (), ca: Path | None = None
    ) -> None:
        self.data = data
        self.args = args
        self.port = free_port()
        scheme = "https" if ca else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.context = ssl.create_default_context(cafile=str(ca)) if ca else None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "planner", "serve", "--port", str(self.port)]
        self.log = (self.data.parent / "serve.log").open("ab+")
        self.process = subprocess.Popen(
            [*command, "--data", str(self.data), *self.args],
            cwd=self.data.parent,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.open("/api/info")
                return
            except urllib.error.HTTPError:  # it answers: sign-in needed
                return
            except OSError:
                if self.process.poll() is not None:
                    raise AssertionError(self.said()) from None
                time.sleep(0.3)
        self.stop()  # a test that fails here leaves no server behind
        raise AssertionError("planner serve did not answer within 60 s")

    def said(self) -> str:
        """What the server wrote on stderr so far."""
        return (self.data.parent / "serve.log").read_text(errors="replace")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def open(self, path: str, data: bytes | None = None, **headers: str) -> object:
        request = urllib.request.Request(
            f"{self.url}{path}", data=data, headers={"Origin": self.url, **headers}
        )
        return urllib.request.urlopen(request, timeout=120, context=self.context)

    def api(self, path: str, body: object = None) -> object:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data else {}
        with self.open(path, data, **headers) as response:
            return json.load(response)

    def upload(self, path: Path) -> dict:
        boundary = "planner-test-boundary"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{path.name}"\r\nContent-Type: application/octet-stream'
                "\r\n\r\n"
            ).encode()
            + path.read_bytes()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        content = f"multipart/form-data; boundary={boundary}"
        with self.open("/api/uploads", body, **{"Content-Type": content}) as answer:
            return json.load(answer)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """Every living process started, directly or not, by ``pid``, and every
    process in a process group one of them leads (workers make their own)."""
    parents: dict[int, int] = {}
    groups: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z":
            continue
        parents[int(entry)] = int(fields[1])
        groups[int(entry)] = int(fields[2])
    found = {pid}
    changed = True
    while changed:
        changed = False
        for child, parent in parents.items():
            if child not in found and (parent in found or groups[child] in found):
                found.add(child)
                changed = True
    found.discard(pid)
    return sorted(p for p in found if p in parents)


def kill_all(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# --- the browser -----------------------------------------------------------

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


def open_page(browser, url: str, viewport: dict[str, int] | None = None):
    """A page of its own, failing the test on a script error or a refusal
    by the Content-Security-Policy (`errors`, checked by `closed`)."""
    context = browser.new_context(viewport=viewport or {"width": 1366, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(STEP_MS)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", lambda m: _policy_violation(m.text) and errors.append(m.text))
    opened.errors = errors
    opened.goto(url)
    return opened


def closed(page) -> None:
    errors = page.errors
    page.context.close()
    assert errors == [], errors


@pytest.fixture
def page(browser, server: Server) -> Iterator[object]:
    opened = open_page(browser, server.url)
    yield opened
    closed(opened)


def _policy_violation(text: str) -> bool:
    """A console message saying the Content-Security-Policy blocked something."""
    return "Content Security Policy" in text
