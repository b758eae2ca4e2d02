"""``gaoqi-web monitoring_escalate``: the day's escalation of warnings open past their handling limit (for cron;
the django-tasks task ``monitoring.tasks.monitoring_daily`` runs the same). Idempotent: a warning is escalated
once."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from gaoqi.web.monitoring.services import daily


class Command(BaseCommand):
    help = "Escalate warnings open past their handling limit (idempotent)."

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write(json.dumps(daily(), ensure_ascii=False))
