from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.certification import selectors, services
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.config import process_config
from gaoqi.web.certification.models import Application, Expert, Objection, PostCheck
from gaoqi.web.certification.panels import FIELDS
from gaoqi.web.certification.workdays import deadline_provisional, workdays_between_provisional
from gaoqi.web.core.labels import label
from gaoqi.web.enterprises.selectors import enterprise_get
from gaoqi.web.intake.selectors import current_snapshot

#: The stored codes' words come from the catalogue (core/labels.py); an action's from the transition table.
ACTION_LABELS = selectors.ACTION_LABELS


def _app(request: HttpRequest, pk: int) -> Application:
    app = selectors.applications_visible(request.user).filter(pk=pk).first()
    if app is None:
        raise Http404("申请不存在或不在您的范围内")
    return app


def _back(pk: int) -> HttpResponse:
    return redirect("certification:detail", pk=pk)


def _guarded(request: HttpRequest, fn: Any, *args: Any, **kwargs: Any) -> bool:
    try:
        fn(*args, **kwargs)
        return True
    except services.DomainError as exc:
        messages.error(request, str(exc))
        return False


def index(request: HttpRequest) -> HttpResponse:
    queue = selectors.queue_for(request.user)
    may_start = request.user.role == roles.ENTERPRISE
    ent = enterprise_get(request.user, request.user.uscc) if may_start else None
    ctx = {
        "applications": selectors.applications_visible(request.user).order_by("-id")[:200],
        "queue": queue.order_by("-id")[:200],
        "fields": FIELDS,
        "labels": wf.STATUS_LABELS,
        "may_start": may_start,
        # why the form is not offered (a valid certificate, a revocation this year, an application in progress)
        "start_refusal": services.application_start_refusal(ent) if ent is not None else None,
        "certificates": selectors.certificates_visible(request.user).filter(status="valid")[:50]
        if request.user.role == roles.ENTERPRISE
        else [],
        "default_as_of": (snap.as_of if (snap := current_snapshot()) else services.today()).isoformat(),
    }
    return render(request, "certification/index.html", ctx)


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    try:
        as_of = dt.date.fromisoformat(request.POST.get("as_of", ""))
    except ValueError:
        messages.error(request, "评估基准日应为“年-月-日”，如 2026-06-30")
        return redirect("certification:index")
    try:
        app = services.application_start(request.user, as_of=as_of, tech_field=request.POST.get("tech_field", ""))
    except services.DomainError as exc:
        messages.error(request, str(exc))
        return redirect("certification:index")
    return _back(app.pk)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    user = request.user
    actions = [t for t in wf.transitions_from(app.status) if user.role in t.roles]
    panel = getattr(app, "panel", None)
    expert = Expert.objects.filter(user=user).first() if user.role == roles.EXPERT else None
    cfg = process_config()
    limit_key = wf.TIMED.get(app.status)
    clock = None
    if limit_key:
        used = workdays_between_provisional(app.stage_started_at, services.today())[0]
        clock = {"label": cfg.time_limit_labels[limit_key], "limit": cfg.time_limits[limit_key], "used": used,
                 "over": used > cfg.time_limits[limit_key]}  # fmt: skip
    ctx = {
        "app": app,
        "labels": wf.STATUS_LABELS,
        "action_labels": ACTION_LABELS,
        "prefill": _prefill_display(app.prefill or {}),
        "actions": actions,
        "revocation_reasons": services.REVOCATION_LABELS,
        "panel_review": services.panel_members(panel) if panel and user.role == roles.MUNICIPAL else None,
        "publicity_ends": deadline_provisional(app.stage_started_at, cfg.time_limits["publicity"])[0]
        if app.status == wf.PUBLICITY
        else None,
        "is_owner": user.role == roles.ENTERPRISE and user.uscc == app.uscc,
        "editable": app.status in (wf.DRAFT, wf.CORRECTION),
        "sections": services.FORM_SECTIONS,
        "form_text": {
            k: "\n".join(f"{i.get('code', '')} {i.get('name', '')}".strip() for i in app.form.get(k, []) or [])
            for k in services.FORM_SECTIONS
        },
        "missing": services.missing_attachments(app),
        "panel": panel,
        "result": services.panel_result(app) if panel else None,
        "my_turn_to_score": bool(
            expert
            and panel
            and expert.pk in panel.expert_ids
            and app.status == wf.EXPERT_REVIEW
            and not panel.scores.filter(expert=expert).exists()
        ),
        "clock": clock,
        "certificates": app.certificates.all(),
        "post_check": PostCheck.objects.filter(application=app).first(),
        "objections": app.objections.all(),
        # the objector's real name and contact: the municipal office only (never the enterprise, experts, evaluator)
        "show_objector": user.role == roles.MUNICIPAL,
        "may_download": services.attachment_may_download(user, app),
        "transitions": app.transitions.select_related("actor"),
        "attested": [c for c in (app.self_check or {}).get("conditions", []) if c["kind"] == "attested"],
    }
    return render(request, "certification/detail.html", ctx)


