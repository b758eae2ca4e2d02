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
from gaoqi.web.core.errors import DomainError, Forbidden, refusals_to, valid_data
from gaoqi.web.core.htmx import is_htmx
from gaoqi.web.core.scoping import OVERSIGHT
from gaoqi.web.enterprises.selectors import enterprise_get
from gaoqi.web.paging import CappedPaginator as Paginator
from gaoqi.web.programmes import funnel as funnels
from gaoqi.web.programmes import lists, selectors, services
from gaoqi.web.programmes.forms import (
    DecisionForm,
    FunnelFilterForm,
    MemberFilterForm,
    QueueFilterForm,
    RecommendForm,
    RemoveForm,
)  # fmt: skip
from gaoqi.web.programmes.models import ROUTES
from gaoqi.web.programmes.workflow import RECOMMENDATION, STATUS_LABELS, SUBMITTED


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
        "may_see_funnel": lists.ends_on_certification(policy.id) and request.user.role in FUNNEL_READERS,
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
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="list-{policy.id}.xlsx"'
    return response


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
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="funnel-{policy.id}.xlsx"'
    return response


# ------------------------------------------------------------------------------------------------------
# recommendations


def _recommendable(list_id: str) -> Any:
    if "\x00" in list_id or not lists.recommendable(list_id):
        raise Http404("该名单不接受推荐")
    return lists.list_get(list_id)


def _queue_url(list_id: str = lists.DEFAULT_RECOMMENDABLE) -> str:
    return reverse("programmes:recommendations", args=[list_id])


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
