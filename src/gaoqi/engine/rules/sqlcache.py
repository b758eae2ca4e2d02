"""Compiled SQL kept on disk for one-shot processes (``gaoqi explain``), beside the checked-policy cache.

Compiling a version (``compile.compile_condition``, ``compile_scores``, ``version_sql``) needs sqlglot and its
DuckDB dialect: ~100 ms of imports, more than the explanation itself. ``explain_cached`` runs ``explain``
with the pieces it needs read from a pickle instead: every ``compile._COMPILED`` entry of the version that an
explanation computed, with each sqlglot expression kept as its DuckDB text (``FrozenSQL``), and explain's
plan of the version (``explain._PLANS``: its columns' SQL types), so that even a fresh process's first
explanation is computed in Python (≈ 7 ms at 2M) rather than by the version's statement (≈ 35 ms).

The key: the engine's stamp (``load._engine_stamp``: the rules and features code, sqlglot's version, the
feature registry, the Python version), the code and data the SQL text depends on besides (``validate.py``,
the engine's data files), the policy file's sha256, the version id, its parameter values and the as-of
date (what the compiled statement is specific to). Any change of policy or engine gives another key: a
stale entry is never read. An entry is written only after it was replayed: the explanation computed with
the frozen pieces must equal the one computed with the compiled ones; if a replay from disk fails anyway,
the explanation is computed again without the cache. The frozen pieces live in ``_COMPILED`` only for the
call (the process's compiled pieces are left as they were), so nothing else ever receives one. Not for
threads: it swaps entries of a module-level dict. ``GAOQI_POLICY_CACHE=0`` turns it off with the policy cache;
``GAOQI_CACHE_DIR`` moves both.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gaoqi.engine.lazy import LazyModule
from gaoqi.engine.rules import compile as compiled_pieces
from gaoqi.engine.rules.explain import Explanation, explain
from gaoqi.engine.rules.ir import Policy, PolicyVersion
from gaoqi.engine.rules.load import _engine_stamp, _policy_cache_dir

if TYPE_CHECKING:
    import duckdb
    from sqlglot import exp
else:
    exp = LazyModule("sqlglot.expressions", globals(), "exp")

_FORMAT = "gaoqi-compiled-sql/2"
_stamp: str | None = None


@dataclass(frozen=True)
class FrozenSQL:
    """A compiled sqlglot expression kept as its DuckDB text: what ``.sql()`` of the expression gave."""

    text: str

    def sql(self, dialect: str | None = "duckdb", **_: Any) -> str:
        if dialect not in (None, "duckdb"):
            raise ValueError(f"cached SQL is DuckDB's, not {dialect}'s")
        return self.text

    def copy(self) -> FrozenSQL:
        return self


def _sql_stamp() -> str:
    """What the SQL text depends on beyond the engine stamp (fixed for the life of the process)."""
    global _stamp
    if _stamp is None:
        engine = Path(__file__).resolve().parents[1]
        files = [engine / "validate.py", engine / "lazy.py", *sorted((engine / "data").glob("*"))]
        parts = [_FORMAT, _engine_stamp()]
        for f in files:
            try:
                st = f.stat()
            except OSError:
                parts.append(f"{f}:missing")
            else:
                parts.append(f"{f}:{st.st_size}:{st.st_mtime_ns}")
        _stamp = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return _stamp


def _entry(policy: Policy, version: PolicyVersion, as_of: date) -> Path | None:
    folder = _policy_cache_dir()
    if folder is None or not version.sha256:
        return None
    params = [(n, p.type, str(p.value)) for n, p in version.parameters.items()]
    key = f"{_sql_stamp()}|{policy.id}|{version.sha256}|{version.id}|{params}|{as_of.isoformat()}"
    return folder.parent / "sql" / f"{hashlib.sha256(key.encode()).hexdigest()}.pickle"


def _freeze(value: Any) -> Any:
    """``value`` with every sqlglot expression in it (through dataclasses, tuples, lists, dicts) as FrozenSQL."""
    if isinstance(value, exp.Expr):
        return FrozenSQL(value.sql(dialect="duckdb"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = _freeze(old)
            if new is not old:
                changed[f.name] = new
        if not changed:
            return value
        out = copy.copy(value)
        for name, new in changed.items():
            object.__setattr__(out, name, new)
        return out
    if isinstance(value, (tuple, list)):
        items = [_freeze(v) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else type(value)(items)
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    return value


def _version_entries(table: dict[tuple[object, ...], Any], version: PolicyVersion) -> dict[tuple[object, ...], Any]:
    """The entries of ``version`` in one of the process's caches by version (``compile._COMPILED``, the explain
    plans ``explain._PLANS``: keys starting with ``compile._cache_key``), by key."""
    prefix = compiled_pieces._cache_key(version, "")[:-1]
    return {k: v[1] for k, v in table.items() if k[: len(prefix)] == prefix and v[0] is None}


@contextmanager
def _primed(entries: dict[str, dict[tuple[object, ...], Any]]) -> Iterator[None]:
    """``_COMPILED`` (and explain's ``_PLANS``) holding ``entries`` for the block; afterwards, what they held."""
    tables = {"compiled": compiled_pieces._COMPILED, "plans": _explain_module()._PLANS}
    before = {name: {k: tables[name][k] for k in part if k in tables[name]} for name, part in entries.items()}
    for name, part in entries.items():
        tables[name].update({k: (None, v) for k, v in part.items()})
    try:
        yield
    finally:
        for name, part in entries.items():
            for k in part:
                tables[name].pop(k, None)
            tables[name].update(before[name])


def _explain_module() -> Any:
    # the module: the package exports the function explain under the module's name
    return sys.modules["gaoqi.engine.rules.explain"]


def explain_cached(
    con: duckdb.DuckDBPyConnection, uscc: str, policy_id: str, as_of: date, policies: Sequence[Policy]
) -> Explanation:
    """``explain(con, uscc, policy_id, as_of, policies)``, its compiled SQL read from (or written to) the cache."""
    policy = next((p for p in policies if p.id == policy_id), None)
    version = None if policy is None else policy.version_at(as_of)
    path = None if policy is None or version is None else _entry(policy, version, as_of)
    if policy is None or version is None or path is None:
        return explain(con, uscc, policy_id, as_of, policies)
    try:
        entries = pickle.loads(path.read_bytes())
    except Exception:  # no entry yet, or unreadable: compile, then store what was compiled
        entries = None
    if isinstance(entries, dict) and set(entries) == {"compiled", "plans"}:
        try:
            with _primed(entries):
                return explain(con, uscc, policy_id, as_of, policies)
        except Exception:  # a piece the entry lacks or cannot give: compile as without the cache
            pass
    result = explain(con, uscc, policy_id, as_of, policies)
    _store(path, version, lambda: explain(con, uscc, policy_id, as_of, policies), result)
    return result


def _store(path: Path, version: PolicyVersion, again: Callable[[], Explanation], result: Explanation) -> None:
    """Write the version's compiled pieces, frozen, if the explanation replayed with them is the same."""
    try:
        frozen = {
            # the compiled pieces, and the plan that lets a fresh process's first explain run in Python
            "compiled": {k: _freeze(v) for k, v in _version_entries(compiled_pieces._COMPILED, version).items()},
            "plans": _version_entries(_explain_module()._PLANS, version),
        }
        with _primed(frozen):
            replayed = again()
        if replayed.to_json() != result.to_json():
            return
        data = pickle.dumps(frozen, protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except Exception:  # pieces that do not freeze or replay, or an unwritable cache: no entry
        return
