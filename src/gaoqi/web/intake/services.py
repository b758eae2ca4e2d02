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
import time
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from gaoqi.engine import (
    RESULT_CSV_COLUMNS,
    IncubatorFiguresError,
    Workspace,
    default_policies,
    default_policy_dir,
    feed_for_filename,
    name_initials,
)
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


def snapshot_recover_interrupted(actor: Any, *, retry: bool = False) -> list[int]:
    """Mark the runs a crash interrupted as failed; returns their snapshot ids.

    Only a run holding the run lock ever sets a snapshot RUNNING, and it leaves that state before letting the
    lock go; so while this holds the lock, every RUNNING snapshot is a run whose process died. Each one is
    marked FAILED with a message, the rows it may have left (results, counts, its snapshot file) are removed,
    its django-tasks task result is marked FAILED (the worker that claimed it is gone), and it is audited.
    With ``retry`` (the worker starting), each is then queued again as a new snapshot (``retry_of``, the next
    ``attempt``) while it has attempts left (``GAOQI_RUN_ATTEMPTS``), audited as ``snapshot.retry``.
    When another run holds the lock, nothing is done here: that run recovered when it started."""
    with run_lock(None, timeout=0) as locked:
        if not locked:
            return []
        return _recover_locked(actor, retry=retry)


def _retry(actor: Any, failed: Snapshot) -> Snapshot | None:
    """Queue an interrupted run again (a new snapshot, so that snapshots still publish in id order), when it has
    attempts left; inside the recovery's transaction."""
    from gaoqi.web.intake.tasks import run_snapshot

    if failed.attempt >= settings.GAOQI_RUN_ATTEMPTS:
        return None
    again = Snapshot.objects.create(
        as_of=failed.as_of,
        source_dir=failed.source_dir,
        created_by=failed.created_by,
        attempt=failed.attempt + 1,
        retry_of=failed,
    )
    audit_record(actor, "snapshot.retry", target=f"snapshot:{again.pk}",
                 detail={"retry_of": failed.pk, "attempt": again.attempt, "attempts": settings.GAOQI_RUN_ATTEMPTS})  # fmt: skip
    transaction.on_commit(lambda: run_snapshot.enqueue(again.pk))
    return again


def _recover_locked(actor: Any, *, keep: int | None = None, retry: bool = False) -> list[int]:
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
            if retry:
                _retry(actor, snap)
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
    clock = _Phases()
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
                clock.lap("ingest")
            if any(platform.iterdir()):
                # after the departments' files: in a run where both changed, the platform's record of its own
                # certificates is the latest delivery (same bytes as last time: skipped)
                ws.ingest(platform)
                clock.lap("ingest (platform)")
            _progress(snapshot, 30, "名称匹配")
            ws.resolve()
            clock.lap("resolve")
            _progress(snapshot, 50, "企业画像")
            crash_point("GAOQI_CRASH_AT", "run-profiles")
            ws.profiles(snapshot.as_of)
            clock.lap("profiles")
            _progress(snapshot, 60, "政策评估")
            found = ws.evaluate(snapshot.as_of, default_policies())
            meta = (found["engine_version"], found["ruleset_hash"])
            clock.lap("evaluate")
            _warnings_evaluate(snapshot, ws)  # 监测预警: the warning rules, against the previous snapshot too
            clock.lap("warnings")
            _progress(snapshot, 66, "孵化机构评价")
            # the incubators' figures and evaluation (issue 12); none when no evaluation is in force at as-of
            with contextlib.suppress(IncubatorFiguresError):
                ws.incubator_figures(snapshot.as_of)
            clock.lap("incubators")
            ws.build_tags()  # 企业画像标签, stored in the snapshot for the cohort pages (analytics, ADR 0033)
            clock.lap("tags")
            _progress(snapshot, 68, "名称拼音首字母")
            ws.build_name_initials()  # new names only: the others are kept in the workspace (ADR 0042)
            ws.checkpoint()
            clock.lap("name initials")
            database = ws.path
        _progress(snapshot, 70, "保存快照")
        Path(settings.SNAPSHOT_DIR).mkdir(parents=True, exist_ok=True)
        target = Path(settings.SNAPSHOT_DIR) / f"snapshot-{snapshot.pk}.duckdb"
        shutil.copy2(database, target)
        clock.lap("snapshot copy")
        _progress(snapshot, 75, "发布")
        figures = _publish(snapshot, target, meta, clock)
        logger.info("snapshot %s published: %s", snapshot.pk, figures)
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
    snapshot.publish_figures = figures  # the benchmark prints them
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
    """Pinyin initials of a Chinese name (北京小米科技 → bjxmkj); other characters kept, lower-cased (the engine's)."""
    return name_initials(name)


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

