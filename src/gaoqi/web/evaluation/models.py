"""The district evaluation (分析评价, issue 15, ADR 0032): an ``EvaluationReport`` per year and kind of area
(the 16 districts, or the Zhongguancun sub-parks), computed by the third-party evaluator over a published snapshot
and stamped with what makes it reproducible (the snapshot, its rule-set hash, the indicator file's hash and text,
the sub-park mapping's hash and text); one ``AreaResult`` per area with its measures, indicator values, scores,
composite, rank and the evaluator's comment. Numbers are stored as decimal text in JSON (never floats)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from gaoqi.web.evaluation.workflow import STATUS_LABELS
from gaoqi.web.intake.models import Snapshot

DISTRICT, SUBPARK = "district", "subpark"
AREA_KINDS = [(DISTRICT, "各区"), (SUBPARK, "中关村分园")]


class EvaluationReport(models.Model):
    year = models.PositiveSmallIntegerField("评价年度")
    area_kind = models.CharField("评价对象", max_length=8, choices=AREA_KINDS)
    status = models.CharField("状态", max_length=12, choices=list(STATUS_LABELS.items()))
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="+", verbose_name="数据快照")
    ruleset_hash = models.CharField("规则集校验值", max_length=64)
    indicator_set = models.CharField("指标体系", max_length=64)
    indicator_version = models.CharField("指标版本", max_length=32)
    indicators_hash = models.CharField("指标文件校验值", max_length=64)
    indicators_text = models.TextField("指标文件")
    areas_hash = models.CharField("分园对应表校验值", max_length=64, blank=True)
    areas_text = models.TextField("分园对应表", blank=True)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField("计算时间")
    published_at = models.DateTimeField("通报时间", null=True, blank=True)

    class Meta:
        ordering = ["-year", "area_kind"]
        constraints = [
            models.UniqueConstraint(fields=["year", "area_kind"], name="evaluation_one_report_per_year_kind"),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False), name="evaluation_published_dated"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度{self.get_area_kind_display()}评价报告"


class AreaResult(models.Model):
    report = models.ForeignKey(EvaluationReport, on_delete=models.CASCADE, related_name="areas")
    area_code = models.CharField("评价对象代码", max_length=16)
    area_name = models.CharField("评价对象", max_length=64)
    #: the districts a sub-park sums (a district: itself); a district official sees the areas holding its district
    districts = models.JSONField(default=list)
    composite = models.DecimalField("综合得分", max_digits=6, decimal_places=2, null=True)
    rank = models.PositiveSmallIntegerField("排名", null=True)
    weight_used = models.DecimalField("计分权重合计", max_digits=8, decimal_places=2)
    values = models.JSONField(default=dict)  # indicator code → value (decimal text) or null (无数据)
    scores = models.JSONField(default=dict)  # indicator code → 0–100 (decimal text) or null
    measures = models.JSONField(default=dict)  # measure → value (decimal text) or null
    comment = models.TextField("评估意见", blank=True)

    class Meta:
        ordering = ["report", "rank", "area_code"]
        constraints = [
            models.UniqueConstraint(fields=["report", "area_code"], name="evaluation_one_row_per_area"),
        ]

    def __str__(self) -> str:
        return f"{self.report}：{self.area_name}"
