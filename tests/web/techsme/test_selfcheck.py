"""The self-check on the tech-sme policy's own parameters, at its boundaries: staff 500/501, sales and assets
20000 万元 inclusive, the pass mark 60, an S&T personnel score of 0, the R&D indicator the enterprise chose, the
locked shared values and the Art. 8 grounds."""

from __future__ import annotations

from typing import Any

import pytest

from gaoqi.web.core.workflow import WorkflowError
from gaoqi.web.techsme import selfcheck, services
from gaoqi.web.techsme.models import RD_COSTS
from tests.web.techsme.factories import evaluation

pytestmark = pytest.mark.django_db


def check(**kw: Any) -> dict[str, Any]:
    return selfcheck.self_check(evaluation(**kw))


def outcome(result: dict[str, Any], cid: str) -> str:
    return next(c["outcome"] for c in result["conditions"] if c["id"] == cid)


def points(result: dict[str, Any]) -> dict[str, str]:
    return {s["id"]: s["points"] for s in result["scores"]}


def test_a_good_enterprise_passes_with_every_indicator_scored() -> None:
    r = check()
    assert points(r) == {"st_staff": "20", "rd_to_sales": "50", "ip_results": "30"}
    assert (r["total"], r["pass_min"], r["score_passed"], r["blocking"], r["passed"]) == ("100", 60, True, [], True)
    assert outcome(r, "not_restricted") == "declared"


def test_the_pass_mark_is_the_policys_parameter() -> None:
    version = selfcheck.policy().versions[-1]
    assert check()["pass_min"] == int(version.parameters["pass_min"].value) == 60


@pytest.mark.parametrize(("staff", "st", "ok"), [(500, 150, True), (501, 151, False)])
def test_staff_cap_is_inclusive(staff: int, st: int, ok: bool) -> None:
    r = check(values={"staff_count_last_year": staff, "st_staff_count_last_year": st})
    assert outcome(r, "staff_cap") == ("pass" if ok else "fail")
    assert r["passed"] is ok


@pytest.mark.parametrize("name", ["sales_revenue_last_year", "total_assets_last_year"])
@pytest.mark.parametrize(("value", "ok"), [("20000", True), ("20000.01", False)])
def test_sales_and_assets_caps_are_inclusive(name: str, value: str, ok: bool) -> None:
    values = {name: value, "rd_expense_last_year": "1300"}  # R&D ≥ 6% of 20000 either way
    r = check(values=values)
    cid = "sales_cap" if name.startswith("sales") else "assets_cap"
    assert outcome(r, cid) == ("pass" if ok else "fail")
    assert r["passed"] is ok


def test_score_60_passes_and_56_fails() -> None:
    # 20 (30% S&T) + 40 (R&D 5% of sales: band B) + 0 (no IP) = 60
    r = check(values={"rd_expense_last_year": "50", "ip_class1_count": 0})
    assert (r["total"], outcome(r, "score_pass"), r["passed"]) == ("60", "pass", True)
    # 4.99%: band C (30) → 20 + 30 + 6 (one Class II) = 56
    r = check(values={"rd_expense_last_year": "49.9", "ip_class1_count": 0, "ip_class2_count": 1})
    assert (r["total"], outcome(r, "score_pass"), r["passed"]) == ("56", "fail", False)
    assert "综合评价得分 56 分，低于 60 分" in "；".join(r["blocking"])


def test_an_st_personnel_score_of_zero_refuses_even_above_the_pass_mark() -> None:
    # 9.8% S&T staff: 0 points; 0 + 50 + 30 = 80 ≥ 60, still refused (Art. 6(五))
    r = check(values={"st_staff_count_last_year": 49, "staff_count_last_year": 500})
    assert (r["total"], outcome(r, "score_pass"), outcome(r, "st_staff_score_nonzero")) == ("80", "pass", "fail")
    assert r["passed"] is False
    # exactly 10%: band E, 4 points
    r = check(values={"st_staff_count_last_year": 50, "staff_count_last_year": 500})
    assert (points(r)["st_staff"], outcome(r, "st_staff_score_nonzero"), r["passed"]) == ("4", "pass", True)


