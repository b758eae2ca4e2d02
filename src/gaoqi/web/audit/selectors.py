from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gaoqi.web import roles
from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.core.labels import label
from gaoqi.web.core.scoping import visible_to

#: The log is the audit administrator's (三员分立): no one else reads it, not even the other administrators.
AUDITORS = frozenset({roles.AUDITOR})


def audit_entries_visible_to(user: Any) -> QuerySet[AuditEvent]:
    """The audit log, newest first."""
    return visible_to(AuditEvent.objects.order_by("-id"), user, sees_all=AUDITORS)


def audit_events(actor: Any, *, action: str = "", username: str = "") -> QuerySet[AuditEvent]:
    """The log for the audit administrator, newest first, optionally filtered."""
    qs = audit_entries_visible_to(actor)
    if action:
        qs = qs.filter(action=action)
    if username:
        qs = qs.filter(username=username)
    return qs


def action_label(action: str) -> str:
    """An audited action as a person reads it: an application's move has its transition's word (the workflow's
    table, not a second copy); every other action the catalogue's ``audit_action`` entry."""
    from gaoqi.web.certification.selectors import ACTION_LABELS

    kind, _, move = action.partition(".")
    if kind == "application" and move in ACTION_LABELS and move != "start":
        return ACTION_LABELS[move]
    return label("audit_action", action)


def audit_actions() -> list[tuple[str, str]]:
    """The actions the log holds, for the filter: (code, words), in the words' order."""
    codes = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
    return sorted(((c, action_label(c)) for c in codes), key=lambda pair: pair[1])
