from __future__ import annotations

from django.db.models import QuerySet

from gaoqi.web.accounts.models import User


def users_for_admin(actor: User) -> QuerySet[User]:
    """The accounts a system administrator manages (never passwords)."""
    return User.objects.order_by("role", "username").only(
        "username", "role", "district_code", "uscc", "incubator_code", "display_name", "is_active", "last_login"
    )
