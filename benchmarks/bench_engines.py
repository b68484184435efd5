"""Scenarios per minute: one process, the local pool, Ray on this machine.

The tasks are a sweep (each partner dropping out, budget cuts of 10 and 20%,
each venue closed in Q1 and in Q3; the first 20 variants) of the sample or of
a generated programme, each re-planned against the base plan with a
deterministic search of the same budget, so every engine does the same work.
Usage::

    PYTHONPATH=. python benchmarks/bench_engines.py --time-limit 2
    PYTHONPATH=. python benchmarks/bench_engines.py --size m --time-limit 20

prints one Markdown row per engine, for benchmarks/RESULTS.md. Writing the
plans (schedule.xlsx and .json, on the machine that submits the work) is
timed apart: it is the same for every engine.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from planner.app.plans import ReplanTask, plan_problem, replan_all, run_replan
from planner.app.publish import write_result
from planner.app.sweep import SweepSpec, sweep_variants
from planner.domain import SolveOptions
from planner.engines.local import LocalEngine
from planner.workbook.generate import generate
from planner.workbook.read import read_problem
from planner.workbook.template import write_workbook

SAMPLE = Path(__file__).resolve().parent.parent / "instances" / "sample.xlsx"
SPEC = SweepSpec(drop_each_partner=True, budget_cuts=(10, 20), close_quarters=(1, 3))


def row(engine: str, tasks: int, seconds: float, note: str = "") -> str:
    per_minute = tasks / seconds * 60
    return f"| {engine} | {tasks} | {seconds:.1f} | {per_minute:.1f} | {note} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--size", choices=["sample", "s", "m", "l"], default="sample")
    args = parser.parse_args()
    source = SAMPLE
    with tempfile.TemporaryDirectory() as folder:
        if args.size != "sample":
            tables, _ = generate(args.size, 1)
            source = Path(folder) / f"{args.size}.xlsx"
            write_workbook(tables, source)
        problem, _ = read_problem(source)
    assert problem is not None
    options = SolveOptions(time_limit_s=args.time_limit, deterministic=True)
    base = plan_problem(problem, options).plan
    made = sweep_variants(problem, SPEC)[:20]
    variants = {v.name: v.problem for v in made}
    cores = os.cpu_count() or 1
    print(
        f"{args.size}: {len(variants)} variants, {cores} cores, "
        f"time limit {args.time_limit}"
    )
    print("| engine | scenarios | seconds | scenarios per minute | note |")
    print("|---|---|---|---|---|")

    one = replace(options, workers=1)
    began = time.perf_counter()
    results = [run_replan(ReplanTask(p, one, base), None) for p in variants.values()]
    print(row("one process", len(variants), time.perf_counter() - began, "1 worker"))

    began = time.perf_counter()
    replan_all(variants, options, base, LocalEngine())
    print(row("local pool", len(variants), time.perf_counter() - began))

    import ray

    from planner.engines.ray import RayEngine

    began = time.perf_counter()
    ray.init(
        num_cpus=cores,
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.ERROR,
    )
    started = time.perf_counter() - began
    began = time.perf_counter()
    replan_all(variants, options, base, RayEngine())
    seconds = time.perf_counter() - began
    print(row("ray (local head)", len(variants), seconds, f"start-up {started:.1f} s"))
    ray.shutdown()

    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        for (name, variant), result in zip(variants.items(), results, strict=True):
            write_result(variant, result, Path(folder) / name, source)
        seconds = time.perf_counter() - began
    print(f"\nwriting the {len(variants)} plans: {seconds / len(variants):.2f} s each")


if __name__ == "__main__":
    main()
