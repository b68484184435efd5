"""The JSON API of ``planner serve``, endpoint by endpoint, through FastAPI's
TestClient (the server's worker processes run for real)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from planner.app.validate import validate_workbook
from planner.check import check_plan
from planner.serve.app import create_app
from planner.workbook.read import read_problem
from planner.workbook.read_schedule import read_plan
from tests.serve.conftest import (
    BROKEN_FINDINGS,
    SAMPLE,
    SCENARIOS,
    browser_like,
    upload,
    wait_for,
    wait_until,
)

pytestmark = pytest.mark.slow

FAST = {"workers": 1, "time_limit_s": 20, "explain_all": False}


def solved(client: TestClient, **request: object) -> dict:
    sample = upload(client, SAMPLE)
    body = {"upload_id": sample["upload_id"], **FAST, **request}
    response = client.post("/api/runs", json=body)
    assert response.status_code == 201, response.text
    return wait_for(client, response.json()["id"])


def assert_checked_download(
    client: TestClient, run: dict, name: str, tmp: Path
) -> None:
    """The downloaded schedule passes the independent checker."""
    response = client.get(f"/api/runs/{run['id']}/files/{name}")
    assert response.status_code == 200
    path = tmp / name
    path.write_bytes(response.content)
    problem, _ = read_problem(SAMPLE, run["scenario"])
    assert problem is not None
    plan, findings = read_plan(problem, path)
    assert plan is not None, findings
    assert check_plan(problem, plan) == []


# --- the page and its files ------------------------------------------------------


def test_the_page_and_its_scripts_are_served_locally(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<script src="/static/plotly.min.js"' in page.text
    assert "cdn" not in page.text.lower()
    plotly = client.get("/static/plotly.min.js")
    assert plotly.status_code == 200
    assert "plotly.js" in plotly.text[:500]
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/style.css").status_code == 200


def test_openapi_describes_every_api_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) == {
        "/api/info",
        "/api/template",
        "/api/uploads",
        "/api/uploads/{upload_id}",
        "/api/runs",
        "/api/runs/{run_id}",
        "/api/runs/{run_id}/events",
        "/api/runs/{run_id}/result",
        "/api/runs/{run_id}/files/{name}",
        "/api/runs/{run_id}/cancel",
        "/api/runs/{run_id}/rerun",
        "/api/runs/{run_id}/calendars.zip",
        "/api/runs/{run_id}/suggest",
        "/api/runs/{run_id}/pin-check",
        "/api/uploads/{upload_id}/workbook",
        "/api/programmes",
        "/api/programmes/{programme_id}",
        "/api/programmes/{programme_id}/commits",
        "/api/programmes/{programme_id}/pins",
        "/api/programmes/{programme_id}/pins/{pin_id}",
        "/api/programmes/{programme_id}/workbook",
        "/api/compare",
        "/api/session",
        "/api/me",
        "/api/audit",
        "/api/users",
        "/api/users/{name}",
    }


def test_info_states_the_limits(client: TestClient) -> None:
    info = client.get("/api/info").json()
    assert info["max_solves"] == 1
    assert info["max_upload_bytes"] == 2_000_000


@pytest.mark.parametrize(
    ("query", "name", "exercises"),
    [("", "planner-template.xlsx", 0), ("?example=true", "planner-example.xlsx", 13)],
)
def test_template_and_example_download(
    client: TestClient, tmp_path: Path, query: str, name: str, exercises: int
) -> None:
    response = client.get(f"/api/template{query}")
    assert response.status_code == 200
    assert name in response.headers["content-disposition"]
    path = tmp_path / name
    path.write_bytes(response.content)
    assert "Instructions" in load_workbook(path).sheetnames
    if exercises:
        validation = validate_workbook(path)
        assert validation.valid
        assert validation.summary.startswith(f"{exercises} exercises")


# --- uploads and findings ---------------------------------------------------------


def test_upload_of_the_sample_is_valid(client: TestClient) -> None:
    data = upload(client, SAMPLE)
    assert data["file_name"] == "sample.xlsx"
    assert data["sha256"] == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert data["size"] == SAMPLE.stat().st_size
    validation = data["validation"]
    assert validation["valid"] is True
    assert validation["errors"] == []
    assert validation["scenarios"] == SCENARIOS
    assert validation["summary"] == (
        "13 exercises, 8 partners, 5 venues, 51 weeks from 2027-01-04"
    )
    again = client.get(f"/api/uploads/{data['upload_id']}").json()
    assert again == data


def test_findings_name_sheet_and_cell_errors_apart(
    client: TestClient, broken_workbook: Path
) -> None:
    validation = upload(client, broken_workbook)["validation"]
    assert validation["valid"] is False
    assert [(f["sheet"], f["cell"], f["message"]) for f in validation["errors"]] == (
        BROKEN_FINDINGS
    )
    assert all(f["severity"] == "error" for f in validation["errors"])
    assert validation["summary"] is None


def test_a_scenario_is_validated_on_request(client: TestClient) -> None:
    upload_id = upload(client, SAMPLE)["upload_id"]
    good = client.get(f"/api/uploads/{upload_id}", params={"scenario": "budget-cut"})
    assert good.json()["validation"]["valid"] is True
    bad = client.get(f"/api/uploads/{upload_id}", params={"scenario": "nope"})
    errors = bad.json()["validation"]["errors"]
    assert [(e["sheet"], e["message"]) for e in errors] == [
        (
            "Scenarios",
            'no scenario "nope" on the Scenarios sheet; it names: '
            "pol-election, budget-cut, spta-repairs",
        )
    ]


def test_a_file_that_is_no_workbook_is_a_finding(client: TestClient) -> None:
    response = client.post(
        "/api/uploads", files={"file": ("notes.xlsx", b"just some text")}
    )
    errors = response.json()["validation"]["errors"]
    assert len(errors) == 1
    assert errors[0]["message"].startswith("not an Excel workbook (.xlsx)")


def test_the_uploaded_file_name_is_never_a_path(
    client: TestClient, tmp_path: Path
) -> None:
    data = upload(client, SAMPLE, name="../../../outside.xlsx")
    assert data["file_name"] == "outside.xlsx"
    assert not (tmp_path / "outside.xlsx").exists()
    uploads = tmp_path / "data" / "uploads"
    stored = [p.relative_to(uploads) for p in uploads.rglob("*")]
    assert stored == [Path(data["upload_id"]), Path(data["upload_id"], "workbook.xlsx")]


def test_uploads_over_the_cap_are_refused(tmp_path: Path) -> None:
    with browser_like(create_app(tmp_path / "data", max_upload_bytes=50_000)) as c:
        big = b"PK" + b"\0" * 200_000
        response = c.post("/api/uploads", files={"file": ("big.xlsx", big)})
        assert response.status_code == 413
        assert "larger than this server accepts" in response.json()["detail"]
        assert list((tmp_path / "data" / "uploads").iterdir()) == []
        assert c.get("/api/info").status_code == 200


def _bomb(path: Path, part_bytes: int) -> Path:
    """The sample whose Exercises sheet is padded to ``part_bytes`` of XML that
    compresses to almost nothing."""
    with zipfile.ZipFile(SAMPLE) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    parts[sheet] = parts[sheet].replace(
        b"</worksheet>", b"<!--" + b" " * part_bytes + b"--></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def _entity(i: int) -> bytes:
    """lol<i> is ten of lol<i-1>: lol9 expands to a thousand million "lol"s."""
    inner = f"&lol{i - 1};" if i > 1 else "&lol;"
    return f'<!ENTITY lol{i} "{inner * 10}">'.encode()


def _entities(path: Path) -> Path:
    """The sample whose Settings sheet uses a billion-laughs entity."""
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(_entity(i) for i in range(1, 10))
        + b"]>"
    )
    with zipfile.ZipFile(SAMPLE) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet2.xml"
    body = parts[sheet].split(b"?>", 1)[-1]
    parts[sheet] = laughs + body.replace(b"<t>", b"<t>&lol9;", 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def test_a_zip_bomb_is_refused_before_parsing(
    client: TestClient, tmp_path: Path
) -> None:
    bomb = _bomb(tmp_path / "bomb.xlsx", 600_000_000)
    assert bomb.stat().st_size < 2_000_000
    validation = upload(client, bomb)["validation"]
    assert validation["valid"] is False
    assert [(e["sheet"], e["message"]) for e in validation["errors"]] == [
        (
            "bomb.xlsx",
            "its part xl/worksheets/sheet1.xml unpacks to 572.2 MB; planner reads "
            "parts of at most 32.0 MB",
        )
    ]
    assert client.get("/api/info").status_code == 200


def test_an_entity_expansion_is_refused(client: TestClient, tmp_path: Path) -> None:
    validation = upload(client, _entities(tmp_path / "lol.xlsx"))["validation"]
    assert validation["valid"] is False
    assert [(e["sheet"], e["message"]) for e in validation["errors"]] == [
        (
            "Settings",
            "its part xl/worksheets/sheet2.xml declares XML entities or a document "
            "type, which Excel never writes (DTDForbidden); refused as unsafe",
        )
    ]
    assert client.get("/api/info").status_code == 200


def test_unknown_and_malformed_ids_are_not_found(client: TestClient) -> None:
    for path in (
        "/api/uploads/0123456789abcdef0123456789abcdef",
        "/api/uploads/..%2Fplanner.sqlite3",
        "/api/runs/0123456789abcdef0123456789abcdef",
        "/api/runs/nothex",
        "/api/runs/0123456789abcdef0123456789abcdef/result",
    ):
        assert client.get(path).status_code == 404, path


# --- runs -------------------------------------------------------------------------


def test_a_solve_runs_in_a_worker_and_writes_a_checked_plan(
    client: TestClient, tmp_path: Path
) -> None:
    run = solved(client)
    assert run["state"] == "done"
    assert run["status"] == "optimal"
    assert run["message"] == (
        "The best plan possible: 11 exercises held; every hard rule holds."
    )
    assert run["objective"] == sum(run["terms"].values()) == 3_379_000
    assert run["files"][:2] == ["schedule.xlsx", "schedule.json"]
    assert {"brief.pdf", "brief.html", "schedule.ics"} <= set(run["files"])
    assert "calendars/partner-NOR.ics" in run["files"]
    brief = client.get(f"/api/runs/{run['id']}/files/brief.pdf")
    assert brief.status_code == 200
    assert brief.headers["content-type"] == "application/pdf"
    assert run["file_name"] == "sample.xlsx"
    assert run["options"]["workers"] == 1
    assert {"read_s", "solve_s", "write_s", "total_s"} <= set(run["timings"])
    assert_checked_download(client, run, "schedule.xlsx", tmp_path)
    assert_checked_download(client, run, "schedule.json", tmp_path)


def test_the_result_holds_calendar_goals_spend_and_reasons(client: TestClient) -> None:
    run = solved(client, explain_all=True)
    result = client.get(f"/api/runs/{run['id']}/result").json()
    plan = result["plan"]
    assert result["violations"] == []
    assert len(plan["events"]) == 11
    assert {e["exercise_id"] for e in plan["left_out"]} == {"CBRN27", "ACE27"}
    assert all(e["reason"] for e in plan["left_out"])
    assert plan["spend"][0]["owner_id"] == "organizer"
    assert len(plan["goals"]) == 6
    assert {b["owner_kind"] for b in plan["blackouts"]} >= {"partner", "venue"}
    first = plan["events"][0]
    assert set(first) >= {"start", "end", "venue_name", "participants", "name"}


def test_an_infeasible_programme_is_a_finished_run_naming_the_rows(
    client: TestClient,
) -> None:
    infeasible = upload(client, SAMPLE.parent / "infeasible.xlsx")["upload_id"]
    response = client.post("/api/runs", json={"upload_id": infeasible, **FAST})
    run = wait_for(client, response.json()["id"])
    assert run["state"] == "done"
    assert run["status"] == "infeasible"
    assert run["objective"] is None
    assert run["message"] == (
        "No plan exists: the rows listed below cannot all hold together."
    )
    assert run["files"] == ["no-plan.xlsx", "no-plan.json"]
    plan = client.get(f"/api/runs/{run['id']}/result").json()["plan"]
    assert plan["events"] == []
    assert [line.rsplit("(", 1)[-1] for line in plan["conflict"]] == [
        "Exercises row 3)",
        "Unavailability row 19)",
    ]


def test_progress_streams_as_server_sent_events(client: TestClient) -> None:
    upload_id = upload(client, SAMPLE)["upload_id"]
    run = client.post("/api/runs", json={"upload_id": upload_id, **FAST}).json()
    snapshots = []
    with client.stream("GET", f"/api/runs/{run['id']}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith("data: "):
                snapshots.append(json.loads(line[6:]))
    assert snapshots[-1]["state"] == "done"
    assert snapshots[-1]["objective"] == 3_379_000
    assert all(s["id"] == run["id"] for s in snapshots)


def test_a_workbook_with_errors_is_not_kept_nor_run(
    client: TestClient, broken_workbook: Path, tmp_path: Path
) -> None:
    refused = upload(client, broken_workbook)
    assert refused["upload_id"] is None
    assert list((tmp_path / "data" / "uploads").iterdir()) == []
    missing = client.post("/api/runs", json={"upload_id": "f" * 32})
    assert missing.status_code == 404


def test_options_out_of_range_are_refused(client: TestClient) -> None:
    upload_id = upload(client, SAMPLE)["upload_id"]
    response = client.post("/api/runs", json={"upload_id": upload_id, "workers": -1})
    assert response.status_code == 422


def test_runs_queue_beyond_the_limit_and_a_queued_one_cancels(
    client: TestClient,
) -> None:
    upload_id = upload(client, SAMPLE)["upload_id"]
    body = {"upload_id": upload_id, **FAST}
    first = client.post("/api/runs", json=body).json()
    second = client.post("/api/runs", json=body).json()
    assert second["state"] == "queued"
    cancelled = client.post(f"/api/runs/{second['id']}/cancel").json()
    assert cancelled["state"] == "cancelled"
    assert cancelled["message"] == "Cancelled before it started."
    assert wait_for(client, first["id"])["state"] == "done"
    assert client.get(f"/api/runs/{second['id']}").json()["started"] is None
    again = client.post(f"/api/runs/{first['id']}/cancel")
    assert again.status_code == 409


def test_a_worker_that_dies_is_a_failed_run_and_the_server_serves_on(
    client: TestClient,
) -> None:
    upload_id = upload(client, SAMPLE)["upload_id"]
    run = client.post(
        "/api/runs", json={"upload_id": upload_id, "workers": 1, "time_limit_s": 60}
    ).json()
    pool = client.app.state.pool
    wait_until(lambda: run["id"] in pool.running)
    pool.running[run["id"]].worker.process.kill()
    failed = wait_for(client, run["id"])
    assert failed["state"] == "failed"
    assert failed["message"].startswith("The solver process stopped unexpectedly")
    assert solved(client)["state"] == "done"


def test_rerun_with_another_scenario_and_options(client: TestClient) -> None:
    run = solved(client)
    response = client.post(
        f"/api/runs/{run['id']}/rerun",
        json={"scenario": "budget-cut", "seed": 7, "workers": 1, "time_limit_s": 20},
    )
    assert response.status_code == 201
    again = wait_for(client, response.json()["id"])
    assert again["scenario"] == "budget-cut"
    assert again["options"]["seed"] == 7
    assert again["upload_id"] == run["upload_id"]
    assert again["state"] == "done"
    assert again["objective"] == 3_160_000


def test_compare_two_runs_as_planner_compare(client: TestClient) -> None:
    base = solved(client)
    cut = solved(client, scenario="budget-cut")
    response = client.post("/api/compare", json={"runs": [base["id"], cut["id"]]})
    assert response.status_code == 200
    comparison = response.json()
    assert len(comparison["labels"]) == 2
    assert comparison["labels"][0].startswith("sample base ")
    assert comparison["rows"][2] == ["objective", "3,379,000", "3,160,000"]
    assert comparison["differences"]
    assert all(d["plan"] == comparison["labels"][1] for d in comparison["differences"])
    assert [len(p["events"]) for p in comparison["plans"]] == [11, 10]
    one = client.post("/api/compare", json={"runs": [base["id"]]})
    assert one.status_code == 422


def test_whatif_plans_the_base_and_every_scenario(client: TestClient) -> None:
    run = solved(client, whatif=True)
    assert run["state"] == "done", run["message"]
    assert run["kind"] == "whatif"
    result = client.get(f"/api/runs/{run['id']}/result").json()
    assert [p["name"] for p in result["plans"]] == ["base", *SCENARIOS]
    assert result["comparison"]["labels"] == ["base", *SCENARIOS]
    assert "comparison.xlsx" in run["files"]
    assert "base/schedule.xlsx" in run["files"]
    download = client.get(f"/api/runs/{run['id']}/files/comparison.xlsx")
    assert download.status_code == 200
    assert load_workbook(io.BytesIO(download.content)).sheetnames


def test_whatif_needs_scenarios(client: TestClient, tmp_path: Path) -> None:
    blank = tmp_path / "template.xlsx"
    blank.write_bytes(client.get("/api/template?example=true").content)
    book = load_workbook(blank)
    del book["Scenarios"]
    book.save(blank)
    upload_id = upload(client, blank)["upload_id"]
    response = client.post("/api/runs", json={"upload_id": upload_id, "whatif": True})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "The workbook has no scenarios: what-if needs a Scenarios sheet."
    )


def test_only_the_files_a_run_wrote_are_served(client: TestClient) -> None:
    run = solved(client)
    for name in ("../../planner.sqlite3", "view.json", "nothing.xlsx"):
        response = client.get(f"/api/runs/{run['id']}/files/{name}")
        assert response.status_code == 404, name


def test_delete_forgets_the_run_and_its_files(
    client: TestClient, tmp_path: Path
) -> None:
    run = solved(client)
    folder = tmp_path / "data" / "runs" / run["id"]
    assert folder.is_dir()
    assert client.delete(f"/api/runs/{run['id']}").status_code == 204
    assert not folder.exists()
    assert client.get(f"/api/runs/{run['id']}").status_code == 404
    assert run["id"] not in [r["id"] for r in client.get("/api/runs").json()]


def test_history_survives_a_restart(tmp_path: Path) -> None:
    with browser_like(create_app(tmp_path / "data")) as first:
        run = solved(first)
    with browser_like(create_app(tmp_path / "data")) as second:
        runs = second.get("/api/runs").json()
        assert [r["id"] for r in runs] == [run["id"]]
        assert runs[0]["objective"] == 3_379_000
        result = second.get(f"/api/runs/{run['id']}/result")
        assert len(result.json()["plan"]["events"]) == 11
