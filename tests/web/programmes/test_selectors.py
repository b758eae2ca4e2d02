"""Scoping canaries: every role sees the memberships of exactly the enterprises it may see, and the
recommendations of exactly its district (the scoping world: two 海淀 enterprises, one 朝阳); the soft criteria."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.programmes import selectors
from gaoqi.web.programmes.models import ListMembership
from tests.web.core.scoping_factories import ENTERPRISES, HAIDIAN, USCC_A, USCC_B, USCC_C, world  # noqa: F401
from tests.web.programmes.factories import LIST, POOL


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

    from gaoqi.web.programmes.services import _stats

    with transaction.atomic(), __import__("django.db").db.connection.cursor() as cur:
        _stats(cur, members.snapshot.pk)
    chart = selectors.counts_over_time(members.users[roles.DISTRICT], LIST)
    assert chart is not None and [s["data"] for s in chart["by_district"]] == [[2]]
    everyone = selectors.counts_over_time(members.users[roles.MUNICIPAL], LIST)
    assert everyone is not None and sum(s["data"][0] for s in everyone["by_district"]) == 3
    assert selectors.counts_over_time(members.users[roles.ENTERPRISE], LIST) is None
    assert selectors.counts_over_time(members.users[roles.INCUBATOR], LIST) is None


@pytest.fixture()
def recommended(world: Any) -> Any:  # noqa: F811
    """One waiting recommendation per enterprise of the world, by an official of its district."""
    from gaoqi.web.programmes.models import Recommendation

    for ent in world.enterprises.values():
        by = world.users[roles.DISTRICT if ent.district_code == HAIDIAN else "district_chaoyang"]
        Recommendation.objects.create(
            enterprise=ent, list_id=POOL, reason="理由", district_code=ent.district_code, recommended_by=by
        )
    return world


#: Who sees which recommendations (by USCC): the municipal office all, a district official its district's,
#: nobody else any (evaluators, enterprises and incubators see enterprises, not the districts' proposals).
RECOMMENDATIONS: dict[str, set[str]] = {
    who: set() for who in ENTERPRISES
} | {
    roles.MUNICIPAL: {USCC_A, USCC_B, USCC_C},
    roles.DISTRICT: {USCC_A, USCC_B},
    "district_chaoyang": {USCC_C},
}  # fmt: skip


def test_every_role_sees_the_recommendations_of_its_district_only(recommended: Any) -> None:
    for who, expected in RECOMMENDATIONS.items():
        user = recommended.users[who]
        assert {r.enterprise.uscc for r in selectors.recommendations_visible_to(user)} == expected, who
        assert {r.enterprise.uscc for r in selectors.recommendation_queue(user, POOL)} == expected, who
        pks = selectors.recommendations_visible_to(recommended.users[roles.MUNICIPAL]).values_list("pk", flat=True)
        assert {pk for pk in pks if selectors.recommendation_get(user, pk) is not None} == {
            r.pk for r in selectors.recommendations_visible_to(user)
        }, who
    assert not list(selectors.recommendation_queue(recommended.users[roles.MUNICIPAL], POOL, "confirmed"))


def test_only_a_district_official_is_offered_to_recommend(recommended: Any) -> None:
    from gaoqi.web.enterprises.models import Enterprise

    free = Enterprise.objects.create(
        uscc="91110108MA000000D4", name="企业D4", district_code=HAIDIAN, snapshot=recommended.snapshot
    )
    for who, user in recommended.users.items():
        options = selectors.recommend_options(user, free)
        if user.role == roles.DISTRICT:
            assert [(o.list_id, o.refusal) for o in options] == [(POOL, None)], who
        else:
            assert options == [], who
    waiting = recommended.enterprises[USCC_A]
    assert [o.refusal for o in selectors.recommend_options(recommended.users[roles.DISTRICT], waiting)] == [
        "该企业已被推荐，正等待市级确认"
    ]
    assert selectors.recommend_from(recommended.users[roles.DISTRICT], "hte-certification") == POOL
    assert selectors.recommend_from(recommended.users[roles.DISTRICT], "tech-sme") is None
    assert selectors.recommend_from(recommended.users[roles.MUNICIPAL], "hte-certification") is None


def test_soft_criteria_are_hints_from_the_hte_result_and_the_registration_date(world: Any, monkeypatch: Any) -> None:  # noqa: F811
    from gaoqi.web.core import clock
    from gaoqi.web.enterprises.models import Enterprise, PolicyResult

    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 7, 1))
    a, b, c = (world.enterprises[u] for u in (USCC_A, USCC_B, USCC_C))
    Enterprise.objects.filter(pk=a.pk).update(established_date=dt.date(2026, 1, 1))  # exactly six months
    Enterprise.objects.filter(pk=b.pk).update(established_date=dt.date(2026, 1, 2))
    Enterprise.objects.filter(pk=a.pk).update(has_tech_sme=True)
    Enterprise.objects.filter(pk__in=[b.pk, c.pk]).update(has_tech_sme=False)
    PolicyResult.objects.filter(enterprise=a).update(failed_conditions=["core_ip"], unknown_features=[])
    PolicyResult.objects.filter(enterprise=b).update(failed_conditions=["rd_ratio"], unknown_features=["rd_ratio_3y"])
    PolicyResult.objects.filter(enterprise=c).delete()
    hints = selectors.soft_criteria([Enterprise.objects.get(pk=e.pk) for e in (a, b, c)])
    assert [h.state for h in hints[a.pk]] == ["not_met", "met", "met", "met", "met"]
    assert [h.state for h in hints[b.pk]] == ["unknown", "unknown", "not_met", "not_met", "not_met"]
    assert [h.state for h in hints[c.pk]] == ["unknown", "unknown", "unknown", "unknown", "not_met"]
    assert [h.label for h in hints[a.pk]] == [
        "拥有Ⅰ类或Ⅱ类知识产权", "科技人员占比不低于10%", "近三年研发费用占销售收入比例符合要求", "注册成立满6个月",
        "已入库科技型中小企业（加分项）",
    ]  # fmt: skip
    assert hints[c.pk][0].note == "当前快照中没有该企业的高企认定评估结果"
    assert hints[c.pk][3].note == "成立日期不详"
