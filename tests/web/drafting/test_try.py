"""A draft tried over the published snapshot: the counts equal an evaluation by hand of the snapshot's profiles,
and the version in force beside it equals the snapshot's own published results."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from gaoqi.web.drafting import services
from gaoqi.web.enterprises.models import PolicyResult
from tests.web.conftest import AS_OF
from tests.web.drafting.conftest import good_data


def _by_hand(snapshot: Any) -> list[tuple[str, str, str]]:
    """(district, field, status) per enterprise of the snapshot's profiles for the good draft (registered in 海淀
    and holding an HTE certificate; a NULL input leaves a condition unknown; one false condition fails)."""
    con = duckdb.connect(str(snapshot.duckdb_path), read_only=True)
    try:
        rows = con.execute(
            "SELECT district_code, coalesce(tech_field, '(none)'), district_code, has_hte_certificate FROM profile "
            "WHERE as_of = ?",
            [AS_OF],
        ).fetchall()
    finally:
        con.close()
    out = []
    for district, field, d, hte in rows:
        outcomes = [None if d is None else d == "110108", None if hte is None else hte is True]
        status = "fail" if False in outcomes else "unknown" if None in outcomes else "pass"
        out.append((str(district), field, status))
    return out


@pytest.mark.django_db
def test_try_counts_equal_an_evaluation_by_hand(catalogue: Any, officials: Any, snapshot: Any) -> None:
    draft = services.draft_create(officials["author"], good_data())
    result = services.draft_try(officials["author"], draft.pk)
    hand = _by_hand(snapshot)
    statuses = Counter(s for _, _, s in hand)
    assert result["draft"]["district"]["totals"] == {k: statuses.get(k, 0) for k in ("pass", "fail", "unknown")}
    assert result["draft"]["field"]["totals"] == result["draft"]["district"]["totals"]
    assert statuses["pass"] > 0 and statuses["fail"] > 0
    by_district = Counter((d, s) for d, _, s in hand)
    for grp, counts in result["draft"]["district"]["groups"].items():
        for s in ("pass", "fail", "unknown"):
            assert counts[s] == by_district.get((grp, s), 0), (grp, s)
    by_field = Counter((f, s) for _, f, s in hand)
    for grp, counts in result["draft"]["field"]["groups"].items():
        for s in ("pass", "fail", "unknown"):
            assert counts[s] == by_field.get((grp, s), 0), (grp, s)
    # the fiscal cost: 20 万元 per passing enterprise; 海淀's cost is all of it
    assert Decimal(result["draft"]["district"]["cost"]) == 20 * statuses["pass"]
    assert Decimal(result["draft"]["district"]["groups"]["110108"]["cost"]) == 20 * statuses["pass"]
    assert "in_force" not in result  # a new policy has no version in force
    # kept on the draft, audited
    draft.refresh_from_db()
    assert draft.try_result == result
    from gaoqi.web.audit.models import AuditEvent

    event = AuditEvent.objects.get(action="drafting.try")
    assert event.detail["totals"] == result["draft"]["district"]["totals"]


@pytest.mark.django_db
def test_a_new_version_is_tried_beside_the_version_in_force(catalogue: Any, officials: Any, snapshot: Any) -> None:
    data = good_data(policy_id="dongcheng-hte-reward", version_id="2027", valid_from=dt.date(2027, 1, 1))
    data.spec["documents"] = ["东城区园区支持措施（2022）"]
    for c in data.spec["conditions"]:
        c["article"] = "东城区园区支持措施（2022） 高新技术企业支持"
    draft = services.draft_create(officials["author"], data)
    result = services.draft_try(officials["author"], draft.pk)
    assert result["in_force_version"] == "2022"
    published = Counter(
        PolicyResult.objects.of(snapshot).filter(policy_id="dongcheng-hte-reward").values_list("status", flat=True)
    )
    assert result["in_force"]["district"]["totals"] == {k: published.get(k, 0) for k in ("pass", "fail", "unknown")}
    amounts = PolicyResult.objects.of(snapshot).filter(policy_id="dongcheng-hte-reward", status="pass")
    assert Decimal(result["in_force"]["district"]["cost"]) == sum((r.benefit_amount or 0) for r in amounts)
    hand = Counter(s for _, _, s in _by_hand(snapshot))
    assert result["draft"]["district"]["totals"] == {k: hand.get(k, 0) for k in ("pass", "fail", "unknown")}


@pytest.mark.django_db
def test_editing_a_draft_clears_its_try(catalogue: Any, officials: Any) -> None:
    draft = services.draft_create(officials["author"], good_data())
    services.draft_try(officials["author"], draft.pk)
    services.draft_update(officials["author"], draft.pk, good_data())
    draft.refresh_from_db()
    assert draft.try_result is None


@pytest.mark.django_db
def test_a_published_draft_takes_effect_at_the_next_evaluation_as_tried(catalogue: Any, officials: Any) -> None:
    """Published, the draft is evaluated by the next snapshot run; dated from 2026-01-01 it is in force at the
    snapshot's date, and the published results equal the try's counts."""
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.services import snapshot_run

    draft = services.draft_create(officials["author"], good_data(valid_from=dt.date(2026, 1, 1)))
    tried = services.draft_try(officials["author"], draft.pk)["draft"]["district"]
    services.draft_submit(officials["author"], draft.pk, "draft")
    services.draft_approve(officials["approver"], draft.pk, "submitted")
    assert not PolicyResult.objects.filter(policy_id="haidian-hte-reward").exists()
    snap = snapshot_run(Snapshot.objects.create(as_of=AS_OF).pk)
    assert snap.status == snap.PUBLISHED
    results = PolicyResult.objects.of(snap).filter(policy_id="haidian-hte-reward")
    counts = Counter(results.values_list("status", flat=True))
    assert {k: counts.get(k, 0) for k in ("pass", "fail", "unknown")} == tried["totals"]
    assert sum(r.benefit_amount or 0 for r in results.filter(status="pass")) == Decimal(tried["cost"])
    assert set(results.values_list("policy_version", flat=True)) == {"2027"}
