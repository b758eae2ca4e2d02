"""Recommendations for a list (the cultivation pool's entry path A): a district official recommends, the municipal
office confirms (the enterprise enters the list, route ``recommendation``) or declines with a comment, the
district may withdraw while it waits. Each refusal in words; the log rows and audit entries; the membership
rules (not ended by the rule, ended by certification); two confirmations at once: one winner."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from gaoqi.web import roles
from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.core import clock
from gaoqi.web.core.errors import Conflict, DomainError, NotFound, StaleActionError
from gaoqi.web.core.locks import STALE
from gaoqi.web.core.models import WorkflowLog
from gaoqi.web.core.workflow import RoleRefused, WorkflowError
from gaoqi.web.programmes import services as sv
from gaoqi.web.programmes.models import ListMembership, Recommendation
from tests.web import factories as f
from tests.web.conftest import CHAOYANG, HAIDIAN, race
from tests.web.programmes.factories import LIST, POOL, history, publish, recommendation

TODAY = dt.date(2026, 7, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


def _log(obj: Any) -> list[tuple[str, str, str, str, Any, str]]:
    rows = WorkflowLog.objects.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk)
    return list(rows.values_list("workflow", "action", "source", "target", "actor", "comment"))


def _audits(since: int) -> list[tuple[str, str, dict[str, Any]]]:
    return list(AuditEvent.objects.filter(pk__gt=since).order_by("id").values_list("action", "target", "detail"))


def _last() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_a_district_recommends_and_the_municipal_office_confirms() -> None:
    ent = f.enterprise(name="北京甲科技有限公司")
    district = f.user(roles.DISTRICT, display_name="王区")
    muni = f.user(roles.MUNICIPAL, display_name="李市")
    since = _last()
    rec = sv.recommendation_create(district, ent.uscc, POOL, "  近两年研发投入翻番  ")
    assert (rec.status, rec.reason, rec.district_code, rec.recommended_by, rec.enterprise) == (
        "submitted", "近两年研发投入翻番", HAIDIAN, district, ent,
    )  # fmt: skip
    done = sv.recommendation_confirm(muni, rec.pk, "同意")
    assert (done.status, done.decided_by, done.decision_comment) == ("confirmed", muni, "同意")
    m = ListMembership.objects.get(enterprise=ent, list_id=POOL)
    assert done.membership == m
    assert (m.route, m.entered_on, m.entered_snapshot, m.left_on, m.policy_version) == (
        "recommendation", TODAY, ent.snapshot, None, "",
    )  # fmt: skip
    assert m.reason == "近两年研发投入翻番（海淀区推荐，推荐人：王区；市级确认，确认人：李市，意见：同意）"
    assert _log(rec) == [
        ("recommendation", "submit", "", "submitted", district.pk, ""),
        ("recommendation", "confirm", "submitted", "confirmed", muni.pk, "同意"),
    ]
    assert _audits(since) == [
        ("recommendation.submit", f"recommendation:{rec.pk}", {"uscc": ent.uscc, "list": POOL, "reason": "近两年研发投入翻番"}),
        ("recommendation.confirm", f"recommendation:{rec.pk}",
         {"uscc": ent.uscc, "list": POOL, "comment": "同意", "membership": m.pk}),
    ]  # fmt: skip
    # on the list now: a second recommendation is refused
    with pytest.raises(Conflict) as refused:
        sv.recommendation_create(district, ent.uscc, POOL, "再次推荐")
    assert str(refused.value) == "该企业已在名单中（推荐纳入，2026年07月01日纳入）"


def test_each_refusal_of_a_recommendation_says_why() -> None:
    district = f.user(roles.DISTRICT)
    mine, theirs = f.enterprise(name="甲"), f.enterprise(name="乙", district_code=CHAOYANG)
    cases: list[tuple[Any, str, str, str, type[DomainError], str]] = [
        (district, theirs.uscc, POOL, "理由", NotFound, "企业不存在或不在您的管辖范围内"),
        (district, "91110108MA99999990", POOL, "理由", NotFound, "企业不存在或不在您的管辖范围内"),
        (district, mine.uscc, LIST, "理由", DomainError, "该名单不接受推荐"),
        (district, mine.uscc, "no-such-list", "理由", DomainError, "该名单不接受推荐"),
        (district, mine.uscc, POOL, "   ", DomainError, "请填写推荐理由"),
        (district, mine.uscc, POOL, "长" * 2001, DomainError, "推荐理由不能超过2000字"),
    ]
    cases += [(f.user(role), mine.uscc, POOL, "理由", RoleRefused, "只有区级管理人员可以推荐企业")
              for role in roles.ROLES if role != roles.DISTRICT]  # fmt: skip
    for actor, uscc, list_id, reason, error, message in cases:
        with pytest.raises(error) as refused:
            sv.recommendation_create(actor, uscc, list_id, reason)
        assert (type(refused.value), str(refused.value)) == (error, message), (actor.role, uscc, list_id)
    assert not Recommendation.objects.exists()
    # once, not twice
    sv.recommendation_create(district, mine.uscc, POOL, "理由")
    with pytest.raises(Conflict) as refused:
        sv.recommendation_create(f.user(roles.DISTRICT), mine.uscc, POOL, "另一位官员的理由")
    assert str(refused.value).endswith("被推荐，正等待市级确认，不能重复推荐") and refused.value.status == 409
    # already certified (the pool ends on certification)
    certified = f.enterprise(name="丙")
    type(certified).objects.filter(pk=certified.pk).update(has_hte=True)
    with pytest.raises(Conflict) as refused:
        sv.recommendation_create(district, certified.uscc, POOL, "理由")
    assert str(refused.value) == "该企业已是有效期内的高新技术企业，无需纳入培育库"
    # already on the list by the rule
    listed = f.enterprise(name="丁")
    publish(TODAY, {listed: "pass"}, list_id=POOL)
    with pytest.raises(Conflict) as refused:
        sv.recommendation_create(district, listed.uscc, POOL, "理由")
    assert str(refused.value) == "该企业已在名单中（按规则纳入，2026年07月01日纳入）"
    assert Recommendation.objects.count() == 1


def test_decline_needs_a_comment_and_the_district_may_recommend_again() -> None:
    district, muni = f.user(roles.DISTRICT), f.user(roles.MUNICIPAL)
    ent = f.enterprise(name="甲")
    rec = sv.recommendation_create(district, ent.uscc, POOL, "理由")
    with pytest.raises(WorkflowError) as refused:
        sv.recommendation_decline(muni, rec.pk, "  ")
    assert str(refused.value) == "“不予纳入”需要填写意见"
    done = sv.recommendation_decline(muni, rec.pk, "知识产权不足")
    assert (done.status, done.decision_comment, done.decided_by, done.membership) == (
        "declined", "知识产权不足", muni, None,
    )  # fmt: skip
    assert not ListMembership.objects.filter(enterprise=ent).exists()
    assert AuditEvent.objects.filter(action="recommendation.decline", target=f"recommendation:{rec.pk}").exists()
    # decided: confirming it now is stale
    with pytest.raises(StaleActionError) as refused:
        sv.recommendation_confirm(muni, rec.pk)
    assert str(refused.value) == f"该推荐已处理（不予纳入），{STALE}"
    # a page that still showed it waiting
    with pytest.raises(StaleActionError) as refused:
        sv.recommendation_decline(muni, rec.pk, "再次", seen="submitted")
    assert str(refused.value) == f"推荐已由“待市级确认”变为“不予纳入”，{STALE}"
    again = sv.recommendation_create(district, ent.uscc, POOL, "补充了新的知识产权")
    assert again.status == "submitted"


def test_the_district_withdraws_its_own_recommendation_while_it_waits() -> None:
    district, muni = f.user(roles.DISTRICT), f.user(roles.MUNICIPAL)
    rec = sv.recommendation_create(district, f.enterprise(name="甲").uscc, POOL, "理由")
    with pytest.raises(NotFound):
        sv.recommendation_withdraw(f.user(roles.DISTRICT, district_code=CHAOYANG), rec.pk)
    with pytest.raises(RoleRefused) as refused:
        sv.recommendation_withdraw(muni, rec.pk)
    assert str(refused.value) == "您的角色不能执行“撤回推荐”"
    with pytest.raises(RoleRefused) as refused:
        sv.recommendation_confirm(district, rec.pk)
    assert str(refused.value) == "您的角色不能执行“确认纳入”"
    for role in (roles.EVALUATOR, roles.ENTERPRISE, roles.INCUBATOR, roles.EXPERT, roles.SYSADMIN):
        with pytest.raises(DomainError) as refused:
            sv.recommendation_confirm(f.user(role), rec.pk)
        assert refused.value.status == 403, role
    done = sv.recommendation_withdraw(f.user(roles.DISTRICT), rec.pk)  # another official of the same district
    assert done.status == "withdrawn"
    with pytest.raises(StaleActionError) as refused:
        sv.recommendation_confirm(muni, rec.pk)
    assert str(refused.value) == f"该推荐已处理（已撤回），{STALE}"
    with pytest.raises(NotFound):
        sv.recommendation_confirm(muni, 10**9)


def test_confirmation_is_refused_when_the_enterprise_changed_meanwhile() -> None:
    district, muni = f.user(roles.DISTRICT), f.user(roles.MUNICIPAL)
    certified, listed = f.enterprise(name="甲"), f.enterprise(name="乙")
    a = sv.recommendation_create(district, certified.uscc, POOL, "理由")
    b = sv.recommendation_create(district, listed.uscc, POOL, "理由")
    type(certified).objects.filter(pk=certified.pk).update(has_hte=True)
    publish(TODAY, {listed: "pass"}, list_id=POOL)
    for rec, why in ((a, "该企业已是有效期内的高新技术企业，无需纳入培育库"), (b, "该企业已在名单中（按规则纳入")):
        with pytest.raises(WorkflowError) as refused:
            sv.recommendation_confirm(muni, rec.pk)
        assert str(refused.value).startswith(why) and str(refused.value).endswith("，请以“不予纳入”处理并说明")
        rec.refresh_from_db()
        assert rec.status == "submitted"
    assert ListMembership.objects.filter(route="recommendation").count() == 0


def test_a_recommended_stay_is_not_ended_by_the_rule_and_ends_on_certification() -> None:
    ent = f.enterprise(name="甲")
    s1 = publish(dt.date(2026, 6, 30), {ent: "fail"}, list_id=POOL)
    rec = sv.recommendation_create(f.user(roles.DISTRICT), ent.uscc, POOL, "理由")
    sv.recommendation_confirm(f.user(roles.MUNICIPAL), rec.pk)
    assert history(ent, POOL) == [("recommendation", TODAY, s1.pk, None, None, "")]
    s2 = publish(dt.date(2026, 9, 30), {ent: "fail"}, list_id=POOL)  # the rule not met: still on the list
    assert s2.counts == {"entered": 0, "left": 0}
    assert history(ent, POOL) == [("recommendation", TODAY, s1.pk, None, None, "")]
    type(ent).objects.filter(pk=ent.pk).update(has_hte=True)  # certified: it leaves, its purpose met
    s3 = publish(dt.date(2026, 12, 31), {ent: "fail"}, list_id=POOL)
    assert history(ent, POOL) == [("recommendation", TODAY, s1.pk, dt.date(2026, 12, 31), s3.pk, "certified")]


def _waiting() -> Any:
    ent = f.enterprise(name="甲")
    return sv.recommendation_create(f.user(roles.DISTRICT, "dist"), ent.uscc, POOL, "理由")


@pytest.mark.django_db(transaction=True)
def test_two_municipal_officials_confirming_at_once_one_wins() -> None:
    rec = _waiting()
    one, two = f.user(roles.MUNICIPAL, "muni_one"), f.user(roles.MUNICIPAL, "muni_two")
    out = race(lambda: sv.recommendation_confirm(one, rec.pk, "甲同意"),
               lambda: sv.recommendation_confirm(two, rec.pk, "乙同意"))  # fmt: skip
    assert sorted(k for k, _ in out) == ["error", "ok"], out
    err = next(v for k, v in out if k == "error")
    assert isinstance(err, StaleActionError) and str(err) == f"该推荐已处理（已确认纳入），{STALE}"
    winner = next(v for k, v in out if k == "ok")
    assert ListMembership.objects.filter(enterprise=rec.enterprise, list_id=POOL).count() == 1
    assert Recommendation.objects.get(pk=rec.pk).decided_by_id == winner.decided_by_id
    assert WorkflowLog.objects.filter(workflow="recommendation", action="confirm").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_racing_a_decline_one_wins() -> None:
    rec = _waiting()
    out = race(lambda: sv.recommendation_confirm(f.user(roles.MUNICIPAL, "m1"), rec.pk),
               lambda: sv.recommendation_decline(f.user(roles.MUNICIPAL, "m2"), rec.pk, "不同意"))  # fmt: skip
    assert sorted(k for k, _ in out) == ["error", "ok"], out
    assert isinstance(next(v for k, v in out if k == "error"), StaleActionError)
    status = Recommendation.objects.get(pk=rec.pk).status
    assert ListMembership.objects.filter(enterprise=rec.enterprise).count() == (1 if status == "confirmed" else 0)


@pytest.mark.django_db(transaction=True)
def test_two_districts_recommending_one_enterprise_at_once_one_wins() -> None:
    ent = f.enterprise(name="甲")
    one, two = f.user(roles.DISTRICT, "dist_one"), f.user(roles.DISTRICT, "dist_two")
    out = race(lambda: sv.recommendation_create(one, ent.uscc, POOL, "甲的理由"),
               lambda: sv.recommendation_create(two, ent.uscc, POOL, "乙的理由"))  # fmt: skip
    assert sorted(k for k, _ in out) == ["error", "ok"], out
    err = next(v for k, v in out if k == "error")
    assert isinstance(err, Conflict) and "不能重复推荐" in str(err)
    assert Recommendation.objects.filter(enterprise=ent).count() == 1


def test_the_factory_recommendation_is_consistent() -> None:
    assert recommendation("confirmed").membership is not None
    assert recommendation("declined").decision_comment
