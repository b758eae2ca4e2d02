"""政策推送's JSON list (django-ninja): the messages the caller may see — an enterprise its own (its inbox), a
district official its district's enterprises', the municipal office and evaluators all — with the result each
came from (snapshot, result id, policy version, rule-set hash) and whether it was read. Registered on the one
``NinjaAPI`` (``web/api.py`` imports this module at its end); access.ACCESS names the operation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Schema

from gaoqi.web.api import ERRORS, api
from gaoqi.web.paging import api_page
from gaoqi.web.push import selectors

NO_NUL = r"^[^\x00]*$"


class PushMessageOut(Schema):
    id: int
    uscc: str
    kind: str = Field(description="qualifies / near_miss / no_longer / needs_data / notice")
    category: str = Field(description="reward / tax / certification / other; compliance / decision (mandatory)")
    mandatory: bool
    policy_id: str
    policy_version: str
    snapshot_id: int | None
    result_id: int | None
    ruleset_hash: str
    created_at: datetime
    pushed_at: datetime | None = Field(description="when e-mail / SMS deliveries were queued; null: inbox only")
    read_at: datetime | None


class PushMessagePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PushMessageOut]


class PushMessageQuery(Schema):
    policy: Annotated[str, Field(max_length=64, pattern=NO_NUL)] = ""
    kind: Annotated[str, Field(max_length=16, pattern=NO_NUL)] = ""
    district: Annotated[str, Field(max_length=6, pattern=NO_NUL)] = ""
    read: Annotated[str, Field(max_length=8, pattern=r"^(|read|unread)$")] = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


def _item(m: Any) -> dict[str, Any]:
    return {
        "id": m.pk, "uscc": m.enterprise.uscc, "kind": m.kind, "category": m.category, "mandatory": m.mandatory,
        "policy_id": m.policy_id, "policy_version": m.policy_version, "snapshot_id": m.snapshot_id,
        "result_id": m.result_id, "ruleset_hash": m.ruleset_hash, "created_at": m.created_at,
        "pushed_at": m.pushed_at, "read_at": m.read_at,
    }  # fmt: skip


@api.get("/push/messages", response={200: PushMessagePage, **ERRORS}, url_name="push_messages")
def push_messages(request: HttpRequest, params: Query[PushMessageQuery]) -> dict[str, Any]:
    """Policy-push messages (政策推送) the caller may see, the latest first, filtered by policy, kind, district,
    read state and date."""
    f = selectors.LogFilter(policy=params.policy, kind=params.kind, district=params.district, read=params.read,
                            date_from=params.date_from, date_to=params.date_to)  # fmt: skip
    return api_page(selectors.log(request.user, f).prefetch_related(None), params.page, params.page_size, _item)
