"""``gaoqi-web bench_publish``: how the pages answer while a run publishes (prints figures; no assertions).

Starts ``gaoqi-web publish`` in a process of its own (as the worker would run it) and, until it ends, requests
the pages officials use most, in turn, as a municipal and a district official: the dashboard, the directory
and a search, a policy's near misses, a profile page (an audited read: it writes the audit log) and its
explanation. Prints per page the count, median, p95 and max in ms, the count of answers that were not 200, and
the same figures for all pages together, then the publish's own time. A quiet baseline (the same pages with no
run) comes first, so the two can be read side by side.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.test.utils import setup_test_environment

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.enterprises.models import Enterprise
from gaoqi.web.intake.selectors import current_snapshot


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Time the main pages while a run publishes a snapshot (and without one, for comparison)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--as-of", default=None, help="the run's as-of date (default: the current snapshot's)")
        parser.add_argument("--baseline-rounds", type=int, default=3)
        parser.add_argument("--timeout", type=int, default=1800, help="seconds before the run is abandoned")

    def handle(self, *args: Any, **opts: Any) -> None:
        snap = current_snapshot()
        if snap is None:
            raise CommandError("尚无已发布的数据快照（先运行 gaoqi-web publish）")
        setup_test_environment()  # the test client's host checks; nothing else changes
        clients = self._clients()
        pages = self._pages()
        quiet = self._loop(clients, pages, rounds=opts["baseline_rounds"])
        self._print("no run (baseline)", quiet)
        as_of = opts["as_of"] or snap.as_of.isoformat()
        manage = [sys.executable, "-m", "gaoqi.web.manage", "publish", "--as-of", as_of]
        started = time.perf_counter()
        run = subprocess.Popen(manage, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        busy = self._loop(clients, pages, until=lambda: run.poll() is not None, deadline=started + opts["timeout"])
        if run.poll() is None:
            run.kill()
        out = (run.communicate()[0] or b"").decode(errors="replace").strip().splitlines()
        self._print("during a publish", busy)
        self.stdout.write(
            f"publish: {time.perf_counter() - started:.1f} s, exit {run.returncode}: {out[-1] if out else ''}"
        )

    def _clients(self) -> dict[str, Client]:
        municipal = User.objects.filter(role=roles.MUNICIPAL, is_active=True).first()
        district = User.objects.filter(role=roles.DISTRICT, district_code="110108", is_active=True).first()
        if municipal is None or district is None:
            raise CommandError("需要一个市级账号和一个海淀区账号（gaoqi-web demo_setup）")
        out = {}
        for who, user in (("municipal", municipal), ("district", district)):
            c = Client()
            c.force_login(user)
            out[who] = c
        return out

    def _pages(self) -> dict[str, str]:
        sample = Enterprise.objects.filter(district_code="110108").order_by("uscc").first()
        if sample is None:
            raise CommandError("快照中没有海淀区企业")
        return {
            "dashboard": "/",
            "directory": "/enterprises/",
            "directory search": f"/enterprises/?q={sample.name[2:6]}",
            "near misses": "/policies/hte-certification/enterprises/?status=near",
            "profile (audited read)": f"/enterprises/{sample.uscc}/",
            "explain": f"/enterprises/{sample.uscc}/explain/hte-certification/",
        }

    def _loop(
        self,
        clients: dict[str, Client],
        pages: dict[str, str],
        *,
        rounds: int | None = None,
        until: Any = None,
        deadline: float | None = None,
    ) -> dict[str, tuple[list[float], int]]:
        timings: dict[str, tuple[list[float], int]] = {name: ([], 0) for name in pages}
        done = 0
        while (rounds is not None and done < rounds) or (until is not None and not until()):
            if deadline is not None and time.perf_counter() > deadline:
                break
            for name, url in pages.items():
                for client in clients.values():
                    t0 = time.perf_counter()
                    try:
                        # the explanation is an htmx fragment (opened directly it redirects to its page)
                        status = client.get(url, headers={"HX-Request": "true"}).status_code
                    except Exception:  # a page that fails (e.g. "database is locked") is counted, not fatal
                        status = 500
                    elapsed = (time.perf_counter() - t0) * 1000
                    values, errors = timings[name]
                    values.append(elapsed)
                    timings[name] = (values, errors + (status != 200))
            done += 1
        return timings

    def _print(self, title: str, timings: dict[str, tuple[list[float], int]]) -> None:
        self.stdout.write(f"{title}: ms per request (n, median, p95, max, not 200)")
        every: list[float] = []
        failures = 0
        for name, (values, errors) in timings.items():
            if not values:
                continue
            every += values
            failures += errors
            self.stdout.write(
                f"  {name:<24} {len(values):>5} {statistics.median(values):>8.0f} {_p95(values):>8.0f} "
                f"{max(values):>8.0f} {errors:>5}"
            )
        if every:
            self.stdout.write(
                f"  {'all pages':<24} {len(every):>5} {statistics.median(every):>8.0f} {_p95(every):>8.0f} "
                f"{max(every):>8.0f} {failures:>5}"
            )
