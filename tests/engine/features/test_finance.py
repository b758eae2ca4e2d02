"""finance.py: the growth rates of the Guidelines (S-195 §2.4.4)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.engine.features.workspace import D, Workspace


def test_growth_formula_and_zero_year_rules(ws: Workspace) -> None:
    def company(sales: tuple[Any, Any, Any], net_assets: tuple[Any, Any, Any] = (1, 1, 1)) -> str:
        e = ws.enterprise()
        for fy, s, na in zip((2022, 2023, 2024), sales, net_assets, strict=True):
            ws.finance(e, fy, s, assets=na + 10, liabilities=10)
        return e

    year1_zero = company((0, 100, 150), net_assets=(100, 115, D("132.25")))
    year2_zero = company((100, 0, 50), net_assets=(100, 0, 0))
    both_zero = company((0, 0, 50))
    negative = company((200, 100, 50))
    plain = company((100, 120, 150))
    got = ws.build()

    p = got[year1_zero]
    assert (p["sales_growth"], p["sales_growth_basis"]) == (D("0.5"), "last_two_years")
    # ½ × (115/100 + 132.25/115) − 1 = 0.15 exactly (1.15 − 1 is 0.1499999… in binary)
    assert (p["net_asset_growth"], p["net_asset_growth_basis"]) == (D("0.15"), "three_years")
    assert (p["net_assets_y1"], p["net_assets_y3"]) == (D("100"), D("132.25"))

    p = got[year2_zero]
    assert (p["sales_growth"], p["sales_growth_basis"]) == (None, "year2_zero")
    assert (p["net_asset_growth"], p["net_asset_growth_basis"]) == (None, "year2_zero")
    assert (got[both_zero]["sales_growth"], got[both_zero]["sales_growth_basis"]) == (None, "year2_zero")

    p = got[negative]
    assert (p["sales_growth"], p["sales_growth_basis"]) == (D("-0.5"), "three_years")

    # ½ × (1.2 + 1.25) − 1 = 0.225
    assert got[plain]["sales_growth"] == D("0.225")


def test_growth_of_a_two_year_enterprise_with_a_zero_first_year(ws: Workspace) -> None:
    e = ws.enterprise(established=date(2023, 3, 1))
    ws.finance(e, 2023, 0)
    ws.finance(e, 2024, 80)
    p = ws.build()[e]
    assert (p["sales_growth"], p["sales_growth_basis"]) == (None, "first_year_zero")
    assert p["net_asset_growth_basis"] == "missing_data"
