"""快申快享 pages: 我的政策申请 (the enterprise's applications and the policies it may apply for), the start from a
policy's 申请 button, an application's page (the shared data locked with their sources, attestations, PDFs for
attested conditions, the self-check by htmx, the moves and their history), and 政策申请审核 (the officials'
queue: filters, overdue flagged, Excel). Thin: each view parses its input with a form and calls one selector or
service; refusals answer through core/errors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from gaoqi.web import roles
from gaoqi.web.core import clock
from gaoqi.web.core.errors import DomainError, refusals_to, valid_data
from gaoqi.web.core.htmx import is_htmx
from gaoqi.web.core.labels import feature_label
from gaoqi.web.exports import xlsx_response
from gaoqi.web.quickapply import prefill as pf
from gaoqi.web.quickapply import selectors, services
from gaoqi.web.quickapply import workflow as wf
from gaoqi.web.quickapply.config import config
from gaoqi.web.quickapply.forms import ActForm, AttachForm, DeclareForm, FillForm, QueueFilterForm

NOT_FOUND = "申请不存在或不在您的管辖范围内"


def _app(request: HttpRequest, pk: int) -> Any:
    app = selectors.application_get(request.user, pk)
    if app is None:
        raise Http404(NOT_FOUND)
    return app


def _detail_url(pk: int, **_: Any) -> str:
    return reverse("quickapply:detail", args=[pk])


def mine(request: HttpRequest) -> HttpResponse:
    ctx = {
        "rows": [(a, selectors.clock_of(a)) for a in selectors.mine(request.user)],
        "offers": selectors.offers(request.user),
        "statuses": wf.STATUS_LABELS,
    }
    return render(request, "quickapply/mine.html", ctx)


@require_POST
@refusals_to(lambda policy_id: reverse("quickapply:mine"))
def start(request: HttpRequest, policy_id: str) -> HttpResponse:
    app = services.application_start(request.user, policy_id)
    messages.success(request, "已根据共享数据生成申请表，请核对、承诺并自评后提交")
    return redirect(_detail_url(app.pk))


def _rows(app: Any) -> list[dict[str, Any]]:
    values = app.prefill.get("values", {})
    return [
        {"name": n, "label": feature_label(n), "value": pf.shown_value(v, n), "source": v.get("source", ""),
         "held": v.get("value") is not None}
        for n, v in sorted(values.items(), key=lambda kv: feature_label(kv[0]))
    ]  # fmt: skip


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    user = request.user
    own = user.role == roles.ENTERPRISE and user.uscc == app.uscc
    may_edit = own and app.status in (wf.DRAFT, wf.RETURNED)
    decide = services.may_decide(user, app)
    actions = [t for t in wf.APPLICATION.transitions_from(app.status)
               if user.role in t.roles and (own if user.role == roles.ENTERPRISE else decide)]  # fmt: skip
    policy = pf.policy_get(app.policy_id)
    version = pf.version_of(policy, app.policy_version) if policy is not None else None
    attested = pf.attested_conditions(version) if version is not None else []
    attachments = list(app.attachments.all())
    required = pf.required_attachments(app.policy_id)
    ctx = {
        "app": app,
        "rows": _rows(app),
        "may_edit": may_edit,
        "actions": actions,
        "attested": [
            {
                "c": c,
                "declared": c.id in app.declarations,
                "required": c.id in required,
                "files": [a for a in attachments if a.condition_id == c.id],
            }
            for c in attested
        ],
        "check": app.self_check,
        "clock": selectors.clock_of(app),
        "responsible": services.responsible_words(app),
        "may_decide": decide,
        "history": selectors.history(app),
        "statuses": wf.STATUS_LABELS,
        "period_unconfirmed": config().period_unconfirmed,
    }
    return render(request, "quickapply/detail.html", ctx)


@require_POST
@refusals_to(_detail_url)
def fill(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    form = FillForm(request.POST)
    data = valid_data(form)
    locked = form.locked_posted(list(app.prefill.get("values", {})))
    services.application_fill(request.user, app, note=data.get("note") or "", values=locked)
    messages.success(request, "已保存")
    return redirect(_detail_url(pk))


@require_POST
@refusals_to(_detail_url)
def declare(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    policy = pf.policy_get(app.policy_id)
    version = pf.version_of(policy, app.policy_version) if policy is not None else None
    choices = [c.id for c in pf.attested_conditions(version)] if version is not None else []
    data = valid_data(DeclareForm(request.POST, choices=choices))
    services.application_declare(request.user, app, list(data["conditions"]))
    messages.success(request, "已作出承诺")
    return redirect(_detail_url(pk))


@require_POST
@refusals_to(_detail_url)
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    data = valid_data(AttachForm(request.POST, request.FILES))
    upload = data["file"]
    if upload.size > services.MAX_ATTACHMENT:
        raise DomainError("附件不能超过 20 MB", fields={"file": "过大"})
    services.attachment_add(request.user, app, data["condition"], upload.name, upload.read())
    messages.success(request, "附件已上传")
    return redirect(_detail_url(pk))


def attachment(request: HttpRequest, pk: int, att: int) -> HttpResponse:
    """An uploaded proof, for those who see the application (scoped, audited), always as a download."""
    app = _app(request, pk)
    try:
        item, handle = services.attachment_open(request.user, app, att)
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    response = FileResponse(handle, content_type="application/pdf", as_attachment=True, filename=item.file_name)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@refusals_to(_detail_url)
def selfcheck(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    if request.user.role != roles.ENTERPRISE:
        raise Http404(NOT_FOUND)
    check = services.application_self_check(request.user, app)
    if is_htmx(request):
        response = render(request, "quickapply/_selfcheck.html", {"check": check, "app": app})
        patch_vary_headers(response, ("HX-Request",))
        return response
    return redirect(_detail_url(pk))


@require_POST
@refusals_to(_detail_url)
def act(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    data = valid_data(ActForm(request.POST))
    app = services.application_transition(request.user, app, data["action"], data["comment"], seen=data["seen"] or None)
    messages.success(request, f"{app.enterprise_name} · {app.policy_name}：{wf.STATUS_LABELS[app.status]}")
    return redirect(_detail_url(pk))


def _filter(request: HttpRequest) -> tuple[selectors.QueueFilter, dict[str, Any]]:
    form = QueueFilterForm(request.GET)
    d = form.cleaned_data if form.is_valid() else {}
    asked = d.get("status") or wf.SUBMITTED
    f = selectors.QueueFilter(status="" if asked == "all" else asked, policy=d.get("policy") or "",
                              district=d.get("district") or "", overdue=bool(d.get("overdue")), mine=bool(d.get("mine")))  # fmt: skip
    return f, {"status": asked}


def queue(request: HttpRequest) -> HttpResponse:
    from gaoqi.engine import district_codes

    today = clock.today()
    f, extra = _filter(request)
    qs = selectors.queue(request.user, f, today)
    rows = [(a, selectors.clock_of(a, today), services.may_decide(request.user, a))
            for a in qs[: selectors.QUEUE_LIMIT]]  # fmt: skip
    ctx = {
        "rows": rows, "count": qs.count(), "limit": selectors.QUEUE_LIMIT, "f": f, "asked": extra["status"],
        "statuses": wf.STATUS_LABELS, "policies": selectors.queue_policies(request.user),
        "districts": sorted(district_codes().items()) if request.user.role != roles.DISTRICT else [],
        "query": request.GET.urlencode(), "default_days": config().default_days,
    }  # fmt: skip
    return render(request, "quickapply/queue.html", ctx)


def export(request: HttpRequest) -> HttpResponse:
    f, _ = _filter(request)
    qs = selectors.queue(request.user, f)
    return xlsx_response(services.applications_export(request.user, qs, request=request), "policy-applications.xlsx")
