"""The roster of responsible units: loaded by migration from units.yaml, idempotent, scoped, refusals in words."""

from __future__ import annotations

import pytest

from gaoqi.engine import district_codes
from gaoqi.web import roles
from gaoqi.web.core.errors import DomainError, Forbidden
from gaoqi.web.units.models import Unit, UnitMember
from gaoqi.web.units.roster import roster
from gaoqi.web.units.selectors import unit_for, unit_get, unit_scope_q
from gaoqi.web.units.services import unit_member_add, units_sync
from tests.web import factories

pytestmark = pytest.mark.django_db


def test_migration_loaded_every_unit_of_the_file() -> None:
    rows = roster()
    municipal = [r for r in rows if r.level == "municipal"]
    assert Unit.objects.filter(active=True).count() == len(rows)
    assert len(rows) == len(municipal) + 16 * (len(rows) - len(municipal)) // 16
    assert Unit.objects.filter(level="district").values("district_code").distinct().count() == len(district_codes())
    assert unit_get("110108.gov").name == "海淀区人民政府"
    assert unit_get("110108.planning").name == "北京市规划和自然资源委员会海淀分局"
    assert unit_for("hr", level="district", district_code="110105").code == "110105.hr"
    assert unit_for("hte", level="municipal").code == "m.hte"


def test_sync_is_idempotent_and_retires_what_left_the_file() -> None:
    assert units_sync() == {"added": 0, "changed": 0, "retired": 0}
    Unit.objects.create(code="m.gone", name="撤并单位", level="municipal", kind="gone")
    assert units_sync()["retired"] == 1
    assert not Unit.objects.get(code="m.gone").active
    with pytest.raises(DomainError, match="不存在或已停用"):
        unit_get("m.gone")
    with pytest.raises(DomainError, match="不存在"):
        unit_get("nosuch")


def test_district_official_sees_its_districts_units_and_those_it_acts_for() -> None:
    haidian = factories.user(roles.DISTRICT, district_code="110108")
    municipal = factories.user(roles.MUNICIPAL)
    enterprise = factories.user(roles.ENTERPRISE, uscc=factories.uscc())
    q = unit_scope_q(haidian, "")
    assert q is not None
    seen = set(Unit.objects.filter(q).values_list("code", flat=True))
    assert "110108.gov" in seen and "110105.gov" not in seen and "m.hte" not in seen
    assert unit_scope_q(enterprise) is None
    assert Unit.objects.filter(unit_scope_q(municipal, "")).count() == Unit.objects.count()


def test_membership_is_refused_across_districts_and_to_non_officials() -> None:
    admin = factories.user(roles.SYSADMIN)
    haidian = factories.user(roles.DISTRICT, district_code="110108")
    with pytest.raises(DomainError, match="只能作为本区单位"):
        unit_member_add(admin, unit=unit_get("110105.gov"), user=haidian)
    with pytest.raises(Forbidden):
        unit_member_add(haidian, unit=unit_get("110108.gov"), user=haidian)
    unit_member_add(admin, unit=unit_get("110108.sci"), user=haidian)
    unit_member_add(admin, unit=unit_get("110108.sci"), user=haidian)  # twice: one row
    assert UnitMember.objects.filter(user=haidian).count() == 1
