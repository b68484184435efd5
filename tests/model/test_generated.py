"""Generated programmes solve to plans the independent checker accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.check import check_plan
from planner.domain import SolveOptions, Status
from planner.figures import objective_terms
from planner.model.solve import solve
from planner.workbook.generate import generate
from planner.workbook.read import read_problem
from planner.workbook.template import write_workbook


@pytest.mark.slow
@pytest.mark.parametrize("size", ["s", "m"])
def test_generated_programme_solves_to_a_checker_clean_plan(
    size: str, tmp_path: Path
) -> None:
    tables, planted = generate(size, seed=3)
    path = tmp_path / f"{size}.xlsx"
    write_workbook(tables, path)
    problem, findings = read_problem(path)
    assert problem is not None, findings
    result = solve(problem, SolveOptions(time_limit_s=20, workers=2, seed=1))
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert result.plan is not None
    assert check_plan(problem, result.plan) == []
    assert objective_terms(problem, result.plan) == result.terms
    assert result.objective == sum(result.terms.values())
    # The planted schedule holds every mandatory exercise, so the plan does too.
    held = {event.exercise_id for event in result.plan.events}
    assert {e.id for e in problem.exercises if e.mandatory} <= held
    assert len(planted) > 0
