"""Reading the input workbook: the round trip, then one rule per test case.

Every case changes the minimal valid programme of conftest.py and asserts the
exact finding, cell and words, a planner would see. The programme runs twelve
weeks from Monday 2027-01-04: week i starts 2027-01-04 + 7i, so 2027-01-11 is
in week 1 and 2027-02-28 (a Sunday) closes week 7.
"""

from __future__ import annotations

import datetime as dt

import pytest

from planner.domain import (
    Asset,
    Dependency,
    Exercise,
    Goal,
    GoalKind,
    Partner,
    Period,
    Problem,
    Settings,
    Severity,
    Source,
    Venue,
    Weights,
)
from planner.workbook.read import sort_findings
from planner.workbook.template import write_workbook as write_template_workbook
from tests.workbook.conftest import Reader, Sheets, set_cell

D = dt.date


def _messages(findings: list) -> list[str]:
    return [str(finding) for finding in findings]


def _unavailable(
    first: int, last: int, reason: str, row: int, typed: tuple[dt.date, dt.date]
) -> tuple[Period, ...]:
    """A blackout's slots, and its dates as typed on its row."""
    return (Period(first, last, reason, Source("Unavailability", row), *typed),)


EXPECTED = Problem(
    settings=Settings(
        planning_start=D(2027, 1, 4),
        planning_end=D(2027, 3, 28),
        time_unit="week",
        total_budget=100000,
        total_budget_source=Source("Settings", 5),
        currency="EUR",
        time_limit_s=60.0,
        weights=Weights(),
    ),
    partners=(
        Partner(
            "NOR",
            "Norway",
            "NO",
            "North",
            budget=50000,
            max_events=3,
            max_concurrent=1,
            min_gap=1,
            weight=2,
            # 2027-01-18..20 lies in week 2 (2027-01-18 = 2027-01-04 + 14)
            unavailable=_unavailable(
                2, 2, "national holiday", 2, (D(2027, 1, 18), D(2027, 1, 20))
            ),
            source=Source("Partners", 2),
        ),
        Partner("POL", "Poland", "PL", "East", source=Source("Partners", 3)),
        Partner("EST", "Estonia", "EE", "East", source=Source("Partners", 4)),
    ),
    venues=(
        Venue(
            "HAAKONSVERN",
            "Haakonsvern",
            host_partner="NOR",
            region="North",
            capabilities=frozenset({"maritime", "classroom"}),
            capacity=10,
            cost_per_slot=1000,
            max_concurrent=1,
            source=Source("Venues", 2),
        ),
        Venue(
            "TAPA",
            "Tapa",
            host_partner="EST",
            region="East",
            capabilities=frozenset({"land"}),
            capacity=3,
            cost_per_slot=0,
            max_concurrent=2,
            # 2026-12-20..2027-01-12 clipped to 2027-01-04..12: weeks 0 and 1
            unavailable=_unavailable(
                0, 1, "maintenance", 3, (D(2026, 12, 20), D(2027, 1, 12))
            ),
            source=Source("Venues", 3),
        ),
    ),
    exercises=(
        Exercise(
            "DYNMON",
            duration=2,
            earliest_start=1,  # 2027-01-11
            latest_end=7,  # 2027-02-28
            name="Dynamic Mongoose",
            kind="exercise",
            mandatory=True,
            value=8,
            venues=("HAAKONSVERN",),
            needs=frozenset({"maritime"}),
            required_partners=("NOR",),
            invited_partners=("NOR", "POL", "EST"),  # required first
            min_partners=2,
            max_partners=3,
            fixed_cost=20000,
            cost_per_partner=500,
            areas=frozenset({"maritime", "asw"}),
            assets=("SHIP",),
            source=Source("Exercises", 2),
            earliest_start_date=D(2027, 1, 11),
            latest_end_date=D(2027, 2, 28),
        ),
        Exercise(
            "TALKS",
            duration=1,
            earliest_start=0,  # blank: the first week
            latest_end=11,  # blank: the last of 12 weeks
            name="Staff talks",
            kind="staff talks",
            value=3,
            invited_partners=("NOR", "POL"),
            cost_per_partner=100,
            areas=frozenset({"logistics"}),
            fixed_start=8,  # Wednesday 2027-03-03 is in week 8 (from 2027-03-01)
            source=Source("Exercises", 3),
            fixed_start_date=D(2027, 3, 3),
        ),
    ),
    assets=(
        Asset(
            "SHIP",
            "KNM Maud",
            capacity=1,
            # 2027-03-22..04-30 clipped to 03-28: week 11 only
            unavailable=_unavailable(
                11, 11, "dock", 4, (D(2027, 3, 22), D(2027, 4, 30))
            ),
            source=Source("Assets", 2),
        ),
    ),
    goals=(
        Goal(
            "G1",
            GoalKind.TOGETHER,
            1,
            ("NOR", "POL"),
            "maritime",
            weight=2,
            source=Source("Goals", 2),
        ),
        Goal("G2", GoalKind.ENGAGEMENT, 1, hard=True, source=Source("Goals", 3)),
        Goal("G3", GoalKind.COVERAGE, 1, area="logistics", source=Source("Goals", 4)),
    ),
    dependencies=(
        Dependency(
            "DYNMON",
            "TALKS",
            min_gap=1,
            max_gap=4,
            requires=True,
            source=Source("Dependencies", 2),
        ),
    ),
    travel_costs=(("POL", "HAAKONSVERN", 1500),),
    name="programme",
)


