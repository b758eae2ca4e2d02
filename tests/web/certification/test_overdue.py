"""时限监控: overdue and due-soon applications (working days, the due-soon span from process.yaml), scoped to the
user, with the chart by stage and district drawn from a JSON block (no inline script)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.certification import selectors
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.workdays import add_workdays
from tests.web.conftest import CHAOYANG, HAIDIAN, login, make_user

ON = dt.date(2026, 11, 16)  # a Monday


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture()
def apps(db: Any, clock: dict[str, dt.date]) -> dict[str, Any]:
    """Five applications in timed stages, their stage started ``used`` working days before ON."""
    from gaoqi.web.certification.models import Application

    clock["day"] = ON
    muni = make_user(roles.MUNICIPAL, "muni_o")
    plan = {  # name: (district, stage, working days used); limits: process.yaml
        "海淀超时": (HAIDIAN, wf.DISTRICT_REVIEW, 6),  # limit 5: one over
        "海淀将到期": (HAIDIAN, wf.EXPERT_REVIEW, 13),  # limit 15: two left
        "朝阳超时": (CHAOYANG, wf.CORRECTION, 12),  # limit 10: two over
        "朝阳宽裕": (CHAOYANG, wf.DECISION, 2),  # limit 10: eight left
        "朝阳今日到期": (CHAOYANG, wf.MUNICIPAL_REVIEW, 5),  # limit 5: the last day
    }
    out = {}
    for i, (name, (district, stage, used)) in enumerate(plan.items()):
        out[name] = Application.objects.create(
            uscc=f"9111010855138{i:04d}X",
            enterprise_name=f"{name}科技有限公司",
            district_code=district,
            year=2026,
            tech_field="电子信息",
            status=stage,
            stage_started_at=add_workdays(ON, -used),
            as_of=dt.date(2026, 6, 30),
            created_by=muni,
        )
    return {"apps": out, "municipal": muni, "haidian": make_user(roles.DISTRICT, "dist_o", district_code=HAIDIAN)}


def _names(rows: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(r["application"].enterprise_name.removesuffix("科技有限公司"), r["left"]) for r in rows]


def test_overdue_and_due_soon_in_working_days(apps: dict[str, Any]) -> None:
    d = selectors.stage_deadlines(apps["municipal"], ON)
    assert d["due_soon_workdays"] == 3  # process.yaml monitoring.due_soon_workdays
    assert _names(d["overdue"]) == [("朝阳超时", -2), ("海淀超时", -1)]  # most overdue first
    assert _names(d["due_soon"]) == [("朝阳今日到期", 0), ("海淀将到期", 2)]
    late = d["overdue"][0]
    assert (late["limit"], late["used"], late["over"]) == (10, 12, 2)
    assert late["due"] == add_workdays(late["application"].stage_started_at, 10)


def test_a_district_official_sees_the_districts_applications_only(apps: dict[str, Any]) -> None:
    d = selectors.stage_deadlines(apps["haidian"], ON)
    assert _names(d["overdue"]) == [("海淀超时", -1)]
    assert _names(d["due_soon"]) == [("海淀将到期", 2)]
    expert = make_user(roles.EXPERT, "exp_o")
    assert selectors.stage_deadlines(expert, ON)["overdue"] == []


def test_the_due_soon_span_is_the_process_parameter(apps: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = dataclasses.replace(selectors.process_config(), due_soon_workdays=1)
    monkeypatch.setattr(selectors, "process_config", lambda: cfg)
    d = selectors.stage_deadlines(apps["municipal"], ON)
    assert _names(d["due_soon"]) == [("朝阳今日到期", 0)]
    assert d["due_soon_workdays"] == 1


def test_the_chart_counts_by_district_and_stage(apps: dict[str, Any]) -> None:
    chart = selectors.deadline_chart(
        selectors.stage_deadlines(apps["municipal"], ON), {HAIDIAN: "海淀区", CHAOYANG: "朝阳区"}
    )
    assert chart["districts"] == ["朝阳区", "海淀区"]
    assert chart["stages"] == ["退回补正", "区级形式审查", "市级受理", "专家评审"]
    assert {s["name"]: s["data"] for s in chart["by_district"]} == {
        "退回补正": [1, 0],
        "区级形式审查": [0, 1],
        "市级受理": [0, 0],
        "专家评审": [0, 0],
    }
    assert chart["by_stage"] == [
        {"name": "已超时", "data": [1, 1, 0, 0]},
        {"name": "3个工作日内到期", "data": [0, 0, 1, 1]},
    ]


def test_the_page_lists_both_and_draws_the_chart_without_inline_script(apps: dict[str, Any]) -> None:
    page = login(apps["haidian"]).get("/certification/overdue/").content.decode()
    overdue = page[page.index('id="overdue"') : page.index('id="due-soon"')]
    due_soon = page[page.index('id="due-soon"') :]
    assert "海淀超时科技有限公司" in overdue and "1 个工作日" in overdue
    assert "海淀将到期科技有限公司" in due_soon and "2 个工作日" in due_soon
    assert "朝阳" not in page  # another district's applications never reach a 海淀 official
    assert "3个工作日内到期" in page and 'id="overdue-district-chart"' in page
    block = re.search(r'<script id="overdue-data" type="application/json">(.*?)</script>', page, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["districts"] == ["海淀区"] and data["stages"] == ["区级形式审查", "专家评审"]
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    municipal = login(apps["municipal"]).get("/certification/overdue/").content.decode()
    assert "朝阳今日到期科技有限公司" in municipal and "今日到期" in municipal
    assert "朝阳宽裕科技有限公司" not in municipal
