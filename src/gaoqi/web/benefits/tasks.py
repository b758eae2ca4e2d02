"""The daily job (django-tasks; ``gaoqi-web benefits_daily`` runs the same from cron): benefits whose window
ended without an objection become payable."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def benefits_daily() -> dict[str, Any]:
    from gaoqi.web.benefits.services import benefits_mature

    return benefits_mature()
