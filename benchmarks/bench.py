"""Speed and memory of `planner` on generated programmes.

Each size runs in its own process so that its peak memory is its own. Usage::

    python benchmarks/bench.py s m xl --time-limit 120 --workers 2

prints one Markdown row per size, for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def measure(size: str, seed: int, time_limit: float, workers: int) -> dict[str, object]:
    """Generate, read, build, solve and check one programme; time each step."""
    from planner.check import check_plan
    from planner.domain import SolveOptions
    from planner.model.search import build_model
    from planner.model.solve import solve
    from planner.workbook.generate import generate
    from planner.workbook.read import read_problem
    from planner.workbook.template import write_workbook

    tables, _ = generate(size, seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{size}.xlsx"
        write_workbook(tables, path)
        started = time.perf_counter()
        problem, _ = read_problem(path)
        read_s = time.perf_counter() - started
    assert problem is not None, "generated workbook did not validate"

    started = time.perf_counter()
    build_model(problem)
    build_s = time.perf_counter() - started

    first_plan_s: list[float] = []

    def on_progress(progress: object) -> None:
        if not first_plan_s and getattr(progress, "objective", None) is not None:
            first_plan_s.append(time.perf_counter() - solve_started)

    solve_started = time.perf_counter()
    result = solve(
        problem,
        SolveOptions(time_limit_s=time_limit, workers=workers),
        progress=on_progress,
    )
    solve_s = time.perf_counter() - solve_started
    violations = check_plan(problem, result.plan) if result.plan else None
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "size": size,
        "exercises": len(problem.exercises),
        "partners": len(problem.partners),
        "venues": len(problem.venues),
        "slots": problem.n_slots,
        "read_s": round(read_s, 2),
        "build_s": round(build_s, 2),
        "first_plan_s": round(first_plan_s[0], 2) if first_plan_s else None,
        "solve_s": round(solve_s, 2),
        "status": str(result.status),
        "gap": None if result.gap is None else round(result.gap, 4),
        "held": len(result.plan.events) if result.plan else 0,
        "checker": "clean" if violations == [] else f"{violations!r:.60}",
        "peak_mib": round(peak_mib),
    }


COLUMNS = (
    "size",
    "exercises",
    "partners",
    "venues",
    "slots",
    "read_s",
    "build_s",
    "first_plan_s",
    "solve_s",
    "status",
    "gap",
    "held",
    "checker",
    "peak_mib",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", default=["s", "m", "xl"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        row = measure(args.one, args.seed, args.time_limit, args.workers)
        print(json.dumps(row))
        return
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for size in args.sizes:
        command = [
            sys.executable,
            __file__,
            "--one",
            size,
            "--seed",
            str(args.seed),
            "--time-limit",
            str(args.time_limit),
            "--workers",
            str(args.workers),
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True)
        row = json.loads(output.stdout.strip().splitlines()[-1])
        print("| " + " | ".join(str(row[c]) for c in COLUMNS) + " |", flush=True)


if __name__ == "__main__":
    main()
