"""The JSON API (django-ninja, OpenAPI at /api/openapi.json): enterprise search, profile, policy results and
explanations, list members, and recommendations for a list (its only writes: a session caller sends the CSRF
token), with the pages' access table and scoping (access.ACCESS names every operation)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Path, Query, Schema, Status
from ninja.errors import ValidationError
from ninja.utils import check_csrf

from gaoqi.web.core.errors import DomainError, Forbidden, NotFound, domain_error_response
from gaoqi.web.enterprises import selectors as es
from gaoqi.web.paging import api_page
from gaoqi.web.policies import selectors as ps

api = NinjaAPI(title="gaoqi 高企 API", version="1", urls_namespace="api", docs_url="/docs")


class EnterpriseOut(Schema):
    uscc: str
    name: str
    former_names: list[str]
    district_code: str
    industry_code: str
    status: str
    established_date: date | None
    has_hte: bool
    hte_expiry_date: date | None
    has_tech_sme: bool
    staff: Decimal | None
    sales_last_year: Decimal | None
    above_scale: bool


class EnterprisePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[EnterpriseOut]


class ResultOut(Schema):
    policy_id: str
    policy_version: str
    status: str
    failed_conditions: list[str]
    unknown_features: list[str]
    binding_condition: str
    binding_gap: str
    benefit_amount: Decimal | None


class ConditionOut(Schema):
    id: str
    label: str
    article: str
    kind: str
    outcome: str
    expr: str | None
    observed: Any = None
    required: Any = None
    gap: str | None
    waived: str | None = None


class ExplainOut(Schema):
    uscc: str
    policy_id: str
    policy_version: str
    as_of: date
    status: str
    binding_condition: str | None
    binding_gap: str | None
    benefit_amount: Decimal | None
    conditions: list[ConditionOut]


class PolicyOut(Schema):
    id: str
    name: str
    authority: str
    document_number: str
    kind: str
    versions: list[str]


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, str]


class ErrorOut(Schema):
    """An error answer, one shape for all (core/errors.py): 400 for a query or path parameter that does not
    parse (``fields`` says which, and why), 401 without a session or token (or with a bad token), 403 for a
    role that may not call the operation, 404 for an enterprise that does not exist or is outside the caller's
    jurisdiction."""

    error: ErrorDetail


#: The answers every operation may give besides its 200 (AccessMiddleware, ApiTokenMiddleware, the handlers).
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}
NOT_FOUND: dict[int, Any] = {**ERRORS, 404: ErrorOut}


# The API's refusals, registered once: every one answers core/errors.py's shape.
@api.exception_handler(DomainError)
def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return domain_error_response(request, exc)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return domain_error_response(request, NotFound())


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return domain_error_response(request, Forbidden())


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = {str(e["loc"][-1]) if e.get("loc") else "": _why(e) for e in exc.errors}
    return domain_error_response(request, DomainError("请求参数无效：" + "；".join(fields), fields=fields))


@api.exception_handler(Exception)
def _failed(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything else is Django's 500 (core/errors.py: logged, the shape above), with DEBUG on too: ninja would
    answer a traceback."""
    raise exc


def _why(error: dict[str, Any]) -> str:
    """A parameter's validation error (pydantic's type and context) in Chinese."""
    ctx = error.get("ctx") or {}
    words = {
        "missing": "必须填写",
        "string_too_long": f"过长（最多 {ctx.get('max_length')} 个字符）",
        "string_pattern_mismatch": "含有不允许的字符",
        "int_parsing": "应为整数",
        "int_type": "应为整数",
        "int_from_float": "应为整数",
        "greater_than_equal": f"不能小于 {ctx.get('ge')}",
        "less_than_equal": f"不能大于 {ctx.get('le')}",
    }
    if error.get("type") == "string_pattern_mismatch" and ctx.get("pattern") == NOT_BLANK:
        return "必须填写"
    if error.get("type") == "literal_error":
        return f"应为 {ctx.get('expected')}"
    return words.get(str(error.get("type")), "格式不正确")


#: Text parameters: bounded, and never a NUL character (PostgreSQL cannot compare text with one: it was a 500).
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, Field(max_length=200, pattern=NO_NUL)]
Code = Annotated[str, Path(max_length=64, pattern=NO_NUL)]


class SearchQuery(Schema):
    q: Text = ""
    district: Text = ""
    hte: Text = ""
    page: int = Field(1, ge=1, le=100_000)  # unbounded, a large page overflowed the database's OFFSET (500)
    page_size: int = Field(25, ge=1, le=100)


