"""The shipped policies other than HTE certification's data conditions (test_evaluate.py), at their boundaries.

Profiles are written directly (every feature a column, unset ones NULL): the features themselves are tested
in test_features.py; here the rules are. As-of 2026-06-30: last year FY2025. Money in 万元.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from gaoqi.engine.rules import Policy, evaluate, explain, load_policies
from gaoqi.engine.rules.simulate import with_parameters
from tests.engine.rules.support import POLICIES_DIR, HteWorkspace, Profiles, synthetic_population

AS_OF = date(2026, 6, 30)
D = Decimal


@pytest.fixture(scope="module")
def policies() -> dict[str, Policy]:
    return {p.id: p for p in load_policies(POLICIES_DIR)}


def brief(r: dict[str, Any]) -> tuple[Any, ...]:
    return r["status"], r["failed_conditions"], r["binding_condition"], r["binding_gap"]


# --- innovation-capacity pre-score (S-195 §2.4) --------------------------------------------------------

#: Data that meet every data condition of HTE 2016 (so only the innovation screen can fail).
HTE_OK: dict[str, Any] = {
    "days_since_established": 4000,
    "ip_class1_count": 1,
    "ip_class2_count": 0,
    "st_staff_share": D("0.2"),
    "hte_rd_ratio": D("0.1"),
    "sales_revenue_last_year": D(1000),
    "rd_domestic_share": D(1),
    "ht_revenue_share": D("0.8"),
    "credit_hte_accidents_365d": 0,
}


def scores_of(p: Profiles, uscc: str, policy: Policy) -> dict[str, tuple[Any, ...]]:
    got = explain(p.con, uscc, policy.id, AS_OF, [policy])
    return {s["id"]: (s["grade"], s["min"], s["max"]) for s in got["scores"]}


def test_prescore_bands_decided_by_the_data(policies: dict[str, Policy]) -> None:
    hte = policies["hte-certification"]
    p = Profiles()
    e = p.add(
        **HTE_OK,
        ip_original_count=1,
        ip_acquired_count=0,
        results_commercialized_avg=D("3.0"),
        net_asset_growth=D("0.35"),
        net_asset_growth_basis="three_years",
        sales_growth=D("0.3499"),
        sales_growth_basis="three_years",
    )
    s = scores_of(p, e, hte)
    assert s["ip_quantity"] == ("A", 7, 8)  # one Class I
    assert s["ip_acquisition"] == ("A", 1, 6)  # own R&D
    assert s["tech_advancement"] == (None, 0, 8)  # experts only
    assert s["ip_total"] == (None, 8, 30)  # 8+8+8+6+2 = 32, capped at 30
    assert s["commercialization"] == ("C", 13, 18)  # 3.0 a year: ≥ 3
    assert s["net_asset_growth_score"] == ("A", 9, 10)  # exactly 35%
    assert s["sales_growth_score"] == ("B", 7, 8)  # just under 35%
    assert s["innovation_total"] == (None, 8 + 13 + 0 + 9 + 7, 30 + 18 + 20 + 10 + 8)


@pytest.mark.parametrize(
    ("class2", "grade", "points"),
    [(0, "E", (0, 0)), (1, "D", (1, 2)), (2, "D", (1, 2)), (3, "C", (3, 4)), (4, "C", (3, 4)), (5, "B", (5, 6))],
)
def test_ip_quantity_bands_by_class2_count(
    policies: dict[str, Policy], class2: int, grade: str, points: tuple[int, int]
) -> None:
    p = Profiles()
    e = p.add(**{**HTE_OK, "ip_class1_count": 0, "ip_class2_count": class2})
    assert scores_of(p, e, policies["hte-certification"])["ip_quantity"] == (grade, *points)


@pytest.mark.parametrize(
    ("growth", "basis", "grade", "points"),
    [
        (D("0.25"), "three_years", "B", (7, 8)),
        (D("0.2499"), "three_years", "C", (5, 6)),
        (D("0.15"), "three_years", "C", (5, 6)),
        (D("0.05"), "three_years", "D", (3, 4)),
        (D("0.0001"), "three_years", "E", (1, 2)),
        (D("0"), "three_years", "F", (0, 0)),
        (D("-0.3"), "three_years", "F", (0, 0)),  # negative growth: 0 points
        (None, "year2_zero", "F", (0, 0)),  # year-2 value 0: 0 points
        (None, "missing_data", None, (0, 10)),  # unknown: the whole range
    ],
)
def test_growth_bands(
    policies: dict[str, Policy], growth: Any, basis: str, grade: str | None, points: tuple[int, int]
) -> None:
    p = Profiles()
    e = p.add(**HTE_OK, net_asset_growth=growth, net_asset_growth_basis=basis)
    assert scores_of(p, e, policies["hte-certification"])["net_asset_growth_score"] == (grade, *points)


def test_innovation_screen_fails_at_a_maximum_of_70_and_waits_for_experts_at_71(
    policies: dict[str, Policy],
) -> None:
    hte = policies["hte-certification"]
    p = Profiles()
    # max: IP 8+8+8+6+2 → 30, commercialisation F 0, management 20, growth A 10 + A 10 = 70
    at_70 = p.add(**HTE_OK, ip_original_count=1, results_commercialized_avg=D(0), net_asset_growth=D("0.4"),
                  net_asset_growth_basis="three_years", sales_growth=D("0.5"), sales_growth_basis="three_years")  # fmt: skip
    # max: IP 8+8+6(B: 5 Class II)+3(acquired only)+2 = 27, commercialisation E 6, management 20, growth 10 + 8 = 71
    at_71 = p.add(**{**HTE_OK, "ip_class1_count": 0, "ip_class2_count": 5}, ip_original_count=0, ip_acquired_count=5,
                  results_commercialized_avg=D("0.34"), net_asset_growth=D("0.4"), net_asset_growth_basis="three_years",
                  sales_growth=D("0.3"), sales_growth_basis="three_years")  # fmt: skip
    got = p.results(hte)
    assert brief(got[at_70]) == (
        "fail",
        ["innovation_score"],
        "innovation_score",
        "企业创新能力评价总分最高可得 70 分，需大于 70 分，差 1 分",
    )
    assert got[at_70]["unknown_features"] == ["pending:tech_field"]  # innovation_score failed: not pending
    assert brief(got[at_71]) == ("unknown", [], None, None)
    assert got[at_71]["unknown_features"] == ["pending:tech_field", "pending:innovation_score"]
    assert scores_of(p, at_71, hte)["innovation_total"][2] == 71
    item = {c["id"]: c for c in explain(p.con, at_70, hte.id, AS_OF, [hte])["conditions"]}["innovation_score"]
    assert (item["outcome"], item["observed_min"], item["observed_max"]) == ("fail", 8 + 0 + 0 + 9 + 9, 70)


def test_unknown_growth_keeps_the_screen_open(policies: dict[str, Policy]) -> None:
    p = Profiles()
    # growth NULL: 0–10 each; max 30 + 6 (E) + 20 + 20 = 76
    e = p.add(**HTE_OK, ip_original_count=1, results_commercialized_avg=D(1))
    got = p.results(policies["hte-certification"])[e]
    assert got["status"] == "unknown"
    # growth inputs are NULL but no data condition is unknown: they are not listed as missing
    assert got["unknown_features"] == ["pending:tech_field", "pending:innovation_score"]


# --- tech-based SME (国科发政〔2017〕115号) --------------------------------------------------------------

#: Inside every cap, clean, and scoring 20 + 50 + 30 = 100.
SME_OK: dict[str, Any] = {
    "days_since_established": 1000,
    "staff_count_last_year": D(100),
    "sales_revenue_last_year": D(5000),
    "total_assets_last_year": D(5000),
    "total_costs_last_year": D(4000),
    "rd_expense_last_year": D(400),
    "st_staff_share": D("0.3"),
    "ip_class1_count": 1,
    "ip_class2_count": 0,
    "credit_hte_accidents_365d": 0,
    "credit_research_misconduct_365d": 0,
    "abnormal_operation_listed": 0,
    "serious_dishonesty_listed": 0,
    "has_hte_certificate": False,
}
SME_PENDING = ["pending:not_restricted"]


@pytest.mark.parametrize(
    ("change", "failed", "gap"),
    [
        ({"staff_count_last_year": D(500)}, [], None),
        ({"staff_count_last_year": D("500.01")}, ["staff_cap"], "最近一年职工总数 500.01 人，至多 500 人，超出 0.01 人"),
        ({"sales_revenue_last_year": D(20000)}, [], None),
        ({"sales_revenue_last_year": D("20000.01")}, ["sales_cap"],
         "最近一年销售收入 20000.01万元，至多 20000万元，超出 0.01万元"),
        ({"total_assets_last_year": D(20000)}, [], None),
        ({"total_assets_last_year": D("20000.5")}, ["assets_cap"],
         "最近一年资产总额 20000.5万元，至多 20000万元，超出 0.5万元"),
        ({"abnormal_operation_listed": 1}, ["not_listed"], None),
        ({"credit_research_misconduct_365d": 1}, ["no_accident_or_misconduct"], None),
    ],
)  # fmt: skip
def test_tech_sme_caps_are_inclusive(
    policies: dict[str, Policy], change: dict[str, Any], failed: list[str], gap: str | None
) -> None:
    p = Profiles()
    e = p.add(**{**SME_OK, **change})
    r = p.results(policies["tech-sme"])[e]
    if not failed:
        assert brief(r) == ("unknown", [], None, None)
        assert r["unknown_features"] == SME_PENDING  # only the attested item is outstanding
    else:
        assert (r["status"], r["failed_conditions"]) == ("fail", failed)
        if gap is not None:
            assert r["binding_gap"] == gap


def sme_scores(p: Profiles, uscc: str, policy: Policy) -> dict[str, tuple[Any, ...]]:
    return scores_of(p, uscc, policy)


@pytest.mark.parametrize(
    ("share", "grade", "points"),
    [(D("0.3"), "A", 20), (D("0.2999"), "B", 16), (D("0.25"), "B", 16), (D("0.2"), "C", 12),
     (D("0.15"), "D", 8), (D("0.1"), "E", 4), (D("0.0999"), "F", 0)],
)  # fmt: skip
def test_tech_sme_st_staff_bands(policies: dict[str, Policy], share: Decimal, grade: str, points: int) -> None:
    p = Profiles()
    e = p.add(**{**SME_OK, "st_staff_share": share})
    assert sme_scores(p, e, policies["tech-sme"])["st_staff"] == (grade, points, points)


def test_tech_sme_takes_the_better_of_the_two_rd_measures(policies: dict[str, Policy]) -> None:
    sme = policies["tech-sme"]
    p = Profiles()
    # R&D / sales 400/20000 = 2% → E 10; R&D / costs 400/1000 = 40% → A 50: the better counts
    by_costs = p.add(**{**SME_OK, "sales_revenue_last_year": D(20000), "total_costs_last_year": D(1000)})
    # R&D / sales 300/5000 = 6% → A 50; R&D / costs 300/4000 = 7.5% → F 0
    by_sales = p.add(**{**SME_OK, "rd_expense_last_year": D(300)})
    s1, s2 = sme_scores(p, by_costs, sme), sme_scores(p, by_sales, sme)
    assert (s1["rd_to_sales"], s1["rd_to_costs"], s1["rd_input"]) == (("E", 10, 10), ("A", 50, 50), (None, 50, 50))
    assert (s2["rd_to_sales"], s2["rd_to_costs"], s2["rd_input"]) == (("A", 50, 50), ("F", 0, 0), (None, 50, 50))


def test_tech_sme_pass_mark_is_60_inclusive_and_needs_a_nonzero_staff_score(policies: dict[str, Policy]) -> None:
    sme = policies["tech-sme"]
    p = Profiles()
    # 12 (20%) + 30 (R&D/sales 4%) + 18 (3 Class II) = 60
    at_60 = p.add(**{**SME_OK, "st_staff_share": D("0.2"), "rd_expense_last_year": D(200),
                     "total_costs_last_year": D(10000), "ip_class1_count": 0, "ip_class2_count": 3})  # fmt: skip
    # 12 + 30 + 12 (2 Class II) = 54
    at_54 = p.add(**{**SME_OK, "st_staff_share": D("0.2"), "rd_expense_last_year": D(200),
                     "total_costs_last_year": D(10000), "ip_class1_count": 0, "ip_class2_count": 2})  # fmt: skip
    # 0 (9.99%) + 50 + 30 = 80, but the S&T personnel score is 0
    no_staff = p.add(**{**SME_OK, "st_staff_share": D("0.0999")})
    got = p.results(sme)
    assert brief(got[at_60]) == ("unknown", [], None, None)
    assert brief(got[at_54]) == (
        "fail",
        ["score_pass"],
        "score_pass",
        "综合评价得分最高可得 54 分，至少需 60 分，差 6 分",
    )
    assert got[no_staff]["failed_conditions"] == ["st_staff_score_nonzero"]
    assert (
        got[no_staff]["binding_gap"] == "科技人员指标（科技人员数占职工总数的比例）最高可得 0 分，需大于 0 分，差 1 分"
    )


def test_tech_sme_direct_qualification_by_a_valid_hte_certificate(policies: dict[str, Policy]) -> None:
    sme = policies["tech-sme"]
    p = Profiles()
    weak = {**SME_OK, "st_staff_share": D("0.05"), "rd_expense_last_year": D(0), "ip_class1_count": 0}
    certified = p.add(**{**weak, "has_hte_certificate": True})
    plain = p.add(**weak)
    over_cap = p.add(**{**weak, "has_hte_certificate": True, "staff_count_last_year": D(501)})
    got = p.results(sme)
    assert brief(got[certified]) == ("unknown", [], None, None)  # Art. 8: the score is not needed
    assert got[plain]["failed_conditions"] == ["score_pass", "st_staff_score_nonzero"]
    assert got[over_cap]["failed_conditions"] == ["staff_cap"]  # the caps of Art. 6 still apply
    cond = {c["id"]: c for c in explain(p.con, certified, sme.id, AS_OF, [sme])["conditions"]}
    assert cond["score_pass"]["outcome"] == "pass"
    assert cond["score_pass"]["waived"] == "直接确认：企业拥有有效期内高新技术企业资格证书"


def test_tech_sme_missing_rd_data_gives_an_interval(policies: dict[str, Policy]) -> None:
    sme = policies["tech-sme"]
    p = Profiles()
    # staff 20 + IP 30 = 50 for sure; R&D unknown (0–50): total 50–100 → unknown, R&D expense listed
    e = p.add(**{**SME_OK, "rd_expense_last_year": None})
    # staff 0 … : IP none, staff 4 → total at most 4 + 50 + 0 = 54 < 60 even with the best R&D: fail
    f = p.add(**{**SME_OK, "rd_expense_last_year": None, "st_staff_share": D("0.1"), "ip_class1_count": 0})
    got = p.results(sme)
    assert got[e]["status"] == "unknown"
    assert got[e]["unknown_features"] == ["rd_expense_last_year", *SME_PENDING]
    assert brief(got[f]) == ("fail", ["score_pass"], "score_pass", "综合评价得分最高可得 54 分，至少需 60 分，差 6 分")


# --- above designated size ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "division", "klass", "revenue", "status", "as_of"),
    [
        ("C", "39", "3911", D(2000), "pass", AS_OF),  # industry ≥ 2,000万 inclusive
        ("C", "39", "3911", D("1999.99"), "fail", AS_OF),
        ("C", "39", "3911", D(500), "pass", date(2010, 6, 30)),  # 2007–2010: 500万
        ("C", "39", "3911", D(500), "fail", date(2011, 1, 1)),
        ("F", "51", "5191", D(2000), "pass", AS_OF),  # wholesale 2,000万
        ("F", "52", "5211", D(500), "pass", AS_OF),  # retail 500万
        ("F", "52", "5211", D("499.99"), "fail", AS_OF),
        ("H", "62", "6210", D(200), "pass", AS_OF),  # accommodation and catering 200万
        ("I", "65", "6510", D(2000), "pass", AS_OF),  # software: services tier 1
        ("I", "65", "6510", D(1999), "fail", AS_OF),
        ("M", "73", "7310", D(1000), "pass", AS_OF),  # scientific research: tier 2
        ("K", "70", "7020", D(1000), "pass", AS_OF),  # property management: tier 2
        ("Q", "84", "8411", D(2000), "pass", AS_OF),  # health: tier 1
        ("Q", "84", "8411", D(1000), "fail", AS_OF),
        ("Q", "85", "8510", D(500), "pass", AS_OF),  # social work: tier 3
        ("R", "86", "8610", D(500), "pass", AS_OF),  # culture: tier 3
    ],
)
def test_above_scale_thresholds_by_sector(
    policies: dict[str, Policy], section: str, division: str, klass: str, revenue: Decimal, status: str, as_of: date
) -> None:
    p = Profiles()
    p.con.execute("UPDATE profile SET as_of = ?", [as_of])
    e = p.add(industry_section=section, industry_division=division, industry_class=klass,
              sales_revenue_last_year=revenue)  # fmt: skip
    p.con.execute("UPDATE profile SET as_of = ?", [as_of])
    r = p.results(policies["above-scale"], as_of)[e]
    assert r["status"] == status
    if status == "fail":
        assert r["failed_conditions"] == ["revenue"]


def test_above_scale_sectors_without_a_revenue_line(policies: dict[str, Policy]) -> None:
    p = Profiles()
    building = p.add(
        industry_section="E", industry_division="47", industry_class="4700", sales_revenue_last_year=D(9e6)
    )
    developer = p.add(
        industry_section="K", industry_division="70", industry_class="7010", sales_revenue_last_year=D(9e6)
    )
    got = p.results(policies["above-scale"])
    assert got[building]["failed_conditions"] == ["revenue_threshold_sector"]
    assert got[developer]["failed_conditions"] == ["revenue_threshold_sector"]


# --- Beijing support policies and their amounts -------------------------------------------------------


def test_dongcheng_reward_for_a_first_certificate_within_a_year(policies: dict[str, Policy]) -> None:
    pol = policies["dongcheng-hte-reward"]
    p = Profiles()
    base = {"district_code": "110101", "has_hte_certificate": True, "hte_prior_certificate": False}
    day_365 = p.add(**base, hte_days_since_issue=365)
    day_366 = p.add(**base, hte_days_since_issue=366)
    haidian = p.add(**{**base, "district_code": "110108"}, hte_days_since_issue=10)
    renewed = p.add(**{**base, "hte_prior_certificate": True}, hte_days_since_issue=10)
    got = p.results(pol)
    assert (got[day_365]["status"], got[day_365]["benefit_amount"]) == ("pass", D(10))
    assert (got[day_366]["status"], got[day_366]["failed_conditions"], got[day_366]["benefit_amount"]) == (
        "fail", ["newly_certified"], None,
    )  # fmt: skip
    assert got[haidian]["failed_conditions"] == ["registered_in_dongcheng"]
    assert got[renewed]["failed_conditions"] == ["first_certification"]


def test_dongcheng_renewal_reward_needs_more_than_ten_percent_growth(policies: dict[str, Policy]) -> None:
    pol = policies["dongcheng-hte-renewal-reward"]
    p = Profiles()
    base = {"district_code": "110101", "has_hte_certificate": True, "hte_prior_certificate": True,
            "hte_days_since_issue": 30, "sales_revenue_y2": D(1000)}  # fmt: skip
    exactly_10 = p.add(**base, sales_revenue_y3=D(1100))
    above_10 = p.add(**base, sales_revenue_y3=D("1100.01"))
    got = p.results(pol)
    assert brief(got[exactly_10]) == (
        "fail", ["revenue_growth"], "revenue_growth", "销售收入（第3年） 1100万元，需大于 1100万元，差 0万元",
    )  # fmt: skip
    assert (got[above_10]["status"], got[above_10]["benefit_amount"]) == ("pass", D(5))


def test_rd_super_deduction_amount_and_excluded_industries(policies: dict[str, Policy]) -> None:
    pol = policies["rd-super-deduction"]
    p = Profiles()
    software = p.add(
        industry_section="I", industry_division="65", rd_expense_last_year=D(400), has_hte_certificate=False
    )
    hte = p.add(industry_section="I", industry_division="65", rd_expense_last_year=D(400), has_hte_certificate=True)
    tobacco = p.add(
        industry_section="C", industry_division="16", rd_expense_last_year=D(400), has_hte_certificate=False
    )
    retail = p.add(industry_section="F", industry_division="52", rd_expense_last_year=D(400), has_hte_certificate=False)
    no_rd = p.add(industry_section="I", industry_division="65", rd_expense_last_year=D(0), has_hte_certificate=False)
    unknown = p.add(industry_section="I", industry_division="65", has_hte_certificate=False)
    got = p.results(pol)
    assert (got[software]["status"], got[software]["benefit_amount"]) == ("pass", D(100))  # 400 × 100% × 25%
    assert got[hte]["benefit_amount"] == D(60)  # at the HTE rate of 15%
    assert got[tobacco]["failed_conditions"] == got[retail]["failed_conditions"] == ["not_excluded_industry"]
    assert got[no_rd]["failed_conditions"] == ["has_rd_expense"]
    assert (got[unknown]["status"], got[unknown]["unknown_features"], got[unknown]["benefit_amount"]) == (
        "unknown", ["rd_expense_last_year"], None,
    )  # fmt: skip
    assert pol.version_at(date(2023, 1, 1)).id == "2023"  # the 100% rate for all starts in 2023
    assert pol.version_at(date(2021, 12, 31)) is None


def test_rd_super_deduction_in_2022_is_for_registered_tech_smes_and_manufacturing(policies: dict[str, Policy]) -> None:
    """2022: 100% for tech-based SMEs (公告2022年第16号: the tech-SME registration, has_tech_sme) and manufacturing
    (公告2021年第13号); a software enterprise without a registration is not covered that year."""
    pol = policies["rd-super-deduction"]
    p = Profiles()
    common = {"rd_expense_last_year": D(400), "has_hte_certificate": False}
    registered = p.add(industry_section="I", industry_division="65", has_tech_sme=True, **common)
    unregistered = p.add(industry_section="I", industry_division="65", has_tech_sme=False, **common)
    maker = p.add(industry_section="C", industry_division="39", has_tech_sme=False, **common)
    registered_retail = p.add(industry_section="F", industry_division="52", has_tech_sme=True, **common)
    p.con.execute("UPDATE profile SET as_of = DATE '2022-12-31'")  # the same profiles, as of the end of 2022
    got = p.results(pol, date(2022, 12, 31))
    assert (got[registered]["status"], got[registered]["benefit_amount"]) == ("pass", D(100))
    assert got[maker]["status"] == "pass"
    assert got[unregistered]["failed_conditions"] == ["tech_sme_or_manufacturing"]
    assert got[registered_retail]["failed_conditions"] == ["not_excluded_industry"]
    p.con.execute("UPDATE profile SET as_of = ?", [date(2026, 6, 30)])
    assert p.results(pol, date(2026, 6, 30))[unregistered]["status"] == "pass"  # from 2023 every eligible enterprise


# --- cultivation pool, automatic route (programmes.md §2) ----------------------------------------------


def civil_code(pool: Policy) -> Policy:
    """The pool with the Civil Code's reading of "less than two years" (age_rule_civil_code)."""
    return dataclasses.replace(
        pool, versions=tuple(with_parameters(v, {"age_rule_civil_code": "true"}) for v in pool.versions)
    )


