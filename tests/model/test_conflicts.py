"""The fewest rows that leave no plan, on tiny programmes with one conflict each.

Each test names the rows it expects and proves the answer minimal: switching
off any one of them lets a plan exist.
"""

from __future__ import annotations

import dataclasses

import pytest

from planner.domain import (
    Asset,
    Dependency,
    Goal,
    GoalKind,
    Partner,
    Period,
    Problem,
    SolveOptions,
    Source,
    Status,
    Venue,
)
from planner.model import conflicts
from planner.model.conflicts import conflict, feasible
from planner.model.search import BuiltModel
from planner.model.solve import solve
from tests.factories import exercise, make_problem

OPTIONS = SolveOptions(time_limit_s=10, workers=1)


def row(sheet: str, number: int) -> Source:
    return Source(sheet, number)


def assert_minimal_conflict(problem: Problem, expected: set[Source]) -> None:
    """The problem has no plan, the explanation is ``expected``, and minimal."""
    assert solve(problem, OPTIONS).status is Status.INFEASIBLE
    found = conflict(problem, time_limit_s=10)
    assert found is not None
    assert set(found) == expected
    assert len(found) == len(expected)
    assert feasible(problem, without=[]) is False
    for source in found:
        assert feasible(problem, without=[source]) is True, source


def test_blackout_against_a_mandatory_exercise() -> None:
    # E needs A in weeks 0-2 (3 weeks long); A is away weeks 1-1: no start fits.
    blackout = Period(1, 1, "exercise elsewhere", row("Unavailability", 5))
    problem = make_problem(
        [
            exercise(
                "E",
                duration=3,
                latest_end=2,
                mandatory=True,
                required_partners=("A",),
                invited_partners=("A",),
                source=row("Exercises", 2),
            )
        ],
        partners=[Partner("A", unavailable=(blackout,), source=row("Partners", 2))],
        venues=[Venue("V", source=row("Venues", 2))],
    )
    assert_minimal_conflict(problem, {row("Exercises", 2), row("Unavailability", 5)})


def test_total_budget_too_small_for_the_mandatory_set() -> None:
    # E1 and E2 are mandatory, 100 each: 200 > 150. E3 is optional: not named.
    problem = make_problem(
        [
            exercise("E1", mandatory=True, fixed_cost=100, source=row("Exercises", 2)),
            exercise("E2", mandatory=True, fixed_cost=100, source=row("Exercises", 3)),
            exercise("E3", fixed_cost=100, source=row("Exercises", 4)),
        ],
        venues=[Venue("V", source=row("Venues", 2))],
        total_budget=150,
    )
    settings = dataclasses.replace(
        problem.settings, total_budget_source=row("Settings", 5)
    )
    problem = dataclasses.replace(problem, settings=settings)
    assert_minimal_conflict(
        problem, {row("Exercises", 2), row("Exercises", 3), row("Settings", 5)}
    )


def test_hard_goal_needing_a_partner_never_available() -> None:
    # B must take part at least once, but is away all 10 weeks.
    away = Period(0, 9, "deployed", row("Unavailability", 7))
    problem = make_problem(
        [exercise("E", invited_partners=("A", "B"), source=row("Exercises", 2))],
        partners=[
            Partner("A", source=row("Partners", 2)),
            Partner("B", unavailable=(away,), source=row("Partners", 3)),
        ],
        goals=(
            Goal(
                "G",
                GoalKind.ENGAGEMENT,
                min_count=1,
                partners=("B",),
                hard=True,
                source=row("Goals", 2),
            ),
        ),
    )
    assert_minimal_conflict(problem, {row("Goals", 2), row("Unavailability", 7)})


def test_dependency_chain_longer_than_the_horizon() -> None:
    # Three mandatory 2-week exercises in a chain need 6 weeks; there are 5.
    # The venue hosts three at once, so without the chain they fit side by side.
    exercises = [
        exercise(
            f"E{i}",
            duration=2,
            n_slots=5,
            mandatory=True,
            source=row("Exercises", i + 1),
        )
        for i in (1, 2, 3)
    ]
    problem = make_problem(
        exercises,
        venues=[Venue("V", max_concurrent=3, source=row("Venues", 2))],
        n_slots=5,
        dependencies=(
            Dependency("E1", "E2", source=row("Dependencies", 2)),
            Dependency("E2", "E3", source=row("Dependencies", 3)),
        ),
    )
    assert_minimal_conflict(
        problem,
        {
            row("Exercises", 2),
            row("Exercises", 3),
            row("Exercises", 4),
            row("Dependencies", 2),
            row("Dependencies", 3),
        },
    )


def test_two_mandatory_exercises_share_a_single_asset_at_the_only_time() -> None:
    # Both must run in week 0 with the one ship; the venue could host both.
    both = [
        exercise(
            eid,
            latest_end=0,
            mandatory=True,
            assets=("SHIP",),
            source=row("Exercises", number),
        )
        for eid, number in (("E1", 2), ("E2", 3))
    ]
    problem = make_problem(
        both,
        venues=[Venue("V", max_concurrent=2, source=row("Venues", 2))],
        assets=(Asset("SHIP", capacity=1, source=row("Assets", 2)),),
    )
    assert_minimal_conflict(
        problem, {row("Exercises", 2), row("Exercises", 3), row("Assets", 2)}
    )


def test_a_programme_with_a_plan_has_no_conflict() -> None:
    problem = make_problem(
        [exercise("E", mandatory=True, source=row("Exercises", 2))],
    )
    assert conflict(problem, time_limit_s=10) is None


def test_no_row_is_named_when_the_horizon_alone_is_too_short() -> None:
    # A 12-week exercise cannot fit in 10 weeks whatever the rows say; forcing
    # it in (not a row) leaves nothing to blame.
    problem = make_problem([exercise("E", duration=12, source=row("Exercises", 2))])

    def hold(built: BuiltModel) -> None:
        built.model.add(built.variables.held["E"] == 1)

    assert conflict(problem, time_limit_s=10, force=hold) == []


def test_a_check_that_runs_out_of_time_keeps_its_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Same conflict as the blackout test; every check while shrinking now
    # "runs out of time", so no row may be dropped on its account.
    blackout = Period(1, 1, "exercise elsewhere", row("Unavailability", 5))
    problem = make_problem(
        [
            exercise(
                "E",
                duration=3,
                latest_end=2,
                mandatory=True,
                required_partners=("A",),
                invited_partners=("A",),
                source=row("Exercises", 2),
            )
        ],
        partners=[Partner("A", unavailable=(blackout,), source=row("Partners", 2))],
        venues=[Venue("V", source=row("Venues", 2))],
    )
    first_core = conflicts._GuardedModel.core
    calls = []

    def slow_after_first(self, rows, time_limit_s, decided=False):  # type: ignore[no-untyped-def]
        calls.append(rows)
        if len(calls) == 1:
            return first_core(self, rows, time_limit_s, decided)
        return conflicts._UNDECIDED if decided else list(rows)

    monkeypatch.setattr(conflicts._GuardedModel, "core", slow_after_first)
    found = conflict(problem)
    assert found is not None
    assert {row("Exercises", 2), row("Unavailability", 5)} <= set(found)
