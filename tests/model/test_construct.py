"""The construction: complete, checker-clean plans where first fit fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.check import check_plan
from planner.domain import (
    Deadline,
    Dependency,
    Goal,
    GoalKind,
    Partner,
    Period,
    Plan,
    Problem,
)
from planner.figures import objective_terms
from planner.model.construct import construct_plan
from planner.model.hint import PlanState, greedy_plan
from planner.workbook.generate import generate
from planner.workbook.read import read_problem
from planner.workbook.template import write_workbook
from tests.factories import exercise, make_problem


def _rules_broken(problem: Problem, plan: Plan) -> list[str]:
    return sorted({v.rule for v in check_plan(problem, plan)})


def _held(plan: Plan) -> dict[str, tuple[int, tuple[str, ...]]]:
    return {e.exercise_id: (e.start, e.participants) for e in plan.events}


def test_a_mandatory_exercise_first_fit_cannot_place_moves_what_blocks_it() -> None:
    # A and B are mandatory, one week each, in weeks 0-1 at the one venue V.
    # First fit puts A (listed first) in week 0; B needs partner A, who is away
    # in week 1, so B fits only in week 0: A must move to week 1.
    away = Partner("A", unavailable=(Period(1, 1),))
    problem = make_problem(
        [
            exercise("EA", mandatory=True, latest_end=1),
            exercise(
                "EB",
                mandatory=True,
                latest_end=1,
                required_partners=("A",),
                invited_partners=("A",),
            ),
        ],
        partners=[away, Partner("B")],
    )
    assert _rules_broken(problem, greedy_plan(problem)) == ["mandatory"]
    plan = construct_plan(problem)
    assert check_plan(problem, plan) == []
    assert _held(plan) == {"EA": (1, ()), "EB": (0, ("A",))}


def test_an_optional_partner_in_the_way_leaves_its_event() -> None:
    # EA (fixed in week 0) invites A and B and needs one of them; the cheaper,
    # A, is taken first. EB (fixed in week 0 too) requires A: A leaves EA
    # and B takes its place, so both are held in week 0.
    problem = make_problem(
        [
            exercise(
                "EA",
                mandatory=True,
                fixed_start=0,
                invited_partners=("A", "B"),
                min_partners=1,
                cost_per_partner=0,
            ),
            exercise(
                "EB",
                mandatory=True,
                fixed_start=0,
                required_partners=("A",),
                invited_partners=("A",),
            ),
        ],
        venues=None,
        travel_costs=(("B", "V", 500),),
    )
    problem = _two_venues(problem)
    assert "mandatory" in _rules_broken(problem, greedy_plan(problem))
    plan = construct_plan(problem)
    assert check_plan(problem, plan) == []
    assert _held(plan) == {"EA": (0, ("B",)), "EB": (0, ("A",))}


def _two_venues(problem: Problem) -> Problem:
    from dataclasses import replace

    from planner.domain import Venue

    return replace(problem, venues=(Venue("V"), Venue("W")))


def test_a_dependency_in_the_way_moves_the_exercise_before() -> None:
    # EB (mandatory, fixed week 5) must start at most 1 free week after EA
    # ends. First fit puts EA (optional, placed first as EB requires it) in
    # week 0, too early: the repair moves EA to weeks 3-4.
    problem = make_problem(
        [
            exercise("EA"),
            exercise("EB", mandatory=True, fixed_start=5),
        ],
        dependencies=(Dependency("EA", "EB", min_gap=0, max_gap=1, requires=True),),
    )
    assert "mandatory" in _rules_broken(problem, greedy_plan(problem))
    plan = construct_plan(problem)
    assert check_plan(problem, plan) == []
    assert _held(plan)["EB"] == (5, ())
    assert _held(plan)["EA"][0] in (3, 4)


def test_a_hard_goal_brings_in_an_exercise_and_a_partner() -> None:
    # Nothing is mandatory; the hard goal wants B in two held exercises.
    problem = make_problem(
        [
            exercise("EA", invited_partners=("A", "B")),
            exercise("EB", invited_partners=("B",), latest_end=0),
            exercise("EC", invited_partners=("B",), latest_end=0),
        ],
        goals=(Goal("G", GoalKind.ENGAGEMENT, 2, partners=("B",), hard=True),),
    )
    plan = construct_plan(problem)
    assert check_plan(problem, plan) == []
    assert sum("B" in e.participants for e in plan.events) >= 2


def _dense(size: str, seed: int, folder: Path) -> Problem:
    return _shaped(size, seed, "dense", folder)


def _shaped(size: str, seed: int, profile: str, folder: Path) -> Problem:
    tables, _ = generate(size, seed, profile)
    path = folder / f"{profile}-{size}-{seed}.xlsx"
    write_workbook(tables, path)
    problem, findings = read_problem(path)
    assert problem is not None, [str(f) for f in findings]
    return problem


@pytest.mark.parametrize(("size", "seed"), [("s", 1), ("s", 2), ("m", 1), ("m", 2)])
def test_construction_of_a_dense_programme_is_complete_and_checker_clean(
    size: str, seed: int, tmp_path: Path
) -> None:
    problem = _dense(size, seed, tmp_path)
    plan = construct_plan(problem)
    # Every rule holds, so every mandatory exercise is held and every hard
    # goal met (the checker names both).
    assert [str(v) for v in check_plan(problem, plan)] == []
    mandatory = {e.id for e in problem.exercises if e.mandatory}
    assert mandatory <= {e.exercise_id for e in plan.events}


def test_construction_is_deterministic(tmp_path: Path) -> None:
    problem = _dense("m", 1, tmp_path)
    assert construct_plan(problem) == construct_plan(problem)


class _CountedClock:
    """A clock that moves one tick each time it is read, and counts the reads
    made after ``at``: the work a step does once its deadline has passed."""

    def __init__(self, at: int) -> None:
        self.at, self.reads = at, 0

    def __call__(self) -> float:
        self.reads += 1
        return float(self.reads)

    @property
    def late(self) -> int:
        return max(0, self.reads - self.at)


@pytest.mark.parametrize("checks", [0, 40, 150, 300])
def test_a_construction_handed_a_deadline_returns_by_it(
    checks: int, tmp_path: Path
) -> None:
    problem = _shaped("m", 1, "goal-heavy", tmp_path)
    clock = _CountedClock(checks)
    plan = construct_plan(problem, Deadline(float(checks), clock))
    # Once the deadline has passed, each loop still running asks it once
    # more on its way out (five levels at most: the goal rounds, a goal, one
    # more count, a repair, its chain) and nothing else is placed: the
    # deadline is looked at before every placement.
    assert clock.late <= 8
    # What it hands over keeps every rule: only mandatory exercises and hard
    # goals may still be missing, which mending takes up.
    assert set(_rules_broken(problem, plan)) <= {"mandatory", "hard_goal"}


def test_a_construction_with_time_enough_is_complete(tmp_path: Path) -> None:
    problem = _shaped("m", 1, "goal-heavy", tmp_path)
    plan = construct_plan(problem, Deadline.never())
    assert _rules_broken(problem, plan) == []
    assert plan == construct_plan(problem)


def test_what_a_plan_is_worth_so_far_is_the_checkers_objective(
    tmp_path: Path,
) -> None:
    problem = _shaped("m", 2, "dense", tmp_path)
    state = PlanState(problem)
    for event in construct_plan(problem).events:
        state.place(problem.exercise[event.exercise_id], event)
    plan = Plan(tuple(state.placed.values()))
    assert state.worth() == sum(objective_terms(problem, plan).values())
