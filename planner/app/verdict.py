"""The one verdict of a run, and what each front end makes of it.

Every command of the application layer returns an outcome whose ``verdict``
says how the run ended, decided here in one order for every command: input
that cannot be read first, then results that could not be written, then a
plan the independent checker rejects, then a stop, then plans not found.
The command line exits with the verdict's code and the web page shows its
words, both from the one table below, so a front end never weighs an
outcome itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from planner.domain import Status


class Verdict(Enum):
    """How a run ended: its exit code and the words the page shows.

    STOPPED is a stop before any plan existed; the command line exits 130
    (Ctrl-C) or 143 (SIGTERM), after the signal that stopped it.
    """

    DONE = (0, "Done.")
    BROKEN_RULES = (1, "The checked plan breaks a rule: do not brief it.")
    INVALID = (2, "The input has errors; nothing was planned.")
    INFEASIBLE = (3, "No plan exists: the rows listed below cannot all hold together.")
    NO_PLAN = (4, "No plan was found within the time limit.")
    OUTPUT_ERROR = (5, "The results could not be written.")
    INTERRUPTED = (6, "Stopped early: the best plan found was checked and written.")
    STOPPED = (130, "Stopped before any plan was found; nothing was written.")
    FAILED = (70, "A plan's task failed twice; every other plan was written.")
    PORT_IN_USE = (8, "The port is already in use: stop the other server there.")

    def __init__(self, exit_code: int, words: str) -> None:
        self.exit_code = exit_code
        self.words = words


def plans_verdict(
    statuses: Iterable[Status | None], broken: bool, stopped: bool, failed: bool
) -> Verdict:
    """The verdict of one or more plans once they were written.

    ``statuses``: each plan's (None: it was not planned because the run was
    stopped first); ``broken``: the checker rejects a written plan;
    ``stopped``: a cancel or a signal cut the run short; ``failed``: a
    task failed twice.
    """
    found = list(statuses)
    if broken:
        return Verdict.BROKEN_RULES
    if stopped:
        has_plan = any(s in (Status.OPTIMAL, Status.FEASIBLE) for s in found)
        return Verdict.INTERRUPTED if has_plan else Verdict.STOPPED
    if failed:
        return Verdict.FAILED
    missing = [s for s in found if s not in (Status.OPTIMAL, Status.FEASIBLE)]
    if not missing:
        return Verdict.DONE
    if all(s is Status.INFEASIBLE for s in missing):
        return Verdict.INFEASIBLE
    return Verdict.NO_PLAN
