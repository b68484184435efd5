"""One time limit for the whole solve, and the bound of a run of many plans."""

from __future__ import annotations

import pytest

from planner.app.budget import RunBudget, SolveRequest
from planner.app.plans import run_bound
from planner.app.publish import writing_s
from planner.domain import SolveOptions
from tests.factories import exercise, make_problem

LIMIT = SolveRequest(options=SolveOptions(time_limit_s=100))


def test_a_small_programme_searches_until_the_explanations_share() -> None:
    # Writing a small programme's results fits in the seconds the command
    # may run past its limit, so nothing is kept for it: the search ends at
    # 90 s and the explanations get the last tenth of the limit.
    problem = make_problem([exercise("EX1")])
    budget = RunBudget.of(problem, LIMIT, began=1000.0)
    assert budget.search.at == pytest.approx(1090.0)
    assert budget.explaining.at == pytest.approx(1100.0)


def test_writing_a_large_programme_is_kept_free_at_the_end() -> None:
    # 1,500 exercises and two partners: writing takes 1.0 + 1,500 * 0.003 +
    # 2 * 0.01 = 5.52 s, of which 3 s fall after the limit: 2.52 s are kept.
    problem = make_problem([exercise(f"E{i}") for i in range(1500)])
    assert writing_s(problem) == pytest.approx(5.52)
    budget = RunBudget.of(problem, LIMIT, began=0.0)
    assert budget.explaining.at == pytest.approx(100 - 2.52)
    assert budget.search.at == pytest.approx(100 - 2.52 - 10)


def test_asking_for_more_explaining_time_moves_only_the_explanations() -> None:
    problem = make_problem([exercise("EX1")])
    more = SolveRequest(options=SolveOptions(time_limit_s=100), explain_s=30)
    budget = RunBudget.of(problem, more, began=0.0)
    assert budget.search.at == pytest.approx(90.0)
    assert budget.explaining.at == pytest.approx(130.0)


def test_a_slow_reading_keeps_more_free_for_writing() -> None:
    # Reading took 4 s (a loaded machine): writing may take 3.5 times that,
    # 14 s, of which 3 s fall after the limit; the search ends 11 s earlier
    # than the size of the programme alone would have it.
    problem = make_problem([exercise("EX1")])
    assert writing_s(problem, read_s=4.0) == pytest.approx(14.0)
    budget = RunBudget.of(problem, LIMIT, began=0.0, read_s=4.0)
    assert budget.explaining.at == pytest.approx(100 - 11)
    assert budget.search.at == pytest.approx(100 - 11 - 10)


class _Cores:
    """An engine of ``n`` cores, as far as the bound asks."""

    name = "local"

    def __init__(self, n: int) -> None:
        self.n = n

    def cores(self) -> int:
        return self.n


def test_a_run_of_many_plans_states_its_bound_up_front() -> None:
    # Five variants at 60 s on two cores: the base alone, then the variants
    # two at a time (one core each) in three rounds; each plan is written
    # (1.0 + 0.003 + 2 * 0.01 s for one exercise and two partners) and the
    # workers start once (5 s).
    problem = make_problem([exercise("EX1")])
    options = SolveOptions(time_limit_s=60)
    bound, line = run_bound(problem, 5, options, _Cores(2))
    each = 60 + 1.023
    assert bound == pytest.approx(each + 5 + 3 * each)
    assert line == (
        "Planning the base and 5 other plans, each searched for at most 60 s, "
        "2 at a time: the whole run ends within about 5 min."
    )
    # A study re-plans its samples against a plan it is given: no base.
    bound, line = run_bound(problem, 1, options, _Cores(2), base=False)
    assert bound == pytest.approx(5 + each)
    assert line.startswith("Planning 1 plan, each searched for at most 60 s, 1 at")
    assert line.endswith("ends within about 67 s.")
