"""A programme on ``planner serve``: its versions, its committed plan,
re-plans against it, pins, and the same plans and changes as the command
line's ``planner solve --baseline --freeze-before`` on the same files."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from icalendar import Calendar
from openpyxl import load_workbook

from planner.app.compare import compare_results
from planner.check import check_plan
from planner.workbook.read import read_problem
from planner.workbook.read_schedule import read_plan
from tests.app.test_programme import tallinn_closed
from tests.serve.conftest import SAMPLE, upload, wait_for

pytestmark = pytest.mark.slow

FAST = {
    "workers": 1,
    "time_limit_s": 20,
    "deterministic": True,
    "explain_all": False,
}
PROGRAMME = "northern-training-2027"
FREEZE = "2027-02-15"  # CR27-FPC (January) and CR27 (from 1 February) are kept


def planned(client: TestClient, **request: object) -> dict:
    response = client.post("/api/runs", json={**FAST, **request})
    assert response.status_code == 201, response.text
    run = wait_for(client, response.json()["id"])
    assert run["state"] == "done", run["message"]
    return run


def commit(client: TestClient, run: dict) -> dict:
    response = client.post(
        f"/api/programmes/{PROGRAMME}/commits", json={"run_id": run["id"]}
    )
    assert response.status_code == 201, response.text
    return response.json()


def pin_and_replan(
    client: TestClient,
    run: dict,
    exercise_id: str,
    start: str,
    venue_id: str,
    **more: object,
) -> Response:
    """Pin an exercise of ``run``'s plan and re-plan around it, as the page
    asks (``more``: a freeze date)."""
    return client.post(
        f"/api/programmes/{PROGRAMME}/pins",
        json={
            "run_id": run["id"],
            "exercise_id": exercise_id,
            "start": start,
            "venue_id": venue_id,
            **FAST,
            **more,
        },
    )


def southern(path: Path) -> Path:
    """The sample as another programme's workbook (programme_id
    southern-2027)."""
    book = load_workbook(SAMPLE)
    for row in book["Settings"].iter_rows(min_row=2):
        if row[0].value == "programme_id":
            row[1].value = "southern-2027"
    book.save(path)
    return path


def events(folder: Path, workbook: Path) -> list[tuple[str, str, str, tuple]]:
    problem, _ = read_problem(workbook)
    plan, findings = read_plan(problem, folder)
    assert plan is not None, findings
    assert check_plan(problem, plan) == []
    return sorted(
        (
            e.exercise_id,
            problem.slot_start(e.start).isoformat(),
            e.venue_id,
            e.participants,
        )
        for e in plan.events
    )


def solve_command(workbook: Path, out: Path, *options: str) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "solve",
            str(workbook),
            "--out",
            str(out),
            "--workers",
            "1",
            "--time-limit",
            "20",
            "--deterministic",
            "--quiet",
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def difference_rows(differences: list) -> list[tuple[str, str, str, str]]:
    return [
        (d["exercise_id"], d["change"], d["before"], d["after"]) for d in differences
    ]


def test_the_loop_gives_the_plans_and_changes_of_the_command_line(
    client: TestClient, tmp_path: Path
) -> None:
    data = tmp_path / "data" / "runs"
    changed = tallinn_closed(tmp_path / "sample-v2.xlsx")

    # on the page: plan, commit; a changed workbook against it, commit; a pin
    first = planned(client, upload_id=upload(client, SAMPLE)["upload_id"])
    commit(client, first)
    second = planned(
        client,
        upload_id=upload(client, changed)["upload_id"],
        against=first["id"],
        freeze_before=FREEZE,
    )
    changes = client.get(f"/api/runs/{second['id']}/result").json()["changes"]
    commit(client, second)
    pinned = pin_and_replan(
        client, second, "NBST", "2027-10-04", "TLL", freeze_before=FREEZE
    )
    assert pinned.status_code == 201, pinned.text
    third = wait_for(client, pinned.json()["run"]["id"])
    assert third["state"] == "done", third["message"]
    assert third["options"]["against"] == second["id"]
    workbook = tmp_path / "pinned.xlsx"
    workbook.write_bytes(
        client.get(f"/api/uploads/{third['upload_id']}/workbook").content
    )

    # on the command line, the same files
    cli = tmp_path / "cli"
    solve_command(SAMPLE, cli / "a")
    solve_command(
        changed, cli / "b", "--baseline", str(cli / "a"), "--freeze-before", FREEZE
    )
    solve_command(
        workbook, cli / "c", "--baseline", str(cli / "b"), "--freeze-before", FREEZE
    )

    assert events(data / first["id"], SAMPLE) == events(cli / "a", SAMPLE)
    assert events(data / second["id"], changed) == events(cli / "b", changed)
    assert events(data / third["id"], workbook) == events(cli / "c", workbook)
    assert ("NBST", "2027-10-04", "TLL") in [e[:3] for e in events(cli / "c", workbook)]
    by_command = compare_results([cli / "a", cli / "b"]).comparison.differences
    assert difference_rows(changes["differences"]) == [
        (d.exercise_id, str(d.change), d.before, d.after) for d in by_command
    ]
    assert {d["exercise_id"] for d in changes["differences"]} >= {"CPX27", "CYB-TTX"}
    # the calendars partners get: SEQUENCE raised for what moved, as the
    # command line raises it
    sequences = calendar_events(cli / "b")["schedule.ics"]
    assert calendar_events(data / second["id"])["schedule.ics"] == sequences
    raised = {uid for uid, (n, _) in sequences.items() if n > 0}
    assert any(uid.startswith("CPX27.") for uid in raised)
    assert not any(uid.startswith("CR27.") for uid in raised)


def test_uploads_of_one_programme_are_versions_of_it(
    client: TestClient, tmp_path: Path
) -> None:
    upload(client, SAMPLE)
    upload(client, SAMPLE, "renamed by a colleague.xlsx")
    upload(client, southern(tmp_path / "other.xlsx"))
    found = {p["programme_id"]: p for p in client.get("/api/programmes").json()}
    assert set(found) == {PROGRAMME, "southern-2027"}
    assert found[PROGRAMME]["versions"] == 2
    assert found[PROGRAMME]["title"] == "Northern Training Programme 2027"
    assert found[PROGRAMME]["committed"] is None
    versions = client.get(f"/api/programmes/{PROGRAMME}").json()["uploads"]
    assert [u["file_name"] for u in versions] == [
        "renamed by a colleague.xlsx",
        "sample.xlsx",
    ]
    assert client.get("/api/programmes/nope").status_code == 404


def test_only_a_plan_made_against_the_commitment_replaces_it(
    client: TestClient,
) -> None:
    sample = upload(client, SAMPLE)["upload_id"]
    first = planned(client, upload_id=sample)
    scenario = planned(client, upload_id=sample, scenario="budget-cut")
    refused = client.post(
        f"/api/programmes/{PROGRAMME}/commits", json={"run_id": scenario["id"]}
    )
    assert refused.status_code == 422
    assert "not of a scenario" in refused.json()["detail"]
    kept = commit(client, first)
    assert kept["committed"]["run_id"] == first["id"]
    again = client.post(
        f"/api/programmes/{PROGRAMME}/commits", json={"run_id": first["id"]}
    )
    assert again.status_code == 409
    fresh = planned(client, upload_id=sample)
    refused = client.post(
        f"/api/programmes/{PROGRAMME}/commits", json={"run_id": fresh["id"]}
    )
    assert refused.status_code == 409
    assert "Re-plan it against the committed plan first" in refused.json()["detail"]
    against = planned(client, upload_id=sample, against=first["id"])
    assert commit(client, against)["committed"]["run_id"] == against["id"]
    # a committed plan is kept
    gone = client.delete(f"/api/runs/{first['id']}")
    assert gone.status_code == 409
    assert [e["action"] for e in client.get("/api/audit").json()][:3] == [
        "commit",
        "run",
        "run",
    ]


def test_a_replan_needs_a_plan_of_the_same_programme(
    client: TestClient, tmp_path: Path
) -> None:
    sample = upload(client, SAMPLE)["upload_id"]
    first = planned(client, upload_id=sample)
    other = southern(tmp_path / "other.xlsx")
    refused = client.post(
        "/api/runs",
        json={
            **FAST,
            "upload_id": upload(client, other)["upload_id"],
            "against": first["id"],
        },
    )
    assert refused.status_code == 422
    assert "plans another programme" in refused.json()["detail"]
    alone = client.post(
        "/api/runs", json={**FAST, "upload_id": sample, "freeze_before": FREEZE}
    )
    assert alone.status_code == 422
    assert alone.json()["detail"] == ("A freeze date needs a plan to re-plan against.")


def test_suggestions_and_pin_checks_answer_at_once(client: TestClient) -> None:
    run = planned(client, upload_id=upload(client, SAMPLE)["upload_id"])
    found = client.post(
        f"/api/runs/{run['id']}/suggest", json={"exercise_id": "CYB-TTX", "top": 3}
    ).json()
    assert found["verdict"] == "done"
    assert len(found["suggestions"]) == 3
    assert all(s["venue_id"] == "TLL" for s in found["suggestions"])
    assert found["suggestions"][0]["start"] == "2027-03-15"
    refused = client.post(
        f"/api/runs/{run['id']}/pin-check",
        json={"exercise_id": "CYB-TTX", "start": "2027-06-07", "venue_id": "SET"},
    ).json()
    assert not refused["allowed"]
    assert [v["rule"] for v in refused["broken"]] == [
        "venue_not_allowed",
        "venue_capability",
    ]
    assert refused["broken"][0]["says"] == (
        "A held exercise is at one of its venues, one able to host it."
    )
    pinned = pin_and_replan(client, run, "CYB-TTX", "2027-06-07", "SET")
    assert pinned.status_code == 422
    assert pinned.json()["detail"].startswith(
        "CYB-TTX cannot be pinned at SET from 2027-06-07: A held exercise is at "
        "one of its venues, one able to host it. (Pinned event CYB-TTX"
    )
    assert client.get(f"/api/programmes/{PROGRAMME}").json()["pins"] == []


def test_pins_are_kept_written_back_and_can_be_taken_out(
    client: TestClient, tmp_path: Path
) -> None:
    run = planned(client, upload_id=upload(client, SAMPLE)["upload_id"])
    made = pin_and_replan(client, run, "CYB-TTX", "2027-03-29", "TLL")
    assert made.status_code == 201, made.text
    pin = made.json()["pin"]
    again = wait_for(client, made.json()["run"]["id"])
    assert again["options"]["against"] == run["id"]  # no commit yet: the plan
    programme = client.get(f"/api/programmes/{PROGRAMME}").json()
    assert [
        (p["exercise_id"], p["start"], p["venue_id"]) for p in programme["pins"]
    ] == [("CYB-TTX", "2027-03-29", "TLL")]
    assert programme["uploads"][0]["pins"] == [
        {"exercise_id": "CYB-TTX", "start": "2027-03-29", "venue_id": "TLL"}
    ]
    download = client.get(f"/api/programmes/{PROGRAMME}/workbook")
    assert download.status_code == 200
    assert "with-pins.xlsx" in download.headers["content-disposition"]
    path = tmp_path / "with-pins.xlsx"
    path.write_bytes(download.content)
    problem, _ = read_problem(path)
    assert problem.exercise["CYB-TTX"].fixed_venue == "TLL"
    result = client.get(f"/api/runs/{again['id']}/result").json()
    held = {e["exercise_id"]: e for e in result["plan"]["events"]}
    assert held["CYB-TTX"]["start"] == "2027-03-29"

    gone = client.delete(f"/api/programmes/{PROGRAMME}/pins/{pin['id']}")
    assert gone.status_code == 204
    assert client.get(f"/api/programmes/{PROGRAMME}").json()["pins"] == []
    assert (
        client.delete(f"/api/programmes/{PROGRAMME}/pins/{pin['id']}").status_code
        == 404
    )
    actions = [e["action"] for e in client.get("/api/audit").json()]
    assert actions[:5] == ["unpin", "run", "upload", "pin", "run"]


def test_the_calendars_come_in_one_zip(client: TestClient) -> None:
    run = planned(client, upload_id=upload(client, SAMPLE)["upload_id"])
    answer = client.get(f"/api/runs/{run['id']}/calendars.zip")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    assert sorted(names) == sorted(n for n in run["files"] if n.endswith(".ics"))
    assert "calendars/partner-NOR.ics" in names
    assert all(not n.startswith("/") for n in names)  # no server folders


def test_a_freeze_date_is_a_date(client: TestClient) -> None:
    sample = upload(client, SAMPLE)["upload_id"]
    answer = client.post(
        "/api/runs",
        json={"upload_id": sample, "against": "0" * 32, "freeze_before": "soon"},
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "freeze_before"]


def without_nbst(path: Path) -> Path:
    """The sample without the Nordic-Baltic staff talks (NBST), which its
    plan holds: a re-plan against that plan cancels them."""
    book = load_workbook(SAMPLE)
    exercises = book["Exercises"]
    row = next(c.row for c in exercises["A"] if c.value == "NBST")
    exercises.delete_rows(row)
    book.save(path)
    return path


def calendar_events(folder: Path) -> dict[str, dict[str, tuple[int, str]]]:
    """Each calendar file of a result folder: its events' UID, SEQUENCE and
    STATUS, as a partner's calendar application keeps them."""
    return {
        path.relative_to(folder).as_posix(): {
            str(event["UID"]): (int(event.get("SEQUENCE", 0)), str(event["STATUS"]))
            for event in Calendar.from_ical(path.read_bytes()).walk("VEVENT")
        }
        for path in sorted(folder.rglob("*.ics"))
    }


