"""Validation is the Problem's acceptance: every kind of fact a `Problem`
refuses (`planner.domain.Invariant`) is caught by the reader first, as a
finding at its cell, so no workbook passes validation and fails later.

One workbook per invariant, each the minimal programme (tests/workbook/
conftest.py) with the cells that would break it: the reader names the cell
and either builds nothing (an error) or builds a sound problem (a warning on
an optional exercise, kept and left out with its reason).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from planner.domain import Invariant, Problem, Severity
from tests.workbook.conftest import D, Reader, Sheets, set_cell


@dataclass(frozen=True)
class Case:
    """Cells to write, and the findings the reader must give for them."""

    cells: tuple[tuple[str, str, object], ...]
    expected: tuple[str, ...]


CASES: dict[Invariant, Case] = {
    Invariant.HORIZON: Case(
        (("Settings", "B3", D(2026, 12, 1)),),
        ("Settings!B3: planning_end 2026-12-01 is before planning_start 2027-01-04",),
    ),
    Invariant.DUPLICATE_ID: Case(
        (("Assets", "A3", "SHIP"),),
        ("Assets!A3: asset id SHIP is used twice: first on row 2",),
    ),
    Invariant.UNKNOWN_ID: Case(
        (("Exercises", "I2", "NOWHERE"),),
        ('Exercises!I2: unknown venue "NOWHERE": not on the Venues sheet',),
    ),
    Invariant.PERIOD: Case(
        (("Unavailability", "C2", D(2027, 1, 10)),),
        ("Unavailability!C2: end 2027-01-10 is before start 2027-01-18",),
    ),
    # The reader invites every required partner: nothing to find, and the
    # problem is sound (asserted below).
    Invariant.NOT_INVITED: Case((("Exercises", "K3", "EST"),), ()),
    # TALKS (row 3) is optional: a warning, and TALKS is left out.
    Invariant.PARTNER_BOUNDS: Case(
        (("Exercises", "M3", 2), ("Exercises", "N3", 1)),
        ("Exercises!M3: warning: min_partners 2 is more than max_partners 1",),
    ),
    Invariant.DURATION: Case(
        (("Exercises", "D3", 0),),
        ("Exercises!D3: duration must be a whole number >= 1, got 0",),
    ),
    # DYNMON (row 2) is mandatory; its window holds weeks 1 to 7.
    Invariant.MANDATORY_WINDOW: Case(
        (("Exercises", "D2", 8),),
        (
            "Exercises!D2: duration 8 is longer than the window: earliest_start "
            "2027-01-11 to latest_end 2027-02-28 holds 7 weeks",
        ),
    ),
    Invariant.FIXED_START: Case(
        (("Exercises", "S3", D(2027, 6, 2)),),
        (
            "Exercises!S3: fixed_start 2027-06-02 is after planning_end "
            "2027-03-28: outside the planning horizon",
        ),
    ),
    Invariant.GAP_BOUNDS: Case(
        (("Dependencies", "D2", 0),),
        ("Dependencies!D2: max_gap 0 is less than min_gap 1",),
    ),
    # 100,000 (the default weight_value) * 10**11 + DYNMON's 8 is above 2**53.
    Invariant.OBJECTIVE_REACH: Case(
        (("Exercises", "F3", 10**11),),
        (
            "Exercises!F3: value 100,000,000,000 (times weight_value 100,000) "
            "makes the objective (the plan's score) reach up to 1.0e+16, beyond "
            "the 9,007,199,254,740,992 planner counts exactly: lower it",
        ),
    ),
}


def test_every_invariant_has_a_workbook_that_breaks_it() -> None:
    assert set(CASES) == set(Invariant)


def _sound(problem: Problem) -> bool:
    """Building it again checks every invariant once more."""
    return Problem(**{f: getattr(problem, f) for f in problem.__getstate__()}) == (
        problem
    )


@pytest.mark.parametrize("invariant", list(Invariant))
def test_the_reader_catches_it_at_its_cell(
    read: Reader, programme: Sheets, invariant: Invariant
) -> None:
    case = CASES[invariant]
    for sheet, cell, value in case.cells:
        set_cell(programme, sheet, cell, value)
    problem, findings = read(programme)
    assert [str(f) for f in findings] == list(case.expected)
    if any(f.severity is Severity.ERROR for f in findings):
        assert problem is None
    else:
        assert problem is not None and _sound(problem)


def test_a_required_partner_not_listed_as_invited_is_invited() -> None:
    assert CASES[Invariant.NOT_INVITED].expected == ()


def test_an_optional_exercise_with_contradicting_partner_bounds_is_left_out(
    read: Reader, programme: Sheets
) -> None:
    set_cell(programme, "Exercises", "M3", 2)
    problem, _ = read(set_cell(programme, "Exercises", "N3", 1))
    assert problem is not None
    talks = problem.exercise["TALKS"]
    assert (talks.min_partners, talks.max_partners) == (2, 1)
    assert [f.address for f in talks.impossible] == ["Exercises!M3"]


def test_the_same_bounds_on_a_mandatory_exercise_are_an_error(
    read: Reader, programme: Sheets
) -> None:
    set_cell(programme, "Exercises", "M2", 3)
    problem, findings = read(set_cell(programme, "Exercises", "N2", 2))
    assert [str(f) for f in findings] == [
        "Exercises!M2: min_partners 3 is more than max_partners 2"
    ]
    assert problem is None


@pytest.mark.parametrize(
    ("cell", "value", "expected"),
    [
        # The duration: validated, then the model built a start set
        # for each of its weeks and ran out of memory.
        (
            "D3",
            189_820_768,
            "Exercises!D3: duration 189,820,768 is more weeks than planner ever "
            "plans (at most 521, ten years)",
        ),
        (
            "D2",
            522,
            "Exercises!D2: duration 522 is more weeks than planner ever plans "
            "(at most 521, ten years)",
        ),
    ],
)
def test_a_duration_beyond_any_horizon_is_an_error(
    read: Reader, programme: Sheets, cell: str, value: int, expected: str
) -> None:
    problem, findings = read(set_cell(programme, "Exercises", cell, value))
    assert [str(f) for f in findings] == [expected]
    assert problem is None


def test_a_duration_beyond_this_horizon_only_leaves_an_optional_exercise_out(
    read: Reader, programme: Sheets
) -> None:
    # 521 weeks fit the longest horizon, not this one of 12: a warning.
    problem, findings = read(set_cell(programme, "Exercises", "D3", 521))
    assert all(f.severity is Severity.WARNING for f in findings)
    assert problem is not None and problem.exercise["TALKS"].impossible


def test_a_day_duration_is_bounded_in_days(read: Reader, programme: Sheets) -> None:
    set_cell(programme, "Settings", "B4", "day")
    problem, findings = read(set_cell(programme, "Exercises", "D3", 3654))
    assert [str(f) for f in findings] == [
        "Exercises!D3: duration 3,654 is more days than planner ever plans "
        "(at most 3,653, ten years)"
    ]
    assert problem is None


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        # A weight set far above its default, scaling four exercises worth
        # 4,000 each: 16,000 * 10**12, no row more than a quarter of it.
        (
            (
                ("Settings", "A7", "weight_value"),
                ("Settings", "B7", 10**12),
                *(("Exercises", f"F{row}", 4000) for row in (2, 3, 4, 5)),
                *(
                    ("Exercises", f"{column}{row}", value)
                    for row in (4, 5)
                    for column, value in (("A", f"E{row}"), ("D", 1), ("E", "no"))
                ),
            ),
            "Settings!B7: weight_value 1,000,000,000,000 makes the objective "
            "(the plan's score) reach up to 1.6e+16, beyond the "
            "9,007,199,254,740,992 planner counts exactly: lower it",
        ),
        # Both the weight and one value: that one row is most to blame.
        (
            (
                ("Settings", "A7", "weight_value"),
                ("Settings", "B7", 10**12),
                ("Exercises", "F2", 10**12),
            ),
            "Exercises!F2: value 1,000,000,000,000 (times weight_value "
            "1,000,000,000,000) makes the objective (the plan's score) reach up "
            "to 1.0e+24, beyond the 9,007,199,254,740,992 planner counts "
            "exactly: lower it",
        ),
        # A venue's cost per week times the exercises' weeks.
        (
            (
                ("Venues", "G3", 10**12),
                ("Settings", "A7", "weight_cost"),
                ("Settings", "B7", 10_000),
            ),
            "Venues!G3: cost_per_slot 1,000,000,000,000 (times weight_cost "
            "10,000) makes the objective (the plan's score) reach up to 3.0e+16, "
            "beyond the 9,007,199,254,740,992 planner counts exactly: lower it",
        ),
    ],
)
def test_an_objective_too_large_to_count_names_its_cell(
    read: Reader,
    programme: Sheets,
    cells: tuple[tuple[str, str, object], ...],
    expected: str,
) -> None:
    for sheet, cell, value in cells:
        set_cell(programme, sheet, cell, value)
    problem, findings = read(programme)
    assert [str(f) for f in findings] == [expected]
    assert problem is None
