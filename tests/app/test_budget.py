"""One time limit for the whole solve, and the bound of a run of many plans."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner import cli
from planner.app.budget import RunBudget, SolveRequest
from planner.app.plans import plan_problem, run_bound
from planner.app.publish import brief_s, write_result, writing_s
from planner.check import check_plan
from planner.domain import Problem, SolveOptions
from tests.factories import exercise, make_problem

SAMPLE = Path(__file__).parents[2] / "instances" / "sample.xlsx"
LIMIT = SolveRequest(options=SolveOptions(time_limit_s=100))


def test_a_small_programme_searches_until_the_explanations_share() -> None:
    # Writing a small programme's results fits in the seconds the command
    # may run past its limit, so nothing is kept for it: the search ends at
    # 90 s and the explanations get the last tenth of the limit.
    problem = make_problem([exercise("EX1")])
    budget = RunBudget.of(problem, LIMIT, began=1000.0)
    assert budget.search.at == pytest.approx(1090.0)
    assert budget.explaining.at == pytest.approx(1100.0)


def test_writing_a_large_programme_is_kept_free_at_the_end() -> None:
    # 500 exercises and two partners, as dense l (issue 5: writing took 9.6 s
    # of which the brief 8.2 s, measured by benchmarks/write_time.py, when
    # 4.3 s were kept): the schedule and calendars 0.5 + 500 * 0.005 + 2 *
    # 0.01 = 3.02 s, the brief 1.5 + 500 * 0.017 = 10 s; 3 s of the 13.02 s
    # fall after the limit: 10.02 s are kept.
    problem = make_problem([exercise(f"E{i}") for i in range(500)])
    assert writing_s(problem) == pytest.approx(13.02)
    budget = RunBudget.of(problem, LIMIT, began=0.0)
    assert budget.explaining.at == pytest.approx(100 - 10.02)
    assert budget.search.at == pytest.approx(100 - 10.02 - 10)


def test_the_brief_of_a_huge_programme_costs_no_more_than_its_table() -> None:
    # The brief lists at most 1,000 events: 1,500 exercises cost the brief
    # 1.5 + 1,000 * 0.017 = 18.5 s, the schedule 0.5 + 1,500 * 0.005 + 0.02.
    problem = make_problem([exercise(f"E{i}") for i in range(1500)])
    assert brief_s(problem) == pytest.approx(18.5)
    assert writing_s(problem) == pytest.approx(18.5 + 8.02)


def test_asking_for_more_explaining_time_moves_only_the_explanations() -> None:
    problem = make_problem([exercise("EX1")])
    more = SolveRequest(options=SolveOptions(time_limit_s=100), explain_s=30)
    budget = RunBudget.of(problem, more, began=0.0)
    assert budget.search.at == pytest.approx(90.0)
    assert budget.explaining.at == pytest.approx(130.0)


def test_a_slow_reading_keeps_more_free_for_writing() -> None:
    # Reading took 4 s (a loaded machine): writing 200 exercises (6.42 s by
    # their size) may take 3.5 times that, 14 s, of which 3 s fall after the
    # limit; the search ends 11 s before the limit.
    problem = make_problem([exercise(f"E{i}") for i in range(200)])
    assert writing_s(problem) == pytest.approx(6.42)
    assert writing_s(problem, read_s=4.0) == pytest.approx(14.0)
    budget = RunBudget.of(problem, LIMIT, began=0.0, read_s=4.0)
    assert budget.explaining.at == pytest.approx(100 - 11)
    assert budget.search.at == pytest.approx(100 - 11 - 10)


def test_a_slow_reading_of_a_small_programme_leaves_the_search_its_time() -> None:
    # Reading 13 exercises took 8 s (a cold disk, a network share): 3.5 times
    # that would keep 28 s of a 30 s limit for writing, which never takes
    # more than about 4 times what its size asks; so that is kept.
    problem = make_problem([exercise(f"E{i}") for i in range(13)])
    sized = writing_s(problem)
    assert writing_s(problem, read_s=8.0) == pytest.approx(4 * sized)
    thirty = SolveRequest(options=SolveOptions(time_limit_s=30))
    budget = RunBudget.of(problem, thirty, began=0.0, read_s=8.0)
    # 3 s of writing fall after the limit, 3 s go to explanations
    assert budget.search.at == pytest.approx(30 - (4 * sized - 3) - 3)
    assert budget.search.at > 20


class _Cores:
    """An engine of ``n`` cores, as far as the bound asks."""

    name = "local"

    def __init__(self, n: int) -> None:
        self.n = n

    def cores(self) -> int:
        return self.n


def test_a_run_of_many_plans_states_its_bound_up_front() -> None:
    # Five variants at 60 s on two cores: the base alone, then the variants
    # two at a time (one core each) in three rounds; each plan is written
    # (0.5 + 0.005 + 2 * 0.01 s for one exercise and two partners, its brief
    # 1.5 + 0.017 s) and the workers start once (5 s).
    problem = make_problem([exercise("EX1")])
    options = SolveOptions(time_limit_s=60)
    bound, line = run_bound(problem, 5, options, _Cores(2))
    each = 60 + 2.042
    assert bound == pytest.approx(each + 5 + 3 * each)
    assert line == (
        "Planning the base and 5 other plans, each searched for at most 60 s, "
        "2 at a time: the whole run ends within about 5 min."
    )
    # A study re-plans its samples against a plan it is given: no base.
    bound, line = run_bound(problem, 1, options, _Cores(2), base=False)
    assert bound == pytest.approx(5 + each)
    assert line.startswith("Planning 1 plan, each searched for at most 60 s, 1 at")
    assert line.endswith("ends within about 68 s.")


# What a result of `make_problem`'s programme holds besides its brief.
PLAN_FILES = {"schedule.xlsx", "schedule.json", "schedule.ics"} | {
    "partner-A.ics",
    "partner-B.ics",
    "venue-V.ics",
}


def _stopped_write(problem: Problem, folder: Path) -> tuple[set[str], list[str]]:
    """Plan ``problem``, then write its result as a run stopped by a signal
    does: the files written and the warnings."""
    result = plan_problem(problem, SolveOptions(time_limit_s=10, deterministic=True))
    assert result.plan is not None
    assert check_plan(problem, result.plan) == []
    stopped = threading.Event()
    stopped.set()
    written = write_result(problem, result, folder, SAMPLE, cancel=stopped)
    return {p.name for p in written.files}, list(written.warnings)


def test_a_stopped_run_leaves_a_long_brief_for_later(tmp_path: Path) -> None:
    # Issue 19: Ctrl-C took 14-18 s to end a dense-l solve, writing its
    # brief. 60 exercises: the brief may take 1.5 + 60 * 0.017 = 2.52 s, more
    # than a stopped run's 2.5 s: the plan is written, the brief is not.
    problem = make_problem([exercise(f"E{i:02}") for i in range(60)])
    out = tmp_path / "out"
    files, warnings = _stopped_write(problem, out)
    assert files == PLAN_FILES
    assert warnings == [
        "brief.pdf and brief.html were not written, so as to stop at once; "
        f"make them with: planner brief {out}"
    ]
    made = CliRunner().invoke(cli.main, ["brief", str(out)])
    assert made.exit_code == 0, made.output
    assert (out / "brief.pdf").exists() and (out / "brief.html").exists()


def test_a_stopped_run_still_writes_a_short_brief(tmp_path: Path) -> None:
    problem = make_problem([exercise(f"E{i:02}") for i in range(58)])
    files, warnings = _stopped_write(problem, tmp_path / "out")
    assert files == PLAN_FILES | {"brief.html", "brief.pdf"}
    assert warnings == []
