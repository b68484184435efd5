"""Writing schedule.xlsx and schedule.json, and reading them back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from planner import __version__
from planner.app.publish import write_schedule
from planner.domain import Result, Status
from planner.figures import objective_terms
from planner.outputs.schedule_xlsx import OutputError
from planner.workbook.read_schedule import read_plan
from tests.workbook.test_plan_io import (
    INPUT_BYTES,
    input_file,
    small_plan,
    small_problem,
    small_result,
)


@pytest.fixture
def written(tmp_path: Path) -> Path:
    """The result folder of the small plan (E1 weeks 1-2 at V, E2 week 3 at W)."""
    out_dir = tmp_path / "out"
    write_schedule(small_problem(), small_result(), out_dir, input_file(tmp_path))
    return out_dir


def sheet(out_dir: Path, name: str) -> Worksheet:
    return load_workbook(out_dir / "schedule.xlsx")[name]


def rows(ws: Worksheet) -> list[list[object]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def summary(out_dir: Path, name: str = "Summary") -> dict[object, object]:
    """Summary (or Run) values by their label in column A."""
    return {row[0]: row[1] for row in rows(sheet(out_dir, name)) if row[0]}


def run_sheet(out_dir: Path) -> dict[object, object]:
    return summary(out_dir, "Run")


def test_write_result_returns_both_files(tmp_path: Path) -> None:
    out_dir = tmp_path / "new" / "folder"
    written = write_schedule(
        small_problem(), small_result(), out_dir, input_file(tmp_path)
    )
    assert written[0] == [out_dir / "schedule.xlsx", out_dir / "schedule.json"]
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "schedule.json",
        "schedule.xlsx",
    ]


def test_round_trip_through_xlsx_and_json_gives_the_same_plan(written: Path) -> None:
    problem = small_problem()
    assert read_plan(problem, written / "schedule.xlsx") == (small_plan(), [])
    assert read_plan(problem, written / "schedule.json") == (small_plan(), [])


def test_schedule_sheet_header_row_is_in_words(written: Path) -> None:
    assert rows(sheet(written, "Schedule"))[0] == [
        "Exercise",
        "Name",
        "Start date",
        "End date",
        "Venue",
        "Participants",
        "Kind",
        "Venue name",
        "Duration",
        "Mandatory",
        "Value",
        "Cost",
        "Partners taking part",
        "Areas",
        "Assets",
        "Start slot",
        "End slot",
        "ISO week",
    ]


def test_schedule_rows_hold_real_dates_and_checked_costs(written: Path) -> None:
    ws = sheet(written, "Schedule")
    # E1 cost: organizer 500 + 100 * 2 weeks, A 1000 + 300 travel, B 1000 = 3000.
    # 2027-01-11 is in ISO week 2.
    assert rows(ws)[1] == [
        "E1",
        "Cold Response",
        dt.datetime(2027, 1, 11),
        dt.datetime(2027, 1, 24),
        "V",
        "A; B",
        "exercise",
        "Oslo",
        2,
        "yes",
        5,
        3000,
        2,
        "maritime",
        None,
        1,
        2,
        2,
    ]
    assert ws["C2"].is_date
    assert ws["C2"].number_format == "yyyy-mm-dd"
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b


def test_each_kind_has_its_own_fill(written: Path) -> None:
    ws = sheet(written, "Schedule")
    # Column G is kind: E1 is an exercise, E2 staff talks.
    assert ws["G2"].fill.fgColor.rgb != ws["G3"].fill.fgColor.rgb


def test_the_objective_and_each_term_are_on_the_run_sheet(written: Path) -> None:
    # Solver words stay off the pages a briefing prints.
    assert summary(written)["status"] == "optimal"
    assert "objective" not in summary(written)
    values = run_sheet(written)
    assert values["objective"] == 497_000
    assert values["value"] == 700_000
    assert values["goal_shortfall"] == -200_000
    assert values["cost"] == -3_000
    assert values["gap"] == 0
    assert load_workbook(written / "schedule.xlsx")["Run"].sheet_state == "hidden"


def test_summary_counts_money_goals_and_input(written: Path) -> None:
    values = summary(written)
    # Held E1 (mandatory) and E2; E3 not held. Organizer 500 + 200 = 700;
    # partners 1300 + 1000 = 2300. Goal G1 (soft) is short by one.
    assert values["exercises held"] == 2
    assert values["  mandatory"] == 1
    assert values["  optional"] == 1
    assert values["exercises not held"] == 1
    assert values["organizer spend"] == 700
    assert values["partner spend"] == 2300
    assert values["soft goals met"] == 0
    assert values["hard goals met"] == 0
    assert values["input file"] == "programme.xlsx"
    run = run_sheet(written)
    assert run["num_workers"] == 2
    assert run["planner version"] == __version__
    assert run["input sha256"] == hashlib.sha256(INPUT_BYTES).hexdigest()


def test_solver_internals_are_on_the_run_sheet_at_the_end(written: Path) -> None:
    workbook = load_workbook(written / "schedule.xlsx")
    assert workbook.sheetnames[-1] == "Run"
    values = summary(written)
    for internal in ("num_workers", "best bound", "gap", "solve time (s)"):
        assert internal not in values


def test_calendar_labels_each_bar_once_with_its_venue(written: Path) -> None:
    ws = sheet(written, "Calendar")
    # One block (the ten weeks lie in one half-year): row 1 its title and
    # months, row 2 the headings and each slot's first day, then E1 and E2.
    # Slot columns start at D (slot 0): E1 holds slots 1-2 (E, F), E2 slot 3 (G).
    held = {
        cell.coordinate: cell.value
        for row in ws.iter_rows(min_row=3, min_col=4)
        for cell in row
        if cell.fill.fill_type == "solid"
    }
    assert held == {"E3": "V", "F3": None, "G4": "W"}
    assert ws["A1"].value == "Jan to Mar 2027"
    assert ws["E2"].value == dt.datetime(2027, 1, 11)
    assert ws["E2"].number_format == "d"
    assert ws["D1"].value == "Jan 2027"
    assert ws.freeze_panes == "D1"


def test_partners_sheet_shows_spend_budget_and_attendance(written: Path) -> None:
    ws = sheet(written, "Partners")
    table = [row[:6] for row in rows(ws)[1:4]]
    # A: E1 only, 1000 + 300 travel of its 10,000; B: E1 and E2, 1000, no budget.
    assert table == [
        ["Partner", "Name", "Events", "Spend", "Budget", "Remaining"],
        ["A", "Norway", 1, 1300, 10_000, 8700],
        ["B", None, 2, 1000, None, None],
    ]
    # Slot 0 is column G: B takes part in E1 in slots 1-2 and E2 in slot 3,
    # each bar labelled in its first slot.
    assert [ws.cell(4, 7 + slot).value for slot in range(5)] == [
        None,
        "E1",
        None,
        "E2",
        None,
    ]


def test_venues_sheet_shows_exercises_by_slot(written: Path) -> None:
    ws = sheet(written, "Venues")
    assert rows(ws)[2][:4] == ["V", "Oslo", 1, 2]
    # Slot 0 is column E: V holds E1 in slots 1-2.
    assert [ws.cell(3, 5 + slot).value for slot in range(4)] == [None, "E1", None, None]
    assert ws.cell(3, 6).fill.fill_type == "solid"


def test_a_year_prints_as_two_half_year_blocks(tmp_path: Path) -> None:
    from planner.outputs.grids import slot_blocks

    starts = [dt.date(2027, 1, 4) + dt.timedelta(weeks=i) for i in range(51)]
    blocks = slot_blocks(starts, 7)
    # 26 weeks start January to June (the last on 28 June), 25 after.
    assert [(b.start, b.stop) for b in blocks] == [(0, 26), (26, 51)]
    three_years = [dt.date(2027, 1, 4) + dt.timedelta(weeks=i) for i in range(156)]
    assert len(slot_blocks(three_years, 7)) == 6


def test_goals_sheet_reports_progress(written: Path) -> None:
    table = rows(sheet(written, "Goals"))
    assert table[0][:10] == [
        "Goal",
        "Kind",
        "Partners",
        "Area",
        "Hard or soft",
        "Weight",
        "Target",
        "Achieved",
        "Shortfall",
        "Met",
    ]
    # A and B take part together in E1 only: 1 of 2.
    assert table[1][:10] == ["G1", "together", "A; B", None, "soft", 1, 2, 1, 1, "no"]


def left_out(out_dir: Path) -> list[list[object]]:
    """The table of exercises left out, below the goals: header, then rows."""
    table = rows(sheet(out_dir, "Goals"))
    title = next(i for i, row in enumerate(table) if row[0] == "Exercises left out")
    header = table[title + 1]
    width = next((i for i, v in enumerate(header) if v is None), len(header))
    return [
        row[:width] for row in table[title + 1 :] if any(v is not None for v in row)
    ]


def test_exercises_left_out_are_listed_below_the_goals(written: Path) -> None:
    table = left_out(written)
    assert table[0][:3] == ["Exercise", "Name", "Kind"]
    assert table[1] == [
        "E3",
        "HADR drill",
        "HADR drill",
        1,
        3,
        dt.datetime(2027, 1, 4),
        dt.datetime(2027, 3, 14),
        "no",
    ]


def test_no_plan_writes_no_plan_files_and_removes_an_old_schedule(
    tmp_path: Path,
) -> None:
    out_dir = tmp_path / "out"
    write_schedule(small_problem(), small_result(), out_dir, input_file(tmp_path))
    result = Result(
        status=Status.INFEASIBLE, plan=None, runtime_s=0.5, parameters={"seed": 3}
    )
    written = write_schedule(small_problem(), result, out_dir, input_file(tmp_path))
    # No file that opens as an empty calendar, and no plan of the earlier run
    # left to be briefed as this one's.
    assert written[0] == [out_dir / "no-plan.xlsx", out_dir / "no-plan.json"]
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "no-plan.json",
        "no-plan.xlsx",
    ]
    workbook = load_workbook(out_dir / "no-plan.xlsx")
    assert workbook.sheetnames == ["Summary", "Run"]
    values = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True)}
    assert values["status"] == "infeasible"
    run = {row[0]: row[1] for row in workbook["Run"].iter_rows(values_only=True)}
    assert run["seed"] == 3
    assert run["input sha256"] == hashlib.sha256(INPUT_BYTES).hexdigest()
    notes = [row[1] for row in workbook["Summary"].iter_rows(values_only=True)]
    assert (
        "This folder holds no schedule: a schedule.xlsx or schedule.json of "
        "an earlier run here was removed, so that no one briefs an old plan as "
        "this one." in notes
    )
    data = json.loads((out_dir / "no-plan.json").read_text(encoding="utf-8"))
    assert data["plan"] is None
    assert data["status"] == "infeasible"


def test_a_plan_removes_an_old_no_plan_record(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    result = Result(status=Status.NO_PLAN, plan=None, parameters={"time_limit_s": 2})
    write_schedule(small_problem(), result, out_dir, input_file(tmp_path))
    values = {
        row[0]: row[1]
        for row in load_workbook(out_dir / "no-plan.xlsx")["Summary"].iter_rows(
            values_only=True
        )
    }
    assert values["time limit (s)"] == 2
    write_schedule(small_problem(), small_result(), out_dir, input_file(tmp_path))
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "schedule.json",
        "schedule.xlsx",
    ]


def fail_midway(self: Path, data: bytes) -> int:
    """A write that dies after writing part of the file, like a full disk."""
    with self.open("wb") as stream:
        stream.write(data[:100])
    raise OSError(errno.ENOSPC, "No space left on device")


def test_interrupted_write_leaves_no_schedule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    programme = input_file(tmp_path)
    monkeypatch.setattr(Path, "write_bytes", fail_midway)
    out_dir = tmp_path / "out"
    with pytest.raises(OutputError, match=r"schedule\.xlsx: the disk is full"):
        write_schedule(small_problem(), small_result(), out_dir, programme)
    assert list(out_dir.iterdir()) == []


def test_interrupted_write_keeps_the_previous_result(
    written: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {p.name: p.read_bytes() for p in written.iterdir()}
    programme = input_file(tmp_path)
    monkeypatch.setattr(Path, "write_bytes", fail_midway)
    with pytest.raises(OutputError, match=r"schedule\.xlsx: the disk is full"):
        write_schedule(small_problem(), small_result(), written, programme)
    assert {p.name: p.read_bytes() for p in written.iterdir()} == before


def test_result_never_overwrites_the_input(tmp_path: Path) -> None:
    workbook = tmp_path / "schedule.xlsx"
    workbook.write_bytes(INPUT_BYTES)
    with pytest.raises(OutputError, match="would be overwritten"):
        write_schedule(small_problem(), small_result(), tmp_path, workbook)
    assert workbook.read_bytes() == INPUT_BYTES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schedule.xlsx"]


def test_odd_solver_values_stay_out_of_json_and_cells(tmp_path: Path) -> None:
    result = dataclasses.replace(
        small_result(),
        bound=math.inf,
        statistics={"deterministic_time": math.nan, "branches": np.int64(40)},
    )
    out_dir = tmp_path / "out"
    write_schedule(small_problem(), result, out_dir, input_file(tmp_path))
    data = json.loads((out_dir / "schedule.json").read_text(encoding="utf-8"))
    assert (data["bound"], data["gap"]) == (None, None)
    assert data["statistics"] == {"deterministic_time": None, "branches": 40}
    values = run_sheet(out_dir)
    assert (values["best bound"], values["gap"]) == (None, None)
    assert values["deterministic_time"] is None


def test_summary_checks_the_change_term_against_the_baseline(tmp_path: Path) -> None:
    # Re-planned against a baseline without E2: adding E2 costs change_add.
    # The result claims another change term; the checker must object.
    problem, plan = small_problem(), small_plan()
    baseline = dataclasses.replace(
        plan, events=tuple(e for e in plan.events if e.exercise_id != "E2")
    )
    terms = objective_terms(problem, plan, baseline)
    change_add = problem.settings.weights.change_add
    assert terms["change"] == -change_add
    claimed = terms | {"change": -1}
    result = dataclasses.replace(
        small_result(),
        terms=claimed,
        objective=sum(claimed.values()),
        baseline=baseline,
    )
    write_schedule(problem, result, tmp_path / "out", input_file(tmp_path))
    notes = {row[0]: row[2] for row in rows(sheet(tmp_path / "out", "Run")) if row[0]}
    assert notes["change"] == f"the independent checker computes {-change_add:,}"
