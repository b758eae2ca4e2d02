"""The 快申快享 writes (each atomic, taking the acting user, audited): an enterprise starts an application for a
policy from the shared data (prefilled, locked, with sources), attests, attaches PDFs to attested conditions,
checks itself and submits; the responsible office returns it for correction, approves or rejects it within the
policy's time limit in working days (process.yaml, DEFAULT 60). Every status change goes through
``core.workflow`` (workflow.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.certification import workdays
from gaoqi.web.core import clock
from gaoqi.web.core.errors import Conflict, DomainError, Forbidden, NotFound
from gaoqi.web.core.labels import feature_label
from gaoqi.web.core.locks import STALE, StaleActionError, locked, serialize
from gaoqi.web.core.models import WorkflowLog
from gaoqi.web.core.uploads import pdf_upload, stored_open, stored_write
from gaoqi.web.core.workflow import Transition, create, transition
from gaoqi.web.quickapply import prefill as pf
from gaoqi.web.quickapply import workflow as wf
from gaoqi.web.quickapply.config import config
from gaoqi.web.quickapply.models import PolicyApplication, PolicyApplicationAttachment

MAX_ATTACHMENT = 20 * 1024 * 1024
MAX_ATTACHMENTS = 20
NOTE_MAX = 2000


def _target(app: Any) -> str:
    return f"quickapply:{app.pk}"


def period_of(day: dt.date) -> str:
    """The application period of ``day`` (process.yaml ``period``: the calendar year, a DEFAULT)."""
    return str(day.year)


def _taken(uscc: str, policy_id: str) -> str | None:
    """Why the period is taken: the enterprise's application of this period that is neither rejected nor
    withdrawn (one per enterprise, policy and period), or None."""
    period = period_of(clock.today())
    existing = (
        PolicyApplication.objects.filter(uscc=uscc, policy_id=policy_id, period=period)
        .exclude(status__in=wf.CLOSED_WITHOUT_BENEFIT)
        .first()
    )
    if existing is None:
        return None
    state = wf.STATUS_LABELS[existing.status]
    return f"贵企业{period}年度已有该政策的申请（{state}），请在原申请中继续办理；同一政策每个申报期只能有一份申请"


@transaction.atomic
def application_start(actor: Any, policy_id: str) -> PolicyApplication:
    """An enterprise's application for ``policy_id``, prefilled from the current snapshot's profile."""
    from gaoqi.web.enterprises.models import Enterprise, PolicyResult
    from gaoqi.web.intake.selectors import current_snapshot
    from gaoqi.web.units.models import DISTRICT, MUNICIPAL
    from gaoqi.web.units.selectors import unit_for

    if getattr(actor, "role", None) != roles.ENTERPRISE:
        raise Forbidden("只有企业用户可以申请政策")
    ent = Enterprise.objects.filter(uscc=actor.uscc).first()
    if ent is None:
        raise DomainError("共享数据中没有您的企业")
    snap = current_snapshot()
    if snap is None:
        raise DomainError("尚无已发布的数据快照，请待数据汇聚完成后再申请")
    policy, why = pf.applicable(policy_id)
    if policy is None or why:
        raise DomainError(why or "政策不存在")
    serialize(f"quickapply_start:{ent.uscc}:{policy_id}")  # two starts at once: the second sees the first
    if taken := _taken(ent.uscc, policy_id):
        raise Conflict(taken)
    version = policy.version_at(snap.as_of)
    if version is None:
        raise DomainError(f"“{policy.name}”在数据基准日{snap.as_of:%Y年%-m月%-d日}没有施行中的版本")
    district = pf.responsible_district(policy, version)
    unit = unit_for("sci", level=DISTRICT, district_code=district) if district else unit_for("hte", level=MUNICIPAL)
    days, unconfirmed = config().limit(policy_id)
    prefilled = pf.prefill(ent, policy, version)
    result = PolicyResult.objects.of(snap).filter(enterprise=ent, policy_id=policy_id).first()
    amount = result.benefit_amount if result is not None and result.status == "pass" else None

    def make(status: str) -> PolicyApplication:
        try:
            with transaction.atomic():
                return PolicyApplication.objects.create(
                    uscc=ent.uscc, enterprise_name=ent.name, district_code=ent.district_code, policy_id=policy.id,
                    policy_name=policy.name, policy_version=version.id, period=period_of(clock.today()),
                    responsible_district=district, unit_code=unit.code if unit is not None else "", status=status,
                    as_of=snap.as_of, prefill=prefilled, time_limit_days=days, time_limit_unconfirmed=unconfirmed,
                    stage_started_at=clock.today(), benefit_amount=amount, created_by=actor,
                )  # fmt: skip
        except IntegrityError:
            raise Conflict("同一政策每个申报期只能有一份申请，贵企业已有该政策的申请") from None

    app: PolicyApplication = create(
        wf.APPLICATION, "start", actor, make, audit_target=_target,
        audit_detail=lambda o: {"policy": o.policy_id, "version": o.policy_version, "period": o.period},
    )  # fmt: skip
    check = pf.self_check(app)
    PolicyApplication.objects.filter(pk=app.pk).update(self_check=check)
    app.self_check = check
    return app


def _editable(actor: Any, app: PolicyApplication) -> PolicyApplication:
    """The application re-read under its lock, refused unless its enterprise may still change it."""
    if getattr(actor, "role", None) != roles.ENTERPRISE or actor.uscc != app.uscc:
        raise Forbidden("只能修改本企业的申请")
    fresh: PolicyApplication = locked(PolicyApplication, app.pk)
    if fresh.status not in (wf.DRAFT, wf.RETURNED):
        raise StaleActionError(f"申请当前为“{wf.STATUS_LABELS[fresh.status]}”，不能再修改（{STALE}）")
    return fresh


@transaction.atomic
def application_fill(
    actor: Any, app: PolicyApplication, *, note: str, values: dict[str, Any] | None = None
) -> PolicyApplication:
    """The enterprise's note (申请说明). Every value of the form is shared data, locked: a posted value is refused."""
    if values:
        names = [feature_label(n) for n in sorted(values)]
        raise DomainError(
            "以下数值来自共享数据，已锁定，不能修改：" + "、".join(names), fields=dict.fromkeys(values, "已锁定")
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(f"申请说明不能超过{NOTE_MAX}字", fields={"note": "过长"})
    app = _editable(actor, app)
    app.note = note
    app.save(update_fields=["note"])
    audit_record(actor, "quickapply.fill", target=_target(app), detail={"note_length": len(note)})
    return app


@transaction.atomic
def application_declare(actor: Any, app: PolicyApplication, condition_ids: list[str]) -> PolicyApplication:
    """The enterprise's attestations (告知承诺) of the version's attested conditions."""
    if not condition_ids:
        raise DomainError("请选择要承诺的事项", fields={"conditions": "必选"})
    policy = pf.policy_get(app.policy_id)
    version = pf.version_of(policy, app.policy_version) if policy is not None else None
    allowed = {c.id for c in pf.attested_conditions(version)} if version is not None else set()
    if unknown := set(condition_ids) - allowed:
        raise DomainError("不能承诺的事项：" + "、".join(sorted(unknown)), fields={"conditions": "不是需承诺的条件"})
    app = _editable(actor, app)
    app.declarations = {**app.declarations, **dict.fromkeys(condition_ids, timezone.now().isoformat())}
    app.save(update_fields=["declarations"])
    audit_record(actor, "quickapply.declare", target=_target(app), detail={"conditions": sorted(condition_ids)})
    return app


@transaction.atomic
def attachment_add(actor: Any, app: PolicyApplication, condition_id: str, file_name: str, data: bytes) -> Any:
    """A PDF for an attested condition (what the government does not hold): checked by content, not by name."""
    policy = pf.policy_get(app.policy_id)
    version = pf.version_of(policy, app.policy_version) if policy is not None else None
    attested = {c.id for c in pf.attested_conditions(version)} if version is not None else set()
    if condition_id not in attested:
        raise DomainError("只有需企业承诺的条件可以上传证明材料（其余数据政府已掌握，无需提交）",
                          fields={"condition": "不需要附件"})  # fmt: skip
    shown, pages = pdf_upload(file_name, data, max_bytes=MAX_ATTACHMENT)
    app = _editable(actor, app)
    if app.attachments.aggregate(n=models.Count("id"))["n"] >= MAX_ATTACHMENTS:
        raise DomainError(f"每份申请最多上传 {MAX_ATTACHMENTS} 个附件")
    path, digest = stored_write("quickapply", app.pk, data)
    att = PolicyApplicationAttachment.objects.create(
        application=app, condition_id=condition_id, file_name=shown, path=path,
        sha256=digest, size=len(data), pages=pages, uploaded_by=actor,
    )  # fmt: skip
    audit_record(actor, "quickapply.attach", target=_target(app), detail={"condition": condition_id, "sha256": digest})
    return att


def attachment_open(actor: Any, app: PolicyApplication, attachment_id: int) -> tuple[Any, Any]:
    """An attachment of an application the actor may see (the selector scoped it), opened; audited."""
    item = PolicyApplicationAttachment.objects.filter(application=app, pk=attachment_id).first()
    if item is None:
        raise NotFound("附件不存在")
    handle = stored_open(item.path, "quickapply")
    if handle is None:
        raise NotFound("附件文件不存在")
    audit_record(actor, "quickapply.attachment_download", target=_target(app),
                 detail={"attachment": item.pk, "sha256": item.sha256})  # fmt: skip
    return item, handle


def application_self_check(actor: Any, app: PolicyApplication) -> dict[str, Any]:
    """The self-check (prefill.self_check), kept on the application (what the office sees was checked)."""
    result = pf.self_check(app)
    PolicyApplication.objects.filter(pk=app.pk).update(self_check=result)
    app.self_check = result
    return result


# ------------------------------------------------------------------------------------------------------
# the workflow's guards


def _ready(actor: Any, app: PolicyApplication) -> str | None:
    result = application_self_check(actor, app)
    return None if result["passed"] else "自评未通过，不能提交：" + "；".join(result["blocking"])


def may_decide(actor: Any, app: Any) -> bool:
    """The responsible office: the district of a district's policy, else the municipal office."""
    role = getattr(actor, "role", None)
    if app.responsible_district:
        return role == roles.DISTRICT and actor.district_code == app.responsible_district
    return role == roles.MUNICIPAL


def responsible_words(app: Any) -> str:
    from gaoqi.web.core.labels import district as district_name

    return f"{district_name(app.responsible_district)}主管部门" if app.responsible_district else "市级主管部门"


def _responsible(actor: Any, app: PolicyApplication) -> str | None:
    return None if may_decide(actor, app) else f"本申请由{responsible_words(app)}审核"


GUARDS = {"ready": _ready, "responsible": _responsible}


def _own(actor: Any, app: PolicyApplication) -> str | None:
    enterprise = actor is not None and actor.role == roles.ENTERPRISE
    return "只能操作本企业的申请" if enterprise and actor.uscc != app.uscc else None


def decision_clock(start: dt.date, days: int) -> tuple[dt.date, bool]:
    """The last day (inclusive) of ``days`` working days beginning on ``start``, and whether it is provisional."""
    return workdays.deadline_provisional(start, max(days, 1))


@transaction.atomic
def application_transition(
    actor: Any, app: PolicyApplication, action: str, comment: str = "", *, seen: str | None = None
) -> PolicyApplication:
    """Move ``app`` by ``action`` (workflow.py), checked on the row re-read under its lock. The decision clock:
    a submission starts it with the policy's time limit; a return stops it (the days used are kept); a
    resubmission restarts it with what is left; a decision ends it."""
    if _own(actor, app):
        raise NotFound("申请不存在或不在您的管辖范围内")

    def on_enter(fresh: PolicyApplication, t: Transition, log: WorkflowLog) -> list[str]:
        today = clock.today()
        log.workdays_used, _ = workdays.workdays_between_provisional(fresh.stage_started_at, today)
        if t.source == wf.SUBMITTED:  # the office's time ends (returned or decided)
            fresh.office_days_used = min(fresh.office_days_used + max(log.workdays_used, 0), 32767)
        if t.target == wf.SUBMITTED:
            left = max(fresh.time_limit_days - fresh.office_days_used, 1)
            fresh.decision_due, fresh.decision_due_provisional = decision_clock(today, left)
            fresh.submitted_at = timezone.now()
        if t.target in (wf.APPROVED, wf.REJECTED):
            fresh.decided_at = timezone.now()
        fresh.stage_started_at = today
        return ["stage_started_at", "office_days_used", "decision_due", "decision_due_provisional", "submitted_at",
                "decided_at"]  # fmt: skip

    moved = transition(
        wf.APPLICATION, PolicyApplication, app.pk, action, actor, seen=seen if seen is not None else app.status,
        comment=comment, guards=GUARDS, permit=_own, on_enter=on_enter, audit_target=_target(app),
    )  # fmt: skip
    _notify(moved.obj, moved.transition, comment)
    return moved.obj


def _notify(app: PolicyApplication, t: Transition, comment: str) -> None:
    """The office is told of a submission on its bell; the enterprise of the office's decision (returned, approved,
    rejected) by a mandatory notice with the office's words (消息中心, e-mail and SMS, never muted)."""
    from gaoqi.web.accounts.models import User
    from gaoqi.web.certification.services import notify
    from gaoqi.web.push.services import notice_send

    title = f"{app.enterprise_name} · {app.policy_name}：{t.label}（{wf.STATUS_LABELS[t.target]}）"
    link = f"/quick-apply/{app.pk}/"
    if t.target in (wf.RETURNED, wf.APPROVED, wf.REJECTED):
        notice_send(None, app.uscc, "decision", title, comment or t.label, link=link)
        return
    if t.target != wf.SUBMITTED:
        return  # the enterprise's own withdrawal
    if app.responsible_district:
        users = User.objects.filter(role=roles.DISTRICT, district_code=app.responsible_district, is_active=True)
    else:
        users = User.objects.filter(role=roles.MUNICIPAL, is_active=True)
    notify(users, title, link)


# ------------------------------------------------------------------------------------------------------
# export

EXPORT_LIMIT = 50_000
EXPORT_COLUMNS = ("编号", "统一社会信用代码", "企业名称", "所属区县", "政策", "政策版本", "申报期", "负责审核",
                  "状态", "提交时间", "审核截止日", "截止日暂定", "是否超期", "办理时限（工作日）", "时限为默认值")  # fmt: skip


def applications_export(actor: Any, rows: Any, *, request: Any = None) -> bytes:
    """The applications ``rows`` (already scoped and filtered) as an Excel workbook; audited."""
    from gaoqi.web.core.labels import district as district_name
    from gaoqi.web.exports import xlsx
    from gaoqi.web.quickapply.selectors import is_overdue

    today, n = clock.today(), 0

    def lines() -> Any:
        nonlocal n
        for a in rows[:EXPORT_LIMIT]:
            n += 1
            yield [
                a.pk, a.uscc, a.enterprise_name, district_name(a.district_code), a.policy_name, a.policy_version,
                a.period, responsible_words(a), wf.STATUS_LABELS[a.status],
                timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M") if a.submitted_at else "",
                a.decision_due, "是" if a.decision_due_provisional else "否", "是" if is_overdue(a, today) else "否",
                a.time_limit_days, "是" if a.time_limit_unconfirmed else "否",
            ]  # fmt: skip

    data = xlsx("政策申请", list(EXPORT_COLUMNS), lines())
    audit_record(actor, "export", target="quickapply_applications", request=request, detail={"rows": n})
    return data
