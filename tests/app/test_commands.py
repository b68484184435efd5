"""The application layer's call for each command, and the hooks a solve takes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from planner.app.budget import SolveRequest
from planner.app.compare import compare_files
from planner.app.examine import check_schedule, conflict_of_workbook, suggest_placements
from planner.app.progress import FINDING, PLANNING, WARNING, RunProgress
from planner.app.robustness import robustness_workbook
from planner.app.solve import solve_workbook
from planner.app.sweep import SweepSpec, sweep_workbook
from planner.app.validate import (
    engine_unavailable,
    generate_workbook,
    write_template_file,
)
from planner.app.verdict import Verdict
from planner.app.whatif import whatif_workbook
from planner.check import check_plan
from planner.domain import (
    EngineChoice,
    Event,
    Plan,
    Problem,
    SolveOptions,
)
from planner.model.probe import best_with
from planner.workbook.generate import generate
from planner.workbook.read import read_problem
from planner.workbook.template import write_workbook
from tests.serve.conftest import SAMPLE, write_broken_workbook

FAST = SolveOptions(time_limit_s=20, deterministic=True)
INFEASIBLE = SAMPLE.parent / "infeasible.xlsx"


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample, solved and written once for the module's questions."""
    folder = tmp_path_factory.mktemp("solved")
    outcome = solve_workbook(SAMPLE, folder, SolveRequest(options=FAST))
    assert outcome.verdict is Verdict.DONE
    return folder


@pytest.mark.slow
def test_a_solve_tells_its_stages_in_order(tmp_path: Path) -> None:
    heard: list[str] = []

    def read(problem: Problem, findings: object) -> None:
        heard.append(f"read {len(problem.exercises)}")

    def stage(progress: RunProgress) -> None:
        if not heard or heard[-1] != progress.stage:
            heard.append(progress.stage)

    outcome = solve_workbook(
        SAMPLE, tmp_path, SolveRequest(options=FAST), stage, read=read
    )
    assert heard == ["reading", "read 13", "searching", "explaining", "writing"]
    assert outcome.problem is not None and outcome.result is not None
    assert outcome.result.plan is not None
    assert check_plan(outcome.problem, outcome.result.plan) == []


def test_a_baseline_that_cannot_be_read_plans_nothing(tmp_path: Path) -> None:
    request = SolveRequest(options=FAST, baseline=tmp_path / "missing")
    outcome = solve_workbook(SAMPLE, tmp_path / "out", request)
    assert outcome.problem is not None
    assert outcome.result is None
    assert [f.severity.value for f in outcome.findings][-1:] == ["error"]


def test_the_conflict_of_an_infeasible_workbook_names_its_rows() -> None:
    found = conflict_of_workbook(INFEASIBLE, time_limit_s=20)
    assert found.valid and found.conflict is not None
    assert found.conflict.lines
    assert any("NOR" in line for line in found.conflict.lines)
    assert conflict_of_workbook(SAMPLE, time_limit_s=20).conflict is None


def test_a_workbook_with_errors_is_not_examined(tmp_path: Path) -> None:
    broken = write_broken_workbook(tmp_path / "broken.xlsx")
    assert not conflict_of_workbook(broken).valid
    assert not check_schedule(broken, tmp_path).reading.valid
    assert not suggest_placements(broken, tmp_path, "URB27").reading.valid


@pytest.mark.slow
def test_suggestions_are_placements_that_keep_every_rule(solved: Path) -> None:
    found = suggest_placements(SAMPLE, solved, "URB27", top=2)
    plan = found.reading.plan
    assert plan is not None and len(found.suggestions) == 2
    problem, _ = read_problem(SAMPLE)
    assert problem is not None
    for suggestion in found.suggestions:
        assert suggestion.text.startswith("URB27 at ")
        moved = Event("URB27", suggestion.start, suggestion.venue_id,
                      suggestion.participants)  # fmt: skip
        others = [e for e in plan.events if e.exercise_id != "URB27"]
        assert check_plan(problem, Plan((*others, moved))) == []
    unknown = suggest_placements(SAMPLE, solved, "NOPE")
    assert unknown.unknown_exercise and unknown.suggestions == ()


def test_check_recomputes_the_objective_of_a_written_plan(
    solved: Path, tmp_path: Path
) -> None:
    checked = check_schedule(SAMPLE, solved)
    assert checked.violations == ()
    assert checked.objective == 3_379_000
    unread = check_schedule(SAMPLE, tmp_path / "missing.json")
    assert unread.reading.valid and unread.reading.plan is None
    assert unread.reading.plan_findings


