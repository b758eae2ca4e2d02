"""Fixtures of the 快申快享 tests: two test policies beside the catalogue's (a 海淀 district reward and a city
grant, each with an attested condition), a movable platform date, and enterprises with and without sales."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.core import clock as platform_clock
from tests.web.conftest import CHAOYANG, HAIDIAN, make_user

HERE = Path(__file__).parent
DISTRICT_POLICY, CITY_POLICY = "qa-district-reward", "qa-city-grant"


@pytest.fixture()
def test_policies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalogue with the two test policies (the platform reads policies through policies.selectors)."""
    from gaoqi.engine import load_policies
    from gaoqi.web.policies import selectors as ps

    base, extra = ps.catalogue(), tuple(load_policies(HERE / "policies"))
    monkeypatch.setattr(ps, "catalogue", lambda: (*base, *extra))


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, dt.date]:
    now = {"day": dt.date(2026, 7, 1)}
    monkeypatch.setattr(platform_clock, "today", lambda: now["day"])
    return now


def _profile(uscc: str) -> dict[str, Any]:
    from gaoqi.web.intake.selectors import snapshot_workspace

    ws = snapshot_workspace()
    assert ws is not None
    with ws:
        return dict(ws.profile(uscc))


def with_sales(district: str, *, sales: bool = True, skip: int = 0) -> str:
    """An enterprise of ``district`` whose profile has positive sales last year (or none / zero)."""
    from gaoqi.web.enterprises.models import Enterprise

    found = 0
    for code in Enterprise.objects.filter(district_code=district).order_by("uscc").values_list("uscc", flat=True):
        value = _profile(code).get("sales_revenue_last_year")
        if (value is not None and value > 0) == sales:
            if found == skip:
                return str(code)
            found += 1
    raise AssertionError(f"no enterprise of {district} with sales={sales}")


@pytest.fixture()
def people(snapshot: Any, test_policies: None, clock: dict[str, dt.date]) -> dict[str, Any]:
    """An enterprise user of a 海淀 enterprise with sales, one without, one of 朝阳; officials of 海淀, 朝阳 and the city."""
    good = with_sales(HAIDIAN)
    return {
        "ent": make_user(roles.ENTERPRISE, "qa_ent", uscc=good),
        "ent_other": make_user(roles.ENTERPRISE, "qa_ent2", uscc=with_sales(HAIDIAN, skip=1)),
        "ent_nosales": make_user(roles.ENTERPRISE, "qa_nosales", uscc=with_sales(HAIDIAN, sales=False)),
        "ent_chaoyang": make_user(roles.ENTERPRISE, "qa_cy", uscc=with_sales(CHAOYANG)),
        "haidian": make_user(roles.DISTRICT, "qa_hd", district_code=HAIDIAN),
        "haidian2": make_user(roles.DISTRICT, "qa_hd2", district_code=HAIDIAN),
        "chaoyang": make_user(roles.DISTRICT, "qa_cy_off", district_code=CHAOYANG),
        "municipal": make_user(roles.MUNICIPAL, "qa_muni"),
        "municipal2": make_user(roles.MUNICIPAL, "qa_muni2"),
        "evaluator": make_user(roles.EVALUATOR, "qa_eval"),
    }
