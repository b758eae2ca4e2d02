"""名单: the lists, one page per list (members, why, entries and exits, counts over time), its export, an
official's removal, and recommendations (a district recommends an enterprise, the municipal office confirms or
declines it: the queue). Thin: each view validates its input with a form and calls one selector or service."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.core import clock
from gaoqi.web.core.errors import DomainError, Forbidden, refusals_to, valid_data
from gaoqi.web.core.htmx import is_htmx
from gaoqi.web.core.scoping import OVERSIGHT
from gaoqi.web.enterprises.selectors import enterprise_get
from gaoqi.web.exports import xlsx_response
from gaoqi.web.paging import CappedPaginator as Paginator
from gaoqi.web.programmes import funnel as funnels
from gaoqi.web.programmes import lists, selectors, services
from gaoqi.web.programmes.forms import (
    AnswerForm,
    AttendanceForm,
    DecisionForm,
    FollowUpForm,
    FunnelFilterForm,
    MaterialForm,
    MemberFilterForm,
    OutcomeForm,
    QueueFilterForm,
    RecommendForm,
    RemoveForm,
    TrainingForm,
    TutoringForm,
)
from gaoqi.web.programmes.models import MODES, OUTCOMES, ROUTES
from gaoqi.web.programmes.workflow import DISPUTED, RECOMMENDATION, RECORDED, STATUS_LABELS, SUBMITTED, TUTORING, TUTORS


class ListPaginator(Paginator):
    """A list's members, counted up to ``MEMBERS_CAP`` (beyond: "1000+ 条，请缩小查询范围"; the page header gives
    the list's size as published): a district's share of 1.2 million members was counted in half a second."""

    MEMBERS_CAP = 1000

    @cached_property
    def count(self) -> int:
        return selectors.count_upto(self.object_list, self.MEMBERS_CAP)

    @property
    def capped(self) -> bool:
        return self.count > self.MEMBERS_CAP


def _list(list_id: str) -> Any:
    policy = None if "\x00" in list_id else lists.list_get(list_id)
    if policy is None:
        raise Http404("没有该名单")
    return policy


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "programmes/index.html", {"lists": selectors.list_summaries(request.user)})


def detail(request: HttpRequest, list_id: str) -> HttpResponse:
    policy = _list(list_id)
    f = MemberFilterForm(request.GET).filter()
    qs = selectors.members(request.user, policy.id, f)
    page = ListPaginator(qs, 25, allow_empty_first_page=True).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "policy": policy,
        "page": page,
        "f": f,
        "query": query.urlencode(),
        "query_prefix": query.urlencode() + "&" if query else "",
        "districts": district_codes(),
        "show_district_filter": request.user.role in OVERSIGHT,
        "may_remove": request.user.role in services.MAY_REMOVE,
        "may_see_recommendations": lists.recommendable(policy.id)
        and request.user.role in selectors.RECOMMENDATION_READERS,
        "cultivation_links": policy.id == lists.CULTIVATION_POOL and request.user.role in TUTORS,
        "may_see_funnel": lists.ends_on_certification(policy.id) and request.user.role in FUNNEL_READERS,
        "may_adjust": lists.adjustable(policy.id) and request.user.role in services.MAY_REMOVE,
    }
    if is_htmx(request):
        response = render(request, "programmes/_members.html", ctx)
    else:
        ctx["changes"] = selectors.changes(request.user, policy.id)
        ctx["chart"] = chart = selectors.counts_over_time(request.user, policy.id)
        # the list's size as the latest snapshot published it (the members' count stops at ListPaginator's cap)
        ctx["published"] = sum(x["data"][-1] for x in chart["by_district"]) if chart and chart["snapshots"] else None
        response = render(request, "programmes/detail.html", ctx)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_POST
def add(request: HttpRequest, list_id: str) -> HttpResponse:
    """An official's adjustment: an enterprise put on the list with a reason (refusals: core/errors.py)."""
    policy = _list(list_id)
    m = services.membership_add(request.user, policy.id, request.POST.get("uscc", ""), request.POST.get("reason", ""),
                                request=request)  # fmt: skip
    messages.success(request, f"已将{m.enterprise.name}纳入{policy.name}")
    return redirect("programmes:detail", list_id=policy.id)


