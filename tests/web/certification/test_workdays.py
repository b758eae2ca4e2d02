"""Working days on the official Chinese calendar: exact dates across 2025 and 2026.

Every expected date is written out by hand from the State Council's schedules and cross-checked against the
chinese-calendar package's own data (``chinese_calendar.get_workdays`` and its holiday/make-up tables), never
against the code under test.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gaoqi.web.certification.workdays import (
    FIRST_YEAR,
    LAST_YEAR,
    CalendarRangeError,
    add_workdays,
    deadline,
    is_workday,
    workdays_between,
)

D = dt.date


def package_period(start: dt.date, n: int) -> list[dt.date]:
    """The first n working days on or after ``start``, straight from the package's data."""
    end = min(start + dt.timedelta(days=4 * n + 30), D(LAST_YEAR, 12, 31))
    days: list[dt.date] = chinese_calendar.get_workdays(start, end)
    return days[:n]


# (case, start, the 10 working days of a publicity beginning on start, written out by hand)
PUBLICITY_CASES = [
    (
        "国庆 2025 from Monday 29 Sep (Oct 1–8 off, Sat 11 Oct is a make-up day)",
        D(2025, 9, 29),
        [D(2025, 9, 29), D(2025, 9, 30), D(2025, 10, 9), D(2025, 10, 10), D(2025, 10, 11),
         D(2025, 10, 13), D(2025, 10, 14), D(2025, 10, 15), D(2025, 10, 16), D(2025, 10, 17)],
    ),
    (
        "国庆 2025 from Friday 26 Sep (Sun 28 Sep is a make-up day)",
        D(2025, 9, 26),
        [D(2025, 9, 26), D(2025, 9, 28), D(2025, 9, 29), D(2025, 9, 30), D(2025, 10, 9),
         D(2025, 10, 10), D(2025, 10, 11), D(2025, 10, 13), D(2025, 10, 14), D(2025, 10, 15)],
    ),
    (
        "starting on the make-up Sunday 28 Sep 2025",
        D(2025, 9, 28),
        [D(2025, 9, 28), D(2025, 9, 29), D(2025, 9, 30), D(2025, 10, 9), D(2025, 10, 10),
         D(2025, 10, 11), D(2025, 10, 13), D(2025, 10, 14), D(2025, 10, 15), D(2025, 10, 16)],
    ),
    (
        "starting on the make-up Saturday 11 Oct 2025",
        D(2025, 10, 11),
        [D(2025, 10, 11), D(2025, 10, 13), D(2025, 10, 14), D(2025, 10, 15), D(2025, 10, 16),
         D(2025, 10, 17), D(2025, 10, 20), D(2025, 10, 21), D(2025, 10, 22), D(2025, 10, 23)],
    ),
    (
        "starting on the holiday 1 Oct 2025 (begins on Thu 9 Oct)",
        D(2025, 10, 1),
        [D(2025, 10, 9), D(2025, 10, 10), D(2025, 10, 11), D(2025, 10, 13), D(2025, 10, 14),
         D(2025, 10, 15), D(2025, 10, 16), D(2025, 10, 17), D(2025, 10, 20), D(2025, 10, 21)],
    ),
    (
        "春节 2026 from Monday 9 Feb (Sat 14 Feb make-up, Feb 15–23 off)",
        D(2026, 2, 9),
        [D(2026, 2, 9), D(2026, 2, 10), D(2026, 2, 11), D(2026, 2, 12), D(2026, 2, 13),
         D(2026, 2, 14), D(2026, 2, 24), D(2026, 2, 25), D(2026, 2, 26), D(2026, 2, 27)],
    ),
    (
        "starting on the make-up Saturday 14 Feb 2026 (Sat 28 Feb is also a make-up day)",
        D(2026, 2, 14),
        [D(2026, 2, 14), D(2026, 2, 24), D(2026, 2, 25), D(2026, 2, 26), D(2026, 2, 27),
         D(2026, 2, 28), D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 4), D(2026, 3, 5)],
    ),
    (
        "starting on the holiday 16 Feb 2026 (除夕 week; begins on Tue 24 Feb)",
        D(2026, 2, 16),
        [D(2026, 2, 24), D(2026, 2, 25), D(2026, 2, 26), D(2026, 2, 27), D(2026, 2, 28),
         D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 4), D(2026, 3, 5), D(2026, 3, 6)],
    ),
    (
        "ordinary weeks from Wednesday 11 Mar 2026",
        D(2026, 3, 11),
        [D(2026, 3, 11), D(2026, 3, 12), D(2026, 3, 13), D(2026, 3, 16), D(2026, 3, 17),
         D(2026, 3, 18), D(2026, 3, 19), D(2026, 3, 20), D(2026, 3, 23), D(2026, 3, 24)],
    ),
    (
        "starting on an ordinary Saturday 7 Mar 2026 (begins on Mon 9 Mar)",
        D(2026, 3, 7),
        [D(2026, 3, 9), D(2026, 3, 10), D(2026, 3, 11), D(2026, 3, 12), D(2026, 3, 13),
         D(2026, 3, 16), D(2026, 3, 17), D(2026, 3, 18), D(2026, 3, 19), D(2026, 3, 20)],
    ),
    (
        "year boundary from Monday 29 Dec 2025 (Jan 1–3 off, Sun 4 Jan 2026 a make-up day)",
        D(2025, 12, 29),
        [D(2025, 12, 29), D(2025, 12, 30), D(2025, 12, 31), D(2026, 1, 4), D(2026, 1, 5),
         D(2026, 1, 6), D(2026, 1, 7), D(2026, 1, 8), D(2026, 1, 9), D(2026, 1, 12)],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("case", "start", "days"), PUBLICITY_CASES, ids=[c[0] for c in PUBLICITY_CASES])
