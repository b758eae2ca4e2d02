"""The support pages as each role sees them: values shown, scoping canaries (朝阳 gets 404 for 海淀's), the
htmx allocation answering the panel with the refusal, the exports, the API list."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from gaoqi.web.support import services
from tests.web.conftest import login
from tests.web.support.conftest import result

pytestmark = pytest.mark.django_db


@pytest.fixture()
def filled(world: dict[str, Any]) -> dict[str, Any]:
    w = world
    w["rec"] = services.record_create(
        w["haidian"], uscc=w["hd"].uscc, category="financing", kind="credit_product", on="2026-11-20",
        unit="110108.finance", details={"bank": "北京银行"}, amount="500", note="=HYPERLINK(恶意链接)",
    )  # fmt: skip
    w["cy_rec"] = services.record_create(
        w["chaoyang"], uscc=w["cy"].uscc, category="market", kind="first_set", on="2026-11-21",
        unit="m.economy", details={"product": "金丝雀首台套装备"},
    )  # fmt: skip
    w["quota"] = services.quota_set(w["haidian"], district_code="110108", year=2026, quota_type="wrp", total=2)
    services.allocation_create(w["haidian"], w["quota"].pk, uscc=w["hd"].uscc, tier="A", count=1)
    result(w["hd"], "hte-certification")
    return w


def test_the_officials_list_and_the_canary(filled: dict[str, Any]) -> None:
    w = filled
    page = login(w["haidian"]).get("/support/").content.decode()
    assert "海淀支持测试科技有限公司" in page and "专项信贷产品" in page and "500.00" in page
    assert "金丝雀首台套装备" not in page and "朝阳金丝雀" not in page
    muni = login(w["municipal"]).get("/support/?category=market").content.decode()
    assert "朝阳金丝雀测试科技有限公司" in muni and "海淀支持测试科技有限公司" not in muni


def test_the_enterprise_page_scoped(filled: dict[str, Any]) -> None:
    w = filled
    url = f"/support/enterprises/{w['hd'].uscc}/"
    assert login(w["chaoyang"]).get(url).status_code == 404
    assert login(w["ent_cy"]).get(url).status_code == 404
    mine = login(w["ent"]).get("/support/mine/").content.decode()
    assert "工作居住证指标" in mine and "1 个名额" in mine and "专项信贷产品" in mine
    assert "高新技术企业认定" in mine and "hte-certification" not in mine
    assert "记录告知" not in mine  # an enterprise records nothing here
    official = login(w["haidian"]).get(url).content.decode()
    assert "记录告知" in official and "记录享受" in official


def test_an_enterprise_cannot_post_a_record(filled: dict[str, Any]) -> None:
    r = login(filled["ent"]).post("/support/records/new/", {"kind": "financing.credit_product"})
    assert r.status_code == 403


def test_the_record_form_refuses_in_words(filled: dict[str, Any]) -> None:
    w = filled
    data = {"kind": "financing.credit_product", "uscc": w["hd"].uscc, "on": "2026-11-01", "unit": "110108.nosuch",
            "d_bank": "北京银行", "amount": "10"}  # fmt: skip
    r = login(w["haidian"]).post("/support/records/new/", data)
    assert r.status_code == 400 and "不存在或已停用" in r.content.decode()
    r = login(w["chaoyang"]).post("/support/records/new/", {**data, "unit": "m.finance"})
    assert r.status_code == 404
    r = login(w["haidian"]).post("/support/records/new/", {**data, "unit": "110108.finance", "amount": "-1"})
    assert r.status_code == 400 and "不能为负数" in r.content.decode()
    r = login(w["haidian"]).post("/support/records/new/", {**data, "unit": "110108.finance"})
    assert r.status_code == 302


def test_allocation_by_htmx_answers_the_panel(filled: dict[str, Any]) -> None:
    w = filled
    c = login(w["haidian"])
    url = f"/support/quotas/{w['quota'].pk}/allocate/"
    ok = c.post(url, {"uscc": w["hd2"].uscc, "tier": "B", "count": "1"}, headers={"HX-Request": "true"})
    assert ok.status_code == 200 and "剩余 <strong>0</strong>" in ok.content.decode()
    refused = c.post(url, {"uscc": w["hd2"].uscc, "tier": "B", "count": "1"}, headers={"HX-Request": "true"})
    assert refused.status_code == 200 and "名额已用完：剩余 0" in refused.content.decode()
    assert login(w["chaoyang"]).get(f"/support/quotas/{w['quota'].pk}/").status_code == 404
    table = login(w["municipal"]).get("/support/quotas/?year=2026").content.decode()
    assert "海淀区" in table and "默认值" not in table
    detail = c.get(f"/support/quotas/{w['quota'].pk}/").content.decode()
    assert "默认值，待确认" in detail


def test_the_exports_are_scoped_and_neutralised(filled: dict[str, Any]) -> None:
    w = filled
    r = login(w["haidian"]).get("/support/export.xlsx")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3  # header, the credit record, the talent allocation (朝阳's not)
    assert any("'=HYPERLINK" in str(c) for row in rows for c in row)
    r = login(w["municipal"]).get("/support/delivery/export.xlsx")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == w["hd"].uscc and rows[1][4:] == ("否", "否")


def test_the_delivery_page_counts(filled: dict[str, Any]) -> None:
    w = filled
    page = login(w["municipal"]).get("/support/delivery/").content.decode()
    assert "海淀支持测试科技有限公司" in page
    assert login(w["chaoyang"]).get("/support/delivery/").content.decode().count("海淀支持测试科技有限公司") == 0


def test_the_api_list_is_scoped(filled: dict[str, Any]) -> None:
    w = filled
    body = login(w["ent"]).get("/api/support/records").json()
    assert body["count"] == 2 and {i["kind"] for i in body["items"]} == {"credit_product", "wrp"}
    body = login(w["chaoyang"]).get("/api/support/records?category=financing").json()
    assert body["count"] == 0


def test_space_pages_move_the_need(filled: dict[str, Any]) -> None:
    w = filled
    r = login(w["ent"]).post("/support/space/new/", {"area": "300", "district_code": "110108",
                                                      "wanted_from": "2027-01-01", "use": "office"})  # fmt: skip
    assert r.status_code == 302
    pk = int(r["Location"].rstrip("/").rsplit("/", 1)[1])
    r = login(w["haidian"]).post(f"/support/space/{pk}/offer/", {"address": "海淀区上地十街", "area": "300",
                                                                  "unit": "110108.planning", "seen": "open"})  # fmt: skip
    assert r.status_code == 302
    # another enterprise's answer is refused (the page's message: not found), the need unchanged
    r = login(w["ent_cy"]).post(f"/support/space/{pk}/act/", {"action": "accept"}, headers={"HX-Request": "true"})
    assert r.status_code == 404
    from gaoqi.web.support.models import SpaceNeed

    assert SpaceNeed.objects.get(pk=pk).status == "offered"
    login(w["ent"]).post(f"/support/space/{pk}/act/", {"action": "accept", "seen": "offered"})
    page = login(w["haidian"]).get(f"/support/space/{pk}/").content.decode()
    assert "企业已接受" in page and "已落地" in page


def test_the_quota_forms(filled: dict[str, Any]) -> None:
    w = filled
    c = login(w["haidian"])
    # a district official's quota is its own district's, whatever the form says
    r = c.post(
        "/support/quotas/set/", {"district_code": "110105", "year": "2026", "quota_type": "housing", "total": "7"}
    )
    assert r.status_code == 302
    from gaoqi.web.support.models import Quota

    assert Quota.objects.get(quota_type="housing").district_code == "110108"
    r = c.post(f"/support/quotas/{w['quota'].pk}/tier/", {"tier": "A", "cap": "0"}, follow=True)
    assert "上限不能低于该梯度企业已获配给数：已有企业获配 1" in r.content.decode()
    # without htmx the refusal comes back as the page's message
    r = c.post(
        f"/support/quotas/{w['quota'].pk}/allocate/", {"uscc": w["hd2"].uscc, "tier": "A", "count": "5"}, follow=True
    )
    assert "名额不足：剩余 1，本次配给 5" in r.content.decode()
    r = login(w["chaoyang"]).post(f"/support/quotas/{w['quota'].pk}/allocate/", {"uscc": w["hd2"].uscc, "tier": "A",
                                  "count": "1"}, headers={"HX-Request": "true"})  # fmt: skip
    assert r.status_code == 404
