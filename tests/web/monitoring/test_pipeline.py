"""The snapshot run end to end: the engine's warning rules are evaluated with the run and published in the switch
(every raised row a warning with its evidence, the figures per snapshot); publishing the same file again changes
nothing; a second run compares with the first snapshot's file."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import transaction

from gaoqi.engine import Workspace
from gaoqi.web.monitoring.models import Warning, WarningStat


@pytest.mark.django_db
def test_a_published_snapshot_carries_the_engine_warnings(snapshot: Any) -> None:
    with Workspace.open(snapshot.duckdb_path, read_only=True) as ws:
        meta = ws.warning_meta()
        rows = list(ws.warning_rows())
    assert meta and meta["ruleset_hash"]
    assert rows, "the synthetic Beijing raises warnings"
    engine = Warning.objects.filter(opened_snapshot=snapshot).exclude(rule_id="list-not-met")  # the platform's own
    got = Counter(engine.values_list("rule_id", flat=True))
    assert got == Counter(r["rule_id"] for r in rows)
    one = rows[0]
    w = Warning.objects.get(enterprise__uscc=one["uscc"], rule_id=one["rule_id"])
    assert (w.severity, w.status, w.rule_version) == (one["severity"], "open", one["rule_version"])
    assert [e["feature"] for e in w.evidence] == [e["feature"] for e in one["evidence"]]
    stats = WarningStat.objects.filter(snapshot=snapshot).exclude(rule_id="list-not-met")
    assert sum(s.new for s in stats) == len(rows) == sum(s.open for s in stats)
    # the same file published again: nothing changes
    from gaoqi.web.monitoring.services import warnings_derive

    before = sorted(Warning.objects.values_list("pk", "status", "last_seen_snapshot_id"))
    with transaction.atomic():
        counts = warnings_derive(snapshot, rows, None)
    assert (counts["opened"], counts["closed"], counts["updated"]) == (0, 0, 0)
    assert sorted(Warning.objects.values_list("pk", "status", "last_seen_snapshot_id")) == before
