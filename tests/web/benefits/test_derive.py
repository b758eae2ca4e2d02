"""A benefit per enterprise passing an automatic policy, set-based in the snapshot switch: boundaries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.benefits import services
from gaoqi.web.benefits.models import Benefit, BenefitNote
from tests.web.benefits.conftest import POLICY, derive, result, snapshot


def test_pass_gives_a_benefit_and_fail_unknown_or_no_amount_give_none(world: dict[str, Any]) -> None:
    snap = snapshot(ruleset="a" * 64)
    r = result(snap, world["dc"])
    result(snap, world["dc2"], status="fail")
    result(snap, world["cy"], status="unknown")
    counts = derive(snap)
    assert counts == {"created": 1, "notes": 0}
    (b,) = Benefit.objects.all()
    assert (b.enterprise_id, b.policy_id, b.policy_version, b.period, b.amount, b.status) == (
        world["dc"].pk, POLICY, "2022", "once", Decimal("10"), "notified",
    )  # fmt: skip
    assert (b.result_id, b.snapshot_id, b.ruleset_hash, b.as_of) == (r.pk, snap.pk, "a" * 64, dt.date(2026, 11, 30))
    assert b.notified_on == dt.date(2026, 12, 7)
    assert b.record_id == f"MS{b.pk:08d}"
    entry = AuditEvent.objects.filter(action="benefits.derive").get()
    assert entry.target == f"snapshot:{snap.pk}" and entry.detail == {"created": 1, "notes": 0}


def test_a_pass_without_an_amount_gives_nothing(world: dict[str, Any]) -> None:
    snap = snapshot()
    result(snap, world["dc"], amount=None)
    assert derive(snap)["created"] == 0


def test_republishing_and_a_later_snapshot_of_the_same_period_add_nothing(world: dict[str, Any]) -> None:
    first = snapshot()
    result(first, world["dc"])
    derive(first)
    assert derive(first)["created"] == 0  # the same snapshot again
    later = snapshot(as_of=dt.date(2027, 3, 31))  # a one-off award: "once" is every year's period
    result(later, world["dc"])
    assert derive(later) == {"created": 0, "notes": 0}
    assert Benefit.objects.count() == 1


def test_a_changed_amount_in_the_same_period_is_a_note_never_a_change(world: dict[str, Any]) -> None:
    first = snapshot()
    result(first, world["dc"])
    derive(first)
    later = snapshot(as_of=dt.date(2026, 12, 31))
    result(later, world["dc"], amount="12")
    assert derive(later) == {"created": 0, "notes": 1}
    assert derive(later) == {"created": 0, "notes": 0}  # once per snapshot
    b = Benefit.objects.get()
    assert b.amount == Decimal("10")  # unchanged
    note = BenefitNote.objects.get()
    assert (note.benefit_id, note.snapshot_id, note.old_amount, note.new_amount) == (
        b.pk, later.pk, Decimal("10"), Decimal("12"),
    )  # fmt: skip


def test_a_yearly_policy_gives_again_in_the_next_period_only(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "automatic_versions", lambda as_of: [("yearly-demo", "v1", "year")])
    s2026 = snapshot(as_of=dt.date(2026, 6, 30))
    result(s2026, world["dc"], policy="yearly-demo", version="v1")
    assert derive(s2026)["created"] == 1
    s2026b = snapshot(as_of=dt.date(2026, 12, 31))  # the same year: nothing
    result(s2026b, world["dc"], policy="yearly-demo", version="v1")
    assert derive(s2026b)["created"] == 0
    s2027 = snapshot(as_of=dt.date(2027, 1, 1))  # the next year: a new one
    result(s2027, world["dc"], policy="yearly-demo", version="v1")
    assert derive(s2027)["created"] == 1
    assert sorted(Benefit.objects.values_list("period", flat=True)) == ["2026", "2027"]


def test_only_automatic_policies_give_benefits(world: dict[str, Any]) -> None:
    snap = snapshot()
    result(snap, world["dc"], policy="hte-certification", version="2016")
    assert derive(snap)["created"] == 0
    assert [p for p, _, _ in services.automatic_versions(dt.date(2026, 11, 30))] == [POLICY]


def test_the_unique_constraint_holds_without_the_service(world: dict[str, Any]) -> None:
    from django.db import IntegrityError, transaction

    snap = snapshot()
    result(snap, world["dc"])
    derive(snap)
    b = Benefit.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Benefit.objects.create(
            enterprise=b.enterprise, policy_id=b.policy_id, policy_version="2022", period="once", amount=1,
            as_of=b.as_of, ruleset_hash="", notified_on=b.notified_on, window_ends=b.window_ends,
        )  # fmt: skip
