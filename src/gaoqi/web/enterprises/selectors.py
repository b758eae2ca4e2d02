"""Reads on enterprises, always scoped to the user: a district official sees the district's enterprises, an
enterprise user its own, an incubator operator its incubated ones, municipal officials and evaluators all.
Every page, export and API answer goes through ``enterprises_visible_to``; nothing else reads Enterprise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from gaoqi.engine import Source
from gaoqi.web.core.labels import label
from gaoqi.web.core.scoping import scope_q
from gaoqi.web.enterprises.models import Enterprise, PolicyResult
from gaoqi.web.intake.selectors import current_snapshot


def enterprise_scope(user: Any, prefix: str = "") -> Q | None:
    """The enterprises a user may see, as a condition on Enterprise fields (``prefix`` for a related model,
    e.g. ``enterprise__``): an empty Q for all, None for none (the role rules: core/scoping.py)."""
    return scope_q(user, district=f"{prefix}district_code", uscc=f"{prefix}uscc", incubator=f"{prefix}incubator_code")


def enterprises_visible_to(user: Any) -> QuerySet[Enterprise]:
    scope = enterprise_scope(user)
    return Enterprise.objects.none() if scope is None else Enterprise.objects.filter(scope)


@dataclass(frozen=True)
class DirectoryFilter:
    q: str = ""
    district: str = ""
    section: str = ""
    hte: str = ""  # "yes" / "no"
    size: str = ""
    above_scale: str = ""
    policy: str = ""
    policy_status: str = ""
    sort: str = "name"


SORTS = {"name": "name", "-sales": "-sales_last_year", "-staff": "-staff", "established": "established_date"}


def enterprise_search(user: Any, f: DirectoryFilter) -> QuerySet[Enterprise]:
    """The directory: search by current or former name, pinyin initials or USCC, with filters."""
    qs = enterprises_visible_to(user)
    q = f.q.strip()
    if q:
        if q.isascii() and q.replace(" ", "").isalnum() and len(q) >= 15:
            qs = qs.filter(uscc__startswith=q.upper())
        elif q.isascii() and q.isalpha():
            qs = qs.filter(Q(name_initials__startswith=q.lower()) | Q(uscc__startswith=q.upper()))
        else:
            qs = qs.filter(Q(name__contains=q) | Q(former_names__contains=q) | Q(uscc__startswith=q.upper()))
    if f.district:
        qs = qs.filter(district_code=f.district)
    if f.section:
        qs = qs.filter(industry_section=f.section)
    if f.hte in ("yes", "no"):
        qs = qs.filter(has_hte=f.hte == "yes")
    if f.size:
        qs = qs.filter(size=f.size)
    if f.above_scale in ("yes", "no"):
        qs = qs.filter(above_scale=f.above_scale == "yes")
    if f.policy and f.policy_status:
        snap = current_snapshot()
        ids = PolicyResult.objects.of(snap).filter(policy_id=f.policy, status=f.policy_status).values("enterprise_id")
        qs = qs.filter(pk__in=ids)
    return qs.order_by(SORTS.get(f.sort, "name"), "pk")


def enterprise_search_page(user: Any, f: DirectoryFilter, page: int, size: int) -> tuple[int, list[Enterprise]]:
    """One page (from 1) of the directory's search, with the number of matches."""
    qs = enterprise_search(user, f)
    return qs.count(), list(qs[(page - 1) * size : page * size])


def enterprise_get(user: Any, uscc: str) -> Enterprise | None:
    """One enterprise if the user may see it (None otherwise: the page answers 404, never 403, so that
    existence outside the jurisdiction is not disclosed)."""
    return enterprises_visible_to(user).filter(uscc=uscc).first()


def enterprise_exists(uscc: str) -> bool:
    """Whether an enterprise exists at all, whoever may see it: for the audit log only (an official asking for
    an enterprise outside the jurisdiction), never shown to the user."""
    return Enterprise.objects.filter(uscc=uscc).exists()


def results_of(enterprise: Enterprise) -> QuerySet[PolicyResult]:
    snap = current_snapshot()
    return PolicyResult.objects.of(snap).filter(enterprise=enterprise).order_by("policy_id")


def mask_id_number(value: str) -> str:
    return value[:3] + "*" * max(len(value) - 7, 0) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "*" * len(value)


def profile_details(enterprise: Enterprise) -> dict[str, Any]:
    """Finance by year, staff, IP by class, credit events and certificates from the snapshot, with the
    source (feed, file, line) of each value."""
    from gaoqi.web.intake.selectors import snapshot_workspace

    ws = snapshot_workspace()
    if ws is None:
        return {}
    with ws:
        details = ws.profile_details(enterprise.uscc)

    def src(source: Source) -> str:
        return f"{label('feed', source.feed)} · {source.file_name} 第{source.line}行"

    for key in ("finance", "rd", "credit", "certificates"):
        details[key] = [{**row, "source": src(row["source"])} for row in details[key]]
    details["sources"] = {k: src(v) for k, v in details["sources"].items()}
    return details


def explain_for(uscc: str, policy_id: str, as_of: date | None = None) -> dict[str, Any] | None:
    """The engine's explanation of one policy for one enterprise, from the current snapshot (None when there is
    no snapshot, no such enterprise or policy version, or ``as_of`` is not the snapshot's date)."""
    from gaoqi.web.intake.selectors import snapshot_workspace
    from gaoqi.web.policies.selectors import catalogue  # loaded once: parsing and checking YAML costs ~0.4 s

    snap = current_snapshot()
    ws = snapshot_workspace(snap)
    if ws is None or snap is None:
        return None
    with ws:
        try:
            return ws.explain(uscc, policy_id, as_of or snap.as_of, catalogue())
        except ValueError:
            return None
