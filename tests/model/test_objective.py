"""The objective's named terms, hand-computed on tiny programmes."""

from __future__ import annotations

from ortools.sat.python import cp_model

from planner.domain import (
    TERM_COST,
    TERM_GOAL_SHORTFALL,
    TERM_VALUE,
    Event,
    Goal,
    GoalKind,
    Partner,
    Plan,
    Problem,
    Venue,
    Weights,
)
from planner.figures import objective_terms
from planner.model.baseline import keep_event
from planner.model.search import build_model
from tests.factories import exercise, make_problem
from tests.model.test_rules import solved

NO_COST = Weights(cost=0)


def test_value_term_sums_the_held_exercises() -> None:
    exercises = [exercise("E1", 1, value=3), exercise("E2", 1, value=4)]
    result = solved(make_problem(exercises, weights=Weights(value=10)))
    # 10 * (3 + 4)
    assert result.terms == {TERM_VALUE: 70, TERM_GOAL_SHORTFALL: 0, TERM_COST: 0}
    assert result.objective == 70


def test_cost_term_counts_organizer_and_partner_spend() -> None:
    venues = [Venue("V", cost_per_slot=30), Venue("W", cost_per_slot=10)]
    e = exercise(
        "E",
        2,
        fixed_venue="V",
        fixed_cost=100,
        cost_per_partner=50,
        required_partners=("A",),
        invited_partners=("A",),
    )
    travel = (("A", "V", 7), ("A", "W", 1))

    def problem(cost: int) -> Problem:
        weights = Weights(cost=cost)
        return make_problem([e], venues=venues, weights=weights, travel_costs=travel)

    # organizer 100 + 30 * 2 = 160; A pays 50 + travel to V 7 = 57; 217 in all
    assert solved(problem(1)).terms[TERM_COST] == -217
    assert solved(problem(3)).terms[TERM_COST] == -651


def test_engagement_shortfall_weighs_each_partner() -> None:
    partners = [Partner("A", weight=3), Partner("B")]
    goal = Goal("G", GoalKind.ENGAGEMENT, 2, partners=("A", "B"), weight=2)
    e = exercise("E", 1, invited_partners=("A", "B"))
    result = solved(make_problem([e], partners, goals=(goal,)))
    # one exercise: A and B both attend, each 1 short of 2.
    # (3 * 1 + 1 * 1) * goal weight 2 * 200,000
    assert result.terms[TERM_GOAL_SHORTFALL] == -1_600_000


def test_engagement_without_partners_counts_every_partner() -> None:
    goal = Goal("G", GoalKind.ENGAGEMENT, 1)
    e = exercise("E", 1, invited_partners=("A",))
    result = solved(make_problem([e], goals=(goal,)))
    # A attends E; B, never invited, misses 1: 200,000
    assert result.terms[TERM_GOAL_SHORTFALL] == -200_000


def test_together_shortfall_counts_only_exercises_in_the_area() -> None:
    exercises = [
        exercise("E1", 1, invited_partners=("A", "B"), areas=frozenset({"sea"})),
        exercise("E2", 1, invited_partners=("A", "B")),
    ]
    goal = Goal("G", GoalKind.TOGETHER, 2, partners=("A", "B"), area="sea")
    result = solved(make_problem(exercises, goals=(goal,), weights=NO_COST))
    # only E1 trains "sea": together once, 1 short of 2
    assert result.terms[TERM_GOAL_SHORTFALL] == -200_000
    assert result.plan.by_exercise["E1"].participants == ("A", "B")


def test_coverage_shortfall() -> None:
    exercises = [
        exercise("E1", 5, areas=frozenset({"cyber"})),
        exercise("E2", 5, areas=frozenset({"cyber"})),
        exercise("E3", 5, areas=frozenset({"cyber"})),
    ]
    goal = Goal("G", GoalKind.COVERAGE, 3, area="cyber", weight=5)
    result = solved(make_problem(exercises, goals=(goal,)))
    # one venue holds two 5-slot events in 10 slots: 1 short * 5 * 200,000
    assert result.terms[TERM_GOAL_SHORTFALL] == -1_000_000
    assert result.terms[TERM_VALUE] == 200_000


def test_a_weight_of_zero_builds_no_term() -> None:
    goal = Goal("G", GoalKind.COVERAGE, 1, area="cyber")
    problem = make_problem(
        [exercise("E", 1, fixed_cost=10)],
        goals=(goal,),
        weights=Weights(value=0, goal_shortfall=0, cost=0),
    )
    assert build_model(problem).terms == {}
    result = solved(problem)
    assert result.terms == {TERM_VALUE: 0, TERM_GOAL_SHORTFALL: 0, TERM_COST: 0}


def terms_of(problem: Problem, plan: Plan) -> dict[str, int]:
    """The model's terms with every decision fixed to ``plan``."""
    built = build_model(problem)
    v = built.variables
    for exercise_id, held in v.held.items():
        event = plan.by_exercise.get(exercise_id)
        if event is None:
            built.model.add(held == 0)
        else:
            keep_event(built.model, v, event)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(built.model) == cp_model.OPTIMAL
    return {name: int(solver.value(term)) for name, term in built.terms.items()}


def test_terms_are_exact_for_any_plan_not_only_the_best() -> None:
    venues = [Venue("V", cost_per_slot=5), Venue("W")]
    travel = (("A", "V", 40), ("A", "W", 10), ("B", "V", 3))
    exercises = [
        exercise("E1", 2, invited_partners=("A", "B"), cost_per_partner=100),
        exercise("E2", 1, invited_partners=("A", "B"), areas=frozenset({"sea"})),
    ]
    goals = (
        Goal("T", GoalKind.TOGETHER, 2, partners=("A", "B")),
        Goal("N", GoalKind.ENGAGEMENT, 3, partners=("A",)),
    )
    problem = make_problem(exercises, venues=venues, travel_costs=travel, goals=goals)
    # a wasteful plan: A travels to the dearer venue V, B sits E2 out
    plan = Plan((Event("E1", 0, "V", ("A", "B")), Event("E2", 4, "W", ("A",))))
    # organizer 5 * 2 = 10; A (100 + 40) + 10; B 100 + 3: spend 263.
    # together once (1 short), A twice (1 short): 2 * 200,000
    expected = {TERM_VALUE: 200_000, TERM_GOAL_SHORTFALL: -400_000, TERM_COST: -263}
    assert objective_terms(problem, plan) == expected
    assert terms_of(problem, plan) == expected
