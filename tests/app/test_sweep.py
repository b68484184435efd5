"""Generated sweeps: the variants each option makes, ranked by impact."""

from __future__ import annotations

import datetime as dt
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from planner import cli
from planner.app.progress import RunProgress
from planner.app.sweep import (
    Impact,
    SweepError,
    SweepOutcome,
    SweepSpec,
    Variant,
    close_venue,
    cut_budget,
    drop_partner,
    impact,
    quarter_periods,
    ranked,
    sweep_variants,
    sweep_workbook,
)
from planner.app.verdict import Verdict
from planner.check import check_plan
from planner.domain import Problem, Result, SolveOptions, Status, Venue
from planner.workbook.read import read_problem
from planner.workbook.read_schedule import read_plan
from tests.app.test_robustness import risky_workbook
from tests.factories import exercise, make_problem

SAMPLE = Path(__file__).resolve().parents[2] / "instances" / "sample.xlsx"
OPTIONS = SolveOptions(time_limit_s=1, workers=2, deterministic=True)


def year_problem(start: dt.date, end: dt.date) -> Problem:
    """Venues V and W, partners A and B, from ``start`` to ``end``."""
    problem = make_problem(
        [exercise("X")], venues=[Venue("V"), Venue("W")], total_budget=1_980_000
    )
    settings = replace(problem.settings, planning_start=start, planning_end=end)
    return replace(problem, settings=settings)


def test_a_partner_that_drops_out_is_unavailable_all_horizon() -> None:
    problem = make_problem([exercise("X")])
    dropped = drop_partner(problem, "B")
    assert dropped.partner["A"] == problem.partner["A"]
    period = dropped.partner["B"].unavailable[-1]
    assert (period.first, period.last) == (0, 9)  # the 10 weeks of the horizon
    assert period.reason == "drops out"


def test_a_budget_cut_is_exact_and_needs_a_budget() -> None:
    problem = make_problem([exercise("X")], total_budget=1_980_000)
    assert cut_budget(problem, 10).settings.total_budget == 1_782_000
    assert cut_budget(problem, 33).settings.total_budget == 1_326_600
    with pytest.raises(SweepError, match="sets no total_budget in Settings"):
        cut_budget(make_problem([exercise("X")]), 10)


def test_a_quarter_is_closed_in_every_year_the_horizon_touches() -> None:
    # 2027-01-04 (a Monday) to 2028-02-27: Q1 of 2027 and the first weeks of
    # 2028's; Q3 once.
    problem = year_problem(dt.date(2027, 1, 4), dt.date(2028, 2, 27))
    assert quarter_periods(problem, 1) == [(0, 12), (51, 59)]
    # 2027-07-01 is in week 25 (from 2027-06-28), 2027-09-30 in week 38.
    assert quarter_periods(problem, 3) == [(25, 38)]
    closed = close_venue(problem, "W", 1)
    assert [(p.first, p.last) for p in closed.venue["W"].unavailable] == [
        (0, 12),
        (51, 59),
    ]
    assert closed.venue["V"] == problem.venue["V"]


def test_each_option_makes_its_variants_in_order() -> None:
    problem = year_problem(dt.date(2027, 1, 4), dt.date(2027, 5, 30))  # Q1, Q2
    spec = SweepSpec(
        drop_each_partner=True, budget_cuts=(10, 30), close_quarters=(2, 3)
    )
    assert [v.name for v in sweep_variants(problem, spec)] == [
        "drop-A",
        "drop-B",
        "budget-cut-10",
        "budget-cut-30",
        "close-V-Q2",
        "close-W-Q2",  # Q3 is outside the horizon: no variant
    ]


def test_impact_and_ranking_most_harmful_first() -> None:
    problem = make_problem([exercise("X")])
    variant = Variant("v", "v", problem)
    base = Result(Status.OPTIMAL, None, objective=100)
    no_plan = impact(base, variant, Result(Status.INFEASIBLE, None))
    assert no_plan == Impact("v", "v", "infeasible", None, 0, 0)
    impacts = [
        Impact("small", "", "optimal", 10, 0, 3),
        Impact("none", "", "infeasible", None, 0, 0),
        Impact("large", "", "optimal", 500, 1, 0),
        Impact("moves", "", "optimal", 10, 0, 5),
    ]
    assert [i.name for i in ranked(impacts)] == ["none", "large", "moves", "small"]


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> tuple[SweepOutcome, Path]:
    out = tmp_path_factory.mktemp("sweep")
    return sweep_workbook(SAMPLE, out, SPEC, OPTIONS), out


SPEC = SweepSpec(drop_each_partner=True, budget_cuts=(30,))


