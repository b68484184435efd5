"""Race the planner against a plain CP-SAT model and the constructions alone.

One command, one run: every racer gets the same generated instances, the same
time limit and worker count, and each runs in its own process, one after the
other, so wall time and peak memory are its own. Usage (repository root)::

    python benchmarks/race.py dense:xl spread:l --time-limit 60 --workers 2
    python benchmarks/race.py spread:l --beside 1   # beside a CPU-heavy job

Instances are ``profile:size`` (any shape of `planner.workbook.generate.PROFILES`), or
``profile:size:knob=value,...`` with knobs turned (``spread:l:weeks=52``: the
400 exercises of the spread l in one year).

Racers:

- ``planner``: the whole ``planner solve`` command (reading, construction,
  search, explanations, writing);
- ``plain``: `benchmarks/plain.py`, the planner's model handed to CP-SAT with
  no hint and no tuning;
- ``construct``: the construction alone (`planner.model.construct`);
- ``greedy``: the first-fit greedy alone (`planner.model.hint`).

Every plan is judged by ``planner check`` (the independent checker) and priced
by it; ``planted`` is the share of the planted plan's objective (the plan the
generator built the instance around, so a reachable objective). Prints one
Markdown table; the load of the machine (``uptime``) is printed above it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from stress_stop import burn, solve_command

ROOT = Path(__file__).resolve().parent.parent
# Every command runs this checkout's planner, even beside an installed one.
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
RACERS = ("planner", "plain", "construct", "greedy")
COLUMNS = (
    "instance",
    "racer",
    "checker",
    "held",
    "objective",
    "bound",
    "gap",
    "planted",
    "first_plan_s",
    "wall_s",
    "peak_mib",
)


def planner_command() -> list[str]:
    """The installed ``planner`` next to this Python, else ``python -m planner``."""
    beside = Path(sys.executable).with_name("planner")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "planner"]


def generate(instance: str, seed: int, folder: Path) -> Path:
    """``profile:size`` or ``profile:size:knob=value,knob=value`` (knobs as
    ``planner generate --set`` takes them), written into ``folder``."""
    profile, size, *knobs = instance.split(":")
    turned = [
        item for knob in knobs for pair in knob.split(",") for item in ("--set", pair)
    ]
    name = "-".join([profile, size, *knobs]).replace("=", "").replace(",", "-")
    path = folder / f"{name}.xlsx"
    subprocess.run(
        [
            *planner_command(),
            "generate",
            str(path),
            "--size",
            size,
            "--profile",
            profile,
            "--seed",
            str(seed),
            *turned,
        ],
        check=True,
        capture_output=True,
        env=ENV,
    )
    return path


def racer_command(
    racer: str, workbook: Path, out: Path, time_limit: float, workers: int
) -> list[str]:
    workers_option = ("--workers", str(workers))
    if racer == "planner":
        return solve_command(
            planner_command(), workbook, out, time_limit, *workers_option
        )
    limits = ["--time-limit", str(time_limit), *workers_option]
    if racer == "plain":
        plain = str(ROOT / "benchmarks" / "plain.py")
        return [sys.executable, plain, str(workbook), str(out / "plain.json"), *limits]
    return [
        sys.executable,
        __file__,
        "--alone",
        racer,
        str(workbook),
        str(out / f"{racer}.json"),
    ]


def timed(command: list[str]) -> tuple[float, float, int]:
    """Run ``command``; its wall seconds, peak resident MiB and exit code."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", report.name, *command],
            capture_output=True,
            text=True,
            env=ENV,
        )
        wall = time.perf_counter() - started
        lines = Path(report.name).read_text().split()
    peak_kib = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return wall, peak_kib / 1024, done.returncode


def judge(workbook: Path, schedule: Path) -> dict[str, object]:
    """``planner check``'s verdict, and the checker's objective of the plan."""
    from planner.check import check_plan
    from planner.figures import objective_terms
    from planner.workbook.read import read_problem
    from planner.workbook.read_schedule import read_plan

    verdict = subprocess.run(
        [*planner_command(), "check", str(workbook), str(schedule)],
        capture_output=True,
        text=True,
        env=ENV,
    )
    problem, _ = read_problem(workbook)
    assert problem is not None
    plan, _ = read_plan(problem, schedule)
    if plan is None:
        return {"checker": "no plan", "held": 0, "objective": None}
    broken = len(check_plan(problem, plan))
    clean = verdict.returncode == 0 and broken == 0
    return {
        "checker": "clean" if clean else f"{broken} broken",
        "held": len(plan.events),
        "objective": sum(objective_terms(problem, plan).values()),
    }


