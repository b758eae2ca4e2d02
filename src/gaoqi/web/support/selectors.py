"""Reads of targeted support, always scoped (core/scoping.py): the municipal office and evaluators all; a
district official its district's enterprises (space needs also: those wanting space in its district); an
enterprise its own; an incubator operator its incubated enterprises (support records only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from gaoqi.web import roles
from gaoqi.web.core.scoping import OVERSIGHT, scope_q, visible_to
from gaoqi.web.enterprises.models import PolicyResult
from gaoqi.web.enterprises.selectors import enterprise_scope
from gaoqi.web.intake.selectors import current_snapshot
from gaoqi.web.programmes.lists import KEY_ENTERPRISE_LISTS
from gaoqi.web.programmes.models import ListMembership
from gaoqi.web.support.models import Allocation, PolicyDelivery, Quota, SpaceNeed, SupportRecord

#: The lists whose members this app serves (小升规, 规升强).
LISTS = tuple(KEY_ENTERPRISE_LISTS)  # the lists whose members get targeted support


def records_visible_to(user: Any) -> QuerySet[SupportRecord]:
    scope = enterprise_scope(user, "enterprise__")
    if scope is None:
        return SupportRecord.objects.none()
    return SupportRecord.objects.filter(scope).select_related("enterprise", "unit", "recorded_by")


@dataclass(frozen=True)
class RecordFilter:
    list_id: str = ""
    category: str = ""
    district: str = ""
    q: str = ""


def _member_of(list_ids: tuple[str, ...] | list[str], field: str = "enterprise_id") -> Exists:
    """The row's enterprise is a current member of one of ``list_ids``."""
    return Exists(
        ListMembership.objects.filter(enterprise_id=OuterRef(field), list_id__in=list_ids, left_on__isnull=True)
    )


def records_search(user: Any, f: RecordFilter) -> QuerySet[SupportRecord]:
    qs = records_visible_to(user)
    if f.list_id in LISTS:
        qs = qs.filter(_member_of([f.list_id]))
    if f.category:
        qs = qs.filter(category=f.category)
    if f.district:
        qs = qs.filter(enterprise__district_code=f.district)
    if f.q.strip():
        q = f.q.strip()
        qs = qs.filter(Q(enterprise__name__contains=q) | Q(enterprise__uscc__startswith=q.upper()))
    return qs.order_by("-on", "-id")


def quotas_visible_to(user: Any) -> QuerySet[Quota]:
    return visible_to(Quota.objects.all(), user, district="district_code").prefetch_related("tiers")


def quota_get(user: Any, pk: int) -> Quota | None:
    return quotas_visible_to(user).filter(pk=pk).first()


def allocated(quota: Quota) -> int:
    return int(Allocation.objects.filter(quota=quota).aggregate(n=Sum("count"))["n"] or 0)


def quota_rows(user: Any, year: int) -> list[dict[str, Any]]:
    """The year's quotas the user sees, each with its allocated sum and what remains."""
    qs = quotas_visible_to(user).filter(year=year).annotate(used=Sum("allocations__count"))
    return [{"quota": q, "used": int(q.used or 0), "remaining": q.total - int(q.used or 0)} for q in qs]


def allocations_visible_to(user: Any) -> QuerySet[Allocation]:
    return visible_to(
        Allocation.objects.select_related("quota", "enterprise", "allocated_by"), user, district="quota__district_code"
    )


def space_needs_visible_to(user: Any) -> QuerySet[SpaceNeed]:
    """A district official sees the needs of its district's enterprises and the needs wanting its district."""
    q = scope_q(user, district="enterprise__district_code", uscc="enterprise__uscc")
    if q is not None and getattr(user, "role", None) == roles.DISTRICT:
        q |= Q(district_code=user.district_code)
    qs = SpaceNeed.objects.select_related("enterprise", "recorded_by")
    return qs.none() if q is None else qs.filter(q)


def space_need_get(user: Any, pk: int) -> SpaceNeed | None:
    return space_needs_visible_to(user).filter(pk=pk).first()


# ------------------------------------------------------------------------------------------------------
# 应知尽知、应享尽享: the policies each list member qualifies for in the published snapshot


def benefit_policy_ids() -> list[str]:
    """The policies an enterprise can be told of and benefit from: every policy of the catalogue but the lists."""
    from gaoqi.web.policies.selectors import catalogue

    return [p.id for p in catalogue() if p.kind != "list"]


