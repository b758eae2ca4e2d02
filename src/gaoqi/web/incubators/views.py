"""孵化器、服务机构: the municipal office's ranking (a district official: its district's bodies), its export, each
body's page (figures against the city's, the evaluation's gates and points, its enterprises) and an incubator
account's own page. Thin: each view reads one selector or calls one service."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gaoqi.engine import describe_parameter, district_codes
from gaoqi.web.core import labels
from gaoqi.web.core.scoping import OVERSIGHT
from gaoqi.web.exports import xlsx_response
from gaoqi.web.incubators import selectors, services
from gaoqi.web.incubators.forms import RankingForm
from gaoqi.web.incubators.models import COUNTS, KINDS, SHARES, IncubatorFigures
from gaoqi.web.paging import CappedPaginator as Paginator

#: The shares an incubator is compared with the city on (label, field), in the page's order.
COMPARED = (
    ("有效高企占比", "hte_share"),
    ("培育库转化率", "pool_conv"),
    ("高企复审率", "recert_rate"),
    ("科技型中小企业占比", "tech_sme_share"),
    ("上年新注册企业占比", "registered_last_year_share"),
    ("高成长企业占比", "growth_share"),
)


def _shown(value: Any, vtype: str | None) -> str:
    """A gate's value as read: a ratio as a percentage, a count as a whole number."""
    if value is None:
        return labels.EMPTY
    return labels.percent(value) if vtype == "ratio" else f"{float(value):g}"


def _evaluation(figures: IncubatorFigures | None) -> dict[str, Any]:
    """The evaluation policy's words for the page: each gate's label and parameter, the weights (unconfirmed
    ones marked), each score's label."""
    found = selectors.evaluation_version(*(figures.policy_id, figures.policy_version) if figures else ())
    if found is None:
        return {"policy": None, "gate_labels": {}, "gate_types": {}, "score_labels": {}, "parameters": []}
    policy, version = found
    return {
        "policy": policy,
        "version": version,
        "gate_labels": {c.id: c.label for c in version.conditions},
        "gate_types": {c.id: c.observed_type for c in version.conditions},
        "score_labels": {s.id: s.label for s in version.scores},
        "parameters": [(p.label, _parameter(p), p.unconfirmed) for p in version.parameters.values()],
    }


def _parameter(p: Any) -> str:
    """A parameter's value in words (a ratio as a percentage; a policy named by its name, not its id)."""
    from gaoqi.web.policies.selectors import policy_names

    if p.type == "text":
        return policy_names().get(str(p.value), str(p.value))
    return describe_parameter(p)


def ranking(request: HttpRequest) -> HttpResponse:
    form = RankingForm(request.GET)
    f = form.filter()
    qs = selectors.ranking(request.user, f)
    page = Paginator(qs, 50, allow_empty_first_page=True).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sortless = query.copy()
    sortless.pop("sort", None)
    ctx = {
        "page": page,
        "f": f,
        "kinds": KINDS,
        "districts": district_codes(),
        "show_district_filter": request.user.role in OVERSIGHT,
        "query": query.urlencode(),
        "query_prefix": query.urlencode() + "&" if query else "",
        "sort_prefix": sortless.urlencode() + "&" if sortless else "",
        "city": selectors.city_figures(),
        "statuses": ("pass", "fail", "unknown"),
        **_evaluation(page.object_list[0] if page.object_list else None),
    }
    return render(request, "incubators/ranking.html", ctx)


def export(request: HttpRequest) -> HttpResponse:
    f = RankingForm(request.GET).filter()
    data = services.ranking_export(
        request.user,
        selectors.ranking(request.user, f),
        request=request,
        filters={k: str(v) for k, v in asdict(f).items() if v},
    )
    return xlsx_response(data, "incubators.xlsx")


def detail(request: HttpRequest, code: str) -> HttpResponse:
    inc = None if "\x00" in code else selectors.incubator_get(request.user, code)
    if inc is None:
        raise Http404("孵化机构不存在或不在您的管辖范围内")
    figures = selectors.figures_of(inc)
    city = selectors.city_figures()
    evaluation = _evaluation(figures)
    pool = selectors.pool_policy_id(evaluation.get("version"))
    enterprises = selectors.incubator_enterprises(request.user, inc, pool)
    page = Paginator(enterprises, 25, allow_empty_first_page=True).get_page(request.GET.get("page"))
    compared = [
        (label, getattr(figures, field) if figures else None, getattr(city, field) if city else None)
        for label, field in COMPARED
    ]
    gates = [
        {
            **g,
            "label": evaluation["gate_labels"].get(g["id"], g["id"]),
            "observed_text": _shown(g.get("observed"), evaluation["gate_types"].get(g["id"])),
            "required_text": _shown(g.get("required"), evaluation["gate_types"].get(g["id"])),
        }
        for g in (figures.gates if figures else [])
    ]
    scores = [
        {**s, "label": evaluation["score_labels"].get(s["id"], s["id"])} for s in (figures.scores if figures else [])
    ]
    ctx = {
        "inc": inc,
        "figures": figures,
        "city": city,
        "compared": compared,
        "gates": gates,
        "scores": scores,
        "page": page,
        "query_prefix": "",
        "tutoring": selectors.tutoring_given(inc.code, figures.evaluation_year) if figures else 0,
        "counts": COUNTS,
        "shares": SHARES,
        **evaluation,
    }
    return render(request, "incubators/detail.html", ctx)


def mine(request: HttpRequest) -> HttpResponse:
    """An incubator account's own body (孵化器、服务机构): its page."""
    code = str(getattr(request.user, "incubator_code", "") or "")
    if not code or selectors.incubator_get(request.user, code) is None:
        raise Http404("您的账号所属的孵化机构不在孵化机构名录中")
    return redirect("incubators:detail", code=code)
