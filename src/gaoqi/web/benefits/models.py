"""免申即享 benefits (issue 14, ADR 0024): what an automatic policy gives an enterprise without an application.

- ``Benefit``: one enterprise × policy × period (unique: nothing is given twice), created by the snapshot whose
  result it rests on (``services.benefits_derive``, set-based), with the amount, the policy version, the
  rule-set hash, the window to confirm or object, the account the enterprise confirmed, and the payment outcome.
- ``BenefitNote``: a later snapshot of the same period computed another amount; the benefit is not changed,
  officials read the note.
- ``PaymentUpload``: one payment-outcome file the paying department uploaded (its sha256: the same bytes are
  applied once), with the report of every line (applied or refused, and why).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gaoqi.web.benefits.workflow import NOTIFIED, STATUS_LABELS
from gaoqi.web.enterprises.models import Enterprise, PolicyResult
from gaoqi.web.intake.models import Snapshot


class Benefit(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="benefits")
    policy_id = models.CharField("政策", max_length=64)
    policy_version = models.CharField("政策版本", max_length=32)
    #: "2026" (the snapshot's as-of year, DEFAULT) or "once" (a one-off award: benefit.period once)
    period = models.CharField("期间", max_length=8)
    amount = models.DecimalField("金额（万元）", max_digits=16, decimal_places=4)
    status = models.CharField("状态", max_length=16, choices=list(STATUS_LABELS.items()), default=NOTIFIED)
    snapshot = models.ForeignKey(Snapshot, on_delete=models.SET_NULL, null=True, related_name="+")
    as_of = models.DateField("数据截止日")
    #: the result the benefit rests on (kept while the snapshot's results are)
    result = models.ForeignKey(PolicyResult, on_delete=models.SET_NULL, null=True, related_name="+")
    ruleset_hash = models.CharField("规则集哈希", max_length=64)
    notified_on = models.DateField("告知日期")
    window_ends = models.DateField("异议期截止日")
    window_provisional = models.BooleanField("截止日为暂定", default=False)
    bank_name = models.CharField("开户银行", max_length=100, blank=True)
    account_number = models.CharField("银行账号", max_length=40, blank=True)  # personal data: masked on pages
    objection = models.TextField("异议理由", blank=True)
    resolution = models.TextField("异议处理意见", blank=True)
    paid_on = models.DateField("兑付日期", null=True, blank=True)
    paid_amount = models.DecimalField("兑付金额（万元）", max_digits=16, decimal_places=4, null=True, blank=True)
    payment_ref = models.CharField("支付凭证号", max_length=64, blank=True)
    fail_reason = models.TextField("失败原因", blank=True)
    payment_upload = models.ForeignKey(
        "PaymentUpload", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-notified_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "policy_id", "period"], name="one_benefit_per_period"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="benefit_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["status", "window_ends"]),
            models.Index(fields=["policy_id", "status"]),
        ]

    @property
    def record_id(self) -> str:
        """The stable id of the payment list's row (MS + 8 digits)."""
        return f"MS{self.pk:08d}"


class BenefitNote(models.Model):
    """A later snapshot of the same period found another amount: recorded once per snapshot, never applied."""

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="notes")
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    old_amount = models.DecimalField(max_digits=16, decimal_places=4)
    new_amount = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["benefit", "snapshot"], name="one_note_per_snapshot")]


class PaymentUpload(models.Model):
    sha256 = models.CharField(max_length=64, unique=True)
    name = models.CharField("文件名", max_length=200)  # shown only; never trusted
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    district_code = models.CharField("上传人所属区", max_length=6, blank=True)
    rows = models.PositiveIntegerField(default=0)
    applied = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    #: one entry per line: {"line", "record_id", "outcome", "amount", "result": "applied"|"refused", "reason"}
    report = models.JSONField(default=list)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
