"""Runs go to worker processes, a few at a time, queued in the database.

A run never goes on in the server's own process: a worker process can be
stopped cleanly, and a crash inside the solver (or the machine running out
of memory) takes one run down, not the page. At most ``limit`` runs go at
once (default 1: a solve already uses every core); the rest wait, in the
order they were asked for, and survive a restart of the server.

Workers die with the server: each runs in a process group of its own and
asks Linux to kill it when the server dies (`die_with_parent`), even by
``kill -9``; the processes a what-if or a sweep starts ask the same of it.
Whatever was running when the server stopped is marked failed, and its
half-written folder removed, by the server that stops or else by the next
one to start.

Each worker sends its news through one multiprocessing queue: progress while
it runs, then the outcome. Cancel sets the run's `multiprocessing.Event`, the
cancel token every stage of the application layer looks at: a search stops
and keeps the best plan found, explanations stop where they are, the plans
of a what-if, sweep or study found so far are kept, and all is checked and
written.

With ``engine`` Ray (`planner serve --engine ray`) every run is a Ray task
instead (`planner.serve.ray_runs`): the server queues, streams and stores.
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
from typing import Any, Protocol

from planner.domain import EngineChoice
from planner.processes import die_with_parent
from planner.serve.jobs import POLL_S, VIEW_NAME, Job, run_reporting
from planner.serve.storage import (
    CANCELLED,
    FAILED,
    FINAL,
    QUEUED,
    Storage,
    now,
)

SOLVE, WHATIF, SWEEP, STUDY = "solve", "whatif", "sweep", "study"
KIND_NAMES = {WHATIF: "what-if", SWEEP: "sweep", STUDY: "robustness study"}
CONTEXT = multiprocessing.get_context("spawn")  # the server runs threads
STOPPED = "The server stopped during this run; run it again."


class Worker(Protocol):
    """One run going on: a local process, or a Ray task."""

    def alive(self) -> bool: ...

    def cancel(self) -> None:
        """Stop the search and keep the best plan (solves)."""

    def kill(self) -> None:
        """Stop at once, keeping nothing."""

    def ended(self) -> str:
        """Why it ended without an outcome (after `alive` said False)."""


@dataclass
class _Process:
    process: Any  # a SpawnProcess
    stop: Any  # a multiprocessing.Event

    def alive(self) -> bool:
        return bool(self.process.is_alive())

    def cancel(self) -> None:
        self.stop.set()

    def kill(self) -> None:
        pid = self.process.pid
        if pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)

    def ended(self) -> str:
        self.process.join()
        return f"exit code {self.process.exitcode}"


@dataclass
class _Running:
    worker: Worker
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
    """Starts queued runs on workers and records what they report."""

    def __init__(
        self,
        storage: Storage,
        limit: int = 1,
        engine: EngineChoice = EngineChoice(),  # noqa: B008 - frozen
    ) -> None:
        self.storage = storage
        self.limit = max(1, limit)
        self.engine = engine
        self.news: Any = CONTEXT.Queue()
        self.running: dict[str, _Running] = {}
        self.live: dict[str, Live] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._ray: Any = None

    def start(self) -> None:
        self.storage.interrupted(STOPPED)
        if self.engine.name == "ray":
            from planner.serve.ray_runs import RayRuns

            self._ray = RayRuns(self.engine.address, self.news)
        for target, name in ((self._dispatch, "dispatch"), (self._listen, "listen")):
            thread = threading.Thread(target=target, name=f"runs-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> list[str]:
        """Stop every worker (the server is shutting down); the runs they
        were on are marked failed. Their ids, in no order."""
        self._stop.set()
        with self._lock:
            for running in self.running.values():
                running.killed = True
                running.worker.kill()
        for thread in self._threads:
            thread.join(timeout=2)
        if self._ray is not None:
            self._ray.close()
        return self.storage.interrupted(STOPPED)

    def cancel(self, run_id: str) -> bool:
        """Stop a run: a queued one never starts; a running solve stops its
        search and keeps the best plan. False when it had already finished.

        Decided under the lock `_launch` holds from marking a run running to
        handing it its worker, so a cancel just after the start is not
        mistaken for a cancel after the end."""
        with self._lock:
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
            running = self.running.get(run_id)
            if running is None:
                return False
            running.worker.cancel()
        return True

    def forget(self, run_id: str) -> None:
        """Stop a run about to be deleted, whatever it is doing."""
        with self._lock:
            running = self.running.get(run_id)
            if running is not None:
                running.killed = True
                running.worker.kill()
        self.live.pop(run_id, None)

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

    def job(self, run: dict[str, Any]) -> Job:
        study = run["options"].get("study")
        kept = study["committed_run"] if study else run["options"].get("against")
        return Job(
            run_id=run["id"],
            kind=run["kind"],
            workbook=self.storage.upload_path(run["upload_id"]),
            folder=self.storage.run_folder(run["id"]),
            scenario=run["scenario"],
            options=run["options"],
            committed=None if kept is None else self.storage.run_folder(kept),
        )

    def _launch(self, run: dict[str, Any]) -> None:
        with self._lock:
            if self._stop.is_set() or not self.storage.start_run(run["id"]):
                return
            job = self.job(run)
            self.live[run["id"]] = Live()
            worker: Worker
            if self._ray is not None:
                worker = self._ray.submit(job)
            else:
                stop = CONTEXT.Event()
                process = CONTEXT.Process(
                    target=work,
                    args=(job, self.news, stop, os.getpid()),
                    name=f"planner-run-{run['id']}",
                )
                process.start()
                worker = _Process(process, stop)
            self.running[run["id"]] = _Running(worker, run["kind"])

    def _reap(self) -> None:
        """Record runs whose worker ended without saying how: it died."""
        with self._lock:
            ended = [
                (run_id, r)
                for run_id, r in self.running.items()
                if not r.worker.alive()
            ]
        for run_id, running in ended:
            why = running.worker.ended()
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
                    f"The solver process stopped unexpectedly ({why}); the server "
                    "is still running. Run it again, or with a shorter time limit."
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
            except (queue.Empty, EOFError, OSError, ValueError):
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


def work(job: Job, news: Any, cancel: Any, parent: int) -> None:
    """Run one job and report; runs in a process of its own (and its group,
    so stopping a what-if run stops the processes it started), which dies
    with the server."""
    os.setpgrp()
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server

    def report(kind: str, payload: dict[str, Any]) -> None:
        news.put((kind, job.run_id, payload))

    state, record, view = run_reporting(job, report, cancel)
    job.folder.mkdir(parents=True, exist_ok=True)
    (job.folder / VIEW_NAME).write_text(json.dumps(view), encoding="utf-8")
    report("outcome", {"state": state, **record})
    news.close()
    news.join_thread()
