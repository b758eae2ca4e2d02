"""The gap sentence and lever of a failing condition in Python, byte for byte what the SQL gives.

``compile.CompiledCondition.gap_text`` (with ``_fmt``, ``_fine`` and ``_display``) is the reference: the
batch renders it in SQL (``results_with_gap``). ``explain`` formats one enterprise's few failing conditions
here instead, so that a warm explain runs no formatting statement (planning it cost more than the rest of
the evaluation). The values come typed as the SQL's columns (``Decimal`` for DECIMAL, ``float`` for DOUBLE,
``int`` for integers, ``bool``, ``str``, ``date``) and follow DuckDB's semantics: ``||`` is NULL when a part
is NULL, ``ROUND`` of a DECIMAL rounds half away from zero, of a DOUBLE as ``round(x·10ᵈ)/10ᵈ`` in floats.
Tests compare the two over many values, types and operators.

``Unformattable`` is raised where the SQL would fail (NaN or ±inf cast to DECIMAL): callers then run SQL.
"""

from __future__ import annotations

import decimal
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from gaoqi.engine.rules.compile import _NEED, _NEED_DATE, _SHORT, CompiledCondition, _unit
from gaoqi.engine.rules.interpret import _arith, compare
from gaoqi.engine.validate import district_codes

_NOT_GIVEN: Any = object()


class Unformattable(ValueError):
    """A value the SQL formatting would reject (NaN, infinity)."""


def _std_round(x: float) -> float:
    """C's round(): half away from zero, exactly."""
    t = float(math.trunc(x))
    if abs(x - t) >= 0.5:
        t += math.copysign(1.0, x)
    return t


def sql_round(x: Any, digits: int) -> Any:
    """DuckDB's ROUND(x, digits)."""
    if x is None:
        return None
    if isinstance(x, float):
        modifier = math.pow(10, digits)
        out = _std_round(x * modifier) / modifier
        return x if math.isinf(out) or math.isnan(out) else out
    if isinstance(x, Decimal):
        if x.as_tuple().exponent >= -digits:  # type: ignore[operator]
            return x
        return x.quantize(Decimal(1).scaleb(-digits), rounding=decimal.ROUND_HALF_UP)
    return x  # integers


def fmt(x: Any, decimals: int) -> str | None:
    """``compile._fmt``: x rounded to ``decimals``, as DECIMAL(38, decimals) text without trailing zeros."""
    r = sql_round(x, decimals)
    if r is None:
        return None
    if isinstance(r, float):
        if math.isnan(r) or math.isinf(r):
            raise Unformattable(repr(r))
        n = int(_std_round(r * math.pow(10, decimals)))
    elif isinstance(r, Decimal):
        n = int(r.scaleb(decimals).to_integral_value(rounding=decimal.ROUND_HALF_UP))
    else:
        n = int(r) * 10**decimals
    if decimals == 0:
        return str(n)
    whole, frac = divmod(abs(n), 10**decimals)
    text = f"{'-' if n < 0 else ''}{whole}.{frac:0{decimals}d}"
    return text.rstrip("0").rstrip(".")


def fine(x: Any, decimals: int, *, unlike: Any = _NOT_GIVEN, fine: int = 8) -> str | None:
    """``compile._fine``."""
    if x is None:
        return None
    if unlike is _NOT_GIVEN:
        hidden = compare("=", sql_round(x, decimals), Decimal(0)) is True and compare("<>", x, Decimal(0)) is True
    else:
        hidden = (
            compare("=", sql_round(x, decimals), sql_round(unlike, decimals)) is True
            and compare("<>", x, unlike) is True
        )
    return fmt(x, fine if hidden else decimals)


def _cat(*parts: str | None) -> str | None:
    return None if any(p is None for p in parts) else "".join(p for p in parts if p is not None)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def display(value: Any, vtype: str, unit: str, other: Any = _NOT_GIVEN) -> str | None:
    """``compile._display``."""
    if vtype == "ratio":
        pct = _arith("*", value, Decimal(100))
        unlike = _NOT_GIVEN if other is _NOT_GIVEN else _arith("*", other, Decimal(100))
        return _cat(fine(pct, 4, unlike=unlike, fine=10), "%")
    if vtype == "money":
        return _cat(fine(value, 4, unlike=other), "万元")
    if vtype == "boolean":
        return "是" if value is True else "否"
    if vtype in ("text", "date"):
        return _text(value)
    return _cat(fine(value, 2, unlike=other), _unit(unit))


