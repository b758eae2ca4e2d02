"""高企认定's views: scoped reads (404 outside the scope), posts parsed by forms, refusals as the page's message."""

from __future__ import annotations

from typing import Any

import pytest

from gaoqi.web import roles
from tests.web.conftest import login
from tests.web.core.scoping_factories import USCC_A, USCC_C, World, world

__all__ = ["world"]


def _messages(r: Any) -> list[str]:
    return [str(m) for m in r.context["messages"]]


@pytest.mark.django_db
def test_an_application_page_is_the_jurisdictions(world: World) -> None:
    a, c = world.applications[USCC_A], world.applications[USCC_C]
    district = login(world.users[roles.DISTRICT])
    r = district.get(f"/certification/{a.pk}/")
    assert r.status_code == 200 and a.enterprise_name in r.content.decode()
    assert district.get(f"/certification/{c.pk}/").status_code == 404
    expert = login(world.users[roles.EXPERT])  # the panel's application only
    assert expert.get(f"/certification/{c.pk}/").status_code == 200
    assert expert.get(f"/certification/{a.pk}/").status_code == 404
    index = login(world.users[roles.ENTERPRISE]).get("/certification/")
    assert [x.uscc for x in index.context["applications"]] == [USCC_A]
    assert [x.uscc for x in index.context["certificates"]] == [USCC_A]


@pytest.mark.django_db
def test_handling_an_objection_parses_the_form_and_shows_the_refusal(world: World) -> None:
    obj, app = world.objection, world.applications[USCC_A]
    c = login(world.users[roles.MUNICIPAL])
    r = c.post(f"/certification/objections/{obj.pk}/handle/", {"upheld": "0", "handling": "  "}, follow=True)
    assert r.redirect_chain == [(f"/certification/{app.pk}/", 302)] and _messages(r) == ["请填写处理意见"]
    obj.refresh_from_db()
    assert obj.upheld is None
    r = c.post(f"/certification/objections/{obj.pk}/handle/", {"upheld": "0", "handling": "经核实不成立"})
    assert r.status_code == 302
    obj.refresh_from_db()
    assert (obj.upheld, obj.handling) == (False, "经核实不成立")
    # handled already: the stale refusal, as a message
    r = c.post(f"/certification/objections/{obj.pk}/handle/", {"upheld": "1", "handling": "x"}, follow=True)
    assert any("已处理" in m for m in _messages(r))


@pytest.mark.django_db
def test_certificate_forms_are_scoped_and_parsed(world: World) -> None:
    own, other = world.certificates[USCC_A], world.certificates[USCC_C]
    c = login(world.users[roles.ENTERPRISE])
    assert c.post(f"/certification/certificates/{other.pk}/annual-report/", {"year": "2026"}).status_code == 404
    assert c.post(f"/certification/certificates/{other.pk}/rename/", {"new_name": "x"}).status_code == 404
    r = c.post(f"/certification/certificates/{own.pk}/annual-report/", {"year": "二〇二六"}, follow=True)
    assert r.redirect_chain == [("/certification/", 302)] and _messages(r) == ["请填写报告年度"]
    assert not own.annual_reports.exists()


@pytest.mark.django_db
def test_the_expert_pool_page(world: World) -> None:
    idle = world.experts["idle"]
    c = login(world.users[roles.MUNICIPAL])
    r = c.get("/certification/experts/")
    assert set(r.context["pool"]) == set(world.experts.values())
    assert c.post("/certification/experts/", {"op": "update", "expert": "abc"}).status_code == 404
    form = {"op": "update", "expert": idle.pk, "version": idle.version + 5, "active": "0", "avoid_usccs": ""}
    r = c.post("/certification/experts/", form, follow=True)
    assert any("已被他人修改" in m for m in _messages(r))
    r = c.post("/certification/experts/", {**form, "version": idle.version, "avoid_usccs": f" {USCC_C.lower()} "})
    assert r.status_code == 302
    idle.refresh_from_db()
    assert (idle.active, idle.avoid_usccs) == (False, [USCC_C])
