"""The brief's charts are stored compactly and quickly (issue 5)."""

from __future__ import annotations

from pathlib import Path

from planner.app.plans import plan_problem
from planner.app.publish import write_result
from planner.check import check_plan
from planner.domain import SolveOptions
from tests.factories import exercise, make_problem

SAMPLE = Path(__file__).parents[2] / "instances" / "sample.xlsx"


def test_the_charts_go_into_the_pdf_as_binary_not_ascii85(tmp_path: Path) -> None:
    # ASCII85 text is a quarter larger than the image and reportlab encodes
    # it in Python: 2.2 s of the dense l brief's PDF. A reader shows the same.
    problem = make_problem([exercise(f"E{i}") for i in range(4)])
    result = plan_problem(problem, SolveOptions(time_limit_s=10, deterministic=True))
    assert result.plan is not None
    assert check_plan(problem, result.plan) == []
    write_result(problem, result, tmp_path / "out", SAMPLE)
    pdf = (tmp_path / "out" / "brief.pdf").read_bytes()
    assert b"/Subtype /Image" in pdf
    assert b"/ASCII85Decode" not in pdf
