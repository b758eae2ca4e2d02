"""The unread count next to 消息中心 in the header (enterprise accounts only; one indexed count per page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def unread(request: HttpRequest) -> dict[str, Any]:
    from gaoqi.web.push.selectors import unread_count

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "role", None) != "enterprise":
        return {}
    return {"push_unread": unread_count(user)}
