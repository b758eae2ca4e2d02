"""``gaoqi-web backup --to DIR`` (or ``--to FILE.tar.gz``): back up everything the platform cannot recompute
(ADR 0039). Exit code 1 on failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gaoqi.web.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the platform database, GAOQI_HOME's files (workspace, snapshots, uploads) and the audit anchor."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--to", required=True, help="a new or empty directory, or a .tar / .tar.gz file")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            summary = backup_create(Path(opts["to"]).resolve())
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("\n".join(summary.lines()))
