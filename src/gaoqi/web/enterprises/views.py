from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.analytics.selectors import enterprise_tags
from gaoqi.web.core.htmx import fragment_of, is_htmx
from gaoqi.web.core.scoping import OVERSIGHT
from gaoqi.web.enterprises import selectors, services
from gaoqi.web.enterprises.forms import DirectoryFilterForm
from gaoqi.web.exports import xlsx_response
from gaoqi.web.paging import CappedPaginator as Paginator
from gaoqi.web.policies.selectors import labelled, policy_names, readable_explanation
from gaoqi.web.programmes.selectors import enterprise_lists, recommend_options, tutoring_summary


def _filter(request: HttpRequest) -> selectors.DirectoryFilter:
    return DirectoryFilterForm(request.GET).filter()


def _visible(request: HttpRequest, uscc: str) -> Any:
    ent = None if "\x00" in uscc else selectors.enterprise_get(request.user, uscc)
    if ent is None:
        raise Http404("企业不存在或不在您的管辖范围内")
    return ent


def directory(request: HttpRequest) -> HttpResponse:
    f = _filter(request)
    qs = selectors.enterprise_search(request.user, f)
    page = Paginator(qs, 25, allow_empty_first_page=True).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "f": f,
        "districts": district_codes(),
        "policies": policy_names(),
        "query": request.GET.urlencode(),
        "show_district_filter": request.user.role in OVERSIGHT,  # the others see one district at most
    }
    # htmx swaps the results table only; a history restore (back button after hx-push-url) needs the whole page
    response = render(request, "enterprises/_table.html" if is_htmx(request) else "enterprises/directory.html", ctx)
    patch_vary_headers(response, ("HX-Request",))  # the same URL answers a fragment or a page: never mix them up
    return response


def export(request: HttpRequest) -> HttpResponse:
    f = _filter(request)
    data = services.enterprise_export(
        request.user, selectors.enterprise_search(request.user, f), request=request, filters=asdict(f)
    )
    return xlsx_response(data, "enterprises.xlsx")


def detail(request: HttpRequest, uscc: str) -> HttpResponse:
    ent = _visible(request, uscc)
    results = [labelled(r) for r in selectors.results_of(ent)]
    ctx = {
        "e": ent,
        "results": results,
        "details": selectors.profile_details(ent),
        "masked_id": selectors.mask_id_number(ent.legal_rep_id_number),
        "masked_phone": selectors.mask_phone(ent.phone),
        "may_reveal": request.user.role in roles.MAY_REVEAL_PERSONAL,
        "districts": district_codes(),
        "memberships": enterprise_lists(ent),
        "list_names": policy_names(),
        "recommend": recommend_options(request.user, ent),  # a district official's recommendation (培育库)
        "cultivation": tutoring_summary(request.user, ent),  # the pool's one-to-one tutoring (count, last)
        "tags": enterprise_tags(ent.uscc),  # 企业画像标签 of the current snapshot (analytics, ADR 0033)
    }
    return render(request, "enterprises/detail.html", ctx)


@fragment_of(lambda uscc, policy_id: reverse("enterprises:detail", args=[uscc]) + "#policies")
def explain(request: HttpRequest, uscc: str, policy_id: str) -> HttpResponse:
    ent = _visible(request, uscc)
    data = None if "\x00" in policy_id else selectors.explain_for(ent.uscc, policy_id)
    if data is None:
        raise Http404("没有该政策的评估")
    return render(request, "enterprises/_explain.html", {"x": readable_explanation(data)})


@require_POST
def reveal(request: HttpRequest, uscc: str) -> HttpResponse:
    ent = _visible(request, uscc)
    values = services.enterprise_reveal(request.user, ent, request=request)
    return render(request, "enterprises/_personal.html", {"values": values})


def mine(request: HttpRequest) -> HttpResponse:
    """我的企业: what the enterprise qualifies for, what it nearly qualifies for and what would close the gap."""
    ent = selectors.enterprise_get(request.user, request.user.uscc)
    if ent is None:
        raise Http404("您的企业尚未出现在数据中")
    groups: dict[str, list[object]] = {"pass": [], "near": [], "unknown": [], "fail": []}
    for r in map(labelled, selectors.results_of(ent)):
        key = "near" if r.status == "fail" and r.failed_count == 1 else r.status
        groups[key].append(r)
    return render(request, "enterprises/mine.html", {"e": ent, "groups": groups})
