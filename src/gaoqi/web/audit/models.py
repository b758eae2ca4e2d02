from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    """One line of the append-only, hash-chained audit log.

    ``hash`` = sha256(prev_hash + the event's canonical JSON); changing, inserting or deleting any row breaks
    the chain from there on (services.audit_verify). Database triggers refuse UPDATE and DELETE."""

    at = models.DateTimeField("时间")
    username = models.CharField("用户", max_length=150, blank=True)
    role = models.CharField("角色", max_length=16, blank=True)
    action = models.CharField("操作", max_length=64)
    target = models.CharField("对象", max_length=200, blank=True)
    ip = models.CharField("来源地址", max_length=45, blank=True)
    outcome = models.CharField("结果", max_length=16, default="success")
    detail = models.JSONField("详情", default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["action", "at"]), models.Index(fields=["username", "at"])]
