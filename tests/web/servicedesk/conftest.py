"""Fixtures of the servicedesk tests: the units roster (a transactional test's flush empties it), a movable
platform date, enterprises in 海淀 and 朝阳 with their users, officials of both districts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.core import clock as platform_clock
from tests.web import factories as f
from tests.web.conftest import CHAOYANG, HAIDIAN


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, dt.date]:
    now = {"day": dt.date(2026, 9, 30)}
    monkeypatch.setattr(platform_clock, "today", lambda: now["day"])
    return now


@pytest.fixture()
def sd(db: Any, clock: dict[str, dt.date]) -> dict[str, Any]:
    from gaoqi.web.servicedesk.config import routing_reset
    from gaoqi.web.units.services import units_sync

    units_sync()
    routing_reset()
    hd = f.enterprise(name="北京海淀诉求测试科技有限公司", district_code=HAIDIAN)
    hd2 = f.enterprise(name="北京海淀另一家科技有限公司", district_code=HAIDIAN)
    cy = f.enterprise(name="北京朝阳诉求测试科技有限公司", district_code=CHAOYANG)
    return {
        "clock": clock,
        "hd": hd,
        "hd2": hd2,
        "cy": cy,
        "ent": f.user(roles.ENTERPRISE, "sd_ent", uscc=hd.uscc),
        "ent2": f.user(roles.ENTERPRISE, "sd_ent2", uscc=hd2.uscc),
        "ent_cy": f.user(roles.ENTERPRISE, "sd_ent_cy", uscc=cy.uscc),
        "haidian": f.user(roles.DISTRICT, "sd_haidian", district_code=HAIDIAN),
        "haidian2": f.user(roles.DISTRICT, "sd_haidian2", district_code=HAIDIAN),
        "chaoyang": f.user(roles.DISTRICT, "sd_chaoyang", district_code=CHAOYANG),
        "municipal": f.user(roles.MUNICIPAL, "sd_municipal"),
        "evaluator": f.user(roles.EVALUATOR, "sd_evaluator"),
    }


def file_request(actor: Any, **kw: Any) -> Any:
    from gaoqi.web.servicedesk.services import request_file

    args = {"category": "wrp", "title": "工作居住证办理咨询", "description": "研发骨干申请工作居住证，材料要求不明确。"}
    return request_file(actor, **{**args, **kw})
