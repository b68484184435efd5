"""What a run tells its front end while it goes: the stage, the search's
best objective and bound, and for many plans how many are done.

Every command of the application layer takes a `Report` callback and calls
it with `RunProgress` snapshots; the command line draws a live line from
them, the web page streams them. Nothing here prints.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# Stages a run goes through, as RunProgress.stage names them.
READING = "reading"
SEARCHING = "searching"
EXPLAINING = "explaining"
WRITING = "writing"
PLANNING = "planning"  # many plans: one line per finished plan
# What reading found (a finding's line) and what a study's draws leave out,
# each told once before the plans start.
FINDING = "finding"
WARNING = "warning"


@dataclass(frozen=True)
class RunProgress:
    """A snapshot of a run for a live display: the stage, and while searching
    the best objective found, the bound and the gap between them."""

    stage: str
    elapsed_s: float
    objective: float | None = None
    bound: float | None = None
    message: str = ""
    runs: tuple[int, int] | None = None  # many plans (sweep, study): done of N

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return abs(self.bound - self.objective) / max(1.0, abs(self.bound))


Report = Callable[[RunProgress], None]


def teller(progress: Report | None, began: float) -> Callable[..., None]:
    """``tell(stage, objective, bound, message, runs)``: a RunProgress stamped
    with the time since ``began``, or nothing when no one listens."""

    def tell(
        stage: str,
        objective: float | None = None,
        bound: float | None = None,
        message: str = "",
        runs: tuple[int, int] | None = None,
    ) -> None:
        if progress is not None:
            elapsed = time.perf_counter() - began
            progress(RunProgress(stage, elapsed, objective, bound, message, runs))

    return tell
