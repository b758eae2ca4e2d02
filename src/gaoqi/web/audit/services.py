"""The audit log: record (append) and verify (walk the hash chain)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from gaoqi.web.audit.middleware import current_request
from gaoqi.web.audit.models import AuditEvent

GENESIS = "0" * 64
CHAIN_LOCK = 0x6A6F71_61756474  # pg_advisory_xact_lock key of the audit chain


def _canonical(e: AuditEvent) -> str:
    return json.dumps(
        [e.at.isoformat(), e.username, e.role, e.action, e.target, e.ip, e.outcome, e.detail],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def _digest(prev: str, e: AuditEvent) -> str:
    """HMAC-SHA256 keyed with ``settings.AUDIT_CHAIN_KEY``: someone who can write the database but does not
    hold the key cannot recompute a consistent chain after changing a row."""
    key = settings.AUDIT_CHAIN_KEY.encode()
    return hmac.new(key, (prev + _canonical(e)).encode(), hashlib.sha256).hexdigest()


def client_ip(request: Any) -> str:
    if request is None:
        request = current_request()  # a service not handed the request, called from a view
    if request is None:
        return ""
    return request_address(request)


def request_address(request: Any) -> str:
    """The client's address: REMOTE_ADDR, or behind ``settings.PROXY_HOPS`` trusted reverse proxies the address
    the nearest of them saw (X-Forwarded-For, counted from the right: a client cannot choose it). The audit log
    and the lockout (AXES_CLIENT_IP_CALLABLE) use this one definition."""
    hops = getattr(settings, "PROXY_HOPS", 0)
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops][:45]
    return str(request.META.get("REMOTE_ADDR", ""))


@transaction.atomic
def audit_record(
    user: Any,
    action: str,
    *,
    target: str = "",
    request: Any = None,
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event (who, when, what, from where, outcome) to the chain."""
    # Serialise writers so that concurrent ones cannot fork the chain. On PostgreSQL a row lock on the tail is
    # not enough (under READ COMMITTED a waiter re-reads the old tail, not the row inserted meanwhile, and an
    # empty log has no row to lock): a transaction-scoped advisory lock is taken first. SQLite serialises writes.
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
    last = AuditEvent.objects.select_for_update().order_by("-id").first()
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    event = AuditEvent(
        at=timezone.now().replace(microsecond=0),
        username=user.get_username() if authenticated else "",
        role=getattr(user, "role", "") if authenticated else "",
        action=action,
        target=target,
        ip=client_ip(request),
        outcome=outcome,
        detail=detail or {},
        prev_hash=last.hash if last else GENESIS,
    )
    # the JSON as the database will return it (keys sorted, values round-tripped)
    event.detail = json.loads(json.dumps(event.detail, ensure_ascii=False, default=str))
    event.hash = _digest(event.prev_hash, event)
    event.save(force_insert=True)
    served = request if request is not None else current_request()
    if served is not None:
        served.gaoqi_audited = True  # the access middleware adds no second row for this request
    return event


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    first_bad_id: int | None
    reason: str
    head_id: int | None = None  # the newest event: the auditor records (id, hash) elsewhere as an anchor
    head_hash: str = ""


def audit_verify(anchor: tuple[int, str] | None = None) -> Verification:
    """Walk the chain from the start; the first event whose links or hash do not match is reported. With an
    ``anchor`` (an event id and hash the auditor noted earlier, outside the database), also check that this
    event is still there unchanged: deleting the newest events, which the chain alone cannot show, is found."""
    prev = GENESIS
    count = 0
    head_id: int | None = None
    anchored = anchor is None
    for e in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if e.prev_hash != prev:
            return Verification(False, count, e.id, "链断裂：前序哈希不符（有记录被删除或插入）")
        if _digest(prev, e) != e.hash:
            return Verification(False, count, e.id, "内容被篡改：哈希不符")
        if anchor is not None and e.id == anchor[0]:
            if e.hash != anchor[1]:
                return Verification(False, count, e.id, "与此前记录的锚点不符：链已被改写")
            anchored = True
        prev, head_id = e.hash, e.id
    if not anchored:
        assert anchor is not None
        return Verification(False, count, anchor[0], "锚点记录已不存在：最新的记录被删除", head_id, prev)
    return Verification(True, count, None, "完整", head_id, prev)
