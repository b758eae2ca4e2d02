"""企业库 views: the directory's filter parsed by a form (NUL never reaches the database), scoped pages."""

from __future__ import annotations

import pytest

from gaoqi.web import roles
from tests.web.conftest import login
from tests.web.core.scoping_factories import USCC_A, USCC_B, USCC_C, World, world

__all__ = ["world"]


@pytest.mark.django_db
def test_the_directory_is_the_jurisdictions_and_its_filter_is_parsed(world: World) -> None:
    district = login(world.users[roles.DISTRICT])
    r = district.get("/enterprises/")
    assert {e.uscc for e in r.context["page"]} == {USCC_A, USCC_B}
    assert r.context["show_district_filter"] is False
    r = district.get("/enterprises/", {"q": f" {USCC_B}\x00 ", "sort": "-staff"})
    assert r.status_code == 200 and [e.uscc for e in r.context["page"]] == [USCC_B]
    assert (r.context["f"].q, r.context["f"].sort) == (USCC_B, "-staff")
    municipal = login(world.users[roles.MUNICIPAL]).get("/enterprises/", {"district": "110105"})
    assert [e.uscc for e in municipal.context["page"]] == [USCC_C] and municipal.context["show_district_filter"]


@pytest.mark.django_db
def test_the_profile_and_mine_are_scoped(world: World) -> None:
    district = login(world.users[roles.DISTRICT])
    assert district.get(f"/enterprises/{USCC_A}/").context["e"].uscc == USCC_A
    assert district.get(f"/enterprises/{USCC_C}/").status_code == 404
    mine = login(world.users[roles.ENTERPRISE]).get("/enterprises/mine/")
    assert mine.context["e"].uscc == USCC_A
    assert [r.policy_id for r in mine.context["groups"]["near"]] == ["hte-certification"]
