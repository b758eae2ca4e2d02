"""Service packages: creation refusals, items' units and officials, due dates over 国庆 2026, the overdue boundary,
every move and who may make it, ratings and the one reopening, the summary against a count by hand, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.certification import workdays
from gaoqi.web.core import clock
from gaoqi.web.core.errors import Conflict, DomainError, NotFound, StaleActionError
from gaoqi.web.core.workflow import RoleRefused, WorkflowError
from gaoqi.web.servicepacks import selectors, services
from gaoqi.web.servicepacks.models import ServiceItem, ServicePackage
from tests.web.servicepacks.conftest import TODAY, item, package

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------------------
# packages


def test_a_member_gets_one_package_a_year(world: dict[str, Any]) -> None:
    pkg = package(world)
    assert (pkg.enterprise, pkg.year, pkg.district_code) == (world["hd1"], 2026, "110108")
    with pytest.raises(Conflict, match="已有2026年度服务包"):
        package(world)
    with pytest.raises(Conflict, match="已有2026年度服务包"):
        package(world, by="haidian")
    assert package(world, year=2027).year == 2027  # next year's is another
    assert ServicePackage.objects.filter(enterprise=world["hd1"]).count() == 2
    event = AuditEvent.objects.filter(action="servicepacks.package_create").order_by("pk").first()
    assert event is not None and event.target == f"service_package:{pkg.pk}"


def test_the_constraint_holds_without_the_service(world: dict[str, Any]) -> None:
    from django.db import IntegrityError, transaction

    pkg = package(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServicePackage.objects.create(enterprise=pkg.enterprise, year=2026, district_code="110108",
                                      municipal_steward=world["municipal"], district_steward=world["haidian"],
                                      created_by=world["municipal"])  # fmt: skip


def test_an_enterprise_not_on_the_list_is_refused(world: dict[str, Any]) -> None:
    with pytest.raises(DomainError, match="当前不在规升强名单中"):
        package(world, "outsider")
    # a member that has left the list is refused too
    from gaoqi.web.programmes.models import ListMembership

    ListMembership.objects.filter(enterprise=world["hd2"]).update(
        left_on=dt.date(2026, 11, 30), left_snapshot_id=ListMembership.objects.first().entered_snapshot_id,
        left_reason="rule_no_longer_met")  # fmt: skip
    with pytest.raises(DomainError, match="当前不在规升强名单中"):
        package(world, "hd2")
    assert not ServicePackage.objects.exists()


def test_stewards_are_checked(world: dict[str, Any]) -> None:
    from gaoqi.web.servicepacks.services import package_create

    w = world
    with pytest.raises(DomainError, match=r"企业所在区（海淀区）.*朝阳区") as e:
        package_create(w["municipal"], uscc=w["hd1"].uscc, year=2026, municipal_steward=w["municipal"],
                       district_steward=w["chaoyang"])  # fmt: skip
    assert e.value.fields == {"district_steward": "不是企业所在区的管理人员"}
    with pytest.raises(DomainError, match="市级服务管家"):
        package_create(w["municipal"], uscc=w["hd1"].uscc, year=2026, municipal_steward=w["haidian"],
                       district_steward=w["haidian"])  # fmt: skip
    assert not ServicePackage.objects.exists()


def test_a_district_makes_packages_for_its_own_enterprises_only(world: dict[str, Any]) -> None:
    assert package(world, by="haidian").enterprise == world["hd1"]
    with pytest.raises(NotFound):
        package(world, "hd2", by="chaoyang")  # 海淀's enterprise: not in 朝阳's jurisdiction


def test_bulk_creation_counts(world: dict[str, Any]) -> None:
    from gaoqi.web.accounts.models import User

    package(world)  # hd1 already has one
    User.objects.filter(role="district", district_code="110105").update(is_active=False)  # 朝阳 has nobody
    counts = services.packages_create_all(world["municipal"], year=2026, municipal_steward=world["municipal2"])
    assert counts == {"created": 1, "already": 1, "skipped_no_steward": 1}
    made = ServicePackage.objects.get(enterprise=world["hd2"], year=2026)
    assert made.district_steward == world["haidian"]  # the district's first official (no 科信局 member set)
    assert made.municipal_steward == world["municipal2"]
    # again: nothing new
    assert services.packages_create_all(world["municipal"], year=2026, municipal_steward=world["municipal"]) == {
        "created": 0, "already": 2, "skipped_no_steward": 1}  # fmt: skip
    with pytest.raises(DomainError):
        services.packages_create_all(world["haidian"], year=2026, municipal_steward=world["municipal"])


def test_bulk_prefers_the_sci_bureau_member(world: dict[str, Any]) -> None:
    from gaoqi.web.units.selectors import unit_get
    from gaoqi.web.units.services import unit_member_add

    unit_member_add(world["municipal"], unit=unit_get("110108.sci"), user=world["haidian2"])
    services.packages_create_all(world["municipal"], year=2026, municipal_steward=world["municipal"])
    assert ServicePackage.objects.get(enterprise=world["hd1"]).district_steward == world["haidian2"]


# ------------------------------------------------------------------------------------------------------
# items: units, officials, due dates


def test_an_unknown_or_retired_unit_is_refused(world: dict[str, Any]) -> None:
    from gaoqi.web.units.models import Unit

    pkg = package(world)
    with pytest.raises(DomainError, match=r"责任单位“m\.nosuch”不存在") as e:
        item(world, pkg, unit="m.nosuch")
    assert e.value.fields == {"unit": "不存在的单位"}
    Unit.objects.filter(code="m.ip").update(active=False)
    with pytest.raises(DomainError, match=r"责任单位“m\.ip”不存在或已停用"):
        item(world, pkg, unit="m.ip", handler="municipal")
    assert not ServiceItem.objects.exists()


def test_units_and_officials_must_fit_the_package(world: dict[str, Any]) -> None:
    pkg = package(world)
    with pytest.raises(DomainError, match="不是企业所在区的单位"):
        item(world, pkg, unit="110105.sci", handler="chaoyang")  # 朝阳's unit for a 海淀 package
    with pytest.raises(DomainError, match="责任人须为"):
        item(world, pkg, unit="110108.sci", handler="chaoyang")  # 朝阳's official for 海淀's unit
    with pytest.raises(DomainError, match="责任人须为"):
        item(world, pkg, unit="m.hte", handler="haidian")  # a district official for a municipal unit
    assert item(world, pkg, unit="m.hte", handler="municipal").unit.code == "m.hte"
    with pytest.raises(DomainError, match="请选择服务事项类别"):
        item(world, pkg, category="nosuch")


def test_due_dates_over_national_day_2026(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = package(world)
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 9, 30))
    i = item(world, pkg)  # general: 5 working days
    # 国庆 2026: 1–7 October off; Saturday 10 October a make-up working day. Counting from 1 October:
    # 8 (1), 9 (2), Sat 10 (3), 12 (4), 13 (5)
    assert i.due_on == dt.date(2026, 10, 13)
    assert i.due_on == workdays.add_workdays(dt.date(2026, 9, 30), 5)
    assert workdays.workdays_between(dt.date(2026, 9, 30), i.due_on) == 5
    assert (i.limit_workdays, i.due_provisional) == (5, False)
    assert i.accept_due_on == dt.date(2026, 10, 8)  # 1 working day
    c = item(world, pkg, category="space")  # space is complex: 20 working days
    assert c.limit_workdays == 20 and c.due_on == workdays.add_workdays(dt.date(2026, 9, 30), 20)
    x = item(world, pkg, complex_item=True)
    assert x.limit_workdays == 20


def test_due_dates_past_the_published_calendar_are_provisional(world: dict[str, Any]) -> None:
    pkg = package(world)
    monkeypatch_day = TODAY  # Monday 7 December 2026: 20 working days run into 2027
    i = item(world, pkg, complex_item=True)
    expected, provisional = workdays.deadline_provisional(monkeypatch_day + dt.timedelta(days=1), 20)
    assert (i.due_on, i.due_provisional) == (expected, provisional)


def test_overdue_boundary(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = package(world)
    i = item(world, pkg)
    monkeypatch.setattr(clock, "today", lambda: i.due_on)
    assert not selectors.is_overdue(i, i.due_on)  # due today: not overdue
    assert not selectors.overdue_items(world["municipal"], i.due_on)[0]
    after = i.due_on + dt.timedelta(days=1)
    assert selectors.is_overdue(i, after)  # due yesterday: overdue
    assert selectors.overdue_items(world["municipal"], after)[0] == [i]
    assert selectors.overdue_items(world["haidian"], after)[0] == [i]
    assert selectors.overdue_items(world["chaoyang"], after)[0] == []  # canary
    services.item_act(world["haidian"], i.pk, "accept")
    services.item_act(world["haidian"], i.pk, "complete", "已协调")
    i.refresh_from_db()
    assert not selectors.is_overdue(i, after)  # done: never overdue


# ------------------------------------------------------------------------------------------------------
# moves and who may make them


def test_the_whole_round(world: dict[str, Any]) -> None:
    w = world
    pkg = package(w)
    i = item(w, pkg)
    assert i.status == "assigned"
    with pytest.raises(RoleRefused):
        services.item_act(w["ent1"], i.pk, "accept")  # an enterprise cannot accept
    with pytest.raises(NotFound):
        services.item_act(w["chaoyang"], i.pk, "accept")  # another district's official: not even visible
    with pytest.raises(WorkflowError, match="经办人"):
        services.item_act(w["municipal"], i.pk, "accept")  # the municipal office oversees, 海淀's unit handles
    i = services.item_act(w["haidian2"], i.pk, "accept", seen="assigned")
    assert i.status == "accepted"
    with pytest.raises(WorkflowError, match="需要填写意见"):
        services.item_act(w["haidian"], i.pk, "complete", "  ")
    i = services.item_act(w["haidian"], i.pk, "complete", "已协调落实研发用房")
    assert (i.status, i.result, i.done_on) == ("done", "已协调落实研发用房", TODAY)
    # rating: only the enterprise itself, once
    with pytest.raises(NotFound):
        services.item_rate(w["ent2"], i.pk, "satisfied")  # another enterprise
    with pytest.raises(DomainError):
        services.item_rate(w["haidian"], i.pk, "satisfied")  # an official
    with pytest.raises(DomainError, match="满意"):
        services.item_rate(w["ent1"], i.pk, "great")
    i = services.item_rate(w["ent1"], i.pk, "unsatisfied", "面积不够")
    assert i.rating == "unsatisfied"
    with pytest.raises(Conflict, match="不能重复评价"):
        services.item_rate(w["ent1"], i.pk, "satisfied")
    # reopen once
    with pytest.raises(RoleRefused):
        services.item_act(w["haidian"], i.pk, "reopen", "再办")
    i = services.item_act(w["ent1"], i.pk, "reopen", "面积不够，请再协调")
    assert (i.status, i.round, i.rating, i.result) == ("accepted", 2, "", "")
    i = services.item_act(w["haidian"], i.pk, "complete", "另协调 1000 平方米")
    i = services.item_rate(w["ent1"], i.pk, "unsatisfied")
    with pytest.raises(WorkflowError, match="已重新办理过一次"):
        services.item_act(w["ent1"], i.pk, "reopen", "还是不够")
    assert ServiceItem.objects.get(pk=i.pk).status == "done"
    actions = list(
        AuditEvent.objects.filter(target=f"service_item:{i.pk}").order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["service_item.assign", "service_item.accept", "service_item.complete", "servicepacks.item_rate",
                       "service_item.reopen", "service_item.complete", "servicepacks.item_rate"]  # fmt: skip


def test_return_reassign_and_cancel(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    pkg = package(w)
    i = item(w, pkg, by="haidian")  # assigned by 海淀's official
    with pytest.raises(WorkflowError, match="需要填写意见"):
        services.item_act(w["haidian2"], i.pk, "return")
    i = services.item_act(w["haidian2"], i.pk, "return", "非本单位职能")
    assert i.status == "returned"
    with pytest.raises(WorkflowError, match="交办人"):
        services.item_act(w["municipal2"], i.pk, "reassign")  # neither the assigner nor a steward
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 14))
    i = services.item_act(w["municipal"], i.pk, "reassign", unit_code="m.hr", handler=w["municipal2"])  # a steward
    assert (i.status, i.unit.code, i.handler, i.assigned_on) == (
        "assigned",
        "m.hr",
        w["municipal2"],
        dt.date(2026, 12, 14),
    )
    assert i.due_on == workdays.deadline_provisional(dt.date(2026, 12, 15), 5)[0]
    with pytest.raises(WorkflowError, match="交办人"):
        services.item_act(w["municipal2"], i.pk, "cancel", "企业已自行解决")
    i = services.item_act(w["haidian"], i.pk, "cancel", "企业已自行解决")
    assert i.status == "cancelled"
    with pytest.raises(StaleActionError):
        services.item_act(w["municipal2"], i.pk, "accept")


def test_a_stale_page_is_refused(world: dict[str, Any]) -> None:
    pkg = package(world)
    i = item(world, pkg)
    services.item_act(world["haidian"], i.pk, "accept", seen="assigned")
    with pytest.raises(StaleActionError, match="已由“已交办”变为“已受理”"):
        services.item_act(world["haidian2"], i.pk, "return", "不是我们的", seen="assigned")


# ------------------------------------------------------------------------------------------------------
# scoping and the summary


def test_scoping_canaries(world: dict[str, Any]) -> None:
    w = world
    hd, cy = package(w), package(w, "cy")
    hd_item, cy_item = item(w, hd), item(w, cy, unit="110105.sci", handler="chaoyang")
    m_item = item(w, hd, unit="m.hte", handler="municipal")
    assert set(selectors.packages_visible_to(w["haidian"])) == {hd}
    assert set(selectors.packages_visible_to(w["chaoyang"])) == {cy}
    assert set(selectors.packages_visible_to(w["ent1"])) == {hd}
    assert not selectors.packages_visible_to(w["ent2"]).exists()
    assert set(selectors.packages_visible_to(w["municipal"])) == {hd, cy}
    owed = selectors.QueueFilter()
    assert set(selectors.items_owed(w["haidian"], owed, TODAY)) == {hd_item}  # not the municipal unit's
    assert set(selectors.items_owed(w["chaoyang"], owed, TODAY)) == {cy_item}
    assert set(selectors.items_owed(w["municipal"], owed, TODAY)) == {hd_item, cy_item, m_item}
    assert not selectors.items_owed(w["ent1"], owed, TODAY).exists()
    assert set(selectors.items_visible_to(w["haidian"])) == {hd_item, m_item}  # its package's items
    assert set(selectors.items_visible_to(w["chaoyang"])) == {cy_item}
    assert set(selectors.items_visible_to(w["ent1"])) == {hd_item, m_item}
    f = selectors.QueueFilter(unit="m.hte")
    assert list(selectors.items_owed(w["municipal"], f, TODAY)) == [m_item]


def test_the_summary_equals_a_count_by_hand(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    pkg = package(w)
    a, b, c, d, _e = (item(w, pkg) for _ in range(5))
    m = item(w, pkg, unit="m.hte", handler="municipal")
    for x in (a, b, c):
        services.item_act(w["haidian"], x.pk, "accept")
    services.item_act(w["haidian"], a.pk, "complete", "办结 A")  # on time (today)
    services.item_act(w["haidian"], b.pk, "complete", "办结 B")
    late = b.due_on + dt.timedelta(days=3)
    monkeypatch.setattr(clock, "today", lambda: late)
    services.item_act(w["haidian"], c.pk, "complete", "办结 C")  # late
    services.item_act(w["haidian"], d.pk, "cancel", "撤销 D")  # the district steward
    services.item_rate(w["ent1"], a.pk, "satisfied")
    services.item_rate(w["ent1"], c.pk, "unsatisfied")
    s = selectors.summary(pkg, late)
    items = list(ServiceItem.objects.filter(package=pkg))
    assert s.total == len(items) == 6
    assert s.by_status == {st: sum(1 for i in items if i.status == st) for st in s.by_status}
    assert s.by_status == {"assigned": 2, "accepted": 0, "returned": 0, "done": 3, "cancelled": 1}
    assert (s.done, s.on_time) == (3, 2)
    assert s.on_time_rate == pytest.approx(2 / 3)
    assert s.overdue == 2  # e and m: open, due before ``late``
    assert (s.rated, s.average_rating) == (2, 2.0)  # (3 + 1) / 2
    assert s.by_rating == {"satisfied": 1, "basic": 0, "unsatisfied": 1}
    rows = {r.unit: (r.items, r.done, r.on_time, r.overdue) for r in s.by_unit}
    assert rows == {"海淀区科学技术和信息化局": (5, 3, 2, 1), m.unit.name: (1, 0, 0, 1)}
