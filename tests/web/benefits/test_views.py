"""The pages and the API: what each role sees (scoping canaries), the masked account and its audited reveal, the
enterprise's confirm and objection through the forms, the payment list's download and the outcome's upload."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.benefits import services
from gaoqi.web.benefits.models import Benefit
from tests.web.benefits.conftest import at
from tests.web.benefits.test_payments import outcome_file
from tests.web.conftest import login

ACCOUNT = "6222020200001234"


@pytest.fixture()
def confirmed(granted: dict[str, Any]) -> dict[str, Any]:
    services.benefit_confirm(granted["ent"], granted["b_dc"].pk, bank_name="工商银行", account_number=ACCOUNT)
    return granted


def test_the_enterprise_sees_its_own_benefits_only(confirmed: dict[str, Any]) -> None:
    c = login(confirmed["ent"])
    page = c.get("/benefits/mine/").content.decode()
    assert confirmed["b_dc"].record_id in page and confirmed["b_dc2"].record_id not in page
    assert "东城区新认定国家高新技术企业一次性奖励" in page and "默认值，待确认" in page
    assert c.get(f"/benefits/{confirmed['b_dc2'].pk}/").status_code == 404
    detail = c.get(f"/benefits/{confirmed['b_dc'].pk}/").content.decode()
    assert ACCOUNT not in detail and "************1234" in detail  # masked for the enterprise too
    api = c.get("/api/benefits").json()
    assert [i["record_id"] for i in api["items"]] == [confirmed["b_dc"].record_id]
    assert api["items"][0]["account_masked"] == "************1234"


def test_scoping_canaries(confirmed: dict[str, Any]) -> None:
    cy = login(confirmed["chaoyang"])
    assert cy.get(f"/benefits/{confirmed['b_dc'].pk}/").status_code == 404
    assert cy.post(f"/benefits/{confirmed['b_dc'].pk}/reveal/").status_code == 404
    page = cy.get("/benefits/").content.decode()
    assert confirmed["b_cy"].record_id in page and confirmed["b_dc"].record_id not in page
    assert [i["uscc"] for i in cy.get("/api/benefits").json()["items"]] == [confirmed["cy"].uscc]
    assert {t["district_code"] for t in cy.get("/api/benefits/totals").json()} == {"110105"}
    muni = login(confirmed["municipal"]).get("/api/benefits").json()
    assert muni["count"] == 3
    assert login(confirmed["incubator"]).get("/benefits/").status_code == 403


def test_the_reveal_is_for_officials_who_may_and_is_audited(confirmed: dict[str, Any]) -> None:
    pk = confirmed["b_dc"].pk
    ev = login(confirmed["evaluator"])
    assert ACCOUNT not in ev.get(f"/benefits/{pk}/").content.decode()
    assert ev.post(f"/benefits/{pk}/reveal/").status_code == 403
    dc = login(confirmed["dongcheng"])
    detail = dc.get(f"/benefits/{pk}/").content.decode()
    assert ACCOUNT not in detail and "查看完整账号" in detail
    r = dc.post(f"/benefits/{pk}/reveal/", headers={"HX-Request": "true"})
    assert r.status_code == 200 and ACCOUNT in r.content.decode()
    assert r["Cache-Control"].startswith("max-age=0") or "no-store" in r["Cache-Control"]
    (entry,) = AuditEvent.objects.filter(action="benefits.account_reveal", outcome="success")
    assert (entry.target, entry.username, entry.role) == (f"benefit:{pk}", "dc_official", "district")
    assert ACCOUNT not in str(entry.detail)


def test_confirm_and_object_through_the_forms(granted: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    c = login(granted["ent2"])
    pk = granted["b_dc2"].pk
    r = c.post(f"/benefits/{pk}/confirm/", {"bank_name": "建设银行", "account_number": "12ab"})
    assert r.status_code == 302 and Benefit.objects.get(pk=pk).status == "notified"
    assert "银行账号须为8至32位数字" in c.get(f"/benefits/{pk}/").content.decode()
    c.post(
        f"/benefits/{pk}/confirm/", {"bank_name": "建设银行", "account_number": "11001234567890", "seen": "notified"}
    )
    assert Benefit.objects.get(pk=pk).status == "confirmed"
    c.post(f"/benefits/{pk}/object/", {"reason": "已注销", "seen": "confirmed"})
    assert Benefit.objects.get(pk=pk).status == "objected"
    at(monkeypatch, dt.date(2027, 1, 4))
    assert services.benefits_mature()["payable"] == 2  # the two others; the objected one waits
    assert Benefit.objects.get(pk=pk).status == "objected"
    # an official resolves it through the page
    login(granted["dongcheng"]).post(f"/benefits/{pk}/resolve/", {"decision": "cancel", "comment": "企业已注销"})
    assert Benefit.objects.get(pk=pk).status == "cancelled"


def test_the_payment_list_and_the_upload_through_the_pages(
    confirmed: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, dt.date(2026, 12, 22))
    services.benefits_mature()
    dc = login(confirmed["dongcheng"])
    r = dc.get("/benefits/payment-list.xlsx")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    rows = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert rows[0] == services.LIST_HEADER
    assert {row[1] for row in rows[1:]} == {confirmed["dc"].uscc, confirmed["dc2"].uscc}  # not 朝阳's
    assert ACCOUNT in {row[5] for row in rows[1:]}
    data = outcome_file(
        [(confirmed["b_dc"].record_id, 10, "已兑付", "", "PAY-1"), ("MS99999999", 1, "已兑付", "", "X")]
    )
    r = dc.post("/benefits/uploads/", {"file": SimpleUploadedFile("结果.xlsx", data)})
    assert r.status_code == 302
    report = dc.get(r["Location"]).content.decode()
    assert "记录编号不存在或不在您的管辖范围内" in report and "登记 1 行，拒绝 1 行" in report
    up_pk = int(r["Location"].rstrip("/").rsplit("/", 1)[1])
    xl = dc.get(f"/benefits/uploads/{up_pk}/report.xlsx")
    lines = list(load_workbook(io.BytesIO(xl.content)).active.values)
    assert [line[4] for line in lines[1:]] == ["已登记", "已拒绝"]
    again = dc.post("/benefits/uploads/", {"file": SimpleUploadedFile("again.xlsx", data)}, follow=True)
    assert "上传过" in again.content.decode()
    assert Benefit.objects.get(pk=confirmed["b_dc"].pk).status == "paid"
    # 朝阳's official sees neither 东城's upload nor its report
    assert login(confirmed["chaoyang"]).get(f"/benefits/uploads/{up_pk}/").status_code == 404
    totals = login(confirmed["municipal"]).get("/benefits/totals/").content.decode()
    assert "合计 3 条，30 万元" in totals
