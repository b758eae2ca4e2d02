"""core/scoping.py: the one place that knows the roles' jurisdictions (deny by default)."""

from __future__ import annotations

from types import SimpleNamespace

from django.db.models import Q

from gaoqi.web import roles
from gaoqi.web.core.scoping import OVERSIGHT, district_scope, scope_q

FIELDS = {"district": "d", "uscc": "u", "incubator": "i"}


def _user(role: str | None, **attrs: str) -> SimpleNamespace:
    return SimpleNamespace(**{"role": role, "is_active": True, "district_code": "", "uscc": "", "incubator_code": "",
                              **attrs})  # fmt: skip


def test_each_role_gets_its_own_field() -> None:
    assert scope_q(_user(roles.MUNICIPAL), **FIELDS) == Q()
    assert scope_q(_user(roles.EVALUATOR), **FIELDS) == Q()
    assert scope_q(_user(roles.DISTRICT, district_code="110108"), **FIELDS) == Q(d="110108")
    assert scope_q(_user(roles.ENTERPRISE, uscc="X"), **FIELDS) == Q(u="X")
    assert scope_q(_user(roles.INCUBATOR, incubator_code="INC"), **FIELDS) == Q(i="INC")


def test_deny_by_default() -> None:
    # the administrators, an expert without an assignment rule, an anonymous user: nothing
    for role in (roles.SYSADMIN, roles.SECADMIN, roles.AUDITOR, roles.EXPERT, None):
        assert scope_q(_user(role), **FIELDS) is None, role
    assert scope_q(SimpleNamespace(), **FIELDS) is None
    # an account whose jurisdiction is empty sees nothing, not everything
    assert scope_q(_user(roles.DISTRICT), **FIELDS) is None
    assert scope_q(_user(roles.ENTERPRISE), **FIELDS) is None
    # an entity without the role's field is shown to none of that role
    assert scope_q(_user(roles.INCUBATOR, incubator_code="INC"), district="d", uscc="u") is None
    # a deactivated account sees nothing
    gone = _user(roles.MUNICIPAL)
    gone.is_active = False
    assert scope_q(gone, **FIELDS) is None


def test_an_expert_sees_what_the_entity_assigns() -> None:
    expert = _user(roles.EXPERT)
    assert scope_q(expert, **FIELDS, expert=lambda u: Q(pk__in=[7])) == Q(pk__in=[7])
    assert scope_q(_user(roles.DISTRICT, district_code="1"), district="d", expert=lambda u: Q(pk=1)) == Q(d="1")


def test_administrative_entities_name_who_sees_them_all() -> None:
    auditors = frozenset({roles.AUDITOR})
    assert scope_q(_user(roles.AUDITOR), sees_all=auditors) == Q()
    for role in set(roles.ROLES) - auditors:
        user = _user(role, district_code="1", uscc="2", incubator_code="3")
        assert scope_q(user, sees_all=auditors) is None, role
    assert frozenset({roles.MUNICIPAL, roles.EVALUATOR}) == OVERSIGHT


def test_district_scope_is_whole_districts_only() -> None:
    assert district_scope(_user(roles.MUNICIPAL)) == Q()
    assert district_scope(_user(roles.DISTRICT, district_code="110108")) == Q(district_code="110108")
    assert district_scope(_user(roles.ENTERPRISE, uscc="X")) is None
    assert district_scope(_user(roles.INCUBATOR, incubator_code="I")) is None


def test_only_an_enterprise_user_owns_an_enterprise() -> None:
    from gaoqi.web.core.scoping import own_enterprise

    assert own_enterprise(_user(roles.ENTERPRISE, uscc="91110108MA000000A1")) == "91110108MA000000A1"
    for role in set(roles.ROLES) - {roles.ENTERPRISE}:  # a stray uscc on another account owns nothing
        assert own_enterprise(_user(role, uscc="91110108MA000000A1")) == "", role
    assert own_enterprise(SimpleNamespace()) == ""
