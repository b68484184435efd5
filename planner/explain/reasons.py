"""Why a plan leaves things out, and what more budget would buy.

Each question is answered by solving again with one thing forced
(`planner.model.probe`):

- an optional exercise the plan does not hold, forced to be held;
- a soft goal the plan misses, forced to be met in full;
- a budget made 10% larger (its shadow price, measured rather than read off
  an LP, since CP-SAT has no duals).

The plan is every re-solve's first guess, so a short time limit is enough to
find a plan at least as good as it wherever the forcing allows. When forcing
leaves no plan, the rows that forbid it come from `planner.model.conflicts`.
This module turns what the probes found into reasons in the planner's words
(`planner.explain.words`), scoring the plan it starts from with the independent
checker.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

from planner.domain import CancelToken, Deadline, Plan, Problem, Result, Source, Status
from planner.explain.words import (
    conflict_summary,
    explain_conflict,
    fitted_text,
    goal_facts_text,
    impossible_text,
    money,
    no_room_text,
    not_examined_text,
    placement,
    too_few_text,
    trade_off,
    unnamed_conflict_text,
    where,
    worth,
)
from planner.figures import goal_progress, objective_terms
from planner.model.conflicts import conflict, shrunk_conflict
from planner.model.probe import (
    Fitter,
    Force,
    alone,
    best_with,
    hold,
    meet,
)
from planner.model.search import WORK_PER_SECOND
from planner.report import KIND_EXERCISE, KIND_GOAL, BudgetPrice, Explanation, Reason

PROBE_LIMIT_S = 5.0
CONFLICT_LIMIT_S = 15.0
TOP_PROBED = 3  # items probed without explain_all, by what they are worth
# Without explain_all, the full re-solves do at most this share of the work
# the search did (CP-SAT's deterministic time, docs/workbook.md), never more
# than a deterministic search of this share of the time limit and never less
# than one of EXPLAIN_FLOOR_S: a programme whose plan was proven best at once
# is explained in about a second, one searched for a minute in about half a
# minute. Counted in work, not seconds, the same plan gets the same reasons on
# a loaded machine as on an idle one. Its time is reported with the
# explanation.
EXPLAIN_SHARE = 0.5
EXPLAIN_FLOOR_S = 1.0
# A conflict search gets at least this long, past the deadline if need be:
# without it a programme that has no plan would say nothing of why.
MIN_CONFLICT_S = 1.0
BUDGET_PERCENT = 10  # a budget's shadow price: the gain from this much more


def plan_objective(problem: Problem, plan: Plan) -> int:
    """The plan's objective as the independent checker computes it."""
    return sum(objective_terms(problem, plan).values())


def explain_result(
    problem: Problem,
    result: Result,
    explain_all: bool = False,
    time_limit_s: float = PROBE_LIMIT_S,
    conflict_limit_s: float = CONFLICT_LIMIT_S,
    budget_s: float | None = None,
    cancel: CancelToken | None = None,
    until: Deadline | None = None,
) -> Explanation | None:
    """What the writer shows about a result's why, or None when nothing to say.

    Infeasible: the fewest rows that conflict (found for at least
    `MIN_CONFLICT_S`, past ``until`` if need be). A plan: a reason for
    everything it leaves out and, with ``explain_all``, what 10% more of
    each budget would buy, as long as that takes. Without ``explain_all``
    every item gets its cheap reason by ``until`` (default: `EXPLAIN_SHARE`
    of the time limit from now), and no full re-solve starts after
    `explain_budget`; or the whole step takes at most ``budget_s``. Once
    ``cancel`` (or the token ``until`` heeds) is set nothing more is tried.
    What was found stands, and what the time did not reach says so and is
    counted (``not_examined``).
    """
    began = time.perf_counter()
    if until is None:
        seconds = EXPLAIN_SHARE * _time_limit(problem, result)
        if budget_s is not None:
            seconds = budget_s
        until = Deadline.after(seconds)
    until = until.heeding(cancel)
    if result.status is Status.INFEASIBLE:
        limit = max(MIN_CONFLICT_S, min(conflict_limit_s, until.left()))
        try:
            rows = conflict(problem, limit, cancel=until.cancel)
        except KeyboardInterrupt:
            return None  # stopped before the conflict was found
        return explain_conflict(problem, rows or [])
    if result.plan is None:
        return None
    if explain_all:
        until = Deadline.never().heeding(until.cancel)
    work = math.inf
    if not explain_all and budget_s is None:
        work = explain_work(problem, result)
    reasons = why_left_out(
        problem,
        result.plan,
        explain_all,
        time_limit_s,
        conflict_limit_s,
        until,
        work,
        _build_s(result),
    )
    prices = []
    if explain_all and not until.cancelled():
        prices = budget_prices(problem, result.plan, time_limit_s, until.cancel)
    return Explanation(
        reasons=tuple(reasons),
        budget_prices=tuple(prices),
        seconds=time.perf_counter() - began,
        probed=sum(r.probed for r in reasons),
        not_examined=sum(r.text == not_examined_text() for r in reasons),
    )


