"""Reading a plan back from schedule.xlsx / schedule.json, and the JSON layout."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from planner import __version__
from planner.app.publish import plan_to_json
from planner.domain import (
    TERM_COST,
    TERM_GOAL_SHORTFALL,
    TERM_VALUE,
    Event,
    Finding,
    Goal,
    GoalKind,
    Partner,
    Plan,
    Problem,
    Result,
    Severity,
    Status,
    Venue,
)
from planner.outputs.schedule_json import json_safe
from planner.workbook.read_schedule import read_baseline, read_plan
from tests.factories import exercise, make_problem

INPUT_BYTES = b"stand-in for the input workbook"


def small_problem() -> Problem:
    """Two partners, two venues, three exercises over 10 weeks from 2027-01-04."""
    return make_problem(
        [
            exercise(
                "E1",
                duration=2,
                name="Cold Response",
                kind="exercise",
                value=5,
                mandatory=True,
                fixed_cost=500,
                cost_per_partner=1000,
                areas=frozenset({"maritime"}),
                required_partners=("A",),
                invited_partners=("A", "B"),
            ),
            exercise(
                "E2",
                name="Staff talks",
                kind="staff talks",
                value=2,
                invited_partners=("A", "B"),
            ),
            exercise("E3", duration=3, name="HADR drill", kind="HADR drill", value=1),
        ],
        partners=[Partner("A", name="Norway", budget=10_000), Partner("B")],
        venues=[Venue("V", name="Oslo", cost_per_slot=100), Venue("W")],
        travel_costs=(("A", "V", 300),),
        goals=(Goal("G1", GoalKind.TOGETHER, 2, partners=("A", "B")),),
    )


def small_plan() -> Plan:
    return Plan(
        (
            Event("E1", start=1, venue_id="V", participants=("A", "B")),
            Event("E2", start=3, venue_id="W", participants=("B",)),
        )
    )


def small_result(plan: Plan | None = None) -> Result:
    """Terms by hand, weights 100,000 / 200,000 / 1:
    value = 100,000 * (5 + 2) = 700,000
    goal_shortfall = -200,000 * 1 (A and B together once, target 2) = -200,000
    cost = -(organizer 500 + 100 * 2 + partners A 1000 + 300, B 1000) = -3,000
    """
    return Result(
        status=Status.OPTIMAL,
        plan=plan if plan is not None else small_plan(),
        objective=497_000,
        bound=497_000.0,
        terms={TERM_VALUE: 700_000, TERM_GOAL_SHORTFALL: -200_000, TERM_COST: -3_000},
        runtime_s=1.25,
        parameters={"max_time_in_seconds": 10.0, "num_workers": 2, "random_seed": 0},
        statistics={"conflicts": 12},
    )


def input_file(tmp_path: Path) -> Path:
    path = tmp_path / "programme.xlsx"
    path.write_bytes(INPUT_BYTES)
    return path


def write_json(tmp_path: Path, data: dict[str, object]) -> Path:
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(data, allow_nan=False), encoding="utf-8")
    return path


SCHEDULE_HEADER = [
    "exercise_id",
    "name",
    "start_date",
    "end_date",
    "venue_id",
    "participants",
]


def write_schedule_sheet(
    tmp_path: Path, rows: list[list[object]], sheet: str = "Schedule"
) -> Path:
    """A hand-made Schedule sheet, as a staff officer might edit it."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(SCHEDULE_HEADER)
    for row in rows:
        ws.append(row)
    path = tmp_path / "schedule.xlsx"
    workbook.save(path)
    return path


# plan_to_json ---------------------------------------------------------------


def test_json_event_holds_dates_slots_and_participants(tmp_path: Path) -> None:
    data = plan_to_json(small_problem(), small_result(), input_file(tmp_path))
    # E1 starts in slot 1 (2027-01-04 + 7 days) and lasts 2 weeks: it ends on
    # the Sunday of slot 2, 2027-01-11 + 13 days.
    assert data["events"][0] == {
        "exercise_id": "E1",
        "start_date": "2027-01-11",
        "end_date": "2027-01-24",
        "start_slot": 1,
        "duration": 2,
        "venue_id": "V",
        "participants": ["A", "B"],
    }


