"""``GET /api/analytics/cohort``: the cohort's count, distributions and trend (registered on the one ``NinjaAPI``;
``web/api.py`` imports this module at its end; access.ACCESS names the operation, the selector scopes it). The
query parameters are the page's (repeat a parameter for several values); they go through the page's form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Schema

from gaoqi.web.analytics import selectors
from gaoqi.web.analytics.forms import CohortFilterForm
from gaoqi.web.api import ERRORS, api
from gaoqi.web.core.errors import DomainError


class CohortQuery(Schema):
    district: list[str] = Field(default_factory=list, description="district codes (the caller's scope applies)")
    tech_field: list[str] = Field(default_factory=list, description="technical field codes")
    industry: list[str] = Field(default_factory=list, description="industry section letters")
    size: list[str] = Field(default_factory=list, description="size band tag codes (size_*)")
    growth: list[str] = Field(default_factory=list, description="growth band tag codes (growth_*)")
    tag_all: list[str] = Field(default_factory=list, description="tag codes the enterprise has all of")
    tag_any: list[str] = Field(default_factory=list, description="tag codes the enterprise has one of")
    has_hte: str = Field("", pattern="^(|0|1)$", description="1: a valid HTE certificate; 0: none")
    revenue_min: Decimal | None = Field(None, ge=0, description="last year's sales revenue ≥ (万元)")
    revenue_max: Decimal | None = Field(None, ge=0, description="last year's sales revenue ≤ (万元)")
    established_from: int | None = Field(None, ge=1900, le=9998)
    established_to: int | None = Field(None, ge=1900, le=9998)


class CountOut(Schema):
    code: str = Field(description='"" for no value (no band, no field)')
    label: str
    count: int


class TrendOut(Schema):
    snapshot_id: int
    as_of: str
    count: int


class CohortOut(Schema):
    snapshot_id: int | None
    as_of: str | None
    tags_version: str
    count: int | None = Field(description="null without a published snapshot")
    by_district: list[CountOut]
    by_tech_field: list[CountOut]
    by_size: list[CountOut]
    by_growth: list[CountOut]
    by_tag: list[CountOut]
    trend: list[TrendOut]


@api.get("/analytics/cohort", response={200: CohortOut, **ERRORS}, url_name="analytics_cohort")
def analytics_cohort(request: HttpRequest, params: Query[CohortQuery]) -> dict[str, Any]:
    """企业画像分析: how many enterprises of the current snapshot the filter selects, by district, technical field,
    size band, growth band and tag, and the same count over the last published snapshots. Scoped: the municipal
    office and evaluators every district, a district official its own (another district asked for counts 0)."""
    data = {k: v for k, v in params.dict().items() if v not in (None, "", [])}
    form = CohortFilterForm(
        {k: [str(x) for x in v] if isinstance(v, list) else str(v) for k, v in data.items()},
        tags=selectors.tag_set(),
        districts=selectors.scope_districts(request.user),
    )
    if not form.is_valid():
        raise DomainError("筛选条件不正确", fields={k: "；".join(v) for k, v in form.errors.items()})
    view = selectors.cohort_for(request.user, form.filter())
    dists = {d["key"]: d["rows"] for d in selectors.distributions(view)}

    def counts(key: str) -> list[dict[str, Any]]:
        return [{"code": x["code"], "label": x["label"], "count": x["count"]} for x in dists.get(key, [])]

    by_tag = [
        {"code": t.code, "label": t.label, "count": view.result.by_tag.get(t.code, 0)}
        for t in view.tags.tags
        if view.result is not None
    ]
    return {
        "snapshot_id": view.snapshot.pk if view.snapshot else None,
        "as_of": view.snapshot.as_of.isoformat() if view.snapshot else None,
        "tags_version": view.tags.version,
        "count": view.result.count if view.result else None,
        "by_district": counts("district"),
        "by_tech_field": counts("tech_field"),
        "by_size": counts("size"),
        "by_growth": counts("growth"),
        "by_tag": by_tag,
        "trend": [{"snapshot_id": p.snapshot_id, "as_of": p.as_of.isoformat(), "count": p.count} for p in view.trend],
    }
