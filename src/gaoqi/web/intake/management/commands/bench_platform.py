"""``gaoqi-web bench_platform``: page and API timings on the current snapshot (prints figures; no assertions).

Times, as a municipal and as a district official (海淀), the requests a user makes most. Two groups:

- ``main``: the directory's first page, a filter, name / pinyin / USCC searches, a deep page, a policy's near
  misses, a profile page, an explanation, the API search, the dashboard (the profile and the explanation read
  the snapshot's DuckDB file: a published snapshot is needed);
- ``lists`` (issues 12, 13): the lists' index, the cultivation pool's, the above-scale list's, 小升规's and 规升强's pages (members,
  entries and exits of the snapshot, counts over time) without and with a filter, the members alone as htmx
  asks for them when a filter changes, the pool's funnel (and by cohort and route), the API's members (and
  filtered). These read only the platform's database: ``bench_lists`` builds one at any size.

``--pages all`` (the default) runs both. Each request is made ``--repeats`` times after one warm-up; p50, p95
(nearest rank) and max are printed in ms with the status and the warm-up's time (``first_ms``: the funnel
computes on its first request and is kept until its data changes), as JSON.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.test.utils import setup_test_environment

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.enterprises.models import Enterprise
from gaoqi.web.intake.selectors import current_snapshot

DISTRICT = "110108"  # 海淀
POOL, ABOVE = "cultivation-pool", "above-scale"
SMALL, STRONG = "small-to-above-scale", "above-scale-to-strong"  # 小升规, 规升强 (issue 13)


def _main_urls(who: str) -> dict[str, str]:
    sample = Enterprise.objects.filter(district_code=DISTRICT).order_by("uscc").first()
    if sample is None:
        raise CommandError(f"no enterprise in {DISTRICT}")
    fragment = sample.name[2:6]
    return {
        "directory page 1": "/enterprises/",
        "directory filter hte=yes": "/enterprises/?hte=yes",
        "directory name fragment": f"/enterprises/?q={fragment}",
        "directory pinyin prefix": "/enterprises/?q=bjzg",
        "directory USCC prefix": f"/enterprises/?q={sample.uscc[:16]}",
        "directory page 2000": "/enterprises/?page=2000",
        "policy near misses": "/policies/hte-certification/enterprises/?status=near",
        "profile page": f"/enterprises/{sample.uscc}/",
        "explain (htmx)": f"/enterprises/{sample.uscc}/explain/hte-certification/",
        "API search": f"/api/enterprises?q={fragment}",
        "dashboard": "/",
    }


def _list_urls(who: str) -> dict[str, str]:
    """The list pages; a municipal official's filter names a district, a district official's cannot."""
    district = f"district={DISTRICT}&" if who == "municipal" else ""
    cohort = current_snapshot().as_of.year  # type: ignore[union-attr]
    return {
        "lists index": "/programmes/",
        "pool page (members, changes, chart)": f"/programmes/{POOL}/",
        "pool page filtered": f"/programmes/{POOL}/?{district}route=rule",
        "pool members filtered (htmx)": f"/programmes/{POOL}/?{district}route=rule&htmx",
        "above-scale page (members, changes, chart)": f"/programmes/{ABOVE}/",
        "above-scale page filtered": f"/programmes/{ABOVE}/?{district}section=C&tech_field=3",
        "above-scale members filtered (htmx)": f"/programmes/{ABOVE}/?{district}section=C&tech_field=3&htmx",
        "above-scale members page 40 (htmx, the last offered)": f"/programmes/{ABOVE}/?page=40&htmx",
        "pool funnel": f"/programmes/{POOL}/funnel/",
        "pool funnel cohort + route (htmx)": f"/programmes/{POOL}/funnel/?cohort={cohort}&route=rule&htmx",
        "API members": f"/api/lists/{ABOVE}/members",
        "API members filtered": f"/api/lists/{POOL}/members?{district}route=rule",
        "小升规 page": f"/programmes/{SMALL}/",
        "小升规 members filtered (htmx)": f"/programmes/{SMALL}/?{district}section=I&htmx",
        "规升强 page": f"/programmes/{STRONG}/",
        "规升强 members page 2 (htmx)": f"/programmes/{STRONG}/?page=2&htmx",
        "小升规 adjustments (名单调整记录)": f"/programmes/{SMALL}/adjustments/",
        "API fiscal-key enterprises": "/api/fiscal-key-enterprises",
    }


def p95(times: list[float]) -> float:
    """The 95th percentile by nearest rank (of 20 requests: the 19th fastest)."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


class Command(BaseCommand):
    help = "Time the platform's main pages, list pages and API calls on the current snapshot."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--repeats", type=int, default=20)
        parser.add_argument("--pages", choices=("all", "main", "lists"), default="all")

    def handle(self, *args: Any, **opts: Any) -> None:
        snap = current_snapshot()
        if snap is None:
            raise CommandError("no published snapshot")
        setup_test_environment()  # the test client's host checks; nothing else changes
        municipal = User.objects.filter(role=roles.MUNICIPAL).first() or User.objects.create(
            username="bench_municipal", role=roles.MUNICIPAL
        )
        district = User.objects.filter(role=roles.DISTRICT, district_code=DISTRICT).first() or User.objects.create(
            username="bench_haidian", role=roles.DISTRICT, district_code=DISTRICT
        )
        groups = {"main": _main_urls, "lists": _list_urls}
        wanted = list(groups) if opts["pages"] == "all" else [opts["pages"]]
        figures: dict[str, Any] = {
            "enterprises": Enterprise.objects.count(),
            "snapshot": snap.pk,
            "repeats": opts["repeats"],
        }
        for who, user in (("municipal", municipal), (f"district {DISTRICT}", district)):
            c = Client()
            c.force_login(user)
            urls: dict[str, str] = {}
            for g in wanted:
                urls.update(groups[g]("municipal" if user is municipal else "district"))
            out: dict[str, Any] = {}
            for label, url in urls.items():
                headers = {"HX-Request": "true"} if url.endswith("&htmx") else {}
                url = url.removesuffix("&htmx").removesuffix("?htmx")
                t = time.perf_counter()
                c.get(url, headers=headers, secure=True)  # the warm-up: what the first request of a page costs
                first = (time.perf_counter() - t) * 1000
                times = []
                status = 0
                for _ in range(opts["repeats"]):
                    t = time.perf_counter()
                    status = c.get(url, headers=headers, secure=True).status_code
                    times.append((time.perf_counter() - t) * 1000)
                out[label] = {
                    "p50_ms": round(statistics.median(times), 1),
                    "p95_ms": round(p95(times), 1),
                    "max_ms": round(max(times), 1),
                    "first_ms": round(first, 1),
                    "status": status,
                }
                o = out[label]
                self.stderr.write(
                    f"{who:>16} {label:<52} p50 {o['p50_ms']:>7} p95 {o['p95_ms']:>7} first {o['first_ms']:>7}"
                )
            figures[who] = out
        self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
