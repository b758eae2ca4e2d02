"""Snapshots with policy results made straight in the database (no engine run): what ``memberships_update``
reads. ``publish`` makes the snapshot current, writes one ``above-scale`` result per enterprise and runs the
update in a transaction, as the publishing switch does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

LIST = "above-scale"  # the shipped list policy (kind: list)
POOL = "cultivation-pool"  # the list that takes recommendations
SMALL = "small-to-above-scale"  # 小升规: its exit to above-scale is a conversion
STRONG = "above-scale-to-strong"  # 规升强: its members are 财源建设重点企业
VERSIONS = {LIST: "2011", POOL: "2022", SMALL: "2022", STRONG: "2022"}


def publish(
    as_of: dt.date,
    statuses: dict[Any, str | None],
    *,
    ruleset: str = "h1",
    snap: Any = None,
    list_id: str = LIST,
    others: dict[str, dict[Any, str]] | None = None,
) -> Any:
    """A published snapshot at ``as_of`` where each enterprise's result for ``list_id`` (``above-scale`` unless
    told) has the given status (None: no result), and ``others``' results of other policies; the memberships
    updated. ``snap``: publish that snapshot again."""
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
                PolicyResult(snapshot=snap, enterprise=e, policy_id=list_id, policy_version=VERSIONS[list_id], status=s)
                for e, s in statuses.items()
                if s is not None
            )
            PolicyResult.objects.bulk_create(
                PolicyResult(snapshot=snap, enterprise=e, policy_id=pid, policy_version=VERSIONS[pid], status=s)
                for pid, results in (others or {}).items()
                for e, s in results.items()
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


def recommendation(status: str = "submitted", *, enterprise: Any = None, list_id: str = POOL, **extra: Any) -> Any:
    """A recommendation row in ``status`` (test data: a confirmed one with its stay on the list), made directly."""
    from gaoqi.web import roles
    from gaoqi.web.programmes.models import ListMembership, Recommendation
    from tests.web import factories as f

    ent = enterprise or f.enterprise(name=f"推荐企业{status}")
    by = extra.pop("recommended_by", None) or f.user(roles.DISTRICT, district_code=ent.district_code)
    membership = None
    if status == "confirmed":
        membership = ListMembership.objects.create(
            enterprise=ent, list_id=list_id, route="recommendation", entered_on=dt.date(2026, 7, 1),
            entered_snapshot=ent.snapshot, reason="推荐",
        )  # fmt: skip
    comment = "理由不足" if status == "declined" else ""
    return Recommendation.objects.create(
        enterprise=ent, list_id=list_id, reason="研发投入增长快", district_code=ent.district_code, recommended_by=by,
        status=status, membership=membership, decision_comment=comment, **extra,
    )  # fmt: skip
