"""The JSON log lines (ADR 0038): request id, user id and path on each record of a request; errors with their
stack trace; the request id answered on the response."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.conf import settings
from django.test import Client
from pythonjsonlogger.json import JsonFormatter

from gaoqi.web.core.logs import RequestContextFilter, _request


def _json_handler(stream: io.StringIO) -> logging.Handler:
    spec = dict(settings.LOGGING["formatters"]["json"])
    spec.pop("()")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(**spec))
    handler.addFilter(RequestContextFilter())
    return handler


def test_a_record_inside_a_request_is_one_json_line_with_its_context_and_traceback() -> None:
    stream = io.StringIO()
    log = logging.getLogger("gaoqi.test_logs")
    log.addHandler(_json_handler(stream))
    token = _request.set({"request_id": "rid-7", "user_id": 42, "path": "/enterprises/"})
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("it failed")
    finally:
        _request.reset(token)
        log.handlers.clear()
    line = json.loads(stream.getvalue())
    assert (line["level"], line["logger"], line["message"]) == ("ERROR", "gaoqi.test_logs", "it failed")
    assert (line["request_id"], line["user_id"], line["path"]) == ("rid-7", 42, "/enterprises/")
    assert "Traceback" in line["exc_info"] and "ValueError: boom" in line["exc_info"]


@pytest.mark.django_db
def test_each_request_is_logged_once_with_status_and_duration_and_answers_its_id(client: Client) -> None:
    stream = io.StringIO()
    log = logging.getLogger("gaoqi.request")
    log.addHandler(_json_handler(stream))
    old = log.level
    log.setLevel(logging.INFO)
    try:
        r = client.get("/accounts/login/", HTTP_X_REQUEST_ID="req-42")
        client.get("/healthz")  # probes are not logged
    finally:
        log.handlers.clear()
        log.setLevel(old)
    assert r["X-Request-ID"] == "req-42"
    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert len(lines) == 1
    assert lines[0]["request_id"] == "req-42" and lines[0]["path"] == "/accounts/login/"
    assert lines[0]["status"] == 200 and lines[0]["method"] == "GET" and lines[0]["duration_ms"] >= 0
    assert client.get("/healthz")["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]  # made when absent
