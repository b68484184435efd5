"""`planner serve --engine ray`: every run, a single solve too, is a Ray task;
the server keeps what it sends back. A Ray head is started on this machine
for the module (loopback, 2 CPUs, no dashboard), as tests/engines do; a
missing Ray fails here, it is not skipped."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import ray
from fastapi.testclient import TestClient

from planner.check import check_plan
from planner.domain import EngineChoice
from planner.serve.app import create_app
from planner.serve.ray_runs import RayTask
from planner.workbook.generate import generate
from planner.workbook.read import read_problem
from planner.workbook.read_schedule import read_plan
from planner.workbook.template import write_workbook
from tests.serve.conftest import SAMPLE, browser_like, upload, wait_for, wait_until

pytestmark = pytest.mark.ray


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


@pytest.fixture
def on_ray(ray_head: None, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(tmp_path / "data", engine=EngineChoice("ray"))
    with browser_like(app) as client:
        yield client


def test_a_solve_is_a_ray_task_and_its_files_come_back(
    on_ray: TestClient, tmp_path: Path
) -> None:
    pool = on_ray.app.state.pool
    submitted: list[RayTask] = []
    submit = pool._ray.submit
    pool._ray.submit = lambda job: submitted.append(submit(job)) or submitted[-1]
    upload_id = upload(on_ray, SAMPLE)["upload_id"]
    body = {"upload_id": upload_id, "workers": 1, "time_limit_s": 20}
    run = on_ray.post("/api/runs", json=body).json()
    done = wait_for(on_ray, run["id"])
    assert [task.job.run_id for task in submitted] == [run["id"]]
    assert done["state"] == "done", done["message"]
    assert done["message"] == (
        "The best plan possible: 11 exercises held; every hard rule holds."
    )
    assert done["live"]["stage"] in ("writing", "explaining")  # news came through
    folder = tmp_path / "data" / "runs" / run["id"]
    assert (folder / "schedule.xlsx").is_file() and (folder / "view.json").is_file()
    problem, _ = read_problem(SAMPLE)
    plan, findings = read_plan(problem, folder)
    assert plan is not None, findings
    assert check_plan(problem, plan) == []
    result = on_ray.get(f"/api/runs/{run['id']}/result").json()
    assert len(result["plan"]["events"]) == 11


def test_a_cancel_reaches_the_ray_task_and_the_best_plan_is_kept(
    on_ray: TestClient, tmp_path: Path
) -> None:
    large = tmp_path / "generated-l.xlsx"
    tables, _ = generate("l", 3)
    write_workbook(tables, large)
    upload_id = upload(on_ray, large)["upload_id"]
    body = {"upload_id": upload_id, "workers": 1, "time_limit_s": 300}
    run = on_ray.post("/api/runs", json=body).json()
    wait_until(
        lambda: (
            (on_ray.get(f"/api/runs/{run['id']}").json()["live"] or {}).get("objective")
            is not None
        )
    )
    assert on_ray.post(f"/api/runs/{run['id']}/cancel").status_code == 200
    done = wait_for(on_ray, run["id"])
    assert done["state"] == "cancelled", done["message"]
    assert done["message"].startswith("Cancelled: the best plan found (")
    problem, _ = read_problem(large)
    plan, findings = read_plan(problem, tmp_path / "data" / "runs" / run["id"])
    assert plan is not None, findings
    assert check_plan(problem, plan) == []
