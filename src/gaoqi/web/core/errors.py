"""One error type and one answer for every refusal.

``DomainError`` is the refusal a user reads (in Chinese): a service raises it (or a subclass naming the kind),
and whatever turns it into an answer uses the one shape here:

- the API (registered once in api.py as ninja's exception handler, and for the refusals the middlewares answer
  themselves: 401, 403): ``{"error": {"code": ..., "message": <Chinese>, "fields": {field: message}}}`` with the
  kind's HTTP status: 400 input, 401 not signed in, 403 forbidden, 404 not found (or outside the jurisdiction),
  409 stale or conflicting;
- a page: the Chinese error page of the status with the message; an htmx request gets the message as a fragment
  (an htmx swap of a whole page would nest it); a form's POST view decorated with ``refusals_to`` shows it as the
  page's message after going back to the page (the pages' style).

Error pages are Chinese in every mode (a laptop demo runs with DEBUG on, and its users are officials, not
developers): 404 and 403 from the views, 503 when the database went away under the request (a restart: try again
in a few seconds), and any other exception as a 500 page. The traceback still goes to the
log, and Django's ``got_request_exception`` signal still fires, so the test client re-raises it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django import db
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string

from gaoqi.web.core.htmx import is_htmx

log = logging.getLogger("gaoqi.web")


class DomainError(ValueError):
    """A refusal a user reads (in Chinese): the action is not allowed now, or its input is wrong. ``code`` is a
    stable word for programs, ``fields`` the message per input field (a form's or an API parameter's)."""

    status = 400
    code = "invalid"
    default_message = "请求无效，未予处理"

    def __init__(self, message: str = "", *, code: str | None = None, fields: Mapping[str, str] | None = None):
        super().__init__(message or self.default_message)
        if code is not None:
            self.code = code
        self.fields = dict(fields or {})

    @property
    def message(self) -> str:
        return str(self)


class Forbidden(DomainError):
    """The user's role or jurisdiction does not allow the action."""

    status = 403
    code = "forbidden"
    default_message = "您的角色无权进行此操作"


class NotFound(DomainError):
    """No such object, or not within the user's jurisdiction (never told apart: existence is not disclosed)."""

    status = 404
    code = "not_found"
    default_message = "对象不存在或不在您的管辖范围内"


class Conflict(DomainError):
    """The object's state does not allow the action (anymore)."""

    status = 409
    code = "conflict"
    default_message = "当前状态不允许此操作"


class StaleActionError(Conflict):
    """The object was changed by someone else's committed action: the request acted on an old copy."""

    code = "stale"
    default_message = "已被他人处理，请刷新页面后查看最新状态"


#: HTTP status → (template, title, the code of an answer without a DomainError).
PAGES = {
    400: ("400.html", "请求无效", "invalid"),
    401: ("", "需要登录", "unauthenticated"),
    403: ("403.html", "禁止访问", "forbidden"),
    404: ("404.html", "页面不存在", "not_found"),
    409: ("409.html", "操作未完成", "conflict"),
    500: ("500.html", "服务器内部错误", "server_error"),
    503: ("503.html", "服务暂时不可用", "unavailable"),
}
#: Seconds a 503 asks the client to wait (a PostgreSQL restart takes one or two).
RETRY_AFTER = "5"


def database_unavailable(exc: BaseException | None) -> bool:
    """The database went away under the request (a restart cut its connection, or it could not connect):
    answered 503 "try again shortly", not a 500 — its transaction was rolled back, nothing half-written."""
    return isinstance(exc, (db.OperationalError, db.InterfaceError))


def unavailable_page(request: HttpRequest) -> HttpResponse:
    response = error_page(request, 503)
    response["Retry-After"] = RETRY_AFTER
    return response


def valid_data(form: Any) -> dict[str, Any]:
    """A bound Django form's cleaned data, or its first error as a refusal (every field's first error in
    ``fields``): a view parses its input with a form and refuses through the one error type."""
    if form.is_valid():
        return dict(form.cleaned_data)
    fields = {name: str(errors[0]) for name, errors in form.errors.items() if errors}
    first = next(iter(fields.values()), "")
    raise DomainError(first, fields={k: v for k, v in fields.items() if k != "__all__"})


