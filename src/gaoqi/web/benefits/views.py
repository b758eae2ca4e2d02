"""免申即享 pages: the officials' list (filters, notes of changed amounts, the payment list's download and the
outcome's upload), a benefit's page (masked account, audited reveal, the enterprise's confirm / object within the
window, an official's resolution), 我的免申即享, the uploads' reports, totals by district and policy. Thin: each
view reads a selector or calls a service; refusals come back as the page's message."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.benefits import config, selectors, services
from gaoqi.web.benefits.workflow import BENEFIT, FAILED, OBJECTED, OPEN, STATUS_LABELS
from gaoqi.web.core import clock
from gaoqi.web.core.errors import DomainError, refusals_to
from gaoqi.web.core.htmx import is_htmx
from gaoqi.web.exports import xlsx, xlsx_response
from gaoqi.web.paging import CappedPaginator as Paginator


def _policy_names() -> dict[str, str]:
    from gaoqi.web.policies.selectors import policy_names

    return policy_names()


def _filter(request: HttpRequest) -> selectors.BenefitFilter:
    g = request.GET
    status = g.get("status", "")
    return selectors.BenefitFilter(status=status if status in STATUS_LABELS else "", policy_id=g.get("policy", "")[:64],
                                   district=g.get("district", "")[:6], period=g.get("period", "")[:8])  # fmt: skip


def _common() -> dict[str, Any]:
    return {"statuses": STATUS_LABELS, "policy_names": _policy_names(), "window_workdays": config.window_workdays(),
            "unconfirmed": config.unconfirmed()}  # fmt: skip


def index(request: HttpRequest) -> HttpResponse:
    f = _filter(request)
    page = Paginator(selectors.benefits_search(request.user, f), 50, allow_empty_first_page=True).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "benefits/index.html", {
        **_common(), "page": page, "f": f, "districts": district_codes(),
        "policies": sorted({p for p, _, _ in services.automatic_versions(clock.today())} | ({f.policy_id} - {""})),
        "notes": selectors.notes_visible_to(request.user)[:20],
        "uploads": selectors.uploads_visible_to(request.user)[:10],
        "may_pay": request.user.role in selectors.PAYERS, "upload_form": None,
        "query_prefix": (query.urlencode() + "&" if query else ""),
    })  # fmt: skip


def mine(request: HttpRequest) -> HttpResponse:
    rows = selectors.benefits_visible_to(request.user).order_by("-notified_on", "-id")
    return render(request, "benefits/mine.html", {**_common(), "rows": rows, "today": clock.today()})


def _get(request: HttpRequest, pk: int) -> Any:
    b = selectors.benefit_get(request.user, pk)
    if b is None:
        raise Http404("免申即享事项不存在或不在您的管辖范围内")
    return b


def _detail_ctx(request: HttpRequest, b: Any, **extra: Any) -> dict[str, Any]:
    role = request.user.role
    today = clock.today()
    return {
        **_common(), "b": b, "masked": selectors.mask_account(b.account_number),
        "may_reveal": role in roles.MAY_REVEAL_PERSONAL and bool(b.account_number),
        "may_act": role == roles.ENTERPRISE and b.status in OPEN and today <= b.window_ends,
        "may_confirm": role == roles.ENTERPRISE and b.status == "notified" and today <= b.window_ends,
        "may_resolve": role in selectors.PAYERS and b.status == OBJECTED,
        "may_retry": role in selectors.PAYERS and b.status == FAILED,
        "log": BENEFIT, "notes": b.notes.select_related("snapshot").all() if role != roles.ENTERPRISE else [],
        **extra,
    }  # fmt: skip


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "benefits/detail.html", _detail_ctx(request, _get(request, pk)))


def _back(pk: int) -> str:
    return reverse("benefits:detail", kwargs={"pk": pk})


@require_POST
@refusals_to(_back)
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    services.benefit_confirm(request.user, pk, bank_name=p.get("bank_name", ""),
                             account_number=p.get("account_number", ""), seen=p.get("seen") or None)  # fmt: skip
    messages.success(request, "已确认收款账户")
    return redirect("benefits:detail", pk=pk)


@require_POST
@refusals_to(_back)
def object_(request: HttpRequest, pk: int) -> HttpResponse:
    services.benefit_object(
        request.user, pk, reason=request.POST.get("reason", ""), seen=request.POST.get("seen") or None
    )
    messages.success(request, "已提出异议，兑付暂停，待主管部门处理")
    return redirect("benefits:detail", pk=pk)


@require_POST
@refusals_to(_back)
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    b = services.benefit_resolve(request.user, pk, decision=p.get("decision", ""), comment=p.get("comment", ""),
                                 seen=p.get("seen") or None)  # fmt: skip
    messages.success(request, f"异议已处理：{STATUS_LABELS[b.status]}")
    return redirect("benefits:detail", pk=pk)


@require_POST
@refusals_to(_back)
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    services.benefit_retry(
        request.user, pk, comment=request.POST.get("comment", ""), seen=request.POST.get("seen") or None
    )
    messages.success(request, "已重新列入兑付清单")
    return redirect("benefits:detail", pk=pk)


@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    values = services.benefit_account_reveal(request.user, pk, request=request)
    if is_htmx(request):
        return render(request, "benefits/_account.html", {"account": values["account_number"], "revealed": True})
    b = _get(request, pk)
    return render(request, "benefits/detail.html", _detail_ctx(request, b, revealed=values["account_number"]))


def payment_list(request: HttpRequest) -> HttpResponse:
    data = xlsx("兑付清单", services.LIST_HEADER, services.payment_list(request.user, request=request))
    return xlsx_response(data, f"payment-list-{clock.today():%Y%m%d}.xlsx")


@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    f = request.FILES.get("file")
    if f is None:
        messages.error(request, "请选择兑付结果文件")
        return redirect("benefits:index")
    if f.size is not None and f.size > config.upload_max_bytes():
        messages.error(request, f"文件过大（上限 {config.upload_max_bytes() // 1048576} MB）")
        return redirect("benefits:index")
    try:
        up = services.payment_upload(request.user, name=f.name or "", data=f.read(), request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("benefits:index")
    messages.success(request, f"已处理 {up.rows} 行：登记 {up.applied} 行，拒绝 {up.refused} 行")
    return redirect("benefits:upload_detail", pk=up.pk)


def _upload(request: HttpRequest, pk: int) -> Any:
    up = selectors.uploads_visible_to(request.user).filter(pk=pk).first()
    if up is None:
        raise Http404("上传记录不存在或不在您的管辖范围内")
    return up


def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "benefits/upload.html", {"up": _upload(request, pk)})


REPORT_HEADER = ("行号", "记录编号", "结果", "金额（万元）", "处理", "原因")


def upload_report(request: HttpRequest, pk: int) -> HttpResponse:
    up = _upload(request, pk)
    rows = ([e["line"], e["record_id"], e["outcome"], e["amount"], "已登记" if e["result"] == "applied" else "已拒绝",
             e["reason"]] for e in up.report)  # fmt: skip
    return xlsx_response(xlsx("处理报告", REPORT_HEADER, rows), f"payment-upload-{up.pk}-report.xlsx")


def totals(request: HttpRequest) -> HttpResponse:
    rows = selectors.totals(request.user)
    return render(request, "benefits/totals.html", {**_common(), "rows": rows,
                  "n": sum(r["n"] for r in rows), "amount": sum((r["amount"] for r in rows), start=Decimal(0))})  # fmt: skip