def pool_status(ws: HteWorkspace, pool: Policy, uscc: str, as_of: date) -> tuple[Any, ...]:
    r = ws.evaluate([pool], as_of)[uscc]
    return r["status"], r["failed_conditions"]


def zgc_young(ws: HteWorkspace, established: date, *, subtype: str = "科技创新型", status: str = "存续") -> str:
    e = ws.enterprise(established=established, status=status)
    ws.certificate(e, "zgc_hte", date(2024, 6, 1), date(2027, 5, 31), subtype=subtype)
    return e


@pytest.mark.parametrize(
    ("vector", "established", "as_of", "anniversary", "civil"),
    [
        ("P1", date(2024, 3, 1), date(2026, 2, 28), "pass", "pass"),
        ("P2", date(2024, 3, 1), date(2026, 3, 1), "fail", "pass"),
        ("P3", date(2024, 2, 29), date(2026, 2, 28), "fail", "pass"),
        ("P2+1 day", date(2024, 3, 1), date(2026, 3, 2), "fail", "fail"),
        ("P3+1 day", date(2024, 2, 29), date(2026, 3, 1), "fail", "fail"),
    ],
)
def test_pool_age_vectors_under_both_readings(
    policies: dict[str, Policy], vector: str, established: date, as_of: date, anniversary: str, civil: str
) -> None:
    pool = policies["cultivation-pool"]
    ws = HteWorkspace()
    e = zgc_young(ws, established)
    failed = {"pass": [], "fail": ["under_age_limit"]}
    assert pool_status(ws, pool, e, as_of) == (anniversary, failed[anniversary]), vector
    assert pool_status(ws, civil_code(pool), e, as_of) == (civil, failed[civil]), vector


