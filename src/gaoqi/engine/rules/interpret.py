"""The IR evaluated in Python for ONE enterprise, with the SQL's semantics.

Three-valued: a None input makes what reads it None (unknown); AND/OR/NOT follow Kleene's logic; a CASE
arm whose test is unknown is skipped; ``least``/``greatest`` skip None (as DuckDB's do). Numbers are
``Decimal`` (exact, as DuckDB's DECIMAL: parameters and literals are exact) until a DOUBLE enters: a
division, or a float input; then floats (DuckDB's ``/`` is floating-point, x/0 = ±inf, 0/0 = NaN, and NaN
sorts above every number and equals itself).

``condition_outcome`` decides a condition as ``compile`` does in SQL (unknown when a feature it reads is
None; score conditions on intervals, ADR 0005; a waiver passes it); ``score_intervals`` gives every score's
[min, max] and grade; ``outcomes`` and ``status`` the whole version. ``combined_total`` serves
``workspace_api.score_total``: the version's combined scores over expert-given item points.

Tests check that these agree with the SQL on the shipped policies over a synthetic population.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from gaoqi.engine.rules import ir
from gaoqi.engine.rules.ir import Condition, Parameter, PolicyVersion, Score

Value = Decimal | float | bool | str | date | None

_CTX = decimal.Context(prec=120, rounding=decimal.ROUND_HALF_UP)


def _num(value: Any) -> Decimal | float:
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, (Decimal, float)):
        return value
    return Decimal(value)


def _both(a: Any, b: Any) -> tuple[Decimal, Decimal] | tuple[float, float]:
    x, y = _num(a), _num(b)
    if isinstance(x, float) or isinstance(y, float):
        return float(x), float(y)
    assert isinstance(x, Decimal) and isinstance(y, Decimal)
    return x, y


def _cmp(a: Any, b: Any) -> int:
    """-1, 0, 1 with DuckDB's order: NaN is above every number and equal to itself."""
    if isinstance(a, (bool, str, date)) or isinstance(b, (bool, str, date)):
        return int(a > b) - int(a < b)
    x, y = _both(a, b)
    xn, yn = isinstance(x, float) and math.isnan(x), isinstance(y, float) and math.isnan(y)
    if xn or yn:
        return (xn and not yn) - (yn and not xn)
    return (x > y) - (x < y)


def compare(op: str, a: Value, b: Value) -> bool | None:
    if a is None or b is None:
        return None
    c = _cmp(a, b)
    return {">=": c >= 0, ">": c > 0, "<=": c <= 0, "<": c < 0, "=": c == 0, "<>": c != 0}[op]


def _arith(op: str, a: Value, b: Value) -> Value:
    if a is None or b is None:
        return None
    if op == "/":
        x, y = float(_num(a)), float(_num(b))
        if y == 0:
            return math.nan if x == 0 or math.isnan(x) else math.copysign(math.inf, x)
        return x / y
    p, q = _both(a, b)
    if isinstance(p, Decimal) and isinstance(q, Decimal):
        return {"+": _CTX.add, "-": _CTX.subtract, "*": _CTX.multiply}[op](p, q)
    x, y = float(p), float(q)
    return x + y if op == "+" else x - y if op == "-" else x * y


def _round(x: Value, digits: int) -> Value:
    if x is None:
        return None
    n = _num(x)
    if isinstance(n, Decimal):
        return n.quantize(Decimal(1).scaleb(-digits), rounding=decimal.ROUND_HALF_UP, context=_CTX)
    if math.isnan(n) or math.isinf(n):
        return n
    scale = 10.0**digits
    return math.copysign(math.floor(abs(n) * scale + 0.5) / scale, n)


def _extreme(values: list[Value], pick: Any) -> Value:
    known = [v for v in values if v is not None]
    if not known:
        return None
    out = known[0]
    for v in known[1:]:
        if pick(_cmp(v, out)):
            out = v
    return out


