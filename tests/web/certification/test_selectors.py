"""applications_visible_to, certificates_visible_to and the getters built on them: the enterprise its own, a
district its district's, the municipal office and evaluators all, an expert the panel's applications only."""

from __future__ import annotations

import pytest

from gaoqi.web import roles
from gaoqi.web.certification import selectors
from tests.web.core.scoping_factories import APPLICATIONS, CERTIFICATES, USCC_A, USCC_C, World, world

__all__ = ["world"]


@pytest.mark.parametrize("who", sorted(APPLICATIONS))
def test_applications_visible_to(world: World, who: str) -> None:
    user = world.users[who]
    assert set(selectors.applications_visible_to(user).values_list("uscc", flat=True)) == APPLICATIONS[who]
    for uscc, app in world.applications.items():
        assert (selectors.application_get(user, app.pk) == app) == (uscc in APPLICATIONS[who]), (who, uscc)
    assert {a.uscc for a in selectors.applications_recent(user)} == APPLICATIONS[who]
    # the objection (on A) and the post-check (on C) follow their application
    assert (selectors.objection_get(user, world.objection.pk) is not None) == (USCC_A in APPLICATIONS[who])
    assert (selectors.post_check_get(user, world.post_check.pk) is not None) == (USCC_C in APPLICATIONS[who])


@pytest.mark.parametrize("who", sorted(CERTIFICATES))
def test_certificates_visible_to(world: World, who: str) -> None:
    user = world.users[who]
    assert set(selectors.certificates_visible_to(user).values_list("uscc", flat=True)) == CERTIFICATES[who]
    for uscc, cert in world.certificates.items():
        assert (selectors.certificate_get(user, cert.pk) == cert) == (uscc in CERTIFICATES[who]), (who, uscc)


def test_certificates_held_are_the_enterprises_own_only(world: World) -> None:
    assert [c.uscc for c in selectors.certificates_held(world.users[roles.ENTERPRISE])] == [USCC_A]
    assert [c.uscc for c in selectors.certificates_held(world.users["enterprise_c"])] == [USCC_C]
    for who in (roles.MUNICIPAL, roles.DISTRICT, roles.EVALUATOR):  # they see certificates, but hold none
        assert not selectors.certificates_held(world.users[who]).exists(), who


def test_the_expert_pool_is_the_municipal_offices(world: World) -> None:
    pool = set(world.experts.values())
    assert set(selectors.experts_visible_to(world.users[roles.MUNICIPAL])) == pool
    assert selectors.expert_get(world.users[roles.MUNICIPAL], world.experts["idle"].pk) == world.experts["idle"]
    assert selectors.expert_get(world.users[roles.MUNICIPAL], "x") is None
    for who in set(world.users) - {roles.MUNICIPAL}:
        assert not selectors.experts_visible_to(world.users[who]).exists(), who
        assert selectors.expert_get(world.users[who], world.experts["idle"].pk) is None, who
    assert selectors.expert_of(world.users[roles.EXPERT]) == world.experts["assigned"]
    assert selectors.expert_of(world.users[roles.MUNICIPAL]) is None


def test_the_queue_is_within_the_scope(world: World) -> None:
    # both applications are in publicity: the municipal office's to decide; a district official has nothing
    assert {a.uscc for a in selectors.queue_for(world.users[roles.MUNICIPAL])} == {USCC_A, USCC_C}
    assert not selectors.queue_for(world.users[roles.DISTRICT]).exists()
    assert not selectors.queue_for(world.users[roles.EVALUATOR]).exists()


def test_the_public_publicity_lookup_is_only_what_is_published(world: World) -> None:
    from gaoqi.web.certification import workflow as wf

    app = world.applications[USCC_A]
    assert selectors.application_in_publicity(app.pk) == app
    type(app).objects.filter(pk=app.pk).update(status=wf.DECISION)
    assert selectors.application_in_publicity(app.pk) is None
