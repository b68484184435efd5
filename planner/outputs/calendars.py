"""Calendars for Outlook and phones: the plan as iCalendar files (RFC 5545).

A result folder gets ``schedule.ics`` (the whole programme) and, under
``calendars/``, one file per partner (the events it takes part in) and per
venue (the events held there), so each nation's staff and each range's
bookings office can subscribe to what concerns them.

Each exercise is one all-day event over the days it occupies, its venue as
LOCATION and its participants in DESCRIPTION. Its UID is made from the
programme and the exercise id only, so importing the file of a re-plan updates
the events already in a calendar instead of adding copies. What a calendar
application needs to accept the update is a higher SEQUENCE: each file is
compared with the one it replaces in the result folder, and an event whose
dates, venue, participants or status changed gets its SEQUENCE raised. An
exercise the earlier file held and the new plan does not is kept in the file
with STATUS:CANCELLED, so it disappears from every calendar that had it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from planner import __version__
from planner.domain import Event, Plan, Problem
from planner.outputs.files import file_stems, make_folder, replace_atomically
from planner.report import partner_marking

PROGRAMME_ICS = "schedule.ics"
CALENDARS_DIR = "calendars"
PRODID = f"-//planner//planner {__version__}//EN"
CONFIRMED = "CONFIRMED"
CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class Entry:
    """One VEVENT as planner writes it, before its SEQUENCE is known."""

    uid: str
    summary: str
    first_day: dt.date
    last_day: dt.date  # inclusive; DTEND is the day after (RFC 5545 all-day)
    location: str
    description: str
    status: str = CONFIRMED

    def content(self) -> tuple[str, ...]:
        """The fields compared with the earlier file, as iCalendar text."""
        return (
            self.summary,
            self.first_day.isoformat(),
            (self.last_day + dt.timedelta(days=1)).isoformat(),
            self.location,
            self.description,
            self.status,
        )


@dataclass(frozen=True)
class Published:
    """An event of an earlier file: its SEQUENCE and what it said."""

    sequence: int
    entry: Entry


def event_uid(problem: Problem, exercise_id: str) -> str:
    """The same for an exercise in every re-plan of the same programme.

    Made from the programme's identity in Settings and the exercise id only,
    never from a file name, so a workbook saved under another name, or
    uploaded to the web page, updates the events partners already hold. A
    scenario is a version of the same programme, so its exercises keep their
    UIDs: a scenario planned against the published plan and adopted moves,
    keeps or cancels each event partners hold, never doubles it. Both parts
    are percent-encoded, so no two ids share a UID.
    """
    programme = quote(problem.settings.programme_id, safe="")
    return f"{quote(exercise_id, safe='')}.{programme}@planner"


def programme_title(problem: Problem) -> str:
    """What the programme calls itself: its title, else its workbook's name."""
    return problem.settings.title or problem.name or problem.settings.programme_id


# What iCalendar text cannot hold as typed (RFC 5545 3.3.11: no control
# character but the tab): a line break typed in a cell (Alt+Enter), in any
# of its forms, and any other control character, with the spaces around.
_NOT_TEXT = re.compile(r"\s*[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]+\s*")


def one_line(text: str) -> str:
    """``text`` as one line of calendar text, each line break (and other
    control character) a space: a title or a venue name typed on two lines
    reads as one in a calendar's name, an event's title, place or line of
    its notes, which are written each on one line."""
    return _NOT_TEXT.sub(" ", text).strip()


def _participants(problem: Problem, event: Event) -> str:
    names = []
    for partner_id in event.participants:
        partner = problem.partner.get(partner_id)
        name = partner.name if partner is not None and partner.name else ""
        names.append(f"{partner_id} ({name})" if name else partner_id)
    return ", ".join(names)


def entry(problem: Problem, event: Event, reader: str | None = None) -> Entry:
    """The calendar event of one held exercise; with a ``reader`` (a partner
    id), as released to that nation: the shared facts (dates, venue, host,
    kind) without the other partners taking part."""
    exercise = problem.exercise[event.exercise_id]
    venue = problem.venue.get(event.venue_id)
    location = event.venue_id
    if venue is not None and venue.name:
        location = f"{venue.name} ({venue.id})"
    marking = problem.settings.classification
    lines = []
    if reader is None:
        lines += [f"Marking: {marking}"] if marking else []
        lines.append(f"Participants: {_participants(problem, event)}")
    else:
        partner = problem.partner[reader]
        whom = f"{partner.name} ({reader})" if partner.name else reader
        lines.append(f"Marking: {partner_marking(marking, whom)}")
    if venue is not None and venue.host_partner:
        host = problem.partner.get(venue.host_partner)
        lines.append(f"Host: {host.name if host and host.name else venue.host_partner}")
    if exercise.kind:
        lines.append(f"Kind: {exercise.kind}")
    lines.append(f"Exercise {exercise.id} of {programme_title(problem)}")
    summary = f"{exercise.name} ({exercise.id})" if exercise.name else exercise.id
    last_slot = event.start + exercise.duration - 1
    return Entry(
        uid=event_uid(problem, exercise.id),
        summary=one_line(summary),
        first_day=problem.slot_start(event.start),
        last_day=problem.slot_end(last_slot),
        location=one_line(location),
        description="\n".join(one_line(line) for line in lines),
    )


