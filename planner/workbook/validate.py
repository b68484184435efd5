"""Rules that look across rows and sheets, after every cell has been read.

A cell on its own can be a fine number and still make no sense: a duplicate
id, a venue nobody listed, a window shorter than the exercise, dependencies in
a circle. Each rule here is one small function that returns the findings it
has, pointing at the cell a planner should change. The rules only look at
cells that were read cleanly (``BAD`` marks the others, already reported), so
one typing slip gives one message, not a cascade.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from graphlib import CycleError, TopologicalSorter
from typing import Any

from planner.bounds import MAX_HORIZON_DAYS
from planner.domain import (
    OBJECTIVE_LIMIT,
    TERM_CHANGE,
    TERM_COST,
    TERM_GOAL_SHORTFALL,
    TERM_VALUE,
    Finding,
    Period,
    Problem,
    Severity,
    Source,
    objective_reach,
    slot_days,
    spend_reach,
)
from planner.workbook.cells import BAD
from planner.workbook.schema import SHEETS

# The id column of each sheet whose rows other cells refer to.
ID_COLUMNS: dict[str, str] = {
    "Partners": "partner_id",
    "Venues": "venue_id",
    "Exercises": "exercise_id",
    "Assets": "asset_id",
    "Goals": "goal_id",
}
NOUNS: dict[str, str] = {
    "Partners": "partner",
    "Venues": "venue",
    "Exercises": "exercise",
    "Assets": "asset",
    "Goals": "goal",
}
RESOURCE_SHEETS = ("Partners", "Venues", "Assets")
# Reasons listed when no venue can host an exercise; the rest are counted.
SHOWN_REASONS = 3


@dataclass(frozen=True)
class Record:
    """One data row, its cells read; ``BAD`` where a cell could not be."""

    sheet: str
    row: int
    # Column name -> value; its type is the column's kind (or BAD), so Any.
    values: Mapping[str, Any]
    letters: Mapping[str, str]  # column name -> letter, for columns present

    def __getitem__(self, column: str) -> Any:
        return self.values[column]

    def cell(self, column: str) -> str:
        """The cell of ``column`` in this row (column A when it is absent)."""
        return f"{self.letters.get(column, 'A')}{self.row}"

    def fine(self, *columns: str) -> bool:
        """True when every one of ``columns`` was read cleanly."""
        return all(self.values[column] is not BAD for column in columns)

    @property
    def source(self) -> Source:
        return Source(self.sheet, self.row)


@dataclass(frozen=True)
class Programme:
    """Every sheet's records and, when Settings is sound, the horizon (its
    settings as read).

    ``horizon`` is a Problem with no partners, venues or exercises: only its
    calendar (``slot_of``, ``n_slots``) is used, so dates turn into slots by
    the one definition in `planner.domain`.
    """

    records: Mapping[str, Sequence[Record]]
    horizon: Problem | None
    # Settings key -> its row, for findings about a setting's value.
    setting_rows: Mapping[str, int] = field(default_factory=dict)

    @cached_property
    def ids(self) -> dict[str, dict[str, Record]]:
        """Sheet -> id -> the first row holding it."""
        found: dict[str, dict[str, Record]] = {}
        for sheet, column in ID_COLUMNS.items():
            first: dict[str, Record] = {}
            for record in self.records[sheet]:
                key = record[column]
                if isinstance(key, str) and key not in first:
                    first[key] = record
            found[sheet] = first
        return found

    @cached_property
    def folded_ids(self) -> dict[str, dict[str, str]]:
        """Sheet -> lower-case id -> id, to suggest what a misspelt id meant."""
        return {
            sheet: {key.lower(): key for key in ids} for sheet, ids in self.ids.items()
        }


def error(record: Record, column: str, message: str) -> Finding:
    return Finding(record.sheet, record.cell(column), message)


def warning(record: Record, column: str, message: str) -> Finding:
    return Finding(record.sheet, record.cell(column), message, Severity.WARNING)


def unholdable(record: Record, column: str, message: str) -> Finding:
    """A finding that the exercise of an Exercises ``record`` can never be held.

    An error for a mandatory exercise, since no plan could then exist. For an
    optional one it is a warning: the exercise is left out of the plan with
    this finding as its reason, so one impossible row never blocks the rest
    of the programme.
    """
    mandatory = record["mandatory"] is not False  # unreadable: already an error
    exercise_id = record["exercise_id"]
    return Finding(
        record.sheet,
        record.cell(column),
        message,
        Severity.ERROR if mandatory else Severity.WARNING,
        exercise_id if isinstance(exercise_id, str) else None,
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _ids_in(value: object) -> tuple[str, ...]:
    """The ids a cell names: one for an id column, several for a list."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple):
        return value
    return ()


