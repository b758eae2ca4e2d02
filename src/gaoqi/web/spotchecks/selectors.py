"""Reads of the spot checks, scoped to the user (core/scoping.py): the municipal office and evaluators see every
case, a district official the cases of its district and those it inspects, an enterprise its own; the public
pages read only what 一公开 publishes (names, USCCs, districts, inspectors' names, results)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from gaoqi.web import roles
from gaoqi.web.core.scoping import scope_q
from gaoqi.web.spotchecks import hooks
from gaoqi.web.spotchecks.models import Case, CaseInspector, Draw, Inspector
from gaoqi.web.spotchecks.sampling import Inspector as PoolMember
from gaoqi.web.spotchecks.sampling import Member
from gaoqi.web.spotchecks.workflow import STATUS_LABELS

#: who manages the inspector pool and draws
MANAGERS = frozenset({roles.MUNICIPAL})


def cert_year(expiry: dt.date | None) -> int | None:
    """The year the current HTE certificate was issued, from the index's expiry: a certificate is valid three
    years, its last day the day before the third anniversary of its issue (S-32 Art. 9; the engine's rule when
    the feed gives none), so issue year = (expiry + 1 day).year − 3."""
    return None if expiry is None else (expiry + dt.timedelta(days=1)).year - 3


def pilot_usccs(year: int) -> set[str]:
    """The enterprises certified through 报备即批准 in ``year`` (certificates the platform issued on a pilot
    application; a certificate replaced by a rename counts once, by its USCC)."""
    from gaoqi.web.certification.models import Application, Certificate

    return set(
        Certificate.objects.filter(application__route=Application.PILOT, issue_date__year=year).values_list(
            "uscc", flat=True
        )
    )


def frozen_population(snapshot: Any, year: int) -> list[Member]:
    """The draw's population: the current valid HTEs of the published snapshot's enterprise index (``has_hte``),
    each with its district, certification year, open CRITICAL/HIGH warning and whether it was a pilot
    certification of the previous year; by USCC."""
    from gaoqi.web.enterprises.models import Enterprise

    warnings = hooks.open_warnings()
    pilots = pilot_usccs(year - 1)
    rows = (
        Enterprise.objects.of(snapshot)
        .filter(has_hte=True)
        .order_by("uscc")
        .values_list("uscc", "district_code", "hte_expiry_date")
    )
    return [
        Member(u, d or "", cert_year(e), warnings.get(u, ""), u in pilots) for u, d, e in rows.iterator(chunk_size=5000)
    ]


def inspector_pool() -> list[PoolMember]:
    return [
        PoolMember(pk, d)
        for pk, d in Inspector.objects.filter(active=True).order_by("id").values_list("id", "district_code")
    ]


def inspectors(*, active_only: bool = False) -> QuerySet[Inspector]:
    qs = Inspector.objects.select_related("user").annotate(n_cases=Count("assignments"))
    return qs.filter(active=True) if active_only else qs


def inspector_get(pk: int) -> Inspector | None:
    return Inspector.objects.filter(pk=pk).select_related("user").first()


def draws() -> QuerySet[Draw]:
    """Every draw (public: 一公开), the latest year first."""
    return Draw.objects.select_related("snapshot").order_by("-year")


def draw_get(pk: int) -> Draw | None:
    return draws().filter(pk=pk).first()


def draw_of_year(year: int) -> Draw | None:
    return draws().filter(year=year).first()


def _with_inspectors(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("draw").prefetch_related(
        Prefetch("assignments", queryset=CaseInspector.objects.select_related("inspector").order_by("position"))
    )


def case_scope(user: Any) -> Q | None:
    """The cases ``user`` may see: core.scoping's rule on the case's district and USCC, plus (a district or
    municipal official) the cases it is an assigned inspector of."""
    q = scope_q(user, district="district_code", uscc="uscc")
    if q is not None and not q:  # every case (an empty Q: OR-ing it with another would narrow it to the other)
        return q
    if getattr(user, "role", None) in (roles.DISTRICT, roles.MUNICIPAL) and getattr(user, "is_active", False):
        own = Q(pk__in=CaseInspector.objects.filter(inspector__user=user).values("case_id"))
        q = own if q is None else q | own
    return q


def cases_visible_to(user: Any) -> QuerySet[Case]:
    q = case_scope(user)
    return Case.objects.none() if q is None else _with_inspectors(Case.objects.filter(q))


def case_get(user: Any, pk: int) -> Case | None:
    return cases_visible_to(user).filter(pk=pk).first()


@dataclass(frozen=True)
class CaseFilter:
    year: int | None = None
    district: str = ""
    status: str = ""
    reason: str = ""
    mine: bool = False  # only the cases the user inspects


def cases_search(user: Any, f: CaseFilter) -> QuerySet[Case]:
    qs = cases_visible_to(user)
    if f.year:
        qs = qs.filter(draw__year=f.year)
    if f.district:
        qs = qs.filter(district_code=f.district)
    if f.status in STATUS_LABELS:
        qs = qs.filter(status=f.status)
    if f.reason:
        qs = (
            qs.filter(reasons__contains=[f.reason])
            if _json_contains()
            else qs.filter(reasons__icontains=f'"{f.reason}"')
        )
    if f.mine:
        qs = qs.filter(assignments__inspector__user=user)
    return qs.order_by("-draw__year", "order")


def _json_contains() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def may_record(user: Any, case: Case) -> bool:
    """Whether ``user`` may move ``case``: the municipal office, or an assigned inspector's active account."""
    if not getattr(user, "is_active", False):
        return False
    if user.role == roles.MUNICIPAL:
        return True
    if user.role != roles.DISTRICT:
        return False
    return CaseInspector.objects.filter(case=case, inspector__user=user, inspector__active=True).exists()


def counts_by_district(draw: Draw) -> list[dict[str, Any]]:
    """Per district: cases drawn, and how many passed, failed, are open (the public page's table)."""
    rows = (
        Case.objects.filter(draw=draw)
        .values("district_code")
        .annotate(
            n=Count("id"),
            passed=Count("id", filter=Q(status="passed")),
            failed=Count("id", filter=Q(status="failed")),
        )
        .order_by("district_code")
    )
    return [{**r, "open": r["n"] - r["passed"] - r["failed"]} for r in rows]


def public_cases(draw: Draw) -> QuerySet[Case]:
    """The draw's cases as 一公开 shows them (the view reads names, USCCs, districts, inspectors' names, results)."""
    return _with_inspectors(Case.objects.filter(draw=draw)).order_by("district_code", "uscc")


def case_log(case: Case) -> list[Any]:
    """The case's moves (core.WorkflowLog), oldest first."""
    from gaoqi.web.core.workflow import history

    return history(case)
