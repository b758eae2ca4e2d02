"""users_visible_to and api_tokens_visible_to: accounts and tokens are the system administrator's alone."""

from __future__ import annotations

import pytest

from gaoqi.web import roles
from gaoqi.web.accounts import selectors
from tests.web.core.scoping_factories import World, world

__all__ = ["world"]


@pytest.mark.django_db
def test_accounts_and_tokens_are_the_system_administrators(world: World) -> None:
    from gaoqi.web.accounts.services import api_token_create

    admin = world.users[roles.SYSADMIN]
    api_token_create(admin, world.users[roles.DISTRICT], "统计局")
    everyone = {u.pk for u in world.users.values()}
    assert {u.pk for u in selectors.users_visible_to(admin)} == everyone
    assert {u.pk for u in selectors.users_for_admin(admin, district_code="110105")} == {
        world.users["district_chaoyang"].pk
    }
    assert [t.name for t in selectors.api_tokens_for_admin(admin)] == ["统计局"]
    assert {u.pk for u in selectors.token_holders(admin)} == everyone
    for who in set(world.users) - {roles.SYSADMIN}:  # the security administrator and the auditor included
        user = world.users[who]
        assert not selectors.users_visible_to(user).exists(), who
        assert not selectors.api_tokens_for_admin(user).exists(), who
        assert not selectors.token_holders(user).exists(), who
        assert selectors.user_for_admin(user, admin.pk) is None, who
