"""The compiled-SQL cache of ``gaoqi explain`` (rules.sqlcache): the same explanation as compiling, nothing
compiled on a hit, another entry for any change of policy or engine, and a bad entry never served."""

from __future__ import annotations

import importlib
import pickle
from pathlib import Path
from typing import Any

import pytest

from gaoqi.engine.rules import Policy, explain, load_policies, sqlcache
from gaoqi.engine.rules import compile as compiled_pieces
from gaoqi.engine.rules.sqlcache import FrozenSQL, explain_cached
from tests.engine.rules.support import AS_OF, POLICIES_DIR
from tests.engine.rules.support import HteWorkspace as Workspace

# the module, not the function the package exports under the same name
explain_module = importlib.import_module("gaoqi.engine.rules.explain")


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a fresh process knows: nothing compiled, no explain plan recorded (its first explain runs the SQL)."""
    monkeypatch.setattr(compiled_pieces, "_COMPILED", {})
    monkeypatch.setattr(explain_module, "_PLANS", {})


HTE = "hte-certification"


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GAOQI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("GAOQI_POLICY_CACHE", "1")
    return tmp_path / "cache" / "sql"


@pytest.fixture()
def fresh(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """An empty table of compiled pieces (as in a new process), and counts of what gets compiled."""
    _new_process(monkeypatch)
    calls = {"condition": 0, "statement": 0}
    condition, statement = compiled_pieces._compile_condition, compiled_pieces._version_sql

    def count_condition(*args: Any, **kwargs: Any) -> Any:
        calls["condition"] += 1
        return condition(*args, **kwargs)

    def count_statement(*args: Any, **kwargs: Any) -> Any:
        calls["statement"] += 1
        return statement(*args, **kwargs)

    monkeypatch.setattr(compiled_pieces, "_compile_condition", count_condition)
    monkeypatch.setattr(compiled_pieces, "_version_sql", count_statement)
    return calls


def _hte(directory: Path = POLICIES_DIR) -> list[Policy]:
    return [p for p in load_policies(directory) if p.id == HTE]


def _companies(ws: Workspace) -> list[str]:
    return [
        ws.company(sales=(1000, 2000, 2000), rd=(70, 70, 75)),  # fails on the R&D ratio
        ws.company(sales=(1000, 2000, 2000), rd=(200, 200, 200)),
        ws.company(sales=(30000, 40000, 50000), rd=(100, 100, 100), patent=False),
    ]


def test_a_cached_explanation_is_the_compiled_one_and_compiles_nothing(
    cache: Path, fresh: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, policies = Workspace(), _hte()
    usccs = _companies(ws)
    ws.evaluate(policies)
    expected = {u: explain(ws.con, u, HTE, AS_OF, policies).to_json() for u in usccs}
    _new_process(monkeypatch)  # a new process: nothing compiled yet
    assert explain_cached(ws.con, usccs[0], HTE, AS_OF, policies).to_json() == expected[usccs[0]]
    entries = list(cache.glob("*.pickle"))
    assert len(entries) == 1  # one entry per (policy file, version, parameters, as-of, engine)
    stored = pickle.loads(entries[0].read_bytes())
    assert any(isinstance(v, str) for v in stored["compiled"].values())  # the statement
    assert all("sqlglot" not in type(v).__module__ for v in stored["compiled"].values())
    assert len(stored["plans"]) == 1  # the column types a warm explain needs

    _new_process(monkeypatch)  # the next process: read, not compiled, and its first explain runs in Python
    fresh.update(condition=0, statement=0)
    queries: list[str] = []
    real_execute = ws.con.execute

    class Counting:  # DuckDB's connection cannot be patched: wrap it to see the statements explain runs
        def __getattr__(self, name: str) -> Any:
            return getattr(ws.con, name)

        def execute(self, sql: str, *args: Any) -> Any:
            queries.append(sql)
            return real_execute(sql, *args)

    for u in usccs:
        assert explain_cached(Counting(), u, HTE, AS_OF, policies).to_json() == expected[u]  # type: ignore[arg-type]
    assert fresh == {"condition": 0, "statement": 0}
    assert not [q for q in queries if "AS policy_id" in q]  # no detail statement: the plan came from the entry
    assert compiled_pieces._COMPILED == {} and explain_module._PLANS == {}  # the call's only: nothing kept


def test_a_changed_policy_or_engine_reads_another_entry(
    cache: Path, fresh: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, policies = Workspace(), _hte()
    u = _companies(ws)[0]
    ws.evaluate(policies)
    before = explain_cached(ws.con, u, HTE, AS_OF, policies)
    assert before["binding_condition"] == "rd_ratio"
    # the R&D ratio required in the lowest sales tier lowered to 4%: the enterprise's 4.3% now passes
    text = (POLICIES_DIR / f"{HTE}.yaml").read_text(encoding="utf-8")
    changed = text.replace(
        "rd_ratio_tier1: {type: ratio, value: 0.05,", "rd_ratio_tier1: {type: ratio, value: 0.04,", 1
    )
    assert changed != text
    pdir = tmp_path / "policies"
    pdir.mkdir()
    (pdir / f"{HTE}.yaml").write_text(changed, encoding="utf-8")
    edited = _hte(pdir)
    _new_process(monkeypatch)
    after = explain_cached(ws.con, u, HTE, AS_OF, edited)
    assert after.to_json() == explain(ws.con, u, HTE, AS_OF, edited).to_json()
    assert {c["id"]: c["outcome"] for c in after["conditions"]}["rd_ratio"] == "pass"
    assert len(list(cache.glob("*.pickle"))) == 2
    # the engine's code changed (its stamp): another key again, never the old entry
    monkeypatch.setattr(sqlcache, "_stamp", None)
    monkeypatch.setattr(sqlcache, "_engine_stamp", lambda: "another engine")
    _new_process(monkeypatch)
    assert explain_cached(ws.con, u, HTE, AS_OF, policies).to_json() == before.to_json()
    assert len(list(cache.glob("*.pickle"))) == 3


def test_a_bad_entry_is_not_served(cache: Path, fresh: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    ws, policies = Workspace(), _hte()
    u = _companies(ws)[0]
    ws.evaluate(policies)
    expected = explain(ws.con, u, HTE, AS_OF, policies).to_json()
    _new_process(monkeypatch)
    explain_cached(ws.con, u, HTE, AS_OF, policies)
    [entry] = cache.glob("*.pickle")
    stored = pickle.loads(entry.read_bytes())
    # unreadable: compiled again (and stored again)
    entry.write_bytes(b"not a pickle")
    _new_process(monkeypatch)
    assert explain_cached(ws.con, u, HTE, AS_OF, policies).to_json() == expected
    assert pickle.loads(entry.read_bytes()).keys() == stored.keys()
    # a statement that does not run: the explanation is computed as without the cache
    broken = {
        "compiled": {
            k: (FrozenSQL("SELECT no_such_column") if isinstance(v, str) else v) for k, v in stored["compiled"].items()
        },
        "plans": {},  # no plan: the first explain runs the (broken) statement
    }
    entry.write_bytes(pickle.dumps(broken))
    _new_process(monkeypatch)
    assert explain_cached(ws.con, u, HTE, AS_OF, policies).to_json() == expected


def test_no_entry_without_the_cache(cache: Path, fresh: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAOQI_POLICY_CACHE", "0")
    ws, policies = Workspace(), _hte()
    u = _companies(ws)[0]
    ws.evaluate(policies)
    assert (
        explain_cached(ws.con, u, HTE, AS_OF, policies).to_json() == explain(ws.con, u, HTE, AS_OF, policies).to_json()
    )
    assert not cache.exists()
