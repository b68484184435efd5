"""Why no plan exists: the fewest workbook rows that cannot all hold.

Every input row that creates hard rules gets its own assumption literal
(`SourceGuard`). CP-SAT, asked for a plan under all of them, names a set of
rows that together leave no plan (`sufficient_assumptions_for_infeasibility`);
that set is then shrunk one row at a time until dropping any one row of it
would let a plan exist. Rows nothing can relax (the horizon, durations,
who is invited) are part of every model, never assumptions.

CP-SAT answers with such a set only for a feasibility problem solved by one
worker, so the objective is cleared and the search runs single-threaded.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from ortools.sat.python import cp_model

from planner.domain import CancelToken, Problem, Source
from planner.model.hint import greedy_plan
from planner.model.search import BuiltModel, add_hint, build_model, run_cancellable
from planner.model.variables import SourceGuard

DEFAULT_LIMIT_S = 30.0
# Each check while shrinking gets at least this long, however little is left:
# a check that runs out of time keeps its row, so the set stays a conflict.
MIN_CHECK_S = 0.5

Force = Callable[[BuiltModel], None]  # adds hard constraints that are no rows
_UNDECIDED: list[Source] = []  # by identity: the search ran out of time


def conflict(
    problem: Problem,
    time_limit_s: float = DEFAULT_LIMIT_S,
    force: Force | None = None,
    cancel: CancelToken | None = None,
) -> list[Source] | None:
    """The fewest rows that together leave no plan; None when a plan exists.

    ``force`` adds constraints that hold whatever the rows say (an exercise
    forced in, the rest of a plan fixed). ``[]`` means no row can be blamed:
    what is forced, the horizon or the durations alone leave no plan. When time
    runs out while shrinking, the rows not yet tried stay in, so the answer is
    still a conflict, only perhaps not the smallest. When time runs out before
    CP-SAT decides at all, every guarded row is returned. ``cancel``, once
    set, stops it with a KeyboardInterrupt, as Ctrl-C does.
    """
    found = _search(problem, time_limit_s, force, cancel)
    return None if found is None else found[0]


def shrunk_conflict(
    problem: Problem,
    time_limit_s: float = DEFAULT_LIMIT_S,
    force: Force | None = None,
    cancel: CancelToken | None = None,
) -> list[Source] | None:
    """`conflict`, but only once shrunk to the end: None when a plan exists
    or when time ran out first.

    A set the time cut short is still a conflict, but it can hold most rows of
    the workbook, which says nothing true of why one exercise cannot be held.
    """
    found = _search(problem, time_limit_s, force, cancel)
    return None if found is None or not found[1] else found[0]


def _search(
    problem: Problem,
    time_limit_s: float,
    force: Force | None,
    cancel: CancelToken | None,
) -> tuple[list[Source], bool] | None:
    """The rows that leave no plan and whether shrinking them ended in time;
    None when a plan exists."""
    deadline = time.perf_counter() + time_limit_s
    guarded = _GuardedModel(problem, force, cancel)
    core = guarded.core(guarded.rows, _left(deadline), decided=True)
    if core is None:
        return None
    if core is _UNDECIDED:
        return list(guarded.rows), False
    return _shrink(guarded, core, deadline)


def feasible(
    problem: Problem,
    without: Iterable[Source] = (),
    force: Force | None = None,
    time_limit_s: float = DEFAULT_LIMIT_S,
) -> bool | None:
    """Whether a plan exists once the rows ``without`` are switched off.

    None when the search ran out of time; for checking that an explanation is
    minimal (each of its rows, switched off alone, lets a plan exist).
    """
    guarded = _GuardedModel(problem, force)
    off = set(without)
    rows = [r for r in guarded.rows if r not in off]
    found = guarded.core(rows, time_limit_s, decided=True)
    return None if found is _UNDECIDED else found is None


def _left(deadline: float) -> float:
    return max(MIN_CHECK_S, deadline - time.perf_counter())


def _shrink(
    guarded: _GuardedModel, core: list[Source], deadline: float
) -> tuple[list[Source], bool]:
    """Drop rows one at a time, keeping a row only if the rest has a plan.

    A check that runs out of time keeps its row: the answer must stay a true
    conflict, even if not the smallest.

    When the rest still has no plan, CP-SAT's own answer for the rest (a subset
    of it) replaces it, which usually drops many rows at once. Also says
    whether every row was tried before the deadline.
    """
    kept: list[Source] = []
    untried = list(core)
    while untried:
        if time.perf_counter() >= deadline:
            return kept + untried, False
        row = untried.pop(0)
        smaller = guarded.core(kept + untried, _left(deadline), decided=True)
        if smaller is None or smaller is _UNDECIDED:
            kept.append(row)
        else:
            still = set(smaller)
            untried = [r for r in untried if r in still]
    return kept, True


class _GuardedModel:
    """One model with a literal per row, asked again under different rows.

    A row left out of the assumptions keeps its literal free, so the solver may
    switch the row off: exactly "the programme without that row".
    """

    def __init__(
        self, problem: Problem, force: Force | None, cancel: CancelToken | None = None
    ) -> None:
        self.cancel = cancel
        self.guard = SourceGuard()
        self.built = build_model(problem, guard=self.guard)
        self.built.model.clear_objective()  # type: ignore[no-untyped-call]  # unannotated in ortools
        # A first guess spares each check a search from nothing.
        add_hint(self.built, greedy_plan(problem))
        if force is not None:
            force(self.built)
        self.rows = list(self.guard.literals)

    def core(
        self, rows: Iterable[Source], time_limit_s: float, decided: bool = False
    ) -> list[Source] | None:
        """Rows, among ``rows``, that leave no plan; None when a plan exists.

        A search that runs out of time counts as "no plan found", so the
        caller keeps the row it was testing.
        """
        rows = list(rows)
        model = self.built.model
        model.clear_assumptions()
        model.add_assumptions([self.guard.literals[r] for r in rows])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        # Presolve would run again on every check; with the greedy hint the
        # checks are faster without it (generated l: 25 s to 8 s in all).
        solver.parameters.cp_model_presolve = False
        solver.parameters.max_time_in_seconds = time_limit_s
        status = run_cancellable(solver, model, self.cancel)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        if status != cp_model.INFEASIBLE:
            return _UNDECIDED if decided else rows
        by_index = {self.guard.literals[r].index: r for r in rows}
        named = set(solver.sufficient_assumptions_for_infeasibility())
        return [r for r in rows if self.guard.literals[r].index in named] or (
            [] if not by_index else _confirm_empty(self, rows, time_limit_s)
        )


def _confirm_empty(
    guarded: _GuardedModel, rows: list[Source], time_limit_s: float
) -> list[Source]:
    """CP-SAT named no row: check the model with every row off, to be sure.

    Presolve may prove infeasibility without tracking the assumptions; when
    the model without any row still has no plan, no row is to blame.
    """
    model = guarded.built.model
    model.clear_assumptions()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit_s
    off = [~guarded.guard.literals[r] for r in guarded.rows]
    model.add_assumptions(off)
    status = run_cancellable(solver, model, guarded.cancel)
    model.clear_assumptions()
    if status == cp_model.INFEASIBLE:
        return []
    return rows
