"""Working days on China's official calendar (statutory holidays and make-up working days, 调休).

The calendar is the one published each year by the General Office of the State Council, as carried by the
``chinese-calendar`` package (module ``chinese_calendar``). A working day is a Monday–Friday that is not a
statutory holiday, or a Saturday/Sunday declared a make-up working day (e.g. Sunday 28 September 2025).

Conventions (followed by every function here):

- ``add_workdays(start, n)`` is an *offset*: the n-th working day strictly **after** ``start``; ``start`` itself
  never counts (whether or not it is a working day). ``n == 0`` returns ``start``; a negative ``n`` counts
  backwards (the |n|-th working day strictly before ``start``).
- ``deadline(start, n)`` is the last day of a *period of n working days beginning on* ``start``: ``start`` is the
  period's first day when it is a working day; when it is not (a weekend or a holiday), the period begins on the
  next working day. A 10-working-day publicity (公示) that starts on ``start`` ends on ``deadline(start, 10)``
  (inclusive).
- ``workdays_between(a, b)`` is the working days *elapsed* from ``a`` to ``b``: the working days in the half-open
  interval ``(a, b]`` (``a`` excluded, ``b`` included); when ``b < a`` it is ``-workdays_between(b, a)``. It is
  the inverse of the offset: ``workdays_between(a, add_workdays(a, n)) == n`` for ``n >= 0``; a stage opened and
  closed on the same day used 0 days, one opened on the eve of 国庆 and closed on the first day back used 1.

Only the years the installed package knows are supported (2004 to its latest published year). Any date outside
them raises :class:`CalendarRangeError`, never a guess from weekends alone: the holidays of a year are known
only once the State Council publishes them (usually in November of the year before), and the package must then
be upgraded.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import chinese_calendar

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "CalendarRangeError",
    "add_workdays",
    "add_workdays_provisional",
    "deadline",
    "deadline_provisional",
    "is_workday",
    "workdays_between",
    "workdays_between_provisional",
]

_ONE_DAY: Final = dt.timedelta(days=1)

# The years the package's data covers (its own check uses the same bounds).
FIRST_YEAR: Final[int] = min(d.year for d in chinese_calendar.holidays)
LAST_YEAR: Final[int] = max(d.year for d in chinese_calendar.holidays)


class CalendarRangeError(ValueError):
    """A date lies outside the years whose official holiday schedule the chinese-calendar package knows."""

    def __init__(self, day: dt.date) -> None:
        self.day = day
        super().__init__(
            f"{day.isoformat()} is outside the official holiday calendar known to the chinese-calendar package "
            f"(years {FIRST_YEAR}–{LAST_YEAR}); working days cannot be computed for it. If the State Council "
            f"has published the schedule for {day.year}, upgrade the chinesecalendar package."
        )


def _check(day: dt.date) -> None:
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError(f"expected a datetime.date, got {type(day).__name__}")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CalendarRangeError(day)


def is_workday(day: dt.date) -> bool:
    """True if ``day`` is a working day on the official calendar (make-up weekend days included).

    Raises :class:`CalendarRangeError` outside the known years, ``TypeError`` for a ``datetime``.
    """
    _check(day)
    return bool(chinese_calendar.is_workday(day))


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day strictly after ``start`` (``start`` never counts); ``n == 0`` returns ``start``.

    A negative ``n`` gives the |n|-th working day strictly before ``start``. Raises :class:`CalendarRangeError`
    if ``start`` or any day walked through lies outside the known years.
    """
    _check(start)
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    day = start
    while remaining:
        day += step
        if is_workday(day):
            remaining -= 1
    return day


def deadline(start: dt.date, n: int) -> dt.date:
    """The last day (inclusive) of a period of ``n`` working days beginning on ``start``.

    ``start`` is day 1 of the period when it is a working day; otherwise day 1 is the next working day. So a
    10-working-day publicity starting on Monday 29 September 2025 covers 29–30 September and 9, 10, 11 (a make-up
    Saturday), 13–17 October, and ends on 17 October 2025. ``n`` must be at least 1.
    """
    if n < 1:
        raise ValueError(f"a period has at least one working day, got n={n}")
    first = start if is_workday(start) else add_workdays(start, 1)
    return add_workdays(first, n - 1)


def workdays_between(a: dt.date, b: dt.date) -> int:
    """Working days elapsed from ``a`` to ``b``: the working days in ``(a, b]``; ``-workdays_between(b, a)`` if ``b < a``.

    Used for the time a stage has taken: opened on ``a``, closed (or looked at) on ``b``.
    ``workdays_between(a, add_workdays(a, n)) == n`` for every ``n >= 0``.
    """
    _check(a)
    _check(b)
    if b < a:
        return -workdays_between(b, a)
    count = 0
    day = a
    while day < b:
        day += _ONE_DAY
        if is_workday(day):
            count += 1
    return count


# ------------------------------------------------------------------------------------------------------
# Provisional counting, for the platform's deadlines that run past the last published year


def _workday_or_weekday(day: dt.date) -> bool:
    """``is_workday`` within the published years; after the last one, Monday–Friday (a provisional guess)."""
    return day.weekday() < 5 if day.year > LAST_YEAR else is_workday(day)


def deadline_provisional(start: dt.date, n: int) -> tuple[dt.date, bool]:
    """``deadline(start, n)`` and False; when the period runs past the last published year, the same count with
    weekdays standing in for the unpublished year's working days, and True (the date is provisional and must be
    recomputed once the State Council publishes the schedule and the package is upgraded). Dates before the
    first known year still raise."""
    try:
        return deadline(start, n), False
    except CalendarRangeError:
        if start.year < FIRST_YEAR:
            raise
    day, left = start, n
    while True:
        if _workday_or_weekday(day):
            left -= 1
            if left == 0:
                return day, True
        day += _ONE_DAY


def add_workdays_provisional(start: dt.date, n: int) -> tuple[dt.date, bool]:
    """``add_workdays(start, n)`` (the n-th working day strictly after ``start``, n ≥ 1) and False; past the last
    published year, the same count with weekdays standing in, and True. It is ``deadline_provisional`` of the
    period beginning the day after ``start``: its first working day is the first one after ``start``."""
    if n < 1:
        raise ValueError(f"an offset of at least one working day, got n={n}")
    return deadline_provisional(start + _ONE_DAY, n)


def workdays_between_provisional(a: dt.date, b: dt.date) -> tuple[int, bool]:
    """``workdays_between(a, b)`` and False; past the last published year, the same count with weekdays standing
    in for the unpublished year's working days, and True."""
    try:
        return workdays_between(a, b), False
    except CalendarRangeError:
        if min(a, b).year < FIRST_YEAR:
            raise
    if b < a:
        n, _ = workdays_between_provisional(b, a)
        return -n, True
    return sum(1 for i in range(1, (b - a).days + 1) if _workday_or_weekday(a + dt.timedelta(days=i))), True