def test_valid_programme_reads_into_the_exact_problem(
    read: Reader, programme: Sheets
) -> None:
    problem, findings = read(programme)
    assert findings == []
    assert problem == EXPECTED
    assert problem.n_slots == 12  # 2027-01-04 .. 2027-03-28 is 84 days


def test_days_as_slots(read: Reader, programme: Sheets) -> None:
    set_cell(programme, "Settings", "B4", "day")
    problem, findings = read(programme)
    assert findings == []
    assert problem is not None
    assert problem.n_slots == 84
    dynmon = problem.exercise["DYNMON"]
    # 2027-01-11 is day 7 and 2027-02-28 day 55 after 2027-01-04
    assert (dynmon.earliest_start, dynmon.latest_end) == (7, 55)
    assert problem.exercise["TALKS"].fixed_start == 58  # 2027-03-03
    blackout = problem.partner["NOR"].unavailable[0]
    assert (blackout.first, blackout.last) == (14, 16)  # 2027-01-18 .. 20


def test_iso_text_dates_read_like_excel_dates(read: Reader, programme: Sheets) -> None:
    set_cell(programme, "Exercises", "G2", "2027-01-11")
    set_cell(programme, "Settings", "B2", " 2027-01-04 ")
    problem, findings = read(programme)
    assert findings == []
    assert problem == EXPECTED


def test_headers_and_sheet_names_ignore_case_and_spaces(
    read: Reader, programme: Sheets
) -> None:
    programme["Exercises"][0][3] = "  Duration "
    programme["partners "] = programme.pop("Partners")
    problem, findings = read(programme)
    assert findings == []
    assert problem is not None
    assert problem.partners == EXPECTED.partners


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers(
    read: Reader, programme: Sheets
) -> None:
    programme["Partners"].insert(2, [None, "  ", None])
    problem, findings = read(programme)
    assert findings == []
    assert problem is not None
    assert [p.source.row for p in problem.partners] == [2, 4, 5]


def test_optional_sheets_may_be_absent(read: Reader, programme: Sheets) -> None:
    for sheet in ("TravelCosts", "Dependencies"):
        del programme[sheet]
    problem, findings = read(programme)
    assert findings == []
    assert problem is not None
    assert (problem.travel_costs, problem.dependencies) == ((), ())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", True),
        ("X", True),
        (" TRUE ", True),
        (1, True),
        (True, True),
        ("no", False),
        ("0", False),
        (False, False),
        (None, False),  # the column's default
    ],
)
def test_yes_no_words(
    read: Reader, programme: Sheets, value: object, expected: bool
) -> None:
    set_cell(programme, "Exercises", "E2", value)
    problem, _ = read(programme)
    assert problem is not None
    assert problem.exercise["DYNMON"].mandatory is expected


def test_lists_split_on_commas_and_semicolons(read: Reader, programme: Sheets) -> None:
    set_cell(programme, "Exercises", "L2", " EST ;POL,, ")
    problem, findings = read(programme)
    assert findings == []
    assert problem is not None
    assert problem.exercise["DYNMON"].invited_partners == ("NOR", "EST", "POL")


