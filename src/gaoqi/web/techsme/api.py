"""The tech-SME operations of the JSON API (web/api.py adds this router under /api/tech-sme): the registrations
the caller may see, and one evaluation's self-check — both scoped as the pages (access.ACCESS names them)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from gaoqi.web.api import ERRORS, NOT_FOUND
from gaoqi.web.core.errors import NotFound
from gaoqi.web.paging import api_page
from gaoqi.web.techsme import selectors, selfcheck

router: Router = Router(tags=["科技型中小企业评价"])

PK = Annotated[int, Path(ge=1, le=2**62)]


class RegistrationOut(Schema):
    number: str
    uscc: str
    name: str
    district_code: str
    year: int
    registered_on: date
    updated_year: int
    valid_until: date
    status: str
    revoked_on: date | None
    revoke_reason: str


class RegistrationPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[RegistrationOut]


class RegistrationQuery(Schema):
    status: Literal["", "valid", "revoked"] = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


class TechSmeScoreOut(Schema):
    id: str
    label: str
    article: str
    max: int | None
    points: str
    grade: str


class CheckConditionOut(Schema):
    id: str
    label: str
    article: str
    kind: str
    outcome: str


class SelfCheckOut(Schema):
    evaluation: int
    uscc: str
    year: int
    status: str
    policy_version: str
    rd_indicator: str
    scores: list[TechSmeScoreOut]
    total: str
    pass_min: int
    score_passed: bool
    conditions: list[CheckConditionOut]
    missing: list[str]
    blocking: list[str]
    passed: bool


@router.get("/registrations", response={200: RegistrationPage, **ERRORS}, url_name="techsme_registrations")
def registrations(request: HttpRequest, params: Query[RegistrationQuery]) -> dict[str, Any]:
    """The tech-SME registrations (入库登记) the caller may see: municipal and evaluators all, a district its own,
    an enterprise its own."""
    qs = selectors.registrations_visible_to(request.user).order_by("number")
    if params.status:
        qs = qs.filter(status=params.status)

    def item(r: Any) -> dict[str, Any]:
        return {"number": r.number, "uscc": r.uscc, "name": r.enterprise_name, "district_code": r.district_code,
                "year": r.year, "registered_on": r.registered_on, "updated_year": r.updated_year,
                "valid_until": r.valid_until, "status": r.status, "revoked_on": r.revoked_on,
                "revoke_reason": r.revoke_reason}  # fmt: skip

    return api_page(qs, params.page, params.page_size, item)


@router.get("/evaluations/{pk}/self-check", response={200: SelfCheckOut, **NOT_FOUND}, url_name="techsme_self_check")
def self_check(request: HttpRequest, pk: PK) -> dict[str, Any]:
    """One evaluation's self-check, computed now (not stored): each indicator's score, the total against the
    policy's pass mark, every condition, what is missing and what blocks submission."""
    ev = selectors.evaluation_get(request.user, pk)
    if ev is None:
        raise NotFound("评价不存在或不在您的管辖范围内")
    check = selfcheck.self_check(ev)
    return {"evaluation": ev.pk, "uscc": ev.uscc, "year": ev.year, "status": ev.status, **check}
