"""Sweeps and robustness studies from the page's API: submitted, followed
(runs done of N), and their results as the page draws them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from planner.app.progress import RunProgress
from planner.serve.present import progress_json
from tests.app.test_robustness import risky_workbook
from tests.serve.conftest import SAMPLE, upload, wait_for

pytestmark = pytest.mark.slow

FAST = {"workers": 2, "time_limit_s": 1, "deterministic": True, "explain_all": False}


def submitted(client: TestClient, path: Path, **request: object) -> dict:
    sample = upload(client, path)
    body = {"upload_id": sample["upload_id"], **FAST, **request}
    response = client.post("/api/runs", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_progress_carries_the_runs_done_of_how_many() -> None:
    news = progress_json(RunProgress("planning", 1.0, message="drop-NOR", runs=(3, 9)))
    assert news["runs"] == [3, 9]
    assert progress_json(RunProgress("searching", 1.0))["runs"] is None


def test_a_sweep_from_the_page_ranks_its_variants(client: TestClient) -> None:
    run = submitted(client, SAMPLE, sweep={"budget_cuts": [10, 30]})
    assert run["kind"] == "sweep"
    done = wait_for(client, run["id"])
    assert done["state"] == "done", done["message"]
    assert done["live"]["runs"] == [3, 3]  # the base and two variants
    result = client.get(f"/api/runs/{run['id']}/result").json()
    names = [i["name"] for i in result["impacts"]]
    assert sorted(names) == ["budget-cut-10", "budget-cut-30"]
    assert result["comparison"]["labels"] == ["base", *names]
    assert done["message"].startswith("2 variants re-planned; the most harmful: ")
    download = client.get(f"/api/runs/{run['id']}/files/comparison.xlsx")
    assert load_workbook(io.BytesIO(download.content)).sheetnames[0] == "KPIs"


def test_a_study_from_the_page_tallies_every_committed_exercise(
    client: TestClient, tmp_path: Path
) -> None:
    risky = risky_workbook(tmp_path / "risky.xlsx")
    base = submitted(client, risky)
    assert wait_for(client, base["id"])["state"] == "done"
    run = submitted(
        client, risky, study={"committed_run": base["id"], "samples": 3, "seed": 2}
    )
    done = wait_for(client, run["id"])
    assert done["state"] == "done", done["message"]
    assert done["live"]["runs"] == [3, 3]
    result = client.get(f"/api/runs/{run['id']}/result").json()
    assert result["kind"] == "study" and result["samples"] == 3
    for exercise in result["exercises"]:
        assert sum(exercise["counts"].values()) == result["planned"]
    assert done["files"] == ["robustness.xlsx"]


def test_a_study_needs_a_solve_with_a_plan(client: TestClient) -> None:
    sweep = submitted(client, SAMPLE, sweep={"budget_cuts": [10]})
    sample = upload(client, SAMPLE)
    response = client.post(
        "/api/runs",
        json={
            "upload_id": sample["upload_id"],
            "study": {"committed_run": sweep["id"]},
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"] == (
        f"Run {sweep['id']} has no plan to study: pick a finished solve that found one."
    )


def test_one_kind_of_many_at_a_time_and_sound_options(client: TestClient) -> None:
    sample = upload(client, SAMPLE)
    both = {"upload_id": sample["upload_id"], "whatif": True, "sweep": {}}
    response = client.post("/api/runs", json=both)
    assert response.status_code == 422
    assert (
        response.json()["detail"] == "Ask for one of whatif, sweep or study at a time."
    )
    bad = {"upload_id": sample["upload_id"], "sweep": {"budget_cuts": [150]}}
    assert client.post("/api/runs", json=bad).status_code == 422
