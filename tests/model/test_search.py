"""The solve loop: statuses, hints, determinism, progress, Ctrl-C, scale."""

from __future__ import annotations

import datetime as dt
import os
import random
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from planner.check import check_plan
from planner.domain import (
    Asset,
    Dependency,
    Event,
    Exercise,
    Goal,
    GoalKind,
    Partner,
    Period,
    Plan,
    Problem,
    Progress,
    Settings,
    SolveOptions,
    Source,
    Status,
    Venue,
)
from planner.model.construct import construct_plan
from planner.model.hint import greedy_plan
from planner.model.search import Found, Run, build_model
from planner.model.search import solution_plan as read_plan
from planner.model.solve import _fill_gaps, _first_plan_s, solve
from planner.model.variables import SourceGuard
from planner.workbook.generate import generate
from planner.workbook.read import read_problem
from planner.workbook.template import write_workbook
from tests.factories import exercise, make_problem
from tests.model.test_rules import assert_checked

CAPABILITIES = ("maritime", "airfield", "cyber", "land")
AREAS = ("c2", "logistics", "medical", "cyber")


def synthetic_problem(
    n_exercises: int,
    n_partners: int,
    n_venues: int,
    n_slots: int,
    seed: int = 1,
) -> Problem:
    """A random but realistic programme, built from the domain directly."""
    rng = random.Random(seed)
    start = dt.date(2027, 1, 4)
    settings = Settings(start, start + dt.timedelta(days=7 * n_slots - 1))
    partners = [
        Partner(
            f"P{i}",
            budget=rng.choice([None, 200_000]),
            max_events=rng.choice([None, 30]),
            max_concurrent=rng.choice([1, 1, 2]),
            min_gap=rng.choice([0, 0, 1]),
            weight=rng.randint(1, 3),
            unavailable=_blackouts(rng, n_slots),
        )
        for i in range(n_partners)
    ]
    venues = [
        Venue(
            f"V{i}",
            capabilities=frozenset(rng.sample(CAPABILITIES, rng.randint(1, 3))),
            capacity=rng.choice([None, 8, 12]),
            cost_per_slot=rng.randint(0, 5) * 1000,
            max_concurrent=rng.choice([1, 1, 2]),
            unavailable=_blackouts(rng, n_slots),
        )
        for i in range(n_venues)
    ]
    assets = [Asset(f"S{i}", capacity=rng.randint(1, 2)) for i in range(5)]
    exercises = [
        _synthetic_exercise(rng, i, partners, venues, assets, n_slots)
        for i in range(n_exercises)
    ]
    travel = tuple(
        (p.id, v.id, rng.randint(1, 20) * 500)
        for p in partners
        for v in venues
        if rng.random() < 0.5
    )
    goals = (
        Goal("G-TOGETHER", GoalKind.TOGETHER, 3, partners=("P0", "P1")),
        Goal("G-ENGAGE", GoalKind.ENGAGEMENT, 2, area="c2"),
        Goal("G-COVER", GoalKind.COVERAGE, n_exercises // 10, area="cyber"),
    )
    dependencies = tuple(
        Dependency(f"E{i}", f"E{i + 1}", min_gap=1, requires=i % 4 == 0)
        for i in range(0, n_exercises - 1, 25)
    )
    return Problem(
        settings=settings,
        partners=tuple(partners),
        venues=tuple(venues),
        exercises=tuple(exercises),
        assets=tuple(assets),
        goals=goals,
        dependencies=dependencies,
        travel_costs=travel,
    )


def _blackouts(rng: random.Random, n_slots: int) -> tuple[Period, ...]:
    firsts = sorted(rng.sample(range(n_slots), 2))
    return tuple(Period(f, min(n_slots - 1, f + rng.randint(0, 3))) for f in firsts)


def _synthetic_exercise(
    rng: random.Random,
    i: int,
    partners: list[Partner],
    venues: list[Venue],
    assets: list[Asset],
    n_slots: int,
) -> Exercise:
    duration = rng.randint(1, 4)
    earliest = rng.randint(0, n_slots - duration)
    latest_end = min(n_slots - 1, earliest + duration - 1 + rng.randint(2, 26))
    invited = rng.sample(
        [p.id for p in partners], min(len(partners), rng.randint(3, 12))
    )
    required = invited[: rng.randint(0, 2)]
    return Exercise(
        id=f"E{i}",
        duration=duration,
        earliest_start=earliest,
        latest_end=latest_end,
        mandatory=rng.random() < 0.03,
        value=rng.randint(1, 10),
        venues=tuple(v.id for v in rng.sample(venues, min(len(venues), 5))),
        needs=frozenset(rng.sample(CAPABILITIES, rng.randint(0, 1))),
        required_partners=tuple(required),
        invited_partners=tuple(invited),
        min_partners=rng.randint(len(required), 3),
        max_partners=rng.choice([None, 8]),
        fixed_cost=rng.randint(0, 10) * 1000,
        cost_per_partner=rng.randint(0, 4) * 500,
        areas=frozenset(rng.sample(AREAS, rng.randint(0, 2))),
        assets=tuple(a.id for a in rng.sample(assets, rng.choice([0, 0, 0, 1]))),
    )


# --- statuses --------------------------------------------------------------------


def test_contradicting_mandatory_exercises_are_infeasible() -> None:
    # one venue, two mandatory 6-slot exercises in 10 slots
    problem = make_problem(
        [exercise("E1", 6, mandatory=True), exercise("E2", 6, mandatory=True)]
    )
    result = solve(problem, SolveOptions(time_limit_s=10, workers=1))
    assert result.status is Status.INFEASIBLE
    assert result.plan is None
    assert result.terms == {}


def test_time_limited_run_returns_a_checked_plan() -> None:
    problem = synthetic_problem(30, 10, 6, 40, seed=2)
    result = solve(problem, SolveOptions(time_limit_s=1, workers=2))
    assert result.status in (Status.FEASIBLE, Status.OPTIMAL)
    assert_checked(problem, result)
    assert result.plan.events
    assert result.bound is None or result.bound >= result.objective


def test_a_search_stopped_before_its_first_plan_returns_the_hinted_plan() -> None:
    problem = synthetic_problem(60, 12, 8, 52)
    # 10 ms is too short for CP-SAT's presolve on 60 exercises
    result = solve(problem, SolveOptions(time_limit_s=0.01, workers=1))
    assert result.statistics["plan_from"] == "hint"
    assert result.status is Status.FEASIBLE
    assert result.plan == construct_plan(problem)
    assert result.bound is None
    assert_checked(problem, result)


@pytest.mark.slow
def test_deterministic_runs_give_the_same_plan() -> None:
    problem = synthetic_problem(40, 10, 6, 40, seed=7)
    options = SolveOptions(time_limit_s=1, workers=2, seed=3, deterministic=True)
    first = solve(problem, options)
    second = solve(problem, options)
    assert first.plan is not None
    assert first.plan == second.plan
    assert first.terms == second.terms


SAMPLE = Path(__file__).resolve().parents[2] / "instances" / "sample.xlsx"


def _generated_s(folder: Path) -> Problem:
    tables, _ = generate("s", seed=3)
    write_workbook(tables, folder / "s.xlsx")
    problem, findings = read_problem(folder / "s.xlsx")
    assert problem is not None, findings
    return problem


@pytest.mark.slow
@pytest.mark.parametrize("programme", ["sample", "generated s"])
def test_a_plan_proven_best_is_the_same_run_after_run(
    programme: str, tmp_path: Path
) -> None:
    problem = read_problem(SAMPLE)[0] if programme == "sample" else None
    problem = problem or _generated_s(tmp_path)
    # two workers race each other: which equally good plan they end on varies
    options = SolveOptions(time_limit_s=30, workers=2)
    first, second = solve(problem, options), solve(problem, options)
    assert first.status is Status.OPTIMAL
    assert first.statistics["canonical"] is True
    assert first.plan == second.plan
    assert_checked(problem, first)
    # and it is the plan a deterministic run gives
    deterministic = solve(problem, replace(options, deterministic=True))
    assert deterministic.plan == first.plan


def test_a_deterministic_run_stops_once_its_plan_is_proven_best() -> None:
    problem = read_problem(SAMPLE)[0]
    assert problem is not None
    result = solve(problem, SolveOptions(time_limit_s=60, deterministic=True))
    assert result.status is Status.OPTIMAL
    # the sample is proven in about 0.03 units of CP-SAT's deterministic time,
    # against a budget of 3 (the interleaved search used all of it)
    budget = result.parameters["cp_sat"]["max_deterministic_time"]
    assert result.statistics["deterministic_time"] < budget / 10
    assert_checked(problem, result)


def test_parameters_record_the_run() -> None:
    problem = make_problem([exercise("E", 1)])
    result = solve(problem, SolveOptions(workers=0, seed=5))
    # no time limit given: the workbook's 60 s; workers 0: every core
    assert result.parameters["time_limit_s"] == 60.0
    assert result.parameters["workers"] == os.cpu_count()
    assert result.parameters["seed"] == 5
    assert result.statistics["variables"] > 0
    assert result.statistics["cp_sat_version"]


def test_a_deterministic_run_is_one_worker_on_deterministic_time() -> None:
    problem = make_problem([exercise("E", 1)])
    result = solve(problem, SolveOptions(workers=0, deterministic=True))
    # one worker's search depends on nothing but the model and the parameters
    assert result.parameters["workers"] == 1
    assert result.parameters["cp_sat"]["max_deterministic_time"] == 60 * 0.05


# --- hints -----------------------------------------------------------------------


def test_greedy_plan_is_feasible() -> None:
    problem = synthetic_problem(80, 15, 10, 52, seed=3)
    plan = greedy_plan(problem)
    assert len(plan.events) > 40
    assert check_plan(problem, plan) == []


def test_greedy_plan_places_mandatory_exercises_first() -> None:
    problem = make_problem(
        [exercise("E1", 6, value=9), exercise("E2", 6, mandatory=True)]
    )
    # one venue, 6 + 6 > 10 slots: the mandatory E2 gets the venue
    assert [e.exercise_id for e in greedy_plan(problem).events] == ["E2"]


def test_greedy_plan_pulls_in_what_an_exercise_requires() -> None:
    exercises = [exercise("E1", 2, value=1), exercise("E2", 2, value=9)]
    dependency = Dependency("E1", "E2", min_gap=1, requires=True)
    plan = greedy_plan(make_problem(exercises, dependencies=(dependency,)))
    # E2 goes first by value, but needs E1 first: E1 at 0..1, E2 from 1 + 1 + 1
    assert [(e.exercise_id, e.start) for e in plan.events] == [("E1", 0), ("E2", 3)]


def test_greedy_plan_takes_the_cheapest_venue_and_the_partners_a_goal_needs() -> None:
    venues = [Venue("V", cost_per_slot=100), Venue("W", cost_per_slot=10)]
    e = exercise("E", 1, invited_partners=("A", "B"), cost_per_partner=50)
    goal = Goal("G", GoalKind.TOGETHER, 1, partners=("A", "B"), hard=True)
    plan = greedy_plan(make_problem([e], venues=venues, goals=(goal,)))
    assert plan.events == (Event("E", 0, "W", ("A", "B")),)


def test_a_given_hint_is_used_and_stale_events_are_skipped() -> None:
    problem = make_problem([exercise("E1", 2), exercise("E2", 2)])
    hint = Plan(
        (
            Event("E1", 3, "V", ()),
            Event("E2", 6, "V", ()),
            Event("GONE", 0, "V", ()),  # from an older workbook
        )
    )
    result = solve(problem, SolveOptions(time_limit_s=10, workers=1), hint=hint)
    assert result.statistics["hint_events"] == 2
    assert result.parameters["hint"] == "given"
    assert result.status is Status.OPTIMAL
    assert_checked(problem, result)


# --- progress and Ctrl-C ---------------------------------------------------------


def test_progress_reports_solutions_and_the_final_state() -> None:
    problem = make_problem([exercise("E1", 2, value=3), exercise("E2", 2, value=4)])
    seen: list[Progress] = []
    result = solve(problem, SolveOptions(time_limit_s=10, workers=1), seen.append)
    assert any(p.objective is not None for p in seen)
    # (3 + 4) * 100,000
    assert seen[-1].objective == result.objective == 700_000


def test_ctrl_c_returns_the_best_plan_so_far() -> None:
    problem = synthetic_problem(60, 12, 8, 52, seed=5)

    pressed: list[Progress] = []

    def interrupt(progress: Progress) -> None:
        if progress.objective is not None and not pressed:
            pressed.append(progress)
            raise KeyboardInterrupt

    options = SolveOptions(time_limit_s=60, workers=2)
    result = solve(problem, options, progress=interrupt)
    assert result.statistics["interrupted"] is True
    assert result.status is Status.FEASIBLE
    assert_checked(problem, result)


def test_a_cancel_token_stops_the_search_and_keeps_the_best_plan() -> None:
    problem = synthetic_problem(60, 12, 8, 52, seed=5)
    cancel = threading.Event()

    def cancel_on_first_plan(progress: Progress) -> None:
        if progress.objective is not None:
            cancel.set()

    options = SolveOptions(time_limit_s=60, workers=2)
    result = solve(problem, options, progress=cancel_on_first_plan, cancel=cancel)
    assert result.statistics["interrupted"] is True
    assert result.status is Status.FEASIBLE
    assert_checked(problem, result)


# --- explain-readiness -----------------------------------------------------------


def _solve_assuming(
    problem: Problem, off: set[Source]
) -> tuple[int, set[Source], list[str]]:
    """Solve with every guarded row assumed on, except ``off``.

    Returns the status, the rows blamed when infeasible, the held exercises.
    """
    guard = SourceGuard()
    built = build_model(problem, guard)
    for source, literal in guard.literals.items():
        built.model.add(literal == (source not in off))
    built.model.clear_hints()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    status = solver.solve(built.model)
    if status == cp_model.INFEASIBLE:
        return status, _core(problem, off), []
    plan = read_plan(problem, built.variables, solver)
    return status, set(), sorted(e.exercise_id for e in plan.events)


def _core(problem: Problem, off: set[Source]) -> set[Source]:
    """Rows whose assumptions CP-SAT finds sufficient for infeasibility."""
    guard = SourceGuard()
    built = build_model(problem, guard)
    wanted = {s: lit for s, lit in guard.literals.items() if s not in off}
    built.model.add_assumptions(list(wanted.values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(built.model) == cp_model.INFEASIBLE
    by_index = {literal.index: source for source, literal in wanted.items()}
    return {by_index[i] for i in solver.sufficient_assumptions_for_infeasibility()}


def test_guarded_rows_name_the_cause_of_infeasibility() -> None:
    mandatory_row, blackout_row = Source("Exercises", 2), Source("Unavail", 4)
    away = Partner("A", unavailable=(Period(0, 9, "deployed", blackout_row),))
    must = exercise(
        "E",
        1,
        mandatory=True,
        required_partners=("A",),
        invited_partners=("A",),
        source=mandatory_row,
    )
    other = exercise("F", 1, source=Source("Exercises", 3))
    problem = make_problem([must, other], [away, Partner("B")])
    # E must be held, and its required partner A is away all ten slots
    status, core, _ = _solve_assuming(problem, set())
    assert status == cp_model.INFEASIBLE
    assert {mandatory_row, blackout_row} <= core
    # switching off either row (E optional, or A back) leaves a plan
    assert _solve_assuming(problem, {mandatory_row})[2] == ["F"]
    assert _solve_assuming(problem, {blackout_row})[2] == ["E", "F"]


ROW = Source("Row", 9)
BUSY = Period(0, 9, "busy", ROW)
TWO_LONG = [exercise("E1", 6, value=1), exercise("E2", 6, value=2)]
WITH_A = {"required_partners": ("A",), "invited_partners": ("A",)}


@pytest.mark.parametrize(
    ("problem", "held_on", "held_off"),
    [
        # a venue row: one event at a time
        (make_problem(TWO_LONG, venues=[Venue("V", source=ROW)]), ["E2"], None),
        # a partner row: one event at a time, and its budget
        (
            make_problem(
                [exercise(f"E{i}", 6, value=i, **WITH_A) for i in (1, 2)],
                [Partner("A", budget=0, source=ROW), Partner("B")],
                venues=[Venue("V", max_concurrent=2)],
                travel_costs=(("A", "V", 1),),
            ),
            [],
            None,
        ),
        # an asset row: one event at a time
        (
            make_problem(
                [exercise(f"E{i}", 6, value=i, assets=("S",)) for i in (1, 2)],
                venues=[Venue("V", max_concurrent=2)],
                assets=(Asset("S", source=ROW),),
            ),
            ["E2"],
            None,
        ),
        # a venue blackout over the whole horizon
        (
            make_problem(TWO_LONG[:1], venues=[Venue("V", unavailable=(BUSY,))]),
            [],
            ["E1"],
        ),
        # an exercise row: its window
        (make_problem([exercise("E1", 3, latest_end=1, source=ROW)]), [], ["E1"]),
        # a dependency that cannot hold
        (
            make_problem(
                TWO_LONG,
                venues=[Venue("V", max_concurrent=2)],
                dependencies=(Dependency("E1", "E2", min_gap=9, source=ROW),),
            ),
            ["E2"],
            None,
        ),
        # a hard goal asking for an exercise worth less
        (
            make_problem(
                [exercise("E1", 6, areas=frozenset({"c2"})), TWO_LONG[1]],
                goals=(
                    Goal("G", GoalKind.COVERAGE, 1, "", "c2", hard=True, source=ROW),
                ),
            ),
            ["E1"],
            ["E2"],
        ),
    ],
)
def test_switching_a_row_off_relaxes_it(
    problem: Problem, held_on: list[str], held_off: list[str] | None
) -> None:
    assert _solve_assuming(problem, set())[2] == held_on
    assert _solve_assuming(problem, {ROW})[2] == (held_off or ["E1", "E2"])


def test_switching_the_total_budget_off_relaxes_it() -> None:
    exercises = [exercise(f"E{i}", 1, value=i, fixed_cost=10) for i in (1, 2)]
    problem = make_problem(exercises, total_budget=10)
    budget_row = Source("Settings", 0)
    assert _solve_assuming(problem, set())[2] == ["E2"]
    assert _solve_assuming(problem, {budget_row})[2] == ["E1", "E2"]


# --- scale -----------------------------------------------------------------------


def test_a_300_exercise_programme_builds_small() -> None:
    problem = synthetic_problem(300, 40, 30, 104)
    built = build_model(problem)
    v = built.variables
    for exercise_id, venue_id in v.at_venue:
        e = problem.exercise[exercise_id]
        assert venue_id in e.venues
        assert e.needs <= problem.venue[venue_id].capabilities
    assert all(p in problem.exercise[e].invited_partners for e, p in v.takes_part)
    assert len(v.at_venue) <= 5 * 300
    assert len(v.takes_part) <= 12 * 300


@pytest.mark.parametrize("seed", [11, 12])
def test_small_synthetic_programmes_solve_to_checked_plans(seed: int) -> None:
    problem = synthetic_problem(25, 8, 5, 30, seed=seed)
    result = solve(problem, SolveOptions(time_limit_s=1, workers=1))
    assert result.status in (Status.FEASIBLE, Status.OPTIMAL)
    assert_checked(problem, result)


def test_filling_gaps_adds_what_fits_and_moves_nothing() -> None:
    # One venue, weeks 0-3. The plan holds E1 in weeks 1-2 only; E2 (1 week)
    # still fits in week 0 or 3 without moving E1, E3 (2 weeks) fits nowhere.
    problem = make_problem(
        [
            exercise("E1", 2, n_slots=4, value=5),
            exercise("E2", 1, n_slots=4, value=3),
            exercise("E3", 2, n_slots=4, value=4),
        ],
        n_slots=4,
    )
    plan = Plan((Event("E1", 1, "V", ()),))
    built = build_model(problem)
    filled = _fill_gaps(built, problem, plan, seconds=5, workers=1)
    assert filled is not None
    better = read_plan(problem, built.variables, filled)
    assert better.by_exercise["E1"] == Event("E1", 1, "V", ())
    assert set(better.by_exercise) == {"E1", "E2"}
    assert better.by_exercise["E2"].start in (0, 3)
    assert check_plan(problem, better) == []


def test_a_plan_whose_gaps_were_filled_keeps_its_first_plan_time() -> None:
    # Seen on a loaded dense xl: "search, then gaps filled" reported no
    # first plan at all.
    run = Run(0.0, None)
    run.first_s = 4.2
    for plan_from in ("search", "search, then gaps filled"):
        found = Found(cp_model.FEASIBLE, None, plan_from)
        assert _first_plan_s(run, found, None, 0.0) == 4.2
    assert _first_plan_s(run, Found(cp_model.FEASIBLE, None, "hint"), None, 0.0) is None
