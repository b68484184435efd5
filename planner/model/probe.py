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
    money,
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
) -> Explanation | None:
    """What the writer shows about a result's why, or None when nothing to say.

    Infeasible: the fewest rows that conflict. A plan: a reason for what it
    leaves out (every item with ``explain_all``, else the top few) and, with
    ``explain_all``, what 10% more of each budget would buy.
    """
    if result.status is Status.INFEASIBLE:
        rows = conflict(problem, conflict_limit_s)
        return explain_conflict(problem, rows or [])
    if result.plan is None:
        return None
    reasons = why_left_out(
        problem, result.plan, explain_all, time_limit_s, conflict_limit_s
    )
    prices = budget_prices(problem, result.plan, time_limit_s) if explain_all else []
    return Explanation(reasons=tuple(reasons), budget_prices=tuple(prices))


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
) -> list[Reason]:
    """A reason for each optional exercise left out and soft goal missed.

    Without ``explain_all`` only the `TOP_PROBED` most valuable are probed.
    Each is forced in and re-solved for ``time_limit_s`` from the plan; the
    loss is the plan's objective minus the best found with it (a loss found
    within a time limit may overstate the true one, never understate it).
    """
    items = left_out(problem, plan)
    if not explain_all:
        items = items[:TOP_PROBED]
    base = plan_objective(problem, plan)
    return [
        probe(problem, plan, base, item, time_limit_s, conflict_limit_s)
        for item in items
    ]


def probe(
    problem: Problem,
    plan: Plan,
    base: int,
    item: _Item,
    time_limit_s: float,
    conflict_limit_s: float,
) -> Reason:
    """Force one item in and say what that costs, or which rows forbid it."""
    noun = "Holding it" if item.kind == KIND_EXERCISE else "Meeting it in full"
    fitted = _fitted_in(problem, plan, item, time_limit_s)
    outcome = best_with(problem, item.force, fitted.plan or plan, time_limit_s)
    if fitted.objective is not None and (
        outcome.objective is None or fitted.objective > outcome.objective
    ):
        outcome = fitted
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
        return Reason(item.item_id, item.kind, text, loss, outcome.objective)
    if outcome.status != cp_model.INFEASIBLE:
        text = f"No plan with it was found within {time_limit_s:g} s."
        if fitted.status == cp_model.INFEASIBLE:
            text = (
                "It does not fit around the rest of the plan, so other "
                f"exercises would have to move; no such plan was found within "
                f"{time_limit_s:g} s."
            )
        return Reason(item.item_id, item.kind, text)
    rows = conflict(problem, conflict_limit_s, item.force) or []
    return Reason(
        item.item_id,
        item.kind,
        _impossible(problem, noun, rows),
        conflict=tuple(rows),
    )


def _fitted_in(
    problem: Problem, plan: Plan, item: _Item, time_limit_s: float
) -> Outcome:
    """The item forced in with every other exercise kept as the plan has it.

    Cheap even for a large programme, since almost everything is fixed; it
    gives a loss (an upper bound) where the full re-solve runs out of time.
    Only exercises fit this way: meeting a goal may need several changes.
    """
    if item.kind != KIND_EXERCISE:
        return Outcome(cp_model.UNKNOWN, None, None)
    rest = fix_rest(problem, plan, item.item_id)
    return best_with(problem, _both(rest, item.force), None, time_limit_s)


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
    """
    exercise = problem.exercise[exercise_id]
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
    if suggestions or (at_venue is None and at_start is None):
        return suggestions
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
        f"{exercise_id} cannot be held {' '.join(at)}: {why}",
        rows,
    )
