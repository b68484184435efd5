"""Public holidays from the command line: the sample with public_holidays on."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.test_cli import SAMPLE, assert_checked, run

# Norway's Easter 2027: Maundy Thursday 25 March and Good Friday 26 March fall
# in the sample's week of Monday 22 March.
EASTER_WEEK = (dt.date(2027, 3, 22), dt.date(2027, 3, 28))


@pytest.mark.slow
def test_solve_keeps_partners_out_of_their_holiday_weeks(tmp_path: Path) -> None:
    workbook = tmp_path / "sample.xlsx"
    shutil.copy(SAMPLE, workbook)
    book = load_workbook(workbook)
    book["Settings"].append(["public_holidays", "yes"])
    book.save(workbook)
    out = tmp_path / "out"
    ran = run("solve", workbook, "--out", out, "--time-limit", "20", "--quiet")
    assert ran.exit_code == 0, ran.output
    assert_checked(workbook, out)
    holidays = load_workbook(out / "schedule.xlsx")["Holidays"]
    listed = [row for row in holidays.iter_rows(min_row=2, values_only=True)]
    assert ("NOR", "NO", dt.datetime(2027, 3, 25), "Maundy Thursday") in [
        row[:4] for row in listed
    ]
    data = json.loads((out / "schedule.json").read_text())
    first, last = EASTER_WEEK
    for event in data["events"]:
        start = dt.date.fromisoformat(event["start_date"])
        end = dt.date.fromisoformat(event["end_date"])
        if start <= last and first <= end:
            assert "NOR" not in event["participants"], event["exercise_id"]
    assert [h["name"] for h in data["workbook"]["holidays"] if h["blocks"]]
