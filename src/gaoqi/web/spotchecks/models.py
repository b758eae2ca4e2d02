"""双随机、一公开 spot checks (issue 15, ADR 0031).

- ``Inspector``: the pool of inspectors (检查人员名录), managed by the municipal office: name, unit, district (the
  conflict rule reads it), an optional platform account (then the inspector records its own cases), active.
- ``Draw``: one per year (unique). Its seed (from SystemRandom), the rules version and hash, the published
  snapshot it froze, the population's size and hash (SHA-256 of the sorted USCC list), counts per stratum.
- ``DrawFrozen``: the frozen inputs of the pure selection (``sampling.select``): every member of the population
  with its stratum and flags, and the inspector pool — what the verify action recomputes from.
- ``Case``: one selected enterprise (frozen name, USCC and district), why it was selected, its inspectors
  (``CaseInspector``) and its status (``workflow.CASE``), the result's reasons and the revocation referral.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gaoqi.web.enterprises.models import Enterprise
from gaoqi.web.intake.models import Snapshot
from gaoqi.web.spotchecks.workflow import DRAWN, STATUS_LABELS


class Inspector(models.Model):
    name = models.CharField("姓名", max_length=64)
    unit = models.CharField("所在单位", max_length=100)
    district_code = models.CharField("所属区县", max_length=6, blank=True)  # "": a municipal unit
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="inspector_records"
    )
    active = models.BooleanField("在册", default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(user__isnull=False), name="one_inspector_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class Draw(models.Model):
    year = models.PositiveSmallIntegerField("抽查年度", unique=True)
    seed = models.CharField("随机种子", max_length=40)
    rules_version = models.CharField("规则版本", max_length=32)
    rules_hash = models.CharField("规则哈希", max_length=64)
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField("快照数据截止日")
    population = models.PositiveIntegerField("抽查对象总数")
    population_hash = models.CharField("抽查对象名单哈希", max_length=64)
    frozen_hash = models.CharField("冻结输入哈希", max_length=64)
    drawn = models.PositiveIntegerField("抽中户数")
    #: [{"key", "district", "cert_year", "size", "drawn"}] per stratum; {"reason": [size, drawn]} per group
    strata = models.JSONField(default=list)
    groups = models.JSONField(default=dict)
    understaffed = models.PositiveIntegerField("检查人员不足户数", default=0)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-year"]


class DrawFrozen(models.Model):
    draw = models.OneToOneField(Draw, on_delete=models.CASCADE, related_name="frozen")
    members = models.JSONField()  # [[uscc, district, cert_year, warning, pilot], …] by USCC
    inspectors = models.JSONField()  # [[inspector id, district], …] by id


class Case(models.Model):
    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="cases")
    enterprise = models.ForeignKey(Enterprise, null=True, on_delete=models.SET_NULL, related_name="+")
    uscc = models.CharField("统一社会信用代码", max_length=18)
    enterprise_name = models.CharField("企业名称", max_length=200)
    district_code = models.CharField("所属区县", max_length=6)
    stratum = models.CharField("分层", max_length=20, blank=True)
    reasons = models.JSONField("抽取原因", default=list)  # sampling.REASONS
    order = models.PositiveIntegerField("序号")  # the assignment order of the draw
    status = models.CharField("状态", max_length=12, choices=list(STATUS_LABELS.items()), default=DRAWN)
    result_reasons = models.TextField("检查意见", blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    #: the revocation referral a failed check opened (certification's 移送撤销)
    referral = models.ForeignKey(
        "certification.RevocationReferral", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    inspectors = models.ManyToManyField(Inspector, through="CaseInspector", related_name="cases")

    class Meta:
        ordering = ["draw", "order"]
        constraints = [models.UniqueConstraint(fields=["draw", "uscc"], name="one_case_per_enterprise_and_draw")]
        indexes = [
            models.Index(fields=["draw", "district_code", "status"]),
            models.Index(fields=["uscc"]),
        ]


class CaseInspector(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    inspector = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="assignments")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["case", "position"]
        constraints = [models.UniqueConstraint(fields=["case", "inspector"], name="one_assignment_per_inspector")]
