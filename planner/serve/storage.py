"""The run history: an SQLite database and a folder per run under --data DIR.

Layout of DIR::

    planner.sqlite3      uploads and runs (schema version in PRAGMA user_version)
    uploads/<id>/workbook.xlsx   each uploaded workbook, in a folder named by
                         its random id (the programme is then called "workbook")
    runs/<id>/           each run's result files (schedule.xlsx, schedule.json,
                         view.json; what-if: one folder per plan)

Ids are random (128 bits from `secrets`), so they cannot be guessed, and are
checked against `ID_PATTERN` before they name a path: an uploaded file's own
name is kept as data only.

A database written by another version is never changed silently: an older
schema is migrated step by step (`MIGRATIONS`), a newer or unknown one is
refused with a message saying what to do.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
DATABASE = "planner.sqlite3"
UPLOAD_NAME = "workbook.xlsx"
ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")

SCHEMA = """
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    validation TEXT NOT NULL
);
CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    upload_id TEXT NOT NULL REFERENCES uploads(id),
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    kind TEXT NOT NULL,
    scenario TEXT,
    options TEXT NOT NULL,
    state TEXT NOT NULL,
    status TEXT,
    message TEXT NOT NULL DEFAULT '',
    objective INTEGER,
    terms TEXT,
    bound REAL,
    gap REAL,
    timings TEXT,
    files TEXT,
    started TEXT,
    finished TEXT
);
CREATE INDEX runs_created ON runs(created);
"""

# MIGRATIONS[n] turns a version-n database into version n + 1.
MIGRATIONS: dict[int, str] = {}

# Run states. A run is queued, then running, then one of the final three.
QUEUED, RUNNING, DONE, CANCELLED, FAILED = (
    "queued",
    "running",
    "done",
    "cancelled",
    "failed",
)
FINAL = frozenset({DONE, CANCELLED, FAILED})
JSON_COLUMNS = ("options", "terms", "timings", "files", "validation")


class StorageError(Exception):
    """The data folder cannot be used; the message says why and what to do."""


def new_id() -> str:
    return secrets.token_hex(16)


def valid_id(text: str) -> bool:
    return bool(ID_PATTERN.match(text))


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Upload:
    id: str
    created: str
    file_name: str
    sha256: str
    size: int
    validation: dict[str, Any]


class Storage:
    """Uploads and runs, kept in SQLite; every method is one transaction."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            (self.root / "uploads").mkdir(exist_ok=True)
            (self.root / "runs").mkdir(exist_ok=True)
        except OSError as error:
            raise StorageError(
                f"Cannot use {self.root} as the data folder: {error}"
            ) from error
        self.path = self.root / DATABASE
        self._open()

    def _open(self) -> None:
        with self._connect() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = {
                row[0]
                for row in db.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                )
            }
            if version == 0 and not tables:
                _script(db, SCHEMA)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                return
            if version == 0 or version > SCHEMA_VERSION:
                raise StorageError(
                    f"{self.path} was written by another program or a newer planner "
                    f"(schema version {version}, this planner knows up to "
                    f"{SCHEMA_VERSION}); nothing was changed. Start planner serve "
                    "with another --data folder, or upgrade planner."
                )
            while version < SCHEMA_VERSION:
                if version not in MIGRATIONS:
                    raise StorageError(
                        f"{self.path} has schema version {version}, which this "
                        "planner cannot migrate; nothing was changed. Start "
                        "planner serve with another --data folder."
                    )
                _script(db, MIGRATIONS[version])
                version += 1
                db.execute(f"PRAGMA user_version = {version}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                db = sqlite3.connect(self.path, isolation_level=None)
            except sqlite3.Error as error:
                raise StorageError(f"Cannot open {self.path}: {error}") from error
            db.row_factory = sqlite3.Row
            try:
                db.execute("BEGIN")
                yield db
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            finally:
                db.close()

    # uploads ----------------------------------------------------------------

    def upload_path(self, upload_id: str) -> Path:
        if not valid_id(upload_id):
            raise KeyError(upload_id)
        return self.root / "uploads" / upload_id / UPLOAD_NAME

    def add_upload(
        self,
        upload_id: str,
        file_name: str,
        sha256: str,
        size: int,
        validation: dict[str, Any],
    ) -> Upload:
        upload = Upload(upload_id, now(), file_name, sha256, size, validation)
        with self._connect() as db:
            db.execute(
                "INSERT INTO uploads VALUES (?, ?, ?, ?, ?, ?)",
                (
                    upload.id,
                    upload.created,
                    file_name,
                    sha256,
                    size,
                    json.dumps(validation),
                ),
            )
        return upload

    def upload(self, upload_id: str) -> Upload | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM uploads WHERE id = ?", (upload_id,)
            ).fetchone()
        if row is None:
            return None
        data = _decoded(row)
        return Upload(**data)

    # runs -------------------------------------------------------------------

    def run_folder(self, run_id: str) -> Path:
        if not valid_id(run_id):
            raise KeyError(run_id)
        return self.root / "runs" / run_id

    def add_run(
        self, upload: Upload, kind: str, scenario: str | None, options: dict[str, Any]
    ) -> dict[str, Any]:
        run_id = new_id()
        with self._connect() as db:
            db.execute(
                "INSERT INTO runs (id, created, upload_id, file_name, sha256, kind, "
                "scenario, options, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    now(),
                    upload.id,
                    upload.file_name,
                    upload.sha256,
                    kind,
                    scenario,
                    json.dumps(options),
                    QUEUED,
                ),
            )
        run = self.run(run_id)
        assert run is not None
        return run

    def run(self, run_id: str) -> dict[str, Any] | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else _decoded(row)

    def runs(self, state: str | None = None) -> list[dict[str, Any]]:
        query = "SELECT * FROM runs"
        arguments: tuple[str, ...] = ()
        if state is not None:
            query += " WHERE state = ?"
            arguments = (state,)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY created, rowid", arguments).fetchall()
        return [_decoded(row) for row in rows]

    def update_run(self, run_id: str, **values: Any) -> None:
        if not values:
            return
        for name in JSON_COLUMNS:
            if name in values:
                values[name] = json.dumps(values[name])
        columns = ", ".join(f"{name} = ?" for name in values)
        with self._connect() as db:
            db.execute(
                f"UPDATE runs SET {columns} WHERE id = ?", (*values.values(), run_id)
            )

    def start_run(self, run_id: str) -> bool:
        """Mark a queued run as running; False when it is no longer queued."""
        with self._connect() as db:
            changed = db.execute(
                "UPDATE runs SET state = ?, started = ? WHERE id = ? AND state = ?",
                (RUNNING, now(), run_id, QUEUED),
            ).rowcount
        return changed == 1

    def delete_run(self, run_id: str) -> bool:
        folder = self.run_folder(run_id)
        with self._connect() as db:
            deleted = db.execute("DELETE FROM runs WHERE id = ?", (run_id,)).rowcount
        shutil.rmtree(folder, ignore_errors=True)
        return deleted == 1

    def interrupted_by_restart(self) -> int:
        """Runs the last server left running can never finish: say so."""
        with self._connect() as db:
            return db.execute(
                "UPDATE runs SET state = ?, finished = ?, message = ? WHERE state = ?",
                (
                    FAILED,
                    now(),
                    "The server stopped during this run; run it again.",
                    RUNNING,
                ),
            ).rowcount


def _script(db: sqlite3.Connection, sql: str) -> None:
    """Run several statements inside the open transaction (executescript
    would commit first, so a failed migration could leave half a schema)."""
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


def _decoded(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    for name in JSON_COLUMNS:
        if data.get(name) is not None:
            data[name] = json.loads(data[name])
    return data
