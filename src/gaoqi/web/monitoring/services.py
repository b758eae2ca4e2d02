"""监测预警's writes (ADR 0030).

- ``warnings_derive(snapshot, rows, rules=None)``: inside the snapshot switch, the engine's warning rows (``Workspace
  .warning_rows``) and the platform's own rules (``platform_rules.yaml``: list-not-met) turned into warnings —
  SET-BASED: the rows are staged in a temporary table, then a few INSERT … SELECT / UPDATE … FROM statements open
  new warnings, refresh the open ones (a changed severity or evidence is logged), close those whose condition
  cleared (logged "预警条件已消除（快照 N）"), end the episodes of handled or dismissed ones, and compute the
  snapshot's figures (``WarningStat``). Idempotent: publishing the same snapshot again changes nothing.
- ``warning_acknowledge`` / ``warning_handle`` (约谈 / 核查 / 移送撤销: a referral opens the revocation path,
  ``certification.services.revocation_refer``) / ``warning_dismiss`` (a reason): the district's moves, through
  ``core.workflow`` (locked re-read: of two officials acting at once, one wins).
- ``warning_escalate`` and ``daily``: warnings still open past their limit flagged (督办) once, the municipal office
  told.

The episode rule: a warning opens when a rule's condition holds for an enterprise and no episode of that rule is
running for it. The episode runs while the condition holds at every snapshot (``episode_open``), whatever the
district did with the warning; a handled or dismissed warning therefore raises no new one while the condition
keeps holding. The first snapshot where it does not hold ends the episode (an open warning is closed by the
platform), and a later snapshot where it holds again opens a new warning."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from functools import partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.core import clock
from gaoqi.web.core.errors import DomainError, NotFound
from gaoqi.web.core.workflow import Transition, transition
from gaoqi.web.intake.models import Snapshot
from gaoqi.web.monitoring import config
from gaoqi.web.monitoring import workflow as wf
from gaoqi.web.monitoring.models import Warning

W, LOG, E = "monitoring_warning", "core_workflowlog", "enterprises_enterprise"
_RAW, _STAGE = "_mon_warning_raw", "_mon_warning"
CLEARED = "预警条件已消除（快照 {n}）"


def _dt(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _d(value: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _json(expr: str) -> str:
    """A JSON text as the warning's JSON column takes it (jsonb on PostgreSQL, text on SQLite)."""
    return f"CAST({expr} AS jsonb)" if connection.vendor == "postgresql" else expr


def _label_case(expr: str, labels: Mapping[str, Any], *, keep: bool = True) -> tuple[str, list[Any]]:
    """``CASE expr WHEN code THEN word … END`` with its parameters (the log's comments are read on the pages);
    ``keep``: an unknown code stays itself (else NULL)."""
    sql = (
        "CASE " + expr + " " + " ".join("WHEN %s THEN %s" for _ in labels) + (f" ELSE {expr}" if keep else "") + " END"
    )
    return sql, [x for item in labels.items() for x in item]


def _stage(cur: Any, rows: Iterable[Mapping[str, Any]]) -> int:
    """The engine's rows into a temporary table (COPY on PostgreSQL, batches on SQLite)."""
    cur.execute(f"DROP TABLE IF EXISTS {_RAW}")
    cur.execute(
        f"CREATE TEMP TABLE {_RAW} (uscc varchar(18), rule_id varchar(64), rule_version varchar(32), "
        "severity varchar(10), name varchar(200), articles text, evidence text)"
    )

    def values() -> Iterator[tuple[Any, ...]]:
        for r in rows:
            severity = str(r["severity"])
            if severity not in wf.SEVERITIES:
                raise ValueError(f"warning rule {r['rule_id']}: unknown severity {severity}")
            yield (
                str(r["uscc"]), str(r["rule_id"])[:64], str(r.get("rule_version") or "")[:32], severity,
                str(r.get("name") or r["rule_id"])[:200], json.dumps(list(r.get("articles") or [])),
                json.dumps(list(r.get("evidence") or []), default=str),
            )  # fmt: skip

    n = 0
    if connection.vendor == "postgresql":
        with cur.copy(f"COPY {_RAW} FROM STDIN") as copy:
            for v in values():
                copy.write_row(v)
                n += 1
        return n
    batch: list[tuple[Any, ...]] = []
    sql = f"INSERT INTO {_RAW} VALUES (%s, %s, %s, %s, %s, %s, %s)"
    for v in values():
        batch.append(v)
        if len(batch) == 5000:
            cur.executemany(sql, batch)
            n, batch = n + len(batch), []
    if batch:
        cur.executemany(sql, batch)
        n += len(batch)
    return n


