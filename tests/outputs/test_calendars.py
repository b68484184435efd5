"""The plan as iCalendar files, read back with vobject (not the writer's library)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest
import vobject
from openpyxl import load_workbook

from planner.check import check_plan
from planner.domain import Event, Partner, Plan, Problem, Venue
from planner.outputs.calendars import (
    CALENDARS_DIR,
    PROGRAMME_ICS,
    event_uid,
    write_calendars,
)
from planner.workbook.read import read_problem
from planner.workbook.template import write_template
from tests.factories import MONDAY, exercise, make_problem

STAMP = dt.datetime(2027, 1, 1, 8, 0, tzinfo=dt.UTC)


def problem() -> Problem:
    return make_problem(
        [
            exercise(
                "EX-1",
                duration=2,
                name="Cold Response",
                kind="exercise",
                invited_partners=("NOR", "POL"),
            ),
            exercise("EX-2", name="Staff talks", invited_partners=("POL",)),
            exercise("EX-3", invited_partners=("NOR",)),
        ],
        partners=[Partner("NOR", name="Norway"), Partner("POL", name="Poland")],
        venues=[Venue("RENA", name="Rena camp"), Venue("USTKA")],
        name="sample",
    )


FIRST = Plan(
    (
        Event("EX-1", 0, "RENA", ("NOR", "POL")),
        Event("EX-2", 3, "USTKA", ("POL",)),
        Event("EX-3", 5, "RENA", ("NOR",)),
    )
)
# A re-plan: EX-1 moves a week later, EX-2 is dropped, EX-3 is unchanged.
SECOND = Plan(
    (
        Event("EX-1", 1, "RENA", ("NOR", "POL")),
        Event("EX-3", 5, "RENA", ("NOR",)),
    )
)


def events(path: Path) -> dict[str, object]:
    """VEVENTs by UID, parsed by vobject."""
    calendar = vobject.readOne(path.read_text(encoding="utf-8"))
    return {e.uid.value: e for e in calendar.vevent_list}


def test_every_held_exercise_is_an_all_day_event_over_its_dates(
    tmp_path: Path,
) -> None:
    p = problem()
    assert check_plan(p, FIRST) == []
    write_calendars(p, FIRST, tmp_path, stamp=STAMP)
    found = events(tmp_path / PROGRAMME_ICS)
    assert set(found) == {event_uid(p, e) for e in ("EX-1", "EX-2", "EX-3")}
    first = found[event_uid(p, "EX-1")]
    # Two weeks from Monday 2027-01-04: DTEND is the day after the last day.
    assert first.dtstart.value == MONDAY
    assert first.dtend.value == dt.date(2027, 1, 18)
    assert first.summary.value == "Cold Response (EX-1)"
    assert first.location.value == "Rena camp (RENA)"
    assert "Participants: NOR (Norway), POL (Poland)" in first.description.value
    assert first.status.value == "CONFIRMED"
    assert first.sequence.value == "0"
    assert found[event_uid(p, "EX-2")].location.value == "USTKA"


def test_partner_and_venue_calendars_hold_their_events(tmp_path: Path) -> None:
    p = problem()
    write_calendars(p, FIRST, tmp_path, stamp=STAMP)
    folder = tmp_path / CALENDARS_DIR
    nor = events(folder / "partner-NOR.ics")
    assert set(nor) == {event_uid(p, "EX-1"), event_uid(p, "EX-3")}
    ustka = events(folder / "venue-USTKA.ics")
    assert set(ustka) == {event_uid(p, "EX-2")}


def test_replan_keeps_uids_raises_sequence_and_cancels_dropped(
    tmp_path: Path,
) -> None:
    p = problem()
    assert check_plan(p, SECOND) == []
    write_calendars(p, FIRST, tmp_path, stamp=STAMP)
    write_calendars(p, SECOND, tmp_path, stamp=STAMP)
    found = events(tmp_path / PROGRAMME_ICS)
    moved, dropped, kept = (found[event_uid(p, e)] for e in ("EX-1", "EX-2", "EX-3"))
    assert len(found) == 3, "a re-plan updates events, it does not add copies"
    assert (moved.sequence.value, moved.status.value) == ("1", "CONFIRMED")
    assert moved.dtstart.value == MONDAY + dt.timedelta(days=7)
    assert (dropped.sequence.value, dropped.status.value) == ("1", "CANCELLED")
    assert (kept.sequence.value, kept.status.value) == ("0", "CONFIRMED")
    # POL's calendar loses EX-2: cancelled there too.
    pol = events(tmp_path / CALENDARS_DIR / "partner-POL.ics")
    assert pol[event_uid(p, "EX-2")].status.value == "CANCELLED"


def test_publishing_the_same_plan_again_changes_no_sequence(tmp_path: Path) -> None:
    p = problem()
    for _ in range(2):
        write_calendars(p, SECOND, tmp_path, stamp=STAMP)
    write_calendars(p, FIRST, tmp_path, stamp=STAMP)
    write_calendars(p, FIRST, tmp_path, stamp=STAMP)
    found = events(tmp_path / PROGRAMME_ICS)
    # EX-1 moved back (1), EX-2 new at 0, EX-3 never changed.
    assert {uid.split(".")[0]: e.sequence.value for uid, e in found.items()} == {
        "EX-1": "1",
        "EX-2": "0",
        "EX-3": "0",
    }


def test_a_new_folder_continues_the_baseline_folder(tmp_path: Path) -> None:
    p = problem()
    write_calendars(p, FIRST, tmp_path / "before", stamp=STAMP)
    write_calendars(p, SECOND, tmp_path / "after", [tmp_path / "before"], stamp=STAMP)
    found = events(tmp_path / "after" / PROGRAMME_ICS)
    assert found[event_uid(p, "EX-1")].sequence.value == "1"
    assert found[event_uid(p, "EX-2")].status.value == "CANCELLED"


def test_a_scenario_keeps_the_uids_of_its_programme(tmp_path: Path) -> None:
    """A scenario is a version of the same programme: adopting it must move
    or cancel the events partners hold, never add copies beside them."""
    workbook = tmp_path / "sample.xlsx"
    write_template(workbook, example=True)
    base, _ = read_problem(workbook)
    scenario, _ = read_problem(workbook, "budget-cut")
    assert base is not None and scenario is not None
    assert event_uid(base, "CR27") == "CR27.northern-training-2027@planner"
    assert event_uid(scenario, "CR27") == "CR27.northern-training-2027@planner"


@pytest.mark.slow
def test_a_scenario_planned_against_the_base_updates_its_events(
    tmp_path: Path,
) -> None:
    """`solve --scenario --baseline`: an event the scenario leaves where the
    base had it keeps its SEQUENCE; only what the scenario drops is cancelled."""
    from click.testing import CliRunner

    from planner import cli
    from tests.test_cli import SAMPLE, assert_checked, solve_checked

    base, scenario = tmp_path / "base", tmp_path / "pol-election"
    solve_checked(SAMPLE, base)
    ran = CliRunner().invoke(
        cli.main,
        ["solve", str(SAMPLE), "--scenario", "pol-election", "--baseline",
         str(base), "--out", str(scenario), "--time-limit", "30",
         "--workers", "1", "--deterministic", "--quiet"],
    )  # fmt: skip
    assert ran.exit_code == 0, ran.output
    assert_checked(SAMPLE, scenario, "pol-election")
    before, after = (
        {e["exercise_id"]: (e["start_slot"], e["venue_id"], e["participants"])
         for e in json.loads((folder / "schedule.json").read_text())["events"]}
        for folder in (base, scenario)
    )  # fmt: skip
    found = events(scenario / PROGRAMME_ICS)
    uid = "{}.northern-training-2027@planner".format
    assert set(found) == {uid(e) for e in (*before, *after)}
    for exercise_id, held in before.items():
        event = found[uid(exercise_id)]
        if exercise_id not in after:
            assert (event.status.value, event.sequence.value) == ("CANCELLED", "1")
        elif after[exercise_id] == held:
            assert (event.status.value, event.sequence.value) == ("CONFIRMED", "0")
        else:
            assert (event.status.value, event.sequence.value) == ("CONFIRMED", "1")
    # The election blackout (31 May to 13 June) moves BMI27, which had POL.
    assert after != before


def test_uids_come_from_the_programme_id_and_the_exercise_only() -> None:
    p = problem()
    renamed = replace(p, name="sample-v2")
    assert event_uid(p, "EX-1") == event_uid(renamed, "EX-1")
    other = replace(p, settings=replace(p.settings, programme_id="other"))
    assert event_uid(other, "EX-1") == "EX-1.other@planner"
    # Ids that one character apart would once have shared a UID stay apart.
    uids = {event_uid(p, i) for i in ("X/Y", "X Y", "X:Y", "X_Y", "X-Y")}
    assert len(uids) == 5


def test_renaming_the_workbook_keeps_every_uid(tmp_path: Path) -> None:
    """The same programme saved under another file name publishes the same
    events: a partner's calendar application updates them, never doubles."""
    import shutil

    from tests.test_cli import SAMPLE, solve_checked

    found = []
    for name in ("prog.xlsx", "prog-v2.xlsx"):
        workbook = tmp_path / name
        shutil.copy(SAMPLE, workbook)
        solve_checked(workbook, tmp_path / workbook.stem)
        found.append(set(events(tmp_path / workbook.stem / PROGRAMME_ICS)))
    assert found[0] == found[1]
    assert "CR27.northern-training-2027@planner" in found[0]


