"""Events from the difference of two snapshots' results, at each boundary (programmes.md §9.2; issue 14)."""

from __future__ import annotations

from typing import Any

import pytest

from gaoqi.web.push.models import Message
from tests.web import factories as f
from tests.web.push.factories import LIST, POLICY, TAX, kinds, publish, result

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("before", "now", "expected"),
    [
        ("pass", "pass", []),  # pass → pass: nothing
        ("fail", "pass", ["qualifies"]),
        (None, "pass", ["qualifies"]),  # no result before
        ("unknown", "pass", ["qualifies"]),
        ("pass", "fail", ["no_longer"]),
        ("pass", "unknown", ["no_longer", "needs_data"]),
        ("pass", None, ["no_longer"]),  # no result now
        (result("fail", 2), result("fail", 1), ["near_miss"]),  # 2 → 1: a near miss
        (result("fail", 1), result("fail", 1), []),  # 1 → 1: nothing
        (result("fail", 1), result("fail", 2), []),  # 1 → 2: not an event of its own
        (None, result("fail", 1), ["near_miss"]),
        ("pass", result("fail", 1), ["no_longer"]),  # pass → near miss: no longer, not a near miss
        ("fail", "unknown", ["needs_data"]),
        ("unknown", "unknown", []),
        (None, "fail", []),
    ],
)
def test_each_kind_at_its_boundary(before: Any, now: Any, expected: list[str]) -> None:
    ent = f.enterprise()
    publish({(ent, POLICY): before}, ruleset="h1")
    second = publish({(ent, POLICY): now}, ruleset="h2")
    assert [k for _, k in kinds(ent, second)] == sorted(expected)


def test_the_first_snapshot_compares_with_nothing() -> None:
    ent = f.enterprise()
    snap = publish({(ent, POLICY): "pass", (ent, TAX): result("fail", 1)})
    assert kinds(ent, snap) == [(POLICY, "qualifies"), (TAX, "near_miss")]
    assert snap.counts == {"qualifies": 1, "near_miss": 1, "no_longer": 0, "needs_data": 0}


def test_lists_are_not_pushed() -> None:
    ent = f.enterprise()
    publish({(ent, LIST): "fail"})
    snap = publish({(ent, LIST): "pass"}, ruleset="h2")
    assert kinds(ent, snap) == []


def test_an_event_keeps_its_result_version_hash_binding_and_unknowns() -> None:
    ent = f.enterprise()
    publish({(ent, POLICY): "fail", (ent, TAX): "fail"}, ruleset="h1")
    near = result("fail", 1, binding_condition="first_certification", binding_gap="还差首次认定")
    unknown = result("unknown", unknown_features=["rd_expense_last_year"])
    snap = publish({(ent, POLICY): near, (ent, TAX): unknown}, ruleset="h2")
    m = Message.objects.get(snapshot=snap, policy_id=POLICY)
    assert (m.kind, m.policy_version, m.ruleset_hash, m.previous_status, m.status) == (
        "near_miss", "2022", "h2", "fail", "fail")  # fmt: skip
    assert (m.binding_condition, m.binding_gap, m.result.snapshot_id) == (
        "first_certification",
        "还差首次认定",
        snap.pk,
    )
    n = Message.objects.get(snapshot=snap, policy_id=TAX)
    assert (n.kind, n.unknown_features, n.category) == ("needs_data", ["rd_expense_last_year"], "tax")
    assert m.category == "reward" and not m.mandatory


def test_publishing_the_same_snapshot_again_writes_nothing() -> None:
    ent, other = f.enterprise(), f.enterprise()
    publish({(ent, POLICY): "fail", (other, POLICY): "pass"}, ruleset="h1")
    snap = publish({(ent, POLICY): "pass", (other, POLICY): "fail"}, ruleset="h2")
    before = Message.objects.count()
    again = publish({}, snap=snap)
    assert Message.objects.count() == before == 3  # the first snapshot's qualifies + the second's two
    assert again.counts == {"qualifies": 0, "near_miss": 0, "no_longer": 0, "needs_data": 0}


def test_the_same_result_again_is_never_a_second_message() -> None:
    """pass (v2022, h1) → fail → pass with the same version and rule set: one qualifies message for that result."""
    ent = f.enterprise()
    publish({(ent, POLICY): "pass"}, ruleset="h1")
    publish({(ent, POLICY): "fail"}, ruleset="h1")
    publish({(ent, POLICY): "pass"}, ruleset="h1")
    assert Message.objects.filter(enterprise=ent, kind="qualifies").count() == 1
    publish({(ent, POLICY): "fail"}, ruleset="h2")
    publish({(ent, POLICY): "pass"}, ruleset="h2")  # a new rule set: a new result
    assert Message.objects.filter(enterprise=ent, kind="qualifies").count() == 2


def test_an_audit_entry_per_derivation() -> None:
    from gaoqi.web.audit.models import AuditEvent

    ent = f.enterprise()
    snap = publish({(ent, POLICY): "pass"})
    entry = AuditEvent.objects.filter(action="push.derive").latest("pk")
    assert entry.target == f"snapshot:{snap.pk}" and entry.detail["qualifies"] == 1
