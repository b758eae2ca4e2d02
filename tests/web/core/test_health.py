"""/healthz and /readyz (ADR 0038): public, not audited, and /readyz says 503 with the failing check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.intake.models import Snapshot

REPO = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db


def test_healthz_answers_anonymously_without_the_database_or_an_audit_row(client: Client) -> None:
    before = AuditEvent.objects.count()
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert "no-cache" in r["Cache-Control"]
    assert client.post("/healthz").status_code == 405
    assert AuditEvent.objects.count() == before


def test_readyz_is_ready_with_every_check_and_not_audited(client: Client) -> None:
    before = AuditEvent.objects.count()
    r = client.get("/readyz", HTTP_X_REQUEST_ID="abc-123")
    body = r.json()
    assert r.status_code == 200, body
    assert body["status"] == "ready"
    assert body["checks"]["database"] == {"ok": True, "detail": "SELECT 1"}
    assert body["checks"]["migrations"] == {"ok": True, "detail": "0 pending"}
    assert body["checks"]["snapshot"] == {"ok": True, "detail": "no snapshot published yet"}
    assert r["X-Request-ID"] == "abc-123"
    assert AuditEvent.objects.count() == before


def test_readyz_is_503_when_the_published_snapshot_file_is_gone(client: Client, tmp_path: Path) -> None:
    snap = Snapshot.objects.create(
        as_of="2026-06-30", status=Snapshot.PUBLISHED, is_current=True, duckdb_path=str(tmp_path / "gone.duckdb")
    )
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["snapshot"] == {
        "ok": False,
        "detail": f"snapshot {snap.pk}: engine file missing or unreadable",
    }
    (tmp_path / "gone.duckdb").write_bytes(b"x")
    assert client.get("/readyz").status_code == 200


def test_a_forged_request_id_is_replaced() -> None:
    from gaoqi.web.core.logs import request_id_from

    assert request_id_from("ok-1.2:3") == "ok-1.2:3"
    made = request_id_from('x"\n{"level": "ERROR"}')
    assert len(made) == 32 and made.isalnum()


def _readyz_in_subprocess(home: Path, **extra: str) -> tuple[int, dict[str, object]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GAOQI_", "DJANGO_"))}
    env.update(PYTHONPATH=str(REPO / "src"), GAOQI_HOME=str(home), GAOQI_DEBUG="1", **extra)
    env["DJANGO_SETTINGS_MODULE"] = "gaoqi.web.settings"
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz'); print(r.status_code); print(r.content.decode())"
    )
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    status, body = r.stdout.strip().splitlines()[-2:]
    return int(status), json.loads(body)


def test_readyz_is_503_while_migrations_are_pending(tmp_path: Path) -> None:
    status, body = _readyz_in_subprocess(tmp_path)  # a fresh database: nothing migrated
    assert status == 503
    checks = body["checks"]
    assert isinstance(checks, dict)
    assert checks["database"]["ok"] is True
    assert checks["migrations"]["ok"] is False and checks["migrations"]["detail"] != "0 pending"


def test_readyz_is_503_when_the_database_does_not_answer(tmp_path: Path) -> None:
    status, body = _readyz_in_subprocess(
        tmp_path, GAOQI_DATABASE="postgres", GAOQI_PG_NAME="gaoqi_deploy_no_such_database"
    )
    assert status == 503
    assert body == {"status": "not ready", "checks": {"database": {"ok": False, "detail": "OperationalError"}}}