OLDER = "快照 #{pk} 早于已发布的快照 #{newer}，不能再发布（快照按编号顺序发布）；请重新运行"
MOVED = "当前快照在本次运行期间已变更（#{was} → #{now}），本次差异不再可靠；请重新运行"


def previous_file(snapshot: Snapshot) -> tuple[Snapshot | None, Path | None]:
    """The current published snapshot and its DuckDB file when a difference against it can be trusted (ADR 0042):
    the file is there, opens, and holds as many enterprises and results as the snapshot published (which were
    read from it). Else (None, None) with the reason logged: the publication is then full."""
    current = Snapshot.objects.filter(is_current=True, status=Snapshot.PUBLISHED).exclude(pk=snapshot.pk).first()
    if current is None or not current.duckdb_path:
        return current, None
    path = Path(current.duckdb_path)
    if not path.is_file():
        logger.warning("snapshot %s: previous file %s missing, full publication", snapshot.pk, path)
        return current, None
    try:
        with Workspace.open(path, read_only=True) as ws:
            counts = (ws.profile_count(), ws.result_count())
    except Exception:  # unreadable: not a file to diff against
        logger.warning("snapshot %s: previous file %s unreadable, full publication", snapshot.pk, path, exc_info=True)
        return current, None
    if counts != (current.enterprises, current.results):
        logger.warning("snapshot %s: previous file %s holds %s, published %s: full publication", snapshot.pk, path,
                       counts, (current.enterprises, current.results))  # fmt: skip
        return current, None
    return current, path


