"""Writes on accounts: each atomic, taking the acting user, writing the audit log."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

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
    password_check(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor, "user.create", target=f"user:{username}", detail={"role": role})
    return user


def password_check(password: str, user: User | None = None) -> None:
    """Django's AUTH_PASSWORD_VALIDATORS on a password about to be set; ValidationError with the reasons in
    Chinese (whatever language the caller runs in: a management command, a task, a test)."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as e:
        reasons = []
        with translation.override("zh-hans"):
            for err in e.error_list:
                if err.code == "password_too_short":  # Django's Chinese catalogue lacks this plural form
                    reasons.append(f"密码太短，至少需要 {(err.params or {}).get('min_length')} 个字符。")
                else:
                    reasons.extend(ValidationError(err).messages)
        raise ValidationError(reasons) from None


@transaction.atomic
def user_password_set(actor: User | None, user: User, password: str) -> None:
    """A new password for ``user`` (by the user or the system administrator): validated, hashed, audited."""
    password_check(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor, "user.password_set", target=f"user:{user.username}")


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(actor: User | None, user: User, name: str) -> str:
    """A new token for ``user``; returns the key (shown once; only its hash is stored)."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=token_hash(key))
    audit_record(actor, "api_token.create", target=f"user:{user.username}", detail={"name": name})
    return key
