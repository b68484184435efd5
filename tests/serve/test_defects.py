"""Defects seen on the page's API, each fixed: re-running a sweep or a
study, a cancel just after the start, a study of another workbook's plan,
absolute paths in answers."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from planner.serve.jobs import Job, run_reporting
from tests.app.test_robustness import risky_workbook
from tests.serve.conftest import SAMPLE, upload, wait_for, wait_until

pytestmark = pytest.mark.slow

FAST = {"workers": 1, "time_limit_s": 2, "deterministic": True, "explain_all": False}


def submitted(client: TestClient, path: Path, **request: object) -> dict:
    body = {"upload_id": upload(client, path)["upload_id"], **FAST, **request}
    response = client.post("/api/runs", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_sweep_runs_again_with_other_options(client: TestClient) -> None:
    first = wait_for(
        client, submitted(client, SAMPLE, sweep={"budget_cuts": [10]})["id"]
    )
    assert first["state"] == "done", first["message"]
    response = client.post(f"/api/runs/{first['id']}/rerun", json={**FAST, "seed": 3})
    assert response.status_code == 201, response.text
    again = wait_for(client, response.json()["id"])
    assert again["state"] == "done", again["message"]
    assert again["kind"] == "sweep"
    assert again["options"]["sweep"] == first["options"]["sweep"]
    assert again["options"]["seed"] == 3


def test_a_study_runs_again_against_the_same_committed_plan(
    client: TestClient, tmp_path: Path
) -> None:
    risky = risky_workbook(tmp_path / "risky.xlsx")
    base = wait_for(client, submitted(client, risky)["id"])
    study = {"committed_run": base["id"], "samples": 2, "seed": 1}
    first = wait_for(client, submitted(client, risky, study=study)["id"])
    assert first["state"] == "done", first["message"]
    response = client.post(f"/api/runs/{first['id']}/rerun", json=FAST)
    assert response.status_code == 201, response.text
    again = wait_for(client, response.json()["id"])
    assert again["state"] == "done", again["message"]
    assert again["options"]["study"] == study


@pytest.mark.parametrize("delay_s", [0.0, 0.1, 0.2, 0.3, 0.5])
def test_a_cancel_just_after_the_start_is_a_cancel(
    client: TestClient, delay_s: float
) -> None:
    upload_id = upload(client, SAMPLE)["upload_id"]
    pool = client.app.state.pool
    body = {"upload_id": upload_id, "workers": 1, "time_limit_s": 60}
    run = client.post("/api/runs", json=body).json()
    wait_until(lambda: client.get(f"/api/runs/{run['id']}").json()["state"] != "queued")
    time.sleep(delay_s)
    response = client.post(f"/api/runs/{run['id']}/cancel")
    assert response.status_code == 200, response.text
    done = wait_for(client, run["id"])
    assert done["state"] == "cancelled", done["message"]
    assert done["elapsed_s"] < 30  # stopped, not run to the 60 s limit
    wait_until(lambda: run["id"] not in pool.running)  # the worker is gone


def test_a_study_of_another_workbooks_plan_is_refused(
    client: TestClient, tmp_path: Path
) -> None:
    other = wait_for(client, submitted(client, SAMPLE)["id"])
    risky = risky_workbook(tmp_path / "risky.xlsx")
    upload_id = upload(client, risky)["upload_id"]
    response = client.post(
        "/api/runs",
        json={"upload_id": upload_id, "study": {"committed_run": other["id"]}},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == (
        f"Run {other['id']} planned another workbook (sample.xlsx): pick a solve "
        "of this workbook."
    )


def test_no_answer_shows_the_servers_folders(
    client: TestClient, tmp_path: Path
) -> None:
    risky = risky_workbook(tmp_path / "risky.xlsx")
    base = wait_for(client, submitted(client, risky)["id"])
    study = {"committed_run": base["id"], "samples": 2}
    run = wait_for(client, submitted(client, risky, study=study)["id"])
    answers = [
        client.get("/api/runs").text,
        client.get(f"/api/runs/{run['id']}").text,
        client.get(f"/api/runs/{run['id']}/result").text,
        client.get(f"/api/runs/{base['id']}/result").text,
        client.get("/api/info").text,
    ]
    for text in answers:
        assert str(tmp_path) not in text
        assert "committed_folder" not in text
    assert json.loads(answers[1])["options"]["study"]["committed_run"] == base["id"]


def test_a_failure_message_names_no_server_folder(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "data" / "runs" / ("0" * 32)

    def missing(*_: object) -> None:
        raise FileNotFoundError(f"No such file: '{folder / 'schedule.json'}'")

    monkeypatch.setattr("planner.serve.present.run_job", missing)
    job = Job("0" * 32, "solve", tmp_path / "w.xlsx", folder, None, {})
    state, record, _ = run_reporting(job, lambda *_: None, threading.Event())
    assert state == "failed"
    assert record["message"] == (
        "planner stopped on an unexpected error (FileNotFoundError: No such file: "
        f"'<data>/runs/{'0' * 32}/schedule.json')."
    )
