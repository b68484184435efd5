"""The example programme and the two committed instances built from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.domain import Event, Plan, Problem, Severity, SolveOptions, Status
from planner.workbook.sample import example_programme, infeasible_programme
from planner.workbook.template import write_template, write_workbook

INSTANCES = Path(__file__).resolve().parent.parent / "instances"


def _read(path: Path) -> Problem:
    from planner.workbook.read import read_problem

    problem, findings = read_problem(path)
    assert problem is not None, [str(f) for f in findings]
    return problem


@pytest.fixture(scope="module")
def sample() -> Problem:
    return _read(INSTANCES / "sample.xlsx")


@pytest.fixture(scope="module")
def infeasible() -> Problem:
    return _read(INSTANCES / "infeasible.xlsx")


def test_committed_sample_is_what_example_programme_writes(
    sample: Problem, tmp_path: Path
) -> None:
    # Same file name, so Problem.name (the file's stem) agrees too.
    fresh = tmp_path / "sample.xlsx"
    write_template(fresh, example=True)
    assert _read(fresh) == sample


def test_committed_infeasible_is_what_infeasible_programme_writes(
    infeasible: Problem, tmp_path: Path
) -> None:
    fresh = tmp_path / "infeasible.xlsx"
    write_workbook(infeasible_programme(), fresh)
    assert _read(fresh) == infeasible


def test_sample_reads_without_errors() -> None:
    from planner.workbook.read import read_problem

    problem, findings = read_problem(INSTANCES / "sample.xlsx")
    assert problem is not None
    assert [str(f) for f in findings if f.severity is Severity.ERROR] == []


def test_example_is_a_small_programme_with_every_kind_of_fact() -> None:
    tables = example_programme()
    assert (len(tables["Exercises"]), len(tables["Partners"])) == (13, 8)
    assert len(tables["Venues"]) == 5
    assert {row["kind"] for row in tables["Goals"]} == {
        "together",
        "engagement",
        "coverage",
    }
    assert [row["goal_id"] for row in tables["Goals"] if row.get("hard")] == ["G-MED"]
    assert len(tables["Dependencies"]) == 2
    assert len(tables["Assets"]) == 2
    assert {row["resource_id"] for row in tables["Unavailability"]} >= {"NOR", "SET"}


def test_infeasible_differs_from_the_example_by_one_blackout() -> None:
    example, infeasible = example_programme(), infeasible_programme()
    added = infeasible["Unavailability"][len(example["Unavailability"]) :]
    assert [row["resource_id"] for row in added] == ["NOR"]
    assert {**infeasible, "Unavailability": example["Unavailability"]} == example


def _hand_plan() -> Plan:
    """A plan that holds the mandatory exercises, what they require, and MEDX.

    Organizer spend, fixed cost + venue cost per week x weeks:
    CR27-FPC 30,000 + 20,000 = 50,000;  CR27 350,000 + 60,000 x 3 = 530,000;
    CPX27 60,000 + 20,000 = 80,000;  SPS27 220,000 + 30,000 x 2 = 280,000;
    BMI27 250,000 + 45,000 x 2 = 340,000;  MEDX 40,000 + 45,000 = 85,000;
    CYB27 80,000 + 20,000 = 100,000;  total 1,465,000 <= 2,200,000.
    """
    return Plan(
        (
            Event("CR27-FPC", 0, "TLL", ("NOR", "FIN", "GBR")),
            Event("CR27", 4, "SET", ("NOR", "FIN", "GBR", "DEU")),
            Event("CPX27", 10, "TLL", ("NOR", "POL", "DEU")),
            Event("SPS27", 16, "TAP", ("EST", "POL", "GBR", "DEU")),
            Event("BMI27", 21, "GDY", ("NOR", "POL", "DEU")),
            Event("MEDX", 36, "GDY", ("POL", "FIN")),
            Event("CYB27", 44, "TLL", ("NOR", "EST", "FIN", "GBR")),
        )
    )


def test_sample_has_a_plan_that_breaks_no_rule(sample: Problem) -> None:
    from planner.check import check_plan
    from planner.figures import organizer_spend

    plan = _hand_plan()
    assert [str(v) for v in check_plan(sample, plan)] == []
    assert organizer_spend(sample, plan) == 1_465_000


def test_sample_budget_cannot_pay_for_every_exercise(sample: Problem) -> None:
    # Cheapest venue for each: mandatory ones and CR27-FPC (required by CR27)
    # cost 1,300,000; the eight other optional ones 1,470,000 more; together
    # 2,770,000 > 2,200,000, so the optimizer must leave some out.
    def cheapest(exercise_id: str) -> int:
        exercise = sample.exercise[exercise_id]
        hosts = [
            venue
            for venue in sample.venues
            if (not exercise.venues or venue.id in exercise.venues)
            and exercise.needs <= venue.capabilities
        ]
        return exercise.fixed_cost + exercise.duration * min(
            venue.cost_per_slot for venue in hosts
        )

    assert sum(cheapest(e.id) for e in sample.exercises) == 2_770_000
    assert sample.settings.total_budget == 2_200_000


def test_infeasible_blacks_out_norway_for_every_start_of_cold_response(
    infeasible: Problem,
) -> None:
    cold_response = infeasible.exercise["CR27"]
    assert cold_response.mandatory
    assert "NOR" in cold_response.required_partners
    starts = range(cold_response.earliest_start, cold_response.latest_start + 1)
    assert all(
        any(
            period.touches(start, start + cold_response.duration - 1)
            for period in infeasible.partner["NOR"].unavailable
        )
        for start in starts
    )


def test_sample_solves_to_optimality_leaving_some_optional_out(
    sample: Problem,
) -> None:
    """The example promises a proof of optimality within seconds, and real
    choices: some optional exercises held, some not."""
    from planner.check import check_plan
    from planner.model.solve import solve

    result = solve(sample, SolveOptions(time_limit_s=10, seed=1, deterministic=True))
    assert result.status is Status.OPTIMAL
    assert result.plan is not None
    assert check_plan(sample, result.plan) == []
    held = set(result.plan.by_exercise)
    optional = {e.id for e in sample.exercises if not e.mandatory}
    assert optional & held
    assert optional - held


def test_infeasible_is_proven_infeasible(infeasible: Problem) -> None:
    from planner.model.solve import solve

    result = solve(
        infeasible, SolveOptions(time_limit_s=10, seed=1, deterministic=True)
    )
    assert result.status is Status.INFEASIBLE
