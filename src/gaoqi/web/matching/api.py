"""供需对接's JSON list of matches (django-ninja), scoped like the pages: the municipal office and evaluators all,
a district those whose demand or item is in its district, an enterprise those naming it. Registered on the one
``NinjaAPI`` (``web/api.py`` imports this module at its end); access.ACCESS names the operation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Schema

from gaoqi.web.api import ERRORS, api
from gaoqi.web.matching import selectors
from gaoqi.web.paging import api_page


class MatchingMatchOut(Schema):
    id: int
    demand_id: int
    demand_title: str
    supply_id: int
    supply_kind: str = Field(description="product (新技术新产品) / result (科技成果)")
    supply_title: str
    uscc: str = Field(description="the supplier enterprise's USCC; empty for a university or institute result")
    rank: int
    score: Decimal = Field(description="0–100: field 40, keywords 30, location 10, budget 10, credit 10 (DEFAULT)")
    parts: dict[str, float]
    reasons: list[dict[str, Any]] = Field(
        description="kind: shared_terms / field / location / budget / credit / past_delivery"
    )
    status: str = Field(description="proposed / contacted / signed / delivered / declined")
    contract_amount: Decimal | None = Field(description="万元, when signed")


class MatchingMatchPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[MatchingMatchOut]


class MatchingMatchQuery(Schema):
    demand_id: int | None = Field(None, ge=1, le=2_147_483_647)
    status: str = Field("", max_length=16, pattern=r"^[a-z]*$")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


def _item(m: Any) -> dict[str, Any]:
    s = m.supply
    return {
        "id": m.pk, "demand_id": m.demand_id, "demand_title": m.demand.title, "supply_id": s.pk,
        "supply_kind": s.kind, "supply_title": s.title, "uscc": s.enterprise.uscc if s.enterprise else "",
        "rank": m.rank, "score": m.score, "parts": {k: float(v) for k, v in m.parts.items()}, "reasons": m.reasons,
        "status": m.status, "contract_amount": m.contract_amount,
    }  # fmt: skip


@api.get("/matching/matches", response={200: MatchingMatchPage, **ERRORS}, url_name="matching_matches")
def matching_matches(request: HttpRequest, params: Query[MatchingMatchQuery]) -> dict[str, Any]:
    """Matches (供需对接推荐) the caller may see, by demand and rank, with their score parts and reasons."""
    qs = selectors.matches_visible_to(request.user)
    if params.demand_id is not None:
        qs = qs.filter(demand_id=params.demand_id)
    if params.status:
        qs = qs.filter(status=params.status)
    return api_page(qs.order_by("demand_id", "rank", "id"), params.page, params.page_size, _item)
