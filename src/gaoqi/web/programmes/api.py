"""The programmes' JSON operations beyond the list members and recommendations (``web/api.py``): the funnel of a
list that certification ends. Registered on the one ``NinjaAPI`` (``web/api.py`` imports this module at its end);
access.ACCESS names every operation, the selector scopes it."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema

from gaoqi.web.api import NOT_FOUND, Code, api
from gaoqi.web.core.errors import Forbidden, NotFound
from gaoqi.web.paging import api_page


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


class FiscalKeyOut(Schema):
    uscc: str
    name: str
    district_code: str
    flagged_from: str = Field(description="the day the enterprise entered the 规升强 list (the flag's start)")
    flagged_to: str | None = Field(description="the day it left (the flag's end, exclusive); null while on it")
    source: Literal["AUTO_GSQ"] = Field(
        description="AUTO_GSQ: every 规升强 member (the finance bureau's own list is not known)"
    )


class FiscalKeyPage(Schema):
    as_of: str
    count: int
    page: int
    page_size: int
    items: list[FiscalKeyOut]


class FiscalKeyQuery(Schema):
    as_of: dt.date | None = Field(None, description="the day asked about; today when absent")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(100, ge=1, le=1000)


@api.get("/fiscal-key-enterprises", response={200: FiscalKeyPage, **NOT_FOUND}, url_name="fiscal_key_enterprises")
def fiscal_key_enterprises(request: HttpRequest, params: Query[FiscalKeyQuery]) -> dict[str, Any]:
    """财源建设重点企业 on a day: every enterprise on the 规升强 list that day, with the dates of its flag (a stay on
    the list), for the tax side to read. Scoped: the municipal office and evaluators all, a district its own."""
    from gaoqi.web.core import clock
    from gaoqi.web.programmes import selectors

    day = params.as_of or clock.today()
    qs = selectors.fiscal_key_on(request.user, day).select_related("enterprise")

    def item(m: Any) -> dict[str, Any]:
        return {
            "uscc": m.enterprise.uscc,
            "name": m.enterprise.name,
            "district_code": m.enterprise.district_code,
            "flagged_from": m.entered_on.isoformat(),
            "flagged_to": m.left_on.isoformat() if m.left_on else None,
            "source": "AUTO_GSQ",
        }

    # The exact count, kept until the stays change (a district's count joins its 125,000 enterprises at 2M: ≈ 250 ms).
    exact = lambda q: selectors.count_upto(q, None)  # noqa: E731
    return {"as_of": day.isoformat(), **api_page(qs, params.page, params.page_size, item, count=exact)}
