"""The local engine: every task's outcome, a failing task retried once, then named."""

from __future__ import annotations

import os
import sys
import threading
import time
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

import pytest

from planner.domain import CancelToken
from planner.engines import open_engine
from planner.engines.base import EngineUnavailable, Outcome, share_cores
from planner.engines.local import LocalEngine


def double(n: int, cancel: CancelToken | None) -> int:
    return 2 * n


def fail_once(marker: str, cancel: CancelToken | None) -> str:
    """Fails the first time it runs for ``marker``, succeeds the second."""
    path = Path(marker)
    if not path.exists():
        path.write_text("tried")
        raise RuntimeError("first try fails")
    return "second try"


def always_fail(n: int, cancel: CancelToken | None) -> int:
    raise ValueError(f"task {n} cannot be done")


def die(n: int, cancel: CancelToken | None) -> int:
    """The worker process dies, as one killed by the system would."""
    if n == 0:
        os._exit(1)
    return n


def test_every_task_comes_back_in_the_order_given() -> None:
    heard: list[Outcome[int]] = []
    outcomes = LocalEngine(2).run(double, {"b": 2, "a": 1, "c": 3}, 1, heard.append)
    assert list(outcomes) == ["b", "a", "c"]
    assert [o.value for o in outcomes.values()] == [4, 2, 6]
    assert sorted(o.name for o in heard) == ["a", "b", "c"]


def test_a_task_that_fails_once_is_run_again(tmp_path: Path) -> None:
    marker = str(tmp_path / "tried")
    outcome = LocalEngine(1).run(fail_once, {"flaky": marker}, 1)["flaky"]
    assert outcome == Outcome("flaky", "second try")


def test_a_task_that_fails_twice_is_named_and_the_others_kept() -> None:
    outcomes = LocalEngine(2).run(always_fail, {"bad": 1}, 1) | LocalEngine(2).run(
        double, {"good": 5}, 1
    )
    assert outcomes["bad"] == Outcome("bad", None, "ValueError: task 1 cannot be done")
    assert outcomes["bad"].failed
    assert outcomes["good"] == Outcome("good", 10)


def test_a_dead_worker_fails_only_its_own_task() -> None:
    # The dead process breaks the pool; the second round, in a fresh pool,
    # finishes the tasks it took down and names the one that kills its worker.
    outcomes = LocalEngine(2).run(die, {"dies": 0, "one": 1, "two": 2}, 1)
    assert outcomes["dies"].value is None
    assert "BrokenProcessPool" in (outcomes["dies"].error or "")
    assert (outcomes["one"].value, outcomes["two"].value) == (1, 2)


def wait_for_the_stop(seconds: float, cancel: CancelToken | None) -> str:
    """Ends at once with 0, else when the run is stopped (as a search keeps its
    best plan), at the latest after ``seconds``."""
    if seconds == 0:
        return "quick"
    assert isinstance(cancel, EventType)
    return "stopped early" if cancel.wait(seconds) else "ran out"


def test_a_cancel_stops_running_tasks_and_starts_no_other() -> None:
    # Two at a time: "quick" ends first, its outcome sets the cancel; "slow"
    # is running and stops early with its value; the two behind never start.
    cancel = threading.Event()

    def heard(outcome: Outcome[str]) -> None:
        if outcome.name == "quick":
            cancel.set()

    tasks = {"quick": 0.0, "slow": 60.0, "later": 60.0, "last": 60.0}
    began = time.monotonic()
    outcomes = LocalEngine(2).run(wait_for_the_stop, tasks, 1, heard, cancel)
    assert time.monotonic() - began < 50  # no task waited its 60 s
    assert outcomes["quick"] == Outcome("quick", "quick")
    assert outcomes["slow"] == Outcome("slow", "stopped early")
    assert outcomes["later"] == Outcome("later", None, stopped=True)
    assert outcomes["last"] == Outcome("last", None, stopped=True)


@pytest.mark.parametrize(("cores", "tasks", "each"), [(8, 3, 2), (2, 20, 1), (4, 1, 4)])
def test_cores_are_shared_out_among_tasks(cores: int, tasks: int, each: int) -> None:
    # 8 // 3 = 2; 2 cores run 2 of 20 tasks at once, one each; one task takes all.
    assert share_cores(cores, tasks) == each


def test_a_missing_ray_is_one_line_saying_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    with pytest.raises(EngineUnavailable) as raised:
        open_engine("ray")
    assert str(raised.value) == (
        "Ray is not installed: install planner with its Ray extra "
        '(pip install ".[ray]") or use --engine local.'
    )


def test_an_address_without_ray_is_refused() -> None:
    with pytest.raises(EngineUnavailable, match="--address needs --engine ray"):
        open_engine("local", "10.0.0.1:6379")


def mark_and_wait(marker: str, cancel: CancelToken | None) -> str:
    """Leaves a file behind to show it ran, then takes a moment."""
    Path(marker).write_text("ran")
    time.sleep(0.3)
    return marker


def test_a_caller_that_stops_early_drops_the_tasks_not_started(
    tmp_path: Path,
) -> None:
    # One process, ten tasks; the caller fails on the first outcome (as on a
    # result that cannot be written): the queued tasks are dropped, not run.
    tasks = {f"t{n}": str(tmp_path / f"t{n}") for n in range(10)}

    def stop(_: Outcome[str]) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        LocalEngine(1).run(mark_and_wait, tasks, 1, stop)
    assert len(list(tmp_path.iterdir())) < 10
