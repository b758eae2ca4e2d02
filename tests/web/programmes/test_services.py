"""Membership by the rule across snapshots (entry, exit at the boundaries, history, republish), certification,
expiry, recommendations, and an official's removal (scoped, commented, one winner when two act at once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.core.errors import DomainError, Forbidden, NotFound, StaleActionError
from gaoqi.web.programmes import lists
from gaoqi.web.programmes.models import ListMembership
from gaoqi.web.programmes.services import membership_remove
from tests.web import factories as f
from tests.web.conftest import CHAOYANG, race
from tests.web.programmes.factories import LIST, SMALL, STRONG, history, publish

D1, D2, D3 = dt.date(2026, 3, 31), dt.date(2026, 6, 30), dt.date(2026, 9, 30)
pytestmark = pytest.mark.django_db


def test_above_scale_is_a_list_policy() -> None:
    assert LIST in lists.list_ids()
    assert all(p.kind == "list" for p in lists.list_policies())


def test_entry_on_pass_and_exit_when_no_longer_pass_dated_by_the_snapshots() -> None:
    a, b, c, d = (f.enterprise(name=n) for n in ("甲", "乙", "丙", "丁"))
    s1 = publish(D1, {a: "pass", b: "fail", c: "unknown", d: "pass"}, ruleset="h1")
    assert s1.counts == {"entered": 2, "left": 0}
    assert history(a) == [("rule", D1, s1.pk, None, None, "")]
    assert history(b) == [] and history(c) == []
    m = ListMembership.objects.get(enterprise=a)
    assert m.ruleset_hash == "h1" and m.policy_version == "2011"
    assert m.reason.startswith("符合《") and "2011版" in m.reason
    # fail, unknown and no result at all are "not met": the stay ends at the next snapshot's date
    s2 = publish(D2, {a: "unknown", b: "pass", c: "fail", d: None}, ruleset="h2")
    assert s2.counts == {"entered": 1, "left": 2}
    assert history(a) == [("rule", D1, s1.pk, D2, s2.pk, "rule_no_longer_met")]
    assert history(d) == [("rule", D1, s1.pk, D2, s2.pk, "rule_no_longer_met")]
    assert history(b) == [("rule", D2, s2.pk, None, None, "")]
    assert ListMembership.objects.get(enterprise=a).left_ruleset_hash == "h2"


def test_history_across_three_snapshots() -> None:
    a, b = f.enterprise(name="甲"), f.enterprise(name="乙")
    s1 = publish(D1, {a: "pass", b: "pass"})
    s2 = publish(D2, {a: "fail", b: "pass"})
    s3 = publish(D3, {a: "pass", b: "pass"})
    assert history(a) == [
        ("rule", D1, s1.pk, D2, s2.pk, "rule_no_longer_met"),
        ("rule", D3, s3.pk, None, None, ""),
    ]
    assert history(b) == [("rule", D1, s1.pk, None, None, "")]  # one stay, never interrupted
    assert s3.counts == {"entered": 1, "left": 0}


def test_publishing_the_same_snapshot_again_changes_nothing() -> None:
    a, b = f.enterprise(name="甲"), f.enterprise(name="乙")
    publish(D1, {a: "pass", b: "pass"})
    s2 = publish(D2, {a: "fail", b: "pass"})
    before = list(ListMembership.objects.order_by("pk").values())
    again = publish(D2, {}, snap=s2)
    assert again.counts == {"entered": 0, "left": 0}
    assert list(ListMembership.objects.order_by("pk").values()) == before


def test_unchanged_results_in_a_new_snapshot_change_no_membership() -> None:
    a = f.enterprise(name="甲")
    publish(D1, {a: "pass"})
    s2 = publish(D2, {a: "pass"})
    assert s2.counts == {"entered": 0, "left": 0}
    assert len(history(a)) == 1


def test_a_recommendation_is_not_ended_by_the_rule() -> None:
    a = f.enterprise(name="甲")
    s1 = publish(D1, {a: "fail"})
    ListMembership.objects.create(
        enterprise=a, list_id=LIST, route="recommendation", entered_on=D1, entered_snapshot=s1, reason="区推荐"
    )
    s2 = publish(D2, {a: "fail"})
    assert s2.counts == {"entered": 0, "left": 0}
    assert history(a) == [("recommendation", D1, s1.pk, None, None, "")]
    publish(D3, {a: "pass"})  # passing now: already on the list, no second stay
    assert len(history(a)) == 1


def test_certification_ends_the_lists_it_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lists, "ENDS_ON_CERTIFICATION", frozenset({LIST}))
    a, b = f.enterprise(name="甲"), f.enterprise(name="乙")
    s1 = publish(D1, {a: "pass"})
    type(a).objects.filter(pk__in=[a.pk, b.pk]).update(has_hte=True)
    s2 = publish(D2, {a: "pass", b: "pass"})  # certified: a leaves, b (certified already) does not enter
    assert history(a) == [("rule", D1, s1.pk, D2, s2.pk, "certified")]
    assert history(b) == []


def test_a_list_without_results_in_the_new_snapshot_expires() -> None:
    a = f.enterprise(name="甲")
    s1 = publish(D1, {a: "pass"})
    ListMembership.objects.create(
        enterprise=a, list_id="retired-list", route="recommendation", entered_on=D1, entered_snapshot=s1
    )
    s2 = publish(D2, {a: "pass"})
    assert history(a, "retired-list") == [("recommendation", D1, s1.pk, D2, s2.pk, "expired")]
    assert history(a) == [("rule", D1, s1.pk, None, None, "")]


def test_counts_per_district_and_field_are_kept_per_snapshot() -> None:
    from gaoqi.web.programmes.models import ListStat

    a, b = f.enterprise(name="甲"), f.enterprise(name="乙", district_code=CHAOYANG)
    s1 = publish(D1, {a: "pass", b: "pass"})
    s2 = publish(D2, {a: "pass", b: "fail"})
    publish(D2, {}, snap=s2)  # again: the same counts, not twice
    got = sorted(ListStat.objects.values_list("snapshot_id", "district_code", "n"))
    assert got == [(s1.pk, CHAOYANG, 1), (s1.pk, "110108", 1), (s2.pk, "110108", 1)]


# an official's removal


def _member() -> tuple[Any, Any, Any]:
    a = f.enterprise(name="甲")
    s1 = publish(D1, {a: "pass"})
    return a, s1, ListMembership.objects.get(enterprise=a)


def test_a_district_official_removes_a_member_of_the_district_with_a_comment() -> None:
    from gaoqi.web.audit.models import AuditEvent

    _a, s1, m = _member()
    official = f.user(roles.DISTRICT)
    with pytest.raises(DomainError, match="移出说明"):
        membership_remove(official, m.pk, "  ")
    done = membership_remove(official, m.pk, "企业申请退出")
    assert (done.left_reason, done.left_comment, done.left_by, done.left_snapshot_id) == (
        "removed", "企业申请退出", official, s1.pk,
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="list.remove", target=f"membership:{m.pk}").exists()


def test_removal_is_refused_outside_the_jurisdiction_and_for_other_roles() -> None:
    _a, _s1, m = _member()
    with pytest.raises(NotFound):
        membership_remove(f.user(roles.DISTRICT, district_code=CHAOYANG), m.pk, "不在本区")
    for role in (roles.EVALUATOR, roles.ENTERPRISE, roles.INCUBATOR, roles.SYSADMIN):
        with pytest.raises(Forbidden):
            membership_remove(f.user(role), m.pk, "无权")
    membership_remove(f.user(roles.MUNICIPAL), m.pk, "市级移出")
    with pytest.raises(StaleActionError):
        membership_remove(f.user(roles.MUNICIPAL), m.pk, "再次移出")


def test_a_removal_holds_while_the_rule_is_met_then_the_rule_decides_again() -> None:
    a, _s1, m = _member()
    membership_remove(f.user(roles.MUNICIPAL), m.pk, "核查不实")
    s2 = publish(D2, {a: "pass"})
    publish(D2, {}, snap=s2)  # republished: still off the list
    assert [h[5] for h in history(a)] == ["removed"]
    publish(D3, {a: "fail"})  # the rule not met: the removal no longer holds
    s4 = publish(dt.date(2026, 12, 31), {a: "pass"})
    assert history(a)[-1] == ("rule", dt.date(2026, 12, 31), s4.pk, None, None, "")


@pytest.mark.django_db(transaction=True)
def test_two_officials_removing_at_once_one_wins() -> None:
    _a, _s1, m = _member()
    one, two = f.user(roles.MUNICIPAL), f.user(roles.DISTRICT)
    out = race(lambda: membership_remove(one, m.pk, "甲移出"), lambda: membership_remove(two, m.pk, "乙移出"))
    kinds = sorted(k for k, _ in out)
    assert kinds == ["error", "ok"], out
    err = next(v for k, v in out if k == "error")
    assert isinstance(err, StaleActionError)
    assert ListMembership.objects.filter(left_reason="removed").count() == 1


def test_the_cultivation_period_ends_every_stay_in_its_last_year() -> None:
    """cultivation-pool's max_stay_years (3, counted from the year of entry; unconfirmed): a stay entered in
    2024 lasts through 2026 and ends at the first snapshot of 2027, whatever the route; the rule does not bring
    the enterprise back, a recommendation may."""
    from tests.web.programmes.factories import POOL

    ruled, recommended, later = f.enterprise(name="甲"), f.enterprise(name="乙"), f.enterprise(name="丙")
    s1 = publish(dt.date(2024, 12, 31), {ruled: "pass", recommended: "fail", later: "fail"}, list_id=POOL)
    ListMembership.objects.create(
        enterprise=recommended, list_id=POOL, route="recommendation", entered_on=dt.date(2024, 1, 1),
        entered_snapshot=s1, reason="区推荐",
    )  # fmt: skip
    s2 = publish(dt.date(2025, 1, 1), {ruled: "pass", recommended: "fail", later: "pass"}, list_id=POOL)
    s3 = publish(dt.date(2026, 12, 31), {ruled: "pass", recommended: "fail", later: "pass"}, list_id=POOL)
    assert s3.counts == {"entered": 0, "left": 0}  # the third year of a 2024 entry: still on the list
    s4 = publish(dt.date(2027, 1, 1), {ruled: "pass", recommended: "fail", later: "pass"}, list_id=POOL)
    assert history(ruled, POOL) == [("rule", dt.date(2024, 12, 31), s1.pk, dt.date(2027, 1, 1), s4.pk, "period_over")]
    assert history(recommended, POOL) == [
        ("recommendation", dt.date(2024, 1, 1), s1.pk, dt.date(2027, 1, 1), s4.pk, "period_over")
    ]
    assert history(later, POOL) == [("rule", dt.date(2025, 1, 1), s2.pk, None, None, "")]  # entered 2025: stays
    assert s4.counts == {"entered": 0, "left": 2}  # still passing, but not back by the rule


def test_a_list_without_a_period_keeps_its_members() -> None:
    a = f.enterprise(name="甲")
    s1 = publish(dt.date(2020, 6, 30), {a: "pass"})
    publish(dt.date(2030, 6, 30), {a: "pass"})  # above-scale has no max_stay_years
    assert history(a) == [("rule", dt.date(2020, 6, 30), s1.pk, None, None, "")]


def test_reaching_the_line_is_a_conversion_out_of_small_to_above_scale() -> None:
    """小升规: a member whose rule is no longer met because it now passes above-scale leaves as converted
    (规下→规上); one that fails both leaves as no longer meeting the rule; republishing changes nothing."""
    grew, shrank, stays = (f.enterprise(name=n) for n in ("长大", "退出", "留下"))
    s1 = publish(D1, {grew: "pass", shrank: "pass", stays: "pass"}, list_id=SMALL)
    assert s1.counts == {"entered": 3, "left": 0}
    s2 = publish(D2, {grew: "fail", shrank: "fail", stays: "pass"}, list_id=SMALL,
                 others={LIST: {grew: "pass", shrank: "fail", stays: "fail"}})  # fmt: skip
    assert history(grew, SMALL) == [("rule", D1, s1.pk, D2, s2.pk, "converted")]
    assert history(shrank, SMALL) == [("rule", D1, s1.pk, D2, s2.pk, "rule_no_longer_met")]
    assert history(stays, SMALL) == [("rule", D1, s1.pk, None, None, "")]
    assert history(grew, LIST) == [("rule", D2, s2.pk, None, None, "")]  # and it enters the above-scale list
    again = publish(D2, {}, list_id=SMALL, snap=s2)
    assert again.counts == {"entered": 0, "left": 0}
    assert (
        ListMembership.objects.get(enterprise=grew, list_id=SMALL).get_left_reason_display()
        == "已达规模以上（规下→规上）"
    )


def test_fiscal_key_enterprises_are_the_strong_lists_members_on_the_day_asked() -> None:
    """财源建设重点企业 through the API: a 规升强 stay is the flag, dated; the day it leaves it is no longer one;
    a district official reads its district's only; other roles are refused."""
    from tests.web.conftest import login

    hd, cy, gone = (
        f.enterprise(name="海淀规升强"),
        f.enterprise(name="朝阳规升强", district_code=CHAOYANG),
        f.enterprise(name="离开"),
    )
    s1 = publish(D1, {hd: "pass", cy: "pass", gone: "pass"}, list_id=STRONG)
    publish(D3, {hd: "pass", cy: "pass", gone: "fail"}, list_id=STRONG)
    muni = login(f.user(roles.MUNICIPAL, "fiscal_muni"))

    def on(client: Any, day: dt.date) -> list[tuple[str, str, str | None]]:
        answer = client.get("/api/fiscal-key-enterprises", {"as_of": day.isoformat()})
        assert answer.status_code == 200
        return sorted((i["name"], i["flagged_from"], i["flagged_to"]) for i in answer.json()["items"])

    assert on(muni, D1 - dt.timedelta(days=1)) == []
    assert on(muni, D2) == [("朝阳规升强", "2026-03-31", None), ("海淀规升强", "2026-03-31", None),
                            ("离开", "2026-03-31", "2026-09-30")]  # fmt: skip
    assert [n for n, *_ in on(muni, D3)] == ["朝阳规升强", "海淀规升强"]  # gone on the day it left
    district = login(f.user(roles.DISTRICT, "fiscal_hd"))
    assert [n for n, *_ in on(district, D2)] == ["海淀规升强", "离开"]
    assert (
        login(f.user(roles.ENTERPRISE, "fiscal_ent", uscc=hd.uscc)).get("/api/fiscal-key-enterprises").status_code
        == 403
    )
    assert s1.counts["entered"] == 3
