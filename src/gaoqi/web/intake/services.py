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


ENTERPRISE_FIELDS: tuple[str, ...] = (
    "uscc", "name", "former_names", "name_initials", "district_code", "industry_code", "industry_section",
    "tech_field", "status", "established_date", "legal_representative", "legal_rep_id_number", "phone",
    "has_hte", "hte_expiry_date", "has_tech_sme", "staff", "sales_last_year", "size", "above_scale",
    "incubator_code", "snapshot_id",
)  # fmt: skip
RESULT_FIELDS: tuple[str, ...] = (
    "snapshot_id", "enterprise_id", "policy_id", "policy_version", "status", "failed_conditions", "failed_count",
    "unknown_features", "binding_condition", "binding_gap", "benefit_amount",
)  # fmt: skip

_ENTERPRISE_SQL = """
    SELECT p.uscc, p.name, array_to_string(p.former_names, chr(10)) AS former_names, p.district_code,
           p.industry_code, p.industry_section, p.tech_field, p.status, p.established_date,
           e.legal_representative, e.legal_rep_id_number, e.phone, p.has_hte_certificate,
           p.hte_expiry_date, p.has_tech_sme, p.staff_count_last_year, p.sales_revenue_last_year,
           coalesce(r.status = 'pass', FALSE) AS above_scale
    FROM profile p
    LEFT JOIN enterprise e USING (uscc)
    LEFT JOIN results r ON r.uscc = p.uscc AND r.policy_id = 'above-scale'
    ORDER BY p.uscc"""
_RESULT_SQL = (
    "SELECT uscc, policy_id, policy_version, status, failed_conditions, unknown_features, "
    "binding_condition, binding_gap, benefit_amount FROM results ORDER BY uscc, policy_id"
)


def _publish(snapshot: Snapshot, path: Path, meta: tuple[Any, ...]) -> None:
    """Load the snapshot's enterprise index and results into this database: batched ORM inserts and
    updates on SQLite, COPY through temporary tables on PostgreSQL (2M enterprises and 12M results)."""
    import duckdb
    from django.db import connection

    from gaoqi.web.enterprises.models import Enterprise, IncubatorMembership

    con = duckdb.connect(str(path), read_only=True)
    try:
        incubated = dict(IncubatorMembership.objects.values_list("uscc", "incubator_code"))
        # pinyin initials cost ~0.1 ms a name: reuse them for names that did not change
        known = {
            u: (pk, name, ini)
            for u, pk, name, ini in Enterprise.objects.values_list("uscc", "pk", "name", "name_initials")
        }
        total = int(con.execute("SELECT count(*) FROM profile").fetchall()[0][0])

        def enterprises() -> Iterator[tuple[Any, ...]]:
            for row in _rows(con, _ENTERPRISE_SQL):
                name = row["name"] or ""
                old = known.get(row["uscc"])
                yield (
                    row["uscc"], name, row["former_names"] or "",
                    old[2] if old is not None and old[1] == name else initials(name),
                    row["district_code"] or "", row["industry_code"] or "", row["industry_section"] or "",
                    row["tech_field"] or "", row["status"] or "", row["established_date"],
                    row["legal_representative"] or "", row["legal_rep_id_number"] or "", row["phone"] or "",
                    bool(row["has_hte_certificate"]), row["hte_expiry_date"], bool(row["has_tech_sme"]),
                    row["staff_count_last_year"], row["sales_revenue_last_year"], _size(row["staff_count_last_year"]),
                    bool(row["above_scale"]), incubated.get(row["uscc"], ""), snapshot.pk,
                )  # fmt: skip

        def results() -> Iterator[tuple[Any, ...]]:
            for row in _rows(con, _RESULT_SQL):
                failed = list(row["failed_conditions"] or [])
                yield (
                    snapshot.pk,
                    row["uscc"],
                    row["policy_id"],
                    row["policy_version"],
                    row["status"],
                    failed,
                    len(failed),
                    list(row["unknown_features"] or []),
                    row["binding_condition"] or "",
                    row["binding_gap"] or "",
                    row["benefit_amount"],
                )

        def tick(step: str, base: int, span: int, done: int, of: int) -> None:
            _progress(snapshot, base + min(span, int(span * done / max(of, 1))), step)

        if connection.vendor == "postgresql":
            done, n_results = _publish_copy(enterprises(), results(), total, tick)
        else:
            done, n_results = _publish_orm(enterprises(), results(), {u: v[0] for u, v in known.items()}, total, tick)
    finally:
        con.close()
    with transaction.atomic():  # the switch is atomic; the batches before it are visible as progress
        _make_current(snapshot, path, meta, done, n_results)


def _publish_orm(
    enterprises: Iterator[tuple[Any, ...]],
    results: Iterator[tuple[Any, ...]],
    ids: dict[str, int],
    total: int,
    tick: Any,
) -> tuple[int, int]:
    from gaoqi.web.enterprises.models import Enterprise, PolicyResult

    new: list[Enterprise] = []
    update: list[Enterprise] = []
    fields = [f for f in ENTERPRISE_FIELDS if f != "uscc"]
    done = 0
    for values in enterprises:
        ent = Enterprise(**dict(zip(ENTERPRISE_FIELDS, values, strict=True)))
        if ent.uscc in ids:
            ent.pk = ids[ent.uscc]
            update.append(ent)
        else:
            new.append(ent)
        if len(new) + len(update) >= BATCH:
            done += _flush(Enterprise, new, update, fields)
            tick("发布企业库 enterprises", 75, 10, done, total)
    done += _flush(Enterprise, new, update, fields)
    ids = dict(Enterprise.objects.values_list("uscc", "pk"))
    batch: list[PolicyResult] = []
    n = 0
    for values in results:
        row = dict(zip(RESULT_FIELDS, values, strict=True))
        row["enterprise_id"] = ids[row["enterprise_id"]]
        batch.append(PolicyResult(**row))
        if len(batch) >= BATCH:
            PolicyResult.objects.bulk_create(batch)
            n += len(batch)
            batch.clear()
            tick("发布评估结果 results", 85, 14, n, total * 6)
    PolicyResult.objects.bulk_create(batch)
    return done, n + len(batch)


