"""A programme's year: re-planning against the committed plan with the past
kept, pins checked against every rule, pins written back into the workbook
(`planner.app.programme`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from planner.app.budget import SolveRequest
from planner.app.programme import check_pin, replan, write_pinned_workbook
from planner.app.solve import solve_workbook
from planner.app.verdict import Verdict
from planner.check import check_plan
from planner.domain import Event, Pin, Plan, SolveOptions, Status
from planner.figures import objective_terms
from planner.workbook.read import read_problem
from planner.workbook.read_schedule import read_plan
from tests.serve.conftest import SAMPLE

FAST = SolveOptions(time_limit_s=20, workers=1, deterministic=True)
TODAY = dt.date(2026, 12, 5)  # before the sample's year: nothing is frozen


def tallinn_closed(path: Path) -> Path:
    """The sample with the Tallinn cyber range closed 1 to 14 March 2027,
    where the committed plan holds CPX27 (from 1 March) and CYB-TTX (8 March)."""
    book = load_workbook(SAMPLE)
    book["Unavailability"].append(
        ["TLL", dt.datetime(2027, 3, 1), dt.datetime(2027, 3, 14), "network upgrade"]
    )
    book.save(path)
    return path


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's plan, as a programme commits it (11 exercises held)."""
    folder = tmp_path_factory.mktemp("committed")
    outcome = solve_workbook(SAMPLE, folder, SolveRequest(options=FAST))
    assert outcome.verdict is Verdict.DONE
    return folder


def placed(folder: Path, workbook: Path = SAMPLE) -> dict[str, tuple[str, str]]:
    """Each held exercise's start and venue in the result ``folder``."""
    problem, _ = read_problem(workbook)
    plan, findings = read_plan(problem, folder)
    assert plan is not None, findings
    return {
        e.exercise_id: (problem.slot_start(e.start).isoformat(), e.venue_id)
        for e in plan.events
    }


def test_a_replan_moves_only_what_the_change_forces_and_says_so(
    committed: Path, tmp_path: Path
) -> None:
    changed = tallinn_closed(tmp_path / "v2.xlsx")
    again = replan(
        changed, tmp_path / "v2", committed, TODAY, SolveRequest(options=FAST)
    )
    assert again.verdict is Verdict.DONE
    assert again.solved.violations == ()
    before, after = placed(committed), placed(tmp_path / "v2", changed)
    moved = {x for x in after if after[x] != before.get(x)}
    assert moved == {"CPX27", "CYB-TTX"}  # the two held at Tallinn then
    assert again.changes is not None
    differences = again.changes.comparison.differences
    assert {(d.exercise_id, str(d.change)) for d in differences} == {
        ("CPX27", "moved"),
        ("CYB-TTX", "moved"),
    }
    assert [r.label for r in again.changes.comparison.results] == [
        "committed plan",
        "this plan",
    ]
    # as `planner solve --baseline --freeze-before` plans it
    alone = solve_workbook(
        changed,
        tmp_path / "cli",
        SolveRequest(options=FAST, baseline=committed, freeze_before=TODAY),
    )
    assert placed(tmp_path / "cli", changed) == after
    assert alone.result is not None and again.solved.result is not None
    assert alone.result.objective == again.solved.result.objective


def test_the_frozen_past_is_kept_even_when_it_now_breaks_a_rule(
    committed: Path, tmp_path: Path
) -> None:
    # Frozen before 5 March: CPX27 (the week from 1 March, at Tallinn) has
    # happened, though Tallinn is now closed then: named, not moved.
    changed = tallinn_closed(tmp_path / "v2.xlsx")
    again = replan(
        changed,
        tmp_path / "v2",
        committed,
        dt.date(2027, 3, 5),
        SolveRequest(options=FAST),
    )
    assert again.verdict is Verdict.INFEASIBLE
    assert again.solved.result is not None
    assert again.solved.result.status is Status.INFEASIBLE
    assert again.solved.result.frozen_violations == (
        "Frozen event CPX27 (starts 2027-03-01) breaks a rule: venue TLL is "
        "unavailable 2027-03-01 to 2027-03-07 (network upgrade)",
    )
    assert again.changes is None