def lever_value(obs: Any, req: Any, per: Any) -> Any:
    """``CompiledCondition.lever``: (required − observed) × per, before the cast to its SQL type."""
    return None if per is None else _arith("*", _arith("-", req, obs), per)


@dataclass(frozen=True)
class Difference:
    """How far a failing numeric condition is from its threshold, as its gap sentence states it: ``word`` 差 (short
    by), 超出 (over by) or 相差 (differs by); ``amount`` the number shown (rounded as shown); ``unit`` 个百分点 for a
    ratio, 万元 for money, else the condition's unit ("" when it has none)."""

    word: str
    amount: Decimal
    unit: str


def _amount(op: str, vtype: str, unit: str, obs: Any, req: Any) -> tuple[str | None, str]:
    """The gap sentence's amount (text, None when a value is missing) and its unit. A strict comparison on counts
    needs one more than the difference (> 5 from 5 is short by 1)."""
    signed: Any
    if op in (">=", ">"):
        signed = _arith("-", req, obs)
    elif op in ("<=", "<"):
        signed = _arith("-", obs, req)
    else:
        diff: Any = _arith("-", req, obs)
        signed = None if diff is None else abs(diff)
    if op in (">", "<") and vtype in ("count", "integer"):
        signed = _arith("+", signed, 1)
    if vtype == "ratio":
        return fine(_arith("*", signed, Decimal(100)), 4, fine=10), "个百分点"
    if vtype == "money":
        return fine(signed, 4), "万元"
    return fine(signed, 2), unit


def difference(cc: CompiledCondition, obs: Any, req: Any) -> Difference | None:
    """The typed difference of a failing condition (what ``gap_text`` says after 差/超出/相差); None for yes/no,
    text and date conditions and when a value is missing."""
    op, vtype = cc.cond.op, cc.cond.observed_type or "number"
    if op is None or vtype in ("boolean", "text", "date"):
        return None
    shown, unit = _amount(op, vtype, cc.unit, obs, req)
    return None if shown is None else Difference(_SHORT[op], Decimal(shown), unit)


def gap_text(cc: CompiledCondition, obs: Any, req: Any, per: Any) -> str | None:
    """``CompiledCondition.gap_text`` over typed values (``per`` None: no lever multiplier)."""
    cond = cc.cond
    assert cond.op is not None
    op, vtype, name, unit = cond.op, cond.observed_type or "number", cc.name, cc.unit
    if vtype == "boolean":
        if cond.observed_feature is None:
            return name + "：否，应为 是"
        return _cat(name + "：", display(obs, vtype, unit), "，应为 ", display(req, vtype, unit))
    if cond.scores:
        name += "最高可得" if op in (">=", ">", "=") else "最低可得"
    if vtype in ("text", "date"):
        shown_obs, shown_req = display(obs, vtype, unit), display(req, vtype, unit)
        if cond.observed_feature == "district_code":
            codes = district_codes()
            name = name.removesuffix("代码")
            shown_obs = None if shown_obs is None else codes.get(shown_obs, shown_obs)
            shown_req = None if shown_req is None else codes.get(shown_req, shown_req)
        need = (_NEED_DATE if vtype == "date" else _NEED)[op]
        return _cat(name + " ", shown_obs, "，" + need + " ", shown_req)
    text = _cat(name + " ", display(obs, vtype, unit, req), "，" + _NEED[op] + " ", display(req, vtype, unit))
    shown, amount_unit = _amount(op, vtype, unit, obs, req)
    amount = _cat(shown, " " + amount_unit if vtype == "ratio" else _unit(amount_unit))
    text = _cat(text, "，" + _SHORT[op] + " ", amount)
    if per is not None and cond.lever is not None:
        suffix = _cat("；约需" + cond.lever.what + " ", fine(lever_value(obs, req, per), 2), _unit(cond.lever.unit))
        text = _cat(text, suffix or "")
    return text
