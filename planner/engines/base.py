"""What every engine shares: the tasks' outcomes and the engine's interface.

`planner.engines.local` and `planner.engines.ray` build on this module, and
`planner.engines.open_engine` picks one of them by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from planner.domain import CancelToken

Task = TypeVar("Task")
Value = TypeVar("Value")
# A task's work: it gets the task and a token that is set when the run is
# stopped (it should then end soon, keeping what it found).
Work = Callable[[Task, CancelToken | None], Value]


class EngineUnavailable(Exception):
    """The engine asked for cannot run here (Ray not installed, no cluster)."""


@dataclass(frozen=True)
class Outcome(Generic[Value]):
    """What became of one named task: its value, or why it has none.

    ``stopped``: the run was stopped (a cancel, Ctrl-C) before the task
    ended; it has no value and is not a failure.
    """

    name: str
    value: Value | None
    error: str | None = None  # set when the task failed twice
    stopped: bool = False

    @property
    def failed(self) -> bool:
        return self.error is not None


class Engine(Protocol):
    """Runs named tasks, each on ``cpus_each`` cores, and gathers their outcomes."""

    name: str

    def cores(self) -> int:
        """The cores the engine can give to solves at once."""
        ...

    def close(self) -> None:
        """Let go of what the engine started (a local Ray instance)."""
        ...

    def run(
        self,
        work: Work[Task, Value],
        tasks: Mapping[str, Task],
        cpus_each: int,
        done: Callable[[Outcome[Value]], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> dict[str, Outcome[Value]]:
        """``work(task, token)`` for every task; ``done`` hears each outcome as
        it ends.

        The outcomes come back in the order of ``tasks``. ``work`` must be a
        module-level function and every task picklable: they travel to other
        processes or machines. Once ``cancel`` is set, tasks not started are
        not started and running ones are told to stop (they keep what they
        found); both end ``stopped`` unless they return a value.
        """
        ...


def describe(error: BaseException) -> str:
    """Why a task failed, in one line."""
    text = str(error).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def share_cores(cores: int, tasks: int) -> int:
    """CP-SAT workers per task: ``cores`` shared out, at least one each."""
    return max(1, cores // max(1, min(tasks, cores)))