def test_a_web_upload_under_any_name_keeps_the_command_lines_uids(
    client: TestClient, tmp_path: Path
) -> None:
    renamed = tmp_path / "prog-v2.xlsx"
    renamed.write_bytes(SAMPLE.read_bytes())
    smaller = without_nbst(tmp_path / "prog-v3.xlsx")
    data = tmp_path / "data" / "runs"

    # on the page: the sample, the same bytes under a colleague's name, then
    # a version without NBST re-planned against the committed plan
    first = planned(client, upload_id=upload(client, SAMPLE)["upload_id"])
    commit(client, first)
    again = planned(
        client, upload_id=upload(client, SAMPLE, "Copy of plan (2).xlsx")["upload_id"]
    )
    third = planned(
        client,
        upload_id=upload(client, smaller, "prog-v3 final.xlsx")["upload_id"],
        against=first["id"],
    )

    cli = tmp_path / "cli"
    solve_command(SAMPLE, cli / "a")
    solve_command(renamed, cli / "renamed")
    solve_command(smaller, cli / "c", "--baseline", str(cli / "a"))

    assert events(data / first["id"], SAMPLE) == events(cli / "a", SAMPLE)
    assert events(data / third["id"], smaller) == events(cli / "c", smaller)
    published = calendar_events(cli / "a")
    assert "calendars/partner-NOR.ics" in published
    assert calendar_events(cli / "renamed") == published
    assert calendar_events(data / first["id"]) == published
    assert calendar_events(data / again["id"]) == published
    uids = set(published["schedule.ics"])
    assert "NBST.northern-training-2027@planner" in uids
    assert not any("sample" in uid or "workbook" in uid for uid in uids)

    # the re-plan: as the command line sends it, NBST cancelled, SEQUENCE raised
    replanned = calendar_events(cli / "c")
    assert calendar_events(data / third["id"]) == replanned
    nbst = "NBST.northern-training-2027@planner"
    assert replanned["calendars/partner-EST.ics"][nbst] == (1, "CANCELLED")
    assert replanned["schedule.ics"][nbst] == (1, "CANCELLED")


