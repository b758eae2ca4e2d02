"""gunicorn's configuration for gaoqi (ADR 0038): every setting from the environment, with a production default.

gunicorn -c deploy/gunicorn.conf.py gaoqi.web.wsgi:application
"""

from __future__ import annotations

import datetime
import json
import multiprocessing
import os
import traceback

from gunicorn import glogging

bind = os.environ.get("GAOQI_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GAOQI_WORKERS", str(2 * multiprocessing.cpu_count() + 1)))
threads = int(os.environ.get("GAOQI_THREADS", "1"))
timeout = int(os.environ.get("GAOQI_TIMEOUT", "60"))  # a worker silent this long is killed and replaced
graceful_timeout = int(os.environ.get("GAOQI_GRACEFUL_TIMEOUT", "30"))  # SIGTERM: requests in flight may finish
keepalive = int(os.environ.get("GAOQI_KEEPALIVE", "5"))
# a worker is replaced after this many requests (a slow leak cannot grow forever); the jitter keeps them apart
max_requests = int(os.environ.get("GAOQI_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GAOQI_MAX_REQUESTS_JITTER", "200"))
# the application is loaded once, in the master, before the workers fork (faster start, shared pages)
preload_app = os.environ.get("GAOQI_PRELOAD", "1") == "1"
# the proxy in front (one hop) sets X-Forwarded-*: trusted from these addresses only
forwarded_allow_ips = os.environ.get("GAOQI_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "gaoqi-web"

# Access log: one JSON object per line, to stdout (journald) unless GAOQI_ACCESS_LOG names a file ("" = off).
accesslog = os.environ.get("GAOQI_ACCESS_LOG", "-") or None
errorlog = os.environ.get("GAOQI_ERROR_LOG", "-")
loglevel = os.environ.get("GAOQI_GUNICORN_LOG_LEVEL", "info")


class JsonAccessLogger(glogging.Logger):
    """The access log as JSON lines (json.dumps: a quote in a user agent cannot break a line)."""

    def access(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        line = {
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
            "logger": "gunicorn.access",
            "remote": atoms.get("h"),
            "method": atoms.get("m"),
            "path": atoms.get("U"),
            "query": atoms.get("q"),
            "status": int(atoms["s"]) if str(atoms.get("s", "")).isdigit() else atoms.get("s"),
            "bytes": atoms.get("B"),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "request_id": next((v for k, v in getattr(resp, "headers", []) if k.lower() == "x-request-id"), None),
            "user_agent": atoms.get("a"),
        }
        try:
            self.access_log.info(json.dumps(line, ensure_ascii=False, default=str))
        except Exception:  # as gunicorn's own: a log line never fails a request
            self.error(traceback.format_exc())


logger_class = JsonAccessLogger