def _publish_copy(
    enterprises: Iterator[tuple[Any, ...]], results: Iterator[tuple[Any, ...]], total: int, tick: Any
) -> tuple[int, int]:
    """PostgreSQL: COPY into temporary tables, then one upsert and one insert-select (ids joined by uscc)."""
    import json

    from django.db import connection

    ent_cols = ", ".join(ENTERPRISE_FIELDS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in ENTERPRISE_FIELDS if c != "uscc")
    res_cols = ", ".join(c if c != "enterprise_id" else "uscc" for c in RESULT_FIELDS)
    with transaction.atomic(), connection.cursor() as cur:
        # ON COMMIT DROP is not enough inside an enclosing transaction (tests, a caller's atomic block)
        cur.execute("DROP TABLE IF EXISTS _pub_enterprise; DROP TABLE IF EXISTS _pub_result")
        cur.execute(
            "CREATE TEMP TABLE _pub_enterprise ON COMMIT DROP AS SELECT "
            + ent_cols + " FROM enterprises_enterprise WITH NO DATA"
        )  # fmt: skip
        done = 0
        # no progress writes inside a COPY: the connection is busy with it (an UPDATE there waits forever)
        with cur.copy(f"COPY _pub_enterprise ({ent_cols}) FROM STDIN") as copy:
            for values in enterprises:
                copy.write_row(values)
                done += 1
        cur.execute(
            f"INSERT INTO enterprises_enterprise ({ent_cols}) SELECT {ent_cols} FROM _pub_enterprise "
            f"ON CONFLICT (uscc) DO UPDATE SET {updates}"
        )
        cur.execute(
            "CREATE TEMP TABLE _pub_result (snapshot_id bigint, uscc varchar(18), policy_id varchar(64), "
            "policy_version varchar(32), status varchar(8), failed_conditions jsonb, failed_count smallint, "
            "unknown_features jsonb, binding_condition varchar(64), binding_gap text, benefit_amount numeric) "
            "ON COMMIT DROP"
        )
        n = 0
        with cur.copy(f"COPY _pub_result ({res_cols}) FROM STDIN") as copy:
            for values in results:
                v = list(values)
                v[5], v[7] = json.dumps(v[5], ensure_ascii=False), json.dumps(v[7], ensure_ascii=False)
                copy.write_row(v)
                n += 1
        cols = ", ".join(RESULT_FIELDS)
        select = ", ".join("e.id" if c == "enterprise_id" else f"r.{c}" for c in RESULT_FIELDS)
        cur.execute(
            f"INSERT INTO enterprises_policyresult ({cols}) SELECT {select} FROM _pub_result r "
            "JOIN enterprises_enterprise e ON e.uscc = r.uscc"
        )
        cur.execute("DROP TABLE _pub_enterprise; DROP TABLE _pub_result")
    return done, n


def _stats(snapshot: Snapshot) -> None:
    """Precompute the dashboards' counts for the snapshot (by district): grouping 12M results per page view
    would take seconds."""
    from django.db.models import Count, Q, Sum

    from gaoqi.web.enterprises.models import DistrictStat, Enterprise, FieldStat, PolicyResult, PolicyStat

    ents = Enterprise.objects.filter(snapshot=snapshot)
    DistrictStat.objects.bulk_create(
        DistrictStat(snapshot=snapshot, **row)
        for row in ents.values("district_code").annotate(
            enterprises=Count("id"), hte=Count("id", filter=Q(has_hte=True)),
            tech_sme=Count("id", filter=Q(has_tech_sme=True)), above_scale=Count("id", filter=Q(above_scale=True)),
        )
    )  # fmt: skip
    FieldStat.objects.bulk_create(
        FieldStat(snapshot=snapshot, **row)
        for row in ents.filter(has_hte=True).exclude(tech_field="").values("district_code", "tech_field").annotate(n=Count("id"))
    )  # fmt: skip
    rows = (
        PolicyResult.objects.filter(snapshot=snapshot)
        .values("enterprise__district_code", "policy_id", "status", "failed_count")
        .annotate(n=Count("id"), amount=Sum("benefit_amount"))
    )
    merged: dict[tuple[str, str, str, bool], list[Any]] = {}
    for row in rows:
        key = (
            row["enterprise__district_code"],
            row["policy_id"],
            row["status"],
            row["status"] == "fail" and row["failed_count"] == 1,
        )
        acc = merged.setdefault(key, [0, None])
        acc[0] += row["n"]
        if row["amount"] is not None:
            acc[1] = (acc[1] or 0) + row["amount"]
    PolicyStat.objects.bulk_create(
        PolicyStat(snapshot=snapshot, district_code=d, policy_id=p, status=st, near=near, n=n, amount=amount)
        for (d, p, st, near), (n, amount) in merged.items()
    )


def _make_current(snapshot: Snapshot, path: Path, meta: tuple[Any, ...], done: int, n_results: int) -> None:
    _stats(snapshot)
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
