"""The servicedesk operations of the JSON API (web/api.py adds this router under /api/servicedesk): the requests
the caller may see (paged), one request, filing (an enterprise for itself; no attachments through the API), the enterprise's rating, and the 三率 figures — scoped as the pages (access.ACCESS names them)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from gaoqi.web.api import ERRORS, NOT_FOUND, _write
from gaoqi.web.core.errors import NotFound
from gaoqi.web.paging import api_page
from gaoqi.web.servicedesk import selectors, services

router: Router = Router(tags=["企业诉求"])

PK = Annotated[int, Path(ge=1, le=2**62)]
WRITE_ERRORS: dict[int, Any] = {**NOT_FOUND, 409: NOT_FOUND[400]}

Category = Literal[
    "hte", "cultivation", "wrp", "housing", "financing", "space", "first_set", "stats", "policy", "other"
]
Status = Literal["", "filed", "accepted", "answered", "closed", "reopened"]


class ServiceDeskRequestOut(Schema):
    id: int
    uscc: str
    enterprise_name: str
    district_code: str
    category: str
    urgency: str
    channel: str
    event: int | None
    title: str
    status: str
    unit: str
    unit_name: str
    route_rule: str
    filed_on: date
    accept_due: date
    answer_due: date
    due_provisional: bool
    overdue: bool
    escalated_to: str | None
    resolved: str
    satisfaction: str
    reopen_count: int


class ServiceDeskRequestDetailOut(ServiceDeskRequestOut):
    description: str
    answer: str
    rating_comment: str


class ServiceDeskRequestPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ServiceDeskRequestOut]


class ServiceDeskRequestQuery(Schema):
    status: Status = ""
    category: Literal[
        "", "hte", "cultivation", "wrp", "housing", "financing", "space", "first_set", "stats", "policy", "other"
    ] = ""
    overdue: bool = False
    page: int = Field(1, ge=1, le=400)
    page_size: int = Field(25, ge=1, le=100)


class ServiceDeskFileIn(Schema):
    category: Category
    title: str = Field(..., min_length=1, max_length=100, pattern=r"\w")
    description: str = Field(..., min_length=1, max_length=5000, pattern=r"\w")
    urgency: Literal["", "EMERGENCY", "TIMELY", "GENERAL", "COMPLEX"] = ""


class ServiceDeskRateIn(Schema):
    resolved: Literal["YES", "PARTLY", "NO"]
    satisfaction: Literal["SATISFIED", "BASICALLY", "DISSATISFIED"]
    comment: str = Field("", max_length=2000)


class ServiceDeskRatesOut(Schema):
    key: str
    dispatched: int
    accepted_in_time: int
    answered_in_time: int
    rated: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    composite: float | None


class ServiceDeskStatsOut(Schema):
    by: str
    defaults: bool  # the formulas and weights are DEFAULTs (默认值，待确认)
    rows: list[ServiceDeskRatesOut]


class ServiceDeskStatsQuery(Schema):
    by: Literal["unit", "category", "district", "month"] = "unit"
    year: int | None = Field(None, ge=2019, le=2100)


def _out(r: Any, detail: bool = False) -> dict[str, Any]:
    out = {
        "id": r.pk, "uscc": r.uscc, "enterprise_name": r.enterprise_name, "district_code": r.district_code,
        "category": r.category, "urgency": r.urgency, "channel": r.channel, "event": r.event_id, "title": r.title,
        "status": r.status, "unit": r.unit.code, "unit_name": r.unit.name, "route_rule": r.route_rule,
        "filed_on": r.filed_on, "accept_due": r.accept_due, "answer_due": r.answer_due,
        "due_provisional": r.due_provisional,
        "overdue": selectors.is_overdue(r),
        "escalated_to": r.escalated_to.code if r.escalated_to_id else None, "resolved": r.resolved,
        "satisfaction": r.satisfaction, "reopen_count": r.reopen_count,
    }  # fmt: skip
    if detail:
        out |= {"description": r.description, "answer": r.answer, "rating_comment": r.rating_comment}
    return out


@router.get("/requests", response={200: ServiceDeskRequestPage, **ERRORS}, url_name="servicedesk_requests")
def requests(request: HttpRequest, params: Query[ServiceDeskRequestQuery]) -> dict[str, Any]:
    """The requests the caller may see, newest first: an enterprise its own, a district official its units' and
    its district's, the municipal office and evaluators all."""
    qs = selectors.requests_visible_to(request.user).select_related("unit", "escalated_to").order_by("-id")
    if params.status:
        qs = qs.filter(status=params.status)
    if params.category:
        qs = qs.filter(category=params.category)
    if params.overdue:
        qs = qs.filter(selectors.overdue_q())
    return api_page(qs, params.page, params.page_size, _out)


@router.get("/requests/{pk}", response={200: ServiceDeskRequestDetailOut, **NOT_FOUND}, url_name="servicedesk_request")
def request_detail(request: HttpRequest, pk: PK) -> dict[str, Any]:
    """One request (404 outside the caller's scope)."""
    r = selectors.request_get(request.user, pk)
    if r is None:
        raise NotFound("诉求不存在或不在您的管辖范围内")
    return _out(r, detail=True)


@router.post(
    "/filings", response={200: ServiceDeskRequestDetailOut, **WRITE_ERRORS}, url_name="servicedesk_request_file"
)
def request_file(request: HttpRequest, body: ServiceDeskFileIn) -> dict[str, Any]:
    """An enterprise files a request for itself (channel: the platform; attachments on the page). Officials
    record requests on behalf of enterprises on the pages (12345, service days, service packages)."""
    _write(request)
    r = services.request_file(request.user, category=body.category, title=body.title, description=body.description,
                              urgency=body.urgency)  # fmt: skip
    return _out(selectors.request_get(request.user, r.pk), detail=True)


@router.post(
    "/requests/{pk}/rate",
    response={200: ServiceDeskRequestDetailOut, **WRITE_ERRORS},
    url_name="servicedesk_request_rate",
)
def request_rate(request: HttpRequest, pk: PK, body: ServiceDeskRateIn) -> dict[str, Any]:
    """The filing enterprise rates the answer (once; 409 when the request is not answered)."""
    _write(request)
    services.request_rate(
        request.user, pk, resolved=body.resolved, satisfaction=body.satisfaction, comment=body.comment
    )
    return _out(selectors.request_get(request.user, pk), detail=True)


@router.get("/stats", response={200: ServiceDeskStatsOut, **ERRORS}, url_name="servicedesk_stats")
def stats(request: HttpRequest, params: Query[ServiceDeskStatsQuery]) -> dict[str, Any]:
    """三率 by unit, category, district or month over the caller's scope (formulas and weights: DEFAULTs)."""
    rows = selectors.stats(request.user, params.by, year=params.year)

    def key(k: Any) -> str:
        return k.strftime("%Y-%m") if hasattr(k, "strftime") else str(k)

    return {"by": params.by, "defaults": True, "rows": [
        {"key": key(r.key), "dispatched": r.dispatched, "accepted_in_time": r.accepted_in_time,
         "answered_in_time": r.answered_in_time, "rated": r.rated, "response_rate": r.response,
         "resolution_rate": r.resolution, "satisfaction_rate": r.satisfaction, "composite": r.composite}
        for r in rows]}  # fmt: skip