def _stage_platform(cur: Any, sid: int) -> None:
    """The platform's list-not-met rule, set-based, into the staging table: open stays kept by a route other than
    the rule whose list's policy result in this snapshot is ``fail``."""
    from gaoqi.web.enterprises.models import versions_sql
    from gaoqi.web.programmes import lists
    from gaoqi.web.programmes.models import ROUTES

    rule = config.platform_rules().get("list-not-met")
    names = {p.id: p.name for p in lists.list_policies()}
    if rule is None or not rule.routes or not names:
        return
    list_sql, list_params = _label_case("m.list_id", names)
    route_sql, route_params = _label_case("m.route", {code: str(text) for code, text in ROUTES})
    articles = json.dumps(list(rule.articles))

    def item(feature: str, label: str, value: str) -> str:
        return (
            f'\'{{"feature": "{feature}", "label": "{label}", "value": "\' || {value} || '
            '\'", "unit": "", "feed": "", "file": "", "line": null}\''
        )

    evidence = (
        "'[' || "
        + item("list", "名单", list_sql)
        + " || ', ' || "
        + item("route", "纳入方式", route_sql)
        + " || ', ' || "
        + item("result", "本次快照名单条件", "'不符合（' || CAST(r.failed_count AS varchar(12)) || ' 项条件未满足）'")
        + " || ']'"
    )
    routes = ", ".join(["%s"] * len(rule.routes))
    lists_in = ", ".join(["%s"] * len(names))
    held, held_params = versions_sql("r", sid, newest=True)  # in the switch (ADR 0042)
    cur.execute(
        f"INSERT INTO {_RAW} (uscc, rule_id, rule_version, severity, name, articles, evidence) "
        f"SELECT e.uscc, %s, %s, %s, %s, %s, {evidence} "
        "FROM programmes_listmembership m "
        f"JOIN enterprises_policyresult r ON {held} AND r.enterprise_id = m.enterprise_id "
        "AND r.policy_id = m.list_id "
        f"JOIN {E} e ON e.id = m.enterprise_id "
        f"WHERE m.left_on IS NULL AND m.route IN ({routes}) AND m.list_id IN ({lists_in}) AND r.status = 'fail'",
        [rule.id, rule.version, rule.severity, rule.name, articles, *list_params, *route_params,
         *held_params, *rule.routes, *sorted(names)],
    )  # fmt: skip


def _covered(rules: Iterable[str] | None, alias: str) -> tuple[str, list[str]]:
    """The condition "the warning's rule was evaluated in this snapshot" (None: every rule)."""
    if rules is None:
        return "1 = 1", []
    ids = sorted(set(rules))
    if not ids:
        return "1 = 0", []
    return f"{alias}.rule_id IN ({', '.join(['%s'] * len(ids))})", ids


