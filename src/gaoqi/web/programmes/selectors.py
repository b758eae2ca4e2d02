"""Reads on programme lists, always scoped to the user like the directory (a district official sees the
district's enterprises, an enterprise user its own, an incubator operator its incubated ones, municipal officials
and evaluators all): every page, export and API answer goes through ``memberships_visible_to``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet, Sum

from gaoqi.web.core.labels import district, label
from gaoqi.web.core.scoping import district_scope
from gaoqi.web.enterprises.models import Enterprise
from gaoqi.web.enterprises.selectors import enterprise_scope
from gaoqi.web.intake.models import Snapshot
from gaoqi.web.intake.selectors import current_snapshot
from gaoqi.web.programmes import lists
from gaoqi.web.programmes.models import ListMembership, ListStat


def memberships_visible_to(user: Any) -> QuerySet[ListMembership]:
    """Every membership (open or closed) of the enterprises the user may see."""
    scope = enterprise_scope(user, "enterprise__")
    if scope is None:
        return ListMembership.objects.none()
    return ListMembership.objects.filter(scope).select_related("enterprise", "entered_snapshot", "left_snapshot")


@dataclass(frozen=True)
class MemberFilter:
    district: str = ""
    section: str = ""  # industry section (门类)
    tech_field: str = ""
    route: str = ""
    entered_since: date | None = None


def members(user: Any, list_id: str, f: MemberFilter | None = None) -> QuerySet[ListMembership]:
    """The enterprises on the list now (open memberships), filtered, the latest entries first."""
    f = f or MemberFilter()
    qs = memberships_visible_to(user).filter(list_id=list_id, left_on__isnull=True)
    if f.district:
        qs = qs.filter(enterprise__district_code=f.district)
    if f.section:
        qs = qs.filter(enterprise__industry_section=f.section)
    if f.tech_field:
        qs = qs.filter(enterprise__tech_field=f.tech_field)
    if f.route:
        qs = qs.filter(route=f.route)
    if f.entered_since:
        qs = qs.filter(entered_on__gte=f.entered_since)
    return qs.order_by("-entered_on", "enterprise__name", "pk")


def previous_snapshot(snapshot: Snapshot | None) -> Snapshot | None:
    if snapshot is None:
        return None
    return Snapshot.objects.filter(status=Snapshot.PUBLISHED, pk__lt=snapshot.pk).order_by("-pk").first()


def changes(user: Any, list_id: str, snapshot: Snapshot | None = None) -> dict[str, Any]:
    """Entries and exits since the previous snapshot: the stays the current snapshot opened and closed (and
    officials' removals since it was published)."""
    snap = snapshot or current_snapshot()
    qs = memberships_visible_to(user).filter(list_id=list_id)
    if snap is None:
        return {"snapshot": None, "previous": None, "entered": qs.none(), "left": qs.none()}
    return {
        "snapshot": snap,
        "previous": previous_snapshot(snap),
        "entered": qs.filter(entered_snapshot=snap).order_by("enterprise__name", "pk"),
        "left": qs.filter(left_snapshot=snap).order_by("enterprise__name", "pk"),
    }


def counts_over_time(user: Any, list_id: str) -> dict[str, Any] | None:
    """Members per snapshot by district and by technical field, as each snapshot left them (``ListStat``,
    computed at publication): for the user's whole districts only (None for a narrower scope: an enterprise
    or an incubator reads no district totals)."""
    scope = district_scope(user)
    if scope is None:
        return None
    rows = (
        ListStat.objects.filter(scope, list_id=list_id, snapshot__status=Snapshot.PUBLISHED)
        .values("snapshot_id", "snapshot__as_of", "district_code", "tech_field")
        .annotate(total=Sum("n"))
        .order_by("snapshot_id")
    )
    snaps: dict[int, str] = {}
    by_district: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_field: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        sid = row["snapshot_id"]
        snaps[sid] = f"#{sid} {row['snapshot__as_of']:%Y-%m-%d}"
        by_district[district(row["district_code"]) or "未知区县"][sid] += row["total"]
        by_field[label("tech_field", row["tech_field"]) if row["tech_field"] else "未划分"][sid] += row["total"]
    order = sorted(snaps)

    def series(groups: dict[str, dict[int, int]]) -> list[dict[str, Any]]:
        return [{"name": k, "data": [v.get(s, 0) for s in order]} for k, v in sorted(groups.items())]

    return {
        "snapshots": [snaps[s] for s in order],
        "by_district": series(by_district),
        "by_field": series(by_field),
    }


def enterprise_lists(enterprise: Enterprise) -> list[ListMembership]:
    """An enterprise's stays on every list, past and present (the caller has checked it may see the
    enterprise: ``enterprises.selectors.enterprise_get``)."""
    return list(
        ListMembership.objects.filter(enterprise=enterprise)
        .select_related("entered_snapshot", "left_snapshot")
        .order_by("list_id", "-entered_on", "-pk")
    )


def list_summaries(user: Any) -> list[dict[str, Any]]:
    """Every list with its members the user may see."""
    out = []
    for p in lists.list_policies():
        n = memberships_visible_to(user).filter(list_id=p.id, left_on__isnull=True).count()
        out.append({"id": p.id, "name": p.name, "authority": p.authority, "members": n})
    return out


def member_search(user: Any, list_id: str, f: MemberFilter, page: int, size: int) -> tuple[int, list[ListMembership]]:
    qs = members(user, list_id, f)
    return qs.count(), list(qs[(page - 1) * size : page * size])


__all__ = ["MemberFilter", "changes", "counts_over_time", "current_snapshot", "enterprise_lists", "members"]
