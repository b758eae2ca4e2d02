"""``GET /api/analytics/cohort``: the cohort's count, distributions and trend (registered on the one ``NinjaAPI``;
``web/api.py`` imports this module at its end; access.ACCESS names the operation, the selector scopes it). The
query parameters are the page's (repeat a parameter for several values); the schema lists every code a parameter
takes, so a value reaching the engine is always one of them (and the engine builds it as a literal)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from django.http import HttpRequest
from ninja import Field, Query, Schema

from gaoqi.engine import CohortFilter, default_tags, district_codes, industry_section_names
from gaoqi.web.analytics import selectors
from gaoqi.web.analytics.forms import tech_field_codes
from gaoqi.web.api import ERRORS, api


def _one_of(values: Any) -> Any:
    """A parameter taking one of these codes (the schema lists them: any other value is a 400, never a query)."""
    return Literal[tuple(values)]


# the codes the filter takes, read once at import: districts and sections (engine reference data), the fields
# (the certificate feed's codes), the tags file's tags and bands
_TAGS = default_tags()
if TYPE_CHECKING:
    District: TypeAlias = str
    TechField: TypeAlias = str
    Section: TypeAlias = str
    SizeBand: TypeAlias = str
    GrowthBand: TypeAlias = str
    TagCode: TypeAlias = str
else:
    District = _one_of(district_codes())
    TechField = _one_of(tech_field_codes())
    Section = _one_of(industry_section_names())
    SizeBand = _one_of(t.code for t in _TAGS.in_group("size"))
    GrowthBand = _one_of(t.code for t in _TAGS.in_group("growth"))
    TagCode = _one_of(t.code for t in _TAGS.tags)


class CohortQuery(Schema):
    district: list[District] = Field(default_factory=list, description="district codes (the caller's scope applies)")
    tech_field: list[TechField] = Field(default_factory=list, description="technical field codes")
    industry: list[Section] = Field(default_factory=list, description="industry section letters")
    size: list[SizeBand] = Field(default_factory=list, description="size band tag codes")
    growth: list[GrowthBand] = Field(default_factory=list, description="growth band tag codes")
    tag_all: list[TagCode] = Field(default_factory=list, description="tag codes the enterprise has all of")
    tag_any: list[TagCode] = Field(default_factory=list, description="tag codes the enterprise has one of")
    has_hte: Literal["", "0", "1"] = Field("", description="1: a valid HTE certificate; 0: none")
    revenue_min: float | None = Field(None, ge=0, le=1e12, description="last year's sales revenue ≥ (万元)")
    revenue_max: float | None = Field(None, ge=0, le=1e12, description="last year's sales revenue ≤ (万元)")
    established_from: int | None = Field(None, ge=1900, le=9998)
    established_to: int | None = Field(None, ge=1900, le=9998)

    def filter(self) -> CohortFilter:
        """The engine's typed filter (an empty range — minimum above maximum — selects nothing)."""
        return CohortFilter(
            districts=tuple(self.district),
            tech_fields=tuple(self.tech_field),
            industry_sections=tuple(self.industry),
            size_bands=tuple(self.size),
            growth_bands=tuple(self.growth),
            tags_all=tuple(self.tag_all),
            tags_any=tuple(self.tag_any),
            has_hte=None if self.has_hte == "" else self.has_hte == "1",
            revenue_min=None if self.revenue_min is None else Decimal(str(self.revenue_min)),
            revenue_max=None if self.revenue_max is None else Decimal(str(self.revenue_max)),
            established_from=self.established_from,
            established_to=self.established_to,
        )


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
    view = selectors.cohort_for(request.user, params.filter())
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