def test_json_records_run_and_input(tmp_path: Path) -> None:
    data = plan_to_json(small_problem(), small_result(), input_file(tmp_path))
    assert data["planner_version"] == __version__
    assert data["input"] == {
        "file": "programme.xlsx",
        "sha256": hashlib.sha256(INPUT_BYTES).hexdigest(),
    }
    assert data["status"] == "optimal"
    assert data["terms"] == {
        "value": 700_000,
        "goal_shortfall": -200_000,
        "cost": -3000,
    }
    assert data["gap"] == 0.0
    assert data["parameters"]["num_workers"] == 2
    assert data["planning_start"] == "2027-01-04"
    assert data["time_unit"] == "week"


def test_json_lists_exercises_not_held_with_their_window(tmp_path: Path) -> None:
    data = plan_to_json(small_problem(), small_result(), input_file(tmp_path))
    # E3's window is the whole horizon: 10 weeks from 2027-01-04 end 2027-03-14.
    assert data["unscheduled"] == [
        {
            "exercise_id": "E3",
            "name": "HADR drill",
            "kind": "HADR drill",
            "value": 1,
            "mandatory": False,
            "earliest_start_date": "2027-01-04",
            "latest_end_date": "2027-03-14",
            "impossible": [],
        }
    ]


def test_json_without_plan_says_so(tmp_path: Path) -> None:
    result = Result(status=Status.INFEASIBLE, plan=None, parameters={"seed": 3})
    data = plan_to_json(small_problem(), result, input_file(tmp_path))
    assert data["plan"] is None
    assert data["events"] is None
    assert data["status"] == "infeasible"
    assert data["parameters"] == {"seed": 3}


def test_json_safe_turns_solver_values_into_plain_json() -> None:
    value = {
        "nan": math.nan,
        "inf": math.inf,
        "numpy": np.int64(7),
        "array": np.array([1.5, 2.5]),
        "set": {"b", "a"},
        "day": dt.date(2027, 1, 4),
        "status": Status.FEASIBLE,
        3: (1, 2),
    }
    assert json_safe(value) == {
        "nan": None,
        "inf": None,
        "numpy": 7,
        "array": [1.5, 2.5],
        "set": ["a", "b"],
        "day": "2027-01-04",
        "status": "feasible",
        "3": [1, 2],
    }
    json.dumps(json_safe(value), allow_nan=False)


def test_input_that_cannot_be_read_has_no_fingerprint(tmp_path: Path) -> None:
    data = plan_to_json(small_problem(), small_result(), tmp_path / "gone.xlsx")
    assert data["input"] == {"file": "gone.xlsx", "sha256": None}


# read_plan from JSON ----------------------------------------------------------


def test_json_round_trip_gives_the_same_plan(tmp_path: Path) -> None:
    problem = small_problem()
    path = write_json(
        tmp_path, plan_to_json(problem, small_result(), input_file(tmp_path))
    )
    assert read_plan(problem, path) == (small_plan(), [])


def test_json_plan_follows_dates_when_planning_start_moves(tmp_path: Path) -> None:
    problem = small_problem()
    path = write_json(
        tmp_path, plan_to_json(problem, small_result(), input_file(tmp_path))
    )
    settings = dataclasses.replace(
        problem.settings, planning_start=dt.date(2026, 12, 28)
    )
    earlier = dataclasses.replace(problem, settings=settings)
    plan, findings = read_plan(earlier, path)
    # One week earlier start: 2027-01-11 is now slot 2, 2027-01-25 slot 4.
    assert findings == []
    assert plan is not None
    assert [e.start for e in plan.events] == [2, 4]


def test_json_without_plan_gives_a_finding(tmp_path: Path) -> None:
    result = Result(status=Status.NO_PLAN, plan=None)
    path = write_json(
        tmp_path, plan_to_json(small_problem(), result, input_file(tmp_path))
    )
    assert read_plan(small_problem(), path) == (
        None,
        [
            Finding(
                "schedule.json", "", "holds no plan (the run's status: no plan found)"
            )
        ],
    )


