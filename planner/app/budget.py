"""One time limit for a whole run, and how its steps share it.

A staff officer gives one time limit (``--time-limit``, or Settings
time_limit_s) and expects the command to end by it: reading, the search,
the explanations and writing all fit in it. `RunBudget` splits it once;
`planner solve` and each plan of a what-if or sweep (`planner.app.plans`)
use the same split.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from planner.app.publish import writing_s
from planner.domain import CancelToken, Deadline, Problem, SolveOptions

# Share of the time limit kept for explanations when the search runs to its
# end, and how much of writing the results may fall in the seconds a command
# may run past its limit: see `RunBudget`.
EXPLAIN_RESERVE = 0.1
WRITE_GRACE_S = 3.0


@dataclass(frozen=True)
class SolveRequest:
    """What to plan and how hard to search.

    ``scenario`` applies that scenario of the Scenarios sheet; ``baseline`` (a
    result folder or schedule file) re-plans against an earlier plan, its
    events before ``freeze_before`` kept; ``explain_all`` gives a reason for
    every exercise and goal left out (else the most valuable few).

    The time limit is the whole run's: from ``began`` (a `time.perf_counter`
    value, the command's start; default when `solve_workbook` is called)
    reading, the search, explanations and writing all fit in it.
    Explanations get what the search leaves, and ``explain_s`` more seconds
    when asked for.
    """

    options: SolveOptions = field(default_factory=SolveOptions)
    scenario: str | None = None
    explain_all: bool = False
    baseline: Path | None = None
    freeze_before: dt.date | None = None
    explain_s: float = 0.0
    began: float | None = None
    # A stop by Ctrl-C or SIGTERM wants the command out at once: a brief that
    # would not fit a short grace is then left for `planner brief`. The page's
    # Cancel stops the search only; its run still writes every file.
    stop_at_once: bool = False


@dataclass(frozen=True)
class RunBudget:
    """The moments one solve's steps must be done by, from one time limit.

    The command may end a few seconds after its limit; writing the results
    uses up to `WRITE_GRACE_S` of those, and what it takes beyond (it grows
    with the programme and the machine's load, `writing_s`) is kept free at
    the end of the limit. Before that the explanations get `EXPLAIN_RESERVE`
    of the limit and whatever the search leaves; the search may run until
    then.
    """

    search: Deadline
    explaining: Deadline

    @classmethod
    def of(
        cls,
        problem: Problem,
        request: SolveRequest,
        began: float,
        cancel: CancelToken | None = None,
        read_s: float = 0.0,
    ) -> RunBudget:
        """The budget of ``request`` on ``problem`` for a run that began at
        ``began`` (a `time.perf_counter` value) and took ``read_s`` to read
        its workbook; both moments also stop once ``cancel`` is set."""
        limit = request.options.limit_for(problem)
        end = Deadline(began + limit, cancel=cancel)
        writing = max(0.0, writing_s(problem, read_s) - WRITE_GRACE_S)
        explaining = EXPLAIN_RESERVE * limit
        return cls(
            search=end.earlier(writing + explaining),
            explaining=end.later(request.explain_s).earlier(writing),
        )
