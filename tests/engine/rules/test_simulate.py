"""simulate: the population impact of a parameter change (flips and fiscal cost)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest

from gaoqi.engine.rules import Policy, load_policies, simulate
from tests.engine.rules.support import POLICIES_DIR, Profiles, synthetic_population
from tests.engine.rules.support import PROFILES_AS_OF as AS_OF

D = Decimal
SYNTH_AS_OF = date(2026, 6, 30)


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


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    con = synthetic_population(tmp_path_factory, enterprises=300, seed=29, as_of=SYNTH_AS_OF)
    yield con
    con.close()


def _changed(value: object) -> str:
    if isinstance(value, bool):
        return str(not value).lower()
    if isinstance(value, Decimal):
        return str(value * D("1.1") + D("0.01"))
    if isinstance(value, date):
        return (value + timedelta(days=100)).isoformat()
    return "110108"


def test_one_pass_equals_both_versions_joined_for_every_parameter(
    policies: dict[str, Policy], population: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one-pass SELECT (only the conditions reading a changed parameter computed twice) gives the same
    flips and amounts as evaluating both versions in full and joining them, for every parameter."""
    module = importlib.import_module("gaoqi.engine.rules.simulate")
    one_pass = module.one_pass_sql
    checked = 0
    for pol in policies.values():
        version = pol.version_at(SYNTH_AS_OF)
        if version is None:
            continue
        for name, par in version.parameters.items():
            change = {name: _changed(par.value)}
            monkeypatch.setattr(module, "one_pass_sql", one_pass)
            got = simulate(population, SYNTH_AS_OF, pol, change, "field")
            monkeypatch.setattr(module, "one_pass_sql", lambda *a, **k: None)
            want = simulate(population, SYNTH_AS_OF, pol, change, "field")
            assert got == want, (pol.id, name)
            checked += 1
    assert checked > 30
