"""Officials' adjustments of 小升规 / 规升强 (issue 13): an enterprise added with a reason (a district its own, the
municipal office any), refused without one, outside the jurisdiction, twice, or on a list not adjusted by hand;
the rule does not end an adjustment, a conversion does; every adjustment on the record the municipal office reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from gaoqi.web import roles
from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.core.errors import Conflict, DomainError, Forbidden, NotFound
from gaoqi.web.programmes.models import ListMembership
from gaoqi.web.programmes.services import membership_add, membership_remove
from tests.web import factories as f
from tests.web.conftest import CANARY_NAME, CHAOYANG, login, race
from tests.web.programmes.factories import LIST, SMALL, STRONG, history, publish

D1, D2 = dt.date(2026, 3, 31), dt.date(2026, 6, 30)


@pytest.mark.django_db
def test_a_district_adds_its_enterprise_with_a_reason_and_the_rule_does_not_end_it() -> None:
    ent = f.enterprise(name="海淀调整科技有限公司")
    s1 = publish(D1, {ent: "fail"}, list_id=SMALL)
    district = f.user(roles.DISTRICT, "adjust_hd")
    m = membership_add(district, SMALL, ent.uscc.lower(), "  营收增长快，拟重点培育  ")
    assert (m.route, m.reason, m.entered_by, m.entered_snapshot_id) == (
        "adjustment",
        "营收增长快，拟重点培育",
        district,
        s1.pk,
    )
    assert AuditEvent.objects.filter(action="list.add", target=f"membership:{m.pk}").count() == 1
    s2 = publish(D2, {ent: "fail"}, list_id=SMALL)  # still failing the rule: the adjustment holds
    assert history(ent, SMALL)[-1][3:] == (None, None, "")
    s3 = publish(
        dt.date(2026, 9, 30), {ent: "fail"}, list_id=SMALL, others={LIST: {ent: "pass"}}
    )  # a conversion ends it
    assert history(ent, SMALL)[-1][3:] == (dt.date(2026, 9, 30), s3.pk, "converted")
    assert s2.counts == {"entered": 0, "left": 0}


@pytest.mark.django_db
def test_adjustments_are_refused_with_a_reason_why() -> None:
    hd = f.enterprise(name="海淀企业")
    cy = f.enterprise(name="朝阳企业", district_code=CHAOYANG)
    publish(D1, {hd: "pass"}, list_id=STRONG)
    district = f.user(roles.DISTRICT, "adjust_hd2")
    with pytest.raises(DomainError, match="请填写纳入理由"):
        membership_add(district, STRONG, cy.uscc, " ")
    with pytest.raises(NotFound, match="不在您的管辖范围内"):
        membership_add(district, STRONG, cy.uscc, "跨区")
    with pytest.raises(Conflict, match="已在名单中"):
        membership_add(district, STRONG, hd.uscc, "重复")
    with pytest.raises(NotFound, match="不能由管理人员调整"):
        membership_add(district, LIST, hd.uscc, "规模以上名单由统计标准决定")
    with pytest.raises(Forbidden):
        membership_add(f.user(roles.ENTERPRISE, "adjust_ent", uscc=hd.uscc), STRONG, hd.uscc, "自荐")
    assert membership_add(f.user(roles.MUNICIPAL, "adjust_muni"), STRONG, cy.uscc, "市级调整").route == "adjustment"


@pytest.mark.django_db(transaction=True)
def test_two_officials_adding_one_enterprise_at_once_one_wins() -> None:
    ent = f.enterprise(name="同时调整")
    publish(D1, {ent: "fail"}, list_id=SMALL)
    one, two = f.user(roles.MUNICIPAL, "race_muni"), f.user(roles.DISTRICT, "race_hd")
    out = race(lambda: membership_add(one, SMALL, ent.uscc, "甲"), lambda: membership_add(two, SMALL, ent.uscc, "乙"))
    assert sorted(k for k, _ in out) == ["error", "ok"], out
    assert isinstance(next(v for k, v in out if k == "error"), Conflict)
    assert ListMembership.objects.filter(enterprise=ent, list_id=SMALL).count() == 1


@pytest.mark.django_db
def test_the_record_of_adjustments_is_scoped_and_the_page_adds(users: Any) -> None:
    hd = f.enterprise(name="海淀记录企业")
    cy = f.enterprise(name=f"{CANARY_NAME}调整", district_code=CHAOYANG)
    publish(D1, {hd: "fail", cy: "fail"}, list_id=STRONG)
    hd_official = f.user(roles.DISTRICT, "record_hd")
    cy_official = f.user(roles.DISTRICT, "record_cy", district_code=CHAOYANG)
    m = membership_add(cy_official, STRONG, cy.uscc, "朝阳调整理由")
    membership_remove(cy_official, m.pk, "朝阳移出说明")
    page = login(hd_official).post(
        reverse("programmes:add", args=[STRONG]), {"uscc": hd.uscc, "reason": "海淀调整理由"}
    )
    assert page.status_code == 302
    record = reverse("programmes:adjustments", args=[STRONG])
    seen_hd = login(hd_official).get(record).content.decode()
    assert "海淀调整理由" in seen_hd and CANARY_NAME not in seen_hd
    seen_muni = login(f.user(roles.MUNICIPAL, "record_muni")).get(record).content.decode()
    assert all(x in seen_muni for x in ("海淀调整理由", "朝阳调整理由", "朝阳移出说明"))
    assert login(f.user(roles.ENTERPRISE, "record_ent", uscc=hd.uscc)).get(record).status_code == 403
    refused = login(hd_official).post(reverse("programmes:add", args=[STRONG]), {"uscc": hd.uscc, "reason": "再次"})
    assert refused.status_code in (302, 409)
    assert ListMembership.objects.filter(enterprise=hd, list_id=STRONG).count() == 1
