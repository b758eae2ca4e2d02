"""The expert pool, kept by the municipal office (the accounts themselves are the system administrator's)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.audit.services import audit_record
from gaoqi.web.certification import panels
from gaoqi.web.certification.models import Expert
from gaoqi.web.core.locks import STALE, StaleActionError, locked
from gaoqi.web.core.workflow import WorkflowError


def expert_accounts_unpooled() -> Any:
    """Active expert accounts (created by the system administrator) not yet in the pool."""
    return User.objects.filter(role=roles.EXPERT, is_active=True, expert__isnull=True).order_by("username")


@transaction.atomic
def expert_add(
    actor: User,
    *,
    username: str,
    kind: str,
    fields: list[str],
    employer_uscc: str = "",
    avoid_usccs: list[str] | None = None,
) -> Expert:
    """Put an expert account into the pool with its kind, fields and relations. The account itself is created
    by the system administrator (accounts are never created here: separation of duties, 等保 level 3)."""
    if actor.role != roles.MUNICIPAL:
        raise WorkflowError("专家库由市级管理部门维护")
    if kind not in ("technical", "financial"):
        raise WorkflowError("专家类别须为技术专家或财务专家")
    unknown = [f for f in fields if f not in panels.FIELDS]
    if unknown or (kind == "technical" and not fields):
        raise WorkflowError("技术专家须选择《国家重点支持的高新技术领域》中的技术领域")
    user = User.objects.select_for_update().filter(username=username.strip()).first()
    if user is None or user.role != roles.EXPERT or not user.is_active:
        raise WorkflowError("请选择系统管理员已创建的评审专家账号")
    if Expert.objects.filter(user=user).exists():
        raise StaleActionError(f"账号 {user.username} 已在专家库中")
    expert = Expert.objects.create(
        user=user, kind=kind, fields=fields, employer_uscc=employer_uscc.strip().upper(),
        avoid_usccs=[u.strip().upper() for u in (avoid_usccs or []) if u.strip()],
    )  # fmt: skip
    audit_record(actor, "expert.add", target=f"expert:{expert.pk}", detail={"kind": kind, "fields": fields})
    return expert


@transaction.atomic
def expert_update(
    actor: User,
    expert: Expert,
    *,
    active: bool,
    employer_uscc: str,
    avoid_usccs: list[str],
    past_employers: list[list[str]],
    version: int | None = None,
) -> Expert:
    """Change an expert's availability and the relations that decide conflicts of interest. ``version`` is the
    record's version the form was drawn from: an edit made on a stale form is refused, not silently merged."""
    if actor.role != roles.MUNICIPAL:
        raise WorkflowError("专家库由市级管理部门维护")
    for _uscc, until in past_employers:
        try:
            dt.date.fromisoformat(until)
        except ValueError as exc:
            raise WorkflowError(f"日期格式应为 YYYY-MM-DD：{until}") from exc
    expert = locked(Expert, expert.pk)
    if version is not None and version != expert.version:
        raise StaleActionError(f"该专家的信息已被他人修改，{STALE}")
    expert.version += 1
    expert.active = active
    expert.employer_uscc = employer_uscc.strip().upper()
    expert.avoid_usccs = [u.strip().upper() for u in avoid_usccs if u.strip()]
    expert.past_employers = [[u.strip().upper(), d] for u, d in past_employers]
    expert.save(update_fields=["active", "employer_uscc", "avoid_usccs", "past_employers", "version"])
    audit_record(actor, "expert.update", target=f"expert:{expert.pk}", detail={"active": active})
    return expert
