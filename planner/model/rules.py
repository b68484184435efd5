"""The hard rules of a plan, one function per rule, added in order by `add_rules`.

Every constraint that comes from an input row is enforced only while that row's
guard literals hold (`_enforce`), so a later explanation can switch rows off one
by one. By default no row has guard literals and every rule always holds.

Rules skip constraints that the pruned variables already satisfy (an exercise
whose start domain already avoids a blackout needs no constraint for it), so
each rule states the whole rule while the model stays small.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Container, Sequence

from ortools.sat.python import cp_model

from planner.domain import Period, Problem, Source
from planner.model.variables import Expr, Guard, Literal, Variables, blocked_starts

# The domain keeps no row for the Settings total_budget; row 0 stands for the
# Settings sheet as a whole.
TOTAL_BUDGET_SOURCE = Source("Settings", 0)

Rule = Callable[[cp_model.CpModel, Problem, Variables, Guard], None]


def _enforce(
    constraint: cp_model.Constraint,
    guard: Guard,
    source: Source | None,
    *when: Literal,
) -> cp_model.Constraint:
    """Make ``constraint`` hold only when ``when`` and the row's guard hold."""
    literals = [*when, *guard(source)]
    if literals:
        constraint.only_enforce_if(literals)
    return constraint


def _outside(blocked: Container[int]) -> Callable[[int], bool]:
    """Starts not among ``blocked``."""
    return lambda start: start not in blocked


def _between(first: int, last: int) -> Callable[[int], bool]:
    """Starts from ``first`` to ``last``, both included."""
    return lambda start: first <= start <= last


def _keep_starts(
    model: cp_model.CpModel,
    v: Variables,
    exercise_id: str,
    allowed: Callable[[int], bool],
    when: Sequence[Literal],
) -> None:
    """When all of ``when`` hold, the exercise starts only where ``allowed``.

    Nothing is added when the start domain already obeys it; ``when`` always
    holds a literal saying the exercise (or a part of it) takes place.
    """
    starts = v.starts[exercise_id]
    kept = [s for s in starts if allowed(s)]
    if len(kept) == len(starts):
        return
    if not kept:
        model.add_bool_or([~literal for literal in when])
        return
    model.add_linear_expression_in_domain(
        v.start[exercise_id], cp_model.Domain.from_values(kept)
    ).only_enforce_if(list(when))


def _avoid_blackouts(
    model: cp_model.CpModel,
    v: Variables,
    guard: Guard,
    exercise_id: str,
    duration: int,
    periods: Sequence[Period],
    when: Literal,
) -> None:
    """When ``when`` holds, the event touches none of ``periods``.

    Blackouts that always hold are merged into one constraint; each one that
    an explanation may switch off gets its own, under its guard.
    """
    fixed = [p for p in periods if guard.always(p.source)]
    blocked = blocked_starts(fixed, duration)
    _keep_starts(model, v, exercise_id, _outside(blocked), [when])
    for period in periods:
        if not guard.always(period.source):
            one = blocked_starts([period], duration)
            _keep_starts(
                model,
                v,
                exercise_id,
                _outside(one),
                [when, *guard(period.source)],
            )


def _present(
    model: cp_model.CpModel, used: Literal, row: list[Literal], name: str
) -> Literal:
    """A literal true exactly when ``used`` and every guard literal of ``row``.

    Scheduling constraints take no enforcement literal, so a guarded row
    switches its intervals off instead.
    """
    if not row:
        return used
    present = model.new_bool_var(name)
    model.add_bool_and([used, *row]).only_enforce_if(present)
    model.add_bool_or([present, ~used, *[~literal for literal in row]])
    return present


def _at_most_at_once(
    model: cp_model.CpModel,
    starts: Sequence[cp_model.IntVar],
    sizes: Sequence[int],
    used: Sequence[Literal],
    capacity: int,
    row: list[Literal],
    name: str,
) -> None:
    """At most ``capacity`` of these events share any slot (while ``row`` holds)."""
    if len(used) <= capacity:
        return
    intervals = [
        model.new_optional_fixed_size_interval_var(
            start, size, _present(model, use, row, f"{name} {i}"), f"{name} {i}"
        )
        for i, (start, size, use) in enumerate(zip(starts, sizes, used, strict=True))
    ]
    if capacity == 1:
        model.add_no_overlap(intervals)
    else:
        model.add_cumulative(intervals, [1] * len(intervals), capacity)


