"""Background jobs of 供需对接 (django-tasks): every published demand matched against all confirmed supply."""

from __future__ import annotations

from django_tasks import task

from gaoqi.web.matching.services import match_all


@task()
def run_match_all() -> int:
    return match_all(None)
