"""Ctrl-C or SIGTERM on `planner brief --partners` while it writes the briefs.

It once said "Interrupted (Ctrl-C) before any plan existed; nothing
written.", words for a solve (a brief makes no plan), and left an empty
briefs/ folder. The real command gets a real signal once its first
temporary brief file exists.
"""

from __future__ import annotations

import contextlib
import hashlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_cli import SAMPLE, solve_checked

pytestmark = pytest.mark.slow

COMMAND = [sys.executable, "-m", "planner"]
TIMEOUT_S = 120  # far above any run here: only a hung process trips it


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _writing(briefs: Path, process: subprocess.Popen[str]) -> bool:
    """Wait until a temporary partner brief exists; False if the run ended
    first."""
    while process.poll() is None:
        with contextlib.suppress(OSError):
            if any(briefs.glob(".partner-*.tmp")):
                return True
        time.sleep(0.001)
    return False


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("brief") / "out"
    solve_checked(SAMPLE, folder)
    return folder


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_brief_says_so_and_leaves_the_folder_as_it_was(
    result: Path, signum: int
) -> None:
    before = _snapshot(result)
    process = subprocess.Popen(
        [*COMMAND, "brief", str(result), "--partners"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert _writing(result / "briefs", process), "the brief ended before a signal"
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=TIMEOUT_S)
    assert process.returncode == 128 + signum
    name = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    assert stderr == (
        f"Interrupted ({name}); the brief and partner briefs were not written.\n"
    )
    assert _snapshot(result) == before
    assert sorted(p.name for p in result.iterdir()) == [
        "brief.html",
        "brief.pdf",
        "calendars",
        "schedule.ics",
        "schedule.json",
        "schedule.xlsx",
    ]
