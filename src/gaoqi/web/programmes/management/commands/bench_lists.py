"""``gaoqi-web bench_lists``: how long publishing takes to update every list's memberships (prints figures).

Run it on an empty scratch database only — it fills the enterprise index and the policy results with synthetic
rows and refuses a database that holds a snapshot already::

    createdb -h 127.0.0.1 -U postgres gaoqi_bench
    GAOQI_DATABASE=postgres GAOQI_PG_NAME=gaoqi_bench gaoqi-web migrate
    GAOQI_DATABASE=postgres GAOQI_PG_NAME=gaoqi_bench gaoqi-web bench_lists --enterprises 2000000

Three snapshots of the same enterprises, each with the results of the four list policies (``above-scale``: 60 %
pass, ``cultivation-pool``: 1 %, ``small-to-above-scale``: 1 %, ``above-scale-to-strong``: 1 %; ``--stress``: 10 % and
3 %) and of ``--other-policies`` other policies (results ``memberships_update``
must skip): the first snapshot (everything enters), a second one (half of above-scale's members and all
of the pool's change), and the
second published again (nothing changes). Each is one ``memberships_update`` in its own transaction, as the
publish runs it.

Then it leaves the database ready for the list pages (``gaoqi-web bench_platform --pages lists``): the second
snapshot current, and the cultivation pool's funnel fed — for every third stay on the pool an application
submitted a month after the entry, for every tenth a certificate issued two months after it (stays entered at
the first snapshot and ended at the second keep them: applied in the stay, certified after it). The snapshots
are a year apart (2025-06-30, 2026-06-30): two cohorts. Enterprise g is in district 110101 + (g / 7) mod 16, so
that every district has members on both lists.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from gaoqi.web.intake.models import Snapshot
from gaoqi.web.programmes.services import memberships_update

#: list id, percent passing: every list policy shipped (小升规's exits to above-scale are conversions). 小升规 and
#: 规升强 are subsets of the valid HTEs (about 28,000 of Beijing's ~2 million enterprises, 1.4 %): 1 % each is
#: already more than both together; ``--stress`` gives them 10 % and 3 % (and above-scale its 60 % as always).
LISTS = (("above-scale", 60), ("cultivation-pool", 1), ("small-to-above-scale", 1), ("above-scale-to-strong", 1))
STRESS = {"small-to-above-scale": 10, "above-scale-to-strong": 3}


class Command(BaseCommand):
    help = "Time memberships_update over synthetic snapshots (an empty scratch database only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enterprises", type=int, default=200_000)
        parser.add_argument("--other-policies", type=int, default=5)
        parser.add_argument(
            "--stress", action="store_true", help="小升规 10 %% and 规升强 3 %% passing (not 1 %% each)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if Snapshot.objects.exists():
            raise CommandError("this database holds snapshots: run bench_lists on an empty scratch database")
        n, others = int(opts["enterprises"]), int(opts["other_policies"])
        start = time.perf_counter()
        with transaction.atomic():  # a failed build leaves the scratch database empty
            snaps, results = self._build(n, others, stress=bool(opts["stress"]))
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
        t = time.perf_counter()
        with transaction.atomic():
            applied, certified = self._pages(snaps[1])
        with connection.cursor() as cur:  # the visibility map a live database's autovacuum keeps (index-only scans)
            cur.execute("VACUUM ANALYZE")
        self.stdout.write(
            f"pages: snapshot #{snaps[1].pk} current, {applied:,} applications and {certified:,} certificates on "
            f"the pool in {time.perf_counter() - t:.1f} s"
        )

    def _pages(self, current: Snapshot) -> tuple[int, int]:
        """The current snapshot, and the pool's applications and certificates (see the module's words)."""
        from django.utils import timezone

        from gaoqi.web import roles
        from gaoqi.web.accounts.models import User
        from gaoqi.web.certification.models import Application, Certificate
        from gaoqi.web.programmes.models import ListMembership

        Snapshot.objects.filter(pk=current.pk).update(is_current=True)
        author = User.objects.filter(username="bench_enterprise").first() or User.objects.create(
            username="bench_enterprise", role=roles.ENTERPRISE, uscc="91110108MA00000000"
        )
        stays = (
            ListMembership.objects.filter(list_id="cultivation-pool")
            .order_by("pk")
            .values_list("pk", "enterprise__uscc", "enterprise__name", "enterprise__district_code", "entered_on")
        )
        apps, certs, seen = [], [], set()
        for pk, uscc, name, district, entered in stays.iterator(chunk_size=5000):
            if uscc in seen:  # one application and certificate per enterprise (the constraints allow no more)
                continue
            seen.add(uscc)
            filed = entered + dt.timedelta(days=30)
            if pk % 3 == 0:
                apps.append(Application(
                    uscc=uscc, enterprise_name=name, district_code=district, year=filed.year, tech_field="01",
                    status="certified" if pk % 10 == 0 else "municipal_review", stage_started_at=filed, as_of=entered,
                    created_by=author, submitted_at=timezone.make_aware(dt.datetime.combine(filed, dt.time(12))),
                ))  # fmt: skip
            if pk % 10 == 0:
                issued = entered + dt.timedelta(days=60)
                certs.append(Certificate(
                    number=f"GR{issued.year}11{pk:08d}", uscc=uscc, enterprise_name=name, tech_field="01",
                    issue_date=issued, expiry_date=issued + dt.timedelta(days=3 * 365),
                ))  # fmt: skip
        # at most one application in progress per enterprise: those certified are not in progress
        Application.objects.bulk_create(apps, batch_size=2000)
        Certificate.objects.bulk_create(certs, batch_size=2000)
        return len(apps), len(certs)

    def _build(self, n: int, others: int, *, stress: bool = False) -> tuple[list[Snapshot], int]:
        snaps = [
            Snapshot.objects.create(as_of=day, status=Snapshot.PUBLISHED, progress=100, ruleset_hash=f"h{i}")
            for i, day in enumerate((dt.date(2025, 6, 30), dt.date(2026, 6, 30)))
        ]
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO enterprises_enterprise (uscc, name, former_names, name_initials, district_code, "
                "industry_code, industry_section, tech_field, status, legal_representative, legal_rep_id_number, "
                "phone, has_hte, has_tech_sme, size, above_scale, incubator_code, snapshot_id) "
                "SELECT lpad(g::text, 18, '0'), 'e' || g, '', '', (110101 + (g / 7) %% 16)::text, '', 'C', "
                "(g %% 8)::text, '', '', '', '', false, false, '', false, '', %s FROM generate_series(1, %s) g",
                [snaps[0].pk, n],
            )
            lists = [(pid, STRESS.get(pid, pct) if stress else pct) for pid, pct in LISTS]
            policies = [*lists, *((f"other-{k}", 50) for k in range(others))]
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