def typed_on_two_lines() -> Problem:
    """The problem above with line breaks typed (Alt+Enter, and the other
    forms a cell or a pasted text can hold) in every text a calendar shows."""
    p = problem()
    settings = replace(
        p.settings,
        title="Northern\nProgramme",
        classification="NATO RESTRICTED\r\nreleasable to NOR",
    )
    venues = (replace(p.venues[0], name="Rena\r\nTraining Area"), p.venues[1])
    partners = (replace(p.partners[0], name="Kingdom of\u2028Norway"), p.partners[1])
    first = replace(p.exercises[0], name="Cold \n Response", kind="live\x0bexercise")
    return replace(
        p,
        settings=settings,
        venues=venues,
        partners=partners,
        exercises=(first, *p.exercises[1:]),
    )


def test_line_breaks_typed_in_names_read_as_spaces(tmp_path: Path) -> None:
    """A line break in the title or a venue name once crashed the writer
    (exit 70, nothing written); in a calendar's name, an event's title and
    place, and each line of its notes, it reads as a space."""
    p = typed_on_two_lines()
    assert check_plan(p, FIRST) == []
    write_calendars(p, FIRST, tmp_path, stamp=STAMP)
    calendar = vobject.readOne((tmp_path / PROGRAMME_ICS).read_text(encoding="utf-8"))
    assert calendar.x_wr_calname.value == "Northern Programme"
    first = events(tmp_path / PROGRAMME_ICS)[event_uid(p, "EX-1")]
    assert first.summary.value == "Cold Response (EX-1)"
    assert first.location.value == "Rena Training Area (RENA)"
    assert first.description.value.splitlines() == [
        "Marking: NATO RESTRICTED releasable to NOR",
        "Participants: NOR (Kingdom of Norway), POL (Poland)",
        "Kind: live exercise",
        "Exercise EX-1 of Northern Programme",
    ]
    venue = tmp_path / CALENDARS_DIR / "venue-RENA.ics"
    named = vobject.readOne(venue.read_text(encoding="utf-8")).x_wr_calname.value
    assert named == "Northern Programme: venue Rena Training Area"