def test_pool_p4_another_subtype_is_not_on_the_automatic_route(policies: dict[str, Policy]) -> None:
    ws = HteWorkspace()
    e = zgc_young(ws, date(2025, 3, 1), subtype="科技服务型")
    assert pool_status(ws, policies["cultivation-pool"], e, date(2026, 3, 1)) == ("fail", ["zgc_hte_innovative"])


def test_pool_exclusions_at_their_boundaries(policies: dict[str, Policy]) -> None:
    pool, as_of = policies["cultivation-pool"], date(2026, 3, 1)
    ws = HteWorkspace()
    young = date(2025, 3, 1)
    hte_today = zgc_young(ws, young)  # a national HTE certificate valid to the as-of date, inclusive
    ws.certificate(hte_today, "hte", date(2023, 3, 2), as_of)
    hte_lapsed = zgc_young(ws, young)  # … expired the day before
    ws.certificate(hte_lapsed, "hte", date(2023, 3, 1), date(2026, 2, 28))
    listed = zgc_young(ws, young)  # an abnormal-operation listing removed the day after as_of: in force
    ws.credit(listed, "abnormal_operation", date(2025, 6, 1), removed=date(2026, 3, 2))
    delisted = zgc_young(ws, young)  # … removed on the as-of date: no longer in force
    ws.credit(delisted, "abnormal_operation", date(2025, 6, 1), removed=as_of)
    dishonest = zgc_young(ws, young)  # a serious-dishonesty listing decided on the as-of date
    ws.credit(dishonest, "serious_dishonesty", as_of)
    moved = zgc_young(ws, young, status="迁出")
    cancelled = zgc_young(ws, young, status="注销")
    revoked = zgc_young(ws, young, status="吊销")
    operating = zgc_young(ws, young, status="在业")
    got = {e: (r["status"], r["failed_conditions"]) for e, r in ws.evaluate([pool], as_of).items()}
    assert got[hte_today] == ("fail", ["not_national_hte"])
    assert got[hte_lapsed] == got[delisted] == got[operating] == ("pass", [])
    assert got[listed] == got[dishonest] == ("fail", ["not_listed"])
    assert got[moved] == ("fail", ["registered_in_beijing"])
    assert got[cancelled] == got[revoked] == ("fail", ["not_deregistered"])


