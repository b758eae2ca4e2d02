"""移送撤销 (issue 15, ADR 0030): a warning's handling (monitoring) or a failed spot check refers an enterprise to
the municipal office for the revocation of its HTE qualification; the office decides.

- ``revocation_refer``: the referral, once per source (a warning, a spot check), with its reasons; the municipal
  officials are told.
- ``revocation_decide``: revoke or decline (``workflow.REFERRAL``, one decision: of two officials deciding at
  once, one wins). Revoking goes through the existing path — ``application_revoke`` when the certificate came
  from an application on the platform, ``certificate_revoke`` for another certificate the platform issued —
  so the certificate, the application, the revocation record and the enterprise's notice are the ones every
  revocation has. A certificate known only from the department feed (issued by the national system) is not the
  platform's to revoke: the decision is recorded with ``external`` set and the page says that the issuing system
  must be told; nothing is faked."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse

from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.models import Certificate, RevocationReferral
from gaoqi.web.certification.services._common import _municipal, notify
from gaoqi.web.certification.services.certificates import REVOCATION_REASONS, application_revoke, certificate_revoke
from gaoqi.web.core import clock
from gaoqi.web.core.errors import DomainError, Forbidden, NotFound
from gaoqi.web.core.locks import serialize
from gaoqi.web.core.workflow import Transition, create, transition

SOURCES = (RevocationReferral.WARNING, RevocationReferral.SPOT_CHECK)
#: What the page says of a decision on a certificate the platform did not issue.
EXTERNAL_NOTICE = "该企业的高企证书不是本平台颁发的（来自部门数据），平台未撤销证书：撤销决定已记录，须书面告知发证系统（高新技术企业认定管理工作网）办理"


def _enterprise(actor: Any, enterprise: Any) -> Any:
    """The enterprise referred (a model instance or a USCC), within the actor's jurisdiction."""
    from gaoqi.web.enterprises.selectors import enterprises_visible_to

    uscc = enterprise if isinstance(enterprise, str) else getattr(enterprise, "uscc", "")
    found = enterprises_visible_to(actor).filter(uscc=(uscc or "").strip().upper()).first()
    if found is None:
        raise NotFound("企业不存在或不在您的管辖范围内", fields={"uscc": "不在管辖范围内"})
    return found


@transaction.atomic
def revocation_refer(actor: Any, *, enterprise: Any, source: str, source_id: int, reasons: str) -> RevocationReferral:
    """Refer ``enterprise`` (an ``Enterprise`` or its USCC) to the revocation path from ``source`` (``warning`` or
    ``spot_check``) number ``source_id`` with ``reasons``; a source refers once (a second time is refused)."""
    if getattr(actor, "role", None) not in (roles.DISTRICT, roles.MUNICIPAL):
        raise Forbidden("只有区级或市级管理人员可以移送撤销程序")
    if source not in SOURCES:
        raise DomainError("未知的移送来源", fields={"source": "未知来源"})
    reasons = (reasons or "").strip()
    if not reasons or len(reasons) > 5000:
        raise DomainError("请写明移送撤销的事实与理由（不超过5000字）", fields={"reasons": "必须填写"})
    ent = _enterprise(actor, enterprise)
    serialize(f"revocation_referral:{source}:{source_id}")
    if RevocationReferral.objects.filter(source_kind=source, source_id=source_id).exists():
        raise DomainError("该来源已移送撤销程序，不能重复移送")
    ref: RevocationReferral = create(
        wf.REFERRAL, "refer", actor,
        lambda status: RevocationReferral.objects.create(
            enterprise=ent, uscc=ent.uscc, enterprise_name=ent.name, district_code=ent.district_code,
            source_kind=source, source_id=int(source_id), reasons=reasons, status=status, referred_by=actor,
        ),
        comment=reasons,
        audit_target=lambda o: f"revocation_referral:{o.pk}",
        audit_detail=lambda o: {"uscc": o.uscc, "source": source, "source_id": int(source_id)},
    )  # fmt: skip
    notify(_municipal(), f"{ent.name}被移送撤销程序，请决定", reverse("certification:referral", args=[ref.pk]))
    return ref


def platform_certificate(uscc: str) -> Certificate | None:
    """The valid certificate the platform issued to ``uscc`` (None: none, its certificate is the feed's)."""
    return Certificate.objects.filter(uscc=uscc, status=Certificate.VALID).order_by("-pk").first()


@transaction.atomic
def revocation_decide(
    actor: Any,
    pk: int,
    *,
    decision: str,
    note: str,
    reason: str = "not_qualified",
    from_year: int | None = None,
    seen: str | None = None,
) -> RevocationReferral:
    """The municipal office's decision on referral ``pk``: ``revoke`` (with a ``reason`` of ``REVOCATION_REASONS``
    and the year tax benefits are recovered from: by default the certificate's issue year) or ``decline``."""
    if getattr(actor, "role", None) != roles.MUNICIPAL:
        raise Forbidden("撤销资格由市级管理部门决定")
    if decision not in ("revoke", "decline"):
        raise DomainError("请选择决定", fields={"decision": "未知决定"})
    if decision == "revoke" and reason not in REVOCATION_REASONS:
        raise DomainError("请选择撤销原因", fields={"reason": "未知原因"})
    note = (note or "").strip()
    if not RevocationReferral.objects.filter(pk=pk).exists():
        raise NotFound("撤销移送不存在")

    def enter(obj: RevocationReferral, t: Transition, log: Any) -> list[str]:
        obj.decided_by, obj.decided_on, obj.decision_note = actor, clock.today(), note
        if t.action != "revoke":
            return ["decided_by", "decided_on", "decision_note"]
        obj.revocation_reason = reason
        cert = platform_certificate(obj.uscc)
        if cert is None:
            obj.external = True
            log.comment = f"{note}（{EXTERNAL_NOTICE}）"
        else:
            obj.certificate = cert
            app = cert.application
            if app is not None and app.status in (wf.CERTIFIED, wf.FILED):
                application_revoke(actor, app, reason=reason, detail=note, from_year=from_year)
            else:
                year = from_year if from_year is not None else cert.issue_date.year
                certificate_revoke(actor, cert, reason=reason, detail=note, from_year=year)
        return ["decided_by", "decided_on", "decision_note", "revocation_reason", "certificate", "external"]

    moved = transition(
        wf.REFERRAL, RevocationReferral, pk, decision, actor, seen=seen, comment=note, on_enter=enter,
        audit_target=f"revocation_referral:{pk}", audit_detail={"decision": decision, "reason": reason},
    )  # fmt: skip
    ref: RevocationReferral = moved.obj
    if ref.external:
        audit_record(actor, "revocation_referral.external", target=f"revocation_referral:{pk}",
                     detail={"uscc": ref.uscc})  # fmt: skip
    return ref
