"""enterprises_visible_to and the reads built on it: every role sees exactly its jurisdiction's enterprises."""

from __future__ import annotations

import pytest

from gaoqi.web.enterprises import selectors
from tests.web.core.scoping_factories import ENTERPRISES, USCC_A, USCC_C, World, world

__all__ = ["world"]


@pytest.mark.parametrize("who", sorted(ENTERPRISES))
def test_enterprises_visible_to(world: World, who: str) -> None:
    user = world.users[who]
    assert set(selectors.enterprises_visible_to(user).values_list("uscc", flat=True)) == ENTERPRISES[who]
    for uscc, ent in world.enterprises.items():  # one enterprise: the same answer (None: the page says 404)
        assert (selectors.enterprise_get(user, uscc) == ent) == (uscc in ENTERPRISES[who]), (who, uscc)


def test_the_directory_search_stays_within_the_jurisdiction(world: World) -> None:
    from gaoqi.web.roles import DISTRICT

    district = world.users[DISTRICT]
    everything = selectors.DirectoryFilter()
    assert {e.uscc for e in selectors.enterprise_search(district, everything)} == ENTERPRISES[DISTRICT]
    # asking for another district's enterprise by USCC or by district finds nothing
    assert not selectors.enterprise_search(district, selectors.DirectoryFilter(q=USCC_C)).exists()
    assert not selectors.enterprise_search(district, selectors.DirectoryFilter(district="110105")).exists()
    count, items = selectors.enterprise_search_page(district, everything, 1, 1)
    assert (count, len(items)) == (2, 1) and items[0].uscc in ENTERPRISES[DISTRICT]
    assert selectors.enterprise_search_page(district, everything, 2, 1)[1][0].uscc != items[0].uscc


def test_enterprise_scope_on_a_related_model(world: World) -> None:
    from gaoqi.web.enterprises.models import PolicyResult
    from gaoqi.web.roles import ENTERPRISE

    scope = selectors.enterprise_scope(world.users[ENTERPRISE], "enterprise__")
    assert scope is not None
    assert list(PolicyResult.objects.filter(scope).values_list("enterprise__uscc", flat=True)) == [USCC_A]
