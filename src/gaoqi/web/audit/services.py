"""The audit log: record (append) and verify (walk the hash chain)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

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
    return hashlib.sha256((prev + _canonical(e)).encode()).hexdigest()


def client_ip(request: Any) -> str:
    if request is None:
        request = current_request()  # a service not handed the request, called from a view
    if request is None:
        return ""
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
    return event


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    first_bad_id: int | None
    reason: str


def audit_verify() -> Verification:
    """Walk the chain from the start; the first event whose links or hash do not match is reported."""
    prev = GENESIS
    count = 0
    for e in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if e.prev_hash != prev:
            return Verification(False, count, e.id, "链断裂：前序哈希不符（有记录被删除或插入）")
        if _digest(prev, e) != e.hash:
            return Verification(False, count, e.id, "内容被篡改：哈希不符")
        prev = e.hash
    return Verification(True, count, None, "完整")