def _informed() -> Exists:
    return Exists(
        PolicyDelivery.objects.filter(
            enterprise_uscc=OuterRef("enterprise__uscc"), policy_id=OuterRef("policy_id"), informed_on__isnull=False
        )
    )


def _claimed() -> Exists:
    return Exists(
        PolicyDelivery.objects.filter(
            enterprise_uscc=OuterRef("enterprise__uscc"), policy_id=OuterRef("policy_id"), claimed_on__isnull=False
        )
    )


@dataclass(frozen=True)
class GapFilter:
    list_id: str = ""  # "" = both lists
    district: str = ""
    policy: str = ""
    which: str = ""  # "" any gap, "uninformed", "unclaimed"


def qualified(user: Any, f: GapFilter | None = None) -> QuerySet[PolicyResult]:
    """The (member, policy) pairs of the current snapshot where a member of 小升规 / 规升强 qualifies (status
    pass) for a benefit policy, scoped, annotated ``informed`` and ``claimed`` (anti-joins on PolicyDelivery's
    (uscc, policy) key)."""
    f = f or GapFilter()
    snap = current_snapshot()
    scope = enterprise_scope(user, "enterprise__")
    if snap is None or scope is None:
        return PolicyResult.objects.none()
    lists = [f.list_id] if f.list_id in LISTS else list(LISTS)
    qs = PolicyResult.objects.of(snap).filter(scope, status="pass", policy_id__in=benefit_policy_ids())
    qs = qs.filter(_member_of(lists))
    if f.district:
        qs = qs.filter(enterprise__district_code=f.district)
    if f.policy:
        qs = qs.filter(policy_id=f.policy)
    return qs.annotate(informed=_informed(), claimed=_claimed())


def gaps(user: Any, f: GapFilter | None = None) -> QuerySet[PolicyResult]:
    """The qualified pairs not informed (``which=uninformed``), not claimed (``unclaimed``) or either ("")."""
    f = f or GapFilter()
    qs = qualified(user, f)
    if f.which == "uninformed":
        return qs.filter(informed=False)
    if f.which == "unclaimed":
        return qs.filter(claimed=False)
    return qs.filter(Q(informed=False) | Q(claimed=False))


def gap_counts(user: Any, f: GapFilter | None = None) -> list[dict[str, Any]]:
    """One grouped query: per district and policy, the qualified pairs, those not informed, those not claimed."""
    qs = qualified(user, f)
    rows = (
        qs.values("enterprise__district_code", "policy_id")
        .annotate(
            n=Count("id"),
            uninformed=Count("id", filter=Q(informed=False)),
            unclaimed=Count("id", filter=Q(claimed=False)),
        )
        .order_by("enterprise__district_code", "policy_id")
    )
    return [
        {"district": r["enterprise__district_code"], "policy_id": r["policy_id"], "n": r["n"],
         "uninformed": r["uninformed"], "unclaimed": r["unclaimed"]}
        for r in rows
    ]  # fmt: skip


def enterprise_policies(enterprise: Any) -> list[dict[str, Any]]:
    """The policies one enterprise qualifies for in the current snapshot, with its delivery row (or None)."""
    snap = current_snapshot()
    if snap is None:
        return []
    results = (
        PolicyResult.objects.of(snap)
        .filter(enterprise=enterprise, status="pass", policy_id__in=benefit_policy_ids())
        .order_by("policy_id")
    )
    deliveries = {d.policy_id: d for d in PolicyDelivery.objects.filter(enterprise_uscc=enterprise.uscc)}
    return [{"result": r, "delivery": deliveries.get(r.policy_id)} for r in results]


def is_member(enterprise: Any) -> list[str]:
    """The lists of ``LISTS`` the enterprise is on now."""
    return list(
        ListMembership.objects.filter(enterprise=enterprise, list_id__in=LISTS, left_on__isnull=True).values_list(
            "list_id", flat=True
        )
    )


def sees_all(user: Any) -> bool:
    return getattr(user, "role", None) in OVERSIGHT


def members_visible(user: Any, district_code: str = "", limit: int = 1000) -> list[Any]:
    """The 小升规 / 规升强 members the user sees, of one district when given (the forms' pickers: the pages start
    from the list members; the allocate form's: the quota's district)."""
    from gaoqi.web.enterprises.selectors import enterprises_visible_to

    qs = enterprises_visible_to(user).filter(_member_of(list(LISTS), "id"))
    if district_code:
        qs = qs.filter(district_code=district_code)
    return list(qs.order_by("name")[:limit])
