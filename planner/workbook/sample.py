"""The example programme: a small, realistic year a planner can start from.

``planner template --example`` writes it, and ``instances/sample.xlsx`` is
this programme as committed (regenerate both committed files with
``python -m planner.workbook.template``). It is a Nordic-Baltic year of 13
exercises with eight partners and five venues: feasible, with more optional
exercises than the total budget pays for, so the optimizer has real choices,
and small enough to be solved to proven optimality in seconds.
"""

from __future__ import annotations

import copy
import datetime as dt

from planner.workbook.schema import WorkbookData

YEAR = 2027


def _day(month: int, day: int) -> dt.date:
    return dt.date(YEAR, month, day)


ALL_PARTNERS = ("NOR", "POL", "EST", "FIN", "GBR", "FRA", "DEU", "USA")


def example_programme() -> WorkbookData:
    """The example programme, as rows of the input workbook."""
    return {
        "Settings": _settings(),
        "Partners": _partners(),
        "Venues": _venues(),
        "Exercises": _exercises(),
        "Assets": _assets(),
        "Unavailability": _unavailability(),
        "TravelCosts": _travel_costs(),
        "Goals": _goals(),
        "Dependencies": _dependencies(),
        "Scenarios": _scenarios(),
    }


def infeasible_programme() -> WorkbookData:
    """The example with one blackout that no plan can live with.

    Cold Response 27 is mandatory and needs Norway, but here Norway's forces
    are committed elsewhere for the whole of the exercise's window (weeks of
    2027-02-01 to 2027-03-22), so the planner must answer "infeasible".
    """
    tables = copy.deepcopy(example_programme())
    tables["Unavailability"].append(
        {
            "resource_id": "NOR",
            "start": _day(1, 25),
            "end": _day(4, 4),
            "reason": "forces committed to a national crisis response",
        }
    )
    return tables


def _settings() -> list[dict[str, object]]:
    return [
        {"key": "planning_start", "value": _day(1, 4)},
        {"key": "planning_end", "value": _day(12, 26)},
        {"key": "time_unit", "value": "week"},
        {"key": "total_budget", "value": 2_200_000},
        {"key": "currency", "value": "EUR"},
        {"key": "time_limit_s", "value": 30},
        {"key": "weight_value", "value": 100_000},
        {"key": "weight_goal_shortfall", "value": 200_000},
        {"key": "weight_cost", "value": 1},
        {"key": "title", "value": "Northern Training Programme 2027"},
        {"key": "organisation", "value": "Joint Training Branch"},
        {"key": "classification", "value": "OFFICIAL"},
        {"key": "programme_id", "value": "northern-training-2027"},
    ]


def _partners() -> list[dict[str, object]]:
    # (id, name, ISO code, region, budget, max_events, max_concurrent, min_gap,
    # weight): the larger nations can run two events at once; Estonia's small
    # force needs a week's rest between events and counts double in
    # engagement goals, because engaging it is the programme's point.
    rows = (
        ("NOR", "Norway", "NO", "Nordic", 600_000, None, 1, 0, 1),
        ("POL", "Poland", "PL", "Central Europe", 500_000, None, 1, 0, 1),
        ("EST", "Estonia", "EE", "Baltic", 250_000, 5, 1, 1, 2),
        ("FIN", "Finland", "FI", "Nordic", 400_000, None, 1, 0, 1),
        ("GBR", "United Kingdom", "GB", "Western Europe", 600_000, None, 2, 0, 1),
        ("FRA", "France", "FR", "Western Europe", 300_000, 4, 1, 0, 1),
        ("DEU", "Germany", "DE", "Central Europe", 500_000, None, 1, 0, 1),
        ("USA", "United States", "US", "North America", 700_000, 5, 2, 0, 1),
    )
    keys = (
        "partner_id",
        "name",
        "country_code",
        "region",
        "budget",
        "max_events",
        "max_concurrent",
        "min_gap",
        "weight",
    )
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _venues() -> list[dict[str, object]]:
    return [
        {
            "venue_id": "SET",
            "name": "Setermoen Training Area",
            "host_partner": "NOR",
            "region": "Nordic",
            "capabilities": ["range", "arctic", "airfield", "classroom"],
            "capacity": 8,
            "cost_per_slot": 60_000,
        },
        {
            "venue_id": "GDY",
            "name": "Gdynia Naval Base",
            "host_partner": "POL",
            "region": "Central Europe",
            "capabilities": ["maritime", "medical", "classroom"],
            "capacity": 8,
            "cost_per_slot": 45_000,
        },
        {
            "venue_id": "TAP",
            "name": "Tapa Training Area",
            "host_partner": "EST",
            "region": "Baltic",
            "capabilities": ["range", "urban"],
            "capacity": 6,
            "cost_per_slot": 30_000,
        },
        {
            "venue_id": "TLL",
            "name": "Tallinn Cyber Range",
            "host_partner": "EST",
            "region": "Baltic",
            "capabilities": ["cyber range", "classroom"],
            "capacity": 8,
            "cost_per_slot": 20_000,
            "max_concurrent": 2,
        },
        {
            "venue_id": "SPTA",
            "name": "Salisbury Plain Training Area",
            "host_partner": "GBR",
            "region": "Western Europe",
            "capabilities": ["range", "urban", "airfield", "medical", "cbrn"],
            "capacity": 8,
            "cost_per_slot": 55_000,
        },
    ]


