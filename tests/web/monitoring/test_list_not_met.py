"""The platform's rule list-not-met (platform_rules.yaml): an open stay kept by a recommendation or an adjustment
whose list policy fails in this snapshot raises a warning; a stay by the rule, a passing result, a closed stay do
not; the warning closes itself when the result passes again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from gaoqi.web.enterprises.models import PolicyResult
from gaoqi.web.monitoring import services
from gaoqi.web.monitoring.models import Warning
from gaoqi.web.programmes.models import ListMembership
from tests.web import factories as f
from tests.web.monitoring.conftest import published

pytestmark = pytest.mark.django_db


def _stay(ent: Any, snap: Any, route: str, **kw: Any) -> ListMembership:
    extra = {"reason": "区级推荐", "entered_by": f.user("municipal")} if route == "adjustment" else {}
    return ListMembership.objects.create(enterprise=ent, list_id="cultivation-pool", route=route,
                                         entered_on=dt.date(2026, 6, 30), entered_snapshot=snap, **extra, **kw)  # fmt: skip


def _result(snap: Any, ent: Any, status: str, failed: int = 1) -> None:
    PolicyResult.objects.create(snapshot=snap, enterprise=ent, policy_id="cultivation-pool", policy_version="v1",
                                status=status, failed_count=failed if status == "fail" else 0)  # fmt: skip


def _derive(snap: Any) -> dict[str, int]:
    with transaction.atomic():
        return services.warnings_derive(snap, [], set())


def test_list_not_met(mon: dict[str, Any]) -> None:
    s1 = published(dt.date(2026, 9, 30))
    other = f.enterprise(name="北京按规则入库科技有限公司")
    left = f.enterprise(name="北京已移出科技有限公司")
    passing = f.enterprise(name="北京仍符合科技有限公司")
    _stay(mon["hd"], s1, "recommendation")
    _stay(mon["cy"], s1, "adjustment")
    _stay(other, s1, "rule")
    _stay(left, s1, "recommendation", left_on=dt.date(2026, 9, 1), left_snapshot=s1, left_reason="removed",
          left_comment="移出")  # fmt: skip
    _stay(passing, s1, "recommendation")
    for ent in (mon["hd"], other, left):
        _result(s1, ent, "fail", 2)
    _result(s1, mon["cy"], "fail", 1)
    _result(s1, passing, "pass")
    assert _derive(s1)["opened"] == 2
    got = {w.enterprise_id: w for w in Warning.objects.all()}
    assert set(got) == {mon["hd"].pk, mon["cy"].pk}
    w = got[mon["hd"].pk]
    assert (w.rule_id, w.severity, w.rule_version, w.name) == (
        "list-not-met",
        "WARN",
        "2026-12-01",
        "名单内企业已不符合名单条件",
    )
    assert [(e["label"], e["value"]) for e in w.evidence] == [
        ("名单", "北京市高新技术企业培育库（自动入库）"), ("纳入方式", "推荐纳入"), ("本次快照名单条件", "不符合（2 项条件未满足）"),
    ]  # fmt: skip
    assert got[mon["cy"].pk].evidence[1]["value"] == "调整纳入"
    assert "第2节「留存与退出」" in w.articles[0]

    s2 = published(dt.date(2026, 10, 9))
    _result(s2, mon["hd"], "pass")
    _result(s2, mon["cy"], "fail", 1)
    counts = _derive(s2)
    assert (counts["opened"], counts["closed"]) == (0, 1)
    assert dict(Warning.objects.values_list("enterprise_id", "status")) == {
        mon["hd"].pk: "closed",
        mon["cy"].pk: "open",
    }