def _out(e: Any) -> dict[str, Any]:
    return {
        "uscc": e.uscc,
        "name": e.name,
        "former_names": [n for n in e.former_names.split("\n") if n],
        "district_code": e.district_code,
        "industry_code": e.industry_code,
        "status": e.status,
        "established_date": e.established_date,
        "has_hte": e.has_hte,
        "hte_expiry_date": e.hte_expiry_date,
        "has_tech_sme": e.has_tech_sme,
        "staff": e.staff,
        "sales_last_year": e.sales_last_year,
        "above_scale": e.above_scale,
    }


@api.get("/enterprises", response={200: EnterprisePage, **ERRORS}, url_name="enterprise_search")
def enterprise_search(request: HttpRequest, params: Query[SearchQuery]) -> dict[str, Any]:
    """Search the enterprises the caller may see (name, former name, pinyin initials or USCC)."""
    size = max(1, min(params.page_size, 100))
    page = max(1, params.page)
    f = es.DirectoryFilter(q=params.q, district=params.district, hte=params.hte)
    count, items = es.enterprise_search_page(request.user, f, page, size)
    return {"count": count, "page": page, "page_size": size, "items": [_out(e) for e in items]}


def _visible(request: HttpRequest, uscc: str) -> Any:
    ent = es.enterprise_get(request.user, uscc)
    if ent is None:
        raise NotFound("企业不存在或不在您的管辖范围内")
    return ent


@api.get("/enterprises/{uscc}", response={200: EnterpriseOut, **NOT_FOUND}, url_name="enterprise_profile")
def enterprise_profile(request: HttpRequest, uscc: Code) -> dict[str, Any]:
    """One enterprise's profile (personal data is never in the API)."""
    return _out(_visible(request, uscc))


@api.get("/enterprises/{uscc}/results", response={200: list[ResultOut], **NOT_FOUND}, url_name="enterprise_results")
def enterprise_results(request: HttpRequest, uscc: Code) -> list[Any]:
    """Every policy's status for one enterprise in the current snapshot."""
    return list(es.results_of(_visible(request, uscc)))


@api.get(
    "/enterprises/{uscc}/explain/{policy_id}", response={200: ExplainOut, **NOT_FOUND}, url_name="enterprise_explain"
)
def enterprise_explain(request: HttpRequest, uscc: Code, policy_id: Code) -> dict[str, Any]:
    """Every condition of one policy for one enterprise: observed, required, article, outcome, gap."""
    data = es.explain_for(_visible(request, uscc).uscc, policy_id)
    if data is None:
        raise NotFound("没有该政策对该企业的评估")
    for c in data["conditions"]:
        for key in ("observed", "required"):
            v = c.get(key)
            c[key] = str(v) if v is not None and not isinstance(v, (bool, int)) else v
    return data


