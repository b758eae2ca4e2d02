"""名单: the lists, one page per list (members, why, entries and exits, counts over time), its export, and an
official's removal. Thin: each view validates its input with a form and calls one selector or service."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from gaoqi.engine import district_codes
from gaoqi.web.core.htmx import is_htmx
from gaoqi.web.core.scoping import OVERSIGHT
from gaoqi.web.paging import CappedPaginator as Paginator
from gaoqi.web.programmes import lists, selectors, services
from gaoqi.web.programmes.forms import MemberFilterForm, RemoveForm


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
    page = Paginator(qs, 25, allow_empty_first_page=True).get_page(request.GET.get("page"))
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
    }
    if is_htmx(request):
        response = render(request, "programmes/_members.html", ctx)
    else:
        ctx["changes"] = selectors.changes(request.user, policy.id)
        ctx["chart"] = selectors.counts_over_time(request.user, policy.id)
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
