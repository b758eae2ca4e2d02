"""A warning's moves by the district (签收, 处置 with its action, 排除 with a reason), in scope only; a referral
opens the revocation path; the daily escalation at the working-day boundary, once; the selector the spot checks
use; two officials acting at once (one wins)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from gaoqi.web.certification.models import Notification, RevocationReferral
from gaoqi.web.core.errors import Conflict, DomainError
from gaoqi.web.monitoring import services
from gaoqi.web.monitoring.models import Warning
from gaoqi.web.monitoring.selectors import open_warning_enterprises
from tests.web.conftest import race
from tests.web.monitoring.conftest import published, row


def _open(mon: dict[str, Any], *rows: dict[str, Any]) -> list[Warning]:
    s1 = published(dt.date(2026, 9, 30))
    with transaction.atomic():
        services.warnings_derive(s1, list(rows) or [row(mon["hd"])])
    return list(Warning.objects.order_by("pk"))


@pytest.mark.django_db
def test_acknowledge_then_handle(mon: dict[str, Any]) -> None:
    (w,) = _open(mon)
    services.warning_acknowledge(mon["haidian"], w.pk, seen="open")
    done = services.warning_handle(mon["haidian"], w.pk, action="check", note="已现场核查，数据属实")
    assert (done.status, done.action, done.action_note, done.handled_by, done.closed_on) == (
        "handled", "check", "已现场核查，数据属实", mon["haidian"], dt.date(2026, 9, 30),
    )  # fmt: skip
    logs = [(x.action, x.source, x.target, x.comment) for x in done.transitions.order_by("pk")]
    assert logs[1:] == [("acknowledge", "open", "acknowledged", ""),
                        ("handle", "acknowledged", "handled", "核查：已现场核查，数据属实")]  # fmt: skip


@pytest.mark.django_db
def test_handling_needs_an_action_and_a_note_dismissing_a_reason(mon: dict[str, Any]) -> None:
    (w,) = _open(mon)
    with pytest.raises(DomainError, match="处置方式"):
        services.warning_handle(mon["haidian"], w.pk, action="", note="x")
    with pytest.raises(DomainError, match="需要填写意见"):
        services.warning_handle(mon["haidian"], w.pk, action="interview", note=" ")
    with pytest.raises(DomainError, match="需要填写意见"):
        services.warning_dismiss(mon["haidian"], w.pk, reason="")
    done = services.warning_dismiss(mon["haidian"], w.pk, reason="企业已补报年报，数据滞后")
    assert (done.status, done.dismiss_reason) == ("dismissed", "企业已补报年报，数据滞后")


@pytest.mark.django_db
def test_another_district_and_an_enterprise_cannot_act(mon: dict[str, Any]) -> None:
    from gaoqi.web.core.errors import NotFound

    (w,) = _open(mon)
    for actor in (mon["chaoyang"], mon["ent"], mon["evaluator"]):
        with pytest.raises(DomainError):
            services.warning_acknowledge(actor, w.pk)
    with pytest.raises(NotFound):
        services.warning_acknowledge(mon["chaoyang"], w.pk)
    assert Warning.objects.get().status == "open"
    services.warning_acknowledge(mon["municipal"], w.pk)  # the municipal office may act on any


@pytest.mark.django_db
def test_a_referral_opens_the_revocation_path(mon: dict[str, Any]) -> None:
    (w,) = _open(mon)
    done = services.warning_handle(mon["haidian"], w.pk, action="referral", note="连续两年科技人员占比不足")
    ref = RevocationReferral.objects.get()
    assert (done.status, done.action, done.referral_id) == ("handled", "referral", ref.pk)
    assert (ref.source_kind, ref.source_id, ref.uscc, ref.status) == ("warning", w.pk, mon["hd"].uscc, "referred")
    assert ref.reasons == f"监测预警 #{w.pk}（科技人员占比低于10%）：连续两年科技人员占比不足"
    assert Notification.objects.filter(user=mon["municipal"], text__contains="移送撤销程序").count() == 1


@pytest.mark.django_db
def test_escalation_at_the_working_day_boundary_once(mon: dict[str, Any]) -> None:
    """HIGH: 10 working days from Wed 30 Sep 2026 → due Tue 20 Oct; escalated on the 21st, not on the 20th."""
    w1, w2 = _open(mon, row(mon["hd"]), row(mon["cy"], severity="CRITICAL"))
    assert (w1.due_on, w2.due_on) == (dt.date(2026, 10, 20), dt.date(2026, 10, 13))
    services.warning_handle(mon["chaoyang"], w2.pk, action="interview", note="已约谈")  # handled: never escalated
    mon["clock"]["day"] = dt.date(2026, 10, 20)
    assert services.daily()["escalated"] == []
    mon["clock"]["day"] = dt.date(2026, 10, 21)
    assert services.daily()["escalated"] == [w1.pk]
    assert services.daily()["escalated"] == []  # idempotent
    w1.refresh_from_db()
    assert w1.status == "open" and w1.escalated_at is not None
    log = w1.transitions.get(action="escalate")
    assert (log.source, log.target, log.comment) == (
        "open",
        "open",
        "超过处置时限（2026年10月20日），已报市级管理部门督办",
    )
    notes = Notification.objects.filter(user=mon["municipal"], text__contains="已督办")
    assert [n.text for n in notes] == ["1 条监测预警超过处置时限，已督办"]


@pytest.mark.django_db
def test_open_warning_enterprises(mon: dict[str, Any]) -> None:
    *_, w3 = _open(mon, row(mon["hd"], severity="CRITICAL"), row(mon["hd2"]), row(mon["cy"], severity="CRITICAL"))
    services.warning_dismiss(mon["chaoyang"], w3.pk, reason="误报")
    assert open_warning_enterprises({"CRITICAL"}) == {mon["hd"].pk}
    assert open_warning_enterprises(["CRITICAL", "HIGH"]) == {mon["hd"].pk, mon["hd2"].pk}
    assert open_warning_enterprises([]) == set()


@pytest.mark.django_db(transaction=True)
def test_two_officials_acting_at_once_one_wins(mon: dict[str, Any]) -> None:
    (w,) = _open(mon)
    out = race(
        lambda: services.warning_handle(mon["haidian"], w.pk, action="interview", note="约谈一", seen="open"),
        lambda: services.warning_dismiss(mon["haidian2"], w.pk, reason="误报", seen="open"),
    )
    assert sorted(kind for kind, _ in out) == ["error", "ok"]
    error = next(v for kind, v in out if kind == "error")
    assert isinstance(error, Conflict)
    fresh = Warning.objects.get()
    assert fresh.status in ("handled", "dismissed")
    assert fresh.transitions.filter(action__in=("handle", "dismiss")).count() == 1
