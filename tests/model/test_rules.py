"""Each hard rule binds: a tiny programme where breaking it would score better.

Default weights: one point of value is worth 100,000, a missing goal count
costs 200,000, each unit spent costs 1. Every plan goes through the
independent checker, whose objective terms must equal the model's.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ortools.sat.python import cp_model

from planner.check import check_plan
from planner.domain import (
    TERM_COST,
    TERM_GOAL_SHORTFALL,
    Asset,
    Dependency,
    Event,
    Goal,
    GoalKind,
    Partner,
    Period,
    Problem,
    Result,
    SolveOptions,
    Source,
    Status,
    Venue,
)
from planner.figures import objective_terms
from planner.model.search import build_model
from planner.model.search import solution_plan as read_plan
from planner.model.solve import solve
from planner.model.variables import SourceGuard
from tests.factories import exercise, make_problem

TWO_VENUES = [Venue("V"), Venue("W")]


def assert_checked(problem: Problem, result: Result) -> None:
    """The plan breaks no rule and its terms are the checker's terms."""
    assert result.plan is not None
    assert check_plan(problem, result.plan) == []
    assert objective_terms(problem, result.plan) == result.terms
    assert result.objective == sum(result.terms.values())


def solved(problem: Problem) -> Result:
    """The optimal plan of a tiny problem, checked.

    The same problem is also solved with every input row guarded (always
    true): guarded rows prune no variable, so each rule's own constraints must
    give the same optimum.
    """
    result = solve(problem, SolveOptions(time_limit_s=20, workers=1))
    assert result.status is Status.OPTIMAL
    assert_checked(problem, result)
    assert solved_unpruned(problem) == result.objective
    return result


def with_sources(problem: Problem) -> Problem:
    """The same problem with a workbook row named for every row-made fact."""
    rows = iter(range(2, 10_000))

    def sourced(item: Any, sheet: str) -> Any:
        fields = {"source": Source(sheet, next(rows))}
        if hasattr(item, "unavailable"):
            fields["unavailable"] = tuple(
                sourced(p, "Unavailability") for p in item.unavailable
            )
        return replace(item, **fields)

    return replace(
        problem,
        partners=tuple(sourced(p, "Partners") for p in problem.partners),
        venues=tuple(sourced(v, "Venues") for v in problem.venues),
        exercises=tuple(sourced(e, "Exercises") for e in problem.exercises),
        assets=tuple(sourced(a, "Assets") for a in problem.assets),
        goals=tuple(sourced(g, "Goals") for g in problem.goals),
        dependencies=tuple(sourced(d, "Dependencies") for d in problem.dependencies),
    )


