"""Imports made on first use: sqlglot (~50 ms to import, ~40 ms more for its DuckDB dialect) is needed to parse
and compile policies, not to run a statement already compiled. ``gaoqi explain`` reads its compiled SQL from
the cache (``rules.sqlcache``) and so never imports it (tests/test_lean_imports.py keeps it so).

A module that needs sqlglot only when it compiles writes::

    if TYPE_CHECKING:
        import sqlglot
        from sqlglot import exp
    else:
        sqlglot = LazyModule("sqlglot", globals(), "sqlglot")
        exp = LazyModule("sqlglot.expressions", globals(), "exp")

and a module-level table of sqlglot classes is a ``LazyMapping``, built when first read. A package whose public
names load on first use (PEP 562) sets ``__getattr__ = lazy_attributes(__name__, TABLE, globals())``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")


def lazy_attributes(
    package: str, table: Mapping[str, tuple[str, str]], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` (PEP 562) giving each name of ``table`` (name → (module, attribute)) by importing
    its module on first use, then keeping it in ``namespace`` so later reads are plain global lookups."""

    def __getattr__(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attr = table[name]
        value = getattr(importlib.import_module(module), attr)
        namespace[name] = value
        return value

    return __getattr__


class LazyModule:
    """Stands for ``import NAME as ALIAS`` in a module's globals: the first attribute read imports NAME and
    puts the module itself in the stand-in's place, so that later reads are plain global lookups."""

    def __init__(self, name: str, namespace: dict[str, Any], alias: str) -> None:
        self._lazy = (name, namespace, alias)

    def __getattr__(self, attr: str) -> Any:
        name, namespace, alias = self._lazy
        module = importlib.import_module(name)
        if namespace.get(alias) is self:
            namespace[alias] = module
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<module {self._lazy[0]!r}, imported on first use>"


class LazyMapping(Mapping[_K, _V]):
    """A constant mapping built by ``build`` when first read (e.g. keyed by classes of a lazy module)."""

    def __init__(self, build: Callable[[], Mapping[_K, _V]]) -> None:
        self._build = build
        self._data: Mapping[_K, _V] | None = None

    def _mapping(self) -> Mapping[_K, _V]:
        if self._data is None:
            self._data = self._build()
        return self._data

    def __getitem__(self, key: _K) -> _V:
        return self._mapping()[key]

    def __iter__(self) -> Iterator[_K]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())

    def __contains__(self, key: object) -> bool:
        return key in self._mapping()
