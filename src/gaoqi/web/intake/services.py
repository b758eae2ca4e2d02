"""Pipeline runs and snapshot publishing: the engine's results enter the platform's database.

``snapshot_request`` queues a run (a django-tasks task); ``snapshot_run`` does it: ingest the data
directory into the engine workspace, resolve names, build profiles, evaluate every policy, copy the
workspace to an immutable snapshot file, then load the enterprise index and the policy results here in
batches and make the snapshot current in one transaction at the end (a failure deletes the run's results
and leaves the previous snapshot current). Progress is written as it goes, for the page to show.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from gaoqi.web.audit.services import audit_record
from gaoqi.web.intake.models import Snapshot

BATCH = 5000


def _progress(snapshot: Snapshot, percent: int, step: str) -> None:
    Snapshot.objects.filter(pk=snapshot.pk).update(progress=percent, step=step, status=Snapshot.RUNNING)


@transaction.atomic
def snapshot_request(actor: Any, *, as_of: date, source_dir: str = "") -> Snapshot:
    """Queue a pipeline run and publication; returns the queued snapshot."""
    from gaoqi.web.intake.tasks import run_snapshot

    snapshot = Snapshot.objects.create(
        as_of=as_of, source_dir=source_dir, created_by=actor if getattr(actor, "pk", None) else None
    )
    audit_record(actor, "snapshot.request", target=f"snapshot:{snapshot.pk}", detail={"as_of": str(as_of)})
    transaction.on_commit(lambda: run_snapshot.enqueue(snapshot.pk))
    return snapshot


def engine_home() -> Path:
    return Path(settings.GAOQI_HOME)


def snapshot_run(snapshot_id: int) -> Snapshot:
    """Run the pipeline for a queued snapshot and publish it (see the module docstring)."""
    from gaoqi.engine.features import ensure_profiles
    from gaoqi.engine.ingest import ingest_directory
    from gaoqi.engine.policies import load_policies
    from gaoqi.engine.resolve import resolve
    from gaoqi.engine.rules import default_policy_dir, evaluate
    from gaoqi.engine.workspace import connect

    snapshot = Snapshot.objects.get(pk=snapshot_id)
    home = engine_home()
    try:
        source = Path(snapshot.source_dir) if snapshot.source_dir else None
        if source is not None and source.is_dir() and any(source.iterdir()):
            _progress(snapshot, 5, "导入数据 ingest")
            ingest_directory(home, Path(snapshot.source_dir))
        con = connect(home)
        try:
            _progress(snapshot, 30, "名称匹配 resolve")
            resolve(con)
            _progress(snapshot, 50, "企业画像 profiles")
            ensure_profiles(con, snapshot.as_of)
            _progress(snapshot, 60, "政策评估 evaluate")
            evaluate(con, snapshot.as_of, load_policies(default_policy_dir()))
            meta = con.execute("SELECT engine_version, ruleset_hash FROM results_meta").fetchall()[0]
            con.execute("CHECKPOINT")
        finally:
            con.close()
        _progress(snapshot, 70, "保存快照 copy")
        Path(settings.SNAPSHOT_DIR).mkdir(parents=True, exist_ok=True)
        target = Path(settings.SNAPSHOT_DIR) / f"snapshot-{snapshot.pk}.duckdb"
        shutil.copy2(home / "gaoqi.duckdb", target)
        _progress(snapshot, 75, "发布 publish")
        _publish(snapshot, target, meta)
    except Exception as exc:
        from gaoqi.web.enterprises.models import PolicyResult

        PolicyResult.objects.filter(snapshot=snapshot).delete()  # a failed run leaves no partial results
        Snapshot.objects.filter(pk=snapshot.pk).update(
            status=Snapshot.FAILED, message=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
        audit_record(
            None, "snapshot.run", target=f"snapshot:{snapshot.pk}", outcome="failure", detail={"error": str(exc)}
        )
        raise
    snapshot.refresh_from_db()
    return snapshot


def initials(name: str) -> str:
    """Pinyin initials of a Chinese name (北京小米科技 → bjxmkj); other characters kept lower-cased."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")).lower()[:120]


def _size(staff: Any) -> str:
    if staff is None:
        return ""
    s = float(staff)
    return "micro" if s < 20 else "small" if s < 100 else "medium" if s < 300 else "large"