def _publish(snapshot: Snapshot, path: Path, meta: tuple[Any, ...], clock: _Phases | None = None) -> dict[str, Any]:
    """Load the snapshot into this database: build aside, switch at once (ADR 0008, 0042).

    When the current snapshot's file can be trusted (``previous_file``), the engine returns only the enterprise
    index rows and results that differ from it and the keys that disappeared: only those are staged and written
    (the results are versions: the switch supersedes the changed and removed ones and inserts their new rows; an
    unchanged row stays, held by the new snapshot too). Otherwise every row is (a full publication).

    The rows are first staged in temporary tables of this connection (COPY on PostgreSQL; batched inserts on
    SQLite, where temporary tables live in a separate temp database, so staging takes no lock on the main
    database and other users' writes go on). Then ONE transaction upserts the enterprises from the staging
    table, supersedes and inserts the results, stores the dashboards' counts (grouped by the engine), makes the
    snapshot current and derives what depends on it. A crash or an exception before that commit leaves the
    enterprise index, the results and the current snapshot exactly as they were (temporary tables vanish with the
    connection). Returns the figures of the publication (rows written, seconds by phase)."""
    from django.db import connection

    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.incubators.services import figures_publish

    clock = clock or _Phases()
    current, previous = previous_file(snapshot)
    full = previous is None
    ws = Workspace.open(path, read_only=True)
    try:
        # the incubators' figures (a few hundred rows), published in the same switch
        incubator_rows, incubator_city = ws.incubator_rows(), ws.incubator_city()
        warning_rows, warning_rules = _warning_rows(ws)  # 监测预警 (ADR 0030): derived in the switch
        review_signals, review_kinds = _review_signals(ws, snapshot.as_of)  # 审查风险提示 (ADR 0036): in the switch
        counts = ws.publish_counts()
        total, total_results = ws.profile_count(), ws.result_count()
        gone_enterprises = [] if previous is None else ws.gone_enterprises(previous)
        gone_results = [] if previous is None else ws.gone_results(previous)
        clock.lap("read")
        # pinyin initials: the engine's (built in the run); a file without them has them computed here, reusing
        # those of unchanged names on a full publication over an existing index
        known: dict[str, tuple[str, str]] = {}
        if full and Enterprise.objects.exists():
            known = {u: (n, i) for u, n, i in Enterprise.objects.values_list("uscc", "name", "name_initials")}

        def enterprises() -> Iterator[tuple[Any, ...]]:
            rows = ws.enterprise_rows() if previous is None else ws.changed_enterprise_rows(previous)
            for row in rows:
                name = row["name"] or ""
                old = known.get(row["uscc"])
                ini = row["name_initials"]
                if ini is None:
                    ini = old[1] if old is not None and old[0] == name else initials(name)
                yield (
                    row["uscc"], name, row["former_names"] or "", ini,
                    row["district_code"] or "", row["industry_code"] or "", row["industry_section"] or "",
                    row["tech_field"] or "", row["status"] or "", row["established_date"],
                    row["legal_representative"] or "", row["legal_rep_id_number"] or "", row["phone"] or "",
                    bool(row["has_hte_certificate"]), row["hte_expiry_date"], bool(row["has_tech_sme"]),
                    row["staff_count_last_year"], row["sales_revenue_last_year"], _size(row["staff_count_last_year"]),
                    bool(row["above_scale"]), row["incubator_code"] or "", snapshot.pk,
                )  # fmt: skip

        def results() -> Iterator[tuple[Any, ...]]:
            rows = ws.result_rows() if previous is None else ws.changed_result_rows(previous)
            for row in rows:
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
                    written, n_results = _stage_copy(
                        cur, enterprises(), lambda target: ws.write_result_rows(target, previous), snapshot.pk, total,
                        tick,
                    )  # fmt: skip
                else:
                    written, n_results = _stage_batches(cur, enterprises(), results(), total, tick)
                _stage_gone(cur, gone_enterprises, gone_results)
                ws.close()
                clock.lap("stage")
                crash_point("GAOQI_CRASH_AT", "publish-staged")
                _progress(snapshot, 95, "切换快照")
                with transaction.atomic():  # the switch: everything the pages read changes here, at once
                    _guard_order(snapshot, current)
                    Snapshot.objects.filter(pk=snapshot.pk).update(results_full=full)
                    cur.execute(_UPSERT_SQL)
                    cur.execute(_GONE_SQL, [snapshot.pk])
                    superseded = _supersede(cur, snapshot.pk, full)
                    cur.execute(_RESULTS_SQL)
                    if full and connection.vendor == "postgresql":
                        # millions of rows new to the planner: without statistics the derivations' correlated
                        # reads took a nested loop over a whole policy per row (minutes at 200,000 enterprises)
                        cur.execute("ANALYZE enterprises_enterprise, enterprises_policyresult")
                    clock.lap("switch: write")
                    _make_current(snapshot, path, meta, total, total_results, counts,
                                  {"full": full, "enterprises_written": written, "enterprises_gone": len(gone_enterprises),
                                   "results_written": n_results, "results_superseded": superseded,
                                   "seconds": clock.laps})  # fmt: skip
                    clock.lap("switch: counts")
                    memberships_update(snapshot)  # the lists' entries and exits, in the same switch
                    if full and connection.vendor == "postgresql":
                        cur.execute("ANALYZE programmes_listmembership")  # the next publication's reads plan on it
                    clock.lap("switch: lists")
                    benefits_derive(snapshot)  # 免申即享: a benefit per enterprise passing an automatic policy
                    clock.lap("switch: benefits")
                    events_derive(snapshot)  # 政策推送: the results' difference with the previous snapshot as messages
                    clock.lap("switch: push events")
                    warnings_derive(snapshot, warning_rows, warning_rules)  # 监测预警: after the lists' stays
                    clock.lap("switch: warnings")
                    signals_derive(snapshot, review_signals, review_kinds)  # 审查风险提示: applications in review
                    clock.lap("switch: review signals")
                    figures_publish(snapshot, incubator_rows, incubator_city)  # after the index: applications
                    clock.lap("switch: incubators")
                clock.lap("commit")
            finally:
                _stage_drop(cur)
    finally:
        ws.close()
    return {"full": full, "enterprises_written": written, "enterprises_gone": len(gone_enterprises),
            "results_written": n_results, "results_superseded": superseded, "seconds": clock.laps}  # fmt: skip


