"""审查风险提示's writes (ADR 0036).

- ``signals_derive(snapshot, signals, kinds=None)``: inside the snapshot switch, the engine's review signals
  (``Workspace.review_signals``) attached to the HTE applications in review — an engine signal of enterprise U and
  batch year Y goes to U's application of year Y in review (submitted, not yet decided: 区级形式审查 to 公示, or
  returned for correction). Set-based: the applications in review, their signals and the engine's are each read in
  one query, the differences written with bulk statements (no query per signal), the log rows too:
  new signals opened, open ones still raised refreshed (a changed summary, evidence or related applicants logged),
  concluded ones seen again keep their conclusion (only ``last_seen`` moves), open ones the snapshot no longer raises
  cleared ("风险提示已消除（快照 N）"), cleared ones raised again reopened. Idempotent: the same snapshot again
  changes nothing. A signal of an application no longer in review is left as it is (the record of its review).
- ``signal_conclude``: the reviewer's conclusion (属实 / 已作说明 / 不成立, a note required) by the application's
  district official or the municipal office, through ``core.workflow`` (locked re-read: of two reviewers
  concluding at once, one wins; the other is told it is already concluded).
- ``signals_export``: the filtered list as a workbook (cells neutralised), audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.core import clock
from gaoqi.web.core.errors import DomainError, NotFound
from gaoqi.web.core.models import WorkflowLog
from gaoqi.web.core.workflow import Transition, transition
from gaoqi.web.intake.models import Snapshot
from gaoqi.web.reviewsignals import workflow as wf
from gaoqi.web.reviewsignals.models import ReviewSignal

CLEARED = "风险提示已消除（快照 {n}）"
NOTE_MAX = 5000
#: What a snapshot may change of an open signal.
CONTENT = ("summary", "evidence", "related_usccs")


def in_review_statuses() -> tuple[str, ...]:
    """The application statuses a signal attaches to: submitted and not yet decided."""
    from gaoqi.web.certification import workflow as cwf

    return (cwf.DISTRICT_REVIEW, cwf.CORRECTION, cwf.MUNICIPAL_REVIEW, cwf.EXPERT_REVIEW, cwf.DECISION,
            cwf.PUBLICITY)  # fmt: skip


def review_years(as_of: dt.date) -> list[int]:
    """The batch years with an application in review on the platform, not after ``as_of``'s year: the years the
    engine is asked for signals at publication."""
    from gaoqi.web.certification.models import Application

    years = Application.objects.filter(status__in=in_review_statuses(), year__lte=as_of.year).values_list("year")
    return sorted({y for (y,) in years.distinct()})


def _get(sig: Any, name: str) -> Any:
    return sig.get(name) if isinstance(sig, Mapping) else getattr(sig, name, None)


def evidence_json(evidence: Iterable[Any]) -> list[dict[str, Any]]:
    """The engine's evidence items (``SignalEvidence``: label, value, feed, file_name, line) as stored JSON."""
    out = []
    for e in evidence or ():
        line = _get(e, "line")
        value = _get(e, "value")
        out.append({
            "label": str(_get(e, "label") or ""),
            "value": value if isinstance(value, (int, float, str, bool)) or value is None else str(value),
            "feed": str(_get(e, "feed") or ""),
            "file": str(_get(e, "file_name") or _get(e, "file") or ""),
            "line": int(line) if line is not None else None,
        })  # fmt: skip
    return out


def _row(sig: Any) -> dict[str, Any]:
    return {
        "uscc": str(_get(sig, "uscc")),
        "batch_year": int(_get(sig, "batch_year")),
        "kind": str(_get(sig, "kind"))[:40],
        "summary": str(_get(sig, "summary") or ""),
        "evidence": evidence_json(_get(sig, "evidence") or ()),
        "related_usccs": sorted({str(u) for u in _get(sig, "related_usccs") or ()}),
    }


def _merge(into: dict[str, Any], row: Mapping[str, Any]) -> None:
    """Two signals of one kind for one application (the engine raises ``shared_contact`` once per thing shared:
    the address, the phone, the agent) kept as one: both summaries, both evidences, the related applicants of
    both."""
    if row["summary"] and row["summary"] not in into["summary"].split("；"):
        into["summary"] = "；".join(p for p in (into["summary"], row["summary"]) if p)
    into["evidence"] = into["evidence"] + [e for e in row["evidence"] if e not in into["evidence"]]
    into["related_usccs"] = sorted(set(into["related_usccs"]) | set(row["related_usccs"]))


