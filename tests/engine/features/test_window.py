"""The window of operating years and the rules every source's window values obey (declare.py:
``window_for``, ``window_rows``, ``window_sum``, ``ratio``): missing data stays NULL, division by zero gives
NULL, ratios are exact decimals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaoqi.engine.features import window_for
from tests.engine.features.workspace import D, Workspace, three_years


def test_window_is_the_three_fiscal_years_before_the_as_of_year(ws: Workspace) -> None:
    e = ws.enterprise()
    ws.finance(e, 2021, 99999)
    ws.rd(e, 2021, 9999)
    three_years(ws, e, (1000, 2000, 2000), (100, 100, 50))
    ws.finance(e, 2025, 88888)
    ws.rd(e, 2025, 7777)

    p = ws.build()[e]
    assert (p["fy_window_start"], p["fy_window_end"], p["window_years"]) == (2022, 2024, 3)
    assert p["sales_revenue_window"] == D("5000")
    assert p["rd_expense_window"] == D("250")
    assert p["hte_rd_ratio"] == D("0.05")
    assert p["sales_revenue_last_year"] == D("2000")
    assert (p["sales_revenue_y1"], p["sales_revenue_y2"], p["sales_revenue_y3"]) == (1000, 2000, 2000)
    assert p["finance_years_present"] == 3 and p["rd_years_present"] == 3

    # A later as-of date moves the window: FY2023–2025.
    p = ws.build(date(2026, 1, 1))[e]
    assert (p["fy_window_start"], p["fy_window_end"]) == (2023, 2025)
    assert p["sales_revenue_window"] == D("92888")
    assert p["sales_revenue_last_year"] == D("88888")


def test_window_for() -> None:
    w = window_for(date(2025, 3, 1))
    assert (w.first_year, w.last_year, w.credit_from) == (2022, 2024, date(2024, 3, 1))
    assert window_for(date(2025, 12, 31)).last_year == 2024
    with pytest.raises(TypeError):
        window_for("2025-03-01")  # type: ignore[arg-type]


def test_young_enterprise_uses_its_actual_years(ws: Workspace) -> None:
    two = ws.enterprise(established=date(2023, 6, 15))
    ws.finance(two, 2022, 1000)  # before establishment: ignored
    ws.rd(two, 2022, 500)
    ws.finance(two, 2023, 100)
    ws.finance(two, 2024, 300)
    ws.rd(two, 2023, 10)
    ws.rd(two, 2024, 10)
    one = ws.enterprise(established=date(2024, 12, 31))
    ws.finance(one, 2024, 40)
    ws.rd(one, 2024, 2)
    zero = ws.enterprise(established=date(2025, 1, 10))
    unknown = ws.enterprise(established=None)
    three_years(ws, unknown, (1, 1, 1), (1, 1, 1))

    got = ws.build()
    p = got[two]
    assert (p["fy_window_start"], p["fy_window_end"], p["window_years"]) == (2023, 2024, 2)
    assert p["sales_revenue_y1"] is None and p["rd_expense_y1"] is None
    assert p["sales_revenue_window"] == D("400")
    assert p["rd_expense_window"] == D("20")
    assert p["hte_rd_ratio"] == D("0.05")
    assert p["finance_years_present"] == 2
    assert (p["sales_growth"], p["sales_growth_basis"]) == (D("2"), "actual_two_years")

    p = got[one]
    assert (p["fy_window_start"], p["window_years"]) == (2024, 1)
    assert p["hte_rd_ratio"] == D("0.05")
    assert (p["sales_growth"], p["sales_growth_basis"]) == (None, "insufficient_years")

    p = got[zero]
    assert (p["fy_window_start"], p["fy_window_end"], p["window_years"]) == (None, None, 0)
    assert p["hte_rd_ratio"] is None and p["sales_revenue_last_year"] is None

    assert got[unknown]["window_years"] == 3
    assert got[unknown]["sales_revenue_window"] == D("3")


def test_missing_data_stays_null(ws: Workspace) -> None:
    no_rd = ws.enterprise()
    for fy in (2022, 2023, 2024):
        ws.finance(no_rd, fy, 1000)
    gap = ws.enterprise()
    ws.finance(gap, 2022, 1000)
    ws.finance(gap, 2024, 1000)
    for fy in (2022, 2023, 2024):
        ws.rd(gap, fy, 50)
    no_first = ws.enterprise()
    ws.finance(no_first, 2023, 1000)
    ws.finance(no_first, 2024, 1000)
    null_value = ws.enterprise()
    three_years(ws, null_value, (1000, 1000, 1000), (50, None, 50))
    nothing = ws.enterprise()
    got = ws.build()

    p = got[no_rd]
    assert p["sales_revenue_window"] == D("3000")
    for col in (
        "rd_expense_window",
        "hte_rd_ratio",
        "rd_domestic_share",
        "staff_count_last_year",
        "st_staff_share",
        "ht_revenue_last_year",
        "ht_revenue_share",
        "results_commercialized_avg",
        "rd_last_load_id",
    ):
        assert p[col] is None, col
    assert p["rd_years_present"] == 0

    p = got[gap]
    assert p["finance_years_present"] == 2
    assert p["sales_revenue_window"] is None
    assert p["hte_rd_ratio"] is None
    assert p["rd_expense_window"] == D("150")
    assert (p["sales_growth"], p["sales_growth_basis"]) == (None, "missing_data")
    assert p["sales_revenue_last_year"] == D("1000")

    p = got[no_first]
    assert p["finance_years_present"] == 2 and p["sales_revenue_y1"] is None
    assert p["sales_revenue_window"] is None
    assert (p["sales_growth"], p["sales_growth_basis"]) == (None, "missing_data")

    p = got[null_value]
    assert p["rd_years_present"] == 3
    assert p["rd_expense_window"] is None and p["hte_rd_ratio"] is None

    p = got[nothing]
    assert p["finance_years_present"] == 0 and p["sales_revenue_window"] is None
    assert p["total_revenue_net_last_year"] is None and p["insured_count"] is None
    assert p["net_asset_growth"] is None and p["net_asset_growth_basis"] == "missing_data"


def test_division_by_zero_gives_null(ws: Workspace) -> None:
    e = ws.enterprise()
    for fy in (2022, 2023, 2024):
        ws.finance(e, fy, 0, total_revenue=100, non_taxable=100)
        ws.rd(e, fy, 10, domestic=0, staff=0, st_staff=0, ht=5)
    zero_rd = ws.enterprise()
    three_years(ws, zero_rd, (10, 10, 10), (0, 0, 0))
    got = ws.build()
    p = got[e]
    assert p["rd_expense_window"] == D("30") and p["sales_revenue_window"] == D("0")
    assert p["hte_rd_ratio"] is None
    assert p["ht_revenue_share"] is None
    assert p["st_staff_share"] is None
    assert p["rd_domestic_share"] == D("0")
    assert got[zero_rd]["hte_rd_ratio"] == D("0")
    assert got[zero_rd]["rd_domestic_share"] is None


def test_exact_decimal_boundaries(ws: Workspace) -> None:
    exact = ws.enterprise()
    three_years(ws, exact, (1000, 2000, 2000), (100, 100, 50))  # 250 / 5000
    tenths = ws.enterprise()
    three_years(ws, tenths, (2, 2, 2), (D("0.1"), D("0.1"), D("0.1")))  # 0.3 / 6: 0.0499999… in binary
    thirds = ws.enterprise()
    three_years(ws, thirds, (1, 1, 1), (1, 1, 0))  # 2/3, rounded (not truncated) at 12 decimals
    below = ws.enterprise()
    three_years(ws, below, (1000, 2000, 2000), (100, 100, D("49.9999")))

    got = ws.build()
    assert got[exact]["hte_rd_ratio"] == D("0.05")
    assert 0.3 / 6 != 0.05  # the trap the DECIMAL rounding avoids
    assert got[tenths]["hte_rd_ratio"] == D("0.05")
    assert got[thirds]["hte_rd_ratio"] == D("0.666666666667")
    assert got[below]["hte_rd_ratio"] == D("0.04999998")
    assert got[below]["hte_rd_ratio"] < D("0.05")


money = st.decimals(min_value=D("0.01"), max_value=D("99999999.99"), places=2)


rates = st.decimals(min_value=D("0"), max_value=D("2"), places=2)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(money, money, money, rates), min_size=1, max_size=8))
def test_ratio_is_exact_for_terminating_quotients(cases: list[tuple[Decimal, Decimal, Decimal, Decimal]]) -> None:
    ws = Workspace()
    expected: dict[str, Decimal] = {}
    for s1, s2, s3, rate in cases:
        e = ws.enterprise()
        sales = (s1, s2, s3)
        # R&D chosen so that the true ratio is exactly `rate`: rd_i = s_i × rate has at most 4 decimals.
        three_years(ws, e, sales, tuple(s * rate for s in sales))  # type: ignore[arg-type]
        expected[e] = rate
    got = ws.build()
    for e, rate in expected.items():
        assert got[e]["hte_rd_ratio"] == rate
