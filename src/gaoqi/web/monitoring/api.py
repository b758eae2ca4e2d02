"""监测预警's JSON API (django-ninja; ``web/api.py`` imports this module at its end): the warnings the caller may see
(paged by key: ``after`` the last id seen, newest first), one warning with its evidence and log, and the district's
moves (acknowledge, handle with the action taken, dismiss with a reason) — scoped as the pages; access.ACCESS names
the operations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Schema

from gaoqi.web.api import ERRORS, NOT_FOUND, _write, api
from gaoqi.web.core.errors import NotFound
from gaoqi.web.monitoring import selectors, services

PK = Annotated[int, Path(ge=1, le=2**62)]
NO_NUL = r"^[^\x00]*$"
WRITE_ERRORS: dict[int, Any] = {**NOT_FOUND, 409: NOT_FOUND[400]}


class EvidenceOut(Schema):
    feature: str | None = None
    label: str | None = None
    value: Any = None
    unit: str | None = None
    feed: str | None = None
    file: str | None = None
    line: int | None = None


class WarningOut(Schema):
    id: int
    uscc: str
    enterprise_name: str
    district_code: str
    rule_id: str
    rule_version: str
    name: str
    severity: str = Field(description="INFO / WARN / HIGH / CRITICAL")
    status: str = Field(description="open / acknowledged / handled / dismissed / closed")
    opened_on: date
    due_on: date
    overdue: bool
    escalated_at: datetime | None
    opened_snapshot: int
    last_seen_snapshot: int
    closed_snapshot: int | None
    action: str = Field(description="interview / check / referral, once handled")


class LogOut(Schema):
    at: datetime
    action: str
    source: str
    target: str
    actor: str
    comment: str


class WarningDetailOut(WarningOut):
    evidence: list[EvidenceOut]
    articles: list[str]
    action_note: str
    dismiss_reason: str
    close_reason: str
    referral_id: int | None
    log: list[LogOut]


class WarningPage(Schema):
    items: list[WarningOut]
    next_after: str = Field(description="the key of the next page (pass as after); empty on the last page")


class WarningQuery(Schema):
    status: Literal["open", "all", "acknowledged", "handled", "dismissed", "closed"] = "open"
    district: Annotated[str, Field(max_length=6, pattern=NO_NUL)] = ""
    rule: Annotated[str, Field(max_length=64, pattern=NO_NUL)] = ""
    severity: Literal["", "INFO", "WARN", "HIGH", "CRITICAL"] = ""
    escalated: bool = False
    after: Annotated[str, Field(max_length=20, pattern=r"^\d*$")] = ""
    page_size: int = Field(50, ge=1, le=200)


class WarningHandleIn(Schema):
    how: Literal["interview", "check", "referral"] = Field(
        description="约谈 / 核查 / 移送撤销 (opens the revocation path)"
    )
    comment: str = Field(..., min_length=1, max_length=5000, pattern=r"\w")
    seen: Literal["", "open", "acknowledged", "handled", "dismissed", "closed"] = ""


class WarningDismissIn(Schema):
    reason: str = Field(..., min_length=1, max_length=5000, pattern=r"\w")
    seen: Literal["", "open", "acknowledged", "handled", "dismissed", "closed"] = ""


class WarningAcknowledgeIn(Schema):
    seen: Literal["", "open", "acknowledged", "handled", "dismissed", "closed"] = ""


def _out(w: Any, *, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": w.pk, "uscc": w.enterprise.uscc, "enterprise_name": w.enterprise.name, "district_code": w.district_code,
        "rule_id": w.rule_id, "rule_version": w.rule_version, "name": w.name, "severity": w.severity,
        "status": w.status, "opened_on": w.opened_on, "due_on": w.due_on,
        "overdue": selectors.is_overdue(w), "escalated_at": w.escalated_at,
        "opened_snapshot": w.opened_snapshot_id, "last_seen_snapshot": w.last_seen_snapshot_id,
        "closed_snapshot": w.closed_snapshot_id, "action": w.action,
    }  # fmt: skip
    if detail:
        out.update(
            evidence=list(w.evidence or []), articles=list(w.articles or []), action_note=w.action_note,
            dismiss_reason=w.dismiss_reason, close_reason=w.close_reason, referral_id=w.referral_id,
            log=[{"at": x.at, "action": x.action, "source": x.source, "target": x.target,
                  "actor": x.actor.username if x.actor else "", "comment": x.comment} for x in selectors.history(w)],
        )  # fmt: skip
    return out


@api.get("/warnings", response={200: WarningPage, **ERRORS}, url_name="monitoring_warnings", tags=["监测预警"])
def warnings(request: HttpRequest, params: Query[WarningQuery]) -> dict[str, Any]:
    """The warnings the caller may see (a district official its district's), newest first, filtered; paged by key."""
    f = selectors.WarningFilter(status=params.status, district=params.district, rule=params.rule,
                                severity=params.severity, escalated=params.escalated)  # fmt: skip
    page = selectors.key_page(selectors.warning_list(request.user, f), params.after, params.page_size)
    return {"items": [_out(w) for w in page.rows], "next_after": page.next_after}


def _get(request: HttpRequest, pk: int) -> Any:
    w = selectors.warning_get(request.user, pk)
    if w is None:
        raise NotFound("预警不存在或不在您的管辖范围内")
    return w


@api.get("/warnings/{pk}", response={200: WarningDetailOut, **NOT_FOUND}, url_name="monitoring_warning",
         tags=["监测预警"])  # fmt: skip
def warning(request: HttpRequest, pk: PK) -> dict[str, Any]:
    """One warning with its evidence (values with feed, file and line), its articles and its log."""
    return _out(_get(request, pk), detail=True)


@api.post("/warnings/{pk}/acknowledge", response={200: WarningDetailOut, **WRITE_ERRORS},
          url_name="monitoring_warning_acknowledge", tags=["监测预警"])  # fmt: skip
def warning_acknowledge(request: HttpRequest, pk: PK, body: WarningAcknowledgeIn) -> dict[str, Any]:
    """签收 (409 when the warning has moved meanwhile)."""
    _write(request)
    _get(request, pk)
    services.warning_acknowledge(request.user, pk, seen=body.seen or None)
    return _out(_get(request, pk), detail=True)


@api.post("/warnings/{pk}/handle", response={200: WarningDetailOut, **WRITE_ERRORS},
          url_name="monitoring_warning_handle", tags=["监测预警"])  # fmt: skip
def warning_handle(request: HttpRequest, pk: PK, body: WarningHandleIn) -> dict[str, Any]:
    """处置 with the action taken (interview, check, referral: the enterprise is referred to the municipal office's
    revocation path with the comment as its reasons) and a note (409 when the warning has moved meanwhile)."""
    _write(request)
    _get(request, pk)
    services.warning_handle(request.user, pk, action=body.how, note=body.comment, seen=body.seen or None)
    return _out(_get(request, pk), detail=True)


@api.post("/warnings/{pk}/dismiss", response={200: WarningDetailOut, **WRITE_ERRORS},
          url_name="monitoring_warning_dismiss", tags=["监测预警"])  # fmt: skip
def warning_dismiss(request: HttpRequest, pk: PK, body: WarningDismissIn) -> dict[str, Any]:
    """排除 with a reason (409 when the warning has moved meanwhile)."""
    _write(request)
    _get(request, pk)
    services.warning_dismiss(request.user, pk, reason=body.reason, seen=body.seen or None)
    return _out(_get(request, pk), detail=True)
