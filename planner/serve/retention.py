"""How long runs and uploads are kept: by age, and by the room they take.

Every hour (and when the server starts) finished runs older than
``keep_days`` are deleted with their files, and uploads no run refers to;
then, while the runs and uploads take more than ``keep_bytes``, an upload no
run refers to, else the oldest finished run. Queued and running runs are
never deleted, nor is a plan a programme committed (its calendars are what
partners have, and later plans are made against it). A workbook with errors
is not kept at all (see `app`). Each deletion goes to the audit log as done
by ``retention``.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from planner.serve.storage import FINAL, Storage

SWEEP_EVERY_S = 3600
WHO = "retention"


@dataclass(frozen=True)
class Policy:
    """None: no limit of that kind."""

    keep_days: int | None = 90
    keep_bytes: int | None = 10 * 1024**3


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def apply(storage: Storage, policy: Policy, today: dt.datetime | None = None) -> int:
    """Delete what the policy no longer keeps; how many runs and uploads went."""
    moment = today or dt.datetime.now(dt.UTC)
    removed = 0
    kept = storage.committed_runs()
    runs = [run for run in storage.runs() if run["state"] in FINAL]
    finished = [run for run in runs if run["id"] not in kept]
    if policy.keep_days is not None:
        oldest = (moment - dt.timedelta(days=policy.keep_days)).isoformat()
        for run in [r for r in finished if r["created"] < oldest]:
            _delete_run(storage, run["id"], f"older than {policy.keep_days} days")
            finished.remove(run)
            removed += 1
        for upload in storage.uploads_unused():
            if upload.created < oldest:
                _delete_upload(
                    storage, upload.id, f"older than {policy.keep_days} days"
                )
                removed += 1
    if policy.keep_bytes is None:
        return removed
    left = [*finished, *(run for run in runs if run["id"] in kept)]
    sizes = {run["id"]: folder_size(storage.run_folder(run["id"])) for run in left}
    uploads = {u.id: u.size for u in storage.uploads()}
    total = sum(sizes.values()) + sum(uploads.values())
    why = f"the history passed {policy.keep_bytes / 1024**3:g} GB"
    while total > policy.keep_bytes:
        # an upload no run uses goes before any run; then the oldest run
        unused = storage.uploads_unused()
        if unused:
            _delete_upload(storage, unused[0].id, why)
            total -= unused[0].size
        elif finished:
            run = finished.pop(0)
            _delete_run(storage, run["id"], why)
            total -= sizes[run["id"]]
        else:
            break  # only queued and running runs are left
        removed += 1
    return removed


def _delete_run(storage: Storage, run_id: str, why: str) -> None:
    storage.delete_run(run_id)
    storage.audit(WHO, "delete run", run_id, why)


def _delete_upload(storage: Storage, upload_id: str, why: str) -> None:
    storage.delete_upload(upload_id)
    storage.audit(WHO, "delete upload", upload_id, why)


class Keeper:
    """Applies the policy every hour in a thread of its own."""

    def __init__(self, storage: Storage, policy: Policy) -> None:
        self.storage, self.policy = storage, policy
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name="retention", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while True:
            apply(self.storage, self.policy)
            if self._stop.wait(SWEEP_EVERY_S):
                return