def test_numbers_as_ids_match_their_text(read: Reader, programme: Sheets) -> None:
    set_cell(programme, "Partners", "A4", 101)
    set_cell(programme, "Venues", "C3", 101)
    set_cell(programme, "Exercises", "L2", "POL; 101")
    set_cell(programme, "Exercises", "F2", 8.0)  # a whole number typed as 8.0
    problem, findings = read(programme)
    assert findings == []
    assert problem is not None
    assert problem.exercise["DYNMON"].invited_partners == ("NOR", "POL", "101")
    assert problem.exercise["DYNMON"].value == 8


# (sheet, cell, new value, the finding expected). Rows: Partners NOR 2, POL 3,
# EST 4; Venues HAAKONSVERN 2, TAPA 3; Exercises DYNMON 2, TALKS 3.
ERRORS = [
    # A cell that is not its column's kind.
    (
        "Exercises",
        "D2",
        "two",
        'Exercises!D2: duration must be a whole number >= 1, got "two"',
    ),
    (
        "Exercises",
        "D2",
        1.5,
        "Exercises!D2: duration must be a whole number >= 1, got 1.5",
    ),
    ("Exercises", "D2", 0, "Exercises!D2: duration must be a whole number >= 1, got 0"),
    ("Exercises", "D2", None, "Exercises!D2: duration is required"),
    ("Exercises", "A3", " ", "Exercises!A3: exercise_id is required"),
    (
        "Exercises",
        "E2",
        "maybe",
        'Exercises!E2: mandatory must be yes or no, got "maybe"',
    ),
    (
        "Exercises",
        "G2",
        "next week",
        "Exercises!G2: earliest_start must be a date (an Excel date or text "
        'YYYY-MM-DD), got "next week"',
    ),
    (
        "Exercises",
        "G2",
        "2027-02-30",
        "Exercises!G2: earliest_start must be a date (an Excel date or text "
        'YYYY-MM-DD), got "2027-02-30"',
    ),
    ("Exercises", "O2", -5, "Exercises!O2: fixed_cost must be an amount >= 0, got -5"),
    (
        "Partners",
        "G2",
        0,
        "Partners!G2: max_concurrent must be a whole number >= 1, got 0",
    ),
    ("Partners", "H2", -1, "Partners!H2: min_gap must be a whole number >= 0, got -1"),
    (
        "Partners",
        "E2",
        "lots",
        'Partners!E2: budget must be an amount >= 0, got "lots"',
    ),
    ("Venues", "F2", 0, "Venues!F2: capacity must be a whole number >= 1, got 0"),
    ("Venues", "H2", 0, "Venues!H2: max_concurrent must be a whole number >= 1, got 0"),
    ("Assets", "C2", 0, "Assets!C2: capacity must be a whole number >= 1, got 0"),
    ("TravelCosts", "C2", -1, "TravelCosts!C2: cost must be an amount >= 0, got -1"),
    (
        "Goals",
        "B2",
        "pairing",
        'Goals!B2: kind must be one of together, engagement, coverage, got "pairing"',
    ),
    ("Goals", "E2", -1, "Goals!E2: min_count must be a whole number >= 0, got -1"),
    (
        "Dependencies",
        "C2",
        -1,
        "Dependencies!C2: min_gap must be a whole number >= 0, got -1",
    ),
    (
        "Exercises",
        "F2",
        10**13,
        "Exercises!F2: value 10000000000000 is too large (at most 1,000,000,000,000)",
    ),
    (
        "Partners",
        "A3",
        D(2027, 1, 2),
        "Partners!A3: partner_id must be text, got the date 2027-01-02 (Excel "
        "turned what was typed into a date: format the cell as Text)",
    ),
    (
        "Partners",
        "A3",
        "POL;X",
        'Partners!A3: partner_id "POL;X" must not contain , or ; (they separate '
        "the ids in a list)",
    ),
    # Settings.
    (
        "Settings",
        "B4",
        "month",
        'Settings!B4: time_unit must be one of week, day, got "month"',
    ),
    (
        "Settings",
        "B3",
        D(2026, 12, 1),
        "Settings!B3: planning_end 2026-12-01 is before planning_start 2027-01-04",
    ),
    ("Settings", "B2", None, "Settings!B2: planning_start is required"),
    ("Settings", "B5", -1, "Settings!B5: total_budget must be an amount >= 0, got -1"),
    # Duplicate ids: the second row is named, with the first's row.
    (
        "Partners",
        "A4",
        "NOR",
        "Partners!A4: partner id NOR is used twice: first on row 2",
    ),
    (
        "Exercises",
        "A3",
        "DYNMON",
        "Exercises!A3: exercise id DYNMON is used twice: first on row 2",
    ),
    (
        "Venues",
        "A3",
        "EST",
        "Venues!A3: id EST names both a partner (Partners row 4) and a venue: "
        "Unavailability could not tell them apart",
    ),
    # Ids no sheet holds.
    (
        "Exercises",
        "I2",
        "HAAKONSVERN; BERGEN",
        'Exercises!I2: unknown venue "BERGEN": not on the Venues sheet',
    ),
    (
        "Exercises",
        "K2",
        "nor",
        'Exercises!K2: unknown partner "nor": not on the Partners sheet '
        "(did you mean NOR?)",
    ),
    (
        "Exercises",
        "L2",
        "POL, LTU",
        'Exercises!L2: unknown partner "LTU": not on the Partners sheet',
    ),
    (
        "Exercises",
        "R2",
        "SUB",
        'Exercises!R2: unknown asset "SUB": not on the Assets sheet',
    ),
    (
        "Exercises",
        "T3",
        "BERGEN",
        'Exercises!T3: unknown venue "BERGEN": not on the Venues sheet',
    ),
    (
        "Venues",
        "C2",
        "NO",
        'Venues!C2: unknown partner "NO": not on the Partners sheet',
    ),
    (
        "Unavailability",
        "A2",
        "NORWAY",
        'Unavailability!A2: unknown resource "NORWAY": not a partner, venue or '
        "asset id",
    ),
    (
        "TravelCosts",
        "A2",
        "LTU",
        'TravelCosts!A2: unknown partner "LTU": not on the Partners sheet',
    ),
    (
        "TravelCosts",
        "B2",
        "X",
        'TravelCosts!B2: unknown venue "X": not on the Venues sheet',
    ),
    (
        "Goals",
        "C2",
        "NOR; SWE",
        'Goals!C2: unknown partner "SWE": not on the Partners sheet',
    ),
    (
        "Dependencies",
        "B2",
        "LIVEX",
        'Dependencies!B2: unknown exercise "LIVEX": not on the Exercises sheet',
    ),
    # End before start.
    (
        "Unavailability",
        "C2",
        D(2027, 1, 10),
        "Unavailability!C2: end 2027-01-10 is before start 2027-01-18",
    ),
    (
        "Exercises",
        "H2",
        D(2027, 1, 5),
        "Exercises!H2: latest_end 2027-01-05 is before earliest_start 2027-01-11",
    ),
    # Windows outside the horizon (2027-01-04 to 2027-03-28).
    (
        "Exercises",
        "G2",
        D(2026, 12, 28),
        "Exercises!G2: earliest_start 2026-12-28 is before planning_start "
        "2027-01-04: outside the planning horizon",
    ),
    (
        "Exercises",
        "H2",
        D(2027, 4, 1),
        "Exercises!H2: latest_end 2027-04-01 is after planning_end 2027-03-28: "
        "outside the planning horizon",
    ),
    (
        "Exercises",
        "S3",
        D(2027, 5, 3),
        "Exercises!S3: fixed_start 2027-05-03 is after planning_end 2027-03-28: "
        "outside the planning horizon",
    ),
    # Weeks 1..7 are 7 weeks: 8 do not fit.
    (
        "Exercises",
        "D2",
        8,
        "Exercises!D2: duration 8 is longer than the window: earliest_start "
        "2027-01-11 to latest_end 2027-02-28 holds 7 weeks",
    ),
    # Venues that cannot host: capability, then capacity (max(2 min, 1 required)).
    (
        "Exercises",
        "J2",
        "maritime; airfield",
        "Exercises!I2: no venue can host exercise DYNMON: HAAKONSVERN lacks airfield",
    ),
    (
        "Venues",
        "F2",
        1,
        "Exercises!I2: no venue can host exercise DYNMON: HAAKONSVERN holds "
        "1 partner, 2 needed",
    ),
    # Partner counts: DYNMON invites NOR (required), POL, EST; max 3.
    (
        "Exercises",
        "M2",
        4,
        "Exercises!M2: min_partners 4 is more than max_partners 3",
    ),
    (
        "Exercises",
        "M2",
        4,
        "Exercises!M2: min_partners 4 can never be met: only 3 partners invited "
        "(required and invited together)",
    ),
    (
        "Exercises",
        "N2",
        0,
        "Exercises!K2: 1 required partner but max_partners is 0",
    ),
    # Fixed start and venue.
    (
        "Exercises",
        "S2",
        D(2027, 3, 10),
        "Exercises!S2: fixed_start 2027-03-10 is outside the exercise's window "
        "(earliest_start 2027-01-11 to latest_end 2027-02-28)",
    ),
    (
        "Exercises",
        "S2",
        D(2027, 2, 24),  # week 7, the window's last: 2 weeks end in week 8
        "Exercises!S2: starting in the week of fixed_start 2027-02-24, its "
        "2 weeks run past latest_end (earliest_start 2027-01-11 to latest_end "
        "2027-02-28)",
    ),
    (
        "Exercises",
        "T2",
        "TAPA",
        "Exercises!T2: fixed_venue TAPA is not among the exercise's venues "
        "(HAAKONSVERN)",
    ),
    # Dependencies and goals.
    (
        "Dependencies",
        "B2",
        "DYNMON",
        "Dependencies!B2: exercise DYNMON cannot depend on itself",
    ),
    ("Dependencies", "D2", 0, "Dependencies!D2: max_gap 0 is less than min_gap 1"),
    (
        "Goals",
        "C2",
        "NOR",
        "Goals!C2: a together goal needs at least 2 partners, got 1",
    ),
    ("Goals", "D4", None, "Goals!D4: a coverage goal needs an area"),
]


