"""`planner serve --engine ray`: every run, single solves included, is a task
on a Ray cluster; the server only queues, streams and stores.

A task may run on another machine, which shares no folder with the server:
it gets the workbook (and a study's committed plan) as bytes, writes its
result files into a temporary folder of its own, and sends them back as
bytes, which the server keeps in the run's folder as a local worker's. News
and cancels go through one small Ray actor, the `Board`: a task tells it
its progress, the server takes the news twice a second; a cancel is noted
there and the task's search, which polls it, stops and keeps its best plan.
A what-if, sweep or study cancelled, or any run deleted, is cancelled by
Ray at once. Ray is imported only here, and only with ``--engine ray``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import tempfile
import threading
from pathlib import Path
from typing import Any

from planner.serve.jobs import POLL_S, VIEW_NAME, Job, run_reporting


class Board:
    """The Ray actor between the server and its tasks: news, and cancels."""

    def __init__(self) -> None:
        self.news: list[tuple[str, str, dict[str, Any]]] = []
        self.cancels: set[str] = set()

    def tell(self, item: tuple[str, str, dict[str, Any]]) -> None:
        self.news.append(item)

    def take(self) -> list[tuple[str, str, dict[str, Any]]]:
        news, self.news = self.news, []
        return news

    def cancel(self, run_id: str) -> None:
        self.cancels.add(run_id)

    def cancelled(self, run_id: str) -> bool:
        return run_id in self.cancels


class RayRuns:
    """Submits runs to Ray and brings their news and files back."""

    def __init__(self, address: str | None, news: Any) -> None:
        import ray

        self.ray = ray
        if not ray.is_initialized():
            ray.init(
                address=address,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.ERROR,
            )
        self.board: Any = ray.remote(num_cpus=0)(Board).remote()
        self.remote = ray.remote(max_retries=0)(solve_on_ray)
        self.news = news
        self.tasks: dict[Any, RayTask] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()
        threading.Thread(target=self._follow, name="runs-ray", daemon=True).start()

    def submit(self, job: Job) -> RayTask:
        committed = {}
        if job.committed is not None:
            committed = {
                str(p.relative_to(job.committed)): p.read_bytes()
                for p in job.committed.rglob("*")
                if p.is_file()
            }
        cpus = max(1, int(job.options.get("workers") or 1))
        ref = self.remote.options(num_cpus=cpus).remote(
            job, job.workbook.read_bytes(), committed, self.board
        )
        task = RayTask(self, ref, job)
        with self._lock:
            self.tasks[ref] = task
        return task

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            for ref in self.tasks:
                self.ray.cancel(ref, force=True)

    def _follow(self) -> None:
        """Move the board's news to the pool's queue; keep what tasks return."""
        ray = self.ray
        while not self._closed.is_set():
            for item in ray.get(self.board.take.remote()):
                self.news.put(item)
            with self._lock:
                refs = list(self.tasks)
            ready, _ = (
                ray.wait(refs, num_returns=len(refs), timeout=POLL_S)
                if refs
                else ([], [])
            )
            for ref in ready:
                with self._lock:
                    task = self.tasks.pop(ref)
                task.finish()
            if not refs:
                self._closed.wait(POLL_S)


class RayTask:
    """One run on Ray, as the pool sees a worker."""

    def __init__(self, runs: RayRuns, ref: Any, job: Job) -> None:
        self.runs, self.ref, self.job = runs, ref, job
        self.error: str | None = None
        self.done = threading.Event()

    def alive(self) -> bool:
        return not self.done.is_set()

    def cancel(self) -> None:
        self.runs.board.cancel.remote(self.job.run_id)

    def kill(self) -> None:
        self.runs.ray.cancel(self.ref, force=True)

    def ended(self) -> str:
        return self.error or "the Ray task ended"

    def finish(self) -> None:
        """Keep the task's files and view, then tell the pool its outcome."""
        try:
            state, record, view, files = self.runs.ray.get(self.ref)
        except Exception as error:  # the task failed, died or was cancelled
            self.error = f"Ray: {type(error).__name__}"
        else:
            for name, content in [
                *files.items(),
                (VIEW_NAME, json.dumps(view).encode()),
            ]:
                path = self.job.folder / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
            self.runs.news.put(("outcome", self.job.run_id, {"state": state, **record}))
        self.done.set()


def solve_on_ray(
    job: Job, workbook: bytes, committed: dict[str, bytes], board: Any
) -> tuple[str, dict[str, Any], dict[str, Any], dict[str, bytes]]:
    """In a Ray worker: the run in a temporary folder; its files as bytes."""
    import ray

    with tempfile.TemporaryDirectory(prefix="planner-run-") as temporary:
        root = Path(temporary)
        path = root / "uploads" / "workbook.xlsx"
        path.parent.mkdir()
        path.write_bytes(workbook)
        kept = None
        if job.committed is not None:
            kept = root / "committed"
            for name, content in committed.items():
                (kept / name).parent.mkdir(parents=True, exist_ok=True)
                (kept / name).write_bytes(content)
        here = dataclasses.replace(
            job, workbook=path, folder=root / "runs" / job.run_id, committed=kept
        )
        cancel = threading.Event()
        finished = threading.Event()

        def watch() -> None:
            while not finished.wait(POLL_S * 2):
                if ray.get(board.cancelled.remote(job.run_id)):
                    cancel.set()
                    return

        def report(kind: str, payload: dict[str, Any]) -> None:
            board.tell.remote((kind, job.run_id, payload))

        threading.Thread(target=watch, daemon=True).start()
        try:
            state, record, view = run_reporting(here, report, cancel)
        finally:
            finished.set()
        files = {
            str(p.relative_to(here.folder)): p.read_bytes()
            for p in here.folder.rglob("*")
            if p.is_file()
        }
        return state, record, view, files
