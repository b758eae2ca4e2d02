"""The district evaluation's indicators as data (``policies/evaluation/indicators.yaml``, ADR 0032).

File format::

    id: district-hte-evaluation
    name: 各区高新技术企业工作第三方评价
    versions:
      - id: "2026"
        valid_from: 2025-01-01          # the version in force on 31 December of the evaluation year is used
        valid_to: null
        source: programmes.md §7.2 (proposed, DEFAULT)
        indicators:
          - code: D1
            name: 高企存量增长率
            definition: （年末有效高企数 − 上年末有效高企数）÷ 上年末有效高企数
            formula: ratio(hte_valid - hte_valid_prev, hte_valid_prev)
            direction: higher            # or lower (lower is better: the score is inverted)
            weight: 15
            unit: ratio                  # ratio (shown as a percentage), count or money
            source: programmes.md §7.2 D1
            unconfirmed: true            # a DEFAULT until a text confirms it (the pages say 默认值，待确认)

A formula is arithmetic over measure names (``measures.MeasureSpec``: the engine's and those the caller
declares): ``+ - * /``, numeric literals, parentheses and ``ratio(a, b)`` — a ÷ b, no data when b is 0 or has no
data. It is parsed with SQLGlot and refused AT LOAD, with the file and line, when it names an unknown measure (or
one whose provider is pending), uses anything else (a function, a column of a table, a comparison), or divides
with ``/`` by anything that can be zero: only a non-zero number or a measure declared ``nonzero`` may follow
``/``; everything else (a measure, a difference, a product) must be written with ``ratio``.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from gaoqi.engine.evaluation.measures import ENGINE_MEASURES, MeasureSpec
from gaoqi.engine.rules.load import PolicyError, PolicyLoadError, _List, _Map, parse_located
from gaoqi.engine.rules.load import _Ctx as _LoadCtx
from gaoqi.engine.validate import district_codes

DIRECTIONS = ("higher", "lower")
UNITS = ("ratio", "count", "money")
_CODE_OK = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_TOP_KEYS = {"id", "name", "versions"}
_VERSION_KEYS = {"id", "valid_from", "valid_to", "source", "indicators"}
_INDICATOR_KEYS = {"code", "name", "definition", "formula", "direction", "weight", "unit", "source", "unconfirmed"}


class IndicatorLoadError(ValueError):
    """An indicator file refused at load: every problem with its file and line (``errors``)."""

    def __init__(self, errors: list[PolicyError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    definition: str
    formula: str
    sql: str  # the formula compiled to SQL over the pivoted measures (alias ``m``)
    measures: tuple[str, ...]
    direction: str
    weight: Decimal
    unit: str
    source: str
    unconfirmed: bool
    line: int


@dataclass(frozen=True)
class IndicatorVersion:
    id: str
    valid_from: date
    valid_to: date | None
    source: str
    indicators: tuple[Indicator, ...]
    line: int

    @property
    def measures(self) -> tuple[str, ...]:
        """Every measure the version's formulas read, in first-use order."""
        seen: dict[str, None] = {}
        for i in self.indicators:
            seen.update(dict.fromkeys(i.measures))
        return tuple(seen)


@dataclass(frozen=True)
class IndicatorSet:
    id: str
    name: str
    versions: tuple[IndicatorVersion, ...]
    file: str
    sha256: str  # of the file's bytes: what a report stamps

    def version_for_year(self, year: int) -> IndicatorVersion | None:
        """The version in force on 31 December of ``year``."""
        day = date(year, 12, 31)
        for v in self.versions:
            if v.valid_from <= day and (v.valid_to is None or day <= v.valid_to):
                return v
        return None


@dataclass(frozen=True)
class Subpark:
    """A Zhongguancun sub-park (分园) as an area: the districts whose measures it sums."""

    code: str
    name: str
    districts: tuple[str, ...]
    unconfirmed: bool
    line: int


def default_evaluation_dir() -> Path:
    """``policies/evaluation`` beside the policies ($GAOQI_POLICIES, else the repository's)."""
    from gaoqi.engine.rules.evaluate import default_policy_dir

    return default_policy_dir() / "evaluation"


