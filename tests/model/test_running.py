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


class _FailsOnce(cp_model.CpSolver):
    """A solver whose first solve fails as OR-Tools 9.15's presolve can."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def solve(self, model, solution_callback=None):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == 1:
            raise IndexError("absl::container_internal::raw_hash_map<>::at")
        return super().solve(model, solution_callback)


def test_a_solve_whose_presolve_fails_is_solved_again_without_presolve() -> None:
    solver = _FailsOnce()
    search = _Search(solver, _tiny_model(), None)
    search.start()
    assert search.finished.wait(10)
    assert search.failure == []
    assert search.outcome == [cp_model.OPTIMAL]
    assert solver.calls == 2
    assert not solver.parameters.cp_model_presolve


def test_a_solve_that_fails_without_presolve_reports_the_failure() -> None:
    solver = _FailsOnce()
    solver.parameters.cp_model_presolve = False
    search = _Search(solver, _tiny_model(), None)
    search.start()
    assert search.finished.wait(10)
    assert search.outcome == []
    assert isinstance(search.failure[0], IndexError)
