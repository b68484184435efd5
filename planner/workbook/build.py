"""Building the `Problem` from the checked records, once every finding is at
most a warning: dates turned into slots, rows into domain records.
"""

from __future__ import annotations

from collections.abc import Mapping

from planner.domain import (
    Asset,
    Dependency,
    Exercise,
    Finding,
    Goal,
    GoalKind,
    Partner,
    Period,
    Problem,
    Venue,
)
from planner.public_holidays import with_public_holidays
from planner.workbook.validate import (
    Programme,
    Record,
    blackout_period,
)


def build_problem(
    programme: Programme,
    horizon: Problem,
    name: str,
    impossible: Mapping[str, tuple[Finding, ...]],
) -> Problem:
    records = programme.records
    blackouts: dict[str, list[Period]] = {}
    for record in records["Unavailability"]:
        period = blackout_period(record, horizon)
        if period is not None:
            blackouts.setdefault(record["resource_id"], []).append(period)

    def unavailable(key: object) -> tuple[Period, ...]:
        return tuple(blackouts.get(str(key), ()))

    problem = Problem(
        settings=horizon.settings,
        partners=tuple(
            _partner(record, unavailable(record["partner_id"]))
            for record in records["Partners"]
        ),
        venues=tuple(
            _venue(record, unavailable(record["venue_id"]))
            for record in records["Venues"]
        ),
        exercises=tuple(
            _exercise(record, horizon, impossible.get(record["exercise_id"], ()))
            for record in records["Exercises"]
        ),
        assets=tuple(
            _asset(record, unavailable(record["asset_id"]))
            for record in records["Assets"]
        ),
        goals=tuple(_goal(record) for record in records["Goals"]),
        dependencies=tuple(_dependency(record) for record in records["Dependencies"]),
        travel_costs=tuple(
            (record["partner_id"], record["venue_id"], record["cost"])
            for record in records["TravelCosts"]
        ),
        name=name,
    )
    return with_public_holidays(problem)


def _partner(record: Record, unavailable: tuple[Period, ...]) -> Partner:
    return Partner(
        id=record["partner_id"],
        name=record["name"],
        country_code=record["country_code"],
        region=record["region"],
        budget=record["budget"],
        max_events=record["max_events"],
        max_concurrent=record["max_concurrent"],
        min_gap=record["min_gap"],
        weight=record["weight"],
        unavailable=unavailable,
        dropout_probability=record["dropout_probability"],
        source=record.source,
        public_holidays=_yes_no(record["public_holidays"]),
    )


def _yes_no(choice: str | None) -> bool | None:
    """A yes/no choice; None when left blank."""
    return None if choice is None else choice == "yes"


def _venue(record: Record, unavailable: tuple[Period, ...]) -> Venue:
    return Venue(
        id=record["venue_id"],
        name=record["name"],
        host_partner=record["host_partner"],
        region=record["region"],
        capabilities=frozenset(record["capabilities"]),
        capacity=record["capacity"],
        cost_per_slot=record["cost_per_slot"],
        max_concurrent=record["max_concurrent"],
        unavailable=unavailable,
        source=record.source,
    )


def _asset(record: Record, unavailable: tuple[Period, ...]) -> Asset:
    return Asset(
        id=record["asset_id"],
        name=record["name"],
        capacity=record["capacity"],
        unavailable=unavailable,
        source=record.source,
    )


def _exercise(
    record: Record, horizon: Problem, impossible: tuple[Finding, ...] = ()
) -> Exercise:
    """An exercise with its dates turned into slots, and kept as typed.

    A blank earliest_start is the first slot and a blank latest_end the last;
    invited partners start with the required ones. ``impossible``: the
    warnings saying it can never be held.
    """
    earliest, latest, fixed = (
        record["earliest_start"],
        record["latest_end"],
        record["fixed_start"],
    )
    required: tuple[str, ...] = record["required_partners"]
    invited: tuple[str, ...] = record["invited_partners"]
    return Exercise(
        id=record["exercise_id"],
        duration=record["duration"],
        earliest_start=horizon.slot_of(earliest) if earliest else 0,
        latest_end=horizon.slot_of(latest) if latest else horizon.n_slots - 1,
        name=record["name"],
        kind=record["kind"],
        mandatory=record["mandatory"],
        value=record["value"],
        venues=record["venues"],
        needs=frozenset(record["needs"]),
        required_partners=required,
        invited_partners=tuple(dict.fromkeys(required + invited)),
        min_partners=record["min_partners"],
        max_partners=record["max_partners"],
        fixed_cost=record["fixed_cost"],
        cost_per_partner=record["cost_per_partner"],
        areas=frozenset(record["areas"]),
        assets=record["assets"],
        fixed_start=horizon.slot_of(fixed) if fixed else None,
        fixed_venue=record["fixed_venue"],
        earliest_start_date=earliest or None,
        latest_end_date=latest or None,
        fixed_start_date=fixed or None,
        source=record.source,
        impossible=impossible,
    )


def _goal(record: Record) -> Goal:
    return Goal(
        id=record["goal_id"],
        kind=GoalKind(record["kind"]),
        min_count=record["min_count"],
        partners=record["partners"],
        area=record["area"] or None,
        weight=record["weight"],
        hard=record["hard"],
        source=record.source,
    )


def _dependency(record: Record) -> Dependency:
    return Dependency(
        before=record["before"],
        after=record["after"],
        min_gap=record["min_gap"],
        max_gap=record["max_gap"],
        requires=record["requires"],
        source=record.source,
    )
