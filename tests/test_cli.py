"""The `planner` command end to end, through click's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from planner import cli
from planner.check import check_plan
from planner.domain import Result, Status
from planner.workbook.read import read_problem
from planner.workbook.read_schedule import read_plan

INSTANCES = Path(__file__).parent.parent / "instances"
SAMPLE = INSTANCES / "sample.xlsx"
INFEASIBLE = INSTANCES / "infeasible.xlsx"


def run(*args: str) -> object:
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def assert_checked(workbook: Path, out: Path, scenario: str | None = None) -> None:
    """The plan written to ``out`` passes the independent checker."""
    problem, _ = read_problem(workbook, scenario)
    assert problem is not None
    plan, findings = read_plan(problem, out)
    assert plan is not None and findings == []
    assert check_plan(problem, plan) == []


def solve_checked(workbook: Path, out: Path) -> None:
    """`planner solve` on one worker with a fixed search, its plan checked."""
    ran = CliRunner().invoke(
        cli.main,
        ["solve", str(workbook), "--out", str(out), "--time-limit", "30",
         "--workers", "1", "--deterministic", "--quiet"],
    )  # fmt: skip
    assert ran.exit_code == 0, ran.output
    assert_checked(workbook, out)


def test_validate_sample_is_valid() -> None:
    result = run("validate", SAMPLE)
    assert result.exit_code == 0
    assert result.output.startswith("sample.xlsx is valid: 13 exercises, 8 partners")


def test_validate_reports_cells_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("a,b\n")
    result = run("validate", path)
    assert result.exit_code == 2
    assert "notes.csv: " in result.output
    assert "Traceback" not in result.output


def test_template_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "t.xlsx"
    assert run("template", target).exit_code == 0
    refused = run("template", target)
    assert refused.exit_code == 2
    assert "already exists; use --force" in refused.output
    assert run("template", target, "--example", "--force").exit_code == 0
    problem, _ = read_problem(target)
    assert problem is not None and len(problem.exercises) == 13


@pytest.mark.slow
def test_solve_writes_a_checker_clean_plan(tmp_path: Path) -> None:
    workbook = tmp_path / "sample.xlsx"
    shutil.copy(SAMPLE, workbook)
    before = workbook.read_bytes()
    result = run(
        "solve", workbook, "--out", tmp_path / "out", "--time-limit", "30",
        "--workers", "2", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert workbook.read_bytes() == before, "the input must never be modified"
    problem, _ = read_problem(workbook)
    plan, findings = read_plan(problem, tmp_path / "out" / "schedule.xlsx")
    assert findings == [] and plan is not None
    assert check_plan(problem, plan) == []
    checked = run("check", workbook, tmp_path / "out")
    assert checked.exit_code == 0
    assert "every hard rule holds" in checked.output


@pytest.mark.slow
def test_check_flags_a_broken_plan(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("solve", SAMPLE, "--out", out, "--quiet").exit_code == 0
    assert_checked(SAMPLE, out)
    data = json.loads((out / "schedule.json").read_text())
    # Give the first event to a partner nobody invited: the checker must object.
    event = data["events"][0]
    problem, _ = read_problem(SAMPLE)
    exercise = problem.exercise[event["exercise_id"]]
    stranger = next(
        p.id for p in problem.partners if p.id not in exercise.invited_partners
    )
    event["participants"].append(stranger)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    result = run("check", SAMPLE, broken)
    assert result.exit_code == 1
    # In words, never the rule's code ([uninvited_partner]).
    assert f": partner {stranger} takes part but is not invited" in result.output
    assert "[uninvited_partner]" not in result.output


def test_proven_infeasible_exits_3(tmp_path: Path) -> None:
    result = run("solve", INFEASIBLE, "--out", tmp_path, "--quiet")
    assert result.exit_code == 3
    assert "No plan exists" in result.output
    # The infeasible sample blacks out NOR over mandatory Cold Response 27.
    assert "(Exercises row 3)" in result.output
    assert "(Unavailability row 19)" in result.output
    summary = json.loads((tmp_path / "no-plan.json").read_text())
    assert summary["status"] == "infeasible"


def test_explain_names_the_conflicting_rows() -> None:
    result = run("explain", INFEASIBLE)
    assert result.exit_code == 3
    lines = result.output.splitlines()
    assert lines[1].startswith("  Exercise CR27 'Cold Response 27' (mandatory")
    assert lines[2].startswith("  Partner NOR is unavailable 2027-01-25 to 2027-04-04")
    assert len(lines) == 3
    assert run("explain", SAMPLE).exit_code == 0


@pytest.mark.slow
def test_suggest_lists_other_placements(tmp_path: Path) -> None:
    assert run("solve", SAMPLE, "--out", tmp_path, "--quiet").exit_code == 0
    assert_checked(SAMPLE, tmp_path)
    result = run("suggest", SAMPLE, tmp_path, "URB27", "--top", "2")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("URB27 at ") for line in lines)
    refused = run("suggest", SAMPLE, tmp_path, "URB27", "--at", "SET")
    assert refused.output.startswith("URB27 cannot be held at SET")
    unknown = run("suggest", SAMPLE, tmp_path, "NOPE")
    assert unknown.exit_code == 2


def test_no_plan_in_time_exits_4(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_plan(*_: object, **__: object) -> Result:
        return Result(status=Status.NO_PLAN, plan=None)

    monkeypatch.setattr("planner.app.plans.solve", no_plan)
    result = run("solve", SAMPLE, "--out", tmp_path, "--quiet")
    assert result.exit_code == 4
    assert "No plan found within the time limit" in result.output


@pytest.mark.slow
def test_deterministic_solve_repeats_itself(tmp_path: Path) -> None:
    plans = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = run(
            "solve", SAMPLE, "--out", out, "--deterministic", "--time-limit", "5",
            "--quiet",
        )  # fmt: skip
        assert result.exit_code == 0
        assert_checked(SAMPLE, out)
        plans.append(json.loads((out / "schedule.json").read_text())["events"])
    assert plans[0] == plans[1]


def test_unexpected_error_is_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> Result:
        raise RuntimeError("boom")

    monkeypatch.setattr("planner.app.plans.solve", broken)
    result = run("solve", SAMPLE, "--out", tmp_path, "--quiet")
    assert result.exit_code == 70
    assert "unexpected error (RuntimeError: boom)" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_replan_against_an_unchanged_baseline_changes_nothing(tmp_path: Path) -> None:
    assert run("solve", SAMPLE, "--out", tmp_path / "a", "--quiet").exit_code == 0
    result = run(
        "solve", SAMPLE, "--out", tmp_path / "b", "--quiet",
        "--baseline", tmp_path / "a" / "schedule.json",
        "--freeze-before", "2027-06-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert_checked(SAMPLE, tmp_path / "a")
    assert_checked(SAMPLE, tmp_path / "b")
    first = json.loads((tmp_path / "a" / "schedule.json").read_text())
    again = json.loads((tmp_path / "b" / "schedule.json").read_text())
    assert again["events"] == first["events"]
    assert again["terms"]["change"] == 0


@pytest.mark.slow
def test_a_frozen_event_that_now_breaks_a_rule_is_named(tmp_path: Path) -> None:
    base = tmp_path / "base"
    assert run("solve", SAMPLE, "--out", base, "--quiet").exit_code == 0
    assert_checked(SAMPLE, base)
    # The pol-election scenario blacks out POL while BMI27 (with POL) runs.
    result = run(
        "solve", SAMPLE, "--scenario", "pol-election", "--out", tmp_path / "s",
        "--quiet", "--baseline", base, "--freeze-before", "2027-07-01",
    )  # fmt: skip
    assert result.exit_code == 3
    assert "Frozen event BMI27 (starts 2027-05-31) breaks a rule" in result.output


def test_freeze_needs_a_baseline(tmp_path: Path) -> None:
    result = run("solve", SAMPLE, "--out", tmp_path, "--freeze-before", "2027-06-01")
    assert result.exit_code == 2
    assert "--freeze-before needs --baseline" in result.output


@pytest.mark.slow
def test_whatif_compares_every_scenario(tmp_path: Path) -> None:
    result = run("whatif", SAMPLE, "--out", tmp_path, "--time-limit", "10")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "comparison.xlsx").exists()
    for name in ("base", "pol-election", "budget-cut", "spta-repairs"):
        assert_checked(SAMPLE, tmp_path / name, None if name == "base" else name)
    assert "pol-election" in result.output
    # Before any plan: how long the whole run takes at most, the base alone,
    # then the three scenarios as many at a time as the cores allow.
    first = result.stderr.splitlines()[0]
    assert first.startswith(
        "Planning the base and 3 other plans, each searched for at most 10 s, "
    )
    assert "the whole run ends within about" in first


@pytest.mark.slow
def test_solve_says_why_exercises_are_left_out(tmp_path: Path) -> None:
    result = run("solve", SAMPLE, "--out", tmp_path)
    assert result.exit_code == 0
    assert_checked(SAMPLE, tmp_path)
    # ACE27 and CBRN27 do not pay for themselves: the sample's optimum leaves
    # them out, and forcing each in costs what the probe reports.
    assert "Exercise ACE27 left out: Holding it costs more than it brings" in (
        result.output
    )
    assert "Exercise CBRN27 left out:" in result.output


@pytest.mark.slow
def test_solve_counts_the_reasons_its_time_cut_short(tmp_path: Path) -> None:
    # Asked for 5 s more of explaining, the sample's two left-out exercises
    # are both examined; the Run sheet and schedule.json say none was cut
    # short, and the Summary has no such line.
    result = run("solve", SAMPLE, "--out", tmp_path, "--explain-time", "5")
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "schedule.json").read_text())
    assert data["explanation"]["not_examined"] == 0
    sheets = load_workbook(tmp_path / "schedule.xlsx")
    run_rows = {row[0]: row[1] for row in sheets["Run"].iter_rows(values_only=True)}
    assert run_rows["not examined"] == 0
    summary = [row[0] for row in sheets["Summary"].iter_rows(values_only=True)]
    assert "reasons cut short" not in summary


@pytest.mark.slow
def test_whatif_freezes_the_base_before_a_date(tmp_path: Path) -> None:
    result = run(
        "whatif", SAMPLE, "--out", tmp_path, "--time-limit", "10",
        "--freeze-before", "2027-07-01",
    )  # fmt: skip
    # The POL election falls on BMI27, which the base holds in June: frozen,
    # it breaks the new blackout, so that scenario is named and has no plan,
    # and the exit code says a plan is missing (3: none can exist).
    assert result.exit_code == 3, result.output
    assert (
        "pol-election: Frozen event BMI27 (starts 2027-05-31) breaks a rule"
        in result.stderr
    )
    assert "pol-election: no plan (frozen events break a rule" in result.stderr
    assert "1 of 4 plans not found (pol-election)" in result.stderr
    base = json.loads((tmp_path / "base" / "schedule.json").read_text())
    cut = json.loads((tmp_path / "budget-cut" / "schedule.json").read_text())
    assert_checked(SAMPLE, tmp_path / "budget-cut", "budget-cut")
    before_july = [e for e in base["events"] if e["start_date"] < "2027-07-01"]
    assert before_july
    for event in before_july:
        kept = next(
            e for e in cut["events"] if e["exercise_id"] == event["exercise_id"]
        )
        assert (kept["start_date"], kept["venue_id"], kept["participants"]) == (
            event["start_date"], event["venue_id"], event["participants"],
        )  # fmt: skip


def test_generate_writes_the_planted_plan_beside_the_workbook(tmp_path: Path) -> None:
    workbook = tmp_path / "dense.xlsx"
    result = run("generate", workbook, "--size", "s", "--profile", "dense")
    assert result.exit_code == 0, result.output
    planted = tmp_path / "dense.planted.json"
    assert "dense.planted.json (35 events)" in result.output
    assert json.loads(planted.read_text())["status"] == "planted"
    checked = run("check", workbook, planted)
    assert checked.exit_code == 0, checked.output
    assert_checked(workbook, planted)


def test_generate_refuses_to_overwrite_a_planted_plan(tmp_path: Path) -> None:
    (tmp_path / "dense.planted.json").write_text("{}")
    result = run("generate", tmp_path / "dense.xlsx", "--profile", "dense")
    assert result.exit_code == 2
    assert "dense.planted.json already exists; use --force" in result.output
    assert not (tmp_path / "dense.xlsx").exists()


@pytest.mark.slow
def test_a_plan_the_checker_rejects_exits_1_naming_every_broken_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The model without its partner blackout rule: the plan it finds puts
    # partners in exercises during their blackouts (POL's snap election of the
    # pol-election scenario among them), which the independent checker finds.
    from planner.model import rules

    kept = tuple(r for r in rules.CONSTRAINTS if r is not rules.partner_unavailable)
    monkeypatch.setattr(rules, "CONSTRAINTS", kept)
    result = run(
        "solve", SAMPLE, "--scenario", "pol-election", "--out", tmp_path,
        "--deterministic", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    # Each broken rule in words, never its code ([partner_unavailable]).
    broken = [line for line in lines if line.startswith("plan: Exercise ")]
    assert broken and all(" is unavailable " in line for line in broken)
    assert not any("[" in line for line in lines)
    assert any("snap parliamentary election" in line for line in broken)
    assert lines[-1] == (
        f"{len(broken)} rule(s) broken: the independent checker rejects the plan "
        "written; do not brief it."
    )


@pytest.mark.slow
def test_the_time_limit_counts_from_the_command_not_the_shell_before_it(
    tmp_path: Path,
) -> None:
    """README's first command runs `planner solve` last in a shell after pip
    install, in a process forked before pip: a time limit counted from that
    fork left the search nothing, and the sample got a poor plan."""
    import subprocess
    import sys

    out = tmp_path / "out"
    command = f"sleep 12; exec {sys.executable} -m planner solve {SAMPLE} --out {out}"
    ran = subprocess.run(
        ["bash", "-c", command + " --time-limit 10"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    assert "Plan: the best plan possible" in ran.stdout
    assert_checked(SAMPLE, out)
