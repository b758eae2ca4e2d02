"""Pages: 消息中心 (mark read on open, unread badge), 消息设置, 推送记录 (scoping canaries, read rate by hand,
masked addresses, Excel), the sending job's page with its progress and stop button."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from gaoqi.web import roles
from gaoqi.web.core.errors import NotFound
from gaoqi.web.push import services
from gaoqi.web.push.models import Message, Mute
from tests.web import factories as f
from tests.web.conftest import CHAOYANG, HAIDIAN, login
from tests.web.push.factories import POLICY, TAX, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    hd = [f.enterprise(name=f"海淀企业{i}", district_code=HAIDIAN) for i in range(3)]
    cy = f.enterprise(name="朝阳企业", district_code=CHAOYANG)
    cy.phone = "13912345678"
    cy.save(update_fields=["phone"])
    snap = publish({**{(e, POLICY): "pass" for e in hd}, (hd[0], TAX): "pass", (cy, POLICY): "pass"})
    return {"hd": hd, "cy": cy, "snap": snap}


def test_the_inbox_shows_only_its_own_messages_and_marks_read_on_open(world: dict[str, Any]) -> None:
    ent = world["hd"][0]
    account, colleague = f.user(roles.ENTERPRISE, uscc=ent.uscc), f.user(roles.ENTERPRISE, uscc=ent.uscc)
    c = login(account)
    page = c.get("/push/").content.decode()
    assert page.count("未读</strong>") == 2 and "朝阳" not in page
    assert 'class="badge" title="未读消息">2<' in page
    mine = Message.objects.filter(enterprise=ent).order_by("pk").first()
    theirs = Message.objects.get(enterprise=world["cy"])
    assert c.get(f"/push/messages/{theirs.pk}/").status_code == 404  # another enterprise's message
    body = c.get(f"/push/messages/{mine.pk}/").content.decode()
    assert "12345" in body and "下一步" in body and "政策条件" in body
    mine.refresh_from_db()
    assert mine.read_by == account and mine.read_at is not None
    from gaoqi.web.support.models import PolicyDelivery

    told = PolicyDelivery.objects.get(enterprise_uscc=ent.uscc, policy_id=mine.policy_id)
    assert (told.informed_via, told.informed_by) == ("platform", None)  # 已告知, by the platform
    # every account of the enterprise reads the same inbox: the colleague sees it read
    assert login(colleague).get("/push/").content.decode().count("未读</strong>") == 1


def test_scoping_canaries_on_the_record(world: dict[str, Any], settings: Any, tmp_path: Any) -> None:
    settings.GAOQI_SMS_BACKEND = "gaoqi.web.push.sms.FileBackend"
    settings.GAOQI_SMS_FILE = str(tmp_path / "sms.jsonl")
    services.job_run(services.job_start(f.user(roles.MUNICIPAL), world["snap"].pk).pk)
    chaoyang = f.user(roles.DISTRICT, district_code=CHAOYANG)
    page = login(chaoyang).get("/push/log/").content.decode()
    assert "朝阳企业" in page and "海淀企业" not in page
    assert "139****5678" in page and "13912345678" not in page  # personal data masked
    assert login(chaoyang).get(f"/push/log/?district={HAIDIAN}").content.decode().count("海淀企业") == 0
    city = login(f.user(roles.MUNICIPAL)).get("/push/log/").content.decode()
    assert "朝阳企业" in city and "海淀企业0" in city
    assert login(f.user(roles.ENTERPRISE, uscc=world["cy"].uscc)).get("/push/log/").status_code == 403


def test_the_read_rate_equals_a_count_by_hand(world: dict[str, Any]) -> None:
    hd = world["hd"]
    for ent in hd[:2]:  # two of three 海淀 enterprises read their reward message
        m = Message.objects.get(enterprise=ent, policy_id=POLICY)
        services.message_read(f.user(roles.ENTERPRISE, uscc=ent.uscc), m)
    from gaoqi.web.push.selectors import LogFilter, read_rates

    rates = {
        (r["policy_id"], r["district"]): (r["n"], r["read"]) for r in read_rates(f.user(roles.MUNICIPAL), LogFilter())
    }
    by_hand = Message.objects.filter(policy_id=POLICY, enterprise__district_code=HAIDIAN)
    assert rates[(POLICY, HAIDIAN)] == (by_hand.count(), by_hand.filter(read_at__isnull=False).count()) == (3, 2)
    assert rates[(POLICY, CHAOYANG)] == (1, 0) and rates[(TAX, HAIDIAN)] == (1, 0)
    page = login(f.user(roles.DISTRICT, district_code=HAIDIAN)).get(f"/push/log/?policy={POLICY}").content.decode()
    assert "66.7%" in page
    assert "110105" not in page


def test_filters_and_the_excel(world: dict[str, Any]) -> None:
    city = login(f.user(roles.MUNICIPAL))
    page = city.get(f"/push/log/?policy={TAX}").content.decode()
    assert "海淀企业0" in page and "朝阳企业" not in page
    response = city.get(f"/push/log/export.xlsx?district={CHAOYANG}")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][0] == "统一社会信用代码" and len(rows) == 2 and rows[1][1] == "朝阳企业"
    assert rows[1][7] == "h1" and rows[1][6] == world["snap"].pk
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]


def test_settings_mute_a_category_and_refuse_a_mandatory_one(world: dict[str, Any]) -> None:
    ent = world["hd"][0]
    c = login(f.user(roles.ENTERPRISE, uscc=ent.uscc))
    assert "默认值，待确认" in c.get("/push/settings/").content.decode()
    c.post("/push/settings/", {"muted": ["reward", "tax"]})
    assert set(Mute.objects.filter(enterprise_uscc=ent.uscc).values_list("category", flat=True)) == {"reward", "tax"}
    response = c.post("/push/settings/", {"muted": ["compliance"]}, follow=True)
    assert "不能退订" in response.content.decode()
    assert set(Mute.objects.filter(enterprise_uscc=ent.uscc).values_list("category", flat=True)) == {"reward", "tax"}
    from gaoqi.web.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="push.mute", target=f"enterprise:{ent.uscc}").count() == 1


def test_the_job_page_shows_progress_and_a_stop_button(world: dict[str, Any]) -> None:
    official = f.user(roles.MUNICIPAL)
    c = login(official)
    response = c.post("/push/jobs/start/", {"snapshot": str(world["snap"].pk)})
    assert response.status_code == 302
    job_url = response["Location"]
    page = c.get(job_url).content.decode()
    assert "<progress" in page and "停止" in page and 'hx-trigger="every 2s"' in page
    pk = int(job_url.rstrip("/").split("/")[-1])
    assert "已发送 0" in c.get(f"/push/jobs/{pk}/progress/").content.decode()
    c.post(f"/push/jobs/{pk}/stop/")
    services.job_run(pk)
    assert "继续发送" in c.get(job_url).content.decode()
    assert login(f.user(roles.DISTRICT)).get(job_url).status_code == 403
    # a job that does not exist: refused as not found (not a server error), nothing moved
    assert c.post(f"/push/jobs/{pk + 1000}/stop/").status_code in (302, 404)
    with pytest.raises(NotFound):
        services.job_stop(official, pk + 1000)


def test_the_api_lists_what_the_caller_may_see(world: dict[str, Any]) -> None:
    chaoyang = login(f.user(roles.DISTRICT, district_code=CHAOYANG)).get("/api/push/messages").json()
    assert chaoyang["count"] == 1 and chaoyang["items"][0]["uscc"] == world["cy"].uscc
    assert chaoyang["items"][0]["ruleset_hash"] == "h1" and chaoyang["items"][0]["snapshot_id"] == world["snap"].pk
    own = login(f.user(roles.ENTERPRISE, uscc=world["hd"][0].uscc)).get("/api/push/messages?kind=qualifies").json()
    assert own["count"] == 2 and {i["uscc"] for i in own["items"]} == {world["hd"][0].uscc}
    assert login(f.user(roles.MUNICIPAL)).get("/api/push/messages?read=maybe").status_code == 400


def test_a_message_says_what_to_do_next_by_how_the_policy_is_delivered() -> None:
    """免申即享 (the Dongcheng reward: nothing to apply for, the window to confirm or object), 快申快享 (the R&D
    super deduction: the prefilled application and the office's limit), the policy's own procedure (HTE
    certification: its page) — each with the page to act on."""
    from gaoqi.web.benefits.config import window_workdays
    from gaoqi.web.push.texts import render
    from gaoqi.web.quickapply.config import config as quickapply_config

    ent = f.enterprise(name="东城企业", district_code="110101")
    publish({(ent, POLICY): "pass", (ent, TAX): "pass", (ent, "hte-certification"): "pass"})
    texts = {m.policy_id: render(m) for m in Message.objects.filter(enterprise=ent)}
    automatic, by_application, own = texts[POLICY], texts[TAX], texts["hte-certification"]
    assert "免申即享，无需申请" in automatic.next_step and f"{window_workdays()}个工作日内" in automatic.next_step
    assert automatic.links[0] == ("我的免申即享", "/benefits/mine/")
    days, _ = quickapply_config().limit(TAX)
    assert "快申快享" in by_application.next_step and f"{days}个工作日内办结" in by_application.next_step
    assert by_application.links[0][0] == "我的政策申请"
    assert own.next_step.startswith("请在政策详情页查看申报方式和时限") and own.links[0][0] == "政策详情"


def test_a_message_reads_the_policy_as_the_catalogue_has_it_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """The words are kept per policy file version: a policy re-published (another file hash) reads anew, in the
    same process; the same file is not read again."""
    import dataclasses

    from gaoqi.web.policies import selectors as policies
    from gaoqi.web.push.texts import render

    ent = f.enterprise(name="东城企业", district_code="110101")
    publish({(ent, TAX): "pass"})
    message = Message.objects.get(enterprise=ent, policy_id=TAX)
    before = render(message).title
    original = policies.policy_get(TAX)
    assert original is not None and original.name in before
    renamed = dataclasses.replace(original, name="研发费用加计扣除（新版）", sha256="0" * 64)
    monkeypatch.setattr(policies, "policy_get", lambda pid: renamed if pid == TAX else original)
    assert "研发费用加计扣除（新版）" in render(message).title
