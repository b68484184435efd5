"""One time limit for the whole solve: the moments its steps end by."""

from __future__ import annotations

import pytest

from planner.app.solve import RunBudget, SolveRequest, writing_s
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