def solved_unpruned(problem: Problem) -> int:
    """The optimum with every row guarded by a literal that is then fixed true."""
    problem = with_sources(problem)
    guard = SourceGuard()
    built = build_model(problem, guard)
    for literal in guard.literals.values():
        built.model.add(literal == 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(built.model) == cp_model.OPTIMAL
    assert check_plan(problem, read_plan(problem, built.variables, solver)) == []
    return sum(int(solver.value(term)) for term in built.terms.values())


def held(result: Result) -> list[str]:
    assert result.plan is not None
    return sorted(event.exercise_id for event in result.plan.events)


def event(result: Result, exercise_id: str) -> Event:
    assert result.plan is not None
    return result.plan.by_exercise[exercise_id]


# --- exercise_window -------------------------------------------------------------


def test_exercise_window_fixes_the_start() -> None:
    # latest start = latest_end - duration + 1 = 4 - 3 + 1 = 2 = earliest_start
    problem = make_problem([exercise("E", 3, earliest_start=2, latest_end=4)])
    assert solved(problem).plan.events == (Event("E", 2, "V", ()),)


def test_exercise_window_too_short_leaves_the_exercise_out() -> None:
    # slots 2..3 are 2 slots and E lasts 3: not held, although worth 100,000
    problem = make_problem([exercise("E", 3, earliest_start=2, latest_end=3)])
    assert held(solved(problem)) == []
    assert held(solved(make_problem([exercise("E", 3)]))) == ["E"]


def test_the_horizon_bounds_every_event() -> None:
    # 4 slots in the horizon, E lasts 5 even though its window says 0..9
    problem = make_problem([exercise("E", 5)], n_slots=4)
    assert held(solved(problem)) == []


# --- fixed_start_and_venue -----------------------------------------------------


def test_fixed_start_and_venue_hold_although_another_venue_is_cheaper() -> None:
    venues = [Venue("V", cost_per_slot=10), Venue("W")]
    fixed = exercise("E", 2, fixed_start=7, fixed_venue="V")
    result = solved(make_problem([fixed], venues=venues))
    # V costs 2 slots * 10 = 20 where W costs nothing
    assert result.plan.events == (Event("E", 7, "V", ()),)
    assert result.terms[TERM_COST] == -20
    free = solved(make_problem([exercise("E", 2)], venues=venues))
    assert event(free, "E").venue_id == "W"
    assert free.terms[TERM_COST] == 0


# --- one_venue -------------------------------------------------------------------


def test_one_venue_keeps_to_the_allowed_and_capable_venues() -> None:
    venues = [
        Venue("V", cost_per_slot=50, capabilities=frozenset({"maritime"})),
        Venue("W"),
    ]
    allowed = exercise("E", 1, venues=("V",))
    needs = exercise("E", 1, needs=frozenset({"maritime"}))
    for restricted in (allowed, needs):
        result = solved(make_problem([restricted], venues=venues))
        # W would save 50, but only V is allowed / has the capability
        assert event(result, "E").venue_id == "V"
        assert result.terms[TERM_COST] == -50
    free = solved(make_problem([exercise("E", 1)], venues=venues))
    assert event(free, "E").venue_id == "W"


def test_one_venue_no_capable_venue_leaves_the_exercise_out() -> None:
    problem = make_problem([exercise("E", 1, needs=frozenset({"airfield"}))])
    assert held(solved(problem)) == []


# --- venue_unavailable -----------------------------------------------------------


def test_venue_unavailable_moves_the_event() -> None:
    def venues(last: int) -> list[Venue]:
        blackout = (Period(0, last, "maintenance"),)
        return [Venue("V", cost_per_slot=100), Venue("W", unavailable=blackout)]

    # W is closed for slots 0..7: a 2-slot event there can only start at 8
    result = solved(make_problem([exercise("E", 2)], venues=venues(7)))
    assert result.plan.events == (Event("E", 8, "W", ()),)
    # closed for 0..8, W has one free slot: E moves to V for 2 * 100
    result = solved(make_problem([exercise("E", 2)], venues=venues(8)))
    assert event(result, "E").venue_id == "V"
    assert result.terms[TERM_COST] == -200


# --- venue_concurrency -----------------------------------------------------------


def test_venue_concurrency_one_event_at_a_time() -> None:
    exercises = [exercise("E1", 6, value=1), exercise("E2", 6, value=2)]
    # 6 + 6 slots do not fit 10 at one venue: only the more valuable E2
    assert held(solved(make_problem(exercises))) == ["E2"]
    both = make_problem(exercises, venues=[Venue("V", max_concurrent=2)])
    assert held(solved(both)) == ["E1", "E2"]


# --- venue_capacity --------------------------------------------------------------


def test_venue_capacity_sends_a_big_event_elsewhere() -> None:
    def venues(capacity: int) -> list[Venue]:
        return [Venue("V", capacity=capacity), Venue("W", cost_per_slot=100)]

    big = exercise("E", 1, invited_partners=("A", "B"), min_partners=2)
    # two partners do not fit V (capacity 1): W at 100
    result = solved(make_problem([big], venues=venues(1)))
    assert result.plan.events == (
        Event("E", event(result, "E").start, "W", ("A", "B")),
    )
    assert result.terms[TERM_COST] == -100
    assert event(solved(make_problem([big], venues=venues(2))), "E").venue_id == "V"


# --- required_partners -----------------------------------------------------------


def test_required_partners_take_part_whatever_it_costs() -> None:
    travel = (("A", "V", 500), ("B", "V", 500))
    required = exercise("E", 1, required_partners=("A",), invited_partners=("A", "B"))
    result = solved(make_problem([required], travel_costs=travel))
    # A must come (travel 500); B may, but would only add cost
    assert event(result, "E").participants == ("A",)
    assert result.terms[TERM_COST] == -500
    optional = exercise("E", 1, invited_partners=("A", "B"))
    result = solved(make_problem([optional], travel_costs=travel))
    assert event(result, "E").participants == ()


# --- partner_count ---------------------------------------------------------------


def test_partner_count_min_partners_brings_partners_in() -> None:
    travel = (("A", "V", 300), ("B", "V", 300))
    two = exercise("E", 1, invited_partners=("A", "B"), min_partners=2)
    result = solved(make_problem([two], travel_costs=travel))
    # both must come: 2 * 300 travel, still better than losing 100,000
    assert event(result, "E").participants == ("A", "B")
    assert result.terms[TERM_COST] == -600
    one_invited = exercise("E", 1, invited_partners=("A",), min_partners=2)
    assert held(solved(make_problem([one_invited]))) == []


def test_partner_count_max_partners_keeps_partners_out() -> None:
    goal = Goal("G", GoalKind.ENGAGEMENT, 1, partners=("A", "B"))
    capped = exercise("E", 1, invited_partners=("A", "B"), max_partners=1)
    result = solved(make_problem([capped], goals=(goal,)))
    # only one of A, B may come: the other misses its 1 event, -200,000
    assert len(event(result, "E").participants) == 1
    assert result.terms[TERM_GOAL_SHORTFALL] == -200_000
    free = exercise("E", 1, invited_partners=("A", "B"))
    result = solved(make_problem([free], goals=(goal,)))
    assert event(result, "E").participants == ("A", "B")


# --- partner_unavailable ---------------------------------------------------------


def test_partner_unavailable_sends_someone_else() -> None:
    away = Partner("A", unavailable=(Period(0, 8, "election"),))
    travel = (("B", "V", 1000),)
    e = exercise("E", 2, invited_partners=("A", "B"), min_partners=1)
    # A is free only in slot 9, too short for 2 slots: B comes for 1,000
    result = solved(make_problem([e], [away, Partner("B")], travel_costs=travel))
    assert event(result, "E").participants == ("B",)
    assert result.terms[TERM_COST] == -1000
    result = solved(make_problem([e], travel_costs=travel))
    assert event(result, "E").participants == ("A",)


def test_partner_unavailable_moves_an_event_with_a_required_partner() -> None:
    away = Partner("A", unavailable=(Period(0, 7),))
    e = exercise("E", 2, required_partners=("A",), invited_partners=("A",))
    # A is back from slot 8; 8..9 is the only fit
    result = solved(make_problem([e], [away, Partner("B")]))
    assert result.plan.events == (Event("E", 8, "V", ("A",)),)


# --- partner_concurrency_and_gap -------------------------------------------------


def _with_a(id: str, duration: int, n_slots: int = 10, **fields: object):
    return exercise(
        id,
        duration,
        n_slots,
        required_partners=("A",),
        invited_partners=("A",),
        **fields,
    )


def test_partner_concurrency_one_event_at_a_time() -> None:
    exercises = [_with_a("E1", 6, value=1), _with_a("E2", 6, value=2)]
    # A cannot attend two 6-slot events within 10 slots: only E2
    assert held(solved(make_problem(exercises, venues=TWO_VENUES))) == ["E2"]
    busy = [Partner("A", max_concurrent=2), Partner("B")]
    both = make_problem(exercises, busy, venues=TWO_VENUES)
    assert held(solved(both)) == ["E1", "E2"]


def test_partner_gap_leaves_rest_between_events() -> None:
    exercises = [_with_a("E1", 2, 6, value=1), _with_a("E2", 2, 6, value=2)]

    def problem(gap: int) -> Problem:
        rested = [Partner("A", min_gap=gap), Partner("B")]
        return make_problem(exercises, rested, venues=TWO_VENUES, n_slots=6)

    # the later starts >= 0 + 2 + 2 = 4 and ends by slot 5: starts 0 and 4
    starts = sorted(e.start for e in solved(problem(2)).plan.events)
    assert starts == [0, 4]
    # with 3 free slots the later one would end at slot 6, past the horizon
    assert held(solved(problem(3))) == ["E2"]


def test_partner_gap_with_concurrent_events() -> None:
    def problem(gap: int, earliest: int) -> Problem:
        busy = [Partner("A", max_concurrent=2, min_gap=gap), Partner("B")]
        exercises = [
            _with_a("E1", 2, 5, fixed_start=0, mandatory=True),
            _with_a("E2", 2, 5, earliest_start=earliest),
        ]
        return make_problem(exercises, busy, venues=TWO_VENUES, n_slots=5)

    # E1 holds slots 0..1. E2 from 1 shares slot 1 (allowed, 2 at once); from
    # 2 or 3 it leaves 0 or 1 free slots (< 2); from 4 it would end past slot 4
    assert event(solved(problem(2, 1)), "E2").start == 1
    assert held(solved(problem(2, 2))) == ["E1"]
    assert held(solved(problem(0, 2))) == ["E1", "E2"]


# --- partner_max_events ----------------------------------------------------------


def test_partner_max_events_keeps_the_most_valuable() -> None:
    exercises = [_with_a(f"E{v}", 1, value=v) for v in (1, 2, 3)]
    limited = [Partner("A", max_events=2), Partner("B")]
    # A attends 2 of 3: the ones worth 2 and 3
    assert held(solved(make_problem(exercises, limited))) == ["E2", "E3"]
    assert held(solved(make_problem(exercises))) == ["E1", "E2", "E3"]


# --- asset_capacity --------------------------------------------------------------


def test_asset_capacity_one_event_at_a_time() -> None:
    exercises = [
        exercise("E1", 6, value=1, assets=("S",)),
        exercise("E2", 6, value=2, assets=("S",)),
    ]

    def problem(capacity: int) -> Problem:
        return make_problem(
            exercises, venues=TWO_VENUES, assets=(Asset("S", capacity=capacity),)
        )

    # the ship S serves one 6-slot event at a time: only E2 fits in 10 slots
    assert held(solved(problem(1))) == ["E2"]
    assert held(solved(problem(2))) == ["E1", "E2"]


def test_asset_unavailable_moves_the_event() -> None:
    ship = Asset("S", unavailable=(Period(0, 7, "refit"),))
    problem = make_problem([exercise("E", 2, assets=("S",))], assets=(ship,))
    # S is back from slot 8
    assert solved(problem).plan.events == (Event("E", 8, "V", ()),)


# --- partner_budget --------------------------------------------------------------


def test_partner_budget_counts_travel_to_the_chosen_venue() -> None:
    travel = (("A", "V", 600), ("A", "W", 100))
    exercises = [
        _with_a("E1", 1, value=1, fixed_start=0),
        _with_a("E2", 1, value=2, fixed_start=0),
    ]

    def problem(budget: int) -> Problem:
        partners = [Partner("A", budget=budget, max_concurrent=2), Partner("B")]
        return make_problem(exercises, partners, venues=TWO_VENUES, travel_costs=travel)

    # both at slot 0 need both venues: A spends 600 + 100 = 700
    result = solved(problem(700))
    assert held(result) == ["E1", "E2"]
    assert result.terms[TERM_COST] == -700
    # 699 pays for one only: E2, at W for 100
    result = solved(problem(699))
    assert result.plan.events == (Event("E2", 0, "W", ("A",)),)
    assert result.terms[TERM_COST] == -100


# --- total_budget ----------------------------------------------------------------


def test_total_budget_caps_organizer_spend() -> None:
    exercises = [
        exercise("E1", 1, value=1, fixed_cost=500),
        exercise("E2", 1, value=2, fixed_cost=500),
    ]
    # 500 + 500 > 900: only the more valuable E2
    assert held(solved(make_problem(exercises, total_budget=900))) == ["E2"]
    assert held(solved(make_problem(exercises, total_budget=1000))) == ["E1", "E2"]


# --- dependencies ----------------------------------------------------------------


def test_dependencies_order_and_min_gap() -> None:
    exercises = [exercise("E1", 2, 6), exercise("E2", 2, 6, value=2)]

    def problem(gap: int) -> Problem:
        dependency = Dependency("E1", "E2", min_gap=gap)
        return make_problem(
            exercises, venues=TWO_VENUES, n_slots=6, dependencies=(dependency,)
        )

    # E2 starts >= E1.start + 2 + 2 and ends by slot 5: E1 at 0, E2 at 4
    result = solved(problem(2))
    assert [(e.exercise_id, e.start) for e in result.plan.events] == [
        ("E1", 0),
        ("E2", 4),
    ]
    # a gap of 3 would push E2 past the horizon: the more valuable E2 alone
    assert held(solved(problem(3))) == ["E2"]


def test_dependencies_max_gap() -> None:
    def problem(max_gap: int) -> Problem:
        exercises = [
            exercise("E1", 1, fixed_start=0, mandatory=True),
            exercise("E2", 1, earliest_start=3),
        ]
        dependency = Dependency("E1", "E2", max_gap=max_gap)
        return make_problem(exercises, dependencies=(dependency,))

    # E2 must start <= 0 + 1 + 1 = 2, but its window opens at 3
    assert held(solved(problem(1))) == ["E1"]
    # <= 0 + 1 + 2 = 3: exactly slot 3
    assert event(solved(problem(2)), "E2").start == 3


def test_dependencies_requires() -> None:
    def problem(requires: bool) -> Problem:
        exercises = [
            exercise("E1", 2, earliest_start=8, latest_end=8),  # cannot be held
            exercise("E2", 1, value=5),
        ]
        dependency = Dependency("E1", "E2", requires=requires)
        return make_problem(exercises, dependencies=(dependency,))

    # E2 (worth 500,000) may only be held with E1, which fits nowhere
    assert held(solved(problem(True))) == []
    assert held(solved(problem(False))) == ["E2"]


# --- mandatory_exercises ---------------------------------------------------------


def test_mandatory_exercise_is_held_over_a_more_valuable_one() -> None:
    def problem(mandatory: bool) -> Problem:
        return make_problem(
            [exercise("E1", 6, mandatory=mandatory), exercise("E2", 6, value=5)]
        )

    # one venue, 6 + 6 > 10 slots: E1 (worth 1) must be held, so E2 (5) goes
    assert held(solved(problem(True))) == ["E1"]
    assert held(solved(problem(False))) == ["E2"]


# --- hard_goals ------------------------------------------------------------------


def test_hard_coverage_goal_holds_a_less_valuable_exercise() -> None:
    def problem(hard: bool) -> Problem:
        exercises = [
            exercise("E1", 6, areas=frozenset({"cyber"})),
            exercise("E2", 6, value=5),
        ]
        goal = Goal("G", GoalKind.COVERAGE, 1, area="cyber", hard=hard)
        return make_problem(exercises, goals=(goal,))

    # hard: E1 must be held. Soft: E2's 500,000 beats E1's 100,000 plus the
    # 200,000 shortfall it would avoid
    assert held(solved(problem(True))) == ["E1"]
    result = solved(problem(False))
    assert held(result) == ["E2"]
    assert result.terms[TERM_GOAL_SHORTFALL] == -200_000


def test_hard_together_goal_brings_partners_together() -> None:
    e = exercise("E", 1, invited_partners=("A", "B"), cost_per_partner=1000)
    goal = Goal("G", GoalKind.TOGETHER, 1, partners=("A", "B"), hard=True)
    result = solved(make_problem([e], goals=(goal,)))
    # both come although each pays 1,000
    assert event(result, "E").participants == ("A", "B")
    assert result.terms[TERM_COST] == -2000
    assert event(solved(make_problem([e])), "E").participants == ()


def test_hard_engagement_goal_counts_each_partner() -> None:
    exercises = [
        exercise("E1", 1, invited_partners=("A",), cost_per_partner=1000),
        exercise("E2", 1, invited_partners=("A",), cost_per_partner=1000),
    ]
    goal = Goal("G", GoalKind.ENGAGEMENT, 2, partners=("A",), hard=True)
    result = solved(make_problem(exercises, goals=(goal,)))
    # A takes part in both: 2 * 1,000
    assert [e.participants for e in result.plan.events] == [("A",), ("A",)]
    assert result.terms[TERM_COST] == -2000


def test_hard_goal_out_of_reach_is_infeasible() -> None:
    goal = Goal("G", GoalKind.COVERAGE, 2, area="cyber", hard=True)
    problem = make_problem(
        [exercise("E", 1, areas=frozenset({"cyber"}))], goals=(goal,)
    )
    # only one exercise trains cyber
    result = solve(problem, SolveOptions(time_limit_s=10, workers=1))
    assert result.status is Status.INFEASIBLE
    assert result.plan is None
