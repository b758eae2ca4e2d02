"""监测预警's reads, scoped (``core.scoping``: municipal officials and evaluators all warnings, a district official
its district's — by the denormalised ``district_code`` —, an enterprise nothing: warnings are the government's
working records). The list pages by key (newest first, ``after`` an id): no count over every warning; the
figures by rule, severity, age band and district are grouped SQL over the open warnings (an index on status),
the trend reads ``WarningStat`` (a few rows per snapshot)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from gaoqi.web.core.scoping import scope_q
from gaoqi.web.monitoring import workflow as wf
from gaoqi.web.monitoring.models import Warning


def warning_scope_q(user: Any) -> Q | None:
    """The warnings ``user`` may see (enterprises see none: ``uscc`` is not offered)."""
    return scope_q(user, district="district_code")


def warnings_visible_to(user: Any) -> QuerySet[Warning]:
    q = warning_scope_q(user)
    return Warning.objects.none() if q is None else Warning.objects.filter(q)


def warning_get(user: Any, pk: int) -> Warning | None:
    return warnings_visible_to(user).select_related("enterprise", "handled_by").filter(pk=pk).first()


def open_warning_enterprises(severities: Iterable[str]) -> set[int]:
    """The ids of the enterprises with a warning still waiting for the district (open or acknowledged) of one of
    ``severities`` (e.g. ``{"CRITICAL"}``): the spot checks' draw adds them (programmes.md §8.2). Unscoped: the
    caller is the platform's own draw."""
    wanted = [s for s in severities if s in wf.SEVERITIES]
    if not wanted:
        return set()
    return set(
        Warning.objects.filter(status__in=wf.OPEN_STATUSES, severity__in=wanted)
        .values_list("enterprise_id", flat=True)
        .distinct()
    )
