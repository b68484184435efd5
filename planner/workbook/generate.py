"""Generated programmes of four sizes and two profiles, for tests and benchmarks.

Every programme is built around a *planted schedule*: events are placed first
so that they obey every hard rule, and only then are windows, blackouts,
budgets, capacities, dependencies and hard goals derived around them. The
planted schedule therefore proves the programme feasible, the independent
checker can confirm it, and its objective is one a benchmark knows is
reachable.

Two profiles: ``spread`` grows the horizon with the size (one year for s, five
for xl), as a long-range programme does; ``dense`` packs every size into one
year of weekly slots, as a command's annual programme does (xl: 1,500
exercises, 150 partners, 100 venues in 52 weeks), which is what makes the
search hard.

Everything is drawn from one ``random.Random(seed)`` and from lists in a fixed
order, so ``generate(size, seed)`` returns the same rows on every run.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TypeVar

from planner.workbook.schema import WorkbookData

PLANNING_START = dt.date(2027, 1, 4)  # a Monday: weeks start on Mondays
WEEKS_PER_YEAR = 52


@dataclass(frozen=True)
class Horizon:
    """The slots of a generated programme: ``weeks`` weeks from
    PLANNING_START, in slots of a week or of a day (``unit``)."""

    weeks: int
    unit: str = "week"

    @property
    def per_week(self) -> int:
        return 1 if self.unit == "week" else 7

    @property
    def slot_days(self) -> int:
        return 7 // self.per_week

    @property
    def n_slots(self) -> int:
        return self.weeks * self.per_week

    def start(self, slot: int) -> dt.date:
        return PLANNING_START + dt.timedelta(days=self.slot_days * slot)

    def end(self, slot: int) -> dt.date:
        return self.start(slot + 1) - dt.timedelta(days=1)

    def slot(self, day: dt.date) -> int:
        return (day - PLANNING_START).days // self.slot_days

    def of_weeks(self, first: int, last: int) -> tuple[int, int]:
        """The slots of weeks ``first`` to ``last``."""
        return first * self.per_week, (last + 1) * self.per_week - 1


@dataclass(frozen=True)
class PlantedEvent:
    """One event of the planted schedule, as a planner would write it down."""

    exercise_id: str
    start_date: dt.date
    venue_id: str
    participants: tuple[str, ...]


@dataclass(frozen=True)
class Size:
    exercises: int
    partners: int
    venues: int
    weeks: int
    assets: int
    invited: tuple[int, int]  # fewest and most partners invited to an exercise
    goals: int
    dependencies: int
    time_limit_s: int
    mandatory_share: float = 0.35  # of planted exercises, so about 30% of all
    hard_share: float = 0.2  # of goals after the first (always hard)
    # Draw blackouts before planting, so every one is kept and the planted
    # schedule works around them; otherwise a busy year leaves room for few.
    blackouts_first: bool = False
    unit: str = "week"  # slots of a week, or of a day
    # A hard goal's target lies up to this many counts below what the planted
    # schedule achieves (0: exactly that, as tight as a target can be).
    hard_slack: int = 1
    blackouts: float = 1.0  # blackout rows drawn, as a multiple of the usual
    # Share of a facility's usual extra capabilities a venue may have (0: each
    # venue offers only its primary capability, so few venues fit each kind).
    venue_extras: float = 1.0
    duration_scale: int = 1  # exercises last this many times their usual weeks
    requires_share: float = 0.4  # dependencies where the later one needs the first


SIZES: dict[str, Size] = {
    "s": Size(20, 8, 6, 52, 2, (2, 10), 6, 2, 30),
    "m": Size(100, 25, 15, 104, 4, (2, 10), 10, 6, 60),
    "l": Size(400, 60, 40, 156, 8, (2, 10), 20, 20, 120),
    "xl": Size(1500, 150, 100, 260, 20, (3, 12), 40, 60, 120),
}
# One year at every size, in the proportions of the dense xl of issue 10:
# 15 exercises per venue, 10 per partner, about 450 mandatory of 1,500 and
# a quarter of the goals hard.
DENSE_SIZES: dict[str, Size] = {
    "s": Size(40, 8, 4, 52, 2, (2, 8), 6, 2, 30, 0.36, 0.25, True),
    "m": Size(150, 16, 10, 52, 4, (2, 10), 12, 8, 60, 0.36, 0.25, True),
    "l": Size(500, 50, 34, 52, 8, (3, 12), 24, 25, 120, 0.36, 0.25, True),
    "xl": Size(1500, 150, 100, 52, 24, (3, 12), 70, 75, 120, 0.36, 0.25, True),
}


def _shaped(
    base: dict[str, Size], scale: Mapping[str, float] | None = None, **knobs: object
) -> dict[str, Size]:
    """``base`` at every size with ``knobs`` set and the counts named in
    ``scale`` multiplied (at least 1)."""
    shaped = {}
    for size, spec in base.items():
        counts = {
            name: max(1, round(getattr(spec, name) * factor))
            for name, factor in (scale or {}).items()
        }
        shaped[size] = replace(spec, **counts, **knobs)  # type: ignore[arg-type]
    return shaped


# The family of shapes (issue 20): planners bring programmes shaped like
# neither profile, so each shape turns some knobs of one, at every size.
SHAPES: dict[str, dict[str, Size]] = {
    # Many hard goals, each exactly what the planted schedule achieves.
    "goal-heavy": _shaped(DENSE_SIZES, {"goals": 1.5}, hard_share=0.6, hard_slack=0),
    "mandatory": _shaped(DENSE_SIZES, mandatory_share=0.75),
    "blackouts": _shaped(DENSE_SIZES, blackouts=3.0),
    # Fewer venues, each offering only its primary capability.
    "scarce-venues": _shaped(DENSE_SIZES, {"venues": 0.6}, venue_extras=0.0),
    "wide-invitations": _shaped(DENSE_SIZES, invited=(6, 20)),
    "long": _shaped(DENSE_SIZES, duration_scale=2),
    "chains": _shaped(DENSE_SIZES, {"dependencies": 4.0}, requires_share=0.8),
    "days": _shaped(SIZES, unit="day"),
    "decade": _shaped(SIZES, weeks=10 * 52),
    # Everything tight at once.
    "hostile": _shaped(
        DENSE_SIZES,
        {"goals": 1.5, "venues": 0.8},
        hard_share=0.5,
        hard_slack=0,
        mandatory_share=0.6,
        blackouts=2.0,
        requires_share=0.8,
    ),
}
PROFILES: dict[str, dict[str, Size]] = {
    "spread": SIZES,
    "dense": DENSE_SIZES,
    **SHAPES,
}
# What each knob of a shape means, for `planner generate --set` (in order).
KNOBS: dict[str, str] = {
    "exercises": "how many exercises",
    "partners": "how many partners",
    "venues": "how many venues",
    "weeks": "the horizon in weeks (52 a year)",
    "assets": "how many assets",
    "invited": "fewest and most partners invited, as 3-12",
    "goals": "how many goals",
    "dependencies": "how many dependencies",
    "mandatory_share": "share of planted exercises that are mandatory",
    "hard_share": "share of goals (after the first, always hard) that are hard",
    "hard_slack": "how far below the planted count a hard target may lie",
    "blackouts": "blackout rows, as a multiple of the usual",
    "venue_extras": "share of a facility's usual extra capabilities offered",
    "duration_scale": "exercises last this many times their usual weeks",
    "requires_share": "share of dependencies where the later one needs the first",
    "unit": "week or day",
}

# Share of exercises deliberately left out of the planted schedule: optional
# extras that compete with the planted ones, so the optimizer has choices.
UNPLANTED_SHARE = 0.15
FIXED_SHARE = 0.05
PLACEMENT_ATTEMPTS = 40
MIN_PARTICIPANTS = 2

# (ISO alpha-3, name, ISO alpha-2, region), in the order a coalition grows:
# the first eight are the core of size s, the first 25 of size m, and so on.
COUNTRIES: tuple[tuple[str, str, str, str], ...] = (
    ("NOR", "Norway", "NO", "Nordic"),
    ("POL", "Poland", "PL", "Central Europe"),
    ("EST", "Estonia", "EE", "Baltic"),
    ("FIN", "Finland", "FI", "Nordic"),
    ("GBR", "United Kingdom", "GB", "Western Europe"),
    ("FRA", "France", "FR", "Western Europe"),
    ("DEU", "Germany", "DE", "Central Europe"),
    ("USA", "United States", "US", "North America"),
    ("SWE", "Sweden", "SE", "Nordic"),
    ("DNK", "Denmark", "DK", "Nordic"),
    ("LVA", "Latvia", "LV", "Baltic"),
    ("LTU", "Lithuania", "LT", "Baltic"),
    ("NLD", "Netherlands", "NL", "Western Europe"),
    ("BEL", "Belgium", "BE", "Western Europe"),
    ("CAN", "Canada", "CA", "North America"),
    ("ITA", "Italy", "IT", "Southern Europe"),
    ("ESP", "Spain", "ES", "Southern Europe"),
    ("CZE", "Czechia", "CZ", "Central Europe"),
    ("ROU", "Romania", "RO", "South-East Europe"),
    ("ISL", "Iceland", "IS", "Nordic"),
    ("PRT", "Portugal", "PT", "Southern Europe"),
    ("SVK", "Slovakia", "SK", "Central Europe"),
    ("HUN", "Hungary", "HU", "Central Europe"),
    ("BGR", "Bulgaria", "BG", "South-East Europe"),
    ("HRV", "Croatia", "HR", "South-East Europe"),
    ("SVN", "Slovenia", "SI", "Central Europe"),
    ("GRC", "Greece", "GR", "Southern Europe"),
    ("TUR", "Türkiye", "TR", "South-East Europe"),
    ("LUX", "Luxembourg", "LU", "Western Europe"),
    ("ALB", "Albania", "AL", "South-East Europe"),
    ("MNE", "Montenegro", "ME", "South-East Europe"),
    ("MKD", "North Macedonia", "MK", "South-East Europe"),
    ("AUT", "Austria", "AT", "Central Europe"),
    ("IRL", "Ireland", "IE", "Western Europe"),
    ("CHE", "Switzerland", "CH", "Central Europe"),
    ("UKR", "Ukraine", "UA", "South-East Europe"),
    ("GEO", "Georgia", "GE", "South-East Europe"),
    ("MDA", "Moldova", "MD", "South-East Europe"),
    ("MLT", "Malta", "MT", "Southern Europe"),
    ("CYP", "Cyprus", "CY", "Southern Europe"),
    ("SRB", "Serbia", "RS", "South-East Europe"),
    ("BIH", "Bosnia and Herzegovina", "BA", "South-East Europe"),
    ("ARM", "Armenia", "AM", "South-East Europe"),
    ("AZE", "Azerbaijan", "AZ", "South-East Europe"),
    ("AUS", "Australia", "AU", "Pacific"),
    ("NZL", "New Zealand", "NZ", "Pacific"),
    ("JPN", "Japan", "JP", "East Asia"),
    ("KOR", "Republic of Korea", "KR", "East Asia"),
    ("MEX", "Mexico", "MX", "North America"),
    ("JOR", "Jordan", "JO", "Middle East"),
    ("MAR", "Morocco", "MA", "Africa"),
    ("TUN", "Tunisia", "TN", "Africa"),
    ("EGY", "Egypt", "EG", "Middle East"),
    ("ISR", "Israel", "IL", "Middle East"),
    ("ARE", "United Arab Emirates", "AE", "Middle East"),
    ("QAT", "Qatar", "QA", "Middle East"),
    ("KWT", "Kuwait", "KW", "Middle East"),
    ("BHR", "Bahrain", "BH", "Middle East"),
    ("SAU", "Saudi Arabia", "SA", "Middle East"),
    ("OMN", "Oman", "OM", "Middle East"),
    ("IRQ", "Iraq", "IQ", "Middle East"),
    ("LBN", "Lebanon", "LB", "Middle East"),
    ("KAZ", "Kazakhstan", "KZ", "Central Asia"),
    ("UZB", "Uzbekistan", "UZ", "Central Asia"),
    ("KGZ", "Kyrgyzstan", "KG", "Central Asia"),
    ("TJK", "Tajikistan", "TJ", "Central Asia"),
    ("MNG", "Mongolia", "MN", "Central Asia"),
    ("IND", "India", "IN", "South Asia"),
    ("PAK", "Pakistan", "PK", "South Asia"),
    ("BGD", "Bangladesh", "BD", "South Asia"),
    ("LKA", "Sri Lanka", "LK", "South Asia"),
    ("NPL", "Nepal", "NP", "South Asia"),
    ("MDV", "Maldives", "MV", "South Asia"),
    ("IDN", "Indonesia", "ID", "South-East Asia"),
    ("MYS", "Malaysia", "MY", "South-East Asia"),
    ("SGP", "Singapore", "SG", "South-East Asia"),
    ("THA", "Thailand", "TH", "South-East Asia"),
    ("VNM", "Viet Nam", "VN", "South-East Asia"),
    ("PHL", "Philippines", "PH", "South-East Asia"),
    ("BRN", "Brunei", "BN", "South-East Asia"),
    ("KHM", "Cambodia", "KH", "South-East Asia"),
    ("LAO", "Laos", "LA", "South-East Asia"),
    ("TLS", "Timor-Leste", "TL", "South-East Asia"),
    ("FJI", "Fiji", "FJ", "Pacific"),
    ("PNG", "Papua New Guinea", "PG", "Pacific"),
    ("TON", "Tonga", "TO", "Pacific"),
    ("WSM", "Samoa", "WS", "Pacific"),
    ("VUT", "Vanuatu", "VU", "Pacific"),
    ("SLB", "Solomon Islands", "SB", "Pacific"),
    ("BRA", "Brazil", "BR", "Latin America"),
    ("ARG", "Argentina", "AR", "Latin America"),
    ("CHL", "Chile", "CL", "Latin America"),
    ("COL", "Colombia", "CO", "Latin America"),
    ("PER", "Peru", "PE", "Latin America"),
    ("URY", "Uruguay", "UY", "Latin America"),
    ("ECU", "Ecuador", "EC", "Latin America"),
    ("PRY", "Paraguay", "PY", "Latin America"),
    ("BOL", "Bolivia", "BO", "Latin America"),
    ("GTM", "Guatemala", "GT", "Latin America"),
    ("HND", "Honduras", "HN", "Latin America"),
    ("SLV", "El Salvador", "SV", "Latin America"),
    ("DOM", "Dominican Republic", "DO", "Latin America"),
    ("JAM", "Jamaica", "JM", "Latin America"),
    ("PAN", "Panama", "PA", "Latin America"),
    ("CRI", "Costa Rica", "CR", "Latin America"),
    ("TTO", "Trinidad and Tobago", "TT", "Latin America"),
    ("BLZ", "Belize", "BZ", "Latin America"),
    ("GUY", "Guyana", "GY", "Latin America"),
    ("BHS", "Bahamas", "BS", "Latin America"),
    ("BRB", "Barbados", "BB", "Latin America"),
    ("SUR", "Suriname", "SR", "Latin America"),
    ("SEN", "Senegal", "SN", "Africa"),
    ("GHA", "Ghana", "GH", "Africa"),
    ("NGA", "Nigeria", "NG", "Africa"),
    ("KEN", "Kenya", "KE", "Africa"),
    ("TZA", "Tanzania", "TZ", "Africa"),
    ("UGA", "Uganda", "UG", "Africa"),
    ("RWA", "Rwanda", "RW", "Africa"),
    ("ETH", "Ethiopia", "ET", "Africa"),
    ("ZAF", "South Africa", "ZA", "Africa"),
    ("BWA", "Botswana", "BW", "Africa"),
    ("NAM", "Namibia", "NA", "Africa"),
    ("ZMB", "Zambia", "ZM", "Africa"),
    ("MOZ", "Mozambique", "MZ", "Africa"),
    ("CIV", "Côte d'Ivoire", "CI", "Africa"),
    ("CMR", "Cameroon", "CM", "Africa"),
    ("BEN", "Benin", "BJ", "Africa"),
    ("TGO", "Togo", "TG", "Africa"),
    ("DJI", "Djibouti", "DJ", "Africa"),
    ("MWI", "Malawi", "MW", "Africa"),
    ("MDG", "Madagascar", "MG", "Africa"),
    ("MUS", "Mauritius", "MU", "Africa"),
    ("SYC", "Seychelles", "SC", "Africa"),
    ("CPV", "Cabo Verde", "CV", "Africa"),
    ("GAB", "Gabon", "GA", "Africa"),
    ("AGO", "Angola", "AO", "Africa"),
    ("SLE", "Sierra Leone", "SL", "Africa"),
    ("LBR", "Liberia", "LR", "Africa"),
    ("GMB", "Gambia", "GM", "Africa"),
    ("MRT", "Mauritania", "MR", "Africa"),
    ("NER", "Niger", "NE", "Africa"),
    ("TCD", "Chad", "TD", "Africa"),
    ("BDI", "Burundi", "BI", "Africa"),
    ("LSO", "Lesotho", "LS", "Africa"),
    ("SWZ", "Eswatini", "SZ", "Africa"),
    ("ZWE", "Zimbabwe", "ZW", "Africa"),
    ("COG", "Republic of the Congo", "CG", "Africa"),
    ("DZA", "Algeria", "DZ", "Africa"),
    ("GIN", "Guinea", "GN", "Africa"),
    ("BFA", "Burkina Faso", "BF", "Africa"),
    ("NIC", "Nicaragua", "NI", "Latin America"),
    ("TKM", "Turkmenistan", "TM", "Central Asia"),
)

# Rough centre (latitude, longitude) of each region: travel costs grow with
# the distance between the partner's region and the venue's.
REGION_CENTRES: dict[str, tuple[float, float]] = {
    "Nordic": (62.0, 15.0),
    "Baltic": (57.0, 24.0),
    "Central Europe": (51.0, 17.0),
    "Western Europe": (50.0, 2.0),
    "Southern Europe": (41.0, 10.0),
    "South-East Europe": (43.0, 25.0),
    "North America": (42.0, -85.0),
    "Latin America": (-10.0, -60.0),
    "Middle East": (27.0, 45.0),
    "Africa": (5.0, 20.0),
    "Central Asia": (45.0, 70.0),
    "South Asia": (22.0, 78.0),
    "South-East Asia": (8.0, 110.0),
    "East Asia": (36.0, 132.0),
    "Pacific": (-25.0, 145.0),
}

# Capability -> (id suffix, facility name, capabilities it often comes with).
FACILITIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "range": ("TA", "Training Area", ("urban", "airfield", "cbrn")),
    "maritime": ("NB", "Naval Base", ("medical", "classroom")),
    "airfield": ("AB", "Air Base", ("range", "classroom")),
    "classroom": ("SC", "Staff College", ("cyber range", "medical")),
    "urban": ("UT", "Urban Training Centre", ("range", "cbrn", "medical")),
    "cyber range": ("CR", "Cyber Range", ("classroom",)),
    "medical": ("MC", "Military Medical Centre", ("classroom", "cbrn")),
    "cbrn": ("CB", "CBRN Defence Centre", ("range", "classroom")),
}
CAPABILITIES = tuple(FACILITIES)

# Asset type -> (id prefix, name, capacity choices).
ASSET_TYPES: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "ship": ("SHIP", "Logistics ship", (1,)),
    "simulation": ("SIM", "Simulation centre", (1, 2)),
    "tanker": ("TNK", "Air-to-air tanker", (1,)),
    "field hospital": ("HOSP", "Role 2 field hospital", (1,)),
}


@dataclass(frozen=True)
class ExerciseKind:
    name: str
    needs: tuple[str, ...]
    durations: tuple[int, ...]  # weeks, drawn uniformly
    areas: tuple[str, ...]
    fixed_cost_per_week: tuple[int, int]
    cost_per_partner: tuple[int, int]
    asset_type: str | None = None
    frequency: int = 1


def _kind(
    name: str,
    needs: str,
    durations: tuple[int, ...],
    areas: tuple[str, ...],
    fixed_cost_per_week: tuple[int, int],
    cost_per_partner: tuple[int, int],
    asset_type: str | None = None,
    frequency: int = 1,
) -> ExerciseKind:
    return ExerciseKind(
        name,
        (needs,),
        durations,
        areas,
        fixed_cost_per_week,
        cost_per_partner,
        asset_type,
        frequency,
    )


# Costs: the organizer's fixed cost per week, and what each partner pays on
# top of travel; ranges drawn uniformly.
KINDS: tuple[ExerciseKind, ...] = (
    _kind("field exercise", "range", (2, 3), ("land",), (80_000, 160_000),
          (20_000, 45_000), frequency=3),
    _kind("maritime exercise", "maritime", (1, 2), ("maritime",),
          (90_000, 160_000), (15_000, 35_000), "ship", 3),
    _kind("air exercise", "airfield", (1, 2), ("air",), (100_000, 180_000),
          (25_000, 50_000), "tanker", 2),
    _kind("staff talks", "classroom", (1,), ("command",), (15_000, 40_000),
          (3_000, 8_000), frequency=3),
    _kind("command post exercise", "classroom", (1,), ("command",),
          (40_000, 90_000), (5_000, 12_000), "simulation", 2),
    _kind("HADR drill", "medical", (1, 2), ("hadr", "medical"),
          (60_000, 120_000), (10_000, 25_000), "field hospital", 2),
    _kind("cyber exercise", "cyber range", (1,), ("cyber",), (30_000, 90_000),
          (5_000, 15_000), frequency=2),
    _kind("CBRN exercise", "cbrn", (1, 2), ("cbrn",), (60_000, 110_000),
          (15_000, 30_000)),
    _kind("medical exchange", "medical", (1,), ("medical",), (20_000, 45_000),
          (3_000, 8_000)),
    _kind("urban operations", "urban", (2,), ("land", "urban"),
          (80_000, 130_000), (20_000, 40_000)),
)  # fmt: skip

NAME_FIRST = (
    "Arctic", "Atlantic", "Baltic", "Northern", "Iron", "Steel", "Swift",
    "Silent", "Trident", "Coastal", "Dynamic", "Resolute", "Vigilant", "Allied",
    "Brave", "Cold", "Frozen", "Southern", "Eastern", "Western", "Amber",
    "Granite", "Crimson", "Noble", "Pacific", "Desert", "Sapphire", "Unified",
)  # fmt: skip
NAME_SECOND = (
    "Shield", "Response", "Guard", "Strike", "Sentry", "Lance", "Anchor",
    "Falcon", "Bear", "Wolf", "Harbour", "Horizon", "Bridge", "Lynx", "Storm",
    "Sabre", "Eagle", "Trail", "Resolve", "Partner", "Sword", "Spirit",
)  # fmt: skip

EUROPE = frozenset(
    {"Nordic", "Baltic", "Central Europe", "Western Europe", "Southern Europe",
     "South-East Europe"}
)  # fmt: skip


@dataclass
class PartnerDraft:
    id: str
    name: str
    code: str
    region: str
    max_concurrent: int
    min_gap: int
    weight: int
    events: list[tuple[int, int]] = field(default_factory=list)  # planted slots
    load: list[int] = field(default_factory=list)  # planted events per slot
    blocked: set[int] = field(default_factory=set)  # blackouts drawn first


@dataclass
class VenueDraft:
    id: str
    name: str
    host: str
    region: str
    capabilities: tuple[str, ...]
    capacity: int
    cost_per_slot: int
    max_concurrent: int
    load: list[int] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)


@dataclass
class AssetDraft:
    id: str
    name: str
    kind: str
    capacity: int
    load: list[int] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)


@dataclass
class ExerciseDraft:
    id: str
    kind: ExerciseKind
    duration: int
    lead: str
    invited: list[str]
    allowed: list[str]  # venue ids it may use
    venues_listed: bool  # False: the Venues cell stays blank (any capable venue)
    assets: list[str]
    fixed_cost: int
    cost_per_partner: int
    planted: PlantedEvent | None = None
    start: int = 0  # planted start slot


def generate(
    size: str,
    seed: int,
    profile: str = "spread",
    knobs: Mapping[str, str] | None = None,
) -> tuple[WorkbookData, list[PlantedEvent]]:
    """A programme of the given size and profile (or shape), with ``knobs``
    (`KNOBS`, values as typed) turned, and the planted schedule.

    The planted events hold only the exercises placed in the planted
    schedule: the others are optional, so leaving them out is allowed.
    """
    if profile not in PROFILES:
        raise ValueError(
            f"profile must be one of {', '.join(PROFILES)}, got {profile!r}"
        )
    if size not in PROFILES[profile]:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, got {size!r}")
    spec = PROFILES[profile][size]
    turned = {
        name: knob_value(spec, name, text) for name, text in (knobs or {}).items()
    }
    return generate_spec(replace(spec, **turned), seed)  # type: ignore[arg-type]


def knob_value(spec: Size, name: str, text: str) -> object:
    """``text`` as the value of knob ``name``; ValueError saying what is
    wrong (an unknown knob, a value of the wrong kind or range)."""
    if name not in KNOBS:
        raise ValueError(f"unknown knob {name!r}; knobs: {', '.join(KNOBS)}")
    current = getattr(spec, name)
    try:
        if isinstance(current, tuple):
            low, high = (int(part) for part in text.split("-"))
            value: object = (low, high)
            good = 1 <= low <= high
        elif isinstance(current, bool):
            raise ValueError
        elif isinstance(current, int):
            value = int(text)
            good = value >= (0 if name in ("hard_slack", "dependencies") else 1)
        elif isinstance(current, float):
            value = float(text)
            good = value >= 0 and (value <= 1 or not name.endswith("share"))
        else:
            value = text
            good = text in ("week", "day")
    except ValueError:
        good = False
    if not good:
        raise ValueError(f"{name}={text}: expected {KNOBS[name]}")
    return value


def generate_spec(spec: Size, seed: int) -> tuple[WorkbookData, list[PlantedEvent]]:
    """The programme ``spec`` describes, and its planted schedule."""
    rng = random.Random(seed)
    horizon = Horizon(spec.weeks, spec.unit)
    n_slots = horizon.n_slots
    partners = make_partners(spec, rng, n_slots)
    venues = make_venues(spec, rng, partners, horizon)
    assets = make_assets(spec, rng, n_slots)
    exercises = draft_exercises(spec, rng, partners, venues, assets, horizon)
    blackouts = None
    if spec.blackouts_first:
        blackouts = _blackouts(spec, rng, partners, venues, assets, [], horizon)
        _block(blackouts, partners, venues, assets, horizon)
    for draft in rng.sample(exercises, len(exercises)):
        if rng.random() >= UNPLANTED_SHARE:
            plant(draft, rng, partners, venues, assets, horizon)
    travel = travel_costs(rng, partners, venues)
    tables = build_tables(spec, rng, partners, venues, assets, exercises, travel)
    if blackouts is not None:
        tables["Unavailability"] = blackouts
    planted = sorted(
        (d.planted for d in exercises if d.planted is not None),
        key=lambda e: (e.start_date, e.exercise_id),
    )
    return tables, planted


def _block(
    blackouts: list[dict[str, object]],
    partners: list[PartnerDraft],
    venues: list[VenueDraft],
    assets: list[AssetDraft],
    horizon: Horizon,
) -> None:
    """Mark each blackout's slots on its partner, venue or asset draft."""
    drafts: dict[str, PartnerDraft | VenueDraft | AssetDraft] = {}
    for group in (partners, venues, assets):
        drafts.update((d.id, d) for d in group)
    for row in blackouts:
        first, last = row["start"], row["end"]
        assert isinstance(first, dt.date) and isinstance(last, dt.date)
        slots = range(horizon.slot(first), horizon.slot(last) + 1)
        drafts[str(row["resource_id"])].blocked.update(slots)