def test_pool_is_unknown_when_the_certificate_feed_was_never_delivered(policies: dict[str, Policy]) -> None:
    ws = HteWorkspace()
    e = ws.enterprise(established=date(2025, 3, 1))
    r = ws.evaluate([policies["cultivation-pool"]], date(2026, 3, 1))[e]
    assert (r["status"], r["failed_conditions"]) == ("unknown", [])
    assert set(r["unknown_features"]) == {"has_zgc_hte_innovative", "has_hte_certificate"}


# --- explain agrees with the batch ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    con = synthetic_population(tmp_path_factory, enterprises=200, seed=5, as_of=AS_OF)
    return con


def test_explain_gives_the_batch_status_and_gap_for_every_enterprise_and_policy(
    population: duckdb.DuckDBPyConnection, policies: dict[str, Policy]
) -> None:
    """explain formats gaps from literal values (fast to plan), the batch from columns: same SQL, same text."""
    con = population
    evaluate(con, AS_OF, list(policies.values()))
    rows = con.execute(
        "SELECT uscc, policy_id, status, failed_conditions, binding_condition, binding_gap, benefit_amount "
        "FROM results_with_gap ORDER BY ALL"
    ).fetchall()
    assert {r[2] for r in rows} >= {"pass", "fail", "unknown"}
    gaps = 0
    for uscc, pid, status, failed, binding, gap, amount in rows[::2]:  # every other row: half the time
        got = explain(con, uscc, pid, AS_OF, list(policies.values()))
        assert (got["status"], got["binding_condition"], got["binding_gap"], got["benefit_amount"]) == (
            status, binding, gap, amount,
        ), (uscc, pid)  # fmt: skip
        assert [c["id"] for c in got["conditions"] if c["outcome"] == "fail"] == failed
        gaps += gap is not None
    assert gaps > 200


