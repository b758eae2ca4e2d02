"""企业诉求 and 企业家服务日 pages: the enterprise's 我的诉求 (file, list, detail, rate, reopen), the officials'
handling queue 诉求办理 (filters, overdue flagged, Excel), a request's page with its history and the moves the
viewer may make, the statistics (三率, chart and Excel), and the service days. Thin: each view validates its
input with a form and calls one selector or service; refusals answer through core/errors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.core import clock
from gaoqi.web.core.errors import DomainError, refusals_to, valid_data
from gaoqi.web.core.labels import district, label
from gaoqi.web.exports import xlsx, xlsx_response
from gaoqi.web.paging import CappedPaginator
from gaoqi.web.servicedesk import forms, selectors, services
from gaoqi.web.servicedesk import workflow as wf
from gaoqi.web.servicedesk.config import CATEGORIES, CHANNELS, RESOLVED, SATISFACTION, URGENCIES, process_config

EXPORT_CAP = 10_000


def _request(request: HttpRequest, pk: int) -> Any:
    req = selectors.request_get(request.user, pk)
    if req is None:
        raise Http404("诉求不存在或不在您的管辖范围内")
    return req


def _detail_url(pk: int) -> str:
    return reverse("servicedesk:detail", args=[pk])


def _choices() -> dict[str, Any]:
    return {"categories": CATEGORIES, "urgencies": URGENCIES, "channels": CHANNELS, "resolved": RESOLVED,
            "satisfactions": SATISFACTION, "statuses": wf.STATUS_LABELS, "cfg": process_config()}  # fmt: skip


def mine(request: HttpRequest) -> HttpResponse:
    page = CappedPaginator(selectors.mine(request.user), 25, allow_empty_first_page=True).get_page(
        request.GET.get("page")
    )
    return render(request, "servicedesk/mine.html", {"page": page, **_choices()})


def new(request: HttpRequest) -> HttpResponse:
    """The filing form (GET) and the filing (POST): an enterprise for itself, an official on behalf."""
    if request.method == "POST":
        return _file(request)
    days = list(selectors.service_days_visible_to(request.user)[:50]) if request.user.role != roles.ENTERPRISE else []
    ctx = {
        "days": days,
        "uscc": request.GET.get("uscc", "")[:18],
        "event": request.GET.get("event", "")[:12],
        **_choices(),
    }
    return render(request, "servicedesk/new.html", ctx)


@refusals_to(lambda: reverse("servicedesk:new"))
def _file(request: HttpRequest) -> HttpResponse:
    data = valid_data(forms.FileForm(request.POST))
    cfg = process_config()
    uploads = request.FILES.getlist("attachments")
    for upload in uploads:
        if upload.size is not None and upload.size > cfg.max_bytes:  # before reading it into memory
            raise DomainError(f"附件“{upload.name}”超过 {cfg.max_bytes // (1024 * 1024)} MB")
    files = [(u.name or "", u.read()) for u in uploads[: cfg.per_request + 1]]
    channel = data["channel"] or ("platform" if request.user.role == roles.ENTERPRISE else "")
    req = services.request_file(
        request.user, category=data["category"], title=data["title"], description=data["description"],
        urgency=data["urgency"] or "", channel=channel, uscc=data["uscc"] or None, event_id=data["event"], files=files,
    )  # fmt: skip
    messages.success(request, f"诉求已提交，承办单位：{req.unit.name}")
    return redirect(_detail_url(req.pk))


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request(request, pk)
    user = request.user
    handler = selectors.may_handle(user, req)
    own = user.role == roles.ENTERPRISE and user.uscc == req.uscc
    actions = [
        t for t in wf.REQUEST.transitions_from(req.status)
        if user.role in t.roles and t.action in forms.ACTIONS and (handler if user.role != roles.ENTERPRISE else own)
    ]  # fmt: skip
    if req.reopen_count >= process_config().reopen_limit:
        actions = [t for t in actions if t.action != "reopen"]
    ctx = {"req": req, "actions": actions, "history": selectors.history(req), "attachments": list(req.attachments.all()),
           "overdue": selectors.is_overdue(req),
           "units": _transfer_units(user, req) if handler else [], **_choices()}  # fmt: skip
    return render(request, "servicedesk/detail.html", ctx)


def _transfer_units(user: Any, req: Any) -> list[Any]:
    from gaoqi.web.units.selectors import units_active

    return [
        u
        for u in units_active()
        if u.pk != req.unit_id and (u.level == "municipal" or u.district_code == req.district_code)
    ]


@require_POST
@refusals_to(lambda pk: _detail_url(pk))
def act(request: HttpRequest, pk: int) -> HttpResponse:
    _request(request, pk)
    d = valid_data(forms.ActForm(request.POST))
    action, seen, comment = d["action"], d["seen"] or None, d["comment"]
    if action == "accept":
        req = services.request_accept(request.user, pk, seen=seen)
    elif action == "answer":
        req = services.request_answer(request.user, pk, comment, seen=seen)
    elif action == "transfer":
        req = services.request_transfer(request.user, pk, d["unit"], comment, seen=seen)
    elif action == "rate":
        req = services.request_rate(
            request.user, pk, resolved=d["resolved"], satisfaction=d["satisfaction"], comment=comment
        )
    else:
        req = services.request_reopen(request.user, pk, comment)
    messages.success(request, f"诉求 #{req.pk}：{wf.STATUS_LABELS[req.status]}")
    return redirect(_detail_url(pk))


def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item, handle = services.attachment_open(request.user, pk)
    except DomainError as exc:
        raise Http404(exc.message) from None
    response = FileResponse(handle, content_type="application/pdf", as_attachment=True, filename=item.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _queue_filter(request: HttpRequest) -> tuple[selectors.QueueFilter, str]:
    f = forms.QueueFilterForm(request.GET)
    data = f.filters()
    query = request.GET.copy()
    query.pop("page", None)
    return selectors.QueueFilter(**data), query.urlencode()


def queue(request: HttpRequest) -> HttpResponse:
    f, query = _queue_filter(request)
    qs = selectors.queue(request.user, f)
    page = CappedPaginator(qs, 25, allow_empty_first_page=True).get_page(request.GET.get("page"))
    from gaoqi.web.units.selectors import unit_scope_q, units_active

    scope = unit_scope_q(request.user, "")
    units = list(units_active().filter(scope)) if scope is not None else []
    ctx = {"page": page, "f": f, "query": query, "query_prefix": query + "&" if query else "", "units": units,
           **_choices()}  # fmt: skip
    return render(request, "servicedesk/queue.html", ctx)


def export(request: HttpRequest) -> HttpResponse:
    f, _ = _queue_filter(request)
    rows = selectors.queue(request.user, f)[:EXPORT_CAP]
    header = ["编号", "企业名称", "统一社会信用代码", "区县", "类别", "紧急程度", "渠道", "标题", "承办单位", "状态",
              "提交日期", "受理时限", "答复时限", "是否超时", "是否解决", "满意度"]  # fmt: skip
    body = (
        [r.pk, r.enterprise_name, r.uscc, district(r.district_code),
         label("sd_category", r.category), label("sd_urgency", r.urgency), label("sd_channel", r.channel), r.title,
         r.unit.name, wf.STATUS_LABELS[r.status], r.filed_on, r.accept_due, r.answer_due,
         "是" if r.overdue else "否",
         label("sd_resolved", r.resolved) if r.resolved else "", label("sd_satisfaction", r.satisfaction) if r.satisfaction else ""]
        for r in rows
    )  # fmt: skip
    return xlsx_response(xlsx("诉求", header, body), "servicedesk-requests.xlsx")


def stats(request: HttpRequest) -> HttpResponse:
    by, year = forms.StatsForm(request.GET).asked()
    rows = selectors.stats(request.user, by, year=year)
    names = district_codes()
    shown = [(_key_label(by, r.key, names), r) for r in rows]
    chart = {
        "labels": [k for k, _ in shown],
        "series": [
            {"name": "响应率", "data": [_pct(r.response) for _, r in shown]},
            {"name": "解决率", "data": [_pct(r.resolution) for _, r in shown]},
            {"name": "满意率", "data": [_pct(r.satisfaction) for _, r in shown]},
        ],
    }
    ctx = {"rows": shown, "total": selectors.stats_total(rows), "by": by, "year": year or "", "chart": chart,
           "dimensions": selectors.DIMENSIONS, "cfg": process_config()}  # fmt: skip
    return render(request, "servicedesk/stats.html", ctx)


def _pct(x: float | None) -> float | None:
    return None if x is None else round(100 * x, 1)


def _key_label(by: str, key: Any, names: dict[str, str]) -> str:
    if by == "district":
        return names.get(str(key), str(key))
    if by == "category":
        return label("sd_category", key)
    if by == "month":
        return f"{key.year}年{key.month}月" if key else "—"
    return str(key)


def stats_export(request: HttpRequest) -> HttpResponse:
    by, year = forms.StatsForm(request.GET).asked()
    rows = selectors.stats(request.user, by, year=year)
    names = district_codes()
    header = [
        "分组",
        "派单数",
        "按时受理",
        "按时答复",
        "已评价",
        "解决",
        "部分解决",
        "满意",
        "基本满意",
        "响应率",
        "解决率",
        "满意率",
        "综合得分",
    ]
    body = (
        [_key_label(by, r.key, names), r.dispatched, r.accepted_in_time, r.answered_in_time, r.rated, r.yes, r.partly,
         r.satisfied, r.basically, r.response, r.resolution, r.satisfaction, r.composite]
        for r in rows
    )  # fmt: skip
    return xlsx_response(xlsx("三率", header, body), "servicedesk-rates.xlsx")


# ------------------------------------------------------------------------------------------------------
# 企业家服务日


def days(request: HttpRequest) -> HttpResponse:
    page = CappedPaginator(selectors.service_days_visible_to(request.user), 25, allow_empty_first_page=True).get_page(
        request.GET.get("page")
    )
    return render(
        request, "servicedesk/days.html", {"page": page, "districts": district_codes(), "today": clock.today()}
    )


@require_POST
@refusals_to(lambda: reverse("servicedesk:days"))
def day_create(request: HttpRequest) -> HttpResponse:
    form = forms.DayForm(request.POST)
    d = valid_data(form)
    event = services.service_day_create(
        request.user, district_code=d["district_code"] or "", held_on=d["held_on"], leader_name=d["leader_name"],
        leader_title=d["leader_title"], topic=d["topic"], invited=form.codes(),
    )  # fmt: skip
    messages.success(request, "企业家服务日已登记")
    return redirect("servicedesk:day", pk=event.pk)


def day(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.service_day_get(request.user, pk)
    if event is None:
        raise Http404("企业家服务日不存在或不在您的管辖范围内")
    officials = request.user.role in (roles.DISTRICT, roles.MUNICIPAL)
    reqs = selectors.requests_visible_to(request.user).filter(event=event).select_related("unit").order_by("pk")
    ctx = {"event": event, "invites": list(event.invites.all()), "followups": list(event.followups.select_related("author")),
           "requests": list(reqs), "may_edit": officials, "statuses": wf.STATUS_LABELS, "today": clock.today()}  # fmt: skip
    return render(request, "servicedesk/day.html", ctx)


@require_POST
@refusals_to(lambda pk: reverse("servicedesk:day", args=[pk]))
def day_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.service_day_get(request.user, pk)
    if event is None:
        raise Http404("企业家服务日不存在或不在您的管辖范围内")
    choices = list(event.invites.values_list("uscc", flat=True))
    d = valid_data(forms.AttendanceForm(request.POST, choices=choices))
    services.service_day_attendance(request.user, pk, d["attended"])
    messages.success(request, "出席情况已保存")
    return redirect("servicedesk:day", pk=pk)


@require_POST
@refusals_to(lambda pk: reverse("servicedesk:day", args=[pk]))
def day_followup(request: HttpRequest, pk: int) -> HttpResponse:
    d = valid_data(forms.FollowUpForm(request.POST))
    services.service_day_followup(request.user, pk, on=d["on"], text=d["text"])
    messages.success(request, "跟进情况已记录")
    return redirect("servicedesk:day", pk=pk)