def make_partners(spec: Size, rng: random.Random, n_slots: int) -> list[PartnerDraft]:
    """The first countries of the coalition list.

    A few large partners can run two events at once; some small ones need a
    week's rest between events (only those with one event at a time, which
    keeps the rest rule simple to honour while planting).
    """
    if spec.partners > len(COUNTRIES):
        raise ValueError(f"at most {len(COUNTRIES)} partners can be generated")
    partners = []
    for code3, name, code2, region in COUNTRIES[: spec.partners]:
        max_concurrent = 2 if rng.random() < 0.15 else 1
        rest = Horizon(spec.weeks, spec.unit).per_week  # a week's rest
        min_gap = rest if max_concurrent == 1 and rng.random() < 0.25 else 0
        partners.append(
            PartnerDraft(
                id=code3,
                name=name,
                code=code2,
                region=region,
                max_concurrent=max_concurrent,
                min_gap=min_gap,
                weight=rng.choice((1, 1, 1, 2, 3)),
                load=[0] * n_slots,
            )
        )
    return partners


def make_venues(
    spec: Size, rng: random.Random, partners: list[PartnerDraft], horizon: Horizon
) -> list[VenueDraft]:
    """Venues hosted by partners, every capability offered somewhere."""
    hosts = rng.sample(partners, len(partners))
    small = spec.partners <= 10
    venues: list[VenueDraft] = []
    used_ids: set[str] = set()
    for index in range(spec.venues):
        host = hosts[index % len(hosts)]
        primary = CAPABILITIES[index % len(CAPABILITIES)]
        suffix, facility, usual = FACILITIES[primary]
        most = round(len(usual) * spec.venue_extras)
        extras = rng.sample(usual, rng.randint(0, most))
        capabilities = [primary, *(c for c in CAPABILITIES if c in extras)]
        venue_id = _unique(f"{host.id}-{suffix}", used_ids)
        number = venue_id.removeprefix(f"{host.id}-{suffix}")
        venues.append(
            VenueDraft(
                id=venue_id,
                name=f"{facility}{' ' + number if number else ''}, {host.name}",
                host=host.id,
                region=host.region,
                capabilities=tuple(capabilities),
                capacity=rng.randint(5, 8) if small else rng.randint(6, 16),
                cost_per_slot=_round_to(
                    rng.uniform(10_000, 70_000) / horizon.per_week,
                    5_000 // horizon.per_week,
                ),
                max_concurrent=2 if rng.random() < 0.15 else 1,
                load=[0] * horizon.n_slots,
            )
        )
    _offer_every_capability(venues, rng)
    return venues


