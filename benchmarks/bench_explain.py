"""How fast `planner explain` names the conflicting rows of a generated programme.

Usage::

    python benchmarks/bench_explain.py m --seed 1

The generated programme is feasible; one blackout is added that covers the
whole window of a mandatory exercise for one of its required partners, so the
minimal conflict is that exercise's row and the new blackout.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from planner.domain import Period, Problem, Source
from planner.explain.words import conflict_lines
from planner.model.conflicts import conflict
from planner.workbook.generate import generate
from planner.workbook.read import read_problem
from planner.workbook.template import write_workbook


def with_blackout(problem: Problem) -> Problem:
    """The problem with a required partner blacked out over a mandatory window."""
    exercise = next(e for e in problem.exercises if e.mandatory and e.required_partners)
    partner = problem.partner[exercise.required_partners[0]]
    blackout = Period(
        exercise.earliest_start,
        exercise.latest_end,
        "benchmark blackout",
        Source("Unavailability", 9999),
    )
    partners = tuple(
        replace(p, unavailable=(*p.unavailable, blackout)) if p is partner else p
        for p in problem.partners
    )
    return replace(problem, partners=partners)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("size", nargs="?", default="m")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    tables, _ = generate(args.size, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "programme.xlsx"
        write_workbook(tables, path)
        problem, _ = read_problem(path)
    assert problem is not None
    broken = with_blackout(problem)
    started = time.perf_counter()
    rows = conflict(broken, time_limit_s=60)
    took = time.perf_counter() - started
    print(f"size {args.size}, seed {args.seed}: {len(rows or [])} rows in {took:.1f}s")
    for line in conflict_lines(broken, rows or []):
        print(f"  {line}")


if __name__ == "__main__":
    main()
