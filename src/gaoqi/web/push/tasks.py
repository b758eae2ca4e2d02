"""The sending job (django-tasks, database backend: ``gaoqi-web worker`` runs it)."""

from __future__ import annotations

from django_tasks import task

from gaoqi.web.push.services import job_run


@task()
def push_send(job_id: int) -> str:
    return job_run(job_id)