def test_a_name_on_two_lines_keeps_its_sequence_when_published_again(
    tmp_path: Path,
) -> None:
    p = typed_on_two_lines()
    for _ in range(2):
        write_calendars(p, FIRST, tmp_path, stamp=STAMP)
    found = events(tmp_path / PROGRAMME_ICS)
    assert {e.sequence.value for e in found.values()} == {"0"}


@pytest.mark.slow
def test_a_title_and_a_venue_on_two_lines_are_solved_and_published(
    tmp_path: Path,
) -> None:
    from tests.test_cli import SAMPLE, solve_checked

    workbook = tmp_path / "two-lines.xlsx"
    typed = load_workbook(SAMPLE)
    settings = typed["Settings"]
    title = next(row for row in settings.iter_rows() if row[0].value == "title")
    title[1].value = "Northern\nProgramme"
    venue = typed["Venues"]["B2"]
    venue_id = typed["Venues"]["A2"].value
    venue.value = "Setermoen\nTraining Area"
    typed.save(workbook)
    solve_checked(workbook, tmp_path / "out")
    text = (tmp_path / "out" / PROGRAMME_ICS).read_bytes().decode()
    assert "X-WR-CALNAME:Northern Programme\r\n" in text
    assert f"LOCATION:Setermoen Training Area ({venue_id})\r\n" in text
