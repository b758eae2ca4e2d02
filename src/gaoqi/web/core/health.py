"""Liveness and readiness for the load balancer and systemd (ADR 0038). Both public (access.py), without personal
data and not audited (a probe every few seconds would flood the audit log).

``/healthz``: the process answers; touches nothing. ``/readyz``: the database answers ``SELECT 1``, no migration
is pending, the published snapshot's engine file is readable; JSON with each check, 503 when one fails."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def check_database() -> tuple[bool, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        row = cursor.fetchone()
    return (row is not None and row[0] == 1), "SELECT 1"


def check_migrations() -> tuple[bool, str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return (not plan), f"{len(plan)} pending"


def check_snapshot() -> tuple[bool, str]:
    from gaoqi.web.intake.models import Snapshot

    snap = Snapshot.objects.filter(is_current=True).only("id", "duckdb_path").first()
    if snap is None:
        return True, "no snapshot published yet"
    path = Path(snap.duckdb_path)
    ok = path.is_file() and os.access(path, os.R_OK)
    return ok, f"snapshot {snap.pk}: {'readable' if ok else 'engine file missing or unreadable'}"


CHECKS: dict[str, Callable[[], tuple[bool, str]]] = {
    "database": check_database,
    "migrations": check_migrations,
    "snapshot": check_snapshot,
}


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {}
    for name, check in CHECKS.items():
        try:
            ok, detail = check()
        except Exception as exc:  # any failure of a check is "not ready", said in the answer
            ok, detail = False, f"{type(exc).__name__}"
        checks[name] = {"ok": ok, "detail": detail}
        if name == "database" and not ok:  # the others need the database
            break
    ready = all(c["ok"] for c in checks.values()) and len(checks) == len(CHECKS)
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)
