"""服务包 pages: the officials' queue (我方承办事项) with its Excel export, the packages (list, creation, the
municipal office's bulk creation), a package's page (stewards, summary, items with their moves and history,
the assignment form, the enterprise's rating), and an enterprise's own packages (我的服务包). Thin: each view
parses its input with a form and calls one service or selector."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from gaoqi.web import roles
from gaoqi.web.core import clock
from gaoqi.web.core.errors import DomainError, refusals_to, valid_data
from gaoqi.web.exports import xlsx_response
from gaoqi.web.paging import count_capped
from gaoqi.web.servicepacks import selectors, services
from gaoqi.web.servicepacks.config import config
from gaoqi.web.servicepacks.forms import ActForm, BulkForm, ItemForm, PackageForm, QueueFilterForm, RateForm
from gaoqi.web.servicepacks.workflow import ITEM, RATING_LABELS, STATUS_LABELS
from gaoqi.web.units.selectors import acts_for


def _filter(request: HttpRequest) -> tuple[selectors.QueueFilter, str]:
    form = QueueFilterForm(request.GET)
    d = form.cleaned_data if form.is_valid() else {}
    f = selectors.QueueFilter(status=d.get("status") or "open", overdue=bool(d.get("overdue")),
                              unit=d.get("unit") or "", category=d.get("category") or "", mine=bool(d.get("mine")))  # fmt: skip
    return f, d.get("after") or ""


def queue(request: HttpRequest) -> HttpResponse:
    """我方承办事项: the items owed by the user's units, filtered, by due date, paged by key."""
    today = clock.today()
    f, after = _filter(request)
    qs = selectors.items_owed(request.user, f, today)
    page = selectors.queue_page(qs, after)
    query = request.GET.copy()
    query.pop("after", None)
    cfg = config()
    return render(request, "servicepacks/queue.html", {
        "page": page, "f": f, "today": today, "statuses": selectors.STATUS_CHOICES, "labels": STATUS_LABELS,
        "units": selectors.queue_units(request.user), "categories": cfg.categories,
        "count": count_capped(qs, selectors.COUNT_CAP), "query": query.urlencode(), "after": after,
        "overdue_ids": {i.pk for i in page.rows if selectors.is_overdue(i, today)},
    })  # fmt: skip


def queue_export(request: HttpRequest) -> HttpResponse:
    f, _ = _filter(request)
    qs = selectors.items_owed(request.user, f, clock.today()).select_related("package__enterprise", "unit", "handler")
    return xlsx_response(services.items_export(request.user, qs, request=request), "service-items.xlsx")


def packages(request: HttpRequest) -> HttpResponse:
    """The packages the official sees (this year's first), the creation form and the bulk action."""
    year = clock.today().year
    qs = selectors.packages_visible_to(request.user)
    ctx: dict[str, Any] = {
        "rows": list(qs.order_by("-year", "-id")[:200]),
        "year": year,
        "may_create": request.user.role in {roles.MUNICIPAL, roles.DISTRICT},
        "may_bulk": request.user.role == roles.MUNICIPAL,
    }
    if ctx["may_create"]:
        district = request.user.district_code if request.user.role == roles.DISTRICT else ""
        ctx.update(
            candidates=selectors.members_without_package(request.user, year),
            municipal_stewards=selectors.stewards(roles.MUNICIPAL),
            district_stewards=selectors.stewards(roles.DISTRICT, district),
        )
    return render(request, "servicepacks/packages.html", ctx)


@require_POST
@refusals_to(lambda: reverse("servicepacks:packages"))
def package_new(request: HttpRequest) -> HttpResponse:
    d = valid_data(PackageForm(request.POST))
    pkg = services.package_create(
        request.user, uscc=d["uscc"], year=d["year"],
        municipal_steward=selectors.official(d["municipal_steward"]),
        district_steward=selectors.official(d["district_steward"]),
    )  # fmt: skip
    messages.success(request, f"已建立{pkg.enterprise.name}{pkg.year}年度服务包")
    return redirect("servicepacks:package", pk=pkg.pk)


@require_POST
@refusals_to(lambda: reverse("servicepacks:packages"))
def package_bulk(request: HttpRequest) -> HttpResponse:
    d = valid_data(BulkForm(request.POST))
    counts = services.packages_create_all(request.user, year=d["year"],
                                          municipal_steward=selectors.official(d["municipal_steward"]))  # fmt: skip
    messages.success(request, f"已为 {counts['created']} 家规升强企业建立{d['year']}年度服务包；"
                              f"{counts['already']} 家已有服务包；{counts['skipped_no_steward']} 家因所在区无区级管理人员未建立")  # fmt: skip
    return redirect("servicepacks:packages")


