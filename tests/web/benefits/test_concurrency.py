"""Two hands at once: the same outcome file uploaded twice at once pays once; two files paying one record at
once pay it once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.benefits import services
from gaoqi.web.benefits.models import Benefit, PaymentUpload
from gaoqi.web.core.errors import Conflict
from tests.web.benefits.conftest import at
from tests.web.benefits.test_payments import outcome_file
from tests.web.conftest import race


@pytest.mark.django_db(transaction=True)
def test_the_same_file_uploaded_twice_at_once_is_applied_once(
    granted: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, dt.date(2026, 12, 22))
    services.benefits_mature()
    b = granted["b_dc"]
    data = outcome_file([(b.record_id, 10, "已兑付", "", "PAY-1")])
    results = race(
        lambda: services.payment_upload(granted["municipal"], name="a.xlsx", data=data),
        lambda: services.payment_upload(granted["dongcheng"], name="b.xlsx", data=data),
    )
    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error", "ok"], results
    assert isinstance(next(r for kind, r in results if kind == "error"), Conflict)
    assert PaymentUpload.objects.count() == 1
    assert Benefit.objects.get(pk=b.pk).status == "paid"
    assert AuditEvent.objects.filter(action="benefits.paid").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_different_files_paying_one_record_at_once_pay_it_once(
    granted: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, dt.date(2026, 12, 22))
    services.benefits_mature()
    b = granted["b_dc"]
    results = race(
        lambda: services.payment_upload(granted["municipal"], name="a.xlsx",
                                        data=outcome_file([(b.record_id, 10, "已兑付", "", "PAY-A")])),
        lambda: services.payment_upload(granted["dongcheng"], name="b.xlsx",
                                        data=outcome_file([(b.record_id, 10, "已兑付", "", "PAY-B")])),
    )  # fmt: skip
    uploads = [r for kind, r in results if kind == "ok"]
    assert len(uploads) == 2, results
    assert sorted(u.applied for u in uploads) == [0, 1]
    assert Benefit.objects.get(pk=b.pk).payment_ref in ("PAY-A", "PAY-B")
    assert AuditEvent.objects.filter(action="benefits.paid").count() == 1
