"""The request being served, for audit records written by services that are not handed the request
(``snapshot_request``, ``upload_store``, ``policy_simulate``): every event of a web request carries its source
address, not only those whose caller remembered to pass ``request``."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

_current: ContextVar[Any] = ContextVar("gaoqi_audit_request", default=None)


def current_request() -> Any:
    return _current.get()


class AuditRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(request)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
