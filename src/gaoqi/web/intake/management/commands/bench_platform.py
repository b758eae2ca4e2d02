"""``gaoqi-web bench_platform``: page and API timings on the current snapshot (prints figures; no assertions).

Times, as a municipal and as a district official, the requests a user makes most: the directory's first page,
a filter, name / pinyin / USCC searches, a deep page, a policy's near misses, a profile page, an explanation,
the API search. Each is run ``--repeats`` times after one warm-up; the median and max are printed in ms.
"""

from __future__ import annotations

import json
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


class Command(BaseCommand):
    help = "Time the platform's main pages and API calls on the current snapshot."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--repeats", type=int, default=5)

    def handle(self, *args: Any, **opts: Any) -> None:
        snap = current_snapshot()
        if snap is None:
            raise CommandError("no published snapshot")
        setup_test_environment()  # the test client's host checks; nothing else changes
        municipal = User.objects.filter(role=roles.MUNICIPAL).first() or User.objects.create(
            username="bench_municipal", role=roles.MUNICIPAL
        )
        district = User.objects.filter(role=roles.DISTRICT, district_code="110108").first() or User.objects.create(
            username="bench_haidian", role=roles.DISTRICT, district_code="110108"
        )
        sample = Enterprise.objects.filter(district_code="110108").order_by("uscc").first()
        assert sample is not None
        fragment = sample.name[2:6]
        figures: dict[str, Any] = {"enterprises": snap.enterprises, "results": snap.results}
        for who, user in (("municipal", municipal), ("district 110108", district)):
            c = Client()
            c.force_login(user)
            urls = {
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
            out: dict[str, Any] = {}
            for label, url in urls.items():
                c.get(url)
                times = []
                status = 0
                for _ in range(opts["repeats"]):
                    t = time.perf_counter()
                    status = c.get(url).status_code
                    times.append((time.perf_counter() - t) * 1000)
                out[label] = {
                    "median_ms": round(statistics.median(times), 1),
                    "max_ms": round(max(times), 1),
                    "status": status,
                }
            figures[who] = out
        self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
