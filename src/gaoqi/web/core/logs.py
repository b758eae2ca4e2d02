"""The request's identity on every log line (ADR 0038): ``RequestIdMiddleware`` takes the proxy's ``X-Request-ID``
(or makes one), answers with it and logs one access line per request (path, status, duration, user id);
``RequestContextFilter`` puts the request id, user id and path on every record logged meanwhile."""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

_request: contextvars.ContextVar[dict[str, object] | None] = contextvars.ContextVar("gaoqi_request", default=None)
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")  # a forged header cannot inject into the log lines
logger = logging.getLogger("gaoqi.request")


def request_id_from(header: str | None) -> str:
    return header if header and _VALID_ID.match(header) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_id_from(request.headers.get("X-Request-ID"))
        context: dict[str, object] = {"request_id": rid, "path": request.path_info[:200], "user_id": None}
        token = _request.set(context)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                context["user_id"] = user.pk
            response["X-Request-ID"] = rid
            if not request.path_info.startswith(("/static/", "/healthz", "/readyz")):  # probes would flood
                logger.info(
                    "request",
                    extra={
                        "method": request.method,
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            _request.reset(token)


class RequestContextFilter(logging.Filter):
    """Adds request_id, user_id and path to each record (None outside a request: the worker, a command)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _request.get() or {}
        for key in ("request_id", "user_id", "path"):
            if not hasattr(record, key):
                setattr(record, key, context.get(key))
        return True