@pytest.mark.parametrize(("sheet", "cell", "value", "expected"), ERRORS)
def test_error(
    read: Reader,
    programme: Sheets,
    sheet: str,
    cell: str,
    value: object,
    expected: str,
) -> None:
    problem, findings = read(set_cell(programme, sheet, cell, value))
    assert expected in _messages(findings)
    assert problem is None


# The same facts about TALKS (row 3), which is optional: each is a warning at
# the same cell, and TALKS is kept, marked impossible, so the rest is planned.
IMPOSSIBLE_OPTIONAL = [
    (
        "Exercises",
        "D3",
        13,
        "Exercises!D3: warning: duration 13 is longer than the window: "
        "planning_start 2027-01-04 to planning_end 2027-03-28 holds 12 weeks",
    ),
    (
        "Exercises",
        "J3",
        "land; cyber range",
        "Exercises!J3: warning: no venue can host exercise TALKS: HAAKONSVERN "
        "lacks cyber range, land; TAPA lacks cyber range",
    ),
    (
        "Exercises",
        "M3",
        3,
        "Exercises!M3: warning: min_partners 3 can never be met: only 2 partners "
        "invited (required and invited together)",
    ),
    (
        "Exercises",
        "D3",
        5,  # from week 8, 5 weeks end in week 12; the last is week 11
        "Exercises!S3: warning: starting in the week of fixed_start 2027-03-03, "
        "its 5 weeks run past planning_end (planning_start 2027-01-04 to "
        "planning_end 2027-03-28)",
    ),
    (
        "Unavailability",
        "A5",
        "NOR",  # NOR, required by TALKS, away the week TALKS is fixed to
        "Exercises!S3: warning: fixed_start 2027-03-03: required partner NOR is "
        "unavailable 2027-03-01 to 2027-03-02 (Unavailability row 5)",
    ),
]


