"""政策沙盘's JSON reads (django-ninja): the drafts with their status, dates, policy file text and last try, for
the municipal office only (access.ACCESS). Registered on the one ``NinjaAPI`` (``web/api.py`` imports this module
at its end). Writes go through the pages: four-eyes publication is a person's act."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Schema

from gaoqi.web.api import ERRORS, NOT_FOUND, api
from gaoqi.web.core.errors import NotFound
from gaoqi.web.drafting import selectors
from gaoqi.web.paging import api_page


class PolicyDraftOut(Schema):
    id: int
    policy_id: str
    new_version: bool = Field(description="true: a new version of a policy in the catalogue")
    name: str
    version_id: str
    valid_from: date
    valid_to: date | None
    status: str = Field(description="draft / submitted / published / returned (drafting/workflow.py)")
    author: str
    approved_by: str | None
    published_at: datetime | None
    published_file: str


class PolicyDraftDetailOut(PolicyDraftOut):
    yaml_text: str = Field(description="the policy file the draft renders to (as published, once published)")
    spec: dict[str, Any]
    try_result: dict[str, Any] | None = Field(description="the last try over the published snapshot")


class PolicyDraftPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PolicyDraftOut]


class PolicyDraftQuery(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


def _item(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk, "policy_id": d.policy_id, "new_version": d.new_version, "name": d.name,
        "version_id": d.version_id, "valid_from": d.valid_from, "valid_to": d.valid_to, "status": d.status,
        "author": d.author.username, "approved_by": d.approved_by.username if d.approved_by else None,
        "published_at": d.published_at, "published_file": d.published_file,
    }  # fmt: skip


@api.get("/policy-drafts", response={200: PolicyDraftPage, **ERRORS}, url_name="policy_draft_list")
def policy_draft_list(request: HttpRequest, params: Query[PolicyDraftQuery]) -> dict[str, Any]:
    """Policy drafts (政策沙盘), the latest first."""
    return api_page(selectors.drafts_visible_to(request.user), params.page, params.page_size, _item)


@api.get("/policy-drafts/{pk}", response={200: PolicyDraftDetailOut, **NOT_FOUND}, url_name="policy_draft")
def policy_draft(request: HttpRequest, pk: int) -> dict[str, Any]:
    """One policy draft with its policy file text and its last try."""
    if not (0 < pk < 2**63):
        raise NotFound("没有该政策草稿")
    d = selectors.draft_get(request.user, pk)
    if d is None:
        raise NotFound("没有该政策草稿")
    return {**_item(d), "yaml_text": d.yaml_text, "spec": d.spec, "try_result": d.try_result}
