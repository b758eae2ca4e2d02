"""The support records' JSON list (django-ninja), scoped like the pages: the municipal office and evaluators
all, a district its district's enterprises', an incubator its incubated ones', an enterprise its own. Registered
on the one ``NinjaAPI`` (``web/api.py`` imports this module at its end); access.ACCESS names the operation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Schema

from gaoqi.web.api import ERRORS, api
from gaoqi.web.paging import api_page
from gaoqi.web.support import selectors

NO_NUL = r"^[^\x00]*$"


class SupportRecordOut(Schema):
    id: int
    uscc: str
    enterprise_name: str
    district_code: str
    category: str = Field(description="financing / technology / market / talent / space (support/kinds.yaml)")
    kind: str = Field(description="the kind within the category (support/kinds.yaml)")
    on: date
    unit: str = Field(description="the responsible unit's code (units app)")
    unit_name: str
    details: dict[str, str] = Field(description="the kind's declared fields, as entered")
    amount: Decimal | None = Field(description="万元; null when the kind has none")
    note: str
    allocation_id: int | None = Field(description="the talent quota allocation the record stands for")


class SupportRecordPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[SupportRecordOut]


class SupportRecordQuery(Schema):
    list_id: Annotated[str, Field(max_length=64, pattern=NO_NUL)] = ""
    category: Annotated[str, Field(max_length=16, pattern=NO_NUL)] = ""
    district: Annotated[str, Field(max_length=6, pattern=NO_NUL)] = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


def _item(r: Any) -> dict[str, Any]:
    e = r.enterprise
    return {
        "id": r.pk, "uscc": e.uscc, "enterprise_name": e.name, "district_code": e.district_code,
        "category": r.category, "kind": r.kind, "on": r.on, "unit": r.unit.code, "unit_name": r.unit.name,
        "details": {k: str(v) for k, v in r.details.items()}, "amount": r.amount, "note": r.note,
        "allocation_id": r.allocation_id,
    }  # fmt: skip


@api.get("/support/records", response={200: SupportRecordPage, **ERRORS}, url_name="support_records")
def support_records(request: HttpRequest, params: Query[SupportRecordQuery]) -> dict[str, Any]:
    """Support records (定向支持记录) the caller may see, the latest first, filtered by list (current members of
    small-to-above-scale / above-scale-to-strong), category and district."""
    f = selectors.RecordFilter(list_id=params.list_id, category=params.category, district=params.district)
    return api_page(selectors.records_search(request.user, f), params.page, params.page_size, _item)