def exercise_window(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """A held exercise lies inside its window.

    earliest_start <= start and start + duration - 1 <= latest_end. The horizon
    (0 <= start <= n_slots - duration) is in every start domain.
    """
    for exercise in problem.exercises:
        first, last = exercise.earliest_start, exercise.latest_start
        _keep_starts(
            model,
            v,
            exercise.id,
            _between(first, last),
            [v.held[exercise.id], *guard(exercise.source)],
        )


def fixed_start_and_venue(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """A held exercise with a fixed start or venue keeps it.

    start = fixed_start; at_venue[fixed_venue] = held.
    """
    for exercise in problem.exercises:
        eid = exercise.id
        row = guard(exercise.source)
        if exercise.fixed_start is not None:
            fixed = exercise.fixed_start
            _keep_starts(model, v, eid, _between(fixed, fixed), [v.held[eid], *row])
        venue_id = exercise.fixed_venue
        if venue_id is None or v.venues[eid] == (venue_id,):
            continue
        if venue_id in v.venues[eid]:
            at = v.at_venue[eid, venue_id]
            _enforce(model.add(at == 1), guard, exercise.source, v.held[eid])
        else:
            model.add_bool_or([~v.held[eid], *[~literal for literal in row]])


def one_venue(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """A held exercise is at exactly one venue able to host it; others at none.

    Σ_venue at_venue = held, over the venues that are allowed, have every
    needed capability and could ever be open and big enough. No such venue:
    held = 0.
    """
    for exercise in problem.exercises:
        eid = exercise.id
        venues = v.venues[eid]
        if not venues:
            model.add(v.held[eid] == 0)
        elif len(venues) > 1:
            model.add(
                cp_model.LinearExpr.sum([v.at_venue[eid, u] for u in venues])
                == v.held[eid]
            )


def venue_unavailable(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """An event at a venue touches none of the venue's blackouts.

    at_venue => start not in [first - duration + 1, last] for each blackout.
    """
    for (eid, venue_id), at in v.at_venue.items():
        periods = problem.venue[venue_id].unavailable
        if periods:
            duration = problem.exercise[eid].duration
            _avoid_blackouts(model, v, guard, eid, duration, periods, at)


def venue_concurrency(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """A venue hosts at most max_concurrent events in any slot.

    NoOverlap of its events' intervals when max_concurrent = 1, else a
    Cumulative with demand 1 and capacity max_concurrent.
    """
    hosted = _by_second(v.at_venue)
    for venue in problem.venues:
        exercises = hosted.get(venue.id, [])
        _at_most_at_once(
            model,
            [v.start[e] for e in exercises],
            [problem.exercise[e].duration for e in exercises],
            [v.at_venue[e, venue.id] for e in exercises],
            venue.max_concurrent,
            guard(venue.source),
            f"venue {venue.id}",
        )


def venue_capacity(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """No more partners take part in an event than its venue holds.

    at_venue => Σ_partner takes_part <= venue.capacity.
    """
    for (eid, venue_id), at in v.at_venue.items():
        venue = problem.venue[venue_id]
        if venue.capacity is None or venue.capacity >= len(v.partners[eid]):
            continue
        count = cp_model.LinearExpr.sum([v.takes_part[eid, p] for p in v.partners[eid]])
        _enforce(model.add(count <= venue.capacity), guard, venue.source, at)


def required_partners(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """Every required partner takes part in a held exercise.

    takes_part[required partner] = held.
    """
    for exercise in problem.exercises:
        for partner_id in exercise.required_partners:
            model.add(v.takes_part[exercise.id, partner_id] == v.held[exercise.id])


def partner_count(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """Only invited partners take part, only in held exercises, in number.

    takes_part <= held (uninvited partners have no literal);
    min_partners * held <= Σ takes_part <= max_partners.
    """
    for exercise in problem.exercises:
        eid = exercise.id
        held = v.held[eid]
        taking_part = [v.takes_part[eid, p] for p in v.partners[eid]]
        for literal in taking_part:
            model.add_implication(literal, held)
        count = cp_model.LinearExpr.sum(taking_part)
        if exercise.min_partners > 0:
            model.add(count >= exercise.min_partners * held)
        most = exercise.max_partners
        if most is not None and most < len(taking_part):
            model.add(count <= most)


def partner_unavailable(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """A partner takes part only in events clear of its blackouts.

    takes_part => start not in [first - duration + 1, last] for each blackout.
    A restriction of the start, not a fixed interval in the partner's
    NoOverlap: there the intervals are longer by the rest gap, and a blackout
    right after an event does not break the rest.
    """
    for (eid, partner_id), takes_part in v.takes_part.items():
        periods = problem.partner[partner_id].unavailable
        if periods:
            duration = problem.exercise[eid].duration
            _avoid_blackouts(model, v, guard, eid, duration, periods, takes_part)


def partner_concurrency_and_gap(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """A partner attends at most max_concurrent events at once, rested between.

    Two of its events that share no slot are min_gap free slots apart:
    later.start >= earlier.start + earlier.duration + min_gap.
    With max_concurrent = 1 this is exact as a NoOverlap of intervals of
    duration + min_gap slots (one may end past the horizon). Otherwise a
    Cumulative of the events keeps the concurrency, and for min_gap > 0 each
    pair of its events whose starts could fall too close gets
    ``start_b - start_a`` kept out of [d_a, d_a + gap - 1] and
    [-(d_b + gap - 1), -d_b].
    """
    attending = _by_second(v.takes_part)
    for partner in problem.partners:
        exercises = attending.get(partner.id, [])
        row = guard(partner.source)
        gap = partner.min_gap
        if partner.max_concurrent == 1:
            sizes = [problem.exercise[e].duration + gap for e in exercises]
        else:
            sizes = [problem.exercise[e].duration for e in exercises]
        _at_most_at_once(
            model,
            [v.start[e] for e in exercises],
            sizes,
            [v.takes_part[e, partner.id] for e in exercises],
            partner.max_concurrent,
            row,
            f"partner {partner.id}",
        )
        if partner.max_concurrent != 1 and gap > 0:
            _rest_between(model, problem, v, partner.id, exercises, gap, row)


def _rest_between(
    model: cp_model.CpModel,
    problem: Problem,
    v: Variables,
    partner_id: str,
    exercises: list[str],
    gap: int,
    row: list[Literal],
) -> None:
    """Pairwise min_gap for a partner that may attend several events at once.

    Only pairs whose start domains allow a too-short rest are constrained:
    sorted by earliest start, ``b`` after ``a`` can come too close only while
    b's earliest start < a's latest start + a's duration + gap.
    """
    ordered = sorted(exercises, key=lambda e: (v.starts[e][0], e))
    for i, a in enumerate(ordered):
        a_lo, a_hi = v.starts[a][0], v.starts[a][-1]
        d_a = problem.exercise[a].duration
        for b in ordered[i + 1 :]:
            b_lo, b_hi = v.starts[b][0], v.starts[b][-1]
            if b_lo >= a_hi + d_a + gap:
                break
            d_b = problem.exercise[b].duration
            lowest, highest = b_lo - a_hi, b_hi - a_lo
            too_close = cp_model.Domain.from_intervals(
                [[-(d_b + gap - 1), -d_b], [d_a, d_a + gap - 1]]
            )
            reach = cp_model.Domain(lowest, highest)
            if reach.intersection_with(too_close).is_empty():
                continue
            allowed = reach.intersection_with(too_close.complement())
            model.add_linear_expression_in_domain(
                v.start[b] - v.start[a], allowed
            ).only_enforce_if(
                [v.takes_part[a, partner_id], v.takes_part[b, partner_id], *row]
            )


def partner_max_events(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """A partner takes part in at most max_events events in all.

    Σ_exercise takes_part <= max_events.
    """
    attending = _by_second(v.takes_part)
    for partner in problem.partners:
        exercises = attending.get(partner.id, [])
        if partner.max_events is None or partner.max_events >= len(exercises):
            continue
        count = cp_model.LinearExpr.sum(
            [v.takes_part[e, partner.id] for e in exercises]
        )
        _enforce(model.add(count <= partner.max_events), guard, partner.source)


def asset_capacity(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """An asset serves at most capacity events in any slot, never while away.

    A held exercise uses each of its assets throughout: NoOverlap (capacity 1)
    or Cumulative of the events using it, and held => start not in
    [first - duration + 1, last] for each of the asset's blackouts.
    """
    users: dict[str, list[str]] = defaultdict(list)
    for exercise in problem.exercises:
        for asset_id in exercise.assets:
            users[asset_id].append(exercise.id)
    for asset in problem.assets:
        exercises = users.get(asset.id, [])
        for eid in exercises:
            duration = problem.exercise[eid].duration
            _avoid_blackouts(
                model, v, guard, eid, duration, asset.unavailable, v.held[eid]
            )
        _at_most_at_once(
            model,
            [v.start[e] for e in exercises],
            [problem.exercise[e].duration for e in exercises],
            [v.held[e] for e in exercises],
            asset.capacity,
            guard(asset.source),
            f"asset {asset.id}",
        )


def partner_budget(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """A partner spends at most its budget.

    Σ over its events of (cost_per_partner + travel(partner, venue)) <= budget.
    """
    attending = _by_second(v.takes_part)
    for partner in problem.partners:
        if partner.budget is None:
            continue
        spend = _total(
            [v.partner_spend[e, partner.id] for e in attending.get(partner.id, [])]
        )
        _enforce(model.add(spend <= partner.budget), guard, partner.source)


def total_budget(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """The organizer spends at most the total budget.

    Σ over held events of (fixed_cost + venue.cost_per_slot * duration)
    <= settings.total_budget.
    """
    budget = problem.settings.total_budget
    if budget is None:
        return
    spend = _total(list(v.organizer_spend.values()))
    source = problem.settings.total_budget_source or TOTAL_BUDGET_SOURCE
    _enforce(model.add(spend <= budget), guard, source)


def dependencies(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """``after`` follows ``before`` with the gap the row asks for.

    Both held => after.start >= before.start + before.duration + min_gap, and
    after.start <= before.start + before.duration + max_gap if max_gap is set.
    requires: held[after] => held[before].
    """
    for dependency in problem.dependencies:
        before, after = dependency.before, dependency.after
        both = (v.held[before], v.held[after])
        end = v.start[before] + problem.exercise[before].duration
        source = dependency.source
        _enforce(
            model.add(v.start[after] >= end + dependency.min_gap), guard, source, *both
        )
        if dependency.max_gap is not None:
            _enforce(
                model.add(v.start[after] <= end + dependency.max_gap),
                guard,
                source,
                *both,
            )
        if dependency.requires:
            _enforce(
                model.add_implication(v.held[after], v.held[before]), guard, source
            )


def mandatory_exercises(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """A mandatory exercise is always held: held = 1."""
    for exercise in problem.exercises:
        if exercise.mandatory:
            _enforce(model.add(v.held[exercise.id] == 1), guard, exercise.source)


def impossible_exercises(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """An exercise the workbook makes impossible is never held: held = 0.

    Its reasons (``Exercise.impossible``) are facts of the workbook that no
    explanation switches off, so the constraint is not guarded.
    """
    for exercise in problem.exercises:
        if exercise.impossible:
            model.add(v.held[exercise.id] == 0)


def hard_goals(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """A hard goal is met: each of its counts >= min_count.

    together and coverage have one count; engagement one per listed partner.
    """
    for goal in problem.goals:
        if goal.hard:
            for _, count in v.goal_counts[goal.id]:
                _enforce(model.add(count >= goal.min_count), guard, goal.source)


CONSTRAINTS: tuple[Rule, ...] = (
    exercise_window,
    fixed_start_and_venue,
    one_venue,
    venue_unavailable,
    venue_concurrency,
    venue_capacity,
    required_partners,
    partner_count,
    partner_unavailable,
    partner_concurrency_and_gap,
    partner_max_events,
    asset_capacity,
    partner_budget,
    total_budget,
    dependencies,
    mandatory_exercises,
    impossible_exercises,
    hard_goals,
)


def add_rules(
    model: cp_model.CpModel, problem: Problem, v: Variables, guard: Guard
) -> None:
    """Add every hard rule, in the order of `CONSTRAINTS`."""
    for rule in CONSTRAINTS:
        rule(model, problem, v, guard)


def _by_second(pairs: dict[tuple[str, str], Literal]) -> dict[str, list[str]]:
    """(exercise, resource) keys grouped by resource, in the problem's order."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for exercise_id, resource_id in pairs:
        grouped[resource_id].append(exercise_id)
    return grouped


def _total(expressions: list[Expr]) -> Expr:
    return cp_model.LinearExpr.sum(expressions)
