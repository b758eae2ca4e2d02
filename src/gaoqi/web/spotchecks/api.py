"""The spot checks' JSON (django-ninja): the cases the caller may see (scoped like the pages: the municipal office
and evaluators all, a district its district's and those it inspects, an enterprise its own), with their draw, why
each was selected, the inspectors' names and the result. Registered on the one ``NinjaAPI`` (``web/api.py``
imports this module at its end); access.ACCESS names the operation."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Schema

from gaoqi.web.api import ERRORS, api
from gaoqi.web.paging import api_page
from gaoqi.web.spotchecks import selectors
from gaoqi.web.spotchecks.sampling import REASONS
from gaoqi.web.spotchecks.workflow import STATUS_LABELS

NO_NUL = r"^[^\x00]*$"


class SpotCheckOut(Schema):
    id: int
    year: int
    seed: str = Field(description="the draw's recorded seed (public)")
    population_hash: str = Field(description="SHA-256 of the frozen population's sorted USCC list")
    uscc: str
    enterprise_name: str
    district_code: str
    stratum: str = Field(description="district/certification year")
    reasons: list[str] = Field(description="random / critical / high / pilot")
    inspectors: list[str] = Field(description="the assigned inspectors' names, in assignment order")
    status: str = Field(description="drawn / checking / passed / failed")
    result_reasons: str
    checked_at: dt.datetime | None
    referral_id: int | None = Field(description="the revocation referral a failed check opened")


class SpotCheckPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[SpotCheckOut]


class SpotCheckQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    district: Annotated[str, Field(max_length=6, pattern=NO_NUL)] = ""
    status: Annotated[str, Field(max_length=12, pattern=NO_NUL)] = ""
    reason: Annotated[str, Field(max_length=12, pattern=NO_NUL)] = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


def _item(c: Any) -> dict[str, Any]:
    return {
        "id": c.pk, "year": c.draw.year, "seed": c.draw.seed, "population_hash": c.draw.population_hash,
        "uscc": c.uscc, "enterprise_name": c.enterprise_name, "district_code": c.district_code, "stratum": c.stratum,
        "reasons": list(c.reasons), "inspectors": [a.inspector.name for a in c.assignments.all()],
        "status": c.status, "result_reasons": c.result_reasons, "checked_at": c.checked_at,
        "referral_id": c.referral_id,
    }  # fmt: skip


@api.get("/spot-checks", response={200: SpotCheckPage, **ERRORS}, url_name="spotcheck_cases")
def spotcheck_cases(request: HttpRequest, params: Query[SpotCheckQuery]) -> dict[str, Any]:
    """双随机 spot-check cases the caller may see, by year (latest first) and draw order, filtered by year,
    district, status and reason."""
    f = selectors.CaseFilter(
        year=params.year, district=params.district,
        status=params.status if params.status in STATUS_LABELS else "",
        reason=params.reason if params.reason in REASONS else "",
    )  # fmt: skip
    return api_page(selectors.cases_search(request.user, f), params.page, params.page_size, _item)
