"""报备即批准: whether a pilot approval is checked afterwards (drawn with a recorded seed), and the check's outcome
(the post-check workflow): a failed check revokes the qualification."""

from __future__ import annotations

import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.audit.services import audit_record
from gaoqi.web.certification import workdays
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.config import process_config
from gaoqi.web.certification.models import Application, Certificate, PostCheck
from gaoqi.web.certification.services._common import _municipal, notify
from gaoqi.web.certification.services.certificates import certificate_revoke
from gaoqi.web.core import clock
from gaoqi.web.core.locks import STALE, StaleActionError
from gaoqi.web.core.workflow import Transition, WorkflowError, WorkflowLog, transition


def post_check_draw(app: Application) -> PostCheck | None:
    """Draw, at random with a recorded seed, whether this pilot approval is checked afterwards."""
    cfg = process_config()
    seed = random.SystemRandom().randrange(2**62)
    chosen = random.Random(seed).random() < float(cfg.pilot["post_check_share"])
    audit_record(None, "post_check.draw", target=f"application:{app.pk}", detail={"seed": seed, "chosen": chosen})
    if not chosen:
        return None
    due, provisional = workdays.deadline_provisional(clock.today(), cfg.time_limits["post_check"])
    check = PostCheck.objects.create(application=app, seed=seed, due_date=due, due_provisional=provisional)
    notify(
        _municipal(),
        f"{app.enterprise_name} 被抽中事后核查，{due} 前完成",
        f"/certification/{app.pk}/",
    )
    return check


@transaction.atomic
def post_check_complete(actor: User, check: PostCheck, *, passed: bool, reasons: str = "") -> PostCheck:
    if actor.role != roles.MUNICIPAL:
        raise WorkflowError("事后核查由市级管理部门完成")
    if not passed and not reasons.strip():
        raise WorkflowError("核查未通过须写明原因")

    def application_filed(actor: Any, fresh: PostCheck) -> None:
        if fresh.application.status != wf.FILED:
            raise StaleActionError(f"该申请已是“{wf.STATUS_LABELS[fresh.application.status]}”，{STALE}")

    def on_enter(fresh: PostCheck, t: Transition, log: WorkflowLog) -> list[str]:
        fresh.reasons, fresh.checked_by, fresh.checked_at = reasons, actor, timezone.now()
        return ["reasons", "checked_by", "checked_at"]

    check = transition(
        wf.POST_CHECK, PostCheck, check.pk, "pass" if passed else "fail", actor, seen=check.outcome, comment=reasons,
        guards={"application_filed": application_filed}, on_enter=on_enter,
        audit_target=f"application:{check.application_id}", audit_detail={"passed": passed},
    ).obj  # fmt: skip
    if not passed:
        cert = check.application.certificates.filter(status=Certificate.VALID).first()
        if cert is not None:
            certificate_revoke(actor, cert, reason="post_check_failed", article="国科发火〔2016〕32号 第十六条", detail=reasons,
                               from_year=cert.issue_date.year)  # fmt: skip
    return check