def duplicate_ids(programme: Programme) -> list[Finding]:
    """An id names one row; a second row with the same id would be ambiguous."""
    findings = []
    for sheet, column in ID_COLUMNS.items():
        first = programme.ids[sheet]
        for record in programme.records[sheet]:
            key = record[column]
            if isinstance(key, str) and first[key] is not record:
                findings.append(
                    error(
                        record,
                        column,
                        f"{NOUNS[sheet]} id {key} is used twice: "
                        f"first on row {first[key].row}",
                    )
                )
    return findings


def shared_resource_ids(programme: Programme) -> list[Finding]:
    """A partner, a venue and an asset never share an id.

    Unavailability names its resource by id alone, so it could not tell them
    apart.
    """
    findings = []
    seen: dict[str, Record] = {}
    for sheet in RESOURCE_SHEETS:
        for key, record in programme.ids[sheet].items():
            other = seen.setdefault(key, record)
            if other is not record:
                findings.append(
                    error(
                        record,
                        ID_COLUMNS[sheet],
                        f"id {key} names both a {NOUNS[other.sheet]} "
                        f"({other.sheet} row {other.row}) and a {NOUNS[sheet]}: "
                        "Unavailability could not tell them apart",
                    )
                )
    return findings


def _unknown(noun: str, key: str, sheet: str, folded: Mapping[str, str]) -> str:
    guess = folded.get(key.lower())
    hint = f" (did you mean {guess}?)" if guess else ""
    return f'unknown {noun} "{key}": not on the {sheet} sheet{hint}'


def unknown_references(programme: Programme) -> list[Finding]:
    """Every id a cell names is on the sheet its column refers to."""
    findings = []
    for spec in SHEETS:
        for column in spec.columns:
            if column.refers_to is None:
                continue
            known = programme.ids[column.refers_to]
            folded = programme.folded_ids[column.refers_to]
            noun = NOUNS[column.refers_to]
            for record in programme.records.get(spec.name, ()):
                for key in _ids_in(record[column.name]):
                    if key not in known:
                        message = _unknown(noun, key, column.refers_to, folded)
                        findings.append(error(record, column.name, message))
    return findings


def unknown_resources(programme: Programme) -> list[Finding]:
    """An Unavailability row names a partner, venue or asset."""
    known = {key for sheet in RESOURCE_SHEETS for key in programme.ids[sheet]}
    return [
        error(
            record,
            "resource_id",
            f'unknown resource "{record["resource_id"]}": '
            "not a partner, venue or asset id",
        )
        for record in programme.records["Unavailability"]
        if isinstance(record["resource_id"], str) and record["resource_id"] not in known
    ]


def unavailability_order(programme: Programme) -> list[Finding]:
    """An unavailability period ends on or after the day it starts."""
    return [
        error(
            record,
            "end",
            f"end {record['end']} is before start {record['start']}",
        )
        for record in programme.records["Unavailability"]
        if isinstance(record["start"], dt.date)
        and isinstance(record["end"], dt.date)
        and record["end"] < record["start"]
    ]


