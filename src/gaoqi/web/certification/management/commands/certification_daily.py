"""``gaoqi-web certification_daily``: the day's automatic certification steps (for cron)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from gaoqi.web.certification.services import daily


class Command(BaseCommand):
    help = "Close ended publicity periods, complete renames, send annual-report and renewal reminders."

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write(json.dumps(daily(), ensure_ascii=False))