@pytest.mark.parametrize(("sheet", "cell", "value", "expected"), IMPOSSIBLE_OPTIONAL)
def test_impossible_optional_exercise_is_a_warning(
    read: Reader,
    programme: Sheets,
    sheet: str,
    cell: str,
    value: object,
    expected: str,
) -> None:
    set_cell(programme, "Unavailability", "B5", D(2027, 3, 1))
    set_cell(programme, "Unavailability", "C5", D(2027, 3, 2))
    set_cell(programme, "Unavailability", "A5", "TAPA")  # harmless unless changed
    set_cell(programme, "Exercises", "K3", "NOR")  # TALKS requires NOR
    problem, findings = read(set_cell(programme, sheet, cell, value))
    assert expected in _messages(findings)
    assert all(f.severity is Severity.WARNING for f in findings)
    assert problem is not None
    assert expected in [str(f) for f in problem.exercise["TALKS"].impossible]
    assert problem.exercise["DYNMON"].impossible == ()


def test_fixed_start_in_a_blackout_of_a_mandatory_exercise_is_an_error(
    read: Reader, programme: Sheets
) -> None:
    # DYNMON is mandatory and needs NOR, away 2027-01-18 to 2027-01-20 (week 2).
    problem, findings = read(set_cell(programme, "Exercises", "S2", D(2027, 1, 19)))
    assert _messages(findings) == [
        "Exercises!S2: fixed_start 2027-01-19: required partner NOR is "
        "unavailable 2027-01-18 to 2027-01-20 (Unavailability row 2; national "
        "holiday)"
    ]
    assert problem is None


