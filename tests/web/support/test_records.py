"""Support records: who writes them for whom, what a kind requires, the unit, the amount, and who sees them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.core.errors import DomainError, Forbidden, NotFound
from gaoqi.web.enterprises.models import Enterprise
from gaoqi.web.support import selectors, services
from gaoqi.web.support.models import SupportRecord

pytestmark = pytest.mark.django_db


def credit(actor: Any, ent: Any, **over: Any) -> Any:
    args = {
        "uscc": ent.uscc, "category": "financing", "kind": "credit_product", "on": "2026-11-20",
        "unit": f"{ent.district_code}.finance", "details": {"bank": "北京银行"}, "amount": "500",
    }  # fmt: skip
    return services.record_create(actor, **{**args, **over})


def test_a_district_official_records_support_for_its_enterprise_audited(world: dict[str, Any]) -> None:
    rec = credit(world["haidian"], world["hd"])
    assert (rec.category, rec.kind, rec.amount, rec.details, rec.unit.code) == (
        "financing", "credit_product", Decimal("500.00"), {"bank": "北京银行"}, "110108.finance",
    )  # fmt: skip
    entry = AuditEvent.objects.get(action="support.record")
    assert entry.target == f"support:{rec.pk}" and entry.detail["uscc"] == world["hd"].uscc


def test_an_official_of_another_district_cannot_write_for_haidian(world: dict[str, Any]) -> None:
    with pytest.raises(NotFound, match="不在您的管辖范围内"):
        credit(world["chaoyang"], world["hd"], unit="m.finance")
    assert not SupportRecord.objects.exists()


def test_an_enterprise_cannot_write_support_records(world: dict[str, Any]) -> None:
    with pytest.raises(Forbidden):
        credit(world["ent"], world["hd"])
    with pytest.raises(Forbidden):
        credit(world["evaluator"], world["hd"])


def test_unknown_unit_and_another_districts_unit_are_refused(world: dict[str, Any]) -> None:
    with pytest.raises(DomainError, match="不存在或已停用") as exc:
        credit(world["haidian"], world["hd"], unit="110108.nosuch")
    assert exc.value.fields == {"unit": "不存在的单位"}
    with pytest.raises(DomainError, match="不属于企业所在区"):
        credit(world["municipal"], world["hd"], unit="110105.finance")
    assert credit(world["municipal"], world["hd"], unit="m.finance").unit.code == "m.finance"


def test_negative_amount_refused_zero_allowed(world: dict[str, Any]) -> None:
    with pytest.raises(DomainError, match="不能为负数"):
        credit(world["haidian"], world["hd"], amount="-0.01")
    assert credit(world["haidian"], world["hd"], amount="0").amount == Decimal("0.00")
    with pytest.raises(DomainError, match="须为数字"):
        credit(world["haidian"], world["hd"], amount="abc")


def test_a_kind_declares_its_required_fields_and_choices(world: dict[str, Any]) -> None:
    h, ent = world["haidian"], world["hd"]
    with pytest.raises(DomainError, match="请填写贷款银行"):
        credit(h, ent, details={})
    listing = {"category": "financing", "kind": "listing_stage", "amount": None}
    with pytest.raises(DomainError, match="所处阶段须为"):
        credit(h, ent, **listing, details={"stage": "已退市"})
    rec = credit(h, ent, **listing, details={"stage": "过会"})
    assert rec.details == {"stage": "过会"} and rec.amount is None  # a kind without an amount keeps none
    with pytest.raises(DomainError, match="不能超过100"):
        credit(h, ent, kind="risk_compensation", details={"rate": "120"})
    with pytest.raises(DomainError, match="不能手工填写"):
        credit(h, ent, category="talent", kind="wrp", details={})
    with pytest.raises(DomainError, match="不存在"):
        credit(h, ent, category="financing", kind="nosuch")
    with pytest.raises(DomainError, match="不能晚于今天"):
        credit(h, ent, on="2026-12-08")


def test_who_sees_which_records(world: dict[str, Any]) -> None:
    a = credit(world["haidian"], world["hd"])
    b = credit(world["chaoyang"], world["cy"])
    seen = lambda u: set(selectors.records_visible_to(u).values_list("pk", flat=True))  # noqa: E731
    assert seen(world["municipal"]) == seen(world["evaluator"]) == {a.pk, b.pk}
    assert seen(world["haidian"]) == {a.pk}
    assert seen(world["chaoyang"]) == {b.pk}
    assert seen(world["ent"]) == {a.pk}
    assert seen(world["ent_cy"]) == {b.pk}
    assert seen(world["incubator"]) == set()
    Enterprise.objects.filter(pk=world["hd"].pk).update(incubator_code="INC-S")
    assert seen(world["incubator"]) == {a.pk}


def test_an_incubator_writes_only_for_its_incubated_enterprises(world: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        credit(world["incubator"], world["hd"])
    Enterprise.objects.filter(pk=world["hd"].pk).update(incubator_code="INC-S")
    assert credit(world["incubator"], world["hd"]).recorded_by == world["incubator"]


def test_the_list_filter_keeps_the_lists_members(world: dict[str, Any]) -> None:
    a = credit(world["haidian"], world["hd"])  # 小升规
    b = credit(world["haidian"], world["hd2"], details={"bank": "中关村银行"})  # 规升强
    f = selectors.RecordFilter
    assert [r.pk for r in selectors.records_search(world["municipal"], f(list_id="small-to-above-scale"))] == [a.pk]
    assert [r.pk for r in selectors.records_search(world["municipal"], f(list_id="above-scale-to-strong"))] == [b.pk]
    assert selectors.records_search(world["municipal"], f(district="110105")).count() == 0
