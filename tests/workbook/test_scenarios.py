"""Scenarios inside the workbook: set, add and delete rows, and their findings.

Every case adds a Scenarios sheet to the minimal programme of conftest.py
(twelve weeks from Monday 2027-01-04, week i starts 2027-01-04 + 7i) and reads
it with one scenario applied. The Scenarios sheet's columns are A scenario,
B action, C sheet, D id, E column, F value, G note, and its first rule is on
row 2, so "Scenarios!F2" is the value of the first rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

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
    Settings,
    Severity,
    Source,
    Venue,
)
from planner.workbook.read import (
    read_problem,
    read_variants,
    scenario_edits,
    scenario_names,
)
from planner.workbook.template import INSTRUCTIONS, write_template
from tests.workbook.conftest import Sheets, minimal_programme, write_workbook

D = dt.date
HEADER = ["scenario", "action", "sheet", "id", "column", "value", "note"]
INSTANCES = Path(__file__).resolve().parents[2] / "instances"

ReadScenario = Callable[..., tuple[Problem | None, list[Finding]]]


def with_scenarios(*rows: tuple[object, ...], sheets: Sheets | None = None) -> Sheets:
    """The minimal programme (or ``sheets``) with these Scenarios rows."""
    sheets = sheets if sheets is not None else minimal_programme()
    sheets["Scenarios"] = [HEADER, *(list(row) for row in rows)]
    return sheets


@pytest.fixture
def read(tmp_path: Path) -> ReadScenario:
    """Write the sheets as programme.xlsx and read them with ``scenario``."""

    def write_and_read(
        sheets: Sheets, scenario: str | None = None
    ) -> tuple[Problem | None, list[Finding]]:
        path = write_workbook(tmp_path / "programme.xlsx", sheets)
        return read_problem(path, scenario)

    return write_and_read


@pytest.fixture
def base(read: ReadScenario) -> Problem:
    problem, findings = read(minimal_programme())
    assert problem is not None, [str(f) for f in findings]
    return problem


def solved(
    read: ReadScenario, *rows: tuple[object, ...], scenario: str = "s"
) -> Problem:
    """The problem of ``scenario``, read without a single finding."""
    problem, findings = read(with_scenarios(*rows), scenario)
    assert [str(f) for f in findings] == []
    assert problem is not None
    return problem


def errors(read: ReadScenario, sheets: Sheets, scenario: str | None = "s") -> list:
    problem, findings = read(sheets, scenario)
    assert problem is None
    return [str(f) for f in findings if f.severity is Severity.ERROR]


def named(base: Problem, **fields: object) -> Problem:
    """``base`` as scenario "s" sees it, with ``fields`` changed: named for
    it, and still the same programme (its events keep their calendar UIDs)."""
    settings = fields.pop("settings", base.settings)
    assert isinstance(settings, Settings)
    assert settings.programme_id == base.settings.programme_id
    return replace(
        base,
        name="programme:s",
        settings=settings,
        **fields,  # type: ignore[arg-type]
    )


# set ---------------------------------------------------------------------------


def test_set_a_setting(read: ReadScenario, base: Problem) -> None:
    problem = solved(read, ("s", "set", "Settings", "total_budget", "value", 90000))
    # The budget now comes from the scenario's row 2, which an explanation
    # of a too-small budget must name.
    settings = replace(
        base.settings, total_budget=90000, total_budget_source=Source("Scenarios", 2)
    )
    assert problem == named(base, settings=settings)


def test_set_a_setting_the_sheet_leaves_out_adds_it(
    read: ReadScenario, base: Problem
) -> None:
    # weight_cost is not on the minimal Settings sheet; column may stay blank.
    problem = solved(read, ("s", "", "settings", "Weight_Cost", None, 0))
    weights = replace(base.settings.weights, cost=0)
    assert problem == named(base, settings=replace(base.settings, weights=weights))


def test_set_a_partner_cell_and_clear_another(
    read: ReadScenario, base: Problem
) -> None:
    # A blank value clears the cell: NOR's max_events 3 becomes no limit.
    problem = solved(
        read,
        ("s", "set", "Partners", "NOR", "budget", 40000),
        ("s", "set", "Partners", "NOR", "max_events", None),
    )
    nor = replace(base.partner["NOR"], budget=40000, max_events=None)
    assert problem == named(base, partners=(nor, *base.partners[1:]))


def test_set_a_venue(read: ReadScenario, base: Problem) -> None:
    problem = solved(read, ("s", "set", "Venues", "TAPA", "capacity", 5))
    tapa = replace(base.venue["TAPA"], capacity=5)
    assert problem == named(base, venues=(base.venues[0], tapa))


def test_set_an_exercise_date_becomes_its_slot(
    read: ReadScenario, base: Problem
) -> None:
    # 2027-03-07 is the Sunday of week 8 (2027-03-01 = 2027-01-04 + 56 days).
    problem = solved(
        read, ("s", "set", "Exercises", "DYNMON", "latest_end", "2027-03-07")
    )
    dynmon = replace(
        base.exercise["DYNMON"], latest_end=8, latest_end_date=D(2027, 3, 7)
    )
    assert problem == named(base, exercises=(dynmon, base.exercises[1]))


def test_set_an_asset(read: ReadScenario, base: Problem) -> None:
    problem = solved(read, ("s", "set", "Assets", "SHIP", "capacity", 2))
    assert problem == named(base, assets=(replace(base.assets[0], capacity=2),))


def test_set_an_unavailability_named_by_resource_or_by_resource_and_start(
    read: ReadScenario, base: Problem
) -> None:
    # NOR's holiday 2027-01-18..20 (week 2) now ends 2027-01-27 (week 3).
    short = solved(read, ("s", "set", "Unavailability", "NOR", "end", D(2027, 1, 27)))
    full = solved(
        read, ("s", "set", "Unavailability", "NOR; 2027-01-18", "end", "2027-01-27")
    )
    period = Period(
        2,
        3,
        "national holiday",
        Source("Unavailability", 2),
        D(2027, 1, 18),
        D(2027, 1, 27),
    )
    nor = replace(base.partner["NOR"], unavailable=(period,))
    assert short == full == named(base, partners=(nor, *base.partners[1:]))


def test_set_a_travel_cost(read: ReadScenario, base: Problem) -> None:
    problem = solved(
        read, ("s", "set", "TravelCosts", "POL, HAAKONSVERN", "cost", 2500)
    )
    assert problem == named(base, travel_costs=(("POL", "HAAKONSVERN", 2500),))


def test_set_a_goal(read: ReadScenario, base: Problem) -> None:
    problem = solved(read, ("s", "set", "Goals", "G1", "min_count", 2))
    g1 = replace(base.goals[0], min_count=2)
    assert problem == named(base, goals=(g1, *base.goals[1:]))


def test_set_a_dependency(read: ReadScenario, base: Problem) -> None:
    problem = solved(read, ("s", "set", "Dependencies", "DYNMON; TALKS", "max_gap", 6))
    assert problem == named(
        base, dependencies=(replace(base.dependencies[0], max_gap=6),)
    )


def test_set_a_column_the_sheet_lacks(read: ReadScenario, base: Problem) -> None:
    # Partners without its weight column (I): the scenario adds the column.
    sheets = minimal_programme()
    sheets["Partners"] = [row[:8] for row in sheets["Partners"]]
    problem, findings = read(
        with_scenarios(("s", "set", "Partners", "POL", "weight", 3), sheets=sheets), "s"
    )
    assert findings == []
    nor = replace(base.partner["NOR"], weight=1)  # its 2 went with the column
    pol = replace(base.partner["POL"], weight=3)
    assert problem == named(base, partners=(nor, pol, base.partners[2]))


def test_later_rows_of_a_scenario_see_earlier_ones(
    read: ReadScenario, base: Problem
) -> None:
    problem = solved(
        read,
        ("s", "set", "Partners", "EST", "budget", 100),
        ("s", "set", "Partners", "EST", "budget", 200),
    )
    est = replace(base.partner["EST"], budget=200)
    assert problem == named(base, partners=(*base.partners[:2], est))


# add ---------------------------------------------------------------------------


def test_add_a_partner_one_column_per_row(read: ReadScenario, base: Problem) -> None:
    problem = solved(
        read,
        ("s", "add", "Partners", "SWE", "name", "Sweden"),
        ("s", "add", "Partners", "SWE", "budget", 1000),
    )
    swe = Partner("SWE", "Sweden", budget=1000, source=Source("Scenarios", 2))
    assert problem == named(base, partners=(*base.partners, swe))


def test_add_a_venue_asset_and_goal(read: ReadScenario, base: Problem) -> None:
    problem = solved(
        read,
        ("s", "add", "Venues", "BODO", "capabilities", "airfield"),
        ("s", "add", "Assets", "SUB", None, None),
        ("s", "add", "Goals", "G4", "kind", "coverage"),
        ("s", "add", "Goals", "G4", "area", "asw"),
        ("s", "add", "Goals", "G4", "min_count", 1),
    )
    bodo = Venue(
        "BODO", capabilities=frozenset({"airfield"}), source=Source("Scenarios", 2)
    )
    sub = Asset("SUB", source=Source("Scenarios", 3))
    g4 = Goal("G4", GoalKind.COVERAGE, 1, area="asw", source=Source("Scenarios", 4))
    assert problem == named(
        base,
        venues=(*base.venues, bodo),
        assets=(*base.assets, sub),
        goals=(*base.goals, g4),
    )


def test_add_an_exercise_and_a_dependency_on_it(
    read: ReadScenario, base: Problem
) -> None:
    # A blank window is the whole horizon: weeks 0 to 11.
    problem = solved(
        read,
        ("s", "add", "Exercises", "AAR", "duration", 1),
        ("s", "add", "Exercises", "AAR", "invited_partners", "NOR; EST"),
        ("s", "add", "Dependencies", "TALKS; AAR", "min_gap", 1),
    )
    aar = Exercise(
        "AAR",
        duration=1,
        earliest_start=0,
        latest_end=11,
        invited_partners=("NOR", "EST"),
        source=Source("Scenarios", 2),
    )
    after = Dependency("TALKS", "AAR", min_gap=1, source=Source("Scenarios", 4))
    assert problem == named(
        base,
        exercises=(*base.exercises, aar),
        dependencies=(*base.dependencies, after),
    )


def test_add_two_blackouts_of_one_partner(read: ReadScenario, base: Problem) -> None:
    # A repeated column starts the next row: weeks 5 and 9 to 10.
    problem = solved(
        read,
        ("s", "add", "Unavailability", "POL", "start", D(2027, 2, 8)),
        ("s", "add", "Unavailability", "POL", "end", D(2027, 2, 8)),
        ("s", "add", "Unavailability", "POL", "reason", "election"),
        ("s", "add", "Unavailability", "POL", "start", "2027-03-08"),
        ("s", "add", "Unavailability", "POL", "end", "2027-03-21"),
    )
    pol = replace(
        base.partner["POL"],
        unavailable=(
            Period(
                5, 5, "election", Source("Scenarios", 2), D(2027, 2, 8), D(2027, 2, 8)
            ),
            Period(9, 10, "", Source("Scenarios", 5), D(2027, 3, 8), D(2027, 3, 21)),
        ),
    )
    assert problem == named(base, partners=(base.partners[0], pol, base.partners[2]))


def test_add_a_blackout_whose_start_is_in_the_id(
    read: ReadScenario, base: Problem
) -> None:
    problem = solved(
        read, ("s", "add", "Unavailability", "EST; 2027-03-22", "end", "2027-03-28")
    )
    dates = (D(2027, 3, 22), D(2027, 3, 28))
    est = replace(
        base.partner["EST"],
        unavailable=(Period(11, 11, "", Source("Scenarios", 2), *dates),),
    )
    assert problem == named(base, partners=(*base.partners[:2], est))


def test_add_a_travel_cost_and_a_setting(read: ReadScenario, base: Problem) -> None:
    problem = solved(
        read,
        ("s", "add", "TravelCosts", "EST; TAPA", "cost", 700),
        ("s", "add", "Settings", "weight_value", None, 5),
    )
    weights = replace(base.settings.weights, value=5)
    assert problem == named(
        base,
        travel_costs=(*base.travel_costs, ("EST", "TAPA", 700)),
        settings=replace(base.settings, weights=weights),
    )


def test_add_to_an_optional_sheet_the_workbook_lacks(
    read: ReadScenario, base: Problem
) -> None:
    sheets = minimal_programme()
    del sheets["TravelCosts"]
    problem, findings = read(
        with_scenarios(
            ("s", "add", "TravelCosts", "EST; TAPA", "cost", 700), sheets=sheets
        ),
        "s",
    )
    assert findings == []
    assert problem == named(base, travel_costs=(("EST", "TAPA", 700),))


# delete ------------------------------------------------------------------------


def test_delete_rows_of_every_sheet_without_an_id_column(
    read: ReadScenario, base: Problem
) -> None:
    problem = solved(
        read,
        ("s", "delete", "Unavailability", "SHIP"),
        ("s", "delete", "TravelCosts", "POL; HAAKONSVERN"),
        ("s", "delete", "Dependencies", "DYNMON; TALKS"),
        ("s", "delete", "Settings", "total_budget"),
    )
    assert problem == named(
        base,
        assets=(replace(base.assets[0], unavailable=()),),
        travel_costs=(),
        dependencies=(),
        settings=replace(base.settings, total_budget=None, total_budget_source=None),
    )


def test_delete_a_goal(read: ReadScenario, base: Problem) -> None:
    problem = solved(read, ("s", "delete", "Goals", "G3"))
    assert problem == named(base, goals=base.goals[:2])


def test_delete_an_exercise_and_what_names_it(
    read: ReadScenario, base: Problem
) -> None:
    problem = solved(
        read,
        ("s", "delete", "Dependencies", "DYNMON; TALKS"),
        ("s", "delete", "Exercises", "TALKS"),
        ("s", "delete", "Goals", "G3"),  # its area, logistics, went with TALKS
    )
    assert problem == named(
        base, exercises=base.exercises[:1], dependencies=(), goals=base.goals[:2]
    )


def warned(read: ReadScenario, *rows: tuple[object, ...]) -> tuple[Problem, list]:
    """The problem of scenario "s", and what reading said, every finding a
    warning."""
    problem, findings = read(with_scenarios(*rows), "s")
    assert problem is not None, [str(f) for f in findings]
    assert all(f.severity is Severity.WARNING for f in findings)
    return problem, [str(f) for f in findings]


def test_deleting_a_partner_takes_it_off_exercises_and_leaves_its_venue_open(
    read: ReadScenario, base: Problem
) -> None:
    # EST hosts TAPA (Venues row 3) and DYNMON invites it (Exercises!L2).
    problem, findings = warned(read, ("s", "delete", "Partners", "EST"))
    assert findings == [
        "Scenarios!D2: warning: EST is taken off the partners of Exercises row 2 "
        "(DYNMON)",
        "Scenarios!D2: warning: venue TAPA (Venues row 3) was hosted by EST: it "
        "stays open with no host; delete Venues TAPA too if it closes",
    ]
    dynmon, talks = base.exercises
    assert problem == named(
        base,
        partners=base.partners[:2],
        venues=(base.venues[0], replace(base.venues[1], host_partner=None)),
        exercises=(replace(dynmon, invited_partners=("NOR", "POL")), talks),
    )


def test_deleting_a_required_partner_plans_the_exercise_without_it(
    read: ReadScenario, base: Problem
) -> None:
    # NOR: required by DYNMON, invited to TALKS, in goal G1 (NOR; POL
    # together, which needs two partners), a blackout on Unavailability row 2,
    # host of HAAKONSVERN.
    problem, findings = warned(read, ("s", "delete", "Partners", "NOR"))
    assert findings == [
        "Scenarios!D2: warning: NOR is taken off the partners of Exercises rows "
        "2 (DYNMON), 3 (TALKS)",
        "Scenarios!D2: warning: exercise DYNMON (Exercises row 2) required NOR: "
        "it is planned without NOR",
        "Scenarios!D2: warning: goal G1 (Goals row 2) was about NOR and POL: it "
        "goes with NOR",
        "Scenarios!D2: warning: NOR's blackouts go: Unavailability row 2",
        "Scenarios!D2: warning: venue HAAKONSVERN (Venues row 2) was hosted by "
        "NOR: it stays open with no host; delete Venues HAAKONSVERN too if it "
        "closes",
    ]
    dynmon, talks = problem.exercises
    assert dynmon.required_partners == ()
    assert dynmon.invited_partners == ("POL", "EST")
    assert talks.invited_partners == ("POL",)
    assert [goal.id for goal in problem.goals] == ["G2", "G3"]
    assert problem.venue["HAAKONSVERN"].host_partner is None


def test_a_goal_naming_several_partners_loses_the_deleted_one(
    read: ReadScenario,
) -> None:
    problem, findings = warned(
        read,
        ("s", "set", "Goals", "G1", "partners", "NOR; POL; EST"),
        ("s", "delete", "Partners", "EST"),
    )
    assert (
        "Scenarios!D3: warning: goal G1 (Goals row 2) no longer counts EST: its "
        "partners are now NOR; POL"
    ) in findings
    assert problem.goals[0].partners == ("NOR", "POL")


def test_a_partner_deleted_takes_its_travel_costs(read: ReadScenario) -> None:
    problem, findings = warned(read, ("s", "delete", "Partners", "POL"))
    assert "Scenarios!D2: warning: POL's travel costs go: TravelCosts row 2" in (
        findings
    )
    assert problem.travel_costs == ()


def test_an_exercise_a_delete_leaves_short_of_min_partners_is_left_out_there(
    read: ReadScenario,
) -> None:
    # DYNMON (made optional) needs 2 partners of NOR, POL, EST: without POL
    # two are left, without EST too only NOR, so the EST delete (D4) is why.
    problem, findings = warned(
        read,
        ("s", "set", "Exercises", "DYNMON", "mandatory", "no"),
        ("s", "delete", "Partners", "POL"),
        ("s", "delete", "Partners", "EST"),
    )
    reason = (
        "Scenarios!D4: warning: exercise DYNMON (Exercises row 2) needs at least "
        "2 partners (min_partners) and without EST only 1 partner is invited: it "
        "is left out"
    )
    assert reason in findings
    assert not [f for f in findings if f.startswith("Exercises!")]
    assert [str(f) for f in problem.exercise["DYNMON"].impossible] == [reason]


def test_a_mandatory_exercise_a_delete_leaves_short_of_partners_is_an_error(
    read: ReadScenario,
) -> None:
    # DYNMON required NOR: once NOR goes it can no longer be held, so
    # "planned without NOR" would be wrong and is not said.
    sheets = with_scenarios(
        ("s", "delete", "Partners", "POL"), ("s", "delete", "Partners", "NOR")
    )
    problem, findings = read(sheets, "s")
    assert problem is None
    assert [str(f) for f in findings if f.severity is Severity.ERROR] == [
        "Scenarios!D3: mandatory exercise DYNMON (Exercises row 2) needs at least "
        "2 partners (min_partners) and without NOR only 1 partner is invited: no "
        "plan can exist"
    ]
    assert not [str(f) for f in findings if "planned without" in str(f)]


def test_min_partners_out_of_reach_before_the_delete_stays_at_its_cell(
    read: ReadScenario,
) -> None:
    # DYNMON asks for 4 of its 3 partners whatever is deleted.
    problem, findings = read(
        with_scenarios(
            ("s", "set", "Exercises", "DYNMON", "mandatory", "no"),
            ("s", "set", "Exercises", "DYNMON", "min_partners", 4),
            ("s", "delete", "Partners", "EST"),
        ),
        "s",
    )
    assert problem is not None
    impossible = [str(f) for f in problem.exercise["DYNMON"].impossible]
    assert (
        "Scenarios!F3: warning: min_partners 4 can never be met: only 2 partners "
        "invited (required and invited together)"
    ) in impossible
    assert not [f for f in findings if "needs at least" in str(f)]


def test_deleting_a_venue_or_asset_takes_it_off_exercises_and_blackouts(
    read: ReadScenario, base: Problem
) -> None:
    problem, findings = warned(
        read, ("s", "delete", "Venues", "TAPA"), ("s", "delete", "Assets", "SHIP")
    )
    assert findings == [
        "Scenarios!D2: warning: TAPA's blackouts go: Unavailability row 3",
        "Scenarios!D3: warning: exercise DYNMON (Exercises row 2) used asset "
        "SHIP: it is planned without it",
        "Scenarios!D3: warning: SHIP's blackouts go: Unavailability row 4",
    ]
    dynmon, talks = base.exercises
    assert problem == named(
        base,
        venues=base.venues[:1],
        assets=(),
        exercises=(replace(dynmon, assets=()), talks),
    )


def test_an_optional_exercise_whose_only_venue_goes_is_left_out(
    read: ReadScenario,
) -> None:
    problem, findings = warned(
        read,
        ("s", "set", "Exercises", "TALKS", "venues", "TAPA"),
        ("s", "delete", "Venues", "TAPA"),
    )
    reason = (
        "Scenarios!D3: warning: exercise TALKS (Exercises row 3) could be held "
        "only at TAPA: it is left out"
    )
    assert reason in findings
    assert [str(f) for f in problem.exercise["TALKS"].impossible] == [reason]


def test_an_exercise_fixed_at_a_deleted_venue_is_left_out_once(
    read: ReadScenario,
) -> None:
    problem, findings = warned(
        read,
        ("s", "set", "Exercises", "TALKS", "fixed_venue", "TAPA"),
        ("s", "delete", "Venues", "TAPA"),
    )
    reason = (
        "Scenarios!D3: warning: exercise TALKS (Exercises row 3) is fixed at "
        "TAPA: it is left out"
    )
    assert [f for f in findings if "TALKS" in f] == [reason]
    assert problem.exercise["TALKS"].fixed_venue is None
    assert [str(f) for f in problem.exercise["TALKS"].impossible] == [reason]


def test_a_mandatory_exercise_whose_only_venue_goes_is_an_error(
    read: ReadScenario,
) -> None:
    sheets = with_scenarios(("s", "delete", "Venues", "HAAKONSVERN"))
    assert errors(read, sheets) == [
        "Scenarios!D2: mandatory exercise DYNMON (Exercises row 2) could be held "
        "only at HAAKONSVERN: no plan can exist"
    ]


def test_deleting_an_exercise_leaves_out_one_that_requires_it(
    read: ReadScenario,
) -> None:
    # TALKS requires DYNMON (Dependencies row 2, requires yes); DYNMON alone
    # trained G1's area.
    problem, findings = warned(read, ("s", "delete", "Exercises", "DYNMON"))
    assert findings == [
        'Goals!D2: warning: area "maritime" is not trained by any exercise (no '
        "exercise lists it in areas)",
        "Scenarios!D2: warning: the dependencies on DYNMON go: Dependencies row 2",
        "Scenarios!D2: warning: exercise TALKS (Exercises row 3) requires DYNMON "
        "(Dependencies row 2): it is left out",
    ]
    assert problem.dependencies == ()
    assert problem.exercise["TALKS"].impossible


def test_delete_ignores_column_and_value_with_a_warning(
    read: ReadScenario, base: Problem
) -> None:
    problem, findings = read(
        with_scenarios(("s", "delete", "Goals", "G3", "kinds", 1)), "s"
    )
    assert [str(f) for f in findings] == [
        "Scenarios!E2: warning: column is ignored: delete removes the whole row",
        "Scenarios!F2: warning: value is ignored: delete removes the whole row",
    ]
    assert problem == named(base, goals=base.goals[:2])


# which scenario ------------------------------------------------------------------


def test_only_the_named_scenario_applies(read: ReadScenario, base: Problem) -> None:
    sheets = with_scenarios(
        ("cut", "set", "Settings", "total_budget", "value", 90000),
        ("none", "delete", "Settings", "total_budget"),
    )
    cut, _ = read(sheets, "cut")
    assert cut is not None and cut.settings.total_budget == 90000
    assert cut.name == "programme:cut"


def test_the_base_programme_ignores_the_scenarios(
    read: ReadScenario, base: Problem
) -> None:
    # A value no scenario could use is the scenario's business, not the base's.
    problem, findings = read(
        with_scenarios(("s", "set", "Settings", "total_budget", "value", "abc"))
    )
    assert findings == []
    assert problem == base


def test_scenario_names_in_order_of_first_use(tmp_path: Path) -> None:
    sheets = with_scenarios(
        ("b", "delete", "Goals", "G3"),
        ("a", "delete", "Goals", "G2"),
        ("b", "delete", "Goals", "G1"),
    )
    path = write_workbook(tmp_path / "p.xlsx", sheets)
    assert scenario_names(path) == ["b", "a"]
    assert [str(edit) for edit in scenario_edits(path, "b")] == [
        "delete Goals G3",
        "delete Goals G1",
    ]


def test_a_workbook_without_scenarios_names_none(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "p.xlsx", minimal_programme())
    assert scenario_names(path) == []


def test_unknown_scenario_lists_the_known_ones(read: ReadScenario) -> None:
    sheets = with_scenarios(
        ("cut", "delete", "Goals", "G3"), ("war", "delete", "Goals", "G2")
    )
    assert errors(read, sheets, "peace") == [
        'Scenarios: no scenario "peace" on the Scenarios sheet; it names: cut, war'
    ]
    assert errors(read, minimal_programme(), "peace") == [
        'Scenarios: no scenario "peace": the workbook has no Scenarios sheet'
    ]


# findings at the Scenarios cell ------------------------------------------------


def test_a_bad_value_is_reported_at_the_scenario_cell_in_the_sheets_words(
    read: ReadScenario,
) -> None:
    sheets = with_scenarios(
        ("s", "set", "Settings", "total_budget", "value", "abc"),
        ("s", "set", "Exercises", "TALKS", "duration", 1.5),
    )
    assert errors(read, sheets) == [
        'Scenarios!F2: total_budget must be an amount >= 0, got "abc"',
        "Scenarios!F3: duration must be a whole number >= 1, got 1.5",
    ]


def test_a_bad_value_in_an_added_row(read: ReadScenario) -> None:
    sheets = with_scenarios(
        ("s", "add", "Partners", "SWE", "name", "Sweden"),
        ("s", "add", "Partners", "SWE", "max_events", "many"),
    )
    assert errors(read, sheets) == [
        'Scenarios!F3: max_events must be a whole number >= 0, got "many"'
    ]


def test_a_required_column_left_out_of_an_added_row_points_at_its_id(
    read: ReadScenario,
) -> None:
    sheets = with_scenarios(
        ("s", "delete", "Goals", "G3"), ("s", "add", "Exercises", "AAR", "name", "AAR")
    )
    assert errors(read, sheets) == ["Scenarios!D3: duration is required"]


def test_an_added_id_already_taken(read: ReadScenario) -> None:
    sheets = with_scenarios(("s", "add", "Partners", "NOR", "name", "Norway again"))
    assert errors(read, sheets) == [
        "Scenarios!D2: partner id NOR is used twice: first on row 2"
    ]


def test_a_rule_across_rows_points_at_the_scenario_value(read: ReadScenario) -> None:
    # An unavailability ending before it starts, as set by the scenario.
    sheets = with_scenarios(("s", "set", "Unavailability", "NOR", "end", "2027-01-11"))
    assert errors(read, sheets) == [
        "Scenarios!F2: end 2027-01-11 is before start 2027-01-18"
    ]


def test_the_row_an_id_names_must_exist_once(read: ReadScenario) -> None:
    programme = minimal_programme()
    programme["Unavailability"].append(["NOR", D(2027, 3, 1), D(2027, 3, 2)])
    sheets = with_scenarios(
        ("s", "set", "Partners", "SWE", "budget", 1),
        ("s", "delete", "TravelCosts", "POL; TAPA"),
        ("s", "set", "Unavailability", "NOR", "reason", "x"),
        ("s", "delete", "Goals", "G3"),
        ("s", "delete", "Goals", "G3"),
        sheets=programme,
    )
    assert errors(read, sheets) == [
        'Scenarios!D2: no row of Partners has partner_id "SWE"',
        'Scenarios!D3: no row of TravelCosts has partner_id "POL" and venue_id "TAPA"',
        'Scenarios!D4: 2 rows of Unavailability have resource_id "NOR" (rows 2, 5): '
        "name one by more of its key, resource_id; start",
        'Scenarios!D6: no row of Goals has goal_id "G3"',
    ]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            ("s", "change", "Goals", "G1", "weight", 2),
            'Scenarios!B2: action must be one of set, add, delete, got "change"',
        ),
        (
            ("s", "set", "Budget", "G1", "weight", 2),
            'Scenarios!C2: sheet "Budget" is not one a scenario can change; one of '
            "Settings, Partners, Venues, Exercises, Assets, Unavailability, "
            "TravelCosts, Goals, Dependencies",
        ),
        (
            ("s", "set", "Goals", "G1", "weigth", 2),
            'Scenarios!E2: column "weigth" is not a column of Goals; one of goal_id, '
            "kind, partners, area, min_count, weight, hard",
        ),
        (
            ("s", "set", "Goals", "G1", None, 2),
            "Scenarios!E2: column is required: which column of Goals?",
        ),
        (
            ("s", "set", "Settings", "total_budget", "amount", 2),
            'Scenarios!E2: column "amount": a setting has only a value; leave column '
            "blank or write value",
        ),
        (
            ("s", "set", "Settings", "budget", "value", 2),
            'Scenarios!D2: "budget" is not a setting planner knows',
        ),
        (("s", "set", "Goals", None, "weight", 2), "Scenarios!D2: id is required"),
        (
            (None, "set", "Goals", "G1", "weight", 2),
            "Scenarios!A2: scenario is required",
        ),
        (
            ("s", "set", "TravelCosts", "POL; TAPA; X", "cost", 2),
            'Scenarios!D2: id "POL; TAPA; X" names 3 values, but a row of '
            "TravelCosts is named by partner_id; venue_id",
        ),
        (
            ("s", "delete", "Unavailability", "NOR; someday"),
            "Scenarios!D2: start must be a date (an Excel date or text YYYY-MM-DD), "
            'got "someday"',
        ),
        (
            ("s", "add", "Unavailability", "NOR; 2027-02-01", "start", "2027-02-08"),
            'Scenarios!E2: start is already given by the id "NOR; 2027-02-01": leave '
            "it out of one of them",
        ),
    ],
)
def test_an_unsound_scenario_row_is_an_error_even_for_the_base(
    read: ReadScenario, row: tuple[object, ...], expected: str
) -> None:
    assert errors(read, with_scenarios(row), None) == [expected]


def test_scenarios_header_is_checked(read: ReadScenario) -> None:
    sheets = minimal_programme()
    sheets["Scenarios"] = [["scenario", "sheet", "row"], ["s", "Goals", 2]]
    problem, findings = read(sheets)
    assert problem is None
    assert [str(f) for f in findings] == [
        'Scenarios: required column "id" is missing (row 1 holds the column names)',
        'Scenarios!C1: warning: column "row" is not one planner reads; ignored',
    ]


# the template and the example -----------------------------------------------------


def test_template_has_a_scenarios_sheet_with_an_action_drop_down(
    tmp_path: Path,
) -> None:
    path = tmp_path / "template.xlsx"
    write_template(path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[0] == INSTRUCTIONS
    assert workbook.sheetnames[-1] == "Scenarios"
    sheet = workbook["Scenarios"]
    assert [cell.value for cell in sheet[1]] == HEADER
    (validation,) = [
        v for v in sheet.data_validations.dataValidation if "B2" in v.sqref
    ]
    assert validation.formula1 == '"set,add,delete"'


def test_every_example_scenario_reads_cleanly() -> None:
    sample = INSTANCES / "sample.xlsx"
    assert scenario_names(sample) == ["pol-election", "budget-cut", "spta-repairs"]
    base, _ = read_problem(sample)
    assert base is not None
    for name in scenario_names(sample):
        problem, findings = read_problem(sample, name)
        assert [str(f) for f in findings if f.severity is Severity.ERROR] == []
        assert problem is not None and problem.name == f"sample:{name}"
    cut, _ = read_problem(sample, "budget-cut")
    assert cut is not None
    # 10% off 2,200,000.
    assert (
        cut.settings.total_budget == 1_980_000 == base.settings.total_budget * 9 // 10
    )
    election, _ = read_problem(sample, "pol-election")
    assert election is not None
    # 2027-05-31 is week 21 (2027-01-04 + 147 days); 2027-06-13 ends week 22.
    assert election.partner["POL"].unavailable[-1] == Period(
        21,
        22,
        "snap parliamentary election",
        Source("Scenarios", 2),
        D(2027, 5, 31),
        D(2027, 6, 13),
    )


def test_reading_every_variant_at_once_equals_reading_each() -> None:
    sample = INSTANCES / "sample.xlsx"
    variants = read_variants(sample)
    assert list(variants) == [None, "pol-election", "budget-cut", "spta-repairs"]
    for scenario, read_once in variants.items():
        assert read_once == read_problem(sample, scenario)


SAMPLE_PARTNERS = ("NOR", "POL", "EST", "FIN", "GBR", "FRA", "DEU", "USA")


@pytest.mark.parametrize("partner", SAMPLE_PARTNERS)
def test_every_partner_of_the_sample_can_be_deleted(
    tmp_path: Path, partner: str
) -> None:
    # The documented "delete Partners FRA", for each partner in turn: only
    # warnings, each at the delete's id cell, the first naming the exercises
    # that invited the partner.
    path = tmp_path / "sample.xlsx"
    workbook = openpyxl.load_workbook(INSTANCES / "sample.xlsx")
    scenarios = workbook["Scenarios"]
    scenarios.delete_rows(2, scenarios.max_row)
    scenarios.append(["gone", "delete", "Partners", partner])
    workbook.save(path)
    problem, findings = read_problem(path, "gone")
    assert problem is not None, [str(f) for f in findings]
    assert partner not in problem.partner
    assert {(f.address, f.severity) for f in findings} == {
        ("Scenarios!D2", Severity.WARNING)
    }
    assert findings[0].message.startswith(
        f"{partner} is taken off the partners of Exercises rows "
    )
    assert all(pair[0] != partner for pair in problem.travel_costs)
    for exercise in problem.exercises:
        assert partner not in exercise.invited_partners
    for goal in problem.goals:
        assert partner not in goal.partners
