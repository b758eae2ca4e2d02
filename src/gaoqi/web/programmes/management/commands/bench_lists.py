"""``gaoqi-web bench_lists``: how long publishing takes to update every list's memberships (prints figures).

Run it on an empty scratch database only — it fills the enterprise index and the policy results with synthetic
rows and refuses a database that holds a snapshot already::

    createdb -h 127.0.0.1 -U postgres gaoqi_bench
    GAOQI_DATABASE=postgres GAOQI_PG_NAME=gaoqi_bench gaoqi-web migrate
    GAOQI_DATABASE=postgres GAOQI_PG_NAME=gaoqi_bench gaoqi-web bench_lists --enterprises 2000000

Three snapshots of the same enterprises, each with the results of two list policies (``above-scale``: 60 % pass,
and ``cultivation-pool``: 1 % pass) and of ``--other-policies`` other policies (results ``memberships_update``
must skip): the first snapshot (everything enters), a second one (half of above-scale's members and all
of the pool's change), and the
second published again (nothing changes). Each is one ``memberships_update`` in its own transaction, as the
publish runs it.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from gaoqi.web.intake.models import Snapshot
from gaoqi.web.programmes.services import memberships_update

LISTS = (("above-scale", 60), ("cultivation-pool", 1))  # list id, percent passing


class Command(BaseCommand):
    help = "Time memberships_update over synthetic snapshots (an empty scratch database only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enterprises", type=int, default=200_000)
        parser.add_argument("--other-policies", type=int, default=5)

    def handle(self, *args: Any, **opts: Any) -> None:
        if Snapshot.objects.exists():
            raise CommandError("this database holds snapshots: run bench_lists on an empty scratch database")
        n, others = int(opts["enterprises"]), int(opts["other_policies"])
        start = time.perf_counter()
        with transaction.atomic():  # a failed build leaves the scratch database empty
            snaps, results = self._build(n, others)
        self.stdout.write(f"{n:,} enterprises, {results:,} results built in {time.perf_counter() - start:.1f} s")
        for label, snap in (
            ("first snapshot", snaps[0]),
            ("next snapshot", snaps[1]),
            ("same snapshot again", snaps[1]),
        ):
            t = time.perf_counter()
            with transaction.atomic():
                counts = memberships_update(snap)
            self.stdout.write(f"{label}: {counts} in {time.perf_counter() - t:.2f} s")

    def _build(self, n: int, others: int) -> tuple[list[Snapshot], int]:
        snaps = [
            Snapshot.objects.create(as_of=day, status=Snapshot.PUBLISHED, progress=100, ruleset_hash=f"h{i}")
            for i, day in enumerate((dt.date(2026, 3, 31), dt.date(2026, 6, 30)))
        ]
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO enterprises_enterprise (uscc, name, former_names, name_initials, district_code, "
                "industry_code, industry_section, tech_field, status, legal_representative, legal_rep_id_number, "
                "phone, has_hte, has_tech_sme, size, above_scale, incubator_code, snapshot_id) "
                "SELECT lpad(g::text, 18, '0'), 'e' || g, '', '', (110101 + g %% 16)::text, '', 'C', "
                "(g %% 8)::text, '', '', '', '', false, false, '', false, '', %s FROM generate_series(1, %s) g",
                [snaps[0].pk, n],
            )
            policies = [*LISTS, *((f"other-{k}", 50) for k in range(others))]
            # the second snapshot shifts who passes: half of above-scale's members and all of the pool's change
            for s, shift in ((snaps[0], 0), (snaps[1], 7)):
                for policy_id, percent in policies:
                    cur.execute(
                        "INSERT INTO enterprises_policyresult (snapshot_id, enterprise_id, policy_id, policy_version, "
                        "status, failed_conditions, failed_count, unknown_features, binding_condition, binding_gap) "
                        "SELECT %s, id, %s, '1', CASE WHEN (id + %s) %% 100 < %s THEN 'pass' ELSE 'fail' END, "
                        "'[]', 0, '[]', '', '' FROM enterprises_enterprise",
                        [s.pk, policy_id, shift * 10, percent],
                    )
            cur.execute("ANALYZE")
        return snaps, n * len(policies) * 2