def test_the_chosen_rd_indicator_counts_not_the_better_one() -> None:
    # R&D 60 of sales 1000 (6%: 50) and of costs 800 (7.5%: 0); choosing (2) gives 20 + 0 + 30 = 50
    r = check(rd_indicator=RD_COSTS)
    assert points(r) == {"st_staff": "20", "rd_to_costs": "0", "ip_results": "30"}
    assert (r["total"], r["passed"]) == ("50", False)


def test_missing_values_are_said_and_block() -> None:
    r = check(values={"total_assets_last_year": None, "ip_class2_count": None})
    assert r["missing"] == ["最近一年资产总额", "Ⅱ类知识产权数"]
    assert r["blocking"][0] == "请填写：最近一年资产总额、Ⅱ类知识产权数"
    # the costs are not needed when the enterprise chose indicator (1)
    assert check(values={"total_costs_last_year": None})["passed"] is True


def test_undeclared_attested_condition_blocks() -> None:
    r = check(declared=False)
    assert outcome(r, "not_restricted") == "needs_declaration" and r["passed"] is False


def test_an_art8_ground_is_declared_for_the_office_and_needs_its_evidence() -> None:
    low = {"rd_expense_last_year": "0", "ip_class1_count": 0}  # 20 points
    assert check(values=low)["passed"] is False
    r = check(values=low, direct_ground="award")
    assert outcome(r, "score_pass") == "direct_declared"
    assert r["blocking"] == ["直接确认：请说明依据（奖励、研发机构或标准的名称与文号）"]
    assert check(values=low, direct_ground="award", direct_evidence="国家科学技术进步奖二等奖（第二完成单位）")[
        "passed"
    ]
    # (1) an HTE certificate is read from the data, not declared
    r = check(values=low, direct_ground="hte")
    assert "直接确认（一）：共享数据中没有贵企业有效期内的高新技术企业证书" in r["blocking"]
    assert check(values=low, direct_ground="hte", profile={"has_hte_certificate": True})["passed"] is True


def test_sourced_values_are_locked_and_the_others_filled_in() -> None:
    ev = evaluation(values={"ip_class2_count": None, "total_costs_last_year": None})
    owner = ev.created_by
    with pytest.raises(WorkflowError, match="已锁定：最近一年职工总数"):
        services.evaluation_fill(owner, ev, values={"staff_count_last_year": "10"}, rd_indicator="sales")
    with pytest.raises(WorkflowError, match="应为整数"):
        services.evaluation_fill(owner, ev, values={"ip_class2_count": "1.5"}, rd_indicator="sales")
    with pytest.raises(WorkflowError, match="不能为负数"):
        services.evaluation_fill(owner, ev, values={"total_costs_last_year": "-1"}, rd_indicator="sales")
    ev = services.evaluation_fill(owner, ev, values={"ip_class2_count": "2", "total_costs_last_year": "900"},
                                  rd_indicator="costs")  # fmt: skip
    assert ev.form == {"ip_class2_count": "2", "total_costs_last_year": "900"} and ev.rd_indicator == "costs"
    assert selfcheck.value_of(ev, "staff_count_last_year") == 100  # the shared value


@pytest.mark.parametrize(
    ("st_staff", "class2", "total", "ok"),
    [(15, 0, "58", False), (10, 1, "60", True)],  # every band's points are even: 58 is the highest total below 60
)
def test_the_pass_mark_at_its_edge(st_staff: int, class2: int, total: str, ok: bool) -> None:
    # staff 100: 15 S&T → band D (8), 10 → band E (4); R&D 6% of sales (50); no Class I, Class II as given
    r = check(values={"st_staff_count_last_year": st_staff, "ip_class1_count": 0, "ip_class2_count": class2})
    assert (r["total"], outcome(r, "score_pass"), r["passed"]) == (total, "pass" if ok else "fail", ok)
