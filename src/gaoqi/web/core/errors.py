"""Error pages in Chinese in every mode (a laptop demo runs with DEBUG on, and its users are officials, not
developers): 404 and 403 from the views, and any other exception as a 500 page. The traceback still goes to the
log, and Django's ``got_request_exception`` signal still fires, so the test client re-raises it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

log = logging.getLogger("gaoqi.web")

PAGES = {
    400: ("400.html", "请求无效"),
    404: ("404.html", "页面不存在"),
    403: ("403.html", "禁止访问"),
    500: ("500.html", "服务器内部错误"),
}


def error_page(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    """The Chinese page (or JSON for the API) for ``status``."""
    template, title = PAGES[status]
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message or title}, status=status)
    try:
        body = render_to_string(template, {"message": message, "title": title}, request=request)
    except Exception:  # the error page itself must not fail (e.g. the database is down)
        body = f'<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>{status}</title><h1>{status} {title}</h1>'
    response = HttpResponse(body, status=status)
    response.gaoqi_page = True
    return response


class ChineseErrorPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # an unknown URL never reaches a view: with DEBUG on, Django answers with its English technical page
        technical = response.status_code == 404 and not getattr(response, "gaoqi_page", False)
        html = response.get("Content-Type", "").startswith("text/html") and not request.path.startswith("/api/")
        if settings.DEBUG and technical and html:
            return error_page(request, 404)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, Http404):
            return error_page(request, 404, str(exc) if exc.args else "")
        if isinstance(exc, PermissionDenied):
            return error_page(request, 403, str(exc) if exc.args else "")
        if isinstance(exc, (SuspiciousOperation, BadRequest)):  # e.g. a body over DATA_UPLOAD_MAX_MEMORY_SIZE
            log.warning("400 %s %s: %s", request.method, request.path, type(exc).__name__)
            return error_page(request, 400)
        log.exception("500 %s %s", request.method, request.path)
        got_request_exception.send(sender=type(self), request=request)
        return error_page(request, 500)


def handler_404(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_page(request, 404)


def handler_500(request: HttpRequest) -> HttpResponse:
    return error_page(request, 500)
