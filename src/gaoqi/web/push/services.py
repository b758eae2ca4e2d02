"""政策推送's writes (ADR 0023).

- ``events_derive(snapshot)``: inside the snapshot switch, the difference between the new snapshot's policy
  results and the previous published one's, as messages — set-based (two INSERT … SELECT), idempotent (a unique
  key per snapshot, enterprise, policy and kind, and one per result: ``ON CONFLICT DO NOTHING``).
- ``notice_send``: a mandatory notice (a compliance reminder, a decision): never muted, not capped (M4).
- ``job_start`` / ``job_stop`` / ``job_resume`` and ``job_run`` (the background task's body): the deliveries of
  a snapshot's messages queued set-based (muting, the weekly cap, quiet hours), then claimed in batches and sent.
- ``mute_set``, ``message_read``.

Delivery is at most once: a batch is claimed and marked ``sending`` in one transaction, sent, then marked
``sent``/``failed`` in a second. A crash between them leaves rows ``sending``; the next run reconciles them with
the backend when it can tell (``sent_references``: sent, or queued again) and otherwise marks them 待核对
(``unknown``) for an official, never re-sending them by itself."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from gaoqi.faults import crash_point
from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.core.errors import DomainError, NotFound
from gaoqi.web.core.locks import serialize
from gaoqi.web.core.workflow import create, transition
from gaoqi.web.intake.models import Snapshot
from gaoqi.web.push import config, sms, texts, timing
from gaoqi.web.push.models import (
    EMAIL,
    EVENT_KINDS,
    FAILED,
    NEAR_MISS,
    NEEDS_DATA,
    NO_LONGER,
    NOTICE,
    QUALIFIES,
    QUEUED,
    SENDING,
    SENT,
    SMS,
    UNKNOWN,
    Delivery,
    Message,
    Mute,
    PushJob,
)
from gaoqi.web.push.workflow import JOB, RUNNING, STOPPING

log = logging.getLogger(__name__)

M, R, E = "push_message", "enterprises_policyresult", "enterprises_enterprise"
_COLS = (
    "enterprise_id, kind, category, mandatory, policy_id, snapshot_id, result_id, policy_version, ruleset_hash, "
    "previous_status, status, failed_count, binding_condition, binding_gap, unknown_features, benefit_amount, "
    "title, body, link, created_at, queued"
)


def _pushed_policies() -> dict[str, str]:
    """policy id → its push category, for every policy that is not a list (lists are programmes)."""
    from gaoqi.web.policies.selectors import catalogue

    kinds = config.category_of_kind()
    return {p.id: kinds.get(p.kind, config.default_category()) for p in catalogue() if p.kind != "list"}


def _dt(value: dt.datetime) -> Any:
    """A datetime as the database stores it (raw SQL: SQLite keeps Django's text form)."""
    return connection.ops.adapt_datetimefield_value(value)


def previous_published(snapshot_id: int) -> int | None:
    return (
        Snapshot.objects.filter(status=Snapshot.PUBLISHED, pk__lt=snapshot_id)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )


def events_derive(snapshot: Snapshot) -> dict[str, int]:
    """The events of ``snapshot`` against the previous published snapshot, per enterprise × policy (not lists):
    ``qualifies`` (pass now; not pass or no result before), ``near_miss`` (fail on exactly one condition now; not
    a near miss and not pass before), ``no_longer`` (pass before; not pass or no result now), ``needs_data``
    (unknown now; not unknown before). Inside the caller's transaction (the snapshot switch); publishing the same
    snapshot again writes nothing. Returns the number written per kind."""
    if not connection.in_atomic_block:
        raise RuntimeError("events_derive belongs inside the publishing transaction")
    from gaoqi.web.enterprises.models import versions_sql

    snap = Snapshot.objects.values("pk", "ruleset_hash", "results_full").get(pk=snapshot.pk)
    sid, rhash = snap["pk"], snap["ruleset_hash"] or ""
    prev = previous_published(sid)
    # the results this snapshot wrote (all of them after a full publication, else only those that changed: ADR
    # 0042) against the previous snapshot's; a pair it did not write is unchanged and has no event
    before, before_params = versions_sql("p", prev)
    # passes lost: a full publication compares every previous result; a publication of the difference only those
    # it superseded (the others are still this snapshot's, unchanged)
    lost, lost_params = (
        (before, before_params)
        if snap["results_full"]
        else (f"{before} AND p.until_snapshot_id = %s", [*before_params, sid])
    )
    policies = _pushed_policies()
    counts = dict.fromkeys(EVENT_KINDS, 0)
    if not policies:
        return counts
    cats = " UNION ALL ".join(["SELECT %s AS policy_id, %s AS category"] * len(policies))
    cat_params = [x for item in sorted(policies.items()) for x in item]
    now = timezone.now()
    kind_sql = (
        f"CASE WHEN r.status = 'pass' THEN '{QUALIFIES}' WHEN r.status = 'unknown' THEN '{NEEDS_DATA}' "
        f"ELSE '{NEAR_MISS}' END"
    )
    # ``WHERE`` is never empty before ``ON CONFLICT``: SQLite needs it to tell the upsert from a join's ON
    with connection.cursor() as cur:
        work_mem = None
        if connection.vendor == "postgresql":  # the two hash joins of millions of results fit in memory, not on disk
            cur.execute("SHOW work_mem")
            work_mem = cur.fetchone()[0]
            cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute(
            f"INSERT INTO {M} ({_COLS}) "
            f"SELECT r.enterprise_id, {kind_sql}, c.category, %s, r.policy_id, %s, r.id, r.policy_version, %s, "
            "COALESCE(p.status, ''), r.status, r.failed_count, r.binding_condition, r.binding_gap, "
            "r.unknown_features, r.benefit_amount, '', '', '', %s, %s "
            f"FROM {R} r JOIN ({cats}) c ON c.policy_id = r.policy_id "
            f"LEFT JOIN {R} p ON {before} AND p.enterprise_id = r.enterprise_id AND p.policy_id = r.policy_id "
            "WHERE r.snapshot_id = %s AND ("
            " (r.status = 'pass' AND (p.status IS NULL OR p.status <> 'pass'))"
            " OR (r.status = 'fail' AND r.failed_count = 1 AND (p.status IS NULL OR NOT (p.status = 'pass'"
            "     OR (p.status = 'fail' AND p.failed_count = 1))))"
            " OR (r.status = 'unknown' AND (p.status IS NULL OR p.status <> 'unknown'))"
            ") ON CONFLICT DO NOTHING",
            [False, sid, rhash, _dt(now), False, *cat_params, *before_params, sid],
        )
        written = cur.rowcount
        if prev is not None:
            # no longer: pass before, not pass now (or no result now: the result kept is the previous one)
            cur.execute(
                f"INSERT INTO {M} ({_COLS}) "
                f"SELECT p.enterprise_id, '{NO_LONGER}', c.category, %s, p.policy_id, %s, COALESCE(r.id, p.id), "
                "COALESCE(r.policy_version, p.policy_version), %s, p.status, COALESCE(r.status, ''), "
                "COALESCE(r.failed_count, 0), COALESCE(r.binding_condition, ''), COALESCE(r.binding_gap, ''), "
                "COALESCE(r.unknown_features, p.unknown_features), r.benefit_amount, '', '', '', %s, %s "
                f"FROM {R} p JOIN ({cats}) c ON c.policy_id = p.policy_id "
                f"LEFT JOIN {R} r ON r.snapshot_id = %s AND r.enterprise_id = p.enterprise_id AND r.policy_id = p.policy_id "
                f"WHERE {lost} AND p.status = 'pass' AND (r.status IS NULL OR r.status <> 'pass') "
                "ON CONFLICT DO NOTHING",
                [False, sid, rhash, _dt(now), False, *cat_params, sid, *lost_params],
            )
            written += cur.rowcount
        if work_mem is not None:  # the rest of the publishing transaction as it was
            cur.execute("SELECT set_config('work_mem', %s, true)", [work_mem])
    if written:
        for kind, n in (
            Message.objects.filter(snapshot_id=sid, created_at=now)
            .values_list("kind")
            .annotate(n=Count("id"))
            .order_by()
        ):
            counts[kind] = n
    audit_record(None, "push.derive", target=f"snapshot:{sid}", detail={"previous": prev, "written": written, **counts})
    return counts


@transaction.atomic
def notice_send(
    actor: Any, uscc: str, category: str, title: str, body: str, *, link: str = "", request: Any = None
) -> Message:
    """A mandatory notice to an enterprise (``category`` one of ``push.yaml``'s mandatory ones: a compliance
    reminder such as W02, a decision concerning it): in its inbox, and by e-mail and SMS whatever it muted and
    whatever the weekly cap (M4). The deliveries are queued at once (SMS deferred out of the quiet hours) and
    sent by the next sending job of notices."""
    from gaoqi.web.enterprises.models import Enterprise

    if category not in config.mandatory_categories():
        raise DomainError("只有合规提醒和涉及企业的决定可作为不可退订的通知发送", fields={"category": "类别不可用"})
    if not title.strip():
        raise DomainError("请填写通知标题", fields={"title": "必填"})
    enterprise = Enterprise.objects.filter(uscc=uscc).first()
    if enterprise is None:
        raise NotFound("未找到该企业")
    message = Message.objects.create(
        enterprise=enterprise, kind=NOTICE, category=category, mandatory=True, title=title[:200], body=body,
        link=link[:300],
    )  # fmt: skip
    _queue(None, Message.objects.filter(pk=message.pk))
    audit_record(actor, "push.notice", target=f"message:{message.pk}", request=request,
                 detail={"uscc": uscc, "category": category})  # fmt: skip
    return message


def _queue(job_id: int | None, messages: Any) -> int:
    """Deliveries for ``messages`` not yet queued: every message mandatory or of a category its enterprise did not
    mute, within the weekly cap (non-mandatory pushes of the enterprise in the window, best kinds first), by
    e-mail to each active account of the enterprise with an address and by SMS to the enterprise's contact phone
    (the registration feed's 联系电话: accounts carry no phone). Set-based; returns the deliveries queued."""
    now = timing.now()
    since = now - dt.timedelta(days=config.cap_window_days())
    cap = config.max_per_week()
    base_sql, base_params = messages.filter(queued=False).values("id").query.sql_with_params()
    sms_at = timing.sms_not_before(now)
    order = (
        f"CASE m.kind WHEN '{QUALIFIES}' THEN 0 WHEN '{NO_LONGER}' THEN 1 WHEN '{NEAR_MISS}' THEN 2 ELSE 3 END, m.id"
    )
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS _push_sel")
        cur.execute(
            "CREATE TEMP TABLE _push_sel AS SELECT id, enterprise_id FROM ("
            "SELECT m.id, m.enterprise_id, "
            f"ROW_NUMBER() OVER (PARTITION BY m.enterprise_id ORDER BY {order}) + COALESCE(c.n, 0) AS rank "
            f"FROM {M} m JOIN {E} e ON e.id = m.enterprise_id "
            f"LEFT JOIN (SELECT enterprise_id, COUNT(*) AS n FROM {M} WHERE pushed_at >= %s AND mandatory = %s "
            "GROUP BY enterprise_id) c ON c.enterprise_id = m.enterprise_id "
            f"WHERE m.id IN ({base_sql}) AND m.mandatory = %s "
            "AND NOT EXISTS (SELECT 1 FROM push_mute x WHERE x.enterprise_uscc = e.uscc AND x.category = m.category)"
            ") s WHERE rank <= %s "
            f"UNION ALL SELECT m.id, m.enterprise_id FROM {M} m WHERE m.id IN ({base_sql}) AND m.mandatory = %s",
            [_dt(since), False, *base_params, False, cap, *base_params, True],
        )
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE _push_sel")  # a temporary table has no statistics until told
        cols = "message_id, job_id, channel, address, status, not_before, sent_at, error"
        cur.execute(
            f"INSERT INTO push_delivery ({cols}) SELECT s.id, %s, %s, u.email, %s, %s, NULL, '' FROM _push_sel s "
            f"JOIN {E} e ON e.id = s.enterprise_id JOIN accounts_user u ON u.uscc = e.uscc "
            "WHERE u.role = %s AND u.is_active = %s AND u.email <> '' ON CONFLICT DO NOTHING",
            [job_id, EMAIL, QUEUED, _dt(now), roles.ENTERPRISE, True],
        )
        n = cur.rowcount
        cur.execute(
            f"INSERT INTO push_delivery ({cols}) SELECT s.id, %s, %s, e.phone, %s, %s, NULL, '' FROM _push_sel s "
            f"JOIN {E} e ON e.id = s.enterprise_id WHERE e.phone <> '' ON CONFLICT DO NOTHING",
            [job_id, SMS, QUEUED, _dt(sms_at)],
        )
        n += cur.rowcount
        # each message rewritten once (every index of a million rows is touched per rewrite): those pushed, by a
        # join with the chosen (a hash join, not a subplan per row), then the rest (still ``queued = false``)
        cur.execute(
            f"UPDATE {M} SET queued = %s, pushed_at = %s FROM _push_sel s WHERE {M}.id = s.id "
            f"AND EXISTS (SELECT 1 FROM push_delivery d WHERE d.message_id = s.id)",
            [True, _dt(now)],
        )
        cur.execute(f"UPDATE {M} SET queued = %s WHERE id IN ({base_sql})", [True, *base_params])
        cur.execute("DROP TABLE _push_sel")
    return n


# ---------------------------------------------------------------------------------------------- sending jobs


def _officials_only(actor: Any) -> None:
    if getattr(actor, "role", None) != roles.MUNICIPAL:
        raise DomainError("只有市级管理人员可以发起推送")


@transaction.atomic
def job_start(actor: Any, snapshot_id: int | None, *, request: Any = None) -> PushJob:
    """Start sending the messages of ``snapshot_id`` (None: the mandatory notices not yet sent): the background
    task queues the deliveries (muting, the cap, quiet hours) and sends them. One job per snapshot at a time."""
    _officials_only(actor)
    serialize("push.job")
    if snapshot_id is not None and not Snapshot.objects.filter(pk=snapshot_id, status=Snapshot.PUBLISHED).exists():
        raise NotFound("未找到该快照")
    busy = PushJob.objects.filter(snapshot_id=snapshot_id, status__in=[RUNNING, STOPPING]).exists()
    if busy:
        raise DomainError("该快照的推送任务正在运行")
    job = create(JOB, "start", actor, lambda status: PushJob.objects.create(
        snapshot_id=snapshot_id, status=status, started_by=actor), audit_target=lambda j: f"push_job:{j.pk}")  # fmt: skip
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


@transaction.atomic
def _prepare(job_id: int) -> None:
    """The job's deliveries (in the task, not the request: a million rows take a while): its snapshot's messages
    not yet decided are queued, and queued deliveries of the same messages left by an earlier job (or a notice's,
    queued when it was sent) are taken over. Idempotent: a resumed job finds nothing new."""
    snapshot_id = PushJob.objects.values_list("snapshot_id", flat=True).get(pk=job_id)
    messages = (
        Message.objects.filter(snapshot_id=snapshot_id)
        if snapshot_id
        else Message.objects.filter(snapshot__isnull=True)
    )
    _queue(job_id, messages)
    Delivery.objects.filter(status=QUEUED, message__in=messages.values("id")).exclude(job_id=job_id).update(
        job_id=job_id
    )
    PushJob.objects.filter(pk=job_id).update(total=Delivery.objects.filter(job_id=job_id).count())


def _enqueue(job_id: int, run_after: dt.datetime | None = None) -> None:
    from gaoqi.web.push.tasks import push_send

    task = push_send if run_after is None else push_send.using(run_after=run_after)
    task.enqueue(job_id)


@transaction.atomic
def job_stop(actor: Any, job_id: int, *, request: Any = None) -> PushJob:
    """Ask the job to stop: it stops after its current batch (every sent delivery is marked)."""
    if not PushJob.objects.filter(pk=job_id).exists():
        raise NotFound("未找到该推送任务")
    return transition(JOB, PushJob, job_id, "stop", actor).obj


@transaction.atomic
def job_resume(actor: Any, job_id: int, *, request: Any = None) -> PushJob:
    """Resume a stopped (or failed) job where it stopped: its queued deliveries only."""
    job = PushJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
    if job is None:
        raise NotFound("未找到该推送任务")
    moved = transition(JOB, PushJob, job_id, "resume" if job != "failed" else "resume_failed", actor)
    transaction.on_commit(lambda: _enqueue(job_id))
    return moved.obj


def job_run(job_id: int, *, max_batches: int | None = None) -> str:
    """The background task's body: reconcile what a crash left ``sending``, then claim, send and mark batches
    until none is left, the job is asked to stop, or only SMS in the quiet hours remain (the task is enqueued
    again for their end). Returns the job's status."""
    if PushJob.objects.filter(pk=job_id, status=RUNNING).exists():
        _prepare(job_id)
    _reconcile(job_id)
    batches = 0
    while True:
        status = PushJob.objects.values_list("status", flat=True).get(pk=job_id)
        if status == STOPPING:
            with transaction.atomic():
                transition(JOB, PushJob, job_id, "halt", None)
            return "stopped"
        if status != RUNNING:
            return status
        if max_batches is not None and batches >= max_batches:
            return status
        claimed = batch_send(job_id)
        batches += 1
        if claimed:
            continue
        later = (
            Delivery.objects.filter(job_id=job_id, status=QUEUED).order_by("not_before").values_list(
                "not_before", flat=True).first()
        )  # fmt: skip
        with transaction.atomic():
            if later is not None:  # SMS deferred out of the quiet hours: come back then
                PushJob.objects.filter(pk=job_id).update(deferred_until=later)
                transaction.on_commit(lambda at=later: _enqueue(job_id, at))
                return RUNNING
            PushJob.objects.filter(pk=job_id).update(finished_at=timezone.now(), deferred_until=None)
            transition(JOB, PushJob, job_id, "finish", None)
        return "done"


def _claim(job_id: int, limit: int) -> list[int]:
    now = timing.now()
    with transaction.atomic():
        qs = Delivery.objects.filter(job_id=job_id, status=QUEUED, not_before__lte=now).order_by("id")
        if connection.vendor == "postgresql":
            qs = qs.select_for_update(skip_locked=True)  # two workers never claim the same row
        # SQLite: the transaction is IMMEDIATE (ADR 0010): claims are serialised by the database's write lock
        ids = list(qs.values_list("id", flat=True)[:limit])
        if ids:
            Delivery.objects.filter(id__in=ids, status=QUEUED).update(status=SENDING)
    return ids


_SEND_FIELDS = (
    "id", "channel", "address", "message_id", "message__kind", "message__policy_id", "message__policy_version",
    "message__title", "message__body", "message__link", "message__benefit_amount", "message__binding_condition",
    "message__binding_gap", "message__unknown_features", "message__enterprise__uscc",
)  # fmt: skip


def batch_send(job_id: int, limit: int | None = None) -> int:
    """Claim up to ``limit`` due deliveries (marked ``sending``, committed), send them, mark each sent or failed.
    Returns how many were claimed."""
    ids = _claim(job_id, limit or config.batch_size())
    if not ids:
        return 0
    crash_point("GAOQI_CRASH_AT", "push-claimed")
    rows = list(
        Delivery.objects.filter(id__in=ids).select_related("message__enterprise").only(*_SEND_FIELDS).order_by("id")
    )
    sent, failed, unsure = _send(rows)
    crash_point("GAOQI_CRASH_AT", "push-sent")
    _mark(job_id, sent, failed, unsure)
    return len(ids)


def _send(rows: list[Delivery]) -> tuple[list[int], dict[int, str], list[int]]:
    """Send ``rows``: (sent, failed with the reason, unsure: the backend cannot say whether they went)."""
    sent: list[int] = []
    failed: dict[int, str] = {}
    unsure: list[int] = []
    cache: dict[int, texts.Text] = {}
    base = getattr(settings, "GAOQI_BASE_URL", "")
    mails = [d for d in rows if d.channel == EMAIL]
    if mails:
        conn = get_connection(fail_silently=False)
        conn.open()
        try:
            for d in mails:
                text = cache.setdefault(d.message_id, texts.render(d.message))
                mail = EmailMessage(text.title, text.plain(base), to=[d.address],
                                    headers={"X-Gaoqi-Delivery": str(d.pk)})  # fmt: skip
                try:
                    if conn.send_messages([mail]):
                        sent.append(d.pk)
                    else:
                        failed[d.pk] = "邮件服务未接收"
                except Exception as exc:
                    failed[d.pk] = f"邮件发送失败：{type(exc).__name__}"[:300]
        finally:
            conn.close()
    texts_sms = [d for d in rows if d.channel == SMS]
    if texts_sms:
        # one call per batch (a gateway takes a list); a short count or a refusal: the backend is asked which
        # went when it can tell (``sent_references``), else the rest are 待核对 — never sent again by us
        backend = sms.get_backend()
        batch = [sms.SmsMessage(d.address, texts.sms_text(d.message), f"d{d.pk}") for d in texts_sms]
        error = ""
        try:
            accepted = backend.send_messages(batch)
        except Exception as exc:
            accepted, error = -1, f"短信发送失败：{type(exc).__name__}"[:300]
        if accepted == len(batch):
            sent += [d.pk for d in texts_sms]
        else:
            went = (
                backend.sent_references([m.reference for m in batch]) if hasattr(backend, "sent_references") else None
            )
            for d in texts_sms:
                if went is not None and f"d{d.pk}" in went:
                    sent.append(d.pk)
                elif went is not None:
                    failed[d.pk] = error or "短信网关未接收"
                else:
                    unsure.append(d.pk)
    return sent, failed, unsure


def _mark(job_id: int, sent: list[int], failed: dict[int, str], unsure: list[int]) -> None:
    now = timezone.now()
    with transaction.atomic():
        for pk in unsure:
            Delivery.objects.filter(pk=pk, status=SENDING).update(status=UNKNOWN, error="网关未确认，是否送达未知")
        for start in range(0, len(sent), 900):  # SQLite's bound-parameter limit
            Delivery.objects.filter(id__in=sent[start : start + 900], status=SENDING).update(status=SENT, sent_at=now)
        for pk, error in failed.items():
            Delivery.objects.filter(pk=pk, status=SENDING).update(status=FAILED, error=error)
        PushJob.objects.filter(pk=job_id).update(
            sent=F("sent") + len(sent), failed=F("failed") + len(failed), unknown=F("unknown") + len(unsure)
        )


def _reconcile(job_id: int) -> dict[str, int]:
    """Deliveries a crash left ``sending``: an SMS the backend can vouch for is marked sent (or queued again when
    the backend says it never went); every other one is 待核对 (``unknown``) — never sent twice by us."""
    stuck = list(Delivery.objects.filter(job_id=job_id, status=SENDING).values_list("id", "channel"))
    if not stuck:
        return {}
    backend = sms.get_backend()
    known: set[str] | None = None
    sms_ids = [pk for pk, channel in stuck if channel == SMS]
    if sms_ids and hasattr(backend, "sent_references"):
        known = backend.sent_references([f"d{pk}" for pk in sms_ids])
    now = timezone.now()
    result = {"sent": 0, "requeued": 0, "unknown": 0}
    with transaction.atomic():
        for pk, channel in stuck:
            if channel == SMS and known is not None:
                if f"d{pk}" in known:
                    Delivery.objects.filter(pk=pk, status=SENDING).update(status=SENT, sent_at=now)
                    result["sent"] += 1
                else:
                    Delivery.objects.filter(pk=pk, status=SENDING).update(status=QUEUED)
                    result["requeued"] += 1
            else:
                Delivery.objects.filter(pk=pk, status=SENDING).update(
                    status=UNKNOWN, error="发送过程中断，是否送达未知"
                )
                result["unknown"] += 1
        PushJob.objects.filter(pk=job_id).update(
            sent=F("sent") + result["sent"], unknown=F("unknown") + result["unknown"]
        )
        audit_record(None, "push.reconcile", target=f"push_job:{job_id}", detail=result)
    return result


# ---------------------------------------------------------------------------------------------- the enterprise


@transaction.atomic
def mute_set(actor: Any, categories: list[str], *, request: Any = None) -> list[str]:
    """The enterprise's muted categories become exactly ``categories`` (mandatory ones cannot be muted)."""
    uscc = getattr(actor, "uscc", "") if getattr(actor, "role", None) == roles.ENTERPRISE else ""
    if not uscc:
        raise DomainError("只有企业用户可以设置消息订阅")
    wanted = set(categories)
    if wanted & set(config.mandatory_categories()):
        raise DomainError("合规提醒和涉及企业的决定不能退订", fields={"categories": "不能退订"})
    unknown = wanted - set(config.mutable_categories())
    if unknown:
        raise DomainError("未知的消息类别", fields={"categories": "未知的类别"})
    serialize(f"push.mute:{uscc}")
    before = set(Mute.objects.filter(enterprise_uscc=uscc).values_list("category", flat=True))
    Mute.objects.filter(enterprise_uscc=uscc).exclude(category__in=wanted).delete()
    Mute.objects.bulk_create(
        [Mute(enterprise_uscc=uscc, category=c, created_by=actor) for c in sorted(wanted - before)],
        ignore_conflicts=True,
    )
    audit_record(actor, "push.mute", target=f"enterprise:{uscc}", request=request,
                 detail={"before": sorted(before), "after": sorted(wanted)})  # fmt: skip
    return sorted(wanted)


def _informed(message: Message) -> None:
    from gaoqi.web.core import clock
    from gaoqi.web.support.services import delivery_inform

    try:
        delivery_inform(None, uscc=message.enterprise.uscc, policy_id=message.policy_id,
                        informed_on=clock.today(), via="platform")  # fmt: skip
    except DomainError:  # a policy the catalogue no longer has: the message stays read, nothing to record
        log.info("push: no delivery record for %s", message.policy_id)


def message_read(actor: Any, message: Message) -> Message:
    """The first reading by any account of the enterprise marks the message read (who and when)."""
    if message.read_at is None:
        with transaction.atomic():
            updated = Message.objects.filter(pk=message.pk, read_at__isnull=True).update(
                read_at=timezone.now(), read_by=actor
            )
            if updated:
                audit_record(actor, "push.read", target=f"message:{message.pk}")
                if message.kind == QUALIFIES:  # 应知尽知: the enterprise has been told (support.PolicyDelivery)
                    _informed(message)
        message.refresh_from_db(fields=["read_at", "read_by"])
    return message