def explain_work(problem: Problem, result: Result) -> float:
    """CP-SAT's deterministic time for the full re-solves: `EXPLAIN_SHARE` of
    what the search did, within a deterministic search of `EXPLAIN_FLOOR_S`
    and one of that share of the time limit.

    What the search needed says how hard the programme's questions are: each
    re-solve asks the same question with one item forced in.
    """
    most = EXPLAIN_SHARE * _time_limit(problem, result) * WORK_PER_SECOND
    done = result.statistics.get("deterministic_time")
    did = float(done) if isinstance(done, int | float) else 0.0
    return min(most, max(EXPLAIN_FLOOR_S * WORK_PER_SECOND, EXPLAIN_SHARE * did))


def _build_s(result: Result) -> float:
    """What building the search's model took (the result's statistics)."""
    took = result.statistics.get("build_s")
    return float(took) if isinstance(took, int | float) else 0.0


def _time_limit(problem: Problem, result: Result) -> float:
    """The run's time limit: the one it was given, else the workbook's."""
    limit = result.parameters.get("time_limit_s")
    if isinstance(limit, int | float):
        return float(limit)
    return problem.settings.time_limit_s


# why left out


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
    deadline: Deadline | None = None,
    work: float = math.inf,
    build_s: float = 0.0,
) -> list[Reason]:
    """A reason for each optional exercise left out and soft goal missed.

    First a cheap reason for every item (`settled`, then `Fitter` for an
    exercise, the goal's count for a goal), most valuable first; then every
    goal and the `TOP_PROBED` most valuable exercises (every one with
    ``explain_all``) are forced in and re-solved for ``time_limit_s`` from the
    plan (`probe`): the loss is the plan's objective minus the best found with
    it (found within a time limit it may overstate the true one, never
    understate it). Every search is deterministic, and the re-solves together
    do at most ``work`` (CP-SAT's deterministic time), so the same plan gets
    the same reasons run after run. Once ``deadline`` passes (or its cancel
    token is set) nothing more is tried, and what no step reached says so; no
    re-solve starts when the time left before it is less than the longest
    re-solve so far. The cheap reasons' model is not built with less than
    ``build_s`` left (what building the search's model took): its building
    alone would run past the deadline.
    """
    if deadline is None:
        deadline = Deadline.never()
    items = left_out(problem, plan)
    base = plan_objective(problem, plan)
    reasons = {item.item_id: settled(problem, item) for item in items}
    open_items = [item for item in items if reasons[item.item_id] is None]
    exercises = [item for item in open_items if item.kind == KIND_EXERCISE]
    fitter = Fitter(problem, plan, [item.item_id for item in exercises])
    for item in open_items:
        building = build_s if fitter.build_s == 0.0 else 0.0
        if item.kind == KIND_EXERCISE and deadline.left() > building:
            try:
                reasons[item.item_id] = _fitted(
                    problem, plan, fitter, base, item.item_id, time_limit_s, deadline
                )
            except KeyboardInterrupt:
                break  # the cancel token: nothing more is tried
        elif item.kind == KIND_GOAL:
            reasons[item.item_id] = _goal_facts(problem, plan, item)
    deep = [
        item
        for item in open_items
        if explain_all or item.kind == KIND_GOAL or item in exercises[:TOP_PROBED]
    ]
    took = 2 * fitter.build_s  # a re-solve builds its own model first
    for item in deep:
        if deadline.left() <= took or work <= 0:
            break
        began = time.perf_counter()
        try:
            found = probe(
                problem,
                plan,
                base,
                item,
                min(time_limit_s, work / WORK_PER_SECOND),
                conflict_limit_s,
                reasons[item.item_id],
                deadline,
            )
        except KeyboardInterrupt:
            break  # the cancel token: nothing more is tried
        except (IndexError, RuntimeError):
            # CP-SAT failed on this one question (an internal error of the
            # solver, not of the plan): the item keeps its cheap reason, and
            # the plan and every other reason still stand.
            continue
        finally:
            took = max(took, time.perf_counter() - began)
        work -= found.work
        reasons[item.item_id] = _better(found, reasons[item.item_id])
    return [
        reasons[item.item_id] or Reason(item.item_id, item.kind, not_examined_text())
        for item in items
    ]


def _better(probed: Reason, cheap: Reason | None) -> Reason:
    """The full re-solve's reason, unless it found less than the cheap one."""
    if cheap is None or probed.loss is not None or probed.conflict is not None:
        return probed
    return replace(cheap, probed=True)


def settled(problem: Problem, item: _Item) -> Reason | None:
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


