"""The programmes' JSON operations beyond the list members and recommendations (``web/api.py``): the funnel of a
list that certification ends. Registered on the one ``NinjaAPI`` (``web/api.py`` imports this module at its end);
access.ACCESS names every operation, the selector scopes it."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema

from gaoqi.web.api import NOT_FOUND, Code, api
from gaoqi.web.core.errors import Forbidden, NotFound


class FunnelRowOut(Schema):
    district_code: str = Field(description='"" for every district in the caller\'s scope')
    cohort: int | None = Field(description="the year of entry; null for every cohort")
    route: str = Field(description='rule / recommendation; "" for both')
    entrants: int
    applied: int = Field(description="applied through the platform in the stay, or certified (department data)")
    applied_here: int = Field(description="of which through this platform")
    certified: int = Field(description="certified on or after entry, while on the list or as the stay's exit")
    applied_rate: float | None
    certified_rate: float | None
    certified_by_end: dict[int, int] = Field(description="k → certified by 31 December of cohort + k")
    conversion: dict[int, float | None] = Field(description="k → conversion(cohort, k)")
    conversion_open: dict[int, bool] = Field(description="k → 31 December of cohort + k not yet passed")
    median_days_to_certification: float | None


class FunnelOut(Schema):
    list_id: str
    as_of: str = Field(description="the platform's date the figures were read on")
    cohort: int | None
    route: str
    cohorts: list[int]
    total: FunnelRowOut
    by_route: list[FunnelRowOut]
    by_cohort: list[FunnelRowOut]
    by_district: list[FunnelRowOut]
    rows: list[FunnelRowOut]


class FunnelQuery(Schema):
    cohort: int | None = Field(None, ge=1900, le=9998)
    route: Literal["", "rule", "recommendation"] = ""


def _row(r: Any) -> dict[str, Any]:
    return {
        "district_code": r.district,
        "cohort": r.cohort,
        "route": r.route,
        "entrants": r.entrants,
        "applied": r.applied,
        "applied_here": r.applied_here,
        "certified": r.certified,
        "applied_rate": r.applied_rate,
        "certified_rate": r.certified_rate,
        "certified_by_end": dict(r.by_end),
        "conversion": r.conversion,
        "conversion_open": dict(r.open_k),
        "median_days_to_certification": r.median_days,
    }


@api.get("/lists/{list_id}/funnel", response={200: FunnelOut, **NOT_FOUND}, url_name="list_funnel")
def list_funnel(request: HttpRequest, list_id: Code, params: Query[FunnelQuery]) -> dict[str, Any]:
    """The funnel of a list that certification ends (the cultivation pool): in the pool → applied → certified per
    district × cohort (year of entry) × route, per route, per cohort, per district and in total, with conversion
    by the end of year cohort + k (k = 1, 2, 3) and the median days from entry to certification. Scoped: the
    municipal office and evaluators every district, a district official its own."""
    from gaoqi.web.programmes import funnel, lists

    if not lists.ends_on_certification(list_id) or lists.list_get(list_id) is None:
        raise NotFound("该名单没有认定转化统计")
    data = funnel.funnel(request.user, list_id, funnel.FunnelFilter(cohort=params.cohort, route=params.route))
    if data is None:
        raise Forbidden()
    return {
        "list_id": list_id,
        "as_of": data.today.isoformat(),
        "cohort": data.f.cohort,
        "route": data.f.route,
        "cohorts": data.cohorts,
        "total": _row(data.total),
        "by_route": [_row(r) for r in data.by_route],
        "by_cohort": [_row(r) for r in data.by_cohort],
        "by_district": [_row(r) for r in data.by_district],
        "rows": [_row(r) for r in data.rows],
    }