@api.get("/policies", response={200: list[PolicyOut], **ERRORS}, url_name="policy_list")
def policy_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The policy catalogue."""
    return [
        {
            "id": p.id,
            "name": p.name,
            "authority": p.authority,
            "document_number": p.document_number,
            "kind": p.kind,
            "versions": [v.id for v in p.versions],
        }
        for p in ps.catalogue()
    ]


class MemberOut(Schema):
    uscc: str
    name: str
    district_code: str
    industry_section: str
    tech_field: str
    route: str
    entered_on: date
    entered_snapshot: int
    policy_version: str
    reason: str
    ruleset_hash: str


class MemberPage(Schema):
    list_id: str
    count: int = Field(description="the members matching, counted up to 10,000 (then 10,001 and count_capped)")
    count_capped: bool = Field(description="more members match than count says: narrow the filter")
    page: int
    page_size: int
    items: list[MemberOut]


class MemberQuery(Schema):
    district: Text = ""
    section: Text = ""
    tech_field: Text = ""
    route: Text = ""
    entered_since: date | None = None
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


@api.get("/lists/{list_id}/members", response={200: MemberPage, **NOT_FOUND}, url_name="list_members")
def list_members(request: HttpRequest, list_id: Code, params: Query[MemberQuery]) -> dict[str, Any]:
    """The enterprises on a programme list now (a policy of kind ``list``), with why each is on it: only those the
    caller may see (an enterprise account: itself, if it is on the list)."""
    from gaoqi.web.programmes import lists
    from gaoqi.web.programmes import selectors as ls

    if lists.list_get(list_id) is None:
        raise NotFound("没有该名单")
    f = ls.MemberFilter(
        district=params.district, section=params.section, tech_field=params.tech_field, route=params.route,
        entered_since=params.entered_since,
    )  # fmt: skip
    count, capped, items = ls.member_search(request.user, list_id, f, params.page, params.page_size)
    return {
        "list_id": list_id,
        "count": count,
        "count_capped": capped,
        "page": params.page,
        "page_size": params.page_size,
        "items": [
            {
                "uscc": m.enterprise.uscc,
                "name": m.enterprise.name,
                "district_code": m.enterprise.district_code,
                "industry_section": m.enterprise.industry_section,
                "tech_field": m.enterprise.tech_field,
                "route": m.route,
                "entered_on": m.entered_on,
                "entered_snapshot": m.entered_snapshot_id,
                "policy_version": m.policy_version,
                "reason": m.reason,
                "ruleset_hash": m.ruleset_hash,
            }
            for m in items
        ],
    }


# ------------------------------------------------------------------------------------------------------
# recommendations (培育库 entry path A): a district recommends, the municipal office confirms or declines

PK = Annotated[int, Path(ge=1, le=2**62)]
#: A text that says something: at least one character that is not white space (nor NUL anywhere). The services
#: refuse a blank reason or decline comment too; in the schema, a client learns it before calling.
NOT_BLANK = r"^[^\x00]*[^\x00\s\x1c-\x1f][^\x00]*$"
Reason = Annotated[str, Field(max_length=2000, pattern=NOT_BLANK)]
Comment = Annotated[str, Field(max_length=2000, pattern=NO_NUL)]
#: The lists that take recommendations (programmes.lists.RECOMMENDABLE; a test keeps the two equal).
RecommendableList = Literal["cultivation-pool"]
RecommendationStatus = Literal["", "submitted", "confirmed", "declined", "withdrawn"]


class RecommendationOut(Schema):
    id: int
    uscc: str
    name: str
    list_id: str
    district_code: str
    reason: str
    status: str
    recommended_by: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_comment: str
    membership_entered_on: date | None


class RecommendationPage(Schema):
    list_id: str
    count: int
    page: int
    page_size: int
    items: list[RecommendationOut]


class RecommendationQuery(Schema):
    status: RecommendationStatus = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


class RecommendationIn(Schema):
    uscc: Annotated[str, Field(max_length=64, pattern=NO_NUL)]
    list_id: RecommendableList = "cultivation-pool"
    reason: Reason


class DecisionIn(Schema):
    comment: Comment = ""


class DeclineIn(Schema):
    comment: Reason


#: The answers of a write besides its success: 400 input or guard, 404 outside the jurisdiction, 409 the
#: recommendation or the enterprise is not (any more) where the request thought.
WRITE_ERRORS: dict[int, Any] = {**NOT_FOUND, 409: ErrorOut}


def _rec_out(r: Any) -> dict[str, Any]:
    def who(user: Any) -> str | None:
        return None if user is None else (user.display_name or user.username)

    return {
        "id": r.pk,
        "uscc": r.enterprise.uscc,
        "name": r.enterprise.name,
        "list_id": r.list_id,
        "district_code": r.district_code,
        "reason": r.reason,
        "status": r.status,
        "recommended_by": who(r.recommended_by),
        "created_at": r.created_at,
        "decided_by": who(r.decided_by),
        "decided_at": r.decided_at,
        "decision_comment": r.decision_comment,
        "membership_entered_on": r.membership.entered_on if r.membership_id else None,
    }


def _write(request: HttpRequest) -> None:
    """A write with a session cookie must carry the CSRF token (ninja exempts its views; a bearer token, which a
    browser never sends by itself, needs none): refused as 403 otherwise."""
    if getattr(request, "api_token", None) is None and check_csrf(request) is not None:
        raise Forbidden("请求缺少有效的 CSRF 令牌，未予处理")


def _written(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The recommendation as the write left it (the workflow's audit entry is the request's row: no api.read)."""
    from gaoqi.web.programmes import selectors as ls

    rec = ls.recommendation_get(request.user, pk)
    assert rec is not None
    return _rec_out(rec)


