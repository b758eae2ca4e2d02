"""Small worlds for the support tests, made directly (no synthetic snapshot): enterprises in 海淀 and 朝阳 on the
小升规 / 规升强 lists, officials of each district, the municipal office, an enterprise account, policy results."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.core import clock
from tests.web import factories
from tests.web.conftest import CHAOYANG, HAIDIAN

TODAY = dt.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def member(ent: Any, list_id: str) -> Any:
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.programmes.models import ListMembership

    snap = Snapshot.objects.filter(is_current=True).first()
    return ListMembership.objects.create(
        enterprise=ent, list_id=list_id, route="rule", entered_on=dt.date(2026, 6, 30), entered_snapshot=snap
    )


def result(ent: Any, policy_id: str, status: str = "pass") -> Any:
    from gaoqi.web.enterprises.models import PolicyResult

    return PolicyResult.objects.create(
        snapshot=ent.snapshot, enterprise=ent, policy_id=policy_id, policy_version="v1", status=status
    )


@pytest.fixture()
def world() -> dict[str, Any]:
    from gaoqi.web.units.models import Unit
    from gaoqi.web.units.services import units_sync

    if not Unit.objects.exists():  # a transactional test's flush removed the migration's roster
        units_sync()
    hd = factories.enterprise(name="海淀支持测试科技有限公司", district_code=HAIDIAN)
    hd2 = factories.enterprise(name="海淀第二测试科技有限公司", district_code=HAIDIAN)
    cy = factories.enterprise(name="朝阳金丝雀测试科技有限公司", district_code=CHAOYANG)
    member(hd, "small-to-above-scale")
    member(hd2, "above-scale-to-strong")
    member(cy, "small-to-above-scale")
    return {
        "hd": hd, "hd2": hd2, "cy": cy,
        "haidian": factories.user(roles.DISTRICT, "hd_official", district_code=HAIDIAN),
        "haidian2": factories.user(roles.DISTRICT, "hd_official2", district_code=HAIDIAN),
        "chaoyang": factories.user(roles.DISTRICT, "cy_official", district_code=CHAOYANG),
        "municipal": factories.user(roles.MUNICIPAL, "muni"),
        "evaluator": factories.user(roles.EVALUATOR, "evaluator"),
        "ent": factories.user(roles.ENTERPRISE, "hd_ent", uscc=hd.uscc),
        "ent_cy": factories.user(roles.ENTERPRISE, "cy_ent", uscc=cy.uscc),
        "incubator": factories.user(roles.INCUBATOR, "inc", incubator_code="INC-S"),
    }  # fmt: skip
