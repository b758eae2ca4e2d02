"""The pages and the API: the 申请 button where the enterprise qualifies or nearly does (a policy's page, 我的企业,
我的政策申请), the application page with its self-check by htmx, the officials' queue with its filters and Excel,
and the API's list, detail and submission (a failing self-check answers 400 with the reason)."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from gaoqi.web.enterprises.models import Enterprise, PolicyResult
from gaoqi.web.intake.selectors import current_snapshot
from gaoqi.web.quickapply import services
from gaoqi.web.quickapply import workflow as wf
from gaoqi.web.quickapply.models import PolicyApplication
from tests.web.conftest import login
from tests.web.quickapply.conftest import CITY_POLICY, DISTRICT_POLICY

pytestmark = pytest.mark.django_db


def _result(user: Any, policy_id: str, status: str, failed: int = 0) -> None:
    ent = Enterprise.objects.get(uscc=user.uscc)
    PolicyResult.objects.update_or_create(
        snapshot=current_snapshot(), enterprise=ent, policy_id=policy_id,
        defaults={"policy_version": "2026", "status": status, "failed_count": failed, "benefit_amount": 5},
    )  # fmt: skip


def test_the_apply_button_shows_where_the_enterprise_qualifies_or_nearly(people: dict[str, Any]) -> None:
    user = people["ent"]
    client = login(user)
    _result(user, DISTRICT_POLICY, "pass")
    _result(user, CITY_POLICY, "fail", failed=3)  # far from it: no button
    page = client.get(f"/policies/{DISTRICT_POLICY}/").content.decode()
    assert f'action="/quick-apply/policy/{DISTRICT_POLICY}/start/"' in page
    assert "/quick-apply/policy/" not in client.get(f"/policies/{CITY_POLICY}/").content.decode()
    mine = client.get("/quick-apply/").content.decode()
    assert "测试区级研发奖励" in mine and "测试市级研发补贴" not in mine
    _result(user, CITY_POLICY, "fail", failed=1)  # a near miss: offered, the self-check will say why
    assert "申请（差一项，请先自评）" in client.get(f"/policies/{CITY_POLICY}/").content.decode()
    assert f"/quick-apply/policy/{CITY_POLICY}/start/" in client.get("/enterprises/mine/").content.decode()
    # officials see no button; a policy with its own procedure shows none
    assert (
        "/quick-apply/policy/" not in login(people["municipal"]).get(f"/policies/{DISTRICT_POLICY}/").content.decode()
    )
    _result(user, "tech-sme", "pass")
    assert "/quick-apply/policy/tech-sme/" not in client.get("/quick-apply/").content.decode()
    # once started, the button leads to the application
    r = client.post(f"/quick-apply/policy/{DISTRICT_POLICY}/start/")
    app = PolicyApplication.objects.get()
    assert r["Location"] == f"/quick-apply/{app.pk}/"
    assert f'href="/quick-apply/{app.pk}/"' in client.get(f"/policies/{DISTRICT_POLICY}/").content.decode()


def test_application_page_self_check_by_htmx_and_submission(people: dict[str, Any]) -> None:
    user = people["ent"]
    client = login(user)
    app = services.application_start(user, DISTRICT_POLICY)
    page = client.get(f"/quick-apply/{app.pk}/").content.decode()
    assert "共享数据（锁定）" in page and "本企业承诺：近三年无重大违法违规行为（测试文件（2026）1号 第四条）" in page
    assert "海淀区主管部门" in page
    r = client.post(f"/quick-apply/{app.pk}/selfcheck/", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "自评未通过" in r.content.decode() and "需要企业作出承诺" in r.content.decode()
    client.post(f"/quick-apply/{app.pk}/declare/", {"conditions": ["no_violation"]})
    r = client.post(f"/quick-apply/{app.pk}/selfcheck/", headers={"HX-Request": "true"})
    assert "自评通过" in r.content.decode()
    client.post(f"/quick-apply/{app.pk}/act/", {"action": "submit", "seen": "draft"})
    assert PolicyApplication.objects.get(pk=app.pk).status == wf.SUBMITTED
    # the official sees the moves it may make; the enterprise no longer edits
    official = login(people["haidian"]).get(f"/quick-apply/{app.pk}/").content.decode()
    assert "批准" in official and "退回补正" in official and "办理记录" in official
    assert login(people["municipal"]).get(f"/quick-apply/{app.pk}/").content.decode().count('name="action"') == 0
    r = login(people["haidian"]).post(f"/quick-apply/{app.pk}/act/", {"action": "approve", "seen": "submitted"})
    assert r.status_code == 302 and PolicyApplication.objects.get(pk=app.pk).status == wf.APPROVED


def test_queue_filters_and_export(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    for key, policy in (("ent", DISTRICT_POLICY), ("ent_other", CITY_POLICY)):
        user = people[key]
        app = services.application_start(user, policy)
        services.application_declare(user, app, ["no_violation" if policy == DISTRICT_POLICY else "equipment_invoices"])
        services.application_transition(user, PolicyApplication.objects.get(pk=app.pk), "submit")
    muni = login(people["municipal"])
    page = muni.get("/quick-apply/queue/").content.decode()
    assert "测试区级研发奖励" in page and "测试市级研发补贴" in page
    mine = muni.get("/quick-apply/queue/?mine=1").content.decode()
    assert "测试市级研发补贴" in mine and "测试区级研发奖励</td>" not in mine
    only = muni.get(f"/quick-apply/queue/?policy={DISTRICT_POLICY}").content.decode()
    assert "测试市级研发补贴</td>" not in only
    assert "没有符合条件的申请" in muni.get("/quick-apply/queue/?overdue=1").content.decode()
    clock["day"] = dt.date(2026, 12, 31)  # 60 working days from 1 July have passed
    assert muni.get("/quick-apply/queue/?overdue=1").content.decode().count('<strong class="bad">已超期') == 2
    r = muni.get("/quick-apply/queue/export/?overdue=1")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    rows = list(load_workbook(BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "统一社会信用代码", "企业名称") and len(rows) == 3
    assert {row[12] for row in rows[1:]} == {"是"}  # 是否超期
    assert {row[7] for row in rows[1:]} == {"海淀区主管部门", "市级主管部门"}


def test_api_list_detail_and_submit(people: dict[str, Any]) -> None:
    user = people["ent_nosales"]
    app = services.application_start(user, DISTRICT_POLICY)
    services.application_declare(user, app, ["no_violation"])
    client = login(user)
    listed = client.get("/api/quick-apply/applications").json()
    assert listed["count"] == 1 and listed["items"][0]["status_label"] == "草稿"
    detail = client.get(f"/api/quick-apply/applications/{app.pk}").json()
    assert {v["feature"] for v in detail["values"]} == {"district_code", "sales_revenue_last_year"}
    assert detail["declarations"] == ["no_violation"] and detail["history"][0]["target"] == "draft"
    # a failing self-check: 400 with the reason, still a draft
    r = client.post(f"/api/quick-apply/applications/{app.pk}/submit")
    assert r.status_code == 400, r.content
    assert "上年度有销售收入" in r.json()["error"]["message"]
    assert PolicyApplication.objects.get(pk=app.pk).status == wf.DRAFT
    # a passing one is submitted
    good = people["ent"]
    ok = services.application_start(good, DISTRICT_POLICY)
    services.application_declare(good, ok, ["no_violation"])
    c2 = login(good)
    r = c2.post(f"/api/quick-apply/applications/{ok.pk}/submit")
    assert r.status_code == 200 and r.json()["status"] == "submitted" and r.json()["decision_due"]
    assert c2.post(f"/api/quick-apply/applications/{ok.pk}/submit").status_code == 409