def test_a_pin_that_breaks_a_rule_by_itself_is_refused_with_the_rule_named(
    committed: Path,
) -> None:
    checked = check_pin(
        SAMPLE, committed, Pin("CYB-TTX", dt.date(2027, 6, 7), "SET"), TODAY
    )
    assert checked.verdict is Verdict.BROKEN_RULES
    assert not checked.allowed
    assert [(v.rule, v.message) for v in checked.broken] == [
        (
            "venue_not_allowed",
            "Pinned event CYB-TTX (starts 2027-06-07) breaks a rule: venue SET is "
            "not one of its venues (TLL)",
        ),
        (
            "venue_capability",
            "Pinned event CYB-TTX (starts 2027-06-07) breaks a rule: venue SET "
            "lacks capability cyber range",
        ),
    ]


def test_a_pin_with_room_gives_the_objective_change_the_checker_reckons(
    committed: Path,
) -> None:
    pin = Pin("CYB-TTX", dt.date(2027, 3, 29), "TLL")
    checked = check_pin(SAMPLE, committed, pin, TODAY)
    assert checked.verdict is Verdict.DONE and checked.clashes == ()
    assert checked.event is not None
    assert (checked.event.start, checked.event.venue_id) == (pin.start, "TLL")
    problem, _ = read_problem(SAMPLE)
    plan, _ = read_plan(problem, committed)
    there = Event(
        "CYB-TTX", problem.slot_of(pin.start), "TLL", checked.event.participants
    )
    moved = Plan((*(e for e in plan.events if e.exercise_id != "CYB-TTX"), there))
    assert check_plan(problem, moved) == []
    reckoned = sum(objective_terms(problem, moved).values())
    assert checked.change == reckoned - sum(objective_terms(problem, plan).values())


def test_a_pin_that_clashes_with_the_plan_lists_what_the_replan_must_move(
    committed: Path,
) -> None:
    # CPX27 holds Tallinn, FIN, POL and the JCSC staff in the week of 1 March.
    checked = check_pin(
        SAMPLE, committed, Pin("CYB-TTX", dt.date(2027, 3, 1), "TLL"), TODAY
    )
    assert checked.allowed and checked.change is None
    assert {v.rule for v in checked.clashes} == {
        "partner_concurrency",
        "asset_capacity",
    }
    assert all("CPX27, CYB-TTX" in v.message for v in checked.clashes)


def test_the_frozen_past_cannot_be_pinned(committed: Path) -> None:
    moved = check_pin(
        SAMPLE,
        committed,
        Pin("CYB-TTX", dt.date(2027, 5, 3), "TLL"),
        dt.date(2027, 3, 10),
    )
    assert moved.frozen == (
        "CYB-TTX starts 2027-03-08, before 2027-03-10: the past is kept as it is, "
        "so it cannot move"
    )
    into = check_pin(
        SAMPLE,
        committed,
        Pin("NBST", dt.date(2027, 3, 1), "TLL"),
        dt.date(2027, 3, 10),
    )
    assert into.frozen == (
        "2027-03-01 is before 2027-03-10: the past is kept as it is, so nothing "
        "moves into it"
    )
    assert not moved.allowed and not into.allowed


def test_an_unknown_exercise_cannot_be_pinned(committed: Path) -> None:
    checked = check_pin(SAMPLE, committed, Pin("NOPE", dt.date(2027, 3, 1), "TLL"))
    assert checked.unknown_exercise and checked.verdict is Verdict.INVALID


def test_pins_are_written_back_and_the_replan_holds_them(
    committed: Path, tmp_path: Path
) -> None:
    pins = [
        Pin("CYB-TTX", dt.date(2027, 3, 1), "TLL"),
        Pin("GONE", dt.date(2027, 3, 1), "TLL"),
    ]
    written = write_pinned_workbook(SAMPLE, pins, tmp_path / "pinned.xlsx")
    assert written.verdict is Verdict.DONE
    assert [f.message for f in written.findings] == [
        "exercise GONE is pinned but has no row here; its pin was not written"
    ]
    problem, _ = read_problem(written.path)
    exercise = problem.exercise["CYB-TTX"]
    assert problem.slot_start(exercise.fixed_start) == dt.date(2027, 3, 1)
    assert exercise.fixed_venue == "TLL"
    again = replan(
        written.path, tmp_path / "re", committed, TODAY, SolveRequest(options=FAST)
    )
    assert again.verdict is Verdict.DONE
    assert placed(tmp_path / "re", written.path)["CYB-TTX"] == ("2027-03-01", "TLL")
