"""The pages: 一公开 without login (the draw's seed, hash, counts, the enterprises' names and USCCs, inspectors'
names, results; never a phone or an ID number), the officials' plan, cases scoped (a 海淀 official never sees the
朝阳 canary), the enterprise its own case, the Excel export, the API, the inspector pool."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client

from gaoqi.web.spotchecks import services
from gaoqi.web.spotchecks.models import Case, Draw, Inspector
from tests.web.conftest import CHAOYANG, HAIDIAN, login
from tests.web.spotchecks.conftest import CANARY, SEED, draw

PHONE = re.compile(r"1[3-9]\d{9}")
ID_NUMBER = re.compile(r"\d{17}[\dX]")


@pytest.mark.django_db
def test_the_public_pages_show_the_draw_and_no_personal_data(world: dict[str, Any]) -> None:
    d = draw(world)
    case = Case.objects.filter(draw=d).first()
    services.case_move(world["municipal"], case.pk, "start")
    services.case_move(world["municipal"], case.pk, "pass")
    anon = Client()
    index = anon.get("/spot-checks/public/")
    assert index.status_code == 200
    page = anon.get(f"/spot-checks/public/{d.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert SEED in html and d.population_hash in html and "44 户" in html
    for c in Case.objects.filter(draw=d).prefetch_related("assignments__inspector"):
        assert c.enterprise_name in html and c.uscc in html
        for a in c.assignments.all():
            assert a.inspector.name in html
    assert "检查合格" in html
    # per district: 海淀 3 (2 + 1), 朝阳 1
    assert re.search(r"海淀区</td><td>3</td>", html) and re.search(r"朝阳区</td><td>1</td>", html)
    # the seed, the hash and the USCCs are published digits; nothing else may look like a phone or an ID number
    text = re.sub(r"[0-9A-Z]{18}", "", html.replace(d.seed, "").replace(d.population_hash, ""))
    assert not PHONE.search(text) and not ID_NUMBER.search(text)
    assert "13800138000" not in html and "110108199001011234" not in html
    assert anon.get("/spot-checks/public/999/").status_code == 404


@pytest.mark.django_db
def test_officials_pages_are_scoped(world: dict[str, Any]) -> None:
    d = draw(world)
    cy_cases = list(Case.objects.filter(draw=d, district_code=CHAOYANG).values_list("pk", flat=True))
    hd = login(world["hd_official"])
    listing = hd.get("/spot-checks/cases/").content.decode()
    assert CANARY not in listing
    assert hd.get(f"/spot-checks/cases/{cy_cases[0]}/").status_code == 404
    assert hd.get(f"/spot-checks/cases/?district={CHAOYANG}").content.decode().count(CANARY) == 0
    muni = login(world["municipal"]).get("/spot-checks/cases/").content.decode()
    assert CANARY in muni
    cy = login(world["cy_official"]).get("/spot-checks/cases/").content.decode()
    assert CANARY in cy and "海淀测试" not in cy and "海淀二三" not in cy
    # the API: the same scoping
    items = login(world["hd_official"]).get("/api/spot-checks").json()["items"]
    assert items and all(i["district_code"] == HAIDIAN for i in items)
    assert login(world["municipal"]).get("/api/spot-checks").json()["count"] == 4
    # the enterprise: its own case only (or none)
    mine = login(world["ent_cy"]).get("/api/spot-checks").json()["items"]
    assert all(i["uscc"] == world["ent_cy"].uscc for i in mine)


@pytest.mark.django_db
def test_an_inspector_of_another_district_sees_its_cases(world: dict[str, Any]) -> None:
    d = draw(world)
    assigned = Case.objects.filter(draw=d, assignments__inspector__user=world["hd_inspector"])
    html = login(world["hd_inspector"]).get("/spot-checks/cases/?mine=1").content.decode()
    for c in assigned:
        assert c.enterprise_name in html
    assert all(c.district_code != HAIDIAN for c in assigned)


@pytest.mark.django_db
def test_the_excel_export_is_scoped_and_audited(world: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    from gaoqi.web.audit.models import AuditEvent

    draw(world)
    r = login(world["hd_official"]).get("/spot-checks/cases/export.xlsx")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("抽查年度", "序号", "统一社会信用代码", "企业名称", "所属区县")
    assert len(rows) == 1 + 3 and all(row[4] == "海淀区" for row in rows[1:])
    assert AuditEvent.objects.filter(action="spotchecks.export").count() == 1


@pytest.mark.django_db
def test_the_municipal_office_draws_and_verifies_on_the_page(world: dict[str, Any]) -> None:
    c = login(world["municipal"])
    plan = c.get("/spot-checks/").content.decode()
    assert "抽取2026年度抽查对象和检查人员" in plan and "默认值，待确认" in plan and "5%" in plan
    r = c.post("/spot-checks/draw/")
    d = Draw.objects.get(year=2026)
    assert r.status_code == 302 and r["Location"] == f"/spot-checks/draws/{d.pk}/"
    assert len(d.seed) >= 20  # SystemRandom's
    again = c.post("/spot-checks/draw/", follow=True).content.decode()
    assert "2026年度已完成抽取" in again and Draw.objects.count() == 1
    done = login(world["evaluator"]).post(f"/spot-checks/draws/{d.pk}/verify/", follow=True).content.decode()
    assert "复核一致" in done
    assert login(world["hd_official"]).post("/spot-checks/draw/").status_code == 403


@pytest.mark.django_db
def test_the_case_page_records_a_result(world: dict[str, Any]) -> None:
    from gaoqi.web.certification.models import RevocationReferral

    d = draw(world)
    case = Case.objects.filter(draw=d).first()
    c = login(world["municipal"])
    assert "开始检查" in c.get(f"/spot-checks/cases/{case.pk}/").content.decode()
    c.post(f"/spot-checks/cases/{case.pk}/act/", {"action": "start", "seen": "drawn"})
    refused = c.post(f"/spot-checks/cases/{case.pk}/act/", {"action": "fail", "seen": "checking"}, follow=True)
    assert "需要填写意见" in refused.content.decode()
    c.post(f"/spot-checks/cases/{case.pk}/act/", {"action": "fail", "seen": "checking", "comment": "科技人员占比不足"})
    page = c.get(f"/spot-checks/cases/{case.pk}/").content.decode()
    assert (
        "检查不合格" in page
        and "科技人员占比不足" in page
        and f'移送编号 <a href="/certification/referrals/{RevocationReferral.objects.get().pk}/">' in page
    )


@pytest.mark.django_db
def test_the_inspector_pool_is_managed_by_the_municipal_office(world: dict[str, Any]) -> None:
    c = login(world["municipal"])
    r = c.post("/spot-checks/inspectors/new/", {"name": "孙检查", "unit": "市市场监管局", "district_code": "",
                                                  "username": "muni2"})  # fmt: skip
    assert r.status_code == 302
    ins = Inspector.objects.get(name="孙检查")
    assert ins.user == world["municipal2"] and ins.active
    bad = c.post("/spot-checks/inspectors/new/", {"name": "周检查", "unit": "区科委", "district_code": CHAOYANG,
                                                    "username": "hd_official"}, follow=True).content.decode()  # fmt: skip
    assert "区级管理人员的检查人员记录须填写其所属区县" in bad
    c.post(f"/spot-checks/inspectors/{ins.pk}/", {"name": "孙检查", "unit": "市市场监管局", "username": "muni2"})
    assert not Inspector.objects.get(pk=ins.pk).active  # the box unticked: out of future draws
    assert "孙检查" in c.get("/spot-checks/inspectors/").content.decode()
    assert login(world["hd_official"]).get("/spot-checks/inspectors/").status_code == 403


@pytest.mark.django_db
def test_the_enterprise_sees_its_own_case_and_no_other(world: dict[str, Any]) -> None:
    from gaoqi.web import roles
    from tests.web import factories

    d = draw(world)
    own, other = list(Case.objects.filter(draw=d).order_by("order")[:2])
    c = login(factories.user(roles.ENTERPRISE, "drawn_ent", uscc=own.uscc))
    page = c.get(f"/spot-checks/cases/{own.pk}/")
    assert page.status_code == 200 and own.enterprise_name in page.content.decode()
    assert "登记检查情况" not in page.content.decode()  # it records nothing
    assert c.get(f"/spot-checks/cases/{other.pk}/").status_code == 404
    listing = c.get("/spot-checks/cases/").content.decode()
    assert own.enterprise_name in listing and other.enterprise_name not in listing
    assert c.post(f"/spot-checks/cases/{own.pk}/act/", {"action": "start"}).status_code == 403
    assert c.get("/spot-checks/cases/export.xlsx").status_code == 403


@pytest.mark.django_db
def test_filters_by_reason_status_and_year(world: dict[str, Any], monkeypatch: Any) -> None:
    from gaoqi.web.spotchecks import hooks

    crit = world["hd"][5].uscc
    monkeypatch.setattr(hooks, "open_warnings", lambda: {crit: "critical"})
    d = draw(world)
    case = Case.objects.get(draw=d, uscc=crit)
    muni = login(world["municipal"])
    api = muni.get("/api/spot-checks", {"reason": "critical"}).json()
    assert [i["uscc"] for i in api["items"]] == [crit] and api["items"][0]["seed"] == SEED
    assert "critical" in api["items"][0]["reasons"]
    page = muni.get("/spot-checks/cases/?reason=critical").content.decode()
    assert case.enterprise_name in page and page.count("/spot-checks/cases/") >= 1
    assert muni.get("/api/spot-checks", {"reason": "pilot"}).json()["count"] == 0
    services.case_move(world["municipal"], case.pk, "start")
    assert muni.get("/api/spot-checks", {"status": "checking"}).json()["count"] == 1
    assert muni.get("/api/spot-checks", {"year": 2025}).json()["count"] == 0
    assert muni.get("/api/spot-checks", {"year": 2026, "district": CHAOYANG}).json()["count"] == 1