def calendar_entries(
    entries: Sequence[Entry], earlier: Mapping[str, Published]
) -> list[tuple[Entry, int]]:
    """Each entry with its SEQUENCE, and the earlier ones now cancelled.

    SEQUENCE starts at 0 and rises by one whenever what an event says
    changes; an unchanged event keeps its number, so re-importing the same
    plan changes nothing. An earlier event no longer planned comes back as
    CANCELLED (once, with its number raised; afterwards unchanged).
    """
    result = []
    for new in entries:
        before = earlier.get(new.uid)
        if before is None:
            result.append((new, 0))
        elif before.entry.content() == new.content():
            result.append((new, before.sequence))
        else:
            result.append((new, before.sequence + 1))
    planned = {new.uid for new in entries}
    for uid, before in earlier.items():
        if uid in planned:
            continue
        gone = replace(before.entry, status=CANCELLED)
        raised = before.sequence + (before.entry.status != CANCELLED)
        result.append((gone, raised))
    return result


END_CALENDAR = b"END:VCALENDAR\r\n"


def to_ical(
    name: str,
    entries: Iterable[tuple[Entry, int]],
    stamp: dt.datetime,
    written: dict[tuple[Entry, int], bytes] | None = None,
) -> bytes:
    """An iCalendar file of all-day events.

    Each event's VEVENT is written once per run and kept in ``written``: an
    exercise stands in the programme's file, its venue's and each
    participant's (dense xl: 6,100 VEVENTs of 1,500 exercises, 6 s of
    line folding when each was written again).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", one_line(name))
    head = bytes(calendar.to_ical())
    if written is None:
        written = {}
    events = []
    for item, sequence in entries:
        if (item, sequence) not in written:
            written[item, sequence] = _vevent(item, sequence, stamp)
        events.append(written[item, sequence])
    return head.removesuffix(END_CALENDAR) + b"".join(events) + END_CALENDAR


def _vevent(item: Entry, sequence: int, stamp: dt.datetime) -> bytes:
    event = CalendarEvent()
    event.add("uid", item.uid)
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("summary", item.summary)
    event.add("dtstart", item.first_day)
    event.add("dtend", item.last_day + dt.timedelta(days=1))
    event.add("location", item.location)
    event.add("description", item.description)
    event.add("status", item.status)
    event.add("transp", "OPAQUE")
    return bytes(event.to_ical())


def read_published(path: Path) -> dict[str, Published]:
    """The events of an earlier file by UID; empty when there is none.

    A file that cannot be read as iCalendar is treated as absent: the new
    file then starts every event at SEQUENCE 0, as a first publication.
    """
    try:
        calendar = Calendar.from_ical(path.read_bytes())
    except (OSError, ValueError):
        return {}
    published = {}
    for event in calendar.walk("VEVENT"):
        try:
            first, end = event.decoded("DTSTART"), event.decoded("DTEND")
            item = Entry(
                uid=str(event["UID"]),
                summary=str(event.get("SUMMARY", "")),
                first_day=_day(first),
                last_day=_day(end) - dt.timedelta(days=1),
                location=str(event.get("LOCATION", "")),
                description=str(event.get("DESCRIPTION", "")),
                status=str(event.get("STATUS", CONFIRMED)).upper(),
            )
            sequence = int(event.get("SEQUENCE", 0))
        except (KeyError, TypeError, ValueError):
            continue
        published[item.uid] = Published(sequence, item)
    return published


def _day(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise ValueError(f"not a date: {value!r}")


def calendar_files(problem: Problem, plan: Plan) -> dict[str, tuple[str, list[Entry]]]:
    """Each file to write (path relative to the result folder): its title and
    entries. Partners and venues with no event still get a file, so a
    subscription made once keeps working when a re-plan gives them one."""
    events = sorted(plan.events, key=lambda e: (e.start, e.exercise_id))
    entries = {e.exercise_id: entry(problem, e) for e in events}
    title = programme_title(problem)
    files = {PROGRAMME_ICS: (title, list(entries.values()))}
    partner_stems = file_stems([p.id for p in problem.partners])
    for partner in problem.partners:
        mine = [
            entry(problem, e, partner.id)
            for e in events
            if partner.id in e.participants
        ]
        path = f"{CALENDARS_DIR}/partner-{partner_stems[partner.id]}.ics"
        files[path] = (f"{title}: {partner.name or partner.id}", mine)
    venue_stems = file_stems([v.id for v in problem.venues])
    for venue in problem.venues:
        here = [entries[e.exercise_id] for e in events if e.venue_id == venue.id]
        path = f"{CALENDARS_DIR}/venue-{venue_stems[venue.id]}.ics"
        files[path] = (f"{title}: venue {venue.name or venue.id}", here)
    return files


def write_calendars(
    problem: Problem,
    plan: Plan,
    out_dir: Path,
    earlier: Sequence[Path] = (),
    stamp: dt.datetime | None = None,
) -> list[Path]:
    """Write schedule.ics and the partner and venue calendars; return the paths.

    Each file's SEQUENCE numbers continue those of the file it replaces in
    ``out_dir``, or, when there is none there, of the same file in the first
    of the ``earlier`` folders that holds it (the folder this result
    replaces, the baseline's result folder when re-planning).
    """
    stamp = stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    writes = []
    written: dict[tuple[Entry, int], bytes] = {}
    for relative, (title, entries) in calendar_files(problem, plan).items():
        target = out_dir / relative
        folders = (out_dir, *earlier)
        found = next((f / relative for f in folders if (f / relative).exists()), target)
        entries_now = calendar_entries(entries, read_published(found))
        text = to_ical(title, entries_now, stamp, written)
        writes.append((target, lambda temp, text=text: temp.write_bytes(text)))
    make_folder(out_dir / CALENDARS_DIR)
    # All or none: a calendar application never reads half a file, and the
    # partner files never run ahead of the programme's.
    replace_atomically(writes)
    return [target for target, _ in writes]
