from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.access import allowed
from gaoqi.web.certification import fields as field_ai
from gaoqi.web.certification import forms, selectors, services
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.config import process_config
from gaoqi.web.certification.models import Application
from gaoqi.web.certification.panels import FIELDS
from gaoqi.web.certification.workdays import deadline_provisional, workdays_between_provisional
from gaoqi.web.core import clock
from gaoqi.web.core.errors import DomainError, refusal_as_message, refusals_to, valid_data
from gaoqi.web.core.labels import label
from gaoqi.web.core.scoping import own_enterprise
from gaoqi.web.core.workflow import history
from gaoqi.web.enterprises.selectors import enterprise_get
from gaoqi.web.intake.selectors import current_snapshot

#: The stored codes' words come from the catalogue (core/labels.py); an action's from the transition table.
ACTION_LABELS = selectors.ACTION_LABELS


def _app(request: HttpRequest, pk: int) -> Application:
    app = selectors.application_get(request.user, pk)
    if app is None:
        raise Http404("申请不存在或不在您的范围内")
    return app


def _back(pk: int) -> HttpResponse:
    return redirect("certification:detail", pk=pk)


#: Where a refused form goes back to, its message shown there (core/errors.refusals_to).
to_application = refusals_to(lambda pk, **_: reverse("certification:detail", args=[pk]))
to_index = refusals_to(lambda **_: reverse("certification:index"))


def index(request: HttpRequest) -> HttpResponse:
    queue = selectors.queue_for(request.user)
    own = own_enterprise(request.user)
    may_start = allowed("certification:start", request.user) and bool(own)
    ent = enterprise_get(request.user, own) if may_start else None
    ctx = {
        "applications": selectors.applications_recent(request.user),
        "queue": queue.order_by("-id")[:200],
        "fields": FIELDS,
        "labels": wf.STATUS_LABELS,
        "may_start": may_start,
        # why the form is not offered (a valid certificate, a revocation this year, an application in progress)
        "start_refusal": services.application_start_refusal(ent) if ent is not None else None,
        "certificates": selectors.certificates_held(request.user),
        "default_as_of": (snap.as_of if (snap := current_snapshot()) else clock.today()).isoformat(),
    }
    # the field classifier's suggestion prefills the start form (the enterprise may change it; ADR 0034)
    ctx["field_suggestion"] = (
        field_ai.display(field_ai.suggest(field_ai.registration_texts(own)))
        if may_start and own and not ctx["start_refusal"]
        else None
    )
    return render(request, "certification/index.html", ctx)


@require_POST
@to_index
def start(request: HttpRequest) -> HttpResponse:
    d = valid_data(forms.StartForm(request.POST))
    app = services.application_start(request.user, as_of=d["as_of"], tech_field=d["tech_field"])
    return _back(app.pk)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    user = request.user
    actions = [t for t in wf.APPLICATION.transitions_from(app.status) if user.role in t.roles]
    panel = getattr(app, "panel", None)
    expert = selectors.expert_of(user)
    cfg = process_config()
    limit_key = wf.TIMED.get(app.status)
    stage_clock = None
    if limit_key:
        used = workdays_between_provisional(app.stage_started_at, clock.today())[0]
        stage_clock = {"label": cfg.time_limit_labels[limit_key], "limit": cfg.time_limits[limit_key], "used": used,
                 "over": used > cfg.time_limits[limit_key]}  # fmt: skip
    ctx = {
        "app": app,
        "labels": wf.STATUS_LABELS,
        "action_labels": ACTION_LABELS,
        "prefill": _prefill_display(app.prefill or {}),
        "actions": actions,
        "revocation_reasons": services.REVOCATION_LABELS,
        # who draws the panel reviews it (the access table: the municipal office)
        "panel_review": services.panel_members(panel) if panel and allowed("certification:draw", user) else None,
        "publicity_ends": deadline_provisional(app.stage_started_at, cfg.time_limits["publicity"])[0]
        if app.status == wf.PUBLICITY
        else None,
        "is_owner": own_enterprise(user) == app.uscc,
        "editable": app.status in (wf.DRAFT, wf.CORRECTION),
        "sections": services.FORM_SECTIONS,
        "form_text": {
            k: "\n".join(f"{i.get('code', '')} {i.get('name', '')}".strip() for i in app.form.get(k, []) or [])
            for k in services.FORM_SECTIONS
        },
        "form_fields": [(k, words, (app.form or {}).get(k) or "") for k, words in services.FORM_FIELDS.items()],
        "missing": services.missing_attachments(app),
        "panel": panel,
        "result": services.panel_result(app) if panel else None,
        "my_turn_to_score": bool(
            expert
            and panel
            and expert.pk in panel.expert_ids
            and app.status == wf.EXPERT_REVIEW
            and not selectors.expert_has_scored(panel, expert)
        ),
        "clock": stage_clock,
        **selectors.application_record(app),  # certificates, post_check, objections, transitions
        # the objector's real name and contact: the municipal office only (never the enterprise, experts, evaluator)
        "show_objector": allowed("certification:objection_handle", user),
        "may_download": services.attachment_may_download(user, app),
        "attested": [c for c in (app.self_check or {}).get("conditions", []) if c["kind"] == "attested"],
        "pilot": (app.self_check or {}).get("pilot"),
        **_field_context(app, user),
    }
    return render(request, "certification/detail.html", ctx)