def test_ten_working_day_publicity(case: str, start: dt.date, days: list[dt.date]) -> None:
    # The hand-written period agrees with the package's own data ...
    assert package_period(start, 10) == days, case
    # ... and the code ends the publicity on its 10th day and counts each day of it.
    assert deadline(start, 10) == days[-1]
    assert [deadline(start, k) for k in range(1, 11)] == days
    assert all(is_workday(d) for d in days)
    # From the day before the period starts, the 10th working day after is the end of the period.
    assert add_workdays(start - dt.timedelta(days=1), 10) == days[-1]
    assert workdays_between(start - dt.timedelta(days=1), days[-1]) == 10


def test_package_schedule_2025_national_day_and_2026_spring_festival() -> None:
    """The facts the cases above rely on, read from the package's tables."""
    national_day_2025 = [D(2025, 10, d) for d in range(1, 9)]
    assert all(d in chinese_calendar.holidays for d in national_day_2025)
    assert D(2025, 9, 28) in chinese_calendar.workdays and D(2025, 10, 11) in chinese_calendar.workdays
    spring_2026 = [D(2026, 2, d) for d in range(15, 24)]
    assert all(d in chinese_calendar.holidays for d in spring_2026)
    assert D(2026, 2, 14) in chinese_calendar.workdays and D(2026, 2, 28) in chinese_calendar.workdays
    assert D(2026, 1, 4) in chinese_calendar.workdays


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 9, 28), True),  # make-up Sunday
        (D(2025, 10, 11), True),  # make-up Saturday
        (D(2025, 10, 8), False),  # holiday on a Wednesday
        (D(2025, 10, 6), False),  # 中秋 inside 国庆
        (D(2026, 2, 14), True),  # make-up Saturday
        (D(2026, 2, 23), False),  # holiday on a Monday
        (D(2026, 3, 7), False),  # ordinary Saturday
        (D(2026, 3, 9), True),  # ordinary Monday
    ],
)
def test_is_workday(day: dt.date, expected: bool) -> None:
    assert chinese_calendar.is_workday(day) is expected  # the package says so
    assert is_workday(day) is expected


def test_add_workdays_start_never_counts() -> None:
    assert add_workdays(D(2025, 9, 30), 0) == D(2025, 9, 30)
    assert add_workdays(D(2025, 9, 30), 1) == D(2025, 10, 9)  # Tue before 国庆 → first day back
    assert add_workdays(D(2025, 10, 3), 1) == D(2025, 10, 9)  # from inside the holiday
    assert add_workdays(D(2025, 10, 10), 1) == D(2025, 10, 11)  # Fri → make-up Saturday
    assert add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert add_workdays(D(2025, 12, 31), 1) == D(2026, 1, 4)  # across the year, onto a make-up Sunday


def test_add_workdays_backwards() -> None:
    assert add_workdays(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert add_workdays(D(2025, 10, 9), -3) == D(2025, 9, 28)  # Sep 30, 29, 28 (make-up Sunday)
    assert add_workdays(D(2026, 1, 5), -2) == D(2025, 12, 31)  # Jan 4 (make-up), then Dec 31


def test_workdays_between() -> None:
    assert workdays_between(D(2025, 9, 30), D(2025, 9, 30)) == 0
    assert workdays_between(D(2025, 9, 30), D(2025, 10, 8)) == 0  # the whole holiday is no time used
    assert workdays_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert workdays_between(D(2026, 2, 13), D(2026, 3, 2)) == len(
        chinese_calendar.get_workdays(D(2026, 2, 14), D(2026, 3, 2))
    )
    assert workdays_between(D(2026, 2, 13), D(2026, 3, 2)) == 7  # Feb 14, 24, 25, 26, 27, 28, Mar 2
    assert workdays_between(D(2026, 3, 2), D(2026, 2, 13)) == -7
    assert workdays_between(D(2025, 12, 31), D(2026, 1, 5)) == 2  # Jan 4, Jan 5


def test_whole_years_match_the_package() -> None:
    for year in (2025, 2026):
        expected = len(chinese_calendar.get_workdays(D(year, 1, 1), D(year, 12, 31)))
        assert workdays_between(D(year - 1, 12, 31), D(year, 12, 31)) == expected
    # 2025: 261 weekdays − 18 holidays on weekdays + 5 make-up weekend days = 248 (counted by hand).
    assert workdays_between(D(2024, 12, 31), D(2025, 12, 31)) == 248


@given(
    start=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 10, 31)),
    n=st.integers(min_value=0, max_value=40),
)
def test_offset_and_elapsed_are_inverse(start: dt.date, n: int) -> None:
    end = add_workdays(start, n)
    assert workdays_between(start, end) == n
    assert workdays_between(end, start) == -n  # antisymmetric
    if n > 0:
        assert is_workday(end)
        assert end == chinese_calendar.get_workdays(start + dt.timedelta(days=1), end)[n - 1]


