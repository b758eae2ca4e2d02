"""Pipeline runs and snapshot publishing: the engine's results enter the platform's database.

``snapshot_request`` queues a run (a django-tasks task); ``snapshot_run`` does it, holding the run lock
(``runlock.py``: one run at a time): write the platform's own certificates and renames as feed files of 高企认定系统
(``certification/feed.py``, ADR 0011), ingest the data directory and then those files into the engine workspace,
resolve names, build profiles, evaluate every policy, copy the workspace to an immutable snapshot file, then
publish: the enterprise index and the policy results are staged aside in temporary tables and switched in with
ONE transaction that upserts the enterprises, inserts the results, computes the dashboards' counts and makes the
snapshot current.
A failure or a crash at any point before that commit leaves the enterprise index, the results and the current
snapshot as they were. Progress is written as it goes, for the page to show.

``snapshot_recover_interrupted`` (run when the worker starts, ``gaoqi-web worker``, and at the start of each
run) marks as failed the runs a crash interrupted, which would otherwise stay "running" for ever.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import itertools
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from gaoqi.engine import IncubatorFiguresError, Workspace, default_policies, default_policy_dir, feed_for_filename
from gaoqi.faults import crash_point
from gaoqi.web.audit.services import audit_record
from gaoqi.web.benefits.services import benefits_derive
from gaoqi.web.core.locks import serialize
from gaoqi.web.exports import cell
from gaoqi.web.intake.models import Snapshot, Upload
from gaoqi.web.intake.runlock import lock_holder, run_lock
from gaoqi.web.monitoring.services import warnings_derive
from gaoqi.web.programmes.services import memberships_update
from gaoqi.web.push.services import events_derive
from gaoqi.web.reviewsignals.services import signals_derive

BATCH = 5000

logger = logging.getLogger(__name__)


def failure_message(exc: BaseException) -> str:
    """What the data office reads of a failed run: the engine's own Chinese reason when it gave one (a step run
    out of order, a refused file); otherwise a pointer to the log, which keeps the technical error (so does the
    audit record)."""
    text = str(exc).strip()
    if re.search(r"[\u4e00-\u9fff]", text):
        return f"运行失败：{text}"
    logger.error("snapshot run failed", exc_info=exc)
    return "运行失败：内部错误，技术细节已记入运行日志与审计日志，请联系系统管理员"


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


def platform_feed_dir() -> Path:
    """Where the platform delivers its own feed files (高企认定系统, ADR 0011), next to the engine workspace."""
    return engine_home() / "platform-feed"


INTERRUPTED = "运行中断：工作进程异常退出，请重新运行"
BUSY = "另一个运行正在进行（快照 #{holder}），请待其结束后再启动"


class RunBusy(Exception):
    """Another run holds the run lock (and the caller would not wait)."""


class RunInterrupted(Exception):
    """Recorded on the task result of a run whose worker died."""


def snapshot_recover_interrupted(actor: Any) -> list[int]:
    """Mark the runs a crash interrupted as failed; returns their snapshot ids.

    Only a run holding the run lock ever sets a snapshot RUNNING, and it leaves that state before letting the
    lock go; so while this holds the lock, every RUNNING snapshot is a run whose process died. Each one is
    marked FAILED with a message, the rows it may have left (results, counts, its snapshot file) are removed,
    its django-tasks task result is marked FAILED (the worker that claimed it is gone), and it is audited.
    When another run holds the lock, nothing is done here: that run recovered when it started."""
    with run_lock(None, timeout=0) as locked:
        if not locked:
            return []
        return _recover_locked(actor)


def _recover_locked(actor: Any, *, keep: int | None = None) -> list[int]:
    from django_tasks_db.models import DBTaskResult

    from gaoqi.web.enterprises.models import DistrictStat, FieldStat, PolicyResult, PolicyStat
    from gaoqi.web.intake.tasks import run_snapshot

    recovered: list[int] = []
    for snap in Snapshot.objects.filter(status=Snapshot.RUNNING).exclude(pk=keep):
        with transaction.atomic():
            if not Snapshot.objects.filter(pk=snap.pk, status=Snapshot.RUNNING).update(
                status=Snapshot.FAILED, message=INTERRUPTED, finished_at=timezone.now(), is_current=False
            ):
                continue
            for model in (PolicyResult, DistrictStat, FieldStat, PolicyStat):
                model.objects.filter(snapshot_id=snap.pk).delete()
            tasks = [
                t
                for t in DBTaskResult.objects.running().filter(task_path=run_snapshot.module_path)
                if (t.args_kwargs or {}).get("args") == [snap.pk]
            ]
            for t in tasks:
                t.set_failed(RunInterrupted(INTERRUPTED))
            audit_record(
                actor,
                "snapshot.recover",
                target=f"snapshot:{snap.pk}",
                outcome="failure",
                detail={"step": snap.step, "progress": snap.progress, "tasks": [str(t.id) for t in tasks]},
            )
        (Path(settings.SNAPSHOT_DIR) / f"snapshot-{snap.pk}.duckdb").unlink(missing_ok=True)
        recovered.append(snap.pk)
    return recovered


def snapshot_run(snapshot_id: int, *, wait: bool = True) -> Snapshot:
    """Run the pipeline for a queued snapshot and publish it (see the module docstring).

    Runs are serialised by the run lock: with ``wait`` (the worker) a second run waits for the first; without
    (``gaoqi-web publish``) it is refused, as FAILED with a message saying so."""
    snapshot = Snapshot.objects.get(pk=snapshot_id)
    with run_lock(snapshot.pk, timeout=0 if wait else 5) as locked:
        if locked:
            return _run_locked(snapshot)
    if not wait:
        message = BUSY.format(holder=lock_holder() or "?")
        Snapshot.objects.filter(pk=snapshot.pk).update(
            status=Snapshot.FAILED, message=message, finished_at=timezone.now()
        )
        audit_record(
            None, "snapshot.run", target=f"snapshot:{snapshot.pk}", outcome="failure", detail={"error": message}
        )
        raise RunBusy(message)
    Snapshot.objects.filter(pk=snapshot.pk).update(step="等待其他运行结束")
    with run_lock(snapshot.pk, timeout=None):
        return _run_locked(snapshot)


def _run_locked(snapshot: Snapshot) -> Snapshot:
    from gaoqi.web.certification.services import platform_feed_write
    from gaoqi.web.techsme.services import techsme_feed_write

    _recover_locked(None, keep=snapshot.pk)  # a run a crash interrupted earlier is failed before this one starts
    home = engine_home()
    try:
        _progress(snapshot, 2, "高企认定系统数据")
        platform = platform_feed_dir()
        platform_feed_write(None, platform)  # the platform's own certificates and renames, as of now
        techsme_feed_write(None, platform)  # and its tech-SME registrations (certificate rows of kind tech_sme)
        source = Path(snapshot.source_dir) if snapshot.source_dir else None
        with Workspace.open(home) as ws:
            if source is not None and source.is_dir() and any(source.iterdir()):
                _progress(snapshot, 5, "导入数据")
                ws.ingest(source)
            if any(platform.iterdir()):
                # after the departments' files: in a run where both changed, the platform's record of its own
                # certificates is the latest delivery (same bytes as last time: skipped)
                ws.ingest(platform)
            _progress(snapshot, 30, "名称匹配")
            ws.resolve()
            _progress(snapshot, 50, "企业画像")
            crash_point("GAOQI_CRASH_AT", "run-profiles")
            ws.profiles(snapshot.as_of)
            _progress(snapshot, 60, "政策评估")
            found = ws.evaluate(snapshot.as_of, default_policies())
            meta = (found["engine_version"], found["ruleset_hash"])
            _warnings_evaluate(snapshot, ws)  # 监测预警: the warning rules, against the previous snapshot too
            _progress(snapshot, 66, "孵化机构评价")
            # the incubators' figures and evaluation (issue 12); none when no evaluation is in force at as-of
            with contextlib.suppress(IncubatorFiguresError):
                ws.incubator_figures(snapshot.as_of)
            ws.build_tags()  # 企业画像标签, stored in the snapshot for the cohort pages (analytics, ADR 0033)
            ws.checkpoint()
            database = ws.path
        _progress(snapshot, 70, "保存快照")
        Path(settings.SNAPSHOT_DIR).mkdir(parents=True, exist_ok=True)
        target = Path(settings.SNAPSHOT_DIR) / f"snapshot-{snapshot.pk}.duckdb"
        shutil.copy2(database, target)
        _progress(snapshot, 75, "发布")
        _publish(snapshot, target, meta)
    except Exception as exc:
        from gaoqi.web.enterprises.models import PolicyResult

        PolicyResult.objects.filter(snapshot=snapshot).delete()  # a failed run leaves no partial results
        Snapshot.objects.filter(pk=snapshot.pk).update(
            status=Snapshot.FAILED, message=failure_message(exc), finished_at=timezone.now()
        )
        audit_record(
            None, "snapshot.run", target=f"snapshot:{snapshot.pk}", outcome="failure", detail={"error": str(exc)}
        )
        raise
    snapshot.refresh_from_db()
    return snapshot


def _warnings_evaluate(snapshot: Snapshot, ws: Workspace) -> None:
    """The warning rules (``kind: warning`` policies) over the profile and its change since the current published
    snapshot (its DuckDB file; None for the first: change rules are not raised), ADR 0030."""
    _progress(snapshot, 64, "监测预警")
    current = Snapshot.objects.filter(is_current=True, status=Snapshot.PUBLISHED).exclude(pk=snapshot.pk).first()
    previous = Path(current.duckdb_path) if current is not None and current.duckdb_path else None
    ws.warnings_evaluate(
        snapshot.as_of, default_policy_dir(), previous=previous if previous is not None and previous.exists() else None
    )


def _warning_rows(ws: Workspace) -> tuple[list[dict[str, Any]], set[str] | None]:
    """The snapshot file's warning rows and the rules they cover: None (every rule: a warning whose rule raised
    nothing this time, or is no longer in force, has its condition cleared) when the rules were evaluated; none
    when the file has no evaluation (the engine's warnings are then left as they are, the platform's rules still
    derived)."""
    if not ws.warning_meta():
        return [], set()
    return list(ws.warning_rows()), None


def _review_signals(ws: Workspace, as_of: date) -> tuple[list[Any], set[str] | None]:
    """The snapshot file's review signals (``Workspace.review_signals``, read only) for every batch year with an
    application in review on the platform (not after the snapshot's year), and the kinds they cover: None (every
    kind: an open signal not raised again is cleared); none when the file has no current views to read them from
    (the signals are then left as they are, as the warnings are without an evaluation)."""
    from gaoqi.web.reviewsignals.services import review_years

    out: list[Any] = []
    try:
        for year in review_years(as_of):
            out.extend(ws.review_signals(as_of, batch_year=year))
    except ValueError as exc:  # no current views in the file (resolve never ran): nothing to judge by
        logger.warning("review signals not derived for %s: %s", as_of, exc)
        return [], set()
    return out, None


def initials(name: str) -> str:
    """Pinyin initials of a Chinese name (北京小米科技 → bjxmkj); other characters kept lower-cased."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")).lower()[:120]


