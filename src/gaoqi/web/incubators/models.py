"""Incubators and service agencies (孵化器、众创空间、服务机构, issue 12, ADR 0018): the roster and each body's
effectiveness figures and evaluation, published with each snapshot from the engine (``Workspace.incubator_figures``):
computed from the data, never typed in. Pages, exports and the API read these rows, scoped (``selectors``)."""

from __future__ import annotations

from django.db import models

from gaoqi.web.intake.models import Snapshot

KINDS = [("incubator", "孵化器"), ("maker_space", "众创空间"), ("service_agency", "服务机构")]
LEVELS = [("national", "国家级"), ("municipal", "市级"), ("district", "区级"), ("other", "其他")]

#: The figures that are counts and those that are shares (engine: features/incubator.py), in display order.
COUNTS = (
    "incubated", "incubating", "registered_last_year", "tech_sme", "new_hte", "hte_valid", "hte_due",
    "hte_recertified", "in_pool", "pool_members", "pool_converted", "grown",
)  # fmt: skip
SHARES = ("registered_last_year_share", "tech_sme_share", "hte_share", "recert_rate", "pool_conv", "growth_share")


class Incubator(models.Model):
    """A body of the incubator roster, as the latest snapshot delivered it."""

    code = models.CharField("孵化机构代码", max_length=32, unique=True)
    name = models.CharField("孵化机构名称", max_length=200)
    kind = models.CharField("机构类型", max_length=16, choices=KINDS)
    level = models.CharField("级别", max_length=16, choices=LEVELS)
    district_code = models.CharField("所在区县", max_length=6, db_index=True)
    operator_uscc = models.CharField("运营主体统一社会信用代码", max_length=18, blank=True)
    recognised_on = models.DateField("认定日期", null=True, blank=True)
    valid_to = models.DateField("认定有效期至", null=True, blank=True)
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class _Figures(models.Model):
    """The figures of one evaluation year (the snapshot's as-of year, up to its as-of date)."""

    evaluation_year = models.PositiveSmallIntegerField("评价年度")
    incubated = models.PositiveIntegerField("在孵及毕业企业数", default=0)
    incubating = models.PositiveIntegerField("在孵企业数", default=0)
    registered_last_year = models.PositiveIntegerField("上年新注册企业数", default=0)
    tech_sme = models.PositiveIntegerField("科技型中小企业数", default=0)
    new_hte = models.PositiveIntegerField("当年首次认定高企数", default=0)
    hte_valid = models.PositiveIntegerField("有效高企数", default=0)
    hte_due = models.PositiveIntegerField("当年到期高企数", default=0)
    hte_recertified = models.PositiveIntegerField("到期后重新认定数", default=0)
    in_pool = models.PositiveIntegerField("培育库在库企业数", default=0)
    pool_members = models.PositiveIntegerField("培育库企业数（含当年转化）", default=0)
    pool_converted = models.PositiveIntegerField("培育库当年转化为高企数", default=0)
    grown = models.PositiveIntegerField("收入或研发费用增长企业数", default=0)
    registered_last_year_share = models.DecimalField("上年新注册企业占比", max_digits=16, decimal_places=12, null=True)
    tech_sme_share = models.DecimalField("科技型中小企业占比", max_digits=16, decimal_places=12, null=True)
    hte_share = models.DecimalField("有效高企占比", max_digits=16, decimal_places=12, null=True)
    recert_rate = models.DecimalField("高企复审率", max_digits=16, decimal_places=12, null=True)
    pool_conv = models.DecimalField("培育库转化率", max_digits=16, decimal_places=12, null=True)
    growth_share = models.DecimalField("高成长企业占比", max_digits=16, decimal_places=12, null=True)

    class Meta:
        abstract = True


class IncubatorFigures(_Figures):
    """One incubator's figures and evaluation in one snapshot (``rank``: its place in the ranking, 1 = best)."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    incubator = models.ForeignKey(Incubator, on_delete=models.CASCADE, related_name="figures")
    applied = models.PositiveIntegerField("当年申报高企数", default=0)  # the platform's applications (certification)
    policy_id = models.CharField(max_length=64, blank=True)
    policy_version = models.CharField(max_length=32, blank=True)
    status = models.CharField("评价结论", max_length=8, blank=True)  # pass / fail / unknown; "" not evaluated
    failed_conditions = models.JSONField(default=list)
    unknown_features = models.JSONField(default=list)
    gates = models.JSONField(default=list)  # [{id, ok, observed, required}] in the policy's order
    scores = models.JSONField(default=list)  # [{id, lo, hi}] in the policy's order, the total last
    score_lo = models.DecimalField("得分（下限）", max_digits=8, decimal_places=2, null=True)
    score_hi = models.DecimalField("得分（上限）", max_digits=8, decimal_places=2, null=True)
    rank = models.PositiveIntegerField("排名")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["snapshot", "incubator"], name="one_figures_per_incubator")]
        indexes = [models.Index(fields=["snapshot", "rank"])]


class CityFigures(_Figures):
    """The same figures over every enterprise of the snapshot: the city's rates an incubator is compared with."""

    snapshot = models.OneToOneField(Snapshot, on_delete=models.CASCADE, related_name="+")
