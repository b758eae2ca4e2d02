"""A small world for 供需对接, made directly (no synthetic snapshot): enterprises in 海淀 and 朝阳 with their
accounts, officials of each district, the municipal office, a demand published in each district and confirmed
products that match them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.core import clock
from gaoqi.web.matching import services as sv
from tests.web import factories
from tests.web.conftest import CHAOYANG, HAIDIAN

TODAY = dt.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def demand(actor: Any, district: str, **over: Any) -> Any:
    values = {
        "kind": "scenario", "publisher_kind": "government", "publisher": "市交通委", "title": "路口目标检测应用场景",
        "field": "electronic_information", "description": "需要基于计算机视觉和目标检测的路口监测方案，支持边缘计算部署。",
        "district_code": district, "window_start": TODAY, "window_end": TODAY + dt.timedelta(days=60),
        "budget_min": "50", "budget_max": "200",
    }  # fmt: skip
    return sv.demand_publish(actor, **{**values, **over})


def product(owner: Any, municipal: Any | None, **over: Any) -> Any:
    values = {"title": "路口视觉感知终端", "field": "electronic_information", "price": "120",
              "description": "基于计算机视觉的目标检测终端，支持边缘计算与云端管理。"}  # fmt: skip
    s = sv.product_register(owner, **{**values, **over})
    if municipal is not None:
        s = sv.product_move(municipal, s.pk, "confirm")
    return s


@pytest.fixture()
def world() -> dict[str, Any]:
    hd = factories.enterprise(name="海淀视觉科技有限公司", district_code=HAIDIAN)
    cy = factories.enterprise(name="朝阳金丝雀科技有限公司", district_code=CHAOYANG)
    w: dict[str, Any] = {
        "hd": hd, "cy": cy,
        "haidian": factories.user(roles.DISTRICT, "mt_hd", district_code=HAIDIAN),
        "chaoyang": factories.user(roles.DISTRICT, "mt_cy", district_code=CHAOYANG),
        "municipal": factories.user(roles.MUNICIPAL, "mt_muni"),
        "evaluator": factories.user(roles.EVALUATOR, "mt_eval"),
        "hd_user": factories.user(roles.ENTERPRISE, "mt_hd_ent", uscc=hd.uscc),
        "cy_user": factories.user(roles.ENTERPRISE, "mt_cy_ent", uscc=cy.uscc),
    }  # fmt: skip
    w["hd_demand"] = demand(w["haidian"], HAIDIAN)
    w["cy_demand"] = demand(w["chaoyang"], CHAOYANG, title="朝阳储能应用场景", field="new_energy",
                            description="需要储能变流器和电池管理系统，用于园区储能。")  # fmt: skip
    w["hd_product"] = product(w["hd_user"], w["municipal"])
    w["cy_product"] = product(w["cy_user"], w["municipal"], title="园区储能系统", field="new_energy",
                              description="锂离子电池储能系统，含电池管理系统与储能变流器。", price="300")  # fmt: skip
    return w
