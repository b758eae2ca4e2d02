"""The snapshot switch derives the benefits: after a real published snapshot (the synthetic Beijing), every
enterprise passing the automatic Dongcheng reward has exactly one benefit resting on its result, and the switch
recorded the derivation."""

from __future__ import annotations

from typing import Any

from gaoqi.web.benefits.models import Benefit
from gaoqi.web.enterprises.models import PolicyResult


def test_a_published_snapshot_gives_one_benefit_per_passing_enterprise(snapshot: Any) -> None:
    passing = PolicyResult.objects.filter(
        snapshot=snapshot, policy_id="dongcheng-hte-reward", status="pass", benefit_amount__isnull=False
    )
    benefits = Benefit.objects.filter(policy_id="dongcheng-hte-reward")
    assert sorted(benefits.values_list("result_id", flat=True)) == sorted(passing.values_list("id", flat=True))
    assert set(benefits.values_list("period", flat=True)) <= {"once"}
    assert all(b.ruleset_hash == snapshot.ruleset_hash and b.snapshot_id == snapshot.pk for b in benefits)
    # the hook ran in the switch (the synthetic Beijing has no first-certified HTE in 东城 within the award window:
    # 7 would pass but are registered elsewhere, so the count is 0 there; the small worlds prove the counts)
    from gaoqi.web.audit.models import AuditEvent

    entry = AuditEvent.objects.get(action="benefits.derive", target=f"snapshot:{snapshot.pk}")
    assert entry.detail == {"created": benefits.count(), "notes": 0}