def _size(staff: Any) -> str:
    if staff is None:
        return ""
    s = float(staff)
    return "micro" if s < 20 else "small" if s < 100 else "medium" if s < 300 else "large"


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


def _publish(snapshot: Snapshot, path: Path, meta: tuple[Any, ...]) -> None:
    """Load the snapshot's enterprise index and results into this database: build aside, switch at once.

    The rows are first staged in temporary tables of this connection (COPY on PostgreSQL; batched inserts on
    SQLite, where temporary tables live in a separate temp database, so staging takes no lock on the main
    database and other users' writes go on). Then ONE transaction upserts the enterprises from the staging
    table, inserts the results joined to the enterprise ids, computes the dashboards' counts and makes the
    snapshot current. A crash or an exception before that commit leaves the enterprise index, the results
    and the current snapshot exactly as they were (temporary tables vanish with the connection)."""
    from django.db import connection

    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.incubators.services import figures_publish

    ws = Workspace.open(path, read_only=True)
    try:
        # the incubators' figures (a few hundred rows), published in the same switch
        incubator_rows, incubator_city = ws.incubator_rows(), ws.incubator_city()
        warning_rows, warning_rules = _warning_rows(ws)  # 监测预警 (ADR 0030): derived in the switch
        review_signals, review_kinds = _review_signals(ws, snapshot.as_of)  # 审查风险提示 (ADR 0036): in the switch
        # pinyin initials cost ~0.1 ms a name: reuse them for names that did not change
        known = {u: (name, ini) for u, name, ini in Enterprise.objects.values_list("uscc", "name", "name_initials")}
        total = ws.profile_count()

        def enterprises() -> Iterator[tuple[Any, ...]]:
            for row in ws.enterprise_rows():
                name = row["name"] or ""
                old = known.get(row["uscc"])
                yield (
                    row["uscc"], name, row["former_names"] or "",
                    old[1] if old is not None and old[0] == name else initials(name),
                    row["district_code"] or "", row["industry_code"] or "", row["industry_section"] or "",
                    row["tech_field"] or "", row["status"] or "", row["established_date"],
                    row["legal_representative"] or "", row["legal_rep_id_number"] or "", row["phone"] or "",
                    bool(row["has_hte_certificate"]), row["hte_expiry_date"], bool(row["has_tech_sme"]),
                    row["staff_count_last_year"], row["sales_revenue_last_year"], _size(row["staff_count_last_year"]),
                    bool(row["above_scale"]), row["incubator_code"] or "", snapshot.pk,
                )  # fmt: skip

        def results() -> Iterator[tuple[Any, ...]]:
            for row in ws.result_rows():
                failed = list(row["failed_conditions"] or [])
                yield (
                    snapshot.pk,
                    row["uscc"],
                    row["policy_id"],
                    row["policy_version"],
                    row["status"],
                    json.dumps(failed, ensure_ascii=False),
                    len(failed),
                    json.dumps(list(row["unknown_features"] or []), ensure_ascii=False),
                    row["binding_condition"] or "",
                    row["binding_gap"] or "",
                    row["benefit_amount"],
                )

        def tick(step: str, base: int, span: int, done: int, of: int) -> None:
            _progress(snapshot, base + min(span, int(span * done / max(of, 1))), step)

        with connection.cursor() as cur:
            try:
                _stage_create(cur)
                if connection.vendor == "postgresql":
                    done, n_results = _stage_copy(cur, enterprises(), results(), total, tick)
                else:
                    done, n_results = _stage_batches(cur, enterprises(), results(), total, tick)
                ws.close()
                crash_point("GAOQI_CRASH_AT", "publish-staged")
                _progress(snapshot, 95, "切换快照")
                with transaction.atomic():  # the switch: everything the pages read changes here, at once
                    cur.execute(_UPSERT_SQL)
                    cur.execute(_RESULTS_SQL)
                    _make_current(snapshot, path, meta, done, n_results)
                    memberships_update(snapshot)  # the lists' entries and exits, in the same switch
                    benefits_derive(snapshot)  # 免申即享: a benefit per enterprise passing an automatic policy
                    events_derive(snapshot)  # 政策推送: the results' difference with the previous snapshot as messages
                    warnings_derive(snapshot, warning_rows, warning_rules)  # 监测预警: after the lists' stays
                    signals_derive(snapshot, review_signals, review_kinds)  # 审查风险提示: applications in review
                    figures_publish(snapshot, incubator_rows, incubator_city)  # after the index: applications
            finally:
                _stage_drop(cur)
    finally:
        ws.close()


