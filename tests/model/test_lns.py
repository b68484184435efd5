"""The large-neighbourhood search keeps plans feasible and never worse."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from planner.check import check_plan
from planner.domain import Plan, Problem, SolveOptions, Status
from planner.figures import objective_terms
from planner.generate import generate
from planner.model import build_model, lns, solve
from planner.model.construct import construct_plan
from planner.workbook.read import read_problem
from planner.workbook.template import write_workbook
from tests.model.test_rules import assert_checked


def _dense(size: str, seed: int, folder: Path) -> Problem:
    tables, _ = generate(size, seed, "dense")
    path = folder / f"dense-{size}.xlsx"
    write_workbook(tables, path)
    problem, findings = read_problem(path)
    assert problem is not None, [str(f) for f in findings]
    return problem


def _objective(problem: Problem, plan: Plan) -> int:
    return sum(objective_terms(problem, plan).values())


@pytest.mark.parametrize("size", ["s", "m"])
def test_every_accepted_plan_is_checker_clean_and_better(
    size: str, tmp_path: Path
) -> None:
    problem = _dense(size, 1, tmp_path)
    start = construct_plan(problem)
    assert check_plan(problem, start) == []
    accepted: list[tuple[Plan, int]] = []
    search = lns.improve(
        problem,
        build_model(problem),
        start,
        _objective(problem, start),
        time.perf_counter() + 4,
        seed=1,
        on_improve=lambda plan, value: accepted.append((plan, value)),
    )
    values = [_objective(problem, start)]
    for plan, value in accepted:
        assert check_plan(problem, plan) == []
        # The model's objective of each accepted plan is the checker's.
        assert _objective(problem, plan) == value
        values.append(value)
    assert values == sorted(set(values))  # strictly better each time
    assert search.parts >= 1
    assert search.objective == values[-1] == _objective(problem, search.plan)


def test_a_part_keeps_every_event_outside_it(tmp_path: Path) -> None:
    problem = _dense("s", 2, tmp_path)
    plan = construct_plan(problem)
    built = build_model(problem)
    free = {problem.exercises[0].id}
    import random

    solver, status, stopped = lns._solve_part(
        built, problem, plan, free, 5.0, 1, random.Random(1)
    )
    assert status in (lns.cp_model.OPTIMAL, lns.cp_model.FEASIBLE)
    assert not stopped
    from planner.model.search import solution_plan as read_plan

    after = read_plan(problem, built.variables, solver)
    kept = {e for e in plan.events if e.exercise_id not in free}
    assert kept <= set(after.events)
    assert check_plan(problem, after) == []


def test_a_plan_breaking_a_rule_is_not_searched_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lns, "LNS_FROM", 0)
    problem = _dense("s", 1, tmp_path)
    mandatory = {e.id for e in problem.exercises if e.mandatory}
    broken = Plan(
        tuple(
            e for e in construct_plan(problem).events if e.exercise_id not in mandatory
        )
    )
    built = build_model(problem)
    assert lns.improve_first(problem, built, broken, SolveOptions(1.0)) is None


def test_solve_runs_the_neighbourhood_search_on_a_large_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Thresholds lowered so that a dense m counts as large, and LNS runs alone.
    monkeypatch.setattr(lns, "LNS_FROM", 0)
    monkeypatch.setattr(lns, "LNS_ALONE_DENSITY", 0.0)
    problem = _dense("m", 1, tmp_path)
    result = solve(problem, SolveOptions(time_limit_s=4, workers=1, seed=1))
    assert result.status in (Status.FEASIBLE, Status.OPTIMAL)
    assert_checked(problem, result)
    assert result.objective >= _objective(problem, construct_plan(problem))


def test_a_cancelled_neighbourhood_search_returns_its_checked_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lns, "LNS_FROM", 0)
    monkeypatch.setattr(lns, "LNS_ALONE_DENSITY", 0.0)
    problem = _dense("m", 1, tmp_path)
    cancel = threading.Event()
    cancel.set()
    result = solve(problem, SolveOptions(time_limit_s=30, workers=1), cancel=cancel)
    assert result.statistics["interrupted"] is True
    assert result.statistics["plan_from"] == "neighbourhoods"
    assert result.status is Status.FEASIBLE
    assert_checked(problem, result)
    assert result.objective >= _objective(problem, construct_plan(problem))
