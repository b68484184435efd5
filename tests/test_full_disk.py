"""`planner generate` and `planner template` onto a full disk or a read-only
drive: exit 5, one line naming the file asked for, and no file left behind.

Both once exited 70 and left a 0-byte file (issue 19); a full disk also
printed the traceback of openpyxl's half-closed zip as the program ended,
so they run here as the real program (tests/disks.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from tests.disks import Disk, full_disk, read_only_drive

DRIVES = {"full disk": full_disk, "read-only drive": read_only_drive}
COMMANDS = {
    "template": ("template", "--example"),
    "generate": ("generate", "--size", "xl", "--seed", "1"),
}


@pytest.fixture(params=list(DRIVES))
def disk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Disk]:
    drive: Callable[[Path], AbstractContextManager[Disk]] = DRIVES[request.param]
    with drive(tmp_path) as found:
        yield found


@pytest.mark.slow
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_workbook_that_cannot_be_written_exits_5_and_leaves_nothing(
    disk: Disk, command: str
) -> None:
    target = disk.folder / "programme.xlsx"
    ran = disk.run(*COMMANDS[command], target)
    assert (ran.returncode, ran.stdout) == (5, "")
    assert ran.stderr == f"Cannot write {target}: {disk.reason}.\n"
    assert list(disk.folder.iterdir()) == []


def test_a_folder_that_cannot_be_made_names_it(tmp_path: Path) -> None:
    with read_only_drive(tmp_path) as disk:
        ran = disk.run("template", disk.folder / "new" / "programme.xlsx")
    assert ran.returncode == 5
    assert ran.stderr == f"Cannot write {disk.folder / 'new'}: {disk.reason}.\n"
