"""How fragile is the committed plan? A study of drawn partner drop-outs and
budget cuts, each re-planned against the plan with minimal change.

The workbook states the risks: each partner's ``dropout_probability``
(Partners) and the chance and size of a budget cut (Settings
``budget_shock_probability`` and ``budget_shock_cut``). A sample draws, for
each partner in the workbook's order, whether it drops out, then whether the
total budget is cut; the sample's problem is the base with those changes
(the ones `planner.sweep` makes). Each sample is re-planned against the
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from planner.domain import Plan, Problem, Result, SolveOptions
from planner.engines import Engine, Outcome
from planner.engines.local import LocalEngine
from planner.figures import goal_progress, plan_changes
from planner.sweep import cut_budget, drop_partner
from planner.whatif import replan_all

# What became of one committed exercise in one sample.
UNCHANGED, MOVED, PARTNERS, LOST = "unchanged", "moved", "partners changed", "lost"
FATES = (UNCHANGED, MOVED, PARTNERS, LOST)


@dataclass(frozen=True)
class Draw:
    """One sample: the partners that drop out and the budget cut (a share)."""

    number: int  # 1-based
    dropped: tuple[str, ...] = ()
    budget_cut: float | None = None

    @property
    def name(self) -> str:
        return f"sample-{self.number:03d}"

    def __str__(self) -> str:
        parts = [f"{partner} drops out" for partner in self.dropped]
        if self.budget_cut is not None:
            parts.append(f"total budget cut by {self.budget_cut:.0%}")
        return "; ".join(parts) or "nothing happens"


@dataclass(frozen=True)
class SampleOutcome:
    """A sample re-planned: its status and what it changed, or why it failed."""

    draw: Draw
    status: str  # the solve's status, or "failed"
    objective: int | None = None
    fates: Mapping[str, str] = field(default_factory=dict)  # exercise -> fate
    goals_met: tuple[str, ...] = ()
    error: str | None = None
    # The re-plan itself, for a closer look (not part of the outcome's equality:
    # its runtime differs run by run).
    result: Result | None = field(default=None, compare=False, repr=False)

    @property
    def has_plan(self) -> bool:
        return self.objective is not None

    def __str__(self) -> str:
        status = f"failed ({self.error})" if self.error else self.status
        return f"{self.draw.name}: {self.draw}: {status}"


@dataclass(frozen=True)
class ExerciseTally:
    """How often one committed exercise met each fate, over the planned samples."""

    exercise_id: str
    name: str
    mandatory: bool
    counts: Mapping[str, int]  # fate -> samples

    def share(self, fate: str, planned: int) -> float:
        return self.counts.get(fate, 0) / planned if planned else 0.0


@dataclass(frozen=True)
class GoalTally:
    """How often one goal is still met, over the planned samples."""

    goal_id: str
    kind: str
    hard: bool
    met_in_plan: bool
    met: int


@dataclass(frozen=True)
class StudyResult:
    """A robustness study: every sample's outcome and the tallies.

    Tallies count the samples that have a plan (``planned``); a sample without
    one (infeasible, not found in time, failed twice) is listed in
    ``samples`` with its status and counts in none of them.
    """

    seed: int
    samples: tuple[SampleOutcome, ...]
    exercises: tuple[ExerciseTally, ...]
    goals: tuple[GoalTally, ...]

    @property
    def planned(self) -> int:
        return sum(sample.has_plan for sample in self.samples)

    @property
    def fragile_first(self) -> list[ExerciseTally]:
        """The committed exercises, the least often unchanged first."""
        return sorted(
            self.exercises,
            key=lambda t: (t.counts.get(UNCHANGED, 0), -t.counts.get(LOST, 0)),
        )

    @property
    def failed(self) -> dict[str, str]:
        """Samples whose task failed twice, by name: why."""
        return {s.draw.name: s.error for s in self.samples if s.error}


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


def run_study(
    problem: Problem,
    plan: Plan,
    samples: int,
    seed: int = 0,
    options: SolveOptions = SolveOptions(),  # noqa: B008 - frozen, never mutated
    engine: Engine | None = None,
    report: Callable[[str, int, int], None] | None = None,
) -> StudyResult:
    """Draw ``samples`` samples, re-plan each against ``plan`` on ``engine``.

    ``report(line, done, total)`` hears each sample as it ends.
    """
    draws = {draw.name: draw for draw in draw_samples(problem, samples, seed)}
    problems = {name: shocked(problem, draw) for name, draw in draws.items()}
    outcomes: dict[str, SampleOutcome] = {}

    def ended(outcome: Outcome[Result]) -> None:
        draw = draws[outcome.name]
        if outcome.value is None:
            found = SampleOutcome(draw, "failed", error=outcome.error)
        else:
            found = outcome_of(problems[outcome.name], plan, draw, outcome.value)
        outcomes[outcome.name] = found
        if report is not None:
            report(str(found), len(outcomes), len(draws))

    replan_all(problems, options, plan, engine or LocalEngine(), ended)
    return tally(problem, plan, seed, [outcomes[name] for name in draws])
