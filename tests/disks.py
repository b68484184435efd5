"""A small full disk and a read-only drive, real ones: each a tmpfs mounted
for the test, 16 KB or read-only.

Mounting needs root, as the README's test command runs (it installs the
system tools the tests need). Without it a read-only folder (by its
permissions) stands in for the read-only drive, and a test needing a full
disk fails saying why: a full disk cannot be made otherwise, and a failure
faked in Python would not show what the real program prints.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SMALL = 16 * 1024  # bytes: less than any workbook planner writes
COMMAND = [sys.executable, "-m", "planner"]
DENIED = (
    "permission denied: the folder is read-only, or the file is open in "
    "another program (close it and run again)"
)


@dataclass(frozen=True)
class Disk:
    """A folder to write into and the reason a failed write there gives."""

    folder: Path
    reason: str

    def run(self, *arguments: object) -> subprocess.CompletedProcess[str]:
        """`planner ARGUMENTS`, run as the real program."""
        return subprocess.run(
            [*COMMAND, *map(str, arguments)],
            capture_output=True,
            text=True,
            check=False,
        )


def _mounted(folder: Path, options: str) -> bool:
    """Mount a tmpfs at ``folder`` (made here) with ``options``, if allowed."""
    folder.mkdir()
    if os.geteuid() != 0:
        return False
    mount = ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)]
    return subprocess.run(mount, capture_output=True, check=False).returncode == 0


@contextlib.contextmanager
def full_disk(tmp_path: Path, size: int = SMALL) -> Iterator[Disk]:
    """A tmpfs of ``size`` bytes, which fills up."""
    folder = tmp_path / "full"
    if not _mounted(folder, f"size={size}"):
        pytest.fail("a full disk is a small tmpfs, which only root may mount")
    try:
        yield Disk(folder, "the disk is full")
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@contextlib.contextmanager
def read_only_drive(tmp_path: Path) -> Iterator[Disk]:
    folder = tmp_path / "read-only"
    if _mounted(folder, f"ro,size={SMALL}"):
        try:
            yield Disk(folder, "the drive is read-only")
        finally:
            subprocess.run(["umount", str(folder)], check=True)
        return
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        yield Disk(folder, DENIED)
    finally:
        folder.chmod(stat.S_IRWXU)
