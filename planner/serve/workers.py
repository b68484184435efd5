"""Solves run in worker processes, a few at a time, queued in the database.

A solve never runs in the server's own process: a worker process can be
stopped cleanly, and a crash inside the solver (or the machine running out
of memory) takes one run down, not the page. At most ``limit`` runs go at
once (default 1: a solve already uses every core); the rest wait, in the
order they were asked for, and survive a restart of the server.

Each worker sends its news through one multiprocessing queue: progress while
it runs, then the outcome. Cancel sets the run's `multiprocessing.Event`, the
cancel token every stage of the application layer looks at: a search stops
and keeps the best plan found, explanations stop where they are, the plans
of a what-if, sweep or study found so far are kept, and all is checked and
written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import multiprocessing
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import Any

from planner.serve.storage import (
    CANCELLED,
    DONE,
    FAILED,
    FINAL,
    QUEUED,
    RUNNING,
    Storage,
    now,
)

SOLVE, WHATIF, SWEEP, STUDY = "solve", "whatif", "sweep", "study"
KIND_NAMES = {WHATIF: "what-if", SWEEP: "sweep", STUDY: "robustness study"}
VIEW_NAME = "view.json"
POLL_S = 0.2
CONTEXT = multiprocessing.get_context("spawn")  # the server runs threads


@dataclass(frozen=True)
class Job:
    """What a worker process needs: plain values, so it pickles."""

    run_id: str
    kind: str
    workbook: Path
    folder: Path
    scenario: str | None
    options: dict[str, Any]


@dataclass
class _Running:
    process: SpawnProcess
    cancel: Any  # a multiprocessing.Event
    kind: str
    killed: bool = False


@dataclass
class Live:
    """The latest news of a running run, for the page."""

    stage: str = "starting"
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    message: str = ""
    lines: list[str] = field(default_factory=list)
    runs: list[int] | None = None  # sweep, study: [done, of how many]


class RunPool:
    """Starts queued runs in worker processes and records what they report."""

    def __init__(self, storage: Storage, limit: int = 1) -> None:
        self.storage = storage
        self.limit = max(1, limit)
        self.news: Any = CONTEXT.Queue()
        self.running: dict[str, _Running] = {}
        self.live: dict[str, Live] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self.storage.interrupted_by_restart()
        for target, name in ((self._dispatch, "dispatch"), (self._listen, "listen")):
            thread = threading.Thread(target=target, name=f"runs-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop every worker (the server is shutting down)."""
        self._stop.set()
        with self._lock:
            for run_id in list(self.running):
                self._kill(run_id)
        for thread in self._threads:
            thread.join(timeout=5)

    def cancel(self, run_id: str) -> bool:
        """Stop a run: a queued one never starts; a running solve stops its
        search and keeps the best plan. False when it had already finished."""
        run = self.storage.run(run_id)
        if run is None or run["state"] in FINAL:
            return False
        if run["state"] == QUEUED:
            self.storage.update_run(
                run_id,
                state=CANCELLED,
                finished=now(),
                message="Cancelled before it started.",
            )
            return True
        with self._lock:
            running = self.running.get(run_id)
            if running is None:
                return False
            running.cancel.set()
        return True

    def forget(self, run_id: str) -> None:
        """Stop a run about to be deleted, whatever it is doing."""
        with self._lock:
            if run_id in self.running:
                self._kill(run_id)
        self.live.pop(run_id, None)

    def _kill(self, run_id: str) -> None:
        running = self.running[run_id]
        running.killed = True
        pid = running.process.pid
        if pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)

    # the two threads ---------------------------------------------------------

    def _dispatch(self) -> None:
        while not self._stop.wait(POLL_S):
            self._reap()
            with self._lock:
                free = self.limit - len(self.running)
            if free <= 0:
                continue
            for run in self.storage.runs(QUEUED)[:free]:
                self._launch(run)

    def _launch(self, run: dict[str, Any]) -> None:
        if not self.storage.start_run(run["id"]):
            return
        job = Job(
            run_id=run["id"],
            kind=run["kind"],
            workbook=self.storage.upload_path(run["upload_id"]),
            folder=self.storage.run_folder(run["id"]),
            scenario=run["scenario"],
            options=run["options"],
        )
        cancel = CONTEXT.Event()
        process = CONTEXT.Process(
            target=work, args=(job, self.news, cancel), name=f"planner-run-{run['id']}"
        )
        with self._lock:
            self.live[run["id"]] = Live()
            process.start()
            self.running[run["id"]] = _Running(process, cancel, run["kind"])

    def _reap(self) -> None:
        """Record runs whose process ended without saying how: it died."""
        with self._lock:
            ended = [
                (run_id, r)
                for run_id, r in self.running.items()
                if not r.process.is_alive()
            ]
        for run_id, running in ended:
            running.process.join()
            time.sleep(POLL_S)  # its last news may still be in the queue
            self._drain()
            with self._lock:
                self.running.pop(run_id, None)
            run = self.storage.run(run_id)
            if run is None or run["state"] in FINAL:
                continue
            if running.killed:
                what = KIND_NAMES.get(running.kind, running.kind)
                state, message = CANCELLED, f"Cancelled; the {what} run kept nothing."
                if running.kind == SOLVE:
                    state, message = FAILED, "Stopped."
            else:
                state = FAILED
                message = (
                    "The solver process stopped unexpectedly (exit code "
                    f"{running.process.exitcode}); the server is still running. "
                    "Run it again, or with a shorter time limit."
                )
            self.storage.update_run(
                run_id, state=state, finished=now(), message=message
            )

    def _listen(self) -> None:
        while not self._stop.is_set():
            self._drain(block=True)

    def _drain(self, block: bool = False) -> None:
        while True:
            try:
                kind, run_id, payload = self.news.get(block, POLL_S)
            except (queue.Empty, EOFError, OSError):
                return
            self._record(kind, run_id, payload)
            block = False

    def _record(self, kind: str, run_id: str, payload: dict[str, Any]) -> None:
        if kind == "progress":
            live = self.live.setdefault(run_id, Live())
            live.stage = payload["stage"]
            if payload["objective"] is not None or payload["stage"] == "searching":
                live.objective = payload["objective"]
                live.bound = payload["bound"]
                live.gap = payload["gap"]
            if payload["message"]:
                live.message = payload["message"]
                live.lines.append(payload["message"])
            if payload.get("runs"):
                live.runs = payload["runs"]
            return
        if self.storage.run(run_id) is not None:
            self.storage.update_run(run_id, finished=now(), **payload)

    def snapshot(self, run_id: str) -> dict[str, Any] | None:
        """The run as the page polls it: its record and live news."""
        run = self.storage.run(run_id)
        if run is None:
            return None
        live = self.live.get(run_id)
        elapsed = None
        if run["started"]:
            end = (
                dt.datetime.fromisoformat(run["finished"])
                if run["finished"]
                else dt.datetime.now(dt.UTC)
            )
            elapsed = (end - dt.datetime.fromisoformat(run["started"])).total_seconds()
        run["elapsed_s"] = elapsed
        run["live"] = None if live is None else live.__dict__.copy()
        run["queue_position"] = None
        if run["state"] == QUEUED:
            waiting = [r["id"] for r in self.storage.runs(QUEUED)]
            run["queue_position"] = (
                waiting.index(run_id) + 1 if run_id in waiting else None
            )
        return run


# In the worker process -------------------------------------------------------------


def work(job: Job, news: Any, cancel: Any) -> None:
    """Run one job and report; runs in a process of its own (and its group,
    so stopping a what-if run stops the processes it started)."""
    os.setpgrp()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server
    from planner.serve.present import run_job

    def report(kind: str, payload: dict[str, Any]) -> None:
        news.put((kind, job.run_id, payload))

    def progress(payload: dict[str, Any]) -> None:
        report("progress", payload)

    try:
        state, record, view = run_job(job, progress, cancel)
        job.folder.mkdir(parents=True, exist_ok=True)
        (job.folder / VIEW_NAME).write_text(json.dumps(view), encoding="utf-8")
        report("outcome", {"state": state, **record})
    except Exception as error:  # any failure becomes a message on the page
        report(
            "outcome",
            {
                "state": FAILED,
                "message": f"planner stopped on an unexpected error "
                f"({type(error).__name__}: {error}).",
            },
        )
    news.close()
    news.join_thread()


__all__ = [
    "CANCELLED",
    "DONE",
    "FAILED",
    "RUNNING",
    "STUDY",
    "SWEEP",
    "RunPool",
    "work",
]
