"""The tech-SME daily job (django-tasks; ``gaoqi-web techsme_daily`` runs the same from cron): publicity periods
that ended become registrations with their numbers; registrations not updated by the deadline are revoked."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def techsme_daily() -> dict[str, Any]:
    from gaoqi.web.techsme.services import daily

    return daily()
