from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gaoqi.web.audit.models import AuditEvent


def audit_events(actor: Any, *, action: str = "", username: str = "") -> QuerySet[AuditEvent]:
    """The log for the audit administrator, newest first, optionally filtered."""
    qs = AuditEvent.objects.order_by("-id")
    if action:
        qs = qs.filter(action=action)
    if username:
        qs = qs.filter(username=username)
    return qs
