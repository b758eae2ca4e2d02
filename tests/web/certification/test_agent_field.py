"""The application's agent (申报代理机构, ADR 0036): an optional text of the form, saved with the lists, kept when a
post does not carry it, bounded; R&D project lines may carry a short description after the name."""

from __future__ import annotations

from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.certification import services as sv
from gaoqi.web.core.workflow import WorkflowError
from tests.web import factories as f
from tests.web.conftest import login


@pytest.mark.django_db
def test_the_agent_is_saved_trimmed_kept_and_bounded() -> None:
    app = f.application("draft")
    ent = app.created_by
    app = sv.application_update_form(ent, app, {"agent_name": "  北京某某  咨询有限公司 "})
    assert app.form["agent_name"] == "北京某某 咨询有限公司"
    app = sv.application_update_form(ent, app, {"rd_projects": [{"code": "RD01", "name": "名称：简述"}]})
    assert (app.form["agent_name"], app.form["rd_projects"]) == (
        "北京某某 咨询有限公司",
        [{"code": "RD01", "name": "名称：简述"}],
    )
    with pytest.raises(WorkflowError, match="申报代理机构不能超过200字"):
        sv.application_update_form(ent, app, {"agent_name": "长" * 201})


@pytest.mark.django_db
def test_the_page_posts_the_agent_and_shows_it() -> None:
    app = f.application("draft")
    client = login(app.created_by)
    page = client.get(f"/certification/{app.pk}/").content.decode()
    assert 'name="agent_name"' in page and "RD01 名称：简述" in page
    client.post(f"/certification/{app.pk}/form/", {"rd_projects": "RD01 智能巡检：基于视觉的电力巡检\nRD02 网关",
                                                   "agent_name": "北京代理有限公司"})  # fmt: skip
    app.refresh_from_db()
    assert app.form["agent_name"] == "北京代理有限公司"
    assert app.form["rd_projects"] == [{"code": "RD01", "name": "智能巡检：基于视觉的电力巡检"},
                                       {"code": "RD02", "name": "网关"}]  # fmt: skip
    client.post(f"/certification/{app.pk}/form/", {"products": "PS01 模组"})  # no agent posted: kept
    app.refresh_from_db()
    assert app.form["agent_name"] == "北京代理有限公司"
    official = f.user(roles.DISTRICT)
    from gaoqi.web.certification.models import Application

    Application.objects.filter(pk=app.pk).update(status="district_review")
    shown: Any = login(official).get(f"/certification/{app.pk}/").content.decode()
    assert "申报代理机构：北京代理有限公司" in shown
