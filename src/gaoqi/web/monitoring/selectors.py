"""监测预警's reads, scoped (``core.scoping``: municipal officials and evaluators all warnings, a district official
its district's — by the denormalised ``district_code`` —, an enterprise nothing: warnings are the government's
working records). The list pages by key (newest first, ``after`` an id): no count over every warning; the
figures by rule, severity, age band and district are grouped SQL over the open warnings (an index on status),
the trend reads ``WarningStat`` (a few rows per snapshot)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from gaoqi.web import roles
from gaoqi.web.core import clock
from gaoqi.web.core.scoping import visible_to
from gaoqi.web.core.workflow import history as history  # the moves of an object, shared by every workflow
from gaoqi.web.monitoring import config
from gaoqi.web.monitoring import workflow as wf
from gaoqi.web.monitoring.models import Warning, WarningStat
from gaoqi.web.paging import KeyPage
from gaoqi.web.paging import key_page as paging_key_page


def warnings_visible_to(user: Any) -> QuerySet[Warning]:
    """The warnings ``user`` may see (enterprises see none: ``uscc`` is not offered)."""
    return visible_to(Warning.objects.all(), user, district="district_code")


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


# ------------------------------------------------------------------------------------------------------
# the page: filters, the key-paged list, the figures, the trend


@dataclass(frozen=True)
class WarningFilter:
    status: str = "open"  # "open": open and acknowledged; "all"; or one status
    district: str = ""
    rule: str = ""
    severity: str = ""
    age: str = ""  # an age band's index ("0" … "3")
    escalated: bool = False
    opened: int | None = None  # opened in this snapshot


def age_bands() -> list[tuple[str, str]]:
    """(index, words) of the age bands (process.yaml, calendar days since the warning opened)."""
    bands = config.process().age_bands
    out, low = [], 0
    for i, high in enumerate(bands):
        out.append((str(i), f"{low}–{high}天" if low else f"{high}天以内"))
        low = high + 1
    out.append((str(len(bands)), f"{bands[-1]}天以上"))
    return out


def _age_q(index: str, today: dt.date) -> Q:
    bands = config.process().age_bands
    i = int(index)
    q = Q()
    if i < len(bands):
        q &= Q(opened_on__gte=today - dt.timedelta(days=bands[i]))
    if i > 0:
        q &= Q(opened_on__lt=today - dt.timedelta(days=bands[i - 1]))
    return q


def warning_list(user: Any, f: WarningFilter, today: dt.date | None = None) -> QuerySet[Warning]:
    """The warnings ``user`` sees, filtered, newest first."""
    qs = warnings_visible_to(user)
    if f.status == "open":
        qs = qs.filter(status__in=wf.OPEN_STATUSES)
    elif f.status in wf.STATUS_LABELS:
        qs = qs.filter(status=f.status)
    if f.district:
        qs = qs.filter(district_code=f.district)
    if f.rule:
        qs = qs.filter(rule_id=f.rule)
    if f.severity:
        qs = qs.filter(severity=f.severity)
    if f.age.isdigit() and int(f.age) <= len(config.process().age_bands):
        qs = qs.filter(_age_q(f.age, today or clock.today()))
    if f.escalated:
        qs = qs.filter(escalated_at__isnull=False)
    if f.opened:
        qs = qs.filter(opened_snapshot_id=f.opened)
    return qs.order_by("-id")


def key_page(qs: QuerySet[Warning], after: str, size: int = 50) -> KeyPage:
    """One page of the list (``paging.key_page``) with what its rows show read in the same query."""
    return paging_key_page(qs.select_related("enterprise"), after, size)


def overview(user: Any, f: WarningFilter, today: dt.date | None = None) -> dict[str, Any]:
    """The open warnings the filter leaves, by rule, severity, age band and district, with the escalated ones
    counted: one statement grouped on the columns of the partial index ``mon_warn_open_figures`` (warnings open
    at publication, so a few opening dates; the bands are counted from them here)."""
    today = today or clock.today()
    bands = config.process().age_bands
    base = warning_list(user, WarningFilter(**{**f.__dict__, "status": "open"}), today)
    rows = (
        base.order_by()
        .values("district_code", "rule_id", "severity", "opened_on")
        .annotate(n=Count("id"), escalated=Count("escalated_at"))
    )
    by: dict[str, dict[Any, int]] = {"rule": {}, "severity": {}, "district": {}, "band": {}}
    total = escalated = 0
    for r in rows:
        age = (today - r["opened_on"]).days
        band = next((i for i, b in enumerate(bands) if age <= b), len(bands))
        for key, value in (("rule", r["rule_id"]), ("severity", r["severity"]), ("district", r["district_code"]),
                           ("band", band)):  # fmt: skip
            by[key][value] = by[key].get(value, 0) + r["n"]
        total += r["n"]
        escalated += r["escalated"]
    return {"by": by, "total": total, "escalated": escalated}


def trend(user: Any, limit: int = 24) -> list[dict[str, Any]]:
    """Per published snapshot (the last ``limit``): warnings open after it, new in it, closed by it, in the user's
    districts (``WarningStat``; a few rows per snapshot)."""
    from gaoqi.web.core.scoping import district_scope
    from gaoqi.web.intake.models import Snapshot

    q = district_scope(user)
    if q is None:
        return []
    snaps = list(Snapshot.objects.filter(status=Snapshot.PUBLISHED).order_by("-pk").values("pk", "as_of")[:limit])
    got = {
        r["snapshot_id"]: r
        for r in WarningStat.objects.filter(q, snapshot_id__in=[s["pk"] for s in snaps])
        .values("snapshot_id")
        .annotate(open=Sum("open"), new=Sum("new"), closed=Sum("closed"))
        .order_by()
    }
    return [
        {
            "snapshot": s["pk"],
            "as_of": s["as_of"],
            **{k: (got.get(s["pk"]) or {}).get(k) or 0 for k in ("open", "new", "closed")},
        }
        for s in reversed(snaps)
    ]


def may_act(user: Any, w: Warning) -> bool:
    """Whether ``user`` handles the warning: the municipal office, or an official of its district (the workflow's
    ``in_charge`` guard, and the page's buttons)."""
    role = getattr(user, "role", None)
    return role == roles.MUNICIPAL or (role == roles.DISTRICT and user.district_code == w.district_code)


def is_overdue(w: Warning, today: dt.date | None = None) -> bool:
    """Still waiting for the district past its handling limit (due today is not overdue)."""
    return w.status in wf.OPEN_STATUSES and w.due_on < (today or clock.today())


@lru_cache(maxsize=4)
def _engine_rules(directory: str, stamp: Any, today: dt.date) -> tuple[dict[str, Any], ...]:
    from gaoqi.engine import Workspace

    return tuple(Workspace.warning_rules(directory, today))


def engine_rules() -> tuple[dict[str, Any], ...]:
    """The engine's warning catalogue for today, read again when a policy file changes (``policies._stamp``)."""
    from gaoqi.engine import default_policy_dir
    from gaoqi.web.policies.selectors import _stamp

    directory = default_policy_dir()
    return _engine_rules(str(directory), _stamp(directory), clock.today())


def rule_catalogue() -> list[dict[str, Any]]:
    """The warning rules: the engine's ``kind: warning`` policies (``Workspace.warning_rules``: the version in force
    today) and the platform's own (``platform_rules.yaml``), in one shape for the page; parameters marked
    unconfirmed are shown as 默认值，待确认."""
    rules: list[dict[str, Any]] = []
    for r in engine_rules():
        rules.append({
            "id": r["id"], "name": r["name"], "version": r.get("version") or "", "severity": r["severity"],
            "in_force": bool(r.get("in_force", True)), "platform": False,
            "escalations": [{"text": e.get("text") or e.get("when") or "", "severity": e["severity"]}
                            for e in r.get("escalations") or []],
            "conditions": [{"text": c.get("text") or c.get("label") or "", "articles": [a] if (a := c.get("article")) else []}
                           for c in r.get("conditions") or []],
            "parameters": [{"label": p.get("label") or p.get("name") or "", "value": p.get("text") or p.get("value"),
                            "unconfirmed": bool(p.get("unconfirmed"))} for p in r.get("parameters") or []],
        })  # fmt: skip
    for pr in config.platform_rules().values():
        rules.append({
            "id": pr.id, "name": pr.name, "version": pr.version, "severity": pr.severity, "in_force": True,
            "platform": True, "escalations": [],
            "conditions": [{"text": pr.reason, "articles": list(pr.articles)}],
            "parameters": [{"label": "纳入方式", "value": "、".join(_route_words(pr.routes)), "unconfirmed": pr.unconfirmed}],
        })  # fmt: skip
    return rules


def _route_words(routes: Iterable[str]) -> list[str]:
    from gaoqi.web.programmes.models import ROUTES

    words = dict(ROUTES)
    return [str(words.get(r, r)) for r in routes]


def rule_names() -> dict[str, str]:
    """rule id → name, for the filters: the engine's catalogue and the platform's rules (no scan of the warnings)."""
    names = {r["id"]: r["name"] for r in engine_rules()}
    names.update({r.id: r.name for r in config.platform_rules().values()})
    return names
