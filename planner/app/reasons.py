"""Why a plan leaves things out, and where else an exercise could go.

Each question is answered by solving again with one thing forced
(`planner.model.probe`):

- an optional exercise the plan does not hold, forced to be held;
- a soft goal the plan misses, forced to be met in full;
- a budget made 10% larger (its shadow price, measured rather than read off
  an LP, since CP-SAT has no duals);
- one exercise placed elsewhere while the rest of the plan stays as it is.

The plan is every re-solve's first guess, so a short time limit is enough to
find a plan at least as good as it wherever the forcing allows. When forcing
leaves no plan, the rows that forbid it come from `planner.model.conflicts`.
This module turns what the probes found into reasons in the planner's words
(`planner.explain`), scoring the plan it starts from with the independent
checker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from planner.domain import Deadline, Event, Plan, Problem, Result, Source, Status
from planner.explain import (
    KIND_EXERCISE,
    KIND_GOAL,
    BudgetPrice,
    Explanation,
    Reason,
    Suggestion,
    conflict_summary,
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
from planner.figures import goal_progress, objective_terms
from planner.model.conflicts import conflict
from planner.model.probe import (
    Fitter,
    Force,
    Outcome,
    best_with,
    both,
    elsewhere,
    fix_rest,
    hold,
    meet,
    place,
    placements,
)
from planner.model.search import CancelToken

PROBE_LIMIT_S = 5.0
CONFLICT_LIMIT_S = 15.0
TOP_PROBED = 3  # items probed without explain_all, by what they are worth
# Without explain_all, explaining a plan takes at most this share of the time
# the search took (docs/workbook.md), never more than this share of the time
# limit and never less than EXPLAIN_FLOOR_S: a programme whose plan was proven
# best in a second is explained in about half a second, one searched for a
# minute in half a minute. Its time is reported with the explanation.
EXPLAIN_SHARE = 0.5
EXPLAIN_FLOOR_S = 0.5
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
    until: Deadline | None = None,
) -> Explanation | None:
    """What the writer shows about a result's why, or None when nothing to say.

    Infeasible: the fewest rows that conflict. A plan: a reason for everything
    it leaves out and, with ``explain_all``, what 10% more of each budget
    would buy. Without ``explain_all`` every item gets its cheap reason
    by ``until`` (default: within `EXPLAIN_SHARE` of the time limit), and no
    full re-solve starts after `explain_budget`; or the whole step takes at
    most ``budget_s``. What the time did not reach is counted
    (``not_examined``) and says so.
    """
    began = time.perf_counter()
    if result.status is Status.INFEASIBLE:
        if until is not None:
            conflict_limit_s = max(MIN_CONFLICT_S, min(conflict_limit_s, until.left()))
        rows = conflict(problem, conflict_limit_s)
        return explain_conflict(problem, rows or [])
    if result.plan is None:
        return None
    deadline, deep_deadline = None, None
    if not explain_all and budget_s is not None:
        deadline = deep_deadline = began + budget_s
    elif not explain_all:
        if until is None:
            until = Deadline(began + EXPLAIN_SHARE * _time_limit(problem, result))
        deadline = until.at
        deep_deadline = min(deadline, began + explain_budget(problem, result))
    reasons = why_left_out(
        problem,
        result.plan,
        explain_all,
        time_limit_s,
        conflict_limit_s,
        deadline,
        deep_deadline,
    )
    prices = budget_prices(problem, result.plan, time_limit_s) if explain_all else []
    return Explanation(
        reasons=tuple(reasons),
        budget_prices=tuple(prices),
        seconds=time.perf_counter() - began,
        probed=sum(r.probed for r in reasons),
        not_examined=sum(r.text == not_examined_text() for r in reasons),
    )


def explain_budget(problem: Problem, result: Result) -> float:
    """Seconds for explaining a plan: `EXPLAIN_SHARE` of what the search took,
    within `EXPLAIN_FLOOR_S` and that share of the time limit.

    What the search needed says how hard the programme's questions are: each
    re-solve asks the same question with one item forced in.
    """
    most = EXPLAIN_SHARE * _time_limit(problem, result)
    return min(most, max(EXPLAIN_FLOOR_S, EXPLAIN_SHARE * result.runtime_s))


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
    deadline: float | None = None,
    deep_deadline: float | None = None,
) -> list[Reason]:
    """A reason for each optional exercise left out and soft goal missed.

    First a cheap reason for every item (`settled`, then `Fitter` for an
    exercise, the goal's count for a goal), most valuable first; then every
    goal and the `TOP_PROBED` most valuable exercises (every one with
    ``explain_all``) are forced in and re-solved for ``time_limit_s`` from the
    plan (`probe`): the loss is the plan's objective minus the best found with
    it (found within a time limit it may overstate the true one, never
    understate it). Past ``deadline`` (a `time.perf_counter` value) nothing
    more is tried, and what no step reached says so; no re-solve starts past
    ``deep_deadline`` (default ``deadline``) or when the time left before it
    is less than the longest re-solve so far.
    """
    if deep_deadline is None:
        deep_deadline = deadline
    items = left_out(problem, plan)
    base = plan_objective(problem, plan)
    reasons = {item.item_id: settled(problem, item) for item in items}
    open_items = [item for item in items if reasons[item.item_id] is None]
    exercises = [item for item in open_items if item.kind == KIND_EXERCISE]
    fitter = Fitter(problem, plan, [item.item_id for item in exercises])
    for item in open_items:
        if item.kind == KIND_EXERCISE and _left(deadline) > 0:
            reasons[item.item_id] = _fitted(
                problem, fitter, base, item.item_id, time_limit_s, deadline
            )
        elif item.kind == KIND_GOAL:
            reasons[item.item_id] = _goal_facts(problem, plan, item)
    deep = [
        item
        for item in open_items
        if explain_all or item.kind == KIND_GOAL or item in exercises[:TOP_PROBED]
    ]
    took = 2 * fitter.build_s  # a re-solve builds its own model first
    for item in deep:
        left = _left(deep_deadline)
        if left <= took:
            break
        began = time.perf_counter()
        try:
            found = probe(
                problem,
                plan,
                base,
                item,
                min(time_limit_s, left),
                min(conflict_limit_s, left),
                reasons[item.item_id],
            )
        except (IndexError, RuntimeError):
            # CP-SAT failed on this one question (an internal error of the
            # solver, not of the plan): the item keeps its cheap reason, and
            # the plan and every other reason still stand.
            continue
        finally:
            took = max(took, time.perf_counter() - began)
        reasons[item.item_id] = _better(found, reasons[item.item_id])
    return [
        reasons[item.item_id] or Reason(item.item_id, item.kind, not_examined_text())
        for item in items
    ]


def _left(deadline: float | None) -> float:
    return float("inf") if deadline is None else deadline - time.perf_counter()


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
    fitter: Fitter,
    base: int,
    exercise_id: str,
    time_limit_s: float,
    deadline: float | None,
) -> Reason:
    """The cheap reason of a left-out exercise: does it fit around the plan?"""
    limit = max(0.1, min(time_limit_s, _left(deadline)))
    outcome = fitter.fit(exercise_id, limit)
    if outcome.plan is not None and outcome.objective is not None:
        event = outcome.plan.by_exercise[exercise_id]
        loss = base - outcome.objective
        return Reason(
            exercise_id,
            KIND_EXERCISE,
            fitted_text(problem, event, loss),
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
) -> Reason:
    """Force one item in and say what that costs, or which rows forbid it.

    ``cheap``: the item's cheap reason; a plan it found starts the re-solve
    and stands when the re-solve finds nothing better.
    """
    noun = "Holding it" if item.kind == KIND_EXERCISE else "Meeting it in full"
    fitted = cheap.plan if cheap is not None else None
    outcome = best_with(problem, item.force, fitted or plan, time_limit_s)
    found_plan, objective = outcome.plan, outcome.objective
    if (
        cheap is not None
        and cheap.forced_objective is not None
        and (objective is None or cheap.forced_objective > objective)
    ):
        found_plan, objective = cheap.plan, cheap.forced_objective
    if objective is not None:
        loss = base - objective
        if loss > 0:
            text = (
                f"{noun} lowers the objective by {money(problem, loss)} "
                f"(best plan found with it: {objective:,})."
            )
        else:
            text = (
                f"{noun} is possible without loss: a plan with it scores "
                f"{objective:,}, the plan {base:,}; solve for longer."
            )
        return Reason(
            item.item_id,
            item.kind,
            text,
            loss,
            objective,
            plan=found_plan,
            probed=True,
        )
    if not outcome.impossible:
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
        f"{noun} is impossible: {conflict_summary(problem, rows)}",
        conflict=tuple(rows),
        probed=True,
    )


# budgets


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


# suggest


def suggest(
    problem: Problem,
    plan: Plan,
    exercise_id: str,
    top: int = 5,
    at_venue: str | None = None,
    at_start: int | None = None,
    time_limit_s: float = PROBE_LIMIT_S,
    cancel: CancelToken | None = None,
) -> list[Suggestion]:
    """The best places for one exercise with the rest of the plan as it is.

    Each suggestion is a (start, venue) with the participants that suit it
    best and the objective change against the plan; re-solving with that
    start and venue fixed gives exactly that objective. The plan's own
    placement of the exercise is never suggested (`placements`). When
    ``at_venue``/``at_start`` ask for a placement that is impossible, the one
    Suggestion returned carries no objective and the rows that forbid it.

    There is always an answer: when no placement keeps the rest of the plan,
    the one Suggestion says why and, where other exercises could move to make
    room, the best plan found with it and its objective change. ``cancel``,
    once set, stops it with a KeyboardInterrupt, as Ctrl-C does.
    """
    exercise = problem.exercise[exercise_id]
    refuse = _refusal(problem, exercise_id, at_start, at_venue)
    if exercise.impossible:
        return [refuse((), impossible_text(exercise))]
    if at_venue is not None and at_venue not in problem.venue:
        return [refuse((), "no such venue")]
    if (
        at_start is not None
        and not 0 <= at_start <= problem.n_slots - exercise.duration
    ):
        return [refuse((), "it would run past the horizon")]
    base = plan_objective(problem, plan)
    found = placements(
        problem, plan, exercise_id, top, at_venue, at_start, time_limit_s, cancel
    )
    if found is None:
        return [
            refuse(
                tuple(s for s in [exercise.source] if s is not None),
                f"the venue cannot host it: {describe_exercise(problem, exercise)}",
            )
        ]
    if found:
        return [
            Suggestion(
                exercise_id,
                one.event.start,
                one.event.venue_id,
                one.event.participants,
                one.objective,
                one.objective - base,
                _placement_text(problem, one.event, one.objective - base),
            )
            for one in found
        ]
    if at_venue is None and at_start is None:
        return [_moving_others(problem, plan, exercise_id, base, time_limit_s, cancel)]
    rows = conflict(
        problem,
        CONFLICT_LIMIT_S,
        both(
            fix_rest(problem, plan, exercise_id), place(exercise_id, at_start, at_venue)
        ),
        cancel,
    )
    return [refuse(tuple(rows or ()), conflict_summary(problem, rows or []))]


def _moving_others(
    problem: Problem,
    plan: Plan,
    exercise_id: str,
    base: int,
    time_limit_s: float,
    cancel: CancelToken | None = None,
) -> Suggestion:
    """No placement fits around the plan: the best plan found moving others.

    Its own placement in the plan (if held) stays forbidden, so the answer is
    always another one; with none at all, the rows that forbid it.
    """
    force = elsewhere(plan, exercise_id)
    outcome: Outcome = best_with(problem, force, plan, time_limit_s, cancel)
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
    if outcome.impossible:
        rows = conflict(problem, CONFLICT_LIMIT_S, force, cancel) or []
        why = conflict_summary(problem, rows)
    else:
        why = f"no plan with it was found within {time_limit_s:g} s"
    return _refusal(problem, exercise_id, None, None)(tuple(rows), why)


def _placement_text(problem: Problem, event: Event, change: int) -> str:
    exercise = problem.exercise[event.exercise_id]
    last = event.start + exercise.duration - 1
    who = ", ".join(event.participants) or "no partners"
    sign = "+" if change >= 0 else "-"
    return (
        f"{exercise.id} at {event.venue_id} from {problem.slot_start(event.start)} "
        f"to {problem.slot_end(last)} with {who}: objective {sign}{abs(change):,}"
    )


def _refusal(
    problem: Problem,
    exercise_id: str,
    start: int | None,
    venue_id: str | None,
) -> Callable[[tuple[Source, ...], str], Suggestion]:
    """How to say the exercise cannot be held where asked: rows and why."""
    at = []
    if venue_id is not None:
        at.append(f"at {venue_id}")
    if start is not None:
        at.append(f"from {problem.slot_start(start)}")

    def refused(rows: tuple[Source, ...], why: str) -> Suggestion:
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

    return refused
