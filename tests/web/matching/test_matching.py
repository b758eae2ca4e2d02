"""供需对接 on real rows: the office's confirmation of products and its refusals, a demand's ranked matches with
their reasons, the match lifecycle and the KPIs, 对接会 sign-ups and outcomes, and the scoping canaries (朝阳 never
sees 海淀's rows; an enterprise sees its own products and the matches naming it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from gaoqi.web.core.errors import Conflict, DomainError, Forbidden, NotFound
from gaoqi.web.core.workflow import RoleRefused, StatusRefused, WorkflowError
from gaoqi.web.matching import selectors
from gaoqi.web.matching import services as sv
from gaoqi.web.matching.models import Match, SupplyItem
from tests.web.conftest import CHAOYANG, HAIDIAN, login
from tests.web.matching.conftest import TODAY, demand, product

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------------------
# products: registered by the enterprise, confirmed by the office


def test_a_product_waits_for_the_office_and_the_enterprise_cannot_confirm_its_own(world: dict[str, Any]) -> None:
    s = product(world["hd_user"], None, title="第二款终端")
    assert s.status == "submitted" and s.enterprise == world["hd"] and s.district_code == HAIDIAN
    assert "计算机视觉" in s.terms
    with pytest.raises(RoleRefused, match="您的角色不能执行“确认”"):
        sv.product_move(world["hd_user"], s.pk, "confirm")
    with pytest.raises(RoleRefused):
        sv.product_move(world["haidian"], s.pk, "confirm")  # the municipal office confirms, not a district
    with pytest.raises(WorkflowError, match="需要填写意见"):
        sv.product_move(world["municipal"], s.pk, "return")
    returned = sv.product_move(world["municipal"], s.pk, "return", comment="简介过于简略")
    assert returned.status == "returned"
    with pytest.raises(NotFound):
        sv.product_move(world["cy_user"], s.pk, "resubmit")  # another enterprise's product does not exist for it
    assert sv.product_move(world["hd_user"], s.pk, "resubmit").status == "submitted"
    assert sv.product_move(world["municipal"], s.pk, "confirm").status == "confirmed"
    with pytest.raises(StatusRefused):
        sv.product_move(world["municipal"], s.pk, "confirm")


def test_registering_for_another_enterprise_or_without_an_enterprise_account_is_refused(world: dict[str, Any]) -> None:
    with pytest.raises(Forbidden, match="不能为其他企业登记产品"):
        product(world["hd_user"], None, uscc=world["cy"].uscc)
    with pytest.raises(Forbidden, match="只有企业用户"):
        product(world["municipal"], None)
    with pytest.raises(DomainError, match="技术领域"):
        product(world["hd_user"], None, field="quantum")
    with pytest.raises(DomainError, match="参考价格不能为负数"):
        product(world["hd_user"], None, price="-1")
    with pytest.raises(DomainError, match="请同时填写有效期"):
        product(world["hd_user"], None, san_certificate="XJS-2026-001")
    # the page: the form posts the enterprise's own USCC only; another one typed in is refused
    c = login(world["hd_user"])
    r = c.post(reverse("matching:product_new"), {"title": "", "field": "electronic_information", "description": "x"})
    assert r.status_code == 400 and "请填写产品名称" in r.content.decode()


# ------------------------------------------------------------------------------------------------------
# demands and matches


def test_a_demand_ranks_the_confirmed_products_with_their_reasons(world: dict[str, Any]) -> None:
    unconfirmed = product(world["cy_user"], None, title="朝阳视觉终端")  # submitted only: never proposed
    far = product(world["cy_user"], world["municipal"], title="朝阳视觉终端二代", price="500")
    d = world["hd_demand"]
    assert sv.demand_match(world["haidian"], d.pk) == 2
    ms = list(Match.objects.filter(demand=d).order_by("rank"))
    assert [m.supply for m in ms] == [world["hd_product"], far]
    top = ms[0]
    assert top.parts["field"] == 40 and top.parts["location"] == 10 and top.parts["budget"] == 10
    assert top.parts["credit"] == 0  # no credit data yet: the part gives nothing (weights.yaml)
    assert 0 < top.parts["keywords"] <= 30
    assert top.score == Decimal(str(round(sum(top.parts.values()), 2)))
    kinds = {r["kind"]: r for r in top.reasons}
    assert set(kinds["shared_terms"]["terms"]) == {"路口", "计算机视觉", "目标检测", "边缘计算"}
    assert kinds["field"]["field"] == "electronic_information"
    assert kinds["location"]["district"] == HAIDIAN
    assert kinds["budget"]["price"] == 120.0 and kinds["budget"]["budget_max"] == 200.0
    second = ms[1]  # 朝阳 and over the budget: neither location nor budget points
    assert second.parts["location"] == 0 and second.parts["budget"] == 0 and second.score < top.score
    assert not Match.objects.filter(supply=unconfirmed).exists()
    assert not Match.objects.filter(demand=d, supply=world["cy_product"]).exists()  # no shared term
    # the page shows the ranking and the reasons in words
    page = login(world["haidian"]).get(reverse("matching:demand_detail", args=[d.pk])).content.decode()
    assert "共同关键词：" in page and "技术领域一致：电子信息（40.0 分）" in page and "同在海淀区" in page
    assert "默认值，待确认" in page


def test_running_again_keeps_pairs_already_contacted_and_adds_no_duplicate(world: dict[str, Any]) -> None:
    d = world["hd_demand"]
    sv.demand_match(world["haidian"], d.pk)
    m = Match.objects.get(demand=d, supply=world["hd_product"])
    sv.match_move(world["haidian"], m.pk, "contact")
    sv.demand_match(world["haidian"], d.pk)
    assert Match.objects.filter(demand=d, supply=world["hd_product"]).count() == 1
    assert Match.objects.get(pk=m.pk).status == "contacted"


def test_the_match_lifecycle_amounts_and_kpis(world: dict[str, Any]) -> None:
    d = world["hd_demand"]
    sv.demand_match(world["municipal"], d.pk)
    m = Match.objects.get(demand=d, supply=world["hd_product"])
    with pytest.raises(StatusRefused):
        sv.match_move(world["haidian"], m.pk, "sign", amount="10")  # not contacted yet
    sv.match_move(world["haidian"], m.pk, "contact")
    with pytest.raises(DomainError, match="请填写合同金额"):
        sv.match_move(world["haidian"], m.pk, "sign")
    with pytest.raises(DomainError, match="合同金额不能为负数"):
        sv.match_move(world["haidian"], m.pk, "sign", amount="-0.01")
    with pytest.raises(RoleRefused):
        sv.match_move(world["hd_user"], m.pk, "sign", amount="10")
    signed = sv.match_move(world["haidian"], m.pk, "sign", amount="0")  # a zero amount is allowed (boundary)
    assert signed.status == "signed" and signed.contract_amount == Decimal("0.00")
    k = selectors.kpis(world["municipal"])
    assert (k.proposed, k.contacted, k.signed, k.signing_rate) == (1, 1, 1, 1.0)
    assert selectors.kpis(world["chaoyang"]).proposed == 0  # 海淀's match is not 朝阳's
    assert selectors.kpis(world["chaoyang"]).signing_rate is None


def test_a_district_publishes_only_in_its_district_and_bad_bands_are_refused(world: dict[str, Any]) -> None:
    with pytest.raises(Forbidden, match="只能发布本区"):
        demand(world["chaoyang"], HAIDIAN)
    with pytest.raises(DomainError, match="预算上限不能低于预算下限"):
        demand(world["haidian"], HAIDIAN, budget_min="100", budget_max="99.99")
    assert demand(world["haidian"], HAIDIAN, budget_min="100", budget_max="100").budget_max == Decimal("100.00")
    with pytest.raises(DomainError, match="截止日期不能早于开始日期"):
        demand(world["haidian"], HAIDIAN, window_end=TODAY.replace(day=6))
    with pytest.raises(Forbidden):
        demand(world["hd_user"], HAIDIAN)


# ------------------------------------------------------------------------------------------------------
# scoping canaries


def test_chaoyang_never_sees_haidian_s_rows(world: dict[str, Any]) -> None:
    cy = world["chaoyang"]
    sv.demand_match(world["haidian"], world["hd_demand"].pk)
    m = Match.objects.get(demand=world["hd_demand"], supply=world["hd_product"])
    assert world["hd_demand"] not in selectors.demands_visible_to(cy)
    assert world["hd_product"] not in selectors.supplies_visible_to(cy)
    assert m not in selectors.matches_visible_to(cy)
    c = login(cy)
    assert c.get(reverse("matching:demand_detail", args=[world["hd_demand"].pk])).status_code == 404
    assert c.get(reverse("matching:product_detail", args=[world["hd_product"].pk])).status_code == 404
    assert c.post(reverse("matching:match_act", args=[m.pk]), {"action": "contact"}).status_code == 404
    with pytest.raises(NotFound):
        sv.demand_match(cy, world["hd_demand"].pk)
    assert Match.objects.get(pk=m.pk).status == "proposed"
    # the municipal office sees both districts
    assert {world["hd_demand"], world["cy_demand"]} <= set(selectors.demands_visible_to(world["municipal"]))


def test_an_enterprise_sees_its_own_products_and_the_matches_naming_it_only(world: dict[str, Any]) -> None:
    sv.demand_match(world["haidian"], world["hd_demand"].pk)
    sv.demand_match(world["chaoyang"], world["cy_demand"].pk)
    hd, cy = world["hd_user"], world["cy_user"]
    assert list(selectors.supplies_visible_to(cy)) == [world["cy_product"]]
    assert {m.supply for m in selectors.matches_visible_to(hd)} == {world["hd_product"]}
    mine = login(hd).get(reverse("matching:mine")).content.decode()
    assert "路口目标检测应用场景" in mine and "朝阳储能应用场景" not in mine
    other = login(cy).get(reverse("matching:mine")).content.decode()
    assert "朝阳储能应用场景" in other and "路口目标检测应用场景" not in other
    # a public demand is readable by any enterprise, but only with the matches naming it
    page = login(cy).get(reverse("matching:demand_detail", args=[world["hd_demand"].pk])).content.decode()
    assert "路口目标检测应用场景" in page and "海淀视觉科技有限公司" not in page
    assert login(cy).get(reverse("matching:product_detail", args=[world["hd_product"].pk])).status_code == 404


# ------------------------------------------------------------------------------------------------------
# 对接会


def test_event_signup_and_outcomes(world: dict[str, Any]) -> None:
    ev = sv.event_create(world["haidian"], title="人工智能场景对接会", on=TODAY, place="中关村", district_code=HAIDIAN,
                         capacity="1", demand_ids=[world["hd_demand"].pk])  # fmt: skip
    with pytest.raises(NotFound):
        sv.event_create(world["haidian"], title="x", on=TODAY, place="y", district_code=HAIDIAN,
                        demand_ids=[world["cy_demand"].pk])  # 朝阳's demand is not 海淀's to invite to  # fmt: skip
    with pytest.raises(DomainError, match="不能早于今天"):
        sv.event_create(world["haidian"], title="x", on=TODAY.replace(day=6), place="y", district_code=HAIDIAN)
    s = sv.event_signup(world["hd_user"], ev.pk)
    with pytest.raises(Conflict, match="已报名"):
        sv.event_signup(world["hd_user"], ev.pk)
    with pytest.raises(Conflict, match="名额已满（1家）"):
        sv.event_signup(world["cy_user"], ev.pk)
    with pytest.raises(DomainError, match="合同金额不能为负数"):
        sv.signup_result(world["haidian"], s.pk, result="contract", amount="-5")
    with pytest.raises(DomainError, match="请填写合同金额"):
        sv.signup_result(world["haidian"], s.pk, result="contract")
    with pytest.raises(DomainError, match="只有签订合同的才填写合同金额"):
        sv.signup_result(world["haidian"], s.pk, result="intention", amount="5")
    with pytest.raises(DomainError, match="请选择对接结果"):
        sv.signup_result(world["haidian"], s.pk, result="maybe")
    with pytest.raises(NotFound):
        sv.signup_result(world["chaoyang"], s.pk, result="intention")
    with pytest.raises(Forbidden):
        sv.signup_result(world["hd_user"], s.pk, result="intention")
    done = sv.signup_result(world["haidian"], s.pk, result="contract", amount="88.5")
    assert done.result == "contract" and done.amount == Decimal("88.50")
    k = selectors.kpis(world["haidian"])
    assert (k.event_signups, k.event_contracts, k.event_value) == (1, 1, Decimal("88.50"))
    assert selectors.kpis(world["chaoyang"]).event_signups == 0


def test_no_signup_for_a_past_event(world: dict[str, Any]) -> None:
    from gaoqi.web.matching.models import Event

    ev = Event.objects.create(title="往期对接会", on=TODAY.replace(day=1), place="中关村", district_code=CHAOYANG,
                              created_by=world["chaoyang"])  # fmt: skip
    with pytest.raises(Conflict, match="已举办"):
        sv.event_signup(world["cy_user"], ev.pk)


# ------------------------------------------------------------------------------------------------------
# the office's upload of 科技成果


CSV_HEAD = "成果名称,技术领域,持有单位,成果简介,所在区,参考价格（万元）,知识产权编号,技术成熟度\n"


def test_bad_upload_rows_are_refused_with_their_line_and_reason(world: dict[str, Any]) -> None:
    text = CSV_HEAD + "\n".join([
        "高精度目标检测算法,电子信息,北京某大学,基于深度学习的目标检测与计算机视觉算法,海淀区,80,ZL2024100000001,6",
        "量子材料,量子科技,北京某大学,一种新材料,海淀区,,,",          # line 3: unknown field
        "储能电池,新能源与节能,某研究院,钠离子电池储能,火星区,,,",       # line 4: not a district
        "光伏组件,新能源与节能,某研究院,钙钛矿光伏组件,朝阳区,-3,,",     # line 5: negative price
        "氢能装置,新能源与节能,某研究院,电解水制氢,朝阳区,,,12",         # line 6: TRL outside 1–9
        ",电子信息,北京某大学,缺名称,海淀区,,,",                         # line 7: no title
        "高精度目标检测算法,electronic_information,北京某大学,重复一行,海淀区,,,",  # line 8: the same result twice
    ]) + "\n"  # fmt: skip
    out = sv.results_upload(world["municipal"], text.encode("gb18030"))
    assert out.imported == 1
    reasons = dict(out.refused)
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8]
    assert "量子科技" in reasons[3] and "八个高新技术领域" in reasons[3]
    assert "火星区" in reasons[4]
    assert "不能为负数" in reasons[5]
    assert "1 至 9" in reasons[6]
    assert "请填写成果名称" in reasons[7]
    assert "已导入过" in reasons[8]
    r = SupplyItem.objects.get(kind="result")
    assert (r.status, r.field, r.district_code, r.trl, r.price) == (
        "confirmed",
        "electronic_information",
        HAIDIAN,
        6,
        Decimal("80.00"),
    )
    # the result takes part in matching at once
    sv.demand_match(world["haidian"], world["hd_demand"].pk)
    assert Match.objects.filter(demand=world["hd_demand"], supply=r).exists()


def test_an_upload_without_the_required_columns_or_from_a_district_is_refused_whole(world: dict[str, Any]) -> None:
    with pytest.raises(DomainError, match="缺少必需的列：持有单位"):
        sv.results_upload(world["municipal"], "成果名称,技术领域,成果简介,所在区\n甲,电子信息,乙,海淀区\n".encode())
    with pytest.raises(Forbidden):
        sv.results_upload(world["haidian"], CSV_HEAD.encode())
    with pytest.raises(DomainError, match="不是有效的 Excel"):
        sv.results_upload(world["municipal"], b"PK\x03\x04broken")
    assert not SupplyItem.objects.filter(kind="result").exists()


def test_an_xlsx_upload_is_read_by_content(world: dict[str, Any]) -> None:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(CSV_HEAD.strip().split(","))
    ws.append(["边缘计算网关", "电子信息", "某研究院", "工业互联网边缘计算网关", "海淀区", 30, "", 7])
    ws.append(["坏行", "电子信息", "某研究院", "说明", "海淀区", "三十", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    out = sv.results_upload(world["municipal"], buf.getvalue())
    assert out.imported == 1 and [line for line, _ in out.refused] == [3]
    assert "参考价格须为数字" in out.refused[0][1]
    page = login(world["municipal"]).get(reverse("matching:results_upload"))
    assert page.status_code == 200


# ------------------------------------------------------------------------------------------------------
# the API and a race


def test_the_api_lists_the_matches_each_caller_may_see(world: dict[str, Any]) -> None:
    sv.demand_match(world["haidian"], world["hd_demand"].pk)
    sv.demand_match(world["chaoyang"], world["cy_demand"].pk)
    muni = login(world["municipal"]).get("/api/matching/matches").json()
    assert muni["count"] == 2
    hd = login(world["hd_user"]).get("/api/matching/matches").json()
    assert [i["uscc"] for i in hd["items"]] == [world["hd"].uscc]
    item = hd["items"][0]
    assert item["rank"] == 1 and item["parts"]["field"] == 40.0 and item["reasons"][0]["kind"] == "shared_terms"
    assert login(world["chaoyang"]).get(f"/api/matching/matches?demand_id={world['hd_demand'].pk}").json()["count"] == 0
    assert login(world["municipal"]).get("/api/matching/matches?page_size=0").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_two_enterprises_racing_for_the_last_place_one_wins() -> None:
    from tests.web import factories
    from tests.web.conftest import race

    hd = factories.enterprise(name="海淀甲科技有限公司", district_code=HAIDIAN)
    hd2 = factories.enterprise(name="海淀乙科技有限公司", district_code=HAIDIAN)
    a = factories.user("enterprise", "race_a", uscc=hd.uscc)
    b = factories.user("enterprise", "race_b", uscc=hd2.uscc)
    official = factories.user("district", "race_hd", district_code=HAIDIAN)
    ev = sv.event_create(official, title="最后一个名额", on=TODAY, place="中关村", district_code=HAIDIAN, capacity="1")
    out = race(lambda: sv.event_signup(a, ev.pk), lambda: sv.event_signup(b, ev.pk))
    assert sorted(kind for kind, _ in out) == ["error", "ok"]
    error = next(v for kind, v in out if kind == "error")
    assert isinstance(error, Conflict) and "名额已满" in error.message
    from gaoqi.web.matching.models import EventSignup

    assert EventSignup.objects.filter(event=ev).count() == 1


def test_the_background_job_matches_every_published_demand(world: dict[str, Any]) -> None:
    from gaoqi.web.matching.tasks import run_match_all

    sv.demand_move(world["chaoyang"], world["cy_demand"].pk, "withdraw", comment="需求已取消")
    assert sv.match_all(None) == 1  # the withdrawn demand is not matched
    assert set(Match.objects.values_list("demand_id", "supply_id")) == {(world["hd_demand"].pk, world["hd_product"].pk)}
    with pytest.raises(Forbidden):
        sv.match_all(world["haidian"])
    assert run_match_all.func() == 1  # the task calls the same service (idempotent: the proposal is replaced)
    assert Match.objects.count() == 1
