"""The platform's applications and annual reports as feed rows of 高企认定系统 (ADR 0029/0030): what the warning rules
"certificate expiring without a renewal application" and "annual report missing" read. Drafts are not written;
one row per enterprise and year (the latest application, the first report)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gaoqi.web.certification.feed import (
    ANNUAL_REPORT_FILE,
    APPLICATION_FILE,
    CERTIFICATE_FILE,
    annual_report_rows,
    application_rows,
    feed_files,
)
from gaoqi.web.certification.models import AnnualReport
from tests.web import factories as f

pytestmark = pytest.mark.django_db

AT = timezone.make_aware(dt.datetime(2026, 5, 20, 10, 0))


def test_application_and_annual_report_rows(db: Any) -> None:
    a = f.uscc()
    f.application("draft", year=2027)  # not submitted: not written
    f.application("withdrawn", code=a, year=2026, submitted_at=AT)
    f.application("district_review", code=a, year=2026, submitted_at=AT + dt.timedelta(days=3))
    b = f.uscc()
    f.application("certified", code=b, year=2025, submitted_at=AT - dt.timedelta(days=365))
    assert application_rows() == [
        {"uscc": a, "batch_year": 2026, "submitted_date": "2026-05-23", "status": "in_review"},
        {"uscc": b, "batch_year": 2025, "submitted_date": "2025-05-20", "status": "certified"},
    ] if a < b else [
        {"uscc": b, "batch_year": 2025, "submitted_date": "2025-05-20", "status": "certified"},
        {"uscc": a, "batch_year": 2026, "submitted_date": "2026-05-23", "status": "in_review"},
    ]  # fmt: skip
    assert feed_files() == {}  # no certificate yet: no delivery at all
    cert = f.certificate(code=b)
    AnnualReport.objects.create(certificate=cert, year=2025)
    AnnualReport.objects.filter(certificate=cert).update(submitted_at=AT)
    assert annual_report_rows() == [{"uscc": b, "report_year": 2025, "submitted_date": "2026-05-20"}]
    files = feed_files()
    assert list(files) == [CERTIFICATE_FILE, APPLICATION_FILE, ANNUAL_REPORT_FILE]
    assert files[ANNUAL_REPORT_FILE].decode().splitlines() == [
        "统一社会信用代码,报告年度,填报日期",
        f"{b},2025,2026-05-20",
    ]