def blackout_period(record: Record, horizon: Problem) -> Period | None:
    """The slots an Unavailability row blocks, clipped to the horizon, with
    its dates as typed.

    None when the period lies wholly outside the horizon (or is not sound).
    """
    start, end = record["start"], record["end"]
    if not isinstance(start, dt.date) or not isinstance(end, dt.date) or end < start:
        return None
    settings = horizon.settings
    if end < settings.planning_start or start > settings.planning_end:
        return None
    first = horizon.slot_of(max(start, settings.planning_start))
    last = horizon.slot_of(min(end, settings.planning_end))
    reason = record["reason"] if isinstance(record["reason"], str) else ""
    return Period(first, last, reason, record.source, start, end)


def blackouts_outside_horizon(programme: Programme) -> list[Finding]:
    """A period wholly outside the horizon blocks nothing: say it is ignored."""
    horizon = programme.horizon
    if horizon is None:
        return []
    settings = horizon.settings
    return [
        warning(
            record,
            "start",
            f"{record['start']} to {record['end']} lies outside the planning "
            f"horizon ({settings.planning_start} to {settings.planning_end}); "
            "ignored",
        )
        for record in programme.records["Unavailability"]
        if isinstance(record["start"], dt.date)
        and isinstance(record["end"], dt.date)
        and record["start"] <= record["end"]
        and blackout_period(record, horizon) is None
    ]


def _outside_horizon(record: Record, horizon: Problem) -> list[Finding]:
    start, end = horizon.settings.planning_start, horizon.settings.planning_end
    findings = []
    for column in ("earliest_start", "latest_end", "fixed_start"):
        day = record[column]
        if isinstance(day, dt.date) and day < start:
            findings.append(
                error(
                    record,
                    column,
                    f"{column} {day} is before planning_start {start}: "
                    "outside the planning horizon",
                )
            )
        elif isinstance(day, dt.date) and day > end:
            findings.append(
                error(
                    record,
                    column,
                    f"{column} {day} is after planning_end {end}: "
                    "outside the planning horizon",
                )
            )
    return findings


def _window_text(record: Record, horizon: Problem) -> str:
    earliest, latest = record["earliest_start"], record["latest_end"]
    first = (
        f"earliest_start {earliest}"
        if earliest
        else f"planning_start {horizon.settings.planning_start}"
    )
    last = (
        f"latest_end {latest}"
        if latest
        else f"planning_end {horizon.settings.planning_end}"
    )
    return f"{first} to {last}"


def _window(record: Record, horizon: Problem) -> list[Finding]:
    """Window, duration and fixed start of one exercise whose dates are in range."""
    earliest, latest = record["earliest_start"], record["latest_end"]
    if (
        isinstance(earliest, dt.date)
        and isinstance(latest, dt.date)
        and latest < earliest
    ):
        return [
            unholdable(
                record,
                "latest_end",
                f"latest_end {latest} is before earliest_start {earliest}",
            )
        ]
    first = horizon.slot_of(earliest) if isinstance(earliest, dt.date) else 0
    last = (
        horizon.slot_of(latest) if isinstance(latest, dt.date) else horizon.n_slots - 1
    )
    unit = horizon.settings.time_unit
    duration = record["duration"]
    if isinstance(duration, int) and duration > longest_duration(unit):
        return []  # `durations_within_bound` says so, once
    findings = []
    if isinstance(duration, int) and duration > last - first + 1:
        findings.append(
            unholdable(
                record,
                "duration",
                f"duration {duration} is longer than the window: "
                f"{_window_text(record, horizon)} holds "
                f"{_plural(last - first + 1, unit)}",
            )
        )
    fixed = record["fixed_start"]
    if not isinstance(fixed, dt.date):
        return findings
    slot = horizon.slot_of(fixed)
    if not first <= slot <= last:
        findings.append(
            unholdable(
                record,
                "fixed_start",
                f"fixed_start {fixed} is outside the exercise's window "
                f"({_window_text(record, horizon)})",
            )
        )
    elif isinstance(duration, int) and slot + duration - 1 > last:
        bound = "latest_end" if latest else "planning_end"
        findings.append(
            unholdable(
                record,
                "fixed_start",
                f"starting in the {unit} of fixed_start {fixed}, its "
                f"{_plural(duration, unit)} run past {bound} "
                f"({_window_text(record, horizon)})",
            )
        )
    return findings


