"""The 免申即享 benefits' JSON (django-ninja), scoped like the pages (the municipal office and evaluators all, a
district its district's enterprises', an enterprise its own); accounts are never in it unmasked. Registered on
the one ``NinjaAPI`` (``web/api.py`` imports this module at its end); access.ACCESS names the operations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Schema

from gaoqi.web.api import ERRORS, api
from gaoqi.web.benefits import selectors
from gaoqi.web.paging import api_page

NO_NUL = r"^[^\x00]*$"


class BenefitOut(Schema):
    id: int
    record_id: str = Field(description="the payment list's stable record id (MS + 8 digits)")
    uscc: str
    enterprise_name: str
    district_code: str
    policy_id: str
    policy_version: str
    period: str = Field(description="the as-of year (DEFAULT) or 'once' for a one-off award")
    amount: Decimal = Field(description="万元")
    status: str = Field(description="notified / confirmed / objected / payable / paid / failed / cancelled")
    as_of: dt.date
    ruleset_hash: str
    notified_on: dt.date
    window_ends: dt.date
    window_provisional: bool
    account_masked: str
    paid_on: dt.date | None
    payment_ref: str


class BenefitPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[BenefitOut]


class BenefitQuery(Schema):
    status: Annotated[str, Field(max_length=16, pattern=NO_NUL)] = ""
    policy_id: Annotated[str, Field(max_length=64, pattern=NO_NUL)] = ""
    district: Annotated[str, Field(max_length=6, pattern=NO_NUL)] = ""
    period: Annotated[str, Field(max_length=8, pattern=NO_NUL)] = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class BenefitTotalOut(Schema):
    district_code: str
    policy_id: str
    status: str
    n: int
    amount: Decimal = Field(description="万元")


def _item(b: Any) -> dict[str, Any]:
    e = b.enterprise
    return {
        "id": b.pk, "record_id": b.record_id, "uscc": e.uscc, "enterprise_name": e.name,
        "district_code": e.district_code, "policy_id": b.policy_id, "policy_version": b.policy_version,
        "period": b.period, "amount": b.amount, "status": b.status, "as_of": b.as_of, "ruleset_hash": b.ruleset_hash,
        "notified_on": b.notified_on, "window_ends": b.window_ends, "window_provisional": b.window_provisional,
        "account_masked": selectors.mask_account(b.account_number), "paid_on": b.paid_on, "payment_ref": b.payment_ref,
    }  # fmt: skip


@api.get("/benefits", response={200: BenefitPage, **ERRORS}, url_name="benefit_list")
def benefit_list(request: HttpRequest, params: Query[BenefitQuery]) -> dict[str, Any]:
    """免申即享 benefits the caller may see, the latest first, filtered by status, policy, district and period."""
    f = selectors.BenefitFilter(status=params.status, policy_id=params.policy_id, district=params.district,
                                period=params.period)  # fmt: skip
    return api_page(selectors.benefits_search(request.user, f), params.page, params.page_size, _item)


@api.get("/benefits/totals", response={200: list[BenefitTotalOut], **ERRORS}, url_name="benefit_totals")
def benefit_totals(request: HttpRequest) -> list[dict[str, Any]]:
    """Count and amount by district, policy and status (scoped: a district its own)."""
    return selectors.totals(request.user)
