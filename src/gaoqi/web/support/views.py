"""定向支持 pages: the officials' list of support records (filters, Excel), the record form, an enterprise's
support page (records by category, talent allocations, space needs, the policies it qualifies for: informed?
claimed?), 我的支持, the talent quota pages (a district's, the municipal office's table by district; allocation
by htmx), space needs, and 应知尽知、应享尽享 (members that qualify for a policy they were not told of or have not
received). Thin: each view reads a selector or calls a service; refusals come back as the page's message."""

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
from gaoqi.web.core.errors import DomainError, refusals_to
from gaoqi.web.core.htmx import is_htmx
from gaoqi.web.enterprises.selectors import enterprise_get
from gaoqi.web.exports import xlsx_response
from gaoqi.web.paging import CappedPaginator as Paginator
from gaoqi.web.programmes.lists import KEY_ENTERPRISE_LISTS
from gaoqi.web.support import config, exports, selectors, services
from gaoqi.web.support.models import INFORMED_VIA, QUOTA_TYPES, USES
from gaoqi.web.support.workflow import SPACE_NEED
from gaoqi.web.units.selectors import units_active


def _policy_names() -> dict[str, str]:
    from gaoqi.web.policies.selectors import policy_names

    return policy_names()


def _query(request: HttpRequest) -> tuple[str, str]:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode(), (query.urlencode() + "&" if query else "")


def _record_filter(request: HttpRequest) -> selectors.RecordFilter:
    g = request.GET
    return selectors.RecordFilter(list_id=g.get("list", "")[:64], category=g.get("category", "")[:16],
                                  district=g.get("district", "")[:6], q=g.get("q", "")[:100])  # fmt: skip


def index(request: HttpRequest) -> HttpResponse:
    """The officials' list of support records, filtered by list, category and district."""
    f = _record_filter(request)
    page = Paginator(selectors.records_search(request.user, f), 50, allow_empty_first_page=True).get_page(
        request.GET.get("page")
    )
    query, prefix = _query(request)
    return render(request, "support/index.html", {
        "page": page, "f": f, "lists": KEY_ENTERPRISE_LISTS, "categories": config.categories(),
        "category_labels": config.category_labels(), "kind_labels": config.kind_labels(),
        "districts": district_codes(), "show_district_filter": selectors.sees_all(request.user),
        "may_record": request.user.role in services.WRITERS, "query": query, "query_prefix": prefix,
    })  # fmt: skip


def export(request: HttpRequest) -> HttpResponse:
    f = _record_filter(request)
    data = exports.records_export(request.user, selectors.records_search(request.user, f), request=request,
                                  filters={k: v for k, v in vars(f).items() if v})  # fmt: skip
    return xlsx_response(data, "support-records.xlsx")


def record_new(request: HttpRequest) -> HttpResponse:
    """The record form: the kind chosen first (its fields follow), then the record."""
    chosen = (request.POST.get("kind") or request.GET.get("kind") or "").split(".", 1)
    kind = config.kind(*chosen) if len(chosen) == 2 else None
    status = 200
    if request.method == "POST" and kind is not None:
        try:
            rec = services.record_create(
                request.user, uscc=request.POST.get("uscc", ""), category=kind.category, kind=kind.key,
                on=request.POST.get("on", ""), unit=request.POST.get("unit", ""),
                details={fd.key: request.POST.get(f"d_{fd.key}", "") for fd in kind.fields},
                amount=request.POST.get("amount", ""), note=request.POST.get("note", ""),
            )  # fmt: skip
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, f"已记录对{rec.enterprise.name}的{kind.label}")
            return redirect("support:enterprise", uscc=rec.enterprise.uscc)
    manual = [(c, [k for k in c.kinds if k.manual]) for c in config.categories()]
    return render(request, "support/record_new.html", {
        "kind": kind, "kinds": [(c, ks) for c, ks in manual if ks], "units": units_active().order_by("level", "code"),
        "form": request.POST if request.method == "POST" else request.GET, "today": clock.today(),
        "members": selectors.members_visible(request.user),
    }, status=status)  # fmt: skip


