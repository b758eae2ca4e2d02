"""``gaoqi-web restore --from DIR [--force]``: restore a backup onto an empty database and GAOQI_HOME, after
verifying every checksum; then check the row counts, the audit chain and the migrations (ADR 0039)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gaoqi.web.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `backup` onto an empty target (refused otherwise unless --force)."
    requires_system_checks: list[str] = []  # a damaged backup is refused before the database is touched

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="source", required=True, help="the backup directory or .tar(.gz) file")
        parser.add_argument("--force", action="store_true", help="overwrite a non-empty database / GAOQI_HOME")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            summary = backup_restore(Path(opts["source"]).resolve(), force=opts["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("\n".join(summary.lines()))
