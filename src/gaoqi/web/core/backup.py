"""Backup and restore of everything the platform cannot recompute (ADR 0039).

A backup is a directory (or a ``.tar``/``.tar.gz`` of one) holding:

- ``database.sqlite3`` (SQLite's online backup API) or ``database.dump`` (``pg_dump --format=custom``);
- ``home/``: the files under ``GAOQI_HOME`` — the engine workspace (``gaoqi.duckdb``), the published snapshot
  files (``snapshots/``), the uploads (``uploads/``), the platform's feed files — copied while the run lock is
  held (no pipeline run writes the workspace or publishes meanwhile), except what is recomputed or belongs to the
  database part (``static/``, the trained ``models/``, the SQLite files, ``run.lock``);
- ``policies/``: ``$GAOQI_POLICIES`` when set (the writable policy folder 政策沙盘 publishes to);
- ``audit-anchor.json``: the audit chain's head (event id and hash) at backup time. The chain's HMAC key is
  NOT in the backup: it comes from the environment (``GAOQI_AUDIT_KEY``) and the restoring deployment holds it;
- ``manifest.json``: version, commit, time, the migration state, every file's size and SHA-256 by part, and the
  row count of every table.

``restore`` verifies every checksum before it touches anything, refuses a non-empty target (unless forced) and a
backup made by a newer release (a migration the code does not know), restores, and then checks the row counts,
the audit chain against the anchor and that no migration is pending.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

import gaoqi
from gaoqi.web.audit.services import audit_record, audit_verify

MANIFEST = "manifest.json"
logger = logging.getLogger(__name__)
ANCHOR = "audit-anchor.json"
FORMAT = 1
# under GAOQI_HOME, not backed up: recomputed (static files, trained models), the database part, the lock file
SKIPPED = {"static", "models", "run.lock", "platform.sqlite3", "platform.sqlite3-wal", "platform.sqlite3-shm",
           "test-platform.sqlite3", "test-platform.sqlite3-wal", "test-platform.sqlite3-shm"}  # fmt: skip
# database columns that hold a path under GAOQI_HOME or the policy folder (rewritten when the target's differ)
PATH_FIELDS = {"path", "duckdb_path", "source_dir", "file", "published_file"}
RUN_LOCK_WAIT = 600.0


class BackupError(Exception):
    """A backup or restore refused or failed; the message is bilingual (Chinese / English)."""


@dataclass
class Summary:
    where: str
    parts: dict[str, dict[str, int]] = field(default_factory=dict)
    tables: int = 0
    rows: int = 0
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.where}", f"  数据库 database: {self.tables} tables, {self.rows} rows"]
        for name, part in sorted(self.parts.items()):
            out.append(f"  {name}: {part['files']} files, {part['bytes']} bytes")
        out += [f"  {n}" for n in self.notes]
        return out


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(settings.REPO_DIR), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def _vendor() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def table_names() -> list[str]:
    with connection.cursor() as cur:
        return sorted(connection.introspection.table_names(cur))


def row_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    with connection.cursor() as cur:
        for table in table_names():
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = int(cur.fetchone()[0])
    return counts


def pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _ in plan]


def _policy_dir() -> Path | None:
    env = os.environ.get("GAOQI_POLICIES")
    return Path(env) if env else None


def _pg_env() -> tuple[dict[str, str], list[str], str]:
    conf = connection.settings_dict
    env = dict(os.environ)
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    args = ["-h", str(conf.get("HOST") or "127.0.0.1"), "-p", str(conf.get("PORT") or "5432")]
    args += ["-U", str(conf.get("USER") or "postgres")]
    return env, args, str(conf["NAME"])


def _run(cmd: list[str], env: dict[str, str]) -> None:
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise BackupError(f"{cmd[0]} 失败 failed: {out.stderr.strip()[-2000:]}")


# ---------------------------------------------------------------------------------------------------- backup


def _home_files(home: Path) -> Iterator[Path]:
    if not home.exists():
        return
    for path in sorted(home.rglob("*")):
        rel = path.relative_to(home)
        if rel.parts[0] in SKIPPED or not path.is_file():
            continue
        yield rel


def _part_of(rel: Path) -> str:
    """The manifest part a file of the backup belongs to."""
    top = rel.parts[0]
    if top.startswith("database."):
        return "database"
    if top in (ANCHOR, "policies"):
        return "audit_anchor" if top == ANCHOR else "policies"
    sub = rel.parts[1] if len(rel.parts) > 1 else ""
    if sub.startswith("gaoqi.duckdb"):
        return "workspace"
    return sub if sub in ("snapshots", "uploads") else "home_other"


@contextmanager
def _run_lock() -> Iterator[None]:
    from gaoqi.web.intake.runlock import run_lock

    with run_lock(None, timeout=RUN_LOCK_WAIT) as taken:
        if not taken:
            raise BackupError("有流水线运行未结束，无法取得一致的备份 / a pipeline run holds the run lock: try later")
        yield


def backup_create(dest: Path, *, actor: Any = None) -> Summary:
    """Back the platform up into ``dest`` (a new or empty directory, or a ``.tar``/``.tar.gz`` file)."""
    archive = dest if dest.name.endswith((".tar", ".tar.gz", ".tgz")) else None
    if archive is not None:
        if archive.exists():
            raise BackupError(f"目标文件已存在 / the target file exists: {archive}")
        with tempfile.TemporaryDirectory(dir=archive.parent) as tmp:
            summary = _backup_into(Path(tmp) / "backup", actor, str(archive))
            gz = archive.name.endswith(("gz", "tgz"))
            with tarfile.open(archive, "w:gz") if gz else tarfile.open(archive, "w") as tar:
                tar.add(Path(tmp) / "backup", arcname="backup")
        return summary
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"目标目录非空 / the target directory is not empty: {dest}")
    return _backup_into(dest, actor, str(dest))


def _backup_into(out: Path, actor: Any, where: str) -> Summary:
    out.mkdir(parents=True, exist_ok=True)
    home = Path(settings.GAOQI_HOME)
    vendor = _vendor()
    # audited first, so that the backup holds its own record (who, when, what)
    audit_record(actor, "backup.create", target=where[:200], detail={"os_user": getpass.getuser(), "vendor": vendor})
    with _run_lock():
        # 1. the database: one consistent state (pg_dump runs in one snapshot; SQLite's backup API copies pages
        # under the database's own locks), then the files it refers to (uploads are written by content before
        # their row commits, so every row's file is already there)
        if vendor == "postgresql":
            counts, state, head = _pg_dump(out / "database.dump")
        else:
            _sqlite_copy(Path(connection.settings_dict["NAME"]), out / "database.sqlite3")
            copy = sqlite3.connect(str(out / "database.sqlite3"))
            try:  # the facts of the copy itself, not of the live database a moment later
                cur = copy.cursor()
                cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                counts, state, head = _facts(cur, sorted(r[0] for r in cur.fetchall()))
            finally:
                copy.close()
        anchor = {**head, "key": "not included: GAOQI_AUDIT_KEY comes from the environment (ADR 0039)"}
        (out / ANCHOR).write_text(json.dumps(anchor, indent=2), encoding="utf-8")
        # 2. GAOQI_HOME's files: the workspace, snapshots, uploads (no run writes them while the lock is held)
        for rel in _home_files(home):
            target = out / "home" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(home / rel, target)
        policies = _policy_dir()
        if policies is not None and policies.is_dir():
            shutil.copytree(policies, out / "policies")
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out)
        files[rel.as_posix()] = {"part": _part_of(rel), "size": path.stat().st_size, "sha256": sha256_file(path)}
    summary = Summary(f"备份完成 backup written: {where}", tables=len(counts), rows=sum(counts.values()))
    parts: dict[str, dict[str, Any]] = {}
    for name, info in files.items():
        part = parts.setdefault(info["part"], {"files": 0, "bytes": 0, "digest": hashlib.sha256()})
        part["files"] += 1
        part["bytes"] += info["size"]
        part["digest"].update(f"{name}\0{info['sha256']}\n".encode())
    manifest = {
        "format": FORMAT,
        "gaoqi_version": gaoqi.__version__,
        "git_commit": _git_commit(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "vendor": vendor,
        "gaoqi_home": str(home),
        "policies_dir": str(_policy_dir() or ""),
        "migrations": {app: names[-1] for app, names in sorted(state.items())},
        "migrations_applied": state,
        "parts": {n: {"files": p["files"], "size": p["bytes"], "sha256": p["digest"].hexdigest()}
                  for n, p in sorted(parts.items())},
        "files": files,
        "row_counts": counts,
        "audit_anchor": {"head_id": head["head_id"], "head_hash": head["head_hash"]},
    }  # fmt: skip
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    summary.parts = {n: {"files": p["files"], "bytes": p["bytes"]} for n, p in parts.items()}
    if not manifest["git_commit"]:
        summary.notes.append("git commit: unknown (not a git checkout)")
    summary.notes.append("审计密钥未备份 / the audit HMAC key is not in the backup (GAOQI_AUDIT_KEY)")
    return summary


def _facts(cur: Any, tables: list[str]) -> tuple[dict[str, int], dict[str, list[str]], dict[str, Any]]:
    """Row counts, migration state and the audit chain's head, read through ``cur`` (the dumped state)."""
    counts: dict[str, int] = {}
    for table in tables:
        cur.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = int(cur.fetchone()[0])
    state: dict[str, list[str]] = {}
    if "django_migrations" in counts:
        cur.execute("SELECT app, name FROM django_migrations ORDER BY id")
        for app, name in cur.fetchall():
            state.setdefault(app, []).append(name)
    head: dict[str, Any] = {"head_id": None, "head_hash": "", "events": counts.get("audit_auditevent", 0)}
    if counts.get("audit_auditevent"):
        cur.execute("SELECT id, hash FROM audit_auditevent ORDER BY id DESC LIMIT 1")
        head["head_id"], head["head_hash"] = cur.fetchone()
    return counts, state, head


