"""The figures an operator watches (ADR 0038), on the system and security administrators' 工作台: the task queue
(django-tasks' database backend), the last published snapshot, the failed pipeline runs, the last run of each
daily job, the free disk of GAOQI_HOME. Counts and dates only: no personal data."""

from __future__ import annotations

import datetime as dt
import shutil
from typing import Any

from django.conf import settings
from django.utils import timezone

from gaoqi.web.core.daily import last_runs

#: the daily jobs by their Chinese names (the page's words)
DAILY_JOB_LABELS = {
    "certification": "高企认定",
    "techsme": "科技型中小企业",
    "benefits": "政策兑现",
    "servicedesk": "服务台",
    "monitoring": "监测预警",
    "results": "评估结果版本清理",
}


def operator_figures() -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    from gaoqi.web.intake.models import Snapshot

    since = timezone.now() - dt.timedelta(hours=24)
    tasks = DBTaskResult.objects
    queue = {
        "queued": tasks.filter(status="READY").count(),
        "running": tasks.filter(status="RUNNING").count(),
        "failed_24h": tasks.filter(status="FAILED", finished_at__gte=since).count(),
    }
    published = Snapshot.objects.filter(status=Snapshot.PUBLISHED).order_by("-id").first()
    failed_runs = Snapshot.objects.filter(status=Snapshot.FAILED).order_by("-id")
    home = settings.GAOQI_HOME
    try:
        usage = shutil.disk_usage(home)
        disk: dict[str, Any] | None = {
            "free_gb": round(usage.free / 1e9, 1),
            "total_gb": round(usage.total / 1e9, 1),
            "free_percent": round(100 * usage.free / usage.total, 1) if usage.total else 0.0,
        }
    except OSError:
        disk = None
    return {
        "queue": queue,
        "published": published,
        "failed_runs": failed_runs.count(),
        "last_failed_run": failed_runs.first(),
        "daily": [(DAILY_JOB_LABELS[name], run) for name, run in last_runs().items()],
        "disk": disk,
    }