def test_requiring_an_impossible_exercise_makes_it_impossible_too(
    read: Reader, programme: Sheets
) -> None:
    # DYNMON made optional and impossible (4 partners, 3 invited); TALKS
    # requires it (Dependencies row 2), so TALKS can never be held either.
    set_cell(programme, "Exercises", "E2", "no")
    set_cell(programme, "Exercises", "N2", None)
    problem, findings = read(set_cell(programme, "Exercises", "M2", 4))
    assert _messages(findings) == [
        "Exercises!M2: warning: min_partners 4 can never be met: only 3 partners "
        "invited (required and invited together)",
        "Dependencies!E2: warning: TALKS requires DYNMON, which can never be held",
    ]
    assert problem is not None
    assert [f.address for f in problem.exercise["TALKS"].impossible] == [
        "Dependencies!E2"
    ]


def test_a_mandatory_exercise_requiring_an_impossible_one_is_an_error(
    read: Reader, programme: Sheets
) -> None:
    set_cell(programme, "Exercises", "E2", "no")
    set_cell(programme, "Exercises", "N2", None)
    set_cell(programme, "Exercises", "E3", "yes")
    problem, findings = read(set_cell(programme, "Exercises", "M2", 4))
    assert (
        "Dependencies!E2: TALKS requires DYNMON, which can never be held"
        in _messages(findings)
    )
    assert problem is None


WARNINGS = [
    (
        "TravelCosts",
        "C2",
        1500.4,
        "TravelCosts!C2: warning: cost 1500.4 rounded to 1500 (money is planned "
        "in whole currency units)",
    ),
    (
        "Goals",
        "D2",
        "amphibious",
        'Goals!D2: warning: area "amphibious" is not trained by any exercise '
        "(no exercise lists it in areas)",
    ),
    (
        "Unavailability",
        "C3",
        D(2026, 12, 31),
        "Unavailability!B3: warning: 2026-12-20 to 2026-12-31 lies outside the "
        "planning horizon (2027-01-04 to 2027-03-28); ignored",
    ),
    (
        "Exercises",
        "U1",
        "notes",
        'Exercises!U1: warning: column "notes" is not one planner reads; ignored',
    ),
    (
        "Exercises",
        "V2",
        "x",
        "Exercises!V1: warning: column V holds values but has no name in row 1; "
        "ignored",
    ),
    (
        "Settings",
        "A7",
        "colour",
        'Settings!A7: warning: "colour" is not a setting planner knows; ignored',
    ),
    (
        "Settings",
        "B7",
        5,
        "Settings!B7: warning: a value without a key in column A; ignored",
    ),
    (
        "Exercises",
        "L2",
        "POL, EST, POL",
        "Exercises!L2: warning: invited_partners lists POL more than once; "
        "counted once",
    ),
    (
        "Goals",
        "C4",
        "NOR",
        "Goals!C4: warning: a coverage goal counts exercises, not partners; "
        "partners ignored",
    ),
]


@pytest.mark.parametrize(("sheet", "cell", "value", "expected"), WARNINGS)
def test_warning(
    read: Reader,
    programme: Sheets,
    sheet: str,
    cell: str,
    value: object,
    expected: str,
) -> None:
    problem, findings = read(set_cell(programme, sheet, cell, value))
    assert _messages(findings) == [expected]
    assert findings[0].severity is Severity.WARNING
    assert problem is not None


