"""``gaoqi-web bench_servicedesk``: the request queue's timings at scale (prints figures as JSON).

Run it on an empty scratch database only (it refuses one that holds requests)::

    createdb -h 127.0.0.1 -U postgres sd_bench
    GAOQI_DATABASE=postgres GAOQI_PG_NAME=sd_bench gaoqi-web migrate
    GAOQI_DATABASE=postgres GAOQI_PG_NAME=sd_bench gaoqi-web bench_servicedesk --requests 100000 --enterprises 2000000

It builds ``--enterprises`` index rows (PostgreSQL, generate_series; 0: none) and ``--requests`` requests with
bulk_create — spread over the 16 districts, the ten categories (routed by routing.yaml) and two years of filing
dates; 10 % filed, 10 % accepted, 20 % answered, 60 % closed with a rating; about one in twenty still waiting
past its limit — then times, as a municipal and as a district official (海淀), the queue's first page, a
category filter, the overdue filter, a status filter, a deep page (the last the capped pager offers), the
statistics page by unit, by district and by month, and the API's list. Each URL: one warm-up, then
``--repeats`` requests; p50, p95 (nearest rank) and max in ms."""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import setup_test_environment
from django.utils import timezone

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.core import clock
from gaoqi.web.intake.management.commands.bench_platform import p95
from gaoqi.web.servicedesk.config import CATEGORIES, routing
from gaoqi.web.servicedesk.models import Request

DISTRICT = "110108"  # 海淀
STATUSES = ["filed"] * 10 + ["accepted"] * 10 + ["answered"] * 20 + ["closed"] * 60


class Command(BaseCommand):
    help = "Time the servicedesk queue and statistics over synthetic requests (an empty scratch database only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--requests", type=int, default=100_000)
        parser.add_argument("--enterprises", type=int, default=0)
        parser.add_argument("--repeats", type=int, default=20)

    def handle(self, *args: Any, **opts: Any) -> None:
        if Request.objects.exists():
            raise CommandError("this database holds requests: run bench_servicedesk on an empty scratch database")
        setup_test_environment()
        municipal = User.objects.create(username="sd_bench_municipal", role=roles.MUNICIPAL)
        district = User.objects.create(username="sd_bench_haidian", role=roles.DISTRICT, district_code=DISTRICT)
        t = time.perf_counter()
        with transaction.atomic():
            built = self._build(int(opts["requests"]), int(opts["enterprises"]), municipal)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
        figures: dict[str, Any] = {"database": connection.vendor, **built, "build_s": round(time.perf_counter() - t, 1),
                                   "repeats": opts["repeats"], "today": clock.today().isoformat()}  # fmt: skip
        for who, user in (("municipal", municipal), (f"district {DISTRICT}", district)):
            c = Client()
            c.force_login(user)
            out: dict[str, Any] = {}
            for label, url in self._urls().items():
                t = time.perf_counter()
                c.get(url, secure=True)
                first = (time.perf_counter() - t) * 1000
                times, status = [], 0
                for _ in range(int(opts["repeats"])):
                    t = time.perf_counter()
                    status = c.get(url, secure=True).status_code
                    times.append((time.perf_counter() - t) * 1000)
                out[label] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(p95(times), 1),
                              "max_ms": round(max(times), 1), "first_ms": round(first, 1), "status": status}  # fmt: skip
                o = out[label]
                self.stderr.write(
                    f"{who:>16} {label:<28} p50 {o['p50_ms']:>7} p95 {o['p95_ms']:>7} max {o['max_ms']:>7}"
                )
            figures[who] = out
        self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))

    @staticmethod
    def _urls() -> dict[str, str]:
        return {
            "queue first page": "/servicedesk/queue/",
            "queue category filter": "/servicedesk/queue/?category=wrp",
            "queue overdue filter": "/servicedesk/queue/?overdue=on",
            "queue status filter": "/servicedesk/queue/?status=accepted",
            "queue deep page": "/servicedesk/queue/?page=400",
            "stats by unit": "/servicedesk/stats/?by=unit",
            "stats by district": "/servicedesk/stats/?by=district",
            "stats by month": "/servicedesk/stats/?by=month",
            "api list": "/api/servicedesk/requests?page_size=100",
            "api overdue": "/api/servicedesk/requests?overdue=true",
        }

    def _build(self, n: int, enterprises: int, author: Any) -> dict[str, Any]:
        from gaoqi.web.intake.models import Snapshot

        districts = sorted(district_codes())
        if enterprises:
            if connection.vendor != "postgresql":
                raise CommandError("--enterprises needs PostgreSQL")
            snap = Snapshot.objects.create(as_of=dt.date(2026, 6, 30), status=Snapshot.PUBLISHED, is_current=True)
            with connection.cursor() as cur:
                cur.execute(
                    "INSERT INTO enterprises_enterprise (uscc, name, former_names, name_initials, district_code, "
                    "industry_code, industry_section, tech_field, status, legal_representative, legal_rep_id_number, "
                    "phone, has_hte, has_tech_sme, size, above_scale, incubator_code, snapshot_id) "
                    "SELECT lpad(g::text, 18, '0'), 'e' || g, '', '', (110101 + (g / 7) %% 16)::text, '', 'C', "
                    "'01', '', '', '', '', false, false, '', false, '', %s FROM generate_series(1, %s) g",
                    [snap.pk, enterprises],
                )
        route = {(c, d): routing().resolve(c, d) for c in CATEGORIES for d in districts}
        today = clock.today()
        now = timezone.now()
        batch: list[Request] = []
        for i in range(n):
            d = districts[i % len(districts)]
            cat = CATEGORIES[(i // 16) % len(CATEGORIES)]
            unit, rule = route[(cat, d)]
            status = STATUSES[(i * 7) % 100]
            filed = today - dt.timedelta(days=(i * 13) % 700)
            accept_due, answer_due = filed + dt.timedelta(days=1), filed + dt.timedelta(days=7)
            late = i % 20 == 0  # about one in twenty left past its limit
            if status in ("filed", "accepted") and not late:  # a recent one, still within its limit
                filed = today - dt.timedelta(days=i % 2)
                accept_due, answer_due = filed + dt.timedelta(days=1), filed + dt.timedelta(days=7)
            rated = status == "closed"
            batch.append(Request(
                uscc=f"{(i % max(enterprises, 50_000)) + 1:018d}", enterprise_name=f"e{i}", district_code=d, category=cat,
                urgency="GENERAL", channel="platform", title=f"诉求 {i}", description="基准测试", status=status, unit=unit,
                route_rule=rule, filed_by=author, filed_at=now, filed_on=filed, accept_due=accept_due,
                answer_due=answer_due,
                due_on={"filed": accept_due, "accepted": answer_due, "answered": answer_due + dt.timedelta(days=14)}.get(status),
                accepted_on=None if status == "filed" else accept_due - dt.timedelta(days=i % 3 == 0),
                answered_on=answer_due if status in ("answered", "closed") else None,
                closed_on=answer_due if rated else None,
                resolved=("YES", "YES", "PARTLY", "NO")[i % 4] if rated else "",
                satisfaction=("SATISFIED", "BASICALLY", "SATISFIED", "DISSATISFIED")[i % 4] if rated else "",
            ))  # fmt: skip
            if len(batch) == 5000:
                Request.objects.bulk_create(batch)
                batch = []
        Request.objects.bulk_create(batch)
        return {"requests": n, "enterprises": enterprises}
