from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q

from gaoqi.web.certification import workflow as wf

#: Statuses of an application still in progress (one at a time per enterprise).
IN_PROGRESS = [
    wf.DRAFT, wf.CORRECTION, wf.DISTRICT_REVIEW, wf.MUNICIPAL_REVIEW, wf.EXPERT_REVIEW, wf.DECISION, wf.PUBLICITY,
]  # fmt: skip


class Application(models.Model):
    """An HTE certification application (《高新技术企业认定申请书》), standard route or 报备即批准."""

    STANDARD, PILOT = "standard", "pilot"
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    enterprise_name = models.CharField("企业名称", max_length=200)
    district_code = models.CharField("所属区县", max_length=6, db_index=True)
    year = models.PositiveSmallIntegerField("申报年度")
    route = models.CharField(
        "路径", max_length=8, choices=[(STANDARD, "常规认定"), (PILOT, "报备即批准")], default=STANDARD
    )
    tech_field = models.CharField("技术领域", max_length=32)
    status = models.CharField("状态", max_length=20, choices=list(wf.STATUS_LABELS.items()), default=wf.DRAFT)
    stage_started_at = models.DateField("本阶段开始日")
    prefill = models.JSONField("共享数据（锁定，含来源）", default=dict)
    form = models.JSONField("企业填报内容", default=dict)
    self_check = models.JSONField("自评结果", default=dict)
    declarations = models.JSONField("告知承诺", default=dict)  # condition id → declared at (ISO)
    # the field classifier's suggestion at the start (field, sub-field, confidence, evidence, model version) and
    # every change of the declared field away from it ("changes": at, by, from, to); ADR 0034
    field_suggestion = models.JSONField("技术领域建议", default=dict, db_default={})
    # the reclassification at submission with the enterprise's products and R&D projects, and the mismatch flag
    field_check = models.JSONField("技术领域核对", default=dict, db_default={})
    as_of = models.DateField("评估基准日")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # the moves of its workflow (who, when, from, to, comment, working days the stage took), oldest first
    transitions = GenericRelation("core.WorkflowLog", related_query_name="application")

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc", "year"],
                condition=~Q(status__in=[wf.WITHDRAWN, wf.REJECTED]),
                name="one_live_application_per_year",
            ),
            # one application in progress per enterprise, whatever its year
            models.UniqueConstraint(
                fields=["uscc"], condition=Q(status__in=IN_PROGRESS), name="one_application_in_progress"
            ),
        ]
        indexes = [models.Index(fields=["status", "district_code"])]

    def __str__(self) -> str:
        return f"{self.enterprise_name} {self.year}"


class Attachment(models.Model):
    """A PDF the enterprise uploads for a value the government does not hold (stored outside the web root)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    item = models.CharField("对应填报项", max_length=64)
    file_name = models.CharField(max_length=200)
    path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)


class Expert(models.Model):
    """An expert of the pool (hte-rules.md §1.4: technical or financial)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert")
    kind = models.CharField(max_length=10, choices=[("technical", "技术专家"), ("financial", "财务专家")])
    fields = models.JSONField("技术领域", default=list)
    employer_uscc = models.CharField(max_length=18, blank=True)
    past_employers = models.JSONField(default=list)  # [[uscc, until ISO date], ...]
    avoid_usccs = models.JSONField("申报回避", default=list)
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)  # each edit +1: a form drawn from an older version is stale


class Panel(models.Model):
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="panel")
    seed = models.BigIntegerField("随机种子")
    expert_ids = models.JSONField()
    leader = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+")
    excluded = models.JSONField(default=dict)  # expert id → reason (conflicts, inactive)
    # expert routing (ADR 0034): {"field": predicted field, "seats": reserved, "expert_ids": who took them}
    routing = models.JSONField("专家领域调配", default=dict, db_default={})
    drawn_at = models.DateTimeField(auto_now_add=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class Score(models.Model):
    """One expert's independent innovation-capacity scoring of an application (S-195 §2.4)."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="scores")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+")
    items = models.JSONField()  # score id → points
    total = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["panel", "expert"], name="one_score_per_expert")]


class Objection(models.Model):
    """A written, real-name objection during publicity."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objections")
    name = models.CharField("实名", max_length=64)  # shown to the municipal office only
    contact = models.CharField("联系方式", max_length=64)
    content = models.TextField("异议内容", max_length=2000)
    address = models.GenericIPAddressField("提交地址", null=True)  # for the per-address limit
    received_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        "处理状态", max_length=10, choices=list(wf.OBJECTION.labels().items()), default=wf.OBJ_PENDING
    )
    handling = models.TextField("处理意见", blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    @property
    def upheld(self) -> bool | None:
        """None while pending, then whether the objection was upheld (the pages read it so)."""
        return None if self.status == wf.OBJ_PENDING else self.status == wf.OBJ_UPHELD


class Certificate(models.Model):
    VALID, REVOKED, CANCELLED, EXPIRED = wf.VALID, wf.CERT_REVOKED, wf.CANCELLED, wf.EXPIRED
    REPLACED = wf.REPLACED  # a name change issued a new certificate with the same number and validity
    number = models.CharField("证书编号", max_length=32)
    uscc = models.CharField(max_length=18, db_index=True)
    enterprise_name = models.CharField(max_length=200)
    tech_field = models.CharField(max_length=32)
    issue_date = models.DateField("发证日期")
    expiry_date = models.DateField("有效期至")
    status = models.CharField(max_length=10, default=VALID)
    application = models.ForeignKey(Application, null=True, on_delete=models.PROTECT, related_name="certificates")
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expiry_date__gt=models.F("issue_date")), name="certificate_expiry_after_issue"
            ),
            # one live certificate per number: a renamed enterprise's new certificate keeps the number
            models.UniqueConstraint(
                fields=["number"], condition=~Q(status="replaced"), name="one_live_certificate_number"
            ),
        ]


