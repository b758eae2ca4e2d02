"""Scoping canaries: every role sees the memberships of exactly the enterprises it may see (the scoping world:
two 海淀 enterprises, one 朝阳)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web.programmes import selectors
from gaoqi.web.programmes.models import ListMembership
from tests.web.core.scoping_factories import ENTERPRISES, world  # noqa: F401
from tests.web.programmes.factories import LIST


@pytest.fixture()
def members(world: Any) -> Any:  # noqa: F811
    for ent in world.enterprises.values():
        ListMembership.objects.create(
            enterprise=ent, list_id=LIST, route="rule", entered_on=dt.date(2026, 6, 30),
            entered_snapshot=world.snapshot, reason="符合",
        )  # fmt: skip
    return world


def test_every_role_sees_the_memberships_of_its_enterprises_only(members: Any) -> None:
    for who, expected in ENTERPRISES.items():
        user = members.users[who]
        seen = {m.enterprise.uscc for m in selectors.members(user, LIST)}
        assert seen == expected, who
        assert {m.enterprise.uscc for m in selectors.changes(user, LIST)["entered"]} == expected, who


def test_counts_over_time_for_whole_districts_only(members: Any) -> None:
    from django.db import transaction

    from gaoqi.web import roles
    from gaoqi.web.programmes.services import _stats

    with transaction.atomic(), __import__("django.db").db.connection.cursor() as cur:
        _stats(cur, members.snapshot.pk)
    chart = selectors.counts_over_time(members.users[roles.DISTRICT], LIST)
    assert chart is not None and [s["data"] for s in chart["by_district"]] == [[2]]
    everyone = selectors.counts_over_time(members.users[roles.MUNICIPAL], LIST)
    assert everyone is not None and sum(s["data"][0] for s in everyone["by_district"]) == 3
    assert selectors.counts_over_time(members.users[roles.ENTERPRISE], LIST) is None
    assert selectors.counts_over_time(members.users[roles.INCUBATOR], LIST) is None
