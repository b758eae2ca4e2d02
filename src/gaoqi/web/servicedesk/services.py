"""The servicedesk's writes (each atomic, taking the acting user, audited): an enterprise files a request for
its own enterprise (an official on behalf of an enterprise in its scope: a 12345 ticket, a service day, a service
package); routing.yaml sends it to a unit; the unit accepts, answers or transfers it; the enterprise rates the
answer (once) or reopens it (once); the daily job escalates overdue requests (督办, once per stage) and closes
answered requests left unrated. Entrepreneur service days: the event, its invited and attending enterprises,
the leader's follow-up. Every status change goes through ``core.workflow`` (workflow.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.core import clock
from gaoqi.web.core.errors import DomainError, Forbidden, NotFound
from gaoqi.web.core.workflow import Transition, create, transition
from gaoqi.web.servicedesk import workflow as wf
from gaoqi.web.servicedesk.config import (
    CATEGORIES,
    CHANNELS,
    RESOLVED,
    SATISFACTION,
    URGENCIES,
    due_after,
    process_config,
    routing,
)
from gaoqi.web.servicedesk.models import Request, RequestAttachment, ServiceDay, ServiceDayFollowUp, ServiceDayInvite

ATTACHMENT_FOLDER = "servicedesk"

# ------------------------------------------------------------------------------------------------------
# attachments: parsed, never trusted by name


def attachment_check(name: str, data: bytes) -> int:
    """The number of pages of an acceptable attachment (a PDF without active content, by content; the size
    capped by process.yaml); a DomainError naming the file otherwise. Images are not accepted: Pillow is not
    among the platform's dependencies, and an image cannot be verified without it."""
    from gaoqi.web.core.uploads import pdf_upload

    return pdf_upload(name, data, max_bytes=process_config().max_bytes, field="attachments")[1]


def _attachments_store(actor: Any, req: Request, files: Sequence[tuple[str, bytes]], pages: list[int]) -> None:
    from gaoqi.web.core.uploads import shown_name, stored_write

    for (name, data), n in zip(files, pages, strict=True):
        path, digest = stored_write(ATTACHMENT_FOLDER, req.pk, data)
        RequestAttachment.objects.create(request=req, file_name=shown_name(name, "附件.pdf"), path=path, sha256=digest, size=len(data),
                                         pages=n, uploaded_by=actor)  # fmt: skip


def attachment_open(actor: Any, pk: int) -> tuple[RequestAttachment, Any]:
    """An attachment and its open file, for those who see its request; every download is audited."""
    from gaoqi.web.core.uploads import stored_open
    from gaoqi.web.servicedesk.selectors import requests_visible_to

    item = RequestAttachment.objects.filter(pk=pk, request__in=requests_visible_to(actor).values("pk")).first()
    if item is None:
        raise NotFound("附件不存在或不在您的管辖范围内")
    handle = stored_open(item.path, ATTACHMENT_FOLDER)
    if handle is None:
        raise NotFound("附件文件不存在")
    audit_record(actor, "servicedesk.attachment_download", target=f"servicedesk_request:{item.request_id}",
                 detail={"attachment": item.pk, "sha256": item.sha256})  # fmt: skip
    return item, handle


# ------------------------------------------------------------------------------------------------------
# filing


def _enterprise_for(actor: Any, uscc: str | None) -> Any:
    """The enterprise a request is filed for: an enterprise user's own (another one refused); an official's
    choice within its scope."""
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.enterprises.selectors import enterprises_visible_to

    role = getattr(actor, "role", None)
    uscc = (uscc or "").strip().upper()
    if role == roles.ENTERPRISE:
        if uscc and uscc != actor.uscc:
            raise Forbidden("企业用户只能为本企业提出诉求", fields={"uscc": "不是本企业"})
        ent = Enterprise.objects.filter(uscc=actor.uscc).first()
        if ent is None:
            raise DomainError("共享数据中没有您的企业，暂不能提出诉求")
        return ent
    if role in (roles.DISTRICT, roles.MUNICIPAL):
        if not uscc:
            raise DomainError("请填写诉求企业的统一社会信用代码", fields={"uscc": "必须填写"})
        ent = enterprises_visible_to(actor).filter(uscc=uscc).first()
        if ent is None:
            raise NotFound(f"企业“{uscc}”不存在或不在您的管辖范围内", fields={"uscc": "不在管辖范围内"})
        return ent
    raise Forbidden("您的角色不能提出诉求")