def warnings_derive(
    snapshot: Snapshot, rows: Iterable[Mapping[str, Any]], rules: Iterable[str] | None = None
) -> dict[str, int]:
    """Bring the warnings in line with ``snapshot`` (see the module docstring), inside the caller's transaction.
    ``rows``: the engine's warning rows (uscc, rule_id, rule_version, severity, name, articles, evidence);
    ``rules``: the ids of the engine's rules evaluated for this snapshot (a warning of a rule not evaluated is
    left as it is; None: every rule was). The platform's rules are always evaluated. Returns the counts."""
    if not connection.in_atomic_block:
        raise RuntimeError("warnings_derive belongs inside the publishing transaction")
    snap = Snapshot.objects.values("pk", "ruleset_hash").get(pk=snapshot.pk)
    sid, rhash = snap["pk"], snap["ruleset_hash"] or ""
    if rules is not None:
        rules = set(rules) | set(config.platform_rules())
    ct = ContentType.objects.get_for_model(Warning).pk
    today, now = clock.today(), timezone.now()
    cleared = CLEARED.format(n=sid)
    open_in = "('" + "', '".join(wf.OPEN_STATUSES) + "')"
    counts: dict[str, int] = {}
    with connection.cursor() as cur:
        try:
            counts["staged"] = _stage(cur, rows)
            _stage_platform(cur, sid)
            cur.execute(f"DROP TABLE IF EXISTS {_STAGE}")
            cur.execute(
                f"CREATE TEMP TABLE {_STAGE} AS SELECT e.id AS enterprise_id, e.district_code AS district_code, "
                f"s.rule_id, s.rule_version, s.severity, s.name, s.articles, s.evidence FROM {_RAW} s "
                f"JOIN {E} e ON e.uscc = s.uscc"
            )
            cur.execute(f"CREATE INDEX {_STAGE}_key ON {_STAGE} (enterprise_id, rule_id)")
            if connection.vendor == "postgresql":
                cur.execute(f"ANALYZE {_STAGE}")
            counts.update(_apply(cur, sid, rhash, ct, today, now, cleared, open_in, rules))
        finally:
            cur.execute(f"DROP TABLE IF EXISTS {_STAGE}")
            cur.execute(f"DROP TABLE IF EXISTS {_RAW}")
    if counts["opened"]:
        _notify_districts(sid)
    audit_record(None, "monitoring.derive", target=f"snapshot:{sid}", detail=counts)
    return counts


