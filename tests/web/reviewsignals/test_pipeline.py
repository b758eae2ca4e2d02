"""End to end: applicants in review whose R&D project texts are copies of each other, and applicants naming one
agent, reach the platform feed; the next snapshot run's engine raises the signals (Workspace.review_signals over
the snapshot file) and the snapshot switch attaches them to each application: the district reviewer reads them on
the application's page with their evidence (the platform's own files and lines)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.reviewsignals.models import ReviewSignal
from tests.web import factories as f
from tests.web.conftest import login

AGENT = "北京远航高企申报咨询有限公司"
TEXT = ("面向电力巡检场景的智能巡检机器人研发：基于多光谱视觉与深度学习的缺陷识别算法，"
        "实现变电站设备红外测温、表计读数与异物入侵的自动识别与告警，并研制边缘计算网关完成现场推理")  # fmt: skip


@pytest.mark.django_db
def test_planted_patterns_become_signals_on_the_reviewers_page(snapshot: Any) -> None:
    """Two copied R&D texts (海淀) and five applicants naming the same agent (three in 海淀, two in 朝阳): after the
    next run, rd_near_duplicate on the two copies and shared_contact (the agent) on all five; the 海淀 reviewer reads
    both with their evidence, its own district's related applicants named, 朝阳's only counted."""
    from gaoqi.web.certification.models import Application
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.services import snapshot_run

    def firsts(district: str, n: int) -> list[Any]:
        return list(
            Enterprise.objects.filter(district_code=district).exclude(name__startswith="金丝雀").order_by("uscc")[:n]
        )

    ents = firsts("110108", 3) + firsts("110105", 2)
    texts = (TEXT, TEXT.replace("机器人", "机器人系统"), "企业资源计划软件的二次开发与实施", "工业互联网平台", "新材料")
    tz = dt.timezone(dt.timedelta(hours=8))
    apps = []
    for ent, text in zip(ents, texts, strict=True):
        apps.append(Application.objects.create(
            uscc=ent.uscc, enterprise_name=ent.name, district_code=ent.district_code, year=snapshot.as_of.year,
            tech_field="电子信息", status="district_review", stage_started_at=dt.date(2026, 6, 1),
            as_of=snapshot.as_of, created_by=f.user(roles.ENTERPRISE, uscc=ent.uscc),
            submitted_at=dt.datetime(2026, 6, 1, 10, 0, tzinfo=tz),
            form={"rd_projects": [{"code": "RD01", "name": text}], "agent_name": AGENT},
        ))  # fmt: skip
    snap = snapshot_run(Snapshot.objects.create(as_of=snapshot.as_of).pk)
    assert snap.status == Snapshot.PUBLISHED, snap.message
    got = {s.application_id: s for s in ReviewSignal.objects.filter(kind="rd_near_duplicate")}
    assert set(got) == {apps[0].pk, apps[1].pk}  # the copies, not the third applicant
    one = got[apps[0].pk]
    assert (one.status, one.first_seen_snapshot_id, one.related_usccs) == ("open", snap.pk, [apps[1].uscc])
    assert one.evidence[0]["file"] == "hte_rd_project_高企认定系统.csv" and one.evidence[0]["line"] >= 2
    agent = {s.application_id: s for s in ReviewSignal.objects.filter(kind="shared_contact")}
    assert set(agent) == {a.pk for a in apps}
    shared = agent[apps[0].pk]
    assert sorted(shared.related_usccs) == sorted(a.uscc for a in apps[1:])
    assert shared.evidence[0]["label"] == "共用申报代理机构" and shared.evidence[0]["value"] == AGENT
    assert shared.evidence[0]["file"] == "hte_application_高企认定系统.csv"
    reviewer = login(f.user(roles.DISTRICT, district_code="110108"))
    html = reviewer.get(f"/certification/{apps[0].pk}/").content.decode()
    assert f'id="signal-{one.pk}"' in html and "研发项目文本跨企业高度雷同" in html
    assert f'id="signal-{shared.pk}"' in html and AGENT in html and "关联申报企业：4 家" in html
    assert apps[1].enterprise_name in html and apps[2].enterprise_name in html  # 海淀's: named
    assert apps[3].uscc not in html and apps[4].uscc not in html and "另有 2 家" in html  # 朝阳's: counted
