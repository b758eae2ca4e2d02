from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gaoqi.web.audit.forms import AnchorForm, filters
from gaoqi.web.audit.selectors import action_label, audit_actions, audit_events
from gaoqi.web.audit.services import audit_verify
from gaoqi.web.core.labels import audit_target, label


def log(request: HttpRequest) -> HttpResponse:
    kept = filters(request.GET)  # the pager keeps the filter
    qs = audit_events(request.user, **kept)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [
        (e, label("role", e.role), action_label(e.action), audit_target(e.target), label("audit_outcome", e.outcome))
        for e in page
    ]
    prefix = f"{urlencode(kept)}&" if kept else ""
    return render(
        request, "audit/log.html", {"page": page, "rows": rows, "actions": audit_actions(), "query_prefix": prefix}
    )


def verify(request: HttpRequest) -> HttpResponse:
    anchor = AnchorForm(request.GET).anchor()
    return render(request, "audit/verify.html", {"result": audit_verify(anchor), "anchor": anchor})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: the refusal is audited (who, from where, which form) and explained in Chinese."""
    from gaoqi.web.audit.services import audit_record

    audit_record(
        request.user,
        "csrf.failure",
        target=f"path:{request.path_info[:190]}",
        request=request,
        outcome="denied",
        detail={"reason": reason, "method": request.method},
    )
    return render(request, "403_csrf.html", {}, status=403)