def evaluate_expr(
    node: ir.Expr,
    row: Mapping[str, Any],
    params: Mapping[str, Parameter],
    scores: Mapping[str, Value] | None = None,
) -> Value:
    """The value of a tree for one enterprise (``row``: feature → value, None = missing); ``scores``: the
    value bound to each ``score.<id>``."""

    def go(n: ir.Expr) -> Value:
        return evaluate_expr(n, row, params, scores)

    if isinstance(node, ir.Feature):
        value = row[node.name]
        return value if value is None or isinstance(value, (bool, str, date, float, Decimal)) else Decimal(value)
    if isinstance(node, ir.Param):
        return params[node.name].value
    if isinstance(node, ir.ScoreRef):
        if scores is None:
            raise ValueError(f"score.{node.id} read without scores")
        return scores[node.id]
    if isinstance(node, ir.Literal):
        return node.value
    if isinstance(node, ir.Paren):
        return go(node.inner)
    if isinstance(node, ir.Neg):
        inner = go(node.operand)
        return None if inner is None else -_num(inner)
    if isinstance(node, ir.Arith):
        return _arith(node.op, go(node.left), go(node.right))
    if isinstance(node, ir.Compare):
        return compare(node.op, go(node.left), go(node.right))
    if isinstance(node, ir.And):
        left, right = go(node.left), go(node.right)
        if left is False or right is False:
            return False
        return None if left is None or right is None else True
    if isinstance(node, ir.Or):
        left, right = go(node.left), go(node.right)
        if left is True or right is True:
            return True
        return None if left is None or right is None else False
    if isinstance(node, ir.Not):
        inner = go(node.operand)
        return None if inner is None else not inner
    if isinstance(node, ir.In):
        value = go(node.value)
        if value is None:
            return None
        return any(compare("=", value, go(item)) for item in node.items)
    if isinstance(node, ir.Case):
        for test, value in node.whens:
            if go(test) is True:
                return go(value)
        return go(node.default)
    if isinstance(node, ir.Func):
        if node.name == "least":
            return _extreme([go(a) for a in node.args], lambda c: c < 0)
        if node.name == "greatest":
            return _extreme([go(a) for a in node.args], lambda c: c > 0)
        if node.name == "abs":
            inner = go(node.args[0])
            if inner is None:
                return None
            number = _num(inner)
            return abs(number) if isinstance(number, float) else number.copy_abs()
        digits = node.args[1] if len(node.args) > 1 else None
        return _round(go(node.args[0]), 0 if digits is None else int(_num(go(digits))))
    raise TypeError(f"not an IR node: {node!r}")


@dataclass(frozen=True)
class Interval:
    """A score for one enterprise: points in [lo, hi]; ``grade`` the band (None: expert, combined, unknown)."""

    lo: Value
    hi: Value
    grade: str | None = None


def _band(score: Score, row: Mapping[str, Any], params: Mapping[str, Parameter]) -> int:
    """The band index as the SQL's CASE: 0 unknown, else 1-based; the last band when no test holds."""
    value = None if score.value is None else evaluate_expr(score.value, row, params)
    if score.value is not None and value is None:
        return 0
    for i, b in enumerate(score.bands, start=1):
        if b.threshold is not None:
            if compare(b.threshold[0], value, evaluate_expr(b.threshold[1], row, params)) is True:
                return i
        elif b.when is not None:
            test = evaluate_expr(b.when, row, params)
            if test is True:
                return i
            if test is None:
                return 0
    return len(score.bands)


def score_intervals(
    version: PolicyVersion, row: Mapping[str, Any], fixed: Mapping[str, Interval] | None = None
) -> dict[str, Interval]:
    """Every score of the version for one enterprise, in file order; ``fixed``: scores given instead of
    computed (the combined scores that read them follow)."""
    out: dict[str, Interval] = {}
    params = version.parameters
    for sc in version.scores:
        if fixed is not None and sc.id in fixed:
            out[sc.id] = fixed[sc.id]
        elif sc.assessed_by == "expert":
            out[sc.id] = Interval(Decimal(sc.min_points), Decimal(sc.max_points or 0))
        elif sc.assessed_by == "combined":
            assert sc.expr is not None
            lo = evaluate_expr(sc.expr, row, params, {k: out[k].lo for k in sc.scores})
            hi = evaluate_expr(sc.expr, row, params, {k: out[k].hi for k in sc.scores})
            out[sc.id] = Interval(lo, hi)
        elif sc.formula is not None:
            points = evaluate_expr(sc.formula, row, params)
            if points is None:
                out[sc.id] = Interval(Decimal(sc.min_points), Decimal(sc.max_points or 0))
            else:
                out[sc.id] = Interval(points, points)
        else:
            band = _band(sc, row, params)
            if band == 0:
                low, high = min(b.lo for b in sc.bands), max(b.hi for b in sc.bands)
                out[sc.id] = Interval(Decimal(low), Decimal(high))
            else:
                b = sc.bands[band - 1]
                out[sc.id] = Interval(Decimal(b.lo), Decimal(b.hi), b.grade)
    return out