def adjustments(request: HttpRequest, list_id: str) -> HttpResponse:
    """The officials' adjustments of a list (added with a reason, removed with a comment), scoped."""
    policy = _list(list_id)
    page = Paginator(selectors.adjustments(request.user, policy.id), 50, allow_empty_first_page=True).get_page(
        request.GET.get("page")
    )
    return render(request, "programmes/adjustments.html", {"policy": policy, "page": page})


def export(request: HttpRequest, list_id: str) -> HttpResponse:
    policy = _list(list_id)
    f = MemberFilterForm(request.GET).filter()
    data = services.members_export(
        request.user,
        policy.id,
        selectors.members(request.user, policy.id, f),
        request=request,
        filters={k: str(v) for k, v in asdict(f).items() if v},
    )
    return xlsx_response(data, f"list-{policy.id}.xlsx")


@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    form = RemoveForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    m = services.membership_remove(request.user, pk, comment, request=request)  # refusals: core/errors.py
    messages.success(request, f"已将{m.enterprise.name}移出名单")
    return redirect("programmes:detail", list_id=m.list_id)


# ------------------------------------------------------------------------------------------------------
# the funnel (lists that certification ends: in the pool → applied → certified)


#: The roles that read the funnel (district figures: core.scoping.district_scope; access.py says the same).
FUNNEL_READERS = frozenset({roles.DISTRICT, roles.MUNICIPAL, roles.EVALUATOR})


def _funnel_list(list_id: str) -> Any:
    if "\x00" in list_id or not lists.ends_on_certification(list_id):
        raise Http404("该名单没有认定转化统计")
    return _list(list_id)


def _funnel_data(request: HttpRequest, policy: Any) -> Any:
    data = funnels.funnel(request.user, policy.id, FunnelFilterForm(request.GET).filter())
    if data is None:  # the role reads no district figures (the access table lets none in: belt and braces)
        raise Forbidden()
    return data


def funnel(request: HttpRequest, list_id: str) -> HttpResponse:
    """The list's funnel for the user's districts, filtered by cohort and route; htmx swaps the figures."""
    policy = _funnel_list(list_id)
    data = _funnel_data(request, policy)
    ctx = {
        "policy": policy,
        "fn": data,
        "ks": funnels.KS,
        "routes": ROUTES,
        "query": request.GET.urlencode(),
        "chart_json": json.dumps(funnels.chart(data)),
    }
    template = "programmes/_funnel.html" if is_htmx(request) else "programmes/funnel.html"
    response = render(request, template, ctx)
    patch_vary_headers(response, ("HX-Request",))
    return response


def funnel_export(request: HttpRequest, list_id: str) -> HttpResponse:
    policy = _funnel_list(list_id)
    data = _funnel_data(request, policy)
    f = data.f
    filters = {k: str(v) for k, v in (("cohort", f.cohort), ("route", f.route)) if v}
    body = services.funnel_export(request.user, data, request=request, filters=filters)
    return xlsx_response(body, f"funnel-{policy.id}.xlsx")


# ------------------------------------------------------------------------------------------------------
# recommendations


def _recommendable(list_id: str) -> Any:
    if "\x00" in list_id or not lists.recommendable(list_id):
        raise Http404("该名单不接受推荐")
    return lists.list_get(list_id)


def _queue_url(list_id: str = lists.DEFAULT_RECOMMENDABLE) -> str:
    return reverse("programmes:recommendations", args=[list_id])


def recommendation_queue(request: HttpRequest) -> HttpResponse:
    """The navigation's entry to the recommendations: the queue of the default list (the cultivation pool)."""
    return redirect("programmes:recommendations", list_id=lists.DEFAULT_RECOMMENDABLE)


def recommendations(request: HttpRequest, list_id: str) -> HttpResponse:
    """The recommendations of a list: the municipal office's queue (confirm, decline) and a district's own
    (withdraw), with the soft criteria of each enterprise; htmx swaps the table."""
    policy = _recommendable(list_id)
    status = QueueFilterForm(request.GET).status_asked()
    qs = selectors.recommendation_queue(request.user, policy.id, status)
    page = Paginator(qs, 25, allow_empty_first_page=True).get_page(request.GET.get("page"))
    recs = list(page.object_list)
    hints = selectors.soft_criteria([r.enterprise for r in recs])
    page.object_list = [(r, hints[r.enterprise_id]) for r in recs]
    ctx = {
        "policy": policy,
        "page": page,
        "status": status or "all",
        "statuses": STATUS_LABELS,
        "query_prefix": f"status={status or 'all'}&",
        **_row_context(request),
    }
    template = "programmes/_recommendations.html" if is_htmx(request) else "programmes/recommendations.html"
    response = render(request, template, ctx)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _row_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "may_decide": request.user.role == roles.MUNICIPAL,
        "may_withdraw": request.user.role == roles.DISTRICT,
        "SUBMITTED": SUBMITTED,
        "workflow": RECOMMENDATION,
    }