def error_body(code: str, message: str, fields: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The API's one error shape."""
    return {"error": {"code": code, "message": message, "fields": dict(fields or {})}}


def error_json(
    status: int, message: str = "", *, code: str = "", fields: Mapping[str, str] | None = None
) -> JsonResponse:
    _, title, default_code = PAGES[status]
    response = JsonResponse(error_body(code or default_code, message or title, fields), status=status)
    response.gaoqi_page = True
    return response


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def error_page(request: HttpRequest, status: int, message: str = "", *, code: str = "") -> HttpResponse:
    """The Chinese answer for ``status``: JSON for the API, a fragment for htmx, else the page."""
    if is_api(request):
        return error_json(status, message, code=code)
    template, title, _ = PAGES[status]
    try:
        if is_htmx(request):
            body = render_to_string("_error.html", {"message": message or title, "status": status}, request=request)
        else:
            body = render_to_string(template, {"message": message, "title": title}, request=request)
    except Exception:  # the error page itself must not fail (e.g. the database is down)
        body = f'<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>{status}</title><h1>{status} {title}</h1>'
    response = HttpResponse(body, status=status)
    response.gaoqi_page = True
    return response


def domain_error_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A refusal as an answer: the API's JSON shape, or the page (fragment) of its status with its message."""
    if is_api(request):
        return error_json(exc.status, exc.message, code=exc.code, fields=exc.fields)
    return error_page(request, exc.status, exc.message, code=exc.code)


@contextmanager
def refusal_as_message(request: HttpRequest) -> Iterator[None]:
    """Inside: a refusal becomes the page's error message (the view answers as it would anyway)."""
    try:
        yield
    except DomainError as exc:
        messages.error(request, exc.message)


def refusals_to(page: Callable[..., str]) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A form's POST view: a refusal (``DomainError``) goes back to the page ``page(**kwargs)`` names, the
    message shown there (messages, the pages' style); an htmx request gets the message as a fragment."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except DomainError as exc:
                if is_api(request) or is_htmx(request):
                    return domain_error_response(request, exc)
                messages.error(request, exc.message)
                return redirect(page(**kwargs))

        return wrapper

    return decorate


class ChineseErrorPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # an unknown URL never reaches a view: with DEBUG on, Django answers with its English technical page
        technical = response.status_code == 404 and not getattr(response, "gaoqi_page", False)
        if technical and is_api(request):  # an unknown API path: the API's shape, not a page
            return error_json(404, "接口不存在")
        html = response.get("Content-Type", "").startswith("text/html")
        if settings.DEBUG and technical and html:
            return error_page(request, 404)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, DomainError):
            return domain_error_response(request, exc)
        if isinstance(exc, Http404):
            return error_page(request, 404, str(exc) if exc.args else "")
        if isinstance(exc, PermissionDenied):
            return error_page(request, 403, str(exc) if exc.args else "")
        if isinstance(exc, (SuspiciousOperation, BadRequest)):  # e.g. a body over DATA_UPLOAD_MAX_MEMORY_SIZE
            log.warning("400 %s %s: %s", request.method, request.path, type(exc).__name__)
            return error_page(request, 400)
        if database_unavailable(exc):
            log.warning("503 %s %s: the database is unavailable (%s)", request.method, request.path,
                        str(exc).strip()[:200])  # fmt: skip
            return unavailable_page(request)
        log.exception("500 %s %s", request.method, request.path)
        got_request_exception.send(sender=type(self), request=request)
        return error_page(request, 500)


def handler_404(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_page(request, 404)


def handler_500(request: HttpRequest) -> HttpResponse:
    # a middleware before the views (the session, the user) reached the database while it was away
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_page(request)
    return error_page(request, 500)


__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "NotFound",
    "StaleActionError",
    "domain_error_response",
    "error_body",
    "error_json",
    "error_page",
    "refusal_as_message",
    "refusals_to",
    "valid_data",
]
