"""A small 规升强 world made straight in the database: two 海淀 members and one 朝阳 member (open stays on the list),
one 海淀 enterprise not on it, officials (municipal, 海淀, 朝阳), and each member's enterprise account. The clock is
frozen on a Monday (7 December 2026)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.core import clock
from tests.web import factories as f
from tests.web.conftest import CHAOYANG, HAIDIAN

TODAY = dt.date(2026, 12, 7)
STRONG = "above-scale-to-strong"


def join_list(enterprise: Any, list_id: str = STRONG, on: dt.date = dt.date(2026, 6, 30)) -> Any:
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.programmes.models import ListMembership

    snap = Snapshot.objects.filter(is_current=True).first() or f.snapshot()
    return ListMembership.objects.create(enterprise=enterprise, list_id=list_id, route="rule", entered_on=on,
                                         entered_snapshot=snap)  # fmt: skip


@pytest.fixture()
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


@pytest.fixture()
def world(db: Any, today: dt.date) -> dict[str, Any]:
    from gaoqi.web.units.services import units_sync

    units_sync()  # a transactional test's flush removed the roster the migration loaded
    hd1 = f.enterprise(name="北京海淀规升强一号科技有限公司")
    hd2 = f.enterprise(name="北京海淀规升强二号科技有限公司")
    cy = f.enterprise(name="北京朝阳规升强科技有限公司", district_code=CHAOYANG)
    outsider = f.enterprise(name="北京不在名单科技有限公司")
    for e in (hd1, hd2, cy):
        join_list(e)
    return {
        "hd1": hd1, "hd2": hd2, "cy": cy, "outsider": outsider,
        "municipal": f.user(roles.MUNICIPAL, "sp_municipal"),
        "municipal2": f.user(roles.MUNICIPAL, "sp_municipal2"),
        "haidian": f.user(roles.DISTRICT, "sp_haidian", district_code=HAIDIAN),
        "haidian2": f.user(roles.DISTRICT, "sp_haidian2", district_code=HAIDIAN),
        "chaoyang": f.user(roles.DISTRICT, "sp_chaoyang", district_code=CHAOYANG),
        "ent1": f.user(roles.ENTERPRISE, "sp_ent1", uscc=hd1.uscc),
        "ent2": f.user(roles.ENTERPRISE, "sp_ent2", uscc=hd2.uscc),
        "evaluator": f.user(roles.EVALUATOR, "sp_evaluator"),
    }  # fmt: skip


def package(w: dict[str, Any], key: str = "hd1", year: int = 2026, by: str = "municipal") -> Any:
    from gaoqi.web.servicepacks.services import package_create

    district = "chaoyang" if key == "cy" else "haidian"
    return package_create(w[by], uscc=w[key].uscc, year=year, municipal_steward=w["municipal"],
                          district_steward=w[district])  # fmt: skip


def item(w: dict[str, Any], pkg: Any, unit: str = "110108.sci", handler: str = "haidian", **kw: Any) -> Any:
    from gaoqi.web.servicepacks.services import item_assign

    by = kw.pop("by", "municipal")
    return item_assign(w[by], pkg.pk, need=kw.pop("need", "需要协调研发用房 2000 平方米"),
                       category=kw.pop("category", "policy"), unit_code=unit, handler=w[handler], **kw)  # fmt: skip
