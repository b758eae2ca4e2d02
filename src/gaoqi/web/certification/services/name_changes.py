"""Renames (Art. 17): a rename alone → publicity, then a new certificate with the same number and validity;
a major change → re-review. Their statuses move by the rename workflow (certification/workflow.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.certification import workdays
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.config import process_config
from gaoqi.web.certification.models import Certificate, NameChange
from gaoqi.web.core import clock
from gaoqi.web.core.locks import StaleActionError, locked
from gaoqi.web.core.models import WorkflowLog
from gaoqi.web.core.workflow import Transition, WorkflowError, create, transition


@transaction.atomic
def name_change_request(actor: User, cert: Certificate, *, new_name: str, major_change: bool = False) -> NameChange:
    """Art. 17: a rename alone → 10 working days' publicity, then a new certificate with the same number and
    validity; a major change → re-review against Art. 11. One pending rename per certificate."""
    new_name = " ".join(new_name.split())
    if not new_name:
        raise WorkflowError("请填写变更后的企业名称")
    if len(new_name) > 200:
        raise WorkflowError("企业名称不超过 200 个字")
    if actor.role != roles.ENTERPRISE or actor.uscc != cert.uscc:
        raise WorkflowError("只能为本企业的证书申请更名")
    cert = locked(Certificate, cert.pk)
    if cert.status != Certificate.VALID:
        raise WorkflowError("只能为有效证书申请更名")
    if new_name == cert.enterprise_name:
        raise WorkflowError("变更后的名称与证书上的名称相同")
    if cert.name_changes.filter(status__in=NameChange.PENDING).exists():
        raise StaleActionError("该证书已有办理中的更名申请")
    start = clock.today()
    end, _ = workdays.deadline_provisional(start, process_config().time_limits["name_change_publicity"])
    nc: NameChange = create(
        wf.NAME_CHANGE, "request_major" if major_change else "request", actor,
        lambda status: NameChange.objects.create(
            certificate=cert, old_name=cert.enterprise_name, new_name=new_name, major_change=major_change,
            publicity_start=None if major_change else start, publicity_end=None if major_change else end,
            status=status,
        ),
        audit_target=f"certificate:{cert.number}", audit_detail={"new_name": new_name},
    )  # fmt: skip
    return nc


@transaction.atomic
def name_change_complete(nc: NameChange, on: dt.date) -> Certificate:
    """The publicity ended (``on`` is past its last day): the old certificate is replaced by a new one with the
    new name, the same number and the same validity (a daily step, by the platform)."""
    made: dict[str, Certificate] = {}

    def publicity_over(actor: Any, fresh: NameChange) -> str | None:
        if fresh.publicity_end is None or on <= fresh.publicity_end:
            return "更名公示尚未期满"
        return None if fresh.new_name.strip() else "变更后的企业名称为空，不能换发证书"

    def on_enter(fresh: NameChange, t: Transition, log: WorkflowLog) -> list[str]:
        old = transition(
            wf.CERTIFICATE,
            Certificate,
            fresh.certificate_id,
            "replace",
            None,
            forbidden="原证书已不是有效状态（{now}），不能换发",
        ).obj
        made["new"] = create(
            wf.CERTIFICATE,
            "reissue",
            None,
            lambda status: Certificate.objects.create(
                number=old.number,
                uscc=old.uscc,
                enterprise_name=fresh.new_name,
                tech_field=old.tech_field,
                issue_date=old.issue_date,
                expiry_date=old.expiry_date,
                application=old.application,
                replaces=old,
                status=status,
            ),
        )
        fresh.new_certificate, fresh.completed_on = made["new"], on
        return ["new_certificate", "completed_on"]

    transition(
        wf.NAME_CHANGE, NameChange, nc.pk, "complete", None, guards={"rename_publicity_over": publicity_over},
        on_enter=on_enter, audit_target=f"certificate:{nc.certificate.number}", audit_detail={"new_name": nc.new_name},
    )  # fmt: skip
    return made["new"]