# --- 报备即批准 pilot scope (programmes.md §8.1 row 7.7; 京科高发〔2022〕117号) ---------------------------------

PILOT_AS_OF = date(2026, 6, 30)


def pilot_company(
    ws: HteWorkspace,
    *,
    industry: str = "3973",
    sales: Any = 2000,
    domestic: Any = 50,
    established: date = date(2020, 1, 1),
    status: str = "存续",
) -> str:
    """Three years of R&D of 100 with ``domestic`` of it in China, and ``sales`` in the last year (2025)."""
    e = ws.enterprise(established=established, status=status, industry=industry)
    for fy in (2023, 2024, 2025):
        ws.finance(e, fy, sales)
        ws.rd(e, fy, 100, domestic=domestic)
    return e


def test_pilot_is_in_force_from_the_2022_notice_only(policies: dict[str, Policy]) -> None:
    pilot = policies["hte-filing-pilot"]
    assert pilot.version_at(date(2022, 5, 18)) is None  # the 2021 plan's own scope was not seen: closed
    version = pilot.version_at(date(2022, 5, 19))
    assert version is not None and version.id == "2022"
    params = version.parameters
    assert params["rd_domestic_share_min"].value == Decimal("0.5") and not params["rd_domestic_share_min"].unconfirmed
    assert [c.id for c in version.conditions if c.kind == "attested"] == ["pilot_area"]


