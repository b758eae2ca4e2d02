"""``gaoqi-web bench_evaluation``: how long the district evaluation report takes (prints figures, ADR 0032).

Run it on an empty scratch database only (it refuses one holding a snapshot) with an engine workspace built by the
pipeline (``gaoqi synth`` → ``ingest`` → ``resolve`` → ``profiles``)::

    createdb -h 127.0.0.1 -U postgres gaoqi_eval_bench
    GAOQI_DATABASE=postgres GAOQI_PG_NAME=gaoqi_eval_bench gaoqi-web migrate
    GAOQI_DATABASE=postgres GAOQI_PG_NAME=gaoqi_eval_bench gaoqi-web bench_evaluation \\
        --workspace /tmp/eval-bench/home/gaoqi.duckdb --enterprises 2000000

It publishes the workspace as the current snapshot (a ``Snapshot`` row pointing at the file, not copied), fills the
platform's records the platform measures read — the enterprise index (``--enterprises`` rows; enterprise g in
district g mod 16), the cultivation pool (1 %, entered 2024-06-30; one in ten certified by the platform in 2025),
小升规 (1 %, a fifth converted in 2025), ``--requests`` enterprise requests filed in 2025, service packages for 0.5 %
with three items each due in 2025, and ``--applications`` applications with five timed stages each logged in 2025 —
then times the evaluator's report for 2025 end to end (``services.report_compute``: the engine's measures over the
workspace, every platform provider's grouped query, the scoring statement, the writes), the sub-park report, and
each part alone; then the Excel and the PDF. The build is not timed.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from gaoqi.engine import Workspace, district_codes
from gaoqi.web import roles
from gaoqi.web.intake.models import Snapshot

Y = 2025


class Command(BaseCommand):
    help = "Time the district evaluation report over an engine workspace and synthetic platform rows."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workspace", required=True, help="an engine workspace file (gaoqi.duckdb) with profiles")
        parser.add_argument("--enterprises", type=int, default=200_000)
        parser.add_argument("--requests", type=int, default=100_000)
        parser.add_argument("--applications", type=int, default=30_000)
        parser.add_argument("--as-of", default="2026-06-30", help="the workspace's profile date")

    def handle(self, *args: Any, **opts: Any) -> None:
        if Snapshot.objects.exists():
            raise CommandError("this database holds snapshots: run bench_evaluation on an empty scratch database")
        path = Path(opts["workspace"])
        with Workspace.open(path, read_only=True) as ws:
            profiles = ws.profile_count()
            rows: dict[str, int] = {}
            for load in ws.loads():
                rows[load["feed"]] = rows.get(load["feed"], 0) + int(load["rows_loaded"] or 0)
        as_of = dt.date.fromisoformat(opts["as_of"])
        certs, fin = rows.get("certificate", 0), rows.get("finance", 0)
        t = time.perf_counter()
        with transaction.atomic():
            built = self._build(path, as_of, int(opts["enterprises"]), int(opts["requests"]), int(opts["applications"]))
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
        figures: dict[str, Any] = {
            "database": connection.vendor, "workspace_profiles": profiles, "workspace_certificate_rows": certs,
            "workspace_finance_rows": fin, "as_of": str(as_of), **built, "build_s": round(time.perf_counter() - t, 1),
        }  # fmt: skip
        self.stderr.write(json.dumps(figures, ensure_ascii=False))
        figures.update(self._time(built["evaluator"]))
        del figures["evaluator"]
        self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))

    def _time(self, evaluator_pk: int) -> dict[str, Any]:
        from gaoqi.engine import load_indicators_bytes, score_areas
        from gaoqi.web.accounts.models import User
        from gaoqi.web.evaluation import measures, selectors, services
        from gaoqi.web.evaluation.compute import compute_scores
        from gaoqi.web.evaluation.models import DISTRICT
        from gaoqi.web.intake.selectors import current_snapshot, snapshot_workspace

        out: dict[str, Any] = {}
        evaluator = User.objects.get(pk=evaluator_pk)
        snap = current_snapshot()

        def timed(label: str, fn: Any) -> Any:
            t = time.perf_counter()
            result = fn()
            out[label] = round(time.perf_counter() - t, 3)
            self.stderr.write(f"{label:<40} {out[label]:>8.3f} s")
            return result

        ws = snapshot_workspace(snap)
        assert ws is not None
        with ws:
            engine_rows = timed("engine measures (16 districts, 1 statement)", lambda: ws.district_measures(Y))
        platform_rows: list[tuple[str, str, float]] = []
        for p in measures.PROVIDERS:
            if p.compute is not None:
                got = timed(f"platform: {p.name}", lambda p=p: p.compute(Y, evaluator))
                platform_rows += [(d, m, v) for m, by in got.items() for d, v in by.items()]
        from gaoqi.engine import default_indicator_path

        text = default_indicator_path().read_text(encoding="utf-8")
        version = load_indicators_bytes(
            text.encode(), "indicators.yaml", measures.platform_measures()
        ).version_for_year(Y)
        assert version is not None
        timed("scoring statement", lambda: score_areas(version, engine_rows + platform_rows, sorted(district_codes())))
        report = timed("REPORT districts (end to end)", lambda: services.report_compute(evaluator, Y, "district"))
        timed("REPORT districts again (recompute)", lambda: services.report_compute(evaluator, Y, "district"))
        timed("REPORT sub-parks (end to end)", lambda: services.report_compute(evaluator, Y, "subpark"))
        areas = list(report.areas.order_by("rank", "area_code"))
        timed("Excel", lambda: services.report_export(evaluator, report, areas))
        pdf = timed("PDF", lambda: services.report_pdf(evaluator, report, areas))
        out["pdf_bytes"] = len(pdf)
        check = timed("reproduce from the stamps", lambda: selectors.report_reproduce(report, evaluator))
        out["reproduced"] = check.ok
        done = compute_scores(snap, Y, DISTRICT, text, "", evaluator)
        out["areas_ranked"] = sum(1 for s in done.scores if s.rank is not None)
        out["top"] = [(s.area, str(s.composite)) for s in done.scores[:3]]
        return out

    def _build(self, path: Path, as_of: Any, n: int, requests: int, applications: int) -> dict[str, Any]:
        from gaoqi.web.accounts.models import User
        from gaoqi.web.certification.models import Application, Certificate
        from gaoqi.web.core.models import WorkflowLog
        from gaoqi.web.enterprises.models import Enterprise
        from gaoqi.web.programmes.models import CONVERTED, ListMembership
        from gaoqi.web.servicedesk.models import Request
        from gaoqi.web.servicepacks.models import ServiceItem, ServicePackage
        from gaoqi.web.units.models import Unit
        from gaoqi.web.units.services import units_sync

        units_sync()
        snap = Snapshot.objects.create(as_of=as_of, status=Snapshot.PUBLISHED, progress=100, is_current=True,
                                       duckdb_path=str(path), ruleset_hash="bench")  # fmt: skip
        evaluator = User.objects.create(username="ev_bench_evaluator", role=roles.EVALUATOR)
        municipal = User.objects.create(username="ev_bench_municipal", role=roles.MUNICIPAL)
        ds = sorted(district_codes())
        array = "ARRAY[" + ", ".join(f"'{d}'" for d in ds) + "]"
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO enterprises_enterprise (uscc, name, former_names, name_initials, district_code, "
                "industry_code, industry_section, tech_field, status, legal_representative, legal_rep_id_number, "
                "phone, has_hte, has_tech_sme, size, above_scale, incubator_code, snapshot_id) "
                f"SELECT lpad(g::text, 18, '0'), 'e' || g, '', '', ({array})[1 + g %% 16], '', 'C', '01', '', '', '', "
                "'', false, false, '', false, '', %s FROM generate_series(1, %s) g",
                [snap.pk, n],
            )
        ents = Enterprise.objects.order_by("pk").values_list("pk", "uscc", "district_code")
        stays, certs, packages = [], [], []
        entered = dt.date(2024, 6, 30)
        for pk, uscc, district in ents.iterator(chunk_size=20_000):
            g = int(uscc)
            if g % 100 == 0:
                stays.append(ListMembership(enterprise_id=pk, list_id="cultivation-pool", route="rule",
                                            entered_on=entered, entered_snapshot=snap))  # fmt: skip
                if g % 1000 == 0:
                    certs.append(Certificate(number=f"GR2025{g:012d}", uscc=uscc, enterprise_name=f"e{g}",
                                             tech_field="01", issue_date=dt.date(2025, 3, 1),
                                             expiry_date=dt.date(2028, 2, 29)))  # fmt: skip
            elif g % 100 == 1:
                conv = g % 500 == 1
                stays.append(ListMembership(
                    enterprise_id=pk, list_id="small-to-above-scale", route="rule", entered_on=entered,
                    entered_snapshot=snap, left_on=dt.date(2025, 6, 30) if conv else None,
                    left_snapshot=snap if conv else None, left_reason=CONVERTED if conv else "",
                ))  # fmt: skip
            elif g % 200 == 2:
                packages.append(ServicePackage(enterprise_id=pk, year=Y, district_code=district,
                                               municipal_steward=municipal, district_steward=municipal,
                                               created_by=municipal))  # fmt: skip
        ListMembership.objects.bulk_create(stays, batch_size=5000)
        Certificate.objects.bulk_create(certs, batch_size=5000)
        ServicePackage.objects.bulk_create(packages, batch_size=5000)
        unit = Unit.objects.filter(active=True).order_by("pk").first()
        assert unit is not None
        items = []
        for i, pkg in enumerate(ServicePackage.objects.filter(year=Y).order_by("pk").iterator(chunk_size=5000)):
            for k in range(3):
                due = dt.date(Y, 1 + (i + k) % 12, 10)
                done = (i + k) % 4 != 0
                items.append(ServiceItem(
                    package=pkg, need="基准", category="policy", unit=unit, handler=municipal,
                    status="done" if done else "accepted", assigned_by=municipal, assigned_on=due - dt.timedelta(days=20),
                    limit_workdays=10, due_on=due, accept_due_on=due - dt.timedelta(days=15),
                    result="已办结" if done else "", done_on=due + dt.timedelta(days=(i % 3) - 1) if done else None,
                ))  # fmt: skip
        ServiceItem.objects.bulk_create(items, batch_size=5000)
        now = timezone.now()
        reqs = []
        for i in range(requests):
            filed = dt.date(Y, 1, 1) + dt.timedelta(days=i % 365)
            reqs.append(Request(
                uscc=f"{i + 1:018d}", enterprise_name=f"e{i}", district_code=ds[i % 16], category="wrp",
                urgency="GENERAL", channel="platform", title=f"诉求 {i}", description="基准", status="closed",
                unit=unit, route_rule="基准", filed_by=municipal, filed_at=now, filed_on=filed,
                accept_due=filed + dt.timedelta(days=1), answer_due=filed + dt.timedelta(days=7),
                answered_on=filed + dt.timedelta(days=(i % 9)), closed_on=filed + dt.timedelta(days=10),
            ))  # fmt: skip
        Request.objects.bulk_create(reqs, batch_size=5000)
        apps = [
            Application(uscc=f"{900_000_000 + i:018d}", enterprise_name=f"a{i}", district_code=ds[i % 16], year=Y,
                        tech_field="01", status="certified", stage_started_at=dt.date(Y, 6, 1), as_of=as_of,
                        created_by=municipal)
            for i in range(applications)
        ]  # fmt: skip
        Application.objects.bulk_create(apps, batch_size=5000)
        from django.contrib.contenttypes.models import ContentType

        ct = ContentType.objects.get_for_model(Application)
        stages = ("district_review", "municipal_review", "expert_review", "decision", "publicity")
        logs = []
        for i, app_pk in enumerate(Application.objects.order_by("pk").values_list("pk", flat=True).iterator()):
            for k, stage in enumerate(stages):
                at = timezone.make_aware(dt.datetime(Y, 1 + (i + k) % 12, 15, 10))
                logs.append(WorkflowLog(workflow="application", content_type=ct, object_id=app_pk, action="x",
                                        source=stage, target="next", at=at, workdays_used=(i + k) % 17))  # fmt: skip
            if len(logs) >= 20_000:
                WorkflowLog.objects.bulk_create(logs)
                logs = []
        WorkflowLog.objects.bulk_create(logs)
        return {
            "evaluator": evaluator.pk, "enterprises": n, "list_stays": len(stays), "platform_certificates": len(certs),
            "service_packages": len(packages), "service_items": len(items), "requests": requests,
            "applications": applications, "workflow_logs": applications * len(stages),
        }  # fmt: skip
