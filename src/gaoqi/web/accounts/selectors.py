from __future__ import annotations

from django.db.models import Q, QuerySet

from gaoqi.web import roles
from gaoqi.web.accounts.models import ApiToken, SecuritySetting, User


def users_for_admin(
    actor: User, *, q: str = "", role: str = "", district_code: str = "", state: str = ""
) -> QuerySet[User]:
    """The accounts a system administrator manages (never passwords), filtered: a part of the username, name,
    USCC or incubator code; a role; a district; active or disabled."""
    if actor.role != roles.SYSADMIN:
        return User.objects.none()
    qs = User.objects.order_by("role", "username").only(
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


def stored_security_settings() -> QuerySet[SecuritySetting]:
    """The settings changed at run time, with who changed them last and when."""
    return SecuritySetting.objects.order_by("key")
