"""``gaoqi-web bench_push``: how long ``events_derive`` takes over two snapshots of N enterprises, then how fast a
sending job queues and sends M messages through the SMS file backend (prints JSON).

Run it on an empty scratch PostgreSQL database only — it fills the enterprise index and the policy results with
synthetic rows and refuses a database that holds a snapshot already::

    createdb -h 127.0.0.1 -U postgres gaoqi_bench_push
    GAOQI_DATABASE=postgres GAOQI_PG_NAME=gaoqi_bench_push gaoqi-web migrate
    GAOQI_DATABASE=postgres GAOQI_PG_NAME=gaoqi_bench_push gaoqi-web bench_push --enterprises 2000000 --send 1000000

Built as ``bench_lists`` builds its snapshots (one INSERT … SELECT per policy over generate_series): every policy
that is not a list gets one result per enterprise and snapshot. Enterprise g's value for policy k is
v = (37 g + 11 k) mod 100: pass below 20, a near miss (one condition failed) 20–29, unknown 30–34, failing two
conditions above; the second snapshot moves every value down by 3, so 12 % of the pairs change kind (3 % each:
qualifies, no longer, near miss, needs data). ``events_derive`` runs in its own transaction for the second snapshot
(after the first, against nothing) and again (republishing: nothing new).

Then ``--send`` messages of the second snapshot are queued by a sending job (the rest marked as already decided)
and sent by SMS (every enterprise has a contact phone, no account: no e-mail) through ``FileBackend`` into a
temporary file, in this process, batch by batch. For the measurement the weekly cap is lifted and the clock is
fixed at 12:00 (otherwise the cap keeps most in the inbox and the quiet hours defer every SMS): both are said in
the output."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from gaoqi.web.intake.models import Snapshot


class Command(BaseCommand):
    help = "Time events_derive and the sending of messages (an empty scratch database only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enterprises", type=int, default=200_000)
        parser.add_argument("--send", type=int, default=100_000, help="messages to queue and send (0: none)")
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args: Any, **opts: Any) -> None:
        from gaoqi.web.push import config, services, timing
        from gaoqi.web.push.models import Delivery, Message

        if Snapshot.objects.exists():
            raise CommandError("this database holds snapshots: run bench_push on an empty scratch database")
        n, to_send = int(opts["enterprises"]), int(opts["send"])
        out: dict[str, Any] = {"vendor": connection.vendor, "enterprises": n}
        t = time.perf_counter()
        with transaction.atomic():
            snaps, policies = self._build(n)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        out.update(policies=len(policies), results=2 * n * len(policies), build_s=round(time.perf_counter() - t, 1))
        for key, snap in (("derive_first", snaps[0]), ("derive", snaps[1]), ("derive_again", snaps[1])):
            t = time.perf_counter()
            with transaction.atomic():
                counts = services.events_derive(snap)
            out[f"{key}_s"] = round(time.perf_counter() - t, 2)
            out[f"{key}_events"] = counts
        if to_send <= 0:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        # only ``to_send`` messages of the second snapshot are left to queue; the cap lifted, the clock at noon
        noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
        timing.now = lambda: noon
        config.settings()["max_per_week"] = 10**9
        config.settings()["batch_size"] = int(opts["batch"])
        with connection.cursor() as cur:
            cur.execute("UPDATE push_message SET queued = true WHERE snapshot_id = %s", [snaps[0].pk])
            cur.execute(
                "UPDATE push_message SET queued = true WHERE snapshot_id = %s AND id NOT IN "
                "(SELECT id FROM push_message WHERE snapshot_id = %s ORDER BY id LIMIT %s)",
                [snaps[1].pk, snaps[1].pk, to_send],
            )
        sms_file = Path(tempfile.mkdtemp(prefix="gaoqi-bench-push-")) / "sms.jsonl"
        settings.GAOQI_SMS_BACKEND = "gaoqi.web.push.sms.FileBackend"
        settings.GAOQI_SMS_FILE = str(sms_file)
        from gaoqi.web import roles
        from gaoqi.web.accounts.models import User

        official = User.objects.create(username="bench_push_municipal", role=roles.MUNICIPAL)
        t = time.perf_counter()
        services._enqueue = lambda *a, **k: None  # this process sends, not a worker
        job = services.job_start(official, snaps[1].pk)
        services._prepare(job.pk)  # what the task does first
        out["queue_s"] = round(time.perf_counter() - t, 2)
        out["queued"] = Delivery.objects.filter(job=job).count()
        t = time.perf_counter()
        status = services.job_run(job.pk)
        send_s = time.perf_counter() - t
        lines = sum(1 for _ in sms_file.open(encoding="utf-8"))
        job.refresh_from_db()
        out.update(send_status=status, send_s=round(send_s, 1), sent=job.sent, failed=job.failed,
                   file_lines=lines, rate_per_s=round(job.sent / send_s) if send_s else None,
                   messages_total=Message.objects.count(),
                   note="cap lifted and clock fixed at 12:00 for the measurement; SMS through FileBackend")  # fmt: skip
        sms_file.unlink(missing_ok=True)
        self.stdout.write(json.dumps(out, ensure_ascii=False, default=str))

    def _build(self, n: int) -> tuple[list[Snapshot], list[str]]:
        from gaoqi.web.push.services import _pushed_policies

        policies = sorted(_pushed_policies())
        snaps = [
            Snapshot.objects.create(as_of=day, status=Snapshot.PUBLISHED, progress=100, ruleset_hash=f"h{i}")
            for i, day in enumerate((dt.date(2025, 6, 30), dt.date(2026, 6, 30)))
        ]
        pg = connection.vendor == "postgresql"
        series = "generate_series(1, %s) g" if pg else (
            "(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %s) SELECT g FROM s)"
        )  # fmt: skip
        j = "::jsonb" if pg else ""
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO enterprises_enterprise (uscc, name, former_names, name_initials, district_code, "
                "industry_code, industry_section, tech_field, status, legal_representative, legal_rep_id_number, "
                "phone, has_hte, has_tech_sme, size, above_scale, incubator_code, snapshot_id) "
                f"SELECT lpad(CAST(g AS text), 18, '0'), 'e' || g, '', '', CAST(110101 + (g / 7) %% 16 AS text), '', "
                f"'C', '', '', '', '', '139' || lpad(CAST(g AS text), 8, '0'), %s, %s, '', %s, '', %s FROM {series}",
                [False, False, False, snaps[0].pk, n],
            )
            for s, shift in ((snaps[0], 0), (snaps[1], 97)):
                for k, policy_id in enumerate(policies):
                    v = f"((id * 37 + {11 * k} + {shift}) %% 100)"
                    cur.execute(
                        "INSERT INTO enterprises_policyresult (snapshot_id, enterprise_id, policy_id, policy_version, "
                        "status, failed_conditions, failed_count, unknown_features, binding_condition, binding_gap) "
                        f"SELECT %s, id, %s, '1', CASE WHEN {v} < 20 THEN 'pass' WHEN {v} < 30 THEN 'fail' "
                        f"WHEN {v} < 35 THEN 'unknown' ELSE 'fail' END, '[]', "
                        f"CASE WHEN {v} < 20 THEN 0 WHEN {v} < 30 THEN 1 WHEN {v} < 35 THEN 0 ELSE 2 END, "
                        f"CASE WHEN {v} >= 30 AND {v} < 35 THEN '[\"rd_expense_last_year\"]'{j} ELSE '[]'{j} END, '', '' "
                        "FROM enterprises_enterprise",
                        [s.pk, policy_id],
                    )
        return snaps, policies