def test_json_unknown_ids_and_bad_date_name_the_event(tmp_path: Path) -> None:
    events = [
        {"exercise_id": "E9", "start_date": "2027-01-11", "venue_id": "V",
         "participants": []},
        {"exercise_id": "E2", "start_date": "soon", "venue_id": "X",
         "participants": ["A", "Z"]},
    ]  # fmt: skip
    path = write_json(tmp_path, {"events": events})
    plan, findings = read_plan(small_problem(), path)
    assert plan is None
    assert findings == [
        Finding(
            "schedule.json",
            "events[0].exercise_id",
            "exercise 'E9' is not in the workbook's Exercises sheet",
        ),
        Finding(
            "schedule.json",
            "events[1].start_date",
            "exercise E2: start_date 'soon' is not a date (YYYY-MM-DD)",
        ),
        Finding(
            "schedule.json",
            "events[1].venue_id",
            "exercise E2: venue 'X' is not in the workbook's Venues sheet",
        ),
        Finding(
            "schedule.json",
            "events[1].participants",
            "exercise E2: partner 'Z' is not in the workbook's Partners sheet",
        ),
    ]


def test_json_that_is_not_json_gives_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "schedule.json"
    path.write_text('{"events": [\n  oops', encoding="utf-8")
    assert read_plan(small_problem(), path) == (
        None,
        [Finding("schedule.json", "", "is not valid JSON (line 2, column 3)")],
    )


# read_plan from the Schedule sheet ----------------------------------------------


def test_schedule_sheet_accepts_dates_iso_text_and_comma_lists(tmp_path: Path) -> None:
    path = write_schedule_sheet(
        tmp_path,
        [
            ["E1", "", dt.datetime(2027, 1, 11), None, "V", "A; B"],
            # A Wednesday stands for the week holding it (slot 3).
            ["E2", "", "2027-01-27", None, "W", "B, A"],
            [None, None, None, None, None, None],
        ],
    )
    assert read_plan(small_problem(), path) == (
        Plan(
            (
                Event("E1", 1, "V", ("A", "B")),
                Event("E2", 3, "W", ("B", "A")),
            )
        ),
        [],
    )


def test_bad_schedule_cells_give_findings_at_those_cells(tmp_path: Path) -> None:
    path = write_schedule_sheet(
        tmp_path,
        [
            ["E9", "", dt.date(2027, 1, 11), None, "V", "A"],
            ["E1", "", "next week", None, "V", "A"],
            ["E2", "", dt.date(2027, 1, 25), None, "OSL", "A; ZZ"],
            [None, "", dt.date(2027, 1, 25), None, "V", ""],
        ],
    )
    plan, findings = read_plan(small_problem(), path)
    assert plan is None
    assert findings == [
        Finding(
            "Schedule", "A2", "exercise 'E9' is not in the workbook's Exercises sheet"
        ),
        Finding(
            "Schedule",
            "C3",
            "exercise E1: start_date next week is not a date; write an Excel date "
            "or YYYY-MM-DD",
        ),
        Finding(
            "Schedule",
            "E4",
            "exercise E2: venue 'OSL' is not in the workbook's Venues sheet",
        ),
        Finding(
            "Schedule",
            "F4",
            "exercise E2: partner 'ZZ' is not in the workbook's Partners sheet",
        ),
        Finding("Schedule", "A5", "exercise_id is blank"),
    ]


def test_hand_edited_end_date_is_ignored_with_a_warning(tmp_path: Path) -> None:
    path = write_schedule_sheet(
        tmp_path,
        [["E1", "", dt.date(2027, 1, 11), dt.date(2027, 1, 17), "V", "A"]],
    )
    plan, findings = read_plan(small_problem(), path)
    # E1 lasts 2 weeks: from 2027-01-11 it ends 2027-01-24, not 2027-01-17.
    assert plan == Plan((Event("E1", 1, "V", ("A",)),))
    assert findings == [
        Finding(
            "Schedule",
            "D2",
            "exercise E1: end_date 2027-01-17 is ignored; it lasts 2 "
            "week(s), so it ends 2027-01-24",
            Severity.WARNING,
        )
    ]


def test_missing_schedule_columns_are_named(tmp_path: Path) -> None:
    workbook = Workbook()
    ws = workbook.active
    ws.title = "Schedule"
    ws.append(["exercise_id", "start_date", "participants"])
    path = tmp_path / "schedule.xlsx"
    workbook.save(path)
    assert read_plan(small_problem(), path) == (
        None,
        [Finding("Schedule", "", "the header row (row 1) has no venue_id column")],
    )


def test_workbook_without_schedule_sheet_gives_a_finding(tmp_path: Path) -> None:
    path = write_schedule_sheet(tmp_path, [], sheet="Summary")
    plan, findings = read_plan(small_problem(), path)
    assert plan is None
    assert [(f.sheet, f.cell) for f in findings] == [("schedule.xlsx", "")]
    assert "has no Schedule sheet" in findings[0].message