def test_a_scenario_planned_against_the_commitment_keeps_its_uids(
    client: TestClient, tmp_path: Path
) -> None:
    """A scenario is a version of the programme: planned on the page against
    the committed plan, an event it leaves where it was keeps its SEQUENCE
    and nothing is cancelled that the scenario holds."""
    data = tmp_path / "data" / "runs"
    sample = upload(client, SAMPLE)["upload_id"]
    first = planned(client, upload_id=sample)
    commit(client, first)
    scenario = planned(
        client, upload_id=sample, scenario="pol-election", against=first["id"]
    )
    events(data / first["id"], SAMPLE)
    problem, _ = read_problem(SAMPLE, "pol-election")
    assert problem is not None
    plan, _ = read_plan(problem, data / scenario["id"])
    assert plan is not None and check_plan(problem, plan) == []
    published = calendar_events(data / first["id"])["schedule.ics"]
    replanned = calendar_events(data / scenario["id"])["schedule.ics"]
    assert set(replanned) == set(published)
    assert "CANCELLED" not in {status for _, status in replanned.values()}
    cr27 = "CR27.northern-training-2027@planner"  # not moved by POL's election
    assert replanned[cr27] == published[cr27] == (0, "CONFIRMED")


def test_a_workbook_without_a_programme_id_keeps_its_uids_under_any_name(
    client: TestClient, tmp_path: Path
) -> None:
    book = load_workbook(SAMPLE)
    settings = book["Settings"]
    row = next(c.row for c in settings["A"] if c.value == "programme_id")
    settings.delete_rows(row)
    unnamed = tmp_path / "prog.xlsx"
    book.save(unnamed)
    data = tmp_path / "data" / "runs"

    first = planned(client, upload_id=upload(client, unnamed)["upload_id"])
    again = planned(
        client, upload_id=upload(client, unnamed, "prog-v2.xlsx")["upload_id"]
    )
    solve_command(unnamed, tmp_path / "cli")

    # its identity comes from its title and first day, never its file name
    derived = "northern-training-programme-2027-2027-01-04"
    assert first["programme_id"] == derived
    published = calendar_events(tmp_path / "cli")
    assert f"CR27.{derived}@planner" in published["calendars/partner-NOR.ics"]
    assert calendar_events(data / first["id"]) == published
    assert calendar_events(data / again["id"]) == published
    assert events(data / again["id"], unnamed) == events(tmp_path / "cli", unnamed)
