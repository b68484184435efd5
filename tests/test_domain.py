"""A Problem checks its own invariants when built and cannot be changed after."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
import re

import pytest

from planner.domain import (
    Dependency,
    Goal,
    GoalKind,
    Partner,
    Period,
    Problem,
    ProblemError,
    Settings,
    Venue,
)
from tests.factories import MONDAY, exercise, make_problem


def test_a_sound_problem_is_built() -> None:
    problem = make_problem([exercise("X", duration=2)])
    assert problem.exercise["X"].duration == 2


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: make_problem([exercise("X"), exercise("X")]),
            "exercise X is defined twice",
        ),
        (
            lambda: make_problem([exercise("X", venues=("W",))]),
            "exercise X: unknown venue W",
        ),
        (
            lambda: make_problem([exercise("X", invited_partners=("Z",))]),
            "exercise X: unknown partner Z",
        ),
        (
            lambda: make_problem([exercise("X", required_partners=("A",))]),
            "exercise X: required partners ['A'] not invited",
        ),
        (
            lambda: make_problem([exercise("X", fixed_venue="W")]),
            "exercise X: unknown venue W",
        ),
        (
            lambda: make_problem([exercise("X", assets=("truck",))]),
            "exercise X: unknown asset truck",
        ),
        (
            lambda: make_problem([exercise("X", min_partners=3, max_partners=2)]),
            "exercise X: max_partners below min_partners",
        ),
        (
            lambda: make_problem([exercise("X", duration=0)]),
            "exercise X: duration 0 below 1 slot",
        ),
        # A 10-slot horizon has slots 0 to 9.
        (
            lambda: make_problem([exercise("X", fixed_start=10)]),
            "exercise X: fixed start slot 10 outside the horizon of 10 slots",
        ),
        (
            lambda: make_problem(
                [exercise("X")], venues=[Venue("V", host_partner="Q")]
            ),
            "venue V: unknown host Q",
        ),
        (
            lambda: make_problem(
                [exercise("X")], partners=[Partner("A", unavailable=(Period(5, 4),))]
            ),
            "partner A: unavailable from slot 5 to 4, which runs backwards",
        ),
        (
            lambda: make_problem(
                [exercise("X")],
                goals=(Goal("G", GoalKind.ENGAGEMENT, 1, partners=("Q",)),),
            ),
            "goal G: unknown partner Q",
        ),
        (
            lambda: make_problem([exercise("X")], dependencies=(Dependency("X", "Y"),)),
            "dependency: unknown exercise Y",
        ),
        (
            lambda: make_problem(
                [exercise("X"), exercise("Y")],
                dependencies=(Dependency("X", "Y", min_gap=3, max_gap=1),),
            ),
            "dependency X->Y: max_gap below min_gap",
        ),
        (
            lambda: make_problem([exercise("X")], travel_costs=(("A", "W", 5),)),
            "travel cost: unknown venue W",
        ),
    ],
)
def test_a_problem_that_breaks_an_invariant_is_refused(build, message) -> None:
    with pytest.raises(ProblemError) as refused:
        build()
    assert message in str(refused.value).split("; ")


def test_a_horizon_that_ends_before_it_starts_is_refused() -> None:
    settings = Settings(planning_start=MONDAY, planning_end=MONDAY - dt.timedelta(1))
    with pytest.raises(ProblemError, match="planning_end is before planning_start"):
        Problem(settings, (), (), ())


def test_a_window_too_short_for_its_exercise_is_a_fact_not_a_fault() -> None:
    # Slots 2 to 3 cannot hold 3 slots: the model leaves the exercise out.
    problem = make_problem([exercise("X", duration=3, earliest_start=2, latest_end=3)])
    assert problem.exercise["X"].latest_start == 1


def test_a_mandatory_exercise_whose_window_cannot_hold_it_is_refused() -> None:
    # Slots 2 to 3 cannot hold 3 slots; mandatory, no plan could ever exist.
    short = exercise("X", duration=3, earliest_start=2, latest_end=3, mandatory=True)
    with pytest.raises(
        ProblemError,
        match=re.escape(
            "exercise X: mandatory, but its window (slots 2 to 3) cannot hold "
            "its 3 slots"
        ),
    ):
        make_problem([short])


def test_a_mandatory_exercise_whose_window_just_holds_it_is_sound() -> None:
    fits = exercise("X", duration=2, earliest_start=2, latest_end=3, mandatory=True)
    assert make_problem([fits]).exercise["X"].latest_start == 2


def test_a_variant_made_with_replace_is_checked_too() -> None:
    problem = make_problem([exercise("X", invited_partners=("A",))])
    with pytest.raises(ProblemError, match="exercise X: unknown partner A"):
        dataclasses.replace(problem, partners=())


def test_a_problem_cannot_be_changed() -> None:
    problem = make_problem([exercise("X")])
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.exercises = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        problem.exercise["Y"] = exercise("Y")  # type: ignore[index]
    with pytest.raises(TypeError):
        problem.travel["A", "V"] = 1  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.exercises[0].duration = 2  # type: ignore[misc]
    assert isinstance(problem.exercises, tuple)
    assert problem.exercise["X"].duration == 1


def test_a_problem_travels_to_another_process_with_its_lookups() -> None:
    problem = make_problem([exercise("X")])
    assert "X" in problem.exercise  # the lookup is built and cached
    copied = pickle.loads(pickle.dumps(problem))
    assert copied == problem
    assert copied.exercise["X"] == problem.exercise["X"]
