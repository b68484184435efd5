"""The run history: an SQLite database and a folder per run under --data DIR.

Layout of DIR::

    planner.sqlite3      uploads, runs, users, sessions, the audit log, and
                         each programme's commits and pins (schema version
                         in PRAGMA user_version)
    uploads/<id>/workbook.xlsx   each kept workbook, in a folder named by its
                         random id (the programme is then called "workbook");
                         a workbook with errors is not kept
    runs/<id>/           each run's result files (schedule.xlsx, schedule.json,
                         view.json; what-if: one folder per plan)

Uploads of the same programme (the programme id its Settings give) are
versions of one programme. A commit makes a finished solve the programme's
committed plan: the newest commit is the one later runs are planned against,
and a committed run is never deleted. A pin places an exercise by hand; the
newest pin of an exercise is in force until it is removed.

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

SCHEMA_VERSION = 3
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

# MIGRATIONS[n] turns a version-n database into version n + 1. A new folder
# gets SCHEMA (version 1), then every migration, so both paths are one.
MIGRATIONS: dict[int, str] = {
    # Named users, their sessions, the audit log; who uploaded and who ran.
    1: """
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password TEXT NOT NULL,
    token TEXT UNIQUE,
    created TEXT NOT NULL
);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    created TEXT NOT NULL,
    expires TEXT NOT NULL
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit(at);
ALTER TABLE runs ADD COLUMN started_by TEXT NOT NULL DEFAULT '';
ALTER TABLE uploads ADD COLUMN uploaded_by TEXT NOT NULL DEFAULT '';
UPDATE runs SET options = json_remove(options, '$.study.committed_folder')
""",
    # Programmes: the uploads of one programme, its commits and its pins.
    2: """
ALTER TABLE uploads ADD COLUMN programme_id TEXT NOT NULL DEFAULT '';
ALTER TABLE uploads ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE uploads ADD COLUMN pins TEXT;
UPDATE uploads SET programme_id = replace(file_name, '.xlsx', ''),
    title = replace(file_name, '.xlsx', '');
ALTER TABLE runs ADD COLUMN programme_id TEXT NOT NULL DEFAULT '';
UPDATE runs SET programme_id =
    (SELECT programme_id FROM uploads WHERE uploads.id = runs.upload_id);
