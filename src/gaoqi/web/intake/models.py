from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q, Subquery, Value
from django.db.models.functions import Coalesce


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
    # ADR 0042: whether its publication wrote every result (the first, or when no previous file could be trusted)
    # rather than the difference with the previous snapshot; the default covers every earlier full copy
    results_full = models.BooleanField(default=True, db_default=True)
    attempt = models.PositiveSmallIntegerField("第几次尝试", default=1, db_default=1)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_snapshot"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="snapshot_progress_percent"),
        ]


class Upload(models.Model):
    """A file delivered through the 数据汇聚 page, recorded whatever becomes of it (nothing vanishes).

    What can be told at once is stored here: refused as a whole (the engine's ``precheck`` reason, or the
    platform's for a file it does not take) or the same bytes as an earlier file (not stored again). Whether it
    was then loaded, quarantined or refused by a run is read from the current snapshot by ``sha256``
    (``selectors.upload_verdicts``)."""

    file_name = models.CharField("文件名", max_length=255)
    stored_name = models.CharField("数据目录中的文件名", max_length=255, blank=True)  # "" when not stored
    size = models.BigIntegerField("大小（字节）")
    sha256 = models.CharField("内容哈希（SHA-256）", max_length=64, db_index=True)
    feed = models.CharField("数据接口", max_length=32, blank=True)
    refused_code = models.CharField(max_length=64, blank=True)
    refused_reason = models.TextField("整体未导入原因", blank=True)
    same_as = models.CharField("相同内容的较早文件", max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        ordering = ["-id"]


def _full_publications(snapshot_id: int) -> models.QuerySet[Snapshot]:
    return Snapshot.objects.filter(
        Q(status=Snapshot.PUBLISHED) | Q(pk=snapshot_id), results_full=True, pk__lte=snapshot_id
    ).order_by("-pk")


def results_since(snapshot_id: int) -> int:
    """The last full publication at or before ``snapshot_id`` (itself while it publishes): results written before
    it are not the snapshot's (ADR 0042). 0 when there is none."""
    return int(_full_publications(snapshot_id).values_list("pk", flat=True).first() or 0)


def results_since_query(snapshot_id: int) -> Coalesce:
    """``results_since`` as an expression of the query that reads the results (no query of its own)."""
    return Coalesce(Subquery(_full_publications(snapshot_id).values("pk")[:1]), Value(0))