def exercise_windows(programme: Programme) -> list[Finding]:
    """An exercise fits its window, and its window lies inside the horizon.

    Dates before planning_start or after planning_end are errors, not clipped:
    a window reaching outside the horizon is most likely a typing slip. A
    window holds the slots from the one holding earliest_start to the one
    holding latest_end; a fixed start and its whole duration fall inside it.
    """
    horizon = programme.horizon
    if horizon is None:
        return []
    findings = []
    for record in programme.records["Exercises"]:
        outside = _outside_horizon(record, horizon)
        findings += outside
        if not outside and record.fine("earliest_start", "latest_end"):
            findings += _window(record, horizon)
    return findings


def longest_duration(time_unit: str) -> int:
    """The most slots any exercise may last: the longest horizon planner plans."""
    return MAX_HORIZON_DAYS // slot_days(time_unit)


def durations_within_bound(programme: Programme) -> list[Finding]:
    """An exercise lasts at most the longest horizon planner ever plans.

    Longer than this programme's horizon is a fact of an optional exercise
    (left out, `exercise_windows` says why); longer than any horizon is a
    typing slip, an error even for an optional exercise: the model lays out
    every start an exercise could have, and a duration of millions of weeks
    would take all the memory there is.
    """
    horizon = programme.horizon
    if horizon is None:
        return []
    unit = horizon.settings.time_unit
    most = longest_duration(unit)
    return [
        error(
            record,
            "duration",
            f"duration {record['duration']:,} is more {unit}s than planner ever "
            f"plans (at most {most:,}, ten years)",
        )
        for record in programme.records["Exercises"]
        if isinstance(record["duration"], int) and record["duration"] > most
    ]


def _blackouts(programme: Programme, horizon: Problem) -> dict[str, list[Record]]:
    """Unavailability rows that block some slot, by resource id."""
    found: dict[str, list[Record]] = {}
    for record in programme.records["Unavailability"]:
        if blackout_period(record, horizon) is not None:
            found.setdefault(record["resource_id"], []).append(record)
    return found


def fixed_start_blackouts(programme: Programme) -> list[Finding]:
    """A fixed start does not put the exercise into a blackout it cannot avoid.

    Its required partners and assets take part throughout, and a fixed venue
    is where it is held: a blackout of any of them touching the fixed weeks
    leaves the exercise no start at all.
    """
    horizon = programme.horizon
    if horizon is None:
        return []
    blackouts = _blackouts(programme, horizon)
    columns = ("fixed_start", "duration", "required_partners", "assets", "fixed_venue")
    findings = []
    for record in programme.records["Exercises"]:
        fixed, duration = record["fixed_start"], record["duration"]
        if not record.fine(*columns) or not isinstance(fixed, dt.date):
            continue
        first = horizon.slot_of(fixed)
        last = first + duration - 1
        resources = [("required partner", p) for p in record["required_partners"]]
        resources += [("asset", a) for a in record["assets"]]
        if isinstance(record["fixed_venue"], str):
            resources.append(("fixed venue", record["fixed_venue"]))
        for noun, resource_id in resources:
            for blackout in blackouts.get(resource_id, ()):
                period = blackout_period(blackout, horizon)
                if period is None or not period.touches(first, last):
                    continue
                why = f"; {period.reason}" if period.reason else ""
                findings.append(
                    unholdable(
                        record,
                        "fixed_start",
                        f"fixed_start {fixed}: {noun} {resource_id} is unavailable "
                        f"{blackout['start']} to {blackout['end']} "
                        f"(Unavailability row {blackout.row}{why})",
                    )
                )
    return findings