def _exercises() -> list[dict[str, object]]:
    return [
        {
            "exercise_id": "CR27-FPC",
            "name": "Cold Response 27 final planning conference",
            "kind": "staff talks",
            "duration": 1,
            "value": 2,
            "earliest_start": _day(1, 4),
            "latest_end": _day(2, 14),
            "needs": ["classroom"],
            "required_partners": ["NOR"],
            "invited_partners": ["FIN", "GBR", "USA", "DEU", "FRA", "POL"],
            "min_partners": 3,
            "fixed_cost": 30_000,
            "cost_per_partner": 5_000,
            "areas": ["command"],
        },
        {
            "exercise_id": "CR27",
            "name": "Cold Response 27",
            "kind": "field exercise",
            "duration": 3,
            "mandatory": True,
            "value": 10,
            "earliest_start": _day(2, 1),
            "latest_end": _day(3, 28),
            "venues": ["SET"],
            "needs": ["arctic", "range"],
            "required_partners": ["NOR"],
            "invited_partners": ["FIN", "GBR", "USA", "DEU", "FRA", "POL"],
            "min_partners": 4,
            "max_partners": 7,
            "fixed_cost": 350_000,
            "cost_per_partner": 40_000,
            "areas": ["land", "arctic", "air"],
        },
        {
            "exercise_id": "CPX27",
            "name": "Northern Coast command post exercise",
            "kind": "command post exercise",
            "duration": 1,
            "value": 5,
            "earliest_start": _day(3, 1),
            "latest_end": _day(5, 30),
            "venues": ["GDY", "TLL"],
            "needs": ["classroom"],
            "invited_partners": ["POL", "DEU", "NOR", "EST", "FIN", "USA"],
            "min_partners": 3,
            "fixed_cost": 60_000,
            "cost_per_partner": 8_000,
            "areas": ["command", "maritime"],
            "assets": ["JCSC"],
        },
        {
            "exercise_id": "CYB-TTX",
            "name": "Cyber crisis tabletop",
            "kind": "cyber exercise",
            "duration": 1,
            "value": 4,
            "earliest_start": _day(3, 1),
            "latest_end": _day(6, 27),
            "venues": ["TLL"],
            "needs": ["cyber range"],
            "invited_partners": ["EST", "FIN", "NOR", "POL", "GBR", "USA"],
            "min_partners": 3,
            "fixed_cost": 40_000,
            "cost_per_partner": 8_000,
            "areas": ["cyber", "command"],
            "assets": ["JCSC"],
        },
        {
            "exercise_id": "CBRN27",
            "name": "Toxic Valley 27",
            "kind": "CBRN exercise",
            "duration": 2,
            "value": 5,
            "earliest_start": _day(4, 5),
            "latest_end": _day(6, 27),
            "venues": ["SPTA"],
            "needs": ["cbrn"],
            "required_partners": ["GBR"],
            "invited_partners": ["FRA", "DEU", "POL", "EST", "USA"],
            "min_partners": 3,
            "fixed_cost": 150_000,
            "cost_per_partner": 25_000,
            "areas": ["cbrn"],
        },
        {
            "exercise_id": "SPS27",
            "name": "Spring Storm 27",
            "kind": "field exercise",
            "duration": 2,
            "mandatory": True,
            "value": 8,
            "earliest_start": _day(4, 26),
            "latest_end": _day(6, 6),
            "venues": ["TAP"],
            "needs": ["range"],
            "required_partners": ["EST"],
            "invited_partners": ["FIN", "GBR", "FRA", "USA", "POL", "DEU"],
            "min_partners": 4,
            "max_partners": 6,
            "fixed_cost": 220_000,
            "cost_per_partner": 35_000,
            "areas": ["land"],
        },
        {
            "exercise_id": "ACE27",
            "name": "Arctic Air Challenge 27",
            "kind": "air exercise",
            "duration": 2,
            "value": 7,
            "earliest_start": _day(5, 3),
            "latest_end": _day(6, 20),
            "venues": ["SET", "SPTA"],
            "needs": ["airfield"],
            "invited_partners": ["NOR", "FIN", "GBR", "USA", "FRA", "DEU"],
            "min_partners": 3,
            "max_partners": 6,
            "fixed_cost": 300_000,
            "cost_per_partner": 45_000,
            "areas": ["air"],
        },
        {
            "exercise_id": "BMI27",
            "name": "Baltic Maritime Interdiction 27",
            "kind": "maritime exercise",
            "duration": 2,
            "mandatory": True,
            "value": 9,
            "earliest_start": _day(5, 31),
            "latest_end": _day(7, 4),
            "venues": ["GDY"],
            "needs": ["maritime"],
            "required_partners": ["POL", "DEU"],
            "invited_partners": ["NOR", "EST", "FIN", "USA", "FRA"],
            "min_partners": 3,
            "max_partners": 6,
            "fixed_cost": 250_000,
            "cost_per_partner": 30_000,
            "areas": ["maritime"],
            "assets": ["MAUD"],
        },
        {
            "exercise_id": "URB27",
            "name": "Urban Guardian 27",
            "kind": "urban operations",
            "duration": 2,
            "value": 6,
            "earliest_start": _day(6, 7),
            "latest_end": _day(10, 31),
            "venues": ["TAP", "SPTA"],
            "needs": ["urban"],
            "invited_partners": ["EST", "GBR", "FRA", "POL", "DEU", "USA"],
            "min_partners": 3,
            "fixed_cost": 200_000,
            "cost_per_partner": 30_000,
            "areas": ["land", "urban"],
        },
        {
            "exercise_id": "HADR27",
            "name": "Baltic HADR drill",
            "kind": "HADR drill",
            "duration": 2,
            "value": 7,
            "earliest_start": _day(8, 2),
            "latest_end": _day(10, 3),
            "venues": ["GDY", "SPTA"],
            "needs": ["medical"],
            "invited_partners": ["POL", "EST", "FIN", "NOR", "DEU", "GBR"],
            "min_partners": 3,
            "max_partners": 6,
            "fixed_cost": 180_000,
            "cost_per_partner": 20_000,
            "areas": ["hadr", "medical"],
        },
        {
            "exercise_id": "MEDX",
            "name": "Military medicine exchange",
            "kind": "medical exchange",
            "duration": 1,
            "value": 4,
            "earliest_start": _day(9, 6),
            "latest_end": _day(11, 28),
            "needs": ["medical"],
            "invited_partners": ["FIN", "EST", "POL", "DEU", "FRA", "GBR"],
            "min_partners": 2,
            "max_partners": 5,
            "fixed_cost": 40_000,
            "cost_per_partner": 6_000,
            "areas": ["medical"],
        },
        {
            "exercise_id": "NBST",
            "name": "Nordic-Baltic staff talks",
            "kind": "staff talks",
            "duration": 1,
            "value": 3,
            "earliest_start": _day(9, 6),
            "latest_end": _day(12, 12),
            "needs": ["classroom"],
            "invited_partners": list(ALL_PARTNERS),
            "min_partners": 4,
            "fixed_cost": 25_000,
            "cost_per_partner": 4_000,
            "areas": ["command"],
        },
        {
            "exercise_id": "CYB27",
            "name": "Cyber Shield 27",
            "kind": "cyber exercise",
            "duration": 1,
            "mandatory": True,
            "value": 8,
            "earliest_start": _day(11, 1),
            "latest_end": _day(12, 5),
            "venues": ["TLL"],
            "needs": ["cyber range"],
            "required_partners": ["EST"],
            "invited_partners": list(ALL_PARTNERS),
            "min_partners": 4,
            "fixed_cost": 80_000,
            "cost_per_partner": 10_000,
            "areas": ["cyber"],
        },
    ]


