"""Token authentication for other departments' systems: ``Authorization: Bearer <key>`` on /api/ acts as the
token's user (same role, same jurisdiction, same scoping as the pages). Session users work too."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse


class ApiTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if request.path_info.startswith("/api/") and header.startswith("Bearer "):
            from gaoqi.web.accounts.models import ApiToken
            from gaoqi.web.accounts.services import token_hash

            token = (
                ApiToken.objects.select_related("user")
                .filter(key_hash=token_hash(header[7:].strip()), revoked_at__isnull=True, user__is_active=True)
                .first()
            )
            if token is None:
                return JsonResponse({"detail": "令牌无效 (invalid token)"}, status=401)
            request.user = token.user
            request._dont_enforce_csrf_checks = True  # no cookies: no CSRF
        return self.get_response(request)