class PostCheck(models.Model):
    """报备即批准: a pilot approval drawn for a check afterwards (事后核查)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="post_check")
    seed = models.BigIntegerField()
    due_date = models.DateField()
    due_provisional = models.BooleanField(default=False)  # past the published holiday calendar: weekends only
    outcome = models.CharField(max_length=8, blank=True)  # "" pending, "passed", "failed"
    reasons = models.TextField(blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(null=True)


class AnnualReport(models.Model):
    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="annual_reports")
    year = models.PositiveSmallIntegerField("报告年度")
    data = models.JSONField(default=dict)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["certificate", "year"], name="one_report_per_year")]


class Revocation(models.Model):
    """Art. 19 / Art. 16: the qualification cancelled, with its reasons and consequences."""

    certificate = models.OneToOneField(Certificate, on_delete=models.PROTECT, related_name="revocation")
    reason = models.CharField(max_length=32)
    article = models.CharField(max_length=64)
    detail = models.TextField()
    recover_tax_from_year = models.PositiveSmallIntegerField("追缴税收优惠起始年度")
    no_application_in_year = models.PositiveSmallIntegerField("当年不得再次申请")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)


class NameChange(models.Model):
    PENDING = (wf.NC_PUBLICITY, wf.NC_RE_REVIEW)
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="name_changes")
    old_name = models.CharField(max_length=200)
    new_name = models.CharField(max_length=200)
    major_change = models.BooleanField(default=False)
    publicity_start = models.DateField(null=True)
    publicity_end = models.DateField(null=True)
    status = models.CharField(max_length=12, default="publicity")  # publicity, done, re_review
    completed_on = models.DateField("换发日期", null=True)  # the change date the platform's name_change feed reports
    new_certificate = models.ForeignKey(Certificate, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate"], condition=Q(status__in=["publicity", "re_review"]), name="one_pending_rename"
            ),
            models.CheckConstraint(condition=~Q(new_name=""), name="rename_has_a_name"),
        ]


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-id"]


class RevocationReferral(models.Model):
    """移送撤销 (issue 15, ADR 0030): an enterprise referred to the municipal office for the revocation of its HTE
    qualification, by a warning's handling or a failed spot check, with the reasons. The office decides
    (``workflow.REFERRAL``): revoked — through ``certificate_revoke`` when the platform issued the certificate
    (``certificate`` set, ``external`` False); for a certificate known only from the department feed the decision
    is recorded and ``external`` is True: the issuing system must be told, the platform revokes nothing — or
    declined."""

    WARNING, SPOT_CHECK = "warning", "spot_check"
    SOURCES = [(WARNING, "监测预警"), (SPOT_CHECK, "双随机抽查")]
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+")
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    enterprise_name = models.CharField("企业名称", max_length=200)
    district_code = models.CharField("所属区县", max_length=6, db_index=True)
    source_kind = models.CharField("来源", max_length=12, choices=SOURCES)
    source_id = models.PositiveBigIntegerField("来源编号")
    reasons = models.TextField("移送理由")
    status = models.CharField("状态", max_length=12, choices=list(wf.REFERRAL_LABELS.items()))
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField("移送时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decision_note = models.TextField("决定意见", blank=True)
    revocation_reason = models.CharField("撤销原因", max_length=32, blank=True)
    certificate = models.ForeignKey(Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    external = models.BooleanField("证书由其他系统颁发", default=False)
    transitions = GenericRelation("core.WorkflowLog", related_query_name="revocation_referral")

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_kind", "source_id"], name="one_referral_per_source"),
            models.CheckConstraint(
                condition=~Q(status="revoked") | Q(certificate__isnull=False) | Q(external=True),
                name="referral_revoked_says_how",
            ),
        ]
        indexes = [models.Index(fields=["status", "id"], name="cert_referral_status_id")]

    def __str__(self) -> str:
        return f"撤销移送 #{self.pk} {self.enterprise_name}"
