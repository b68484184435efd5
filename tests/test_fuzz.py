"""Fuzzing: no mutated workbook ends in exit 70 or a traceback.

300 workbooks made from the sample by tests/fuzz_workbooks.py (cells, XML and
file level, fixed seeds 0 to 299), each through `planner validate`, and one
valid workbook in ten through `planner solve` as well, so the writers meet
what validation accepts. The long campaign is benchmarks/fuzz_campaign.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz_workbooks import run_case

pytestmark = pytest.mark.slow

SAMPLE = Path(__file__).parents[1] / "instances" / "sample.xlsx"
CASES = 300
BATCH = 10


@pytest.mark.parametrize("first", range(0, CASES, BATCH))
def test_mutated_workbooks_end_in_a_message(first: int) -> None:
    base = SAMPLE.read_bytes()
    outcomes = [
        outcome
        for case in range(first, first + BATCH)
        for outcome in run_case(base, case, solve_every=10)
    ]
    failed = [
        f"case {o.case} ({o.level}, {o.command}): exit {o.exit_code}: {o.output}"
        for o in outcomes
        if o.failed
    ]
    assert failed == []
