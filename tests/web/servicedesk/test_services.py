"""Requests from filing to closing: working-day limits over 国庆 2026, the overdue boundary, refusals (another
enterprise, a rating by someone who did not file, twice, a second reopen, a fake PDF), escalation (idempotent),
scoping canaries, the audit entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web.certification import workdays
from gaoqi.web.core.errors import DomainError, Forbidden, NotFound
from gaoqi.web.core.workflow import RoleRefused, StatusRefused, WorkflowError
from gaoqi.web.servicedesk import selectors as sel
from gaoqi.web.servicedesk import services as sv
from gaoqi.web.servicedesk import workflow as wf
from tests.web.certification.pdfs import ACTIVE, CLEAN
from tests.web.conftest import CHAOYANG, HAIDIAN
from tests.web.servicedesk.conftest import file_request

pytestmark = pytest.mark.django_db

D = dt.date


def test_limits_in_working_days_over_national_day_2026(sd: Any) -> None:
    # filed Wed 30 Sep 2026: 国庆 1–7 Oct are holidays, Sat 10 Oct a make-up working day
    assert [workdays.is_workday(D(2026, 10, d)) for d in (1, 7, 8, 10, 11)] == [False, False, True, True, False]
    general = file_request(sd["ent"])
    assert general.filed_on == D(2026, 9, 30)
    assert general.accept_due == D(2026, 10, 8)  # 1 working day: the first day back
    assert general.answer_due == D(2026, 10, 13)  # 8, 9, 10 (Sat, make-up), 12, 13
    assert general.answer_due == workdays.add_workdays(D(2026, 9, 30), 5)
    assert general.due_on == general.accept_due and not general.due_provisional
    complex_ = file_request(sd["ent"], urgency="COMPLEX")
    assert complex_.answer_due == D(2026, 10, 20) == workdays.add_workdays(D(2026, 9, 30), 10)


def test_limits_past_the_published_calendar_are_provisional(sd: Any) -> None:
    sd["clock"]["day"] = D(2026, 12, 28)  # Mon; 5 working days run into 2027 (not yet published)
    req = file_request(sd["ent"])
    assert req.accept_due == D(2026, 12, 29) and req.answer_due == D(2027, 1, 4)
    assert req.due_provisional


def test_the_overdue_boundary_due_today_is_not_overdue_due_yesterday_is(sd: Any) -> None:
    req = file_request(sd["ent"])  # acceptance due 8 Oct
    sd["clock"]["day"] = D(2026, 10, 8)
    assert not sel.requests_visible_to(sd["municipal"]).filter(sel.overdue_q()).exists()
    assert sv.daily() == {"escalated": [], "closed": [], "errors": []}
    sd["clock"]["day"] = D(2026, 10, 9)
    assert list(sel.requests_visible_to(sd["municipal"]).filter(sel.overdue_q())) == [req]
    section = sel.overdue_for_monitoring(sd["haidian"])
    assert section["count"] == 1 and section["rows"] == [req]
    # a 海淀 enterprise's request owed by a municipal unit: on the municipal office's section, not on 海淀's (whose
    # link opens its own queue, where that request is not)
    municipal_owes = file_request(sd["ent"], category="hte", title="复审咨询")
    assert municipal_owes.unit.level == "municipal"
    sd["clock"]["day"] = D(2026, 10, 12)
    assert sel.overdue_for_monitoring(sd["haidian"])["rows"] == [req]
    assert municipal_owes in sel.overdue_for_monitoring(sd["municipal"])["rows"]


def test_a_request_for_another_enterprise_is_refused_and_nothing_is_written(sd: Any) -> None:
    from gaoqi.web.servicedesk.models import Request

    with pytest.raises(Forbidden, match="只能为本企业提出诉求"):
        file_request(sd["ent"], uscc=sd["hd2"].uscc)
    with pytest.raises(NotFound, match="不在您的管辖范围内"):  # a 朝阳 official for a 海淀 enterprise
        file_request(sd["chaoyang"], uscc=sd["hd"].uscc, channel="hotline_12345")
    assert not Request.objects.exists()
    on_behalf = file_request(sd["haidian"], uscc=sd["hd"].uscc, channel="hotline_12345")
    assert (on_behalf.uscc, on_behalf.filed_by, on_behalf.channel) == (sd["hd"].uscc, sd["haidian"], "hotline_12345")


def test_an_attachment_with_a_fake_pdf_name_is_refused(sd: Any) -> None:
    from gaoqi.web.servicedesk.models import Request

    for data in (b"GIF89a not a pdf at all", ACTIVE["javascript"], ACTIVE["html_polyglot"]):
        with pytest.raises(DomainError, match=r"材料\.pdf"):
            file_request(sd["ent"], files=[("材料.pdf", data)])
    assert not Request.objects.exists()
    req = file_request(sd["ent"], files=[("营业执照.pdf", CLEAN)])
    (att,) = req.attachments.all()
    assert (att.file_name, att.pages, att.size) == ("营业执照.pdf", 1, len(CLEAN))
    _item, handle = sv.attachment_open(sd["ent"], att.pk)
    assert handle.read() == CLEAN
    handle.close()
    with pytest.raises(NotFound):
        sv.attachment_open(sd["ent2"], att.pk)
    with pytest.raises(NotFound):
        sv.attachment_open(sd["chaoyang"], att.pk)


def _answered(sd: Any, **kw: Any) -> Any:
    req = file_request(sd["ent"], **kw)
    sv.request_accept(sd["haidian"], req.pk, seen=wf.FILED)
    return sv.request_answer(sd["haidian"], req.pk, "已联系区人社局，材料清单见附件。", seen=wf.ACCEPTED)


def test_the_happy_path_and_who_may_rate(sd: Any) -> None:
    req = _answered(sd)
    assert (req.status, req.accepted_on, req.answered_on) == (wf.ANSWERED, D(2026, 9, 30), D(2026, 9, 30))
    with pytest.raises(NotFound):  # another enterprise does not even see it
        sv.request_rate(sd["ent2"], req.pk, resolved="YES", satisfaction="SATISFIED")
    with pytest.raises(RoleRefused):  # an official cannot rate
        sv.request_rate(sd["haidian"], req.pk, resolved="YES", satisfaction="SATISFIED")
    done = sv.request_rate(sd["ent"], req.pk, resolved="PARTLY", satisfaction="BASICALLY", comment="基本解决")
    assert (done.status, done.resolved, done.satisfaction, done.closed_on, done.due_on) == (
        wf.CLOSED, "PARTLY", "BASICALLY", D(2026, 9, 30), None)  # fmt: skip
    with pytest.raises(StatusRefused, match="已办结"):
        sv.request_rate(sd["ent"], req.pk, resolved="YES", satisfaction="SATISFIED")


def test_only_the_handling_unit_acts(sd: Any) -> None:
    req = file_request(sd["ent"], category="hte")  # → m.hte, a municipal unit
    with pytest.raises(NotFound):
        sv.request_accept(sd["chaoyang"], req.pk)
    with pytest.raises(WorkflowError, match="只有承办单位"):  # 海淀 sees its enterprise's request, but is not m.hte
        sv.request_accept(sd["haidian"], req.pk)
    assert sv.request_accept(sd["municipal"], req.pk).status == wf.ACCEPTED
    district_owes = file_request(sd["ent"])  # → 海淀's unit: the municipal office sees it but does not answer for it
    with pytest.raises(WorkflowError, match="只有承办单位"):
        sv.request_accept(sd["municipal"], district_owes.pk)
    assert not sel.may_handle(sd["municipal"], district_owes) and sel.may_handle(sd["haidian"], district_owes)


def test_reopen_once_then_refused(sd: Any) -> None:
    req = _answered(sd)
    sd["clock"]["day"] = D(2026, 10, 9)
    with pytest.raises(WorkflowError, match="需要填写意见"):
        sv.request_reopen(sd["ent"], req.pk, "")
    reopened = sv.request_reopen(sd["ent"], req.pk, "材料清单与窗口要求不一致")
    assert (reopened.status, reopened.reopen_count, reopened.accept_due) == (wf.REOPENED, 1, D(2026, 10, 10))
    sv.request_accept(sd["haidian"], req.pk)
    sv.request_answer(sd["haidian"], req.pk, "已与窗口核实，按新清单办理。")
    sv.request_rate(sd["ent"], req.pk, resolved="YES", satisfaction="SATISFIED")
    with pytest.raises(WorkflowError, match="只能申请重新办理 1 次"):
        sv.request_reopen(sd["ent"], req.pk, "再次申请")


def test_transfer_to_another_unit_and_an_unknown_unit_refused(sd: Any) -> None:
    req = file_request(sd["ent"])  # → 110108.hr
    with pytest.raises(DomainError, match=r"责任单位“110108\.nowhere”不存在"):
        sv.request_transfer(sd["haidian"], req.pk, "110108.nowhere", "不属本单位职责")
    with pytest.raises(WorkflowError, match="需要填写意见"):
        sv.request_transfer(sd["haidian"], req.pk, "110108.housing", "")
    moved = sv.request_transfer(sd["haidian"], req.pk, "110108.housing", "属保障性租赁住房事项")
    assert (moved.unit.code, moved.status, moved.route_rule) == (
        "110108.housing",
        wf.FILED,
        "转办：海淀区人力资源和社会保障局 → 海淀区住房和城乡建设委员会",
    )
    assert moved.transitions.filter(action="transfer", comment="属保障性租赁住房事项").exists()
    from gaoqi.web.audit.models import AuditEvent

    audit = AuditEvent.objects.filter(action="servicedesk_request.transfer").order_by("-pk").first()
    assert audit is not None and (audit.detail["from"], audit.detail["to"]) == ("110108.hr", "110108.housing")
    # the same unit again, as the locked row has it now: refused, nothing moved
    with pytest.raises(DomainError, match="与当前承办单位相同"):
        sv.request_transfer(sd["haidian"], req.pk, "110108.housing", "再次转办")


def test_escalation_is_idempotent_and_goes_up_one_level(sd: Any) -> None:
    from gaoqi.web.audit.models import AuditEvent

    district_unit = file_request(sd["ent"])  # 110108.hr → 110108.gov
    municipal_unit = file_request(sd["ent"], category="hte")  # m.hte → the municipal office
    sd["clock"]["day"] = D(2026, 10, 9)
    first = sv.daily()
    assert first["escalated"] == [district_unit.pk, municipal_unit.pk]
    assert sv.daily()["escalated"] == []  # twice: once
    district_unit.refresh_from_db()
    assert (district_unit.escalated_to.code, district_unit.escalated_on) == (f"{HAIDIAN}.gov", D(2026, 10, 9))
    assert district_unit.transitions.filter(action="escalate").count() == 1
    assert AuditEvent.objects.filter(action="servicedesk_request.escalate").count() == 2
    # accepting starts a new stage: overdue again later, escalated again (once)
    sv.request_accept(sd["haidian"], district_unit.pk)
    sd["clock"]["day"] = D(2026, 10, 14)  # answer due 13 Oct
    assert district_unit.pk in sv.daily()["escalated"]
    assert sv.daily()["escalated"] == []


def test_answered_and_not_rated_closes_after_the_default_working_days(sd: Any) -> None:
    req = _answered(sd)
    assert req.due_on == workdays.add_workdays(D(2026, 9, 30), 10) == D(2026, 10, 20)
    sd["clock"]["day"] = D(2026, 10, 20)
    assert sv.daily()["closed"] == []
    sd["clock"]["day"] = D(2026, 10, 21)
    assert sv.daily()["closed"] == [req.pk]
    req.refresh_from_db()
    assert (req.status, req.resolved) == (wf.CLOSED, "")


def test_scoping_canaries(sd: Any) -> None:
    hd = file_request(sd["ent"])
    cy = file_request(sd["ent_cy"])
    assert list(sel.requests_visible_to(sd["chaoyang"])) == [cy]
    assert list(sel.requests_visible_to(sd["haidian"])) == [hd]
    assert list(sel.requests_visible_to(sd["ent"])) == [hd]
    assert list(sel.requests_visible_to(sd["ent2"])) == []
    assert set(sel.requests_visible_to(sd["municipal"])) == {hd, cy}
    assert sel.request_get(sd["chaoyang"], hd.pk) is None
    assert list(sel.queue(sd["chaoyang"], sel.QueueFilter())) == [cy]
    assert list(sel.queue(sd["ent"], sel.QueueFilter())) == []  # the queue is the officials'
    assert {r.key for r in sel.stats(sd["chaoyang"], "district")} == {CHAOYANG}
    # a 海淀 enterprise's request to a municipal unit: 海淀 sees it, but it is not in 海淀's handling queue
    municipal = file_request(sd["ent"], category="hte")
    assert sel.request_get(sd["haidian"], municipal.pk) is not None
    assert list(sel.queue(sd["haidian"], sel.QueueFilter())) == [hd]
    assert list(sel.queue(sd["municipal"], sel.QueueFilter(unit="m.hte"))) == [municipal]


def test_every_move_is_audited_with_its_target(sd: Any) -> None:
    from gaoqi.web.audit.models import AuditEvent

    req = _answered(sd)
    sv.request_rate(sd["ent"], req.pk, resolved="YES", satisfaction="SATISFIED")
    rows = AuditEvent.objects.filter(target=f"servicedesk_request:{req.pk}").order_by("pk")
    assert [r.action for r in rows] == ["servicedesk_request.file", "servicedesk_request.accept",
                                        "servicedesk_request.answer", "servicedesk_request.rate"]  # fmt: skip
    assert rows[0].detail["unit"] == f"{HAIDIAN}.hr" and rows[3].detail == {
        "resolved": "YES",
        "satisfaction": "SATISFIED",
    }


def test_the_command_and_the_task_escalate_once(sd: Any) -> None:
    import json
    from io import StringIO

    from django.core.management import call_command

    from gaoqi.web.servicedesk.tasks import servicedesk_daily

    req = file_request(sd["ent"])
    sd["clock"]["day"] = D(2026, 10, 9)
    out = StringIO()
    call_command("servicedesk_escalate", stdout=out)
    assert json.loads(out.getvalue())["escalated"] == [req.pk]
    assert servicedesk_daily.call()["escalated"] == []  # the task runs the same job: nothing more to do
    assert req.transitions.filter(action="escalate").count() == 1
