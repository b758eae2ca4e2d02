"""Writes on accounts: each atomic, taking the acting user, writing the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from gaoqi.web import roles
from gaoqi.web.accounts.models import ApiToken, SecuritySetting, User
from gaoqi.web.audit.services import audit_record
from gaoqi.web.core.locks import DomainError, locked, serialize

#: The jurisdiction field each role needs (the others have none).
JURISDICTION_FIELD: dict[str, str] = {
    roles.DISTRICT: "district_code",
    roles.ENTERPRISE: "uscc",
    roles.INCUBATOR: "incubator_code",
}
JURISDICTION_FIELDS = ("district_code", "uscc", "incubator_code")
#: Roles of which one active account must always remain (separation of duties: each has its own job).
ADMIN_ROLES = (roles.SYSADMIN, roles.SECADMIN, roles.AUDITOR)
INCUBATOR_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")


def jurisdiction_check(role: str, district_code: str = "", uscc: str = "", incubator_code: str = "") -> dict[str, str]:
    """The jurisdiction fields for ``role``, checked: a district code of the engine's district list, a valid
    USCC (GB 32100-2015), an incubator code; the fields the role does not use are emptied. ValidationError
    keyed by field, in Chinese."""
    from gaoqi.engine import check_uscc as uscc_validate
    from gaoqi.engine import district_codes

    if role not in roles.ROLES:
        raise ValidationError({"role": "请选择一个角色"})
    values = {"district_code": district_code.strip(), "uscc": uscc.strip().upper(), "incubator_code": ""}
    values["incubator_code"] = incubator_code.strip().upper()
    field = JURISDICTION_FIELD.get(role)
    out = dict.fromkeys(JURISDICTION_FIELDS, "")
    if field is None:
        return out
    value = values[field]
    label = {"district_code": "所属区县", "uscc": "统一社会信用代码", "incubator_code": "孵化器代码"}[field]
    if not value:
        raise ValidationError({field: f"{roles.ROLE_LABELS[role]}须填写{label}"})
    if field == "district_code" and value not in district_codes():
        raise ValidationError({field: f"区县代码 {value} 不在北京市区县名单中"})
    if field == "uscc":
        check = uscc_validate(value)
        if not check.ok:
            raise ValidationError({field: f"统一社会信用代码 {value} 无效：{check.message}"})
    if field == "incubator_code" and not INCUBATOR_CODE.match(value):
        raise ValidationError({field: "孵化器代码须为 2 至 32 位大写字母、数字或连字符"})
    out[field] = value
    return out


def _require_sysadmin(actor: User | None) -> None:
    """Accounts are managed by the system administrator (or a management command, actor None)."""
    if actor is not None and actor.role != roles.SYSADMIN:
        raise PermissionError("只有系统管理员可以管理账号")


def _keep_one_admin(user: User, *, disabling: bool = False, new_role: str | None = None) -> None:
    """Refuse a change that would leave no active account of an administrator role (the last system
    administrator disabling or demoting themselves, the last auditor disabled)."""
    if user.role not in ADMIN_ROLES or not user.is_active:
        return
    if not disabling and (new_role is None or new_role == user.role):
        return
    serialize(f"accounts.admins.{user.role}")
    others = User.objects.filter(role=user.role, is_active=True).exclude(pk=user.pk).count()
    if others == 0:
        label = roles.ROLE_LABELS[user.role]
        what = "停用" if disabling else "改为其他角色"
        raise DomainError(f"{user.username} 是唯一启用的{label}，不能{what}：请先为该角色启用另一个账号")


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
    _require_sysadmin(actor)
    if role not in roles.ROLES:
        raise ValueError(f"unknown role {role!r}")
    where = jurisdiction_check(role, district_code, uscc, incubator_code)
    user = User(username=username.strip(), role=role, display_name=display_name.strip(), **where)
    password_check(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor,
        "user.create",
        target=f"user:{user.username}",
        detail={"role": role, **{k: v for k, v in where.items() if v}},
    )
    return user


@transaction.atomic
def user_disable(actor: User | None, user: User) -> User:
    """Disable an account: it can no longer log in, its sessions end, its API tokens stop working."""
    _require_sysadmin(actor)
    user = locked(User, user.pk)
    if not user.is_active:
        return user
    _keep_one_admin(user, disabling=True)
    user.is_active = False
    user.save(update_fields=["is_active"])
    _end_sessions(user)
    audit_record(actor, "user.disable", target=f"user:{user.username}", detail={"role": user.role})
    return user


@transaction.atomic
def user_enable(actor: User | None, user: User) -> User:
    _require_sysadmin(actor)
    user = locked(User, user.pk)
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(actor, "user.enable", target=f"user:{user.username}", detail={"role": user.role})
    return user


@transaction.atomic
def user_role_set(
    actor: User | None,
    user: User,
    *,
    role: str,
    district_code: str = "",
    uscc: str = "",
    incubator_code: str = "",
    display_name: str | None = None,
) -> User:
    """A new role and jurisdiction (and name) for an account; the account's sessions end when its role or
    jurisdiction changes (what it may see changed)."""
    _require_sysadmin(actor)
    user = locked(User, user.pk)
    where = jurisdiction_check(role, district_code, uscc, incubator_code)
    _keep_one_admin(user, new_role=role)
    before: dict[str, Any] = {"role": user.role, **{k: getattr(user, k) for k in JURISDICTION_FIELDS}}
    after: dict[str, Any] = {"role": role, **where}
    changed = {k: {"from": before[k], "to": after[k]} for k in before if before[k] != after[k]}
    if display_name is not None and display_name.strip() != user.display_name:
        changed["display_name"] = {"from": user.display_name, "to": display_name.strip()}
        user.display_name = display_name.strip()
    if not changed:
        return user
    user.role = role
    for k, v in where.items():
        setattr(user, k, v)
    user.full_clean(exclude=["password"])
    user.save(update_fields=["role", *JURISDICTION_FIELDS, "display_name"])
    if set(changed) - {"display_name"}:
        _end_sessions(user)
    audit_record(actor, "user.role_set", target=f"user:{user.username}", detail=changed)
    return user


def _end_sessions(user: User) -> None:
    """Delete the user's sessions (database sessions: decoded to find the user's)."""
    from django.contrib.sessions.models import Session

    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()


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
    if actor is not None and actor.pk != user.pk:
        _require_sysadmin(actor)
    password_check(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor, "user.password_set", target=f"user:{user.username}")


@transaction.atomic
def user_password_reset(actor: User | None, user: User, password: str) -> None:
    """The system administrator sets a new password for someone who lost theirs: validated, audited; the
    account's sessions end and its lockout failures are forgotten."""
    from axes.models import AccessAttempt

    _require_sysadmin(actor)
    user = locked(User, user.pk)
    password_check(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    _end_sessions(user)
    AccessAttempt.objects.filter(username=user.username).delete()
    audit_record(actor, "user.password_reset", target=f"user:{user.username}")


@transaction.atomic
def security_settings_update(actor: User | None, values: dict[str, int]) -> dict[str, dict[str, int]]:
    """The security administrator changes run-time security settings (each within its allowed range); returns
    what changed ({key: {from, to}}), audited. Applies at once (read at every login and request)."""
    from gaoqi.web.accounts.security import runtime_settings, security_values

    if actor is not None and actor.role != roles.SECADMIN:
        raise PermissionError("只有安全管理员可以修改安全设置")
    specs = runtime_settings()
    serialize("accounts.security_settings")
    current = security_values()
    changed: dict[str, dict[str, int]] = {}
    for key, value in values.items():
        spec = specs.get(key)
        if spec is None:
            raise DomainError(f"未知的设置项 {key}")
        if not spec.low <= value <= spec.high:
            raise DomainError(f"{spec.label}须在 {spec.low} 至 {spec.high} {spec.unit}之间")
        if current[key] != value:
            changed[key] = {"from": current[key], "to": value}
            SecuritySetting.objects.update_or_create(
                key=key, defaults={"value": value, "updated_by": actor.get_username() if actor else ""}
            )
    if changed:
        audit_record(actor, "security.settings_update", target="security:settings", detail=changed)
    return changed


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
