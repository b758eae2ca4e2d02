"""Django's PostgreSQL backend, whose new connections wait out a database restart (issue 17, ADR 0041).

A restarted PostgreSQL refuses connections for a second or two ("the database system is shutting down / starting
up", connection refused). The health check before each request (CONN_HEALTH_CHECKS) drops the worker's dead
connection; the new one is opened here, and retried with a growing pause for up to ``CONNECT_WAIT_SECONDS``
(the DATABASES entry; 0: no retry) instead of failing the request. Only opening a connection is retried: nothing
has been sent yet, so no statement can run twice. A statement cut off by the restart is not retried: its
transaction was rolled back by PostgreSQL, and the user is answered 503 (core/errors.py).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db.backends.postgresql import base

log = logging.getLogger("gaoqi.web")

#: What a restarting server answers (psycopg gives no SQLSTATE for a failed connection: its words, then). A
#: permanent refusal (no such database, a wrong password) is not among them and fails at once.
TRANSIENT = ("connection refused", "the database system is starting up", "the database system is shutting down",
             "the database system is in recovery mode", "the database system is not yet accepting connections",
             "server closed the connection unexpectedly")  # fmt: skip


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        wait = float(self.settings_dict.get("CONNECT_WAIT_SECONDS", 0))
        deadline = time.monotonic() + wait
        pause = 0.1
        while True:
            try:
                return super().get_new_connection(conn_params)
            except base.Database.OperationalError as exc:
                if time.monotonic() + pause > deadline or not any(t in str(exc).lower() for t in TRANSIENT):
                    raise
                log.warning("PostgreSQL refused a connection (%s); again in %.1f s", str(exc).strip()[:120], pause)
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