def partner_counts(programme: Programme) -> list[Finding]:
    """min_partners and max_partners can both be met by who is invited."""
    findings = []
    columns = ("min_partners", "max_partners", "required_partners", "invited_partners")
    for record in programme.records["Exercises"]:
        if not record.fine(*columns):
            continue
        fewest, most = record["min_partners"], record["max_partners"]
        required = record["required_partners"]
        invited = set(required) | set(record["invited_partners"])
        if isinstance(most, int) and fewest > most:
            findings.append(
                unholdable(
                    record,
                    "min_partners",
                    f"min_partners {fewest} is more than max_partners {most}",
                )
            )
        if isinstance(most, int) and len(required) > most:
            findings.append(
                unholdable(
                    record,
                    "required_partners",
                    f"{_plural(len(required), 'required partner')} "
                    f"but max_partners is {most}",
                )
            )
        if fewest > len(invited):
            findings.append(
                unholdable(
                    record,
                    "min_partners",
                    f"min_partners {fewest} can never be met: only "
                    f"{_plural(len(invited), 'partner')} invited "
                    "(required and invited together)",
                )
            )
    return findings


def fixed_venue_allowed(programme: Programme) -> list[Finding]:
    """A fixed venue is one of the exercise's venues, when those are listed."""
    findings = []
    for record in programme.records["Exercises"]:
        if not record.fine("fixed_venue", "venues"):
            continue
        fixed, allowed = record["fixed_venue"], record["venues"]
        if isinstance(fixed, str) and allowed and fixed not in allowed:
            findings.append(
                unholdable(
                    record,
                    "fixed_venue",
                    f"fixed_venue {fixed} is not among the exercise's venues "
                    f"({', '.join(allowed)})",
                )
            )
    return findings


def _why_not(venue: Record, needs: frozenset[str], partners: int) -> str | None:
    """Why ``venue`` cannot host an exercise, or None when it can."""
    if not venue.fine("capabilities", "capacity"):
        return None
    reasons = []
    missing = sorted(needs - set(venue["capabilities"]))
    if missing:
        reasons.append(f"lacks {', '.join(missing)}")
    capacity = venue["capacity"]
    if isinstance(capacity, int) and capacity < partners:
        reasons.append(f"holds {_plural(capacity, 'partner')}, {partners} needed")
    if not reasons:
        return None
    return f"{venue['venue_id']} {' and '.join(reasons)}"


def _candidate_venues(
    record: Record, venues: Mapping[str, Record]
) -> tuple[list[Record], str] | None:
    """The venues an exercise may use and the cell that chose them.

    None when the exercise names only venues that do not exist (reported
    elsewhere).
    """
    fixed, allowed = record["fixed_venue"], record["venues"]
    if isinstance(fixed, str):
        return ([venues[fixed]], "fixed_venue") if fixed in venues else None
    if isinstance(allowed, tuple) and allowed:
        known = [venues[key] for key in allowed if key in venues]
        return (known, "venues") if known else None
    if record["needs"]:
        return list(venues.values()), "needs"
    fewest = record["min_partners"]
    required = record["required_partners"]
    column = (
        "min_partners"
        if isinstance(fewest, int) and fewest >= len(required)
        else "required_partners"
    )
    return list(venues.values()), column


def venue_can_host(programme: Programme) -> list[Finding]:
    """Some venue the exercise may use has every capability it needs and room.

    Room means capacity >= max(min_partners, number of required partners):
    fewer partners can never take part.
    """
    venues = programme.ids["Venues"]
    columns = ("venues", "needs", "fixed_venue", "min_partners", "required_partners")
    findings = []
    for record in programme.records["Exercises"]:
        if not record.fine(*columns):
            continue
        candidates = _candidate_venues(record, venues)
        if candidates is None:
            continue
        chosen, column = candidates
        if not chosen:
            findings.append(
                unholdable(
                    record,
                    "exercise_id",
                    f"no venue can host exercise {record['exercise_id']}: "
                    "the Venues sheet lists no venue",
                )
            )
            continue
        needs = frozenset(record["needs"])
        partners = max(
            record["min_partners"],
            len(record["required_partners"]),
        )
        reasons = []
        for venue in chosen:
            reason = _why_not(venue, needs, partners)
            if reason is None:
                break
            reasons.append(reason)
        else:
            shown = "; ".join(reasons[:SHOWN_REASONS])
            if len(reasons) > SHOWN_REASONS:
                shown += f"; and {len(reasons) - SHOWN_REASONS} more venues cannot"
            findings.append(
                unholdable(
                    record,
                    column,
                    f"no venue can host exercise {record['exercise_id']}: {shown}",
                )
            )
    return findings


