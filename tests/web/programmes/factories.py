"""Snapshots with policy results made straight in the database (no engine run): what ``memberships_update``
reads. ``publish`` makes the snapshot current, writes one ``above-scale`` result per enterprise and runs the
update in a transaction, as the publishing switch does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

LIST = "above-scale"  # the shipped list policy (kind: list)


def publish(as_of: dt.date, statuses: dict[Any, str | None], *, ruleset: str = "h1", snap: Any = None) -> Any:
    """A published snapshot at ``as_of`` where each enterprise's ``above-scale`` result has the given status
    (None: no result); the memberships updated. ``snap``: publish that snapshot again."""
    from gaoqi.web.enterprises.models import PolicyResult
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.programmes.services import memberships_update

    with transaction.atomic():
        if snap is None:
            Snapshot.objects.filter(is_current=True).update(is_current=False)
            snap = Snapshot.objects.create(
                as_of=as_of, status=Snapshot.PUBLISHED, is_current=True, progress=100, ruleset_hash=ruleset
            )
            PolicyResult.objects.bulk_create(
                PolicyResult(snapshot=snap, enterprise=e, policy_id=LIST, policy_version="2011", status=s)
                for e, s in statuses.items()
                if s is not None
            )
        counts = memberships_update(snap)
    snap.counts = counts
    return snap


def history(enterprise: Any, list_id: str = LIST) -> list[tuple[Any, ...]]:
    from gaoqi.web.programmes.models import ListMembership

    return list(
        ListMembership.objects.filter(enterprise=enterprise, list_id=list_id)
        .order_by("pk")
        .values_list("route", "entered_on", "entered_snapshot_id", "left_on", "left_snapshot_id", "left_reason")
    )
