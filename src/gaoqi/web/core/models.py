"""What every app's workflow shares: the log of moves of objects with a status (core/workflow.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class WorkflowLog(models.Model):
    """One move of one object by its workflow: who, when, from which status to which, and why. An object's
    model reads its own moves through a ``GenericRelation`` (``Application.transitions``)."""

    workflow = models.CharField("流程", max_length=32)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    action = models.CharField("操作", max_length=32)
    source = models.CharField("原状态", max_length=20, blank=True)  # "" when the move created the object
    target = models.CharField("新状态", max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", default=timezone.now, editable=False)
    comment = models.TextField("意见", blank=True)
    # working days the object spent in ``source``, for workflows with time limits (the application's stages)
    workdays_used = models.PositiveIntegerField(null=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="workflow_log_subject")]

    def __str__(self) -> str:
        return f"{self.workflow}:{self.object_id} {self.source}→{self.target}"


class DailyJobRun(models.Model):
    """One run of one daily job by ``gaoqi-web daily`` (the timer's command): the operator's page shows the last of
    each, and a job that succeeded today is not run again the same day."""

    job = models.CharField("任务", max_length=32)
    day = models.DateField("日期")
    started_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("结束时间", null=True)
    ok = models.BooleanField("成功", default=False)
    result = models.JSONField("结果", default=dict)
    error = models.TextField("错误", blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["job", "day"])]
