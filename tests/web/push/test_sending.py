"""Deliveries: channels and addresses, muting (M4), the weekly cap, quiet hours, and the sending job's stop,
crash and resume without a message sent twice."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from gaoqi.web import roles
from gaoqi.web.core.errors import DomainError
from gaoqi.web.push import services, timing
from gaoqi.web.push.models import Delivery, Message, PushJob
from tests.web import factories as f
from tests.web.push.factories import POLICY, TAX, publish

pytestmark = pytest.mark.django_db
BJ = timezone.get_fixed_timezone(8 * 60)


def at(hour: int, minute: int = 0, day: int = 7) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=BJ)


@pytest.fixture
def sms_file(settings: Any, tmp_path: Path) -> Path:
    settings.GAOQI_SMS_BACKEND = "gaoqi.web.push.sms.FileBackend"
    settings.GAOQI_SMS_FILE = str(tmp_path / "sms.jsonl")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return tmp_path / "sms.jsonl"


@pytest.fixture
def noon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timing, "now", lambda: at(12))


def sms_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def enterprise_with_account(phone: str = "13800000001", email: str = "a@example.cn", **kw: Any) -> Any:
    ent = f.enterprise(**kw)
    ent.phone = phone
    ent.save(update_fields=["phone"])
    account = f.user(roles.ENTERPRISE, uscc=ent.uscc)
    account.email = email
    account.save(update_fields=["email"])
    return ent


def start(snap: Any) -> PushJob:
    """A started job with its deliveries queued (what its task does first)."""
    job = services.job_start(f.user(roles.MUNICIPAL), snap.pk)
    services._prepare(job.pk)
    job.refresh_from_db()
    return job


def test_a_message_goes_to_each_account_by_email_and_to_the_contact_phone_by_sms(sms_file: Path, noon: None) -> None:
    ent = enterprise_with_account()
    second = f.user(roles.ENTERPRISE, uscc=ent.uscc)
    second.email = "b@example.cn"
    second.save(update_fields=["email"])
    f.user(roles.ENTERPRISE, uscc=ent.uscc)  # no address: no delivery
    snap = publish({(ent, POLICY): "pass"})
    job = start(snap)
    assert services.job_run(job.pk) == "done"
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.cn", "b@example.cn"]
    assert "符合“北京市东城区高新技术企业奖励" in mail.outbox[0].subject or "符合" in mail.outbox[0].subject
    assert "12345" in mail.outbox[0].body
    lines = sms_lines(sms_file)
    assert [x["to"] for x in lines] == ["13800000001"] and "消息中心" in lines[0]["body"]
    job.refresh_from_db()
    assert (job.status, job.total, job.sent, job.failed) == ("done", 3, 3, 0)
    assert Message.objects.get(enterprise=ent).pushed_at is not None


def test_a_muted_category_gets_no_email_or_sms_but_a_compliance_reminder_still_does_m4(
    sms_file: Path, noon: None
) -> None:
    ent = enterprise_with_account()
    account = f.user(roles.ENTERPRISE, uscc=ent.uscc)
    services.mute_set(account, ["reward"])
    snap = publish({(ent, POLICY): "pass", (ent, TAX): "pass"})
    services.job_run(start(snap).pk)
    assert [m.subject for m in mail.outbox if "研发费用" in m.subject or "东城" in m.subject]
    sent = Delivery.objects.filter(status="sent").values_list("message__policy_id", flat=True)
    assert set(sent) == {TAX}  # the reward is in the inbox only
    assert Message.objects.filter(enterprise=ent, policy_id=POLICY).exists()
    # W02 (compliance) cannot be muted: it goes whatever was muted
    with pytest.raises(DomainError):
        services.mute_set(account, ["compliance"])
    services.mute_set(account, ["reward", "tax", "certification", "other"])
    notice = services.notice_send(None, ent.uscc, "compliance", "W02 合规提醒：高企资格即将到期", "请及时办理。")
    services.job_run(services.job_start(f.user(roles.MUNICIPAL), None).pk)
    assert Delivery.objects.filter(message=notice, status="sent").count() == 2  # e-mail and SMS


def test_the_weekly_cap_keeps_the_rest_in_the_inbox(sms_file: Path, noon: None, monkeypatch: Any) -> None:
    from gaoqi.web.push import config

    monkeypatch.setattr(config, "max_per_week", lambda: 2)
    ent = enterprise_with_account(email="")
    snap = publish({(ent, POLICY): "pass", (ent, TAX): "pass", (ent, "hte-certification"): "pass"})
    services.job_run(start(snap).pk)
    assert Message.objects.filter(enterprise=ent).count() == 3
    assert Message.objects.filter(enterprise=ent, pushed_at__isnull=False).count() == 2  # exactly the cap
    assert len(sms_lines(sms_file)) == 2
    # a week later minus a second: still capped; a mandatory notice is not counted and not capped
    notice = services.notice_send(None, ent.uscc, "decision", "认定结果通知", "贵企业已通过认定。")
    assert Delivery.objects.filter(message=notice).count() == 1
    other = f.enterprise()
    snap2 = publish(
        {(ent, POLICY): "pass", (ent, "hte-certification"): "pass", (ent, TAX): "fail", (other, TAX): "pass"},
        ruleset="h2",
    )
    monkeypatch.setattr(timing, "now", lambda: at(11, 59) + dt.timedelta(days=7))
    services.job_run(start(snap2).pk)
    assert Message.objects.get(snapshot=snap2, enterprise=ent).pushed_at is None  # the window still holds 2
    snap3 = publish({(ent, POLICY): "pass", (ent, "hte-certification"): "pass", (ent, TAX): "pass"}, ruleset="h3")
    monkeypatch.setattr(timing, "now", lambda: at(12, 1) + dt.timedelta(days=7))
    services.job_run(start(snap3).pk)
    assert Message.objects.get(snapshot=snap3, enterprise=ent).pushed_at is not None  # the window moved on


@pytest.mark.parametrize(
    ("now", "deferred_to"),
    [(at(21, 59), at(21, 59)), (at(22, 0), at(8, 0, day=8)), (at(7, 59), at(8, 0)), (at(8, 0), at(8, 0))],
)
def test_quiet_hours_boundaries(now: dt.datetime, deferred_to: dt.datetime) -> None:
    assert timing.sms_not_before(now) == deferred_to
    assert timing.quiet(now) == (now != deferred_to)


def test_an_sms_at_22_00_waits_for_08_00_while_the_email_goes(sms_file: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(timing, "now", lambda: at(22, 0))
    ent = enterprise_with_account()
    snap = publish({(ent, POLICY): "pass"})
    job = start(snap)
    assert services.job_run(job.pk) == "running"  # come back at 08:00
    job.refresh_from_db()
    assert job.deferred_until == at(8, 0, day=8) and len(mail.outbox) == 1 and sms_lines(sms_file) == []
    monkeypatch.setattr(timing, "now", lambda: at(7, 59, day=8))
    services.job_run(job.pk)
    assert sms_lines(sms_file) == []
    monkeypatch.setattr(timing, "now", lambda: at(8, 0, day=8))
    assert services.job_run(job.pk) == "done"
    assert len(sms_lines(sms_file)) == 1


def test_a_crash_mid_job_then_a_resume_sends_each_delivery_exactly_once(
    sms_file: Path, noon: None, monkeypatch: Any
) -> None:
    ents = [enterprise_with_account(phone=f"1390000{i:04d}", email="") for i in range(7)]
    snap = publish({(e, POLICY): "pass" for e in ents})
    job = start(snap)
    from gaoqi.web.push import sms

    real = sms.FileBackend.send_messages

    def dying(self: Any, messages: list[Any]) -> int:
        real(self, messages[:2])  # killed after two of the batch were sent
        raise SystemExit("killed")

    monkeypatch.setattr(sms.FileBackend, "send_messages", dying)
    with pytest.raises(SystemExit):
        services.batch_send(job.pk, limit=4)  # claims four, sends two, dies
    assert Delivery.objects.filter(status="sending").count() == 4 and len(sms_lines(sms_file)) == 2
    monkeypatch.setattr(sms.FileBackend, "send_messages", real)
    assert services.job_run(job.pk) == "done"
    refs = [x["ref"] for x in sms_lines(sms_file)]
    assert len(refs) == 7 and len(set(refs)) == 7  # each delivery once, none twice
    job.refresh_from_db()
    assert (job.sent, job.unknown) == (7, 0)


def test_an_email_left_sending_by_a_crash_is_marked_for_checking_never_resent(sms_file: Path, noon: None) -> None:
    ent = enterprise_with_account(phone="")
    snap = publish({(ent, POLICY): "pass"})
    job = start(snap)
    services._claim(job.pk, 10)  # claimed and marked sending; the process dies before sending
    assert services.job_run(job.pk) == "done"
    assert mail.outbox == [] and Delivery.objects.get().status == "unknown"


def test_a_gateway_refusing_a_batch_fails_what_it_did_not_send(sms_file: Path, noon: None, monkeypatch: Any) -> None:
    from gaoqi.web.push import sms

    ents = [enterprise_with_account(phone=f"1360000{i:04d}", email="") for i in range(3)]
    snap = publish({(e, POLICY): "pass" for e in ents})
    job = start(snap)
    real = sms.FileBackend.send_messages

    def partial(self: Any, messages: list[Any]) -> int:
        real(self, messages[:1])
        raise ConnectionError("gateway down")

    monkeypatch.setattr(sms.FileBackend, "send_messages", partial)
    assert services.job_run(job.pk) == "done"
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["failed", "failed", "sent"]
    assert Delivery.objects.filter(status="failed").first().error == "短信发送失败：ConnectionError"


def test_stop_and_resume(sms_file: Path, noon: None) -> None:
    ents = [enterprise_with_account(phone=f"1370000{i:04d}", email="") for i in range(5)]
    snap = publish({(e, POLICY): "pass" for e in ents})
    official = f.user(roles.MUNICIPAL)
    job = services.job_start(official, snap.pk)
    services._prepare(job.pk)
    services.batch_send(job.pk, limit=2)
    services.job_stop(official, job.pk)
    assert services.job_run(job.pk) == "stopped"
    assert len(sms_lines(sms_file)) == 2
    services.job_resume(official, job.pk)
    assert services.job_run(job.pk) == "done"
    assert sorted(x["to"] for x in sms_lines(sms_file)) == sorted(e.phone for e in ents)


def test_only_the_municipal_office_starts_a_job_and_one_at_a_time(noon: None) -> None:
    ent = f.enterprise()
    snap = publish({(ent, POLICY): "pass"})
    with pytest.raises(DomainError):
        services.job_start(f.user(roles.DISTRICT), snap.pk)
    services.job_start(f.user(roles.MUNICIPAL), snap.pk)
    with pytest.raises(DomainError):
        services.job_start(f.user(roles.MUNICIPAL), snap.pk)


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_job_send_each_delivery_once(sms_file: Path, noon: None) -> None:
    from tests.web.conftest import race

    ents = [enterprise_with_account(phone=f"1350000{i:04d}", email="") for i in range(12)]
    snap = publish({(e, POLICY): "pass" for e in ents})
    job = start(snap)

    def worker() -> int:
        n = 0
        while claimed := services.batch_send(job.pk, limit=3):
            n += claimed
        return n

    outcomes = race(worker, worker)
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert sum(n for _, n in outcomes) == 12
    refs = [x["ref"] for x in sms_lines(sms_file)]
    assert len(refs) == len(set(refs)) == 12


def test_bad_input_is_refused_in_words(noon: None) -> None:
    ent = f.enterprise()
    account = f.user(roles.ENTERPRISE, uscc=ent.uscc)
    with pytest.raises(DomainError) as refused:
        services.notice_send(None, ent.uscc, "reward", "奖励", "正文")  # not a mandatory category
    assert refused.value.fields == {"category": "类别不可用"}
    with pytest.raises(DomainError):
        services.notice_send(None, ent.uscc, "compliance", "  ", "正文")
    with pytest.raises(DomainError):
        services.notice_send(None, "91110108MA0000000X", "compliance", "提醒", "正文")
    with pytest.raises(DomainError) as refused:
        services.mute_set(account, ["lottery"])
    assert "未知" in refused.value.message
    with pytest.raises(DomainError):
        services.mute_set(f.user(roles.DISTRICT), ["reward"])  # officials have no subscription
    with pytest.raises(DomainError):
        services.job_start(f.user(roles.MUNICIPAL), 987654)  # no such snapshot


def test_the_audit_log_names_each_act(sms_file: Path, noon: None) -> None:
    from gaoqi.web.audit.models import AuditEvent

    ent = enterprise_with_account()
    account = f.user(roles.ENTERPRISE, uscc=ent.uscc)
    snap = publish({(ent, POLICY): "pass"})
    official = f.user(roles.MUNICIPAL)
    job = services.job_start(official, snap.pk)
    services.job_run(job.pk)
    services.message_read(account, Message.objects.get(enterprise=ent))
    notice = services.notice_send(official, ent.uscc, "decision", "认定结果", "通过")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"push.derive", "push_job.start", "push.read", "push.notice"} <= actions
    assert AuditEvent.objects.get(action="push.notice").target == f"message:{notice.pk}"
    assert AuditEvent.objects.get(action="push_job.start").username == official.username
