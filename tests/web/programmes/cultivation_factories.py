"""Pool members and HTE results made straight in the database (no engine run): what the cultivation records read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.web import factories as f
from tests.web.conftest import HAIDIAN
from tests.web.programmes.factories import POOL

HTE = "hte-certification"


def member(name: str, *, district_code: str = HAIDIAN, incubator_code: str = "") -> Any:
    """An enterprise on the cultivation pool now (an open stay)."""
    from gaoqi.web.programmes.models import ListMembership

    ent = f.enterprise(name=name, district_code=district_code)
    if incubator_code:
        type(ent).objects.filter(pk=ent.pk).update(incubator_code=incubator_code)
        ent.incubator_code = incubator_code
    ListMembership.objects.create(
        enterprise=ent, list_id=POOL, route="recommendation", entered_on=dt.date(2026, 6, 1),
        entered_snapshot=ent.snapshot, reason="推荐",
    )  # fmt: skip
    return ent


def hte_result(ent: Any, failed: list[str], *, snap: Any = None, binding: str = "", gap: str = "") -> Any:
    """The enterprise's HTE certification result in ``snap`` (the current snapshot unless told)."""
    from gaoqi.web.enterprises.models import PolicyResult
    from gaoqi.web.intake.models import Snapshot

    snap = snap or Snapshot.objects.get(is_current=True)
    return PolicyResult.objects.create(
        snapshot=snap, enterprise=ent, policy_id=HTE, policy_version="2016", status="fail" if failed else "pass",
        failed_conditions=failed, failed_count=len(failed), binding_condition=binding, binding_gap=gap,
    )  # fmt: skip


def new_snapshot(as_of: dt.date) -> Any:
    """A later published snapshot, made current."""
    from gaoqi.web.intake.models import Snapshot

    Snapshot.objects.filter(is_current=True).update(is_current=False)
    return Snapshot.objects.create(as_of=as_of, status=Snapshot.PUBLISHED, is_current=True, progress=100)
