"""The independent checker: one tiny plan per hard rule, breaking only that rule.

Weekly slots from Monday 2027-01-04 (tests/factories.py), so slot i covers
2027-01-04 + 7i to + 7i + 6:

    slot 0: 01-04..01-10   slot 3: 01-25..01-31   slot 6: 02-15..02-21
    slot 1: 01-11..01-17   slot 4: 02-01..02-07   slot 9: 03-08..03-14
    slot 2: 01-18..01-24   slot 5: 02-08..02-14   (10 slots: to 03-14)
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from planner.check import RULES, check_plan, frozen_violations, pin_violations
from planner.domain import (
    TERM_CHANGE,
    TERM_COST,
    TERM_GOAL_SHORTFALL,
    TERM_VALUE,
    Asset,
    Dependency,
    Event,
    Finding,
    Goal,
    GoalKind,
    Partner,
    Period,
    Plan,
    Problem,
    Venue,
    Violation,
    Weights,
)
from planner.figures import (
    Changes,
    event_cost,
    goal_progress,
    objective_terms,
    organizer_spend,
    partner_spend,
    plan_changes,
)
from planner.report import GoalProgress
from tests.factories import exercise, make_problem


def event(exercise_id: str, start: int, venue: str = "V", *partners: str) -> Event:
    return Event(exercise_id, start, venue, partners)


def check(problem: Problem, *events: Event) -> list[Violation]:
    return check_plan(problem, Plan(events))


def violations(rule: str, *messages: str) -> list[Violation]:
    return [Violation(rule, message) for message in messages]


TWO_VENUES = [Venue("V"), Venue("W")]


def test_rules_are_the_agreed_ones_in_reporting_order() -> None:
    assert list(RULES) == [
        "unknown_exercise",
        "duplicate_event",
        "horizon",
        "window",
        "fixed_start",
        "fixed_venue",
        "venue_not_allowed",
        "venue_capability",
        "venue_unavailable",
        "venue_concurrency",
        "venue_capacity",
        "required_partner",
        "uninvited_partner",
        "partner_count",
        "partner_unavailable",
        "partner_concurrency",
        "partner_gap",
        "partner_max_events",
        "asset_capacity",
        "asset_unavailable",
        "partner_budget",
        "total_budget",
        "dependency_order",
        "dependency_max_gap",
        "dependency_requires",
        "mandatory",
        "impossible_exercise",
        "hard_goal",
    ]


def clean_problem() -> Problem:
    """Close to every limit, breaking none."""
    return make_problem(
        [
            exercise(
                "X",
                duration=2,
                earliest_start=1,
                latest_end=4,
                venues=("V",),
                needs=frozenset({"maritime"}),
                required_partners=("A",),
                invited_partners=("A", "B"),
                min_partners=1,
                max_partners=2,
                cost_per_partner=20,
                areas=frozenset({"maritime"}),
                assets=("SHIP",),
                fixed_start=1,
                fixed_venue="V",
                mandatory=True,
            ),
            exercise(
                "Y",
                invited_partners=("A", "B"),
                areas=frozenset({"maritime"}),
                assets=("SHIP",),
            ),
            exercise("Z", invited_partners=("A", "B")),
        ],
        partners=[
            Partner(
                "A",
                budget=20,
                max_events=2,
                min_gap=1,
                unavailable=(Period(5, 6, "election"),),
            ),
            Partner("B"),
        ],
        venues=[
            Venue(
                "V",
                capabilities=frozenset({"maritime"}),
                capacity=2,
                cost_per_slot=10,
                unavailable=(Period(9, 9),),
            ),
            Venue("W"),
        ],
        total_budget=20,
        assets=(Asset("SHIP", unavailable=(Period(0, 0),)),),
        dependencies=(Dependency("X", "Y", min_gap=1, max_gap=3, requires=True),),
        goals=(
            Goal("G1", GoalKind.TOGETHER, 1, ("A", "B"), "maritime", hard=True),
            Goal("G2", GoalKind.ENGAGEMENT, 1, hard=True),
            Goal("G3", GoalKind.COVERAGE, 2, area="maritime", hard=True),
        ),
    )


def test_a_plan_within_every_rule_gives_no_violation() -> None:
    # X slots 1-2 at V, Y slot 4 at W: 1 free week for A (slot 3) and for the
    # dependency (4 >= 1 + 2 + 1, 4 <= 1 + 2 + 3); A spends 20 of 20, attends
    # 2 of 2; organizer 10 * 2 = 20 of 20; SHIP is free in slot 0 only.
    plan = Plan(
        (
            event("X", 1, "V", "A", "B"),
            event("Y", 4, "W", "A", "B"),
            event("Z", 7, "W", "B"),
        )
    )
    assert check_plan(clean_problem(), plan) == []


def test_an_empty_plan_breaks_nothing_when_nothing_is_mandatory() -> None:
    assert check(make_problem([exercise("X")])) == []


def test_unknown_exercise() -> None:
    problem = make_problem([exercise("X")])
    assert check(problem, event("Q", 2)) == violations(
        "unknown_exercise",
        "Exercise Q (at venue V, starting 2027-01-18) is not in the programme",
    )


def test_duplicate_event_is_reported_and_only_the_first_checked() -> None:
    # The second X would clash with Y at V in slot 2 if it were checked.
    problem = make_problem([exercise("X"), exercise("Y")])
    assert check(problem, event("X", 0), event("X", 2), event("Y", 2)) == violations(
        "duplicate_event",
        "Exercise X is held twice: at venue V (2027-01-04 to 2027-01-10) and again"
        " at venue V (2027-01-18 to 2027-01-24); only the first is checked",
    )


def test_duplicate_partner_is_reported_and_counted_once() -> None:
    # A listed twice is one partner: max_partners 1 holds.
    problem = make_problem([exercise("X", invited_partners=("A",), max_partners=1)])
    assert check(problem, event("X", 0, "V", "A", "A")) == violations(
        "duplicate_event",
        "Exercise X at venue V (2027-01-04 to 2027-01-10): partner A is listed"
        " more than once",
    )


def test_horizon_after_the_last_slot() -> None:
    # Slots 9-10; the horizon ends with slot 9. The window reaches slot 11, so
    # only the horizon is broken.
    problem = make_problem([exercise("X", duration=2, latest_end=11)])
    assert check(problem, event("X", 9)) == violations(
        "horizon",
        "Exercise X at venue V (2027-03-08 to 2027-03-21) lies outside the planning"
        " horizon (2027-01-04 to 2027-03-14)",
    )


def test_horizon_before_the_first_slot_is_not_also_a_window_violation() -> None:
    # Slot -1 is outside the window too; saying so twice would add nothing.
    problem = make_problem([exercise("X")])
    assert check(problem, event("X", -1)) == violations(
        "horizon",
        "Exercise X at venue V (2026-12-28 to 2027-01-03) lies outside the planning"
        " horizon (2027-01-04 to 2027-03-14)",
    )


@pytest.mark.parametrize(
    ("start", "span"),
    [
        (1, "2027-01-11 to 2027-01-24"),  # slots 1-2: starts before slot 2
        (4, "2027-02-01 to 2027-02-14"),  # slots 4-5: ends after slot 4
    ],
)
def test_window(start: int, span: str) -> None:
    problem = make_problem([exercise("X", duration=2, earliest_start=2, latest_end=4)])
    assert check(problem, event("X", start)) == violations(
        "window",
        f"Exercise X at venue V ({span}) lies outside its window"
        " (2027-01-18 to 2027-02-07)",
    )


def test_window_edges_are_inside() -> None:
    # Slots 2-3 and 3-4 both lie in the window 2..4.
    problem = make_problem(
        [
            exercise("X", duration=2, earliest_start=2, latest_end=4),
            exercise("Y", duration=2, earliest_start=2, latest_end=4),
        ],
        venues=TWO_VENUES,
    )
    assert check(problem, event("X", 2), event("Y", 3, "W")) == []


def test_fixed_start() -> None:
    problem = make_problem([exercise("X", fixed_start=3)])
    assert check(problem, event("X", 2)) == violations(
        "fixed_start",
        "Exercise X at venue V (2027-01-18 to 2027-01-24) must start on 2027-01-25",
    )


def test_a_window_and_fixed_start_typed_mid_week_are_named_as_typed() -> None:
    # Typed Wednesday 2027-01-20 (week 2, from 2027-01-18) to Thursday
    # 2027-02-04 (week 4, to 2027-02-07); fixed to Tuesday 2027-01-26 (week 3).
    typed = {
        "earliest_start_date": dt.date(2027, 1, 20),
        "latest_end_date": dt.date(2027, 2, 4),
    }
    problem = make_problem(
        [
            exercise("X", duration=2, earliest_start=2, latest_end=4, **typed),
            exercise("Y", fixed_start=3, fixed_start_date=dt.date(2027, 1, 26)),
        ],
        venues=TWO_VENUES,
    )
    assert check(problem, event("X", 1), event("Y", 2, "W")) == [
        *violations(
            "window",
            "Exercise X at venue V (2027-01-11 to 2027-01-24) lies outside its "
            "window (2027-01-18 to 2027-02-07: the weeks of earliest start "
            "2027-01-20 and latest end 2027-02-04)",
        ),
        *violations(
            "fixed_start",
            "Exercise Y at venue W (2027-01-18 to 2027-01-24) must start on "
            "2027-01-25 (the week of fixed start 2027-01-26)",
        ),
    ]


def test_fixed_venue() -> None:
    problem = make_problem([exercise("X", fixed_venue="W")], venues=TWO_VENUES)
    assert check(problem, event("X", 0)) == violations(
        "fixed_venue",
        "Exercise X at venue V (2027-01-04 to 2027-01-10) must be held at venue W",
    )


def test_venue_not_allowed() -> None:
    problem = make_problem([exercise("X", venues=("W",))], venues=TWO_VENUES)
    assert check(problem, event("X", 0)) == violations(
        "venue_not_allowed",
        "Exercise X at venue V (2027-01-04 to 2027-01-10): venue V is not one of"
        " its venues (W)",
    )


def test_venue_not_in_the_programme_is_not_allowed() -> None:
    problem = make_problem([exercise("X")])
    assert check(problem, event("X", 0, "Q")) == violations(
        "venue_not_allowed",
        "Exercise X at venue Q (2027-01-04 to 2027-01-10): venue Q is not in the"
        " programme",
    )


@pytest.mark.parametrize(
    ("needs", "lacks"),
    [
        ({"maritime", "airfield"}, "capability airfield"),
        ({"cyber", "airfield"}, "capabilities airfield, cyber"),
    ],
)
def test_venue_capability(needs: set[str], lacks: str) -> None:
    problem = make_problem(
        [exercise("X", needs=frozenset(needs))],
        venues=[Venue("V", capabilities=frozenset({"maritime"}))],
    )
    assert check(problem, event("X", 0)) == violations(
        "venue_capability",
        f"Exercise X at venue V (2027-01-04 to 2027-01-10): venue V lacks {lacks}",
    )


def test_venue_unavailable_names_each_clashing_blackout() -> None:
    # X occupies slots 0-2: the blackout of slot 0 and the part 2..2 of the
    # blackout 2..5 clash; the blackout 6..7 does not.
    blackouts = (Period(0, 0), Period(2, 5, "maintenance"), Period(6, 7, "works"))
    problem = make_problem(
        [exercise("X", duration=3)], venues=[Venue("V", unavailable=blackouts)]
    )
    where = "Exercise X at venue V (2027-01-04 to 2027-01-24)"
    assert check(problem, event("X", 0)) == violations(
        "venue_unavailable",
        f"{where}: venue V is unavailable 2027-01-04 to 2027-01-10",
        f"{where}: venue V is unavailable 2027-01-18 to 2027-01-24 (maintenance)",
    )


def test_venue_concurrency_merges_runs_of_the_same_clash() -> None:
    # At V: X slots 0-3, Y slots 1-2, Z slot 3, so X+Y clash in slots 1-2 (one
    # fact) and X+Z in slot 3 (another). At W two events at once are allowed.
    problem = make_problem(
        [
            exercise("X", duration=4),
            exercise("Y", duration=2),
            exercise("Z"),
            exercise("P"),
            exercise("Q"),
        ],
        venues=[Venue("V"), Venue("W", max_concurrent=2)],
    )
    plan = (
        event("X", 0),
        event("Y", 1),
        event("Z", 3),
        event("P", 0, "W"),
        event("Q", 0, "W"),
    )
    assert check(problem, *plan) == violations(
        "venue_concurrency",
        "Venue V hosts 2 exercises at once 2027-01-11 to 2027-01-24 (at most 1): X, Y",
        "Venue V hosts 2 exercises at once 2027-01-25 to 2027-01-31 (at most 1): X, Z",
    )


def test_venue_capacity() -> None:
    problem = make_problem(
        [exercise("X", invited_partners=("A", "B"))],
        venues=[Venue("V", capacity=1)],
    )
    assert check(problem, event("X", 0, "V", "A", "B")) == violations(
        "venue_capacity",
        "Exercise X at venue V (2027-01-04 to 2027-01-10): 2 partners take part,"
        " more than venue V holds (1)",
    )


def test_required_partner() -> None:
    problem = make_problem(
        [exercise("X", required_partners=("A",), invited_partners=("A", "B"))]
    )
    assert check(problem, event("X", 0, "V", "B")) == violations(
        "required_partner",
        "Exercise X at venue V (2027-01-04 to 2027-01-10): required partner A does"
        " not take part",
    )


def test_uninvited_partner() -> None:
    problem = make_problem([exercise("X", invited_partners=("A",))])
    where = "Exercise X at venue V (2027-01-04 to 2027-01-10)"
    assert check(problem, event("X", 0, "V", "A", "B", "Z")) == violations(
        "uninvited_partner",
        f"{where}: partner B takes part but is not invited",
        f"{where}: partner Z takes part but is not in the programme",
    )


def test_partner_count() -> None:
    problem = make_problem(
        [
            exercise("X", invited_partners=("A", "B"), min_partners=2),
            exercise("Y", invited_partners=("A", "B"), max_partners=1),
        ],
        venues=TWO_VENUES,
    )
    plan = (event("X", 0, "V", "A"), event("Y", 2, "W", "A", "B"))
    assert check(problem, *plan) == violations(
        "partner_count",
        "Exercise X at venue V (2027-01-04 to 2027-01-10): 1 partner takes part,"
        " at least 2 needed",
        "Exercise Y at venue W (2027-01-18 to 2027-01-24): 2 partners take part,"
        " at most 1 allowed",
    )


def test_partner_unavailable() -> None:
    # X occupies slots 0-1; A's election blackout 1..4 clashes in slot 1.
    problem = make_problem(
        [exercise("X", duration=2, invited_partners=("A", "B"))],
        partners=[Partner("A", unavailable=(Period(1, 4, "election"),)), Partner("B")],
    )
    assert check(problem, event("X", 0, "V", "A", "B")) == violations(
        "partner_unavailable",
        "Exercise X at venue V (2027-01-04 to 2027-01-17): partner A is unavailable"
        " 2027-01-11 to 2027-01-17 (election)",
    )


def test_partner_concurrency() -> None:
    # X slots 0-1 and Y slots 1-2 share slot 1; B may attend two at once.
    problem = make_problem(
        [
            exercise("X", duration=2, invited_partners=("A", "B")),
            exercise("Y", duration=2, invited_partners=("A", "B")),
        ],
        partners=[Partner("A"), Partner("B", max_concurrent=2)],
        venues=TWO_VENUES,
    )
    plan = (event("X", 0, "V", "A", "B"), event("Y", 1, "W", "A", "B"))
    assert check(problem, *plan) == violations(
        "partner_concurrency",
        "Partner A takes part in 2 exercises at once 2027-01-11 to 2027-01-17"
        " (at most 1): X, Y",
    )


def test_partner_gap() -> None:
    # A needs 2 free weeks: X (slot 0) to Y (slot 2) leaves 1 (slot 1), Y to Z
    # (slot 5) leaves 2 (slots 3-4), X to Z leaves 4.
    problem = make_problem(
        [exercise(e, invited_partners=("A",)) for e in ("X", "Y", "Z")],
        partners=[Partner("A", min_gap=2)],
    )
    plan = (event("Z", 5, "V", "A"), event("X", 0, "V", "A"), event("Y", 2, "V", "A"))
    assert check(problem, *plan) == violations(
        "partner_gap",
        "Partner A has 1 free week between exercise X (2027-01-04 to 2027-01-10)"
        " and exercise Y (2027-01-18 to 2027-01-24), at least 2 needed",
    )


def test_partner_gap_counts_days_with_daily_slots() -> None:
    # Daily slots: X on day 0, Y on day 1 leave 0 free days; a one-day span
    # is named by its date alone.
    weekly = make_problem(
        [exercise(e, invited_partners=("A",)) for e in ("X", "Y")],
        partners=[Partner("A", min_gap=1)],
        venues=TWO_VENUES,
    )
    daily = dataclasses.replace(
        weekly, settings=dataclasses.replace(weekly.settings, time_unit="day")
    )
    assert check(daily, event("X", 0, "V", "A"), event("Y", 1, "W", "A")) == (
        violations(
            "partner_gap",
            "Partner A has 0 free days between exercise X (2027-01-04) and"
            " exercise Y (2027-01-05), at least 1 needed",
        )
    )


def test_partner_gap_leaves_overlapping_events_to_concurrency() -> None:
    # X slots 0-2 and Y slot 1 share a slot, which A may do (max_concurrent 2);
    # its min_gap binds only events that share no slot.
    problem = make_problem(
        [
            exercise("X", duration=3, invited_partners=("A",)),
            exercise("Y", invited_partners=("A",)),
        ],
        partners=[Partner("A", max_concurrent=2, min_gap=3)],
        venues=TWO_VENUES,
    )
    assert check(problem, event("X", 0, "V", "A"), event("Y", 1, "W", "A")) == []


def test_partner_max_events() -> None:
    problem = make_problem(
        [exercise(e, invited_partners=("A",)) for e in ("X", "Y")],
        partners=[Partner("A", max_events=1)],
    )
    assert check(problem, event("X", 0, "V", "A"), event("Y", 2, "V", "A")) == (
        violations(
            "partner_max_events",
            "Partner A takes part in 2 exercises, at most 1 allowed: X, Y",
        )
    )


def test_partner_max_events_cuts_a_long_list() -> None:
    # 12 one-week exercises in slots 0-11, at most 1: ten named, 2 more.
    ids = [f"E{i:02}" for i in range(12)]
    problem = make_problem(
        [exercise(e, n_slots=12, invited_partners=("A",)) for e in ids],
        partners=[Partner("A", max_events=1)],
        n_slots=12,
    )
    plan = [event(e, i, "V", "A") for i, e in enumerate(ids)]
    assert check(problem, *plan) == violations(
        "partner_max_events",
        "Partner A takes part in 12 exercises, at most 1 allowed: E00, E01, E02,"
        " E03, E04, E05, E06, E07, E08, E09 and 2 more",
    )


def test_asset_capacity() -> None:
    # X slots 0-1 and Y slots 1-2 both use SHIP in slot 1.
    problem = make_problem(
        [exercise(e, duration=2, assets=("SHIP",)) for e in ("X", "Y")],
        venues=TWO_VENUES,
        assets=(Asset("SHIP"),),
    )
    assert check(problem, event("X", 0), event("Y", 1, "W")) == violations(
        "asset_capacity",
        "Asset SHIP is used by 2 exercises at once 2027-01-11 to 2027-01-17"
        " (at most 1): X, Y",
    )


def test_asset_shared_within_its_capacity() -> None:
    problem = make_problem(
        [exercise(e, duration=2, assets=("HQ",)) for e in ("X", "Y")],
        venues=TWO_VENUES,
        assets=(Asset("HQ", capacity=2),),
    )
    assert check(problem, event("X", 0), event("Y", 1, "W")) == []


def test_asset_unavailable() -> None:
    problem = make_problem(
        [exercise("X", duration=2, assets=("SHIP",))],
        assets=(Asset("SHIP", unavailable=(Period(0, 0, "maintenance"),)),),
    )
    assert check(problem, event("X", 0)) == violations(
        "asset_unavailable",
        "Exercise X at venue V (2027-01-04 to 2027-01-17): asset SHIP is"
        " unavailable 2027-01-04 to 2027-01-10 (maintenance)",
    )


def test_partner_budget() -> None:
    # A: X (400 + travel 200) + Y (300 + 200) = 1,100 > 1,000; B travels free.
    problem = make_problem(
        [
            exercise("X", cost_per_partner=400, invited_partners=("A", "B")),
            exercise("Y", cost_per_partner=300, invited_partners=("A",)),
        ],
        partners=[Partner("A", budget=1000), Partner("B", budget=400)],
        travel_costs=(("A", "V", 200),),
    )
    plan = (event("X", 0, "V", "A", "B"), event("Y", 2, "V", "A"))
    assert check(problem, *plan) == violations(
        "partner_budget", "Partner A spends 1,100, over its budget of 1,000"
    )


def test_total_budget_in_the_workbook_currency() -> None:
    # X: 500 + 100 * 3 = 800, Y: 300 + 100 * 1 = 400; 800 + 400 = 1,200 > 1,000.
    problem = make_problem(
        [exercise("X", duration=3, fixed_cost=500), exercise("Y", fixed_cost=300)],
        venues=[Venue("V", cost_per_slot=100)],
        total_budget=1000,
    )
    problem = dataclasses.replace(
        problem, settings=dataclasses.replace(problem.settings, currency="EUR")
    )
    assert check(problem, event("X", 0), event("Y", 3)) == violations(
        "total_budget",
        "Organizer spend is 1,200 EUR, over the total budget of 1,000 EUR",
    )


def test_dependency_order_with_a_gap() -> None:
    # X slots 0-1; with 1 free week Y may start at 0 + 2 + 1 = 3 at the earliest.
    problem = make_problem(
        [exercise("X", duration=2), exercise("Y")],
        dependencies=(Dependency("X", "Y", min_gap=1),),
    )
    assert check(problem, event("X", 0), event("Y", 2)) == violations(
        "dependency_order",
        "Exercise Y (2027-01-18 to 2027-01-24) must start on or after 2027-01-25,"
        " 1 free week after exercise X (2027-01-04 to 2027-01-17) ends",
    )


def test_dependency_order_without_a_gap() -> None:
    # Y in slot 1 overlaps X (slots 0-1); it may start at 0 + 2 + 0 = 2.
    problem = make_problem(
        [exercise("X", duration=2), exercise("Y")],
        venues=TWO_VENUES,
        dependencies=(Dependency("X", "Y"),),
    )
    assert check(problem, event("X", 0), event("Y", 1, "W")) == violations(
        "dependency_order",
        "Exercise Y (2027-01-11 to 2027-01-17) must start on or after 2027-01-18,"
        " after exercise X (2027-01-04 to 2027-01-17) ends",
    )


def test_dependency_max_gap() -> None:
    # X slot 0; at most 1 free week, so Y starts by 0 + 1 + 1 = 2, not 3.
    problem = make_problem(
        [exercise("X"), exercise("Y")],
        dependencies=(Dependency("X", "Y", max_gap=1),),
    )
    assert check(problem, event("X", 0), event("Y", 3)) == violations(
        "dependency_max_gap",
        "Exercise Y (2027-01-25 to 2027-01-31) must start on or before 2027-01-18,"
        " at most 1 free week after exercise X (2027-01-04 to 2027-01-10) ends",
    )


def test_dependency_requires() -> None:
    # Only X -> Y requires; W -> Y orders them only when both are held.
    problem = make_problem(
        [exercise("W"), exercise("X"), exercise("Y")],
        dependencies=(
            Dependency("X", "Y", requires=True),
            Dependency("W", "Y", min_gap=5),
        ),
    )
    assert check(problem, event("Y", 2)) == violations(
        "dependency_requires",
        "Exercise Y is held (2027-01-18 to 2027-01-24) but exercise X, which it"
        " requires, is not",
    )


def test_mandatory() -> None:
    problem = make_problem(
        [exercise("X", mandatory=True), exercise("Y", mandatory=True)]
    )
    assert check(problem, event("Y", 0)) == violations(
        "mandatory", "Mandatory exercise X is not held"
    )


def test_impossible_exercise() -> None:
    # X's row says it can never be held; holding it anyway is a violation.
    finding = Finding(
        "Exercises", "M2", "min_partners 4 can never be met", exercise_id="X"
    )
    problem = make_problem([exercise("X", impossible=(finding,)), exercise("Y")])
    assert check(problem, event("Y", 0)) == []
    assert check(problem, event("X", 0)) == violations(
        "impossible_exercise",
        "Exercise X is held but can never be: Exercises!M2: min_partners 4 can "
        "never be met",
    )


def test_hard_goal() -> None:
    # X (maritime) A+B, Y (maritime) A, Z (not maritime) A+B:
    # G1 together in maritime: X only, 1 < 2.
    # G2 engagement of everyone, 3 each: A 3, B 2, so B falls short.
    # G3 coverage of cyber: 0 < 1.
    # G4 engagement of C, 1: C 0 < 1; C's weight 0 makes the shortfall 0 but
    # does not excuse a hard goal.
    # G5 is soft: no violation however short.
    maritime = frozenset({"maritime"})
    invited = ("A", "B")
    problem = make_problem(
        [
            exercise("X", areas=maritime, invited_partners=invited),
            exercise("Y", areas=maritime, invited_partners=invited),
            exercise("Z", invited_partners=invited),
        ],
        partners=[Partner("A"), Partner("B"), Partner("C", weight=0)],
        goals=(
            Goal("G1", GoalKind.TOGETHER, 2, ("A", "B"), "maritime", hard=True),
            Goal("G2", GoalKind.ENGAGEMENT, 3, ("A", "B"), hard=True),
            Goal("G3", GoalKind.COVERAGE, 1, area="cyber", hard=True),
            Goal("G4", GoalKind.ENGAGEMENT, 1, ("C",), hard=True),
            Goal("G5", GoalKind.COVERAGE, 9, area="cyber"),
        ),
    )
    plan = (
        event("X", 0, "V", "A", "B"),
        event("Y", 2, "V", "A"),
        event("Z", 4, "V", "A", "B"),
    )
    assert check(problem, *plan) == violations(
        "hard_goal",
        "Hard goal G1 is not met: partners A, B take part together in 1 exercise"
        " in area maritime (X), at least 2 needed",
        "Hard goal G2 is not met: each partner needs at least 3 exercises; A 3, B 2",
        "Hard goal G3 is not met: 0 exercises held in area cyber, at least 1 needed",
        "Hard goal G4 is not met: each partner needs at least 1 exercise; C 0",
    )


# --- objective, spends and goal progress ------------------------------------


def costed_problem(weights: Weights) -> Problem:
    """Two held exercises, one not held, every kind of goal.

    Plan: X slots 0-1 at V with A and B; Y slot 3 at W with B; Z not held.
    Organizer: X 1,000 + 100 * 2 = 1,200; Y 500 + 50 * 1 = 550; 1,750 in all.
    A: X 7 + travel(A, V) 10 = 17.
    B: X 7 + travel(B, V) 20 = 27; Y 4 + travel(B, W) 0 (no row) = 4; 31.
    C: nothing, 0.
    """
    invited = ("A", "B", "C")
    return make_problem(
        [
            exercise(
                "X",
                duration=2,
                value=5,
                fixed_cost=1000,
                cost_per_partner=7,
                areas=frozenset({"maritime"}),
                invited_partners=invited,
            ),
            exercise(
                "Y",
                value=3,
                fixed_cost=500,
                cost_per_partner=4,
                areas=frozenset({"cyber"}),
                invited_partners=invited,
            ),
            exercise("Z", value=100, areas=frozenset({"cyber", "maritime"})),
        ],
        partners=[Partner("A"), Partner("B", weight=3), Partner("C")],
        venues=[Venue("V", cost_per_slot=100), Venue("W", cost_per_slot=50)],
        weights=weights,
        travel_costs=(("A", "V", 10), ("B", "V", 20), ("A", "W", 30)),
        goals=(
            Goal("G1", GoalKind.TOGETHER, 2, ("A", "B"), "maritime", weight=2),
            Goal("G2", GoalKind.ENGAGEMENT, 2),
            Goal("G3", GoalKind.ENGAGEMENT, 3, ("B",), "cyber"),
            Goal("G4", GoalKind.COVERAGE, 2, area="cyber", weight=5),
            Goal("G5", GoalKind.COVERAGE, 3, area="maritime", hard=True),
            Goal("G6", GoalKind.ENGAGEMENT, 2, ("B",)),
        ),
    )


COSTED_PLAN = Plan((event("X", 0, "V", "A", "B"), event("Y", 3, "W", "B")))


def test_objective_terms_recomputed_by_hand() -> None:
    # value: 1,000 * (5 + 3) = 8,000 (Z is not held).
    # goal_shortfall, soft goals only, goal weight * shortfall:
    #   G1 together A+B in maritime: X only, 2 * (2 - 1) = 2
    #   G2 engagement of everyone, 2 each: A 1 -> 1 * 1, B 2 -> 0, C 0 -> 1 * 2;
    #      1 * 3 = 3
    #   G3 engagement of B (weight 3) in cyber, 3: Y only -> 3 * (3 - 1) = 6
    #   G4 coverage of cyber, 2: Y only -> 5 * (2 - 1) = 5
    #   G5 is hard, G6 met (B 2 of 2): 0
    #   -100 * (2 + 3 + 6 + 5) = -1,600
    # cost: -2 * (1,750 + 17 + 31 + 0) = -3,596
    terms = objective_terms(
        costed_problem(Weights(value=1000, goal_shortfall=100, cost=2)), COSTED_PLAN
    )
    assert terms == {TERM_VALUE: 8000, TERM_GOAL_SHORTFALL: -1600, TERM_COST: -3596}


@pytest.mark.parametrize(
    ("weights", "value", "shortfall", "cost"),
    [
        (Weights(0, 0, 0), 0, 0, 0),
        (Weights(1000, 0, 2), 8000, 0, -3596),
        (Weights(0, 100, 0), 0, -1600, 0),
    ],
)
def test_a_term_with_weight_zero_is_zero(
    weights: Weights, value: int, shortfall: int, cost: int
) -> None:
    # The sums of test_objective_terms_recomputed_by_hand, weighted again.
    terms = objective_terms(costed_problem(weights), COSTED_PLAN)
    assert terms == {TERM_VALUE: value, TERM_GOAL_SHORTFALL: shortfall, TERM_COST: cost}


def test_objective_ignores_unknown_and_repeated_events() -> None:
    # The second X and the unknown Q add no value, cost nor goal progress.
    problem = costed_problem(Weights(value=1000, goal_shortfall=100, cost=2))
    noisy = Plan((*COSTED_PLAN.events, event("X", 5, "V", "C"), event("Q", 6)))
    assert objective_terms(problem, noisy) == objective_terms(problem, COSTED_PLAN)


def test_spends() -> None:
    problem = costed_problem(Weights())
    assert organizer_spend(problem, COSTED_PLAN) == 1750
    assert partner_spend(problem, COSTED_PLAN) == {"A": 17, "B": 31, "C": 0}


def test_event_cost_adds_up_to_all_spend() -> None:
    # X: 1,200 + A 17 + B 27 = 1,244; Y: 550 + B 4 = 554; 1,244 + 554 = 1,798
    # = 1,750 organizer + 17 + 31 partners.
    problem = costed_problem(Weights())
    x, y = COSTED_PLAN.events
    assert (event_cost(problem, x), event_cost(problem, y)) == (1244, 554)


def test_event_cost_of_an_unknown_exercise_is_zero() -> None:
    assert event_cost(costed_problem(Weights()), event("Q", 0, "V", "A")) == 0


def test_goal_progress() -> None:
    # Arithmetic as in test_objective_terms_recomputed_by_hand; engagement
    # achieves the smallest count (G2: C 0) and its shortfall is weighted
    # (G3: B's weight 3 * 2 missing = 6). What counts: X (maritime, A and B)
    # and Y (cyber, B alone); an engagement goal counts what any of its
    # partners attends in its area (G2: every partner, any area: X and Y).
    progress = goal_progress(costed_problem(Weights()), COSTED_PLAN)
    assert progress == [
        GoalProgress("G1", GoalKind.TOGETHER, 2, 1, 1, False, "X", ("X",)),
        GoalProgress(
            "G2", GoalKind.ENGAGEMENT, 2, 0, 3, False, "A 1, B 2, C 0", ("X", "Y")
        ),
        GoalProgress("G3", GoalKind.ENGAGEMENT, 3, 1, 6, False, "B 1", ("Y",)),
        GoalProgress("G4", GoalKind.COVERAGE, 2, 1, 1, False, "Y", ("Y",)),
        GoalProgress("G5", GoalKind.COVERAGE, 3, 1, 2, False, "X", ("X",)),
        GoalProgress("G6", GoalKind.ENGAGEMENT, 2, 2, 0, True, "B 2", ("X", "Y")),
    ]


def test_goal_progress_of_an_empty_plan() -> None:
    progress = goal_progress(costed_problem(Weights()), Plan(()))
    assert progress[0] == GoalProgress("G1", GoalKind.TOGETHER, 2, 0, 2, False, "")


# --- re-planning against a baseline ----------------------------------------------


def change_problem() -> Problem:
    return make_problem(
        [exercise(x, invited_partners=("A", "B")) for x in ("P", "Q", "R", "S")],
        venues=TWO_VENUES,
        weights=Weights(
            change_move=1,
            change_venue=10,
            change_drop=100,
            change_add=1000,
            change_partner=10_000,
        ),
    )


def test_change_term_weighs_each_change() -> None:
    # P moved (1) and to W (10), A left and B joined (2 * 10,000); Q dropped
    # (100); S added (1,000); R unchanged; the unknown Z and the second P of
    # the baseline are ignored: -(1 + 10 + 100 + 1,000 + 20,000) = -21,111.
    baseline = Plan(
        (
            event("P", 0, "V", "A"),
            event("Q", 1, "V"),
            event("R", 2, "V", "A", "B"),
            event("Z", 3, "V"),
            event("P", 5, "W"),
        )
    )
    plan = Plan((event("P", 4, "W", "B"), event("R", 2, "V", "B", "A"), event("S", 6)))
    problem = change_problem()
    assert plan_changes(problem, plan, baseline) == Changes(
        moved=("P",),
        venue_changed=("P",),
        dropped=("Q",),
        added=("S",),
        partners=(("P", "A", "leaves"), ("P", "B", "joins")),
    )
    terms = objective_terms(problem, plan, baseline)
    assert terms[TERM_CHANGE] == -21_111
    assert TERM_CHANGE not in objective_terms(problem, plan)


def test_a_plan_against_itself_changes_nothing() -> None:
    plan = Plan((event("P", 0, "V", "A"), event("Q", 1, "W")))
    assert objective_terms(change_problem(), plan, plan)[TERM_CHANGE] == 0


def test_frozen_violations_name_each_frozen_event_and_skip_the_rest() -> None:
    # Frozen before week 2: P (week 0, while A is away weeks 0-1) and Q (week
    # 1, before its window opens in week 3). R in week 4 takes the uninvited B
    # but is not frozen, so re-planning may repair it: not reported.
    problem = make_problem(
        [
            exercise("P", invited_partners=("A",)),
            exercise("Q", earliest_start=3),
            exercise("R", invited_partners=("A",)),
        ],
        partners=[Partner("A", unavailable=(Period(0, 1, "election"),)), Partner("B")],
    )
    baseline = Plan(
        (event("P", 0, "V", "A"), event("Q", 1, "V"), event("R", 4, "V", "B"))
    )
    assert frozen_violations(problem, baseline, 2) == [
        Violation(
            "partner_unavailable",
            "Frozen event P (starts 2027-01-04) breaks a rule: partner A is "
            "unavailable 2027-01-04 to 2027-01-10 (election)",
        ),
        Violation(
            "window",
            "Frozen event Q (starts 2027-01-11) breaks a rule: Exercise Q at venue "
            "V (2027-01-11 to 2027-01-17) lies outside its window (2027-01-25 to "
            "2027-03-14)",
        ),
    ]


def test_a_pin_is_checked_on_its_own_and_named_by_the_rule_it_breaks() -> None:
    # P pinned to week 0, while its required partner A is away (weeks 0-1):
    # broken whatever the rest of the plan does. Its own fixed start in the
    # workbook (week 5) is what the pin replaces, so it is not held against it.
    problem = make_problem(
        [
            exercise(
                "P", required_partners=("A",), invited_partners=("A",), fixed_start=5
            )
        ],
        partners=[Partner("A", unavailable=(Period(0, 1, "election"),))],
    )
    assert pin_violations(problem, event("P", 0, "V", "A")) == [
        Violation(
            "partner_unavailable",
            "Pinned event P (starts 2027-01-04) breaks a rule: partner A is "
            "unavailable 2027-01-04 to 2027-01-10 (election)",
        ),
    ]
    assert pin_violations(problem, event("P", 3, "V", "A")) == []


def test_a_pin_is_not_blamed_for_other_exercises() -> None:
    # Q must follow P, which the pin alone does not hold: the re-plan may
    # still hold P before it, so no rule is broken by the pin itself.
    problem = make_problem(
        [exercise("P"), exercise("Q")],
        dependencies=(Dependency("P", "Q", requires=True),),
    )
    assert pin_violations(problem, event("Q", 4)) == []


def test_a_mandatory_exercise_not_yet_held_is_no_frozen_violation() -> None:
    # M is mandatory and not in the frozen part; a later event may hold it.
    problem = make_problem([exercise("P"), exercise("M", mandatory=True)])
    assert frozen_violations(problem, Plan((event("P", 0),)), 5) == []