def _enterprise_ctx(request: HttpRequest, ent: Any) -> dict[str, Any]:
    user = request.user
    records = list(selectors.records_visible_to(user).filter(enterprise=ent).order_by("category", "-on", "-id"))
    by_category = [(c, [r for r in records if r.category == c.key]) for c in config.categories()]
    policies = selectors.enterprise_policies(ent)
    return {
        "e": ent, "lists": [KEY_ENTERPRISE_LISTS[x] for x in selectors.is_member(ent)], "by_category": by_category,
        "kind_labels": config.kind_labels(), "tier_labels": config.tier_labels(),
        "fields": {k.key: {f.key: f.label for f in k.fields} for c in config.categories() for k in c.kinds},
        "needs": selectors.space_needs_visible_to(user).filter(enterprise=ent),
        "policies": policies, "policy_names": _policy_names(), "vias": INFORMED_VIA, "today": clock.today(),
        "may_inform": user.role in services.INFORMERS, "may_claim": user.role in services.CLAIM_RECORDERS,
        "may_record": user.role in services.WRITERS, "may_space": user.role in {roles.ENTERPRISE, *services.QUOTA_SETTERS},
        "statuses": SPACE_NEED.labels(),
    }  # fmt: skip


def enterprise(request: HttpRequest, uscc: str) -> HttpResponse:
    ent = None if "\x00" in uscc else enterprise_get(request.user, uscc)
    if ent is None:
        raise Http404("企业不存在或不在您的管辖范围内")
    return render(request, "support/enterprise.html", _enterprise_ctx(request, ent))


def mine(request: HttpRequest) -> HttpResponse:
    ent = enterprise_get(request.user, request.user.uscc or "")
    if ent is None:
        raise Http404("未找到本企业的数据（企业尚未纳入已发布的数据快照）")
    return render(request, "support/enterprise.html", {**_enterprise_ctx(request, ent), "mine": True})


@require_POST
@refusals_to(lambda uscc: reverse("support:enterprise", kwargs={"uscc": uscc}))
def inform(request: HttpRequest, uscc: str) -> HttpResponse:
    services.delivery_inform(request.user, uscc=uscc, policy_id=request.POST.get("policy_id", ""),
                             informed_on=request.POST.get("informed_on", ""), via=request.POST.get("via", ""))  # fmt: skip
    messages.success(request, "已记录政策告知")
    return redirect("support:enterprise", uscc=uscc)


@require_POST
@refusals_to(lambda uscc: reverse("support:enterprise", kwargs={"uscc": uscc}))
def claim(request: HttpRequest, uscc: str) -> HttpResponse:
    services.delivery_claim(request.user, uscc=uscc, policy_id=request.POST.get("policy_id", ""),
                            claimed_on=request.POST.get("claimed_on", ""), note=request.POST.get("note", ""))  # fmt: skip
    messages.success(request, "已记录政策享受情况")
    return redirect("support:enterprise", uscc=uscc)


# ------------------------------------------------------------------------------------------------------
# talent quotas


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or clock.today().year)
    except ValueError:
        year = clock.today().year
    return year if 2000 <= year <= 2100 else clock.today().year


def quotas(request: HttpRequest) -> HttpResponse:
    """A district's quotas of a year (total, allocated, remaining by type); the municipal office and evaluators:
    every district's use in one table."""
    year = _year(request)
    rows = selectors.quota_rows(request.user, year)
    table: dict[str, dict[str, Any]] = {}
    for r in rows:
        table.setdefault(r["quota"].district_code, {})[r["quota"].quota_type] = r
    user = request.user
    return render(request, "support/quotas.html", {
        "year": year, "years": range(clock.today().year - 2, clock.today().year + 2), "rows": rows,
        "table": sorted(table.items()), "types": QUOTA_TYPES, "districts": district_codes(),
        "sees_all": selectors.sees_all(user), "may_set": user.role in services.QUOTA_SETTERS,
        "own_district": getattr(user, "district_code", ""),
    })  # fmt: skip


