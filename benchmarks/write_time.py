"""What writing each part of a result takes, against `writing_s`'s estimate.

The time limit keeps `planner.app.publish.writing_s` free for writing; this
plans each generated programme briefly (``--search`` seconds), then writes
its result part by part, as `write_result` does (checking the plan,
schedule.xlsx and schedule.json, the calendars, the brief), and prints each
part's seconds beside the estimate. Usage (repository root)::

    python benchmarks/write_time.py spread:s dense:l days:l --search 10
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from race import generate

from planner.app.plans import plan_problem
from planner.app.publish import write_schedule, writing_s
from planner.check import check_plan
from planner.domain import SolveOptions
from planner.outputs.brief import load_renderer, write_brief
from planner.outputs.calendars import write_calendars
from planner.workbook.read import read_problem

COLUMNS = ("instance", "exercises", "events", "read_s", "check_s", "schedule_s")
COLUMNS += ("calendars_s", "brief_s", "total_s", "estimate_s")


def one_instance(instance: str, seed: int, search_s: float, folder: Path) -> list[str]:
    """One row of the table: ``instance`` generated, planned and written."""
    workbook = generate(instance, seed, folder)
    began = time.perf_counter()
    problem, _ = read_problem(workbook, None)
    read_s = time.perf_counter() - began
    assert problem is not None, f"{instance} does not read"
    result = plan_problem(problem, SolveOptions(time_limit_s=search_s))
    assert result.plan is not None, f"{instance}: no plan in {search_s} s"
    out = folder / instance.replace(":", "-")
    seconds = []
    mark = time.perf_counter()
    check_plan(problem, result.plan)
    seconds.append(time.perf_counter() - mark)
    mark = time.perf_counter()
    _, summary = write_schedule(problem, result, out, workbook)
    seconds.append(time.perf_counter() - mark)
    mark = time.perf_counter()
    write_calendars(problem, result.plan, out, [])
    seconds.append(time.perf_counter() - mark)
    mark = time.perf_counter()
    write_brief(summary, out)
    seconds.append(time.perf_counter() - mark)
    cells = [instance, str(len(problem.exercises)), str(len(result.plan.events))]
    cells += [f"{s:.2f}" for s in (read_s, *seconds, sum(seconds))]
    return [*cells, f"{writing_s(problem, read_s):.2f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("instances", nargs="+")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--search", type=float, default=10)
    args = parser.parse_args()
    load_renderer()
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    with tempfile.TemporaryDirectory() as folder:
        for instance in args.instances:
            row = one_instance(instance, args.seed, args.search, Path(folder))
            print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
