from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from gaoqi.web import roles


class User(AbstractUser):
    """An account with exactly one role and, depending on it, one jurisdiction."""

    role = models.CharField("角色", max_length=16, choices=list(roles.ROLE_LABELS.items()))
    district_code = models.CharField("所属区县代码", max_length=6, blank=True)  # district officials
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)  # enterprise users
    incubator_code = models.CharField("孵化器代码", max_length=32, blank=True)  # incubator operators
    display_name = models.CharField("姓名", max_length=64, blank=True)

    class Meta:
        verbose_name = "用户"
        constraints = [
            models.CheckConstraint(condition=Q(role__in=roles.ROLES), name="user_role_known"),
            models.CheckConstraint(
                condition=~Q(role=roles.DISTRICT) | ~Q(district_code=""), name="district_user_has_district"
            ),
            models.CheckConstraint(condition=~Q(role=roles.ENTERPRISE) | ~Q(uscc=""), name="enterprise_user_has_uscc"),
            models.CheckConstraint(
                condition=~Q(role=roles.INCUBATOR) | ~Q(incubator_code=""), name="incubator_user_has_code"
            ),
        ]


class ApiToken(models.Model):
    """A token for another department's system: acts as its user, with the same scoping. Only its hash is kept;
    it works until ``expires_at`` unless revoked earlier."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=64)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    created_by = models.CharField("签发人", max_length=150, blank=True)
    expires_at = models.DateTimeField("有效期至")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.CharField("吊销人", max_length=150, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    def state(self, now: Any) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"


class SecuritySetting(models.Model):
    """A security setting the security administrator changed at run time (lockout limits, session idle length).

    One row per key of ``security.RUNTIME``; a key without a row has its default from settings.py. Read by the
    lockout handler and the session idle middleware on every use, so a change applies at once."""

    key = models.CharField("设置项", max_length=32, primary_key=True)
    value = models.PositiveIntegerField("取值")
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.CharField("修改人", max_length=150, blank=True)

    class Meta:
        verbose_name = "安全设置"
