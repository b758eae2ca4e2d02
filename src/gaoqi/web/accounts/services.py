"""Writes on accounts: each atomic, taking the acting user, writing the audit log."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from gaoqi.web import roles
from gaoqi.web.accounts.models import ApiToken, User
from gaoqi.web.audit.services import audit_record


@transaction.atomic
def user_create(
    actor: User | None,
    *,
    username: str,
    password: str,
    role: str,
    district_code: str = "",
    uscc: str = "",
    incubator_code: str = "",
    display_name: str = "",
) -> User:
    if role not in roles.ROLES:
        raise ValueError(f"unknown role {role!r}")
    user = User(
        username=username,
        role=role,
        district_code=district_code,
        uscc=uscc,
        incubator_code=incubator_code,
        display_name=display_name,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor, "user.create", target=f"user:{username}", detail={"role": role})
    return user


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(actor: User | None, user: User, name: str) -> str:
    """A new token for ``user``; returns the key (shown once; only its hash is stored)."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=token_hash(key))
    audit_record(actor, "api_token.create", target=f"user:{user.username}", detail={"name": name})
    return key