def _fitted(
    problem: Problem,
    plan: Plan,
    fitter: Fitter,
    base: int,
    exercise_id: str,
    time_limit_s: float,
    deadline: Deadline,
) -> Reason:
    """The cheap reason of a left-out exercise: does it fit around the plan?"""
    limit = time_limit_s
    outcome = fitter.fit(exercise_id, limit, deadline.cancel, deadline.left())
    if outcome.plan is not None and outcome.objective is not None:
        loss = base - outcome.objective
        return Reason(
            exercise_id,
            KIND_EXERCISE,
            fitted_text(problem, plan, outcome.plan, exercise_id, loss),
            loss,
            outcome.objective,
            plan=outcome.plan,
            fitted=True,
        )
    if outcome.impossible:
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
    deadline: Deadline | None = None,
) -> Reason:
    """Force one item in and say what that costs, or which rows forbid it.

    ``cheap``: the item's cheap reason; a plan it found starts the re-solve
    and stands when the re-solve finds nothing better. The search for the
    rows that forbid it ends by ``deadline`` too (or its cancel token).
    """
    if deadline is None:
        deadline = Deadline.never()
    cancel = deadline.cancel
    noun = "Holding it" if item.kind == KIND_EXERCISE else "Meeting it in full"
    fitted = cheap.plan if cheap is not None else None
    outcome = best_with(
        problem, item.force, fitted or plan, time_limit_s, cancel, deadline.left()
    )
    found_plan, objective = outcome.plan, outcome.objective
    if (
        cheap is not None
        and cheap.forced_objective is not None
        and (objective is None or cheap.forced_objective > objective)
    ):
        found_plan, objective = cheap.plan, cheap.forced_objective
    if objective is not None:
        loss = base - objective
        trade = "" if found_plan is None else trade_off(problem, plan, found_plan)
        why = f" ({trade})" if trade else ""
        held = found_plan.by_exercise if found_plan is not None else {}
        at = (
            f" ({placement(problem, held[item.item_id])})"
            if item.item_id in held and item.kind == KIND_EXERCISE
            else ""
        )
        if loss > 0:
            text = (
                f"{noun} costs more than it brings: the best plan found with "
                f"it{at} is {worth(problem, -loss)}{why}."
            )
        else:
            than = "as much as" if loss == 0 else f"{money(problem, -loss)} more than"
            text = (
                f"{noun} is possible without loss: a plan with it is worth {than} "
                f"this one{why}; search for longer."
            )
        return Reason(
            item.item_id,
            item.kind,
            text,
            loss,
            objective,
            plan=found_plan,
            probed=True,
            work=outcome.work,
        )
    if not outcome.impossible:
        text = f"No plan with it was found within {time_limit_s:g} s."
        if cheap is not None and cheap.fitted:
            text = (
                "It does not fit around the rest of the plan, so other "
                f"exercises would have to move; no such plan was found within "
                f"{time_limit_s:g} s."
            )
        return Reason(item.item_id, item.kind, text, probed=True, work=outcome.work)
    rows = forbidding_rows(problem, item, conflict_limit_s, deadline)
    if rows is None:
        text = unnamed_conflict_text(noun)
        return Reason(item.item_id, item.kind, text, probed=True, work=outcome.work)
    return Reason(
        item.item_id,
        item.kind,
        f"{noun} is impossible: {conflict_summary(problem, rows)}",
        conflict=tuple(rows),
        probed=True,
        work=outcome.work,
    )


def forbidding_rows(
    problem: Problem, item: _Item, conflict_limit_s: float, deadline: Deadline
) -> list[Source] | None:
    """The fewest rows that forbid an item no plan can have, or None when the
    time ran out before they were narrowed down.

    An exercise is first asked of the programme with it alone (`alone`): its
    own row, its venues', partners' and assets' rows, found in a fraction of
    a second. Only when it could be held alone are the other exercises to
    blame, and the whole programme is searched. A set the time cut short is
    never shown: it can hold most rows of the workbook, rows that have
    nothing to do with the item.
    """
    searches = [problem]
    if item.kind == KIND_EXERCISE:
        searches.insert(0, alone(problem, item.item_id))
    for searched in searches:
        limit = max(MIN_CONFLICT_S, min(conflict_limit_s, deadline.left()))
        rows = shrunk_conflict(searched, limit, item.force, deadline.cancel)
        if rows is not None:
            return rows
    return None


# budgets


def budget_prices(
    problem: Problem,
    plan: Plan,
    time_limit_s: float = PROBE_LIMIT_S,
    cancel: CancelToken | None = None,
) -> list[BudgetPrice]:
    """For each budget, what a 10% larger one would add to the plan's worth.

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
        try:
            outcome = best_with(bigger_problem, None, plan, time_limit_s, cancel)
        except KeyboardInterrupt:
            break  # the cancel token: the budgets priced so far stand
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
        found = f"the plan would be {worth(problem, gain)}"
    return f"{whose} ({where(source)}): {more} more ({BUDGET_PERCENT}%), {found}."
