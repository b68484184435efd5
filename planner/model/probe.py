"""Why a plan leaves things out, and where else an exercise could go.

Each question is answered by solving again with one thing forced:

- an optional exercise the plan does not hold, forced to be held;
- a soft goal the plan misses, forced to be met in full;
- a budget made 10% larger (its shadow price, measured rather than read off
  an LP, since CP-SAT has no duals);
- one exercise placed elsewhere while the rest of the plan stays as it is.

The plan is every re-solve's first guess, so a short time limit is enough to
find a plan at least as good as it wherever the forcing allows. When forcing
leaves no plan, the rows that forbid it come from `planner.model.explain`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from planner.check import goal_progress, objective_terms
from planner.domain import (
    Event,
    Plan,
    Problem,
    Result,
    SolveOptions,
    Source,
    Status,
)
from planner.explain import (
    KIND_EXERCISE,
    KIND_GOAL,
    BudgetPrice,
    Explanation,
    Reason,
    Suggestion,
    conflict_lines,
    describe_exercise,
    explain_conflict,
    fitted_text,
    goal_facts_text,
    impossible_text,
    money,
    moved_text,
    no_room_text,
    not_examined_text,
    too_few_text,
    where,
)
from planner.model.baseline import keep_event
from planner.model.explain import conflict
from planner.model.search import (
    BuiltModel,
    add_hint,
    apply_parameters,
    build_model,
    read_plan,
    solver_parameters,
)

PROBE_LIMIT_S = 5.0
CONFLICT_LIMIT_S = 15.0
TOP_PROBED = 3  # items probed without explain_all, by what they are worth
# Without explain_all, explaining a plan takes at most this share of the run's
# time limit (docs/workbook.md); its time is reported with the explanation.
EXPLAIN_SHARE = 0.5
BUDGET_PERCENT = 10  # a budget's shadow price: the gain from this much more
WORKERS = 2

Force = Callable[[BuiltModel], None]


@dataclass(frozen=True)
class Outcome:
    """The best plan found under some forcing, or None when there is none."""

    status: int
    plan: Plan | None
    objective: int | None


def plan_objective(problem: Problem, plan: Plan) -> int:
    """The plan's objective as the independent checker computes it."""
    return sum(objective_terms(problem, plan).values())


def best_with(
    problem: Problem,
    force: Force | None,
    hint: Plan | None,
    time_limit_s: float,
) -> Outcome:
    """The best plan of ``problem`` with ``force`` added, within the time limit."""
    built = build_model(problem)
    if force is not None:
        force(built)
    if hint is not None:
        add_hint(built, hint)
    solver = _solver(problem, time_limit_s)
    status = solver.solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Outcome(status, None, None)
    plan = read_plan(problem, built.variables, solver)
    return Outcome(status, plan, plan_objective(problem, plan))


def _solver(problem: Problem, time_limit_s: float) -> cp_model.CpSolver:
    """A solver set up as `solve` sets one up, with the probe's time limit."""
    solver = cp_model.CpSolver()
    options = SolveOptions(time_limit_s=time_limit_s, workers=WORKERS)
    apply_parameters(solver, solver_parameters(problem, options))
    return solver


def hold(exercise_id: str) -> Force:
    """Force the exercise to be held."""

    def force(built: BuiltModel) -> None:
        built.model.add(built.variables.held[exercise_id] == 1)

    return force


def meet(goal_id: str, min_count: int) -> Force:
    """Force the goal to be met in full: every count it is measured on."""

    def force(built: BuiltModel) -> None:
        for _, count in built.variables.goal_counts[goal_id]:
            built.model.add(count >= min_count)

    return force


