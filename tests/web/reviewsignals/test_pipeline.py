"""End to end: two applicants in review whose R&D project texts are copies of each other (one word changed) reach
the platform feed, the next snapshot run's engine raises rd_near_duplicate on both (Workspace.review_signals over
the snapshot file), and the snapshot switch attaches the signal to each application: the district reviewer reads
it on the application's page with its evidence (the platform's own file and line)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.reviewsignals.models import ReviewSignal
from tests.web import factories as f
from tests.web.conftest import login

TEXT = ("面向电力巡检场景的智能巡检机器人研发：基于多光谱视觉与深度学习的缺陷识别算法，"
        "实现变电站设备红外测温、表计读数与异物入侵的自动识别与告警，并研制边缘计算网关完成现场推理")  # fmt: skip


@pytest.mark.django_db
def test_a_planted_copy_becomes_a_signal_on_the_reviewers_page(snapshot: Any) -> None:
    from gaoqi.web.certification.models import Application
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.services import snapshot_run

    ents = list(
        Enterprise.objects.filter(district_code="110108").exclude(name__startswith="金丝雀").order_by("uscc")[:3]
    )
    tz = dt.timezone(dt.timedelta(hours=8))
    apps = []
    for ent, text in zip(ents, (TEXT, TEXT.replace("机器人", "机器人系统"), "企业资源计划软件的二次开发与实施"),
                         strict=True):  # fmt: skip
        apps.append(Application.objects.create(
            uscc=ent.uscc, enterprise_name=ent.name, district_code=ent.district_code, year=snapshot.as_of.year,
            tech_field="电子信息", status="district_review", stage_started_at=dt.date(2026, 6, 1),
            as_of=snapshot.as_of, created_by=f.user(roles.ENTERPRISE, uscc=ent.uscc),
            submitted_at=dt.datetime(2026, 6, 1, 10, 0, tzinfo=tz),
            form={"rd_projects": [{"code": "RD01", "name": text}], "agent_name": ""},
        ))  # fmt: skip
    snap = snapshot_run(Snapshot.objects.create(as_of=snapshot.as_of).pk)
    assert snap.status == Snapshot.PUBLISHED, snap.message
    got = {s.application_id: s for s in ReviewSignal.objects.filter(kind="rd_near_duplicate")}
    assert set(got) == {apps[0].pk, apps[1].pk}  # the copies, not the third applicant
    one = got[apps[0].pk]
    assert (one.status, one.first_seen_snapshot_id, one.related_usccs) == ("open", snap.pk, [apps[1].uscc])
    assert one.evidence[0]["file"] == "hte_rd_project_高企认定系统.csv" and one.evidence[0]["line"] == 2
    html = login(f.user(roles.DISTRICT, district_code="110108")).get(f"/certification/{apps[0].pk}/").content.decode()
    assert f'id="signal-{one.pk}"' in html and "研发项目文本跨企业高度雷同" in html
    assert "hte_rd_project_高企认定系统.csv 第2行" in html and apps[1].enterprise_name in html
