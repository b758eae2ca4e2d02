"""``gaoqi-web bench_spotchecks [--htes N] [--inspectors K] [--db]``: the seconds the yearly draw takes at a given
population (docs/benchmarks.md). Printed as JSON.

- the pure selection (``sampling.select``) over N synthetic current HTEs in 16 districts and 4 certification
  years, 2% with an open CRITICAL warning, 5% HIGH, 3% pilot certifications, K inspectors: once for the draw and
  once more as the verify action recomputes it (the two must be equal);
- with ``--db``: the whole ``services.draw_run`` on this database (index rows, inspectors and a municipal account
  made for it, the draw, its frozen inputs, the cases and assignments, the notifications) and ``draw_verify``,
  inside one transaction rolled back at the end: nothing is left behind."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from gaoqi.engine import district_codes
from gaoqi.web.spotchecks import rules, sampling

YEARS = (2023, 2024, 2025, 2026)


def population(n: int, seed: int = 7) -> list[sampling.Member]:
    rnd = random.Random(seed)
    districts = sorted(district_codes())[:16]
    out = []
    for i in range(n):
        r = rnd.random()
        warning = sampling.CRITICAL if r < 0.02 else sampling.HIGH if r < 0.07 else ""
        out.append(sampling.Member(f"91{districts[i % 16]}MA{i:08d}", districts[i % 16], YEARS[(i // 16) % 4], warning,
                                   rnd.random() < 0.03))  # fmt: skip
    return out


class Command(BaseCommand):
    help = "Time the spot checks' yearly draw (pure selection; --db: the whole service, rolled back)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--htes", type=int, default=30_000)
        parser.add_argument("--inspectors", type=int, default=200)
        parser.add_argument("--db", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        n, k = int(opts["htes"]), int(opts["inspectors"])
        version = rules.in_force(dt.date(2026, 12, 7))
        pop = population(n)
        districts = sorted(district_codes())[:16]
        pool = [sampling.Inspector(i + 1, districts[i % 16] if i % 5 else "") for i in range(k)]
        t0 = time.perf_counter()
        sel = sampling.select("bench-seed", pop, pool, version.params())
        t1 = time.perf_counter()
        again = sampling.select("bench-seed", list(reversed(pop)), pool, version.params())
        t2 = time.perf_counter()
        out: dict[str, Any] = {
            "htes": n, "inspectors": k, "rules": version.version, "cases": len(sel.cases),
            "strata": len(sel.strata), "groups": {g: list(v) for g, v in sel.groups.items()},
            "select_s": round(t1 - t0, 3), "verify_select_s": round(t2 - t1, 3), "reproduced": sel == again,
            "frozen_json_bytes": len(json.dumps([m.row() for m in pop])),
        }  # fmt: skip
        if opts["db"]:
            out.update(self._db(n, k))
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))

    def _db(self, n: int, k: int) -> dict[str, Any]:
        from gaoqi.web import roles
        from gaoqi.web.accounts.models import User
        from gaoqi.web.enterprises.models import Enterprise
        from gaoqi.web.intake.models import Snapshot
        from gaoqi.web.spotchecks import services
        from gaoqi.web.spotchecks.models import Inspector

        figures: dict[str, Any] = {}
        with transaction.atomic():
            Snapshot.objects.filter(is_current=True).update(is_current=False)
            snap = Snapshot.objects.create(as_of=dt.date(2026, 11, 30), status=Snapshot.PUBLISHED, is_current=True)
            t0 = time.perf_counter()
            Enterprise.objects.bulk_create(
                [Enterprise(uscc=f"BENCH{m.uscc[5:]}"[:18], name=f"基准测试企业{i}", district_code=m.district,
                            has_hte=True, hte_expiry_date=dt.date((m.cert_year or 2024) + 3, 3, 1), snapshot=snap)
                 for i, m in enumerate(population(n))],
                batch_size=5000,
            )  # fmt: skip
            districts = sorted(district_codes())[:16]
            Inspector.objects.bulk_create(
                [Inspector(name=f"检查员{i}", unit="基准", district_code=districts[i % 16] if i % 5 else "")
                 for i in range(k)]
            )  # fmt: skip
            muni = User.objects.create(username="bench_spotchecks_municipal", role=roles.MUNICIPAL)
            figures["setup_s"] = round(time.perf_counter() - t0, 3)
            t1 = time.perf_counter()
            d = services.draw_run(muni, 2026, seed="bench-seed")
            t2 = time.perf_counter()
            v = services.draw_verify(muni, d.pk)
            t3 = time.perf_counter()
            figures.update({"db_draw_s": round(t2 - t1, 3), "db_verify_s": round(t3 - t2, 3), "db_cases": d.drawn,
                            "db_verified": v.ok, "db_population": d.population})  # fmt: skip
            transaction.set_rollback(True)
        return figures