@transaction.atomic
def request_file(
    actor: Any,
    *,
    category: str,
    title: str,
    description: str,
    urgency: str = "",
    channel: str = "platform",
    uscc: str | None = None,
    event_id: int | None = None,
    files: Sequence[tuple[str, bytes]] = (),
) -> Request:
    """A request filed now: routed by routing.yaml, its acceptance and answer limits in working days from today
    (process.yaml), attachments checked before anything is written."""
    cfg = process_config()
    urgency = urgency or cfg.default_urgency
    if category not in CATEGORIES:
        raise DomainError("请选择诉求类别", fields={"category": "未知类别"})
    if urgency not in URGENCIES:
        raise DomainError("请选择紧急程度", fields={"urgency": "未知的紧急程度"})
    if channel not in CHANNELS:
        raise DomainError("未知的诉求来源渠道", fields={"channel": "未知渠道"})
    title, description = (title or "").strip(), (description or "").strip()
    if not title or len(title) > 100:
        raise DomainError("请填写标题（不超过100字）", fields={"title": "必须填写"})
    if not description or len(description) > 5000:
        raise DomainError("请填写诉求内容（不超过5000字）", fields={"description": "必须填写"})
    ent = _enterprise_for(actor, uscc)
    if actor.role == roles.ENTERPRISE and channel != "platform":
        raise DomainError("企业通过平台提出的诉求，渠道为“平台提交”", fields={"channel": "企业只能在平台提交"})
    if actor.role != roles.ENTERPRISE and channel == "platform":
        raise DomainError(
            "代企业录入的诉求须注明来源渠道（12345热线、企业家服务日或服务包）", fields={"channel": "请选择渠道"}
        )
    event = None
    if channel == "entrepreneur_day" or event_id:
        event = _event_for_request(actor, event_id, ent.uscc)
        channel = "entrepreneur_day"
    if len(files) > cfg.per_request:
        raise DomainError(f"每件诉求最多上传 {cfg.per_request} 个附件", fields={"attachments": "附件过多"})
    pages = [attachment_check(name, data) for name, data in files]
    unit, rule = routing().resolve(category, ent.district_code)
    today = clock.today()
    accept_due, p1 = due_after(today, cfg.acceptance_workdays)
    answer_due, p2 = due_after(today, cfg.answer_workdays[urgency])
    req: Request = create(
        wf.REQUEST, "file", actor,
        lambda status: Request.objects.create(
            uscc=ent.uscc, enterprise_name=ent.name, district_code=ent.district_code, category=category,
            urgency=urgency, channel=channel, event=event, title=title, description=description, status=status,
            unit=unit, route_rule=rule, filed_by=actor, filed_at=timezone.now(), filed_on=today,
            accept_due=accept_due, answer_due=answer_due, due_provisional=p1 or p2, due_on=accept_due,
        ),
        audit_target=lambda o: f"servicedesk_request:{o.pk}",
        audit_detail=lambda o: {"uscc": o.uscc, "unit": unit.code, "rule": rule, "channel": channel,
                                "attachments": len(files)},
    )  # fmt: skip
    _attachments_store(actor, req, files, pages)
    return req


def _event_for_request(actor: Any, event_id: int | None, uscc: str) -> ServiceDay:
    from gaoqi.web.servicedesk.selectors import service_days_visible_to

    if actor.role == roles.ENTERPRISE:
        raise DomainError(
            "企业家服务日上收集的诉求由区级或市级管理人员代为录入", fields={"channel": "企业不能选择此渠道"}
        )
    if not event_id:
        raise DomainError("请选择收集诉求的企业家服务日", fields={"event": "必须选择"})
    event = service_days_visible_to(actor).filter(pk=event_id).first()
    if event is None:
        raise NotFound("企业家服务日不存在或不在您的管辖范围内", fields={"event": "不存在"})
    if not event.invites.filter(uscc=uscc, attended=True).exists():
        raise DomainError("该企业未出席此次企业家服务日，不能以此渠道录入诉求", fields={"uscc": "未出席"})
    return event


# ------------------------------------------------------------------------------------------------------
# the unit's moves


def _visible(actor: Any, pk: int) -> Request:
    from gaoqi.web.servicedesk.selectors import request_get

    req = request_get(actor, pk)
    if req is None:
        raise NotFound("诉求不存在或不在您的管辖范围内")
    return req


def _handler_guard(actor: Any, obj: Request) -> str | None:
    from gaoqi.web.units.selectors import acts_for

    if not acts_for(actor, obj.unit):
        return "只有承办单位的管理人员可以办理该诉求"
    return None