def _pg_dump(target: Path) -> tuple[dict[str, int], dict[str, list[str]], dict[str, Any]]:
    """``pg_dump`` of the snapshot a REPEATABLE READ transaction exports, and the facts read in that same
    transaction: the manifest's row counts are exactly the dump's even while the platform keeps writing."""
    env, args, name = _pg_env()
    if connection.in_atomic_block:  # inside a caller's transaction: its uncommitted rows are not dumped anyway
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args, "-f", str(target), name], env)
        with connection.cursor() as cur:
            return _facts(cur, table_names())
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cur.execute("SELECT pg_export_snapshot()")
        snapshot = str(cur.fetchone()[0])
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", *args,
              "-f", str(target), name], env)  # fmt: skip
        return _facts(cur, table_names())


def _sqlite_copy(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(str(source)), sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


# --------------------------------------------------------------------------------------------------- restore


def verify_backup(folder: Path) -> dict[str, Any]:
    """The manifest, once every file's size and SHA-256 match it (and no file is missing or extra)."""
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"备份清单缺失或损坏 / the backup's manifest is missing or damaged: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式 / unsupported backup format: {manifest.get('format')}")
    files: dict[str, dict[str, Any]] = manifest["files"]
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
    for name in sorted(set(files) - present):
        raise BackupError(f"备份不完整：缺少「{files[name]['part']}」部分的文件 / part {files[name]['part']!r} is "
                          f"incomplete: {name} is missing")  # fmt: skip
    for name in sorted(present - set(files)):
        raise BackupError(f"备份中有清单之外的文件 / a file not in the manifest: {name}")
    for name, info in files.items():
        path = folder / name
        if path.stat().st_size != info["size"] or sha256_file(path) != info["sha256"]:
            raise BackupError(f"备份已损坏：「{info['part']}」部分的校验和不符 / the backup is damaged: part "
                              f"{info['part']!r} fails its checksum ({name})")  # fmt: skip
    return manifest


