"""``gaoqi-web certification_load --applications 1000``: take N applications through the whole standard
workflow (draft → district → municipal → panel → scores → decision → publicity → certificate) on the current
snapshot, and print the time each stage took and the time spent drawing panels. Any error is counted and
printed; the target is none. It creates its own accounts (load_*) and expert pool; run it on a scratch
database, not a production one.

The publicity period is 10 working days: the command runs on a fixed calendar date and moves the platform's
date past the end of publicity to close it (``core.clock.today``), as the daily task would days later.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter, defaultdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.certification import services as sv
from gaoqi.web.certification.models import Expert
from gaoqi.web.certification.panels import FIELDS, ExpertPool
from gaoqi.web.certification.workdays import deadline_provisional
from gaoqi.web.core import clock
from gaoqi.web.enterprises.models import PolicyResult
from gaoqi.web.intake.selectors import current_snapshot

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _user(username: str, role: str, **extra: Any) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(username=username, role=role, **extra)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class Command(BaseCommand):
    help = "Take N applications through the certification workflow and print timings (a load test)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--applications", type=int, default=1000)
        parser.add_argument("--start", default="2026-07-01", help="the calendar date the run takes place on")

    def handle(self, *args: Any, **opts: Any) -> None:
        snap = current_snapshot()
        if snap is None:
            raise CommandError("no published snapshot")
        n = opts["applications"]
        day = dt.date.fromisoformat(opts["start"])
        calendar = {"day": day}
        clock.today = lambda: calendar["day"]  # the run's calendar (see the module docstring)
        rows = PolicyResult.objects.of(snap).filter(policy_id="hte-certification", status="unknown",
                                           failed_count=0).select_related("enterprise").order_by("enterprise__uscc")  # fmt: skip
        ready = [r.enterprise for r in rows.iterator(chunk_size=2000)
                 if all(u.startswith("pending:") for u in r.unknown_features)][:n]  # fmt: skip
        if len(ready) < n:
            raise CommandError(f"only {len(ready)} enterprises meet every data condition in this snapshot")
        municipal = _user("load_municipal", roles.MUNICIPAL)
        districts = {e.district_code: _user(f"load_district_{e.district_code}", roles.DISTRICT, district_code=e.district_code)
                     for e in ready}  # fmt: skip
        for i in range(len(FIELDS) * 12 + 30):
            kind, fields = ("technical", [FIELDS[i % len(FIELDS)]]) if i < len(FIELDS) * 12 else ("financial", [])
            Expert.objects.get_or_create(
                user=_user(f"load_expert_{i}", roles.EXPERT), defaults={"kind": kind, "fields": fields}
            )
        timings: dict[str, float] = defaultdict(float)
        errors: list[str] = []
        outcomes: Counter[str] = Counter()

        def step(name: str, fn: Any, *a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                timings[name] += time.perf_counter() - t

        pool = ExpertPool(sv._pool())  # indexed once, as a batch of draws would
        started = time.perf_counter()
        for i, ent in enumerate(ready):
            field = FIELDS[i % len(FIELDS)]
            try:
                owner = _user(f"load_ent_{ent.uscc}", roles.ENTERPRISE, uscc=ent.uscc)
                app = step("start (prefill)", sv.application_start, owner, as_of=snap.as_of, tech_field=field)
                step(
                    "form and attachment",
                    sv.application_update_form,
                    owner,
                    app,
                    {"rd_projects": [{"code": "RD01", "name": "研发项目"}]},
                )
                step("form and attachment", sv.attachment_add, owner, app, "RD01", "rd01.pdf", PDF)
                app = step("submit (self-check)", sv.application_transition, owner, app, "submit")
                app = step(
                    "district review", sv.application_transition, districts[ent.district_code], app, "district_pass"
                )
                panel = step("panel drawing", sv.panel_draw, municipal, app, seed=1_000_000 + i, pool=pool)
                app = step("municipal acceptance", sv.application_transition, municipal, app, "accept")
                ranges = sv.score_ranges(app)
                for e in Expert.objects.filter(pk__in=panel.expert_ids).select_related("user"):
                    step("expert scores", sv.score_submit, e.user, app, {k: hi for k, (lo, hi, _) in ranges.items()})
                app.refresh_from_db()
                app = step("decision", sv.application_transition, municipal, app, "approve")
                outcomes[app.status] += 1
            except Exception as exc:  # counted and reported: the target is zero
                errors.append(f"{ent.uscc}: {type(exc).__name__}: {exc}")
        calendar["day"] = deadline_provisional(day, 10)[0] + dt.timedelta(days=1)
        certified = step("publicity close and certificates", sv.publicity_close_due)
        total = time.perf_counter() - started
        self.stdout.write(json.dumps({
            "applications": n, "certified": len(certified), "errors": len(errors), "first_errors": errors[:5],
            "total_seconds": round(total, 1), "per_application_ms": round(total / max(n, 1) * 1000, 1),
            "stage_seconds": {k: round(v, 2) for k, v in timings.items()},
            "panel_drawing_seconds_for_all": round(timings["panel drawing"], 2),
        }, ensure_ascii=False, indent=2))  # fmt: skip
