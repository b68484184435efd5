"""Where the whole ``planner solve`` command spends its wall time.

The issue's m target is the whole command (reading, solving, explaining,
writing) within 3 s; this splits each run's wall time into what schedule.json
reports (the solve's runtime, the explanations' seconds) and the rest
(starting Python and importing, reading the workbook, writing every file).
Usage (repository root)::

    python benchmarks/command_time.py spread:m dense:m --runs 3
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from race import ENV, generate, planner_command


def import_seconds() -> float:
    """Seconds to start Python and import what a solve needs, best of three."""
    command = [sys.executable, "-c", "import planner.app.solve, planner.outputs.brief"]
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        subprocess.run(command, check=True, env=ENV)
        best = min(best, time.perf_counter() - began)
    return best


def one_run(workbook: Path, out: Path, extra: list[str]) -> dict[str, object]:
    began = time.perf_counter()
    done = subprocess.run(
        [*planner_command(), "solve", str(workbook), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        env=ENV,
    )
    wall = time.perf_counter() - began
    result = json.loads((out / "schedule.json").read_text())
    explained = result.get("explanation") or {}
    explain_s = float(explained.get("seconds") or 0.0)
    return {
        "exit": done.returncode,
        "status": result["status"],
        "wall_s": round(wall, 2),
        "solve_s": round(result["runtime_s"], 2),
        "explain_s": round(explain_s, 2),
        "rest_s": round(wall - result["runtime_s"] - explain_s, 2),
        "probed": explained.get("probed"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("instances", nargs="+")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=60)
    args = parser.parse_args()
    print(f"python start and imports: {import_seconds():.2f} s")
    columns = ("instance", "run", "exit", "status", "wall_s", "solve_s")
    columns += ("explain_s", "rest_s", "probed")
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    with tempfile.TemporaryDirectory() as folder:
        for instance in args.instances:
            workbook = generate(instance, args.seed, Path(folder))
            for run in range(1, args.runs + 1):
                out = Path(folder) / f"{instance.replace(':', '-')}-{run}"
                row = one_run(workbook, out, ["--time-limit", str(args.time_limit)])
                cells = [instance, str(run), *(str(row[c]) for c in columns[2:])]
                print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
