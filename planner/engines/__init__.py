"""Engines: where a batch of independent solves runs.

A what-if run, a sweep and a robustness study each hand an engine a batch of
named tasks (one CP-SAT solve each) and get back one `Outcome` per name. The
engine only decides where the work runs: in processes on this machine
(`planner.engines.local`, the default, no extra package) or on a Ray cluster
(`planner.engines.ray`, ``pip install ".[ray]"``). The orchestration fixes
each task's CP-SAT worker count before handing it over, so both engines solve
exactly the same task and, with deterministic search, find the same plan.

Every engine keeps what finished when another task fails: a task that raises
or whose worker dies is run once more, and if it fails again its outcome
names it and says why, without a result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

Task = TypeVar("Task")
Value = TypeVar("Value")

LOCAL, RAY = "local", "ray"
ENGINES = (LOCAL, RAY)


class EngineUnavailable(Exception):
    """The engine asked for cannot run here (Ray not installed, no cluster)."""


@dataclass(frozen=True)
class Outcome(Generic[Value]):
    """What became of one named task: its value, or why it has none."""

    name: str
    value: Value | None
    error: str | None = None  # set when the task failed twice

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
        work: Callable[[Task], Value],
        tasks: Mapping[str, Task],
        cpus_each: int,
        done: Callable[[Outcome[Value]], None] | None = None,
    ) -> dict[str, Outcome[Value]]:
        """``work(task)`` for every task; ``done`` hears each outcome as it ends.

        The outcomes come back in the order of ``tasks``. ``work`` must be a
        module-level function and every task picklable: they travel to other
        processes or machines.
        """
        ...


def describe(error: BaseException) -> str:
    """Why a task failed, in one line."""
    text = str(error).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def open_engine(name: str, address: str | None = None) -> Engine:
    """The engine called ``name``; Ray at ``address`` (None: a local Ray).

    Raises `EngineUnavailable` with one line a person can act on.
    """
    if name == LOCAL:
        if address is not None:
            raise EngineUnavailable("--address needs --engine ray.")
        from planner.engines.local import LocalEngine

        return LocalEngine()
    if name == RAY:
        from planner.engines.ray import RayEngine

        return RayEngine(address)
    raise EngineUnavailable(f"unknown engine {name!r}: use {' or '.join(ENGINES)}")


def share_cores(cores: int, tasks: int) -> int:
    """CP-SAT workers per task: ``cores`` shared out, at least one each."""
    return max(1, cores // max(1, min(tasks, cores)))