def test_rounded_money_is_used(read: Reader, programme: Sheets) -> None:
    set_cell(programme, "Exercises", "P2", 499.5)  # rounds half up to 500
    problem, _ = read(programme)
    assert problem is not None
    assert problem.exercise["DYNMON"].cost_per_partner == 500


def test_blackout_outside_the_horizon_is_dropped(
    read: Reader, programme: Sheets
) -> None:
    set_cell(programme, "Unavailability", "C3", D(2026, 12, 31))
    problem, _ = read(programme)
    assert problem is not None
    assert problem.venue["TAPA"].unavailable == ()


def test_missing_sheet(read: Reader, programme: Sheets) -> None:
    del programme["Partners"]
    problem, findings = read(programme)
    assert "Partners: sheet is missing" in _messages(findings)
    assert problem is None


def test_missing_required_column_is_reported_once(
    read: Reader, programme: Sheets
) -> None:
    for row in programme["Exercises"]:
        del row[3]  # duration
    problem, findings = read(programme)
    assert _messages(findings) == [
        'Exercises: required column "duration" is missing (row 1 holds the '
        "column names)"
    ]
    assert problem is None


def test_duplicate_column(read: Reader, programme: Sheets) -> None:
    set_cell(programme, "Partners", "J1", "Name")
    problem, findings = read(programme)
    assert _messages(findings) == [
        'Partners!J1: column "name" appears twice: first in column B'
    ]
    assert problem is None


def test_dependency_cycle_names_its_exercises(read: Reader, programme: Sheets) -> None:
    programme["Dependencies"].append(["TALKS", "DYNMON"])
    problem, findings = read(programme)
    assert _messages(findings) == [
        "Dependencies!A3: dependencies form a cycle: DYNMON -> TALKS -> DYNMON; "
        "none of them could start first"
    ]
    assert problem is None


def test_duplicate_travel_cost(read: Reader, programme: Sheets) -> None:
    programme["TravelCosts"].append(["POL", "HAAKONSVERN", 900])
    problem, findings = read(programme)
    assert _messages(findings) == [
        "TravelCosts!A3: travel cost from POL to HAAKONSVERN is given twice: "
        "first on row 2"
    ]
    assert problem is None


def test_settings_key_given_twice(read: Reader, programme: Sheets) -> None:
    programme["Settings"].append(["Time_Unit", "day"])
    _, findings = read(programme)
    assert _messages(findings) == [
        "Settings!A7: time_unit is set twice: first on row 4"
    ]


def test_settings_key_missing(read: Reader, programme: Sheets) -> None:
    del programme["Settings"][2]  # planning_end
    problem, findings = read(programme)
    assert _messages(findings) == [
        "Settings: planning_end is missing: add a row with planning_end in "
        "column A and its value in column B"
    ]
    assert problem is None


def test_settings_time_limit_must_be_positive(read: Reader, programme: Sheets) -> None:
    programme["Settings"].append(["time_limit_s", 0])
    _, findings = read(programme)
    assert _messages(findings) == [
        "Settings!B7: time_limit_s must be a number > 0, got 0"
    ]


def test_settings_weights(read: Reader, programme: Sheets) -> None:
    programme["Settings"] += [
        ["weight_value", 10],
        ["weight_goal_shortfall", 0],
        ["weight_cost", 2],
        ["time_limit_s", 12.5],
    ]
    problem, _ = read(programme)
    assert problem is not None
    assert problem.settings.weights == Weights(value=10, goal_shortfall=0, cost=2)
    assert problem.settings.time_limit_s == 12.5


def test_settings_say_what_the_programme_is(read: Reader, programme: Sheets) -> None:
    programme["Settings"] += [
        ["title", "  Програма Балтія 2027 "],
        ["organisation", "Joint Training Branch"],
        ["classification", "OFFICIAL - releasable to POL"],
        ["programme_id", "baltic-2027"],
    ]
    problem, findings = read(programme)
    assert problem is not None, _messages(findings)
    settings = problem.settings
    assert (settings.title, settings.organisation) == (
        "Програма Балтія 2027",
        "Joint Training Branch",
    )
    assert settings.classification == "OFFICIAL - releasable to POL"
    assert settings.programme_id == "baltic-2027"


