"""Snapshots with policy results made straight in the database, published through ``events_derive`` in one
transaction as the publishing switch runs it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

POLICY = "dongcheng-hte-reward"  # subsidy → category reward
TAX = "rd-super-deduction"  # tax
LIST = "above-scale"  # a list: never pushed
VERSIONS = {POLICY: "2022", TAX: "2023", LIST: "2011", "hte-certification": "2016"}


def result(status: str, failed: int = 0, **extra: Any) -> dict[str, Any]:
    conditions = ["registered_in_dongcheng", "holds_hte_certificate", "first_certification"][:failed]
    return {"status": status, "failed_conditions": conditions, "failed_count": failed, **extra}


def publish(results: dict[tuple[Any, str], dict[str, Any] | str | None], *, ruleset: str = "h1", snap: Any = None,
            as_of: dt.date = dt.date(2026, 6, 30)) -> Any:  # fmt: skip
    """A published snapshot with the given results (enterprise, policy) → status or ``result(...)`` (None: no
    result); events derived in a transaction. ``snap``: publish that snapshot again."""
    from gaoqi.web.enterprises.models import PolicyResult
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.push.services import events_derive

    with transaction.atomic():
        if snap is None:
            Snapshot.objects.filter(is_current=True).update(is_current=False)
            snap = Snapshot.objects.create(
                as_of=as_of, status=Snapshot.PUBLISHED, is_current=True, progress=100, ruleset_hash=ruleset
            )
            rows = []
            for (ent, pid), value in results.items():
                if value is None:
                    continue
                fields = result(value) if isinstance(value, str) else value
                rows.append(PolicyResult(snapshot=snap, enterprise=ent, policy_id=pid,
                                         policy_version=VERSIONS.get(pid, "2022"), **fields))  # fmt: skip
            PolicyResult.objects.bulk_create(rows)
        snap.counts = events_derive(snap)
    return snap


def kinds(enterprise: Any, snap: Any = None) -> list[tuple[str, str]]:
    from gaoqi.web.push.models import Message

    qs = Message.objects.filter(enterprise=enterprise)
    if snap is not None:
        qs = qs.filter(snapshot=snap)
    return sorted(qs.values_list("policy_id", "kind"))
