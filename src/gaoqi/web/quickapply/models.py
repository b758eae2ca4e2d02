"""A 快申快享 policy application (政策申请): the shared data it was prefilled with (locked, with sources), the
enterprise's attestations and note, the self-check, the responsible office and the decision clock; and the PDFs
attached to attested conditions (what the government does not hold)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q

from gaoqi.web.quickapply import workflow as wf


class PolicyApplication(models.Model):
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    enterprise_name = models.CharField("企业名称", max_length=200)
    district_code = models.CharField("企业所属区县", max_length=6, db_index=True)
    policy_id = models.CharField("政策", max_length=64)
    policy_name = models.CharField("政策名称", max_length=200)
    policy_version = models.CharField("政策版本", max_length=32)
    period = models.CharField("申报期", max_length=16)  # the calendar year (process.yaml: period)
    #: "" for the municipal office; a district code for a district's policy
    responsible_district = models.CharField("负责审核的区", max_length=6, blank=True, db_index=True)
    unit_code = models.CharField("责任单位", max_length=32, blank=True)
    status = models.CharField("状态", max_length=12, choices=list(wf.STATUS_LABELS.items()), default=wf.DRAFT)
    as_of = models.DateField("数据基准日")
    prefill = models.JSONField("共享数据（锁定，含来源）", default=dict)
    note = models.TextField("申请说明", blank=True)
    declarations = models.JSONField("承诺事项", default=dict)  # condition id → declared at (ISO)
    self_check = models.JSONField("自评结果", default=dict)
    time_limit_days = models.PositiveSmallIntegerField("办理时限（工作日）")
    time_limit_unconfirmed = models.BooleanField("时限为默认值", default=True)
    stage_started_at = models.DateField("本阶段开始日")
    office_days_used = models.PositiveSmallIntegerField("审核已用工作日", default=0)
    decision_due = models.DateField("审核截止日", null=True, blank=True)
    decision_due_provisional = models.BooleanField("截止日暂定", default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    benefit_amount = models.DecimalField("预计兑现金额（万元）", max_digits=20, decimal_places=4, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    transitions = GenericRelation("core.WorkflowLog", related_query_name="quickapply_application")

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc", "policy_id", "period"], condition=~Q(status__in=wf.CLOSED_WITHOUT_BENEFIT),
                name="quickapply_one_per_period",
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["status", "decision_due"]),
            models.Index(fields=["responsible_district", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_name} · {self.policy_name}"


class PolicyApplicationAttachment(models.Model):
    """A PDF proof of an attested condition: checked by content, stored outside the web root."""

    application = models.ForeignKey(PolicyApplication, on_delete=models.CASCADE, related_name="attachments")
    condition_id = models.CharField("条件", max_length=64)
    file_name = models.CharField("文件名", max_length=200)
    path = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    pages = models.PositiveIntegerField(default=1)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
