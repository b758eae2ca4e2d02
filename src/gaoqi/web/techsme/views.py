"""科技型中小企业评价 pages: the enterprise's evaluations and registration (mine), the information form with its
locked shared values and the self-check (htmx), the office's queue and actions, the registrations and their
revocation, and the public 公示 list. Thin: each view validates its input with a form and calls one selector or
service; refusals answer through core/errors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from gaoqi.web import roles
from gaoqi.web.core.errors import refusals_to, valid_data
from gaoqi.web.core.htmx import is_htmx
from gaoqi.web.core.labels import feature_label
from gaoqi.web.techsme import selectors, services
from gaoqi.web.techsme import selfcheck as sc
from gaoqi.web.techsme import workflow as wf
from gaoqi.web.techsme.forms import ActForm, DeclareForm, FillForm, QueueFilterForm, RevokeForm, StartForm
from gaoqi.web.techsme.models import DIRECT_GROUNDS, FIRST, RD_INDICATORS, UPDATE


def _evaluation(request: HttpRequest, pk: int) -> Any:
    ev = selectors.evaluation_get(request.user, pk)
    if ev is None:
        raise Http404("评价不存在或不在您的管辖范围内")
    return ev


def _detail_url(pk: int) -> str:
    return reverse("techsme:detail", args=[pk])


def mine(request: HttpRequest) -> HttpResponse:
    uscc = request.user.uscc
    ctx = {
        **selectors.mine(request.user),
        "first_refusal": services.evaluation_start_refusal(uscc, FIRST),
        "update_refusal": services.evaluation_start_refusal(uscc, UPDATE),
        "statuses": wf.STATUS_LABELS,
        "reasons": wf.REVOCATION_REASONS,
    }
    return render(request, "techsme/mine.html", ctx)


@require_POST
@refusals_to(lambda: reverse("techsme:mine"))
def start(request: HttpRequest) -> HttpResponse:
    kind = valid_data(StartForm(request.POST))["kind"]
    ev = services.evaluation_start(request.user, kind)
    messages.success(request, "已根据共享数据生成评价信息表，请补充填写并自评")
    return redirect(_detail_url(ev.pk))


def _form_rows(ev: Any) -> list[dict[str, Any]]:
    return [
        {"name": n, "label": feature_label(n), "value": sc.value_of(ev, n),
         "source": ev.prefill.get("values", {}).get(n, {}).get("source", ""), "locked": sc.sourced(ev, n)}
        for n in sc.INPUTS
    ]  # fmt: skip


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    ev = _evaluation(request, pk)
    role = request.user.role
    may_edit = role == roles.ENTERPRISE and ev.status in (wf.DRAFT, wf.RETURNED)
    # a first evaluation is submitted, a yearly update is made (the other's button would only be refused)
    hidden = {"update"} if ev.kind == FIRST else {"submit", "resubmit"}
    actions = [t for t in wf.EVALUATION.transitions_from(ev.status) if role in t.roles and t.action not in hidden]
    version = sc.version_at(ev)
    ctx = {
        "ev": ev,
        "rows": _form_rows(ev),
        "may_edit": may_edit,
        "actions": actions,
        "attested": [c for c in version.conditions if c.kind == "attested"],
        "indicators": RD_INDICATORS,
        "grounds": DIRECT_GROUNDS,
        "check": ev.self_check,
        "clock": selectors.stage_clock(ev),
        "history": selectors.history(ev),
        "statuses": wf.STATUS_LABELS,
    }
    return render(request, "techsme/detail.html", ctx)


@require_POST
@refusals_to(lambda pk: _detail_url(pk))
def fill(request: HttpRequest, pk: int) -> HttpResponse:
    ev = _evaluation(request, pk)
    form = FillForm(request.POST)
    data = valid_data(form)
    services.evaluation_fill(
        request.user, ev, values=form.values(), rd_indicator=data["rd_indicator"],
        direct_ground=data.get("direct_ground") or "", direct_evidence=data.get("direct_evidence") or "",
    )  # fmt: skip
    messages.success(request, "已保存")
    return redirect(_detail_url(pk))


@require_POST
@refusals_to(lambda pk: _detail_url(pk))
def declare(request: HttpRequest, pk: int) -> HttpResponse:
    ev = _evaluation(request, pk)
    data = valid_data(DeclareForm(request.POST, choices=sc.attested(ev)))
    services.evaluation_declare(request.user, ev, list(data["conditions"]))
    messages.success(request, "已作出承诺")
    return redirect(_detail_url(pk))


@require_POST
@refusals_to(lambda pk: _detail_url(pk))
def selfcheck(request: HttpRequest, pk: int) -> HttpResponse:
    ev = _evaluation(request, pk)
    if request.user.role != roles.ENTERPRISE:
        raise Http404("评价不存在或不在您的管辖范围内")
    check = services.evaluation_self_check(request.user, ev)
    if is_htmx(request):
        response = render(request, "techsme/_selfcheck.html", {"check": check, "ev": ev})
        patch_vary_headers(response, ("HX-Request",))
        return response
    return redirect(_detail_url(pk))


@require_POST
@refusals_to(lambda pk: _detail_url(pk))
def act(request: HttpRequest, pk: int) -> HttpResponse:
    ev = _evaluation(request, pk)
    data = valid_data(ActForm(request.POST))
    ev = services.evaluation_transition(request.user, ev, data["action"], data["comment"], seen=data["seen"] or None)
    messages.success(request, f"{ev.enterprise_name}：{wf.STATUS_LABELS[ev.status]}")
    return redirect(_detail_url(pk))


def queue(request: HttpRequest) -> HttpResponse:
    status = QueueFilterForm(request.GET).status_asked()
    ctx = {"rows": selectors.queue(request.user, status), "status": status or "all", "statuses": wf.STATUS_LABELS}
    return render(request, "techsme/queue.html", ctx)


def registrations(request: HttpRequest) -> HttpResponse:
    rows = selectors.registrations_visible_to(request.user).order_by("number")
    return render(request, "techsme/registrations.html", {"rows": rows, "reasons": wf.REVOCATION_REASONS})


def registration(request: HttpRequest, pk: int) -> HttpResponse:
    reg = selectors.registration_get(request.user, pk)
    if reg is None:
        raise Http404("入库登记不存在或不在您的管辖范围内")
    ctx = {
        "reg": reg,
        "history": selectors.history(reg),
        "updates": selectors.evaluations_visible_to(request.user).filter(registration=reg).order_by("-year"),
        "reasons": wf.REVOCATION_REASONS,
        "may_revoke": request.user.role == roles.MUNICIPAL and reg.status == wf.VALID,
    }
    return render(request, "techsme/registration.html", ctx)


@require_POST
@refusals_to(lambda pk: reverse("techsme:registration", args=[pk]))
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    reg = selectors.registration_get(request.user, pk)
    if reg is None:
        raise Http404("入库登记不存在或不在您的管辖范围内")
    data = valid_data(RevokeForm(request.POST))
    reg = services.registration_revoke(request.user, reg, data["reason"], data["comment"], seen=data["seen"] or None)
    messages.success(request, f"已撤销登记编号 {reg.number}")
    return redirect("techsme:registration", pk=pk)


def publicity(request: HttpRequest) -> HttpResponse:
    return render(request, "techsme/publicity.html", selectors.public_list())