def dependency_gaps(programme: Programme) -> list[Finding]:
    """An exercise cannot follow itself, and max_gap is at least min_gap."""
    findings = []
    for record in programme.records["Dependencies"]:
        before, after = record["before"], record["after"]
        if isinstance(before, str) and before == after:
            findings.append(
                error(record, "after", f"exercise {after} cannot depend on itself")
            )
        shortest, longest = record["min_gap"], record["max_gap"]
        if (
            isinstance(shortest, int)
            and isinstance(longest, int)
            and longest < shortest
        ):
            findings.append(
                error(
                    record,
                    "max_gap",
                    f"max_gap {longest} is less than min_gap {shortest}",
                )
            )
    return findings


def _step(cycle: list[str], index: int) -> tuple[str, str]:
    """The dependency from the index-th exercise of a cycle to the next."""
    return cycle[index], cycle[(index + 1) % len(cycle)]


def dependency_cycles(programme: Programme) -> list[Finding]:
    """Dependencies in a circle cannot all hold: none of them could go first.

    Each cycle is reported once, at its latest row, named from its earliest
    row on; its rows are then set aside so the next cycle (if any) shows up
    on its own.
    """
    exercises = programme.ids["Exercises"]
    rows: dict[tuple[str, str], Record] = {}
    for record in programme.records["Dependencies"]:
        pair = (record["before"], record["after"])
        if pair[0] in exercises and pair[1] in exercises and pair[0] != pair[1]:
            rows.setdefault(pair, record)
    findings = []
    while True:
        predecessors: dict[str, set[str]] = {}
        for before, after in rows:
            predecessors.setdefault(after, set()).add(before)
        try:
            TopologicalSorter(predecessors).prepare()
        except CycleError as cycle:
            names: list[str] = cycle.args[1][:-1]
            first = min(range(len(names)), key=lambda i: rows[_step(names, i)].row)
            names = names[first:] + names[:first]
            pairs = [_step(names, index) for index in range(len(names))]
            names.append(names[0])
            latest = max((rows[pair] for pair in pairs), key=lambda r: r.row)
            findings.append(
                error(
                    latest,
                    "before",
                    f"dependencies form a cycle: {' -> '.join(names)}; "
                    "none of them could start first",
                )
            )
            for pair in pairs:
                del rows[pair]
        else:
            return findings


def requires_unholdable(
    programme: Programme, findings: Iterable[Finding]
) -> list[Finding]:
    """An exercise that requires one that can never be held cannot be held.

    ``findings`` are the other rules' findings; their optional exercises that
    can never be held are followed along Dependencies rows with requires yes,
    each step reported at that row's requires cell. (A mandatory one is an
    error already: nothing is planned.)
    """
    unholdable_ids = {
        f.exercise_id
        for f in findings
        if f.exercise_id is not None and f.severity is Severity.WARNING
    }
    exercises = programme.ids["Exercises"]
    found = []
    changed = True
    while changed:
        changed = False
        for record in programme.records["Dependencies"]:
            before, after = record["before"], record["after"]
            if (
                record["requires"] is True
                and before in unholdable_ids
                and after in exercises
                and after not in unholdable_ids
            ):
                unholdable_ids.add(after)
                changed = True
                finding = unholdable(
                    exercises[after],
                    "exercise_id",
                    f"{after} requires {before}, which can never be held",
                )
                found.append(
                    replace(finding, sheet=record.sheet, cell=record.cell("requires"))
                )
    return found