def _apply(
    cur: Any, sid: int, rhash: str, ct: int, today: dt.date, now: dt.datetime, cleared: str, open_in: str,
    rules: set[str] | None,
) -> dict[str, int]:  # fmt: skip
    counts: dict[str, int] = {}
    at = _dt(now)
    same = "w.enterprise_id = s.enterprise_id AND w.rule_id = s.rule_id"
    ev_changed = f"(w.evidence <> {_json('s.evidence')})"
    changed = f"(w.severity <> s.severity OR {ev_changed} OR w.rule_version <> s.rule_version)"
    sev_old, p_old = _label_case("w.severity", wf.SEVERITY_LABELS)
    sev_new, p_new = _label_case("s.severity", wf.SEVERITY_LABELS)
    # 1. open warnings still holding whose severity, evidence or rule version changed: log, then update
    cur.execute(
        f"INSERT INTO {LOG} (workflow, content_type_id, object_id, action, source, target, actor_id, at, comment) "
        f"SELECT 'warning', %s, w.id, 'update', w.status, w.status, NULL, %s, "
        f"CASE WHEN w.severity <> s.severity THEN '预警等级由“' || {sev_old} || '”变为“' || {sev_new} || '”；' "
        "ELSE '' END || '依据数据按快照 ' || %s || ' 更新' "
        f"FROM {W} w JOIN {_STAGE} s ON {same} "
        f"WHERE w.status IN {open_in} AND w.last_seen_snapshot_id <> %s AND {changed}",
        [ct, at, *p_old, *p_new, str(sid), sid],
    )
    counts["updated"] = max(cur.rowcount, 0)
    cur.execute(
        f"UPDATE {W} AS w SET severity = s.severity, evidence = {_json('s.evidence')}, "
        "rule_version = s.rule_version, name = s.name, articles = " + _json("s.articles") + ", "
        f"updated_snapshot_id = %s FROM {_STAGE} s WHERE {same} AND w.status IN {open_in} "
        f"AND w.last_seen_snapshot_id <> %s AND {changed}",
        [sid, sid],
    )
    # 2. every running episode still holding is seen in this snapshot (open, acknowledged, handled, dismissed)
    cur.execute(
        f"UPDATE {W} AS w SET last_seen_snapshot_id = %s FROM {_STAGE} s WHERE {same} AND w.episode_open = %s "
        "AND w.last_seen_snapshot_id <> %s",
        [sid, True, sid],
    )
    counts["still"] = max(cur.rowcount, 0)
    # 3. running episodes of evaluated rules no longer holding: open warnings closed (logged), the others ended
    covered, cparams = _covered(rules, "w")
    gone = f"NOT EXISTS (SELECT 1 FROM {_STAGE} s WHERE {same})"
    cur.execute(
        f"INSERT INTO {LOG} (workflow, content_type_id, object_id, action, source, target, actor_id, at, comment) "
        f"SELECT 'warning', %s, w.id, 'close', w.status, %s, NULL, %s, %s FROM {W} w "
        f"WHERE w.status IN {open_in} AND w.opened_snapshot_id < %s AND {covered} AND {gone}",
        [ct, wf.CLOSED, at, cleared, sid, *cparams],
    )
    cur.execute(
        f"UPDATE {W} AS w SET status = %s, closed_snapshot_id = %s, close_reason = %s, closed_on = %s, "
        f"episode_open = %s WHERE w.status IN {open_in} AND w.opened_snapshot_id < %s AND {covered} AND {gone}",
        [wf.CLOSED, sid, cleared, _d(today), False, sid, *cparams],
    )
    counts["closed"] = max(cur.rowcount, 0)
    cur.execute(
        f"UPDATE {W} AS w SET episode_open = %s WHERE w.episode_open = %s AND w.opened_snapshot_id < %s "
        f"AND {covered} AND {gone}",
        [False, True, sid, *cparams],
    )
    counts["episodes_ended"] = max(cur.rowcount, 0)
    # 4. new warnings: holding, no running episode for the enterprise and rule
    cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {W}")
    top = cur.fetchone()[0]
    due = {sev: config.due_for(today, sev) for sev in wf.SEVERITIES}
    due_sql, due_p = _label_case("s.severity", {k: _d(v[0]) for k, v in due.items()}, keep=False)
    prov_sql, prov_p = _label_case("s.severity", {k: v[1] for k, v in due.items()}, keep=False)
    cur.execute(
        f"INSERT INTO {W} (enterprise_id, district_code, rule_id, rule_version, name, severity, status, evidence, "
        "articles, ruleset_hash, opened_snapshot_id, last_seen_snapshot_id, episode_open, opened_on, due_on, "
        "due_provisional, action, action_note, dismiss_reason, close_reason) "
        f"SELECT s.enterprise_id, s.district_code, s.rule_id, s.rule_version, s.name, s.severity, %s, "
        f"{_json('s.evidence')}, {_json('s.articles')}, %s, %s, %s, %s, %s, {due_sql}, {prov_sql}, '', '', '', '' "
        f"FROM {_STAGE} s WHERE NOT EXISTS (SELECT 1 FROM {W} w WHERE {same} AND (w.episode_open = %s "
        f"OR w.opened_snapshot_id = %s)) ON CONFLICT DO NOTHING",
        [wf.OPEN, rhash, sid, sid, True, _d(today), *due_p, *prov_p, True, sid],
    )
    counts["opened"] = max(cur.rowcount, 0)
    # (only this statement inserts warnings, under the run lock: the new rows are the ids above the previous maximum)
    cur.execute(
        f"INSERT INTO {LOG} (workflow, content_type_id, object_id, action, source, target, actor_id, at, comment) "
        f"SELECT 'warning', %s, w.id, 'raise', '', %s, NULL, %s, %s FROM {W} w WHERE w.id > %s "
        "AND w.opened_snapshot_id = %s",
        [ct, wf.OPEN, at, f"快照 {sid} 预警条件成立", top, sid],
    )
    # 5. the snapshot's figures (recomputed: the same snapshot published again gives the same rows)
    cur.execute("DELETE FROM monitoring_warningstat WHERE snapshot_id = %s", [sid])
    cur.execute(
        'INSERT INTO monitoring_warningstat (snapshot_id, district_code, rule_id, severity, "open", "new", "closed") '
        f"SELECT %s, w.district_code, w.rule_id, w.severity, "
        f"SUM(CASE WHEN w.status IN {open_in} THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN w.opened_snapshot_id = %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN w.closed_snapshot_id = %s THEN 1 ELSE 0 END) "
        f"FROM {W} w WHERE w.status IN {open_in} OR w.opened_snapshot_id = %s OR w.closed_snapshot_id = %s "
        "GROUP BY w.district_code, w.rule_id, w.severity",
        [sid, sid, sid, sid, sid],
    )
    return counts


