"""A CP-SAT search in its own thread never outlives the call that ran it."""

from __future__ import annotations

from ortools.sat.python import cp_model

from planner.model.running import _Search


def _tiny_model() -> cp_model.CpModel:
    model = cp_model.CpModel()
    x = model.new_int_var(0, 10, "x")
    model.maximize(x)
    return model


def test_a_search_stopped_before_its_thread_begins_never_begins() -> None:
    # A signal that lands while Thread.start still waits for the new thread
    # stops the search before it began: the thread must then end without
    # solving, or CP-SAT would run on into interpreter shutdown and abort.
    search = _Search(cp_model.CpSolver(), _tiny_model(), None)
    search.stop()
    search.start()
    assert search.finished.wait(10)
    assert search.outcome == []
    assert search.failure == []


def test_a_search_that_runs_ends_with_its_outcome() -> None:
    search = _Search(cp_model.CpSolver(), _tiny_model(), None)
    search.start()
    assert search.finished.wait(10)
    search.stop()  # after the end: returns at once, nothing to stop
    assert search.outcome == [cp_model.OPTIMAL]