def _overdue_guard(actor: Any, obj: Request) -> str | None:
    if obj.escalated_on is not None:
        return "该诉求本阶段已督办"
    if obj.due_on is None or obj.due_on >= clock.today():
        return "该诉求尚未超时"
    return None


def _close_guard(actor: Any, obj: Request) -> str | None:
    if obj.due_on is None or obj.due_on >= clock.today():
        return "尚未到自动办结日期"
    return None


def _reopen_guard(actor: Any, obj: Request) -> str | None:
    limit = process_config().reopen_limit
    if obj.reopen_count >= limit:
        return f"每件诉求只能申请重新办理 {limit} 次，已用完"
    return None


def _own_enterprise(actor: Any, obj: Request | None) -> str | None:
    if obj is not None and getattr(actor, "uscc", "") != obj.uscc:
        return "只有提出诉求的企业可以评价或申请重新办理"
    return None


GUARDS = {"handler": _handler_guard, "overdue": _overdue_guard, "close_due": _close_guard, "reopen_left": _reopen_guard}


def _move(actor: Any, pk: int, action: str, *, comment: str = "", seen: str | None = None,
          on_enter: Any = None, detail: dict[str, Any] | None = None) -> Request:  # fmt: skip
    moved = transition(
        wf.REQUEST, Request, pk, action, actor, seen=seen, comment=comment, guards=GUARDS,
        permit=_own_enterprise if action in ("rate", "reopen") else None, on_enter=on_enter,
        audit_target=f"servicedesk_request:{pk}",
        audit_detail=detail,
    )  # fmt: skip
    return moved.obj


@transaction.atomic
def request_accept(actor: Any, pk: int, *, seen: str | None = None) -> Request:
    _visible(actor, pk)

    def enter(obj: Request, t: Transition, log: Any) -> list[str]:
        obj.accepted_on, obj.due_on = clock.today(), obj.answer_due
        obj.escalated_on = None  # a new stage: its own escalation
        return ["accepted_on", "due_on", "escalated_on"]

    return _move(actor, pk, "accept", seen=seen, on_enter=enter)


@transaction.atomic
def request_answer(actor: Any, pk: int, answer: str, *, seen: str | None = None) -> Request:
    _visible(actor, pk)
    answer = (answer or "").strip()
    if len(answer) > 5000:
        raise DomainError("答复内容不能超过5000字", fields={"answer": "过长"})

    def enter(obj: Request, t: Transition, log: Any) -> list[str]:
        today = clock.today()
        close_on, provisional = due_after(today, process_config().auto_close_workdays)
        obj.answer, obj.answered_on, obj.due_on, obj.escalated_on = answer, today, close_on, None
        obj.due_provisional = obj.due_provisional or provisional
        return ["answer", "answered_on", "due_on", "escalated_on", "due_provisional"]

    return _move(actor, pk, "answer", comment=answer, seen=seen, on_enter=enter)


@transaction.atomic
def request_transfer(actor: Any, pk: int, unit_code: str, reason: str, *, seen: str | None = None) -> Request:
    """转办: the handling unit hands the request to another unit (an unknown or retired unit refused); the new
    unit's acceptance clock starts today."""
    from gaoqi.web.units.selectors import unit_get

    _visible(actor, pk)
    unit = unit_get((unit_code or "").strip())
    detail = {"from": "", "to": unit.code, "reason": (reason or "").strip()}

    def enter(obj: Request, t: Transition, log: Any) -> list[str]:
        # on the locked row: a transfer keeps the status, so ``seen`` cannot tell that another moved it meanwhile
        if obj.unit_id == unit.pk:
            raise DomainError("转办的单位与当前承办单位相同", fields={"unit": "相同单位"})
        due, provisional = due_after(clock.today(), process_config().acceptance_workdays)
        detail["from"] = obj.unit.code
        obj.unit, obj.route_rule = unit, f"转办：{obj.unit.name} → {unit.name}"[:200]
        obj.accept_due, obj.due_on, obj.escalated_on, obj.escalated_to = due, due, None, None
        obj.due_provisional = obj.due_provisional or provisional
        return ["unit", "route_rule", "accept_due", "due_on", "escalated_on", "escalated_to", "due_provisional"]

    return _move(actor, pk, "transfer", comment=detail["reason"], seen=seen, on_enter=enter, detail=detail)


# ------------------------------------------------------------------------------------------------------
# the enterprise's moves