@api.get(
    "/lists/{list_id}/recommendations", response={200: RecommendationPage, **NOT_FOUND}, url_name="recommendation_list"
)
def recommendation_list(request: HttpRequest, list_id: Code, params: Query[RecommendationQuery]) -> dict[str, Any]:
    """A list's recommendations the caller may see (a district official: the district's; the municipal office:
    all), the waiting first; ``status`` one of submitted, confirmed, declined, withdrawn ("" all)."""
    from gaoqi.web.programmes import lists
    from gaoqi.web.programmes import selectors as ls

    if not lists.recommendable(list_id):
        raise NotFound("该名单不接受推荐")
    qs = ls.recommendation_queue(request.user, list_id, params.status)
    return {"list_id": list_id, **api_page(qs, params.page, params.page_size, _rec_out)}


@api.post("/recommendations", response={201: RecommendationOut, **WRITE_ERRORS}, url_name="recommendation_create")
def recommendation_create(request: HttpRequest, body: RecommendationIn) -> Status[dict[str, Any]]:
    """A district official recommends an enterprise of the district for a list (default: the cultivation pool),
    with a reason; the municipal office confirms or declines it. Refused: outside the district (404), already
    certified, already on the list or already recommended (409), no reason or a list without recommendations
    (400)."""
    from gaoqi.web.programmes import services as programmes

    _write(request)
    rec = programmes.recommendation_create(request.user, body.uscc, body.list_id, body.reason)
    return Status(201, _written(request, rec.pk))


@api.post(
    "/recommendations/{pk}/confirm",
    response={200: RecommendationOut, **WRITE_ERRORS},
    url_name="recommendation_confirm",
)
def recommendation_confirm(request: HttpRequest, pk: PK, body: DecisionIn) -> dict[str, Any]:
    """The municipal office confirms a waiting recommendation (comment optional): the enterprise enters the list
    (route ``recommendation``). A recommendation already decided answers 409."""
    from gaoqi.web.programmes import services as programmes

    _write(request)
    programmes.recommendation_confirm(request.user, pk, body.comment)
    return _written(request, pk)


@api.post(
    "/recommendations/{pk}/decline",
    response={200: RecommendationOut, **WRITE_ERRORS},
    url_name="recommendation_decline",
)
def recommendation_decline(request: HttpRequest, pk: PK, body: DeclineIn) -> dict[str, Any]:
    """The municipal office declines a waiting recommendation; the comment is required (400 without)."""
    from gaoqi.web.programmes import services as programmes

    _write(request)
    programmes.recommendation_decline(request.user, pk, body.comment)
    return _written(request, pk)


@api.post(
    "/recommendations/{pk}/withdraw",
    response={200: RecommendationOut, **WRITE_ERRORS},
    url_name="recommendation_withdraw",
)
def recommendation_withdraw(request: HttpRequest, pk: PK, body: DecisionIn) -> dict[str, Any]:
    """The recommending district withdraws its recommendation while it waits."""
    from gaoqi.web.programmes import services as programmes

    _write(request)
    programmes.recommendation_withdraw(request.user, pk, body.comment)
    return _written(request, pk)


# ------------------------------------------------------------------------------------------------------
# the records of cultivation (issue 12): one-to-one tutoring of the cultivation pool's members, confirmed or
# disputed by the enterprise itself

RecordStatus = Literal["", "recorded", "confirmed", "disputed"]


class GapOut(Schema):
    id: str
    label: str
    gap: str


class FollowUpOut(Schema):
    id: int
    action: str
    due_on: date
    outcome: Literal["open", "done", "not_done"]
    outcome_on: date | None
    outcome_note: str


class TutoringOut(Schema):
    id: int
    uscc: str
    name: str
    held_on: date
    tutor: str
    tutor_kind: Literal["district", "municipal", "incubator"]
    advice: str
    gaps_as_of: date | None
    gaps_policy_version: str | None
    gaps_note: str | None
    gaps: list[GapOut]
    followups: list[FollowUpOut]
    status: Literal["recorded", "confirmed", "disputed"]
    answered_by: str | None
    answered_at: datetime | None
    enterprise_comment: str


class TutoringPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[TutoringOut]


class TutoringQuery(Schema):
    status: RecordStatus = ""
    uscc: Annotated[str, Field(max_length=18, pattern=NO_NUL)] = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


