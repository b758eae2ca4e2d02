"""The 工作台 figures for a user: counts, by district and by field, within the user's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from gaoqi.web.enterprises.selectors import enterprises_visible
from gaoqi.web.policies.selectors import status_counts


def dashboard_figures(user: Any) -> dict[str, Any]:
    qs = enterprises_visible(user)
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
