from __future__ import annotations

from django.db.models import QuerySet

from gaoqi.web.accounts.models import ApiToken, User


def users_for_admin(actor: User) -> QuerySet[User]:
    """The accounts a system administrator manages (never passwords)."""
    return User.objects.order_by("role", "username").only(
        "username", "role", "district_code", "uscc", "incubator_code", "display_name", "is_active", "last_login"
    )


def api_tokens_for_admin(actor: User) -> QuerySet[ApiToken]:
    """Every API token, newest first (the hash is never shown: ``key_hash`` is left out)."""
    return (
        ApiToken.objects.select_related("user")
        .order_by("-created_at", "-id")
        .only(
            "name",
            "user__username",
            "user__role",
            "created_at",
            "created_by",
            "expires_at",
            "revoked_at",
            "revoked_by",
            "last_used_at",
        )
    )


def token_holders(actor: User) -> QuerySet[User]:
    """The active accounts a token may be issued for."""
    return User.objects.filter(is_active=True).order_by("role", "username").only("username", "role", "display_name")
