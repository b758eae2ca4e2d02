"""``gaoqi-web bench_servicepacks``: the service-package queue pages timed at scale (prints p50/p95/max JSON).

On a scratch PostgreSQL database only (it inserts synthetic rows with SQL)::

    createdb -h 127.0.0.1 -U postgres sp_bench
    GAOQI_DATABASE=postgres GAOQI_PG_NAME=sp_bench gaoqi-web migrate
    GAOQI_DATABASE=postgres GAOQI_PG_NAME=sp_bench gaoqi-web bench_servicepacks --enterprises 2000000 \\
        --packages 60000 --items-per-package 10

It builds (unless the database already holds service packages: then it only times) ``--enterprises``
enterprises (the (g / 7) mod 16-th district), a 规升强 stay for each of ``--packages`` of them
(every k-th) and their packages for 2026 (stewards: one municipal and one official per district), and
``--items-per-package`` items each: a third to municipal units, the rest to the package's district's units;
statuses 40 % done, 10 % cancelled, 10 % returned, 20 % accepted, 20 % assigned; assigned over 2026, due a week
later (bench data, not working days), so that the open ones before 7 December are overdue. Then, as a municipal
official and as 海淀's, each page is requested ``--repeats`` times after one warm-up: p50, p95 (nearest rank),
max and the warm-up in ms."""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import setup_test_environment

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.intake.management.commands.bench_platform import p95
from gaoqi.web.servicepacks.models import ServiceItem, ServicePackage

DISTRICT = "110108"  # 海淀
DISTRICTS = sorted(district_codes())  # Beijing's 16 districts (GB/T 2260)


