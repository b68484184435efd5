"""Stress the end of a long search: xl, stopped by its time limit, under CPU load.

Issue 8 §2: on a loaded machine `planner solve` of a generated xl ended with
``IndexError: absl::container_internal::raw_hash_map<>::at`` just as the
search stopped and gap filling began. This runs that path again and again:
the real command on generated xl programmes, with CPU burner processes so the
search, its stop and the gap filling meet under load, and reports every run's
exit code, where its plan came from and the checker's verdict. A run fails
when it exits 70 or 134 (or any code but 0 and 4), prints a traceback, or
writes a plan the independent checker rejects.

    PYTHONPATH=. python benchmarks/stress_stop.py --runs 6 --parallel 2 \\
        --burners 2 --time-limit 60

Exits 1 when any run failed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMAND = [sys.executable, "-m", "planner"]
ACCEPTED = (0, 4)  # a plan written, or none found in time (said so)


def burn(seconds: float) -> None:
    """Keep one core busy."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(i * i for i in range(10_000))


def generated(folder: Path, seed: int) -> Path:
    path = folder / f"xl-{seed}.xlsx"
    if not path.exists():
        subprocess.run(
            [*COMMAND, "generate", "--size", "xl", "--seed", str(seed), str(path)],
            check=True,
            capture_output=True,
        )
    return path


def solve_command(
    planner: list[str], workbook: Path, out: Path, time_limit: float, *options: str
) -> list[str]:
    """The whole ``planner solve`` command, as a person runs it, for every
    benchmark that times or stresses it (``planner``: how to start planner)."""
    return [
        *planner,
        "solve",
        str(workbook),
        "--out",
        str(out),
        "--time-limit",
        str(time_limit),
        *options,
    ]


def start(workbook: Path, out: Path, time_limit: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        solve_command(COMMAND, workbook, out, time_limit, "--quiet"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def verdict(
    workbook: Path, out: Path, process: subprocess.Popen[str], began: float
) -> dict[str, object]:
    """One run's figures, and whether it failed."""
    _, stderr = process.communicate()
    code = process.returncode
    row: dict[str, object] = {
        "workbook": workbook.name,
        "exit": code,
        "seconds": round(time.monotonic() - began, 1),
    }
    schedule = out / "schedule.json"
    if schedule.exists():
        data = json.loads(schedule.read_text(encoding="utf-8"))
        statistics = data.get("statistics", {})
        row["plan_from"] = statistics.get("plan_from")
        row["failures"] = statistics.get("failures")
        checked = subprocess.run(
            [*COMMAND, "check", str(workbook), str(schedule)],
            capture_output=True,
            text=True,
            check=False,
        )
        row["checker"] = "clean" if checked.returncode == 0 else "RULES BROKEN"
    broken = row.get("checker") == "RULES BROKEN"
    row["failed"] = code not in ACCEPTED or "Traceback" in stderr or broken
    if row["failed"]:
        row["stderr"] = stderr.strip().splitlines()[-3:]
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--burners", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=60)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="stress-stop-"))
    workbooks = [generated(folder, seed) for seed in arguments.seeds]
    budget = arguments.runs * (arguments.time_limit * 3) / arguments.parallel
    burners = [
        multiprocessing.Process(target=burn, args=(budget,), daemon=True)
        for _ in range(arguments.burners)
    ]
    for burner in burners:
        burner.start()
    rows = []
    try:
        for first in range(0, arguments.runs, arguments.parallel):
            batch = []
            for run in range(first, min(arguments.runs, first + arguments.parallel)):
                workbook = workbooks[run % len(workbooks)]
                out = folder / f"out-{run}"
                began = time.monotonic()
                batch.append(
                    (workbook, out, start(workbook, out, arguments.time_limit), began)
                )
            for workbook, out, process, began in batch:
                row = verdict(workbook, out, process, began)
                print(json.dumps(row), flush=True)
                rows.append(row)
    finally:
        for burner in burners:
            burner.kill()
    failures = sum(bool(row["failed"]) for row in rows)
    print(f"{len(rows)} runs, {failures} failed ({folder})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
