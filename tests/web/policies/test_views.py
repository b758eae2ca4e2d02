"""Policy views: the lists of a policy's enterprises are scoped, their parameters parsed by forms."""

from __future__ import annotations

import pytest

from gaoqi.web import roles
from tests.web.conftest import login
from tests.web.core.scoping_factories import USCC_A, USCC_B, World, world

__all__ = ["world"]


@pytest.mark.django_db
def test_a_policys_enterprises_are_the_jurisdictions(world: World) -> None:
    district = login(world.users[roles.DISTRICT])
    r = district.get("/policies/hte-certification/enterprises/")
    assert r.context["which"] == "near"
    assert {x.enterprise.uscc for x in r.context["page"]} == {USCC_A, USCC_B}
    r = district.get("/policies/hte-certification/enterprises/", {"status": "pass"})
    assert r.context["which"] == "pass" and list(r.context["page"]) == []
    r = district.get("/policies/hte-certification/enterprises/", {"status": "anything"})  # not a list: the default
    assert r.context["which"] == "near"
    assert district.get("/policies/no-such-policy/enterprises/").status_code == 404


@pytest.mark.django_db
def test_the_catalogue_counts_within_the_scope(world: World) -> None:
    rows = {p.id: counts for p, counts, _ in login(world.users[roles.ENTERPRISE]).get("/policies/").context["rows"]}
    assert rows["hte-certification"] == {"pass": 0, "fail": 1, "unknown": 0, "near": 1, "amount": 0}
    expert = {p.id: counts for p, counts, _ in login(world.users[roles.EXPERT]).get("/policies/").context["rows"]}
    assert set(expert.values()) == {None}  # an expert sees no enterprise, so no counts
