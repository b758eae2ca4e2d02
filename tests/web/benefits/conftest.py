"""Small worlds for the 免申即享 tests, made directly: enterprises in 东城 (the reward's district) and 朝阳 (the
canary), officials of each district, the municipal office, the enterprises' accounts, published snapshot rows and
their policy results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.core import clock
from tests.web import factories
from tests.web.conftest import CHAOYANG

DONGCHENG = "110101"
TODAY = dt.date(2026, 12, 7)
POLICY = "dongcheng-hte-reward"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def at(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)


def snapshot(as_of: dt.date = dt.date(2026, 11, 30), ruleset: str = "r" * 64) -> Any:
    from gaoqi.web.intake.models import Snapshot

    return Snapshot.objects.create(as_of=as_of, status=Snapshot.PUBLISHED, ruleset_hash=ruleset)


def result(snap: Any, ent: Any, status: str = "pass", amount: str | None = "10", *, policy: str = POLICY,
           version: str = "2022") -> Any:  # fmt: skip
    from gaoqi.web.enterprises.models import PolicyResult

    return PolicyResult.objects.create(
        snapshot=snap, enterprise=ent, policy_id=policy, policy_version=version, status=status,
        benefit_amount=None if amount is None else Decimal(amount),
    )  # fmt: skip


def derive(snap: Any) -> dict[str, int]:
    from django.db import transaction

    from gaoqi.web.benefits.services import benefits_derive

    with transaction.atomic():
        return benefits_derive(snap)


@pytest.fixture()
def world(db: Any) -> dict[str, Any]:
    dc = factories.enterprise(name="东城奖励测试科技有限公司", district_code=DONGCHENG)
    dc2 = factories.enterprise(name="东城第二测试科技有限公司", district_code=DONGCHENG)
    cy = factories.enterprise(name="朝阳金丝雀测试科技有限公司", district_code=CHAOYANG)
    return {
        "dc": dc, "dc2": dc2, "cy": cy,
        "dongcheng": factories.user(roles.DISTRICT, "dc_official", district_code=DONGCHENG),
        "chaoyang": factories.user(roles.DISTRICT, "cy_official", district_code=CHAOYANG),
        "municipal": factories.user(roles.MUNICIPAL, "muni"),
        "evaluator": factories.user(roles.EVALUATOR, "evaluator"),
        "ent": factories.user(roles.ENTERPRISE, "dc_ent", uscc=dc.uscc),
        "ent2": factories.user(roles.ENTERPRISE, "dc_ent2", uscc=dc2.uscc),
        "ent_cy": factories.user(roles.ENTERPRISE, "cy_ent", uscc=cy.uscc),
        "incubator": factories.user(roles.INCUBATOR, "inc", incubator_code="INC-S"),
    }  # fmt: skip


@pytest.fixture()
def granted(world: dict[str, Any]) -> dict[str, Any]:
    """The world after one snapshot: 东城's two enterprises and 朝阳's (its result says pass, as a data error
    might) each have a benefit notified today."""
    from gaoqi.web.benefits.models import Benefit

    snap = snapshot()
    for key in ("dc", "dc2", "cy"):
        result(snap, world[key])
    derive(snap)
    out = dict(world)
    out["snap"] = snap
    for key in ("dc", "dc2", "cy"):
        out[f"b_{key}"] = Benefit.objects.get(enterprise=world[key])
    return out
