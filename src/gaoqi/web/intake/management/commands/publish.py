"""``gaoqi-web publish --as-of DATE [--source DIR]``: run the pipeline and publish a snapshot now (no worker;
refused while another run is in progress)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gaoqi.web.intake.models import Snapshot
from gaoqi.web.intake.services import RunBusy, snapshot_recover_interrupted, snapshot_run


class Command(BaseCommand):
    help = "Run ingest → resolve → profiles → evaluate and publish the results as the current snapshot."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--as-of", required=True)
        parser.add_argument("--source", default="", help="a directory of department files to ingest first")

    def handle(self, *args: Any, **opts: Any) -> None:
        snapshot_recover_interrupted(None)
        snap = Snapshot.objects.create(as_of=dt.date.fromisoformat(opts["as_of"]), source_dir=opts["source"])
        try:
            snap = snapshot_run(snap.pk, wait=False)  # refused, not queued, while another run is in progress
        except RunBusy as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"snapshot #{snap.pk} published: {snap.enterprises} enterprises, {snap.results} results")
