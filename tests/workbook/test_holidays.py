"""Public holidays as partner blackouts, and country codes checked against ISO 3166.

The minimal programme runs twelve weeks from Monday 2027-01-04; slot 11 is the
week of Monday 2027-03-22, which holds Maundy Thursday (25th) and Good Friday
(26th) in Norway, Good Friday only in Estonia, and Easter Sunday (28th) in all
three. Poland's Epiphany, Wednesday 2027-01-06, is alone in slot 0.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from planner.app.publish import write_schedule
from planner.domain import Period, Result, Source, Status
from planner.explain.words import describe_row
from planner.public_holidays import HOLIDAYS_SHEET
from tests.workbook.conftest import Reader, Sheets, set_cell

EASTER_WEEK = 11


def holidays_on(programme: Sheets, per_week: int | None = None) -> Sheets:
    set_cell(programme, "Settings", "A7", "public_holidays")
    set_cell(programme, "Settings", "B7", "yes")
    if per_week is not None:
        set_cell(programme, "Settings", "A8", "holiday_days_per_week")
        set_cell(programme, "Settings", "B8", per_week)
    return programme


def holiday_blackouts(problem: object, partner_id: str) -> list[Period]:
    partner = problem.partner[partner_id]  # type: ignore[attr-defined]
    return [p for p in partner.unavailable if p.reason.startswith("public holidays")]


def test_no_holidays_unless_settings_ask(programme: Sheets, read: Reader) -> None:
    problem, _ = read(programme)
    assert problem is not None
    assert problem.holidays == ()
    assert holiday_blackouts(problem, "NOR") == []


def test_a_week_with_two_weekday_holidays_is_blocked(
    programme: Sheets, read: Reader
) -> None:
    problem, findings = read(holidays_on(programme))
    assert problem is not None, findings
    (easter,) = holiday_blackouts(problem, "NOR")
    assert (easter.first, easter.last) == (EASTER_WEEK, EASTER_WEEK)
    assert (
        easter.reason
        == "public holidays in NO: Maundy Thursday, Good Friday, Easter Sunday"
    )
    # One weekday holiday does not block a week: Estonia's Good Friday, Poland's
    # Epiphany; Easter Sunday falls on a weekend and counts for nobody.
    assert holiday_blackouts(problem, "EST") == []
    assert holiday_blackouts(problem, "POL") == []
    epiphany = next(h for h in problem.holidays if h.partner_id == "POL")
    assert (epiphany.day, epiphany.name, epiphany.blocks) == (
        dt.date(2027, 1, 6),
        "Epiphany",
        False,
    )


def test_holiday_rows_are_numbered_as_the_holidays_sheet_lists_them(
    programme: Sheets, read: Reader
) -> None:
    problem, _ = read(holidays_on(programme))
    assert problem is not None
    (easter,) = holiday_blackouts(problem, "NOR")
    row = easter.source
    assert row is not None and row.sheet == HOLIDAYS_SHEET
    listed = problem.holidays[row.row - 2]
    assert (listed.partner_id, listed.name) == ("NOR", "Maundy Thursday")
    assert describe_row(problem, row) == (
        "Partner NOR is unavailable 2027-03-22 to 2027-03-28 (public holidays in "
        "NO: Maundy Thursday, Good Friday, Easter Sunday) (Holidays row "
        f"{row.row})"
    )


def test_one_holiday_blocks_a_week_when_settings_say_one(
    programme: Sheets, read: Reader
) -> None:
    problem, _ = read(holidays_on(programme, per_week=1))
    assert problem is not None
    assert [(p.first, p.reason) for p in holiday_blackouts(problem, "POL")] == [
        (0, "public holidays in PL: Epiphany")
    ]
    assert [p.first for p in holiday_blackouts(problem, "EST")] == [7, EASTER_WEEK]


def test_a_partner_may_opt_out_or_in(programme: Sheets, read: Reader) -> None:
    set_cell(programme, "Partners", "J1", "public_holidays")
    set_cell(programme, "Partners", "J2", "no")  # NOR, Settings say yes
    problem, _ = read(holidays_on(programme))
    assert problem is not None
    assert holiday_blackouts(problem, "NOR") == []
    assert {h.partner_id for h in problem.holidays} == {"POL", "EST"}

    set_cell(programme, "Settings", "B7", "no")
    set_cell(programme, "Partners", "J2", "yes")  # only NOR
    problem, _ = read(programme)
    assert problem is not None
    assert {h.partner_id for h in problem.holidays} == {"NOR"}


def test_day_slots_block_each_holiday(programme: Sheets, read: Reader) -> None:
    set_cell(programme, "Settings", "B4", "day")
    problem, findings = read(holidays_on(programme))
    assert problem is not None, findings
    start = dt.date(2027, 1, 4)
    days = [start + dt.timedelta(p.first) for p in holiday_blackouts(problem, "POL")]
    assert days == [dt.date(2027, 1, 6), dt.date(2027, 3, 28)]


def test_alpha_3_codes_are_read_as_alpha_2(programme: Sheets, read: Reader) -> None:
    set_cell(programme, "Partners", "C2", "nor")
    problem, _ = read(programme)
    assert problem is not None
    assert problem.partner["NOR"].country_code == "NO"


def test_country_code_must_be_iso_3166(programme: Sheets, read: Reader) -> None:
    set_cell(programme, "Partners", "C2", "UK")
    set_cell(programme, "Partners", "C3", "Poland")
    problem, findings = read(programme)
    assert problem is None
    assert [str(f) for f in findings] == [
        "Partners!C2: country_code must be an ISO 3166 country code such as NO "
        'or NOR, got "UK" (the United Kingdom is GB)',
        "Partners!C3: country_code must be an ISO 3166 country code such as NO "
        'or NOR, got "Poland"',
    ]


def test_holidays_per_week_must_be_at_least_one(
    programme: Sheets, read: Reader
) -> None:
    problem, findings = read(holidays_on(programme, per_week=0))
    assert problem is None
    assert [f.cell for f in findings] == ["B8"]


def test_holiday_blackouts_come_after_the_workbook_ones(
    programme: Sheets, read: Reader
) -> None:
    problem, _ = read(holidays_on(programme))
    assert problem is not None
    easter = next(h for h in problem.holidays if h.blocks)
    assert [p.source for p in problem.partner["NOR"].unavailable] == [
        Source("Unavailability", 2),  # the workbook's week 2
        easter.source,
    ]


def test_the_result_lists_holidays_where_explanations_point(
    programme: Sheets, read: Reader, tmp_path: Path
) -> None:
    problem, _ = read(holidays_on(programme))
    assert problem is not None
    # Even with no plan: an explanation of why none exists may name these rows.
    write_schedule(problem, Result(Status.INFEASIBLE, None), tmp_path, tmp_path / "in")
    sheet = load_workbook(tmp_path / "no-plan.xlsx")[HOLIDAYS_SHEET]
    easter = next(h for h in problem.holidays if h.blocks)
    assert easter.source is not None
    row = [cell.value for cell in sheet[easter.source.row]]
    assert row[:4] == ["NOR", "NO", dt.datetime(2027, 3, 25), "Maundy Thursday"]
    assert row[5] == "yes"