def test_pilot_scope_at_its_boundaries(policies: dict[str, Policy]) -> None:
    pilot = policies["hte-filing-pilot"]
    ws = HteWorkspace()
    half = pilot_company(ws)  # 50% in China: the pilot's floor, inclusive (the certification's 60% fails it)
    below = pilot_company(ws, domestic=Decimal("49.99"))
    one_year = pilot_company(ws, established=date(2025, 6, 30))  # first anniversary on the as-of date
    day_short = pilot_company(ws, established=date(2025, 7, 1))
    ind_line = pilot_company(ws, industry="3973", sales=2000)  # 规模以上工业 ≥ 2,000万元
    ind_under = pilot_company(ws, industry="3973", sales=Decimal("1999.99"))
    soft_line = pilot_company(ws, industry="6520", sales=2000)  # section I ≥ 2,000万元
    soft_under = pilot_company(ws, industry="6520", sales=Decimal("1999.99"))
    rd_line = pilot_company(ws, industry="7320", sales=1000)  # section M ≥ 1,000万元
    rd_under = pilot_company(ws, industry="7320", sales=Decimal("999.99"))
    trade = pilot_company(ws, industry="5171", sales=50000)  # wholesale: not 生产研发类 whatever its size
    moved = pilot_company(ws, status="迁出")
    got = {e: (r["status"], r["failed_conditions"]) for e, r in ws.evaluate([pilot], PILOT_AS_OF).items()}
    passing = ("unknown", [])  # only the attested area is outstanding
    assert got[half] == got[one_year] == got[ind_line] == got[soft_line] == got[rd_line] == passing
    assert got[below] == ("fail", ["rd_domestic_share"])
    assert got[day_short] == ("fail", ["operating_one_year"])
    assert got[ind_under] == got[soft_under] == got[rd_under] == ("fail", ["above_scale"])
    assert got[trade] == ("fail", ["production_rd_sector"])
    assert got[moved] == ("fail", ["registered_in_beijing"])
    # the certification's own rule fails the enterprise the pilot accepts: the pilot's condition decides it there
    hte = ws.evaluate([policies["hte-certification"]], PILOT_AS_OF)
    assert "rd_domestic_share" in hte[half]["failed_conditions"]


