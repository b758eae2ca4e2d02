"""Reads of the units app: the roster, a unit by code (bad codes refused in words), and the units whose work a
user sees (``unit_scope_q``: municipal oversight all, a district official its district's units and the units it
is a member of)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gaoqi.web import roles
from gaoqi.web.core.errors import DomainError
from gaoqi.web.core.scoping import scope_q
from gaoqi.web.units.models import DISTRICT, MUNICIPAL, Unit, UnitMember


def units_active(*, level: str | None = None, district_code: str | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.filter(active=True)
    if level:
        qs = qs.filter(level=level)
    if district_code is not None:
        qs = qs.filter(district_code=district_code)
    return qs


def unit_get(code: str) -> Unit:
    """The active unit of ``code``; an unknown or retired code is refused with a clear message (400)."""
    unit = Unit.objects.filter(code=code, active=True).first()
    if unit is None:
        raise DomainError(f"责任单位“{code}”不存在或已停用。", fields={"unit": "不存在的单位"})
    return unit


def unit_for(kind: str, *, level: str, district_code: str = "") -> Unit | None:
    """The active unit of a kind at a level (a district's when ``level`` is district), or None."""
    return Unit.objects.filter(
        active=True, kind=kind, level=level, district_code="" if level == MUNICIPAL else district_code
    ).first()


def unit_scope_q(user: Any, field: str = "unit") -> Q | None:
    """The rows owed by units ``user`` may see, as a condition on ``field`` (a FK to Unit; "" for Unit itself): the
    role rules of ``core.scoping`` on the unit's district (the municipal office and evaluators all, a district
    official its district's units, nobody else any), and for a district official also the units it acts for."""
    prefix, ident = (f"{field}__", f"{field}_id") if field else ("", "id")
    q = scope_q(user, district=f"{prefix}district_code")
    if q is not None and getattr(user, "role", None) == roles.DISTRICT:
        q |= Q(**{f"{ident}__in": UnitMember.objects.filter(user=user).values("unit_id")})
    return q


def acts_for(user: Any, unit: Unit) -> bool:
    """Whether ``user`` acts for ``unit`` (accepts, answers, completes what it owes): an active official of the
    unit's level (any municipal official for a municipal unit; an official of the unit's district for a district
    unit) or a member of it (``UnitMember``). Seeing a unit's work (``unit_scope_q``) is wider: the municipal
    office sees the districts' units without answering for them."""
    role = getattr(user, "role", None)
    if not getattr(user, "is_active", False) or role not in {roles.MUNICIPAL, roles.DISTRICT}:
        return False
    if unit.level == MUNICIPAL and role == roles.MUNICIPAL:
        return True
    if unit.level == DISTRICT and role == roles.DISTRICT and user.district_code == unit.district_code:
        return True
    return UnitMember.objects.filter(unit=unit, user=user).exists()
