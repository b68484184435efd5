"""Tiny hand-made problems for tests, built straight from the domain."""

from __future__ import annotations

import datetime as dt

from planner.domain import Exercise, Partner, Problem, Settings, Venue, Weights

MONDAY = dt.date(2027, 1, 4)


def make_problem(
    exercises: list[Exercise],
    partners: list[Partner] | None = None,
    venues: list[Venue] | None = None,
    n_slots: int = 10,
    weights: Weights | None = None,
    total_budget: int | None = None,
    **fields: object,
) -> Problem:
    """A weekly problem of ``n_slots`` weeks from 2027-01-04 (a Monday).

    Defaults: partners A and B, one venue V with no limits but its single
    concurrent event.
    """
    settings = Settings(
        planning_start=MONDAY,
        planning_end=MONDAY + dt.timedelta(days=7 * n_slots - 1),
        total_budget=total_budget,
        weights=weights or Weights(),
    )
    return Problem(
        settings=settings,
        partners=tuple(
            partners if partners is not None else [Partner("A"), Partner("B")]
        ),
        venues=tuple(venues if venues is not None else [Venue("V")]),
        exercises=tuple(exercises),
        **fields,  # type: ignore[arg-type]
    )


def exercise(
    id: str, duration: int = 1, n_slots: int = 10, **fields: object
) -> Exercise:
    """An exercise whose window is the whole horizon unless told otherwise."""
    fields.setdefault("earliest_start", 0)
    fields.setdefault("latest_end", n_slots - 1)
    return Exercise(id=id, duration=duration, **fields)  # type: ignore[arg-type]
