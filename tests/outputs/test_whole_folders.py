"""A result folder changes as a whole (`planner.outputs.files.publish_folder`).

The new folder is written beside the old one and swapped in: a failure
before the swap leaves the old folder as it was, the swap leaves the new
one whole, and what planner did not write is never deleted. Real runs,
signals, kill -9 and a full disk are in tests/test_result_folders.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from planner.app.publish import planner_wrote
from planner.outputs import files
from planner.outputs.files import (
    OutputError,
    check_publishable,
    clear_stale_folders,
    publish_folder,
)


def _old_result(folder: Path) -> None:
    """A result of an earlier run: a schedule, its brief, its calendars."""
    (folder / "calendars").mkdir(parents=True)
    for name in ("schedule.xlsx", "schedule.json", "brief.pdf", "schedule.ics"):
        (folder / name).write_text(f"old {name}")
    (folder / "calendars" / "partner-NOR.ics").write_text("old NOR")


def _contents(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): path.read_text()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _write_no_plan(stage: Path) -> list[Path]:
    """What a run without a plan writes: no brief, no calendars."""
    for name in ("no-plan.xlsx", "no-plan.json"):
        (stage / name).write_text(f"new {name}")
    return [stage / "no-plan.xlsx", stage / "no-plan.json"]


def _beside(folder: Path) -> list[str]:
    """Anything a run left beside ``folder`` (stages, swapped-out folders)."""
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith("."))


def test_the_new_folder_replaces_the_old_one_whole(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    _old_result(folder)
    written = publish_folder(folder, _write_no_plan, planner_wrote)
    # no brief or calendar of the earlier plan stays beside the new schedule
    assert _contents(folder) == {
        "no-plan.json": "new no-plan.json",
        "no-plan.xlsx": "new no-plan.xlsx",
    }
    assert [files.moved(p, written[0].parent, folder) for p in written] == [
        folder / "no-plan.xlsx",
        folder / "no-plan.json",
    ]
    assert _beside(folder) == []


def test_a_new_folder_is_made(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "out"
    publish_folder(folder, _write_no_plan, planner_wrote)
    assert sorted(_contents(folder)) == ["no-plan.json", "no-plan.xlsx"]
    assert _beside(folder) == []


def _fails_halfway(error: BaseException) -> Callable[[Path], list[Path]]:
    def write(stage: Path) -> list[Path]:
        (stage / "schedule.xlsx").write_text("new, half")
        raise error

    return write


@pytest.mark.parametrize(
    "error",
    [OSError(28, "No space left on device"), KeyboardInterrupt(), OutputError("x")],
)
def test_a_write_that_fails_leaves_the_old_folder_as_it_was(
    tmp_path: Path, error: BaseException
) -> None:
    folder = tmp_path / "out"
    _old_result(folder)
    before = _contents(folder)
    with pytest.raises((OutputError, KeyboardInterrupt)):
        publish_folder(folder, _fails_halfway(error), planner_wrote)
    assert _contents(folder) == before
    assert _beside(folder) == []


def test_a_full_disk_names_the_folder_asked_for(tmp_path: Path) -> None:
    folder = tmp_path / "out"

    def full(stage: Path) -> list[Path]:
        raise OutputError(f"Cannot write {stage / 'schedule.xlsx'}: the disk is full.")

    with pytest.raises(OutputError) as raised:
        publish_folder(folder, full, planner_wrote)
    assert str(raised.value) == (
        f"Cannot write {folder / 'schedule.xlsx'}: the disk is full."
    )


def test_a_folder_holding_the_users_files_is_refused_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    _old_result(folder)
    (folder / "programme.xlsx").write_text("the user's workbook")
    (folder / "notes").mkdir()
    before = _contents(folder)
    with pytest.raises(OutputError) as raised:
        publish_folder(folder, _write_no_plan, planner_wrote)
    assert str(raised.value) == (
        f"Cannot write results to {folder}: it holds files planner did not write "
        "(notes, programme.xlsx), which replacing the folder would remove; choose "
        "a new or empty folder, or move them out."
    )
    assert _contents(folder) == before
    assert _beside(folder) == []


def test_a_users_file_in_the_calendars_folder_is_theirs(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    _old_result(folder)
    (folder / "calendars" / "my-notes.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"\(calendars\)"):
        check_publishable(folder, planner_wrote)


def test_a_file_saved_during_the_run_is_kept_not_deleted(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    _old_result(folder)

    def write(stage: Path) -> list[Path]:
        (folder / "saved-meanwhile.docx").write_text("mine")
        return _write_no_plan(stage)

    publish_folder(folder, write, planner_wrote)
    assert _contents(folder) == {
        "no-plan.json": "new no-plan.json",
        "no-plan.xlsx": "new no-plan.xlsx",
        "saved-meanwhile.docx": "mine",
    }
    assert _beside(folder) == []


def test_a_whatif_folder_is_planners(tmp_path: Path) -> None:
    folder = tmp_path / "whatif"
    for name in ("base", "budget-cut"):
        _old_result(folder / name)
    (folder / "comparison.xlsx").write_text("old")
    check_publishable(folder, planner_wrote)
    (folder / "budget-cut" / "mine.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"\(budget-cut\)"):
        check_publishable(folder, planner_wrote)


def test_where_one_step_cannot_swap_two_renames_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "_exchange", lambda first, second: False)
    folder = tmp_path / "out"
    _old_result(folder)
    publish_folder(folder, _write_no_plan, planner_wrote)
    assert sorted(_contents(folder)) == ["no-plan.json", "no-plan.xlsx"]
    assert _beside(folder) == []


def test_a_link_to_a_result_folder_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "results" / "2027"
    _old_result(target)
    link = tmp_path / "current"
    link.symlink_to(target)
    publish_folder(link, _write_no_plan, planner_wrote)
    assert link.is_symlink()
    assert sorted(_contents(target)) == ["no-plan.json", "no-plan.xlsx"]


def test_a_mount_point_is_refused() -> None:
    """Its name cannot be swapped: it is a drive of its own (/proc, on Linux)."""
    with pytest.raises(OutputError, match="is a drive of its own"):
        check_publishable(Path("/proc"), lambda path: True)


def _dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    return int(child.stdout)


def test_a_killed_runs_stage_is_cleared(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    _old_result(folder)
    before = _contents(folder)
    stage = tmp_path / f".out.{_dead_pid()}.abc123.tmp"
    stage.mkdir()
    _write_no_plan(stage)
    (tmp_path / f".out.{os.getpid()}.live.tmp").mkdir()  # a run still going
    assert clear_stale_folders(folder, planner_wrote) == [stage]
    assert _contents(folder) == before
    assert _beside(folder) == [f".out.{os.getpid()}.live.tmp"]


def test_an_old_folder_a_kill_left_swapped_out_is_put_back(tmp_path: Path) -> None:
    """Killed between the two renames (where no one-step swap exists)."""
    folder = tmp_path / "out"
    old = tmp_path / f".out.{_dead_pid()}.abc123.old.tmp"
    _old_result(old)
    before = _contents(old)
    clear_stale_folders(folder, planner_wrote)
    assert _contents(folder) == before
    assert _beside(folder) == []


def test_a_swapped_out_folder_with_the_users_file_gives_it_back(
    tmp_path: Path,
) -> None:
    """Killed after the swap, before the old folder was cleared."""
    folder = tmp_path / "out"
    folder.mkdir()
    _write_no_plan(folder)
    old = tmp_path / f".out.{_dead_pid()}.abc123.tmp"
    _old_result(old)
    (old / "saved-meanwhile.docx").write_text("mine")
    clear_stale_folders(folder, planner_wrote)
    assert _contents(folder) == {
        "no-plan.json": "new no-plan.json",
        "no-plan.xlsx": "new no-plan.xlsx",
        "saved-meanwhile.docx": "mine",
    }
    assert _beside(folder) == []
