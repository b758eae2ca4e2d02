"""双随机、一公开 pages: the public draws and results (no login), the officials' plan (rules in force, the draws,
the municipal office's draw and anyone's verification), the cases with filters (scoped), a case's page with its
moves, the Excel export, and the inspector pool (municipal office). Thin: each view reads a selector or calls a
service; refusals come back as the page's message."""

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
from gaoqi.web.core.errors import refusals_to
from gaoqi.web.exports import xlsx_response
from gaoqi.web.paging import CappedPaginator as Paginator
from gaoqi.web.spotchecks import rules, selectors, services
from gaoqi.web.spotchecks.sampling import REASONS
from gaoqi.web.spotchecks.services import REASON_LABELS
from gaoqi.web.spotchecks.workflow import CASE, STATUS_LABELS

#: a rules value in words (the YAML's codes never reach a page)
VALUE_WORDS = {"district": "区县", "cert_year": "认定年度", "ceil": "各层按比例计算后向上取整（不足一户按一户）",
               "floor": "各层按比例计算后向下取整", "half_up": "各层按比例计算后四舍五入",
               "not_same_district": "检查人员不检查本人所属区县的企业", "none": "不设回避"}  # fmt: skip


def param_rows(version: rules.RulesVersion | None) -> list[dict[str, Any]]:
    """The version's parameters as a page shows them: label, value in words, whether a DEFAULT."""
    from decimal import Decimal

    from gaoqi.web.core.labels import percent

    if version is None:
        return []
    out = []
    for p in version.parameters.values():
        v = p.value
        if isinstance(v, Decimal):
            words = percent(v)
        elif isinstance(v, tuple | list):
            words = " × ".join(VALUE_WORDS.get(str(x), str(x)) for x in v)
        elif isinstance(v, int):
            words = f"{v}人"
        else:
            words = VALUE_WORDS.get(str(v), str(v))
        out.append({"label": p.label, "value": words, "unconfirmed": p.unconfirmed})
    return out


def _rules_ctx() -> dict[str, Any]:
    try:
        version = rules.in_force(clock.today())
    except rules.RulesError:
        version = None
    return {"rules": version, "rule_rows": param_rows(version), "reason_labels": REASON_LABELS,
            "statuses": STATUS_LABELS}  # fmt: skip


# ------------------------------------------------------------------------------------------------------
# 一公开: public pages


def public(request: HttpRequest) -> HttpResponse:
    draws = list(selectors.draws())
    return render(request, "spotchecks/public.html", {**_rules_ctx(), "draws": draws})


def public_draw(request: HttpRequest, pk: int) -> HttpResponse:
    draw = selectors.draw_get(pk)
    if draw is None:
        raise Http404("抽查批次不存在")
    return render(request, "spotchecks/public_draw.html", {
        **_rules_ctx(), "draw": draw, "by_district": selectors.counts_by_district(draw),
        "page": Paginator(selectors.public_cases(draw), 200, allow_empty_first_page=True).get_page(
            request.GET.get("page")
        ), "draw_rules": _version_of(draw),
    })  # fmt: skip


def _version_of(draw: Any) -> Any:
    try:
        return rules.by_id(draw.rules_version)
    except rules.RulesError:
        return None


# ------------------------------------------------------------------------------------------------------
# officials


def index(request: HttpRequest) -> HttpResponse:
    draws = list(selectors.draws())
    this_year = clock.today().year
    return render(request, "spotchecks/index.html", {
        **_rules_ctx(), "draws": draws, "this_year": this_year,
        "may_draw": request.user.role in selectors.MANAGERS and not any(d.year == this_year for d in draws),
        "may_verify": request.user.role in (roles.MUNICIPAL, roles.EVALUATOR),
        "pool": selectors.inspectors(active_only=True).count(),
    })  # fmt: skip


@require_POST
@refusals_to(lambda **_: reverse("spotchecks:index"))
def draw(request: HttpRequest) -> HttpResponse:
    d = services.draw_run(request.user)
    messages.success(request, f"{d.year}年度抽取完成：抽查对象{d.population}户，抽中{d.drawn}户")
    return redirect("spotchecks:draw_detail", pk=d.pk)


def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    d = selectors.draw_get(pk)
    if d is None:
        raise Http404("抽查批次不存在")
    return render(request, "spotchecks/draw.html", {
        **_rules_ctx(), "draw": d, "draw_rules": _version_of(d), "by_district": selectors.counts_by_district(d),
        "may_verify": request.user.role in (roles.MUNICIPAL, roles.EVALUATOR),
    })  # fmt: skip