def test_corrupt_workbook_gives_a_finding_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "schedule.xlsx"
    path.write_bytes(b"not a zip file")
    plan, findings = read_plan(small_problem(), path)
    assert plan is None
    assert [(f.sheet, f.cell) for f in findings] == [("schedule.xlsx", "")]
    assert "cannot be opened as an Excel workbook" in findings[0].message


def test_other_files_and_missing_paths_give_findings(tmp_path: Path) -> None:
    csv = tmp_path / "schedule.csv"
    csv.write_text("exercise_id\n", encoding="utf-8")
    assert read_plan(small_problem(), csv)[1] == [
        Finding(
            "schedule.csv", "", "is not a schedule: expected an .xlsx or .json file"
        )
    ]
    assert read_plan(small_problem(), tmp_path / "nope.json")[1] == [
        Finding("nope.json", "", "file not found")
    ]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert read_plan(small_problem(), empty)[1] == [
        Finding("empty", "", "folder holds neither schedule.json nor schedule.xlsx")
    ]


def test_result_folder_prefers_the_json(tmp_path: Path) -> None:
    problem = small_problem()
    write_json(tmp_path, plan_to_json(problem, small_result(), input_file(tmp_path)))
    # The sheet says E2 only; the JSON (preferred) says E1 and E2.
    write_schedule_sheet(tmp_path, [["E2", "", "2027-01-25", None, "W", "B"]])
    assert read_plan(problem, tmp_path) == (small_plan(), [])


# read_baseline ----------------------------------------------------------------


def test_baseline_sheet_rows_the_workbook_lost_are_warned_and_the_rest_used(
    tmp_path: Path,
) -> None:
    # Row 2: exercise E9 was deleted; row 3: partner ZZ renamed away; row 4:
    # venue OSL removed; row 5: E2 again. Kept: E1 without ZZ, E2 at OSL.
    path = write_schedule_sheet(
        tmp_path,
        [
            ["E9", "", dt.date(2027, 1, 11), None, "V", "A"],
            ["E1", "", dt.date(2027, 1, 11), None, "V", "A; ZZ"],
            ["E2", "", dt.date(2027, 1, 25), None, "OSL", "B"],
            ["E2", "", dt.date(2027, 2, 1), None, "V", "B"],
        ],
    )
    plan, findings = read_baseline(small_problem(), path)
    assert plan == Plan((Event("E1", 1, "V", ("A",)), Event("E2", 3, "OSL", ("B",))))
    warn = Severity.WARNING
    assert findings == [
        Finding(
            "Schedule",
            "A2",
            "exercise 'E9' is not in the workbook's Exercises sheet; this row is "
            "left out of the baseline",
            warn,
        ),
        Finding(
            "Schedule",
            "F3",
            "exercise E1: partner 'ZZ' is not in the workbook's Partners sheet; "
            "it is left out of this baseline event",
            warn,
        ),
        Finding(
            "Schedule",
            "E4",
            "exercise E2: venue 'OSL' is not in the workbook's Venues sheet; the "
            "event stays in the baseline, and holding it at another venue is not "
            "counted as a venue change",
            warn,
        ),
        Finding(
            "Schedule",
            "A5",
            "exercise E2 is listed again; only its first event is the baseline",
            warn,
        ),
    ]


def test_baseline_json_rows_are_warned_by_path(tmp_path: Path) -> None:
    events = [
        {"exercise_id": "E9", "start_date": "2027-01-11", "venue_id": "X",
         "participants": []},
        {"exercise_id": "E2", "start_date": "soon", "venue_id": "V",
         "participants": []},
        {"exercise_id": "E1", "start_date": "2027-01-11", "venue_id": "V",
         "participants": ["A", "Z"]},
    ]  # fmt: skip
    plan, findings = read_baseline(
        small_problem(), write_json(tmp_path, {"events": events})
    )
    assert plan == Plan((Event("E1", 1, "V", ("A",)),))
    assert [(f.cell, f.severity) for f in findings] == [
        ("events[0].exercise_id", Severity.WARNING),
        ("events[1].start_date", Severity.WARNING),
        ("events[2].participants", Severity.WARNING),
    ]


def test_baseline_that_is_no_schedule_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    plan, findings = read_baseline(small_problem(), path)
    assert plan is None
    assert findings == [
        Finding("notes.txt", "", "is not a schedule: expected an .xlsx or .json file")
    ]