def default_indicator_path() -> Path:
    return default_evaluation_dir() / "indicators.yaml"


def default_subpark_path() -> Path:
    return default_evaluation_dir() / "subparks.yaml"


def known_measures(extra: Iterable[MeasureSpec] = ()) -> dict[str, MeasureSpec]:
    """The engine's measures and the caller's (a name declared twice: the caller's wins)."""
    out = {m.name: m for m in ENGINE_MEASURES}
    out.update({m.name: m for m in extra})
    return out


def load_indicators(path: Path | str, measures: Iterable[MeasureSpec] = ()) -> IndicatorSet:
    """The indicator file at ``path``, checked against the engine's measures and ``measures`` (the caller's)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise IndicatorLoadError([PolicyError(str(p), 0, f"cannot read: {e.strerror}")]) from e
    return load_indicators_bytes(data, str(p), measures)


def load_indicators_bytes(data: bytes, file: str, measures: Iterable[MeasureSpec] = ()) -> IndicatorSet:
    """An indicator file's bytes (a report's stored copy) through the same checks; ``file`` names it in errors."""
    ctx = _Ctx(file, known_measures(measures))
    try:
        doc = parse_located(data, file)
    except PolicyLoadError as e:
        raise IndicatorLoadError(e.errors) from e
    result = _load_doc(doc, ctx, hashlib.sha256(data).hexdigest())
    if ctx.errors or result is None:
        raise IndicatorLoadError(ctx.errors or [PolicyError(file, 0, "no indicator set")])
    return result


class _Ctx(_LoadCtx):
    """The policy loader's context (errors with file and line, ``date``) with the measures formulas may name."""

    def __init__(self, file: str, measures: Mapping[str, MeasureSpec]) -> None:
        super().__init__(file)
        self.measures = measures


def _text(m: _Map, key: str, ctx: _Ctx, *, required: bool = True) -> str:
    value = m.get(key)
    if value is None or value == "":
        if required:
            ctx.err(m.line, f"missing '{key}'")
        return ""
    if isinstance(value, (_Map, _List)):
        ctx.err(m.lines[key], f"'{key}' must be a scalar")
        return ""
    return str(value)


def _unknown_keys(m: _Map, allowed: set[str], where: str, ctx: _Ctx) -> None:
    for key in m:
        if key not in allowed:
            ctx.err(m.lines[key], f"unknown key '{key}'{where}")


def _load_doc(doc: Any, ctx: _Ctx, sha256: str) -> IndicatorSet | None:
    if not isinstance(doc, _Map):
        ctx.err(getattr(doc, "line", 1), "an indicator file must be a mapping with 'id', 'name' and 'versions'")
        return None
    _unknown_keys(doc, _TOP_KEYS, "", ctx)
    sid, name = _text(doc, "id", ctx), _text(doc, "name", ctx)
    raw = doc.get("versions")
    if not isinstance(raw, _List) or not raw:
        ctx.err(doc.lines.get("versions", doc.line), "'versions' must be a non-empty list")
        return None
    versions = [v for v in (_load_version(item, ctx) for item in raw) if v is not None]
    seen: set[str] = set()
    ordered = sorted(versions, key=lambda v: v.valid_from)
    for v in versions:
        if v.id in seen:
            ctx.err(v.line, f"duplicate version id '{v.id}'")
        seen.add(v.id)
    for a, b in itertools.pairwise(ordered):
        if a.valid_to is None or a.valid_to >= b.valid_from:
            ctx.err(b.line, f"version '{b.id}' overlaps version '{a.id}' (give '{a.id}' a valid_to before it)")
    return IndicatorSet(sid, name, tuple(ordered), ctx.file, sha256)


