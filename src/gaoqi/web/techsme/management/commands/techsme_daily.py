"""``gaoqi-web techsme_daily``: the day's automatic tech-SME steps (for cron)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from gaoqi.web.techsme.services import daily


class Command(BaseCommand):
    help = "Register evaluations whose publicity ended; revoke registrations not updated by the deadline."

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write(json.dumps(daily(), ensure_ascii=False))