@given(
    start=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 12, 31)),
    n=st.integers(min_value=1, max_value=40),
)
def test_backwards_offset_matches_package(start: dt.date, n: int) -> None:
    before = chinese_calendar.get_workdays(D(2024, 10, 1), start - dt.timedelta(days=1))
    assert add_workdays(start, -n) == before[-n]


@given(
    start=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 9, 30)),
    n=st.integers(min_value=1, max_value=30),
)
def test_deadline_matches_package(start: dt.date, n: int) -> None:
    assert deadline(start, n) == package_period(start, n)[-1]


def test_outside_known_years_is_an_explicit_error() -> None:
    assert (FIRST_YEAR, LAST_YEAR) == (2004, 2026)  # chinesecalendar 1.11; update when the package is upgraded
    with pytest.raises(CalendarRangeError, match=r"2027-01-04 is outside .* \(years 2004–2026\)"):
        is_workday(D(2027, 1, 4))
    with pytest.raises(CalendarRangeError, match="2003-12-31"):
        is_workday(D(2003, 12, 31))
    # A period that runs past the last known year fails instead of guessing from weekends.
    with pytest.raises(CalendarRangeError, match="2027-01-01"):
        deadline(D(2026, 12, 24), 10)
    with pytest.raises(CalendarRangeError):
        workdays_between(D(2026, 12, 1), D(2027, 1, 31))
    assert deadline(D(2026, 12, 17), 10) == D(2026, 12, 30)  # still inside 2026: fine
    assert chinese_calendar.get_workdays(D(2026, 12, 17), D(2026, 12, 31))[9] == D(2026, 12, 30)


def test_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="at least one working day"):
        deadline(D(2026, 3, 9), 0)
    with pytest.raises(TypeError):
        is_workday(dt.datetime(2026, 3, 9, 10, 0))


def test_provisional_counts_past_the_published_calendar() -> None:
    """Inside the published years the provisional forms are the official ones; past the last year, weekdays
    stand in and the result says so."""
    from gaoqi.web.certification.workdays import (
        LAST_YEAR,
        deadline,
        deadline_provisional,
        workdays_between,
        workdays_between_provisional,
    )

    inside = dt.date(LAST_YEAR, 3, 2)
    assert deadline_provisional(inside, 10) == (deadline(inside, 10), False)
    assert workdays_between_provisional(inside, dt.date(LAST_YEAR, 4, 1)) == (
        workdays_between(inside, dt.date(LAST_YEAR, 4, 1)), False,
    )  # fmt: skip
    last_day = dt.date(LAST_YEAR, 12, 31)
    in_year = [d for d in (dt.date(LAST_YEAR, 12, 20) + dt.timedelta(days=i) for i in range(12)) if d <= last_day]
    official = [d for d in in_year if chinese_calendar.is_workday(d)]
    start = in_year[0]
    # the period: the official working days left in the year, then Monday–Friday of the next one
    after = [d for d in (dt.date(LAST_YEAR + 1, 1, 1) + dt.timedelta(days=i) for i in range(40)) if d.weekday() < 5]
    n = len(official) + 5
    assert deadline_provisional(start, n) == (after[4], True)
    assert workdays_between_provisional(start, after[4]) == (len(official) - (start in official) + 5, True)
    assert workdays_between_provisional(after[4], start) == (-(len(official) - (start in official) + 5), True)


def test_add_workdays_provisional_is_the_offset_within_the_calendar_and_weekdays_past_it() -> None:
    from gaoqi.web.certification.workdays import LAST_YEAR, add_workdays, add_workdays_provisional

    # within the published years: exactly add_workdays (国庆 2026 and its make-up Saturday 10 October)
    for start in (dt.date(2026, 9, 30), dt.date(2026, 10, 3), dt.date(2026, 10, 9)):
        for n in (1, 5, 10):
            assert add_workdays_provisional(start, n) == (add_workdays(start, n), False)
    # past them, from a Saturday: the 5th weekday after it is the Friday (Monday to Friday; the start never counts)
    saturday = dt.date(LAST_YEAR + 1, 1, 1)
    while saturday.weekday() != 5:
        saturday += dt.timedelta(days=1)
    assert add_workdays_provisional(saturday, 5) == (saturday + dt.timedelta(days=6), True)
    with pytest.raises(ValueError):
        add_workdays_provisional(saturday, 0)
