"""The 工作台 figures for a user: counts, by district and by field, within the user's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum

from gaoqi.web.core.scoping import district_scope
from gaoqi.web.enterprises.selectors import enterprises_visible_to
from gaoqi.web.policies.selectors import status_counts


def dashboard_figures(user: Any) -> dict[str, Any]:
    stats = _from_stats(user)
    if stats is not None:
        return stats
    qs = enterprises_visible_to(user)
    totals = qs.aggregate(
        enterprises=Count("id"),
        hte=Count("id", filter=Q(has_hte=True)),
        tech_sme=Count("id", filter=Q(has_tech_sme=True)),
        above_scale=Count("id", filter=Q(above_scale=True)),
    )
    by_district = list(
        qs.values("district_code")
        .annotate(n=Count("id"), hte=Count("id", filter=Q(has_hte=True)))
        .order_by("district_code")
    )
    by_field = list(
        qs.filter(has_hte=True).exclude(tech_field="").values("tech_field").annotate(n=Count("id")).order_by("-n")
    )
    return {"totals": totals, "by_district": by_district, "by_field": by_field, "policies": status_counts(user)}


def _from_stats(user: Any) -> dict[str, Any] | None:
    """Municipal, evaluator and district views read the counts precomputed at publication."""
    from gaoqi.web.enterprises.models import DistrictStat, FieldStat
    from gaoqi.web.intake.selectors import current_snapshot

    scope = district_scope(user)  # all, or one district: the precomputed figures are per district
    snap = current_snapshot()
    if snap is None or scope is None:
        return None
    districts = DistrictStat.objects.filter(scope, snapshot=snap)
    fields = FieldStat.objects.filter(scope, snapshot=snap)
    by_district = [
        {"district_code": d.district_code, "n": d.enterprises, "hte": d.hte}
        for d in districts.order_by("district_code")
    ]
    totals = {
        "enterprises": sum(d.enterprises for d in districts),
        "hte": sum(d.hte for d in districts),
        "tech_sme": sum(d.tech_sme for d in districts),
        "above_scale": sum(d.above_scale for d in districts),
    }
    by_field = list(fields.values("tech_field").annotate(n=Sum("n")).order_by("-n"))
    return {"totals": totals, "by_district": by_district, "by_field": by_field, "policies": status_counts(user)}