def explain_result(
    problem: Problem,
    result: Result,
    explain_all: bool = False,
    time_limit_s: float = PROBE_LIMIT_S,
    conflict_limit_s: float = CONFLICT_LIMIT_S,
    budget_s: float | None = None,
) -> Explanation | None:
    """What the writer shows about a result's why, or None when nothing to say.

    Infeasible: the fewest rows that conflict. A plan: a reason for everything
    it leaves out and, with ``explain_all``, what 10% more of each budget
    would buy. Without ``explain_all`` the whole step takes at most
    ``budget_s`` (default: `EXPLAIN_SHARE` of the run's time limit).
    """
    began = time.perf_counter()
    if result.status is Status.INFEASIBLE:
        rows = conflict(problem, conflict_limit_s)
        return explain_conflict(problem, rows or [])
    if result.plan is None:
        return None
    deadline = None
    if not explain_all:
        if budget_s is None:
            limit = result.parameters.get("time_limit_s", problem.settings.time_limit_s)
            budget_s = EXPLAIN_SHARE * float(limit)  # type: ignore[arg-type]
        deadline = began + budget_s
    reasons = why_left_out(
        problem, result.plan, explain_all, time_limit_s, conflict_limit_s, deadline
    )
    prices = budget_prices(problem, result.plan, time_limit_s) if explain_all else []
    return Explanation(
        reasons=tuple(reasons),
        budget_prices=tuple(prices),
        seconds=time.perf_counter() - began,
        probed=sum(r.probed for r in reasons),
    )


# --- why left out --------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    item_id: str
    kind: str
    worth: int  # what it would add to the objective, other things equal
    force: Force


def left_out(problem: Problem, plan: Plan) -> list[_Item]:
    """Optional exercises not held and soft goals not met, most valuable first."""
    weights = problem.settings.weights
    held = plan.by_exercise
    items = [
        _Item(e.id, KIND_EXERCISE, weights.value * e.value, hold(e.id))
        for e in problem.exercises
        if e.id not in held and not e.mandatory
    ]
    goals = {g.id: g for g in problem.goals}
    for progress in goal_progress(problem, plan):
        goal = goals[progress.goal_id]
        if goal.hard or progress.met:
            continue
        worth = weights.goal_shortfall * goal.weight * progress.shortfall
        items.append(_Item(goal.id, KIND_GOAL, worth, meet(goal.id, goal.min_count)))
    return sorted(items, key=lambda item: -item.worth)


def why_left_out(
    problem: Problem,
    plan: Plan,
    explain_all: bool = False,
    time_limit_s: float = PROBE_LIMIT_S,
    conflict_limit_s: float = CONFLICT_LIMIT_S,
    deadline: float | None = None,
) -> list[Reason]:
    """A reason for each optional exercise left out and soft goal missed.

    First a cheap reason for every item (`settled`, then `_Fitter` for an
    exercise, the goal's count for a goal), most valuable first; then every
    goal and the `TOP_PROBED` most valuable exercises (every one with
    ``explain_all``) are forced in and re-solved for ``time_limit_s`` from the
    plan (`probe`): the loss is the plan's objective minus the best found with
    it (found within a time limit it may overstate the true one, never
    understate it). Past ``deadline`` (a `time.perf_counter` value) nothing
    more is tried, and what no step reached says so.
    """
    items = left_out(problem, plan)
    base = plan_objective(problem, plan)
    reasons = {item.item_id: settled(problem, plan, item) for item in items}
    open_items = [item for item in items if reasons[item.item_id] is None]
    fitter = _Fitter(
        problem, plan, base, [i for i in open_items if i.kind == KIND_EXERCISE]
    )
    for item in open_items:
        if item.kind == KIND_EXERCISE and _left(deadline) > 0:
            reasons[item.item_id] = fitter.reason(item.item_id, time_limit_s, deadline)
        elif item.kind == KIND_GOAL:
            reasons[item.item_id] = _goal_facts(problem, plan, item)
    exercises = [item for item in open_items if item.kind == KIND_EXERCISE]
    deep = [
        item
        for item in open_items
        if explain_all or item.kind == KIND_GOAL or item in exercises[:TOP_PROBED]
    ]
    for item in deep:
        left = _left(deadline)
        if left <= 0:
            break
        found = probe(
            problem,
            plan,
            base,
            item,
            min(time_limit_s, left),
            min(conflict_limit_s, left),
            reasons[item.item_id],
        )
        reasons[item.item_id] = _better(found, reasons[item.item_id])
    spent = 0.0 if deadline is None else max(0.0, deadline - time.perf_counter())
    return [
        reasons[item.item_id]
        or Reason(item.item_id, item.kind, not_examined_text(round(spent, 1)))
        for item in items
    ]