_PUB_ENTERPRISE, _PUB_RESULT = "_pub_enterprise", "_pub_result"
_ENT_COLS = ", ".join(ENTERPRISE_FIELDS)
_STAGE_RESULT_COLS = ", ".join("uscc" if c == "enterprise_id" else c for c in RESULT_FIELDS)
# ``WHERE true``: SQLite needs it to tell an INSERT … SELECT's ON CONFLICT from a join's ON (PostgreSQL accepts it)
_UPSERT_SQL = (
    f"INSERT INTO enterprises_enterprise ({_ENT_COLS}) SELECT {_ENT_COLS} FROM {_PUB_ENTERPRISE} WHERE true "
    "ON CONFLICT (uscc) DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in ENTERPRISE_FIELDS if c != "uscc")
)
_RESULTS_SQL = (
    f"INSERT INTO enterprises_policyresult ({', '.join(RESULT_FIELDS)}) SELECT "
    + ", ".join("e.id" if c == "enterprise_id" else f"r.{c}" for c in RESULT_FIELDS)
    + f" FROM {_PUB_RESULT} r JOIN enterprises_enterprise e ON e.uscc = r.uscc"
)


def _stage_create(cur: Any) -> None:
    """The staging tables: temporary, shaped like the target tables (the results keyed by uscc)."""
    _stage_drop(cur)  # a connection reused after an earlier failure
    cur.execute(f"CREATE TEMP TABLE {_PUB_ENTERPRISE} AS SELECT {_ENT_COLS} FROM enterprises_enterprise WHERE 1 = 0")
    cols = ", ".join("e.uscc" if c == "enterprise_id" else f"r.{c}" for c in RESULT_FIELDS)
    cur.execute(
        f"CREATE TEMP TABLE {_PUB_RESULT} AS SELECT {cols} FROM enterprises_policyresult r "
        "JOIN enterprises_enterprise e ON e.id = r.enterprise_id WHERE 1 = 0"
    )