def condition_outcome(
    cond: Condition,
    version: PolicyVersion,
    row: Mapping[str, Any],
    intervals: Mapping[str, Interval] | None = None,
) -> bool | None:
    """A data condition (or a data screen) for one enterprise: True pass, False fail, None unknown."""
    assert cond.observed is not None and cond.required is not None and cond.op is not None
    params = version.parameters
    if cond.waiver is not None and evaluate_expr(cond.waiver.when, row, params) is True:
        return True
    if any(row[f] is None for f in cond.features):
        return None
    req = evaluate_expr(cond.required, row, params)
    if not cond.scores:
        return compare(cond.op, evaluate_expr(cond.observed, row, params), req)
    iv = intervals if intervals is not None else score_intervals(version, row)
    lo = evaluate_expr(cond.observed, row, params, {k: v.lo for k, v in iv.items()})
    hi = evaluate_expr(cond.observed, row, params, {k: v.hi for k, v in iv.items()})
    op = cond.op
    if op in (">=", ">"):
        if compare(op, lo, req) is True:
            return True
        return False if compare(op, hi, req) is False else None
    if op in ("<=", "<"):
        if compare(op, hi, req) is True:
            return True
        return False if compare(op, lo, req) is False else None
    if compare("=", lo, hi) is True and compare("=", lo, req) is True:
        return True
    return False if compare("<", req, lo) is True or compare(">", req, hi) is True else None


def outcomes(
    version: PolicyVersion, row: Mapping[str, Any], intervals: Mapping[str, Interval] | None = None
) -> dict[str, bool | None]:
    """Every data condition and data screen of the version for one enterprise, by condition id (``intervals``:
    the scores already computed)."""
    iv = intervals if intervals is not None else score_intervals(version, row) if version.scores else {}
    return {c.id: condition_outcome(c, version, row, iv) for c in version.conditions if c.kind == "data" or c.screened}


def status(version: PolicyVersion, row: Mapping[str, Any]) -> tuple[str, list[str]]:
    """(status, failed condition ids in file order) as the SQL's ``results`` row gives them."""
    return status_of(version, outcomes(version, row))


def status_of(version: PolicyVersion, decided: Mapping[str, bool | None]) -> tuple[str, list[str]]:
    """``status`` from the outcomes already decided (every data condition and data screen, by id): fail if one
    is FALSE; else unknown if a data condition is unknown or an attested or expert condition is outstanding;
    else pass (``compile.status_sql``)."""
    data = [c for c in version.conditions if c.kind == "data"]
    screens = [c for c in version.conditions if c.screened]
    failed = [c.id for c in (*data, *screens) if decided[c.id] is False]
    if failed:
        return "fail", failed
    if any(decided[c.id] is None for c in data) or any(c.kind != "data" for c in version.conditions):
        return "unknown", failed
    return "pass", failed


def combined_total(version: PolicyVersion, items: Mapping[str, int]) -> int:
    """The last combined score of the version over the given item points (0 when it has none)."""
    values: dict[str, Value] = {k: Decimal(int(v)) for k, v in items.items()}
    total: Value = Decimal(0)
    for sc in version.scores:
        if sc.assessed_by == "combined" and sc.expr is not None:
            values[sc.id] = evaluate_expr(sc.expr, {}, version.parameters, values)
            total = values[sc.id]
    if total is None:
        raise ValueError("a score the total reads has no points")
    return int(_num(total))