def _load_version(item: Any, ctx: _Ctx) -> IndicatorVersion | None:
    if not isinstance(item, _Map):
        ctx.err(getattr(item, "line", 0), "a version must be a mapping")
        return None
    _unknown_keys(item, _VERSION_KEYS, " in version", ctx)
    vid = _text(item, "id", ctx)
    valid_from = ctx.date(item, "valid_from")
    valid_to = ctx.date(item, "valid_to", required=False)
    if valid_from and valid_to and valid_to < valid_from:
        ctx.err(item.lines["valid_to"], f"version '{vid}': valid_to {valid_to} is before valid_from {valid_from}")
    raw = item.get("indicators")
    if not isinstance(raw, _List) or not raw:
        ctx.err(item.lines.get("indicators", item.line), "'indicators' must be a non-empty list")
        return None
    indicators = [i for i in (_load_indicator(x, ctx) for x in raw) if i is not None]
    codes: set[str] = set()
    for i in indicators:
        if i.code in codes:
            ctx.err(i.line, f"duplicate indicator code '{i.code}'")
        codes.add(i.code)
    if indicators and sum(i.weight for i in indicators) <= 0:
        ctx.err(item.lines["indicators"], "the weights must add up to more than 0")
    if valid_from is None:
        return None
    return IndicatorVersion(vid, valid_from, valid_to, _text(item, "source", ctx, required=False),
                            tuple(indicators), item.line)  # fmt: skip


