"""The 工作台 figures: a district official's are the district's."""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.dashboard.selectors import dashboard_figures
from tests.web.core.scoping_factories import CHAOYANG, HAIDIAN, World, add_stats, world

__all__ = ["world"]


def test_dashboard_figures_per_jurisdiction(world: World) -> None:
    add_stats(world)
    municipal = dashboard_figures(world.users[roles.MUNICIPAL])
    assert municipal["totals"]["enterprises"] == 3
    assert [d["district_code"] for d in municipal["by_district"]] == [CHAOYANG, HAIDIAN]
    district = dashboard_figures(world.users[roles.DISTRICT])
    assert district["totals"]["enterprises"] == 2
    assert [d["district_code"] for d in district["by_district"]] == [HAIDIAN]
    assert district["by_field"] == [{"tech_field": "01", "n": 2}]
    # narrower scopes are counted from the enterprises themselves
    assert dashboard_figures(world.users[roles.ENTERPRISE])["totals"]["enterprises"] == 1
    assert dashboard_figures(world.users[roles.INCUBATOR])["totals"]["enterprises"] == 1
    assert dashboard_figures(world.users[roles.EXPERT])["totals"]["enterprises"] == 0