def _assets() -> list[dict[str, object]]:
    return [
        {"asset_id": "MAUD", "name": "HNoMS Maud (logistics ship)", "capacity": 1},
        {"asset_id": "JCSC", "name": "Joint simulation centre", "capacity": 1},
    ]


def _unavailability() -> list[dict[str, object]]:
    rows = (
        ("NOR", (5, 17), (5, 23), "Constitution Day"),
        ("NOR", (9, 13), (9, 19), "local elections"),
        ("POL", (10, 11), (10, 24), "parliamentary elections"),
        ("EST", (2, 22), (3, 7), "Riigikogu elections"),
        ("FIN", (4, 5), (4, 18), "parliamentary elections"),
        ("FIN", (7, 5), (8, 1), "summer leave"),
        ("GBR", (12, 20), (12, 26), "Christmas stand-down"),
        ("FRA", (4, 5), (4, 25), "presidential election"),
        ("FRA", (8, 2), (8, 22), "summer leave"),
        ("DEU", (7, 26), (8, 15), "summer leave"),
        ("USA", (6, 28), (7, 4), "Independence Day"),
        ("USA", (11, 22), (11, 28), "Thanksgiving"),
        ("SET", (4, 19), (5, 16), "range closed for the spring thaw"),
        ("GDY", (8, 2), (8, 29), "dock maintenance"),
        ("TAP", (7, 5), (8, 1), "range maintenance"),
        ("SPTA", (12, 13), (12, 26), "Christmas closure"),
        ("MAUD", (9, 6), (10, 31), "dry dock"),
    )
    return [
        {
            "resource_id": resource,
            "start": _day(*start),
            "end": _day(*end),
            "reason": reason,
        }
        for resource, start, end, reason in rows
    ]