def race_one(
    instance: str,
    workbook: Path,
    racer: str,
    time_limit: float,
    workers: int,
    planted: int,
) -> dict[str, object]:
    out = workbook.parent / racer
    out.mkdir(exist_ok=True)
    wall, peak, code = timed(racer_command(racer, workbook, out, time_limit, workers))
    schedule = out / ("schedule.json" if racer == "planner" else f"{racer}.json")
    row: dict[str, object] = {"instance": instance, "racer": racer}
    if not schedule.exists():
        return row | {"checker": f"exit {code}", "wall_s": round(wall, 1)}
    data = json.loads(schedule.read_text(encoding="utf-8"))
    row |= judge(workbook, schedule)
    bound = data.get("bound")
    first = data.get("first_plan_s")
    if first is None:
        first = (data.get("statistics") or {}).get("first_plan_s")
    if first is None and row.get("objective") is not None:
        first = (data.get("statistics") or {}).get("wall_time_s") or wall
    objective = row.get("objective")
    gap = None
    if isinstance(bound, int | float) and isinstance(objective, int):
        gap = abs(bound - objective) / max(1.0, abs(bound))
    return row | {
        "bound": None if bound is None else round(bound),
        "gap": None if gap is None else f"{gap:.2%}",
        "planted": None
        if not isinstance(objective, int)
        else f"{objective / planted:.1%}",
        "first_plan_s": None if first is None else round(first, 1),
        "wall_s": round(wall, 1),
        "peak_mib": round(peak),
    }


def planted_objective(workbook: Path) -> int:
    return judge_objective(workbook, workbook.with_suffix(".planted.json"))


def judge_objective(workbook: Path, schedule: Path) -> int:
    found = judge(workbook, schedule)
    assert found["checker"] == "clean", f"planted plan breaks a rule: {found}"
    objective = found["objective"]
    assert isinstance(objective, int)
    return objective


def alone(method: str, workbook: Path, output: Path) -> None:
    """Run one construction by itself and write its plan as events."""
    began = time.perf_counter()
    from planner.model.construct import construct_plan
    from planner.model.hint import greedy_plan
    from planner.workbook.read import read_problem

    problem, _ = read_problem(workbook)
    assert problem is not None
    plan = (construct_plan if method == "construct" else greedy_plan)(problem)
    events = [
        {
            "exercise_id": e.exercise_id,
            "start_date": problem.slot_start(e.start).isoformat(),
            "venue_id": e.venue_id,
            "participants": list(e.participants),
        }
        for e in plan.events
    ]
    data = {"first_plan_s": time.perf_counter() - began, "events": events}
    output.write_text(json.dumps(data), encoding="utf-8")


def race(
    instances: list[str],
    racers: list[str],
    seed: int,
    time_limit: float,
    workers: int,
    keep: Path | None = None,
    on_row: Callable[[dict[str, object]], None] | None = None,
) -> list[dict[str, object]]:
    """Every racer on every instance; one row each, in that order."""
    rows = []
    folder = Path(tempfile.mkdtemp(prefix="race-"))
    try:
        for instance in instances:
            place = folder / instance.replace(":", "-").replace(",", "-")
            place.mkdir()
            workbook = generate(instance, seed, place)
            planted = planted_objective(workbook)
            for racer in racers:
                row = race_one(instance, workbook, racer, time_limit, workers, planted)
                rows.append(row)
                if on_row is not None:
                    on_row(row)
    finally:
        if keep is not None:
            shutil.copytree(folder, keep, dirs_exist_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
    return rows


@contextmanager
def beside(processes: int) -> Iterator[None]:
    """``processes`` spinning processes for as long as the block runs."""
    spinning = [
        multiprocessing.Process(target=burn, args=(7 * 24 * 3600.0,), daemon=True)
        for _ in range(processes)
    ]
    for process in spinning:
        process.start()
    try:
        yield
    finally:
        for process in spinning:
            process.terminate()
            process.join()


def print_row(row: dict[str, object]) -> None:
    print("| " + " | ".join(str(row.get(c, "")) for c in COLUMNS) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("instances", nargs="*", default=["dense:s"])
    parser.add_argument("--racers", default=",".join(RACERS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="copy the instances and plans here")
    parser.add_argument(
        "--beside", type=int, default=0, help="CPU-heavy processes beside the racers"
    )
    parser.add_argument("--alone", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.alone:
        method, workbook, output = args.alone
        alone(method, Path(workbook), Path(output))
        return
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(
        f"load: {load}; time limit {args.time_limit} s, {args.workers} workers, "
        f"{args.beside} CPU-heavy processes beside\n"
    )
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    with beside(args.beside):
        race(
            args.instances,
            args.racers.split(","),
            args.seed,
            args.time_limit,
            args.workers,
            args.keep,
            print_row,
        )


if __name__ == "__main__":
    main()
