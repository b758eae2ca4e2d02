"""``gaoqi-web bench_monitoring``: ``warnings_derive`` and the warning pages timed at scale (prints JSON).

On a scratch PostgreSQL database only (it inserts synthetic enterprises with SQL)::

    createdb -h 127.0.0.1 -U postgres mon_bench
    GAOQI_DATABASE=postgres GAOQI_PG_NAME=mon_bench gaoqi-web migrate
    GAOQI_DATABASE=postgres GAOQI_PG_NAME=mon_bench gaoqi-web bench_monitoring --enterprises 2000000 --warnings 150000

Unless the database already holds warnings (then it only times the pages), it builds ``--enterprises`` enterprises
(the (g / 7) mod 16-th district) and derives three published snapshots of engine-shaped warning rows through
``warnings_derive`` (the same code as the snapshot switch): s1 raises ``--warnings`` warnings (every k-th enterprise,
ten rules, each row with its evidence); a fifth are then acknowledged and a tenth handled or dismissed (bench data,
set by SQL); s2 has 10 % of s1's conditions cleared and as many new ones, a tenth with a changed severity; s3 the
same rows again (idempotent: nothing changes). Each derive is timed. Then, as the municipal office and as 海淀's
official, each page is requested ``--repeats`` times after one warm-up: p50, p95 (nearest rank), max, first, in ms."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import setup_test_environment

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.intake.management.commands.bench_platform import p95
from gaoqi.web.monitoring.models import Warning

DISTRICT = "110108"  # 海淀
DISTRICTS = sorted(district_codes())
RULES = (
    ("warning-certificate-expiring", "WARN", "高企证书即将到期且未申请重新认定", "days_to_expiry", "高企证书距到期天数", "天"),
    ("warning-annual-report-missing", "HIGH", "未按期填报高企年度发展情况报表", "annual_report_filed", "已填报上一年度发展情况报表", ""),
    ("warning-rd-ratio", "HIGH", "最近一年研究开发费用占比低于认定标准", "rd_ratio", "研究开发费用占比", "%"),
    ("warning-st-staff-share", "HIGH", "科技人员占比低于认定条件", "st_staff_share", "科技人员占比", "%"),
    ("warning-revenue-decline", "WARN", "销售收入大幅下降", "revenue_decline", "销售收入同比下降比例", "%"),
    ("warning-staff-decline", "WARN", "参保人数大幅下降", "staff_decline", "参保人数下降比例", "%"),
    ("warning-credit-dishonesty", "CRITICAL", "高企列入严重失信名单", "dishonesty", "严重失信名单在列数", "条"),
    ("warning-credit-serious", "HIGH", "高企发生重大税收违法或行政处罚", "penalties", "近365天事件数", "次"),
    ("warning-relocation-moved-out", "HIGH", "高企注册迁出北京", "status", "登记状态", ""),
    ("warning-relocation-district", "HIGH", "高企注册区县变更", "district_changed", "注册区县较上一期变化", ""),
)  # fmt: skip


def rows(n_ent: int, k: int, *, offset: int = 0, bump: int = 0) -> Iterator[dict[str, Any]]:
    """Engine-shaped rows: the enterprises g ≡ offset (mod k), rule by g; every ``bump``-th with a higher severity."""
    for g in range(k + offset, n_ent + 1, k):
        rid, sev, name, feature, label, unit = RULES[(g // k) % len(RULES)]
        if bump and (g // k) % 10 == 5 and sev != "CRITICAL":  # a tenth of the kept rows more serious
            sev = "CRITICAL"
        yield {
            "uscc": "S" + str(g).zfill(17), "rule_id": rid, "rule_version": "2016", "severity": sev, "name": name,
            "articles": ["国科发火〔2016〕32号 第十一条"],
            "evidence": [{"feature": feature, "label": label, "value": str(g % 97), "unit": unit,
                          "feed": "finance", "file": f"finance_{g % 12}.csv", "line": g % 5000 + 2}],
        }  # fmt: skip


class Command(BaseCommand):
    help = "Time warnings_derive and the warning pages over synthetic warnings (a scratch PostgreSQL database)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enterprises", type=int, default=200_000)
        parser.add_argument("--warnings", type=int, default=15_000)
        parser.add_argument("--repeats", type=int, default=20)

    def handle(self, *args: Any, **opts: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_monitoring runs on PostgreSQL (GAOQI_DATABASE=postgres, a scratch database)")
        users = self._users()
        figures: dict[str, Any] = {"repeats": opts["repeats"]}
        if not Warning.objects.exists():
            figures["derive"] = self._build(int(opts["enterprises"]), int(opts["warnings"]))
        from gaoqi.web.enterprises.models import Enterprise

        setup_test_environment()
        figures.update(enterprises=Enterprise.objects.count(), warnings=Warning.objects.count(),
                       open=Warning.objects.filter(status__in=("open", "acknowledged")).count())  # fmt: skip
        sample = Warning.objects.filter(district_code=DISTRICT).order_by("-pk").first()
        deep = Warning.objects.order_by("pk").values_list("pk", flat=True)[5000:5001]
        for who, user in (("municipal", users["municipal"]), (f"district {DISTRICT}", users[DISTRICT])):
            c = Client()
            c.force_login(user)
            urls = {
                "监测预警 (open)": "/monitoring/",
                "filter severity HIGH": "/monitoring/?severity=HIGH",
                "filter rule": "/monitoring/?rule=warning-rd-ratio",
                "filter age 8–30 days": "/monitoring/?age=1",
                "filter escalated": "/monitoring/?escalated=1",
                "all statuses": "/monitoring/?status=all",
                "closed": "/monitoring/?status=closed",
                "list fragment (htmx)": "/monitoring/?fragment=list&severity=WARN",
                "deep page (key)": f"/monitoring/?status=all&after={deep[0] if deep else 1}",
                "warning page": f"/monitoring/{sample.pk}/" if sample else "/monitoring/",
                "rule catalogue": "/monitoring/rules/",
                "API list": "/api/warnings",
                "API list HIGH": "/api/warnings?severity=HIGH",
                "API detail": f"/api/warnings/{sample.pk}" if sample else "/api/warnings",
            }
            if user.role == roles.MUNICIPAL:
                urls["filter district"] = f"/monitoring/?district={DISTRICT}"
            out: dict[str, Any] = {}
            for label, url in urls.items():
                headers = {"HX-Request": "true"} if "fragment" in url else {}
                t = time.perf_counter()
                c.get(url, secure=True, headers=headers)
                first = (time.perf_counter() - t) * 1000
                times, status = [], 0
                for _ in range(int(opts["repeats"])):
                    t = time.perf_counter()
                    status = c.get(url, secure=True, headers=headers).status_code
                    times.append((time.perf_counter() - t) * 1000)
                o = out[label] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(p95(times), 1),
                                  "max_ms": round(max(times), 1), "first_ms": round(first, 1), "status": status}  # fmt: skip
                self.stderr.write(f"{who:>16} {label:<24} p50 {o['p50_ms']:>7} p95 {o['p95_ms']:>7} "
                                  f"max {o['max_ms']:>7} status {status}")  # fmt: skip
            figures[who] = out
        self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))

    def _users(self) -> dict[str, Any]:
        users = {"municipal": User.objects.filter(username="bench_mon_municipal").first()
                 or User.objects.create(username="bench_mon_municipal", role=roles.MUNICIPAL)}  # fmt: skip
        for d in DISTRICTS:
            name = f"bench_mon_{d}"
            users[d] = User.objects.filter(username=name).first() or User.objects.create(
                username=name, role=roles.DISTRICT, district_code=d
            )
        return users

    def _snapshot(self, as_of: str) -> Any:
        from gaoqi.web.intake.models import Snapshot

        Snapshot.objects.filter(is_current=True).update(is_current=False)
        return Snapshot.objects.create(as_of=as_of, status=Snapshot.PUBLISHED, progress=100, is_current=True,
                                       ruleset_hash="bench")  # fmt: skip

    def _derive(self, snap: Any, data: Iterator[dict[str, Any]]) -> dict[str, Any]:
        from gaoqi.web.monitoring.services import warnings_derive

        spent: list[tuple[float, str]] = []

        def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent.append((time.perf_counter() - t0, " ".join(sql.split())[:70]))

        t = time.perf_counter()
        with connection.execute_wrapper(timed), transaction.atomic():
            counts = warnings_derive(snap, data)
        seconds = round(time.perf_counter() - t, 2)
        with connection.cursor() as cur:  # what autovacuum does after a mass change, before the next snapshot
            cur.execute("ANALYZE monitoring_warning")
            cur.execute("ANALYZE core_workflowlog")
        top = [f"{d:.2f} s {q}" for d, q in sorted(spent, reverse=True)[:6]]
        self.stderr.write(f"derive snapshot {snap.pk}: {seconds} s {counts}\n  " + "\n  ".join(top))
        return {"seconds": seconds, **counts, "slowest_statements": top}

    def _build(self, n: int, warnings: int) -> dict[str, Any]:
        from gaoqi.web.enterprises.models import Enterprise

        k = max(1, n // warnings)
        t = time.perf_counter()
        s1 = self._snapshot("2026-06-30")
        if not Enterprise.objects.exists():
            with connection.cursor() as cur:
                cur.execute(
                    "INSERT INTO enterprises_enterprise (uscc, name, former_names, name_initials, district_code, "
                    "industry_code, industry_section, tech_field, status, legal_representative, legal_rep_id_number, "
                    "phone, has_hte, has_tech_sme, size, above_scale, incubator_code, snapshot_id) "
                    "SELECT 'S' || lpad(g::text, 17, '0'), '预警企业' || g, '', '', (%s::text[])[1 + (g / 7) %% 16], "
                    "'', 'C', (g %% 8)::text, '', '', '', '', true, false, '', false, '', %s "
                    "FROM generate_series(1, %s) g",
                    [DISTRICTS, s1.pk, n],
                )
                cur.execute("VACUUM ANALYZE enterprises_enterprise")
        self.stderr.write(f"enterprises in {time.perf_counter() - t:.1f} s")
        out = {"s1 (all new)": self._derive(s1, rows(n, k))}
        with connection.cursor() as cur:  # bench data: the districts' work between snapshots
            # (no parameters: the statements are sent as written, % is the modulo)
            cur.execute("UPDATE monitoring_warning SET status = 'acknowledged' WHERE id % 5 = 1")
            cur.execute("UPDATE monitoring_warning SET status = 'handled', action = 'check', action_note = '核查' "
                        "WHERE id % 10 = 2")  # fmt: skip
            cur.execute("UPDATE monitoring_warning SET status = 'dismissed', dismiss_reason = '误报' WHERE id % 20 = 3")
        # s2: every 10th condition of s1 cleared, as many new ones (other enterprises), a tenth more serious
        s2 = self._snapshot("2026-09-30")
        kept = (r for r in rows(n, k, bump=10 * k) if int(r["uscc"][1:]) // k % 10 != 0)
        new = (r for r in rows(n, 10 * k, offset=k // 2 or 1))
        out["s2 (10% cleared, 10% new, 10% changed)"] = self._derive(s2, _chain(kept, new))
        kept = (r for r in rows(n, k, bump=10 * k) if int(r["uscc"][1:]) // k % 10 != 0)
        new = (r for r in rows(n, 10 * k, offset=k // 2 or 1))
        out["s2 again (idempotent)"] = self._derive(s2, _chain(kept, new))
        with connection.cursor() as cur:
            cur.execute("UPDATE monitoring_warning SET escalated_at = now() WHERE status IN ('open', 'acknowledged') "
                        "AND id %% %s = 0", [7])  # fmt: skip
            cur.execute("VACUUM ANALYZE")
        return out


def _chain(*its: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for it in its:
        yield from it
