"""``gaoqi-web servicedesk_escalate``: the day's servicedesk steps (for cron; the django-tasks task
``servicedesk.tasks.servicedesk_daily`` runs the same): overdue requests escalated (督办, once per stage) and
answered requests left unrated past the limit closed. Idempotent: a second run the same day changes nothing."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from gaoqi.web.servicedesk.services import daily


class Command(BaseCommand):
    help = "Escalate overdue enterprise requests and close answered ones left unrated (idempotent)."

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write(json.dumps(daily(), ensure_ascii=False))