class _Phases:
    """Seconds by phase of a publication (the benchmark prints them)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._t, 2)
        self._t = now


def _guard_order(snapshot: Snapshot, diffed_against: Snapshot | None) -> None:
    """Snapshots publish in id order (the results' versions and the push's "previous snapshot" rely on it), and a
    difference is only good against the snapshot it was taken from: both checked inside the switch, under lock."""
    serialize("intake.publish")
    newer = Snapshot.objects.filter(status=Snapshot.PUBLISHED, pk__gt=snapshot.pk).order_by("-pk").first()
    if newer is not None:
        raise ValueError(OLDER.format(pk=snapshot.pk, newer=newer.pk))
    now = Snapshot.objects.filter(is_current=True).exclude(pk=snapshot.pk).values_list("pk", flat=True).first()
    was = None if diffed_against is None else diffed_against.pk
    if now != was:
        raise ValueError(MOVED.format(was=was, now=now))


_PUB_ENTERPRISE, _PUB_RESULT = "_pub_enterprise", "_pub_result"
_PUB_GONE_ENTERPRISE, _PUB_GONE_RESULT = "_pub_gone_enterprise", "_pub_gone_result"
_ENT_COLS = ", ".join(ENTERPRISE_FIELDS)
_STAGE_RESULT_COLS = ", ".join("uscc" if c == "enterprise_id" else c for c in RESULT_FIELDS)
# ``WHERE true``: SQLite needs it to tell an INSERT … SELECT's ON CONFLICT from a join's ON (PostgreSQL accepts it)
_UPSERT_SQL = (
    f"INSERT INTO enterprises_enterprise ({_ENT_COLS}) SELECT {_ENT_COLS} FROM {_PUB_ENTERPRISE} WHERE true "
    "ON CONFLICT (uscc) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in ENTERPRISE_FIELDS if c != "uscc")
    + ", gone_snapshot_id = NULL"
)
_GONE_SQL = (
    "UPDATE enterprises_enterprise SET gone_snapshot_id = %s "
    f"WHERE uscc IN (SELECT uscc FROM {_PUB_GONE_ENTERPRISE}) AND gone_snapshot_id IS NULL"
)
_RESULTS_SQL = (
    f"INSERT INTO enterprises_policyresult ({', '.join(RESULT_FIELDS)}) SELECT "
    + ", ".join("e.id" if c == "enterprise_id" else f"r.{c}" for c in RESULT_FIELDS)
    + f" FROM {_PUB_RESULT} r JOIN enterprises_enterprise e ON e.uscc = r.uscc"
)


def _supersede(cur: Any, sid: int, full: bool) -> int:
    """End the versions this publication replaces: every open one (a full publication), else those of the
    enterprise × policy pairs it writes or that disappeared. Before the new rows are inserted."""
    if full:
        cur.execute(
            "UPDATE enterprises_policyresult SET until_snapshot_id = %s WHERE until_snapshot_id IS NULL "
            "AND snapshot_id < %s",
            [sid, sid],
        )
        return int(cur.rowcount)
    keys = (
        f"SELECT e.id AS enterprise_id, k.policy_id FROM (SELECT uscc, policy_id FROM {_PUB_RESULT} "
        f"UNION SELECT uscc, policy_id FROM {_PUB_GONE_RESULT}) k JOIN enterprises_enterprise e ON e.uscc = k.uscc"
    )
    cur.execute(
        f"UPDATE enterprises_policyresult SET until_snapshot_id = %s FROM ({keys}) k "
        "WHERE enterprises_policyresult.enterprise_id = k.enterprise_id "
        "AND enterprises_policyresult.policy_id = k.policy_id "
        "AND enterprises_policyresult.until_snapshot_id IS NULL AND enterprises_policyresult.snapshot_id < %s",
        [sid, sid],
    )
    return int(cur.rowcount)


def _stage_create(cur: Any) -> None:
    """The staging tables: temporary, shaped like the target tables (the results keyed by uscc)."""
    _stage_drop(cur)  # a connection reused after an earlier failure
    cur.execute(f"CREATE TEMP TABLE {_PUB_ENTERPRISE} AS SELECT {_ENT_COLS} FROM enterprises_enterprise WHERE 1 = 0")
    cols = ", ".join("e.uscc" if c == "enterprise_id" else f"r.{c}" for c in RESULT_FIELDS)
    cur.execute(
        f"CREATE TEMP TABLE {_PUB_RESULT} AS SELECT {cols} FROM enterprises_policyresult r "
        "JOIN enterprises_enterprise e ON e.id = r.enterprise_id WHERE 1 = 0"
    )
    cur.execute(f"CREATE TEMP TABLE {_PUB_GONE_ENTERPRISE} (uscc varchar(18) PRIMARY KEY)")
    cur.execute(f"CREATE TEMP TABLE {_PUB_GONE_RESULT} (uscc varchar(18), policy_id varchar(64))")


def _stage_gone(cur: Any, enterprises: list[str], results: list[tuple[str, str]]) -> None:
    for table, rows in ((_PUB_GONE_ENTERPRISE, [(u,) for u in enterprises]), (_PUB_GONE_RESULT, results)):
        width = ", ".join(["%s"] * (1 if table == _PUB_GONE_ENTERPRISE else 2))
        for i in range(0, len(rows), BATCH):
            cur.executemany(f"INSERT INTO {table} VALUES ({width})", rows[i : i + BATCH])


def _stage_drop(cur: Any) -> None:
    for table in (_PUB_ENTERPRISE, _PUB_RESULT, _PUB_GONE_ENTERPRISE, _PUB_GONE_RESULT):
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
    cur: Any, enterprises: Iterator[tuple[Any, ...]], write_results: Any, sid: int, total: int, tick: Any
) -> tuple[int, int]:
    """PostgreSQL: COPY into the temporary tables: the enterprise index row by row (up to 2M, with the pinyin
    fallback), the results as the CSV file the engine writes in one pass (up to 26M rows at 2M enterprises: a
    Python row each cost minutes), streamed into COPY."""
    done = 0
    # no progress writes inside a COPY: the connection is busy with it (an UPDATE there waits forever)
    with cur.copy(f"COPY {_PUB_ENTERPRISE} ({_ENT_COLS}) FROM STDIN") as copy:
        for values in enterprises:
            copy.write_row(values)
            done += 1
    tick("暂存评估结果", 75, 8, done, total)
    cur.execute(f"ALTER TABLE {_PUB_RESULT} ALTER COLUMN snapshot_id SET DEFAULT {int(sid)}")
    with tempfile.TemporaryDirectory(prefix=".publish-", dir=engine_home()) as folder:
        path = Path(folder) / "results.csv"
        n = write_results(path)
        columns = ", ".join(RESULT_CSV_COLUMNS)
        with path.open("rb") as fh, cur.copy(f"COPY {_PUB_RESULT} ({columns}) FROM STDIN (FORMAT csv)") as copy:
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
    cur.execute(f"ANALYZE {_PUB_ENTERPRISE}")  # the switch's joins plan on real sizes, not a guess
    cur.execute(f"ANALYZE {_PUB_RESULT}")
    return done, int(n)


def _stats(snapshot: Snapshot, counts: dict[str, list[dict[str, Any]]]) -> None:
    """Store the dashboards' counts of the snapshot (by district), as the engine grouped them over the snapshot
    file (``Workspace.publish_counts``): grouping 12M results per page view would take seconds, and over the
    platform's versions the whole snapshot would be read at each publication."""
    from gaoqi.web.enterprises.models import DistrictStat, FieldStat, PolicyStat

    DistrictStat.objects.bulk_create(DistrictStat(snapshot=snapshot, **row) for row in counts["district"])
    FieldStat.objects.bulk_create(FieldStat(snapshot=snapshot, **row) for row in counts["field"])
    PolicyStat.objects.bulk_create(PolicyStat(snapshot=snapshot, **row) for row in counts["policy"])