@require_http_methods(["GET", "POST"])
def recommend(request: HttpRequest, list_id: str, uscc: str) -> HttpResponse:
    """A district official recommends one enterprise for a list: the form with the enterprise's soft criteria
    (hints, never conditions) and what would refuse it now; the POST creates the recommendation."""
    policy = _recommendable(list_id)
    ent = None if "\x00" in uscc else enterprise_get(request.user, uscc)
    if ent is None:
        raise Http404("企业不存在或不在您的管辖范围内")
    form = RecommendForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            reason = valid_data(form)["reason"]
            services.recommendation_create(request.user, ent.uscc, policy.id, reason)
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, f"已推荐{ent.name}纳入{policy.name}，等待市级确认")
            return redirect(_queue_url(policy.id))
    option = next((o for o in selectors.recommend_options(request.user, ent) if o.list_id == policy.id), None)
    ctx = {"policy": policy, "e": ent, "form": form, "hints": selectors.soft_criteria([ent])[ent.pk], "option": option}
    return render(request, "programmes/recommend.html", ctx, status=status)


def _decided(request: HttpRequest, pk: int, act: Callable[..., Any], done: str) -> HttpResponse:
    """A decision on one recommendation (confirm, decline, withdraw): htmx gets the row again (with the refusal in
    it when refused); a plain form goes back to the queue with the message (refusals: ``refusals_to``)."""
    try:
        data = valid_data(DecisionForm(request.POST))
        rec = act(request.user, pk, data["comment"], seen=data["seen"] or None)
    except DomainError as exc:
        row = selectors.recommendation_get(request.user, pk) if is_htmx(request) else None
        if row is None:
            raise
        return _row(request, row, error=exc.message, status=exc.status)
    if is_htmx(request):
        return _row(request, selectors.recommendation_get(request.user, pk), notice=f"{rec.enterprise.name}：{done}")
    messages.success(request, f"{rec.enterprise.name}：{done}")
    return redirect(_queue_url(rec.list_id))


def _row(request: HttpRequest, rec: Any, *, error: str = "", notice: str = "", status: int = 200) -> HttpResponse:
    hints = selectors.soft_criteria([rec.enterprise])[rec.enterprise_id]
    ctx = {"r": rec, "hints": hints, "error": error, "notice": notice, **_row_context(request)}
    return render(request, "programmes/_recommendation_row.html", ctx, status=status)


@require_POST
@refusals_to(lambda pk: _queue_url())
def recommendation_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _decided(request, pk, services.recommendation_confirm, "已确认纳入名单")


@require_POST
@refusals_to(lambda pk: _queue_url())
def recommendation_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _decided(request, pk, services.recommendation_decline, "不予纳入")


@require_POST
@refusals_to(lambda pk: _queue_url())
def recommendation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _decided(request, pk, services.recommendation_withdraw, "推荐已撤回")


# ------------------------------------------------------------------------------------------------------
# the records of cultivation (issue 12): training sessions, one-to-one tutoring, the enterprise's confirmation


def _tutor(request: HttpRequest) -> bool:
    return request.user.role in TUTORS


def _paged(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, 25, allow_empty_first_page=True).get_page(request.GET.get("page"))


def cultivation(request: HttpRequest) -> HttpResponse:
    """培育记录: the tutoring sessions and the training sessions the viewer may see."""
    ctx = {
        "tutorings": _paged(request, selectors.tutorings_visible_to(request.user).order_by("-held_on", "-pk")),
        "trainings": selectors.trainings_visible_to(request.user).order_by("-held_on", "-pk")[:50],
        "may_record": _tutor(request),
        "may_see_coverage": request.user.role in TUTORS,
    }
    template = "programmes/_tutorings.html" if is_htmx(request) else "programmes/cultivation.html"
    response = render(request, template, ctx)
    patch_vary_headers(response, ("HX-Request",))
    return response


