from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gaoqi.web.audit.selectors import audit_events
from gaoqi.web.audit.services import audit_verify


def log(request: HttpRequest) -> HttpResponse:
    qs = audit_events(request.user, action=request.GET.get("action", ""), username=request.GET.get("username", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"page": page})


def verify(request: HttpRequest) -> HttpResponse:
    anchor = None
    if request.GET.get("anchor_id", "").isdigit() and request.GET.get("anchor_hash"):
        anchor = (int(request.GET["anchor_id"]), request.GET["anchor_hash"].strip())
    return render(request, "audit/verify.html", {"result": audit_verify(anchor), "anchor": anchor})
