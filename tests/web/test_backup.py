"""Backup and restore round trip (ADR 0039): a platform with a published snapshot, uploads and audit entries is
backed up, restored by ``gaoqi-web restore`` (a separate process, as on a new machine) into a fresh GAOQI_HOME and
a fresh database, and compared table by table (row counts and a checksum of every row) and file by file; the audit
chain verifies after the restore; a damaged backup, a non-empty target and another audit key are refused."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.audit.services import audit_record
from gaoqi.web.core.uploads import stored_write

SRC = Path(__file__).resolve().parents[2] / "src"
PG = connection.vendor == "postgresql"


def _pg_connect(name: str) -> Any:
    import psycopg

    conf = connection.settings_dict
    return psycopg.connect(
        host=conf["HOST"] or "127.0.0.1", port=conf["PORT"] or 5432, user=conf["USER"],
        password=conf["PASSWORD"] or None, dbname=name, autocommit=True,
    )  # fmt: skip


def _table_digests(open_db: Any, homes: list[str], audit_upto: int) -> dict[str, tuple[int, str]]:
    """table → (rows, SHA-256 of its rows, sorted), paths under either home written as <HOME>."""
    con = open_db()
    try:
        cur = con.cursor()
        if PG:
            cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        else:
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        out: dict[str, tuple[int, str]] = {}
        for (table,) in sorted(cur.fetchall()):
            where = f" WHERE id <= {audit_upto}" if table == "audit_auditevent" else ""
            cur.execute(f'SELECT * FROM "{table}"{where}')
            rows = []
            for row in cur.fetchall():
                text = repr(row)
                for home in homes:
                    text = text.replace(home, "<HOME>")
                rows.append(text)
            out[table] = (len(rows), hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest())
        return out
    finally:
        con.close()


def _file_digests(root: Path) -> dict[str, str]:
    skip = {"run.lock", "platform.sqlite3", "platform.sqlite3-wal", "platform.sqlite3-shm"}
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).parts[0] not in skip | {"static", "models"}
    }


def _restore(source: Path, home: Path, db_name: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "GAOQI_HOME": str(home), "PYTHONPATH": str(SRC), **env}
    environ.pop("DJANGO_SETTINGS_MODULE", None)  # the platform's own settings, as `gaoqi-web` runs
    if PG:
        environ.update(GAOQI_DATABASE="postgres", GAOQI_PG_NAME=db_name)
    return subprocess.run(
        [sys.executable, "-m", "gaoqi.web.manage", "restore", "--from", str(source)],
        env=environ, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_backup_restore_round_trip(snapshot: Any, gaoqi_home: Path, tmp_path: Path) -> None:
    # the platform's data: the published snapshot (fixture), uploads, audit entries
    upload, digest = stored_write("attachments", 7, b"%PDF-1.4 \xe9\x99\x84\xe4\xbb\xb6")
    stored_write("quickapply", 3, b"%PDF-1.4 quick")
    for i in range(3):
        audit_record(None, "test.backup", target=f"t:{i}", detail={"i": i})
    scratch = [f"gaoqi_backup_restore_{os.getpid()}", f"gaoqi_backup_restore_{os.getpid()}_key"]
    if PG:
        with _pg_connect("postgres") as admin:
            for name in scratch:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
                admin.execute(f'CREATE DATABASE "{name}"')
    try:
        _round_trip(gaoqi_home, tmp_path, scratch, Path(upload), digest)
    finally:
        if PG:
            with _pg_connect("postgres") as admin:
                for name in scratch:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _round_trip(home: Path, tmp_path: Path, scratch: list[str], upload: Path, digest: str) -> None:
    backup = tmp_path / "backup"
    call_command("backup", to=str(backup))
    assert AuditEvent.objects.filter(action="backup.create").count() == 1  # audited (and in its own backup)
    audit_upto = AuditEvent.objects.order_by("-id").first().id  # type: ignore[union-attr]
    restored = tmp_path / "restored"
    homes = [str(home), str(restored)]
    source_db = str(connection.settings_dict["NAME"])

    def open_source() -> Any:
        return _pg_connect(source_db) if PG else sqlite3.connect(source_db)

    def open_target() -> Any:
        return _pg_connect(scratch[0]) if PG else sqlite3.connect(restored / "platform.sqlite3")

    before = _table_digests(open_source, homes, audit_upto)
    files_before = _file_digests(home)
    assert any(name.startswith("snapshots/snapshot-") for name in files_before)
    assert "gaoqi.duckdb" in files_before and upload.relative_to(home).as_posix() in files_before

    done = _restore(backup, restored, scratch[0])
    assert done.returncode == 0, done.stderr
    assert "audit chain verified" in done.stdout and "恢复完成" in done.stdout
    after = _table_digests(open_target, homes, audit_upto)
    assert after == before  # every table: row count and the checksum of its rows
    assert before["intake_snapshot"][0] >= 1 and before["enterprises_enterprise"][0] >= 300
    assert _file_digests(restored) == files_before
    assert hashlib.sha256((restored / upload.relative_to(home)).read_bytes()).hexdigest() == digest
    con = open_target()
    try:
        cur = con.cursor()
        cur.execute("SELECT duckdb_path FROM intake_snapshot WHERE duckdb_path <> ''")
        paths = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT action FROM audit_auditevent ORDER BY id DESC LIMIT 1")
        assert cur.fetchone()[0] == "backup.restore"  # the restore is audited after the chain verified
    finally:
        con.close()
    assert paths and all(p.startswith(str(restored)) and Path(p).is_file() for p in paths)  # moved to this home

    # a non-empty target is refused
    again = _restore(backup, restored, scratch[0])
    assert again.returncode != 0 and "非空" in again.stderr and "not empty" in again.stderr
    con = open_target()  # the refusal is in the target's own audit chain (someone tried to overwrite it)
    try:
        cur = con.cursor()
        cur.execute("SELECT action, outcome, detail FROM audit_auditevent ORDER BY id DESC LIMIT 1")
        action, outcome, detail = cur.fetchone()
    finally:
        con.close()
    assert (action, outcome) == ("backup.restore", "failure")
    assert "not empty" in (detail if isinstance(detail, dict) else json.loads(detail))["error"]

    # one byte flipped in a snapshot file: refused before anything is touched, naming the part
    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    victim = next((damaged / "home" / "snapshots").glob("snapshot-*.duckdb"))
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    refused = _restore(damaged, tmp_path / "fresh", scratch[1])
    assert refused.returncode != 0
    assert "备份已损坏" in refused.stderr and "'snapshots'" in refused.stderr and "damaged" in refused.stderr
    assert not (tmp_path / "fresh").exists() or not any((tmp_path / "fresh").iterdir())

    # another deployment's audit key: the chain does not verify, the restore says so (the key is not in a backup)
    other = _restore(
        backup, tmp_path / "other-key", scratch[1],
        GAOQI_SECRET_KEY="s" * 40, GAOQI_AUDIT_KEY="another-audit-key-" + "k" * 30,
    )  # fmt: skip
    assert other.returncode != 0 and "审计链校验失败" in other.stderr


def test_a_backup_from_a_newer_release_is_refused_and_an_older_one_migrated() -> None:
    from django.db.migrations.loader import MigrationLoader

    from gaoqi.web.core.backup import BackupError, _check_versions

    state: dict[str, list[str]] = {}
    for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes():
        if app == "certification":
            state[app] = ["0001_initial", "9999_from_the_future"]
        else:
            state[app] = [name]
    with pytest.raises(BackupError, match=r"更新的版本.*newer release.*certification\.9999_from_the_future"):
        _check_versions({"migrations_applied": state})
    state["certification"] = ["0001_initial"]  # behind: the newer migrations are applied after the restore
    behind = _check_versions({"migrations_applied": state})
    assert "certification.0007_field_suggestion" in behind and "certification.0001_initial" not in behind
