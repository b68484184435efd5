"""Deadlines that pass after a number of checks, not seconds: a step bounded
by one stops at the same point on a loaded machine as on an idle one."""

from __future__ import annotations

import itertools

from planner.domain import Deadline


def after_checks(checks: int) -> Deadline:
    """A deadline that has passed once it has been asked ``checks`` times
    (each `Deadline.left` or `Deadline.passed` asks once); what it has left
    reads as seconds, one per check still to come."""
    ticks = itertools.count()
    return Deadline(float(checks), lambda: float(next(ticks)))