def _source(text: Any) -> str:
    """A prefilled value's source, "feed · file 第n行", with the feed's name in Chinese (the stored text keeps
    the code)."""
    feed, sep, rest = str(text or "").partition(" · ")
    return f"{label('feed', feed)}{sep}{rest}" if sep or feed else ""


def _prefill_display(prefill: dict[str, Any]) -> dict[str, Any]:
    """The shared data as a person reads it: feed, IP type and acquisition names instead of codes."""
    basic = dict(prefill.get("basic", {}))
    basic["source"] = _source(basic.get("source"))
    return {
        "basic": basic,
        "finance": [{**f, "source": _source(f.get("source"))} for f in prefill.get("finance", [])],
        "rd": [{**r, "source": _source(r.get("source"))} for r in prefill.get("rd", [])],
        "ip": [
            {
                **i,
                "source": _source(i.get("source")),
                "ip_type": label("ip_type", i.get("ip_type")),
                "acquisition": label("acquisition", i.get("acquisition")),
            }
            for i in prefill.get("ip", [])
        ],
    }


@require_POST
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    form: dict[str, Any] = {}
    for section in services.FORM_SECTIONS:
        text = request.POST.get(section, "")
        items = []
        for line in text.splitlines():
            code, _, name = line.strip().partition(" ")
            if code:
                items.append({"code": code, "name": name.strip()})
        form[section] = items
    if _guarded(request, services.application_update_form, request.user, app, form):
        messages.success(request, "已保存")
    return _back(pk)


@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    f = request.FILES.get("file")
    if f is None or f.size is None or f.size > services.MAX_ATTACHMENT:
        messages.error(request, "请选择不超过 20 MB 的 PDF 文件")
    elif _guarded(
        request, services.attachment_add, request.user, app, request.POST.get("item", ""), f.name or "", f.read()
    ):
        messages.success(request, "附件已上传")
    return _back(pk)