def _field_context(app: Application, user: Any) -> dict[str, Any]:
    """The field classifier on the application page (ADR 0034): its suggestion and the record of changes (the
    enterprise and the reviewers); the check at submission with the mismatch flag (the district and municipal
    reviewers and the experts)."""
    reviewer = user.role in (roles.DISTRICT, roles.MUNICIPAL, roles.EXPERT)
    check = field_ai.display(app.field_check or {}) if reviewer else None
    return {
        "field_suggestion": field_ai.display(app.field_suggestion or {}),
        "field_changes": (app.field_suggestion or {}).get("changes", []),
        "field_check": check,
        "field_mismatch_label": field_ai.MISMATCH_LABEL,
    }


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
@to_application
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    services.application_update_form(request.user, app, valid_data(forms.ApplicationForm(request.POST)))
    messages.success(request, "已保存")
    return _back(pk)


@require_POST
@to_application
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    d = valid_data(forms.AttachForm(request.POST, request.FILES))
    services.attachment_add(request.user, app, d["item"], d["file"].name or "", d["file"].read())
    messages.success(request, "附件已上传")
    return _back(pk)


@require_POST
@to_application
def declare(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    services.application_declare(request.user, app, valid_data(forms.DeclareForm(request.POST))["condition"])
    messages.success(request, "已记录告知承诺")
    return _back(pk)


@require_POST
@to_application
def selfcheck(request: HttpRequest, pk: int) -> HttpResponse:
    services.application_self_check(request.user, _app(request, pk))
    return _back(pk)


@require_POST
@to_application
def act(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    d = valid_data(forms.ActForm(request.POST))
    if d["action"] == "revoke":  # ends the qualification: the certificate is revoked with its consequences
        services.application_revoke(request.user, app, reason=d["reason"], detail=d["comment"])
    else:
        services.application_transition(request.user, app, d["action"], d["comment"])
    messages.success(request, "已办理")
    return _back(pk)


@require_POST
@to_application
def draw(request: HttpRequest, pk: int) -> HttpResponse:
    services.panel_draw(request.user, _app(request, pk))
    messages.success(request, "已随机抽取专家组")
    return _back(pk)


def score(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk)
    ranges = services.score_ranges(app)
    if request.method == "POST":
        with refusal_as_message(request):  # refused: the message on the score page again
            services.score_submit(request.user, app, valid_data(forms.ScoreForm(request.POST, items=ranges)))
            messages.success(request, "评分已提交")
            return _back(pk)
    grades = {s["id"]: (s["grade"], s["assessed_by"]) for s in (app.self_check or {}).get("scores", [])}
    rows = [(key, lo, hi, label, *grades.get(key, (None, "expert"))) for key, (lo, hi, label) in ranges.items()]
    return render(request, "certification/score.html", {"app": app, "rows": rows, **_field_context(app, request.user)})


def publicity(request: HttpRequest) -> HttpResponse:
    return render(request, "certification/publicity.html", selectors.publicity_list())


@require_POST
@refusals_to(lambda **_: reverse("certification:publicity"))
def object_(request: HttpRequest, pk: int) -> HttpResponse:
    app = selectors.application_in_publicity(pk)
    if app is None:
        raise Http404("该企业不在公示期")
    d = valid_data(forms.ObjectionForm(request.POST))
    services.objection_file(app, **d, address=request.META.get("REMOTE_ADDR"))
    messages.success(request, "异议已收到，将依法处理")
    return redirect("certification:publicity")


@require_POST
def objection_handle(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.objection_get(request.user, pk)
    if obj is None:
        raise Http404("异议不存在")
    with refusal_as_message(request):
        services.objection_handle(request.user, obj, **valid_data(forms.ObjectionHandleForm(request.POST)))
    return _back(obj.application_id)


def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    from gaoqi.web.certification.pdf import certificate_pdf

    cert = selectors.certificate_get(request.user, pk)
    if cert is None:
        raise Http404("证书不存在或不在您的范围内")
    response = HttpResponse(certificate_pdf(cert), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{cert.number}.pdf"'
    return response


@require_POST
def postcheck(request: HttpRequest, pk: int) -> HttpResponse:
    check = selectors.post_check_get(request.user, pk)
    if check is None:
        raise Http404("核查不存在")
    with refusal_as_message(request):
        services.post_check_complete(request.user, check, **valid_data(forms.PostCheckForm(request.POST)))
    return _back(check.application_id)


def overdue(request: HttpRequest) -> HttpResponse:
    """时限监控: the user's overdue and due-soon applications (selectors.stage_deadlines), charted."""
    from gaoqi.web.servicedesk.selectors import overdue_for_monitoring  # the other apps' sections
    from gaoqi.web.servicepacks.selectors import overdue_section

    deadlines = selectors.stage_deadlines(request.user, clock.today())
    names = district_codes()
    return render(request, "certification/overdue.html",
                  {**deadlines, "labels": wf.STATUS_LABELS, "service_items": overdue_section(request.user, clock.today()),
                   "requests_overdue": overdue_for_monitoring(request.user),
                   "chart": selectors.deadline_chart(deadlines, names),
                   "reports": services.annual_reports_overdue(clock.today()) if request.user.role == roles.MUNICIPAL else []})  # fmt: skip


def notifications(request: HttpRequest) -> HttpResponse:
    return render(request, "certification/notifications.html", {"items": selectors.notifications_of(request.user)})


def _certificate(request: HttpRequest, pk: int) -> Any:
    cert = selectors.certificate_get(request.user, pk)
    if cert is None:
        raise Http404("证书不存在")
    return cert


@require_POST
@to_index
def annual(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _certificate(request, pk)
    form = forms.AnnualReportForm(request.POST)
    year = valid_data(form)["year"]
    services.annual_report_submit(request.user, cert, year, form.report())
    messages.success(request, f"{year} 年度发展情况报表已提交")
    return redirect("certification:index")


@require_POST
@to_index
def rename(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _certificate(request, pk)
    d = valid_data(forms.RenameForm(request.POST))
    services.name_change_request(request.user, cert, new_name=d["new_name"], major_change=d["major"])
    messages.success(request, "更名申请已提交，公示 10 个工作日后换发证书（编号与有效期不变）")
    return redirect("certification:index")


def experts(request: HttpRequest) -> HttpResponse:
    """The expert pool (municipal office): add experts, set availability, employers and avoidances."""
    if request.method == "POST":
        if request.POST.get("op") == "add":
            with refusal_as_message(request):
                services.expert_add(request.user, **valid_data(forms.ExpertAddForm(request.POST)))
        else:
            d = valid_data(forms.ExpertUpdateForm(request.POST))
            expert = selectors.expert_get(request.user, d.pop("expert"))
            if expert is None:
                raise Http404("专家不存在")
            with refusal_as_message(request):
                services.expert_update(request.user, expert, **d)
        return redirect("certification:experts")
    return render(request, "certification/experts.html",
                  {"pool": selectors.experts_visible_to(request.user), "fields": FIELDS,
                   "accounts": services.expert_accounts_unpooled()})  # fmt: skip


def attachment(request: HttpRequest, pk: int, att: int) -> HttpResponse:
    """An uploaded proof, for the applicant and the reviewers of the application (scoped, audited): always a
    download (attachment) typed application/pdf, so a browser never renders it in the page."""
    from django.http import FileResponse

    app = _app(request, pk)
    try:
        item, handle = services.attachment_open(request.user, app, att)
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    response = FileResponse(handle, content_type="application/pdf", as_attachment=True, filename=item.file_name)
    response["Cache-Control"] = "no-store"  # nosniff comes from SecurityMiddleware (SECURE_CONTENT_TYPE_NOSNIFF)
    return response


# ------------------------------------------------------------------------------------------------------
# 移送撤销 (issue 15, ADR 0030): the municipal office's queue and decision


def referrals(request: HttpRequest) -> HttpResponse:
    """撤销移送: the referrals waiting for the office's decision first, then the decided ones."""
    from gaoqi.web.certification.models import RevocationReferral

    qs = RevocationReferral.objects.order_by("-id")
    return render(request, "certification/referrals.html", {
        "waiting": list(qs.filter(status=wf.REF_REFERRED)[:200]),
        "decided": list(qs.exclude(status=wf.REF_REFERRED)[:100]),
        "labels": wf.REFERRAL_LABELS,
    })  # fmt: skip


def referral(request: HttpRequest, pk: int) -> HttpResponse:
    """A referral: the enterprise, the source, the reasons, whether the platform issued its certificate, the log,
    and the decision form (revoke with a reason and the tax recovery year, or decline)."""
    from gaoqi.web.certification.models import RevocationReferral

    ref = RevocationReferral.objects.select_related("referred_by", "decided_by", "certificate").filter(pk=pk).first()
    if ref is None:
        raise Http404("撤销移送不存在")
    if request.method == "POST":
        with refusal_as_message(request):
            d = valid_data(forms.ReferralDecisionForm(request.POST))
            services.revocation_decide(request.user, pk, decision=d["decision"], note=d["note"], reason=d["reason"],
                                       from_year=d["from_year"], seen=d["seen"] or None)  # fmt: skip
            messages.success(request, "已记录决定")
        return redirect("certification:referral", pk=pk)
    return render(request, "certification/referral.html", {
        "ref": ref, "labels": wf.REFERRAL_LABELS, "cert": services.platform_certificate(ref.uscc),
        "external_notice": services.EXTERNAL_NOTICE, "reasons": services.REVOCATION_LABELS,
        "history": history(ref),
        "source_link": reverse("monitoring:detail", args=[ref.source_id]) if ref.source_kind == "warning" else "",
    })  # fmt: skip
