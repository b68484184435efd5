"""Output folders that fail politely: exit 5, the file asked for, nothing left over.

Each case here once ended in exit 70 or named a temporary file (issue 9). A
full disk and a read-only drive are simulated by making the write fail with
the errno the system gives (the tests run as any user, root included, whom
chmod alone does not stop); the report of issue 9 lists the same cases run
for real on a tiny and a read-only tmpfs.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from planner import cli
from planner.app.publish import write_schedule
from planner.outputs import files as output
from planner.outputs.files import OutputError, clear_stale_temps, replace_atomically
from tests.workbook.test_plan_io import input_file, small_problem, small_result

SAMPLE = Path(__file__).parents[2] / "instances" / "sample.xlsx"


def run(*args: object) -> object:
    return CliRunner().invoke(cli.main, [str(a) for a in args])


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664)])
def test_results_respect_the_umask(
    tmp_path: Path, umask: None, mask: int, mode: int
) -> None:
    """Results were -rw------- whatever the umask: colleagues could not open them."""
    os.umask(mask)
    written = write_schedule(
        small_problem(), small_result(), tmp_path / "out", input_file(tmp_path)
    )
    assert [_mode(path) for path in written[0]] == [mode, mode]


def test_out_naming_a_file(tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    result = run("solve", SAMPLE, "--out", a_file, "--quiet")
    assert result.exit_code == 5
    assert result.output == (
        f"Cannot write results to {a_file}: it is a file, not a folder; choose "
        "another output folder.\n"
    )
    assert a_file.read_text() == "mine"


def test_out_below_a_file(tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    result = run("solve", SAMPLE, "--out", a_file / "results", "--quiet")
    assert result.exit_code == 5
    assert result.output == (
        f"Cannot write {a_file / 'results'}: a part of the path is a file, not a "
        "folder.\n"
    )


def test_out_with_a_name_over_255_characters(tmp_path: Path) -> None:
    folder = tmp_path / ("x" * 300)
    result = run("solve", SAMPLE, "--out", folder, "--quiet")
    assert result.exit_code == 5
    assert result.output == (
        f"Cannot write {folder}: a name in the path is too long (at most 255 "
        "characters a folder or file name).\n"
    )


def _fail_with(code: int) -> object:
    def write_bytes(self: Path, data: bytes) -> int:
        with self.open("wb") as stream:
            stream.write(data[:100])
        raise OSError(code, os.strerror(code), str(self))

    return write_bytes


@pytest.mark.parametrize(
    ("code", "reason"),
    [(errno.ENOSPC, "the disk is full"), (errno.EROFS, "the drive is read-only")],
)
def test_a_failed_write_names_the_file_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str
) -> None:
    """It named the temporary file and exited 2, the code for invalid input."""
    monkeypatch.setattr(Path, "write_bytes", _fail_with(code))
    out = tmp_path / "out"
    result = run("solve", SAMPLE, "--out", out, "--quiet", "--time-limit", "5")
    assert result.exit_code == 5
    assert result.output.splitlines()[-1] == (
        f"Cannot write {out / 'schedule.xlsx'}: {reason}."
    )
    assert list(tmp_path.iterdir()) == []  # no folder, no temporary one


def test_a_read_only_folder_at_creation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path / "out"))

    monkeypatch.setattr(Path, "mkdir", refuse)
    result = run("solve", SAMPLE, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 5
    assert (
        result.output == f"Cannot write {tmp_path / 'out'}: the drive is read-only.\n"
    )


@pytest.mark.slow
def test_compare_out_below_a_file(tmp_path: Path) -> None:
    first = run(
        "solve", SAMPLE, "--out", tmp_path / "a", "--quiet", "--time-limit", "5"
    )
    assert first.exit_code == 0, first.output
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    result = run("compare", tmp_path / "a", tmp_path / "a", "--out", a_file / "c.xlsx")
    assert result.exit_code == 5
    assert result.output.splitlines()[-1] == (
        f"Cannot write results to {a_file}: it is a file, not a folder; choose "
        "another output folder."
    )


def test_temporary_files_are_removed_when_a_write_fails(tmp_path: Path) -> None:
    target = tmp_path / "schedule.json"
    target.write_text("old")

    def fail(temp: Path) -> None:
        temp.write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError, match=r"schedule\.json: the disk is full"):
        replace_atomically([(target, fail)])
    assert [p.name for p in tmp_path.iterdir()] == ["schedule.json"]
    assert target.read_text() == "old"


def test_temporary_files_are_removed_on_an_interrupt(tmp_path: Path) -> None:
    """Ctrl-C while writing (KeyboardInterrupt) leaves no temporary file."""

    def interrupted(temp: Path) -> None:
        temp.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        replace_atomically([(tmp_path / "schedule.json", interrupted)])
    assert list(tmp_path.iterdir()) == []


def test_folders_made_for_a_stopped_write_are_removed(tmp_path: Path) -> None:
    """`planner brief --partners` stopped while writing once left an empty
    briefs/ folder (and --out's new folder)."""
    (tmp_path / "result").mkdir()
    (tmp_path / "result" / "brief.pdf").write_text("old")

    def interrupted(temp: Path) -> None:
        temp.write_text("half")
        raise KeyboardInterrupt

    targets = [
        tmp_path / "result" / "briefs" / "partner-NOR.pdf",
        tmp_path / "new" / "out" / "brief.pdf",
        tmp_path / "result" / "brief.pdf",
    ]
    with pytest.raises(KeyboardInterrupt):
        replace_atomically([(target, interrupted) for target in targets])
    assert [str(p.relative_to(tmp_path)) for p in sorted(tmp_path.rglob("*"))] == [
        "result",
        "result/brief.pdf",
    ]


def _dead_pid() -> int:
    """A process id no process has: one past the kernel's largest."""
    return int(Path("/proc/sys/kernel/pid_max").read_text()) + 1


def test_stale_temporary_files_of_killed_runs_are_cleared(tmp_path: Path) -> None:
    killed = tmp_path / f".schedule.xlsx.{_dead_pid()}.k1ll3d.tmp"
    unnumbered_old = tmp_path / ".schedule.json.ab12cd34.tmp"  # before ids
    running = tmp_path / f".schedule.xlsx.{os.getpid()}.l1ve.tmp"
    other = tmp_path / ".notes.xlsx.1.x.tmp"
    for path in (killed, unnumbered_old, running, other):
        path.write_bytes(b"half")
    an_hour_ago = time.time() - output.STALE_AFTER_S - 60
    os.utime(unnumbered_old, (an_hour_ago, an_hour_ago))
    write_schedule(small_problem(), small_result(), tmp_path, input_file(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [
            "programme.xlsx",
            "schedule.xlsx",
            "schedule.json",
            running.name,
            other.name,
        ]
    )


def test_clearing_keeps_a_fresh_unnumbered_file(tmp_path: Path) -> None:
    """Another machine may be writing it right now on a shared drive."""
    fresh = tmp_path / ".schedule.json.ab12cd34.tmp"
    fresh.write_bytes(b"half")
    assert clear_stale_temps(tmp_path, ["schedule.json"]) == []
    assert fresh.exists()


def test_temporary_names_carry_the_process_id(tmp_path: Path) -> None:
    made: list[tuple[str, int]] = []

    def write(temp: Path) -> None:
        made.append((temp.name, temp.stat().st_mode & 0o777))
        temp.write_text("{}")

    replace_atomically([(tmp_path / "schedule.json", write)])
    ((name, mode),) = made
    assert name.startswith(f".schedule.json.{os.getpid()}.")
    assert name.endswith(".tmp")
    assert mode == 0o600  # private until complete
    assert clear_stale_temps(tmp_path, ["schedule.json"]) == []


@pytest.mark.slow
def test_a_ten_year_horizon_of_days_is_written(tmp_path: Path) -> None:
    """At the horizon bound the calendar prints as a block per month: ten
    years of days in 120 blocks of at most 31 day columns."""
    from tests.test_cli import assert_checked
    from tests.workbook.conftest import minimal_programme, set_cell, write_workbook

    sheets = set_cell(minimal_programme(), "Settings", "B3", "2036-12-31")
    set_cell(sheets, "Settings", "B4", "day")
    workbook = write_workbook(tmp_path / "decade.xlsx", sheets)
    out = tmp_path / "out"
    result = run("solve", workbook, "--out", out, "--quiet", "--time-limit", "20")
    assert result.exit_code == 0, result.output
    assert_checked(workbook, out)
    calendar = load_workbook(out / "schedule.xlsx", read_only=True)["Calendar"]
    assert calendar.max_column <= 3 + 31  # exercise, name, venue, the days
    titles = [row[0] for row in calendar.iter_rows(max_col=1, values_only=True)]
    months = [t for t in titles if isinstance(t, str) and t[-4:].isdigit()]
    assert (len(months), months[0], months[-1]) == (
        120,
        "January 2027",
        "December 2036",
    )


def test_whatif_out_naming_a_file(tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    result = run("whatif", SAMPLE, "--out", a_file, "--time-limit", "5")
    assert result.exit_code == 5
    assert result.output.splitlines()[-1] == (
        f"Cannot write results to {a_file}: it is a file, not a folder; choose "
        "another output folder."
    )
    assert a_file.read_text() == "mine"
