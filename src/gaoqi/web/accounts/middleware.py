"""The session idle length in force (安全设置 ``session_idle_minutes``): a signed-in session left idle longer is
ended (audited as ``session.idle_timeout``) and the request goes on as anonymous (to the login page)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse

from gaoqi.web.accounts.security import security_value

SEEN = "gaoqi_seen"  # the session key holding the time of the session's last request


class SessionIdleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated and session.get("_auth_user_id"):
            now = time.time()
            seen = session.get(SEEN)
            idle = security_value("session_idle_minutes") * 60
            if isinstance(seen, int | float) and now - seen > idle:
                from gaoqi.web.audit.services import audit_record

                audit_record(
                    request.user,
                    "session.idle_timeout",
                    request=request,
                    detail={"idle_seconds": int(now - seen), "limit_seconds": idle},
                )
                session.flush()
                request.user = AnonymousUser()
            else:
                session[SEEN] = now
        return self.get_response(request)
