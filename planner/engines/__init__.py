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
names it and says why, without a result. A cancel token stops a run: tasks
not started never start, running ones stop and keep their best plan.
"""

from __future__ import annotations

from planner.domain import LOCAL, RAY
from planner.engines.base import Engine, EngineUnavailable


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
    raise EngineUnavailable(f"unknown engine {name!r}: use {LOCAL} or {RAY}")
