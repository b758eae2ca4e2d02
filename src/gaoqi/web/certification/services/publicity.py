"""Publicity (公示): real-name objections from the public and their handling (the objection workflow), and the
end of publicity that certifies (a daily step)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.audit.services import audit_record
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.config import process_config
from gaoqi.web.certification.models import Application, Objection
from gaoqi.web.certification.services._common import _municipal, notify
from gaoqi.web.certification.services.applications import application_transition
from gaoqi.web.certification.services.guards import _publicity_over
from gaoqi.web.core.locks import STALE, StaleActionError, locked
from gaoqi.web.core.models import WorkflowLog
from gaoqi.web.core.workflow import Transition, WorkflowError, create, transition

#: Lengths of a public objection (the model's limits, enforced here too: SQLite does not enforce max_length).
OBJECTION_NAME_MAX, OBJECTION_CONTACT_MAX, OBJECTION_CONTENT_MAX = 64, 64, 2000


@transaction.atomic
def objection_file(app: Application, *, name: str, contact: str, content: str, address: str | None = None) -> Objection:
    """A written, real-name objection from the public: lengths checked, and at most ``objections.per_address``
    objections per address within ``objections.window_minutes`` (process.yaml) so that a script cannot file
    dozens in seconds; the municipal office gets one unread notice per application, not one per objection."""
    name, contact, content = name.strip(), contact.strip(), content.strip()
    if not name or not content:
        raise WorkflowError("异议须实名、书面提出")
    if len(name) > OBJECTION_NAME_MAX or len(contact) > OBJECTION_CONTACT_MAX:
        raise WorkflowError(f"姓名或单位名称、联系方式均不超过 {OBJECTION_NAME_MAX} 个字")
    if len(content) > OBJECTION_CONTENT_MAX:
        raise WorkflowError(f"异议内容不超过 {OBJECTION_CONTENT_MAX} 字，证明材料请按公示公告的方式书面递交")
    app = locked(Application, app.pk)
    if app.status != wf.PUBLICITY:
        raise WorkflowError("该申请不在公示期")
    limits = process_config().objections
    if address:
        since = timezone.now() - dt.timedelta(minutes=int(limits["window_minutes"]))
        recent = Objection.objects.filter(address=address, received_at__gte=since).count()
        if recent >= int(limits["per_address"]):
            audit_record(None, "objection.file", target=f"application:{app.pk}", outcome="refused",
                         detail={"reason": "rate_limited"})  # fmt: skip
            raise WorkflowError(
                f"提交过于频繁：同一网络地址 {limits['window_minutes']} 分钟内最多提交 {limits['per_address']} 份异议"
            )
    obj: Objection = create(
        wf.OBJECTION, "file", None,
        lambda status: Objection.objects.create(
            application=app, name=name, contact=contact, content=content, address=address, status=status
        ),
        audit_target=f"application:{app.pk}", audit_detail=lambda o: {"objection": o.pk},
    )  # fmt: skip
    notify(_municipal(), f"{app.enterprise_name} 公示期收到异议", f"/certification/{app.pk}/", collapse=True)
    return obj


@transaction.atomic
def objection_handle(actor: User, obj: Objection, *, upheld: bool, handling: str) -> Objection:
    if actor.role != roles.MUNICIPAL:
        raise WorkflowError("异议由市级管理部门处理")
    if not handling.strip():
        raise WorkflowError("请填写处理意见")

    def in_publicity(actor: Any, fresh: Objection) -> None:
        if fresh.application.status != wf.PUBLICITY:
            raise StaleActionError(f"该申请已不在公示期，{STALE}")

    def on_enter(fresh: Objection, t: Transition, log: WorkflowLog) -> list[str]:
        fresh.handling, fresh.handled_by = handling.strip(), actor
        return ["handling", "handled_by"]

    obj = transition(
        wf.OBJECTION, Objection, obj.pk, "uphold" if upheld else "dismiss", actor, seen=obj.status,
        comment=handling.strip(), guards={"in_publicity": in_publicity}, on_enter=on_enter,
        audit_target=f"application:{obj.application_id}", audit_detail={"upheld": upheld},
    ).obj  # fmt: skip
    if upheld:
        application_transition(actor, obj.application, "objection_upheld", handling or "异议成立")
    return obj


def publicity_due() -> Iterator[Application]:
    """The applications whose publicity ended without an upheld or open objection (to be certified)."""
    return (app for app in Application.objects.filter(status=wf.PUBLICITY) if _publicity_over(None, app) is None)


def publicity_close_due() -> list[Application]:
    """Certify every application whose publicity ended without an upheld or open objection (a daily task)."""
    done = []
    for app in publicity_due():
        try:
            done.append(application_transition(None, app, "publicity_end"))
        except StaleActionError:  # closed by the municipal office meanwhile
            continue
    return done
