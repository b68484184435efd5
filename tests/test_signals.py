"""Real SIGINT and SIGTERM sent to the real command, at several moments.

What a terminal does, not a KeyboardInterrupt raised from Python: the
command runs in its own process and `os.kill` signals it while it reads,
searches, explains or writes. Whatever the moment, it ends with a documented
exit code, never a C++ abort (134) or an unexpected error (70), never a
traceback; either a plan the independent checker accepts was written (6, or
0 when the run had finished), or one line says nothing was written (130,
143), and no half-written file is left.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from planner.interrupt import EXIT_INTERRUPTED
from planner.workbook.generate import generate
from planner.workbook.template import write_workbook

pytestmark = pytest.mark.slow

RESULT_FILES = ("schedule.xlsx", "schedule.json")
COMMAND = [sys.executable, "-m", "planner"]
TIMEOUT_S = 120  # far above any run here: only a hung process trips it


SCENARIOS = [
    {"scenario": "cut", "action": "set", "sheet": "Settings"}
    | {"id": "total_budget", "column": "value", "value": 18_000_000},
    {"scenario": "deeper-cut", "action": "set", "sheet": "Settings"}
    | {"id": "total_budget", "column": "value", "value": 15_000_000},
    *(
        {"scenario": "nor-away", "action": "add", "sheet": "Unavailability"}
        | {"id": "NOR", "column": column, "value": value}
        for column, value in (
            ("start", dt.date(2027, 5, 3)),
            ("end", dt.date(2027, 8, 29)),
            ("reason", "election"),
        )
    ),
]


@pytest.fixture(scope="module")
def programmes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Generated s and m programmes, and m with three scenarios ("whatif")."""
    folder = tmp_path_factory.mktemp("programmes")
    paths = {}
    for name, size in (("s", "s"), ("m", "m"), ("whatif", "m")):
        tables, _ = generate(size, 3)
        if name == "whatif":
            tables["Scenarios"] = SCENARIOS
        paths[name] = folder / f"{name}.xlsx"
        write_workbook(tables, paths[name])
    return paths


