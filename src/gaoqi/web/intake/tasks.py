"""Background jobs (django-tasks, database backend: `gaoqi-web db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from gaoqi.web.intake.services import snapshot_run


@task()
def run_snapshot(snapshot_id: int) -> int:
    return snapshot_run(snapshot_id).pk
