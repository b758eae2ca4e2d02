"""An evaluation (信息表: the values, the R&D indicator chosen, the declarations, the self-check), the
registration it leads to (入库登记编号), and the counters that number registrations without gaps."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q

from gaoqi.web.techsme import workflow as wf

FIRST, UPDATE = "first", "update"
#: Art. 7(二): the R&D input indicator the enterprise chooses — (1) R&D ÷ sales, (2) R&D ÷ total costs.
RD_SALES, RD_COSTS = "sales", "costs"
RD_INDICATORS = [(RD_SALES, "（1）研发费用占销售收入总额的比例"), (RD_COSTS, "（2）研发费用占成本费用支出总额的比例")]
#: Art. 8: direct qualification grounds ("hte" is read from the data; the others the office verifies).
DIRECT_GROUNDS = [
    ("", "无"),
    ("hte", "（一）拥有有效期内高新技术企业资格证书"),
    ("award", "（二）近五年内获得过国家级科技奖励，并在获奖单位中排在前三名"),
    ("rd_institution", "（三）拥有经认定的省部级以上研发机构"),
    ("standard", "（四）近五年内主导制定过国际标准、国家标准或行业标准"),
]


class Evaluation(models.Model):
    """One enterprise's evaluation of one year: the first one (to be registered) or a yearly update."""

    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    enterprise_name = models.CharField("企业名称", max_length=200)
    district_code = models.CharField("所属区县", max_length=6, db_index=True)
    year = models.PositiveSmallIntegerField("评价年度")
    kind = models.CharField("类型", max_length=8, choices=[(FIRST, "入库评价"), (UPDATE, "年度更新")], default=FIRST)
    registration = models.ForeignKey(
        "Registration", null=True, blank=True, on_delete=models.PROTECT, related_name="updates"
    )
    status = models.CharField("状态", max_length=20, choices=list(wf.STATUS_LABELS.items()), default=wf.DRAFT)
    stage_started_at = models.DateField("本阶段开始日")
    as_of = models.DateField("评估基准日")
    prefill = models.JSONField("共享数据（锁定，含来源）", default=dict)
    form = models.JSONField("企业填报内容", default=dict)
    rd_indicator = models.CharField("研发投入指标", max_length=8, choices=RD_INDICATORS, default=RD_SALES)
    declarations = models.JSONField("承诺事项", default=dict)  # condition id → declared at (ISO)
    direct_ground = models.CharField("直接确认情形", max_length=16, choices=DIRECT_GROUNDS, blank=True, default="")
    direct_evidence = models.TextField("直接确认说明", blank=True)
    self_check = models.JSONField("自评结果", default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    transitions = GenericRelation("core.WorkflowLog", related_query_name="techsme_evaluation")

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=Q(status__in=wf.IN_PROGRESS), name="techsme_one_in_progress"),
            models.UniqueConstraint(
                fields=["uscc", "year"], condition=~Q(status__in=[wf.WITHDRAWN, wf.REJECTED]), name="techsme_one_per_year"
            ),
            models.CheckConstraint(
                condition=Q(kind=FIRST, registration__isnull=True) | Q(kind=UPDATE, registration__isnull=False),
                name="techsme_update_has_registration",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["status", "district_code"])]

    def __str__(self) -> str:
        return f"{self.enterprise_name} {self.year}"


class Registration(models.Model):
    """入库登记: the registration number, valid until the next update's deadline unless revoked (Art. 14)."""

    number = models.CharField("登记编号", max_length=32, unique=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    enterprise_name = models.CharField("企业名称", max_length=200)
    district_code = models.CharField("所属区县", max_length=6, db_index=True)
    year = models.PositiveSmallIntegerField("入库年度")
    registered_on = models.DateField("入库日期")
    updated_year = models.PositiveSmallIntegerField("最近更新年度")  # the year of the last evaluation or update
    valid_until = models.DateField("下次更新截止日")
    status = models.CharField("状态", max_length=10, default=wf.VALID)
    evaluation = models.OneToOneField(Evaluation, on_delete=models.PROTECT, related_name="registered_as")
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=32, blank=True)
    revoke_comment = models.TextField("撤销说明", blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    transitions = GenericRelation("core.WorkflowLog", related_query_name="techsme_registration")

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=Q(status=wf.VALID), name="techsme_one_valid_registration"),
            models.CheckConstraint(
                condition=Q(status=wf.VALID) | (Q(revoked_on__isnull=False) & ~Q(revoke_reason="")),
                name="techsme_revocation_complete",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.number


class NumberCounter(models.Model):
    """The last serial given under one prefix: read under its row lock and raised in the registration's own
    transaction, so that numbers run without gaps (a rolled-back registration gives its serial back)."""

    prefix = models.CharField(max_length=32, unique=True)
    last = models.PositiveIntegerField(default=0)