def _start(arguments: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*COMMAND, *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_until_handled(process: subprocess.Popen[str]) -> None:
    """Wait until the command handles SIGTERM itself: its handlers are set.

    Before that the interpreter is still starting (site, the entry point),
    which no program can make clean; a loaded machine takes a while there.
    """
    bit = 1 << (signal.SIGTERM - 1)
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            lines = status.read_text().splitlines()
        except FileNotFoundError:  # it has just ended
            return
        caught = next((line for line in lines if "SigCgt" in line), "SigCgt: 0")
        if int(caught.split()[1], 16) & bit:
            return
        time.sleep(0.005)


def _wait_for_line(process: subprocess.Popen[str], text: str) -> list[str]:
    """Read stderr until a line holding ``text`` (or the end); the lines read."""
    assert process.stderr is not None
    lines = []
    for line in process.stderr:
        lines.append(line)
        if text in line:
            break
    return lines


def _wait_for_temp_file(folder: Path, process: subprocess.Popen[str]) -> bool:
    """Poll until the writer's first temporary file appears; False if it ended."""
    while process.poll() is None:
        if folder.is_dir() and any(folder.glob(".*.tmp")):
            return True
        time.sleep(0.001)
    return False


def _finish(process: subprocess.Popen[str], before: list[str]) -> tuple[int, str]:
    _, rest = process.communicate(timeout=TIMEOUT_S)
    return process.returncode, "".join(before) + rest


def _assert_clean_end(
    code: int, stderr: str, workbook: Path, out: Path, signum: int
) -> None:
    """The documented outcome of an interrupted run, whichever the moment."""
    assert code in (0, EXIT_INTERRUPTED, 128 + signum), stderr
    assert "Traceback" not in stderr
    assert "terminate called" not in stderr
    assert not list(out.glob("**/.*.tmp")) if out.exists() else True
    if code == 128 + signum:
        assert stderr.strip().splitlines()[-1].startswith("Interrupted ("), stderr
        assert not [p for p in out.glob("**/*") if p.name in RESULT_FILES]
        return
    if code == EXIT_INTERRUPTED:
        assert "Interrupted (" in stderr
    for folder in {p.parent for p in out.glob("**/schedule.json")} or {out}:
        checked = subprocess.run(
            [*COMMAND, "check", str(workbook), str(folder / "schedule.json")],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        assert checked.returncode == 0, checked.stderr
        json_text = (folder / "schedule.json").read_text(encoding="utf-8")
        if '"interrupted": true' in json_text:  # stopped during the search
            assert code == EXIT_INTERRUPTED


@pytest.mark.parametrize(
    ("signum", "delay_s"),
    [
        (signal.SIGINT, 0.05),  # still starting: imports, reading the workbook
        (signal.SIGTERM, 0.5),
        (signal.SIGINT, 0.5),  # after reading: building, greedy hint, search
        (signal.SIGTERM, 1.5),
        (signal.SIGINT, 3.0),  # search, canonical plan, explanations
    ],
)
def test_solve_ends_cleanly_on_a_signal(
    programmes: dict[str, Path], tmp_path: Path, signum: int, delay_s: float
) -> None:
    out = tmp_path / "out"
    arguments = ["solve", str(programmes["m"]), "--time-limit", "30"]
    process = _start([*arguments, "--out", str(out)])
    _wait_until_handled(process)
    before: list[str] = []
    if delay_s >= 0.5:  # counted from the moment the workbook has been read
        before = _wait_for_line(process, "100 exercises")
    time.sleep(delay_s)
    process.send_signal(signum)
    code, stderr = _finish(process, before)
    _assert_clean_end(code, stderr, programmes["m"], out, signum)


def _signalled_while_writing(
    workbook: Path, out: Path, pauses_s: list[float]
) -> tuple[int, str]:
    """Solve, SIGINT once the writer has begun, again after each pause."""
    process = _start(["solve", str(workbook), "--out", str(out)])
    if not _wait_for_temp_file(out, process):
        pytest.fail("the run ended before writing")
    process.send_signal(signal.SIGINT)
    for pause in pauses_s:
        time.sleep(pause)
        process.send_signal(signal.SIGINT)
    return _finish(process, [])


def test_a_signal_while_writing_still_writes_the_whole_plan(
    programmes: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, stderr = _signalled_while_writing(programmes["s"], out, pauses_s=[])
    # the plan exists: the signal is noted, the write completes
    assert code == EXIT_INTERRUPTED, stderr
    _assert_clean_end(code, stderr, programmes["s"], out, signal.SIGINT)


def test_a_second_signal_while_writing_ends_at_once_without_a_half_file(
    programmes: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, stderr = _signalled_while_writing(programmes["s"], out, pauses_s=[0.01])
    assert code in (130, EXIT_INTERRUPTED), stderr
    assert "Traceback" not in stderr
    assert not list(out.glob(".*.tmp"))
    written = [name for name in RESULT_FILES if (out / name).exists()]
    if code == 130:
        # stopped while writing: the write unwound, nothing half-written stands
        assert written == [], stderr
        assert "again" in stderr.strip().splitlines()[-1]
    else:  # both signals came after the files were renamed into place
        _assert_clean_end(code, stderr, programmes["s"], out, signal.SIGINT)


@pytest.mark.parametrize(
    ("signum", "delay_s", "after_base"),
    [
        (signal.SIGINT, 0.05, False),  # starting, reading workbook and scenarios
        (signal.SIGTERM, 3.0, False),  # the base plan
        (signal.SIGINT, 1.0, True),  # scenarios, each in a process of its own
    ],
)
def test_whatif_ends_cleanly_on_a_signal(
    programmes: dict[str, Path],
    tmp_path: Path,
    signum: int,
    delay_s: float,
    after_base: bool,
) -> None:
    out = tmp_path / "out"
    workbook = programmes["whatif"]
    process = _start(["whatif", str(workbook), "--time-limit", "8", "--out", str(out)])
    _wait_until_handled(process)
    before = _wait_for_line(process, "base: ") if after_base else []
    time.sleep(delay_s)
    process.send_signal(signum)
    code, stderr = _finish(process, before)
    _assert_clean_end(code, stderr, workbook, out, signum)
    assert not any(
        p.name.startswith("comparison") and p.name.endswith(".tmp")
        for p in out.glob("**/*")
    )
