"""planner/ type-checks under mypy at the strictness set in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_mypy_finds_no_type_error() -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "planner"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
