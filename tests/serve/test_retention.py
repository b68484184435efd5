"""How long the history keeps runs and uploads: by age, then by room taken."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from planner.serve.retention import Policy, apply
from planner.serve.storage import Storage, new_id

NOW = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)


def _run(storage: Storage, days_old: int, state: str, size: int) -> str:
    """A run of ``size`` bytes of files, made ``days_old`` days before NOW,
    of an upload of its own (of 1,000 bytes)."""
    upload = storage.add_upload(new_id(), "w.xlsx", "0" * 64, 1000, {"valid": True})
    run = storage.add_run(upload, "solve", None, {}, "bob")
    created = (NOW - dt.timedelta(days=days_old)).isoformat()
    storage.update_run(run["id"], state=state, created=created)
    with storage._connect() as db:
        db.execute("UPDATE uploads SET created = ? WHERE id = ?", (created, upload.id))
    folder = storage.run_folder(run["id"])
    folder.mkdir()
    (folder / "schedule.xlsx").write_bytes(b"x" * size)
    return str(run["id"])


def test_finished_runs_older_than_the_limit_go_with_their_files(
    tmp_path: Path,
) -> None:
    storage = Storage(tmp_path)
    old = _run(storage, 100, "done", 10)
    running = _run(storage, 100, "running", 10)  # never deleted while it runs
    young = _run(storage, 10, "failed", 10)
    removed = apply(storage, Policy(keep_days=90, keep_bytes=None), NOW)
    assert removed == 2  # the old run, then its upload no run uses any more
    assert [r["id"] for r in storage.runs()] == [running, young]
    assert not storage.run_folder(old).exists()
    assert len(storage.uploads()) == 2
    log = [(e.user, e.action, e.detail) for e in reversed(storage.audit_log())]
    assert log == [
        ("retention", "delete run", "older than 90 days"),
        ("retention", "delete upload", "older than 90 days"),
    ]


def test_the_oldest_finished_runs_go_while_the_history_is_too_large(
    tmp_path: Path,
) -> None:
    storage = Storage(tmp_path)
    first = _run(storage, 30, "done", 4000)
    second = _run(storage, 20, "cancelled", 4000)
    third = _run(storage, 10, "done", 4000)
    # 3 x (4,000 + 1,000) = 15,000 bytes, at most 9,000 kept: the first run
    # goes (11,000 left), then its upload, no longer used (10,000), then the
    # second run (6,000)
    removed = apply(storage, Policy(keep_days=None, keep_bytes=9000), NOW)
    assert [r["id"] for r in storage.runs()] == [third]
    assert not storage.run_folder(first).exists()
    assert not storage.run_folder(second).exists()
    assert removed == 3
    assert len(storage.uploads()) == 2
    # at most 5,500: the second run's upload goes before the last run (5,000)
    assert apply(storage, Policy(keep_days=None, keep_bytes=5500), NOW) == 1
    assert [u.id for u in storage.uploads()] == [storage.runs()[0]["upload_id"]]


def test_a_committed_plan_is_kept_whatever_its_age_or_size(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    committed = _run(storage, 200, "done", 8000)
    old = _run(storage, 200, "done", 10)
    storage.add_commit("", committed, "bob")
    removed = apply(storage, Policy(keep_days=90, keep_bytes=1000), NOW)
    assert [r["id"] for r in storage.runs()] == [committed]
    assert removed == 2  # the other old run and its upload
    assert storage.run_folder(committed).exists()
    assert old not in [r["id"] for r in storage.runs()]