def goal_shapes(programme: Programme) -> list[Finding]:
    """A together goal names 2 partners or more; a coverage goal names an area."""
    findings = []
    for record in programme.records["Goals"]:
        kind, partners, area = record["kind"], record["partners"], record["area"]
        if kind == "together" and isinstance(partners, tuple) and len(partners) < 2:
            findings.append(
                error(
                    record,
                    "partners",
                    f"a together goal needs at least 2 partners, got {len(partners)}",
                )
            )
        if kind == "coverage" and area == "":
            findings.append(error(record, "area", "a coverage goal needs an area"))
        if kind == "coverage" and partners:
            findings.append(
                warning(
                    record,
                    "partners",
                    "a coverage goal counts exercises, not partners; partners ignored",
                )
            )
    return findings


def goal_areas(programme: Programme) -> list[Finding]:
    """A goal's area that no exercise trains is most likely misspelt."""
    trained: set[str] = set()
    for record in programme.records["Exercises"]:
        if isinstance(record["areas"], tuple):
            trained.update(record["areas"])
    return [
        warning(
            record,
            "area",
            f'area "{record["area"]}" is not trained by any exercise '
            "(no exercise lists it in areas)",
        )
        for record in programme.records["Goals"]
        if isinstance(record["area"], str)
        and record["area"]
        and record["area"] not in trained
    ]


def travel_pairs(programme: Programme) -> list[Finding]:
    """One travel cost per partner and venue."""
    first: dict[tuple[object, object], Record] = {}
    findings = []
    for record in programme.records["TravelCosts"]:
        pair = (record["partner_id"], record["venue_id"])
        if not all(isinstance(key, str) for key in pair):
            continue
        earlier = first.setdefault(pair, record)
        if earlier is not record:
            findings.append(
                error(
                    record,
                    "partner_id",
                    f"travel cost from {pair[0]} to {pair[1]} is given twice: "
                    f"first on row {earlier.row}",
                )
            )
    return findings


def _whole(record: Record, column: str) -> int:
    """A whole number or amount the row holds; 0 when unreadable (reported)."""
    value = record[column]
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _invited(record: Record) -> int:
    """How many partners the exercise of ``record`` invites, required ones
    included."""
    ids = set(_ids_in(record["required_partners"]))
    return len(ids | set(_ids_in(record["invited_partners"])))


@dataclass(frozen=True)
class _Part:
    """One row's share of an objective term, and the cell that sets it."""

    size: int
    record: Record
    column: str


def _largest(parts: Iterable[_Part]) -> _Part | None:
    return max(parts, key=lambda part: part.size, default=None)


def _spend_parts(programme: Programme) -> tuple[int, list[_Part]]:
    """What everyone could spend in all (`spend_reach` summed), and each
    exercise's share at the cell that weighs most in it: its fixed_cost, the
    dearest venue's cost_per_slot, its cost_per_partner or the dearest travel.
    """
    records = programme.records
    venue = _largest(
        _Part(_whole(r, "cost_per_slot"), r, "cost_per_slot") for r in records["Venues"]
    )
    travel = _largest(
        _Part(_whole(r, "cost"), r, "cost") for r in records["TravelCosts"]
    )
    per_slot = venue.size if venue else 0
    dearest = travel.size if travel else 0
    total, parts = 0, []
    for record in records["Exercises"]:
        fixed, duration = _whole(record, "fixed_cost"), _whole(record, "duration")
        partners, per_partner = _invited(record), _whole(record, "cost_per_partner")
        total += spend_reach(fixed, duration, per_slot, partners, per_partner + dearest)
        shares = [
            _Part(fixed, record, "fixed_cost"),
            _Part(partners * per_partner, record, "cost_per_partner"),
        ]
        if venue is not None:
            shares.append(_Part(per_slot * duration, venue.record, venue.column))
        if travel is not None:
            shares.append(_Part(partners * dearest, travel.record, travel.column))
        parts.append(max(shares, key=lambda part: part.size))
    return total, parts


