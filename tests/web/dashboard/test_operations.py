"""The operator's figures on the system and security administrators' 工作台 (ADR 0038)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gaoqi.web import roles
from gaoqi.web.core.operations import operator_figures
from gaoqi.web.intake.models import Snapshot
from tests.web.factories import user

pytestmark = pytest.mark.django_db


def _task(status: str, finished_hours_ago: float | None = None) -> None:
    finished = None if finished_hours_ago is None else timezone.now() - dt.timedelta(hours=finished_hours_ago)
    DBTaskResult.objects.create(
        status=status,
        task_path="gaoqi.web.benefits.tasks.benefits_daily",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        finished_at=finished,
    )


def test_operator_figures_count_the_queue_snapshots_daily_jobs_and_disk() -> None:
    for status in ("READY", "READY", "RUNNING"):
        _task(status)
    _task("FAILED", finished_hours_ago=2)
    _task("FAILED", finished_hours_ago=30)  # older than a day: not counted
    _task("SUCCESSFUL", finished_hours_ago=1)
    Snapshot.objects.create(as_of="2026-03-31", status=Snapshot.PUBLISHED)
    newer = Snapshot.objects.create(as_of="2026-06-30", status=Snapshot.PUBLISHED, finished_at=timezone.now())
    Snapshot.objects.create(as_of="2026-06-30", status=Snapshot.FAILED)
    failed = Snapshot.objects.create(as_of="2026-06-30", status=Snapshot.FAILED)
    call_command("daily", "--only", "benefits")

    figures = operator_figures()
    assert figures["queue"] == {"queued": 2, "running": 1, "failed_24h": 1}
    assert figures["published"] == newer
    assert figures["failed_runs"] == 2 and figures["last_failed_run"] == failed
    daily = dict(figures["daily"])
    assert daily["政策兑现"] is not None and daily["政策兑现"].ok
    assert daily["高企认定"] is None
    assert figures["disk"]["total_gb"] > 0 and 0 <= figures["disk"]["free_percent"] <= 100


@pytest.mark.parametrize("role", [roles.SYSADMIN, roles.SECADMIN])
def test_the_administrators_home_shows_the_operations_table(client: Client, role: str) -> None:
    Snapshot.objects.create(as_of="2026-06-30", status=Snapshot.PUBLISHED, finished_at=timezone.now())
    _task("READY")
    client.force_login(user(role))
    html = client.get("/").content.decode()
    assert "运行状况" in html and "排队 1，运行中 0，近 24 小时失败 0" in html
    assert "基准日 2026年6月30日" in html or "基准日 2026-06-30" in html or "2026" in html
    assert "每日任务：监测预警" in html and "尚未运行" in html
    assert "数据目录剩余空间" in html


def test_other_roles_do_not_see_it(client: Client) -> None:
    client.force_login(user(roles.MUNICIPAL))
    assert "运行状况" not in client.get("/").content.decode()
