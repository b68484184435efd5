"""What a scenario's deleted partner, venue, asset or exercise takes with it.

A planner who writes ``delete Partners FRA`` means "France does not take part":
not "and now every cell naming France is wrong". So, as the row goes, France
goes from every place that names it, and each such change is a warning at the
Scenarios cell that deleted it, naming the rows it changed:

- a partner leaves every exercise's invited and required partners (an
  exercise that required it is planned without it; one left with fewer
  partners invited than its min_partners can no longer be held), every goal (a goal only
  about it goes, as does a together goal left with one partner) and its
  Unavailability and TravelCosts rows; a venue it hosts stays open, with no
  host (delete the venue too if it closes with its host);
- a venue leaves every exercise's venues; an exercise that could be held only
  there, or was fixed there, can no longer be held; its Unavailability and
  TravelCosts rows go;
- an asset leaves every exercise's assets (each is planned without it) and
  its Unavailability rows go;
- an exercise's Dependencies rows go; one that required it first can no
  longer be held.

An exercise that can no longer be held is left out of the plan with that
warning as its reason; a mandatory one is an error, since no plan can then
exist. So is an exercise whose min_partners the partners still invited no
longer reach once a partner goes: the delete caused it, so it is said at the
delete, not at the min_partners cell the planner never changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from planner.domain import Finding, Severity
from planner.workbook.cells import BAD, BadCell, is_blank, read_cell
from planner.workbook.schema import DEPENDENCIES, EXERCISES, SCENARIOS, split_list

DraftRow = tuple[int, list[object]]  # Excel row number, cells from column A


class Sheet(Protocol):
    """A sheet being changed by a scenario: its rows, and where a column is."""

    rows: list[DraftRow]

    def find(self, column: str) -> int | None: ...


Sheets = Callable[[str], Sheet | None]  # a sheet by its schema name, if any


@dataclass(frozen=True)
class Deleted:
    """The row a scenario deleted: what it was, and where the delete is."""

    sheet: str  # Partners, Venues, Assets or Exercises
    id: str
    cell: str  # the Scenarios cell of the delete's id

    def warn(self, message: str) -> Finding:
        return Finding(SCENARIOS.name, self.cell, message, Severity.WARNING)

    def unholdable(self, sheets: Sheets, exercise: DraftRow, why: str) -> Finding:
        """The exercise can no longer be held: a warning for an optional one
        (it is left out, this its reason), an error for a mandatory one."""
        exercise_id = _text(_cell(sheets, "Exercises", exercise, "exercise_id"))
        named = _exercise_text(sheets, exercise)
        if _mandatory(_cell(sheets, "Exercises", exercise, "mandatory")):
            message = f"mandatory {named} {why}: no plan can exist"
            return Finding(SCENARIOS.name, self.cell, message, exercise_id=exercise_id)
        return Finding(
            SCENARIOS.name,
            self.cell,
            f"{named} {why}: it is left out",
            Severity.WARNING,
            exercise_id,
        )


def delete_references(sheets: Sheets, deleted: Deleted) -> list[Finding]:
    """Take ``deleted`` out of every row that names it, and say so."""
    follow = _FOLLOWERS.get(deleted.sheet)
    return [] if follow is None else follow(sheets, deleted)


def _partner(sheets: Sheets, deleted: Deleted) -> list[Finding]:
    pid = deleted.id
    findings = []
    invited = _take_from_lists(sheets, "Exercises", "invited_partners", pid)
    required = _take_from_lists(sheets, "Exercises", "required_partners", pid)
    every = {row[0]: row for row, _ in (*invited, *required)}
    if every:
        findings.append(
            deleted.warn(
                f"{pid} is taken off the partners of "
                f"{_rows_text('Exercises', _labelled(sheets, every.values()))}"
            )
        )
    short = {number: why for number, why in _too_few(sheets, deleted, every.values())}
    for row, _ in required:
        if row[0] not in short:
            findings.append(
                deleted.warn(
                    f"{_exercise_text(sheets, row)} required {pid}: it is planned "
                    f"without {pid}"
                )
            )
    for number, why in short.items():
        findings.append(deleted.unholdable(sheets, every[number], why))
    findings += _goals(sheets, deleted)
    findings += _drop_rows(
        sheets, deleted, "Unavailability", "resource_id", "blackouts"
    )
    findings += _drop_rows(sheets, deleted, "TravelCosts", "partner_id", "travel costs")
    for row, _ in _take_from_lists(sheets, "Venues", "host_partner", pid):
        venue = _text(_cell(sheets, "Venues", row, "venue_id"))
        findings.append(
            deleted.warn(
                f"venue {venue} ({_rows_text('Venues', [(row[0], '')])}) was "
                f"hosted by {pid}: it stays open with no host; delete Venues "
                f"{venue} too if it closes"
            )
        )
    return findings


def _too_few(
    sheets: Sheets, deleted: Deleted, rows: Iterable[DraftRow]
) -> list[tuple[int, str]]:
    """The exercises (by row) whose min_partners the partners still invited
    no longer reach, each with why; one that never reached it is left to the
    finding at its min_partners cell, since the delete did not cause it."""
    short = []
    for row in rows:
        fewest = _count(_cell(sheets, "Exercises", row, "min_partners"))
        left = {
            partner
            for column in ("required_partners", "invited_partners")
            for partner in _ids(_cell(sheets, "Exercises", row, column))
        }
        if len(left) < fewest <= len(left | {deleted.id}):
            why = (
                f"needs at least {fewest} partners (min_partners) and without "
                f"{deleted.id} {_invited(len(left))}"
            )
            short.append((row[0], why))
    return short


def _invited(count: int) -> str:
    """``only 1 partner is invited``, as a sentence about an exercise ends."""
    if count == 0:
        return "no partner is invited"
    if count == 1:
        return "only 1 partner is invited"
    return f"only {count} partners are invited"


def _goals(sheets: Sheets, deleted: Deleted) -> list[Finding]:
    """A goal loses the partner; one left about nobody (or a together goal
    left with one partner) goes, since what it asked is gone."""
    goals = sheets("Goals")
    if goals is None:
        return []
    findings = []
    for row, before in _take_from_lists(sheets, "Goals", "partners", deleted.id):
        goal = _text(_cell(sheets, "Goals", row, "goal_id"))
        kind = _text(_cell(sheets, "Goals", row, "kind")).strip().lower()
        left = [pid for pid in before if pid != deleted.id]
        where = _rows_text("Goals", [(row[0], "")])
        if not left or (kind == "together" and len(left) < 2):
            goals.rows.remove(row)
            findings.append(
                deleted.warn(
                    f"goal {goal} ({where}) was about {' and '.join(before)}: "
                    f"it goes with {deleted.id}"
                )
            )
        else:
            findings.append(
                deleted.warn(
                    f"goal {goal} ({where}) no longer counts {deleted.id}: "
                    f"its partners are now {'; '.join(left)}"
                )
            )
    return findings


def _venue(sheets: Sheets, deleted: Deleted) -> list[Finding]:
    vid = deleted.id
    findings = []
    lists = _take_from_lists(sheets, "Exercises", "venues", vid)
    if lists:
        findings.append(
            deleted.warn(
                f"{vid} is taken off the venues of "
                + _rows_text("Exercises", _labelled(sheets, (row for row, _ in lists)))
            )
        )
    nowhere = {row[0]: row for row, before in lists if before == [vid]}
    for row in nowhere.values():
        findings.append(deleted.unholdable(sheets, row, f"could be held only at {vid}"))
    for row, _ in _take_from_lists(sheets, "Exercises", "fixed_venue", vid):
        if row[0] not in nowhere:  # said once is enough
            findings.append(deleted.unholdable(sheets, row, f"is fixed at {vid}"))
    findings += _drop_rows(
        sheets, deleted, "Unavailability", "resource_id", "blackouts"
    )
    findings += _drop_rows(sheets, deleted, "TravelCosts", "venue_id", "travel costs")
    return findings


def _asset(sheets: Sheets, deleted: Deleted) -> list[Finding]:
    aid = deleted.id
    findings = []
    for row, _ in _take_from_lists(sheets, "Exercises", "assets", aid):
        findings.append(
            deleted.warn(
                f"{_exercise_text(sheets, row)} used asset {aid}: it is planned "
                "without it"
            )
        )
    findings += _drop_rows(
        sheets, deleted, "Unavailability", "resource_id", "blackouts"
    )
    return findings


def _exercise(sheets: Sheets, deleted: Deleted) -> list[Finding]:
    """Its dependencies go; an exercise that required it can no longer be held."""
    eid = deleted.id
    dependencies = sheets("Dependencies")
    if dependencies is None:
        return []
    rows = [
        row
        for row in dependencies.rows
        if eid
        in (
            _id(_cell(sheets, "Dependencies", row, name))
            for name in ("before", "after")
        )
    ]
    if not rows:
        return []
    findings = [
        deleted.warn(
            f"the dependencies on {eid} go: "
            f"{_rows_text('Dependencies', [(row[0], '') for row in rows])}"
        )
    ]
    for row in rows:
        dependencies.rows.remove(row)
        after = _id(_cell(sheets, "Dependencies", row, "after"))
        requires = _cell(sheets, "Dependencies", row, "requires")
        needed = _id(_cell(sheets, "Dependencies", row, "before")) == eid
        exercise = _row_with(sheets, "Exercises", "exercise_id", after)
        if needed and _true(requires) and exercise is not None:
            why = f"requires {eid} (Dependencies row {row[0]})"
            findings.append(deleted.unholdable(sheets, exercise, why))
    return findings


_FOLLOWERS: dict[str, Callable[[Sheets, Deleted], list[Finding]]] = {
    "Partners": _partner,
    "Venues": _venue,
    "Assets": _asset,
    "Exercises": _exercise,
}


# Reading and changing raw cells.


def _cell(sheets: Sheets, sheet: str, row: DraftRow, column: str) -> object:
    draft = sheets(sheet)
    index = None if draft is None else draft.find(column)
    values = row[1]
    if index is None or index >= len(values):
        return None
    return values[index]


def _put(sheets: Sheets, sheet: str, row: DraftRow, column: str, value: object) -> None:
    draft = sheets(sheet)
    index = None if draft is None else draft.find(column)
    if index is not None and index < len(row[1]):
        row[1][index] = value


def _ids(raw: object) -> list[str]:
    """The ids a raw cell names (a list cell several); none when unreadable."""
    if raw is BAD or is_blank(raw):
        return []
    if isinstance(raw, str):
        return split_list(raw)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return [str(int(raw)) if float(raw).is_integer() else str(raw)]
    return []


def _id(raw: object) -> str | None:
    ids = _ids(raw)
    return ids[0] if len(ids) == 1 else None


def _text(raw: object) -> str:
    return "" if raw is BAD or is_blank(raw) else str(raw).strip()


def _true(raw: object) -> bool:
    """A yes/no cell that reads yes."""
    if raw is BAD or is_blank(raw):
        return False
    try:
        return read_cell(raw, DEPENDENCIES.column("requires")).value is True
    except BadCell:
        return False


def _count(raw: object) -> int:
    """A whole-number cell such as min_partners; 0 when blank or unreadable
    (an unreadable one is an error at its cell anyway)."""
    if raw is BAD or is_blank(raw):
        return 0
    try:
        value = read_cell(raw, EXERCISES.column("min_partners")).value
    except BadCell:
        return 0
    return value if isinstance(value, int) else 0


def _mandatory(raw: object) -> bool:
    """An unreadable mandatory cell counts as mandatory: it is an error anyway."""
    if raw is BAD or is_blank(raw):
        return raw is BAD
    try:
        return read_cell(raw, EXERCISES.column("mandatory")).value is not False
    except BadCell:
        return True


def _take_from_lists(
    sheets: Sheets, sheet: str, column: str, gone: str
) -> list[tuple[DraftRow, list[str]]]:
    """Rows whose ``column`` (a list or an id) named ``gone``, each with the
    ids it named before; ``gone`` is taken out (blank when none is left)."""
    draft = sheets(sheet)
    if draft is None:
        return []
    changed = []
    for row in draft.rows:
        before = _ids(_cell(sheets, sheet, row, column))
        if gone in before:
            left = [item for item in before if item != gone]
            _put(sheets, sheet, row, column, "; ".join(left) or None)
            changed.append((row, before))
    return changed


def _drop_rows(
    sheets: Sheets, deleted: Deleted, sheet: str, column: str, what: str
) -> list[Finding]:
    """Remove the rows whose ``column`` names ``deleted``, with one warning."""
    draft = sheets(sheet)
    if draft is None:
        return []
    rows = [
        row
        for row in draft.rows
        if _id(_cell(sheets, sheet, row, column)) == deleted.id
    ]
    for row in rows:
        draft.rows.remove(row)
    if not rows:
        return []
    listed = _rows_text(sheet, [(row[0], "") for row in rows])
    return [deleted.warn(f"{deleted.id}'s {what} go: {listed}")]


def _row_with(
    sheets: Sheets, sheet: str, column: str, key: str | None
) -> DraftRow | None:
    draft = sheets(sheet)
    if draft is None or key is None:
        return None
    return next(
        (row for row in draft.rows if _id(_cell(sheets, sheet, row, column)) == key),
        None,
    )


def _labelled(sheets: Sheets, rows: Iterable[DraftRow]) -> list[tuple[int, str]]:
    """Exercises rows by number, with the exercise id each holds."""
    return sorted(
        (row[0], _text(_cell(sheets, "Exercises", row, "exercise_id"))) for row in rows
    )


def _exercise_text(sheets: Sheets, row: DraftRow) -> str:
    """``exercise CR27 (Exercises row 3)``."""
    exercise_id = _text(_cell(sheets, "Exercises", row, "exercise_id"))
    return f"exercise {exercise_id} ({_rows_text('Exercises', [(row[0], '')])})"


def _rows_text(sheet: str, rows: list[tuple[int, str]]) -> str:
    """``Exercises rows 3 (CR27), 5 (BMI27)``, as a planner finds them."""
    parts = [f"{number} ({label})" if label else str(number) for number, label in rows]
    noun = "row" if len(parts) == 1 else "rows"
    return f"{sheet} {noun} {', '.join(parts)}"