def _tutoring_out(r: Any) -> dict[str, Any]:
    def who(user: Any) -> str | None:
        return None if user is None else (user.display_name or user.username)

    gaps = r.gaps or {}
    return {
        "id": r.pk,
        "uscc": r.enterprise.uscc,
        "name": r.enterprise.name,
        "held_on": r.held_on,
        "tutor": who(r.tutor),
        "tutor_kind": r.tutor_kind,
        "advice": r.advice,
        "gaps_as_of": gaps.get("as_of"),
        "gaps_policy_version": gaps.get("policy_version"),
        "gaps_note": gaps.get("note"),
        "gaps": gaps.get("conditions", []),
        "followups": [
            {
                "id": f.pk,
                "action": f.action,
                "due_on": f.due_on,
                "outcome": f.outcome,
                "outcome_on": f.outcome_on,
                "outcome_note": f.outcome_note,
            }
            for f in r.followups.all()
        ],
        "status": r.status,
        "answered_by": who(r.answered_by),
        "answered_at": r.answered_at,
        "enterprise_comment": r.enterprise_comment,
    }


@api.get("/tutorings", response={200: TutoringPage, **NOT_FOUND}, url_name="tutoring_list")
def tutoring_list(request: HttpRequest, params: Query[TutoringQuery]) -> dict[str, Any]:
    """One-to-one tutoring records the caller may see (a district official: its district's enterprises; an
    incubator: its incubated ones; the municipal office: all; an enterprise: its own), the latest first, with the
    gaps frozen when each was recorded and the follow-up actions."""
    from gaoqi.web.programmes import selectors as ls

    qs = ls.tutorings_visible_to(request.user).prefetch_related("followups").order_by("-held_on", "-pk")
    if params.status:
        qs = qs.filter(status=params.status)
    if params.uscc:
        qs = qs.filter(enterprise__uscc=params.uscc)
    return api_page(qs, params.page, params.page_size, _tutoring_out)


def _tutoring_written(request: HttpRequest, pk: int) -> dict[str, Any]:
    from gaoqi.web.programmes import selectors as ls

    rec = ls.tutoring_get(request.user, pk)
    assert rec is not None
    return _tutoring_out(rec)


@api.post("/tutorings/{pk}/confirm", response={200: TutoringOut, **WRITE_ERRORS}, url_name="tutoring_confirm")
def tutoring_confirm(request: HttpRequest, pk: PK, body: DecisionIn) -> dict[str, Any]:
    """The enterprise confirms its own tutoring record (comment optional). Another enterprise's record answers
    404; a record already confirmed or disputed answers 409."""
    from gaoqi.web.programmes import services as programmes

    _write(request)
    programmes.tutoring_confirm(request.user, pk, body.comment)
    return _tutoring_written(request, pk)


@api.post("/tutorings/{pk}/dispute", response={200: TutoringOut, **WRITE_ERRORS}, url_name="tutoring_dispute")
def tutoring_dispute(request: HttpRequest, pk: PK, body: DeclineIn) -> dict[str, Any]:
    """The enterprise disputes its own tutoring record; the comment (why) is required."""
    from gaoqi.web.programmes import services as programmes

    _write(request)
    programmes.tutoring_dispute(request.user, pk, body.comment)
    return _tutoring_written(request, pk)


# 科技型中小企业评价 (techsme/api.py)

from gaoqi.web.techsme.api import router as _techsme_router  # noqa: E402  (it reads this module's ERRORS)

api.add_router("/tech-sme", _techsme_router)
# 企业诉求 (servicedesk/api.py)

from gaoqi.web.servicedesk.api import router as _servicedesk_router  # noqa: E402  (it reads this module's ERRORS)

api.add_router("/servicedesk", _servicedesk_router)
# incubators and service agencies (issue 12): their app's router, with this API's error answers

from gaoqi.web.incubators.api import register as _incubators  # noqa: E402  (needs ERRORS and NOT_FOUND above)

api.add_router("/incubators", _incubators(ERRORS, NOT_FOUND))
# the apps' own operations (each module registers on ``api``; imported last, when every name above exists)
import gaoqi.web.analytics.api  # noqa: E402
import gaoqi.web.assist.api  # noqa: E402
import gaoqi.web.benefits.api  # noqa: E402
import gaoqi.web.drafting.api  # noqa: E402
import gaoqi.web.evaluation.api  # noqa: E402
import gaoqi.web.matching.api  # noqa: E402
import gaoqi.web.monitoring.api  # noqa: E402
import gaoqi.web.programmes.api  # noqa: E402
import gaoqi.web.push.api  # noqa: E402
import gaoqi.web.quickapply.api  # noqa: E402
import gaoqi.web.reviewsignals.api  # noqa: E402
import gaoqi.web.servicepacks.api  # noqa: E402
import gaoqi.web.spotchecks.api  # noqa: E402
import gaoqi.web.support.api  # noqa: E402, F401
