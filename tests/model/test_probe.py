"""Why a plan leaves things out, and where else an exercise could go."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from planner.check import check_plan
from planner.domain import Event, Partner, Period, Plan, Problem, SolveOptions, Source
from planner.explain.reasons import plan_objective, why_left_out
from planner.explain.suggest import suggest
from planner.model.probe import best_with, fix_rest, place
from planner.model.solve import solve
from planner.workbook.read import read_problem
from tests.factories import exercise, make_problem

SAMPLE = Path(__file__).parents[2] / "instances" / "sample.xlsx"
OPTIONS = SolveOptions(time_limit_s=20, workers=2)


@cache
def sample() -> tuple[Problem, Plan]:
    problem, _ = read_problem(SAMPLE)
    assert problem is not None
    plan = solve(problem, OPTIONS).plan
    assert plan is not None
    assert check_plan(problem, plan) == []
    return problem, plan


def test_an_unheld_optional_exercise_of_the_sample_gets_a_reason() -> None:
    problem, plan = sample()
    reasons = why_left_out(problem, plan)
    exercise_ids = {e.id for e in problem.exercises if not e.mandatory}
    unheld = [r for r in reasons if r.item_id in exercise_ids]
    assert unheld
    for reason in unheld:
        assert reason.item_id not in plan.by_exercise
        assert reason.text
        # Holding it is possible but costs: the plan is optimal, so no loss < 0.
        assert reason.loss is not None and reason.loss > 0
        assert reason.forced_objective == plan_objective(problem, plan) - reason.loss


def test_suggestions_state_the_objective_a_fixed_re_solve_gives() -> None:
    problem, plan = sample()
    exercise_id = plan.events[0].exercise_id
    suggestions = suggest(problem, plan, exercise_id, top=3)
    assert len(suggestions) == 3
    changes = [s.change for s in suggestions]
    assert changes == sorted(changes, reverse=True)
    for s in suggestions:
        assert (s.start, s.venue_id) != (
            plan.by_exercise[exercise_id].start,
            plan.by_exercise[exercise_id].venue_id,
        )
        forced = best_with(
            problem,
            lambda built, s=s: (
                fix_rest(problem, plan, exercise_id)(built),
                place(exercise_id, s.start, s.venue_id)(built),
            ),
            None,
            10,
        )
        assert forced.plan is not None
        assert check_plan(problem, forced.plan) == []
        assert forced.objective == s.objective
        assert s.change == s.objective - plan_objective(problem, plan)


def blackout_problem() -> Problem:
    # E2 needs A, who is away weeks 3-9; E2 may start anywhere in weeks 0-9.
    away = Period(3, 9, "deployed", Source("Unavailability", 4))
    return make_problem(
        [
            exercise("E1", value=5, source=Source("Exercises", 2)),
            exercise(
                "E2",
                required_partners=("A",),
                invited_partners=("A",),
                cost_per_partner=1_000_000,  # so the plan leaves it out
                source=Source("Exercises", 3),
            ),
        ],
        partners=[Partner("A", unavailable=(away,), source=Source("Partners", 2))],
    )


def test_a_placement_a_blackout_forbids_names_the_blackout_row() -> None:
    problem = blackout_problem()
    plan = solve(problem, OPTIONS).plan
    assert plan is not None and check_plan(problem, plan) == []
    assert "E2" not in plan.by_exercise
    (refused,) = suggest(problem, plan, "E2", at_start=5)
    assert refused.objective is None
    assert refused.conflict == (Source("Unavailability", 4),)
    assert "2027-01-25 to 2027-03-14" in refused.text  # weeks 3-9


def test_a_placement_clear_of_the_blackout_is_suggested() -> None:
    problem = blackout_problem()
    plan = Plan((Event("E1", 0, "V", ()),))
    assert check_plan(problem, plan) == []
    suggestions = suggest(problem, plan, "E2", at_start=2)
    assert [(s.start, s.venue_id, s.participants) for s in suggestions] == [
        (2, "V", ("A",))
    ]
    # Value 1 * 100,000 gained, 1,000,000 paid by A.
    assert suggestions[0].change == 100_000 - 1_000_000


def test_forcing_in_an_exercise_no_plan_can_hold_names_the_rows() -> None:
    # E3 needs A for 8 weeks, but A is away weeks 3-9 and the horizon is 10.
    problem = blackout_problem()
    e3 = exercise(
        "E3",
        duration=8,
        value=9,
        required_partners=("A",),
        invited_partners=("A",),
        source=Source("Exercises", 4),
    )
    problem = make_problem([*problem.exercises, e3], partners=list(problem.partners))
    plan = solve(problem, OPTIONS).plan
    assert plan is not None and check_plan(problem, plan) == []
    reasons = {r.item_id: r for r in why_left_out(problem, plan, explain_all=True)}
    assert reasons["E3"].conflict == (Source("Unavailability", 4),)
    assert "Unavailability row 4" in reasons["E3"].text