def _left(deadline: float | None) -> float:
    return float("inf") if deadline is None else deadline - time.perf_counter()


def _better(probed: Reason, cheap: Reason | None) -> Reason:
    """The full re-solve's reason, unless it found less than the cheap one."""
    if cheap is None or probed.loss is not None or probed.conflict is not None:
        return probed
    return replace(cheap, probed=True)


def settled(problem: Problem, plan: Plan, item: _Item) -> Reason | None:
    """The reason of an item the workbook alone rules out, found by reading it.

    An exercise the workbook makes impossible; a goal asking for more than the
    exercises that could ever count for it.
    """
    if item.kind == KIND_EXERCISE:
        exercise = problem.exercise[item.item_id]
        if exercise.impossible:
            return Reason(item.item_id, item.kind, impossible_text(exercise))
        return None
    goal = {g.id: g for g in problem.goals}[item.item_id]
    text = too_few_text(problem, goal)
    return None if text is None else Reason(item.item_id, item.kind, text)


def _goal_facts(problem: Problem, plan: Plan, item: _Item) -> Reason:
    goal = {g.id: g for g in problem.goals}[item.item_id]
    progress = next(p for p in goal_progress(problem, plan) if p.goal_id == goal.id)
    return Reason(
        item.item_id,
        item.kind,
        goal_facts_text(problem, goal, plan, progress.achieved),
    )


class _Fitter:
    """Each left-out exercise forced in alone, every other exercise as planned.

    One model serves them all: the plan's events are fixed for good, and each
    question only changes the assumptions (this exercise held, the other
    left-out ones not), so a large programme is built once (generated xl:
    about 0.3 s a question against 2.5 s for a model of its own).
    """

    def __init__(
        self, problem: Problem, plan: Plan, base: int, items: list[_Item]
    ) -> None:
        self.problem, self.plan, self.base = problem, plan, base
        self.ids = [item.item_id for item in items]
        self._built: BuiltModel | None = None

    @property
    def built(self) -> BuiltModel:
        if self._built is None:
            built = build_model(self.problem)
            for event in self.plan.events:
                keep_event(built.model, built.variables, event)
            add_hint(built, self.plan)
            self._built = built
        return self._built

    def reason(
        self, exercise_id: str, time_limit_s: float, deadline: float | None
    ) -> Reason:
        v, model = self.built.variables, self.built.model
        model.clear_assumptions()
        model.add_assumptions(
            [v.held[exercise_id]]
            + [~v.held[other] for other in self.ids if other != exercise_id]
        )
        limit = max(0.1, min(time_limit_s, _left(deadline)))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = limit
        status = solver.solve(model)
        model.clear_assumptions()
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            plan = read_plan(self.problem, v, solver)
            objective = plan_objective(self.problem, plan)
            event = plan.by_exercise[exercise_id]
            loss = self.base - objective
            return Reason(
                exercise_id,
                KIND_EXERCISE,
                fitted_text(self.problem, event, loss),
                loss,
                objective,
                plan=plan,
                fitted=True,
            )
        if status == cp_model.INFEASIBLE:
            return Reason(exercise_id, KIND_EXERCISE, no_room_text(), fitted=True)
        return Reason(exercise_id, KIND_EXERCISE, no_room_text(round(limit, 1)))


