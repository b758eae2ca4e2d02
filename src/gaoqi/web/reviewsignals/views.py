"""审查风险提示's pages (thin): the jurisdiction's list (filters, key paging), its Excel export, and the reviewer's
conclusion (posted from the list or from the application's page, ``reviewsignals/_panel.html``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.core.errors import DomainError, domain_error_response, valid_data
from gaoqi.web.core.htmx import is_htmx
from gaoqi.web.exports import xlsx_response
from gaoqi.web.reviewsignals import forms, selectors, services
from gaoqi.web.reviewsignals import workflow as wf


def index(request: HttpRequest) -> HttpResponse:
    """审查风险提示: the signals of the user's jurisdiction (open ones first by default), filtered, paged by key."""
    f = forms.FilterForm(request.GET).asked()
    after = request.GET.get("after", "")
    page = selectors.key_page(selectors.signal_list(request.user, f), after)
    query = request.GET.copy()
    query.pop("after", None)
    ctx: dict[str, Any] = {
        "page": page, "rows": selectors.shown(request.user, page.rows), "f": f, "after": after,
        "query": query.urlencode(), "statuses": wf.STATUS_LABELS, "kinds": selectors.kinds(),
        "districts": district_codes(), "municipal": request.user.role == roles.MUNICIPAL,
        "conclusions": wf.CONCLUSIONS, "disclaimer": selectors.DISCLAIMER,
    }  # fmt: skip
    if is_htmx(request) and request.GET.get("fragment") == "list":
        return render(request, "reviewsignals/_list.html", ctx)
    return render(request, "reviewsignals/index.html", ctx)


def export(request: HttpRequest) -> HttpResponse:
    f = forms.FilterForm(request.GET).asked()
    qs = selectors.signal_list(request.user, f)
    return xlsx_response(services.signals_export(request.user, qs, request=request), "review_signals.xlsx")


def _back(request: HttpRequest) -> str:
    back = str(request.POST.get("back") or "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) and back.startswith("/"):
        return back
    return reverse("reviewsignals:index")


@require_POST
def conclude(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer's conclusion; back to the page it was posted from (the list or the application's page), a
    refusal's message shown there."""
    back = _back(request)
    try:
        d = valid_data(forms.ConcludeForm(request.POST))
        services.signal_conclude(request.user, pk, conclusion=d["conclusion"], note=d["note"], seen=d["seen"] or None)
    except DomainError as exc:
        if is_htmx(request):
            return domain_error_response(request, exc)
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, "核实结论已记录")
    return redirect(back)
