"""The incubators' JSON API (django-ninja): the ranking and one body's figures, scoped like the pages
(``selectors``). Registered on the platform's API in ``gaoqi.web.api``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from gaoqi.web.core.errors import NotFound
from gaoqi.web.incubators import selectors
from gaoqi.web.incubators.models import COUNTS, SHARES, IncubatorFigures
from gaoqi.web.paging import api_page

router = Router(tags=["incubators"])

NO_NUL = r"^[^\x00]*$"
IncCode = Annotated[str, Path(max_length=32, pattern=NO_NUL)]


class GateOut(Schema):
    id: str
    ok: bool | None
    observed: float | None
    required: float | None


class IncubatorScoreOut(Schema):
    id: str
    lo: float | None
    hi: float | None


class FiguresOut(Schema):
    """The figures of the evaluation year (counts, and shares as fractions; a share is null without a base)."""

    evaluation_year: int
    incubated: int
    incubating: int
    registered_last_year: int
    tech_sme: int
    new_hte: int
    hte_valid: int
    hte_due: int
    hte_recertified: int
    in_pool: int
    pool_members: int
    pool_converted: int
    grown: int
    registered_last_year_share: Decimal | None
    tech_sme_share: Decimal | None
    hte_share: Decimal | None
    recert_rate: Decimal | None
    pool_conv: Decimal | None
    growth_share: Decimal | None


class IncubatorOut(Schema):
    code: str
    name: str
    kind: str
    level: str
    district_code: str
    recognised_on: date | None
    valid_to: date | None
    rank: int
    status: str
    failed_conditions: list[str]
    unknown_features: list[str]
    score_lo: Decimal | None
    score_hi: Decimal | None
    applied: int
    figures: FiguresOut


class IncubatorDetailOut(IncubatorOut):
    policy_id: str
    policy_version: str
    gates: list[GateOut]
    scores: list[IncubatorScoreOut]
    city: FiguresOut | None
    tutoring_given: int


class RankingPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[IncubatorOut]


class RankingQuery(Schema):
    kind: Annotated[str, Field(max_length=16, pattern=NO_NUL)] = ""
    district: Annotated[str, Field(max_length=6, pattern=NO_NUL)] = ""
    status: Annotated[str, Field(max_length=8, pattern=NO_NUL)] = ""
    sort: Annotated[str, Field(max_length=16, pattern=NO_NUL)] = "rank"
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


def _figures(f: Any) -> dict[str, Any]:
    return {"evaluation_year": f.evaluation_year, **{k: getattr(f, k) for k in (*COUNTS, *SHARES)}}


def _item(f: IncubatorFigures) -> dict[str, Any]:
    i = f.incubator
    return {
        "code": i.code, "name": i.name, "kind": i.kind, "level": i.level, "district_code": i.district_code,
        "recognised_on": i.recognised_on, "valid_to": i.valid_to, "rank": f.rank, "status": f.status,
        "failed_conditions": f.failed_conditions, "unknown_features": f.unknown_features, "score_lo": f.score_lo,
        "score_hi": f.score_hi, "applied": f.applied, "figures": _figures(f),
    }  # fmt: skip


def register(errors: dict[int, Any], not_found: dict[int, Any]) -> Router:
    """The operations, with the platform's error answers (``gaoqi.web.api``'s ERRORS / NOT_FOUND)."""

    @router.get("", response={200: RankingPage, **errors}, url_name="incubator_ranking")
    def incubator_ranking(request: HttpRequest, params: Query[RankingQuery]) -> dict[str, Any]:
        """Every incubator and service agency the caller may see (municipal office and evaluators: all; a
        district: its district's; an incubator account: itself), with its rank, evaluation and figures."""
        f = selectors.RankingFilter(kind=params.kind, district=params.district, status=params.status, sort=params.sort)
        return api_page(selectors.ranking(request.user, f), params.page, params.page_size, _item)

    @router.get("/{code}", response={200: IncubatorDetailOut, **not_found}, url_name="incubator_figures")
    def incubator_figures(request: HttpRequest, code: IncCode) -> dict[str, Any]:
        """One body's figures, its evaluation (each gate and score) and the city's figures; 404 outside the
        caller's scope, as for a body that does not exist."""
        inc = selectors.incubator_get(request.user, code)
        figures = selectors.figures_of(inc) if inc is not None else None
        if inc is None or figures is None:
            raise NotFound("孵化机构不存在或不在您的管辖范围内")
        city = selectors.city_figures()
        return {
            **_item(figures),
            "policy_id": figures.policy_id,
            "policy_version": figures.policy_version,
            "gates": figures.gates,
            "scores": figures.scores,
            "city": _figures(city) if city is not None else None,
            "tutoring_given": selectors.tutoring_given(inc.code, figures.evaluation_year),
        }

    return router
