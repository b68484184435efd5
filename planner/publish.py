"""What is written beside every result for people outside the planning cell:
the calendars (schedule.ics and one per partner and venue) and the brief
(brief.pdf and brief.html).

Both are made from the result just written, so they always show the same
plan as schedule.xlsx.
"""

from __future__ import annotations

from pathlib import Path

from planner.brief import write_brief
from planner.calendars import write_calendars
from planner.domain import Problem, Result


def publish(
    problem: Problem,
    result: Result,
    folder: Path,
    previous_dir: Path | None = None,
) -> list[Path]:
    """Write the calendars (when there is a plan) and the brief into ``folder``.

    ``previous_dir``: the baseline's result folder, whose calendars the new
    ones update when ``folder`` has none yet.
    """
    written = []
    if result.plan is not None:
        written += write_calendars(problem, result.plan, folder, previous_dir)
    written += write_brief(folder)
    return written


def result_folder(path: Path) -> Path:
    """The folder of a result given as a folder, schedule.json or .xlsx."""
    return path if path.is_dir() else path.parent
