"""政策沙盘 pages: the municipal office's drafts, the draft form (new policy, or a new version prefilled from the
version in force), a draft's page (its policy file text, the try over the published snapshot beside the version
in force, the four-eyes moves and their log). Thin: each view calls one service or selector."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gaoqi.engine import district_codes
from gaoqi.web.core.errors import DomainError, refusals_to
from gaoqi.web.core.labels import label
from gaoqi.web.drafting import selectors, services
from gaoqi.web.drafting.forms import DraftForm, initial_from_policy, initial_from_spec
from gaoqi.web.drafting.render import PARAM_TYPES
from gaoqi.web.drafting.workflow import EDITABLE, POLICY_DRAFT, STATUS_LABELS, SUBMITTED
from gaoqi.web.intake.selectors import current_snapshot
from gaoqi.web.policies.selectors import catalogue, policy_get


def index(request: HttpRequest) -> HttpResponse:
    drafts = selectors.drafts_visible_to(request.user)
    return render(request, "drafting/index.html", {
        "drafts": drafts[:200], "statuses": STATUS_LABELS, "policies": catalogue(),
    })  # fmt: skip


def _form_page(request: HttpRequest, form: DraftForm, draft: Any, status: int = 200, skipped: int = 0) -> HttpResponse:
    return render(request, "drafting/form.html", {
        "form": form, "draft": draft, "skipped": skipped,
        "catalogue_ids": {p.id for p in catalogue()},
    }, status=status)  # fmt: skip


def _apply_refusal(form: DraftForm, exc: DomainError) -> None:
    for name, why in exc.fields.items():
        form.add_error(name if name in form.fields else None, why)
    if not exc.fields:
        form.add_error(None, exc.message)


def new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = DraftForm(request.POST)
        if form.is_valid():
            try:
                draft = services.draft_create(request.user, form.draft_data())
            except DomainError as exc:
                _apply_refusal(form, exc)
            else:
                messages.success(request, "草稿已保存，校验通过")
                return redirect("drafting:detail", pk=draft.pk)
        return _form_page(request, form, None, status=400)
    skipped = 0
    base = policy_get(request.GET.get("base", ""))
    if base is not None:
        snap = current_snapshot()
        initial, skipped = initial_from_policy(base, snap.as_of if snap else None)
        form = DraftForm(initial=initial)
    else:
        form = DraftForm()
    return _form_page(request, form, None, skipped=skipped)


def _draft(request: HttpRequest, pk: int) -> Any:
    draft = selectors.draft_get(request.user, pk)
    if draft is None:
        raise Http404("没有该政策草稿")
    return draft


def edit(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    if request.method == "POST":
        form = DraftForm(request.POST)
        if form.is_valid():
            try:
                services.draft_update(request.user, pk, form.draft_data())
            except DomainError as exc:
                _apply_refusal(form, exc)
            else:
                messages.success(request, "草稿已修改，校验通过")
                return redirect("drafting:detail", pk=pk)
        return _form_page(request, form, draft, status=400)
    header = {k: getattr(draft, k) for k in (*services.HEADER, "version_id", "valid_from", "valid_to")}
    return _form_page(request, DraftForm(initial=initial_from_spec(header, draft.spec)), draft)


def _side(result: dict[str, Any] | None, by: str) -> list[dict[str, Any]]:
    """Rows (group name, counts, cost) of one side of a try, for the table."""
    if not result:
        return []
    names = district_codes() if by == "district" else {}
    rows = []
    for grp, c in sorted(result[by]["groups"].items()):
        if by == "district":
            name = names.get(grp, grp)
        else:
            name = "未填报" if grp in ("(none)", "") else label("tech_field", grp)
        rows.append({"name": name, **c})
    return rows


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    tried = draft.try_result
    user = request.user
    moves = [
        t for t in POLICY_DRAFT.transitions_from(draft.status)
        if (t.action == "submit" and draft.author_id == user.pk) or (t.action != "submit" and draft.author_id != user.pk)
    ]  # fmt: skip
    ctx = {
        "d": draft, "status_label": POLICY_DRAFT.label(draft.status), "moves": moves,
        "may_edit": draft.status in EDITABLE and draft.author_id == user.pk,
        "awaits_other": draft.status == SUBMITTED and draft.author_id == user.pk,
        "log": selectors.draft_log(draft), "tried": tried,
        "districts": _side(tried.get("draft") if tried else None, "district"),
        "fields": _side(tried.get("draft") if tried else None, "field"),
        "force_districts": {r["name"]: r for r in _side(tried.get("in_force") if tried else None, "district")},
        "force_fields": {r["name"]: r for r in _side(tried.get("in_force") if tried else None, "field")},
        "kind_label": label("policy_kind", draft.kind), "statuses": STATUS_LABELS,
        "param_types": PARAM_TYPES,
    }  # fmt: skip
    return render(request, "drafting/detail.html", ctx)


@require_POST
@refusals_to(lambda pk: reverse("drafting:detail", kwargs={"pk": pk}))
def try_(request: HttpRequest, pk: int) -> HttpResponse:
    _draft(request, pk)
    result = services.draft_try(request.user, pk)
    t = result["draft"]["district"]["totals"]
    messages.success(request, f"试算完成：符合 {t['pass']} 家，不符合 {t['fail']} 家，待定 {t['unknown']} 家")
    return redirect(reverse("drafting:detail", kwargs={"pk": pk}) + "#try")


@require_POST
@refusals_to(lambda pk: reverse("drafting:detail", kwargs={"pk": pk}))
def act(request: HttpRequest, pk: int) -> HttpResponse:
    _draft(request, pk)
    action = request.POST.get("action", "")
    seen = request.POST.get("seen") or None
    if action == "submit":
        services.draft_submit(request.user, pk, seen)
        messages.success(request, "已提交审核，须由另一名市级管理人员审核")
    elif action == "approve":
        d = services.draft_approve(request.user, pk, seen)
        messages.success(request, f"已审核通过并发布到政策目录（{d.published_file}），下一次评估起生效")
    elif action == "return":
        services.draft_return(request.user, pk, request.POST.get("comment", ""), seen)
        messages.success(request, "已退回起草人修改")
    else:
        raise DomainError("没有该操作")
    return redirect("drafting:detail", pk=pk)
