"""Issue 21, "Dates as typed": where weeks round a date the planner typed,
explanations show the week and that date together; in day units nothing
rounds and the date shows alone. And what a choice costs is said in value
points and money, not in the solver's objective.

The minimal programme (tests/workbook/conftest.py) runs in weeks from Monday
2027-01-04: TALKS is fixed to Wednesday 2027-03-03 (week 8, from 2027-03-01),
NOR is unavailable Monday 2027-01-18 to Wednesday 2027-01-20 (week 2), TAPA
from 2026-12-20 (before the horizon) to Tuesday 2027-01-12 (week 1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from planner.app.publish import write_schedule
from planner.check import check_plan
from planner.domain import (
    Event,
    Partner,
    Period,
    Plan,
    Problem,
    Result,
    SolveOptions,
    Source,
    Status,
)
from planner.explain.reasons import explain_result
from planner.explain.suggest import suggest
from planner.explain.words import describe_row, fitted_text
from planner.model.solve import solve
from planner.workbook.read import read_problem
from tests.factories import exercise, make_problem
from tests.outputs.test_schedule_xlsx import left_out
from tests.workbook.conftest import minimal_programme, set_cell, write_workbook

D = dt.date
OPTIONS = SolveOptions(time_limit_s=20, deterministic=True)
TALKS = Source("Exercises", 3)
NOR_HOLIDAY = Source("Unavailability", 2)
TAPA_MAINTENANCE = Source("Unavailability", 3)


def minimal(tmp_path: Path, time_unit: str) -> Problem:
    sheets = set_cell(minimal_programme(), "Settings", "B4", time_unit)
    problem, findings = read_problem(write_workbook(tmp_path / "p.xlsx", sheets))
    assert problem is not None and findings == []
    return problem


def in_euros(problem: Problem) -> Problem:
    return replace(problem, settings=replace(problem.settings, currency="EUR"))


def test_the_dates_typed_are_kept_beside_the_slots(tmp_path: Path) -> None:
    problem = minimal(tmp_path, "week")
    talks = problem.exercise["TALKS"]
    assert (talks.fixed_start, talks.fixed_start_date) == (8, D(2027, 3, 3))
    # Blank earliest_start and latest_end: no typed date, the horizon's ends.
    assert (talks.earliest_start_date, talks.latest_end_date) == (None, None)
    dynmon = problem.exercise["DYNMON"]
    assert (dynmon.earliest_start_date, dynmon.latest_end_date) == (
        D(2027, 1, 11),
        D(2027, 2, 28),
    )
    (holiday,) = problem.partner["NOR"].unavailable
    assert (holiday.first, holiday.last) == (2, 2)
    assert (holiday.start_date, holiday.end_date) == (D(2027, 1, 18), D(2027, 1, 20))


# Each row in weeks, then in days. In weeks: TALKS's Wednesday start is its
# week's; NOR's holiday, typed Monday to Wednesday, blocks its whole week;
# TAPA's start before the horizon is cut to planning_start and its Tuesday
# end blocks the week to Sunday 2027-01-17. In days nothing rounds.
ROWS_AS_READ = {
    "week": {
        TALKS: "Exercise TALKS 'Staff talks' (optional, 1 week, window 2027-01-04 "
        "to 2027-03-28, fixed to start the week of 2027-03-01 (fixed start "
        "2027-03-03 falls in it)) (Exercises row 3)",
        NOR_HOLIDAY: "Partner NOR is unavailable the week of 2027-01-18 (end "
        "2027-01-20 falls in it) (national holiday) (Unavailability row 2)",
        TAPA_MAINTENANCE: "Venue TAPA is unavailable 2027-01-04 to the week of "
        "2027-01-11 (end 2027-01-12 falls in it) (maintenance) "
        "(Unavailability row 3)",
    },
    "day": {
        TALKS: "Exercise TALKS 'Staff talks' (optional, 1 day, window 2027-01-04 "
        "to 2027-03-28, fixed to start 2027-03-03) (Exercises row 3)",
        NOR_HOLIDAY: "Partner NOR is unavailable 2027-01-18 to 2027-01-20 "
        "(national holiday) (Unavailability row 2)",
        TAPA_MAINTENANCE: "Venue TAPA is unavailable 2027-01-04 to 2027-01-12 "
        "(maintenance) (Unavailability row 3)",
    },
}


@pytest.mark.parametrize("time_unit", ["week", "day"])
def test_a_week_that_rounds_a_typed_date_names_the_week_and_the_date(
    tmp_path: Path, time_unit: str
) -> None:
    problem = minimal(tmp_path, time_unit)
    expected = ROWS_AS_READ[time_unit]
    assert {row: describe_row(problem, row) for row in expected} == expected


def test_suggest_says_which_typed_date_falls_in_the_week_it_proposes() -> None:
    # Seen: suggest proposed a start of 29 March for an exercise whose
    # earliest start is 1 April. X may start in week 1 (from 2027-01-11),
    # typed as Thursday 2027-01-14, and end by week 3 (to 2027-01-31),
    # typed as Wednesday 2027-01-27.
    x = exercise(
        "X",
        earliest_start=1,
        latest_end=3,
        earliest_start_date=D(2027, 1, 14),
        latest_end_date=D(2027, 1, 27),
    )
    problem = in_euros(make_problem([x]))
    plan = Plan((Event("X", 2, "V", ()),))
    assert check_plan(problem, plan) == []
    found = {s.start: s.text for s in suggest(problem, plan, "X")}
    # Every week of the window is worth the same: one value point, no spend.
    assert found == {
        1: "X at V in the week of 2027-01-11 (earliest start 2027-01-14 falls in "
        "it) with no partners: the plan would be worth the same",
        3: "X at V in the week of 2027-01-25 (latest end 2027-01-27 falls in it) "
        "with no partners: the plan would be worth the same",
    }


def test_holding_a_left_out_exercise_is_priced_in_value_points_and_money() -> None:
    # One week, one venue: Y (5 points) holds it, X (1 point) is left out.
    # Holding X drops Y: 4 value points fewer, 4 x 100,000 EUR. X's earliest
    # start is typed as Wednesday 2027-01-06, inside the only week.
    x = exercise("X", n_slots=1, value=1, earliest_start_date=D(2027, 1, 6))
    problem = in_euros(make_problem([x, exercise("Y", n_slots=1, value=5)], n_slots=1))
    result = solve(problem, OPTIONS)
    assert result.plan is not None and check_plan(problem, result.plan) == []
    assert sorted(result.plan.by_exercise) == ["Y"]
    explanation = explain_result(problem, result, explain_all=True)
    assert explanation is not None
    assert explanation.why["X"] == (
        "Holding it costs more than it brings: the best plan found with it (at V "
        "in the week of 2027-01-04 (earliest start 2027-01-06 falls in it) with "
        "no partners) is worth 400,000 EUR less (drops Y; 4 value points fewer, "
        "worth 400,000 EUR)."
    )
    for word in ("objective", "bound", "gap"):
        assert word not in explanation.why["X"]


def test_an_exercise_that_fits_around_the_plan_says_what_it_adds_and_spends() -> None:
    # X brings 1 value point (100,000 EUR) and costs 150,000 EUR to hold:
    # held around the plan, the plan is worth 50,000 EUR less.
    x = exercise("X", duration=2, value=1, fixed_cost=150_000)
    problem = in_euros(make_problem([x]))
    plan, fitted = Plan(()), Plan((Event("X", 4, "V", ()),))
    assert check_plan(problem, fitted) == []
    assert fitted_text(problem, plan, fitted, "X", 50_000) == (
        "With the rest of the plan as it is, it could be held at V from "
        "2027-02-01 to 2027-02-14 with no partners, but the plan would be worth "
        "50,000 EUR less (1 value point more, worth 100,000 EUR; 150,000 EUR "
        "more spent)."
    )


def test_a_week_that_rounds_both_typed_dates_names_both() -> None:
    # Typed Tuesday 2027-01-12 to Thursday 2027-01-14: week 1 all the same.
    row = Source("Unavailability", 7)
    period = Period(1, 1, "", row, D(2027, 1, 12), D(2027, 1, 14))
    problem = make_problem(
        [exercise("X")], partners=[Partner("A", unavailable=(period,))]
    )
    assert describe_row(problem, row) == (
        "Partner A is unavailable the week of 2027-01-11 (start 2027-01-12 and "
        "end 2027-01-14 fall in it) (Unavailability row 7)"
    )


def test_the_left_out_table_shows_the_window_as_typed(tmp_path: Path) -> None:
    # X's window, typed Wednesday 2027-01-13 to Thursday 2027-02-25, is weeks
    # 1 to 7 (2027-01-11 to 2027-02-28); the table shows what was typed, and
    # a window left blank shows the week's dates.
    x = exercise(
        "X",
        earliest_start=1,
        latest_end=7,
        earliest_start_date=D(2027, 1, 13),
        latest_end_date=D(2027, 2, 25),
    )
    problem = make_problem([x, exercise("Y", latest_end=6)])
    result = Result(status=Status.FEASIBLE, plan=Plan(()), objective=0)
    input_path = tmp_path / "programme.xlsx"
    input_path.write_bytes(b"x")
    write_schedule(problem, result, tmp_path / "out", input_path)
    table = left_out(tmp_path / "out")
    window = {row[0]: (row[5], row[6]) for row in table[1:]}
    assert window == {
        "X": (dt.datetime(2027, 1, 13), dt.datetime(2027, 2, 25)),
        "Y": (dt.datetime(2027, 1, 4), dt.datetime(2027, 2, 21)),
    }


def test_suggest_refusing_a_start_names_the_date_asked_in_its_week() -> None:
    # QA: suggest --start 2027-04-01 answered "cannot be held from
    # 2027-03-29". X may only start from week 1; asked for Wednesday
    # 2027-01-06 (week 0, from 2027-01-04), the answer names both.
    x = exercise("X", earliest_start=1, latest_end=3, source=Source("Exercises", 2))
    problem = in_euros(make_problem([x]))
    plan = Plan((Event("X", 2, "V", ()),))
    assert check_plan(problem, plan) == []
    (refused,) = suggest(problem, plan, "X", at_start=0, typed_start=D(2027, 1, 6))
    assert refused.objective is None
    assert refused.text.startswith(
        "X cannot be held from the week of 2027-01-04 (the start 2027-01-06 "
        "falls in it): "
    )
