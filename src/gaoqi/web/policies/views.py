from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gaoqi.engine import district_codes
from gaoqi.web.paging import CappedPaginator as Paginator
from gaoqi.web.policies import selectors
from gaoqi.web.policies.services import policy_simulate


def catalogue(request: HttpRequest) -> HttpResponse:
    counts = selectors.status_counts(request.user) if request.user.role != "expert" else {}
    rows = [(p, counts.get(p.id), selectors.needs_review(p)) for p in selectors.catalogue()]
    return render(request, "policies/catalogue.html", {"rows": rows})


def detail(request: HttpRequest, policy_id: str) -> HttpResponse:
    policy = selectors.policy_get(policy_id)
    if policy is None:
        raise Http404("没有这项政策")
    counts = selectors.status_counts(request.user, policy_id).get(policy_id) if request.user.role != "expert" else None
    ctx = {
        "p": policy,
        "versions": selectors.policy_display(policy),
        "counts": counts,
        "review": selectors.needs_review(policy),
    }
    return render(request, "policies/detail.html", ctx)


def enterprises(request: HttpRequest, policy_id: str) -> HttpResponse:
    policy = selectors.policy_get(policy_id)
    if policy is None:
        raise Http404("没有这项政策")
    which = request.GET.get("status", "near")
    if which == "near":
        qs = selectors.near_misses(request.user, policy_id)
    else:
        qs = selectors.results_visible(request.user, policy_id).filter(status=which)
    qs = qs.select_related("enterprise").order_by("enterprise__name", "pk")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    page.object_list = [selectors.labelled(r) for r in page.object_list]
    return render(request, "policies/enterprises.html", {"p": policy, "page": page, "which": which})


def simulate(request: HttpRequest) -> HttpResponse:
    policies = selectors.catalogue()
    policy = selectors.policy_get(request.GET.get("policy", "")) or (policies[0] if policies else None)
    version = None
    if policy is not None and (snap := selectors.current_snapshot()) is not None:
        version = policy.version_at(snap.as_of)
    result = None
    error = ""
    if policy is not None and request.GET.get("param"):
        try:
            result = policy_simulate(request.user, policy, {request.GET["param"]: request.GET.get("value", "")})
        except ValueError as exc:
            error = str(exc)
    chart = None
    if result is not None:
        names = district_codes()
        groups = sorted(result["groups"])
        flips = sorted(result["flips"])
        chart = {
            "categories": [names.get(g, g) for g in groups],
            "series": [
                {"name": selectors.flip_label(k), "data": [result["groups"][g].get(k, 0) for g in groups]}
                for k in flips
            ],
        }
        parameters = version.parameters if version is not None else {}
        result = {
            **result,
            # what a person reads: the parameter's name and each status change in words
            "changes": {(parameters[k].label if k in parameters else k): v for k, v in result["changes"].items()},
            "flip_labels": {k: selectors.flip_label(k) for k in flips},
        }
    ctx = {
        "policies": policies,
        "policy": policy,
        "version": version,
        "result": result,
        "error": error,
        "chart": chart,
    }
    return render(request, "policies/simulate.html", ctx)
