"""What is written beside every result for people outside the planning cell:
the calendars (schedule.ics and one per partner and venue) and the brief
(brief.pdf and brief.html).

Both are made from the result just written, so they always show the same
plan as schedule.xlsx. A run without a plan writes neither and removes those
of an earlier run, as it removes the earlier schedule: nobody should brief,
or find in a calendar, an old plan as this run's.
"""

from __future__ import annotations

from pathlib import Path

from planner.brief import HTML_NAME, PDF_NAME, write_brief
from planner.calendars import CALENDARS_DIR, PROGRAMME_ICS, write_calendars
from planner.domain import Problem, Result


def publish(
    problem: Problem,
    result: Result,
    folder: Path,
    previous_dir: Path | None = None,
) -> list[Path]:
    """Write the calendars and the brief of a plan into ``folder``; return the
    paths. Without a plan, remove those of an earlier run and return none.

    ``previous_dir``: the baseline's result folder, whose calendars the new
    ones update when ``folder`` has none yet.
    """
    if result.plan is None:
        remove_published(folder)
        return []
    written = write_calendars(problem, result.plan, folder, previous_dir)
    return written + write_brief(folder)


def remove_published(folder: Path) -> None:
    """Delete the brief and the calendars planner wrote into ``folder``."""
    for name in (PDF_NAME, HTML_NAME, PROGRAMME_ICS):
        (folder / name).unlink(missing_ok=True)
    calendars = folder / CALENDARS_DIR
    if calendars.is_dir():
        for pattern in ("partner-*.ics", "venue-*.ics"):
            for path in calendars.glob(pattern):
                path.unlink()
        if not any(calendars.iterdir()):
            calendars.rmdir()


def result_folder(path: Path) -> Path:
    """The folder of a result given as a folder, schedule.json or .xlsx."""
    return path if path.is_dir() else path.parent
