"""Talent quotas (梯度配给): the quota's total and the tier caps as exact boundaries, the district's own
enterprises only, reductions, scoping, and the last unit given out by two officials at once (one wins)."""

from __future__ import annotations

from typing import Any

import pytest

from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.core.errors import Conflict, DomainError, Forbidden, NotFound
from gaoqi.web.support import config, selectors, services
from gaoqi.web.support.models import Allocation, SupportRecord
from tests.web.conftest import race


def quota(actor: Any, total: int = 5, district: str = "110108", kind: str = "wrp") -> Any:
    return services.quota_set(actor, district_code=district, year=2026, quota_type=kind, total=total)


def give(actor: Any, q: Any, ent: Any, count: int = 1, tier: str = "A") -> Any:
    return services.allocation_create(actor, q.pk, uscc=ent.uscc, tier=tier, count=count)


@pytest.mark.django_db
def test_a_new_quota_starts_with_the_default_tiers(world: dict[str, Any]) -> None:
    q = quota(world["haidian"], 30)
    assert {t.tier: t.cap for t in q.tiers.all()} == config.default_tiers() == {"A": 20, "B": 10, "C": 5}
    assert config.tiers_unconfirmed()
    assert AuditEvent.objects.filter(action="support.quota_set", target=f"quota:{q.pk}").exists()


@pytest.mark.django_db
def test_the_quota_used_exactly_up_then_one_more_refused(world: dict[str, Any]) -> None:
    h = world["haidian"]
    q = quota(h, 5)
    give(h, q, world["hd"], 3)
    give(h, q, world["hd2"], 2)  # exactly the total
    assert selectors.allocated(q) == 5
    with pytest.raises(Conflict, match="名额已用完：剩余 0"):
        give(h, q, world["hd2"], 1)
    assert Allocation.objects.count() == 2


@pytest.mark.django_db
def test_more_than_what_remains_is_refused_with_the_remainder(world: dict[str, Any]) -> None:
    h = world["haidian"]
    q = quota(h, 5)
    give(h, q, world["hd"], 4)
    with pytest.raises(Conflict, match="名额不足：剩余 1，本次配给 2"):
        give(h, q, world["hd2"], 2)
    assert give(h, q, world["hd2"], 1).count == 1


@pytest.mark.django_db
def test_the_tier_cap_equal_allowed_one_over_refused(world: dict[str, Any]) -> None:
    h = world["haidian"]
    q = quota(h, 100)
    services.tier_set(h, q.pk, "C", 3)
    give(h, q, world["hd"], 2, "C")
    give(h, q, world["hd"], 1, "C")  # 3 = the cap
    with pytest.raises(Conflict, match="超过C梯度每家企业上限 3：该企业已获配 3，本次 1"):
        give(h, q, world["hd"], 1, "C")
    with pytest.raises(Conflict, match="不能改按A梯度"):
        give(h, q, world["hd"], 1, "A")
    # a cap below what an enterprise holds is refused; equal is allowed
    with pytest.raises(Conflict, match="已有企业获配 3"):
        services.tier_set(h, q.pk, "C", 2)
    assert services.tier_set(h, q.pk, "C", 3).cap == 3


@pytest.mark.django_db
def test_reducing_the_quota_to_exactly_allocated_allowed_one_below_refused(world: dict[str, Any]) -> None:
    h = world["haidian"]
    q = quota(h, 10)
    give(h, q, world["hd"], 4)
    with pytest.raises(Conflict, match="已配给 4，拟设为 3"):
        quota(h, 3)
    assert quota(h, 4).total == 4


@pytest.mark.django_db
def test_count_must_be_a_positive_whole_number(world: dict[str, Any]) -> None:
    h = world["haidian"]
    q = quota(h, 10)
    for bad, words in ((0, "须大于零"), (-1, "不能为负数"), ("1.5", "须为整数"), ("x", "须为数字")):
        with pytest.raises(DomainError, match=words):
            give(h, q, world["hd"], bad)  # type: ignore[arg-type]
    with pytest.raises(DomainError, match="不能为负数"):
        quota(h, -1)


@pytest.mark.django_db
def test_only_the_quotas_district_enterprises(world: dict[str, Any]) -> None:
    q = quota(world["municipal"], 10)
    with pytest.raises(DomainError, match="只能向本区企业配给"):
        give(world["municipal"], q, world["cy"], 1)


@pytest.mark.django_db
def test_chaoyang_cannot_see_set_or_allocate_haidians_quota(world: dict[str, Any]) -> None:
    h, c = world["haidian"], world["chaoyang"]
    q = quota(h, 10)
    give(h, q, world["hd"], 1)
    assert selectors.quota_get(c, q.pk) is None
    assert not selectors.allocations_visible_to(c).exists()
    assert selectors.allocations_visible_to(h).count() == 1
    with pytest.raises(NotFound):
        give(c, q, world["hd"], 1)
    with pytest.raises(NotFound):
        quota(c, 20, district="110108")
    with pytest.raises(NotFound):
        services.tier_set(c, q.pk, "A", 1)
    with pytest.raises(Forbidden):
        give(world["ent"], q, world["hd"], 1)
    with pytest.raises(Forbidden):
        quota(world["evaluator"], 20)
    assert selectors.quota_get(world["evaluator"], q.pk) == q  # evaluators read every district's


@pytest.mark.django_db
def test_an_allocation_is_a_talent_support_record_of_the_enterprise(world: dict[str, Any]) -> None:
    h = world["haidian"]
    a = give(h, quota(h, 10, kind="housing"), world["hd"], 2, "B")
    rec = SupportRecord.objects.get(allocation=a)
    assert (rec.category, rec.kind, rec.unit.code, rec.details) == (
        "talent", "housing", "110108.housing", {"year": "2026", "tier": "B", "count": "2"},
    )  # fmt: skip
    assert list(selectors.records_visible_to(world["ent"])) == [rec]
    entry = AuditEvent.objects.get(action="support.allocate")
    assert entry.detail == {"uscc": world["hd"].uscc, "tier": "B", "count": 2, "remaining": 8}


@pytest.mark.django_db(transaction=True)
def test_two_officials_allocating_the_last_unit_at_once_one_wins(world: dict[str, Any]) -> None:
    h, h2 = world["haidian"], world["haidian2"]
    q = quota(h, 3)
    give(h, q, world["hd"], 2)
    results = race(lambda: give(h, q, world["hd"], 1), lambda: give(h2, q, world["hd2"], 1))
    oks = [r for kind, r in results if kind == "ok"]
    errors = [r for kind, r in results if kind == "error"]
    assert len(oks) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], Conflict) and str(errors[0]) == "名额已用完：剩余 0"
    assert selectors.allocated(q) == 3
    assert SupportRecord.objects.filter(category="talent").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_reduction_and_an_allocation_at_once_never_leave_more_allocated_than_the_total(
    world: dict[str, Any],
) -> None:
    h, m = world["haidian"], world["municipal"]
    q = quota(h, 3)
    give(h, q, world["hd"], 2)
    results = race(lambda: quota(m, 2), lambda: give(h, q, world["hd2"], 1))
    oks = [i for i, (kind, _) in enumerate(results) if kind == "ok"]
    assert len(oks) == 1, results
    q.refresh_from_db()
    if oks == [0]:  # the reduction first: nothing left to give
        assert (q.total, selectors.allocated(q)) == (2, 2)
        assert str(results[1][1]) == "名额已用完：剩余 0"
    else:  # the allocation first: the reduction would go below what is allocated
        assert (q.total, selectors.allocated(q)) == (3, 3)
        assert "已配给 3，拟设为 2" in str(results[0][1])