def probe(
    problem: Problem,
    plan: Plan,
    base: int,
    item: _Item,
    time_limit_s: float,
    conflict_limit_s: float,
    cheap: Reason | None = None,
) -> Reason:
    """Force one item in and say what that costs, or which rows forbid it.

    ``cheap``: the item's cheap reason; a plan it found starts the re-solve
    and stands when the re-solve finds nothing better.
    """
    noun = "Holding it" if item.kind == KIND_EXERCISE else "Meeting it in full"
    fitted = cheap.plan if cheap is not None else None
    outcome = best_with(problem, item.force, fitted or plan, time_limit_s)
    if (
        cheap is not None
        and cheap.forced_objective is not None
        and (outcome.objective is None or cheap.forced_objective > outcome.objective)
    ):
        outcome = Outcome(cp_model.FEASIBLE, cheap.plan, cheap.forced_objective)
    if outcome.objective is not None:
        loss = base - outcome.objective
        if loss > 0:
            text = (
                f"{noun} lowers the objective by {money(problem, loss)} "
                f"(best plan found with it: {outcome.objective:,})."
            )
        else:
            text = (
                f"{noun} is possible without loss: a plan with it scores "
                f"{outcome.objective:,}, the plan {base:,}; solve for longer."
            )
        return Reason(
            item.item_id,
            item.kind,
            text,
            loss,
            outcome.objective,
            plan=outcome.plan,
            probed=True,
        )
    if outcome.status != cp_model.INFEASIBLE:
        text = f"No plan with it was found within {time_limit_s:g} s."
        if cheap is not None and cheap.fitted:
            text = (
                "It does not fit around the rest of the plan, so other "
                f"exercises would have to move; no such plan was found within "
                f"{time_limit_s:g} s."
            )
        return Reason(item.item_id, item.kind, text, probed=True)
    rows = conflict(problem, conflict_limit_s, item.force) or []
    return Reason(
        item.item_id,
        item.kind,
        _impossible(problem, noun, rows),
        conflict=tuple(rows),
        probed=True,
    )


def _impossible(problem: Problem, noun: str, rows: list[Source]) -> str:
    return f"{noun} is impossible: " + " | ".join(conflict_lines(problem, rows))


# --- budgets -------------------------------------------------------------------


def budget_prices(
    problem: Problem, plan: Plan, time_limit_s: float = PROBE_LIMIT_S
) -> list[BudgetPrice]:
    """For each budget, what a 10% larger one would add to the objective.

    One re-solve per budget (each partner's and the organizer's total), from
    the plan, which stays feasible under a larger budget; so the gain is never
    negative.
    """
    base = plan_objective(problem, plan)
    prices = []
    budgets: list[tuple[str, int, Source | None, Problem]] = []
    for partner in problem.partners:
        if partner.budget is not None:
            larger = _larger(partner.budget)
            bigger = replace(partner, budget=larger)
            partners = tuple(bigger if p is partner else p for p in problem.partners)
            budgets.append(
                (
                    partner.id,
                    partner.budget,
                    partner.source,
                    replace(problem, partners=partners),
                )
            )
    total = problem.settings.total_budget
    if total is not None:
        settings = replace(problem.settings, total_budget=_larger(total))
        budgets.append(
            (
                "",
                total,
                problem.settings.total_budget_source,
                replace(problem, settings=settings),
            )
        )
    for owner, budget, source, bigger_problem in budgets:
        outcome = best_with(bigger_problem, None, plan, time_limit_s)
        gain = None if outcome.objective is None else max(0, outcome.objective - base)
        prices.append(
            BudgetPrice(
                source,
                owner,
                budget,
                _larger(budget),
                gain,
                _price_text(problem, owner, budget, gain, source),
            )
        )
    return prices


