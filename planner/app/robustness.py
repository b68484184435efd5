"""How fragile is the committed plan? A study of drawn partner drop-outs and
budget cuts, each re-planned against the plan with minimal change.

The workbook states the risks: each partner's ``dropout_probability``
(Partners) and the chance and size of a budget cut (Settings
``budget_shock_probability`` and ``budget_shock_cut``). A sample draws, for
each partner in the workbook's order, whether it drops out, then whether the
total budget is cut; the sample's problem is the base with those changes
(the ones `planner.app.sweep` makes). Each sample is re-planned against the
committed plan with minimal change, as a task on an engine, and the study
counts, for every exercise, how often it stays as committed, moves, keeps its
start and venue with other partners, or is lost; for every goal, how often it
is still met.

The draws come from `random.Random(seed)`, the same number of draws in every
sample whatever the probabilities, so the same seed gives the same samples
and sample ``k`` does not depend on how many are drawn after it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from planner.app.plans import replan_all, run_bound, run_replan
from planner.app.progress import FINDING, PLANNING, WARNING, Report, teller
from planner.app.sweep import cut_budget, drop_partner
from planner.app.verdict import Verdict
from planner.domain import (
    CancelToken,
    EngineChoice,
    Finding,
    Plan,
    Problem,
    Result,
    SolveOptions,
)
from planner.engines import open_engine
from planner.engines.base import Engine, EngineUnavailable, Outcome
from planner.figures import goal_progress, plan_changes
from planner.outputs.brief import write_brief
from planner.outputs.files import OutputError, check_writable
from planner.outputs.study_xlsx import write_study
from planner.report import (
    FATES,
    LOST,
    MOVED,
    PARTNERS,
    UNCHANGED,
    Draw,
    ExerciseTally,
    GoalTally,
    ResultError,
    SampleOutcome,
    StudyResult,
)
from planner.workbook.read import read_problem
from planner.workbook.read_result import load_result
from planner.workbook.read_schedule import read_baseline


def study_warnings(problem: Problem) -> list[str]:
    """What makes a study of ``problem`` say less than the planner may think."""
    settings = problem.settings
    warnings = []
    if settings.budget_shock_probability > 0 and settings.total_budget is None:
        warnings.append(
            "Settings has budget_shock_probability but no total_budget: no "
            "budget cut is drawn"
        )
    shocks = settings.budget_shock_probability > 0 and settings.total_budget
    if not shocks and not any(p.dropout_probability for p in problem.partners):
        warnings.append(
            "no partner has a dropout_probability and no budget cut can be drawn: "
            "every sample is the programme as it is (docs/workbook.md, "
            "Robustness study)"
        )
    return warnings


def draw_samples(problem: Problem, samples: int, seed: int) -> list[Draw]:
    """``samples`` draws of drop-outs and budget cuts, the same for one seed.

    Every sample takes one number per partner and one for the budget, used
    or not, so changing one probability changes no other draw.
    """
    rng = random.Random(seed)
    settings = problem.settings
    cut = settings.budget_shock_cut if settings.total_budget is not None else None
    draws = []
    for number in range(1, samples + 1):
        dropped = tuple(
            p.id for p in problem.partners if rng.random() < p.dropout_probability
        )
        shocked = rng.random() < settings.budget_shock_probability
        draws.append(Draw(number, dropped, cut if shocked else None))
    return draws


def shocked(problem: Problem, draw: Draw) -> Problem:
    """``problem`` as ``draw`` leaves it: partners gone, the budget cut."""
    for partner in draw.dropped:
        problem = drop_partner(problem, partner)
    if draw.budget_cut is not None:
        problem = cut_budget(problem, draw.budget_cut * 100)
    return replace(problem, name=f"{problem.name}:{draw.name}")


def outcome_of(
    problem: Problem, plan: Plan, draw: Draw, result: Result
) -> SampleOutcome:
    """What one sample's re-plan did to each committed exercise and goal."""
    if result.plan is None:
        return SampleOutcome(draw, str(result.status), result=result)
    changes = plan_changes(problem, result.plan, plan)
    moved = set(changes.moved) | set(changes.venue_changed)
    partners = {exercise_id for exercise_id, _, _ in changes.partners}
    fates = {}
    for event in plan.events:
        eid = event.exercise_id
        if eid in changes.dropped:
            fates[eid] = LOST
        elif eid in moved:
            fates[eid] = MOVED
        elif eid in partners:
            fates[eid] = PARTNERS
        else:
            fates[eid] = UNCHANGED
    met = tuple(g.goal_id for g in goal_progress(problem, result.plan) if g.met)
    return SampleOutcome(
        draw, str(result.status), result.objective, fates, met, result=result
    )


def tally(
    problem: Problem, plan: Plan, seed: int, outcomes: Sequence[SampleOutcome]
) -> StudyResult:
    """Count each committed exercise's fates and each goal's successes."""
    planned = [o for o in outcomes if o.has_plan]
    held = plan.by_exercise
    exercises = tuple(
        ExerciseTally(
            e.id,
            e.name,
            e.mandatory,
            {fate: sum(o.fates.get(e.id) == fate for o in planned) for fate in FATES},
        )
        for e in problem.exercises
        if e.id in held
    )
    met_now = {g.goal_id for g in goal_progress(problem, plan) if g.met}
    goals = tuple(
        GoalTally(
            g.id,
            str(g.kind),
            g.hard,
            g.id in met_now,
            sum(g.id in o.goals_met for o in planned),
        )
        for g in problem.goals
    )
    return StudyResult(seed, tuple(outcomes), exercises, goals)