def cultivation_export(request: HttpRequest) -> HttpResponse:
    """The tutoring records the viewer may see, as an Excel workbook."""
    qs = selectors.tutorings_visible_to(request.user).order_by("-held_on", "-pk")
    data = services.tutorings_export(request.user, qs, request=request)
    return xlsx_response(data, "tutorings.xlsx")


def coverage(request: HttpRequest) -> HttpResponse:
    return render(request, "programmes/coverage.html", {"c": selectors.coverage(request.user)})


@require_http_methods(["GET", "POST"])
def tutoring_new(request: HttpRequest) -> HttpResponse:
    """The form of a one-to-one tutoring session (the enterprise among the pool members the tutor sees); the POST
    records it, with the gaps the engine shows for the enterprise now."""
    form = TutoringForm(request.POST or None, initial={"uscc": request.GET.get("uscc", ""), "held_on": clock.today()})
    status = 200
    if request.method == "POST":
        try:
            data = valid_data(form)
            rec = services.tutoring_create(request.user, data["uscc"], data["held_on"], data["advice"],
                                           form.followups())  # fmt: skip
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, f"已记录对{rec.enterprise.name}的一对一辅导，等待企业确认")
            return redirect("programmes:tutoring_detail", pk=rec.pk)
    ctx = {"form": form, "members": selectors.pool_members_for(request.user, 1000), "today": clock.today(),
           "followup_rows": range(TutoringForm.FOLLOWUPS)}  # fmt: skip
    return render(request, "programmes/tutoring_new.html", ctx, status=status)


def _tutoring_ctx(request: HttpRequest, rec: Any, *, error: str = "", notice: str = "") -> dict[str, Any]:
    user = request.user
    own_org = _tutor(request) and services.org_refusal(user, rec) is None
    return {
        "r": rec,
        "followups": list(rec.followups.all()),
        "may_answer": user.role == roles.ENTERPRISE and rec.status == RECORDED,
        "may_correct": own_org and rec.status == DISPUTED,
        "may_follow": own_org,
        "outcomes": OUTCOMES,
        "log": selectors.record_log(rec, TUTORING),
        "error": error,
        "notice": notice,
        "today": clock.today(),
    }


def tutoring_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rec = selectors.tutoring_get(request.user, pk)
    if rec is None:
        raise Http404("辅导记录不存在或不在您的管辖范围内")
    return render(request, "programmes/tutoring_detail.html", _tutoring_ctx(request, rec))


_TUTORING_ACTS: dict[str, tuple[Callable[..., Any], str]] = {
    "confirm": (services.tutoring_confirm, "已确认辅导记录"),
    "dispute": (services.tutoring_dispute, "已提出异议"),
    "correct": (services.tutoring_correct, "已更正，等待企业重新确认"),
}