def _rows(con: Any, sql: str) -> Iterator[dict[str, Any]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    while True:
        chunk = cur.fetchmany(BATCH)
        if not chunk:
            return
        for row in chunk:
            yield dict(zip(names, row, strict=True))


def _publish(snapshot: Snapshot, path: Path, meta: tuple[Any, ...]) -> None:
    import duckdb

    from gaoqi.web.enterprises.models import Enterprise, IncubatorMembership, PolicyResult

    con = duckdb.connect(str(path), read_only=True)
    try:
        incubated = dict(IncubatorMembership.objects.values_list("uscc", "incubator_code"))
        existing = dict(Enterprise.objects.values_list("uscc", "pk"))
        total = int(con.execute("SELECT count(*) FROM profile").fetchall()[0][0])
        sql = """
            SELECT p.uscc, p.name, array_to_string(p.former_names, chr(10)) AS former_names, p.district_code,
                   p.industry_code, p.industry_section, p.tech_field, p.status, p.established_date,
                   e.legal_representative, e.legal_rep_id_number, e.phone, p.has_hte_certificate,
                   p.hte_expiry_date, p.has_tech_sme, p.staff_count_last_year, p.sales_revenue_last_year,
                   coalesce(r.status = 'pass', FALSE) AS above_scale
            FROM profile p
            LEFT JOIN enterprise e USING (uscc)
            LEFT JOIN results r ON r.uscc = p.uscc AND r.policy_id = 'above-scale'
            ORDER BY p.uscc"""
        new: list[Enterprise] = []
        update: list[Enterprise] = []
        fields = [
            "name", "former_names", "name_initials", "district_code", "industry_code", "industry_section",
            "tech_field", "status", "established_date", "legal_representative", "legal_rep_id_number", "phone",
            "has_hte", "hte_expiry_date", "has_tech_sme", "staff", "sales_last_year", "size", "above_scale",
            "incubator_code", "snapshot",
        ]  # fmt: skip
        done = 0
        for row in _rows(con, sql):
            ent = Enterprise(
                uscc=row["uscc"],
                name=row["name"] or "",
                former_names=row["former_names"] or "",
                name_initials=initials(row["name"] or ""),
                district_code=row["district_code"] or "",
                industry_code=row["industry_code"] or "",
                industry_section=row["industry_section"] or "",
                tech_field=row["tech_field"] or "",
                status=row["status"] or "",
                established_date=row["established_date"],
                legal_representative=row["legal_representative"] or "",
                legal_rep_id_number=row["legal_rep_id_number"] or "",
                phone=row["phone"] or "",
                has_hte=bool(row["has_hte_certificate"]),
                hte_expiry_date=row["hte_expiry_date"],
                has_tech_sme=bool(row["has_tech_sme"]),
                staff=row["staff_count_last_year"],
                sales_last_year=row["sales_revenue_last_year"],
                size=_size(row["staff_count_last_year"]),
                above_scale=bool(row["above_scale"]),
                incubator_code=incubated.get(row["uscc"], ""),
                snapshot=snapshot,
            )
            if row["uscc"] in existing:
                ent.pk = existing[row["uscc"]]
                update.append(ent)
            else:
                new.append(ent)
            if len(new) + len(update) >= BATCH:
                done += _flush(Enterprise, new, update, fields)
                _progress(snapshot, 75 + int(10 * done / max(total, 1)), "发布企业库 enterprises")
        done += _flush(Enterprise, new, update, fields)
        ids = dict(Enterprise.objects.values_list("uscc", "pk"))
        results: list[PolicyResult] = []
        n_results = 0
        for row in _rows(
            con,
            "SELECT uscc, policy_id, policy_version, status, failed_conditions, unknown_features, "
            "binding_condition, binding_gap, benefit_amount FROM results ORDER BY uscc, policy_id",
        ):
            results.append(
                PolicyResult(
                    snapshot=snapshot,
                    enterprise_id=ids[row["uscc"]],
                    policy_id=row["policy_id"],
                    policy_version=row["policy_version"],
                    status=row["status"],
                    failed_conditions=list(row["failed_conditions"] or []),
                    failed_count=len(row["failed_conditions"] or []),
                    unknown_features=list(row["unknown_features"] or []),
                    binding_condition=row["binding_condition"] or "",
                    binding_gap=row["binding_gap"] or "",
                    benefit_amount=row["benefit_amount"],
                )
            )
            if len(results) >= BATCH:
                PolicyResult.objects.bulk_create(results)
                n_results += len(results)
                results.clear()
                _progress(snapshot, 85 + min(14, int(14 * n_results / max(total * 6, 1))), "发布评估结果 results")
        PolicyResult.objects.bulk_create(results)
        n_results += len(results)
    finally:
        con.close()
    with transaction.atomic():  # the switch is atomic; the batches before it are visible as progress
        _make_current(snapshot, path, meta, done, n_results)


def _make_current(snapshot: Snapshot, path: Path, meta: tuple[Any, ...], done: int, n_results: int) -> None:
    Snapshot.objects.filter(is_current=True).update(is_current=False)
    Snapshot.objects.filter(pk=snapshot.pk).update(
        status=Snapshot.PUBLISHED,
        progress=100,
        step="完成 done",
        duckdb_path=str(path),
        engine_version=str(meta[0]),
        ruleset_hash=str(meta[1]),
        enterprises=done,
        results=n_results,
        is_current=True,
        finished_at=timezone.now(),
    )
    audit_record(
        None, "snapshot.publish", target=f"snapshot:{snapshot.pk}", detail={"enterprises": done, "results": n_results}
    )


def _flush(model: Any, new: list[Any], update: list[Any], fields: list[str]) -> int:
    n = len(new) + len(update)
    if new:
        model.objects.bulk_create(new)
    if update:
        model.objects.bulk_update(update, fields)
    new.clear()
    update.clear()
    return n


@transaction.atomic
def upload_store(actor: Any, name: str, chunks: Iterator[bytes]) -> Path:
    """Save a delivered department file into the data directory (outside the web root)."""
    safe = Path(name).name
    if not safe or safe.startswith("."):
        raise ValueError("文件名无效")
    if Path(safe).suffix.lower() not in (".csv", ".xlsx", ".txt"):
        raise ValueError("只接受 CSV 或 Excel (.xlsx) 文件")
    folder = Path(settings.UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe
    with target.open("wb") as fh:
        for chunk in chunks:
            fh.write(chunk)
    audit_record(actor, "upload", target=f"file:{safe}", detail={"bytes": target.stat().st_size})
    return target