@require_POST
@refusals_to(lambda pk: reverse("spotchecks:draw_detail", kwargs={"pk": pk}))
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    result = services.draw_verify(request.user, pk)
    if result.ok:
        messages.success(
            request, f"复核一致：由随机种子和冻结名单重新计算，抽中{result.recomputed}户，企业和检查人员与记录完全一致"
        )
    else:
        messages.error(request, "复核不一致：" + "；".join(result.problems))
    return redirect("spotchecks:draw_detail", pk=pk)


def _filter(request: HttpRequest) -> selectors.CaseFilter:
    g = request.GET
    year = g.get("year", "")
    status = g.get("status", "")
    reason = g.get("reason", "")
    return selectors.CaseFilter(
        year=int(year) if year.isdigit() and len(year) == 4 else None, district=g.get("district", "")[:6],
        status=status if status in STATUS_LABELS else "", reason=reason if reason in REASONS else "",
        mine=g.get("mine") == "1",
    )  # fmt: skip


def cases(request: HttpRequest) -> HttpResponse:
    f = _filter(request)
    page = Paginator(selectors.cases_search(request.user, f), 50, allow_empty_first_page=True).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "spotchecks/cases.html", {
        **_rules_ctx(), "page": page, "f": f, "districts": district_codes(), "reasons": REASONS,
        "years": [d.year for d in selectors.draws()], "query": query.urlencode(),
        "query_prefix": (query.urlencode() + "&" if query else ""),
    })  # fmt: skip


def case(request: HttpRequest, pk: int) -> HttpResponse:
    c = selectors.case_get(request.user, pk)
    if c is None:
        raise Http404("抽查事项不存在或不在您的管辖范围内")
    may = selectors.may_record(request.user, c)
    return render(request, "spotchecks/case.html", {
        **_rules_ctx(), "c": c, "moves": [t for t in CASE.transitions_from(c.status)] if may else [],
        "log": selectors.case_log(c),
    })  # fmt: skip


@require_POST
@refusals_to(lambda pk: reverse("spotchecks:case", kwargs={"pk": pk}))
def case_act(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    c = services.case_move(request.user, pk, p.get("action", ""), comment=p.get("comment", ""),
                           seen=p.get("seen") or None)  # fmt: skip
    messages.success(request, f"已登记：{STATUS_LABELS[c.status]}")
    return redirect("spotchecks:case", pk=pk)


@require_POST
@refusals_to(lambda pk: reverse("spotchecks:case", kwargs={"pk": pk}))
def case_refer(request: HttpRequest, pk: int) -> HttpResponse:
    services.case_refer(request.user, pk)
    messages.success(request, "已移送撤销程序")
    return redirect("spotchecks:case", pk=pk)


def export(request: HttpRequest) -> HttpResponse:
    data = services.cases_export(request.user, selectors.cases_search(request.user, _filter(request)))
    return xlsx_response(data, f"spot-checks-{clock.today():%Y%m%d}.xlsx")


# ------------------------------------------------------------------------------------------------------
# the inspector pool (municipal office)


def inspectors(request: HttpRequest) -> HttpResponse:
    return render(request, "spotchecks/inspectors.html", {
        "inspectors": selectors.inspectors().order_by("-active", "name", "id"), "districts": district_codes(),
    })  # fmt: skip


def _fields(request: HttpRequest) -> dict[str, str]:
    p = request.POST
    return {"name": p.get("name", "")[:64], "unit": p.get("unit", "")[:100],
            "district_code": p.get("district_code", "")[:6], "username": p.get("username", "")[:150]}  # fmt: skip


@require_POST
@refusals_to(lambda **_: reverse("spotchecks:inspectors"))
def inspector_create(request: HttpRequest) -> HttpResponse:
    ins = services.inspector_create(request.user, **_fields(request))
    messages.success(request, f"已加入检查人员名录：{ins.name}")
    return redirect("spotchecks:inspectors")


@require_POST
@refusals_to(lambda **_: reverse("spotchecks:inspectors"))
def inspector_update(request: HttpRequest, pk: int) -> HttpResponse:
    ins = services.inspector_update(request.user, pk, **_fields(request), active=request.POST.get("active") == "1")
    messages.success(request, f"已更新检查人员：{ins.name}（{'在册' if ins.active else '已停用'}）")
    return redirect("spotchecks:inspectors")