# --- 小升规 and 规升强 lists (programmes.md §3, §4; test vectors X1–X6) -------------------------------------


def sized(ws: HteWorkspace, *, industry: str, staff: Any, sales: Any, assets: Any = 1000, hte: bool = True) -> str:
    """An HTE with ``staff`` and ``sales`` (and ``assets``) in the last fiscal year (2025) and a year before."""
    e = ws.enterprise(industry=industry)
    for fy in (2024, 2025):
        ws.finance(e, fy, sales, assets=assets)
        ws.rd(e, fy, 10, staff=staff)
    if hte:
        ws.certificate(e, "hte", date(2024, 12, 1), date(2027, 11, 30))
    return e


def statuses(ws: HteWorkspace, policy: Policy, as_of: date = PILOT_AS_OF) -> dict[str, tuple[str, list[str]]]:
    return {e: (r["status"], r["failed_conditions"]) for e, r in ws.evaluate([policy], as_of).items()}


@pytest.mark.parametrize(
    ("vector", "industry", "staff", "sales", "xsg", "gsq"),
    [
        ("X1", "6510", 120, 1500, "pass", "fail"),  # software SME below the 2,000 line
        ("X2", "6510", 350, 12000, "fail", "pass"),  # not an SME: staff ≥ 300 and revenue ≥ 10,000
        ("X3", "6510", 350, 9000, "fail", "fail"),  # an above-scale SME: on neither list
        ("X4", "3973", 900, 45000, "fail", "fail"),  # industry SME by staff (< 1,000) though revenue is large
        ("X6", "7320", 80, 900, "pass", "fail"),  # research services below the 1,000 line
    ],
)
def test_size_vectors(
    policies: dict[str, Policy], vector: str, industry: str, staff: int, sales: int, xsg: str, gsq: str
) -> None:
    ws = HteWorkspace()
    e = sized(ws, industry=industry, staff=staff, sales=sales)
    assert statuses(ws, policies["small-to-above-scale"])[e][0] == xsg, vector
    assert statuses(ws, policies["above-scale-to-strong"])[e][0] == gsq, vector