def _load_indicator(m: Any, ctx: _Ctx) -> Indicator | None:
    if not isinstance(m, _Map):
        ctx.err(getattr(m, "line", 0), "an indicator must be a mapping")
        return None
    _unknown_keys(m, _INDICATOR_KEYS, " in indicator", ctx)
    code = _text(m, "code", ctx)
    if code and (not set(code) <= _CODE_OK or not code[0].isalpha()):
        ctx.err(m.lines["code"], f"indicator code '{code}' must be letters, digits and _ (a letter first)")
    direction = _text(m, "direction", ctx)
    if direction and direction not in DIRECTIONS:
        ctx.err(m.lines["direction"], f"direction '{direction}' must be one of {', '.join(DIRECTIONS)}")
    unit = _text(m, "unit", ctx)
    if unit and unit not in UNITS:
        ctx.err(m.lines["unit"], f"unit '{unit}' must be one of {', '.join(UNITS)}")
    weight = m.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, (int, Decimal)) or weight < 0:
        ctx.err(m.lines.get("weight", m.line), f"'weight' must be a number ≥ 0, not {weight!r}")
        weight = Decimal(0)
    unconfirmed = m.get("unconfirmed", False)
    if not isinstance(unconfirmed, bool):
        ctx.err(m.lines["unconfirmed"], "'unconfirmed' must be true or false")
        unconfirmed = True
    formula = _text(m, "formula", ctx)
    compiled = compile_formula(formula, ctx, m.lines.get("formula", m.line)) if formula else None
    if compiled is None:
        return None
    sql, used = compiled
    return Indicator(
        code, _text(m, "name", ctx), _text(m, "definition", ctx), formula, sql, used, direction,
        Decimal(weight), unit, _text(m, "source", ctx, required=False), unconfirmed, m.line,
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------------
# Formulas


class _Refused(Exception):
    pass


def _unparen(e: exp.Expr) -> exp.Expr:
    while isinstance(e, exp.Paren):
        e = e.this
    return e


def compile_formula(text: str, ctx: _Ctx, line: int) -> tuple[str, tuple[str, ...]] | None:
    """The formula as DuckDB SQL over ``m.<measure>`` and the measures it reads; None (and an error at
    ``line``) when it is refused."""
    try:
        tree = sqlglot.parse_one(text, read="duckdb")
    except sqlglot.errors.ParseError as e:
        ctx.err(line, f"formula '{text}' cannot be parsed: {str(e).splitlines()[0]}")
        return None
    used: dict[str, None] = {}
    try:
        sql = _emit(tree, ctx, used)
    except _Refused as e:
        ctx.err(line, f"formula '{text}': {e}")
        return None
    return sql, tuple(used)


def _emit(e: exp.Expr, ctx: _Ctx, used: dict[str, None]) -> str:
    e = _unparen(e)
    if isinstance(e, exp.Column):
        if e.table or not isinstance(e.this, exp.Identifier):
            raise _Refused(f"'{e.sql()}' is not a measure name")
        name = e.name
        spec = ctx.measures.get(name)
        if spec is None:
            raise _Refused(f"unknown measure '{name}' (known: {', '.join(sorted(ctx.measures))})")
        if spec.pending:
            raise _Refused(f"measure '{name}' has no provider yet (pending: {spec.provider})")
        used[name] = None
        return f'm."{name}"'
    if isinstance(e, exp.Literal) and not e.is_string:
        return f"CAST({Decimal(e.this)} AS DOUBLE)"
    if isinstance(e, exp.Neg):
        return f"(-{_emit(e.this, ctx, used)})"
    if isinstance(e, (exp.Add, exp.Sub, exp.Mul)):
        op = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*"}[type(e)]
        return f"({_emit(e.left, ctx, used)} {op} {_emit(e.right, ctx, used)})"
    if isinstance(e, exp.Div):
        den = _unparen(e.right)
        safe = (isinstance(den, exp.Literal) and not den.is_string and Decimal(den.this) != 0) or (
            isinstance(den, exp.Column) and (spec := ctx.measures.get(den.name)) is not None and spec.nonzero
        )
        if not safe:
            raise _Refused(
                f"divides by '{den.sql()}', which can be zero: write ratio(numerator, denominator) "
                "(no data when the denominator is 0), or divide only by a measure declared nonzero"
            )
        return f"({_emit(e.left, ctx, used)} / {_emit(e.right, ctx, used)})"
    if isinstance(e, exp.Anonymous) and str(e.this).lower() == "ratio":
        if len(e.expressions) != 2:
            raise _Refused("ratio takes two arguments: ratio(numerator, denominator)")
        top, bottom = (_emit(x, ctx, used) for x in e.expressions)
        return f"(CAST({top} AS DOUBLE) / NULLIF(CAST({bottom} AS DOUBLE), 0))"
    raise _Refused(f"'{e.sql()}' is not allowed (measures, numbers, + - * /, ratio(a, b) only)")


# ------------------------------------------------------------------------------------------------------
# Sub-parks


def load_subparks(path: Path | str) -> tuple[list[Subpark], str]:
    """The sub-park mapping (``subparks.yaml``: a list of {code, name, districts, unconfirmed}) and its SHA-256;
    refused with file and line for an unknown district code or a duplicate sub-park."""
    p = Path(path)
    data = p.read_bytes()
    return load_subparks_bytes(data, str(p)), hashlib.sha256(data).hexdigest()


def load_subparks_bytes(data: bytes, file: str) -> list[Subpark]:
    ctx = _Ctx(file, {})
    try:
        doc = parse_located(data, file)
    except PolicyLoadError as e:
        raise IndicatorLoadError(e.errors) from e
    items = doc.get("subparks") if isinstance(doc, _Map) else None
    if not isinstance(items, _List) or not items:
        raise IndicatorLoadError([PolicyError(file, getattr(doc, "line", 1), "'subparks' must be a non-empty list")])
    known = district_codes()
    out: list[Subpark] = []
    seen: set[str] = set()
    for m in items:
        if not isinstance(m, _Map):
            ctx.err(getattr(m, "line", 0), "a sub-park must be a mapping")
            continue
        _unknown_keys(m, {"code", "name", "districts", "unconfirmed"}, " in sub-park", ctx)
        code, name = _text(m, "code", ctx), _text(m, "name", ctx)
        if code in seen:
            ctx.err(m.line, f"duplicate sub-park code '{code}'")
        seen.add(code)
        ds = m.get("districts")
        if not isinstance(ds, _List) or not ds:
            ctx.err(m.lines.get("districts", m.line), "'districts' must be a non-empty list of district codes")
            continue
        for d, line in zip(ds, ds.lines, strict=True):
            if str(d) not in known:
                ctx.err(line, f"unknown district code '{d}'")
        out.append(Subpark(code, name, tuple(str(d) for d in ds), m.get("unconfirmed") is True, m.line))
    if ctx.errors:
        raise IndicatorLoadError(ctx.errors)
    return out


def groups_of(subparks: Sequence[Subpark]) -> dict[str, tuple[str, ...]]:
    return {s.code: s.districts for s in subparks}
