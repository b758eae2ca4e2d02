from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Snapshot(models.Model):
    """One published run of the engine: an immutable copy of the DuckDB workspace (profiles, results,
    sources) plus the enterprise index and policy results loaded into this database. Pages read the
    current snapshot; older ones stay for comparison."""

    QUEUED, RUNNING, PUBLISHED, FAILED = "queued", "running", "published", "failed"
    STATUSES = [(QUEUED, "排队中"), (RUNNING, "运行中"), (PUBLISHED, "已发布"), (FAILED, "失败")]

    as_of = models.DateField("评估基准日")
    status = models.CharField("状态", max_length=16, choices=STATUSES, default=QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    step = models.CharField("当前步骤", max_length=64, blank=True)
    message = models.TextField("信息", blank=True)
    source_dir = models.CharField("数据目录", max_length=500, blank=True)
    duckdb_path = models.CharField("快照文件", max_length=500, blank=True)
    engine_version = models.CharField(max_length=32, blank=True)
    ruleset_hash = models.CharField(max_length=64, blank=True)
    enterprises = models.PositiveIntegerField("企业数", default=0)
    results = models.PositiveIntegerField("评估结果数", default=0)
    is_current = models.BooleanField("当前快照", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_snapshot"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="snapshot_progress_percent"),
        ]