def _notify_districts(sid: int) -> None:
    """The district officials in charge hear of their district's new warnings: one notice per district and
    snapshot (not one per warning), linking to the district's page filtered on the snapshot's new ones."""
    from django.db.models import Count

    from gaoqi.web.accounts.models import User
    from gaoqi.web.certification.services import notify

    link = reverse("monitoring:index") + f"?opened={sid}"
    per = Warning.objects.filter(opened_snapshot_id=sid).values_list("district_code").annotate(n=Count("id")).order_by()
    for district, n in per:
        officials = User.objects.filter(role=roles.DISTRICT, district_code=district, is_active=True)
        notify(officials, f"快照 {sid} 新增监测预警 {n} 条，请签收处置", link, collapse=True)


# ------------------------------------------------------------------------------------------------------
# the district's moves


def _visible(actor: Any, pk: int) -> Warning:
    from gaoqi.web.monitoring.selectors import warning_get

    w = warning_get(actor, pk)
    if w is None:
        raise NotFound("预警不存在或不在您的管辖范围内")
    return w


def _in_charge(actor: Any, obj: Warning) -> str | None:
    from gaoqi.web.monitoring.selectors import may_act

    return None if may_act(actor, obj) else "只有企业所在区的管理人员或市级管理部门可以处置该预警"


def _overdue(actor: Any, obj: Warning) -> str | None:
    if obj.escalated_at is not None:
        return "该预警已督办"
    if obj.due_on >= clock.today():
        return "该预警尚未超过处置时限"
    return None


GUARDS = {"in_charge": _in_charge, "overdue": _overdue}


def _move(actor: Any, pk: int, action: str, *, comment: str = "", seen: str | None = None, on_enter: Any = None,
          detail: dict[str, Any] | None = None) -> Warning:  # fmt: skip
    moved = transition(
        wf.WARNING, Warning, pk, action, actor, seen=seen, comment=comment, guards=GUARDS, on_enter=on_enter,
        audit_target=f"warning:{pk}", audit_detail=detail,
    )  # fmt: skip
    obj: Warning = moved.obj
    return obj


@transaction.atomic
def warning_acknowledge(actor: Any, pk: int, *, seen: str | None = None) -> Warning:
    """签收: the district has seen the warning and will handle it."""
    _visible(actor, pk)
    return _move(actor, pk, "acknowledge", seen=seen)


@transaction.atomic
def warning_handle(actor: Any, pk: int, *, action: str, note: str, seen: str | None = None) -> Warning:
    """处置 with the action taken: 约谈 (interview), 核查 (check) or 移送撤销 (referral: the enterprise is referred to
    the municipal office's revocation path with ``note`` as the reasons, in the same transaction)."""
    from gaoqi.web.certification.services import revocation_refer

    _visible(actor, pk)
    if action not in wf.ACTIONS:
        raise DomainError("请选择处置方式（约谈、核查或移送撤销）", fields={"action": "未知处置方式"})
    note = (note or "").strip()
    if len(note) > 5000:
        raise DomainError("处置说明不能超过5000字", fields={"note": "过长"})

    def enter(obj: Warning, t: Transition, log: Any) -> list[str]:
        obj.action, obj.action_note, obj.handled_by, obj.closed_on = action, note, actor, clock.today()
        fields = ["action", "action_note", "handled_by", "closed_on"]
        if action == wf.REFERRAL:
            reasons = f"监测预警 #{obj.pk}（{obj.name}）：{note}"
            ref = revocation_refer(
                actor, enterprise=obj.enterprise, source="warning", source_id=obj.pk, reasons=reasons
            )
            obj.referral_id = ref.pk
            fields.append("referral_id")
        log.comment = f"{wf.ACTIONS[action]}：{note}"
        return fields

    return _move(actor, pk, "handle", comment=note, seen=seen, on_enter=enter, detail={"action": action})