def _stage_drop(cur: Any) -> None:
    for table in (_PUB_ENTERPRISE, _PUB_RESULT):
        cur.execute(f"DROP TABLE IF EXISTS {table}")


def _stage_batches(
    cur: Any, enterprises: Iterator[tuple[Any, ...]], results: Iterator[tuple[Any, ...]], total: int, tick: Any
) -> tuple[int, int]:
    """SQLite: batched inserts into the temporary tables (in the temp database: no lock on the main one)."""
    counts = []
    for table, rows, width, step, base, span, of in (
        (_PUB_ENTERPRISE, enterprises, len(ENTERPRISE_FIELDS), "暂存企业库", 75, 8, total),
        (_PUB_RESULT, results, len(RESULT_FIELDS), "暂存评估结果", 83, 12, total * 6),
    ):
        sql = f"INSERT INTO {table} VALUES ({', '.join(['%s'] * width)})"
        count = 0
        while batch := list(itertools.islice(rows, BATCH)):
            cur.executemany(sql, batch)
            count += len(batch)
            tick(step, base, span, count, of)
        counts.append(count)
    return counts[0], counts[1]


def _stage_copy(
    cur: Any, enterprises: Iterator[tuple[Any, ...]], results: Iterator[tuple[Any, ...]], total: int, tick: Any
) -> tuple[int, int]:
    """PostgreSQL: COPY into the temporary tables (2M enterprises and 12M results)."""
    done = n = 0
    # no progress writes inside a COPY: the connection is busy with it (an UPDATE there waits forever)
    with cur.copy(f"COPY {_PUB_ENTERPRISE} ({_ENT_COLS}) FROM STDIN") as copy:
        for values in enterprises:
            copy.write_row(values)
            done += 1
    tick("暂存评估结果", 75, 8, done, total)
    with cur.copy(f"COPY {_PUB_RESULT} ({_STAGE_RESULT_COLS}) FROM STDIN") as copy:
        for values in results:
            copy.write_row(values)
            n += 1
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
        step="完成",
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


