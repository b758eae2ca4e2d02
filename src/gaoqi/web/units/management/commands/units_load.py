"""Load the roster of responsible units from units.yaml (idempotent: added, renamed, retired)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gaoqi.web.units.services import units_load


class Command(BaseCommand):
    help = "Load the responsible units (责任单位) from units.yaml"

    def handle(self, *args: Any, **options: Any) -> None:
        counts = units_load()
        self.stdout.write(f"units: {counts['added']} added, {counts['changed']} changed, {counts['retired']} retired")
