"""Workbooks and a server for the web page's tests."""

from __future__ import annotations

import time
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
