"""The servicedesk's daily job (django-tasks; ``gaoqi-web servicedesk_escalate`` runs the same from cron):
overdue requests escalated (督办), answered requests left unrated closed."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def servicedesk_daily() -> dict[str, Any]:
    from gaoqi.web.servicedesk.services import daily

    return daily()
