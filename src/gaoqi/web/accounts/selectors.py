from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gaoqi.web import roles
from gaoqi.web.accounts.models import ApiToken, SecuritySetting, User
from gaoqi.web.core.scoping import visible_to

#: Accounts and API tokens are the system administrator's (三员分立): no one else reads them here.
ADMINS = frozenset({roles.SYSADMIN})


def users_visible_to(actor: Any) -> QuerySet[User]:
    return visible_to(User.objects.all(), actor, sees_all=ADMINS)


def api_tokens_visible_to(actor: Any) -> QuerySet[ApiToken]:
    return visible_to(ApiToken.objects.all(), actor, sees_all=ADMINS)


def users_for_admin(
    actor: User, *, q: str = "", role: str = "", district_code: str = "", state: str = ""
) -> QuerySet[User]:
    """The accounts a system administrator manages (never passwords), filtered: a part of the username, name,
    USCC or incubator code; a role; a district; active or disabled."""
    qs = (
        users_visible_to(actor)
        .order_by("role", "username")
        .only(
            "username",
            "role",
            "district_code",
            "uscc",
            "incubator_code",
            "display_name",
            "is_active",
            "last_login",
            "date_joined",
        )
    )
    if q:
        qs = qs.filter(
            Q(username__icontains=q)
            | Q(display_name__icontains=q)
            | Q(uscc__icontains=q)
            | Q(incubator_code__icontains=q)
        )
    if role:
        qs = qs.filter(role=role)
    if district_code:
        qs = qs.filter(district_code=district_code)
    if state == "active":
        qs = qs.filter(is_active=True)
    elif state == "disabled":
        qs = qs.filter(is_active=False)
    return qs


def user_for_admin(actor: User, pk: int) -> User | None:
    return users_for_admin(actor).filter(pk=pk).first()


def api_tokens_for_admin(actor: User) -> QuerySet[ApiToken]:
    """Every API token, newest first (the hash is never shown: ``key_hash`` is left out)."""
    return (
        api_tokens_visible_to(actor)
        .select_related("user")
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
    return (
        users_visible_to(actor)
        .filter(is_active=True)
        .order_by("role", "username")
        .only("username", "role", "display_name")
    )


def stored_security_settings() -> QuerySet[SecuritySetting]:
    """The settings changed at run time, with who changed them last and when."""
    return SecuritySetting.objects.order_by("key")