def signals_derive(snapshot: Snapshot, signals: Iterable[Any], kinds: Iterable[str] | None = None) -> dict[str, int]:
    """Bring the review signals in line with ``snapshot`` (see the module docstring), inside the caller's
    transaction. ``signals``: the engine's ``ReviewSignal`` values (or mappings of the same fields); ``kinds``: the
    kinds the engine evaluated for this snapshot (an open signal of a kind not evaluated is left as it is; None:
    every kind was). Returns the counts."""
    if not connection.in_atomic_block:
        raise RuntimeError("signals_derive belongs inside the publishing transaction")
    from gaoqi.web.certification.models import Application

    sid = snapshot.pk
    today, now = clock.today(), timezone.now()
    apps: dict[tuple[str, int], tuple[int, str]] = {}
    for pk, uscc, year, district in (
        Application.objects.filter(status__in=in_review_statuses())
        .order_by("pk")
        .values_list("pk", "uscc", "year", "district_code")
    ):
        apps[(uscc, year)] = (pk, district)  # one in progress per enterprise; the latest if ever more
    staged: dict[tuple[int, str], dict[str, Any]] = {}
    raised = 0
    for sig in signals:
        row = _row(sig)
        raised += 1
        target = apps.get((row["uscc"], row["batch_year"]))
        if target is not None:
            row["district_code"] = target[1]
            key = (target[0], row["kind"])
            if key in staged:  # one kind raised more than once (shared_contact: address, phone, agent): one row
                _merge(staged[key], row)
            else:
                staged[key] = row
    covered = None if kinds is None else set(kinds)
    existing = {
        (s.application_id, s.kind): s
        for s in ReviewSignal.objects.filter(application_id__in=[a for a, _ in apps.values()])
    }
    ct = ContentType.objects.get_for_model(ReviewSignal)
    logs: list[WorkflowLog] = []
    changed: list[ReviewSignal] = []
    reopened: list[ReviewSignal] = []
    seen_again: list[int] = []
    new: list[ReviewSignal] = []

    def log(obj_id: int, action: str, source: str, target: str, comment: str) -> None:
        logs.append(WorkflowLog(workflow=wf.SIGNAL.name, content_type=ct, object_id=obj_id, action=action,
                                source=source, target=target, actor=None, at=now, comment=comment))  # fmt: skip

    counts = {"raised": raised, "attached": len(staged), "opened": 0, "updated": 0, "reopened": 0, "cleared": 0,
              "still": 0}  # fmt: skip
    for key, row in staged.items():
        s = existing.get(key)
        content = {k: row[k] for k in CONTENT}
        if s is None:
            new.append(ReviewSignal(
                application_id=key[0], district_code=row["district_code"], uscc=row["uscc"],
                batch_year=row["batch_year"], kind=row["kind"], status=wf.OPEN, first_seen_snapshot_id=sid,
                first_seen_on=today, last_seen_snapshot_id=sid, **content,
            ))  # fmt: skip
            continue
        if s.last_seen_snapshot_id == sid and s.status != wf.CLEARED:
            continue  # already derived from this snapshot
        if s.status == wf.CLEARED:
            reopened.append(s)
            log(s.pk, "reopen", wf.CLEARED, wf.OPEN, f"快照 {sid} 再次出现该风险提示")
        elif s.status == wf.OPEN and any(getattr(s, k) != v for k, v in content.items()):
            log(s.pk, "update", wf.OPEN, wf.OPEN, f"提示内容按快照 {sid} 更新")
            counts["updated"] += 1
        else:  # open and unchanged, or concluded: its conclusion stands, the snapshot only saw it again
            seen_again.append(s.pk)
            continue
        for k, v in content.items():
            setattr(s, k, v)
        s.last_seen_snapshot_id = sid
        changed.append(s)
    counts["still"], counts["reopened"] = len(seen_again), len(reopened)
    gone = [
        s.pk for key, s in existing.items()
        if s.status == wf.OPEN and key not in staged and (covered is None or s.kind in covered)
    ]  # fmt: skip
    cleared = CLEARED.format(n=sid)
    for pk in gone:
        log(pk, "clear", wf.OPEN, wf.CLEARED, cleared)
    counts["cleared"] = len(gone)
    # the statuses move set-based (one UPDATE per move, as the table says), the contents in bulk
    signals_ = ReviewSignal.objects
    if seen_again:
        signals_.filter(pk__in=seen_again).update(last_seen_snapshot_id=sid)
    if changed:
        signals_.bulk_update(changed, [*CONTENT, "last_seen_snapshot_id"], batch_size=1000)
    if reopened:
        signals_.filter(pk__in=[x.pk for x in reopened]).update(status=wf.OPEN, cleared_snapshot_id=None)
    if gone:
        signals_.filter(pk__in=gone).update(status=wf.CLEARED, cleared_snapshot_id=sid)
    if new:
        created = signals_.bulk_create(new, batch_size=1000)  # ids returned (SQLite ≥ 3.35, PostgreSQL)
        for x in created:
            log(x.pk, "raise", "", wf.OPEN, f"快照 {sid} 发现该风险")
        counts["opened"] = len(created)
    WorkflowLog.objects.bulk_create(logs, batch_size=1000)
    if new or reopened:
        _notify_districts(sid, {x.district_code for x in (*new, *reopened)})
    audit_record(None, "reviewsignals.derive", target=f"snapshot:{sid}", detail=counts)
    return counts