@require_POST
@refusals_to(lambda: reverse("support:quotas"))
def quota_set(request: HttpRequest) -> HttpResponse:
    p = request.POST
    district = p.get("district_code", "") if request.user.role == roles.MUNICIPAL else request.user.district_code
    try:
        year = int(p.get("year", ""))
    except ValueError:
        raise DomainError("年度无效", fields={"year": "年度无效"}) from None
    q = services.quota_set(request.user, district_code=district, year=year, quota_type=p.get("quota_type", ""),
                           total=p.get("total", ""))  # fmt: skip
    messages.success(request, "已保存人才指标")
    return redirect("support:quota_detail", pk=q.pk)


def _quota_ctx(request: HttpRequest, pk: int) -> dict[str, Any]:
    q = selectors.quota_get(request.user, pk)
    if q is None:
        raise Http404("指标不存在或不在您的管辖范围内")
    used = selectors.allocated(q)

    return {
        "q": q, "used": used, "remaining": q.total - used, "tiers": list(q.tiers.all()),
        "tier_labels": config.tier_labels(), "unconfirmed": config.tiers_unconfirmed(),
        "allocations": selectors.allocations_visible_to(request.user).filter(quota=q),
        "may_allocate": request.user.role in services.QUOTA_SETTERS,
        "members": selectors.members_visible(request.user, q.district_code),
    }  # fmt: skip


def quota_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "support/quota_detail.html", _quota_ctx(request, pk))


@require_POST
@refusals_to(lambda pk: reverse("support:quota_detail", kwargs={"pk": pk}))
def tier_set(request: HttpRequest, pk: int) -> HttpResponse:
    services.tier_set(request.user, pk, request.POST.get("tier", ""), request.POST.get("cap", ""))
    messages.success(request, "已保存梯度上限")
    return redirect("support:quota_detail", pk=pk)


@require_POST
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """The allocate form (htmx): the quota's panel comes back with the new figures, or with the refusal."""
    error = notice = ""
    try:
        a = services.allocation_create(request.user, pk, uscc=request.POST.get("uscc", ""),
                                       tier=request.POST.get("tier", ""), count=request.POST.get("count", ""))  # fmt: skip
    except DomainError as exc:
        if not is_htmx(request):
            messages.error(request, exc.message)
            return redirect("support:quota_detail", pk=pk)
        if selectors.quota_get(request.user, pk) is None:
            raise
        error = exc.message
    else:
        notice = f"已向{a.enterprise.name}配给 {a.count} 个名额（{a.tier}梯度）"
        if not is_htmx(request):
            messages.success(request, notice)
            return redirect("support:quota_detail", pk=pk)
    ctx = {**_quota_ctx(request, pk), "error": error, "notice": notice}
    return render(request, "support/_quota_panel.html", ctx, status=200)


# ------------------------------------------------------------------------------------------------------
# space needs


def space(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")[:16]
    qs = selectors.space_needs_visible_to(request.user)
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50, allow_empty_first_page=True).get_page(request.GET.get("page"))
    _, prefix = _query(request)
    return render(request, "support/space.html", {
        "page": page, "status": status, "statuses": SPACE_NEED.labels(), "query_prefix": prefix,
        "may_record": request.user.role in services.QUOTA_SETTERS,
    })  # fmt: skip


def space_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = 200
    if request.method == "POST":
        p = request.POST
        uscc = user.uscc if user.role == roles.ENTERPRISE else p.get("uscc", "")
        try:
            n = services.space_need_create(user, uscc=uscc, area=p.get("area", ""), district_code=p.get("district_code", ""),
                                           wanted_from=p.get("wanted_from", ""), use=p.get("use", ""), note=p.get("note", ""))  # fmt: skip
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, "已登记空间需求")
            return redirect("support:space_detail", pk=n.pk)
    return render(request, "support/space_new.html", {
        "form": request.POST if request.method == "POST" else request.GET, "districts": district_codes(),
        "uses": USES, "is_enterprise": user.role == roles.ENTERPRISE,
        "members": [] if user.role == roles.ENTERPRISE else selectors.members_visible(user),
    }, status=status)  # fmt: skip


