"""The application's moves: one open application per enterprise, policy and period (refused cleanly, and by the
database); the decision clock in working days over the National Day holiday, stopped while returned, the overdue
boundary (the due day is on time, the next day overdue), provisional past the published calendar; the responsible
office (the policy's district or the city) and the scoping canaries; every move audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.core.errors import DomainError
from gaoqi.web.quickapply import selectors, services
from gaoqi.web.quickapply import workflow as wf
from gaoqi.web.quickapply.config import config
from gaoqi.web.quickapply.models import PolicyApplication
from tests.web.conftest import login
from tests.web.quickapply.conftest import CITY_POLICY, DISTRICT_POLICY

pytestmark = pytest.mark.django_db


def submitted(user: Any, policy_id: str = DISTRICT_POLICY) -> PolicyApplication:
    app = services.application_start(user, policy_id)
    attested = "no_violation" if policy_id == DISTRICT_POLICY else "equipment_invoices"
    services.application_declare(user, app, [attested])
    return services.application_transition(user, PolicyApplication.objects.get(pk=app.pk), "submit")


def test_one_open_application_per_enterprise_policy_and_period(
    people: dict[str, Any], clock: dict[str, dt.date]
) -> None:
    user = people["ent"]
    app = services.application_start(user, DISTRICT_POLICY)
    assert app.period == "2026"
    with pytest.raises(DomainError, match="已有该政策的申请（草稿）") as refused:
        services.application_start(user, DISTRICT_POLICY)
    assert refused.value.status == 409
    services.application_start(user, CITY_POLICY)  # another policy: its own application
    # the database refuses a second open row even past the service
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyApplication.objects.create(**{f.attname: getattr(app, f.attname) for f in PolicyApplication._meta.concrete_fields if f.name != "id"})  # fmt: skip
    # approved: still one per period
    services.application_declare(user, app, ["no_violation"])
    app = services.application_transition(user, PolicyApplication.objects.get(pk=app.pk), "submit")
    services.application_transition(people["haidian"], app, "approve")
    with pytest.raises(DomainError, match="已批准"):
        services.application_start(user, DISTRICT_POLICY)
    # the next period opens a new one
    clock["day"] = dt.date(2027, 1, 4)
    again = services.application_start(user, DISTRICT_POLICY)
    assert again.period == "2027"
    # a rejected or withdrawn application frees its period
    other = people["ent_other"]
    first = submitted(other)
    services.application_transition(people["haidian"], first, "reject", "材料不实")
    second = services.application_start(other, DISTRICT_POLICY)
    services.application_transition(other, second, "withdraw")
    services.application_start(other, DISTRICT_POLICY)
    assert PolicyApplication.objects.filter(uscc=other.uscc, policy_id=DISTRICT_POLICY).count() == 3


def test_the_start_button_refuses_a_second_application_cleanly(people: dict[str, Any]) -> None:
    client = login(people["ent"])
    r = client.post(f"/quick-apply/policy/{DISTRICT_POLICY}/start/")
    app = PolicyApplication.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/quick-apply/{app.pk}/"
    r = client.post(f"/quick-apply/policy/{DISTRICT_POLICY}/start/", follow=True)
    assert "同一政策每个申报期只能有一份申请" in r.content.decode()
    assert PolicyApplication.objects.count() == 1


def test_decision_deadline_over_the_national_day_holiday(
    people: dict[str, Any], clock: dict[str, dt.date], monkeypatch: pytest.MonkeyPatch
) -> None:
    """5 working days from Wednesday 30 September 2026: 30 Sep, 8, 9, 10 (a make-up Saturday) and 12 October."""
    monkeypatch.setitem(config().per_policy, DISTRICT_POLICY, 5)
    clock["day"] = dt.date(2026, 9, 30)
    app = submitted(people["ent"])
    assert (app.time_limit_days, app.time_limit_unconfirmed) == (5, False)
    assert app.decision_due == dt.date(2026, 10, 12) and app.decision_due_provisional is False
    for day, overdue in ((dt.date(2026, 10, 12), False), (dt.date(2026, 10, 13), True)):
        clock["day"] = day
        assert selectors.is_overdue(app, day) is overdue
        officials_queue = selectors.queue(people["haidian"], selectors.QueueFilter(overdue=True), day)
        assert (app in officials_queue) is overdue
    # the queue page flags it
    page = login(people["haidian"]).get("/quick-apply/queue/").content.decode()
    assert "已超期" in page and "2026年10月12日" in page
    # a decision ends the clock: no longer overdue
    app = services.application_transition(people["haidian"], app, "approve")
    assert not selectors.is_overdue(app, clock["day"])


def test_a_return_stops_the_clock_and_a_resubmission_gets_what_is_left(
    people: dict[str, Any], clock: dict[str, dt.date], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(config().per_policy, DISTRICT_POLICY, 5)
    clock["day"] = dt.date(2026, 9, 28)  # Monday
    app = submitted(people["ent"])
    assert app.decision_due == dt.date(2026, 10, 9)  # 28, 29, 30 Sep, 8, 9 Oct
    clock["day"] = dt.date(2026, 9, 30)
    with pytest.raises(DomainError, match="需要填写意见"):
        services.application_transition(people["haidian"], app, "return")
    app = services.application_transition(people["haidian"], app, "return", "请补充说明")
    # the working days after the submission day up to the return: 29 and 30 September
    assert app.office_days_used == 2 and app.decision_due == dt.date(2026, 10, 9)  # kept, not running
    assert not selectors.is_overdue(app, dt.date(2026, 11, 30))  # returned: the enterprise's time
    clock["day"] = dt.date(2026, 10, 12)
    app = services.application_transition(people["ent"], app, "resubmit")
    # 3 working days left from Monday 12 October: 12, 13, 14
    assert app.status == wf.SUBMITTED and app.decision_due == dt.date(2026, 10, 14)


def test_the_default_limit_is_60_working_days_and_provisional_past_the_calendar(
    people: dict[str, Any], clock: dict[str, dt.date]
) -> None:
    clock["day"] = dt.date(2026, 12, 7)
    app = submitted(people["ent"], CITY_POLICY)
    assert (app.time_limit_days, app.time_limit_unconfirmed) == (60, True)
    # 2027's holidays are not published yet: weekdays stand in, the date is provisional (暂定)
    assert app.decision_due == dt.date(2027, 2, 26) and app.decision_due_provisional is True
    page = login(people["ent"]).get(f"/quick-apply/{app.pk}/").content.decode()
    assert "60 个工作日（默认值，待确认）" in page and "2027年2月26日（暂定）" in page


def test_the_responsible_office_decides(people: dict[str, Any]) -> None:
    district_app = submitted(people["ent"], DISTRICT_POLICY)
    city_app = submitted(people["ent"], CITY_POLICY)
    assert district_app.responsible_district == "110108" and district_app.unit_code == "110108.sci"
    assert city_app.responsible_district == "" and city_app.unit_code == "m.hte"
    with pytest.raises(DomainError, match="本申请由海淀区主管部门审核"):
        services.application_transition(people["municipal"], district_app, "approve")
    with pytest.raises(DomainError, match="本申请由市级主管部门审核"):
        services.application_transition(people["haidian"], city_app, "approve")
    with pytest.raises(DomainError, match="本申请由海淀区主管部门审核"):
        services.application_transition(people["chaoyang"], district_app, "approve")
    with pytest.raises(DomainError):
        services.application_transition(people["ent"], district_app, "approve")  # not the enterprise's move
    assert services.application_transition(people["haidian"], district_app, "approve").status == wf.APPROVED
    assert services.application_transition(people["municipal"], city_app, "reject", "发票不符").status == wf.REJECTED


def test_scoping_canaries(people: dict[str, Any]) -> None:
    app = submitted(people["ent"], DISTRICT_POLICY)
    cy_app = submitted(people["ent_chaoyang"], CITY_POLICY)
    # a 朝阳 official sees nothing of 海淀's, a 海淀 official nothing of 朝阳's
    assert app not in selectors.applications_visible_to(people["chaoyang"])
    assert cy_app in selectors.applications_visible_to(people["chaoyang"])
    assert cy_app not in selectors.applications_visible_to(people["haidian"])
    assert set(selectors.applications_visible_to(people["municipal"])) >= {app, cy_app}
    cy = login(people["chaoyang"])
    assert cy.get(f"/quick-apply/{app.pk}/").status_code == 404
    assert cy.get(f"/api/quick-apply/applications/{app.pk}").status_code == 404
    assert people["ent"].uscc not in cy.get("/quick-apply/queue/?status=all").content.decode()
    assert [i["id"] for i in cy.get("/api/quick-apply/applications").json()["items"]] == [cy_app.pk]
    assert cy.post(f"/quick-apply/{app.pk}/act/", {"action": "approve", "seen": "submitted"}).status_code == 404
    # another enterprise: its application is not there, and it cannot act on it
    other = login(people["ent_other"])
    assert other.get(f"/quick-apply/{app.pk}/").status_code == 404
    assert other.post(f"/api/quick-apply/applications/{app.pk}/submit").status_code == 404
    with pytest.raises(DomainError, match="不存在"):
        services.application_transition(people["ent_other"], app, "withdraw")
    with pytest.raises(DomainError, match="本企业"):
        services.application_declare(people["ent_other"], app, ["no_violation"])
    assert PolicyApplication.objects.get(pk=app.pk).status == wf.SUBMITTED
    # the export is scoped too
    from io import BytesIO

    from openpyxl import load_workbook

    data = cy.get("/quick-apply/queue/export/?status=all").content
    cells = [c.value for row in load_workbook(BytesIO(data)).active.iter_rows() for c in row]
    assert cy_app.uscc in cells and app.uscc not in cells


def test_every_move_is_audited(people: dict[str, Any]) -> None:
    app = submitted(people["ent"], DISTRICT_POLICY)
    services.application_transition(people["haidian"], app, "return", "请补充")
    app = services.application_transition(people["ent"], PolicyApplication.objects.get(pk=app.pk), "resubmit")
    services.application_transition(people["haidian"], app, "approve", "同意")
    rows = AuditEvent.objects.filter(target=f"quickapply:{app.pk}").order_by("pk")
    assert [r.action for r in rows] == ["quickapply.start", "quickapply.declare", "quickapply.submit",
                                        "quickapply.return", "quickapply.resubmit", "quickapply.approve"]  # fmt: skip
    assert [(r.username, r.detail.get("comment")) for r in rows][-1] == ("qa_hd", "同意")
    history = selectors.history(PolicyApplication.objects.get(pk=app.pk))
    assert [(h.source, h.target) for h in history] == [("", "draft"), ("draft", "submitted"), ("submitted", "returned"),
                                                       ("returned", "submitted"), ("submitted", "approved")]  # fmt: skip
    login(people["municipal"]).get("/quick-apply/queue/export/")
    assert AuditEvent.objects.filter(action="export", target="quickapply_applications").count() == 1


def test_the_office_decisions_reach_the_enterprise_as_mandatory_notices(people: dict[str, Any]) -> None:
    from gaoqi.web.push.models import Message

    app = submitted(people["ent"], DISTRICT_POLICY)
    assert not Message.objects.filter(category="decision").exists()  # a submission goes to the office's bell
    services.application_transition(people["haidian"], app, "return", "请补充发票")
    app = services.application_transition(people["ent"], PolicyApplication.objects.get(pk=app.pk), "resubmit")
    services.application_transition(people["haidian"], app, "approve", "同意")
    notices = list(Message.objects.filter(enterprise__uscc=app.uscc, category="decision").order_by("pk"))
    assert [(m.category, m.mandatory, m.body) for m in notices] == [("decision", True, "请补充发票"),
                                                                     ("decision", True, "同意")]  # fmt: skip
    assert all(m.link == f"/quick-apply/{app.pk}/" and "退回补正" in notices[0].title for m in notices)