@pytest.mark.slow
def test_a_sweep_of_the_sample_ranks_every_variant(
    swept: tuple[SweepOutcome, Path],
) -> None:
    done, out = swept
    assert done.planned and done.base is not None and not done.failed
    assert done.verdict is Verdict.DONE
    names = [i.name for i in done.impacts]
    assert sorted(names) == sorted(
        [f"drop-{p}" for p in ("NOR", "POL", "EST", "FIN", "GBR", "DEU", "FRA", "USA")]
        + ["budget-cut-30"]
    )
    assert names == [i.name for i in ranked(list(done.impacts))]
    # The comparison's columns follow the ranking, base first.
    book = load_workbook(out / "comparison.xlsx", read_only=True)
    header = next(book["KPIs"].iter_rows(values_only=True))
    assert [h for h in header if h][1:] == ["base", *names]
    # Without a plan first; every plan written is checker-clean.
    has_plan = [i.has_plan for i in done.impacts]
    assert has_plan == sorted(has_plan)
    base = read_problem(SAMPLE)[0]
    assert base is not None and done.broken == ()
    problems = {v.name: v.problem for v in sweep_variants(base, SPEC)}
    for name in ("base", *names):
        if (out / name / "schedule.json").is_file():
            problem = problems.get(name, base)
            plan, _ = read_plan(problem, out / name)
            assert plan is not None and check_plan(problem, plan) == []


def run(*args: object) -> object:
    return CliRunner().invoke(cli.main, [str(a) for a in args])


@pytest.mark.slow
def test_cli_sweep_prints_the_ranking(tmp_path: Path) -> None:
    result = run(
        "sweep", SAMPLE, "--budget-cut", "10,30", "--out", tmp_path,
        "--time-limit", 1, "--workers", 2, "--deterministic",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "base: " in result.output and "(1 of 3)" in result.output
    lines = result.output.splitlines()
    cut30 = next(n for n, line in enumerate(lines) if "budget-cut-30" in line)
    cut10 = next(n for n, line in enumerate(lines) if "│ budget-cut-10" in line)
    assert cut30 < cut10  # the deeper cut hurts more and ranks higher
    assert f"Wrote {tmp_path / 'comparison.xlsx'}" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--budget-cut", "10,200"], "'10,200': give whole percents from 1 to 99"),
        (["--close-each-venue", "Q5"], "'Q5': give quarters Q1 to Q4, e.g. Q1,Q3"),
        ([], "The sweep asks for no variant: give --drop-each-partner"),
    ],
)
def test_cli_sweep_refuses_what_it_cannot_make(
    args: list[str], message: str, tmp_path: Path
) -> None:
    result = run("sweep", SAMPLE, "--out", tmp_path, *args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "comparison.xlsx").exists()


def test_cli_whatif_on_ray_without_ray_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    result = run("whatif", SAMPLE, "--out", tmp_path, "--engine", "ray")
    assert result.exit_code == 2
    assert result.output == (
        "Ray is not installed: install planner with its Ray extra "
        '(pip install ".[ray]") or use --engine local.\n'
    )


@pytest.mark.slow
def test_cli_robustness_counts_every_committed_exercise(tmp_path: Path) -> None:
    risky = risky_workbook(tmp_path / "risky.xlsx")
    solved = run("solve", risky, "--out", tmp_path / "plan", "--time-limit", 1,
                 "--workers", 2, "--deterministic", "--quiet")  # fmt: skip
    assert solved.exit_code == 0, solved.output
    result = run(
        "robustness", risky, tmp_path / "plan", "--samples", 3, "--seed", 4,
        "--out", tmp_path / "study", "--time-limit", 1, "--workers", 2,
        "--deterministic",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "3 samples (seed 4): " in result.output
    assert "(3 of 3)" in result.output
    assert f"Wrote {tmp_path / 'study' / 'robustness.xlsx'}" in result.output
    assert (tmp_path / "study" / "robustness.xlsx").is_file()


@pytest.mark.slow
def test_a_sweep_stopped_after_its_first_variant_writes_what_it_found(
    tmp_path: Path,
) -> None:
    # Two variants at a time on two cores: once the first has ended, the
    # cancel stops the other running one (it keeps its best plan) and the two
    # not yet started never start; the comparison says which are missing.
    cancel = threading.Event()

    def stop_after_the_first_variant(progress: RunProgress) -> None:
        if progress.runs is not None and progress.runs[0] == 2:
            cancel.set()

    spec = SweepSpec(budget_cuts=(10, 20, 30, 40))
    options = SolveOptions(time_limit_s=5, workers=2, deterministic=True)
    done = sweep_workbook(
        SAMPLE, tmp_path, spec, options, progress=stop_after_the_first_variant,
        cancel=cancel,
    )  # fmt: skip
    assert done.verdict is Verdict.INTERRUPTED
    assert len(done.stopped) == 2 and done.broken == ()
    assert len(done.impacts) == 2
    assert done.comparison is not None
    missing = done.comparison.comparison.warnings[-1]
    assert missing == (
        f"not planned, the run was stopped first: {', '.join(done.stopped)}"
    )
    assert (tmp_path / "comparison.xlsx").is_file()
    for name in done.stopped:
        assert not (tmp_path / name).exists()
