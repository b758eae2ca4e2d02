"""simulate: the population impact of a parameter change (flips and fiscal cost)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gaoqi.engine.rules import Policy, load_policies, simulate
from tests.engine.rules.support import PROFILES_AS_OF as AS_OF
from tests.engine.rules.support import Profiles

D = Decimal
POLICIES_DIR = Path(__file__).resolve().parents[3] / "policies"


@pytest.fixture(scope="module")
def policies() -> dict[str, Policy]:
    return {p.id: p for p in load_policies(POLICIES_DIR)}


def test_simulate_reports_the_fiscal_cost(policies: dict[str, Policy]) -> None:
    pol = policies["dongcheng-hte-reward"]
    p = Profiles()
    base = {"district_code": "110101", "has_hte_certificate": True, "hte_prior_certificate": False}
    for days in (10, 200, 400, 700, 800):
        p.add(**base, hte_days_since_issue=days)
    got = simulate(p.con, AS_OF, pol, {"award_window_days": "730", "reward": "20"})
    assert got["flips"] == {"fail→pass": 2}
    assert got["cost"] == {
        "cost_before": D(20), "cost_after": D(80), "potential_before": D(0), "potential_after": D(0), "change": D(60),
    }  # fmt: skip
    assert got["group_cost"]["110101"]["change"] == D(60)
