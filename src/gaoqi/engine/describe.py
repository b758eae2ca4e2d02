"""A condition as a person reads it: features by their Chinese names, parameters by their values in force.

``研究开发费用占比 ≥ 若 最近一年销售收入 ≤ 5000万元 则 5%；若 最近一年销售收入 ≤ 20000万元 则 4%；否则 3%``.
Expressions come from the policy files (the IR of ``rules``, read as the file's SQLGlot tree); a construct this
reader does not know makes the whole text None, so a page never shows half a rule or raw SQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp

from gaoqi.engine.features import FEATURE_BY_NAME as _ENTERPRISE
from gaoqi.engine.features.warning import FEATURE_BY_NAME as _WARNING
from gaoqi.engine.rules.compile import to_sqlglot
from gaoqi.engine.rules.ir import Condition, Expr, Parameter, PolicyVersion
from gaoqi.engine.validate import district_codes, industry_section_names

#: the features a condition may read by name: the enterprise's and the warning rules' own (features.warning)
FEATURE_BY_NAME = {**_ENTERPRISE, **_WARNING}

_OPS: dict[type[exp.Expr], str] = {
    exp.GTE: "≥", exp.GT: ">", exp.LTE: "≤", exp.LT: "<", exp.EQ: "=", exp.NEQ: "≠",
    exp.Add: "+", exp.Sub: "−", exp.Mul: "×", exp.Div: "÷", exp.And: "且", exp.Or: "或",
}  # fmt: skip


class _Unknown(Exception):
    """A construct the reader does not put into words."""


def _number(value: Decimal | float | int) -> str:
    """At most two decimals, no trailing zeros: 4.2724 → 4.27, 10.0 → 10."""
    text = f"{Decimal(str(value)).quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def describe_value(
    value: Any, value_type: str | None = None, unit: str | None = None, feature: str | None = None
) -> str:
    """A value as a person reads it: a ratio as a percentage, money in 万元, a count with its unit (two decimals at
    most), a district code by its name, a boolean as 是/否, a date as 2026年6月30日, nothing as —."""
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return "、".join(describe_value(v, value_type, unit, feature) for v in value)
    if isinstance(value, bool) or value_type == "boolean":
        return "是" if value else "否"
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    numeric = isinstance(value, Decimal | int | float) or (isinstance(value, str) and _is_number(value))
    if value_type == "ratio" and numeric:
        return _number(Decimal(str(value)) * 100) + "%"
    if numeric and (value_type in ("money", "count", "integer", "number") or not isinstance(value, str)):
        return _number(Decimal(str(value))) + (unit or ("万元" if value_type == "money" else ""))
    if feature == "district_code":
        return district_codes().get(str(value), str(value))
    return str(value)


class _Reader:
    def __init__(self, version: PolicyVersion) -> None:
        self.params: dict[str, Parameter] = version.parameters
        self.scores = {s.id: s.label for s in version.scores}

    def text(self, node: exp.Expr, context: str | None = None) -> str:
        """``context``: the feature the value is compared with (its unit and whether it is a ratio)."""
        if isinstance(node, exp.Paren):
            return "（" + self.text(node.this, context) + "）"
        if isinstance(node, exp.Column):
            table, name = node.table, node.name
            if table == "param" and name in self.params:
                prm = self.params[name]
                if prm.type in ("ratio", "money"):  # a parameter's own type says how it reads
                    return describe_value(prm.value, prm.type)
                return self.literal(str(prm.value), context)
            if table == "score" and name in self.scores:
                return self.scores[name]
            if not table and name in FEATURE_BY_NAME:
                return FEATURE_BY_NAME[name].label
            raise _Unknown(node.sql())
        if isinstance(node, exp.Literal):
            return self.literal(str(node.this), context)
        if isinstance(node, exp.Boolean):
            return "是" if node.this else "否"
        if isinstance(node, exp.Not):
            return "并非（" + self.text(node.this, context) + "）"
        if isinstance(node, exp.Case):
            arms = [
                f"若 {self.text(arm.this)} 则 {self.text(arm.args['true'], context)}"
                for arm in node.args.get("ifs", [])
            ]
            default = node.args.get("default")
            if default is not None:
                arms.append(f"否则 {self.text(default, context)}")
            return "（" + "；".join(arms) + "）"
        if isinstance(node, exp.In):
            items = "、".join(f"“{self.text(e, _column(node.this))}”" for e in node.expressions)
            return f"{self.text(node.this)} 属于 {items}"
        op = _OPS.get(type(node))
        if op is not None and isinstance(node, exp.Binary):
            left, right = node.left, node.right
            # a parameter or literal is read in the unit of the feature it is compared with or added to; a
            # factor (× ÷) has no unit
            ctx = None if isinstance(node, exp.Mul | exp.Div) else _column(left) or _column(right) or context
            return f"{self.text(left, ctx)} {op} {self.text(right, ctx)}"
        raise _Unknown(type(node).__name__)

    @staticmethod
    def literal(text: str, context: str | None) -> str:
        """A code or number compared with feature ``context``: district and industry codes by their names,
        numbers with the feature's unit."""
        if context == "district_code":
            return district_codes().get(text, text)
        if context == "industry_section":
            return industry_section_names().get(text, text)
        feat = FEATURE_BY_NAME.get(context or "")
        if feat is not None and feat.type in ("count", "integer", "money") and _is_number(text):
            return describe_value(text, feat.type, feat.unit)
        return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _column(node: exp.Expr) -> str | None:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Column) and not node.table and node.name in FEATURE_BY_NAME:
        return node.name
    if isinstance(node, exp.Binary):
        return _column(node.left) or _column(node.right)
    return None


def describe_condition(condition: Condition, version: PolicyVersion) -> str | None:
    """The condition's data test in words (the expression, or the data screen of an attested or expert
    condition), or None when it has none or uses a construct this reader does not know."""
    if condition.observed is None or condition.op is None or condition.required is None:
        return None
    reader = _Reader(version)
    try:
        observed = to_sqlglot(condition.observed)  # the file's own expression: param.<name>, score.<id>
        required = to_sqlglot(condition.required)
        left = reader.text(observed)
        if isinstance(observed, exp.Connector):  # (A 或 B) = 是
            left = f"（{left}）"
        op = _OPS[type(sqlglot.parse_one(f"1 {condition.op} 1", dialect="duckdb"))]
        return f"{left} {op} {reader.text(required, _column(observed))}"
    except (_Unknown, KeyError):
        return None


def describe_tree(tree: Expr, version: PolicyVersion) -> str | None:
    """A boolean test (a warning's escalation ``when``) in words, or None for a construct this reader does not
    know."""
    try:
        return _Reader(version).text(to_sqlglot(tree))
    except (_Unknown, KeyError):
        return None


def describe_parameter(parameter: Parameter) -> str:
    """A parameter's value in force as a person reads it (ratios as percentages, money in 万元, codes by name)."""
    if parameter.type in ("ratio", "money") or isinstance(parameter.value, bool):
        return describe_value(parameter.value, parameter.type)
    text = str(parameter.value)
    return district_codes().get(text, text)
