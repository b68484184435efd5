"""The local engine: tasks in a pool of processes on this machine.

Processes are spawned, not forked: the parent may have run CP-SAT's threads,
and a forked child of a threaded process may inherit a held lock. A worker
process that dies breaks the whole pool, so every task it took down is run
again, each in a process of its own so that one task that kills its worker
cannot take the others down twice; a task that fails twice is reported by
name.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Generator, Iterator, Mapping
from concurrent.futures import (
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    as_completed,
)
from contextlib import closing, contextmanager
from typing import TypeVar

from planner.engines.base import LOCAL, Outcome, describe
from planner.interrupt import die_with_parent

Task = TypeVar("Task")
Value = TypeVar("Value")

ATTEMPTS = 2  # a task is tried once more before it is reported as failed


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
        work: Callable[[Task], Value],
        tasks: Mapping[str, Task],
        cpus_each: int,
        done: Callable[[Outcome[Value]], None] | None = None,
    ) -> dict[str, Outcome[Value]]:
        """Run every task, each twice at most; keep every outcome that ends."""
        tell = done or (lambda _: None)
        outcomes: dict[str, Outcome[Value]] = {}
        pending = dict(tasks)
        errors: dict[str, str] = {}
        for attempt in range(ATTEMPTS):
            if not pending:
                break
            parallel = max(1, min(len(pending), self._cores // max(1, cpus_each)))
            run = _shared if attempt == 0 else _isolated
            with closing(run(work, pending, parallel)) as ended:
                for name, value, error in ended:
                    if error is None:
                        outcomes[name] = Outcome(name, value)
                        tell(outcomes[name])
                    else:
                        errors[name] = error
            pending = {n: t for n, t in pending.items() if n not in outcomes}
        for name in pending:
            outcomes[name] = Outcome(name, None, errors[name])
            tell(outcomes[name])
        return {name: outcomes[name] for name in tasks}


def _shared(
    work: Callable[[Task], Value], tasks: Mapping[str, Task], parallel: int
) -> Generator[tuple[str, Value | None, str | None]]:
    """Every task in one pool: (name, value, error) as each ends.

    A dead worker fails every task still in the pool.
    """
    pool = _pool(parallel)
    with _stopping(pool):
        yield from _as_they_end(
            {pool.submit(work, task): name for name, task in tasks.items()}
        )


def _isolated(
    work: Callable[[Task], Value], tasks: Mapping[str, Task], parallel: int
) -> Generator[tuple[str, Value | None, str | None]]:
    """Every task in a process of its own, ``parallel`` at once."""
    threads = ThreadPoolExecutor(max_workers=parallel)
    with _stopping(threads):
        yield from _as_they_end(
            {threads.submit(_alone, work, task): name for name, task in tasks.items()}
        )


@contextmanager
def _stopping(executor: Executor) -> Iterator[None]:
    """Wait for ``executor`` when every task has ended; when the caller stops
    early (Ctrl-C, a result that cannot be written), drop the tasks not yet
    started instead of running them all first."""
    try:
        yield
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown()


def _alone(work: Callable[[Task], Value], task: Task) -> Value:
    with _pool(1) as pool:
        return pool.submit(work, task).result()


def _pool(parallel: int) -> ProcessPoolExecutor:
    """Processes that die with this one: a run killed outright (kill -9 of the
    command or of the server's worker) leaves no plan solving on its own."""
    return ProcessPoolExecutor(
        max_workers=parallel,
        mp_context=_SPAWN,
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )


def _as_they_end(
    futures: Mapping[Future[Value], str],
) -> Iterator[tuple[str, Value | None, str | None]]:
    for future in as_completed(futures):
        name = futures[future]
        try:
            value = future.result()
        except Exception as error:
            yield name, None, describe(error)
        else:
            yield name, value, None


_SPAWN = multiprocessing.get_context("spawn")
