"""Re-planning against a baseline: the change term, minimal change, the frozen past."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from planner.app.plans import plan_problem
from planner.check import check_plan, frozen_violations
from planner.domain import (
    TERM_CHANGE,
    Event,
    Partner,
    Period,
    Plan,
    Problem,
    SolveOptions,
    Status,
    Venue,
    Weights,
)
from planner.figures import objective_terms, plan_changes
from planner.model.search import add_hint, build_model, hinted_solution
from planner.model.solve import solve
from planner.workbook.schema import SETTINGS_KEYS
from tests.factories import exercise, make_problem

OPTIONS = SolveOptions(time_limit_s=10, workers=1, deterministic=True)


def solved(problem: Problem, **kwargs: object) -> Plan:
    """The optimal plan, checker-clean, with model and checker terms agreeing."""
    result = solve(problem, OPTIONS, **kwargs)  # type: ignore[arg-type]
    assert result.status is Status.OPTIMAL
    assert result.plan is not None
    assert check_plan(problem, result.plan) == []
    baseline = kwargs.get("baseline")
    assert result.terms == objective_terms(problem, result.plan, baseline)  # type: ignore[arg-type]
    return result.plan


def programme(**fields: object) -> Problem:
    """Three one-week exercises on one venue that hosts one at a time.

    Every exercise is worth holding and nothing costs anything, so any three
    distinct weeks make an optimal plan: only the change term tells them apart.
    """
    partners = fields.pop("partners", [Partner("A"), Partner("B")])
    return make_problem(
        [
            exercise("E1", required_partners=("A",), invited_partners=("A", "B")),
            exercise("E2", required_partners=("A",), invited_partners=("A", "B")),
            exercise("E3", invited_partners=("B",)),
        ],
        partners=partners,  # type: ignore[arg-type]
        **fields,
    )


BASELINE = Plan(
    (
        Event("E1", 0, "V", ("A", "B")),
        Event("E2", 1, "V", ("A", "B")),
        Event("E3", 2, "V", ("B",)),
    )
)


def test_every_kind_of_change_costs_its_weight_in_model_and_checker() -> None:
    """The model's change term equals the checker's for a plan that is not best.

    From the baseline E1@0 (A, B) at V, E2@1 (A, B) at V, to the plan
    E1@4 at W (A), E3 dropped, E4 added:
    E1 moved 30,000 + venue 30,000 + B leaves 10,000; E2 unchanged except C
    joins 10,000; E3 dropped 50,000; E4 added 20,000: change = -150,000.
    """
    problem = make_problem(
        [
            exercise("E1", required_partners=("A",), invited_partners=("A", "B")),
            exercise("E2", invited_partners=("A", "B", "C")),
            exercise("E3"),
            exercise("E4"),
        ],
        partners=[Partner("A"), Partner("B"), Partner("C")],
        venues=[Venue("V", max_concurrent=4), Venue("W")],
    )
    baseline = Plan(
        (
            Event("E1", 0, "V", ("A", "B")),
            Event("E2", 1, "V", ("A", "B")),
            Event("E3", 2, "V", ()),
        )
    )
    plan = Plan(
        (
            Event("E1", 4, "W", ("A",)),
            Event("E2", 1, "V", ("A", "B", "C")),
            Event("E4", 6, "V", ()),
        )
    )
    built = build_model(problem, baseline=baseline)
    add_hint(built, plan)
    fixed = hinted_solution(built)
    assert fixed is not None
    assert fixed.value(built.terms[TERM_CHANGE]) == -150_000
    assert objective_terms(problem, plan, baseline)[TERM_CHANGE] == -150_000
    changes = plan_changes(problem, plan, baseline)
    assert changes.moved == ("E1",)
    assert changes.venue_changed == ("E1",)
    assert changes.dropped == ("E3",)
    assert changes.added == ("E4",)
    assert changes.partners == (("E1", "B", "leaves"), ("E2", "C", "joins"))


def test_a_venue_gone_from_the_programme_costs_no_venue_change() -> None:
    # Baseline venue X is not in the programme: E1 moves from week 0 to 2,
    # that is all: change = -30,000.
    problem = make_problem([exercise("E1")])
    baseline = Plan((Event("E1", 0, "X", ()),))
    plan = Plan((Event("E1", 2, "V", ()),))
    built = build_model(problem, baseline=baseline)
    add_hint(built, plan)
    fixed = hinted_solution(built)
    assert fixed is not None
    assert fixed.value(built.terms[TERM_CHANGE]) == -30_000
    assert objective_terms(problem, plan, baseline)[TERM_CHANGE] == -30_000


def test_without_a_baseline_there_is_no_change_term() -> None:
    result = solve(programme(), OPTIONS)
    assert TERM_CHANGE not in result.terms


def test_unchanged_data_gives_the_baseline_back() -> None:
    # Any three distinct weeks score the same; the change term makes the
    # baseline (E1@0, E2@1, E3@2, every invited partner) the only best plan,
    # even when the search starts from another one.
    elsewhere = Plan(
        (
            Event("E3", 0, "V", ()),
            Event("E2", 1, "V", ("A",)),
            Event("E1", 2, "V", ("A",)),
        )
    )
    plan = solved(programme(), baseline=BASELINE, hint=elsewhere)
    assert plan.events == BASELINE.events


def test_a_solved_plan_solved_again_against_itself_is_unchanged() -> None:
    problem = programme(venues=[Venue("V"), Venue("W", cost_per_slot=5)])
    first = solved(problem)
    again = solved(problem, baseline=first)
    assert again.events == first.events


def test_a_new_blackout_moves_only_the_exercise_it_hits() -> None:
    # A is unavailable in week 1, where E2 (A required) was; E2 moves to one
    # of the free weeks 3..9, E1 and E3 stay: change = -30,000.
    election = Period(1, 1, "election")
    problem = programme(partners=[Partner("A", unavailable=(election,)), Partner("B")])
    result = solve(problem, OPTIONS, baseline=BASELINE)
    assert result.status is Status.OPTIMAL
    assert result.plan is not None
    changes = plan_changes(problem, result.plan, BASELINE)
    assert changes.moved == ("E2",)
    assert changes.venue_changed == changes.dropped == changes.added == ()
    assert changes.partners == ()
    assert result.terms[TERM_CHANGE] == -30_000


def test_baseline_events_of_unknown_exercises_are_ignored() -> None:
    # EX-OLD left the programme: it is neither dropped nor does it block V.
    baseline = Plan((*BASELINE.events, Event("EX-OLD", 3, "V", ())))
    plan = solved(programme(), baseline=baseline)
    assert plan.events == BASELINE.events


def costly_venue_problem() -> Problem:
    """V now costs 1,000,000 a week and W nothing: moving E1 to W saves it all."""
    return make_problem(
        [exercise("E1"), exercise("E2")],
        venues=[Venue("V", cost_per_slot=1_000_000), Venue("W")],
    )


def test_without_freezing_an_expensive_venue_is_left() -> None:
    baseline = Plan((Event("E1", 0, "V", ()),))
    plan = solved(costly_venue_problem(), baseline=baseline)
    assert plan.by_exercise["E1"].venue_id == "W"


def test_a_frozen_event_never_moves_even_when_moving_scores_better() -> None:
    # E1 started in week 0 < freeze week 2: it stays at V despite 1,000,000.
    # E2 is new, so it may not start before week 2.
    baseline = Plan((Event("E1", 0, "V", ()),))
    plan = solved(costly_venue_problem(), baseline=baseline, freeze_before=2)
    assert plan.by_exercise["E1"] == Event("E1", 0, "V", ())
    assert plan.by_exercise["E2"].start >= 2


def test_a_frozen_event_keeps_its_participants() -> None:
    # B took part in E3 in week 2 (frozen before week 3); B's travel to V now
    # costs 500,000, more than E3's whole value, yet B stays.
    problem = dataclasses.replace(programme(), travel_costs=(("B", "V", 500_000),))
    plan = solved(problem, baseline=BASELINE, freeze_before=3)
    assert plan.by_exercise["E3"] == BASELINE.by_exercise["E3"]


def test_a_frozen_event_that_breaks_a_rule_is_reported_by_name() -> None:
    # A is now unavailable in week 0, where the frozen E1 took place; E2 in
    # week 1 breaks it too but is not frozen (freeze week 1), so it may move.
    election = Period(0, 1, "election")
    problem = programme(partners=[Partner("A", unavailable=(election,)), Partner("B")])
    broken = frozen_violations(problem, BASELINE, 1)
    assert [v.message for v in broken] == [
        "Frozen event E1 (starts 2027-01-04) breaks a rule: partner A is "
        "unavailable 2027-01-04 to 2027-01-10 (election)"
    ]
    assert broken[0].rule == "partner_unavailable"
    week_1 = dt.date(2027, 1, 11)
    result = plan_problem(problem, OPTIONS, BASELINE, freeze_before=week_1)
    assert result.status is Status.INFEASIBLE
    assert result.plan is None
    assert result.statistics["frozen_violations"] == [broken[0].message]


def test_frozen_events_that_clash_together_are_reported_together() -> None:
    # The frozen E1 and E2 both took week 0 at V, which hosts one at a time.
    baseline = Plan((Event("E1", 0, "V", ("A",)), Event("E3", 0, "V", ())))
    broken = frozen_violations(programme(), baseline, 1)
    assert [(v.rule, v.message) for v in broken] == [
        (
            "venue_concurrency",
            "Frozen events break a rule: Venue V hosts 2 exercises at once "
            "2027-01-04 to 2027-01-10 (at most 1): E1, E3",
        )
    ]


@pytest.mark.parametrize("freeze_before", [0, 5])
def test_freezing_nothing_or_everything_of_a_sound_baseline_keeps_it(
    freeze_before: int,
) -> None:
    assert frozen_violations(programme(), BASELINE, freeze_before) == []
    plan = solved(programme(), baseline=BASELINE, freeze_before=freeze_before)
    assert plan.events == BASELINE.events


def test_settings_defaults_of_the_change_weights_are_the_domain_defaults() -> None:
    defaults = {key.name: key.default for key in SETTINGS_KEYS}
    weights = Weights()
    for name in ("move", "venue", "drop", "add", "partner"):
        assert defaults[f"weight_change_{name}"] == getattr(weights, f"change_{name}")