def _larger(budget: int) -> int:
    """The budget raised by `BUDGET_PERCENT`, rounded up to a whole unit."""
    return budget + -(-budget * BUDGET_PERCENT // 100)


def _price_text(
    problem: Problem, owner: str, budget: int, gain: int | None, source: Source | None
) -> str:
    whose = f"Partner {owner}'s budget" if owner else "The total budget"
    more = money(problem, _larger(budget) - budget)
    if gain is None:
        found = "no plan was found in time"
    elif gain == 0:
        found = "it would buy nothing"
    else:
        found = f"it would add {gain:,} to the objective"
    return f"{whose} ({where(source)}): {more} more ({BUDGET_PERCENT}%), {found}."


# --- suggest -------------------------------------------------------------------


def fix_rest(problem: Problem, plan: Plan, exercise_id: str) -> Force:
    """Keep every other exercise exactly as the plan has it: hard, not a row."""

    def force(built: BuiltModel) -> None:
        v, model = built.variables, built.model
        for other in problem.exercises:
            if other.id == exercise_id:
                continue
            event = plan.by_exercise.get(other.id)
            if event is None:
                model.add(v.held[other.id] == 0)
            else:
                keep_event(model, v, event)

    return force


def place(exercise_id: str, start: int | None, venue_id: str | None) -> Force:
    """Hold the exercise, at ``start`` and ``venue_id`` where given."""

    def force(built: BuiltModel) -> None:
        v, model = built.variables, built.model
        model.add(v.held[exercise_id] == 1)
        if start is not None:
            model.add(v.start[exercise_id] == start)
        if venue_id is not None:
            model.add(v.at_venue[exercise_id, venue_id] == 1)

    return force


def _both(*forces: Force) -> Force:
    def force(built: BuiltModel) -> None:
        for one in forces:
            one(built)

    return force


def suggest(
    problem: Problem,
    plan: Plan,
    exercise_id: str,
    top: int = 5,
    at_venue: str | None = None,
    at_start: int | None = None,
    time_limit_s: float = PROBE_LIMIT_S,
) -> list[Suggestion]:
    """The best places for one exercise with the rest of the plan as it is.

    Each suggestion is a (start, venue) with the participants that suit it
    best and the objective change against the plan; re-solving with that
    start and venue fixed gives exactly that objective. The placements are
    found best first: each solve forbids the (start, venue) pairs already
    listed, so ``top`` solves give the ``top`` best. The plan's own placement
    of the exercise is never suggested. When ``at_venue``/``at_start`` ask for
    a placement that is impossible, the one Suggestion returned carries no
    objective and the rows that forbid it.

    There is always an answer: when no placement keeps the rest of the plan,
    the one Suggestion says why and, where other exercises could move to make
    room, the best plan found with it and its objective change.
    """
    exercise = problem.exercise[exercise_id]
    if exercise.impossible:
        return [
            _refused(
                problem, exercise_id, at_start, at_venue, (), impossible_text(exercise)
            )
        ]
    if at_venue is not None and at_venue not in problem.venue:
        return [_refused(problem, exercise_id, at_start, at_venue, (), "no such venue")]
    if (
        at_start is not None
        and not 0 <= at_start <= problem.n_slots - exercise.duration
    ):
        return [
            _refused(
                problem,
                exercise_id,
                at_start,
                at_venue,
                (),
                "it would run past the horizon",
            )
        ]
    base = plan_objective(problem, plan)
    rest = fix_rest(problem, plan, exercise_id)
    built = build_model(problem)
    v = built.variables
    if at_venue is not None and at_venue not in v.venues[exercise_id]:
        return [
            _refused(
                problem,
                exercise_id,
                at_start,
                at_venue,
                tuple(s for s in [exercise.source] if s is not None),
                f"the venue cannot host it: {describe_exercise(problem, exercise)}",
            )
        ]
    _both(rest, place(exercise_id, at_start, at_venue))(built)
    current = plan.by_exercise.get(exercise_id)
    if current is not None and current.venue_id in v.venues[exercise_id]:
        _forbid(built, exercise_id, current.start, current.venue_id)
    suggestions: list[Suggestion] = []
    while len(suggestions) < top:
        solver = _solver(problem, time_limit_s)
        status = solver.solve(built.model)
        if status != cp_model.OPTIMAL:
            break
        found = read_plan(problem, v, solver).by_exercise[exercise_id]
        objective = plan_objective(problem, _replaced(plan, found))
        suggestions.append(
            Suggestion(
                exercise_id,
                found.start,
                found.venue_id,
                found.participants,
                objective,
                objective - base,
                _placement_text(problem, found, objective - base),
            )
        )
        _forbid(built, exercise_id, found.start, found.venue_id)
    if suggestions:
        return suggestions
    if at_venue is None and at_start is None:
        return [_moving_others(problem, plan, exercise_id, base, time_limit_s)]
    rows = conflict(
        problem,
        CONFLICT_LIMIT_S,
        _both(rest, place(exercise_id, at_start, at_venue)),
    )
    return [
        _refused(
            problem,
            exercise_id,
            at_start,
            at_venue,
            tuple(rows or ()),
            " | ".join(conflict_lines(problem, rows or [])),
        )
    ]


def _moving_others(
    problem: Problem, plan: Plan, exercise_id: str, base: int, time_limit_s: float
) -> Suggestion:
    """No placement fits around the plan: the best plan found moving others.

    Its own placement in the plan (if held) stays forbidden, so the answer is
    always another one; with none at all, the rows that forbid it.
    """
    current = plan.by_exercise.get(exercise_id)

    def force(built: BuiltModel) -> None:
        hold(exercise_id)(built)
        if (
            current is not None
            and current.venue_id in built.variables.venues[exercise_id]
        ):
            _forbid(built, exercise_id, current.start, current.venue_id)

    outcome = best_with(problem, force, plan, time_limit_s)
    if outcome.plan is not None and outcome.objective is not None:
        event = outcome.plan.by_exercise[exercise_id]
        return Suggestion(
            exercise_id,
            event.start,
            event.venue_id,
            event.participants,
            outcome.objective,
            outcome.objective - base,
            moved_text(
                problem, plan, outcome.plan, exercise_id, outcome.objective - base
            ),
        )
    rows: list[Source] = []
    if outcome.status == cp_model.INFEASIBLE:
        rows = conflict(problem, CONFLICT_LIMIT_S, force) or []
        why = " | ".join(conflict_lines(problem, rows))
    else:
        why = f"no plan with it was found within {time_limit_s:g} s"
    return _refused(problem, exercise_id, None, None, tuple(rows), why)


def _forbid(built: BuiltModel, exercise_id: str, start: int, venue_id: str) -> None:
    v = built.variables
    built.model.add_forbidden_assignments(
        [v.start[exercise_id], v.at_venue[exercise_id, venue_id]], [(start, 1)]
    )


def _replaced(plan: Plan, event: Event) -> Plan:
    others = [e for e in plan.events if e.exercise_id != event.exercise_id]
    return Plan(tuple(sorted([*others, event], key=lambda e: (e.start, e.exercise_id))))


def _placement_text(problem: Problem, event: Event, change: int) -> str:
    exercise = problem.exercise[event.exercise_id]
    last = event.start + exercise.duration - 1
    who = ", ".join(event.participants) or "no partners"
    sign = "+" if change >= 0 else "-"
    return (
        f"{exercise.id} at {event.venue_id} from {problem.slot_start(event.start)} "
        f"to {problem.slot_end(last)} with {who}: objective {sign}{abs(change):,}"
    )


def _refused(
    problem: Problem,
    exercise_id: str,
    start: int | None,
    venue_id: str | None,
    rows: tuple[Source, ...],
    why: str,
) -> Suggestion:
    at = []
    if venue_id is not None:
        at.append(f"at {venue_id}")
    if start is not None:
        at.append(f"from {problem.slot_start(start)}")
    return Suggestion(
        exercise_id,
        start if start is not None else -1,
        venue_id or "",
        (),
        None,
        None,
        f"{exercise_id} cannot be held{''.join(' ' + a for a in at)}: {why}",
        rows,
    )
