"""The robustness study: drawn futures, the fate of every committed exercise."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from planner.app.plans import plan_problem
from planner.app.robustness import (
    draw_samples,
    outcome_of,
    run_study,
    shocked,
    study_warnings,
    tally,
)
from planner.check import check_plan
from planner.domain import Event, Partner, Plan, Result, SolveOptions, Status, Venue
from planner.engines.local import LocalEngine
from planner.outputs.study_xlsx import write_study
from planner.report import LOST, MOVED, PARTNERS, UNCHANGED, Draw
from planner.workbook.read import read_problem
from tests.factories import exercise, make_problem

SAMPLE = Path(__file__).resolve().parents[2] / "instances" / "sample.xlsx"
# The sample's partners in order, with the chance each drops out.
DROPOUT = {"FIN": 0.3, "USA": 0.2, "GBR": "25%", "FRA": 0.1}


def risky_workbook(path: Path, chances: dict[str, object] = DROPOUT) -> Path:
    """The sample with drop-out ``chances`` on Partners and a budget shock."""
    shutil.copy(SAMPLE, path)
    workbook = load_workbook(path)
    partners = workbook["Partners"]
    column = partners.max_column + 1
    partners.cell(1, column, "dropout_probability")
    for row in range(2, partners.max_row + 1):
        partners.cell(row, column, chances.get(partners.cell(row, 1).value))
    workbook["Settings"].append(["budget_shock_probability", 0.3])
    workbook["Settings"].append(["budget_shock_cut", "15%"])
    workbook.save(path)
    return path


@pytest.fixture(scope="module")
def risky(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return risky_workbook(tmp_path_factory.mktemp("study") / "risky.xlsx")


def test_probabilities_are_read_from_partners_and_settings(risky: Path) -> None:
    problem, findings = read_problem(risky)
    assert problem is not None and findings == []
    chances = {p.id: p.dropout_probability for p in problem.partners}
    assert chances["FIN"] == 0.3 and chances["GBR"] == 0.25 and chances["NOR"] == 0
    assert problem.settings.budget_shock_probability == 0.3
    assert problem.settings.budget_shock_cut == 0.15


@pytest.mark.parametrize(
    ("bad", "shown"), [(1.5, "1.5"), ("-10%", '"-10%"'), ("often", '"often"')]
)
def test_a_probability_outside_0_to_1_is_an_error_at_its_cell(
    tmp_path: Path, bad: object, shown: str
) -> None:
    path = risky_workbook(tmp_path / "bad.xlsx")
    workbook = load_workbook(path)
    partners = workbook["Partners"]
    partners.cell(2, partners.max_column, bad)
    workbook.save(path)
    problem, findings = read_problem(path)
    assert problem is None
    letter = partners.cell(2, partners.max_column).column_letter
    assert [str(f) for f in findings] == [
        f"Partners!{letter}2: dropout_probability must be a share from 0 to 1 "
        f"(or 0% to 100%), got {shown}"
    ]


def test_the_same_seed_draws_the_same_samples(risky: Path) -> None:
    problem, _ = read_problem(risky)
    assert problem is not None
    first = draw_samples(problem, 30, seed=5)
    assert draw_samples(problem, 30, seed=5) == first
    assert draw_samples(problem, 10, seed=5) == first[:10]  # k does not depend on N
    assert draw_samples(problem, 30, seed=6) != first
    dropped = {p for draw in first for p in draw.dropped}
    assert dropped <= set(DROPOUT) and dropped  # only partners with a chance
    assert {draw.budget_cut for draw in first} == {None, 0.15}


def test_certain_and_impossible_events() -> None:
    problem = make_problem(
        [exercise("X")],
        partners=[Partner("A", dropout_probability=1.0), Partner("B")],
        total_budget=1000,
    )
    problem = replace(
        problem, settings=replace(problem.settings, budget_shock_probability=1.0)
    )
    draws = draw_samples(problem, 3, seed=0)
    assert [d.dropped for d in draws] == [("A",)] * 3
    assert [d.budget_cut for d in draws] == [0.1] * 3
    changed = shocked(problem, draws[0])
    assert changed.settings.total_budget == 900  # 1000 less 10%
    whole = changed.partner["A"].unavailable[-1]
    assert (whole.first, whole.last) == (0, problem.n_slots - 1)
    assert str(draws[0]) == "A drops out; total budget cut by 10%"


def test_each_committed_exercise_gets_one_fate() -> None:
    problem = make_problem(
        [exercise(eid, invited_partners=("A", "B")) for eid in "PQRS"],
        venues=[Venue("V", max_concurrent=4)],
    )
    committed = Plan(tuple(Event(eid, 0, "V", ("A",)) for eid in "PQRS"))
    replanned = Plan(
        (
            Event("P", 0, "V", ("A",)),  # as committed
            Event("Q", 1, "V", ("A",)),  # a week later
            Event("R", 0, "V", ("A", "B")),  # B joins
        )  # S is no longer held
    )
    result = Result(Status.FEASIBLE, replanned, objective=1)
    outcome = outcome_of(problem, committed, Draw(1), result)
    assert dict(outcome.fates) == {"P": UNCHANGED, "Q": MOVED, "R": PARTNERS, "S": LOST}
    no_plan = outcome_of(problem, committed, Draw(2), Result(Status.INFEASIBLE, None))
    counted = tally(problem, committed, 0, [outcome, no_plan])
    assert counted.planned == 1  # the sample without a plan counts in no tally
    assert {t.exercise_id: t.counts[LOST] for t in counted.exercises} == {
        "P": 0,
        "Q": 0,
        "R": 0,
        "S": 1,
    }
    assert counted.fragile_first[0].exercise_id == "S"  # never unchanged, lost


@pytest.mark.slow
def test_a_study_of_the_sample_writes_robustness_xlsx(
    risky: Path, tmp_path: Path
) -> None:
    problem, _ = read_problem(risky)
    assert problem is not None
    options = SolveOptions(time_limit_s=1, workers=2, deterministic=True)
    plan = plan_problem(problem, options).plan
    assert plan is not None and check_plan(problem, plan) == []
    heard: list[tuple[int, int]] = []
    study = run_study(
        problem,
        plan,
        4,
        3,
        options,
        LocalEngine(),
        lambda _, k, n: heard.append((k, n)),
    )
    assert sorted(heard) == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert [s.draw.name for s in study.samples] == [
        f"sample-00{k}" for k in (1, 2, 3, 4)
    ]
    for tallied in study.exercises:
        assert sum(tallied.counts.values()) == study.planned
    path = write_study(study, tmp_path)
    assert path == tmp_path / "robustness.xlsx"
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["Exercises", "Goals", "Samples"]
    rows = list(book["Samples"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Sample", "Drawn", "Status")  # headings in words
    assert [row[0] for row in rows[1:]] == [s.draw.name for s in study.samples]


def test_a_study_without_risks_says_so() -> None:
    problem = make_problem([exercise("X")])
    assert study_warnings(problem) == [
        "no partner has a dropout_probability and no budget cut can be drawn: "
        "every sample is the programme as it is (docs/workbook.md, Robustness study)"
    ]