def space_detail(request: HttpRequest, pk: int) -> HttpResponse:
    n = selectors.space_need_get(request.user, pk)
    if n is None:
        raise Http404("空间需求不存在或不在您的管辖范围内")
    role = request.user.role
    return render(request, "support/space_detail.html", {
        "n": n, "status_label": SPACE_NEED.label(n.status), "offers": n.offers.select_related("unit", "offered_by"),
        "moves": [t for t in SPACE_NEED.transitions_from(n.status) if role in t.roles and t.action != "offer"],
        "may_offer": any(t.action == "offer" and role in t.roles for t in SPACE_NEED.transitions_from(n.status)),
        "units": units_active().order_by("level", "code"),
        "own": role != roles.ENTERPRISE or n.enterprise.uscc == request.user.uscc,
    })  # fmt: skip


@require_POST
@refusals_to(lambda pk: reverse("support:space_detail", kwargs={"pk": pk}))
def space_offer(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    services.space_offer_create(request.user, pk, address=p.get("address", ""), area=p.get("area", ""),
                                unit=p.get("unit", ""), price=p.get("price", ""), seen=p.get("seen") or None)  # fmt: skip
    messages.success(request, "已提供空间，等待企业答复")
    return redirect("support:space_detail", pk=pk)


@require_POST
@refusals_to(lambda pk: reverse("support:space_detail", kwargs={"pk": pk}))
def space_act(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    n = services.space_need_move(
        request.user, pk, p.get("action", ""), p.get("comment", ""), seen=p.get("seen") or None
    )
    messages.success(request, f"空间需求已变为“{SPACE_NEED.label(n.status)}”")
    return redirect("support:space_detail", pk=pk)


# ------------------------------------------------------------------------------------------------------
# 应知尽知、应享尽享


def _gap_filter(request: HttpRequest) -> selectors.GapFilter:
    g = request.GET
    which = g.get("which", "")
    return selectors.GapFilter(list_id=g.get("list", "")[:64], district=g.get("district", "")[:6],
                               policy=g.get("policy", "")[:64],
                               which=which if which in ("uninformed", "unclaimed") else "")  # fmt: skip


def delivery(request: HttpRequest) -> HttpResponse:
    """符合条件但未告知/未享受: counts by district and policy (one grouped query), and the pairs, paged."""
    f = _gap_filter(request)
    counts = selectors.gap_counts(request.user, f)
    page = Paginator(selectors.gaps(request.user, f).select_related("enterprise").order_by("enterprise_id", "policy_id"),
                     50, allow_empty_first_page=True).get_page(request.GET.get("page"))  # fmt: skip
    query, prefix = _query(request)
    return render(request, "support/delivery.html", {
        "f": f, "counts": counts, "page": page, "lists": KEY_ENTERPRISE_LISTS, "districts": district_codes(),
        "policies": [(p, _policy_names().get(p, p)) for p in selectors.benefit_policy_ids()],
        "policy_names": _policy_names(), "show_district_filter": selectors.sees_all(request.user),
        "totals": {k: sum(r[k] for r in counts) for k in ("n", "uninformed", "unclaimed")},
        "query": query, "query_prefix": prefix,
    })  # fmt: skip


def delivery_export(request: HttpRequest) -> HttpResponse:
    f = _gap_filter(request)
    data = exports.gaps_export(request.user, selectors.gaps(request.user, f), request=request,
                               filters={k: v for k, v in vars(f).items() if v})  # fmt: skip
    return xlsx_response(data, "policy-delivery-gaps.xlsx")