VENUE_ORDER = ("SET", "GDY", "TAP", "TLL", "SPTA")

# What one partner pays to send its contingent to a venue for one event, in
# EUR, in VENUE_ORDER: short hops inside the region are cheap, the Atlantic
# crossing is not.
TRAVEL = {
    "NOR": (4_000, 12_000, 12_000, 11_000, 14_000),
    "POL": (18_000, 3_000, 10_000, 10_000, 15_000),
    "EST": (16_000, 10_000, 2_000, 2_000, 16_000),
    "FIN": (10_000, 11_000, 6_000, 5_000, 16_000),
    "GBR": (16_000, 14_000, 16_000, 15_000, 3_000),
    "FRA": (20_000, 14_000, 17_000, 16_000, 8_000),
    "DEU": (16_000, 8_000, 13_000, 12_000, 11_000),
    "USA": (62_000, 60_000, 64_000, 63_000, 55_000),
}


def _travel_costs() -> list[dict[str, object]]:
    return [
        {"partner_id": partner, "venue_id": venue, "cost": cost}
        for partner in ALL_PARTNERS
        for venue, cost in zip(VENUE_ORDER, TRAVEL[partner], strict=True)
    ]


def _goals() -> list[dict[str, object]]:
    return [
        {
            "goal_id": "G-MED",
            "kind": "coverage",
            "area": "medical",
            "min_count": 1,
            "hard": True,
        },
        {
            "goal_id": "G-MAR",
            "kind": "together",
            "partners": ["POL", "DEU", "USA"],
            "area": "maritime",
            "min_count": 1,
            "weight": 2,
        },
        {
            "goal_id": "G-NORD",
            "kind": "together",
            "partners": ["NOR", "FIN"],
            "min_count": 2,
        },
        {"goal_id": "G-ENG", "kind": "engagement", "min_count": 3},
        {
            "goal_id": "G-EST",
            "kind": "engagement",
            "partners": ["EST"],
            "min_count": 4,
            "weight": 2,
        },
        {"goal_id": "G-CYB", "kind": "coverage", "area": "cyber", "min_count": 2},
    ]


def _dependencies() -> list[dict[str, object]]:
    return [
        {
            "before": "CR27-FPC",
            "after": "CR27",
            "min_gap": 2,
            "max_gap": 8,
            "requires": True,
        },
        {"before": "CPX27", "after": "BMI27", "min_gap": 2},
    ]


def _scenarios() -> list[dict[str, object]]:
    """Three questions a staff planner gets asked: what if Poland calls a snap
    election in June (Baltic Maritime Interdiction needs Poland then), what if
    the budget is cut by 10% (2,200,000 to 1,980,000), what if Salisbury Plain
    closes for repairs over the summer (urban, medical and CBRN training must
    move or go)? Each add row sets one column of the new blackout row."""
    election, repairs = "snap parliamentary election", "range and runway repairs"
    rows = (
        ("pol-election", "add", "Unavailability", "POL", "start", _day(5, 31)),
        ("pol-election", "add", "Unavailability", "POL", "end", _day(6, 13)),
        ("pol-election", "add", "Unavailability", "POL", "reason", election),
        ("budget-cut", "set", "Settings", "total_budget", "value", 1_980_000),
        ("spta-repairs", "add", "Unavailability", "SPTA", "start", _day(6, 1)),
        ("spta-repairs", "add", "Unavailability", "SPTA", "end", _day(8, 31)),
        ("spta-repairs", "add", "Unavailability", "SPTA", "reason", repairs),
    )
    notes = {"budget-cut": "10% cut of 2,200,000"}
    keys = ("scenario", "action", "sheet", "id", "column", "value")
    return [
        dict(zip(keys, row, strict=True)) | {"note": notes.get(str(row[0]))}
        for row in rows
    ]