def _offer_every_capability(venues: list[VenueDraft], rng: random.Random) -> None:
    """Small sizes have fewer venues than capabilities: add the missing ones."""
    for capability in CAPABILITIES:
        if not any(capability in v.capabilities for v in venues):
            venue = rng.choice(venues)
            venue.capabilities = (*venue.capabilities, capability)


def _unique(candidate: str, used: set[str]) -> str:
    number = 1
    name = candidate
    while name in used:
        number += 1
        name = f"{candidate}{number}"
    used.add(name)
    return name


def make_assets(spec: Size, rng: random.Random, n_slots: int) -> list[AssetDraft]:
    types = list(ASSET_TYPES)
    counts: dict[str, int] = {}
    assets = []
    for index in range(spec.assets):
        kind = types[index % len(types)]
        prefix, name, capacities = ASSET_TYPES[kind]
        counts[kind] = counts.get(kind, 0) + 1
        assets.append(
            AssetDraft(
                id=f"{prefix}-{counts[kind]}",
                name=f"{name} {counts[kind]}",
                kind=kind,
                capacity=rng.choice(capacities),
                load=[0] * n_slots,
            )
        )
    return assets


def draft_exercises(
    spec: Size,
    rng: random.Random,
    partners: list[PartnerDraft],
    venues: list[VenueDraft],
    assets: list[AssetDraft],
    horizon: Horizon,
) -> list[ExerciseDraft]:
    """Kind, duration, invited partners and allowed venues of each exercise.

    Partners near the lead nation are invited more often and venues near it
    are preferred, as in real regional programmes. In days, an exercise of
    n weeks lasts n weeks less up to two days (a week's exercise is held on
    five to seven days).
    """
    kinds = [k for k in KINDS for _ in range(k.frequency)]
    width = max(3, len(str(spec.exercises)))
    drafts = []
    for index in range(1, spec.exercises + 1):
        kind = rng.choice(kinds)
        lead = rng.choice(partners)
        low, high = spec.invited
        count = rng.randint(min(low, len(partners)), min(high, len(partners)))
        others = _nearest(
            rng, lead.region, [p for p in partners if p.id != lead.id], count - 1
        )
        invited = [lead.id, *(p.id for p in others)]
        capable = [v for v in venues if set(kind.needs) <= set(v.capabilities)]
        allowed = [v.id for v in _nearest(rng, lead.region, capable, rng.randint(2, 4))]
        listed = len(allowed) < len(capable) or rng.random() < 0.5
        usable_assets = [a.id for a in assets if a.kind == kind.asset_type]
        uses = (
            [rng.choice(usable_assets)] if usable_assets and rng.random() < 0.6 else []
        )
        weeks = rng.choice(kind.durations) * spec.duration_scale
        duration = weeks * horizon.per_week
        if horizon.per_week > 1:
            duration -= rng.randint(0, 2)
        weekly = rng.uniform(*kind.fixed_cost_per_week)
        drafts.append(
            ExerciseDraft(
                id=f"EX{index:0{width}d}",
                kind=kind,
                duration=duration,
                lead=lead.id,
                invited=invited,
                allowed=allowed,
                venues_listed=listed,
                assets=uses,
                fixed_cost=_round_to(weekly * weeks, 5_000),
                cost_per_partner=_round_to(rng.uniform(*kind.cost_per_partner), 1_000),
            )
        )
    return drafts


