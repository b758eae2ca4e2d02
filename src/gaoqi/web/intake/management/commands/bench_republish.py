"""``gaoqi-web bench_republish``: a first full publication and a day's republication, by phase (issue 17; prints
figures, no assertions).

Into an empty database (refused otherwise), on a copy of an engine workspace (``--workspace``, copied into
GAOQI_HOME; never written), three runs of the whole pipeline (``snapshot_run``, as the worker runs it):

(a) the first run: every enterprise and result written (a full publication);
(b) a day's change: a delivery (``gaoqi.synth.delivery``: the latest tax figures of ``--changed`` enterprises,
    ``--renames`` renames, ``--new`` new registrations) ingested, then every step, publishing the difference;
(c) the same again with nothing delivered.

Each prints the seconds of every step (engine and publication, the switch's derivations one by one), the rows
written and superseded, and the peak memory of this process.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gaoqi.web.intake.models import Snapshot
from gaoqi.web.intake.services import snapshot_run


class Command(BaseCommand):
    help = "Time a first full publication and a day's republication of a large workspace, by phase."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workspace", required=True, help="an evaluated engine workspace home (copied)")
        parser.add_argument("--as-of", default="2026-06-30")
        parser.add_argument("--changed", type=int, default=20_000, help="enterprises with new tax figures")
        parser.add_argument("--renames", type=int, default=200)
        parser.add_argument("--new", type=int, default=500, help="new registrations")
        parser.add_argument("--only", choices=["a", "b", "c"], action="append", help="these runs only (default all)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from gaoqi.synth.delivery import day_delivery

        as_of = dt.date.fromisoformat(opts["as_of"])
        only = set(opts["only"] or ["a", "b", "c"])
        home = Path(settings.GAOQI_HOME)
        if "a" in only:
            if Snapshot.objects.exists():
                raise CommandError("the database already holds snapshots: use an empty one (migrated)")
            home.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            shutil.copyfile(Path(opts["workspace"]) / "gaoqi.duckdb", home / "gaoqi.duckdb")
            self._say("copy of the workspace (not part of a run)", {"seconds": round(time.perf_counter() - started, 1)})
            self._run("(a) first run, full publication", as_of, "")
        if "b" in only:
            delivery = home / f"delivery-{int(time.time())}"
            started = time.perf_counter()
            written = day_delivery(
                home / "gaoqi.duckdb", delivery, changed=opts["changed"], renames=opts["renames"], new=opts["new"]
            )
            self._say(
                "delivery written (not part of a run)", {**written, "seconds": round(time.perf_counter() - started, 1)}
            )
            self._run("(b) a day's delivery, republication", as_of, str(delivery))
        if "c" in only:
            self._run("(c) nothing new, republication", as_of, "")

    def _run(self, title: str, as_of: dt.date, source: str) -> None:
        snap = Snapshot.objects.create(as_of=as_of, source_dir=source)
        started = time.perf_counter()
        done = snapshot_run(snap.pk)
        total = time.perf_counter() - started
        figures = dict(getattr(done, "publish_figures", {}))
        seconds = figures.pop("seconds", {})
        engine = {k: v for k, v in seconds.items() if k not in _PUBLISH}
        publish = {k: v for k, v in seconds.items() if k in _PUBLISH}
        self._say(
            title,
            {
                "snapshot": done.pk,
                "status": done.status,
                "total_seconds": round(total, 1),
                "engine_seconds": round(sum(engine.values()), 1),
                "publish_seconds": round(sum(publish.values()), 1),
                "by_step": seconds,
                "rows": figures,
                "enterprises": done.enterprises,
                "results": done.results,
                "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
            },
        )

    def _say(self, title: str, figures: dict[str, Any]) -> None:
        self.stdout.write(f"== {title}\n{json.dumps(figures, ensure_ascii=False, indent=1)}")
        self.stdout.flush()


_PUBLISH = {
    "read", "stage", "switch: write", "switch: counts", "switch: lists", "switch: benefits", "switch: push events",
    "switch: warnings", "switch: review signals", "switch: incubators", "commit",
}  # fmt: skip
