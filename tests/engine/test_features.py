"""Enterprise profiles: hand-computed enterprises for every rule of features.py.

As-of date 2025-03-01 throughout unless a test says otherwise: window FY2022–2024, last year FY2024,
credit look-back from 2024-03-01 (365 days, across 2024-02-29).
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaoqi.engine.features import (
    FEATURE_BY_NAME,
    FEATURES,
    GROUPS,
    GROWTH_BASES,
    build_profiles,
    features_markdown,
    profile_sql,
    profile_summary,
    provenance_columns,
    transpile_profile_sql,
    window_for,
)
from gaoqi.engine.feeds import feed_spec
from gaoqi.engine.uscc import complete
from gaoqi.engine.workspace import ensure_schema

AS_OF = date(2025, 3, 1)
D = Decimal
DOCS = Path(__file__).resolve().parents[2] / "docs" / "features.md"

_serial = itertools.count(1)


def code(n: int | None = None) -> str:
    """A valid USCC (Haidian, 'MA' identifier)."""
    return complete(f"91110108MA{(n if n is not None else next(_serial)):07d}")


class Workspace:
    """An in-memory workspace with the exact table shapes build_profiles reads."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        ensure_schema(self.con)
        reg_cols = ", ".join(f"{f.name} {f.sql_type}" for f in feed_spec("registration").fields)
        self.con.execute(f"CREATE TABLE enterprise ({reg_cols}, _load_id INTEGER, _line BIGINT, name_norm VARCHAR)")
        self.con.execute(
            "CREATE TABLE name_history (uscc VARCHAR, name VARCHAR, name_norm VARCHAR, "
            "valid_from DATE, valid_to DATE, source VARCHAR)"
        )
        self.con.execute(
            "CREATE TABLE ip_link (ip_number VARCHAR, uscc VARCHAR, method VARCHAR, match_probability DOUBLE)"
        )
        self.line = itertools.count(2)

    def _insert(self, table: str, values: dict[str, Any], load_id: int, line: int | None) -> None:
        cols = [*values, "_load_id", "_line"]
        params = [*values.values(), load_id, line if line is not None else next(self.line)]
        placeholders = ", ".join("?" for _ in cols)
        self.con.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({placeholders})", params)

    def enterprise(
        self,
        uscc: str | None = None,
        *,
        name: str | None = None,
        established: date | None = date(2010, 1, 1),
        industry_code: str | None = "6510",
        status: str = "存续",
    ) -> str:
        uscc = uscc or code()
        name = name or f"北京{uscc[-6:]}科技有限公司"
        values = {
            "uscc": uscc,
            "name": name,
            "established_date": established,
            "district_code": "110108",
            "industry_code": industry_code,
            "status": status,
            "name_norm": name.replace("有限公司", ""),
        }
        self._insert("enterprise", values, 1, None)
        return uscc

    def finance(
        self,
        uscc: str,
        fy: int,
        sales: Any = None,
        *,
        total_revenue: Any = None,
        non_taxable: Any = None,
        costs: Any = None,
        assets: Any = None,
        liabilities: Any = None,
        load_id: int = 2,
        line: int | None = None,
    ) -> None:
        values = {
            "uscc": uscc,
            "fiscal_year": fy,
            "sales_revenue": sales,
            "total_revenue": total_revenue,
            "non_taxable_revenue": non_taxable,
            "total_costs": costs,
            "total_assets": assets,
            "total_liabilities": liabilities,
        }
        self._insert("finance", values, load_id, line)

    def rd(
        self,
        uscc: str,
        fy: int,
        rd: Any = None,
        *,
        domestic: Any = None,
        staff: Any = None,
        st_staff: Any = None,
        ht: Any = None,
        results: int | None = None,
        load_id: int = 3,
        line: int | None = None,
    ) -> None:
        values = {
            "uscc": uscc,
            "fiscal_year": fy,
            "rd_expense": rd,
            "rd_expense_domestic": domestic,
            "staff_count": staff,
            "st_staff_count": st_staff,
            "ht_revenue": ht,
            "results_commercialized": results,
        }
        self._insert("rd", values, load_id, line)

    def ip(
        self,
        number: str,
        owner: str | None,
        ip_type: str,
        granted: date | None,
        *,
        status: str = "valid",
        acquisition: str | None = "original",
        acquired: date | None = None,
    ) -> None:
        values = {
            "ip_number": number,
            "ip_type": ip_type,
            "title": number,
            "grant_date": granted,
            "status": status,
            "acquisition": acquisition,
            "acquired_date": acquired,
        }
        self._insert("ip", values, 4, None)
        if owner is not None:
            self.link(number, owner)

    def link(self, number: str, owner: str) -> None:
        self.con.execute("INSERT INTO ip_link VALUES (?, ?, 'holder_uscc', 1.0)", [number, owner])

    def credit(self, uscc: str, event_type: str, decided: date, *, removed: date | None = None) -> None:
        values = {
            "uscc": uscc,
            "event_type": event_type,
            "decided_date": decided,
            "document_number": f"京{next(_serial)}号",
            "removed_date": removed,
        }
        self._insert("credit", values, 5, None)

    def certificate(
        self,
        uscc: str,
        kind: str,
        issued: date,
        expiry: date | None,
        *,
        status: str | None = "valid",
        tech_field: str | None = None,
        number: str | None = None,
    ) -> None:
        values = {
            "uscc": uscc,
            "kind": kind,
            "number": number or f"GR{next(_serial):09d}",
            "issue_date": issued,
            "expiry_date": expiry,
            "status": status,
            "tech_field": tech_field,
        }
        self._insert("certificate", values, 6, None)

    def insured(self, uscc: str, period: date, count: int | None) -> None:
        self._insert("social_insurance", {"uscc": uscc, "period": period, "insured_count": count}, 7, None)

    def build(self, as_of: date = AS_OF) -> dict[str, dict[str, Any]]:
        build_profiles(self.con, as_of)
        cur = self.con.execute("SELECT * FROM profile")
        names = [d[0] for d in cur.description]
        return {row[1]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


@pytest.fixture()
def ws() -> Workspace:
    return Workspace()


def three_years(ws: Workspace, uscc: str, sales: tuple[Any, Any, Any], rd: tuple[Any, Any, Any]) -> None:
    for fy, s, r in zip((2022, 2023, 2024), sales, rd, strict=True):
        ws.finance(uscc, fy, s)
        ws.rd(uscc, fy, r)


# --- window -------------------------------------------------------------------------------------------


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


# --- exact decimals -----------------------------------------------------------------------------------


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


# --- growth -------------------------------------------------------------------------------------------


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


# --- missing data -------------------------------------------------------------------------------------


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


# --- establishment ------------------------------------------------------------------------------------


def test_days_since_established_364_vs_365(ws: Workspace) -> None:
    a = ws.enterprise(established=date(2024, 3, 1))
    b = ws.enterprise(established=date(2024, 3, 2))
    c = ws.enterprise(established=date(2025, 3, 2))
    got = ws.build()
    assert got[a]["days_since_established"] == 365
    assert got[b]["days_since_established"] == 364
    assert got[c]["days_since_established"] == -1


# --- intellectual property ----------------------------------------------------------------------------


def test_ip_counting(ws: Workspace) -> None:
    e = ws.enterprise()
    other = ws.enterprise()
    none = ws.enterprise()
    ws.ip("ZL1", e, "invention_patent", date(2025, 2, 28))  # counted: granted the day before
    ws.ip("ZL2", e, "invention_patent", date(2025, 3, 1))  # granted on as_of: not yet
    ws.ip("ZL3", e, "invention_patent", date(2025, 3, 2))  # after
    ws.ip("ZL4", e, "plant_variety", None)  # no grant date: not granted
    ws.ip("UM1", e, "utility_model", date(2020, 1, 1), acquisition="transfer", acquired=date(2021, 1, 1))
    ws.ip("UM2", e, "utility_model", date(2020, 1, 1), status="invalid")
    ws.ip("UM3", e, "utility_model", date(2020, 1, 1), acquisition="transfer", acquired=date(2025, 3, 1))
    ws.ip("TM1", e, "trademark", date(2019, 1, 1))
    ws.ip("SW1", e, "software_copyright", date(2019, 1, 1), acquisition="gift")
    ws.ip("DS1", e, "design", date(2019, 1, 1), acquisition=None)
    ws.link("SW1", e)  # duplicated link: counted once
    ws.ip("DS2", other, "design", date(2019, 1, 1), acquisition="merger")
    ws.ip("NL1", None, "invention_patent", date(2019, 1, 1))  # not linked to anyone

    got = ws.build()
    p = got[e]
    assert (p["ip_class1_count"], p["ip_class2_count"]) == (1, 3)  # ZL1; UM1, SW1, DS1
    assert (p["ip_original_count"], p["ip_acquired_count"]) == (1, 2)  # ZL1; UM1, SW1 (DS1 unknown)
    p = got[other]
    assert (p["ip_class1_count"], p["ip_class2_count"], p["ip_acquired_count"]) == (0, 1, 1)
    p = got[none]
    assert (p["ip_class1_count"], p["ip_class2_count"], p["ip_original_count"]) == (0, 0, 0)


def test_register_feeds_never_delivered_give_null(ws: Workspace) -> None:
    e = ws.enterprise()
    summary = build_profiles(ws.con, AS_OF)
    assert summary.feeds_not_delivered == ("ip", "credit", "certificate")
    p = ws.build()[e]
    for col in ("ip_class1_count", "credit_major_safety_accident_365d", "abnormal_operation_listed"):
        assert p[col] is None, col
    assert p["has_hte_certificate"] is None and p["has_tech_sme"] is None
    assert p["hte_prior_certificate"] is None and p["hte_first_issue_date"] is None
    assert p["former_names"] == []


# --- credit -------------------------------------------------------------------------------------------


def test_credit_events_in_the_365_days_before_as_of(ws: Workspace) -> None:
    e = ws.enterprise()
    clean = ws.enterprise()
    ws.credit(e, "major_safety_accident", date(2024, 3, 1))  # exactly 365 days before: counted
    ws.credit(e, "major_quality_accident", date(2024, 2, 29))  # 366 days: not
    ws.credit(e, "serious_environmental_violation", date(2025, 3, 1))  # on as_of: counted
    ws.credit(e, "serious_environmental_violation", date(2025, 3, 2))  # after: not
    ws.credit(e, "research_misconduct", date(2024, 12, 1))
    ws.credit(e, "abnormal_operation", date(2022, 1, 1))  # old, never removed: still listed
    ws.credit(e, "abnormal_operation", date(2024, 6, 1), removed=date(2025, 3, 1))  # removed on as_of
    ws.credit(e, "abnormal_operation", date(2024, 7, 1), removed=date(2025, 3, 2))  # removed later: listed
    ws.credit(e, "serious_dishonesty", date(2020, 1, 1), removed=date(2021, 1, 1))

    got = ws.build()
    p = got[e]
    assert p["credit_major_safety_accident_365d"] == 1
    assert p["credit_major_quality_accident_365d"] == 0
    assert p["credit_serious_environmental_violation_365d"] == 1
    assert p["credit_hte_accidents_365d"] == 2
    assert p["credit_research_misconduct_365d"] == 1
    assert p["credit_abnormal_operation_365d"] == 2
    assert p["abnormal_operation_listed"] == 2
    assert p["credit_serious_dishonesty_365d"] == 0 and p["serious_dishonesty_listed"] == 0
    assert got[clean]["credit_hte_accidents_365d"] == 0 and got[clean]["abnormal_operation_listed"] == 0


# --- certificates -------------------------------------------------------------------------------------


def test_certificates_current_at_as_of(ws: Workspace) -> None:
    expired = ws.enterprise()
    ws.certificate(expired, "hte", date(2022, 3, 1), date(2025, 2, 28))
    ws.certificate(expired, "tech_sme", date(2024, 5, 1), date(2025, 12, 31))
    last_day = ws.enterprise()
    ws.certificate(last_day, "hte", date(2022, 12, 1), date(2025, 3, 1), tech_field="electronic_information")
    revoked = ws.enterprise()
    ws.certificate(revoked, "hte", date(2023, 1, 1), date(2026, 1, 1), status="revoked")
    derived_in = ws.enterprise()
    ws.certificate(derived_in, "hte", date(2022, 3, 2), None, status=None)
    derived_out = ws.enterprise()
    ws.certificate(derived_out, "hte", date(2022, 3, 1), None)
    future = ws.enterprise()
    ws.certificate(future, "hte", date(2025, 3, 2), date(2028, 3, 1))
    renewed = ws.enterprise()
    ws.certificate(renewed, "hte", date(2022, 1, 10), date(2025, 12, 1), number="OLD", tech_field="aerospace")
    ws.certificate(renewed, "hte", date(2024, 11, 1), date(2027, 11, 1), number="NEW", tech_field="new_energy")
    none = ws.enterprise()

    got = ws.build()
    assert got[expired]["has_hte_certificate"] is False
    assert got[expired]["hte_expiry_date"] is None
    assert got[expired]["has_tech_sme"] is True
    p = got[last_day]
    assert p["has_hte_certificate"] is True
    assert (p["hte_expiry_date"], p["tech_field"]) == (date(2025, 3, 1), "electronic_information")
    assert p["hte_certificate_load_id"] == 6 and p["hte_certificate_line"] is not None
    assert got[revoked]["has_hte_certificate"] is False
    assert got[derived_in]["has_hte_certificate"] is True
    assert got[derived_in]["hte_expiry_date"] == date(2025, 3, 1)
    assert got[derived_out]["has_hte_certificate"] is False
    assert got[future]["has_hte_certificate"] is False
    p = got[renewed]
    assert (p["hte_certificate_number"], p["hte_issue_date"], p["tech_field"]) == (
        "NEW",
        date(2024, 11, 1),
        "new_energy",
    )
    assert got[none]["has_hte_certificate"] is False and got[none]["has_tech_sme"] is False
    assert got[none]["has_zgc_hte"] is False


def test_prior_hte_certificate_and_first_issue_date(ws: Workspace) -> None:
    renewed = ws.enterprise()  # two certificates: the current one and an expired earlier one
    ws.certificate(renewed, "hte", date(2019, 11, 1), date(2022, 10, 31), status="expired")
    ws.certificate(renewed, "hte", date(2022, 12, 1), date(2025, 11, 30))
    day_before = ws.enterprise()  # the earlier one issued the day before the current one, revoked later
    ws.certificate(day_before, "hte", date(2022, 11, 30), None, status="revoked")
    ws.certificate(day_before, "hte", date(2022, 12, 1), None)
    same_day = ws.enterprise()  # two current certificates issued the same day: neither is before the other
    ws.certificate(same_day, "hte", date(2023, 1, 5), None, number="A")
    ws.certificate(same_day, "hte", date(2023, 1, 5), None, number="B")
    one = ws.enterprise()  # only the current one
    ws.certificate(one, "hte", date(2023, 6, 1), date(2026, 5, 31))
    ws.certificate(one, "tech_sme", date(2020, 1, 1), None)  # not a HTE certificate
    ws.certificate(one, "hte", date(2025, 3, 2), None)  # issued after as_of: ignored
    lapsed = ws.enterprise()  # held one, none current now
    ws.certificate(lapsed, "hte", date(2021, 1, 1), date(2023, 12, 31))
    none = ws.enterprise()
    ws.certificate(none, "zgc_hte", date(2018, 1, 1), None)

    got = ws.build()
    want = {
        renewed: (True, date(2019, 11, 1), date(2022, 12, 1)),
        day_before: (True, date(2022, 11, 30), date(2022, 12, 1)),
        same_day: (False, date(2023, 1, 5), date(2023, 1, 5)),
        one: (False, date(2023, 6, 1), date(2023, 6, 1)),
        lapsed: (False, date(2021, 1, 1), None),
        none: (False, None, None),
    }
    for e, expected in want.items():
        p = got[e]
        assert (p["hte_prior_certificate"], p["hte_first_issue_date"], p["hte_issue_date"]) == expected, e
    assert got[lapsed]["has_hte_certificate"] is False and got[day_before]["has_hte_certificate"] is True
    # a year earlier the renewed enterprise's current certificate was its first one
    p = ws.build(date(2022, 3, 1))[renewed]
    assert (p["hte_prior_certificate"], p["hte_first_issue_date"]) == (False, date(2019, 11, 1))


# --- social insurance ---------------------------------------------------------------------------------


def test_insured_count_of_the_latest_period_up_to_as_of(ws: Workspace) -> None:
    e = ws.enterprise()
    ws.insured(e, date(2025, 4, 1), 99)  # after as_of
    ws.insured(e, date(2025, 3, 1), 31)
    ws.insured(e, date(2025, 2, 1), 30)  # delivered last, but an older period
    blank = ws.enterprise()
    ws.insured(blank, date(2025, 1, 1), 12)
    ws.insured(blank, date(2025, 2, 1), None)  # latest period has no count: NULL, no fallback
    got = ws.build()
    assert (got[e]["insured_count"], got[e]["insured_count_period"]) == (31, date(2025, 3, 1))
    assert got[e]["social_insurance_load_id"] == 7
    assert (got[blank]["insured_count"], got[blank]["insured_count_period"]) == (None, date(2025, 2, 1))


# --- provenance and identity --------------------------------------------------------------------------


def test_redelivered_row_wins_and_provenance_points_at_it(ws: Workspace) -> None:
    e = ws.enterprise()
    ws.finance(e, 2022, 1000)
    ws.finance(e, 2023, 1000)
    ws.finance(e, 2024, 1, load_id=2, line=5)
    ws.finance(e, 2024, 2000, total_revenue=2100, load_id=8, line=3)  # correction in a later delivery
    ws.rd(e, 2024, 70, load_id=3, line=11)
    p = ws.build()[e]
    assert p["sales_revenue_last_year"] == D("2000")
    assert (p["finance_last_load_id"], p["finance_last_line"]) == (8, 3)
    assert (p["rd_last_load_id"], p["rd_last_line"]) == (3, 11)
    assert p["registration_load_id"] == 1
    assert provenance_columns(FEATURE_BY_NAME["sales_revenue_last_year"]) == (
        "finance_last_load_id",
        "finance_last_line",
    )
    assert provenance_columns(FEATURE_BY_NAME["sales_revenue_window"]) is None


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


# --- registry, SQL and docs ---------------------------------------------------------------------------


def test_profile_table_matches_the_registry(ws: Workspace) -> None:
    ws.enterprise()
    ws.build()
    described = ws.con.execute("DESCRIBE profile").fetchall()
    assert [(r[0], r[1]) for r in described] == [(f.name, f.sql_type) for f in FEATURES]


def test_registry_is_complete() -> None:
    for f in FEATURES:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", f.name), f.name
        assert f.type in {"money", "ratio", "count", "date", "boolean", "text", "integer"}, f.name
        assert f.label and f.definition, f.name
        assert f.group in GROUPS, f.name
        if f.type == "money":
            assert f.unit == "万元", f.name
        if f.provenance and not f.provenance.endswith("_window"):
            load_id, line = provenance_columns(f) or ("", "")
            assert load_id in FEATURE_BY_NAME and line in FEATURE_BY_NAME, f.name
    assert set(GROWTH_BASES) >= {"three_years", "last_two_years", "year2_zero", "missing_data"}


def test_one_row_per_enterprise_and_rebuild_replaces(ws: Workspace) -> None:
    for _ in range(5):
        ws.enterprise()
    summary = build_profiles(ws.con, AS_OF)
    assert summary.enterprises == 5
    assert (summary.fy_window_start, summary.fy_window_end) == (2022, 2024)
    summary = build_profiles(ws.con, date(2024, 7, 1))
    assert ws.con.execute("SELECT COUNT(*), MIN(as_of), MAX(as_of) FROM profile").fetchall() == [
        (5, date(2024, 7, 1), date(2024, 7, 1))
    ]


def test_profile_summary(ws: Workspace) -> None:
    e = ws.enterprise()
    three_years(ws, e, (100, 0, 50), (1, 1, 1))
    ws.enterprise(established=date(2024, 6, 1))
    ws.certificate(e, "hte", date(2024, 1, 1), date(2026, 12, 31))
    ws.build()
    summary = profile_summary(ws.con)
    assert summary["as_of"] == AS_OF and summary["fy_window"] == [2022, 2024]
    assert summary["enterprises"] == 2 and summary["with_hte_certificate"] == 1
    assert summary["sales_growth_basis"] == {"insufficient_years": 1, "year2_zero": 1}
    assert summary["non_null"]["hte_rd_ratio"] == 1
    assert summary["non_null"]["uscc"] == 2
    assert set(summary["non_null"]) == set(FEATURE_BY_NAME)


def test_sql_parses_and_transpiles_to_spark() -> None:
    sql = profile_sql(AS_OF)
    sqlglot.parse_one(sql, dialect="duckdb")
    spark = transpile_profile_sql(AS_OF)
    assert "MAX_BY" in spark and "FILTER" in spark
    assert "DATE '2025-03-01'" in sql and "2024-03-01" in sql
    # the NULL choice for undelivered register feeds is baked into the SQL
    assert "COALESCE(ipc.ip_class1_count, 0)" in sql
    assert "COALESCE(ipc.ip_class1_count, 0)" not in profile_sql(AS_OF, delivered={"ip": False})


def test_docs_list_every_feature() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert features_markdown() in text, "docs/features.md is out of date: paste features_markdown() into it"
    for f in FEATURES:
        assert f"`{f.name}`" in text, f.name


# --- property: ratios are exact when the true value has few decimals ----------------------------------

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


# ------------------------------------------------------------------------------------------------------
# Rebuilding when a load the profile depends on changed (issue 9)


def write_registration_fix(con: duckdb.DuckDBPyConnection, uscc: str, name: str, out: Path) -> Path:
    """A redelivered registration file: the enterprise's current row with a new name."""
    import csv

    fields = [f.name for f in feed_spec("registration").fields]
    row = con.execute(f"SELECT {', '.join(fields)} FROM registration_cur WHERE uscc = ?", [uscc]).fetchall()[0]
    values = dict(zip(fields, row, strict=True), name=name)
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(fields)
        w.writerow(["" if values[f] is None else str(values[f]) for f in fields])
    return out


@pytest.mark.slow
def test_profiles_are_rebuilt_when_a_load_or_the_resolution_changed_for_the_same_as_of(tmp_path: Path) -> None:
    from gaoqi.engine.features import ensure_profiles
    from gaoqi.engine.ingest import ingest_directory
    from gaoqi.engine.resolve import resolve
    from gaoqi.engine.workspace import connect
    from gaoqi.synth import generate

    feeds, home, fix = tmp_path / "feeds", tmp_path / "home", tmp_path / "fix"
    fix.mkdir()
    generate(feeds, enterprises=60, seed=3)
    ingest_directory(home, feeds)
    day = date(2026, 6, 30)
    con = connect(home)
    try:
        resolve(con)
        assert ensure_profiles(con, day) is True
        assert ensure_profiles(con, day) is False  # nothing changed: not rebuilt
        resolve(con)  # the same loads resolved again: the same inputs
        assert ensure_profiles(con, day) is False
        uscc = con.execute("SELECT min(uscc) FROM profile").fetchall()[0][0]
        write_registration_fix(con, uscc, "北京新名称哨兵科技有限公司", fix / "registration_fix.csv")
    finally:
        con.close()
    summary = ingest_directory(home, fix)
    assert [f.rows_loaded for f in summary.files] == [1]
    con = connect(home)
    try:
        assert ensure_profiles(con, day) is True  # a new load, not yet resolved: rebuilt
        resolve(con)
        assert ensure_profiles(con, day) is True  # the resolution changed (enterprise carries the new name)
        assert con.execute("SELECT name FROM profile WHERE uscc = ?", [uscc]).fetchall() == [
            ("北京新名称哨兵科技有限公司",)
        ]
        assert ensure_profiles(con, day) is False
        assert ensure_profiles(con, date(2026, 7, 1)) is True  # another as-of
    finally:
        con.close()