ACCEPTED_SUFFIXES = (".csv", ".xlsx", ".txt")
BAD_NAME = "文件名无效"
BAD_SUFFIX = "只接受 CSV 或 Excel (.xlsx) 文件"


def upload_store(actor: Any, name: str, chunks: Iterable[bytes]) -> Upload:
    """Receive a delivered department file and record it, whatever becomes of it (nothing vanishes).

    The bytes are written aside (hashed as they come), then told at once what needs no run: a name or type the
    platform does not take, or what the engine's ``precheck`` refuses as a whole (no feed in the name, not a
    table, a required column missing) is recorded with its reason and not stored; the same bytes as an
    earlier upload, or as a file the current snapshot already loaded, are recorded as such and not stored
    again. Anything else goes into the data directory (outside the web root) under its own name, for the
    next run; a same-named file waiting there is replaced."""
    safe = Path(name).name
    refusal = ""
    if not safe or safe.startswith("."):
        refusal = BAD_NAME
    elif Path(safe).suffix.lower() not in ACCEPTED_SUFFIXES:
        refusal = BAD_SUFFIX
    folder = Path(settings.UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    # a subdirectory: the engine reads only the data directory's own files, and precheck sees the real name
    incoming = Path(tempfile.mkdtemp(prefix=".incoming-", dir=folder))
    try:
        aside = incoming / (safe if not refusal else "upload.bin")
        digest, size = hashlib.sha256(), 0
        with aside.open("wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        sha = digest.hexdigest()
        code, reason = ("platform", refusal) if refusal else Workspace.precheck(aside) or ("", "")
        loaded_as = "" if reason else _loaded_name(sha)
        with transaction.atomic():
            serialize("intake.upload")  # two uploads of the same bytes at once: the second sees the first
            earlier = None if reason or loaded_as else _waiting_with(sha)
            same_as = loaded_as or (earlier.file_name if earlier is not None else "")
            upload = Upload.objects.create(
                file_name=(safe or name or "？")[:255],
                stored_name="" if reason or same_as else safe,
                size=size,
                sha256=sha,
                feed=(feed_for_filename(safe) or "") if safe else "",
                refused_code=code,
                refused_reason=reason,
                same_as=same_as,
                uploaded_by=actor if getattr(actor, "pk", None) else None,
            )
            audit_record(
                actor,
                "upload",
                target=f"file:{safe}",
                outcome="failure" if reason else "success",
                detail={"upload": upload.pk, "bytes": size, "sha256": sha, "refused": code, "same_as": same_as},
            )
            if upload.stored_name:
                os.replace(aside, folder / safe)
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
    return upload


def _waiting_with(sha: str) -> Upload | None:
    """An earlier upload of these bytes still in the data directory (not replaced since by a same-named one),
    in one query."""
    replaced = Upload.objects.filter(stored_name=OuterRef("stored_name"), id__gt=OuterRef("pk")).exclude(stored_name="")
    return (
        Upload.objects.filter(sha256=sha, refused_reason="", same_as="")
        .exclude(stored_name="")
        .filter(~Exists(replaced))
        .order_by("id")
        .first()
    )


def _loaded_name(sha: str) -> str:
    """The name of the file the current snapshot loaded with these bytes, or ""."""
    from gaoqi.web.intake.selectors import current_snapshot, loads_by_hash

    found = loads_by_hash(current_snapshot(), [sha])
    return str(found[sha]["file_name"]) if sha in found else ""


def quarantine_report(actor: Any, load: dict[str, Any], *, request: Any = None) -> tuple[str, bytes]:
    """The engine's quarantine report of a load (its CSV), for download: every cell neutralised (the values
    are what a department delivered, and a spreadsheet would run a formula), the header in Chinese. Audited.
    Raises FileNotFoundError when the engine's report is not there (a workspace rebuilt since)."""
    path = Workspace.open(engine_home()).quarantine_report_path(int(load["load_id"]), str(load["file_name"]))
    out = io.StringIO()
    writer = csv.writer(out)
    rows = 0
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for i, row in enumerate(csv.reader(fh)):
            if i == 0 and row == list(REPORT_COLUMNS):
                row = [REPORT_COLUMNS[c] for c in row]
            else:
                rows += 1
            writer.writerow([cell(v) for v in row])
    audit_record(
        actor,
        "quarantine.download",
        target=f"load:{load['load_id']}",
        request=request,
        detail={"file": str(load["file_name"]), "rows": rows},
    )
    return path.name, out.getvalue().encode("utf-8-sig")  # with a BOM: Excel then reads the Chinese


#: The engine's report columns → the header a user reads.
REPORT_COLUMNS: dict[str, str] = {
    "feed": "数据接口",
    "file": "文件",
    "line": "行号",
    "field": "字段",
    "value": "值",
    "reason_code": "原因代码",
    "message": "说明",
}
