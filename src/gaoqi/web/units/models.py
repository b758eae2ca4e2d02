"""The units that owe enterprises an answer or a service (责任单位): municipal departments and district offices.

Service-package items, support records and enterprise requests name the unit responsible; a unit's officials
(``UnitMember``) see and act on what it owes. The roster is data (``units.yaml``, loaded by ``units_load``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

MUNICIPAL = "municipal"
DISTRICT = "district"
LEVELS = [(MUNICIPAL, "市级"), (DISTRICT, "区级")]


class Unit(models.Model):
    code = models.CharField("单位代码", max_length=32, unique=True)
    name = models.CharField("单位名称", max_length=100)
    level = models.CharField("层级", max_length=16, choices=LEVELS)
    kind = models.CharField("职能类别", max_length=16)
    district_code = models.CharField("所在区县代码", max_length=6, blank=True, db_index=True)
    active = models.BooleanField("在用", default=True)

    class Meta:
        ordering = ["level", "district_code", "code"]
        constraints = [
            # A district unit belongs to a district; a municipal one to none.
            models.CheckConstraint(
                condition=(Q(level=DISTRICT) & ~Q(district_code="")) | (Q(level=MUNICIPAL) & Q(district_code="")),
                name="unit_district_matches_level",
            ),
            models.UniqueConstraint(fields=["level", "district_code", "kind"], name="unit_one_per_kind_and_place"),
        ]

    def __str__(self) -> str:
        return self.name


class UnitMember(models.Model):
    """An official acting for a unit (a 服务管家 or a handler). A district official acts only for units of the
    account's district (checked by ``services.unit_member_add``)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "user"], name="unit_member_once")]
