"""The Ray engine gives the local engine's answers, scenario by scenario.

A Ray head is started on this machine inside the test (loopback, 2 CPUs, no
dashboard) and stopped after. Ray is part of the test extra: a missing Ray
fails here, it is not skipped.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import ray

from planner.app.plans import Variants, plan_problem, plan_variants
from planner.app.robustness import run_study
from planner.app.sweep import SweepSpec, impact, sweep_variants
from planner.check import check_plan
from planner.domain import Result, SolveOptions
from planner.engines.base import Engine, Outcome
from planner.engines.local import LocalEngine
from planner.engines.ray import RayEngine, _unreachable
from planner.workbook.read import read_problem
from tests.app.test_robustness import risky_workbook
from tests.engines.test_local import always_fail, double, fail_once

pytestmark = pytest.mark.ray

# One CP-SAT worker per task (2 cores, 20 tasks) and a deterministic search:
# the same task finds the same plan wherever it runs, unless the search is
# stopped by the clock guard (4 times the time limit) rather than by its
# deterministic budget, which a machine slowed down by other work can cause.
OPTIONS = SolveOptions(time_limit_s=2, workers=2, deterministic=True)
# Runs stopped by the clock are not compared; most must not be, or the test
# says little.
MOST = 0.6
# Drop-outs whose re-plans are proven within the limit (FIN's is not).
CHANCES: dict[str, object] = {"USA": 0.2, "GBR": 0.25, "FRA": 0.15}
# 8 partners + 2 budget cuts + 5 venues x 2 quarters = 20 variants.
SPEC = SweepSpec(drop_each_partner=True, budget_cuts=(10, 20), close_quarters=(1, 3))


@pytest.fixture(scope="module")
def ray_head() -> Iterator[None]:
    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.ERROR,
    )
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def risky(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return risky_workbook(tmp_path_factory.mktemp("ray") / "risky.xlsx", CHANCES)


def on_clock(result: Result) -> bool:
    """The search stopped on the clock guard: the one way two deterministic
    runs of the same task may differ."""
    guard = result.parameters["cp_sat"]["max_time_in_seconds"]  # type: ignore[index]
    return float(result.statistics["wall_time_s"]) >= 0.95 * float(guard)  # type: ignore[arg-type]


def test_a_sweep_on_ray_equals_the_local_sweep(
    ray_head: None, risky: Path, tmp_path: Path
) -> None:
    problem, _ = read_problem(risky)
    assert problem is not None
    variants = {v.name: v for v in sweep_variants(problem, SPEC)}
    problems = {name: v.problem for name, v in variants.items()}

    def sweep(engine: Engine, folder: str) -> Variants:
        return plan_variants(
            problem, problems, tmp_path / folder, risky, OPTIONS, engine, lambda _: None
        )

    here, there = sweep(LocalEngine(), "local"), sweep(RayEngine(), "ray")
    assert len(here.runs) == 20
    assert not here.failed and not there.failed
    compared = 0
    for ours, theirs in zip(here.plans, there.plans, strict=True):
        assert theirs.name == ours.name
        assert theirs.violations == ours.violations == ()
        if on_clock(ours.result) or on_clock(theirs.result):
            continue
        compared += 1
        assert theirs.result.status == ours.result.status, ours.name
        assert theirs.result.plan == ours.result.plan, ours.name
        assert theirs.result.terms == ours.result.terms, ours.name
        if ours.name in variants:
            variant = variants[ours.name]
            assert impact(here.base.result, variant, ours.result) == impact(
                there.base.result, variant, theirs.result
            )
    assert compared >= MOST * 21  # the base and 20 variants
    shutil.rmtree(tmp_path)


def test_a_study_on_ray_equals_the_local_study(ray_head: None, risky: Path) -> None:
    problem, _ = read_problem(risky)
    assert problem is not None
    plan = plan_problem(problem, OPTIONS).plan
    assert plan is not None and check_plan(problem, plan) == []
    here = run_study(problem, plan, 20, 11, OPTIONS, LocalEngine())
    there = run_study(problem, plan, 20, 11, OPTIONS, RayEngine())
    assert len(there.samples) == 20
    assert [s.draw for s in there.samples] == [s.draw for s in here.samples]
    compared = [
        (ours, theirs)
        for ours, theirs in zip(here.samples, there.samples, strict=True)
        if ours.result is not None
        and theirs.result is not None
        and not (on_clock(ours.result) or on_clock(theirs.result))
    ]
    assert len(compared) >= MOST * 20
    for ours, theirs in compared:
        assert theirs == ours
    if len(compared) == 20:
        assert there == here  # the tallies too
    # Some samples must draw something, or the equality says little.
    assert any(sample.draw.dropped for sample in here.samples)


def test_ray_retries_a_failing_task_and_names_one_that_fails_twice(
    ray_head: None, tmp_path: Path
) -> None:
    engine = RayEngine()
    heard: list[str] = []
    outcomes = engine.run(
        fail_once, {"flaky": str(tmp_path / "tried")}, 1, lambda o: heard.append(o.name)
    )
    assert outcomes["flaky"] == Outcome("flaky", "second try")
    both = engine.run(always_fail, {"bad": 3}, 1) | engine.run(double, {"good": 4}, 1)
    assert both["bad"] == Outcome("bad", None, "ValueError: task 3 cannot be done")
    assert both["good"] == Outcome("good", 8)
    assert heard == ["flaky"]
    engine.close()
    assert ray.is_initialized()  # the test's Ray is not the engine's to stop


def test_an_address_nobody_answers_is_named_at_once() -> None:
    # Ray itself would retry for minutes; the engine asks first (port 1 on
    # this machine: nothing listens).
    assert _unreachable("127.0.0.1:1") == "Connection refused"
    assert _unreachable("ray://127.0.0.1:1") == "Connection refused"
    assert _unreachable(None) is None  # a Ray started here
    assert _unreachable("auto") is None
