"""National public holidays as partner blackouts.

Staff officers do not train on their national holidays, and typing every
nation's Easter and independence day into the Unavailability sheet is the
kind of chore that gets forgotten. With ``public_holidays: yes`` in Settings
(or yes in a partner's own public_holidays cell), each partner's holidays are
looked up for its ``country_code`` in the `holidays` package.

With week slots one bank holiday does not block a week: a week becomes a
blackout only when at least ``holiday_days_per_week`` of its weekdays (Monday
to Friday) are holidays; a holiday on a weekend costs no working day. With
day slots every holiday blocks its day.

Each holiday is kept on the problem (listed on the result's Holidays sheet)
and each blocked slot is a `Period` whose source is the Holidays sheet row of
its first holiday, so explanations name it like any blackout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from functools import cache

import pycountry

from planner.domain import Holiday, Partner, Period, Problem, Source

HOLIDAYS_SHEET = "Holidays"
FRIDAY = 4  # date.weekday() of the last working day


def iso_country(code: str) -> str | None:
    """The ISO 3166-1 alpha-2 code for an alpha-2 or alpha-3 code; None if none."""
    text = code.strip().upper()
    if len(text) == 2:
        country = pycountry.countries.get(alpha_2=text)
    elif len(text) == 3:
        country = pycountry.countries.get(alpha_3=text)
    else:
        country = None
    return None if country is None else country.alpha_2


@cache
def _calendar(
    country_code: str, years: tuple[int, ...]
) -> tuple[tuple[dt.date, str], ...] | None:
    """The holidays of a country in ``years``, by date; None when unknown.

    The `holidays` package is imported here, when a workbook asks for
    holidays: most do not, and it takes a tenth of a second to load.
    """
    import holidays as holiday_calendars

    try:
        found = holiday_calendars.country_holidays(
            country_code, years=years, language="en_US"
        )
    except NotImplementedError:
        return None
    return tuple(sorted(found.items()))


def holidays_between(
    country_code: str, first: dt.date, last: dt.date
) -> list[tuple[dt.date, str]]:
    """The country's public holidays from ``first`` to ``last`` (inclusive)."""
    years = tuple(range(first.year, last.year + 1))
    found = _calendar(country_code, years) or ()
    return [(day, name) for day, name in found if first <= day <= last]


def observes_holidays(problem: Problem, partner: Partner) -> bool:
    """The partner's own choice, else the Settings one; never without a country."""
    wanted = partner.public_holidays
    if wanted is None:
        wanted = problem.settings.public_holidays
    return wanted and bool(partner.country_code)


def _blocked_slots(problem: Problem, days: Iterable[dt.date]) -> set[int]:
    """Slots that hold enough holiday days to be blocked."""
    if problem.settings.slot_days == 1:
        return {problem.slot_of(day) for day in days}
    weekdays: dict[int, int] = {}
    for day in days:
        if day.weekday() <= FRIDAY:
            slot = problem.slot_of(day)
            weekdays[slot] = weekdays.get(slot, 0) + 1
    needed = problem.settings.holiday_days_per_week
    return {slot for slot, count in weekdays.items() if count >= needed}


def with_public_holidays(problem: Problem) -> Problem:
    """The problem with each observing partner's holidays as blackouts.

    Rows of the Holidays sheet follow the partners' order, then the dates;
    row 1 is its header.
    """
    settings = problem.settings
    holidays: list[Holiday] = []
    partners = []
    for partner in problem.partners:
        if not observes_holidays(problem, partner):
            partners.append(partner)
            continue
        found = holidays_between(
            partner.country_code, settings.planning_start, settings.planning_end
        )
        blocked = _blocked_slots(problem, (day for day, _ in found))
        first_row = len(holidays) + 2
        for day, name in found:
            slot = problem.slot_of(day)
            source = Source(HOLIDAYS_SHEET, len(holidays) + 2)
            holidays.append(
                Holiday(
                    partner.id,
                    partner.country_code,
                    day,
                    name,
                    slot,
                    slot in blocked,
                    source if slot in blocked else None,
                )
            )
        mine = holidays[first_row - 2 :]
        periods = tuple(_blackout(partner, mine, slot) for slot in sorted(blocked))
        partners.append(replace(partner, unavailable=partner.unavailable + periods))
    return replace(problem, partners=tuple(partners), holidays=tuple(holidays))


def _blackout(partner: Partner, holidays: list[Holiday], slot: int) -> Period:
    """One blocked slot, named after its holidays, sourced at the first one."""
    inside = [h for h in holidays if h.slot == slot]
    names = ", ".join(dict.fromkeys(h.name for h in inside))
    reason = f"public holidays in {partner.country_code}: {names}"
    return Period(slot, slot, reason, inside[0].source)
