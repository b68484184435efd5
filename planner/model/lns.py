"""Large-neighbourhood search: re-plan one part of the programme at a time.

On a programme packed into one year the whole model is too big for 2 cores:
CP-SAT's presolve alone takes 20 s or more on the dense xl (1,500 exercises),
and its search then improves the constructed plan slowly (see
benchmarks/RESULTS.md). Freeing only some exercises (those whose window meets
a few weeks, those inviting one region's partners, or a random handful) and
keeping every other event exactly as it is gives CP-SAT a small question it
presolves in a fraction of a second and often answers to optimality; the
better answer becomes the plan, and the next part is freed.

Every part is solved on a copy of the *whole* model with the kept decisions
fixed, so every rule (budgets, goals, dependencies across the part's edge)
still binds and every accepted plan is feasible; a part's answer is taken only
when it raises the objective, so the plan never gets worse.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from planner.domain import (
    CancelToken,
    Deadline,
    Exercise,
    Plan,
    Problem,
    Progress,
    SolveOptions,
)
from planner.model.construct import shortfalls
from planner.model.hint import candidate_venues
from planner.model.search import (
    BuiltModel,
    Solution,
    add_hint,
    clear_hints,
    hinted_solution,
    search_once,
    solution_plan,
)

# Exercises freed per part: starting size, and the range it adapts within
# (larger after a part solved to optimality, smaller after one that ran out).
PART_SIZE = 120
PART_MIN, PART_MAX = 30, 600
PART_SECONDS = 3.0  # time limit of one part
MIN_PART_SECONDS = 0.5  # a part with less time left than this is not started
# Model size (CP-SAT variables) from which the neighbourhood search runs
# first, until it stalls (`STALL_PARTS`); the full search then starts from
# its plan and proves a bound. On an idle machine the full search alone did
# better on the dense l (9,265 variables: 183.9 M against 173.5 M after the
# neighbourhood search first, benchmarks/RESULTS.md), so only xl models
# (27,000 variables and more) start with it. From LNS_ALONE_DENSITY exercises
# per slot on it runs alone: there the full model's bound stays far off (dense xl: 45%
# above the best plan after 60 s) and its presolve takes 20 s of the limit.
LNS_FROM = 20_000
LNS_ALONE_DENSITY = 20.0
# The neighbourhood search hands over to the full search after STALL_PARTS
# parts in a row without a better plan, or when STRUGGLING of the last
# RECENT_PARTS parts ran out of time before proving their answer best:
# measures of its progress, where a share of the time limit depended on how
# fast the machine was. On the five-year xl all but the gaps parts run out
# of time (3 s each, +49 M in 100 s) while the full search from its plan
# gains far more (benchmarks/RESULTS.md).
STALL_PARTS = 12
RECENT_PARTS, STRUGGLING = 8, 6
# Completing a construction that left a mandatory exercise out or a hard goal
# unmet: the parts tried (exercises freed, CP-SAT's deterministic time),
# larger each time, until one is solved or the deadline comes. Dense l and
# goal-heavy l found a plan in 0.03, 0.16, 0.26 and 0.26 units at these
# sizes (0.7-4 s on the shared machine, benchmarks/RESULTS.md): bounded by
# work rather than seconds, a part beside another job takes longer instead
# of giving up and handing a harder part on.
COMPLETE_PARTS = ((150, 0.3), (300, 0.6), (600, 1.2), (1200, 2.4))


@dataclass
class Search:
    """The state of one large-neighbourhood search, for the report."""

    plan: Plan
    objective: int
    parts: int = 0
    improved: int = 0
    optimal_parts: int = 0
    interrupted: bool = False  # Ctrl-C or a cancel token stopped it
    stalled: bool = False  # handed over: parts stopped making progress
    last_better: int = 0  # parts done when the last better plan came
    ran_out: list[bool] = field(default_factory=list)  # per part: out of time
    checked_at: float = 0.0  # time.perf_counter() when the first plan was proven
    by_kind: dict[str, int] = field(default_factory=dict)  # improvements per kind


def improve(
    problem: Problem,
    built: BuiltModel,
    plan: Plan,
    objective: int,
    deadline: Deadline,
    workers: int = 1,
    seed: int = 0,
    on_improve: Callable[[Plan, int], None] | None = None,
    stall: bool = False,
) -> Search:
    """Improve the feasible ``plan`` (of ``objective``) until ``deadline``,
    or, with ``stall``, until the parts stop making progress (`STALL_PARTS`,
    `STRUGGLE_PARTS`).

    ``built`` is the whole model of ``problem``; it is copied for each part,
    never changed. Ctrl-C or the deadline's cancel token stops it with the
    best plan so far.
    """
    rng = random.Random(seed)
    search = Search(plan, objective)
    size = PART_SIZE
    kinds = (_gaps_part, _window_part, _region_part, _random_part)
    while deadline.left() > MIN_PART_SECONDS:
        if stall and _stalled(search):
            search.stalled = True
            break
        kind = kinds[search.parts % len(kinds)]
        free = kind(problem, search.plan, rng, size)
        seconds = min(PART_SECONDS, deadline.left())
        solver, status, stopped = _solve_part(
            built, problem, search.plan, free, seconds, workers, rng, deadline.cancel
        )
        search.parts += 1
        search.ran_out.append(status != cp_model.OPTIMAL and not stopped)
        if status == cp_model.OPTIMAL:
            search.optimal_parts += 1
            size = min(PART_MAX, int(size * 1.25) + 1)
        else:
            size = max(PART_MIN, int(size * 0.8))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and (
            solver.objective_value > search.objective
        ):
            search.plan = solution_plan(problem, built.variables, solver)
            search.objective = round(solver.objective_value)
            search.improved += 1
            search.last_better = search.parts
            name = kind.__name__.strip("_")
            search.by_kind[name] = search.by_kind.get(name, 0) + 1
            if on_improve is not None:
                on_improve(search.plan, search.objective)
        if stopped:
            search.interrupted = True
            break
    search.interrupted |= deadline.cancelled()
    return search


def _stalled(search: Search) -> bool:
    recent = search.ran_out[-RECENT_PARTS:]
    return search.parts - search.last_better >= STALL_PARTS or (
        len(recent) == RECENT_PARTS and sum(recent) >= STRUGGLING
    )


def _solve_part(
    built: BuiltModel,
    problem: Problem,
    plan: Plan,
    free: set[str],
    seconds: float,
    workers: int,
    rng: random.Random,
    cancel: CancelToken | None = None,
    any_plan: bool = False,
    work: float | None = None,
) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus, bool]:
    """Solve the whole model with every exercise outside ``free`` fixed;
    also whether Ctrl-C or ``cancel`` stopped it. ``any_plan``: the first
    plan keeping every rule will do (the objective is dropped); ``work``:
    also stop after this much deterministic time."""
    model = built.model.clone()
    part = BuiltModel(model, built.variables, built.terms)
    clear_hints(model)
    add_hint(part, plan)
    _fix_outside(model, problem, built, plan, free)
    solver = cp_model.CpSolver()
    if any_plan:
        model.clear_objective()  # type: ignore[no-untyped-call]  # unannotated in ortools
        solver.parameters.stop_after_first_solution = True
    solver.parameters.max_time_in_seconds = max(seconds, 0.1)
    if work is not None:
        solver.parameters.max_deterministic_time = work
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = rng.randrange(1 << 30)
    status, stopped = search_once(solver, model, cancel)
    return solver, status, stopped


def _fix_outside(
    model: cp_model.CpModel,
    problem: Problem,
    built: BuiltModel,
    plan: Plan,
    free: set[str],
) -> None:
    """Fix the decisions of every exercise not in ``free`` as ``plan`` has them."""
    v = built.variables
    variables = model.proto.variables

    def fix(variable: cp_model.IntVar, value: int) -> None:
        domain = variables[variable.index].domain
        domain.clear()
        domain.extend([value, value])

    for exercise in problem.exercises:
        eid = exercise.id
        if eid in free:
            continue
        event = plan.by_exercise.get(eid)
        fix(v.held[eid], int(event is not None))
        fix(v.start[eid], event.start if event is not None else v.starts[eid][0])
        for venue_id in v.venues[eid]:
            at = event is not None and event.venue_id == venue_id
            fix(v.at_venue[eid, venue_id], int(at))
        for partner_id in v.partners[eid]:
            takes_part = event is not None and partner_id in event.participants
            fix(v.takes_part[eid, partner_id], int(takes_part))


def _window_part(
    problem: Problem, _plan: Plan, rng: random.Random, size: int
) -> set[str]:
    """The exercises whose window meets a run of slots, widened to ``size``."""
    centre = rng.randrange(problem.n_slots)
    by_distance = sorted(
        problem.exercises,
        key=lambda e: (_distance(centre, e.earliest_start, e.latest_end), rng.random()),
    )
    return {e.id for e in by_distance[:size]}


def _distance(slot: int, first: int, last: int) -> int:
    return max(0, first - slot, slot - last)


def _region_part(
    problem: Problem, _plan: Plan, rng: random.Random, size: int
) -> set[str]:
    """Exercises inviting the partners of one region (then their neighbours'
    exercises in time), so partners can be traded between events."""
    regions = sorted({p.region for p in problem.partners})
    region = rng.choice(regions)
    partners = {p.id for p in problem.partners if p.region == region}
    inviting = [e for e in problem.exercises if partners & set(e.invited_partners)]
    rng.shuffle(inviting)
    return {e.id for e in inviting[:size]}


def _random_part(
    problem: Problem, _plan: Plan, rng: random.Random, size: int
) -> set[str]:
    chosen = rng.sample(problem.exercises, min(size, len(problem.exercises)))
    return {e.id for e in chosen}


def _gaps_part(problem: Problem, plan: Plan, rng: random.Random, size: int) -> set[str]:
    """The exercises the plan leaves out (up to `PART_MAX`, most valuable first),
    every held event kept: what still fits into the plan's gaps.

    The other parts free held and unheld exercises alike and end on plans
    with room left (dense xl: 27 more exercises and 3 % more objective fitted
    around one such plan in a second).
    """
    left_out = [e for e in problem.exercises if e.id not in plan.by_exercise]
    left_out.sort(key=lambda e: (-e.value, rng.random()))
    return {e.id for e in left_out[:PART_MAX]}


def complete(
    problem: Problem,
    built: BuiltModel,
    plan: Plan,
    deadline: Deadline,
    workers: int = 1,
    seed: int = 0,
) -> Plan | None:
    """A plan keeping every rule, made from ``plan`` by re-planning only the
    exercises its shortfalls involve; None when none is found by ``deadline``.

    The construction can end with a mandatory exercise out or a hard goal
    unmet (three busy partners never free in the same week). The whole model
    then spends a third of a minute in presolve before searching (dense xl);
    instead the exercises at the heart of each shortfall (`shortfalls`) are
    freed with the held events that stand in their way (sharing a partner, a
    venue, an asset or a dependency, in overlapping weeks), everything else
    kept as it is, in parts of growing size until one is solved. A part asks
    for any plan keeping every rule, not the best: on the dense xl under load
    that took 4.7-5.0 s where the best-plan question found none in 6 s (the
    neighbourhood search improves the plan afterwards).
    """
    trouble = shortfalls(problem, plan)
    if not trouble:
        return None
    rng = random.Random(seed)
    in_the_way = _in_the_way(problem, plan, trouble)
    for size, work in COMPLETE_PARTS:
        left = deadline.left()
        if left < MIN_PART_SECONDS:
            break
        free = set(trouble) | set(in_the_way[: max(0, size - len(trouble))])
        solver, status, stopped = _solve_part(
            built,
            problem,
            plan,
            free,
            left,
            workers,
            rng,
            deadline.cancel,
            any_plan=True,
            work=work,
        )
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return solution_plan(problem, built.variables, solver)
        if stopped or size >= len(problem.exercises):
            break
    return None


def _in_the_way(problem: Problem, plan: Plan, trouble: frozenset[str]) -> list[str]:
    """Every other exercise, those most in the way of the ``trouble`` ones first.

    First the held events that compete with them (held in weeks of their
    windows with a partner they invite, at a venue that could host them, on
    an asset they need, or linked by a dependency), the most competing first;
    then the rest by how near their windows lie and whether they share a
    partner (budgets and rest weeks reach beyond the windows).
    """
    exercise = problem.exercise
    linked = {
        other
        for d in problem.dependencies
        for one, other in ((d.before, d.after), (d.after, d.before))
        if one in trouble
    }
    wanted = [exercise[t] for t in sorted(trouble)]
    hosts = {t.id: {v.id for v in candidate_venues(problem, t)} for t in wanted}
    partners = {p for t in wanted for p in t.invited_partners}
    hits: dict[str, int] = {}
    for event in plan.events:
        held = exercise[event.exercise_id]
        end = event.start + held.duration - 1
        hits[held.id] = int(held.id in linked) + sum(
            _blocks(held, event.participants, event.venue_id, t, hosts[t.id])
            for t in wanted
            if end >= t.earliest_start and event.start <= t.latest_end
        )

    def nearness(other: Exercise) -> tuple[int, int, int, str]:
        distance = min(
            _distance(t.earliest_start, other.earliest_start, other.latest_end)
            for t in wanted
        )
        apart = not partners & set(other.invited_partners)
        return (-hits.get(other.id, 0), int(apart), distance, other.id)

    others = [e for e in problem.exercises if e.id not in trouble]
    return [e.id for e in sorted(others, key=nearness)]


def _blocks(
    held: Exercise,
    participants: tuple[str, ...],
    venue_id: str,
    wanted: Exercise,
    hosts: set[str],
) -> int:
    """How many ways a held event competes with a wanted exercise."""
    return (
        len(set(participants) & set(wanted.invited_partners))
        + (venue_id in hosts)
        + len(set(held.assets) & set(wanted.assets))
    )


def mend(
    problem: Problem,
    built: BuiltModel,
    plan: Plan,
    options: SolveOptions,
    deadline: Deadline,
) -> Plan:
    """``plan`` if the model accepts it, else the plan `complete` makes of it
    by ``deadline``, else ``plan`` as it is. Leaves the model without hints.

    Any search is better off starting from a plan that keeps every rule: the
    neighbourhood search needs one, and the full search otherwise has to find
    its own first plan on a model whose presolve alone can take 20 s. Once
    the deadline's token is set ``plan`` is handed back as it is.
    """
    if deadline.cancelled() or _accepted(built, plan, deadline) is not None:
        return plan
    completed = complete(
        problem, built, plan, deadline, _workers(options), options.seed
    )
    return plan if completed is None else completed


def _accepted(built: BuiltModel, plan: Plan, deadline: Deadline) -> Solution | None:
    """``plan`` as a solution of the model, if it keeps every rule; leaves
    the model without hints."""
    clear_hints(built.model)
    add_hint(built, plan)
    checked = hinted_solution(built, deadline)
    clear_hints(built.model)
    return checked


def _workers(options: SolveOptions) -> int:
    return options.workers or os.cpu_count() or 1


def improve_first(
    problem: Problem,
    built: BuiltModel,
    plan: Plan,
    options: SolveOptions,
    deadline: Deadline,
    progress: Callable[[Progress], None] | None = None,
    began: float | None = None,
) -> Search | None:
    """Run the neighbourhood search on a large programme before the full one.

    Returns None (and takes no time) when the programme is small enough for
    the full search alone, or when ``plan`` breaks a rule of the model (a
    construction `mend` could not complete): the full search then starts from
    it as before. The neighbourhood search runs until it stalls
    (`_stalled`) or ``deadline`` comes; on a densely packed programme
    (`LNS_ALONE_DENSITY`) it never hands over. ``began`` (a
    `time.perf_counter` value, default now) is when the solve started, for
    the progress reported.
    """
    size = len(built.model.proto.variables)
    if size < LNS_FROM:
        return None
    if began is None:
        began = time.perf_counter()
    density = len(problem.exercises) / problem.n_slots
    stall = density < LNS_ALONE_DENSITY
    checked = _accepted(built, plan, deadline)
    if checked is None:
        return None
    objective = round(checked.objective_value)
    checked_at = time.perf_counter()

    def report(_: Plan, value: int) -> None:
        if progress is not None:
            progress(Progress(time.perf_counter() - began, value, None))

    report(plan, objective)
    search = improve(
        problem,
        built,
        plan,
        objective,
        deadline,
        workers=_workers(options),
        seed=options.seed,
        on_improve=report,
        stall=stall,
    )
    search.checked_at = checked_at
    return search