@transaction.atomic
def request_rate(actor: Any, pk: int, *, resolved: str, satisfaction: str, comment: str = "") -> Request:
    """The filing enterprise rates the answer (once: a rated request is closed and has no rating move)."""
    _visible(actor, pk)
    if resolved not in RESOLVED:
        raise DomainError("请选择诉求是否解决", fields={"resolved": "必须选择"})
    if satisfaction not in SATISFACTION:
        raise DomainError("请选择满意程度", fields={"satisfaction": "必须选择"})
    comment = (comment or "").strip()[:2000]

    def enter(obj: Request, t: Transition, log: Any) -> list[str]:
        today = clock.today()
        obj.resolved, obj.satisfaction, obj.rating_comment = resolved, satisfaction, comment
        obj.rated_on, obj.closed_on, obj.due_on = today, today, None
        return ["resolved", "satisfaction", "rating_comment", "rated_on", "closed_on", "due_on"]

    return _move(actor, pk, "rate", comment=comment, on_enter=enter,
                 detail={"resolved": resolved, "satisfaction": satisfaction})  # fmt: skip


@transaction.atomic
def request_reopen(actor: Any, pk: int, reason: str) -> Request:
    """The filing enterprise asks for the request to be handled again (once). Its previous rating stays in the
    log and the audit; the new answer is rated afresh. The clocks restart today."""
    _visible(actor, pk)
    cfg = process_config()

    def enter(obj: Request, t: Transition, log: Any) -> list[str]:
        today = clock.today()
        accept_due, p1 = due_after(today, cfg.acceptance_workdays)
        answer_due, p2 = due_after(today, cfg.answer_workdays[obj.urgency])
        obj.reopen_count += 1
        obj.resolved = obj.satisfaction = obj.rating_comment = ""
        obj.rated_on = obj.closed_on = obj.escalated_on = obj.escalated_to = None
        obj.accept_due, obj.answer_due, obj.due_on = accept_due, answer_due, accept_due
        obj.due_provisional = p1 or p2
        return ["reopen_count", "resolved", "satisfaction", "rating_comment", "rated_on", "closed_on",
                "escalated_on", "escalated_to", "accept_due", "answer_due", "due_on", "due_provisional"]  # fmt: skip

    current = Request.objects.get(pk=pk)
    detail = {"previous_rating": {"resolved": current.resolved, "satisfaction": current.satisfaction}}
    return _move(actor, pk, "reopen", comment=(reason or "").strip(), on_enter=enter, detail=detail)


# ------------------------------------------------------------------------------------------------------
# the daily job: escalation (督办) and closing unrated answers


def escalation_target(req: Request) -> Any:
    """Where an overdue request goes (process.yaml escalation): a district unit's → its district government;
    the district government's and a municipal unit's → the municipal office."""
    from gaoqi.web.units.models import DISTRICT
    from gaoqi.web.units.selectors import unit_get

    esc = process_config().escalation
    unit = req.unit
    if unit.level == DISTRICT and unit.kind != "gov":
        return unit_get(esc["district_unit"].format(district=unit.district_code))
    return unit_get(esc["district_gov"] if unit.level == DISTRICT else esc["municipal_unit"])


@transaction.atomic
def request_escalate(pk: int) -> Request:
    def enter(obj: Request, t: Transition, log: Any) -> list[str]:
        obj.escalated_to, obj.escalated_on = escalation_target(obj), clock.today()
        log.comment = f"超过{'受理' if obj.status in (wf.FILED, wf.REOPENED) else '答复'}时限（{obj.due_on:%Y年%-m月%-d日}），督办单位：{obj.escalated_to.name}"
        return ["escalated_to", "escalated_on"]

    return _move(None, pk, "escalate", on_enter=enter)


@transaction.atomic
def request_close(pk: int) -> Request:
    def enter(obj: Request, t: Transition, log: Any) -> list[str]:
        obj.closed_on, obj.due_on = clock.today(), None
        return ["closed_on", "due_on"]

    return _move(None, pk, "close", on_enter=enter)