STOPPED = "not planned (interrupted)"


def run_study(
    problem: Problem,
    plan: Plan,
    samples: int,
    seed: int,
    options: SolveOptions,
    engine: Engine,
    report: Callable[[str, int, int], None] | None = None,
    cancel: CancelToken | None = None,
) -> StudyResult:
    """Draw ``samples`` samples, re-plan each against ``plan`` on ``engine``.

    ``report(line, done, total)`` hears each sample as it ends. Once
    ``cancel`` is set the samples not yet planned are left out of the tallies
    (their status says so).
    """
    draws = {draw.name: draw for draw in draw_samples(problem, samples, seed)}
    problems = {name: shocked(problem, draw) for name, draw in draws.items()}
    outcomes: dict[str, SampleOutcome] = {}

    def ended(outcome: Outcome[Result]) -> None:
        draw = draws[outcome.name]
        if outcome.value is not None:
            found = outcome_of(problems[outcome.name], plan, draw, outcome.value)
        elif outcome.stopped:
            found = SampleOutcome(draw, STOPPED)
        else:
            found = SampleOutcome(draw, "failed", error=outcome.error)
        outcomes[outcome.name] = found
        if report is not None:
            report(str(found), len(outcomes), len(draws))

    replan_all(run_replan, problems, options, plan, engine, ended, cancel=cancel)
    return tally(problem, plan, seed, [outcomes[name] for name in draws])


@dataclass(frozen=True)
class StudyOutcome:
    """A robustness study as a front end shows it (None: see ``error``, and
    ``findings``, which also say why the ``committed`` plan could not be
    read when it could not)."""

    findings: tuple[Finding, ...] = ()
    study: StudyResult | None = None
    warnings: tuple[str, ...] = ()
    files: tuple[Path, ...] = ()
    error: str | None = None
    committed_read: bool = True
    cancelled: bool = False
    output_error: str | None = None

    @property
    def verdict(self) -> Verdict:
        """How the study ended (`planner.app.verdict`): samples without a plan
        are answers; a study stopped early counts the samples planned."""
        if self.output_error is not None:
            return Verdict.OUTPUT_ERROR
        if self.study is None:
            return Verdict.INVALID
        if self.cancelled:
            return Verdict.INTERRUPTED if self.study.planned else Verdict.STOPPED
        return Verdict.FAILED if self.study.failed else Verdict.DONE


def robustness_workbook(
    path: str | Path,
    committed: str | Path,
    out_dir: str | Path,
    samples: int,
    seed: int = 0,
    options: SolveOptions = SolveOptions(),  # noqa: B008 - frozen, never mutated
    engine: EngineChoice = EngineChoice(),  # noqa: B008 - frozen, never mutated
    progress: Report | None = None,
    cancel: CancelToken | None = None,
) -> StudyOutcome:
    """Draw ``samples`` futures and re-plan each against the ``committed``
    plan (a result folder or schedule), as ``planner robustness`` does, and
    write robustness.xlsx into ``out_dir``.

    Before the runs start, ``progress`` hears each finding of reading (as a
    ``finding``) and what the draws leave out of the workbook (as a
    ``warning``: no probabilities given), both returned too, and how long the
    whole run takes at most (`run_bound`). An ``out_dir`` that cannot be
    written is ``output_error`` before any sample is planned."""
    problem, findings = read_problem(path)
    if problem is None:
        return StudyOutcome(tuple(findings))
    plan, found = read_baseline(problem, Path(committed))
    findings = [*findings, *found]
    if plan is None:
        return StudyOutcome(
            tuple(findings),
            error="The committed plan cannot be read.",
            committed_read=False,
        )
    warnings = tuple(study_warnings(problem))
    tell = teller(progress, time.perf_counter())
    for finding in findings:
        tell(FINDING, message=str(finding))
    for warning in warnings:
        tell(WARNING, message=warning)
    try:
        check_writable(Path(out_dir))  # before the samples, not after them
    except OutputError as error:
        return StudyOutcome(tuple(findings), warnings=warnings, output_error=str(error))
    try:
        runner = open_engine(engine.name, engine.address)
    except EngineUnavailable as error:
        return StudyOutcome(tuple(findings), error=str(error))
    try:
        bound = run_bound(problem, samples, options, runner, base=False)[1]
        tell(PLANNING, message=bound)
        study = run_study(
            problem,
            plan,
            samples,
            seed,
            options,
            runner,
            lambda line, done, total: tell(PLANNING, message=line, runs=(done, total)),
            cancel,
        )
    finally:
        runner.close()
    cancelled = cancel is not None and cancel.is_set()
    try:
        written = [write_study(study, Path(out_dir))]
        # The committed plan's brief, with the exercises the study found fragile.
        brief = write_brief(load_result(committed), Path(out_dir), study=study)
        written += brief.files
    except OutputError as error:
        return StudyOutcome(tuple(findings), study, warnings, output_error=str(error))
    except ResultError as error:  # a committed schedule.xlsx has no JSON to brief
        warnings = (*warnings, f"no brief of the committed plan: {error}")
    return StudyOutcome(
        tuple(findings), study, warnings, tuple(written), cancelled=cancelled
    )
