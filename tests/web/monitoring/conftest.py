"""Fixtures of the monitoring tests: a movable platform date, enterprises in 海淀 and 朝阳, officials of both
districts, the municipal office, an evaluator and an enterprise user; published snapshot rows to derive into."""

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
    now = {"day": dt.date(2026, 9, 30)}  # a Wednesday; 国庆 1–7 October 2026, Sat 10 October a make-up working day
    monkeypatch.setattr(platform_clock, "today", lambda: now["day"])
    return now


@pytest.fixture()
def mon(db: Any, clock: dict[str, dt.date]) -> dict[str, Any]:
    hd = f.enterprise(name="北京海淀预警测试科技有限公司", district_code=HAIDIAN)
    hd2 = f.enterprise(name="北京海淀另一家科技有限公司", district_code=HAIDIAN)
    cy = f.enterprise(name="北京朝阳预警测试科技有限公司", district_code=CHAOYANG)
    return {
        "clock": clock,
        "hd": hd,
        "hd2": hd2,
        "cy": cy,
        "ent": f.user(roles.ENTERPRISE, "mon_ent", uscc=hd.uscc),
        "haidian": f.user(roles.DISTRICT, "mon_haidian", district_code=HAIDIAN),
        "haidian2": f.user(roles.DISTRICT, "mon_haidian2", district_code=HAIDIAN),
        "chaoyang": f.user(roles.DISTRICT, "mon_chaoyang", district_code=CHAOYANG),
        "municipal": f.user(roles.MUNICIPAL, "mon_municipal"),
        "municipal2": f.user(roles.MUNICIPAL, "mon_municipal2"),
        "evaluator": f.user(roles.EVALUATOR, "mon_evaluator"),
    }


def published(as_of: dt.date) -> Any:
    """A published, current snapshot row (no DuckDB file behind it): what ``warnings_derive`` derives into."""
    from gaoqi.web.intake.models import Snapshot

    Snapshot.objects.filter(is_current=True).update(is_current=False)
    return Snapshot.objects.create(as_of=as_of, status=Snapshot.PUBLISHED, is_current=True, ruleset_hash="h")


def row(ent: Any, rule_id: str = "W05", *, severity: str = "HIGH", value: float = 0.08, **extra: Any) -> dict[str, Any]:
    """One row as the engine's ``Workspace.warning_rows`` gives it."""
    return {
        "uscc": ent.uscc, "rule_id": rule_id, "rule_version": "2026-01-01", "severity": severity,
        "name": "科技人员占比低于10%", "articles": ["国科发火〔2016〕32号 第十一条（四）"],
        "evidence": [{"feature": "st_staff_share", "label": "科技人员占比", "value": value, "unit": "%",
                      "feed": "annual_report", "file": "annual_report_2025.csv", "line": 17}],
        **extra,
    }  # fmt: skip
