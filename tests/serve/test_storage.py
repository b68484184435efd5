"""The run history's database: versioned, migrated or refused, never damaged."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from planner.serve.storage import (
    SCHEMA_VERSION,
    Storage,
    StorageError,
    new_id,
    valid_id,
)


def test_a_new_folder_gets_the_current_schema(tmp_path: Path) -> None:
    Storage(tmp_path)
    db = sqlite3.connect(tmp_path / "planner.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_newer_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    Storage(tmp_path)
    path = tmp_path / "planner.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    with pytest.raises(StorageError, match="newer planner"):
        Storage(tmp_path)
    assert path.read_bytes() == before


def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "planner.sqlite3") as db:
        db.execute("CREATE TABLE notes (text TEXT)")
    with pytest.raises(StorageError, match="another program"):
        Storage(tmp_path)


def test_a_database_of_an_unmigratable_version_is_refused(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr("planner.serve.storage.SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with sqlite3.connect(tmp_path / "planner.sqlite3") as db:
        db.execute("CREATE TABLE runs (id TEXT)")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    with pytest.raises(StorageError, match="cannot migrate"):
        Storage(tmp_path)


def test_an_older_database_is_migrated(tmp_path: Path, monkeypatch) -> None:
    Storage(tmp_path)
    monkeypatch.setattr("planner.serve.storage.SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(
        __import__("planner.serve.storage").serve.storage.MIGRATIONS,
        SCHEMA_VERSION,
        "ALTER TABLE runs ADD COLUMN note TEXT",
    )
    Storage(tmp_path)
    db = sqlite3.connect(tmp_path / "planner.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    columns = [row[1] for row in db.execute("PRAGMA table_info(runs)")]
    assert "note" in columns


def test_ids_are_random_and_checked_before_naming_a_path(tmp_path: Path) -> None:
    ids = {new_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(valid_id(i) for i in ids)
    storage = Storage(tmp_path)
    for bad in ("../x", "a" * 31, "A" * 32, ""):
        assert not valid_id(bad)
        with pytest.raises(KeyError):
            storage.run_folder(bad)


def test_a_run_the_last_server_left_running_is_marked_failed(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    upload = storage.add_upload(new_id(), "sample.xlsx", "0" * 64, 1, {"valid": True})
    running = storage.add_run(upload, "solve", None, {})
    queued = storage.add_run(upload, "solve", "budget-cut", {})
    assert storage.start_run(running["id"])
    half_written = storage.run_folder(running["id"]) / "schedule.xlsx"
    half_written.parent.mkdir()
    half_written.write_bytes(b"PK")
    message = "The server stopped during this run; run it again."
    assert Storage(tmp_path).interrupted(message) == [running["id"]]
    after = Storage(tmp_path)
    assert after.run(running["id"])["state"] == "failed"
    assert after.run(running["id"])["message"] == message
    assert not half_written.parent.exists()  # its folder is reclaimed
    assert after.run(queued["id"])["state"] == "queued"


def test_a_version_1_history_gains_users_and_the_audit_log(tmp_path: Path) -> None:
    from planner.serve.storage import SCHEMA, _script

    with sqlite3.connect(tmp_path / "planner.sqlite3", isolation_level=None) as db:
        _script(db, SCHEMA)
        db.execute("PRAGMA user_version = 1")
        db.execute(
            "INSERT INTO uploads VALUES ('a', '2026-01-01', 'w.xlsx', 's', 1, '{}')"
        )
        study = {"study": {"committed_run": "b", "committed_folder": "/srv/x/runs/b"}}
        db.execute(
            "INSERT INTO runs (id, created, upload_id, file_name, sha256, kind, "
            "options, state) VALUES ('c', '2026-01-01', 'a', 'w.xlsx', 's', "
            "'study', ?, 'done')",
            (json.dumps(study),),
        )
    storage = Storage(tmp_path)
    # the server's folders leave the answers of runs made before
    assert storage.run("c")["options"] == {"study": {"committed_run": "b"}}
    assert storage.run("c")["started_by"] == ""
    assert storage.upload("a").uploaded_by == ""
    assert storage.users() == []
    storage.audit("bob", "sign-in")
    assert [e.action for e in storage.audit_log()] == ["sign-in"]


def test_a_version_2_history_gains_programmes_commits_and_pins(
    tmp_path: Path,
) -> None:
    from planner.serve.storage import MIGRATIONS, SCHEMA, _script

    with sqlite3.connect(tmp_path / "planner.sqlite3", isolation_level=None) as db:
        _script(db, SCHEMA)
        _script(db, MIGRATIONS[1])
        db.execute("PRAGMA user_version = 2")
        db.execute(
            "INSERT INTO uploads (id, created, file_name, sha256, size, validation) "
            "VALUES ('a', '2026-01-01', 'baltic 2027.xlsx', 's', 1, '{}')"
        )
        db.execute(
            "INSERT INTO runs (id, created, upload_id, file_name, sha256, kind, "
            "options, state) VALUES ('c', '2026-01-01', 'a', 'baltic 2027.xlsx', "
            "'s', 'solve', '{}', 'done')"
        )
    storage = Storage(tmp_path)
    # uploads made before programmes were known go by their file's name
    assert storage.upload("a").programme_id == "baltic 2027"
    assert storage.run("c")["programme_id"] == "baltic 2027"
    assert storage.committed("baltic 2027") is None
    made = storage.add_commit("baltic 2027", "c", "bob", "as briefed")
    assert storage.committed("baltic 2027") == made
    assert storage.committed_runs() == {"c"}
    first = storage.add_pin("baltic 2027", "EX1", "2027-03-01", "V", "c", "bob")
    second = storage.add_pin("baltic 2027", "EX1", "2027-04-05", "V", "c", "bob")
    assert [p.id for p in storage.pins("baltic 2027")] == [second.id]  # the newest
    assert not storage.remove_pin("baltic 2027", first.id)
    assert storage.remove_pin("baltic 2027", second.id)
    assert storage.pins("baltic 2027") == []