def _package(request: HttpRequest, pk: int) -> Any:
    pkg = selectors.package_get(request.user, pk)
    if pkg is None:
        raise Http404("服务包不存在或不在您的管辖范围内")
    return pkg


def package(request: HttpRequest, pk: int) -> HttpResponse:
    """A package: stewards, the year's summary, each item (status, due date, overdue, result, rating, moves,
    the actions the user may take), and the assignment form for those who manage it."""
    pkg = _package(request, pk)
    today = clock.today()
    items = list(pkg.items.select_related("unit", "handler", "assigned_by").order_by("id"))
    user = request.user
    logs, ratings = selectors.item_log(items), selectors.ratings_of(items)
    handles = {u.pk: acts_for(user, u) for u in {i.unit for i in items}}  # once per unit, not per item
    rows = []
    for i in items:
        acts = []
        for t in ITEM.transitions_from(i.status):
            if user.role not in t.roles or t.action == "reopen":
                continue
            if (t.action in {"accept", "return", "complete"} and handles[i.unit_id]) or (
                t.action in {"reassign", "cancel"} and services.may_redirect(user, i)
            ):
                acts.append(t)
        own = user.role == roles.ENTERPRISE and user.uscc == pkg.enterprise.uscc
        rows.append({
            "item": i, "overdue": selectors.is_overdue(i, today), "acts": acts, "log": logs.get(i.pk, []),
            "ratings": ratings.get(i.pk, []), "may_rate": own and i.status == "done" and not i.rating,
            "may_reopen": own and i.status == "done" and i.rating == "unsatisfied" and i.round == 1,
        })  # fmt: skip
    cfg = config()
    manage = services.may_manage(user, pkg)
    return render(request, "servicepacks/package.html", {
        "p": pkg, "rows": rows, "summary": selectors.summary(pkg, today, items), "labels": STATUS_LABELS,
        "ratings": RATING_LABELS, "categories": cfg.categories, "cfg": cfg, "may_assign": manage, "today": today,
        "units": selectors.units_for(pkg) if manage else [], "handlers": selectors.handlers_for(pkg) if manage else [],
    })  # fmt: skip


@require_POST
@refusals_to(lambda pk: reverse("servicepacks:package", args=[pk]))
def item_assign(request: HttpRequest, pk: int) -> HttpResponse:
    d = valid_data(ItemForm(request.POST))
    services.item_assign(request.user, pk, need=d["need"], category=d["category"], unit_code=d["unit"],
                         handler=selectors.official(d["handler"]), complex_item=d["complex_item"])  # fmt: skip
    messages.success(request, "服务事项已交办")
    return redirect("servicepacks:package", pk=pk)


def _package_of_item(request: HttpRequest, pk: int) -> int:
    item = selectors.items_visible_to(request.user).filter(pk=pk).values_list("package_id", flat=True).first()
    if item is None:
        raise Http404("服务事项不存在或不在您的管辖范围内")
    return int(item)


@require_POST
def item_act(request: HttpRequest, pk: int) -> HttpResponse:
    """A move of an item (accept, return, complete, reassign, cancel, reopen); back to its package's page."""
    package_pk = _package_of_item(request, pk)
    try:
        d = valid_data(ActForm(request.POST))
        services.item_act(request.user, pk, d["action"], d["comment"], seen=d["seen"] or None, unit_code=d["unit"],
                          handler=selectors.official(d["handler"]) if d["handler"] else None)  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "操作已完成")
    return redirect(_back(request, package_pk, pk))


def _back(request: HttpRequest, package_pk: int, item_pk: int) -> str:
    if selectors.package_get(request.user, package_pk) is None:  # a unit's official outside the package's scope
        return reverse("servicepacks:queue")
    return reverse("servicepacks:package", args=[package_pk]) + f"#item-{item_pk}"


@require_POST
def item_rate(request: HttpRequest, pk: int) -> HttpResponse:
    package_pk = _package_of_item(request, pk)
    try:
        d = valid_data(RateForm(request.POST))
        services.item_rate(request.user, pk, d["rating"], d["comment"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "评价已提交")
    return redirect(_back(request, package_pk, pk))


@require_http_methods(["GET"])
def mine(request: HttpRequest) -> HttpResponse:
    """我的服务包: the enterprise's own packages."""
    rows = list(selectors.packages_visible_to(request.user).order_by("-year"))
    return render(request, "servicepacks/mine.html", {"rows": rows})
