"""Writes on accounts: each atomic, taking the acting user, writing the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

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


TOKEN_DAYS = 90  # default lifetime of an API token
TOKEN_MAX_DAYS = 366


@transaction.atomic
def api_token_create(actor: User | None, user: User, name: str, *, days: int = TOKEN_DAYS) -> str:
    """A new token for ``user``, valid for ``days``; returns the key (shown once; only its hash is stored)."""
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise ValueError(f"有效期须在 1 至 {TOKEN_MAX_DAYS} 天之间")
    name = name.strip()
    if not name or len(name) > 64:
        raise ValueError("请填写令牌用途（不超过 64 个字符）")
    if not user.is_active:
        raise ValueError("账号已停用，不能签发令牌")
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=token_hash(key),
        created_by=actor.get_username() if actor is not None else "",
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit_record(
        actor,
        "api_token.create",
        target=f"user:{user.username}",
        detail={"name": name, "token": token.pk, "days": days, "expires_at": token.expires_at.isoformat()},
    )
    return key


@transaction.atomic
def api_token_revoke(actor: User | None, token: ApiToken) -> None:
    """Revoke a token at once (a second revocation changes nothing and is not recorded again)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.revoked_by = actor.get_username() if actor is not None else ""
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor, "api_token.revoke", target=f"user:{token.user.username}", detail={"name": token.name, "token": token.pk}
    )
