"""``warnings_derive`` (ADR 0030): set-based, idempotent; a warning's life across snapshots (open at s1, still at s2
without a duplicate, closed at s3 with the reason), the episode rule, an open warning refreshed with its change
logged, the handling limit by severity in working days, the per-snapshot figures, the district's notice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from gaoqi.web.certification.models import Notification
from gaoqi.web.core.models import WorkflowLog
from gaoqi.web.monitoring import services
from gaoqi.web.monitoring.models import Warning, WarningStat
from tests.web.monitoring.conftest import published, row

pytestmark = pytest.mark.django_db


def derive(snap: Any, rows: list[dict[str, Any]], rules: Any = None) -> dict[str, int]:
    with transaction.atomic():
        return services.warnings_derive(snap, rows, rules)


def _log(w: Warning) -> list[tuple[str, str, str]]:
    return [(x.action, x.source, x.target) for x in w.transitions.order_by("pk")]


def test_open_still_then_closed_across_three_snapshots(mon: dict[str, Any]) -> None:
    s1 = published(dt.date(2026, 9, 30))
    counts = derive(s1, [row(mon["hd"]), row(mon["cy"], severity="CRITICAL")])
    assert (counts["opened"], counts["closed"]) == (2, 0)
    w = Warning.objects.get(enterprise=mon["hd"])
    assert (w.status, w.rule_id, w.severity, w.district_code, w.opened_snapshot_id, w.last_seen_snapshot_id) == (
        "open", "W05", "HIGH", mon["hd"].district_code, s1.pk, s1.pk,
    )  # fmt: skip
    # 10 working days for HIGH from Wed 30 Sep 2026: 8, 9, 10 (Sat, make-up), 12–16, 19, 20 October
    assert (w.opened_on, w.due_on, w.due_provisional) == (dt.date(2026, 9, 30), dt.date(2026, 10, 20), False)
    assert Warning.objects.get(enterprise=mon["cy"]).due_on == dt.date(2026, 10, 13)  # CRITICAL: 5 working days
    assert w.evidence[0] == {"feature": "st_staff_share", "label": "科技人员占比", "value": 0.08, "unit": "%",
                             "feed": "annual_report", "file": "annual_report_2025.csv", "line": 17}  # fmt: skip
    assert _log(w) == [("raise", "", "open")]

    mon["clock"]["day"] = dt.date(2026, 10, 9)
    s2 = published(dt.date(2026, 10, 9))
    counts = derive(s2, [row(mon["hd"]), row(mon["cy"], severity="CRITICAL")])
    assert (counts["opened"], counts["closed"], counts["still"]) == (0, 0, 2)
    assert Warning.objects.count() == 2
    w.refresh_from_db()
    assert (w.status, w.last_seen_snapshot_id, w.opened_snapshot_id) == ("open", s2.pk, s1.pk)

    s3 = published(dt.date(2026, 10, 12))
    counts = derive(s3, [row(mon["cy"], severity="CRITICAL")])
    assert (counts["opened"], counts["closed"]) == (0, 1)
    w.refresh_from_db()
    assert (w.status, w.closed_snapshot_id, w.close_reason, w.closed_on, w.episode_open) == (
        "closed", s3.pk, f"预警条件已消除（快照 {s3.pk}）", dt.date(2026, 10, 9), False,
    )  # fmt: skip
    assert _log(w) == [("raise", "", "open"), ("close", "open", "closed")]
    assert w.transitions.get(action="close").comment == f"预警条件已消除（快照 {s3.pk}）"


def test_publishing_the_same_snapshot_twice_changes_nothing(mon: dict[str, Any]) -> None:
    s1 = published(dt.date(2026, 9, 30))
    derive(s1, [row(mon["hd"])])
    s2 = published(dt.date(2026, 10, 9))
    rows = [row(mon["hd2"]), row(mon["cy"], "W04", severity="WARN")]
    first = derive(s2, rows)
    state = sorted(Warning.objects.values_list("enterprise_id", "rule_id", "status", "last_seen_snapshot_id"))
    logs, stats = (
        WorkflowLog.objects.count(),
        sorted(WarningStat.objects.values_list("district_code", "rule_id", "open", "new", "closed")),
    )
    again = derive(s2, rows)
    assert (first["opened"], first["closed"]) == (2, 1)
    assert (again["opened"], again["closed"], again["updated"], again["still"]) == (0, 0, 0, 0)
    assert sorted(Warning.objects.values_list("enterprise_id", "rule_id", "status", "last_seen_snapshot_id")) == state
    assert WorkflowLog.objects.count() == logs
    assert sorted(WarningStat.objects.values_list("district_code", "rule_id", "open", "new", "closed")) == stats


def test_the_episode_rule(mon: dict[str, Any]) -> None:
    """Handled while the condition holds: no new warning; cleared, then holding again: a new one."""
    s1 = published(dt.date(2026, 9, 30))
    derive(s1, [row(mon["hd"])])
    w = Warning.objects.get()
    services.warning_handle(mon["haidian"], w.pk, action="interview", note="已约谈企业负责人")
    s2 = published(dt.date(2026, 10, 9))
    assert derive(s2, [row(mon["hd"])])["opened"] == 0  # still holding: the same episode
    w.refresh_from_db()
    assert (w.status, w.episode_open, w.last_seen_snapshot_id) == ("handled", True, s2.pk)
    s3 = published(dt.date(2026, 10, 12))
    counts = derive(s3, [])  # cleared: the episode ends; a handled warning keeps its status
    assert (counts["closed"], counts["episodes_ended"]) == (0, 1)
    w.refresh_from_db()
    assert (w.status, w.episode_open) == ("handled", False)
    s4 = published(dt.date(2026, 10, 13))
    assert derive(s4, [row(mon["hd"])])["opened"] == 1  # holding again: a new warning
    assert list(Warning.objects.order_by("pk").values_list("status", "opened_snapshot_id")) == [
        ("handled", s1.pk), ("open", s4.pk),
    ]  # fmt: skip


def test_an_open_warning_is_refreshed_and_the_change_logged(mon: dict[str, Any]) -> None:
    s1 = published(dt.date(2026, 9, 30))
    derive(s1, [row(mon["hd"], severity="WARN")])
    s2 = published(dt.date(2026, 10, 9))
    counts = derive(s2, [row(mon["hd"], severity="HIGH", value=0.05)])
    w = Warning.objects.get()
    assert (counts["updated"], w.severity, w.evidence[0]["value"], w.updated_snapshot_id) == (1, "HIGH", 0.05, s2.pk)
    assert w.due_on == dt.date(2026, 10, 27)  # the limit stays the one set at opening (WARN: 15 working days)
    update = w.transitions.get(action="update")
    assert (update.source, update.target, update.comment) == (
        "open", "open", f"预警等级由“一般”变为“严重”；依据数据按快照 {s2.pk} 更新",
    )  # fmt: skip


def test_a_rule_not_evaluated_leaves_its_warnings(mon: dict[str, Any]) -> None:
    s1 = published(dt.date(2026, 9, 30))
    derive(s1, [row(mon["hd"]), row(mon["hd"], "W04")])
    s2 = published(dt.date(2026, 10, 9))
    derive(s2, [], rules={"W04"})  # W05 not evaluated in s2: its warning stays open
    assert dict(Warning.objects.values_list("rule_id", "status")) == {"W05": "open", "W04": "closed"}


def test_figures_per_snapshot(mon: dict[str, Any]) -> None:
    s1 = published(dt.date(2026, 9, 30))
    derive(s1, [row(mon["hd"]), row(mon["hd2"]), row(mon["cy"], "W04", severity="WARN")])
    s2 = published(dt.date(2026, 10, 9))
    derive(s2, [row(mon["hd"]), row(mon["cy"], "W04", severity="WARN"), row(mon["cy"], "W11", severity="WARN")])
    got = {(s.snapshot_id, s.district_code, s.rule_id): (s.open, s.new, s.closed) for s in WarningStat.objects.all()}
    hd, cy = mon["hd"].district_code, mon["cy"].district_code
    assert got == {
        (s1.pk, hd, "W05"): (2, 2, 0), (s1.pk, cy, "W04"): (1, 1, 0),
        (s2.pk, hd, "W05"): (1, 0, 1), (s2.pk, cy, "W04"): (1, 0, 0), (s2.pk, cy, "W11"): (1, 1, 0),
    }  # fmt: skip


def test_the_district_in_charge_hears_of_its_new_warnings(mon: dict[str, Any]) -> None:
    s1 = published(dt.date(2026, 9, 30))
    derive(s1, [row(mon["hd"]), row(mon["hd2"])])
    texts = {(n.user.username, n.text) for n in Notification.objects.select_related("user")}
    assert texts == {
        ("mon_haidian", f"快照 {s1.pk} 新增监测预警 2 条，请签收处置"),
        ("mon_haidian2", f"快照 {s1.pk} 新增监测预警 2 条，请签收处置"),
    }


def test_only_one_open_warning_per_enterprise_and_rule(mon: dict[str, Any]) -> None:
    from django.db import IntegrityError

    s1 = published(dt.date(2026, 9, 30))
    derive(s1, [row(mon["hd"]), row(mon["hd"])])  # a duplicate row: one warning
    assert Warning.objects.count() == 1
    w = Warning.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Warning.objects.create(
            enterprise=w.enterprise, district_code=w.district_code, rule_id="W05", name="x", severity="HIGH",
            status="acknowledged", episode_open=False, opened_snapshot=s1, last_seen_snapshot=s1,
            opened_on=w.opened_on, due_on=w.due_on,
        )  # fmt: skip