def _notify_districts(sid: int, districts: set[str]) -> None:
    """The district officials hear of their district's new review signals: one notice per district and snapshot."""
    from gaoqi.web.accounts.models import User
    from gaoqi.web.certification.services import notify

    link = reverse("reviewsignals:index")
    for district in sorted(districts):
        officials = User.objects.filter(role=roles.DISTRICT, district_code=district, is_active=True)
        notify(officials, f"快照 {sid} 发现认定申请的审查风险提示，请在审查时核实", link, collapse=True)


# ------------------------------------------------------------------------------------------------------
# the reviewer's conclusion


def _in_charge(actor: Any, obj: ReviewSignal) -> str | None:
    from gaoqi.web.reviewsignals.selectors import may_conclude

    return None if may_conclude(actor, obj) else "只有申请所在区的审查人员或市级管理部门可以记录核实结论"


GUARDS = {"in_charge": _in_charge}


@transaction.atomic
def signal_conclude(actor: Any, pk: int, *, conclusion: str, note: str, seen: str | None = None) -> ReviewSignal:
    """核实结论: 属实 (confirmed), 已作说明 (the enterprise explained it) or 不成立 (unfounded), with a note."""
    from gaoqi.web.reviewsignals.selectors import signal_get

    if signal_get(actor, pk) is None:
        raise NotFound("风险提示不存在或不在您的管辖范围内")
    if conclusion not in wf.CONCLUSIONS:
        raise DomainError("请选择核实结论（属实、已作说明或不成立）", fields={"conclusion": "未知结论"})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(f"核实说明不能超过{NOTE_MAX}字", fields={"note": "过长"})

    def enter(obj: ReviewSignal, t: Transition, log: Any) -> list[str]:
        obj.conclusion, obj.conclusion_note = conclusion, note
        obj.concluded_by, obj.concluded_at = actor, timezone.now()
        log.comment = f"{wf.CONCLUSIONS[conclusion]}：{note}"
        return ["conclusion", "conclusion_note", "concluded_by", "concluded_at"]

    moved = transition(
        wf.SIGNAL, ReviewSignal, pk, "conclude", actor, seen=seen, comment=note, guards=GUARDS, on_enter=enter,
        audit_target=f"review_signal:{pk}", audit_detail={"conclusion": conclusion},
    )  # fmt: skip
    obj: ReviewSignal = moved.obj
    return obj


# ------------------------------------------------------------------------------------------------------
# the export

EXPORT_HEADER = (
    "编号", "企业名称", "统一社会信用代码", "所属区县", "申报年度", "申请状态", "风险类型", "提示内容", "依据数据",
    "关联申报企业", "状态", "首次发现日期", "核实结论", "核实说明", "核实人",
)  # fmt: skip


def evidence_text(evidence: Iterable[Mapping[str, Any]]) -> str:
    """The evidence in words: 转让日期 2026-03-01（知识产权 · ip_2026.csv 第12行）; …"""
    from gaoqi.web.core.labels import feed_name

    parts = []
    for e in evidence or []:
        where = " · ".join(x for x in (feed_name(e["feed"]) if e.get("feed") else "", e.get("file") or "") if x)
        if e.get("line") is not None:
            where += f" 第{e['line']}行"
        value = e.get("value")
        parts.append(f"{e.get('label') or ''} {'' if value is None else value}" + (f"（{where}）" if where else ""))
    return "；".join(parts)


def signals_export(actor: Any, qs: Any, *, request: Any = None) -> bytes:
    """The filtered signals as a workbook (every cell through ``exports.cell``), audited."""
    from gaoqi.engine import district_codes
    from gaoqi.web.certification import workflow as cwf
    from gaoqi.web.exports import xlsx
    from gaoqi.web.reviewsignals.selectors import shown

    names = district_codes()
    rows = []
    signals = list(qs.select_related("application", "concluded_by")[:100_000])
    for s, x in zip(signals, shown(actor, signals), strict=True):
        related = "、".join(name or u for u, name in x["related"])
        if x["related_withheld"]:
            related += ("；" if related else "") + f"另有 {x['related_withheld']} 家（不在管辖范围内）"
        rows.append((
            s.pk, s.application.enterprise_name, s.uscc, names.get(s.district_code, s.district_code), s.batch_year,
            cwf.STATUS_LABELS.get(s.application.status, s.application.status), x["kind"], x["summary"],
            evidence_text(x["evidence"]), related, wf.STATUS_LABELS[s.status], s.first_seen_on,
            wf.CONCLUSIONS.get(s.conclusion, ""), s.conclusion_note, s.concluded_by.username if s.concluded_by else "",
        ))  # fmt: skip
    audit_record(actor, "reviewsignals.export", target="review_signals", request=request, detail={"rows": len(rows)})
    return xlsx("审查风险提示", EXPORT_HEADER, rows)
