"""registration.py: establishment, former names and industry classification."""

from __future__ import annotations

from datetime import date

import pytest

from tests.engine.features.workspace import Workspace


def test_days_since_established_364_vs_365(ws: Workspace) -> None:
    a = ws.enterprise(established=date(2024, 3, 1))
    b = ws.enterprise(established=date(2024, 3, 2))
    c = ws.enterprise(established=date(2025, 3, 2))
    got = ws.build()
    assert got[a]["days_since_established"] == 365
    assert got[b]["days_since_established"] == 364
    assert got[c]["days_since_established"] == -1


def test_former_names_oldest_first_without_the_current_name(ws: Workspace) -> None:
    e = ws.enterprise(name="北京新名科技有限公司")
    rows = [
        (e, "北京新名科技有限公司", "北京新名科技", date(2023, 5, 1), None, "registration"),
        (e, "北京中名科技有限公司", "北京中名科技", date(2018, 1, 1), date(2023, 5, 1), "name_change"),
        (e, "北京旧名科技有限公司", "北京旧名科技", None, date(2018, 1, 1), "name_change"),
        (e, "北京旧名科技有限公司", "北京旧名科技", None, date(2018, 1, 1), "registration"),
    ]
    ws.con.executemany("INSERT INTO name_history VALUES (?, ?, ?, ?, ?, ?)", rows)
    p = ws.build()[e]
    assert p["name"] == "北京新名科技有限公司"
    assert p["former_names"] == ["北京旧名科技有限公司", "北京中名科技有限公司"]


@pytest.mark.parametrize(
    ("industry_code", "section"),
    [
        ("6510", "I"),
        ("I6510", "I"),
        ("i65", "I"),
        ("3911", "C"),
        ("13", "C"),
        ("0111", "A"),
        ("7310", "M"),
        ("6", None),
        ("X1", None),
        ("", None),
        (None, None),
    ],
)
def test_industry_section(ws: Workspace, industry_code: str | None, section: str | None) -> None:
    e = ws.enterprise(industry_code=industry_code)
    assert ws.build()[e]["industry_section"] == section


@pytest.mark.parametrize(
    ("industry_code", "division", "klass"),
    [
        ("I6510", "65", "6510"),  # letter-prefixed
        ("6510", "65", "6510"),  # plain
        ("C3911", "39", "3911"),
        ("7010", "70", "7010"),
        (" c3911 ", "39", "3911"),  # blanks and case
        ("0111", "01", "0111"),
        ("C39111", "39", "3911"),  # more digits than a class: its first four
        ("I65", "65", None),  # division only
        ("i65", "65", None),
        ("651", "65", None),  # three digits: no class
        ("I651X", "65", None),
        ("13", "13", None),
        ("I6", None, None),  # short
        ("6", None, None),
        ("X6510", None, None),  # X is no section letter
        ("9912", None, None),  # 99 is no division
        ("00", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_industry_division_and_class(
    ws: Workspace, industry_code: str | None, division: str | None, klass: str | None
) -> None:
    e = ws.enterprise(industry_code=industry_code)
    p = ws.build()[e]
    assert (p["industry_division"], p["industry_class"]) == (division, klass)


@pytest.mark.parametrize(
    ("established", "as_of", "years", "civil_code"),
    [
        # programmes.md §2.3 P1–P3: the anniversary completes the year; the Civil Code counts it as under
        (date(2024, 3, 1), date(2026, 2, 28), 1, 1),
        (date(2024, 3, 1), date(2026, 3, 1), 2, 1),
        (date(2024, 3, 1), date(2026, 3, 2), 2, 2),
        # 29 February: add_years gives 28 February in a common year, 29 February in a leap year
        (date(2024, 2, 29), date(2026, 2, 27), 1, 1),
        (date(2024, 2, 29), date(2026, 2, 28), 2, 1),
        (date(2024, 2, 29), date(2026, 3, 1), 2, 2),
        (date(2024, 2, 29), date(2028, 2, 28), 3, 3),
        (date(2024, 2, 29), date(2028, 2, 29), 4, 3),
        # a 28 February establishment in a leap as-of year, the year boundary, and before establishment
        (date(2023, 2, 28), date(2024, 2, 28), 1, 0),
        (date(2023, 2, 28), date(2024, 2, 29), 1, 1),
        (date(2024, 1, 1), date(2026, 1, 1), 2, 1),
        (date(2025, 12, 31), date(2025, 12, 31), 0, -1),
        (date(2026, 1, 1), date(2025, 12, 31), -1, -1),
    ],
)
def test_established_full_years_both_readings(
    ws: Workspace, established: date, as_of: date, years: int, civil_code: int
) -> None:
    e = ws.enterprise(established=established)
    unknown = ws.enterprise(established=None)
    got = ws.build(as_of)
    assert (got[e]["established_full_years"], got[e]["established_full_years_civil_code"]) == (years, civil_code)
    assert got[unknown]["established_full_years"] is None and got[unknown]["established_full_years_civil_code"] is None