CREATE TABLE commits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_id TEXT NOT NULL,
    run_id TEXT NOT NULL REFERENCES runs(id),
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX commits_programme ON commits(programme_id);
CREATE TABLE pins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_id TEXT NOT NULL,
    exercise_id TEXT NOT NULL,
    start TEXT NOT NULL,
    venue_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    removed TEXT
);
CREATE INDEX pins_programme ON pins(programme_id)
""",
}

# Run states. A run is queued, then running, then one of the final three.
QUEUED, RUNNING, DONE, CANCELLED, FAILED = (
    "queued",
    "running",
    "done",
    "cancelled",
    "failed",
)
FINAL = frozenset({DONE, CANCELLED, FAILED})
JSON_COLUMNS = ("options", "terms", "timings", "files", "validation", "pins")


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
    """A kept workbook. ``pins``: the pins the page wrote into it (None: the
    planner's own file)."""

    id: str
    created: str
    file_name: str
    sha256: str
    size: int
    validation: dict[str, Any]
    uploaded_by: str = ""
    programme_id: str = ""
    title: str = ""
    pins: list[dict[str, str]] | None = None


@dataclass(frozen=True)
class Commit:
    """A run made the committed plan of its programme."""

    id: int
    programme_id: str
    run_id: str
    at: str
    user: str
    note: str


@dataclass(frozen=True)
class PinRecord:
    """An exercise placed by hand, and on which run's plan; ``removed``:
    when it stopped being in force (None: it is)."""

    id: int
    programme_id: str
    exercise_id: str
    start: str
    venue_id: str
    run_id: str
    at: str
    user: str
    removed: str | None

    def value(self) -> dict[str, str]:
        """The pin as a front end and the app layer take it."""
        return {
            "exercise_id": self.exercise_id,
            "start": self.start,
            "venue_id": self.venue_id,
        }


@dataclass(frozen=True)
class User:
    name: str
    role: str
    created: str
    has_token: bool


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    user: str
    action: str
    target: str
    detail: str
    address: str


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
                version = 1
                db.execute("PRAGMA user_version = 1")
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

    def _rows(self, sql: str, arguments: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Every row one query finds, in a transaction of its own."""
        with self._connect() as db:
            return db.execute(sql, arguments).fetchall()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                db = sqlite3.connect(self.path, isolation_level=None)
            except sqlite3.Error as error:
                raise StorageError(f"Cannot open {self.path}: {error}") from error
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA foreign_keys = ON")
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
        uploaded_by: str = "",
        pins: list[dict[str, str]] | None = None,
    ) -> Upload:
        """Keep a valid workbook; its programme is the one validation names."""
        upload = Upload(
            upload_id,
            now(),
            file_name,
            sha256,
            size,
            validation,
            uploaded_by,
            validation.get("programme_id") or "",
            validation.get("title") or "",
            pins,
        )
        with self._connect() as db:
            db.execute(
                "INSERT INTO uploads (id, created, file_name, sha256, size, "
                "validation, uploaded_by, programme_id, title, pins) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    upload.id,
                    upload.created,
                    file_name,
                    sha256,
                    size,
                    json.dumps(validation),
                    uploaded_by,
                    upload.programme_id,
                    upload.title,
                    None if pins is None else json.dumps(pins),
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
        self,
        upload: Upload,
        kind: str,
        scenario: str | None,
        options: dict[str, Any],
        started_by: str = "",
    ) -> dict[str, Any]:
        run_id = new_id()
        with self._connect() as db:
            db.execute(
                "INSERT INTO runs (id, created, upload_id, file_name, sha256, kind, "
                "scenario, options, state, started_by, programme_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    started_by,
                    upload.programme_id,
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
        rows = self._rows(query + " ORDER BY created, rowid", arguments)
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

    def interrupted(self, message: str) -> list[str]:
        """Runs marked running that no worker will finish (the server stopped,
        or the last one died): failed, their half-written folders removed."""
        with self._connect() as db:
            ids = [
                row[0]
                for row in db.execute("SELECT id FROM runs WHERE state = ?", (RUNNING,))
            ]
            db.execute(
                "UPDATE runs SET state = ?, finished = ?, message = ?, files = NULL "
                "WHERE state = ?",
                (FAILED, now(), message, RUNNING),
            )
        for run_id in ids:
            shutil.rmtree(self.run_folder(run_id), ignore_errors=True)
        return ids

    def delete_upload(self, upload_id: str) -> None:
        """Forget an upload no run refers to, and its file."""
        with self._connect() as db:
            db.execute("DELETE FROM uploads WHERE id = ?", (upload_id,))
        shutil.rmtree(self.upload_path(upload_id).parent, ignore_errors=True)

    def uploads(self) -> list[Upload]:
        """Every upload kept, oldest first."""
        rows = self._rows("SELECT * FROM uploads ORDER BY created")
        return [Upload(**_decoded(row)) for row in rows]

    def uploads_unused(self) -> list[Upload]:
        """Uploads no run refers to, oldest first."""
        rows = self._rows(
            "SELECT * FROM uploads WHERE id NOT IN (SELECT upload_id FROM runs) "
            "ORDER BY created"
        )
        return [Upload(**_decoded(row)) for row in rows]

    # programmes: their versions, commits and pins ------------------------------

    def programmes(self) -> list[dict[str, Any]]:
        """Every programme with a kept upload: its id, newest title, how many
        versions, when last uploaded; newest first."""
        rows = self._rows(
            "SELECT programme_id, count(*) AS versions, max(created) AS updated, "
            "(SELECT title FROM uploads AS newest WHERE newest.programme_id = "
            "uploads.programme_id ORDER BY created DESC LIMIT 1) AS title "
            "FROM uploads GROUP BY programme_id ORDER BY updated DESC"
        )
        return [dict(row) for row in rows]

    def versions(self, programme_id: str) -> list[Upload]:
        """The uploads of one programme, newest first."""
        rows = self._rows(
            "SELECT * FROM uploads WHERE programme_id = ? ORDER BY created DESC",
            (programme_id,),
        )
        return [Upload(**_decoded(row)) for row in rows]

    def add_commit(
        self, programme_id: str, run_id: str, user: str, note: str = ""
    ) -> Commit:
        values = {
            "programme_id": programme_id,
            "run_id": run_id,
            "at": now(),
            "user": user,
            "note": note,
        }
        with self._connect() as db:
            return Commit(**_added(db, "commits", values))

    def commits(self, programme_id: str) -> list[Commit]:
        """The programme's commits, newest (the committed plan) first."""
        rows = self._rows(
            "SELECT * FROM commits WHERE programme_id = ? ORDER BY id DESC",
            (programme_id,),
        )
        return [Commit(**dict(row)) for row in rows]

    def committed(self, programme_id: str) -> Commit | None:
        """The programme's committed plan: its newest commit."""
        found = self.commits(programme_id)
        return found[0] if found else None

    def committed_runs(self) -> set[str]:
        """Every run some commit made a committed plan: never deleted."""
        rows = self._rows("SELECT DISTINCT run_id FROM commits")
        return {row[0] for row in rows}

    def add_pin(
        self,
        programme_id: str,
        exercise_id: str,
        start: str,
        venue_id: str,
        run_id: str,
        user: str,
    ) -> PinRecord:
        """Record a pin; an earlier pin of the same exercise stops being in
        force."""
        values = {
            "programme_id": programme_id,
            "exercise_id": exercise_id,
            "start": start,
            "venue_id": venue_id,
            "run_id": run_id,
            "at": now(),
            "user": user,
        }
        with self._connect() as db:
            db.execute(
                "UPDATE pins SET removed = ? WHERE programme_id = ? AND "
                "exercise_id = ? AND removed IS NULL",
                (values["at"], programme_id, exercise_id),
            )
            return PinRecord(**_added(db, "pins", values))

    def pins(self, programme_id: str) -> list[PinRecord]:
        """The pins in force in the programme, in the order they were made."""
        rows = self._rows(
            "SELECT * FROM pins WHERE programme_id = ? AND removed IS NULL ORDER BY id",
            (programme_id,),
        )
        return [PinRecord(**dict(row)) for row in rows]

    def remove_pin(self, programme_id: str, pin_id: int) -> bool:
        """Take a pin out of force; False when no such pin is in force."""
        with self._connect() as db:
            changed = db.execute(
                "UPDATE pins SET removed = ? WHERE id = ? AND programme_id = ? "
                "AND removed IS NULL",
                (now(), pin_id, programme_id),
            ).rowcount
        return changed == 1

    # users, sessions and the audit log ----------------------------------------

    def add_user(self, name: str, role: str, password_hash: str) -> bool:
        """False when the name is taken."""
        with self._connect() as db:
            return (
                db.execute(
                    "INSERT OR IGNORE INTO users (name, role, password, created) "
                    "VALUES (?, ?, ?, ?)",
                    (name, role, password_hash, now()),
                ).rowcount
                == 1
            )

    def remove_user(self, name: str) -> bool:
        with self._connect() as db:
            return db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 1

    def users(self) -> list[User]:
        rows = self._rows(
            "SELECT name, role, created, token IS NOT NULL FROM users ORDER BY name"
        )
        return [User(row[0], row[1], row[2], bool(row[3])) for row in rows]

    def user(self, name: str) -> User | None:
        return next((user for user in self.users() if user.name == name), None)

    def password_hash(self, name: str) -> str | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT password FROM users WHERE name = ?", (name,)
            ).fetchone()
        return None if row is None else str(row[0])

    def set_password(self, name: str, password_hash: str) -> bool:
        """A new password also ends the user's sessions."""
        with self._connect() as db:
            changed = db.execute(
                "UPDATE users SET password = ? WHERE name = ?", (password_hash, name)
            ).rowcount
            db.execute("DELETE FROM sessions WHERE user = ?", (name,))
        return changed == 1

    def set_token(self, name: str, token_hash: str) -> bool:
        with self._connect() as db:
            return (
                db.execute(
                    "UPDATE users SET token = ? WHERE name = ?", (token_hash, name)
                ).rowcount
                == 1
            )

    def user_of_token(self, token_hash: str) -> User | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT name FROM users WHERE token = ?", (token_hash,)
            ).fetchone()
        return None if row is None else self.user(row[0])

    def add_session(self, session_hash: str, name: str, expires: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM sessions WHERE expires < ?", (now(),))
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?)",
                (session_hash, name, now(), expires),
            )

    def user_of_session(self, session_hash: str) -> User | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT user FROM sessions WHERE id = ? AND expires > ?",
                (session_hash, now()),
            ).fetchone()
        return None if row is None else self.user(row[0])

    def end_session(self, session_hash: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (session_hash,))

    def audit(
        self,
        user: str,
        action: str,
        target: str = "",
        detail: str = "",
        address: str = "",
    ) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO audit (at, user, action, target, detail, address) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (now(), user, action, target, detail, address),
            )

    def audit_log(
        self, limit: int = 200, before: int | None = None
    ) -> list[AuditEntry]:
        """The newest entries first; ``before``: only entries older than that id."""
        rows = self._rows(
            "SELECT * FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?",
            (before if before is not None else 2**62, limit),
        )
        return [AuditEntry(**dict(row)) for row in rows]


def _script(db: sqlite3.Connection, sql: str) -> None:
    """Run several statements inside the open transaction (executescript
    would commit first, so a failed migration could leave half a schema)."""
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


def _added(
    db: sqlite3.Connection, table: str, values: dict[str, Any]
) -> dict[str, Any]:
    """Insert a row into ``table`` (a name of SCHEMA's, never a user's) and
    read it back whole, with the id and defaults the database gave it."""
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    cursor = db.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values())
    )
    row = db.execute(f"SELECT * FROM {table} WHERE id = ?", (cursor.lastrowid,))
    return dict(row.fetchone())


def _decoded(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    for name in JSON_COLUMNS:
        if data.get(name) is not None:
            data[name] = json.loads(data[name])
    return data
