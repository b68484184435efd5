"""Conflicting rows in the planner's words, and where the writer shows them."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook

from planner import cli
from planner.app.publish import write_schedule
from planner.domain import (
    Goal,
    GoalKind,
    Partner,
    Period,
    Plan,
    Problem,
    Result,
    Source,
    Status,
)
from planner.explain.words import (
    conflict_heading,
    conflict_summary,
    describe_row,
    explain_conflict,
    goal_facts_text,
    no_room_text,
    not_examined_text,
    slots,
    too_few_text,
)
from planner.report import KIND_EXERCISE, KIND_GOAL, Explanation, Reason
from planner.workbook.read import read_problem
from tests.factories import exercise, make_problem
from tests.outputs.test_schedule_xlsx import left_out

EXERCISE_ROW = Source("Exercises", 14)
BLACKOUT_ROW = Source("Unavailability", 9)


def problem_with_blackout() -> Problem:
    # Weekly from Monday 2027-01-04: slot 9 is 2027-03-08 to 2027-03-14.
    blackout = Period(9, 9, "national exercise", BLACKOUT_ROW)
    return make_problem(
        [
            exercise(
                "EX-12",
                duration=3,
                earliest_start=8,
                latest_end=10,
                n_slots=20,
                mandatory=True,
                required_partners=("NOR",),
                invited_partners=("NOR",),
                source=EXERCISE_ROW,
            )
        ],
        partners=[Partner("NOR", unavailable=(blackout,))],
        n_slots=20,
    )


def test_each_row_is_one_line_with_dates_and_its_row() -> None:
    explanation = explain_conflict(
        problem_with_blackout(), [BLACKOUT_ROW, EXERCISE_ROW]
    )
    # Rows in sheet order: Exercises before Unavailability.
    assert explanation.conflict == (EXERCISE_ROW, BLACKOUT_ROW)
    exercise_line, blackout_line = explanation.lines
    # Slots 8-10 are 2027-03-01 to 2027-03-21.
    assert exercise_line == (
        "Exercise EX-12 (mandatory, 3 weeks, window 2027-03-01 to 2027-03-21) "
        "needs partners NOR (Exercises row 14)"
    )
    assert blackout_line == (
        "Partner NOR is unavailable 2027-03-08 to 2027-03-14 (national exercise) "
        "(Unavailability row 9)"
    )


def test_infeasible_sheet_and_json_name_the_rows(tmp_path: Path) -> None:
    problem = problem_with_blackout()
    explanation = explain_conflict(problem, [EXERCISE_ROW, BLACKOUT_ROW])
    result = Result(status=Status.INFEASIBLE, plan=None)
    input_path = tmp_path / "programme.xlsx"
    input_path.write_bytes(b"x")
    write_schedule(problem, result, tmp_path / "out", input_path, explanation)
    sheet = load_workbook(tmp_path / "out" / "no-plan.xlsx")["Infeasible"]
    table = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert [r[:2] for r in table] == [["Exercises", 14], ["Unavailability", 9]]
    assert table[1][2] == explanation.lines[1]
    data = json.loads((tmp_path / "out" / "no-plan.json").read_text("utf-8"))
    assert data["explanation"]["conflict"] == [
        {"sheet": "Exercises", "row": 14},
        {"sheet": "Unavailability", "row": 9},
    ]


def test_why_column_shows_the_reason_of_an_unheld_exercise(tmp_path: Path) -> None:
    problem = make_problem([exercise("E1"), exercise("E2")])
    plan = Plan(())
    reason = Reason("E2", "exercise", "Holding it makes the plan worth 5 less.", 5)
    result = Result(status=Status.FEASIBLE, plan=plan, objective=0)
    input_path = tmp_path / "programme.xlsx"
    input_path.write_bytes(b"x")
    explanation = Explanation(reasons=(reason,))
    write_schedule(problem, result, tmp_path / "out", input_path, explanation)
    table = left_out(tmp_path / "out")
    assert table[0][-1] == "Why"
    assert [r[0] for r in table[1:]] == ["E1", "E2"]
    assert [r[-1] for r in table[1:]] == [None, reason.text]


def test_a_budget_a_scenario_set_is_blamed_on_the_scenario_row() -> None:
    # The sample's budget-cut scenario sets total_budget on Scenarios row 5.
    sample = Path(__file__).parents[2] / "instances" / "sample.xlsx"
    problem, _ = read_problem(sample, "budget-cut")
    assert problem is not None
    source = problem.settings.total_budget_source
    assert source == Source("Scenarios", 5)
    assert describe_row(problem, source) == (
        "The organizer's total budget is 1,980,000 EUR (Scenarios row 5)"
    )


def test_a_conflict_of_many_rows_names_the_first_six_and_counts_the_rest() -> None:
    # Seen on a dense xl: a goal forced in was proven impossible but the
    # conflict was not shrunk in time, and its reason listed 2,900 rows
    # (387,000 characters in one cell of the workbook and the brief).
    problem = problem_with_blackout()
    rows = [EXERCISE_ROW, BLACKOUT_ROW] + [Source("Goals", i) for i in range(2, 12)]
    text = conflict_summary(problem, rows)
    assert text.count(" | ") == 6
    assert text.startswith("Exercise EX-12 (mandatory, 3 weeks")
    assert text.endswith(
        " | and 6 more rows (no smaller set that cannot all hold was found in time)"
    )
    two = conflict_summary(problem, [BLACKOUT_ROW, EXERCISE_ROW])
    assert two == " | ".join(
        explain_conflict(problem, [BLACKOUT_ROW, EXERCISE_ROW]).lines
    )


def test_a_reason_longer_than_a_cell_holds_is_cut_in_the_workbook(
    tmp_path: Path,
) -> None:
    # Excel opens a cell of more than 32,767 characters as damaged; the
    # JSON keeps the whole text.
    problem = make_problem([exercise("E1")])
    text = "Asset SHIP-1 serves one event at a time (Assets row 2) | " * 1000
    reason = Reason("E1", "exercise", text)
    result = Result(status=Status.FEASIBLE, plan=Plan(()), objective=0)
    input_path = tmp_path / "programme.xlsx"
    input_path.write_bytes(b"x")
    write_schedule(
        problem, result, tmp_path / "out", input_path, Explanation(reasons=(reason,))
    )
    why = left_out(tmp_path / "out")[1][-1]
    assert len(why) <= 32_767
    assert why.startswith(text[:1000])
    assert why.endswith(
        f"… ({len(text) - 32_667:,} more characters cut: a cell holds at most 32,767)"
    )
    saved = json.loads((tmp_path / "out" / "schedule.json").read_text())
    assert saved["explanation"]["reasons"][0]["text"] == text


def test_an_exercise_that_fits_nowhere_is_said_without_a_double_negative() -> None:
    # QA: "no start, venue and partners break no rule" said the opposite of
    # what was meant.
    assert no_room_text() == (
        "It does not fit around the rest of the plan: with every other "
        "exercise held as planned, every start, venue and choice of partners "
        "for it breaks a rule, so other exercises would have to move or be "
        "dropped."
    )


def test_large_counts_are_thousands_separated() -> None:
    # QA: "1391 of the 1500 exercises"; a five-year programme of days counts
    # in thousands.
    problem = make_problem([exercise("E1", areas=frozenset({"air"}))])
    assert slots(problem, 1500) == "1,500 weeks"
    goal = Goal("G", GoalKind.COVERAGE, min_count=1500, area="air")
    assert too_few_text(problem, goal) == (
        "Only 1 exercise trains air: E1; it asks for 1,500."
    )
    assert goal_facts_text(problem, goal, Plan(()), 1391) == (
        "It reaches 1,391 of 1,500. 1 exercise could count; left out: E1."
    )
    assert conflict_heading([Source("Exercises", i) for i in range(2, 1202)]) == (
        "No plan exists: these 1,200 rows cannot all hold. Changing any one of "
        "them makes a plan possible as far as they are concerned."
    )


def test_the_terminal_says_a_goal_is_not_met_and_what_to_do_once(capsys) -> None:  # type: ignore[no-untyped-def]
    # QA: "Goal G18 left out" where the brief says the goal is missed; the
    # hint to give the explanations more time is the terminal's, said once.
    cut = not_examined_text()
    explanation = Explanation(
        reasons=(
            Reason("EX1", KIND_EXERCISE, cut),
            Reason("EX2", KIND_EXERCISE, cut),
            Reason("G18", KIND_GOAL, "It reaches 1 of 2."),
        ),
        not_examined=2,
    )
    cli._print_reasons(explanation)
    printed = capsys.readouterr().out
    assert "Exercise EX1 left out: Not examined: the time for explanations ran" in (
        printed
    )
    assert "Goal G18 not met: It reaches 1 of 2." in printed
    assert printed.count("--explain-time") == 1
    assert (
        "2 items not examined in time: planner suggest examines one exercise, "
        "and solve --explain-time S gives the explanations S more seconds."
    ) in " ".join(printed.split())