Located = TypeVar("Located", PartnerDraft, VenueDraft)


def _nearest(
    rng: random.Random, region: str, items: Sequence[Located], count: int
) -> list[Located]:
    """``count`` items, the nearer to ``region`` the likelier, noise included.

    The offset lets neighbours in the same region compete by chance rather
    than all scoring zero.
    """
    scored = [
        ((_distance_km(region, item.region) + 800) * rng.uniform(0.3, 1.7), item)
        for item in items
    ]
    scored.sort(key=lambda pair: pair[0])
    return [item for _, item in scored[:count]]


@cache
def _distance_km(region_a: str, region_b: str) -> float:
    """Great-circle distance between two region centres."""
    (lat1, lon1), (lat2, lon2) = REGION_CENTRES[region_a], REGION_CENTRES[region_b]
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = (
        math.sin(dphi / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def plant(
    draft: ExerciseDraft,
    rng: random.Random,
    partners: list[PartnerDraft],
    venues: list[VenueDraft],
    assets: list[AssetDraft],
    horizon: Horizon,
) -> None:
    """Place one event where venue, assets and enough partners are free.

    Tries random starts and allowed venues; on success records the event and
    books the slots it uses, so later events must fit around it. An exercise
    that finds no place stays unplanted (and will be optional).
    """
    partner_by_id = {p.id: p for p in partners}
    venue_by_id = {v.id: v for v in venues}
    asset_by_id = {a.id: a for a in assets}
    duration = draft.duration
    for _ in range(PLACEMENT_ATTEMPTS):
        start = rng.randint(0, horizon.n_slots - duration)
        slots = range(start, start + duration)
        venue = venue_by_id[rng.choice(draft.allowed)]
        if any(venue.load[s] >= venue.max_concurrent for s in slots) or (
            venue.blocked.intersection(slots)
        ):
            continue
        used = [asset_by_id[a] for a in draft.assets]
        if any(a.load[s] >= a.capacity for a in used for s in slots) or any(
            a.blocked.intersection(slots) for a in used
        ):
            continue
        free = [
            partner_by_id[p]
            for p in draft.invited
            if _partner_free(partner_by_id[p], start, start + duration - 1)
        ]
        most = min(len(free), venue.capacity)
        if most < MIN_PARTICIPANTS:
            continue
        chosen = rng.sample(free, rng.randint(MIN_PARTICIPANTS, most))
        participants = [p for p in free if p in chosen]
        for s in slots:
            venue.load[s] += 1
            for asset in used:
                asset.load[s] += 1
            for partner in participants:
                partner.load[s] += 1
        for partner in participants:
            partner.events.append((start, start + duration - 1))
        draft.start = start
        draft.planted = PlantedEvent(
            exercise_id=draft.id,
            start_date=horizon.start(start),
            venue_id=venue.id,
            participants=tuple(p.id for p in participants),
        )
        return


def _partner_free(partner: PartnerDraft, first: int, last: int) -> bool:
    """Concurrency and rest rules for one more event at ``first..last``.

    Rest (min_gap) is only drawn for partners with one event at a time, so
    two of its events never overlap and the gap applies to every pair.
    """
    slots = range(first, last + 1)
    if any(partner.load[s] >= partner.max_concurrent for s in slots):
        return False
    if partner.blocked.intersection(slots):
        return False
    gap = partner.min_gap
    return gap == 0 or all(
        end + gap < first or last + gap < start for start, end in partner.events
    )


def travel_costs(
    rng: random.Random, partners: list[PartnerDraft], venues: list[VenueDraft]
) -> dict[tuple[str, str], int]:
    """What each partner pays per event at each venue: a few thousand nearby,
    around a hundred thousand across the world."""
    costs = {}
    for partner in partners:
        for venue in venues:
            if venue.host == partner.id:
                cost = rng.uniform(1_500, 3_000)
            else:
                km = _distance_km(partner.region, venue.region)
                cost = (4_000 + 8 * km) * rng.uniform(0.85, 1.15)
            costs[partner.id, venue.id] = _round_to(cost, 100)
    return costs


def _round_to(value: float, step: int) -> int:
    return round(value / step) * step


def _ceil_to(value: float, step: int) -> int:
    return math.ceil(value / step) * step


def build_tables(
    spec: Size,
    rng: random.Random,
    partners: list[PartnerDraft],
    venues: list[VenueDraft],
    assets: list[AssetDraft],
    exercises: list[ExerciseDraft],
    travel: dict[tuple[str, str], int],
) -> WorkbookData:
    """Every sheet's rows, derived so the planted schedule obeys every rule."""
    horizon = Horizon(spec.weeks, spec.unit)
    venue_by_id = {v.id: v for v in venues}
    exercise_rows = [
        _exercise_row(d, rng, horizon, spec.mandatory_share) for d in exercises
    ]
    planted = [d for d in exercises if d.planted is not None]
    organizer = sum(
        d.fixed_cost + venue_by_id[d.planted.venue_id].cost_per_slot * d.duration
        for d in exercises
        if d.planted is not None
    )
    spend = _partner_spend(planted, travel)
    return {
        "Settings": [
            {"key": "planning_start", "value": PLANNING_START},
            {"key": "planning_end", "value": horizon.end(horizon.n_slots - 1)},
            {"key": "time_unit", "value": spec.unit},
            {
                "key": "total_budget",
                "value": _ceil_to(organizer * rng.uniform(1.05, 1.2), 100_000),
            },
            {"key": "currency", "value": "EUR"},
            {"key": "time_limit_s", "value": spec.time_limit_s},
        ],
        "Partners": [_partner_row(p, rng, spend[p.id]) for p in partners],
        "Venues": [_venue_row(v) for v in venues],
        "Exercises": exercise_rows,
        "Assets": [
            {"asset_id": a.id, "name": a.name, "capacity": a.capacity} for a in assets
        ],
        "Unavailability": _blackouts(
            spec, rng, partners, venues, assets, exercises, horizon
        ),
        "TravelCosts": _travel_rows(exercises, venues, partners, travel),
        "Goals": _goals(spec, rng, partners, exercises),
        "Dependencies": _dependencies(spec, rng, planted, horizon),
    }


def _exercise_row(
    draft: ExerciseDraft, rng: random.Random, horizon: Horizon, mandatory_share: float
) -> dict[str, object]:
    kind, duration = draft.kind, draft.duration
    n_slots = horizon.n_slots
    event = draft.planted
    if event is not None:
        participants = list(event.participants)
        required = rng.sample(
            participants, rng.randint(0, min(2, len(participants) - 1))
        )
        required = [p for p in participants if p in required]
        min_partners = max(len(required), min(len(participants), rng.randint(2, 3)))
        low = len(participants)
        mandatory = rng.random() < mandatory_share
        slack = 2 * duration + 2
        first = max(0, draft.start - rng.randint(0, slack))
        last = min(n_slots - 1, draft.start + duration - 1 + rng.randint(0, slack))
    else:
        required = [draft.lead] if rng.random() < 0.4 else []
        min_partners = MIN_PARTICIPANTS
        low = min_partners
        mandatory = False
        length = min(n_slots, duration * rng.randint(2, 4) + rng.randint(0, 2))
        first = rng.randint(0, n_slots - length)
        last = first + length - 1
    max_partners = rng.randint(low, len(draft.invited)) if rng.random() < 0.5 else None
    fixed_start = fixed_venue = None
    if event is not None and rng.random() < FIXED_SHARE:
        fixed_start = event.start_date
    if event is not None and rng.random() < FIXED_SHARE:
        fixed_venue = event.venue_id
    year = horizon.start(first).year % 100
    name = f"{rng.choice(NAME_FIRST)} {rng.choice(NAME_SECOND)} {year:02d}"
    return {
        "exercise_id": draft.id,
        "name": name,
        "kind": kind.name,
        "duration": duration,
        "mandatory": mandatory,
        "value": rng.randint(5, 10) if mandatory else rng.randint(1, 10),
        "earliest_start": horizon.start(first),
        "latest_end": horizon.end(last),
        "venues": draft.allowed if draft.venues_listed else None,
        "needs": list(kind.needs),
        "required_partners": required,
        "invited_partners": [p for p in draft.invited if p not in required],
        "min_partners": min_partners,
        "max_partners": max_partners,
        "fixed_cost": draft.fixed_cost,
        "cost_per_partner": draft.cost_per_partner,
        "areas": list(kind.areas),
        "assets": draft.assets or None,
        "fixed_start": fixed_start,
        "fixed_venue": fixed_venue,
    }


def _partner_spend(
    planted: list[ExerciseDraft], travel: dict[tuple[str, str], int]
) -> dict[str, int]:
    spend: dict[str, int] = {}
    for draft in planted:
        assert draft.planted is not None
        for partner in draft.planted.participants:
            cost = draft.cost_per_partner + travel[partner, draft.planted.venue_id]
            spend[partner] = spend.get(partner, 0) + cost
    return spend


def _partner_row(
    partner: PartnerDraft, rng: random.Random, spend: int | None
) -> dict[str, object]:
    """Budgets and event caps with some slack over the planted schedule."""
    spent = spend or 0
    budget = None
    if rng.random() < 0.75:
        budget = _ceil_to(spent * rng.uniform(1.15, 1.6) + 20_000, 10_000)
    max_events = None
    if rng.random() < 0.3:
        max_events = len(partner.events) + rng.randint(0, 2)
    return {
        "partner_id": partner.id,
        "name": partner.name,
        "country_code": partner.code,
        "region": partner.region,
        "budget": budget,
        "max_events": max_events,
        "max_concurrent": partner.max_concurrent,
        "min_gap": partner.min_gap,
        "weight": partner.weight,
    }


def _venue_row(venue: VenueDraft) -> dict[str, object]:
    return {
        "venue_id": venue.id,
        "name": venue.name,
        "host_partner": venue.host,
        "region": venue.region,
        "capabilities": list(venue.capabilities),
        "capacity": venue.capacity,
        "cost_per_slot": venue.cost_per_slot,
        "max_concurrent": venue.max_concurrent,
    }


def _blackouts(
    spec: Size,
    rng: random.Random,
    partners: list[PartnerDraft],
    venues: list[VenueDraft],
    assets: list[AssetDraft],
    exercises: list[ExerciseDraft],
    horizon: Horizon,
) -> list[dict[str, object]]:
    """Elections, holidays and maintenance, kept clear of the planted events.

    A partner's blackout also stays clear of the rest weeks after its planted
    events, so the schedule survives any model that books the rest as busy.
    Drawn in weeks (in days a national holiday is one day), `Size.blackouts`
    times a year.
    """
    years = range(math.ceil(horizon.weeks / WEEKS_PER_YEAR))
    rows: list[dict[str, object]] = []

    def add(resource: str, weeks: tuple[int, int], reason: str, busy: Busy) -> None:
        first, last = horizon.of_weeks(*weeks)
        if reason == HOLIDAY and horizon.per_week > 1:
            first = last = first + rng.randint(0, 4)
        _add_blackout(rows, resource, first, last, reason, busy, horizon)

    for partner in partners:
        busy = [(first, last + partner.min_gap) for first, last in partner.events]
        for year in _draws(spec, rng, years):
            for first, last, reason in _partner_candidates(rng, partner, year):
                add(partner.id, (first, last), reason, busy)
    venue_busy = _busy_by_resource(
        exercises, lambda d: [d.planted.venue_id] if d.planted else []
    )
    for venue in venues:
        reason = _maintenance_reason(venue.capabilities[0])
        for year in _draws(spec, rng, years):
            for _ in range(rng.randint(0, 2)):
                first = WEEKS_PER_YEAR * year + rng.randint(0, 48)
                last = first + rng.randint(1, 5)
                add(venue.id, (first, last), reason, venue_busy.get(venue.id, []))
    asset_busy = _busy_by_resource(exercises, lambda d: d.assets if d.planted else [])
    for asset in assets:
        for year in _draws(spec, rng, years):
            if rng.random() < 0.7:
                first = WEEKS_PER_YEAR * year + rng.randint(0, 44)
                last = first + rng.randint(2, 7)
                busy = asset_busy.get(asset.id, [])
                add(asset.id, (first, last), "maintenance period", busy)
    return rows


Busy = list[tuple[int, int]]
HOLIDAY = "national holiday"


def _draws(spec: Size, rng: random.Random, years: range) -> list[int]:
    """The years to draw one resource's blackouts for: each year once, or
    `Size.blackouts` times on average (one draw more with the fraction's
    chance)."""
    if spec.blackouts == 1.0:
        return list(years)
    whole, part = divmod(spec.blackouts, 1.0)
    return [year for year in years for _ in range(int(whole) + (rng.random() < part))]


def _partner_candidates(
    rng: random.Random, partner: PartnerDraft, year: int
) -> list[tuple[int, int, str]]:
    """A partner's blackouts of one year, in weeks."""
    base = WEEKS_PER_YEAR * year
    candidates = []
    holiday = base + rng.randint(0, 50)
    candidates.append((holiday, holiday, HOLIDAY))
    if partner.region in EUROPE and rng.random() < 0.6:
        leave = base + rng.randint(27, 30)
        candidates.append((leave, leave + 2, "summer leave"))
    if rng.random() < 0.25:
        vote = base + rng.randint(2, 46)
        candidates.append((vote, vote + 1, "parliamentary elections"))
    if rng.random() < 0.4:
        candidates.append((base + 50, base + 51, "end-of-year stand-down"))
    return sorted(candidates)


def _maintenance_reason(capability: str) -> str:
    return {
        "maritime": "dock maintenance",
        "range": "range closure",
        "airfield": "runway resurfacing",
        "cyber range": "network upgrade",
    }.get(capability, "maintenance")


def _busy_by_resource(
    exercises: list[ExerciseDraft],
    resources_of: Callable[[ExerciseDraft], list[str]],
) -> dict[str, list[tuple[int, int]]]:
    busy: dict[str, list[tuple[int, int]]] = {}
    for draft in exercises:
        for resource in resources_of(draft):
            busy.setdefault(resource, []).append(
                (draft.start, draft.start + draft.duration - 1)
            )
    return busy


def _add_blackout(
    rows: list[dict[str, object]],
    resource: str,
    first: int,
    last: int,
    reason: str,
    busy: Busy,
    horizon: Horizon,
) -> None:
    """Add the blackout unless it would touch a planted (busy) slot."""
    last = min(last, horizon.n_slots - 1)
    if first > last or any(
        b_first <= last and first <= b_last for b_first, b_last in busy
    ):
        return
    rows.append(
        {
            "resource_id": resource,
            "start": horizon.start(first),
            "end": horizon.end(last),
            "reason": reason,
        }
    )


def _travel_rows(
    exercises: list[ExerciseDraft],
    venues: list[VenueDraft],
    partners: list[PartnerDraft],
    travel: dict[tuple[str, str], int],
) -> list[dict[str, object]]:
    """Only the pairs some exercise could use: a partner invited where it may
    be held. Other pairs would cost nothing to leave out and bloat the sheet."""
    capable_ids = {
        kind.name: [v.id for v in venues if set(kind.needs) <= set(v.capabilities)]
        for kind in KINDS
    }
    wanted: set[tuple[str, str]] = set()
    for draft in exercises:
        where = draft.allowed if draft.venues_listed else capable_ids[draft.kind.name]
        wanted.update((p, v) for p in draft.invited for v in where)
    return [
        {"partner_id": p.id, "venue_id": v.id, "cost": travel[p.id, v.id]}
        for p in partners
        for v in venues
        if (p.id, v.id) in wanted
    ]


def _goals(
    spec: Size,
    rng: random.Random,
    partners: list[PartnerDraft],
    exercises: list[ExerciseDraft],
) -> list[dict[str, object]]:
    """Goals of all three kinds; the hard ones are met by the planted schedule."""
    planted = [d for d in exercises if d.planted is not None]
    areas = sorted({a for d in exercises for a in d.kind.areas})
    makers = (_coverage_goal, _engagement_goal, _together_goal)
    goals = []
    for index in range(spec.goals):
        hard = index == 0 or rng.random() < spec.hard_share
        maker = makers[index % len(makers)]
        goal = maker(rng, partners, planted, areas, hard, spec.hard_slack)
        goals.append({"goal_id": f"G{index + 1:02d}", **goal})
    return goals


def _target(
    rng: random.Random, achieved: int, hard: bool, slack: int
) -> tuple[int, bool]:
    """A hard target the planted schedule meets (up to ``slack`` below what it
    achieves), or a soft one a bit above it."""
    if hard and achieved >= 1:
        return max(1, achieved - rng.randint(0, slack)), True
    return achieved + rng.randint(1, 2), False


def _coverage_goal(
    rng: random.Random,
    partners: list[PartnerDraft],
    planted: list[ExerciseDraft],
    areas: list[str],
    hard: bool,
    slack: int,
) -> dict[str, object]:
    area = rng.choice(areas)
    achieved = sum(area in d.kind.areas for d in planted)
    min_count, hard = _target(rng, achieved, hard, slack)
    return {
        "kind": "coverage",
        "area": area,
        "min_count": min_count,
        "weight": rng.randint(1, 3),
        "hard": hard,
    }


def _engagement_goal(
    rng: random.Random,
    partners: list[PartnerDraft],
    planted: list[ExerciseDraft],
    areas: list[str],
    hard: bool,
    slack: int,
) -> dict[str, object]:
    listed = (
        []
        if rng.random() < 0.15
        else rng.sample(partners, min(len(partners), rng.randint(1, 4)))
    )
    # A partner's planted events are exactly what this goal counts for it.
    achieved = min(len(p.events) for p in listed or partners)
    min_count, hard = _target(rng, achieved, hard, slack)
    return {
        "kind": "engagement",
        "partners": [p.id for p in partners if p in listed] or None,
        "min_count": min_count,
        "weight": rng.randint(1, 3),
        "hard": hard,
    }


def _together_goal(
    rng: random.Random,
    partners: list[PartnerDraft],
    planted: list[ExerciseDraft],
    areas: list[str],
    hard: bool,
    slack: int,
) -> dict[str, object]:
    """Partners that already meet in some planted event, so a target exists."""
    event = rng.choice(planted).planted if planted else None
    pool = list(event.participants) if event else [p.id for p in partners]
    group = rng.sample(pool, min(len(pool), rng.randint(2, 3)))
    group = [p for p in pool if p in group]
    draft_by_id = {d.id: d for d in planted}
    area = None
    if event is not None and rng.random() < 0.3:
        area = rng.choice(draft_by_id[event.exercise_id].kind.areas)
    achieved = sum(
        all(p in d.planted.participants for p in group)
        and (area is None or area in d.kind.areas)
        for d in planted
        if d.planted
    )
    min_count, hard = _target(rng, achieved, hard, slack)
    return {
        "kind": "together",
        "partners": group,
        "area": area,
        "min_count": min_count,
        "weight": rng.randint(1, 3),
        "hard": hard,
    }


def _dependencies(
    spec: Size, rng: random.Random, planted: list[ExerciseDraft], horizon: Horizon
) -> list[dict[str, object]]:
    """Build-up before main event: pairs the planted schedule already orders.

    Only planted pairs are linked, so ``requires`` never forces an unplanted
    exercise, and because each link points forward in time there is no cycle.
    """
    ordered = sorted(planted, key=lambda d: (d.start, d.id))
    reach, most_gap, most_slack = (w * horizon.per_week for w in (20, 4, 6))
    rows: list[dict[str, object]] = []
    linked: set[tuple[str, str]] = set()
    for _ in range(spec.dependencies * 10):
        if len(rows) == spec.dependencies or len(ordered) < 2:
            break
        before = rng.choice(ordered)
        end = before.start + before.duration
        later = [
            d for d in ordered if end <= d.start <= end + reach and d is not before
        ]
        if not later:
            continue
        after = rng.choice(later)
        if (before.id, after.id) in linked:
            continue
        linked.add((before.id, after.id))
        gap = after.start - end
        rows.append(
            {
                "before": before.id,
                "after": after.id,
                "min_gap": rng.randint(0, min(gap, most_gap)),
                "max_gap": gap + rng.randint(0, most_slack)
                if rng.random() < 0.5
                else None,
                "requires": rng.random() < spec.requires_share,
            }
        )
    return rows


def planted_schedule(
    tables: WorkbookData, planted: list[PlantedEvent]
) -> dict[str, object]:
    """The planted schedule in the layout of schedule.json (its events part).

    ``planner check`` and ``planner compare`` read it like any result, so a
    benchmark can price the planted plan and knows an objective that is
    reachable.
    """
    settings = {row["key"]: row["value"] for row in tables["Settings"]}
    durations = {row["exercise_id"]: row["duration"] for row in tables["Exercises"]}
    slot_days = Horizon(0, str(settings["time_unit"])).slot_days
    return {
        "status": "planted",
        "time_unit": settings["time_unit"],
        "planning_start": _iso(settings["planning_start"]),
        "planning_end": _iso(settings["planning_end"]),
        "events": [
            {
                "exercise_id": event.exercise_id,
                "start_date": event.start_date.isoformat(),
                "end_date": (
                    event.start_date
                    + dt.timedelta(days=slot_days * _int(durations[event.exercise_id]))
                    - dt.timedelta(days=1)
                ).isoformat(),
                "venue_id": event.venue_id,
                "participants": list(event.participants),
            }
            for event in planted
        ],
    }


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _int(value: object) -> int:
    return value if isinstance(value, int) else int(str(value))
