"""The window to confirm or object: 10 working days after the notice (DEFAULT), counted over holidays; an
objection stops the payment until an official resolves it; the moves are logged and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.benefits import services
from gaoqi.web.benefits.models import Benefit
from gaoqi.web.core.errors import DomainError, Forbidden, NotFound
from gaoqi.web.core.workflow import WorkflowError
from tests.web.benefits.conftest import at, derive, result, snapshot


@pytest.fixture()
def national_day(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Benefit:
    """Notified on Wednesday 30 September 2026, the eve of 国庆 (1–7 October off, Saturday 10 October worked):
    the window's working days are 8, 9, 10, 12–16, 19 and 20 October; the 10th is Tuesday 20 October."""
    at(monkeypatch, dt.date(2026, 9, 30))
    snap = snapshot(as_of=dt.date(2026, 9, 30))
    result(snap, world["dc"])
    derive(snap)
    b = Benefit.objects.get()
    assert (b.window_ends, b.window_provisional) == (dt.date(2026, 10, 20), False)
    return b


def test_the_tenth_working_day_is_inside_the_window_the_eleventh_is_not(
    world: dict[str, Any], national_day: Benefit, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, dt.date(2026, 10, 20))
    assert services.benefits_mature() == {"payable": 0, "checked": 0}
    b = services.benefit_object(world["ent"], national_day.pk, reason="企业已迁出东城区")
    assert (b.status, b.objection) == ("objected", "企业已迁出东城区")


def test_after_the_window_the_enterprise_can_no_longer_object_and_the_benefit_is_payable(
    world: dict[str, Any], national_day: Benefit, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, dt.date(2026, 10, 21))
    with pytest.raises(WorkflowError, match="异议期已于2026年10月20日届满"):
        services.benefit_object(world["ent"], national_day.pk, reason="迟到的异议")
    with pytest.raises(WorkflowError, match="届满"):
        services.benefit_confirm(world["ent"], national_day.pk, bank_name="工商银行", account_number="6222020200001234")
    assert services.benefits_mature() == {"payable": 1, "checked": 1}
    assert Benefit.objects.get().status == "payable"
    assert services.benefits_mature() == {"payable": 0, "checked": 0}  # idempotent
    assert AuditEvent.objects.filter(action="benefits.mature", target=f"benefit:{national_day.pk}").count() == 1


def test_a_window_running_into_an_unpublished_year_is_provisional(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, dt.date(2026, 12, 28))
    snap = snapshot()
    result(snap, world["dc"])
    derive(snap)
    b = Benefit.objects.get()
    assert b.window_provisional is True and b.window_ends == dt.date(2027, 1, 11)  # weekdays stand in for 2027


def test_an_objection_stops_the_payment_until_resolved(
    world: dict[str, Any], national_day: Benefit, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.benefit_object(world["ent"], national_day.pk, reason="金额有误")
    at(monkeypatch, dt.date(2026, 11, 30))
    assert services.benefits_mature()["payable"] == 0
    assert list(services.payment_list(world["municipal"])) == []
    with pytest.raises(WorkflowError, match="需要填写意见"):
        services.benefit_resolve(world["dongcheng"], national_day.pk, decision="pay", comment="")
    with pytest.raises(NotFound):  # the canary: 朝阳 does not see 东城's benefit
        services.benefit_resolve(world["chaoyang"], national_day.pk, decision="pay", comment="核实无误")
    b = services.benefit_resolve(world["dongcheng"], national_day.pk, decision="pay", comment="核实无误，予以兑付")
    assert (b.status, b.resolution) == ("payable", "核实无误，予以兑付")
    assert [row[0] for row in services.payment_list(world["municipal"])] == [b.record_id]
    entry = AuditEvent.objects.filter(action="benefits.resolve").get()
    assert entry.detail["decision"] == "pay"


def test_an_upheld_objection_cancels(world: dict[str, Any], national_day: Benefit) -> None:
    services.benefit_object(world["ent"], national_day.pk, reason="不符合首次认定")
    b = services.benefit_resolve(world["municipal"], national_day.pk, decision="cancel", comment="异议成立")
    assert b.status == "cancelled"
    with pytest.raises(DomainError, match="请选择处理结果"):
        services.benefit_resolve(world["municipal"], national_day.pk, decision="maybe", comment="x")


def test_confirming_the_account(world: dict[str, Any], national_day: Benefit) -> None:
    for bad, field in (("", "account_number"), ("12ab5678", "account_number"), ("1234567", "account_number")):
        with pytest.raises(DomainError) as exc:
            services.benefit_confirm(world["ent"], national_day.pk, bank_name="工商银行", account_number=bad)
        assert field in exc.value.fields
    with pytest.raises(DomainError, match="请填写开户银行"):
        services.benefit_confirm(world["ent"], national_day.pk, bank_name=" ", account_number="6222020200001234")
    with pytest.raises(NotFound):  # another enterprise's benefit
        services.benefit_confirm(
            world["ent2"], national_day.pk, bank_name="工商银行", account_number="6222020200001234"
        )
    with pytest.raises(Forbidden):
        services.benefit_confirm(world["municipal"], national_day.pk, bank_name="工商银行",
                                 account_number="6222020200001234")  # fmt: skip
    b = services.benefit_confirm(
        world["ent"], national_day.pk, bank_name="工商银行北京东城支行", account_number="6222 0202 0000 1234"
    )
    assert (b.status, b.account_number) == ("confirmed", "6222020200001234")
    entry = AuditEvent.objects.filter(action="benefits.confirm").get()
    assert "6222020200001234" not in str(entry.detail) and entry.detail["account"].endswith("1234")
    # confirmed, then objected within the window
    assert services.benefit_object(world["ent"], national_day.pk, reason="账户填错").status == "objected"
    with pytest.raises(DomainError, match="请填写异议理由"):
        services.benefit_object(world["ent"], national_day.pk, reason="   ")
