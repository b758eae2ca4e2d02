"""uploads_visible_to and snapshots_visible_to: 数据汇聚 is the municipal office's."""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.intake import selectors
from tests.web.core.scoping_factories import World, world

__all__ = ["world"]


def test_uploads_and_snapshots_are_the_municipal_offices(world: World) -> None:
    municipal = world.users[roles.MUNICIPAL]
    assert list(selectors.uploads_visible_to(municipal)) == [world.upload]
    assert selectors.upload_get(municipal, world.upload.pk) == world.upload
    assert list(selectors.snapshots_visible_to(municipal)) == [world.snapshot]
    assert selectors.snapshot_get(municipal, world.snapshot.pk) == world.snapshot
    for who in set(world.users) - {roles.MUNICIPAL}:  # a district official included: deny by default
        user = world.users[who]
        assert not selectors.uploads_visible_to(user).exists(), who
        assert selectors.upload_get(user, world.upload.pk) is None, who
        assert not selectors.snapshots_visible_to(user).exists(), who
