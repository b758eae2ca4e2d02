"""供需对接 pages: demands (list, publish, detail with the ranked matches and their reasons, run the matching),
supply (products and results: an enterprise registers, the office confirms or returns; the office's results
upload), 对接会 (events, sign-up, outcomes), the KPIs, and 我的对接 (an enterprise's products and the matches
naming it). Thin: each view reads a selector or calls a service; refusals come back as the page's message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.core import clock
from gaoqi.web.core.errors import DomainError, Forbidden, refusals_to
from gaoqi.web.matching import config, selectors, services
from gaoqi.web.matching.models import DEMAND_KINDS, OPENNESS, OUTCOMES, PUBLISHER_KINDS
from gaoqi.web.matching.workflow import DEMAND, MATCH, PRODUCT, PUBLISHED, SUBMITTED
from gaoqi.web.paging import CappedPaginator as Paginator

OFFICIALS = {roles.DISTRICT, roles.MUNICIPAL}


def _common(request: HttpRequest) -> dict[str, Any]:
    return {"fields": config.field_codes(), "districts": district_codes(), "is_official": request.user.role in OFFICIALS,
            "is_office": request.user.role == roles.MUNICIPAL, "is_enterprise": request.user.role == roles.ENTERPRISE}  # fmt: skip


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise Http404("对象不存在") from None


# ------------------------------------------------------------------------------------------------------
# demands


def index(request: HttpRequest) -> HttpResponse:
    qs = selectors.demands_visible_to(request.user)
    field, status = request.GET.get("field", "")[:64], request.GET.get("status", "")[:16]
    if field:
        qs = qs.filter(field=field)
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-created_at", "-id"), 50, allow_empty_first_page=True).get_page(
        request.GET.get("page")
    )
    return render(request, "matching/index.html", {
        **_common(request), "page": page, "statuses": DEMAND.labels(), "field": field, "status": status,
    })  # fmt: skip


def demand_new(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        p = request.POST
        try:
            d = services.demand_publish(
                request.user, kind=p.get("kind", ""), publisher_kind=p.get("publisher_kind", ""),
                publisher=p.get("publisher", ""), publisher_uscc=p.get("publisher_uscc", ""), title=p.get("title", ""),
                field=p.get("field", ""), description=p.get("description", ""), district_code=p.get("district_code", ""),
                window_start=p.get("window_start", ""), window_end=p.get("window_end", ""),
                budget_min=p.get("budget_min", ""), budget_max=p.get("budget_max", ""),
                openness=p.get("openness", "public"), contact=p.get("contact", ""),
            )  # fmt: skip
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, f"需求“{d.title}”已发布")
            return redirect("matching:demand_detail", pk=d.pk)
    return render(request, "matching/demand_new.html", {
        **_common(request), "kinds": DEMAND_KINDS, "publisher_kinds": PUBLISHER_KINDS, "openness": OPENNESS,
        "form": request.POST, "today": clock.today(),
    }, status=status)  # fmt: skip


def _demand(request: HttpRequest, pk: int) -> Any:
    d = selectors.demands_visible_to(request.user).filter(pk=pk).first()
    if d is None:
        raise Http404("需求不存在或不在您的管辖范围内")
    return d


def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    d = _demand(request, pk)
    matches = list(selectors.demand_matches(request.user, d).select_related("supply__enterprise"))
    cfg = config.settings()
    return render(request, "matching/demand_detail.html", {
        **_common(request), "d": d, "matches": matches, "terms": list(dict.fromkeys(d.terms)), "status_label": DEMAND.label(d.status),
        "match_labels": MATCH.labels(), "moves": DEMAND.transitions_from(d.status) if request.user.role in OFFICIALS else [],
        "may_run": request.user.role in OFFICIALS and d.status == PUBLISHED, "weights": cfg.weights,
        "weights_confirmed": cfg.confirmed, "match_moves": {s: MATCH.transitions_from(s) for s in MATCH.statuses},
    })  # fmt: skip


@require_POST
@refusals_to(lambda pk: f"/matching/demands/{pk}/")
def demand_run(request: HttpRequest, pk: int) -> HttpResponse:
    made = services.demand_match(request.user, pk)
    messages.success(request, f"匹配完成：推荐 {made} 项")
    return redirect("matching:demand_detail", pk=pk)


@require_POST
@refusals_to(lambda pk: f"/matching/demands/{pk}/")
def demand_act(request: HttpRequest, pk: int) -> HttpResponse:
    services.demand_move(request.user, pk, request.POST.get("action", ""), comment=request.POST.get("comment", ""),
                         seen=request.POST.get("seen") or None)  # fmt: skip
    messages.success(request, "已处理")
    return redirect("matching:demand_detail", pk=pk)


@require_POST
@refusals_to(lambda: "/matching/")
def run_all(request: HttpRequest) -> HttpResponse:
    from gaoqi.web.matching.tasks import run_match_all

    if request.user.role != roles.MUNICIPAL:
        raise Forbidden("只有市级管理人员可以运行全部匹配")
    run_match_all.enqueue()
    messages.success(request, "已在后台开始匹配全部已发布需求，完成后刷新页面查看")
    return redirect("matching:index")


@require_POST
def match_act(request: HttpRequest, pk: int) -> HttpResponse:
    back = request.POST.get("back", "")
    try:
        m = services.match_move(request.user, _int(pk), request.POST.get("action", ""),
                                comment=request.POST.get("comment", ""), amount=request.POST.get("amount", ""),
                                seen=request.POST.get("seen") or None)  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.message)
        if exc.status == 404:
            raise Http404(exc.message) from None
        return redirect(back if back.startswith("/matching/") else "matching:index")
    messages.success(request, "已登记")
    return redirect("matching:demand_detail", pk=m.demand_id)


# ------------------------------------------------------------------------------------------------------
# supply


def products(request: HttpRequest) -> HttpResponse:
    qs = selectors.supplies_visible_to(request.user)
    status, kind = request.GET.get("status", "")[:16], request.GET.get("kind", "")[:16]
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    page = Paginator(qs.order_by("-created_at", "-id"), 50, allow_empty_first_page=True).get_page(
        request.GET.get("page")
    )
    return render(request, "matching/products.html", {
        **_common(request), "page": page, "statuses": PRODUCT.labels(), "status": status, "kind": kind,
        "pending": selectors.supplies_visible_to(request.user).filter(status=SUBMITTED).count(),
    })  # fmt: skip


def product_new(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        p = request.POST
        try:
            s = services.product_register(
                request.user, title=p.get("title", ""), field=p.get("field", ""), description=p.get("description", ""),
                price=p.get("price", ""), san_certificate=p.get("san_certificate", ""),
                san_valid_until=p.get("san_valid_until", "") or None,
            )  # fmt: skip
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, f"产品“{s.title}”已提交，待市级管理部门确认")
            return redirect("matching:product_detail", pk=s.pk)
    return render(request, "matching/product_new.html", {**_common(request), "form": request.POST}, status=status)


def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    s = selectors.supplies_visible_to(request.user).filter(pk=pk).first()
    if s is None:
        raise Http404("产品不存在或不在您的管辖范围内")
    role = request.user.role
    moves = [t for t in PRODUCT.transitions_from(s.status) if role in t.roles]
    return render(request, "matching/product_detail.html", {
        **_common(request), "s": s, "status_label": PRODUCT.label(s.status), "moves": moves,
        "matches": selectors.matches_visible_to(request.user).filter(supply=s).order_by("-score"),
        "match_labels": MATCH.labels(),
    })  # fmt: skip


@require_POST
@refusals_to(lambda pk: f"/matching/products/{pk}/")
def product_act(request: HttpRequest, pk: int) -> HttpResponse:
    services.product_move(request.user, pk, request.POST.get("action", ""), comment=request.POST.get("comment", ""),
                          seen=request.POST.get("seen") or None)  # fmt: skip
    messages.success(request, "已处理")
    return redirect("matching:product_detail", pk=pk)


def results_upload(request: HttpRequest) -> HttpResponse:
    outcome = None
    status = 200
    if request.method == "POST":
        f = request.FILES.get("file")
        try:
            if f is None:
                raise DomainError("请选择要上传的文件", fields={"file": "必须上传"})
            if f.size > services.RESULTS_MAX_BYTES:
                raise DomainError(f"文件不能超过 {services.RESULTS_MAX_BYTES // 1048576} MB", fields={"file": "过大"})
            outcome = services.results_upload(request.user, f.read())
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, f"已导入 {outcome.imported} 项科技成果，拒收 {len(outcome.refused)} 行")
    return render(request, "matching/results_upload.html", {
        **_common(request), "outcome": outcome, "columns": list(services.RESULT_COLUMNS),
        "required": services.REQUIRED_COLUMNS,
    }, status=status)  # fmt: skip


# ------------------------------------------------------------------------------------------------------
# events


def events(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        p = request.POST
        try:
            ev = services.event_create(request.user, title=p.get("title", ""), on=p.get("on", ""),
                                       place=p.get("place", ""), district_code=p.get("district_code", ""),
                                       field=p.get("field", ""), capacity=p.get("capacity", ""),
                                       demand_ids=[_int(x) for x in p.getlist("demands")])  # fmt: skip
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, f"对接会“{ev.title}”已创建")
            return redirect("matching:event_detail", pk=ev.pk)
    qs = selectors.events_visible_to(request.user).order_by("-on", "-id")
    page = Paginator(qs, 50, allow_empty_first_page=True).get_page(request.GET.get("page"))
    demands = (
        selectors.demands_visible_to(request.user).filter(status=PUBLISHED)[:200]
        if request.user.role in OFFICIALS
        else []
    )
    return render(request, "matching/events.html", {
        **_common(request), "page": page, "form": request.POST, "demands": demands, "today": clock.today(),
    }, status=status)  # fmt: skip


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ev = selectors.events_visible_to(request.user).filter(pk=pk).first()
    if ev is None:
        raise Http404("对接会不存在或不在您的管辖范围内")
    signups = selectors.signups_visible_to(request.user).filter(event=ev)
    return render(request, "matching/event_detail.html", {
        **_common(request), "ev": ev, "signups": signups, "outcomes": OUTCOMES,
        "signed_up": request.user.role == roles.ENTERPRISE and signups.exists(), "past": ev.on < clock.today(),
        "demands": selectors.demands_visible_to(request.user).filter(events=ev),
    })  # fmt: skip


@require_POST
@refusals_to(lambda pk: f"/matching/events/{pk}/")
def event_signup(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.events_visible_to(request.user).filter(pk=pk).exists():
        raise Http404("对接会不存在")
    services.event_signup(request.user, pk)
    messages.success(request, "报名成功")
    return redirect("matching:event_detail", pk=pk)


@require_POST
def signup_result(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        s = services.signup_result(request.user, _int(pk), result=request.POST.get("result", ""),
                                   amount=request.POST.get("amount", ""), note=request.POST.get("note", ""))  # fmt: skip
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
        ev = selectors.signups_visible_to(request.user).filter(pk=pk).values_list("event_id", flat=True).first()
        return redirect("matching:event_detail", pk=ev) if ev else redirect("matching:events")
    messages.success(request, "对接结果已登记")
    return redirect("matching:event_detail", pk=s.event_id)


# ------------------------------------------------------------------------------------------------------
# KPIs and the enterprise's own page


def kpis(request: HttpRequest) -> HttpResponse:
    k = selectors.kpis(request.user)
    return render(request, "matching/kpis.html", {**_common(request), "k": k})


def mine(request: HttpRequest) -> HttpResponse:
    """我的对接: the enterprise's products and every match naming it (its own list: it is told here, whatever
    the platform's inbox does)."""
    return render(request, "matching/mine.html", {
        **_common(request), "products": selectors.supplies_visible_to(request.user).order_by("-created_at"),
        "matches": selectors.matches_visible_to(request.user).order_by("-proposed_at", "rank"),
        "statuses": PRODUCT.labels(), "match_labels": MATCH.labels(),
        "signups": selectors.signups_visible_to(request.user).order_by("-event__on"),
    })  # fmt: skip
