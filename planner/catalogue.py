"""The hard rules of a plan, each with the model's rules that enforce it and
the independent checker's rules that verify it again.

The model (`planner.model.rules`) and the checker (`planner.check`) share
nothing but the domain, so nothing in their code ties a rule of the one to
its counterpart in the other: this table does, and `tests/test_catalogue.py`
fails when a rule of either side is missing from it. Names are the rules'
function names; ``create_variables`` is the model's own structure (one start
per exercise, inside the horizon).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HardRule:
    """One rule in the planner's words, enforced by ``model`` and verified by
    ``checker``."""

    says: str
    model: tuple[str, ...]
    checker: tuple[str, ...]


CATALOGUE: tuple[HardRule, ...] = (
    HardRule(
        "Each exercise of the programme is held at most once, inside the horizon.",
        ("create_variables",),
        ("unknown_exercise", "duplicate_event", "horizon"),
    ),
    HardRule(
        "A held exercise lies inside its window.", ("exercise_window",), ("window",)
    ),
    HardRule(
        "A held exercise with a fixed start or venue keeps it.",
        ("fixed_start_and_venue",),
        ("fixed_start", "fixed_venue"),
    ),
    HardRule(
        "A held exercise is at one of its venues, one able to host it.",
        ("one_venue",),
        ("venue_not_allowed", "venue_capability"),
    ),
    HardRule(
        "An event at a venue touches none of the venue's blackouts.",
        ("venue_unavailable",),
        ("venue_unavailable",),
    ),
    HardRule(
        "A venue hosts at most its max_concurrent events at once.",
        ("venue_concurrency",),
        ("venue_concurrency",),
    ),
    HardRule(
        "No more partners take part in an event than its venue holds.",
        ("venue_capacity",),
        ("venue_capacity",),
    ),
    HardRule(
        "Every required partner takes part in a held exercise.",
        ("required_partners",),
        ("required_partner",),
    ),
    HardRule(
        "Only invited partners take part, between min_partners and max_partners.",
        ("partner_count",),
        ("uninvited_partner", "partner_count"),
    ),
    HardRule(
        "A partner takes part only in events clear of its blackouts.",
        ("partner_unavailable",),
        ("partner_unavailable",),
    ),
    HardRule(
        "A partner attends at most max_concurrent events at once, rested between.",
        ("partner_concurrency_and_gap",),
        ("partner_concurrency", "partner_gap"),
    ),
    HardRule(
        "A partner takes part in at most max_events events in all.",
        ("partner_max_events",),
        ("partner_max_events",),
    ),
    HardRule(
        "An asset serves at most its capacity of events at once, never while away.",
        ("asset_capacity",),
        ("asset_capacity", "asset_unavailable"),
    ),
    HardRule(
        "A partner spends at most its budget.", ("partner_budget",), ("partner_budget",)
    ),
    HardRule(
        "The organizer spends at most the total budget.",
        ("total_budget",),
        ("total_budget",),
    ),
    HardRule(
        "A dependency's exercises follow each other with the gap its row asks for.",
        ("dependencies",),
        ("dependency_order", "dependency_max_gap", "dependency_requires"),
    ),
    HardRule(
        "A mandatory exercise is always held.",
        ("mandatory_exercises",),
        ("mandatory",),
    ),
    HardRule(
        "An exercise the workbook makes impossible is never held.",
        ("impossible_exercises",),
        ("impossible_exercise",),
    ),
    HardRule("A hard goal is met in full.", ("hard_goals",), ("hard_goal",)),
)


# Each checker rule's hard rule, in the planner's words (a broken rule named).
RULE_SAYS: dict[str, str] = {
    name: rule.says for rule in CATALOGUE for name in rule.checker
}
