"""The tech-SME pages and API, and their scoping canaries: a 朝阳 evaluation and registration (named CANARY_NAME)
never reach a 海淀 district official, another enterprise or an incubator — not in the queue, a detail page, the
registrations list or page, nor the API — while the municipal office sees them; the 公示 list is public."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from gaoqi.web import roles
from gaoqi.web.techsme import workflow as wf
from gaoqi.web.techsme.models import Evaluation
from tests.web import factories as f
from tests.web.conftest import CANARY_NAME, CHAOYANG, HAIDIAN, login
from tests.web.techsme.factories import evaluation, registration

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture()
def world(clock: dict[str, dt.date]) -> dict[str, Any]:
    mine = evaluation(status=wf.SUBMITTED, name="海淀科小测试有限公司", stage_started_at=dt.date(2026, 6, 1))
    canary = evaluation(status=wf.SUBMITTED, district_code=CHAOYANG, name=f"{CANARY_NAME}科小")
    reg_mine = registration(evaluation(status=wf.REGISTERED, name="海淀已入库有限公司"), number="2026110108A0000001")
    reg_canary = registration(
        evaluation(status=wf.REGISTERED, district_code=CHAOYANG, name=f"{CANARY_NAME}入库"), number="2026110105A0000007"
    )
    public = evaluation(
        status=wf.PUBLICITY, district_code=CHAOYANG, name="公示中的科小企业", stage_started_at=dt.date(2026, 7, 1)
    )
    return {
        "mine": mine, "canary": canary, "reg_mine": reg_mine, "reg_canary": reg_canary, "public": public,
        "district": f.user(roles.DISTRICT, district_code=HAIDIAN), "municipal": f.user(roles.MUNICIPAL),
        "evaluator": f.user(roles.EVALUATOR), "incubator": f.user(roles.INCUBATOR),
        "enterprise": mine.created_by, "other_enterprise": f.user(roles.ENTERPRISE),
    }  # fmt: skip


def _text(response: Any) -> str:
    return response.content.decode()


def test_the_queue_is_scoped_and_shows_overdue(world: dict[str, Any], clock: dict[str, dt.date]) -> None:
    page = _text(login(world["district"]).get("/tech-sme/queue/"))
    assert "海淀科小测试有限公司" in page and CANARY_NAME not in page
    assert "已超期" in page  # submitted 1 June, 10 working days (DEFAULT) long past on 1 July
    page = _text(login(world["municipal"]).get("/tech-sme/queue/"))
    assert "海淀科小测试有限公司" in page and f"{CANARY_NAME}科小" in page
    page = _text(login(world["municipal"]).get("/tech-sme/queue/", {"status": "publicity"}))
    assert "公示中的科小企业" in page and "海淀科小测试有限公司" not in page


@pytest.mark.parametrize("who", ["district", "other_enterprise", "enterprise"])
def test_another_districts_or_enterprises_evaluation_is_not_found(world: dict[str, Any], who: str) -> None:
    c = login(world[who])
    canary = world["canary"].pk
    for url in (f"/tech-sme/{canary}/", f"/api/tech-sme/evaluations/{canary}/self-check"):
        response = c.get(url)
        assert response.status_code in (403, 404), (who, url)
        assert CANARY_NAME not in _text(response)
    if who != "district":
        assert c.get(f"/tech-sme/registrations/{world['reg_canary'].pk}/").status_code == 404


def test_the_registrations_are_scoped(world: dict[str, Any]) -> None:
    c = login(world["district"])
    page = _text(c.get("/tech-sme/registrations/"))
    assert "2026110108A0000001" in page and "2026110105A0000007" not in page and CANARY_NAME not in page
    assert c.get(f"/tech-sme/registrations/{world['reg_canary'].pk}/").status_code == 404
    assert c.get(f"/tech-sme/registrations/{world['reg_mine'].pk}/").status_code == 200
    data = c.get("/api/tech-sme/registrations").json()
    assert [r["number"] for r in data["items"]] == ["2026110108A0000001"] and data["count"] == 1
    data = login(world["municipal"]).get("/api/tech-sme/registrations").json()
    assert [r["number"] for r in data["items"]] == ["2026110105A0000007", "2026110108A0000001"]
    assert login(world["incubator"]).get("/api/tech-sme/registrations").status_code == 403
    # an enterprise: its own registration only
    own = world["reg_mine"].evaluation.created_by
    data = login(own).get("/api/tech-sme/registrations").json()
    assert [r["number"] for r in data["items"]] == ["2026110108A0000001"]
    assert login(world["other_enterprise"]).get("/api/tech-sme/registrations").json()["count"] == 0
    page = _text(login(world["municipal"]).get(f"/tech-sme/registrations/{world['reg_canary'].pk}/"))
    assert f"{CANARY_NAME}入库" in page and "撤销登记编号" in page


def test_the_public_list_needs_no_login(world: dict[str, Any]) -> None:
    page = _text(Client().get("/tech-sme/publicity/"))
    assert "公示中的科小企业" in page and "2026年7月1日至2026年7月14日" in page  # 10 working days, inclusive
    assert "2026110108A0000001" in page and "海淀已入库有限公司" in page
    assert "海淀科小测试有限公司" not in page  # not in publicity


def test_the_enterprise_fills_in_checks_and_submits(world: dict[str, Any]) -> None:
    ev = evaluation(values={"ip_class2_count": None})
    c = login(ev.created_by)
    page = _text(c.get(f"/tech-sme/{ev.pk}/"))
    assert "测试文件.csv 第2行" in page and "🔒" in page and 'name="ip_class2_count"' in page
    assert 'name="staff_count_last_year"' not in page  # locked: shown, not editable
    r = c.post(f"/tech-sme/{ev.pk}/selfcheck/", headers=HX)
    assert r.status_code == 200 and "请填写：Ⅱ类知识产权数" in _text(r) and "自评未通过" in _text(r)
    r = c.post(f"/tech-sme/{ev.pk}/fill/", {"ip_class2_count": "0", "rd_indicator": "sales", "direct_ground": ""})
    assert r.status_code == 302
    r = c.post(f"/tech-sme/{ev.pk}/fill/", {"staff_count_last_year": "3", "rd_indicator": "sales"}, follow=True)
    assert "已锁定" in _text(r)
    r = c.post(f"/tech-sme/{ev.pk}/selfcheck/", headers=HX)
    assert "自评通过" in _text(r) and "综合评价得分 <strong>100</strong> 分" in _text(r)
    data = c.get(f"/api/tech-sme/evaluations/{ev.pk}/self-check").json()
    assert (data["total"], data["pass_min"], data["passed"]) == ("100", 60, True)
    r = c.post(f"/tech-sme/{ev.pk}/act/", {"action": "submit", "seen": "draft"})
    assert r.status_code == 302 and Evaluation.objects.get(pk=ev.pk).status == wf.SUBMITTED
    mine = _text(c.get("/tech-sme/"))
    assert f'href="/tech-sme/{ev.pk}/"' in mine and "待审核" in mine
    other = _text(login(f.user(roles.ENTERPRISE)).get("/tech-sme/"))
    assert f'href="/tech-sme/{ev.pk}/"' not in other and "暂无评价" in other and "开始入库评价" in other


def test_offices_act_in_their_jurisdiction(world: dict[str, Any]) -> None:
    c = login(world["district"])
    assert c.post(f"/tech-sme/{world['canary'].pk}/act/", {"action": "approve"}).status_code == 404
    r = c.post(f"/tech-sme/{world['mine'].pk}/act/", {"action": "return", "seen": "submitted"}, follow=True)
    assert "需要填写意见" in _text(r)
    r = c.post(f"/tech-sme/{world['mine'].pk}/act/", {"action": "approve", "seen": "submitted"})
    assert r.status_code == 302 and Evaluation.objects.get(pk=world["mine"].pk).status == wf.PUBLICITY
    r = login(world["municipal"]).post(
        f"/tech-sme/{world['canary'].pk}/act/", {"action": "reject", "comment": "信息不完整"}
    )
    assert r.status_code == 302 and Evaluation.objects.get(pk=world["canary"].pk).status == wf.REJECTED


def test_revocation_page(world: dict[str, Any]) -> None:
    c = login(world["municipal"])
    pk = world["reg_mine"].pk
    r = c.post(f"/tech-sme/registrations/{pk}/revoke/", {"reason": "listed", "comment": ""}, follow=True)
    assert "请填写撤销说明" in _text(r)
    r = c.post(
        f"/tech-sme/registrations/{pk}/revoke/",
        {"reason": "listed", "comment": "列入严重违法失信名单", "seen": "valid"},
    )
    assert r.status_code == 302
    page = _text(c.get(f"/tech-sme/registrations/{pk}/"))
    assert "已撤销" in page and "被列入经营异常名录或严重违法失信企业名单" in page and "列入严重违法失信名单" in page


def test_every_techsme_page_is_in_chinese(world: dict[str, Any]) -> None:
    from gaoqi.web.accounts.models import User
    from tests.web.test_chinese_everywhere import BROWSER, ascii_words

    draft = evaluation(values={"ip_class2_count": None}, rd_indicator="costs", direct_ground="award")
    # data shown as delivered: account names and the made-up enterprises' names (科小企业…K3X…)
    known = set(User.objects.values_list("username", flat=True)) | set(
        Evaluation.objects.values_list("enterprise_name", flat=True)
    )
    ev, reg = world["mine"], world["reg_mine"]
    views = {
        "enterprise": ["/tech-sme/", f"/tech-sme/{ev.pk}/", f"/tech-sme/registrations/{reg.pk}/"],
        "district": ["/tech-sme/queue/", "/tech-sme/queue/?status=all", f"/tech-sme/{ev.pk}/", "/tech-sme/registrations/"],
        "municipal": ["/tech-sme/queue/?status=publicity", f"/tech-sme/{world['public'].pk}/",
                      f"/tech-sme/registrations/{reg.pk}/", f"/tech-sme/registrations/{world['reg_canary'].pk}/"],
    }  # fmt: skip
    found = {}
    for who, urls in views.items():
        c = login(world[who])
        for url in urls:
            r = c.get(url, headers=BROWSER)
            assert r.status_code in (200, 404), url
            if r.status_code == 200 and (words := ascii_words(_text(r), known)):
                found[f"{who} {url}"] = words
    r = login(draft.created_by).post(f"/tech-sme/{draft.pk}/selfcheck/", headers={**HX, **BROWSER})
    assert "科技人员指标" in _text(r)
    r = login(draft.created_by).get(f"/tech-sme/{draft.pk}/", headers=BROWSER)
    assert 'name="ip_class2_count"' in _text(r)
    if words := ascii_words(_text(r), known):
        found["selfcheck"] = words
    if words := ascii_words(_text(Client().get("/tech-sme/publicity/", headers=BROWSER)), known):
        found["publicity"] = words
    assert not found, found
