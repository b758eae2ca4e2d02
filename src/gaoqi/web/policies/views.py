from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gaoqi.engine import district_codes
from gaoqi.web.paging import CappedPaginator as Paginator
from gaoqi.web.policies import selectors
from gaoqi.web.policies.forms import PolicyEnterprisesForm, SimulateForm
from gaoqi.web.policies.services import policy_simulate
from gaoqi.web.programmes.selectors import recommend_from


def catalogue(request: HttpRequest) -> HttpResponse:
    counts = selectors.status_counts(request.user)  # scoped: none for a role that sees no enterprise
    rows = [(p, counts.get(p.id), selectors.needs_review(p)) for p in selectors.catalogue()]
    return render(request, "policies/catalogue.html", {"rows": rows})


def detail(request: HttpRequest, policy_id: str) -> HttpResponse:
    policy = selectors.policy_get(policy_id)
    if policy is None:
        raise Http404("没有这项政策")
    counts = selectors.status_counts(request.user, policy_id).get(policy_id)
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
    which = PolicyEnterprisesForm(request.GET).which()
    qs = selectors.policy_enterprises(request.user, policy_id, which)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    page.object_list = [selectors.labelled(r) for r in page.object_list]
    ctx = {"p": policy, "page": page, "which": which, "recommend_list": recommend_from(request.user, policy_id)}
    return render(request, "policies/enterprises.html", ctx)


def simulate(request: HttpRequest) -> HttpResponse:
    form = SimulateForm(request.GET)
    asked = form.cleaned_data if form.is_valid() else {}
    policies = selectors.catalogue()
    policy = selectors.policy_get(asked.get("policy", "")) or (policies[0] if policies else None)
    version = None
    if policy is not None and (snap := selectors.current_snapshot()) is not None:
        version = policy.version_at(snap.as_of)
    result = None
    error = ""
    if policy is not None and asked.get("param"):
        try:
            result = policy_simulate(request.user, policy, {asked["param"]: asked.get("value", "")})
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
