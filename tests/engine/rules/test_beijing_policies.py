"""The policies added for issue 14 (HTE income-tax rate, loss carry-forward, Dongcheng's ZGC-HTE R&D reward) at
their boundaries: one unit below, at and above each threshold, inclusive and exclusive ends as the texts say, and
the versions' dates of effect.

Profiles are written directly (``Profiles``: every feature a column, unset ones NULL) where the rule is the subject;
the certificate-date windows go through the feeds (``HteWorkspace``) so the profile's validity reading is covered
too. As-of 2026-06-30 (last fiscal year FY2025). Money in 万元: one yuan is 0.0001万元.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gaoqi.engine.rules import Policy, explain, load_policies
from tests.engine.rules.support import POLICIES_DIR, PROFILES_AS_OF, HteWorkspace, Profiles

D = Decimal
YUAN = D("0.0001")


@pytest.fixture(scope="module")
def policies() -> dict[str, Policy]:
    return {p.id: p for p in load_policies(POLICIES_DIR)}


def outcome(r: dict[str, Any]) -> tuple[Any, ...]:
    return r["status"], r["failed_conditions"], r["benefit_amount"]


@pytest.mark.parametrize(
    ("policy_id", "first_day", "version"),
    [
        ("hte-income-tax-rate", date(2008, 1, 1), "2008"),
        ("hte-loss-carryforward", date(2018, 1, 1), "2018"),
        ("dongcheng-zgc-hte-rd-reward", date(2022, 8, 2), "2022"),
    ],
)
def test_each_policy_is_in_force_from_its_first_day_only(
    policies: dict[str, Policy], policy_id: str, first_day: date, version: str
) -> None:
    pol = policies[policy_id]
    assert pol.version_at(date.fromordinal(first_day.toordinal() - 1)) is None
    got = pol.version_at(first_day)
    assert got is not None and got.id == version
    today = pol.version_at(PROFILES_AS_OF)
    assert today is not None and today.id == version  # still open-ended at the platform's dates


# --- 企业所得税法 第二十八条: 15% for a certified HTE ---------------------------------------------------------


def test_income_tax_rate_follows_the_certificate(policies: dict[str, Policy]) -> None:
    pol = policies["hte-income-tax-rate"]
    p = Profiles()
    hte = p.add(has_hte_certificate=True)
    plain = p.add(has_hte_certificate=False)
    unknown = p.add()  # the certificate feed was never delivered: NULL, not false
    got = p.results(pol)
    assert outcome(got[hte]) == ("pass", [], None)  # no amount: the profile holds no taxable income
    assert outcome(got[plain]) == ("fail", ["holds_hte_certificate"], None)
    assert (got[unknown]["status"], got[unknown]["unknown_features"]) == ("unknown", ["has_hte_certificate"])
    params = pol.versions[0].parameters
    assert (params["hte_tax_rate"].value, params["standard_tax_rate"].value) == (D("0.15"), D("0.25"))
    assert not params["hte_tax_rate"].unconfirmed


def test_income_tax_rate_certificate_window_is_inclusive_at_both_ends(policies: dict[str, Policy]) -> None:
    """Issued on the as-of date: valid that day; expiring on the as-of date: still valid; a day later: not."""
    pol, as_of = policies["hte-income-tax-rate"], date(2026, 6, 30)
    ws = HteWorkspace()
    issued_today = ws.enterprise()
    ws.certificate(issued_today, "hte", as_of, date(2029, 6, 29))
    issued_tomorrow = ws.enterprise()
    ws.certificate(issued_tomorrow, "hte", date(2026, 7, 1), date(2029, 6, 30))
    expires_today = ws.enterprise()
    ws.certificate(expires_today, "hte", date(2023, 7, 1), as_of)
    expired_yesterday = ws.enterprise()
    ws.certificate(expired_yesterday, "hte", date(2023, 6, 30), date(2026, 6, 29))
    no_expiry = ws.enterprise()  # no expiry delivered: issue + 3 years − 1 day (32号 第九条) = 2026-06-30
    ws.certificate(no_expiry, "hte", date(2023, 7, 1))
    no_expiry_lapsed = ws.enterprise()  # … = 2026-06-29
    ws.certificate(no_expiry_lapsed, "hte", date(2023, 6, 30))
    tech_sme_only = ws.enterprise()
    ws.certificate(tech_sme_only, "tech_sme", date(2026, 4, 1))
    got = {e: (r["status"], r["failed_conditions"]) for e, r in ws.evaluate([pol], as_of).items()}
    assert got[issued_today] == got[expires_today] == got[no_expiry] == ("pass", [])
    assert got[issued_tomorrow] == got[expired_yesterday] == got[no_expiry_lapsed] == (
        "fail", ["holds_hte_certificate"],
    )  # fmt: skip
    assert got[tech_sme_only] == ("fail", ["holds_hte_certificate"])  # the tech-SME registration is not enough


# --- 财税〔2018〕76号: 10-year loss carry-forward for HTEs and tech-based SMEs ------------------------------


@pytest.mark.parametrize(
    ("hte", "tech_sme", "status", "failed"),
    [
        (True, False, "pass", []),
        (False, True, "pass", []),
        (True, True, "pass", []),
        (False, False, "fail", ["hte_or_tech_sme"]),
        (None, None, "unknown", []),
    ],
)
def test_loss_carryforward_for_either_qualification(
    policies: dict[str, Policy], hte: bool | None, tech_sme: bool | None, status: str, failed: list[str]
) -> None:
    p = Profiles()
    e = p.add(has_hte_certificate=hte, has_tech_sme=tech_sme)
    r = p.results(policies["hte-loss-carryforward"])[e]
    assert (r["status"], r["failed_conditions"], r["benefit_amount"]) == (status, failed, None)


def test_loss_carryforward_reads_the_qualifications_at_the_as_of_date(policies: dict[str, Policy]) -> None:
    pol = policies["hte-loss-carryforward"]
    ws = HteWorkspace()
    registered = ws.enterprise()  # a tech-SME registration valid to 2026-06-30 (inclusive)
    ws.certificate(registered, "tech_sme", date(2025, 5, 1), date(2026, 6, 30))
    got = ws.evaluate([pol], date(2026, 6, 30))[registered]
    assert (got["status"], got["failed_conditions"]) == ("pass", [])
    got = ws.evaluate([pol], date(2026, 7, 1))[registered]
    assert (got["status"], got["failed_conditions"]) == ("fail", ["hte_or_tech_sme"])


# --- 东城区园区支持措施（2022） 第三条: ZGC HTEs by revenue tier and R&D share ------------------------------------

#: A Dongcheng ZGC HTE; revenue and R&D are set per case (last fiscal year, 万元).
ZGC_DC: dict[str, Any] = {"district_code": "110101", "has_zgc_hte": True}


@pytest.mark.parametrize(
    ("revenue", "rd", "status", "failed", "amount"),
    [
        # tier 1: 5亿 (inclusive) to 10亿 (exclusive), R&D ≥ 5%, 5万
        (D(50000) - YUAN, D(5000), "fail", ["revenue_tier"], None),  # one yuan below 5亿
        (D(50000), D(2500), "pass", [], D(5)),  # at 5亿, exactly 5%
        (D(50000), D(2500) - YUAN, "fail", ["rd_share"], None),  # one yuan of R&D short of 5%
        (D(50000) + YUAN, D(5000), "pass", [], D(5)),
        (D(100000) - YUAN, D(5000), "pass", [], D(5)),  # one yuan below 10亿: still tier 1
        (D(100000) - YUAN, D(4999), "fail", ["rd_share"], None),  # 4.999…%: tier 1 needs 5%
        # tier 2: 10亿 (inclusive) to 50亿 (exclusive), R&D ≥ 4%, 10万
        (D(100000), D(4000), "pass", [], D(10)),  # at 10亿, exactly 4%
        (D(100000), D(4000) - YUAN, "fail", ["rd_share"], None),
        (D(100000) + YUAN, D(4001), "pass", [], D(10)),
        (D(500000) - YUAN, D(20000), "pass", [], D(10)),  # one yuan below 50亿
        # the top tier (≥ 50亿) was not read: not encoded, and said so
        (D(500000), D(50000), "fail", ["revenue_below_top_tier"], None),
        (D(500000) + YUAN, D(50000), "fail", ["revenue_below_top_tier"], None),
    ],
)
def test_dongcheng_zgc_reward_tiers_and_rd_shares(
    policies: dict[str, Policy], revenue: Decimal, rd: Decimal, status: str, failed: list[str], amount: Any
) -> None:
    p = Profiles()
    e = p.add(**ZGC_DC, total_revenue_last_year=revenue, rd_expense_last_year=rd)
    assert outcome(p.results(policies["dongcheng-zgc-hte-rd-reward"])[e]) == (status, failed, amount)


def test_dongcheng_zgc_reward_needs_the_district_and_the_zgc_certificate(policies: dict[str, Policy]) -> None:
    pol = policies["dongcheng-zgc-hte-rd-reward"]
    p = Profiles()
    money = {"total_revenue_last_year": D(60000), "rd_expense_last_year": D(6000)}
    ok = p.add(**ZGC_DC, **money)
    haidian = p.add(**{**ZGC_DC, "district_code": "110108"}, **money)
    national_only = p.add(**{**ZGC_DC, "has_zgc_hte": False}, has_hte_certificate=True, **money)
    no_feed = p.add(**{**ZGC_DC, "has_zgc_hte": None}, **money)
    no_rd = p.add(**ZGC_DC, total_revenue_last_year=D(60000))
    got = p.results(pol)
    assert outcome(got[ok]) == ("pass", [], D(5))
    assert outcome(got[haidian]) == ("fail", ["registered_in_dongcheng"], None)
    assert outcome(got[national_only]) == ("fail", ["zgc_hte"], None)  # a national certificate is not the ZGC one
    assert (got[no_feed]["status"], got[no_feed]["unknown_features"]) == ("unknown", ["has_zgc_hte"])
    assert (got[no_rd]["status"], got[no_rd]["unknown_features"]) == ("unknown", ["rd_expense_last_year"])


def test_dongcheng_zgc_reward_gap_names_the_missing_rd(policies: dict[str, Policy]) -> None:
    pol = policies["dongcheng-zgc-hte-rd-reward"]
    p = Profiles()
    short = p.add(**ZGC_DC, total_revenue_last_year=D(80000), rd_expense_last_year=D(3600))  # 4.5% in tier 1
    r = p.results(pol)[short]
    assert (r["status"], r["binding_condition"]) == ("fail", "rd_share")
    # 5% of 8亿 = 4,000万 of R&D: 400万 more
    assert r["binding_gap"].endswith("约需增加研发投入 400万元")
    item = {c["id"]: c for c in explain(p.con, short, pol.id, PROFILES_AS_OF, [pol])["conditions"]}["rd_share"]
    assert (item["outcome"], item["article"]) == ("fail", "东城区园区支持措施（2022） 第三条")


def test_dongcheng_zgc_reward_parameters_are_the_texts(policies: dict[str, Policy]) -> None:
    version = policies["dongcheng-zgc-hte-rd-reward"].versions[0]
    values = {n: p.value for n, p in version.parameters.items()}
    assert values == {
        "district": "110101",
        "tier1_min": D(50000),
        "tier2_min": D(100000),
        "top_tier_min": D(500000),
        "rd_share_tier1": D("0.05"),
        "rd_share_tier2": D("0.04"),
        "reward_tier1": D(5),
        "reward_tier2": D(10),
    }
    assert not any(p.unconfirmed for p in version.parameters.values())
