"""A warm explain (Python: ``interpret`` and ``gaptext``) gives what the version's statement gives (the cold
explain, SQL): the same outcomes, values, types, gap sentences and levers, byte for byte."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaoqi.engine.rules import explain as explain_fn
from gaoqi.engine.rules import gaptext
from gaoqi.engine.rules.compile import _unit, compile_condition, explain_order
from gaoqi.engine.rules.ir import Policy
from gaoqi.engine.rules.load import load_policies
from tests.engine.rules.support import POLICIES_DIR, synthetic_population

AS_OF = date(2026, 6, 30)
_module = importlib.import_module("gaoqi.engine.rules.explain")  # the package exports the function


@pytest.fixture(scope="module")
def policies() -> list[Policy]:
    return load_policies(POLICIES_DIR)


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    con = synthetic_population(tmp_path_factory, enterprises=150, seed=31, as_of=AS_OF)
    yield con
    con.close()


def test_warm_explain_equals_the_sql_for_every_shipped_policy(
    population: duckdb.DuckDBPyConnection, policies: list[Policy], monkeypatch: pytest.MonkeyPatch
) -> None:
    usccs = [r[0] for r in population.execute("SELECT uscc FROM profile ORDER BY uscc").fetchall()]
    in_force = [p for p in policies if p.version_at(AS_OF) is not None]
    warm = {(p.id, u): explain_fn(population, u, p.id, AS_OF, policies).to_json() for p in in_force for u in usccs}
    sql_calls = 0
    sql_detail = _module._sql_detail

    def counted(*args: Any) -> Any:
        nonlocal sql_calls
        sql_calls += 1
        return sql_detail(*args)

    monkeypatch.setattr(_module, "_sql_detail", counted)
    again = {(p.id, u): explain_fn(population, u, p.id, AS_OF, policies).to_json() for p in in_force for u in usccs}
    assert sql_calls == 0  # warm: no statement for the evaluation
    monkeypatch.setattr(_module, "_plan", lambda *_: None)  # every call through the version's statement
    cold = {(p.id, u): explain_fn(population, u, p.id, AS_OF, policies).to_json() for p in in_force for u in usccs}
    assert sql_calls == len(cold)
    assert warm == cold == again
    fails = sum('"outcome": "fail"' in text for text in cold.values())
    assert fails > len(cold) // 4  # gap sentences compared, not only passes


def _plans(con: duckdb.DuckDBPyConnection, policies: list[Policy]) -> list[tuple[Any, Any, Any]]:
    """(compiled condition, its plan's column types) for every condition of the versions in force."""
    uscc = con.execute("SELECT min(uscc) FROM profile").fetchall()[0][0]
    out = []
    for p in policies:
        version = p.version_at(AS_OF)
        if version is None:
            continue
        _module._PLANS.clear()
        explain_fn(con, uscc, p.id, AS_OF, policies)
        ((_, plan),) = _module._PLANS.values()
        for cond in explain_order(version):
            out.append((compile_condition(cond, version), plan.conditions[cond.id], plan.levers.get(cond.id)))
    return out


def _value(draw: st.DrawFn, sql_type: str) -> Any:
    if sql_type.startswith("DECIMAL("):
        width, scale = (int(x) for x in sql_type[8:-1].split(","))
        digits = min(width, scale + 6)  # up to a million: a lever's product stays within DECIMAL(38)
        kind = draw(st.sampled_from(["any", "small", "half"]))
        if kind == "small":
            n = draw(st.integers(-(10**4), 10**4))
        elif kind == "half":  # on a rounding boundary of 2 or 4 decimals
            at = draw(st.sampled_from([d for d in (2, 4, 6, 8, 10) if d < scale] or [0]))
            n = draw(st.integers(-(10**6), 10**6)) * 10 ** (scale - at) + 5 * 10 ** max(scale - at - 1, 0)
        else:
            n = draw(st.integers(-(10**digits) + 1, 10**digits - 1))
        return Decimal(n).scaleb(-scale)
    if sql_type == "DOUBLE":
        kind = draw(st.sampled_from(["float", "ratio", "half"]))
        if kind == "half":
            return draw(st.integers(-(10**6), 10**6)) / 100 + 0.005
        if kind == "ratio":
            return draw(st.integers(0, 10**6)) / draw(st.integers(1, 10**6))
        return draw(st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
    if sql_type in ("INTEGER", "BIGINT", "HUGEINT"):
        return draw(st.integers(-(10**6), 10**6))
    if sql_type == "BOOLEAN":
        return draw(st.booleans())
    if sql_type == "DATE":
        return draw(st.dates(date(1990, 1, 1), date(2040, 12, 31)))
    if sql_type == "VARCHAR":
        return draw(st.sampled_from(["110108", "110101", "999999", "x"]))
    raise AssertionError(sql_type)


def _literal(value: Any, sql_type: str) -> str:
    if value is None:
        return f"CAST(NULL AS {sql_type})"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return f"CAST('{value!s}' AS {sql_type})" if not isinstance(value, float) else f"CAST({value!r} AS DOUBLE)"


def test_python_gap_sentences_equal_the_sql(population: duckdb.DuckDBPyConnection, policies: list[Policy]) -> None:
    """gaptext.gap_text and lever_value against CompiledCondition.gap_text and lever, over drawn values of
    every shipped condition's column types (boundaries of rounding, zero, negatives, floats)."""
    conditions = _plans(population, policies)
    con = duckdb.connect()

    @settings(max_examples=300, deadline=None)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        cc, types, lever_type = data.draw(st.sampled_from(conditions))
        _ok, obs_t, req_t, per_t = types[:4]
        obs = data.draw(st.composite(lambda draw: _value(draw, obs_t))())
        req = data.draw(st.composite(lambda draw: _value(draw, req_t))())
        per = None
        if cc.per is not None:
            per = data.draw(st.one_of(st.none(), st.composite(lambda draw: _value(draw, per_t))()))
        lits = [_literal(obs, obs_t), _literal(req, req_t)]
        per_sql = None if cc.per is None else _literal(per, per_t)
        text, lever = con.execute(
            f"SELECT {cc.gap_text(*lits, per_sql)}, {cc.lever(*lits, per_sql) or 'NULL'}"
        ).fetchall()[0]
        assert gaptext.gap_text(cc, obs, req, per if cc.per is not None else None) == text
        # the typed difference is the number and unit the SQL's sentence states after 差/超出/相差
        diff = gaptext.difference(cc, obs, req)
        if diff is not None and text is not None:
            unit = " " + diff.unit if diff.unit == "个百分点" else _unit(diff.unit)
            assert f"，{diff.word} {format(diff.amount, 'f')}{unit}" in text
        elif cc.cond.observed_type not in ("boolean", "text", "date") and text is not None:
            raise AssertionError(f"a numeric sentence without a typed difference: {text}")
        if cc.per is not None:
            assert _module._typed(gaptext.lever_value(obs, req, per), lever_type) == lever

    check()
