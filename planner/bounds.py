"""What planner reads at most, whatever the file: a workbook, a schedule or a
result read back.

Files may come from anyone, so every reader bounds what it accepts before
the rest of planner trusts it: a date in year 9999 or a horizon of a century
would overflow the calendar or take gigabytes to lay out. The bounds are far
above the largest real programme (``planner generate --size xl``: five
years) and are listed for users in README.md ("Input bounds");
`planner.workbook.limits` adds those of the .xlsx format.
"""

from __future__ import annotations

import datetime as dt

MAX_FILE_BYTES = 32 * 2**20  # a file as stored: an .xlsx, a schedule.json
MAX_ROWS = 100_000  # rows of a sheet, items of a list (xl: 6,336)
MAX_HORIZON_DAYS = 3_653  # ten years, planning_start to planning_end
EARLIEST_DATE = dt.date(1900, 1, 1)  # Excel's first date
LATEST_DATE = dt.date(2199, 12, 31)


def check_horizon(start: dt.date, end: dt.date) -> str | None:
    """Why a horizon from ``start`` to ``end`` is beyond the bound, or None."""
    days = (end - start).days + 1
    if days > MAX_HORIZON_DAYS:
        return (
            f"the horizon from {start} to {end} is {days:,} days; planner plans "
            f"at most {MAX_HORIZON_DAYS:,} days (ten years)"
        )
    return None


def check_date(day: dt.date) -> str | None:
    """Why ``day`` is beyond the dates planner reads, or None.

    Dates near the calendar's end (9999-12-31) overflow as soon as a slot or
    an exercise's end is added to them, and none belongs in a programme.
    """
    if EARLIEST_DATE <= day <= LATEST_DATE:
        return None
    return (
        f"{day} is outside the dates planner plans ({EARLIEST_DATE} to {LATEST_DATE})"
    )