def test_a_programme_without_an_id_gets_one_from_its_title_and_start(
    read: Reader, programme: Sheets
) -> None:
    untitled, _ = read(programme)
    programme["Settings"].append(["title", "Baltic Programme (Łódź) 2027"])
    titled, _ = read(programme)
    assert untitled is not None and titled is not None
    assert untitled.settings.programme_id == "programme-2027-01-04"
    # Ł has no plain letter, so a digest of the title as typed keeps it apart
    # from a programme titled "Baltic Programme (odz) 2027".
    assert titled.settings.programme_id.startswith("baltic-programme-odz-2027-")
    assert titled.settings.programme_id.endswith("-2027-01-04")
    assert len(titled.settings.programme_id) == len("baltic-programme-odz-2027-") + 19


def test_the_programme_id_never_comes_from_the_file_name(
    tmp_path, programme: Sheets
) -> None:
    from planner.workbook.read import read_problem

    tables = {
        sheet: [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]
        for sheet, rows in programme.items()
    }
    ids = set()
    for name in ("prog.xlsx", "prog-v2.xlsx", "workbook.xlsx"):
        write_template_workbook(tables, tmp_path / name)
        problem, _ = read_problem(tmp_path / name)
        assert problem is not None
        ids.add(problem.settings.programme_id)
    assert ids == {"programme-2027-01-04"}


def test_settings_in_the_header_row(read: Reader, programme: Sheets) -> None:
    programme["Settings"][0] = ["planning_start", D(2027, 1, 4)]
    _, findings = read(programme)
    assert (
        "Settings!A1: row 1 holds the column names (key, value): move "
        "planning_start to a row below"
    ) in _messages(findings)


def test_unknown_sheet_is_ignored_with_a_warning(
    read: Reader, programme: Sheets
) -> None:
    programme["Notes"] = [["anything"], ["at all"]]
    problem, findings = read(programme)
    assert _messages(findings) == ["Notes: warning: not a sheet planner reads; ignored"]
    assert problem is not None


def test_findings_sorted_by_sheet_then_row_then_column(
    read: Reader, programme: Sheets
) -> None:
    for sheet, cell in [
        ("Goals", "E2"),
        ("Exercises", "F3"),
        ("Exercises", "E3"),
        ("Exercises", "M2"),
        ("Partners", "I4"),
    ]:
        set_cell(programme, sheet, cell, "?")
    _, findings = read(programme)
    cells = [f"{finding.sheet}!{finding.cell}" for finding in findings]
    assert cells == [
        "Partners!I4",
        "Exercises!M2",
        "Exercises!E3",
        "Exercises!F3",
        "Goals!E2",
    ]


def test_sort_findings_puts_unknown_sheets_last() -> None:
    from planner.domain import Finding

    findings = [
        Finding("Notes", "", "x"),
        Finding("Exercises", "AA2", "x"),
        Finding("Exercises", "B10", "x"),
        Finding("Settings", "", "x"),
    ]
    assert [f"{f.sheet}!{f.cell}" for f in sort_findings(findings)] == [
        "Settings!",
        "Exercises!AA2",  # row 2 before row 10, whatever the column
        "Exercises!B10",
        "Notes!",
    ]


def test_reads_what_the_template_writes(tmp_path, programme: Sheets) -> None:
    """The template's Instructions sheet, notes and drop-downs are no findings."""
    from planner.workbook.read import read_problem

    tables = {
        sheet: [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]
        for sheet, rows in programme.items()
    }
    path = tmp_path / "programme.xlsx"
    write_template_workbook(tables, path)
    problem, findings = read_problem(path)
    assert findings == []
    assert problem == EXPECTED


def test_docs_describe_every_sheet_column_and_setting() -> None:
    from pathlib import Path

    from planner.workbook.schema import SETTINGS_KEYS, SHEETS

    docs = (Path(__file__).parents[2] / "docs" / "workbook.md").read_text()
    names = [f"## {spec.name}" for spec in SHEETS]
    names += [f"| {key.name} |" for key in SETTINGS_KEYS]
    names += [column.name for spec in SHEETS[1:] for column in spec.columns]
    assert [name for name in names if name not in docs] == []