def daily() -> dict[str, Any]:
    """The day's steps (idempotent: a second run the same day escalates and closes nothing more), each item in
    its own transaction; a failing item is reported and audited, the others run."""
    from gaoqi.web.certification.services import daily_item

    today = clock.today()
    errors: list[dict[str, str]] = []
    attempt = partial(daily_item, errors)
    from gaoqi.web.servicedesk.selectors import overdue_q

    overdue = Request.objects.filter(overdue_q(today), escalated_on__isnull=True)
    escalated = [
        pk
        for pk in overdue.order_by("pk").values_list("pk", flat=True)
        if attempt("servicedesk_escalate", f"servicedesk_request:{pk}", partial(request_escalate, pk))
    ]
    unrated = Request.objects.filter(status=wf.ANSWERED, due_on__lt=today).order_by("pk").values_list("pk", flat=True)
    closed = [
        pk for pk in unrated if attempt("servicedesk_close", f"servicedesk_request:{pk}", partial(request_close, pk))
    ]
    return {"escalated": escalated, "closed": closed, "errors": errors}


# ------------------------------------------------------------------------------------------------------
# entrepreneur service days (企业家服务日)


def _day_of(actor: Any, pk: int) -> ServiceDay:
    from gaoqi.web.servicedesk.selectors import service_days_visible_to

    if actor.role not in (roles.DISTRICT, roles.MUNICIPAL):
        raise Forbidden("只有区级或市级管理人员可以维护企业家服务日")
    event = service_days_visible_to(actor).filter(pk=pk).first()
    if event is None:
        raise NotFound("企业家服务日不存在或不在您的管辖范围内")
    return event


@transaction.atomic
def service_day_create(
    actor: Any, *, district_code: str, held_on: dt.date, leader_name: str, leader_title: str, topic: str,
    invited: Sequence[str],
) -> ServiceDay:  # fmt: skip
    """A district's service day with its invited enterprises (each an enterprise of that district)."""
    from gaoqi.engine import district_codes
    from gaoqi.web.enterprises.models import Enterprise

    if actor.role == roles.DISTRICT:
        district_code = actor.district_code
    elif actor.role != roles.MUNICIPAL:
        raise Forbidden("只有区级或市级管理人员可以安排企业家服务日")
    if district_code not in district_codes():
        raise DomainError("请选择区县", fields={"district_code": "未知区县"})
    leader_name, leader_title, topic = leader_name.strip(), leader_title.strip(), topic.strip()
    if not (leader_name and leader_title and topic):
        raise DomainError("请填写带队领导姓名、职务和主题", fields={"leader_name": "必须填写"})
    codes = sorted({c.strip().upper() for c in invited if c.strip()})
    found = {e.uscc: e.name for e in Enterprise.objects.filter(uscc__in=codes, district_code=district_code)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise DomainError(f"以下企业不存在或不属于该区：{'、'.join(unknown[:5])}", fields={"invited": "不属于该区"})
    event = ServiceDay.objects.create(district_code=district_code, held_on=held_on, leader_name=leader_name[:50],
                                      leader_title=leader_title[:100], topic=topic[:200], created_by=actor)  # fmt: skip
    ServiceDayInvite.objects.bulk_create(
        [ServiceDayInvite(event=event, uscc=c, enterprise_name=found[c]) for c in codes]
    )
    audit_record(actor, "servicedesk.day_create", target=f"service_day:{event.pk}",
                 detail={"district": district_code, "held_on": held_on.isoformat(), "invited": len(codes)})  # fmt: skip
    return event


@transaction.atomic
def service_day_attendance(actor: Any, pk: int, attended: Sequence[str]) -> ServiceDay:
    """Who attended (among the invited)."""
    event = _day_of(actor, pk)
    chosen = {c.strip().upper() for c in attended}
    invited = set(event.invites.values_list("uscc", flat=True))
    if chosen - invited:
        raise DomainError("出席企业须在受邀企业之中", fields={"attended": "未受邀"})
    event.invites.update(attended=False)
    event.invites.filter(uscc__in=chosen).update(attended=True)
    audit_record(
        actor, "servicedesk.day_attendance", target=f"service_day:{event.pk}", detail={"attended": len(chosen)}
    )
    return event


@transaction.atomic
def service_day_followup(actor: Any, pk: int, *, on: dt.date, text: str) -> ServiceDayFollowUp:
    """The leader's follow-up on the event's record (dated, appended, never edited)."""
    event = _day_of(actor, pk)
    text = (text or "").strip()
    if not text or len(text) > 2000:
        raise DomainError("请填写跟进情况（不超过2000字）", fields={"text": "必须填写"})
    if on < event.held_on:
        raise DomainError("跟进日期不能早于服务日", fields={"on": "早于服务日"})
    item = ServiceDayFollowUp.objects.create(event=event, on=on, text=text, author=actor)
    audit_record(actor, "servicedesk.day_followup", target=f"service_day:{event.pk}", detail={"on": on.isoformat()})
    return item
