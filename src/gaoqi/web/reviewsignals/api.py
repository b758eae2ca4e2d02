"""审查风险提示's JSON API (django-ninja; ``web/api.py`` imports this module at its end): the signals the caller
may see (the municipal office all, a district official its district's; paged by key: ``after`` the last id seen,
newest first), and the reviewer's conclusion — scoped as the pages; access.ACCESS names the operations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Schema

from gaoqi.web.api import ERRORS, NOT_FOUND, _write, api
from gaoqi.web.core.errors import NotFound
from gaoqi.web.reviewsignals import selectors, services

PK = Annotated[int, Path(ge=1, le=2**62)]
NO_NUL = r"^[^\x00]*$"
WRITE_ERRORS: dict[int, Any] = {**NOT_FOUND, 409: NOT_FOUND[400]}
STATUS = Literal["", "open", "concluded", "cleared"]


class SignalEvidenceOut(Schema):
    label: str
    value: Any = None
    feed: str = ""
    file: str = ""
    line: int | None = None


class SignalOut(Schema):
    id: int
    application_id: int
    uscc: str
    enterprise_name: str
    district_code: str
    batch_year: int
    kind: str
    kind_label: str
    summary: str
    evidence: list[SignalEvidenceOut]
    related_usccs: list[str] = Field(description="the related applicants the caller may see (its jurisdiction)")
    related_count: int = Field(description="every related applicant, seen or not")
    status: str = Field(description="open / concluded / cleared")
    first_seen_on: date
    first_seen_snapshot: int
    last_seen_snapshot: int
    cleared_snapshot: int | None
    conclusion: str = Field(description="confirmed (属实) / explained (已作说明) / unfounded (不成立), once concluded")
    conclusion_note: str
    concluded_by: str
    concluded_at: datetime | None
    notice: str = Field(description="供参考，不作为认定结论")


class SignalPage(Schema):
    items: list[SignalOut]
    next_after: str = Field(description="the key of the next page (pass as after); empty on the last page")


class SignalQuery(Schema):
    status: Literal["open", "all", "concluded", "cleared"] = "open"
    kind: Annotated[str, Field(max_length=40, pattern=NO_NUL)] = ""
    district: Annotated[str, Field(max_length=6, pattern=NO_NUL)] = ""
    year: int | None = Field(None, ge=2000, le=2100)
    after: Annotated[str, Field(max_length=20, pattern=r"^\d*$")] = ""
    page_size: int = Field(50, ge=1, le=200)


class ConcludeIn(Schema):
    conclusion: Literal["confirmed", "explained", "unfounded"] = Field(description="属实 / 已作说明 / 不成立")
    note: str = Field(..., min_length=1, max_length=5000, pattern=r"\w")
    seen: STATUS = ""


def _out(s: Any, x: dict[str, Any]) -> dict[str, Any]:
    """One signal as the caller may read it (``x``: ``selectors.shown``'s row: the related applicants the caller may
    know, the others withheld from the summary and the evidence)."""
    evidence = [{k: e.get(k) for k in ("label", "value", "feed", "file", "line")} for e in x["evidence"]]
    return {
        "id": s.pk, "application_id": s.application_id, "uscc": s.uscc,
        "enterprise_name": s.application.enterprise_name, "district_code": s.district_code,
        "batch_year": s.batch_year, "kind": s.kind, "kind_label": x["kind"], "summary": x["summary"],
        "evidence": evidence, "related_usccs": [u for u, _ in x["related"]],
        "related_count": x["related_count"], "status": s.status,
        "first_seen_on": s.first_seen_on, "first_seen_snapshot": s.first_seen_snapshot_id,
        "last_seen_snapshot": s.last_seen_snapshot_id, "cleared_snapshot": s.cleared_snapshot_id,
        "conclusion": s.conclusion, "conclusion_note": s.conclusion_note,
        "concluded_by": s.concluded_by.username if s.concluded_by else "", "concluded_at": s.concluded_at,
        "notice": selectors.DISCLAIMER,
    }  # fmt: skip


def _outs(request: HttpRequest, rows: list[Any]) -> list[dict[str, Any]]:
    return [_out(s, x) for s, x in zip(rows, selectors.shown(request.user, rows), strict=True)]


@api.get("/review-signals", response={200: SignalPage, **ERRORS}, url_name="reviewsignals_list",
         tags=["审查风险提示"])  # fmt: skip
def signals(request: HttpRequest, params: Query[SignalQuery]) -> dict[str, Any]:
    """The review signals the caller may see (a district official its district's), newest first, filtered by
    status, kind, district and batch year; paged by key. For reference, never a certification finding."""
    f = selectors.SignalFilter(status=params.status, kind=params.kind, district=params.district, year=params.year)
    page = selectors.key_page(selectors.signal_list(request.user, f), params.after, params.page_size)
    return {"items": _outs(request, page.rows), "next_after": page.next_after}


def _get(request: HttpRequest, pk: int) -> Any:
    s = selectors.signal_get(request.user, pk)
    if s is None or request.user.role not in selectors.LIST_ROLES:
        raise NotFound("风险提示不存在或不在您的管辖范围内")
    return s


@api.post("/review-signals/{pk}/conclude", response={200: SignalOut, **WRITE_ERRORS},
          url_name="reviewsignals_conclude", tags=["审查风险提示"])  # fmt: skip
def signal_conclude(request: HttpRequest, pk: PK, body: ConcludeIn) -> dict[str, Any]:
    """The reviewer's conclusion with a note (409 when another reviewer concluded it meanwhile)."""
    _write(request)
    _get(request, pk)
    services.signal_conclude(request.user, pk, conclusion=body.conclusion, note=body.note, seen=body.seen or None)
    return _outs(request, [_get(request, pk)])[0]
