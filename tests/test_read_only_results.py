"""A result folder made read-only is refused before the search, left as it is.

Before, `planner solve` into a read-only folder holding an earlier result
swapped a new folder in beside it (the folder above could be written),
exit 0, and left the old one full under a temporary name; an empty
read-only folder was replaced silently; `planner robustness` planned every
sample before failing. They run as the real program, as a user to whom
permissions apply: root's powers over them dropped (capsh), since the tests
run as root (tests/disks.py).
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.disks import DENIED
from tests.tools import require

SAMPLE = Path(__file__).parent.parent / "instances" / "sample.xlsx"
READ_ONLY = stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP
# Root reads and writes whatever the permissions say without these.
ROOTS_POWERS = "cap_dac_override,cap_dac_read_search,cap_fowner"


def run_as_a_user(*arguments: object) -> subprocess.CompletedProcess[str]:
    """`planner ARGUMENTS` as the real program, permissions applying to it."""
    command = [sys.executable, "-m", "planner", *map(str, arguments)]
    if os.geteuid() == 0:
        drop = f"--drop={ROOTS_POWERS}"
        command = [require("capsh"), drop, "--", "-c", shlex.join(command)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def earlier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's result, as an earlier run wrote it."""
    folder = tmp_path_factory.mktemp("earlier") / "out"
    ran = run_as_a_user("solve", SAMPLE, "--out", folder, "--time-limit", 5, "--quiet")
    assert ran.returncode == 0, ran.stderr
    return folder


@pytest.mark.parametrize(
    ("held", "locked"),
    [
        ("an earlier result", "."),
        ("nothing", "."),
        ("an earlier result", "calendars"),
    ],
)
@pytest.mark.slow
def test_a_read_only_result_folder_is_refused_untouched(
    tmp_path: Path, earlier: Path, held: str, locked: str
) -> None:
    folder = tmp_path / "out"
    if held == "nothing":
        folder.mkdir()
    else:
        shutil.copytree(earlier, folder)
    before = snapshot(folder)
    (folder / locked).chmod(READ_ONLY)
    try:
        ran = run_as_a_user("solve", SAMPLE, "--out", folder, "--quiet")
    finally:
        (folder / locked).chmod(stat.S_IRWXU)
    assert (ran.returncode, ran.stdout) == (5, "")
    named = folder / locked if locked != "." else folder
    assert ran.stderr == f"Cannot write {named}: {DENIED}.\n"
    assert snapshot(folder) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_robustness_into_a_read_only_folder_is_refused_before_any_sample(
    tmp_path: Path, earlier: Path
) -> None:
    folder = tmp_path / "study"
    folder.mkdir(mode=READ_ONLY)
    try:
        ran = run_as_a_user(
            "robustness", SAMPLE, earlier, "--samples", 3, "--out", folder / "new"
        )
    finally:
        folder.chmod(stat.S_IRWXU)
    assert (ran.returncode, ran.stdout) == (5, "")
    # the sample states no risks, which is warned about first; no sample ran
    assert ran.stderr.splitlines()[-1] == f"Cannot write {folder / 'new'}: {DENIED}."
    assert "re-planned" not in ran.stderr
    assert list(folder.iterdir()) == []
