"""The 年度发展情况报表 (Art. 13) of certified enterprises, what is overdue, and the reminders (May, renewals)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.audit.services import audit_record
from gaoqi.web.certification.config import process_config
from gaoqi.web.certification.models import AnnualReport, Certificate
from gaoqi.web.certification.services._common import notify
from gaoqi.web.core import clock
from gaoqi.web.core.locks import StaleActionError, locked
from gaoqi.web.core.workflow import WorkflowError

#: The figures of the 年度发展情况报表: each a number, none negative.
ANNUAL_REPORT_FIELDS: dict[str, str] = {
    "revenue": "销售收入（万元）", "rd_expense": "研发费用（万元）", "st_staff": "科技人员（人）", "ip_count": "知识产权（件）",
}  # fmt: skip


def _annual_report_data(data: dict[str, Any]) -> dict[str, str]:
    from decimal import Decimal, InvalidOperation

    clean, errors = {}, []
    for key, label in ANNUAL_REPORT_FIELDS.items():
        raw = str(data.get(key, "")).strip().replace(",", "")
        if not raw:
            continue
        try:
            value = Decimal(raw)
        except InvalidOperation:
            errors.append(f"{label}须为数字")
            continue
        if not value.is_finite() or value < 0:
            errors.append(f"{label}须为不小于 0 的数字")
        else:
            clean[key] = str(value)
    if unknown := set(data) - set(ANNUAL_REPORT_FIELDS):
        errors.append("未知的填报项：" + "、".join(sorted(unknown)))
    if errors:
        raise WorkflowError("；".join(errors))
    return clean


@transaction.atomic
def annual_report_submit(actor: User, cert: Certificate, year: int, data: dict[str, Any]) -> AnnualReport:
    """The 年度发展情况报表 (Art. 13) of one year within the certificate's validity, once a year."""
    if actor.role != roles.ENTERPRISE or actor.uscc != cert.uscc:
        raise WorkflowError("只能为本企业填报")
    clean = _annual_report_data(data)
    cert = locked(Certificate, cert.pk)
    if cert.status != Certificate.VALID:
        raise WorkflowError("只有有效证书需要填报年度发展情况报表")
    first, last = cert.issue_date.year, min(cert.expiry_date.year, clock.today().year - 1)
    if not first <= year <= last:
        allowed = f"{first}–{last} 年度" if first <= last else "尚无应填报的年度（次年5月填报上一年度）"
        raise WorkflowError(f"报告年度 {year} 不在可填报范围内：{allowed}")
    if AnnualReport.objects.filter(certificate__number=cert.number, year=year).exists():
        raise StaleActionError(f"{year} 年度报表已提交，不能重复提交")
    report = AnnualReport.objects.create(certificate=cert, year=year, data=clean)
    audit_record(actor, "annual_report.submit", target=f"certificate:{cert.number}", detail={"year": year})
    return report


def report_years(cert: Certificate, on: dt.date) -> list[int]:
    """The reporting years whose deadline (31 May of the next year) has passed within the validity."""
    month, day = process_config().annual_report_due
    years = []
    for year in range(cert.issue_date.year, cert.expiry_date.year + 1):
        due = dt.date(year + 1, month, day)
        if due < on and due <= cert.expiry_date + dt.timedelta(days=366):
            years.append(year)
    return years


def annual_reports_overdue(on: dt.date) -> list[dict[str, Any]]:
    """Valid certificates with missing annual reports; two missing years flag cancellation (Art. 19(三))."""
    out = []
    limit = process_config().missing_years_cancel
    for cert in Certificate.objects.filter(status=Certificate.VALID):
        have = set(cert.annual_reports.values_list("year", flat=True))
        missing = [y for y in report_years(cert, on) if y not in have]
        if missing:
            out.append({"certificate": cert, "missing": missing, "flag_cancellation": len(missing) >= limit})
    return out


def annual_report_reminders(on: dt.date) -> int:
    """Remind, in May, the holders of valid certificates who have not reported last year yet."""
    n = 0
    for cert in Certificate.objects.filter(status=Certificate.VALID, issue_date__year__lt=on.year):
        if not cert.annual_reports.filter(year=on.year - 1).exists():
            n += notify(User.objects.filter(role=roles.ENTERPRISE, uscc=cert.uscc),
                        f"请于5月31日前填报{on.year - 1}年度高企发展情况报表（证书 {cert.number}）")  # fmt: skip
    return n


def renewal_reminders(on: dt.date) -> int:
    """Certificates expiring within the configured months (6): remind the enterprise to apply again."""
    months = process_config().renewal_reminder_months
    horizon = on + dt.timedelta(days=round(months * 30.44))
    n = 0
    for cert in Certificate.objects.filter(status=Certificate.VALID, expiry_date__lte=horizon, expiry_date__gte=on):
        n += notify(User.objects.filter(role=roles.ENTERPRISE, uscc=cert.uscc),
                    f"高企证书 {cert.number} 将于 {cert.expiry_date} 到期，请及时重新申请认定")  # fmt: skip
    return n
