"""The platform's measures of the district evaluation (ADR 0032), each against a hand count on a small population made
in the database: the cultivation pool's conversion (cohort y−1 certified by the end of y), 小升规 conversions,
certification stages on time, requests answered on time, service-package items on time. Year y = 2025."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from gaoqi.web.evaluation import measures
from tests.web import factories as f
from tests.web.conftest import CHAOYANG, HAIDIAN
from tests.web.servicepacks.conftest import item, join_list, package

pytestmark = pytest.mark.django_db
Y = 2025


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def test_pool_conversion_counts_cohort_y_minus_1_certified_by_the_end_of_y(world: dict[str, Any]) -> None:
    from gaoqi.web.programmes.models import ListMembership

    hd = [f.enterprise(name=f"北京培育海淀{i}号科技有限公司") for i in range(3)]
    cy = f.enterprise(name="北京培育朝阳科技有限公司", district_code=CHAOYANG)
    late = f.enterprise(name="北京培育后入科技有限公司")
    for e in (*hd, cy):
        join_list(e, "cultivation-pool", on=dt.date(2024, 5, 1))  # cohort 2024
    join_list(late, "cultivation-pool", on=dt.date(2025, 2, 1))  # cohort 2025: not counted for y = 2025
    f.certificate(code=hd[0].uscc, issue_date=dt.date(2025, 12, 31))  # by the end of 2025 (the last day counts)
    f.certificate(code=hd[1].uscc, issue_date=dt.date(2026, 1, 1))  # too late for k = 1
    f.certificate(code=late.uscc, issue_date=dt.date(2025, 6, 1))
    assert ListMembership.objects.filter(list_id="cultivation-pool").count() == 5
    got = measures._pool(Y, world["evaluator"])
    assert got == {"pool_entrants": {HAIDIAN: 3, CHAOYANG: 1}, "pool_converted": {HAIDIAN: 1, CHAOYANG: 0}}


def test_small_to_above_conversions_in_the_year(world: dict[str, Any]) -> None:
    from gaoqi.web.programmes.models import CONVERTED, RULE_NO_LONGER_MET, ListMembership

    es = [f.enterprise(name=f"北京小升规{i}号科技有限公司") for i in range(4)]
    cy = f.enterprise(name="北京小升规朝阳科技有限公司", district_code=CHAOYANG)
    stays = [join_list(e, "small-to-above-scale", on=dt.date(2024, 3, 1)) for e in (*es, cy)]

    def leave(stay: Any, day: dt.date, reason: str) -> None:
        ListMembership.objects.filter(pk=stay.pk).update(left_on=day, left_reason=reason,
                                                         left_snapshot=stay.entered_snapshot)  # fmt: skip

    leave(stays[0], dt.date(2025, 4, 1), CONVERTED)  # converted in 2025
    leave(stays[1], dt.date(2025, 12, 31), CONVERTED)  # the year's last day
    leave(stays[2], dt.date(2024, 12, 31), CONVERTED)  # 2024: neither a member in 2025 nor a conversion
    leave(stays[3], dt.date(2025, 5, 1), RULE_NO_LONGER_MET)  # a member in 2025, not a conversion
    got = measures._small_to_above(Y, world["evaluator"])
    assert got == {"sts_members": {HAIDIAN: 3, CHAOYANG: 1}, "sts_converted": {HAIDIAN: 2, CHAOYANG: 0}}


def test_certification_stages_on_time_by_the_logged_working_days(world: dict[str, Any]) -> None:
    from gaoqi.web.certification.models import Application
    from gaoqi.web.core.models import WorkflowLog

    hd, cy = f.application("municipal_review"), f.application("municipal_review", district_code=CHAOYANG)
    ct = ContentType.objects.get_for_model(Application)

    def log(app: Any, source: str, used: int | None, day: dt.date) -> None:
        WorkflowLog.objects.create(workflow="application", content_type=ct, object_id=app.pk, action="x",
                                   source=source, target="next", at=_at(day), workdays_used=used)  # fmt: skip

    log(hd, "district_review", 5, dt.date(2025, 3, 3))  # limit 5: on time (≤)
    log(hd, "municipal_review", 6, dt.date(2025, 4, 3))  # limit 5: late
    log(hd, "expert_review", 15, dt.date(2025, 6, 3))  # limit 15: on time
    log(hd, "district_review", 1, dt.date(2024, 12, 30))  # another year
    log(hd, "draft", 1, dt.date(2025, 3, 1))  # not a timed stage
    log(cy, "correction", 11, dt.date(2025, 5, 5))  # limit 10: late
    got = measures._cert_stages(Y, world["evaluator"])
    assert got == {"cert_stages_done": {HAIDIAN: 3, CHAOYANG: 1}, "cert_stages_on_time": {HAIDIAN: 2, CHAOYANG: 0}}


def test_requests_answered_on_time_and_service_items_done_on_time(world: dict[str, Any]) -> None:
    from gaoqi.web.servicedesk.config import routing_reset
    from gaoqi.web.servicedesk.models import Request
    from gaoqi.web.servicedesk.services import request_file
    from gaoqi.web.servicepacks.models import ServiceItem

    routing_reset()
    w = world

    def filed(actor: Any, filed_on: dt.date, due: dt.date, answered: dt.date | None) -> None:
        r = request_file(actor, category="wrp", title="工作居住证办理咨询", description="研发骨干申请工作居住证。")
        Request.objects.filter(pk=r.pk).update(filed_on=filed_on, answer_due=due, answered_on=answered)

    filed(w["ent1"], dt.date(2025, 3, 1), dt.date(2025, 3, 20), dt.date(2025, 3, 20))  # on the due day: on time
    filed(w["ent1"], dt.date(2025, 3, 1), dt.date(2025, 3, 20), dt.date(2025, 3, 21))  # a day late
    filed(w["ent2"], dt.date(2025, 11, 1), dt.date(2025, 11, 20), None)  # not answered
    filed(w["ent2"], dt.date(2024, 11, 1), dt.date(2024, 11, 20), dt.date(2024, 11, 2))  # filed in 2024
    got = measures._requests(Y, w["evaluator"])
    assert got == {"requests_filed": {HAIDIAN: 3}, "requests_answered_in_time": {HAIDIAN: 1}}

    pkg, pkg_cy = package(w), package(w, "cy")
    items = [item(w, pkg) for _ in range(4)] + [item(w, pkg_cy, unit="110105.sci", handler="chaoyang")]

    def due(i: Any, due_on: dt.date, status: str, done_on: dt.date | None = None) -> None:
        ServiceItem.objects.filter(pk=i.pk).update(due_on=due_on, status=status, done_on=done_on, result="已办结")

    due(items[0], dt.date(2025, 6, 30), "done", dt.date(2025, 6, 30))  # done on the due day
    due(items[1], dt.date(2025, 6, 30), "done", dt.date(2025, 7, 1))  # late
    due(items[2], dt.date(2025, 6, 30), "cancelled")  # cancelled: not counted
    due(items[3], dt.date(2025, 9, 30), "accepted")  # still open past its due day: due, not on time
    due(items[4], dt.date(2026, 1, 5), "done", dt.date(2026, 1, 2))  # due in 2026
    got = measures._service_items(Y, w["evaluator"])
    assert got == {"pack_items_due": {HAIDIAN: 3}, "pack_items_on_time": {HAIDIAN: 1}}


def test_warnings_due_in_y_and_handled_by_their_limit(world: dict[str, Any]) -> None:
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.monitoring.models import Warning

    snap = Snapshot.objects.get(is_current=True)
    hd, cy = (
        f.enterprise(name="北京预警海淀科技有限公司"),
        f.enterprise(name="北京预警朝阳科技有限公司", district_code=CHAOYANG),
    )

    def warning(ent: Any, rule: str, due: dt.date, status: str, closed: dt.date | None = None) -> None:
        Warning.objects.create(
            enterprise=ent, district_code=ent.district_code, rule_id=rule, name=rule, severity="HIGH", status=status,
            opened_snapshot=snap, last_seen_snapshot=snap, opened_on=due - dt.timedelta(days=20), due_on=due,
            closed_on=closed, action="interview" if status == "handled" else "",
            dismiss_reason="核实为数据口径差异" if status == "dismissed" else "",
            close_reason="预警条件已消除" if status == "closed" else "", closed_snapshot=snap if status == "closed" else None,
            episode_open=status not in ("closed",),
        )  # fmt: skip

    warning(hd, "a", dt.date(2025, 6, 30), "handled", dt.date(2025, 6, 30))  # handled on its last day: on time
    warning(hd, "b", dt.date(2025, 6, 30), "dismissed", dt.date(2025, 7, 1))  # a day late
    warning(hd, "c", dt.date(2025, 9, 30), "open")  # still open past its limit: due, not on time
    warning(
        hd, "d", dt.date(2025, 9, 30), "closed", dt.date(2025, 9, 1)
    )  # cleared unhandled before its limit: not owed
    warning(hd, "e", dt.date(2025, 9, 30), "closed", dt.date(2025, 10, 8))  # cleared only after its limit: owed, late
    warning(hd, "f", dt.date(2026, 1, 5), "handled", dt.date(2026, 1, 2))  # limit in 2026
    warning(cy, "a", dt.date(2025, 12, 31), "handled", dt.date(2025, 12, 31))
    got = measures._warnings(Y, world["evaluator"])
    assert got == {"warnings_due": {HAIDIAN: 4, CHAOYANG: 1}, "warnings_on_time": {HAIDIAN: 1, CHAOYANG: 1}}
    assert not [m for m in measures.platform_measures() if m.pending]  # every provider wired