def _shortfall_parts(programme: Programme) -> list[_Part]:
    """Each soft goal's largest shortfall, weighed: goal.weight * min_count *
    its counts' weights, at its min_count or weight cell, whichever is larger."""
    weights = {
        r["partner_id"]: _whole(r, "weight")
        for r in programme.records["Partners"]
        if isinstance(r["partner_id"], str)
    }
    parts = []
    for record in programme.records["Goals"]:
        if record["hard"] is True:
            continue
        counts = 1
        if record["kind"] == "engagement":
            listed = _ids_in(record["partners"]) or tuple(weights)
            counts = sum(weights.get(partner, 0) for partner in listed)
        weight, fewest = _whole(record, "weight"), _whole(record, "min_count")
        column = "min_count" if fewest >= weight else "weight"
        parts.append(_Part(weight * fewest * counts, record, column))
    return parts


# Each objective term's weights in Settings, the first the one that scales it
# most (for the change term: whichever change weight is largest).
_TERM_WEIGHTS = {
    TERM_VALUE: ("value",),
    TERM_GOAL_SHORTFALL: ("goal_shortfall",),
    TERM_COST: ("cost",),
    TERM_CHANGE: (
        "change_move",
        "change_venue",
        "change_drop",
        "change_add",
        "change_partner",
    ),
}


def objective_within_reach(programme: Programme) -> list[Finding]:
    """The objective stays within what planner counts exactly.

    Weights multiply values and amounts, each bounded on its own, and the
    terms add them over every row: a weight or an amount many times too large
    (a typing slip) could make the objective overflow the solver's numbers.
    The finding names the cell most to blame in the largest term: the row
    that weighs most in it when that row alone makes half of the reach (or
    the term's weight is not set in Settings), else the term's weight, which
    scales many rows that add up.
    """
    horizon = programme.horizon
    if horizon is None:
        return []
    weights = horizon.settings.weights
    exercises = programme.records["Exercises"]
    spend, spend_parts = _spend_parts(programme)
    shortfall_parts = _shortfall_parts(programme)
    reach = objective_reach(
        weights,
        sum(_whole(record, "value") for record in exercises),
        spend,
        sum(part.size for part in shortfall_parts),
        len(exercises),
        len(programme.records["Partners"]),
    )
    total = sum(reach.values())
    if total <= OBJECTIVE_LIMIT:
        return []
    term = max(reach, key=lambda name: reach[name])
    beyond = (
        f"makes the objective (the plan's score) reach up to {total:.1e}, "
        f"beyond the {OBJECTIVE_LIMIT:,} planner counts exactly"
    )
    name = max(_TERM_WEIGHTS[term], key=lambda field: getattr(weights, field))
    weight = getattr(weights, name)
    parts = {
        TERM_VALUE: [_Part(_whole(r, "value"), r, "value") for r in exercises],
        TERM_GOAL_SHORTFALL: shortfall_parts,
        TERM_COST: spend_parts,
    }.get(term, [])
    largest = _largest(parts)
    row = programme.setting_rows.get(f"weight_{name}")
    if largest is not None and (row is None or 2 * largest.size * weight >= total):
        value = largest.record[largest.column]
        return [
            error(
                largest.record,
                largest.column,
                f"{largest.column} {value:,} (times weight_{name} {weight:,}) "
                f"{beyond}: lower it",
            )
        ]
    cell = "" if row is None else f"B{row}"
    return [Finding("Settings", cell, f"weight_{name} {weight:,} {beyond}: lower it")]


VALIDATIONS: tuple[Callable[[Programme], list[Finding]], ...] = (
    duplicate_ids,
    shared_resource_ids,
    unknown_references,
    unknown_resources,
    unavailability_order,
    blackouts_outside_horizon,
    exercise_windows,
    durations_within_bound,
    partner_counts,
    fixed_venue_allowed,
    venue_can_host,
    fixed_start_blackouts,
    dependency_gaps,
    dependency_cycles,
    goal_shapes,
    goal_areas,
    travel_pairs,
    objective_within_reach,
)


def check_programme(programme: Programme) -> Iterable[Finding]:
    """Every rule's findings, rule by rule (the caller sorts them by cell).

    Last, what follows from them: exercises that require one that can never
    be held.
    """
    findings = [finding for rule in VALIDATIONS for finding in rule(programme)]
    yield from findings
    yield from requires_unholdable(programme, findings)
