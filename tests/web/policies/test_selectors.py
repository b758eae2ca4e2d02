"""results_visible_to and the policy figures: a district official counts the district only."""

from __future__ import annotations

import pytest

from gaoqi.web import roles
from gaoqi.web.policies import selectors
from tests.web.core.scoping_factories import ENTERPRISES, World, add_stats, world

__all__ = ["world"]


@pytest.mark.parametrize("who", sorted(ENTERPRISES))
def test_results_visible_to(world: World, who: str) -> None:
    user = world.users[who]
    got = set(selectors.results_visible_to(user).values_list("enterprise__uscc", flat=True))
    assert got == ENTERPRISES[who]
    assert set(selectors.results_visible_to(user, "no-such-policy")) == set()
    near = selectors.policy_enterprises(user, "hte-certification", "near")
    assert {r.enterprise.uscc for r in near} == ENTERPRISES[who]  # every result of the world is a near miss
    assert not selectors.policy_enterprises(user, "hte-certification", "pass").exists()


def test_status_counts_per_jurisdiction(world: World) -> None:
    add_stats(world)
    counts = {who: selectors.status_counts(world.users[who]) for who in ENTERPRISES}
    whole = {"hte-certification": {"pass": 0, "fail": 3, "unknown": 0, "near": 3, "amount": 0}}
    assert counts[roles.MUNICIPAL] == counts[roles.EVALUATOR] == whole
    # the precomputed district figures: 海淀 two, 朝阳 one
    assert counts[roles.DISTRICT]["hte-certification"]["fail"] == 2
    assert counts["district_chaoyang"]["hte-certification"]["fail"] == 1
    # an enterprise and an incubator: counted from their own results
    assert counts[roles.ENTERPRISE]["hte-certification"] == {"pass": 0, "fail": 1, "unknown": 0, "near": 1, "amount": 0}
    assert counts[roles.INCUBATOR]["hte-certification"]["fail"] == 1
    for who in (roles.EXPERT, roles.SYSADMIN, roles.AUDITOR):
        assert counts[who] == {}, who
