"""The 快申快享 JSON operations (registered on the one ``NinjaAPI``: web/api.py imports this module at its end):
the applications the caller may see (list, one with its shared data, self-check and history) and the
enterprise's submission. Scoped as the pages; access.ACCESS names every operation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Schema

from gaoqi.web.api import NOT_FOUND, PK, WRITE_ERRORS, _write, api
from gaoqi.web.core import clock
from gaoqi.web.core.errors import NotFound
from gaoqi.web.paging import api_page
from gaoqi.web.quickapply import selectors, services
from gaoqi.web.quickapply import workflow as wf


class QuickApplyOut(Schema):
    id: int
    uscc: str
    enterprise_name: str
    district_code: str
    policy_id: str
    policy_name: str
    policy_version: str
    period: str
    responsible_district: str
    status: str
    status_label: str
    time_limit_days: int
    time_limit_unconfirmed: bool
    decision_due: dt.date | None
    decision_due_provisional: bool
    overdue: bool
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None


class QuickApplyPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[QuickApplyOut]


class QuickApplyValueOut(Schema):
    feature: str
    value: Any
    source: str


class QuickApplyMoveOut(Schema):
    at: dt.datetime
    action: str
    source: str
    target: str
    comment: str


class QuickApplyDetailOut(QuickApplyOut):
    as_of: dt.date
    values: list[QuickApplyValueOut]
    declarations: list[str]
    self_check: dict[str, Any]
    history: list[QuickApplyMoveOut]


class QuickApplyQuery(Schema):
    status: str = Field("", pattern=r"^(|draft|submitted|returned|approved|rejected|withdrawn)$")
    policy: str = Field("", max_length=64, pattern=r"^[a-z0-9\-]*$")
    overdue: bool = False
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


def _out(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk, "uscc": a.uscc, "enterprise_name": a.enterprise_name, "district_code": a.district_code,
        "policy_id": a.policy_id, "policy_name": a.policy_name, "policy_version": a.policy_version,
        "period": a.period, "responsible_district": a.responsible_district, "status": a.status,
        "status_label": wf.STATUS_LABELS[a.status], "time_limit_days": a.time_limit_days,
        "time_limit_unconfirmed": a.time_limit_unconfirmed, "decision_due": a.decision_due,
        "decision_due_provisional": a.decision_due_provisional,
        "overdue": selectors.is_overdue(a, clock.today()), "submitted_at": a.submitted_at, "decided_at": a.decided_at,
    }  # fmt: skip


def _detail(a: Any) -> dict[str, Any]:
    values = [{"feature": n, "value": v.get("value"), "source": v.get("source", "")}
              for n, v in sorted(a.prefill.get("values", {}).items())]  # fmt: skip
    history = [{"at": log.at, "action": log.action, "source": log.source, "target": log.target, "comment": log.comment}
               for log in selectors.history(a)]  # fmt: skip
    return {**_out(a), "as_of": a.as_of, "values": values, "declarations": sorted(a.declarations),
            "self_check": a.self_check, "history": history}  # fmt: skip


@api.get("/quick-apply/applications", response={200: QuickApplyPage, **NOT_FOUND}, url_name="quickapply_list")
def quickapply_list(request: HttpRequest, params: Query[QuickApplyQuery]) -> dict[str, Any]:
    """快申快享 applications the caller may see (municipal and evaluators all; a district its enterprises' and those
    it decides; an enterprise its own), the oldest deadline first."""
    qs = selectors.applications_visible_to(request.user)
    if params.status:
        qs = qs.filter(status=params.status)
    if params.policy:
        qs = qs.filter(policy_id=params.policy)
    if params.overdue:
        qs = qs.filter(status=wf.SUBMITTED, decision_due__lt=clock.today())
    return api_page(qs.order_by("decision_due", "pk"), params.page, params.page_size, _out)


def _get(request: HttpRequest, pk: int) -> Any:
    app = selectors.application_get(request.user, pk)
    if app is None:
        raise NotFound("申请不存在或不在您的管辖范围内")
    return app


@api.get("/quick-apply/applications/{pk}", response={200: QuickApplyDetailOut, **NOT_FOUND},
         url_name="quickapply_detail")  # fmt: skip
def quickapply_detail(request: HttpRequest, pk: PK) -> dict[str, Any]:
    """One application: its locked shared data with sources, attestations, the last self-check and its moves."""
    return _detail(_get(request, pk))


@api.post("/quick-apply/applications/{pk}/submit", response={200: QuickApplyDetailOut, **WRITE_ERRORS},
          url_name="quickapply_submit")  # fmt: skip
def quickapply_submit(request: HttpRequest, pk: PK) -> dict[str, Any]:
    """The enterprise submits its draft (or resubmits a returned application). A failing self-check answers 400
    with the reasons; another enterprise's application 404; an application no longer in draft 409."""
    _write(request)
    app = _get(request, pk)
    action = "resubmit" if app.status == wf.RETURNED else "submit"
    return _detail(services.application_transition(request.user, app, action))