def _make_current(snapshot: Snapshot, path: Path, meta: tuple[Any, ...], done: int, n_results: int,
                  counts: dict[str, list[dict[str, Any]]], written: dict[str, Any]) -> None:  # fmt: skip
    _stats(snapshot, counts)
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
        None,
        "snapshot.publish",
        target=f"snapshot:{snapshot.pk}",
        detail={"enterprises": done, "results": n_results, **written},
    )


KEEP_AT_LEAST = 2  # the current snapshot and the previous one: the push's and the warnings' differences read both


def results_prune(keep: int | None = None) -> dict[str, int]:
    """Delete the result versions no snapshot among the last ``keep`` published (``GAOQI_KEEP_SNAPSHOTS``, at
    least 2) reads any more: superseded at or before the oldest kept one, or written before the full publication
    it reads from (ADR 0042). A version a benefit was granted on is kept (the benefit points at it). The daily
    job (``gaoqi-web daily``); audited."""
    from django.db import connection

    from gaoqi.web.intake.models import results_since

    keep = max(KEEP_AT_LEAST, settings.GAOQI_KEEP_SNAPSHOTS if keep is None else keep)
    kept = list(Snapshot.objects.filter(status=Snapshot.PUBLISHED).order_by("-pk").values_list("pk", flat=True)[:keep])
    if len(kept) < keep:
        return {"pruned": 0}
    oldest = kept[-1]
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "DELETE FROM enterprises_policyresult WHERE (until_snapshot_id <= %s OR snapshot_id < %s) "
            "AND NOT EXISTS (SELECT 1 FROM benefits_benefit b WHERE b.result_id = enterprises_policyresult.id)",
            [oldest, results_since(oldest)],
        )
        pruned = max(cur.rowcount, 0)
        audit_record(None, "snapshot.prune", target=f"snapshot:{oldest}", detail={"keep": keep, "pruned": pruned})
    return {"pruned": pruned}


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
