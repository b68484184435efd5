"""Comparing results: key figures side by side and every difference per exercise.

Two hand-made plans of one tiny programme are written with `write_schedule`,
read back with `load_result` and compared. The programme runs ten weeks from
Monday 2027-01-04 (week i starts 2027-01-04 + 7i).

    base: E1 weeks 1-2 at V with A, B;  E2 week 3 at W with B;
          E4 week 5 at V with B
    cut:  E1 weeks 2-3 at W with A;     E3 weeks 0-2 at V;
          E4 week 5 at V with A, B
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.app.publish import write_schedule
from planner.differences import calendar, compare, comparison_rows
from planner.domain import (
    Change,
    Event,
    Goal,
    GoalKind,
    Partner,
    Plan,
    Problem,
    Result,
    Status,
    Venue,
)
from planner.figures import objective_terms
from planner.report import JSON_NAME, Difference, GanttRow, ResultError, ResultSummary
from planner.workbook.read_result import load_result
from tests.factories import exercise, make_problem


def tiny_problem(*extra: str) -> Problem:
    """E1 mandatory (value 5, fixed 500, 1,000 per partner), E2 (2), E3 (1),
    E4 (3); V costs 100 a week, W 50; A travels to V for 300; organizer
    budget 2,000. ``extra``: more exercises, for another programme."""
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
            exercise("E2", name="Staff talks", value=2, invited_partners=("A", "B")),
            exercise("E3", duration=3, name="HADR drill", value=1),
            exercise("E4", name="Range day", value=3, invited_partners=("A", "B")),
            *(exercise(e) for e in extra),
        ],
        partners=[Partner("A", name="Norway", budget=10_000), Partner("B")],
        venues=[Venue("V", cost_per_slot=100), Venue("W", cost_per_slot=50)],
        total_budget=2000,
        name="tiny",
        travel_costs=(("A", "V", 300),),
        goals=(
            Goal("G1", GoalKind.TOGETHER, 2, partners=("A", "B")),
            Goal("G2", GoalKind.COVERAGE, 1, area="maritime", hard=True),
        ),
    )


BASE = Plan(
    (
        Event("E1", 1, "V", ("A", "B")),
        Event("E2", 3, "W", ("B",)),
        Event("E4", 5, "V", ("B",)),
    )
)
CUT = Plan(
    (
        Event("E1", 2, "W", ("A",)),
        Event("E3", 0, "V", ()),
        Event("E4", 5, "V", ("A", "B")),
    )
)


def write(
    tmp_path: Path,
    name: str,
    plan: Plan | None,
    problem: Problem | None = None,
    workbook: bytes = b"the programme",
) -> Path:
    """A result folder ``name`` as `planner solve` would write it."""
    problem = problem or tiny_problem()
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "programme.xlsx"
    source.write_bytes(workbook)
    if plan is None:
        result = Result(Status.INFEASIBLE, None)
    else:
        terms = objective_terms(problem, plan)
        result = Result(Status.OPTIMAL, plan, sum(terms.values()), terms=terms)
    write_schedule(problem, result, tmp_path / name, source)
    return tmp_path / name


@pytest.fixture
def base(tmp_path: Path) -> ResultSummary:
    return load_result(write(tmp_path, "base", BASE))


@pytest.fixture
def cut(tmp_path: Path) -> ResultSummary:
    return load_result(write(tmp_path, "cut", CUT))


def kpi_table(results: list[ResultSummary]) -> dict[str, tuple[object, ...]]:
    return {kpi.label: kpi.values for kpi in compare(results).kpis}


def test_every_difference_from_the_first_plan(
    base: ResultSummary, cut: ResultSummary
) -> None:
    # E1 starts week 2 instead of 1, at W, without B; E2 is gone; E3 is new
    # (week 0 starts 2027-01-04); A joins E4. E2 started week 3, 2027-01-25.
    assert list(compare([base, cut]).differences) == [
        Difference("cut", "E1", Change.MOVED, "2027-01-11", "2027-01-18", 1, "week"),
        Difference("cut", "E1", Change.VENUE, "V", "W"),
        Difference("cut", "E1", Change.LEFT, before="B"),
        Difference("cut", "E2", Change.DROPPED, before="2027-01-25 at W"),
        Difference("cut", "E3", Change.ADDED, after="2027-01-04 at V"),
        Difference("cut", "E4", Change.JOINED, after="A"),
    ]


def test_differences_read_as_sentences(base: ResultSummary, cut: ResultSummary) -> None:
    assert [str(d) for d in compare([base, cut]).differences[:4]] == [
        "cut: E1 moved 2027-01-11 -> 2027-01-18 (+1 week)",
        "cut: E1 venue changed V -> W",
        "cut: E1 partners left: B",
        "cut: E2 dropped: 2027-01-25 at W",
    ]


def test_identical_plans_differ_in_nothing(tmp_path: Path) -> None:
    one = load_result(write(tmp_path, "one", BASE))
    two = load_result(write(tmp_path, "two", BASE))
    comparison = compare([one, two])
    assert comparison.differences == ()
    assert comparison.warnings == ()


def test_key_figures_side_by_side(base: ResultSummary, cut: ResultSummary) -> None:
    # Organizer: base E1 500 + 2 x 100, E2 50, E4 100 = 850;
    #            cut  E1 500 + 2 x 50, E3 3 x 100, E4 100 = 1,000.
    # Partners:  base A 1,000 + 300 travel, B 1,000 (E1) = 2,300;
    #            cut  A 1,000 (E1 at W) + 300 (E4 at V), B 0 = 1,300.
    # Value:     base 5 + 2 + 3 = 10, cut 5 + 1 + 3 = 9 (x 100,000).
    # G1 (A and B together twice): base E1, cut E4: shortfall 1 (x 200,000).
    assert kpi_table([base, cut]) == {
        "programme": ("tiny", "tiny"),
        "status": ("optimal", "optimal"),
        "changes from base": (None, 6),
        "objective": (796_850, 697_700),
        "value": (1_000_000, 900_000),
        "goal_shortfall": (-200_000, -200_000),
        "cost": (-3_150, -2_300),
        "held, mandatory": (1, 1),
        "held, optional": (2, 2),
        "value held": (10, 9),
        "hard goals met": ("1 of 1", "1 of 1"),
        "soft goals met": ("0 of 1", "0 of 1"),
        "G1 shortfall": (1, 1),
        "G2 shortfall": (0, 0),
        "organizer spend": (850, 1_000),
        "total budget": (2_000, 2_000),
        "budget remaining": (1_150, 1_000),
        "partner spend": (2_300, 1_300),
        "A events": (1, 2),
        "A spend": (1_300, 1_300),
        "A budget": (10_000, 10_000),
        "B events": (3, 1),
        "B spend": (1_000, 0),
        "B budget": (None, None),
    }


def test_short_table_for_the_command_line(
    base: ResultSummary, cut: ResultSummary
) -> None:
    assert comparison_rows(compare([base, cut])) == [
        ("", "base", "cut"),
        ("status", "optimal", "optimal"),
        ("objective", "796,850", "697,700"),
        ("value", "1,000,000", "900,000"),
        ("goal_shortfall", "-200,000", "-200,000"),
        ("cost", "-3,150", "-2,300"),
        ("held, mandatory", "1", "1"),
        ("held, optional", "2", "2"),
        ("value held", "10", "9"),
        ("hard goals met", "1 of 1", "1 of 1"),
        ("soft goals met", "0 of 1", "0 of 1"),
        ("organizer spend", "850", "1,000"),
        ("total budget", "2,000", "2,000"),
        ("changes from base", "", "6"),
    ]


def test_calendar_marks_what_differs_from_the_first_plan(
    base: ResultSummary, cut: ResultSummary
) -> None:
    slot_dates, (first, second) = calendar(compare([base, cut]))
    assert len(slot_dates) == 10
    assert [row.exercise_id for row in first.rows] == ["E1", "E2", "E3", "E4"]
    assert first.rows[0] == GanttRow("E1", {1: "V", 2: "V"}, frozenset())
    # E1 leaves weeks 1-2 at V for weeks 2-3 at W: all three weeks differ;
    # E4 keeps week 5 at V (a partner joining is not a calendar change).
    assert second.rows == (
        GanttRow("E1", {2: "W", 3: "W"}, frozenset({1, 2, 3})),
        GanttRow("E2", {}, frozenset({3})),
        GanttRow("E3", {0: "V", 1: "V", 2: "V"}, frozenset({0, 1, 2})),
        GanttRow("E4", {5: "V"}, frozenset()),
    )


def test_three_plans_are_each_compared_with_the_first(
    tmp_path: Path, base: ResultSummary, cut: ResultSummary
) -> None:
    same = load_result(write(tmp_path, "same", BASE))
    comparison = compare([base, cut, same])
    assert {d.plan for d in comparison.differences} == {"cut"}
    assert comparison_rows(comparison)[-1] == ("changes from base", "", "6", "0")


def test_a_result_without_plan_is_compared_with_a_warning(
    tmp_path: Path, base: ResultSummary
) -> None:
    none = load_result(write(tmp_path, "none", None))
    comparison = compare([base, none])
    assert comparison.differences == ()
    assert comparison.warnings == (
        "none holds no plan (infeasible): no differences are listed for it",
    )
    figures = {kpi.label: kpi.values for kpi in comparison.kpis}
    assert figures["objective"] == (796_850, None)
    assert figures["hard goals met"] == ("1 of 1", None)
    assert figures["total budget"] == (2_000, 2_000)


def test_another_programme_is_compared_with_warnings(
    tmp_path: Path, base: ResultSummary
) -> None:
    other = write(tmp_path, "other", BASE, tiny_problem("E5"), b"another programme")
    comparison = compare([base, load_result(other)])
    assert comparison.differences == ()
    assert comparison.warnings == (
        "other was planned from another workbook than base (programme.xlsx and "
        "programme.xlsx differ): some differences may come from the data, not "
        "the planning",
        "the plans have different exercises (only in other: E5)",
    )


def test_folders_of_the_same_name_go_by_their_paths(tmp_path: Path) -> None:
    one = load_result(write(tmp_path / "x", "out", BASE))
    two = load_result(write(tmp_path / "y", "out", CUT))
    assert compare([one, two]).labels == (
        str(tmp_path / "x" / "out"),
        str(tmp_path / "y" / "out"),
    )


def test_compare_needs_two_results(base: ResultSummary) -> None:
    with pytest.raises(ResultError, match="two or more"):
        compare([base])


# schedule.json -------------------------------------------------------------------


def test_schedule_json_holds_the_key_figures(tmp_path: Path) -> None:
    data = json.loads((write(tmp_path, "base", BASE) / JSON_NAME).read_text())
    kpis = data["kpis"]
    assert kpis["held_mandatory"] == 1
    assert kpis["value"] == 10
    assert kpis["organizer_spend"] == 850
    assert kpis["total_budget"] == 2000
    assert kpis["goals"][0] == {
        "id": "G1",
        "kind": "together",
        "hard": False,
        "target": 2,
        "achieved": 1,
        "shortfall": 1,
        "met": False,
    }
    assert kpis["partners"][0] == {
        "id": "A",
        "name": "Norway",
        "events": 1,
        "spend": 1300,
        "budget": 10_000,
    }
    assert kpis["exercises"][3] == {
        "id": "E4",
        "name": "Range day",
        "kind": "",
        "mandatory": False,
        "value": 3,
        "duration": 1,
    }


def test_a_result_file_or_folder_loads_with_the_folder_as_label(
    tmp_path: Path,
) -> None:
    folder = write(tmp_path, "base", BASE)
    by_file = load_result(folder / JSON_NAME)
    assert by_file == load_result(folder)
    assert by_file.label == "base"
    assert by_file.events is not None and len(by_file.events) == 3


def test_what_cannot_be_compared_says_why(tmp_path: Path) -> None:
    folder = write(tmp_path, "old", BASE)
    data = json.loads((folder / JSON_NAME).read_text())
    del data["kpis"]
    (folder / JSON_NAME).write_text(json.dumps(data))
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ResultError, match="older planner"):
        load_result(folder)
    with pytest.raises(ResultError, match="cannot be read as JSON"):
        load_result(tmp_path / "broken.json")
    with pytest.raises(ResultError, match=r"holds no schedule\.json"):
        load_result(tmp_path)
    with pytest.raises(ResultError, match="not found"):
        load_result(tmp_path / "nowhere")