@require_POST
@refusals_to(lambda pk: reverse("programmes:tutoring_detail", args=[pk]))
def tutoring_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise confirms or disputes its record; the tutor corrects a disputed one. htmx gets the status
    block again (with the refusal in it when refused)."""
    try:
        data = valid_data(AnswerForm(request.POST))
        act, done = _TUTORING_ACTS[data["action"]]
        extra = {"advice": data["advice"]} if data["action"] == "correct" else {}
        act(request.user, pk, data["comment"], seen=data["seen"] or None, **extra)
    except DomainError as exc:
        rec = selectors.tutoring_get(request.user, pk) if is_htmx(request) else None
        if rec is None:
            raise
        ctx = _tutoring_ctx(request, rec, error=exc.message)
        return render(request, "programmes/_tutoring_status.html", ctx, status=exc.status)
    rec = selectors.tutoring_get(request.user, pk)
    if is_htmx(request):
        return render(request, "programmes/_tutoring_status.html", _tutoring_ctx(request, rec, notice=done))
    messages.success(request, done)
    return redirect("programmes:tutoring_detail", pk=pk)


@require_POST
@refusals_to(lambda pk: reverse("programmes:tutoring_detail", args=[pk]))
def followup_add(request: HttpRequest, pk: int) -> HttpResponse:
    data = valid_data(FollowUpForm(request.POST))
    services.followup_add(request.user, pk, data["action"], data["due_on"])
    messages.success(request, "已添加跟进事项")
    return redirect("programmes:tutoring_detail", pk=pk)


@require_POST
@refusals_to(lambda pk: reverse("programmes:cultivation"))
def followup_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    data = valid_data(OutcomeForm(request.POST))
    item = services.followup_outcome(request.user, pk, data["outcome"], data["outcome_on"], data["outcome_note"])
    messages.success(request, f"已记录跟进结果：{item.get_outcome_display()}")
    return redirect("programmes:tutoring_detail", pk=item.tutoring_id)


@require_http_methods(["GET", "POST"])
def training_new(request: HttpRequest) -> HttpResponse:
    """The form of a policy training session: date, topic, mode, hours and the invited pool members."""
    from gaoqi.web.programmes.cultivation import cultivation_config

    limit = cultivation_config().max_invited
    members = selectors.pool_members_for(request.user, limit)
    choices = [(e.uscc, e.name) for e in members]
    form = TrainingForm(request.POST or None, choices=choices, initial={"mode": "onsite", "hours": "2"})
    status = 200
    if request.method == "POST":
        try:
            data = valid_data(form)
            session = services.training_create(request.user, data["held_on"], data["topic"], data["mode"],
                                               data["hours"], data["invited"])  # fmt: skip
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, f"已记录培训“{session.topic}”，邀请{session.attendances.count()}家企业")
            return redirect("programmes:training_detail", pk=session.pk)
    ctx = {"form": form, "members": members, "limit": limit, "modes": MODES}
    return render(request, "programmes/training_new.html", ctx, status=status)


def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.training_get(request.user, pk)
    if session is None:
        raise Http404("培训不存在或不在您的管辖范围内")
    own_org = _tutor(request) and services.org_refusal(request.user, session) is None
    rows = selectors.attendances_visible_to(request.user).filter(session=session)
    ctx = {
        "s": session,
        "rows": list(rows),
        "materials": list(session.materials.all()),
        "own_org": own_org,
        "may_record_attendance": own_org
        and session.attendance_recorded_at is None
        and session.held_on <= clock.today(),
        "is_enterprise": request.user.role == roles.ENTERPRISE,
        "RECORDED": RECORDED,
        "DISPUTED": DISPUTED,
    }
    return render(request, "programmes/training_detail.html", ctx)


@require_POST
@refusals_to(lambda pk: reverse("programmes:training_detail", args=[pk]))
def training_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    data = valid_data(AttendanceForm(request.POST))
    services.training_attendance_record(request.user, pk, data["attended"])
    messages.success(request, "已登记参训情况，等待企业确认")
    return redirect("programmes:training_detail", pk=pk)


@require_POST
@refusals_to(lambda pk: reverse("programmes:training_detail", args=[pk]))
def material_upload(request: HttpRequest, pk: int) -> HttpResponse:
    from gaoqi.web.programmes.cultivation import cultivation_config

    form = MaterialForm(request.POST, request.FILES)
    upload = valid_data(form)["file"]
    if upload.size > cultivation_config().material_max_bytes:  # before reading it into memory
        raise DomainError(f"培训资料不能超过 {cultivation_config().material_max_bytes // (1024 * 1024)} MB")
    services.training_material_add(request.user, pk, upload.name, upload.read())
    messages.success(request, "已上传培训资料")
    return redirect("programmes:training_detail", pk=pk)


def material_download(request: HttpRequest, pk: int) -> HttpResponse:
    from django.http import FileResponse

    try:
        item, handle = services.training_material_open(request.user, pk)
    except DomainError as exc:
        raise Http404(exc.message) from None
    response = FileResponse(handle, content_type="application/pdf", as_attachment=True, filename=item.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


_ATTENDANCE_ACTS: dict[str, tuple[Callable[..., Any], str]] = {
    "confirm": (services.attendance_confirm, "已确认参训记录"),
    "dispute": (services.attendance_dispute, "已提出异议"),
    "correct": (services.attendance_correct, "已更正，等待企业重新确认"),
}


@require_POST
@refusals_to(lambda pk: reverse("programmes:cultivation"))
def attendance_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise confirms or disputes its attendance record; the organiser corrects a disputed one."""
    data = valid_data(AnswerForm(request.POST))
    act, done = _ATTENDANCE_ACTS[data["action"]]
    extra = {"attended": data["attended"] == "yes"} if data["action"] == "correct" else {}
    row = act(request.user, pk, data["comment"], seen=data["seen"] or None, **extra)
    messages.success(request, done)
    return redirect("programmes:training_detail", pk=row.session_id)
