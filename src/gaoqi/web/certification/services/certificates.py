"""Certificates: issued on certification (the number serialised), revoked with the qualification (Art. 16/19);
their statuses move by the certificate workflow (certification/workflow.py)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.config import process_config
from gaoqi.web.certification.models import Application, Certificate, Revocation
from gaoqi.web.certification.services._common import notify
from gaoqi.web.core import clock
from gaoqi.web.core.locks import STALE, StaleActionError, locked, serialize
from gaoqi.web.core.workflow import WorkflowError, create, transition


def expiry_for(issue: dt.date) -> dt.date:
    """Three years from the issue date (Art. 9): the last valid day is the day before the third anniversary."""
    years = int(process_config().certificate["validity_years"])
    try:
        end = issue.replace(year=issue.year + years)
    except ValueError:  # 29 February
        end = issue.replace(year=issue.year + years, day=28) + dt.timedelta(days=1)
    return end - dt.timedelta(days=1)


def _next_number(year: int) -> str:
    serialize("certificate_number")  # two certificates issued at once must not get the same serial
    cfg = process_config().certificate
    prefix = f"{cfg['number_prefix']}{year}{cfg['province_code']}"
    last = Certificate.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    serial = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{serial:06d}"


def certificate_issue(app: Application, *, issue_date: dt.date) -> Certificate:
    """The certificate of a certified (or filed) application, by the platform (the issue is audited)."""
    number = _next_number(issue_date.year)
    cert: Certificate = create(
        wf.CERTIFICATE, "issue", None,
        lambda status: Certificate.objects.create(
            number=number, uscc=app.uscc, enterprise_name=app.enterprise_name, tech_field=app.tech_field,
            issue_date=issue_date, expiry_date=expiry_for(issue_date), application=app, status=status,
        ),
        audit_target=f"certificate:{number}", audit_detail={"application": app.pk},
    )  # fmt: skip
    return cert


REVOCATION_REASONS: dict[str, str] = {
    "not_qualified": "国科发火〔2016〕32号 第十六条",
    "falsification": "国科发火〔2016〕32号 第十九条（一）",
    "major_accident": "国科发火〔2016〕32号 第十九条（二）",
    "missing_reports": "国科发火〔2016〕32号 第十九条（三）",
    "post_check_failed": "国科发火〔2016〕32号 第十六条",
}

REVOCATION_LABELS: dict[str, str] = {
    "not_qualified": "不符合认定条件（第十六条）",
    "falsification": "申请认定过程中存在严重弄虚作假行为（第十九条（一））",
    "major_accident": "发生重大安全、重大质量事故或有严重环境违法行为（第十九条（二））",
    "missing_reports": "未按期报告与认定条件有关重大变化，或累计两年未填报年度发展情况报表（第十九条（三））",
    "post_check_failed": "事后核查未通过（第十六条）",
}


@transaction.atomic
def certificate_revoke(
    actor: User, cert: Certificate, *, reason: str, article: str | None = None, detail: str, from_year: int
) -> Revocation:
    """Cancel the qualification: tax benefits recovered from ``from_year``; no new application this year."""
    from gaoqi.web.certification.services.applications import application_transition

    if reason not in REVOCATION_REASONS:
        raise WorkflowError(f"未知的取消原因：{reason}")
    cert = transition(
        wf.CERTIFICATE, Certificate, cert.pk, "revoke", actor, seen=cert.status, comment=detail,
        audit_target=f"certificate:{cert.number}", audit_detail={"reason": reason, "recover_from": from_year},
    ).obj  # fmt: skip
    rev = Revocation.objects.create(
        certificate=cert, reason=reason, article=article or REVOCATION_REASONS[reason], detail=detail,
        recover_tax_from_year=from_year, no_application_in_year=clock.today().year, decided_by=actor,
    )  # fmt: skip
    app = cert.application
    if app is not None and app.status in (wf.CERTIFIED, wf.FILED):
        application_transition(actor, app, "revoke", f"{REVOCATION_REASONS[reason]}：{detail}", revocation=True)
    notify(User.objects.filter(role=roles.ENTERPRISE, uscc=cert.uscc), f"高企资格已取消：{detail}")
    return rev


@transaction.atomic
def application_revoke(
    actor: User, app: Application, *, reason: str, detail: str, from_year: int | None = None
) -> Application:
    """撤销资格 from the application: revokes its valid certificate through ``certificate_revoke`` (revocation row,
    tax recovered from ``from_year`` — by default the certificate's issue year —, no new application this year,
    the PDF marked 已撤销) and ends the application."""
    if actor is None or actor.role != roles.MUNICIPAL:
        raise WorkflowError("撤销资格由市级管理部门决定")
    if not detail.strip():
        raise WorkflowError("撤销资格须写明事实与理由")
    app = locked(Application, app.pk)
    if app.status not in (wf.CERTIFIED, wf.FILED):
        raise StaleActionError(f"申请当前为“{wf.STATUS_LABELS[app.status]}”，不能撤销资格（{STALE}）")
    cert = app.certificates.filter(status=Certificate.VALID).order_by("-pk").first()
    if cert is None:
        raise StaleActionError(f"该申请没有有效证书，{STALE}")
    year = from_year if from_year is not None else cert.issue_date.year
    if not cert.issue_date.year <= year <= clock.today().year:
        raise WorkflowError(f"追缴税收优惠的起始年度须在 {cert.issue_date.year}–{clock.today().year} 之间")
    certificate_revoke(actor, cert, reason=reason, detail=detail.strip(), from_year=year)
    return Application.objects.get(pk=app.pk)