@require_POST
def declare(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    ids = request.POST.getlist("condition")
    if _guarded(request, services.application_declare, request.user, app, ids):
        messages.success(request, "已记录告知承诺")
    return _back(pk)


@require_POST
def selfcheck(request: HttpRequest, pk: int) -> HttpResponse:
    services.application_self_check(request.user, _app(request, pk))
    return _back(pk)


@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    action, comment = request.POST.get("action", ""), request.POST.get("comment", "")
    if action == "revoke":  # ends the qualification: the certificate is revoked with its consequences
        done = _guarded(request, services.application_revoke, request.user, app,
                        reason=request.POST.get("reason", "not_qualified"), detail=comment)  # fmt: skip
    else:
        done = _guarded(request, services.application_transition, request.user, app, action, comment)
    if done:
        messages.success(request, "已办理")
    return _back(pk)


@require_POST
def draw(request: HttpRequest, pk: int) -> HttpResponse:
    if _guarded(request, services.panel_draw, request.user, _app(request, pk)):
        messages.success(request, "已随机抽取专家组")
    return _back(pk)


def score(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    ranges = services.score_ranges(app)
    if request.method == "POST":
        try:
            items = {k: int(request.POST.get(k, "")) for k in ranges}
        except (ValueError, OverflowError):
            messages.error(request, "每一项都须填写整数分")
        else:
            if _guarded(request, services.score_submit, request.user, app, items):
                messages.success(request, "评分已提交")
                return _back(pk)
    grades = {s["id"]: (s["grade"], s["assessed_by"]) for s in (app.self_check or {}).get("scores", [])}
    rows = [(key, lo, hi, label, *grades.get(key, (None, "expert"))) for key, (lo, hi, label) in ranges.items()]
    return render(request, "certification/score.html", {"app": app, "rows": rows})


def publicity(request: HttpRequest) -> HttpResponse:
    return render(request, "certification/publicity.html", selectors.publicity_list())


@require_POST
def object_(request: HttpRequest, pk: int) -> HttpResponse:
    app = Application.objects.filter(pk=pk, status=wf.PUBLICITY).first()
    if app is None:
        raise Http404("该企业不在公示期")
    if _guarded(request, services.objection_file, app, name=request.POST.get("name", ""),
                contact=request.POST.get("contact", ""), content=request.POST.get("content", ""),
                address=request.META.get("REMOTE_ADDR")):  # fmt: skip
        messages.success(request, "异议已收到，将依法处理")
    return redirect("certification:publicity")


@require_POST
def objection_handle(request: HttpRequest, pk: int) -> HttpResponse:
    obj = Objection.objects.filter(pk=pk, application__in=selectors.applications_visible(request.user)).first()
    if obj is None:
        raise Http404("异议不存在")
    _guarded(request, services.objection_handle, request.user, obj, upheld=request.POST.get("upheld") == "1",
             handling=request.POST.get("handling", ""))  # fmt: skip
    return _back(obj.application_id)


def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    from gaoqi.web.certification.pdf import certificate_pdf

    cert = selectors.certificates_visible(request.user).filter(pk=pk).first()
    if cert is None:
        raise Http404("证书不存在或不在您的范围内")
    response = HttpResponse(certificate_pdf(cert), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{cert.number}.pdf"'
    return response


@require_POST
def postcheck(request: HttpRequest, pk: int) -> HttpResponse:
    check = PostCheck.objects.filter(pk=pk, application__in=selectors.applications_visible(request.user)).first()
    if check is None:
        raise Http404("核查不存在")
    _guarded(request, services.post_check_complete, request.user, check, passed=request.POST.get("passed") == "1",
             reasons=request.POST.get("reasons", ""))  # fmt: skip
    return _back(check.application_id)


def overdue(request: HttpRequest) -> HttpResponse:
    """时限监控: the user's overdue and due-soon applications (selectors.stage_deadlines), charted."""
    deadlines = selectors.stage_deadlines(request.user, services.today())
    names = district_codes()
    return render(request, "certification/overdue.html",
                  {**deadlines, "labels": wf.STATUS_LABELS,
                   "chart": selectors.deadline_chart(deadlines, names),
                   "reports": services.annual_reports_overdue(services.today()) if request.user.role == roles.MUNICIPAL else []})  # fmt: skip


def notifications(request: HttpRequest) -> HttpResponse:
    return render(request, "certification/notifications.html", {"items": selectors.notifications_of(request.user)})


@require_POST
def annual(request: HttpRequest, pk: int) -> HttpResponse:
    cert = selectors.certificates_visible(request.user).filter(pk=pk).first()
    if cert is None:
        raise Http404("证书不存在")
    data = {k: request.POST.get(k, "") for k in services.ANNUAL_REPORT_FIELDS}
    try:
        year = int(request.POST.get("year", ""))
    except (ValueError, OverflowError):
        messages.error(request, "请填写报告年度")
        return redirect("certification:index")
    if _guarded(request, services.annual_report_submit, request.user, cert, year, data):
        messages.success(request, f"{year} 年度发展情况报表已提交")
    return redirect("certification:index")


@require_POST
def rename(request: HttpRequest, pk: int) -> HttpResponse:
    cert = selectors.certificates_visible(request.user).filter(pk=pk).first()
    if cert is None:
        raise Http404("证书不存在")
    if _guarded(request, services.name_change_request, request.user, cert, new_name=request.POST.get("new_name", "").strip(),
                major_change=request.POST.get("major") == "1"):  # fmt: skip
        messages.success(request, "更名申请已提交，公示 10 个工作日后换发证书（编号与有效期不变）")
    return redirect("certification:index")


def experts(request: HttpRequest) -> HttpResponse:
    """The expert pool (municipal office): add experts, set availability, employers and avoidances."""
    if request.method == "POST":
        form = request.POST
        if form.get("op") == "add":
            _guarded(
                request, services.expert_add, request.user, username=form.get("username", "").strip(),
                kind=form.get("kind", ""), fields=form.getlist("fields"), employer_uscc=form.get("employer_uscc", ""),
                avoid_usccs=form.get("avoid_usccs", "").split(),
            )  # fmt: skip
        else:
            expert = Expert.objects.filter(pk=form.get("expert")).first()
            if expert is None:
                raise Http404("专家不存在")
            past = [line.split() for line in form.get("past_employers", "").splitlines() if line.strip()]
            version = form.get("version", "")
            _guarded(
                request, services.expert_update, request.user, expert, active=form.get("active") == "1",
                employer_uscc=form.get("employer_uscc", ""), avoid_usccs=form.get("avoid_usccs", "").split(),
                past_employers=[[p[0], p[1]] for p in past if len(p) == 2],
                version=int(version) if version.isdigit() else None,
            )  # fmt: skip
        return redirect("certification:experts")
    pool = Expert.objects.select_related("user").order_by("kind", "pk")
    return render(request, "certification/experts.html",
                  {"pool": pool, "fields": FIELDS, "accounts": services.expert_accounts_unpooled()})  # fmt: skip


def attachment(request: HttpRequest, pk: int, att: int) -> HttpResponse:
    """An uploaded proof, for the applicant and the reviewers of the application (scoped, audited): always a
    download (attachment) typed application/pdf, so a browser never renders it in the page."""
    from django.http import FileResponse

    app = _app(request, pk)
    try:
        item, handle = services.attachment_open(request.user, app, att)
    except services.DomainError as exc:
        raise Http404(str(exc)) from exc
    response = FileResponse(handle, content_type="application/pdf", as_attachment=True, filename=item.file_name)
    response["Cache-Control"] = "no-store"  # nosniff comes from SecurityMiddleware (SECURE_CONTENT_TYPE_NOSNIFF)
    return response
