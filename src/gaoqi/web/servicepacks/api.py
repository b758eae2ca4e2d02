"""The service packages' JSON operations (registered on the one ``NinjaAPI``: ``web/api.py`` imports this module
at its end): packages (list, detail with the year's summary), items (scoped list, one item's status). Access:
access.ACCESS names every operation; the selectors scope them."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema

from gaoqi.web.api import NOT_FOUND, api
from gaoqi.web.core import clock
from gaoqi.web.core.errors import NotFound
from gaoqi.web.paging import api_page
from gaoqi.web.servicepacks import selectors


class ServicePackageOut(Schema):
    id: int
    uscc: str
    enterprise_name: str
    district_code: str
    year: int
    municipal_steward: str
    district_steward: str


class ServicePackagePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ServicePackageOut]


class ServicePackageItemOut(Schema):
    id: int
    package_id: int
    need: str
    category: str
    complex_item: bool
    unit_code: str
    unit_name: str
    handler: str
    status: str
    assigned_on: dt.date
    limit_workdays: int
    due_on: dt.date
    due_provisional: bool
    overdue: bool = Field(description="due date passed (due today is not overdue) and not done or cancelled")
    done_on: dt.date | None
    result: str
    round: int
    rating: str = Field(description='satisfied / basic / unsatisfied; "" until rated')


class ServicePackageItemPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ServicePackageItemOut]


class ServicePackageUnitOut(Schema):
    unit: str
    items: int
    done: int
    on_time: int
    overdue: int


class ServicePackageSummaryOut(Schema):
    total: int
    by_status: dict[str, int]
    done: int
    on_time: int
    on_time_rate: float | None = Field(description="done on or before the due date, of the done items")
    overdue: int
    rated: int
    by_rating: dict[str, int]
    average_rating: float | None = Field(description="满意 3, 基本满意 2, 不满意 1 (DEFAULT scale)")
    by_unit: list[ServicePackageUnitOut]


class ServicePackageDetailOut(ServicePackageOut):
    summary: ServicePackageSummaryOut
    items: list[ServicePackageItemOut]


class ServicePackageQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(100, ge=1, le=1000)


class ServicePackageItemQuery(Schema):
    status: Literal["", "assigned", "accepted", "returned", "done", "cancelled"] = ""
    overdue: bool = False
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(100, ge=1, le=1000)


def _pkg(p: Any) -> dict[str, Any]:
    return {"id": p.pk, "uscc": p.enterprise.uscc, "enterprise_name": p.enterprise.name,
            "district_code": p.district_code, "year": p.year, "municipal_steward": p.municipal_steward.username,
            "district_steward": p.district_steward.username}  # fmt: skip


def _item(i: Any, today: dt.date) -> dict[str, Any]:
    return {"id": i.pk, "package_id": i.package_id, "need": i.need, "category": i.category,
            "complex_item": i.complex_item, "unit_code": i.unit.code, "unit_name": i.unit.name,
            "handler": i.handler.username, "status": i.status, "assigned_on": i.assigned_on,
            "limit_workdays": i.limit_workdays, "due_on": i.due_on, "due_provisional": i.due_provisional,
            "overdue": selectors.is_overdue(i, today), "done_on": i.done_on, "result": i.result, "round": i.round,
            "rating": i.rating}  # fmt: skip


@api.get("/service-packages", response={200: ServicePackagePage, **NOT_FOUND}, url_name="service_package_list")
def service_package_list(request: HttpRequest, params: Query[ServicePackageQuery]) -> dict[str, Any]:
    """The service packages of the 规升强 list the caller sees (municipal and evaluators all, a district its own,
    an enterprise its own), the latest first."""
    qs = selectors.packages_visible_to(request.user)
    if params.year:
        qs = qs.filter(year=params.year)
    return api_page(qs.order_by("-year", "-id"), params.page, params.page_size, _pkg)


@api.get("/service-packages/items", response={200: ServicePackageItemPage, **NOT_FOUND},
         url_name="service_package_items")  # fmt: skip
def service_package_items(request: HttpRequest, params: Query[ServicePackageItemQuery]) -> dict[str, Any]:
    """The service-package items the caller sees (its packages' and its units'), by due date."""
    today = clock.today()
    qs = selectors.items_visible_to(request.user).select_related("unit", "handler")
    if params.status:
        qs = qs.filter(status=params.status)
    if params.overdue:
        qs = qs.filter(status__in=selectors.OPEN, due_on__lt=today)
    return api_page(qs.order_by("due_on", "id"), params.page, params.page_size, lambda i: _item(i, today))


@api.get("/service-packages/items/{pk}", response={200: ServicePackageItemOut, **NOT_FOUND},
         url_name="service_package_item")  # fmt: skip
def service_package_item(request: HttpRequest, pk: int) -> dict[str, Any]:
    """One item's status, due date, result and rating."""
    item = selectors.items_visible_to(request.user).select_related("unit", "handler").filter(pk=pk).first()
    if item is None:
        raise NotFound("服务事项不存在或不在您的管辖范围内")
    return _item(item, clock.today())


@api.get("/service-packages/{pk}", response={200: ServicePackageDetailOut, **NOT_FOUND},
         url_name="service_package_detail")  # fmt: skip
def service_package_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """One package with its items and the year's summary (items by status, on-time rate, average rating, by unit)."""
    pkg = selectors.package_get(request.user, pk)
    if pkg is None:
        raise NotFound("服务包不存在或不在您的管辖范围内")
    today = clock.today()
    items = list(pkg.items.select_related("unit", "handler").order_by("id"))
    s = selectors.summary(pkg, today, items)
    summary = {"total": s.total, "by_status": s.by_status, "done": s.done, "on_time": s.on_time,
               "on_time_rate": s.on_time_rate, "overdue": s.overdue, "rated": s.rated, "by_rating": s.by_rating,
               "average_rating": s.average_rating,
               "by_unit": [vars(u) for u in s.by_unit]}  # fmt: skip
    return {**_pkg(pkg), "summary": summary, "items": [_item(i, today) for i in items]}