@transaction.atomic
def warning_dismiss(actor: Any, pk: int, *, reason: str, seen: str | None = None) -> Warning:
    """排除: the district finds the warning unfounded (a reason is required)."""
    _visible(actor, pk)
    reason = (reason or "").strip()
    if len(reason) > 5000:
        raise DomainError("排除理由不能超过5000字", fields={"reason": "过长"})

    def enter(obj: Warning, t: Transition, log: Any) -> list[str]:
        obj.dismiss_reason, obj.handled_by, obj.closed_on = reason, actor, clock.today()
        return ["dismiss_reason", "handled_by", "closed_on"]

    return _move(actor, pk, "dismiss", comment=reason, seen=seen, on_enter=enter)


# ------------------------------------------------------------------------------------------------------
# the daily job: escalation (督办)


@transaction.atomic
def warning_escalate(pk: int) -> Warning:
    def enter(obj: Warning, t: Transition, log: Any) -> list[str]:
        obj.escalated_at = timezone.now()
        log.comment = f"超过处置时限（{obj.due_on:%Y年%-m月%-d日}），已报市级管理部门督办"
        return ["escalated_at"]

    return _move(None, pk, "escalate", on_enter=enter)


def overdue_q(today: dt.date | None = None) -> Any:
    """Open past the limit (due today is not overdue) and not yet escalated."""
    from django.db.models import Q

    return Q(status__in=wf.OPEN_STATUSES, due_on__lt=today or clock.today(), escalated_at__isnull=True)


def daily() -> dict[str, Any]:
    """The day's escalations (idempotent: a warning is escalated once), each in its own transaction; the municipal
    office gets one notice with the day's count."""
    from gaoqi.web.certification.services import daily_item, notify
    from gaoqi.web.certification.services._common import _municipal

    errors: list[dict[str, str]] = []
    attempt = partial(daily_item, errors)
    due = Warning.objects.filter(overdue_q()).order_by("pk").values_list("pk", flat=True)
    escalated = [pk for pk in due if attempt("monitoring_escalate", f"warning:{pk}", partial(warning_escalate, pk))]
    if escalated:
        notify(
            _municipal(),
            f"{len(escalated)} 条监测预警超过处置时限，已督办",
            reverse("monitoring:index") + "?escalated=1",
        )
    return {"escalated": escalated, "errors": errors}


# ------------------------------------------------------------------------------------------------------
# the export

EXPORT_HEADER = (
    "预警编号", "企业名称", "统一社会信用代码", "所属区县", "预警规则", "规则版本", "预警名称", "预警等级", "状态",
    "预警日期", "处置时限", "已督办", "依据数据", "依据条款", "处置方式", "处置说明", "排除理由", "消除原因",
)  # fmt: skip


def evidence_text(evidence: Iterable[Mapping[str, Any]]) -> str:
    """The evidence in words: 科技人员占比 8%（annual_report_2025.csv 第17行）; …"""
    parts = []
    for e in evidence or []:
        value = e.get("value")
        where = (
            f"{e.get('file')} 第{e.get('line')}行"
            if e.get("file") and e.get("line") is not None
            else e.get("file") or ""
        )
        parts.append(f"{e.get('label') or e.get('feature')} {'' if value is None else value}{e.get('unit') or ''}"
                     + (f"（{where}）" if where else ""))  # fmt: skip
    return "；".join(parts)


def warnings_export(actor: Any, qs: Any, *, request: Any = None) -> bytes:
    """The filtered warnings as a workbook (every cell through ``exports.cell``), audited."""
    from gaoqi.engine import district_codes
    from gaoqi.web.exports import xlsx

    names = district_codes()
    rows = []
    for w in qs.select_related("enterprise").iterator(chunk_size=2000):
        rows.append((
            w.pk, w.enterprise.name, w.enterprise.uscc, names.get(w.district_code, w.district_code), w.rule_id,
            w.rule_version, w.name, wf.SEVERITY_LABELS.get(w.severity, w.severity), wf.STATUS_LABELS[w.status],
            w.opened_on, w.due_on, "是" if w.escalated_at else "否", evidence_text(w.evidence), "；".join(w.articles or []),
            wf.ACTIONS.get(w.action, ""), w.action_note, w.dismiss_reason, w.close_reason,
        ))  # fmt: skip
    audit_record(actor, "monitoring.export", target="warnings", request=request, detail={"rows": len(rows)})
    return xlsx("监测预警", EXPORT_HEADER, rows)
