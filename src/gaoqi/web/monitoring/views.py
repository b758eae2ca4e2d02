"""监测预警's pages (thin: a form parses, one selector or service answers): the jurisdiction's overview and list,
the Excel export, a warning's page with its actions, the rule catalogue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.core import clock
from gaoqi.web.core.errors import refusals_to, valid_data
from gaoqi.web.core.htmx import is_htmx
from gaoqi.web.exports import xlsx_response
from gaoqi.web.monitoring import forms, selectors, services
from gaoqi.web.monitoring import workflow as wf
from gaoqi.web.monitoring.config import process


def index(request: HttpRequest) -> HttpResponse:
    """监测预警: the open warnings of the user's jurisdiction by rule, severity, age band and district, the trend
    over snapshots (chart), the filters, the key-paged list."""
    today = clock.today()
    f = forms.FilterForm(request.GET).asked()
    after = request.GET.get("after", "")
    page = selectors.key_page(selectors.warning_list(request.user, f, today), after)
    query = request.GET.copy()
    query.pop("after", None)
    ctx: dict[str, Any] = {
        "page": page, "f": f, "after": after, "query": query.urlencode(), "today": today,
        "statuses": wf.STATUS_LABELS, "severities": wf.SEVERITY_LABELS, "bands": selectors.age_bands(),
        "rules": selectors.rule_names(), "districts": district_codes(), "actions": wf.ACTIONS,
        "municipal": request.user.role in (roles.MUNICIPAL, roles.EVALUATOR),
    }  # fmt: skip
    if is_htmx(request) and request.GET.get("fragment") == "list":
        return render(request, "monitoring/_list.html", ctx)
    ov = selectors.overview(request.user, f, today)
    names, rules = ctx["districts"], ctx["rules"]
    by_severity = [(wf.SEVERITY_LABELS[s], s, ov["by"]["severity"].get(s, 0)) for s in reversed(wf.SEVERITIES)]
    trend = selectors.trend(request.user)
    ctx.update(
        overview=ov, by_severity=by_severity, limits=process(),
        by_rule=sorted(((rules.get(k, k), k, n) for k, n in ov["by"]["rule"].items()), key=lambda x: -x[2]),
        by_band=[(words, i, ov["by"]["band"].get(int(i), 0)) for i, words in ctx["bands"]],
        by_district=sorted(((names.get(k, k), k, n) for k, n in ov["by"]["district"].items()), key=lambda x: -x[2]),
        chart={
            "labels": [f"快照{t['snapshot']}（{t['as_of']:%Y年%-m月%-d日}）" for t in trend],
            "series": [{"name": "未处置", "data": [t["open"] for t in trend]},
                       {"name": "新增", "data": [t["new"] for t in trend]},
                       {"name": "消除", "data": [t["closed"] for t in trend]}],
            "severity": {"labels": [w for w, _, _ in by_severity], "data": [n for _, _, n in by_severity]},
        },
    )  # fmt: skip
    return render(request, "monitoring/index.html", ctx)


def export(request: HttpRequest) -> HttpResponse:
    f = forms.FilterForm(request.GET).asked()
    qs = selectors.warning_list(request.user, f)
    return xlsx_response(services.warnings_export(request.user, qs, request=request), "warnings.xlsx")


def _warning(request: HttpRequest, pk: int) -> Any:
    w = selectors.warning_get(request.user, pk)
    if w is None:
        raise Http404("预警不存在或不在您的管辖范围内")
    return w


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A warning: the enterprise, the rule and its articles, the evidence (values with feed, file and line), the
    limit, escalation, the actions the user may take, and its log."""
    w = _warning(request, pk)
    acts = wf.WARNING.transitions_from(w.status) if selectors.may_act(request.user, w) else []
    labels = {t.action: t.label for t in wf.TRANSITIONS}
    return render(request, "monitoring/detail.html", {
        "w": w, "statuses": wf.STATUS_LABELS, "severities": wf.SEVERITY_LABELS, "actions": wf.ACTIONS,
        "moves": [t for t in acts if request.user.role in t.roles], "history": selectors.history(w),
        "move_labels": labels, "overdue": selectors.is_overdue(w),
        "referral_link": reverse("certification:referral", args=[w.referral_id])
        if w.referral_id and request.user.role == roles.MUNICIPAL else "",
    })  # fmt: skip


@require_POST
@refusals_to(lambda pk: reverse("monitoring:detail", args=[pk]))
def act(request: HttpRequest, pk: int) -> HttpResponse:
    _warning(request, pk)
    d = valid_data(forms.ActForm(request.POST))
    seen = d["seen"] or None
    if d["action"] == "acknowledge":
        services.warning_acknowledge(request.user, pk, seen=seen)
        messages.success(request, "已签收")
    elif d["action"] == "handle":
        services.warning_handle(request.user, pk, action=d["how"], note=d["comment"], seen=seen)
        messages.success(request, "已处置" + ("，已移送撤销程序" if d["how"] == wf.REFERRAL else ""))
    else:
        services.warning_dismiss(request.user, pk, reason=d["comment"], seen=seen)
        messages.success(request, "已排除")
    return redirect("monitoring:detail", pk=pk)


def rules(request: HttpRequest) -> HttpResponse:
    """预警规则: each rule's severity, conditions with their articles, parameters (默认值，待确认 where unconfirmed)."""
    return render(request, "monitoring/rules.html", {"rules": selectors.rule_catalogue(),
                                                     "severities": wf.SEVERITY_LABELS, "limits": process()})  # fmt: skip
