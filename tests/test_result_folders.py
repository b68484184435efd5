"""A result folder on disk is the old one or the new one, never a mix.

The real program writes a new result over an earlier one (another
programme's, so every file tells which run wrote it) and is stopped while it
writes: kill -9 at random moments, a second Ctrl-C, a disk that fills up.
Before issue 19, 23 of 40 kills left the old brief beside the new schedule,
a second Ctrl-C left the new schedule beside the old brief and calendars,
and a full disk at the calendars left the other programme's brief.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from planner.interrupt import EXIT_INTERRUPTED
from planner.workbook.generate import generate
from planner.workbook.template import write_workbook
from tests.disks import full_disk

ROOT = Path(__file__).parent.parent
OLD = ROOT / "instances" / "sample.xlsx"
COMMAND = [sys.executable, "-m", "planner"]
TIMEOUT_S = 180  # far above any run here: only a hung process trips it
KILLS = 12
Snapshot = dict[str, str]  # a folder's files by relative path: their sha256


def _run(*arguments: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


def _start(*arguments: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*COMMAND, *map(str, arguments)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def snapshot(folder: Path) -> Snapshot:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The old result (sample.xlsx solved), the new programme (generated s)
    and its result written into an empty folder, for the names it holds."""
    folder = tmp_path_factory.mktemp("runs")
    new = folder / "new.xlsx"
    tables, _ = generate("s", 3)
    write_workbook(tables, new)
    for name, workbook in (("old", OLD), ("reference", new)):
        done = _run("solve", workbook, "--out", folder / name, "--quiet")
        assert done.returncode == 0, done.stderr
    return {"old": folder / "old", "new": new, "reference": folder / "reference"}


def _stages(folder: Path) -> list[Path]:
    return list(folder.parent.glob(f".{folder.name}.*"))


def _writing(folder: Path, process: subprocess.Popen[str]) -> bool:
    """Wait until the new folder beside ``folder`` holds a file; False when
    the run ended first."""
    while process.poll() is None:
        for stage in _stages(folder):
            try:
                if any(stage.iterdir()):
                    return True
            except OSError:
                pass
        time.sleep(0.001)
    return False


def old_or_new(folder: Path, old: Snapshot, runs: dict[str, Path]) -> str:
    """The word "old" when ``folder`` is the old result to the byte, "new" when it is
    the whole new one; anything else fails."""
    now = snapshot(folder)
    if now == old:
        return "old"
    mixed = sorted(name for name, digest in now.items() if old.get(name) == digest)
    assert mixed == [], f"files of the old result beside new ones: {mixed}"
    assert sorted(now) == sorted(snapshot(runs["reference"]))
    data = json.loads((folder / "schedule.json").read_text(encoding="utf-8"))
    assert data["input"]["file"] == runs["new"].name
    assert runs["new"].name in (folder / "brief.html").read_text(encoding="utf-8")
    checked = _run("check", runs["new"], folder)
    assert checked.returncode == 0, checked.stderr
    return "new"


def _old_result(runs: dict[str, Path], folder: Path) -> tuple[Path, Snapshot]:
    """A copy of the old result in ``folder``, and its snapshot."""
    out = folder / "out"
    shutil.copytree(runs["old"], out)
    return out, snapshot(out)


@pytest.mark.slow
def test_kill_9_while_writing_leaves_the_old_result_or_the_new(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    out, old = _old_result(runs, tmp_path)
    moments = random.Random(19)
    seen = []
    for _ in range(KILLS):
        if seen and seen[-1] == "new":  # start again from the old result
            shutil.rmtree(out)
            shutil.copytree(runs["old"], out)
        process = _start("solve", runs["new"], "--out", out, "--quiet")
        if _writing(out, process):
            time.sleep(moments.uniform(0.0, 0.6))
            process.kill()
        process.communicate(timeout=TIMEOUT_S)
        seen.append(old_or_new(out, old, runs))
    assert "old" in seen, seen  # some kills came before the swap
    # the next run clears what the killed ones left beside the folder
    done = _run("solve", runs["new"], "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr
    assert old_or_new(out, old, runs) == "new"
    assert _stages(out) == []


@pytest.mark.slow
def test_a_second_ctrl_c_while_writing_leaves_the_old_result_or_the_new(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    out, old = _old_result(runs, tmp_path)
    process = _start("solve", runs["new"], "--out", out)
    assert _writing(out, process), "the run ended before writing"
    process.send_signal(signal.SIGINT)
    time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=TIMEOUT_S)
    assert process.returncode in (130, EXIT_INTERRUPTED), stderr
    assert "Traceback" not in stderr
    found = old_or_new(out, old, runs)
    if process.returncode == 130:
        assert found == "old"
        assert stderr.splitlines()[-1] == (
            "Stopped at once (Ctrl-C again); the results were not written."
        )
    assert _stages(out) == []


@pytest.mark.slow
@pytest.mark.parametrize("free_kb", [40, 120, 200])
def test_a_full_disk_leaves_the_old_result(
    runs: dict[str, Path], tmp_path: Path, free_kb: int
) -> None:
    """The old result (about 265 KB) and room for ``free_kb`` more: the new
    one fills the disk at its schedule, its calendars or its brief."""
    used = sum(path.stat().st_size for path in runs["old"].rglob("*"))
    with full_disk(tmp_path, size=used + 64 * 1024 + free_kb * 1024) as disk:
        out = disk.folder / "out"
        shutil.copytree(runs["old"], out)
        old = snapshot(out)
        done = _run("solve", runs["new"], "--out", out, "--quiet")
        assert done.returncode == 5, done.stderr
        assert done.stderr.startswith(f"Cannot write {out}")
        assert done.stderr.endswith(": the disk is full.\n"), done.stderr
        assert snapshot(out) == old
        assert _stages(out) == []


@pytest.mark.slow
def test_kill_9_during_a_whatif_leaves_the_old_result(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    out, old = _old_result(runs, tmp_path)
    process = _start("whatif", OLD, "--out", out, "--time-limit", "5")
    assert _writing(out, process), "the what-if ended before writing"
    time.sleep(1.0)  # the base written, scenarios planning
    process.kill()
    process.communicate(timeout=TIMEOUT_S)
    assert snapshot(out) == old
    done = _run("whatif", OLD, "--out", out, "--time-limit", "5")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "base",
        "brief.html",
        "brief.pdf",
        "budget-cut",
        "comparison.xlsx",
        "pol-election",
        "spta-repairs",
    ]
    assert _stages(out) == []
