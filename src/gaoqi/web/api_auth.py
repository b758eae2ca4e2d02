"""Token authentication for other departments' systems: ``Authorization: Bearer <key>`` on /api/ acts as the
token's user (same role, same jurisdiction, same scoping as the pages). Session users work too. An unknown,
expired or revoked token, or one of a deactivated account, is refused (401) and the refusal is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from gaoqi.web.core.errors import error_json

REFUSALS = {
    "unknown": "令牌无效 (invalid token)",
    "expired": "令牌已过期 (token expired)",
    "revoked": "令牌已吊销 (token revoked)",
    "inactive": "令牌所属账号已停用 (account disabled)",
}


class ApiTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if request.path_info.startswith("/api/") and header.startswith("Bearer "):
            from gaoqi.web.accounts.models import ApiToken
            from gaoqi.web.accounts.services import token_hash
            from gaoqi.web.audit.services import audit_record

            now = timezone.now()
            key = header[7:].strip()
            token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(key)).first() if key else None
            refusal: str | None
            if token is None:
                refusal = "unknown"
            elif not token.user.is_active:
                refusal = "inactive"
            else:
                refusal = None if token.state(now) == "active" else token.state(now)
            if refusal is not None:
                target = f"api_token:{token.pk}" if token is not None else "api_token"
                audit_record(
                    token.user if token is not None else None,
                    "api.token",
                    target=target,
                    request=request,
                    outcome="denied",
                    detail={"reason": refusal, "path": request.path_info[:200]},
                )
                return error_json(401, REFUSALS[refusal], code=f"token_{refusal}")
            assert token is not None
            if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # coarse: one write a minute
            request.user = token.user
            request.api_token = token
            request._dont_enforce_csrf_checks = True  # no cookies: no CSRF
        return self.get_response(request)
