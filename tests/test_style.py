"""The code stays as ruff formats and lints it (settings in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "planner", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_ruff_finds_nothing_to_lint() -> None:
    checked = ruff("check", "--no-cache")
    assert checked.returncode == 0, checked.stdout


def test_code_is_formatted() -> None:
    formatted = ruff("format", "--check", "--no-cache")
    assert formatted.returncode == 0, formatted.stdout
