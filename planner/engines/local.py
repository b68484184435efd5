"""The local engine: tasks in a pool of processes on this machine.

Processes are spawned, not forked: the parent may have run CP-SAT's threads,
and a forked child of a threaded process may inherit a held lock. A worker
process that dies breaks the whole pool, so every task it took down is run
again, each in a process of its own so that one task that kills its worker
cannot take the others down twice; a task that fails twice is reported by
name.

Stopping is the parent's decision alone. Worker processes ignore SIGINT and
SIGTERM (Ctrl-C reaches every process of the terminal's group): once the
run's cancel token is set, the parent sets a stop event every worker shares,
each running search stops and returns its best plan, and tasks not started
never start.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Generator, Iterator, Mapping
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from contextlib import closing, contextmanager
from typing import Any, TypeVar

from planner.domain import LOCAL, CancelToken
from planner.engines.base import Outcome, Work, describe
from planner.processes import die_with_parent

Task = TypeVar("Task")
Value = TypeVar("Value")

ATTEMPTS = 2  # a task is tried once more before it is reported as failed
POLL_S = 0.1  # how often the parent looks at the cancel token while tasks run
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
Ended = tuple[str, Any, str | None]  # a task's name, its value, why it failed


class LocalEngine:
    """Tasks in processes on this machine, as many at once as cores allow."""

    name = LOCAL

    def __init__(self, cores: int | None = None) -> None:
        self._cores = cores or os.cpu_count() or 1

    def cores(self) -> int:
        return self._cores

    def close(self) -> None:
        """Nothing to release: each run's pool is closed when it ends."""

    def run(
        self,
        work: Work[Task, Value],
        tasks: Mapping[str, Task],
        cpus_each: int,
        done: Callable[[Outcome[Value]], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> dict[str, Outcome[Value]]:
        """Run every task, each twice at most; keep every outcome that ends."""
        tell = done or (lambda _: None)
        outcomes: dict[str, Outcome[Value]] = {}
        pending = dict(tasks)
        errors: dict[str, str] = {}
        stop = _SPAWN.Event()
        for attempt in range(ATTEMPTS):
            if not pending or _asked(cancel):
                break
            parallel = max(1, min(len(pending), self._cores // max(1, cpus_each)))
            run = _shared if attempt == 0 else _isolated
            with closing(run(work, pending, parallel, stop, cancel)) as ended:
                for name, value, error in ended:
                    if error is None:
                        outcomes[name] = Outcome(name, value)
                        tell(outcomes[name])
                    else:
                        errors[name] = error
            pending = {n: t for n, t in pending.items() if n not in outcomes}
        for name in pending:
            if _asked(cancel):
                outcomes[name] = Outcome(name, None, stopped=True)
            else:
                outcomes[name] = Outcome(name, None, errors[name])
            tell(outcomes[name])
        return {name: outcomes[name] for name in tasks}


def _asked(cancel: CancelToken | None) -> bool:
    return cancel is not None and cancel.is_set()


def _shared(
    work: Work[Task, Value],
    tasks: Mapping[str, Task],
    parallel: int,
    stop: Any,
    cancel: CancelToken | None,
) -> Generator[Ended]:
    """Every task in one pool, as each ends. A dead worker fails every task
    still in the pool."""
    pool = ProcessPoolExecutor(
        max_workers=parallel,
        mp_context=_SPAWN,
        initializer=_in_worker,
        initargs=(stop, os.getpid()),
    )

    def submit(task: Task) -> Future[Value]:
        with _signals_blocked():  # until each process has ignored them
            return pool.submit(_with_stop, work, task)

    with _stopping(pool):
        yield from _as_they_end(tasks, submit, parallel, stop, cancel)


def _isolated(
    work: Work[Task, Value],
    tasks: Mapping[str, Task],
    parallel: int,
    stop: Any,
    cancel: CancelToken | None,
) -> Generator[Ended]:
    """Every task in a process of its own, ``parallel`` at once."""
    threads = ThreadPoolExecutor(max_workers=parallel)

    def submit(task: Task) -> Future[Value]:
        return threads.submit(_alone, work, task, stop)

    with _stopping(threads):
        yield from _as_they_end(tasks, submit, parallel, stop, cancel)


@contextmanager
def _stopping(executor: Executor) -> Iterator[None]:
    """Wait for ``executor`` when every task has ended; when the caller stops
    early (a result that cannot be written, a second signal), drop the
    tasks not yet started instead of running them all first."""
    try:
        yield
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown()


def _alone(work: Work[Task, Value], task: Task, stop: Any) -> Value:
    with _signals_blocked():
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=_SPAWN,
            initializer=_in_worker,
            initargs=(stop, os.getpid()),
        )
        future = pool.submit(_with_stop, work, task)
    with pool:
        return future.result()


def _as_they_end(
    tasks: Mapping[str, Task],
    submit: Callable[[Task], Future[Value]],
    parallel: int,
    stop: Any,
    cancel: CancelToken | None,
) -> Iterator[Ended]:
    """(name, value, error) as each task ends, ``parallel`` running at once.

    A task is handed out only when one has ended and its outcome has been
    heard, so a cancel set on hearing it starts no other: the running ones
    are told to stop (they keep what they found), the rest never start.
    """
    queue = list(tasks.items())
    queue.reverse()  # handed out from the end: in the order given
    running: dict[Future[Value], str] = {}
    while True:
        while queue and len(running) < parallel and not _asked(cancel):
            name, task = queue.pop()
            try:
                running[submit(task)] = name
            except Exception as error:  # a pool a dead worker broke
                yield name, None, describe(error)
        if not running:
            return
        if _asked(cancel):
            stop.set()
        ended, _ = wait(running, timeout=POLL_S, return_when=FIRST_COMPLETED)
        for future in ended:
            name = running.pop(future)
            try:
                value = future.result()
            except Exception as error:
                yield name, None, describe(error)
            else:
                yield name, value, None


@contextmanager
def _signals_blocked() -> Iterator[None]:
    """SIGINT and SIGTERM held back while worker processes are started.

    A spawned process inherits the blocked mask, so a signal during its start
    waits until `_in_worker` has set it to be ignored, instead of ending it
    with a traceback. In the parent a held signal arrives after.
    """
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


_stop: Any = None  # in a worker process: the run's stop event


def _in_worker(stop: Any, parent: int) -> None:
    """Set up a worker process: it dies with its parent (a run killed outright
    leaves no plan solving on its own), and the parent alone decides when
    the run stops."""
    global _stop
    die_with_parent(parent)
    _stop = stop
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _with_stop(work: Work[Task, Value], task: Task) -> Value:
    """``work(task)`` with the run's stop event as its cancel token."""
    return work(task, _stop)


_SPAWN = multiprocessing.get_context("spawn")