def test_compare_files_writes_the_comparison(solved: Path, tmp_path: Path) -> None:
    compared = compare_files([solved, solved / "schedule.json"], tmp_path)
    assert compared.file == tmp_path / "comparison.xlsx"
    assert compared.file.exists()
    assert compared.report is not None
    assert compared.report.comparison.differences == ()
    missing = compare_files([solved, tmp_path / "nowhere"], tmp_path)
    assert missing.report is None and missing.error
    broken = write_broken_workbook(tmp_path / "broken.xlsx")
    assert not compare_files([solved, solved], tmp_path, broken).valid


def test_a_generated_programme_and_its_planted_plan_check(tmp_path: Path) -> None:
    made = generate_workbook(tmp_path / "gen.xlsx", "s", seed=3)
    workbook, planted = made.files
    assert planted == tmp_path / "gen.planted.json"
    checked = check_schedule(workbook, planted)
    assert checked.reading.plan is not None
    assert len(checked.reading.plan.events) == made.events
    assert checked.verdict is Verdict.DONE
    again = generate_workbook(tmp_path / "gen.xlsx", "s")
    assert again.exists == workbook and again.verdict is Verdict.INVALID
    workbook.unlink()
    assert generate_workbook(tmp_path / "gen.xlsx", "s").exists == planted


def test_a_template_is_not_written_over_a_file_unless_forced(tmp_path: Path) -> None:
    (path,) = write_template_file(tmp_path / "t.xlsx").files
    assert write_template_file(path, force=False).exists == path
    assert write_template_file(path).files == (path,)


def test_an_engine_that_cannot_run_says_why() -> None:
    assert engine_unavailable(EngineChoice()) is None
    assert "unknown engine 'warp'" in str(engine_unavailable(EngineChoice("warp")))


@pytest.mark.slow
def test_whatif_returns_each_plan_checked(tmp_path: Path) -> None:
    done = whatif_workbook(SAMPLE, tmp_path, FAST, ["budget-cut"])
    assert [plan.name for plan in done.plans] == ["base", "budget-cut"]
    assert done.comparison_file == tmp_path / "comparison.xlsx"
    assert done.failed == {} and not done.cancelled
    assert done.verdict is Verdict.DONE
    problem, _ = read_problem(SAMPLE, "budget-cut")
    assert problem is not None
    plan = done.plans[1].result.plan
    assert plan is not None and check_plan(problem, plan) == []
    refused = whatif_workbook(SAMPLE, tmp_path, FAST, engine=EngineChoice("warp"))
    assert refused.error and refused.plans == ()


def test_a_sweep_that_asks_for_nothing_says_so(tmp_path: Path) -> None:
    empty = sweep_workbook(SAMPLE, tmp_path, SweepSpec(), FAST)
    assert empty.error is not None and "no variant" in empty.error
    broken = write_broken_workbook(tmp_path / "broken.xlsx")
    unread = sweep_workbook(broken, tmp_path, SweepSpec(True), FAST)
    assert not unread.planned and unread.findings


@pytest.mark.slow
def test_a_study_tells_what_reading_found_before_the_runs(
    solved: Path, tmp_path: Path
) -> None:
    heard: list[RunProgress] = []
    done = robustness_workbook(
        SAMPLE, solved, tmp_path, 2, 1, FAST, progress=heard.append
    )
    assert done.study is not None and done.study.planned == 2
    stages = [news.stage for news in heard]
    told = stages[: stages.index(PLANNING)]
    assert set(told) <= {FINDING, WARNING}
    assert [n.message for n in heard if n.stage == WARNING] == list(done.warnings)
    assert [n.message for n in heard if n.stage == FINDING] == [
        str(f) for f in done.findings
    ]
    unread = robustness_workbook(SAMPLE, tmp_path / "missing", tmp_path, 2)
    assert unread.study is None and not unread.committed_read


def test_a_cancelled_conflict_search_or_suggestion_says_so(solved: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    heard: list[RunProgress] = []
    found = conflict_of_workbook(
        INFEASIBLE, time_limit_s=20, progress=heard.append, cancel=cancel
    )
    assert found.valid and found.cancelled and found.conflict is None
    assert [p.stage for p in heard] == ["reading", "searching"]
    suggested = suggest_placements(SAMPLE, solved, "URB27", cancel=cancel)
    assert suggested.cancelled and suggested.suggestions == ()
    assert suggested.reading.plan is not None


def test_a_cancel_stops_a_re_solve_while_it_runs(tmp_path: Path) -> None:
    # Dense m is not proven best in 30 s: only the token can end it early.
    tables, _ = generate("m", 1, "dense")
    path = tmp_path / "dense-m.xlsx"
    write_workbook(tables, path)
    problem, _ = read_problem(path)
    assert problem is not None
    cancel = threading.Event()
    timer = threading.Timer(0.5, cancel.set)
    timer.start()
    began = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        best_with(problem, None, None, 30.0, cancel)
    assert time.perf_counter() - began < 15
