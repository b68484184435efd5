"""The objective as named terms, each a signed contribution to maximize.

objective = value + goal_shortfall + cost, with

- value = weights.value * Σ exercise.value over held exercises
- goal_shortfall = - weights.goal_shortfall * Σ over soft goals of
  goal.weight * shortfall(goal)
- cost = - weights.cost * (organizer spend + Σ partner spend)

and, when re-planning against a baseline plan, a fourth term

- change = - Σ over changes to the baseline of their weight
  (`planner.model.baseline`).

A term whose weight is 0 is not built. Each term's solution value is reported
and compared with the independent checker's recomputation, so every quantity
in a term equals its true value in any solution, not only in an optimal one.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from planner.domain import (
    TERM_CHANGE,
    TERM_COST,
    TERM_GOAL_SHORTFALL,
    TERM_VALUE,
    Goal,
    Plan,
    Problem,
)
from planner.model.baseline import change_term
from planner.model.variables import Derivation, Expr, Variables, weighted


def value_term(model: cp_model.CpModel, problem: Problem, v: Variables) -> Expr:
    """What the held exercises are worth: weights.value * Σ value * held."""
    weight = problem.settings.weights.value
    return weighted((weight * e.value, v.held[e.id]) for e in problem.exercises)


def goal_shortfall_term(
    model: cp_model.CpModel, problem: Problem, v: Variables
) -> Expr:
    """The soft goals' shortfall, negated and weighted.

    - weights.goal_shortfall * Σ_goal goal.weight * Σ_count w * max(0, min - count)
    """
    weight = problem.settings.weights.goal_shortfall
    return weighted(
        (-weight * goal.weight * count_weight, shortfall)
        for goal in problem.goals
        if not goal.hard and goal.weight
        for count_weight, shortfall in _shortfalls(model, goal, v)
    )


def _shortfalls(
    model: cp_model.CpModel, goal: Goal, v: Variables
) -> list[tuple[int, Expr]]:
    """For each count of the goal, its weight and max(0, min_count - count).

    Exact (a max, not a lower bound), so the reported term is the true one.
    """
    if goal.min_count <= 0:
        return []
    shortfalls: list[tuple[int, Expr]] = []
    for i, (count_weight, count) in enumerate(v.goal_counts[goal.id]):
        shortfall = model.new_int_var(0, goal.min_count, f"shortfall {goal.id} {i}")
        model.add_max_equality(shortfall, [0, goal.min_count - count])
        v.derived.append((shortfall, _shortfall_of(count, goal.min_count)))
        shortfalls.append((count_weight, shortfall))
    return shortfalls


def _shortfall_of(count: Expr, min_count: int) -> Derivation:
    """How a solution's shortfall follows from its count: max(0, min - count)."""
    return lambda value: max(0, min_count - value(count))


def cost_term(model: cp_model.CpModel, problem: Problem, v: Variables) -> Expr:
    """What everyone spends, negated: - weights.cost * (organizer + partners)."""
    weight = problem.settings.weights.cost
    spends = list(v.organizer_spend.values()) + list(v.partner_spend.values())
    return weighted((-weight, spend) for spend in spends)


# Each term built with a weight: its name, its weight in Settings, its builder.
TERM_BUILDERS = (
    (TERM_VALUE, "value", value_term),
    (TERM_GOAL_SHORTFALL, "goal_shortfall", goal_shortfall_term),
    (TERM_COST, "cost", cost_term),
)


def term_expressions(
    model: cp_model.CpModel,
    problem: Problem,
    v: Variables,
    baseline: Plan | None = None,
) -> dict[str, Expr]:
    """Every term whose weight is not 0, by its name in the domain.

    The change term exists exactly when there is a ``baseline``, even when all
    its weights are 0, so a re-planned result always reports it.
    """
    weights = problem.settings.weights
    terms = {
        name: build(model, problem, v)
        for name, weight_name, build in TERM_BUILDERS
        if getattr(weights, weight_name)
    }
    if baseline is not None:
        terms[TERM_CHANGE] = change_term(model, problem, v, baseline)
    return terms


def set_objective(model: cp_model.CpModel, terms: dict[str, Expr]) -> None:
    """Maximize the sum of the terms."""
    model.maximize(cp_model.LinearExpr.sum(list(terms.values())))