def test_x5_the_uniform_revenue_cap_puts_a_large_industry_sme_on_the_strong_list(policies: dict[str, Policy]) -> None:
    strong = policies["above-scale-to-strong"]
    uniform = dataclasses.replace(
        strong, versions=tuple(with_parameters(v, {"uniform_revenue_cap": "true"}) for v in strong.versions)
    )
    ws = HteWorkspace()
    x4 = sized(ws, industry="3973", staff=900, sales=45000)
    at_cap = sized(ws, industry="3973", staff=10, sales=20000)
    under_cap = sized(ws, industry="3973", staff=10, sales=Decimal("19999.99"))
    got = statuses(ws, uniform)
    assert got[x4] == got[at_cap] == ("pass", [])
    assert got[under_cap] == ("fail", ["above_upper_cap"])


@pytest.mark.parametrize(
    ("industry", "line"),
    [("3973", 2000), ("5171", 2000), ("5271", 500), ("6110", 200), ("6510", 2000), ("7320", 1000), ("8010", 500)],
)
def test_small_to_above_scale_one_yuan_each_side_of_the_line(
    policies: dict[str, Policy], industry: str, line: int
) -> None:
    ws = HteWorkspace()
    below = sized(ws, industry=industry, staff=50, sales=Decimal(line) - Decimal("0.0001"))  # one yuan below
    at = sized(ws, industry=industry, staff=50, sales=line)
    not_hte = sized(ws, industry=industry, staff=50, sales=Decimal(line) - 1, hte=False)
    got = statuses(ws, policies["small-to-above-scale"])
    assert got[below] == ("pass", []), industry
    assert got[at] == ("fail", ["below_scale_line"]), industry
    assert got[not_hte] == ("fail", ["valid_hte"]), industry


def test_small_to_above_scale_leaves_sectors_without_a_revenue_line_out(policies: dict[str, Policy]) -> None:
    ws = HteWorkspace()
    construction = sized(ws, industry="4710", staff=50, sales=100)
    got = statuses(ws, policies["small-to-above-scale"])
    assert got[construction] == ("fail", ["revenue_threshold_sector"])


@pytest.mark.parametrize(
    ("industry", "staff", "revenue", "assets"),
    [
        ("3973", 1000, 40000, 1000),  # industry
        ("6510", 300, 10000, 1000),  # software and IT services
        ("6311", 2000, 100000, 1000),  # information transmission
        ("5171", 200, 40000, 1000),  # wholesale
        ("5271", 300, 20000, 1000),  # retail
        ("6110", 300, 10000, 1000),  # hospitality
        ("7211", 300, 1, 120000),  # leasing and business services: staff and assets
        ("4710", 1, 80000, 80000),  # construction: revenue and assets
        ("7320", 300, 1, 1000),  # other (scientific research and technical services): staff only
    ],
)
def test_above_scale_to_strong_at_each_sme_bound(
    policies: dict[str, Policy], industry: str, staff: int, revenue: int, assets: int
) -> None:
    """The SME bounds are exclusive (an SME is below one of them): at both bounds the HTE is above the cap; one
    unit below either, it is still an SME."""
    ws = HteWorkspace()
    at = sized(ws, industry=industry, staff=staff, sales=revenue, assets=assets)
    staff_under = sized(ws, industry=industry, staff=staff - 1, sales=revenue, assets=assets) if staff > 1 else None
    money_under = sized(
        ws,
        industry=industry,
        staff=staff,
        sales=revenue - 1 if revenue > 1 else revenue,
        assets=assets - 1 if revenue == 1 or industry == "4710" else assets,
    )
    got = statuses(ws, policies["above-scale-to-strong"])
    assert got[at] == ("pass", []), industry
    if staff_under is not None:
        assert got[staff_under] == ("fail", ["above_upper_cap"]), industry
    if industry != "7320":
        assert got[money_under] == ("fail", ["above_upper_cap"]), industry
