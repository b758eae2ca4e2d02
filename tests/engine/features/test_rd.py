"""rd.py: R&D, high-tech revenue and staff shares, results commercialised."""

from __future__ import annotations

from datetime import date

from tests.engine.features.workspace import D, Workspace


def test_shares(ws: Workspace) -> None:
    e = ws.enterprise()
    for fy, dom in ((2022, 50), (2023, 50), (2024, 50)):
        ws.finance(e, fy, 1000, total_revenue=1000, non_taxable=200)
        ws.rd(e, fy, D("83.3333") if fy < 2024 else D("83.3334"), domestic=dom, staff=100, st_staff=10, ht=480)
    p = ws.build()[e]
    assert p["total_revenue_net_last_year"] == D("800")
    assert p["ht_revenue_last_year"] == D("480")
    assert p["ht_revenue_share"] == D("0.6")
    assert p["st_staff_share"] == D("0.1")
    assert p["rd_expense_window"] == D("250")
    assert p["rd_domestic_share"] == D("0.6")
    assert (p["staff_count_last_year"], p["st_staff_count_last_year"]) == (D("100"), D("10"))


def test_results_commercialized_average(ws: Workspace) -> None:
    e = ws.enterprise()
    for fy, n in ((2021, 100), (2022, 4), (2023, 5), (2024, 6)):
        ws.rd(e, fy, 1, results=n)
    young = ws.enterprise(established=date(2023, 1, 1))
    ws.rd(young, 2023, 1, results=3)
    ws.rd(young, 2024, 1, results=4)
    got = ws.build()
    assert (got[e]["results_commercialized_window"], got[e]["results_commercialized_avg"]) == (15, D("5"))
    assert got[young]["results_commercialized_avg"] == D("3.5")
