"""Writes of the units app: the roster loaded from its file, and who acts for a unit."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.core.errors import DomainError, Forbidden
from gaoqi.web.units.models import DISTRICT, Unit, UnitMember
from gaoqi.web.units.roster import roster


def units_sync(unit_model: Any = Unit) -> dict[str, int]:
    """Make the table equal to ``units.yaml``: new units added, names updated, units no longer in the file made
    inactive (never deleted: items and requests keep naming them). Idempotent. ``unit_model`` lets the data
    migration pass its historical model."""
    rows = roster()
    seen = {r.code for r in rows}
    added = changed = 0
    for r in rows:
        unit, created = unit_model.objects.get_or_create(
            code=r.code,
            defaults={"name": r.name, "level": r.level, "kind": r.kind, "district_code": r.district_code},
        )
        if created:
            added += 1
        elif (unit.name, unit.active) != (r.name, True):
            unit.name, unit.active = r.name, True
            unit.save(update_fields=["name", "active"])
            changed += 1
    retired = unit_model.objects.filter(active=True).exclude(code__in=seen).update(active=False)
    return {"added": added, "changed": changed, "retired": retired}


@transaction.atomic
def units_load(actor: Any = None) -> dict[str, int]:
    """``units_sync`` as an audited act (the command, an administrator)."""
    counts = units_sync()
    audit_record(actor, "units.load", detail=counts)
    return counts


@transaction.atomic
def unit_member_add(actor: Any, *, unit: Unit, user: Any) -> UnitMember:
    """``user`` acts for ``unit`` from now on. Only officials; a district official only for a unit of the
    account's own district; only the system administrator or the municipal office assigns."""
    if getattr(actor, "role", None) not in {roles.SYSADMIN, roles.MUNICIPAL}:
        raise Forbidden("只有系统管理员或市级管理人员可以指定单位经办人。")
    if user.role not in {roles.MUNICIPAL, roles.DISTRICT}:
        raise DomainError("只有市级或区级管理人员可以作为单位经办人。")
    if user.role == roles.DISTRICT and (unit.level != DISTRICT or unit.district_code != user.district_code):
        raise DomainError(f"区级管理人员只能作为本区单位的经办人，{unit.name}不属于其所在区。")
    member, created = UnitMember.objects.get_or_create(unit=unit, user=user)
    if created:
        audit_record(actor, "units.member_add", target=unit.code, detail={"user": user.username})
    return member