class Command(BaseCommand):
    help = "Time the service-package queue pages over synthetic packages and items (a scratch PostgreSQL database)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enterprises", type=int, default=200_000)
        parser.add_argument("--packages", type=int, default=20_000)
        parser.add_argument("--items-per-package", type=int, default=10)
        parser.add_argument("--repeats", type=int, default=20)

    def handle(self, *args: Any, **opts: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_servicepacks runs on PostgreSQL (GAOQI_DATABASE=postgres, a scratch database)")
        from gaoqi.web.units.services import units_sync

        units_sync()
        users = self._users()
        if not ServicePackage.objects.exists():
            t = time.perf_counter()
            with transaction.atomic():
                built = self._build(int(opts["enterprises"]), int(opts["packages"]), int(opts["items_per_package"]),
                                    users)  # fmt: skip
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
            self.stderr.write(f"built {built} in {time.perf_counter() - t:.1f} s")
        from gaoqi.web.enterprises.models import Enterprise

        setup_test_environment()
        figures: dict[str, Any] = {
            "enterprises": Enterprise.objects.count(),
            "packages": ServicePackage.objects.count(),
            "items": ServiceItem.objects.count(),
            "repeats": opts["repeats"],
        }
        sample = ServicePackage.objects.filter(district_code=DISTRICT).order_by("pk").first()
        for who, user in (("municipal", users["municipal"]), (f"district {DISTRICT}", users[DISTRICT])):
            c = Client()
            c.force_login(user)
            unit = "m.hte" if user.role == roles.MUNICIPAL else f"{DISTRICT}.sci"
            urls = {
                "queue (open, by due date)": "/service-packages/",
                "queue overdue": "/service-packages/?overdue=1",
                "queue done": "/service-packages/?status=done",
                "queue all statuses": "/service-packages/?status=all",
                "queue one unit": f"/service-packages/?unit={unit}",
                "queue one unit overdue": f"/service-packages/?unit={unit}&overdue=1",
                "queue category": "/service-packages/?category=financing",
                "queue mine": "/service-packages/?mine=1",
                "queue deep page (key)": "/service-packages/?after=2026-10-01_0",
                "packages": "/service-packages/packages/",
                "package page": f"/service-packages/packages/{sample.pk}/" if sample else "/service-packages/packages/",
                "API items page 1": "/api/service-packages/items",
                "API items overdue": "/api/service-packages/items?overdue=true",
                "时限监控 (with the section)": "/certification/overdue/",
            }
            out: dict[str, Any] = {}
            for label, url in urls.items():
                t = time.perf_counter()
                c.get(url, secure=True)
                first = (time.perf_counter() - t) * 1000
                times, status = [], 0
                for _ in range(int(opts["repeats"])):
                    t = time.perf_counter()
                    status = c.get(url, secure=True).status_code
                    times.append((time.perf_counter() - t) * 1000)
                o = out[label] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(p95(times), 1),
                                  "max_ms": round(max(times), 1), "first_ms": round(first, 1), "status": status}  # fmt: skip
                self.stderr.write(f"{who:>16} {label:<32} p50 {o['p50_ms']:>7} p95 {o['p95_ms']:>7} "
                                  f"max {o['max_ms']:>7} status {status}")  # fmt: skip
            figures[who] = out
        self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))

    def _users(self) -> dict[str, Any]:
        users = {"municipal": User.objects.filter(username="bench_sp_municipal").first()
                 or User.objects.create(username="bench_sp_municipal", role=roles.MUNICIPAL)}  # fmt: skip
        for d in DISTRICTS:
            name = f"bench_sp_{d}"
            users[d] = User.objects.filter(username=name).first() or User.objects.create(
                username=name, role=roles.DISTRICT, district_code=d
            )
        return users

    def _build(self, n: int, packages: int, per: int, users: dict[str, Any]) -> str:
        from gaoqi.web.intake.models import Snapshot

        if packages > n:
            raise CommandError("--packages must not exceed --enterprises")
        snap = Snapshot.objects.filter(is_current=True).first() or Snapshot.objects.create(
            as_of="2026-06-30", status=Snapshot.PUBLISHED, progress=100, is_current=True
        )
        stride = max(1, n // packages)
        muni = users["municipal"].pk
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO enterprises_enterprise (uscc, name, former_names, name_initials, district_code, "
                "industry_code, industry_section, tech_field, status, legal_representative, legal_rep_id_number, "
                "phone, has_hte, has_tech_sme, size, above_scale, incubator_code, snapshot_id) "
                "SELECT 'S' || lpad(g::text, 17, '0'), '规升强企业' || g, '', '', (%s::text[])[1 + (g / 7) %% 16], '', "
                "'C', (g %% 8)::text, '', '', '', '', true, false, '', true, '', %s FROM generate_series(1, %s) g",
                [DISTRICTS, snap.pk, n],
            )
            cur.execute("CREATE TEMP TABLE bench_sp_ent AS SELECT id, district_code FROM enterprises_enterprise "
                        "WHERE uscc LIKE 'S%%' AND substr(uscc, 2)::bigint %% %s = 0 ORDER BY id LIMIT %s",
                        [stride, packages])  # fmt: skip
            cur.execute(
                "INSERT INTO programmes_listmembership (enterprise_id, list_id, route, entered_on, entered_snapshot_id, "
                "policy_version, reason, ruleset_hash, left_reason, left_ruleset_hash, left_comment, removal_holds) "
                "SELECT id, 'above-scale-to-strong', 'rule', '2026-06-30', %s, '1', '', '', '', '', '', false "
                "FROM bench_sp_ent",
                [snap.pk],
            )
            cur.execute("CREATE TEMP TABLE bench_sp_steward (district_code text, user_id bigint)")
            cur.executemany("INSERT INTO bench_sp_steward VALUES (%s, %s)", [(d, users[d].pk) for d in DISTRICTS])
            cur.execute(
                "INSERT INTO servicepacks_servicepackage (enterprise_id, year, district_code, municipal_steward_id, "
                "district_steward_id, created_by_id, created_at) "
                "SELECT e.id, 2026, e.district_code, %s, s.user_id, %s, now() FROM bench_sp_ent e "
                "JOIN bench_sp_steward s ON s.district_code = e.district_code",
                [muni, muni],
            )
            # units numbered: municipal 0..m-1; each district's 0..k-1
            cur.execute("CREATE TEMP TABLE bench_sp_mu AS SELECT id, row_number() OVER (ORDER BY code) - 1 AS i "
                        "FROM units_unit WHERE level = 'municipal' AND active")  # fmt: skip
            cur.execute("CREATE TEMP TABLE bench_sp_du AS SELECT id, district_code, row_number() OVER "
                        "(PARTITION BY district_code ORDER BY code) - 1 AS i FROM units_unit "
                        "WHERE level = 'district' AND active")  # fmt: skip
            cur.execute("SELECT count(*) FROM bench_sp_mu")
            m = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM bench_sp_du WHERE district_code = %s", [DISTRICT])
            k = cur.fetchone()[0]
            cur.execute(
                """
                INSERT INTO servicepacks_serviceitem (package_id, need, category, complex_item, unit_id, handler_id,
                    status, assigned_by_id, assigned_on, limit_workdays, due_on, due_provisional, accept_due_on,
                    result, done_on, round, rating, created_at)
                SELECT p.id, '服务需求 ' || p.id || '-' || j,
                    (ARRAY['policy','financing','talent','space','market','technology','permits','other'])[1 + (p.id + j) %% 8],
                    false, CASE WHEN j %% 3 = 0 THEN mu.id ELSE du.id END,
                    CASE WHEN j %% 3 = 0 THEN %(muni)s ELSE p.district_steward_id END,
                    st.status, %(muni)s, d.assigned_on, 5, d.assigned_on + 7, false, d.assigned_on + 1,
                    CASE WHEN st.status = 'done' THEN '办结' ELSE '' END,
                    CASE WHEN st.status = 'done' THEN d.assigned_on + 6 + j %% 3 END, 1,
                    CASE WHEN st.status = 'done' AND j %% 2 = 0 THEN (ARRAY['satisfied','basic','unsatisfied'])[1 + p.id %% 3]
                         ELSE '' END,
                    now()
                FROM servicepacks_servicepackage p
                CROSS JOIN generate_series(1, %(per)s) j
                CROSS JOIN LATERAL (SELECT DATE '2026-01-05' + ((p.id * 13 + j * 31) %% 340)::int AS assigned_on) d
                CROSS JOIN LATERAL (SELECT CASE WHEN (p.id * 7 + j) %% 10 < 4 THEN 'done'
                    WHEN (p.id * 7 + j) %% 10 = 4 THEN 'cancelled' WHEN (p.id * 7 + j) %% 10 = 5 THEN 'returned'
                    WHEN (p.id * 7 + j) %% 10 < 8 THEN 'accepted' ELSE 'assigned' END AS status) st
                JOIN bench_sp_mu mu ON mu.i = (p.id + j) %% %(m)s
                JOIN bench_sp_du du ON du.district_code = p.district_code AND du.i = (p.id + j) %% %(k)s
                """,
                {"muni": muni, "per": per, "m": m, "k": k},
            )
            cur.execute("SELECT count(*) FROM servicepacks_servicepackage")
            np_ = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM servicepacks_serviceitem")
            ni = cur.fetchone()[0]
        return f"{n:,} enterprises, {np_:,} packages, {ni:,} items"
