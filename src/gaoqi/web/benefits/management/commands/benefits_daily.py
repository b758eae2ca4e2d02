"""``gaoqi-web benefits_daily``: 免申即享 benefits whose window ended without an objection become payable (cron)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from gaoqi.web.benefits.services import benefits_mature


class Command(BaseCommand):
    help = "Move benefits whose objection window ended without an objection to payable."

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write(json.dumps(benefits_mature(), ensure_ascii=False))