def _check_versions(manifest: dict[str, Any]) -> list[str]:
    """Refuse a backup whose migration state is ahead of the code's; the migrations it is behind by."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    ahead = sorted(f"{app}.{name}" for app, names in manifest["migrations_applied"].items() for name in names
                   if (app, name) not in known)  # fmt: skip
    if ahead:
        raise BackupError(
            "备份来自更新的版本，请先升级平台 / the backup was made by a newer release (migrations this code does "
            f"not have: {', '.join(ahead[:5])}{' …' if len(ahead) > 5 else ''})"
        )
    applied = {(a, n) for a, names in manifest["migrations_applied"].items() for n in names}
    return sorted(f"{a}.{n}" for a, n in known - applied if a in {x for x, _ in applied})


def _home_is_empty(home: Path) -> bool:
    return not any(True for _ in _home_files(home))


@contextmanager
def _unpacked(source: Path) -> Iterator[Path]:
    if source.is_dir():
        yield source
        return
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(source) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp) / "backup"


def backup_restore(source: Path, *, force: bool = False) -> Summary:
    try:
        if not source.exists():
            raise BackupError(f"找不到备份 / no backup at {source}")
        with _unpacked(source) as folder:
            return _restore_from(folder, force)
    except Exception as exc:
        _restore_failed(source, exc)
        raise


def _restore_failed(source: Path, exc: BaseException) -> None:
    """A refused or failed restore is recorded: in the log always, and in the target's audit chain when it has one
    (a non-empty target someone tried to overwrite, or a restore that failed its checks after loading). An empty
    target has no audit table to write to; the log line is then the record."""
    logger.error("restore failed", extra={"source": str(source), "error": str(exc)})
    try:
        if "audit_auditevent" in table_names():
            audit_record(None, "backup.restore", target=str(source)[:200], outcome="failure",
                         detail={"os_user": getpass.getuser(), "error": str(exc)[:500]})  # fmt: skip
    except Exception:  # the original error is what the operator must see; this one goes to the log
        logger.exception("restore failure not audited")


def _restore_from(folder: Path, force: bool) -> Summary:
    manifest = verify_backup(folder)
    vendor = _vendor()
    if manifest["vendor"] != vendor:
        raise BackupError(f"备份的数据库为 {manifest['vendor']}，目标为 {vendor} / the backup's database is "
                          f"{manifest['vendor']}, the target's {vendor}")  # fmt: skip
    behind = _check_versions(manifest)
    home = Path(settings.GAOQI_HOME)
    home.mkdir(parents=True, exist_ok=True)  # a fresh machine's (the SQLite database lives there)
    tables = table_names()
    if not force and (tables or not _home_is_empty(home)):
        what = "数据库 database" if tables else f"GAOQI_HOME ({home})"
        raise BackupError(f"恢复目标非空：{what}；确需覆盖请加 --force / the target is not empty: {what} (--force)")
    # 1. the database
    if vendor == "postgresql":
        env, args, name = _pg_env()
        if tables:  # forced: the target's schema goes first
            with connection.cursor() as cur:
                cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        connection.close()
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args, "-d", name,
              str(folder / "database.dump")], env)  # fmt: skip
    else:
        target = Path(connection.settings_dict["NAME"])
        connection.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(folder / "database.sqlite3", target)
    # 2. the files
    if force and (home / "snapshots").exists():
        shutil.rmtree(home / "snapshots")
    if (folder / "home").exists():
        shutil.copytree(folder / "home", home, dirs_exist_ok=True)
    notes: list[str] = []
    policies = _policy_dir()
    if (folder / "policies").exists():
        if policies is None:
            notes.append("备份含政策目录，但未设置 GAOQI_POLICIES：未恢复 / policies not restored: set GAOQI_POLICIES")
        else:
            shutil.copytree(folder / "policies", policies, dirs_exist_ok=True)
    # 3. checks: the row counts, the audit chain against its anchor (with this deployment's key)
    counts = row_counts()
    wrong = {t: (n, counts.get(t)) for t, n in manifest["row_counts"].items() if counts.get(t) != n}
    if wrong:
        raise BackupError(f"恢复后行数不符 / row counts differ after the restore: {wrong}")
    anchor = manifest["audit_anchor"]
    verdict = audit_verify((anchor["head_id"], anchor["head_hash"]) if anchor["head_id"] is not None else None)
    if not verdict.ok:
        raise BackupError(
            f"审计链校验失败（{verdict.reason}，记录 #{verdict.first_bad_id}）：GAOQI_AUDIT_KEY 是否与备份时相同？ / "
            "the audit chain does not verify after the restore (is GAOQI_AUDIT_KEY the backup's deployment's?)"
        )
    # 4. paths recorded under the backup's GAOQI_HOME / policy folder now point at this machine's
    moved = _rewrite_paths(manifest["gaoqi_home"], str(home))
    if manifest.get("policies_dir") and policies is not None:
        moved += _rewrite_paths(manifest["policies_dir"], str(policies))
    if moved:
        notes.append(f"路径已改写 / {moved} recorded paths now point under {home}")
    if behind:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        notes.append(f"已应用 {len(behind)} 个新迁移 / applied {len(behind)} newer migrations")
    pending = pending_migrations()
    if pending:
        raise BackupError(f"仍有未应用的迁移 / migrations still pending: {pending}")
    audit_record(
        None,
        "backup.restore",
        target=str(folder)[:200],
        detail={"os_user": getpass.getuser(), "backup_created_at": manifest["created_at"],
                "backup_commit": manifest["git_commit"], "rows": sum(counts.values())},
    )  # fmt: skip
    summary = Summary(f"恢复完成 restored from the backup of {manifest['created_at']}", tables=len(counts),
                      rows=sum(counts.values()), notes=notes)  # fmt: skip
    summary.parts = {n: {"files": p["files"], "bytes": p["size"]} for n, p in manifest["parts"].items()}
    summary.notes.append(f"审计链完整 audit chain verified: {verdict.events} events")
    return summary


def _rewrite_paths(old: str, new: str) -> int:
    if not old or old == new:
        return 0
    old, new = old.rstrip("/") + "/", new.rstrip("/") + "/"
    changed = 0
    with connection.cursor() as cur:
        for model in apps.get_models():
            for f in model._meta.concrete_fields:
                if f.name in PATH_FIELDS and isinstance(f, models.CharField | models.TextField):
                    table, column = (connection.ops.quote_name(x) for x in (model._meta.db_table, f.column))
                    cur.execute(
                        f"UPDATE {table} SET {column} = %s || substr({column}, %s) WHERE substr({column}, 1, %s) = %s",
                        [new, len(old) + 1, len(old), old],
                    )
                    changed += max(cur.rowcount, 0)
    return changed
