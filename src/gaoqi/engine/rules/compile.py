"""The IR compiled to SQL: one visitor (``to_sqlglot``) and the statement of a policy version.

``to_sqlglot(node, params, scores)`` turns an IR tree into a SQLGlot expression: parameters bound as exact
literals (integers as numbers, other numbers as ``CAST(… AS DECIMAL(38,d))``, dates, booleans, text), score
references bound to the score columns given. Without ``params`` and ``scores`` it gives the policy file's
own text (``param.<name>``, ``score.<id>``: ``source_text``). The same tree prints as DuckDB or Spark SQL
(``compile_expr(node, version, dialect)``).

``version_sql`` assembles the one set-based SELECT of a version over ``profile`` (every kind of policy —
certification, recognition, subsidy, tax, list — the same way): score layers, then per condition its
observed and required values, its outcome (three-valued), relative gap and gap text, then status, the lists
and the binding condition. ``results_sql`` is the UNION ALL over the policies in force; Spark runs it
transpiled from the same tree (``compile_version(…, dialect="spark")``, ``transpile_results_sql``).

Compiled pieces are cached per (policy file sha256, version id, parameter values).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar, cast

from gaoqi.engine.features import MONEY
from gaoqi.engine.lazy import LazyMapping, LazyModule
from gaoqi.engine.rules import ir
from gaoqi.engine.rules.ir import Condition, Parameter, Policy, PolicyVersion, Score
from gaoqi.engine.rules.load import PARAM_PREFIX, SCORE_PREFIX, load_policies, ruleset_hash
from gaoqi.engine.rules.subjects import SUBJECTS, any_feature
from gaoqi.engine.validate import district_codes, lit

if TYPE_CHECKING:
    import sqlglot
    from sqlglot import exp
else:  # imported on first use (gaoqi.engine.lazy): running cached SQL needs no sqlglot
    sqlglot = LazyModule("sqlglot", globals(), "sqlglot")
    exp = LazyModule("sqlglot.expressions", globals(), "exp")

ENGINE_VERSION = "gaoqi-rules/1"

RESULT_COLUMNS: tuple[str, ...] = (
    "uscc",
    "policy_id",
    "policy_version",
    "status",
    "failed_conditions",
    "unknown_features",
    "binding_condition",
    "binding_observed",
    "binding_required",
    "binding_per",
    "binding_observed_text",
    "binding_required_text",
    "as_of",
    "engine_version",
    "ruleset_hash",
    "benefit_amount",
)
#: what ``results_with_gap`` shows: the results with the gap sentence after the binding condition
RESULT_VIEW_COLUMNS: tuple[str, ...] = (
    *RESULT_COLUMNS[: RESULT_COLUMNS.index("binding_condition") + 1],
    "binding_gap",
    *RESULT_COLUMNS[RESULT_COLUMNS.index("binding_condition") + 1 :],
)

# ------------------------------------------------------------------------------------------------------
# The visitor: IR → SQLGlot

_ARITH: Mapping[str, type[exp.Binary]] = LazyMapping(lambda: {"+": exp.Add, "-": exp.Sub, "*": exp.Mul, "/": exp.Div})
_COMPARE: Mapping[str, type[exp.Binary]] = LazyMapping(lambda: {
    ">=": exp.GTE, ">": exp.GT, "<=": exp.LTE, "<": exp.LT, "=": exp.EQ, "<>": exp.NEQ,
})  # fmt: skip


def _decimal_sql(value: Decimal) -> exp.Expr:
    """An exact numeric literal: an integer as a number, a fraction as CAST(… AS DECIMAL(38,d))."""
    text = format(value, "f")
    if "." not in text:
        return _number(text)
    digits = max(len(text.split(".")[1]), 1)
    return exp.Cast(this=_number(text), to=exp.DataType.build(f"DECIMAL(38,{digits})", dialect="duckdb"))


def _number(text: str) -> exp.Expr:
    """A number literal as DuckDB's parser makes it (a minus sign is a negation)."""
    if text.startswith("-"):
        return exp.Neg(this=exp.Literal.number(text[1:]))
    return exp.Literal.number(text)


def param_literal(parameter: Parameter) -> exp.Expr:
    """A parameter's value as an exact SQL literal."""
    value = parameter.value
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, Decimal):
        return _decimal_sql(value)
    if isinstance(value, date):
        return exp.Cast(this=exp.Literal.string(value.isoformat()), to=exp.DataType.build("DATE"))
    return exp.Literal.string(str(value))


def to_sqlglot(
    node: ir.Expr, params: Mapping[str, Parameter] | None = None, scores: Mapping[str, str] | None = None
) -> exp.Expr:
    """The tree as a SQLGlot expression. ``params``: bind ``param.<name>`` to its value (None: keep the
    reference); ``scores``: bind ``score.<id>`` to the column named (None: keep the reference)."""

    def go(n: ir.Expr) -> exp.Expr:
        return to_sqlglot(n, params, scores)

    if isinstance(node, ir.Feature):
        return exp.column(node.name)
    if isinstance(node, ir.Param):
        if params is None:
            return exp.column(node.name, table=PARAM_PREFIX)
        return param_literal(params[node.name])
    if isinstance(node, ir.ScoreRef):
        if scores is None:
            return exp.column(node.id, table=SCORE_PREFIX)
        return exp.column(scores[node.id])
    if isinstance(node, ir.Literal):
        if isinstance(node.value, bool):
            return exp.Boolean(this=node.value)
        if isinstance(node.value, Decimal):
            return exp.Literal.number(str(node.value))
        return exp.Literal.string(node.value)
    if isinstance(node, ir.Paren):
        return exp.Paren(this=go(node.inner))
    if isinstance(node, ir.Neg):
        return exp.Neg(this=go(node.operand))
    if isinstance(node, ir.Arith):
        out = _ARITH[node.op](this=go(node.left), expression=go(node.right))
        if isinstance(out, exp.Div):
            out.set("typed", False)
            out.set("safe", False)
        return out
    if isinstance(node, ir.Compare):
        return _COMPARE[node.op](this=go(node.left), expression=go(node.right))
    if isinstance(node, ir.And):
        return exp.And(this=go(node.left), expression=go(node.right))
    if isinstance(node, ir.Or):
        return exp.Or(this=go(node.left), expression=go(node.right))
    if isinstance(node, ir.Not):
        return exp.Not(this=go(node.operand))
    if isinstance(node, ir.In):
        return exp.In(this=go(node.value), expressions=[go(i) for i in node.items])
    if isinstance(node, ir.Case):
        return exp.Case(
            ifs=[exp.If(this=go(c), true=go(v)) for c, v in node.whens],
            default=go(node.default),
        )
    if isinstance(node, ir.Func):
        args = [go(a) for a in node.args]
        if node.name == "least":
            return exp.Least(this=args[0], expressions=args[1:], ignore_nulls=True)
        if node.name == "greatest":
            return exp.Greatest(this=args[0], expressions=args[1:], ignore_nulls=True)
        if node.name == "abs":
            return exp.Abs(this=args[0])
        return exp.Round(this=args[0], decimals=args[1] if len(args) > 1 else None)
    raise TypeError(f"not an IR node: {node!r}")


def source_text(node: ir.Expr) -> str:
    """The tree as the policy file's DSL (DuckDB text, ``param.<name>``, ``score.<id>``)."""
    return to_sqlglot(node).sql(dialect="duckdb")


def compile_expr(
    node: ir.Expr, version: PolicyVersion, dialect: str = "duckdb", scores: Mapping[str, str] | None = None
) -> str:
    """One tree as SQL of ``dialect`` with the version's parameters bound."""
    return to_sqlglot(node, version.parameters, scores).sql(dialect=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)


# observed types whose values the results store as numbers (binding_observed …); the others as text
NUMERIC_TYPES = ("money", "ratio", "count", "integer", "number")
#: the exact type the results store a binding condition's numbers in: every shipped value type (counts,
#: money to 4 decimals, ratios to 12) converts to it and back without loss
STORED_NUMBER = "DECIMAL(38,12)"

# the gap sentence: what the requirement is called, per operator, and the word before the difference
_NEED = {">=": "至少需", ">": "需大于", "<=": "至多", "<": "需小于", "=": "应为"}
_NEED_DATE = {">=": "应不早于", ">": "应晚于", "<=": "应不晚于", "<": "应早于", "=": "应为"}
_SHORT = {">=": "差", ">": "差", "<=": "超出", "<": "超出", "=": "相差"}


def _fmt(x: str, decimals: int) -> str:
    """x rounded to ``decimals`` as text without trailing zeros (portable: no regexp)."""
    s = f"CAST(CAST(ROUND({x}, {decimals}) AS DECIMAL(38,{decimals})) AS VARCHAR)"
    return f"(CASE WHEN {s} LIKE '%.%' THEN RTRIM(RTRIM({s}, '0'), '.') ELSE {s} END)"


def _sql(node: ir.Expr, version: PolicyVersion, scores: Mapping[str, str] | None = None) -> str:
    """A tree as DuckDB SQL with the version's parameters bound (and ``score.<id>`` bound to ``scores``)."""
    return to_sqlglot(node, version.parameters, scores).sql(dialect="duckdb")


def _bound(node: ir.Expr, version: PolicyVersion, scores: Mapping[str, str] | None = None) -> exp.Expr:
    """A tree as a SQLGlot expression with the version's parameters (and ``scores``) bound, in parentheses."""
    return exp.Paren(this=to_sqlglot(node, version.parameters, scores))


def _duck(node: exp.Expr) -> str:
    return node.sql(dialect="duckdb")


def _is_null_any(features: Sequence[str]) -> exp.Expr:
    """``f1 IS NULL OR f2 IS NULL …`` (FALSE when there are none)."""
    tests = [exp.Is(this=exp.column(f), expression=exp.Null()) for f in features]
    if not tests:
        return exp.Boolean(this=False)
    out: exp.Expr = tests[0]
    for t in tests[1:]:
        out = exp.Or(this=out, expression=t)
    return out


def _case(arms: Sequence[tuple[exp.Expr, exp.Expr]], default: exp.Expr | None = None) -> exp.Case:
    return exp.Case(ifs=[exp.If(this=c, true=v) for c, v in arms], default=default)


def _compare(op: str, left: exp.Expr, right: exp.Expr) -> exp.Expr:
    return _COMPARE[op](this=left, expression=right)


def _int(value: int) -> exp.Expr:
    return exp.Literal.number(value)


def _typed_null(sql_type: str) -> exp.Expr:
    return exp.Cast(this=exp.Null(), to=exp.DataType.build(sql_type, dialect="duckdb"))


def _fine(x: str, decimals: int, *, unlike: str | None = None, fine: int = 8) -> str:
    """_fmt at ``decimals``, or at ``fine`` decimals when that would hide a difference: a non-zero x rounding
    to 0, or (with ``unlike``) an x different from ``unlike`` that rounds to the same text. Percentages of
    ratios use 10 (ratios carry 12 decimals, so 9.9999999999% is not shown as 10%)."""
    hidden = f"ROUND({x}, {decimals}) = 0 AND {x} <> 0"
    if unlike is not None:
        hidden = f"ROUND({x}, {decimals}) = ROUND({unlike}, {decimals}) AND {x} <> {unlike}"
    return f"(CASE WHEN {hidden} THEN {_fmt(x, fine)} ELSE {_fmt(x, decimals)} END)"


def _unit(unit: str) -> str:
    """A unit after a number: 万元 and % attach to it, other units (人, 件, 天, 分) follow a space."""
    return unit if unit in ("", "万元", "%") else " " + unit


def _district(value: str) -> str:
    """A GB/T 2260 district code as the district's name (an unknown code stays as it is)."""
    arms = " ".join(f"WHEN {lit(code)} THEN {lit(name)}" for code, name in district_codes().items())
    return f"(CASE {value} {arms} ELSE {value} END)"


def _display(value: str, vtype: str, unit: str, other: str | None = None) -> str:
    """A value as text in its unit; ``other`` = the value it is compared with (shown apart if they differ)."""
    if vtype == "ratio":
        pct = f"({value}) * 100"
        return f"{_fine(pct, 4, unlike=None if other is None else f'({other}) * 100', fine=10)} || '%'"
    if vtype == "money":
        return f"{_fine(value, 4, unlike=other)} || '万元'"
    if vtype == "boolean":
        return f"CASE WHEN {value} THEN '是' ELSE '否' END"
    if vtype in ("text", "date"):
        return f"CAST({value} AS VARCHAR)"
    return f"{_fine(value, 2, unlike=other)} || {lit(_unit(unit))}"


def _observed_name(cond: Condition, version: PolicyVersion) -> tuple[str, str]:
    """The Chinese name and unit of a condition's observed side, for its gap text: a feature's label, a
    score's label, summed features' labels ('Ⅰ类知识产权数与Ⅱ类知识产权数合计'), else the condition's label."""
    assert cond.observed is not None
    tree = ir.unparen(cond.observed)
    if cond.scores:
        if isinstance(tree, ir.ScoreRef):
            return version.score(tree.id).label, "分"
        return cond.label, "分"
    terms: list[ir.Expr] = []
    todo: list[ir.Expr] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ir.Arith) and node.op == "+":
            todo += [node.right, node.left]
        else:
            terms.append(node)
    if not all(isinstance(t, ir.Feature) for t in terms):
        return cond.label, ""
    feats = [any_feature(cast(ir.Feature, t).name) for t in terms]
    units = {f.unit or "" for f in feats}
    unit = units.pop() if len(units) == 1 else ""
    if len(feats) == 1:
        return feats[0].label, unit
    labels = [f.label for f in feats]
    return "、".join(labels[:-1]) + "与" + labels[-1] + "合计", unit


@dataclass(frozen=True)
class CompiledScore:
    """One score as columns of ``profile``-derived layers (``score_layers``): ``sc_<id>_lo`` ≤ points ≤
    ``sc_<id>_hi``, ``sc_<id>_grade`` the band letter (NULL for expert and combined scores, and when a band
    test is unknown) and ``sc_<id>_value`` the measured value. ``depth`` 0: the value from the
    profile (value), 1: band index, 2: data and expert intervals; 3+: combined scores, one layer per
    dependency level."""

    score: Score
    depth: int
    columns: tuple[tuple[str, exp.Expr], ...]  # (column name, expression) computed at this depth
    features: tuple[str, ...]  # every feature read, through combined scores too

    @property
    def lo(self) -> str:
        return score_column(self.score.id, "lo")

    @property
    def hi(self) -> str:
        return score_column(self.score.id, "hi")

    @property
    def grade(self) -> str:
        return score_column(self.score.id, "grade")

    @property
    def value(self) -> str:
        return score_column(self.score.id, "value")


def score_column(score_id: str, part: str) -> str:
    return f"sc_{score_id}_{part}"


# Compiled SQL by (policy file sha256, version id, parameter values, what): explain and simulate compile the
# same version again and again. A version built in code (no file hash) is cached by its object, kept in the
# value so its id cannot be reused while the entry lives.
_COMPILED: dict[tuple[object, ...], tuple[PolicyVersion | None, object]] = {}
_T = TypeVar("_T")


def _cache_key(version: PolicyVersion, what: str) -> tuple[object, ...]:
    params = tuple((n, p.type, str(p.value)) for n, p in version.parameters.items())
    if version.sha256:
        return (version.sha256, version.id, params, what)
    return ("object", id(version), what)


def _per_version(version: PolicyVersion, what: str, build: Callable[[], _T]) -> _T:
    key = _cache_key(version, what)
    hit = _COMPILED.get(key)
    if hit is not None and (version.sha256 or hit[0] is version):
        return cast(_T, hit[1])
    value = build()
    if len(_COMPILED) > 10_000:
        _COMPILED.clear()
    _COMPILED[key] = (None if version.sha256 else version, value)
    return value


def compile_scores(version: PolicyVersion) -> dict[str, CompiledScore]:
    """Every score of the version, in file order (cached per version object)."""
    return _per_version(version, "\0scores", lambda: _compile_scores(version))


def _compile_scores(version: PolicyVersion) -> dict[str, CompiledScore]:
    out: dict[str, CompiledScore] = {}
    for sc in version.scores:
        col = {part: score_column(sc.id, part) for part in ("band", "lo", "hi", "grade", "value")}
        no_grade, no_value = _typed_null("VARCHAR"), _typed_null("DOUBLE")
        if sc.assessed_by == "expert":
            cols = ((col["lo"], _int(sc.min_points)), (col["hi"], _int(sc.max_points or 0)),
                    (col["grade"], no_grade), (col["value"], no_value))  # fmt: skip
            out[sc.id] = CompiledScore(sc, 2, cols, ())
        elif sc.assessed_by == "combined":
            assert sc.expr is not None
            lo = to_sqlglot(sc.expr, version.parameters, {k: out[k].lo for k in sc.scores})
            hi = to_sqlglot(sc.expr, version.parameters, {k: out[k].hi for k in sc.scores})
            feats = tuple(dict.fromkeys(f for k in sc.scores for f in out[k].features))
            depth = 1 + max(out[k].depth for k in sc.scores)  # data and expert scores are ready at 2
            cols = ((col["lo"], lo), (col["hi"], hi), (col["grade"], no_grade), (col["value"], no_value))
            out[sc.id] = CompiledScore(sc, depth, cols, feats)
        elif sc.formula is not None:
            # a formula score: its value (depth 0), known or not (1), then [value, value] or, unknown, the
            # whole range [min, max] (2)
            value = to_sqlglot(sc.formula, version.parameters)
            known = _case([(exp.Is(this=exp.column(col["value"]), expression=exp.Null()), _int(0))], _int(1))

            def by_known(missing: int, band_col: str = col["band"], value_col: str = col["value"]) -> exp.Expr:
                return _case([(_compare("=", exp.column(band_col), _int(0)), _int(missing))], exp.column(value_col))

            out[sc.id] = CompiledScore(
                sc, 2,
                ((col["value"], value), (col["band"], known), (col["lo"], by_known(sc.min_points)),
                 (col["hi"], by_known(sc.max_points or 0)), (col["grade"], no_grade)),
                sc.features,
            )  # fmt: skip
        else:
            # Bands are tried in order with three-valued logic: the first test that is TRUE decides, a
            # NULL test before it (missing input, division by zero) leaves the band unknown (0), FALSE goes on.
            # A valued score computes its value once (depth 0) and compares the column (depth 1).
            value_col = exp.column(col["value"])
            arms: list[tuple[exp.Expr, exp.Expr]] = []
            if sc.value is not None:
                arms.append((exp.Is(this=value_col, expression=exp.Null()), _int(0)))
            for i, b in enumerate(sc.bands, start=1):
                if b.threshold is not None:
                    arms.append((_compare(b.threshold[0], value_col.copy(), _bound(b.threshold[1], version)), _int(i)))
                elif b.when is not None:
                    w = to_sqlglot(b.when, version.parameters)
                    arms.append((w, _int(i)))
                    arms.append((exp.Is(this=exp.Paren(this=w.copy()), expression=exp.Null()), _int(0)))
            band = _case(arms, _int(len(sc.bands)))
            value = no_value if sc.value is None else to_sqlglot(sc.value, version.parameters)
            low, high = min(b.lo for b in sc.bands), max(b.hi for b in sc.bands)

            def by_band(pick: str, missing: exp.Expr, sc: Score = sc, band_col: str = col["band"]) -> exp.Expr:
                arms = [(_int(0), missing)]
                for i, b in enumerate(sc.bands, start=1):
                    arms.append((_int(i), exp.Literal.string(b.grade) if pick == "grade" else _int(getattr(b, pick))))
                return exp.Case(this=exp.column(band_col), ifs=[exp.If(this=k, true=v) for k, v in arms])

            # value (depth 0), band index (1), then the interval and grade from the band index (2)
            out[sc.id] = CompiledScore(
                sc, 2,
                ((col["value"], value), (col["band"], band), (col["lo"], by_band("lo", _int(low))),
                 (col["hi"], by_band("hi", _int(high))), (col["grade"], by_band("grade", no_grade.copy()))),
                sc.features,
            )  # fmt: skip
    return out


def score_layers(version: PolicyVersion, inner: str) -> str:
    """``inner`` (a SELECT over profile) wrapped in the layers computing every score's columns: data scores'
    values, then their band indexes, then their intervals and grades (with the expert scores), then the
    combined scores, one layer per level of dependency."""
    scores = compile_scores(version)
    if not scores:
        return inner
    levels: list[list[str]] = []
    for c in scores.values():
        if c.score.assessed_by == "data":
            steps, at = [c.columns[:1], c.columns[1:2], c.columns[2:]], 0
        else:
            steps, at = [c.columns], c.depth
        for k, step in enumerate(steps, start=at):
            while len(levels) <= k:
                levels.append([])
            levels[k].extend(f"{_duck(expr)} AS {name}" for name, expr in step)
    sql = inner
    for depth, cols in enumerate(levels):
        if cols:
            sql = f"SELECT *, {', '.join(cols)} FROM ({sql}) AS s{depth}"
    return sql


@dataclass(frozen=True)
class CompiledCondition:
    """SQL pieces of one condition over ``profile`` (parameters substituted): a data condition, or the data
    screen of an attested/expert one."""

    cond: Condition
    observed: exp.Expr  # for scores: the interval bound that decides a failure (max for ≥/>/=, min for ≤/<)
    required: exp.Expr
    ok: exp.Expr  # TRUE / FALSE / NULL (unknown: an input feature is NULL, or a score interval straddles)
    per: exp.Expr | None  # lever multiplier
    inputs: tuple[str, ...] = ()  # features whose NULL leaves the condition unknown (through scores too)
    observed_min: exp.Expr | None = None  # score conditions: the interval of the observed side
    observed_max: exp.Expr | None = None
    waived: exp.Expr | None = None  # TRUE when the waiver applies
    name: str = ""  # the observed side in Chinese, for the gap text (_observed_name)
    unit: str = ""

    def rel_gap(self, obs: str, req: str) -> str:
        """Relative gap (DOUBLE) given SQL for the observed and required values."""
        vtype = self.cond.observed_type or "number"
        if vtype in NUMERIC_TYPES:
            diff = f"ABS(CAST({req} AS DOUBLE) - CAST({obs} AS DOUBLE))"
            return f"CASE WHEN CAST({req} AS DOUBLE) = 0 THEN {diff} ELSE {diff} / ABS(CAST({req} AS DOUBLE)) END"
        if vtype in ("boolean", "text"):
            return "CAST(1 AS DOUBLE)"
        return "CAST(NULL AS DOUBLE)"

    def lever(self, obs: str, req: str, per: str | None) -> str | None:
        return None if per is None else f"(({req} - {obs}) * {per})"

    def gap_text(self, obs: str, req: str, per: str | None) -> str:
        """The gap as a Chinese sentence (VARCHAR), e.g. '研究开发费用占比 4.3%，至少需 5%，差 0.7 个百分点；
        约需增加研究开发费用 35万元' or '所属区县 海淀区，应为 东城区'."""
        cond = self.cond
        assert cond.op is not None
        op, vtype, name, unit = cond.op, cond.observed_type or "number", self.name, self.unit
        if vtype == "boolean":
            if cond.observed_feature is None:  # a test named by the condition's label, which states it
                return lit(name + "：否，应为 是")
            return f"{lit(name + '：')} || {_display(obs, vtype, unit)} || '，应为 ' || {_display(req, vtype, unit)}"
        if cond.scores:  # the bound that failed: the most the interval allows (≥, >, =) or the least
            name += "最高可得" if op in (">=", ">", "=") else "最低可得"
        if vtype in ("text", "date"):
            shown_obs, shown_req = _display(obs, vtype, unit), _display(req, vtype, unit)
            if cond.observed_feature == "district_code":
                name, shown_obs, shown_req = name.removesuffix("代码"), _district(shown_obs), _district(shown_req)
            need = (_NEED_DATE if vtype == "date" else _NEED)[op]
            return f"{lit(name + ' ')} || {shown_obs} || {lit('，' + need + ' ')} || {shown_req}"
        text = (
            f"{lit(name + ' ')} || {_display(obs, vtype, unit, req)} || {lit('，' + _NEED[op] + ' ')} || "
            f"{_display(req, vtype, unit)}"
        )
        # whole numbers: "> 70" needs 71, so at 70 the shortfall is 1, not 0
        step = " + 1" if op in (">", "<") and vtype in ("count", "integer") else ""
        if op in (">=", ">"):
            signed = f"{req} - {obs}{step}"
        elif op in ("<=", "<"):
            signed = f"{obs} - {req}{step}"
        else:
            signed = f"ABS({req} - {obs})"
        if vtype == "ratio":
            amount = f"{_fine(f'({signed}) * 100', 4, fine=10)} || ' 个百分点'"
        elif vtype == "money":
            amount = f"{_fine(signed, 4)} || '万元'"
        else:
            amount = f"{_fine(signed, 2)} || {lit(_unit(unit))}"
        text += f" || {lit('，' + _SHORT[op] + ' ')} || {amount}"
        lever = self.lever(obs, req, per)
        if lever is not None and cond.lever is not None:
            what = lit("；约需" + cond.lever.what + " ")
            text += f" || COALESCE({what} || {_fine(lever, 2)} || {lit(_unit(cond.lever.unit))}, '')"
        return text


def compile_condition(cond: Condition, version: PolicyVersion) -> CompiledCondition:
    return _per_version(version, cond.id, lambda: _compile_condition(cond, version))


def _compile_condition(cond: Condition, version: PolicyVersion) -> CompiledCondition:
    assert cond.observed is not None and cond.required is not None and cond.op is not None
    req = _bound(cond.required, version)
    name, unit = _observed_name(cond, version)
    per = None if cond.lever is None else _bound(cond.lever.per, version)
    waived = None if cond.waiver is None else _bound(cond.waiver.when, version)
    nulls = _is_null_any(cond.features)
    op = cond.op

    def waive(ok: exp.Expr) -> exp.Expr:
        return ok if waived is None else _case([(waived.copy(), exp.Boolean(this=True))], ok)

    if not cond.scores:
        obs = _bound(cond.observed, version)
        ok = _case([(nulls, exp.Null())], exp.Paren(this=_compare(op, obs.copy(), req.copy())))
        return CompiledCondition(cond, obs, req, waive(ok), per, cond.features, waived=waived, name=name, unit=unit)
    scores = compile_scores(version)
    # score columns come from score_layers (version_sql puts them under the condition layer)
    lo = _bound(cond.observed, version, {k: v.lo for k, v in scores.items()})
    hi = _bound(cond.observed, version, {k: v.hi for k, v in scores.items()})
    true, false = exp.Boolean(this=True), exp.Boolean(this=False)
    if op in (">=", ">"):
        decided = [(_compare(op, lo.copy(), req.copy()), true),
                   (exp.Not(this=exp.Paren(this=_compare(op, hi.copy(), req.copy()))), false)]  # fmt: skip
        obs = hi
    elif op in ("<=", "<"):
        decided = [(_compare(op, hi.copy(), req.copy()), true),
                   (exp.Not(this=exp.Paren(this=_compare(op, lo.copy(), req.copy()))), false)]  # fmt: skip
        obs = lo
    else:
        same = exp.And(this=exp.EQ(this=lo.copy(), expression=hi.copy()),
                       expression=exp.EQ(this=lo.copy(), expression=req.copy()))  # fmt: skip
        outside = exp.Or(this=exp.LT(this=req.copy(), expression=lo.copy()),
                         expression=exp.GT(this=req.copy(), expression=hi.copy()))  # fmt: skip
        decided, obs = [(same, true), (outside, false)], hi
    ok = _case([(nulls, exp.Null()), *decided], exp.Null())
    inputs = tuple(dict.fromkeys([*cond.features, *(f for k in cond.scores for f in scores[k].features)]))
    return CompiledCondition(cond, obs, req, waive(ok), per, inputs, lo, hi, waived, name, unit)


def _list(items: list[str]) -> str:
    """A VARCHAR[] from optional text items, NULL items dropped: a list filtered, not text joined and split
    (Spark: ``FILTER(ARRAY(…), x -> NOT x IS NULL)``)."""
    if not items:
        return "CAST(ARRAY[] AS VARCHAR[])"
    return f"LIST_FILTER([{', '.join(items)}], LAMBDA x : NOT x IS NULL)"


def version_sql(
    policy: Policy,
    version: PolicyVersion,
    as_of: date,
    rhash: str,
    source: str = "profile",
    *,
    detail: bool = False,
) -> str:
    """The SELECT producing the result rows of one policy version over ``profile`` (``_version_sql``),
    cached per version like the compiled pieces: printing the pieces as text is most of an explain's
    Python time."""
    key = f"\0sql|{policy.id}|{as_of.isoformat()}|{rhash}|{detail}|{source}"
    return _per_version(version, key, lambda: _version_sql(policy, version, as_of, rhash, source, detail=detail))


def _version_sql(
    policy: Policy,
    version: PolicyVersion,
    as_of: date,
    rhash: str,
    source: str = "profile",
    *,
    detail: bool = False,
) -> str:
    """The SELECT producing the result rows of one policy version over ``profile``.

    ``detail`` (explain) adds, per compiled condition i, ``c{i}_ok, c{i}_obs,
    c{i}_req, c{i}_per, c{i}_lo, c{i}_hi, c{i}_waived`` and per score ``sc_<id>_grade, sc_<id>_lo,
    sc_<id>_hi, sc_<id>_value`` (conditions in ``explain_order(version)``, scores in file order).

    Four nested layers, all set-based: ``p`` reads ``profile`` (rows of as_of) and computes per compiled
    condition i (the data conditions, then the data screens of attested/expert ones) its observed value
    ``c{i}_obs``, required value ``c{i}_req``, lever multiplier ``c{i}_per`` and outcome ``c{i}_ok`` (NULL =
    unknown), per input feature a NULL marker ``u{j}``, and the benefit amount; ``r`` adds the relative gaps
    ``c{i}_rel`` of failing conditions and keeps a feature's marker only where a condition reading it is
    unknown (``v{j}``); ``b`` picks the binding condition's index ``bi``; the outer SELECT derives status,
    the lists, and the binding condition with its values, typed (``_binding_columns``; the sentence is
    rendered when read: ``binding_gap_sql``).
    """
    data = [compile_condition(c, version) for c in version.conditions if c.kind == "data"]
    screens = [compile_condition(c, version) for c in version.conditions if c.screened]
    pending = [c for c in version.conditions if c.kind != "data"]
    compiled = [*data, *screens]
    key = SUBJECTS[policy.subject].key  # uscc for enterprises
    cols = [key]
    features: list[str] = []
    for i, cc in enumerate(compiled):
        cols += [f"{_duck(cc.observed)} AS c{i}_obs", f"{_duck(cc.required)} AS c{i}_req", f"{_duck(cc.ok)} AS c{i}_ok"]
        cols.append(f"{'CAST(NULL AS DOUBLE)' if cc.per is None else _duck(cc.per)} AS c{i}_per")
    for cc in data:
        features.extend(f for f in cc.inputs if f not in features)
    for j, f in enumerate(features):
        cols.append(f"CASE WHEN {f} IS NULL THEN {lit(f)} END AS u{j}")
    if detail:
        for i, cc in enumerate(compiled):
            for part, piece in (("lo", cc.observed_min), ("hi", cc.observed_max), ("waived", cc.waived)):
                cols.append(f"{'NULL' if piece is None else _duck(piece)} AS c{i}_{part}")
        for sc in compile_scores(version).values():
            cols += [sc.grade, sc.lo, sc.hi, sc.value]
    benefit = version.benefit
    cols.append(f"CAST({_sql(benefit.amount, version)} AS {MONEY})" if benefit else f"CAST(NULL AS {MONEY})")
    cols[-1] += " AS benefit_raw"
    n = len(compiled)
    rels = [
        f"CASE WHEN c{i}_ok = FALSE THEN {cc.rel_gap(f'c{i}_obs', f'c{i}_req')} END AS c{i}_rel"
        for i, cc in enumerate(compiled)
    ]
    for j, f in enumerate(features):
        readers = " OR ".join(f"c{i}_ok IS NULL" for i, cc in enumerate(data) if f in cc.inputs)
        rels.append(f"CASE WHEN {readers} THEN u{j} END AS v{j}")
    oks = [f"c{i}_ok" for i in range(n)]
    any_fail = any_fail_sql(oks)
    status = status_sql(oks, len(data), bool(pending))
    failed = _list([f"CASE WHEN c{i}_ok = FALSE THEN {lit(cc.cond.id)} END" for i, cc in enumerate(compiled)])
    screen_of = {cc.cond.id: len(data) + k for k, cc in enumerate(screens)}
    pend = [
        f"CASE WHEN c{screen_of[c.id]}_ok = FALSE THEN NULL ELSE {lit('pending:' + c.id)} END"
        if c.id in screen_of
        else lit("pending:" + c.id)
        for c in pending
    ]
    unknown = _list([*(f"v{j}" for j in range(len(features))), *pend])
    binding, stored = _binding_columns(compiled)
    day = f"DATE '{as_of.isoformat()}'"
    scored = score_layers(version, f"SELECT * FROM {source} WHERE as_of = {day}")
    p = f"SELECT {', '.join(cols)} FROM ({scored}) AS sc"
    r = f"SELECT *, {', '.join(rels)} FROM ({p}) AS p" if rels else f"SELECT * FROM ({p}) AS p"
    b = f"SELECT *, {binding} AS bi FROM ({r}) AS r"
    more = ""
    if detail:
        extra: list[str] = []
        for i in range(n):
            extra += [f"c{i}_ok", f"c{i}_obs", f"c{i}_req", f"c{i}_per", f"c{i}_lo", f"c{i}_hi", f"c{i}_waived"]
        for sc in compile_scores(version).values():
            extra += [sc.grade, sc.lo, sc.hi, sc.value]
        more = "".join(", " + x for x in extra)
    return (
        f"SELECT {key}, {lit(policy.id)} AS policy_id, {lit(version.id)} AS policy_version, {status} AS status, "
        f"{failed} AS failed_conditions, {unknown} AS unknown_features, {stored}, {day} AS as_of, {lit(ENGINE_VERSION)} AS engine_version, "
        f"{lit(rhash)} AS ruleset_hash, CASE WHEN {any_fail} THEN NULL ELSE benefit_raw END AS benefit_amount"
        f"{more} FROM ({b}) AS b"
    )


def _binding_columns(compiled: Sequence[CompiledCondition]) -> tuple[str, str]:
    """The binding condition's index ``bi`` (over the layer holding ``c{i}_rel``) and the stored columns
    derived from it: binding_condition and its values, typed — numbers as ``STORED_NUMBER``, other values as
    text — so the sentence is rendered where results are read (``binding_gap_sql``), not for every row."""
    n = len(compiled)
    if n == 0:
        return "CAST(NULL AS INTEGER)", (
            f"CAST(NULL AS VARCHAR) AS binding_condition, CAST(NULL AS {STORED_NUMBER}) AS binding_observed, "
            f"CAST(NULL AS {STORED_NUMBER}) AS binding_required, CAST(NULL AS {STORED_NUMBER}) AS binding_per, "
            "CAST(NULL AS VARCHAR) AS binding_observed_text, CAST(NULL AS VARCHAR) AS binding_required_text"
        )
    least = f"LEAST({', '.join(f'c{i}_rel' for i in range(n))})" if n > 1 else "c0_rel"
    # smallest relative gap first; a failing condition without one (dates) only when no other has one
    by_rel = " ".join(f"WHEN c{i}_rel = {least} THEN {i}" for i in range(n))
    first = " ".join(f"WHEN c{i}_ok = FALSE THEN {i}" for i in range(n))
    index = f"CASE {by_rel} {first} END"

    def pick(name: str, sql_type: str, arms: list[tuple[int, str]]) -> str:
        if not arms:
            return f"CAST(NULL AS {sql_type}) AS {name}"
        whens = " ".join(f"WHEN {i} THEN CAST({value} AS {sql_type})" for i, value in arms)
        return f"CASE bi {whens} END AS {name}"

    numeric = [i for i, cc in enumerate(compiled) if (cc.cond.observed_type or "number") in NUMERIC_TYPES]
    other = [i for i in range(n) if i not in numeric]
    columns = [
        pick("binding_condition", "VARCHAR", [(i, lit(cc.cond.id)) for i, cc in enumerate(compiled)]),
        pick("binding_observed", STORED_NUMBER, [(i, f"c{i}_obs") for i in numeric]),
        pick("binding_required", STORED_NUMBER, [(i, f"c{i}_req") for i in numeric]),
        pick("binding_per", STORED_NUMBER, [(i, f"c{i}_per") for i in numeric if compiled[i].per is not None]),
        pick("binding_observed_text", "VARCHAR", [(i, f"c{i}_obs") for i in other]),
        pick("binding_required_text", "VARCHAR", [(i, f"c{i}_req") for i in other]),
    ]
    return index, ", ".join(columns)


def stored_values(cc: CompiledCondition) -> tuple[str, str, str | None]:
    """SQL over a results row for a binding condition's observed, required and lever multiplier values,
    back in the type the condition compares (what ``gap_text`` formats)."""
    vtype = cc.cond.observed_type or "number"
    if vtype in NUMERIC_TYPES:
        return "binding_observed", "binding_required", None if cc.per is None else "binding_per"
    cast = {"boolean": "BOOLEAN", "date": "DATE"}.get(vtype)
    if cast is None:
        return "binding_observed_text", "binding_required_text", None
    return f"CAST(binding_observed_text AS {cast})", f"CAST(binding_required_text AS {cast})", None


def binding_gap_sql(policies: Sequence[Policy], as_of: date, policy_ids: Sequence[str] | None = None) -> str:
    """``binding_gap`` as a SQL expression over a row of ``results``: the binding condition's sentence (e.g.
    '研究开发费用占比 4.3%，至少需 5%，差 0.7 个百分点；约需增加研究开发费用 35万元') rendered from its stored
    values, for every policy version in force at as_of; NULL when no condition binds."""
    arms: list[str] = []
    for policy in choose(policies, policy_ids):
        version = policy.version_at(as_of)
        if version is None or not explain_order(version):
            continue
        texts = []
        for cond in explain_order(version):
            cc = compile_condition(cond, version)
            texts.append(f"WHEN {lit(cond.id)} THEN {cc.gap_text(*stored_values(cc))}")
        arms.append(
            f"WHEN policy_id = {lit(policy.id)} AND policy_version = {lit(version.id)} "
            f"THEN CASE binding_condition {' '.join(texts)} END"
        )
    return f"CASE {' '.join(arms)} END" if arms else "CAST(NULL AS VARCHAR)"


def any_fail_sql(oks: Sequence[str]) -> str:
    """TRUE when one of the outcome columns ``oks`` (data conditions, then data screens) is FALSE."""
    return " OR ".join(f"{ok} = FALSE" for ok in oks) or "FALSE"


def status_sql(oks: Sequence[str], data_count: int, pending: bool) -> str:
    """The status rule over the outcome columns ``oks`` (the first ``data_count`` the data conditions, then
    the data screens): fail if any is FALSE; else unknown if a data condition is unknown or an attested or
    expert condition is outstanding (``pending``); else pass."""
    unknown = " OR ".join([*(f"{ok} IS NULL" for ok in oks[:data_count]), "TRUE" if pending else "FALSE"])
    return f"CASE WHEN {any_fail_sql(oks)} THEN 'fail' WHEN {unknown} THEN 'unknown' ELSE 'pass' END"


def version_features(version: PolicyVersion) -> set[str]:
    """Every profile column version_sql reads for this version (with uscc and as_of)."""
    cols = {"uscc", "as_of"}
    for cond in version.conditions:
        cols.update(cond.features, cond.lever_features)
        if cond.waiver is not None:
            cols.update(cond.waiver.features)
    for sc in version.scores:
        cols.update(sc.features)
    if version.benefit is not None:
        cols.update(version.benefit.features)
    return cols


def explain_order(version: PolicyVersion) -> list[Condition]:
    """The conditions version_sql compiles, in its column order: data conditions, then data screens."""
    return [*(c for c in version.conditions if c.kind == "data"), *(c for c in version.conditions if c.screened)]


def select_sql(policies: Sequence[Policy], as_of: date, policy_ids: Sequence[str] | None) -> tuple[str, list[str]]:
    chosen = choose(policies, policy_ids)
    rhash = ruleset_hash(chosen)
    parts: list[str] = []
    evaluated: list[str] = []
    for p in chosen:
        v = p.version_at(as_of)
        if v is None:
            continue
        parts.append(version_sql(p, v, as_of, rhash))
        evaluated.append(f"{p.id}@{v.id}")
    if not parts:  # an empty result with the right columns
        binding = _binding_columns([])[1]
        parts.append(
            "SELECT CAST(NULL AS VARCHAR) AS uscc, CAST(NULL AS VARCHAR) AS policy_id, "
            "CAST(NULL AS VARCHAR) AS policy_version, CAST(NULL AS VARCHAR) AS status, "
            "CAST(ARRAY[] AS VARCHAR[]) AS failed_conditions, CAST(ARRAY[] AS VARCHAR[]) AS unknown_features, "
            f"{binding}, DATE '{as_of.isoformat()}' AS as_of, {lit(ENGINE_VERSION)} AS engine_version, "
            f"{lit(rhash)} AS ruleset_hash, CAST(NULL AS {MONEY}) AS benefit_amount FROM profile WHERE FALSE"
        )
    return "\nUNION ALL\n".join(parts), evaluated


def choose(policies: Sequence[Policy], policy_ids: Sequence[str] | None) -> list[Policy]:
    if policy_ids is None:
        return list(policies)
    by_id = {p.id: p for p in policies}
    missing = [i for i in policy_ids if i not in by_id]
    if missing:
        raise ValueError(f"unknown policy id(s): {', '.join(missing)}")
    return [by_id[i] for i in policy_ids]


def results_sql(policies: Sequence[Policy], as_of: date, policy_ids: Sequence[str] | None = None) -> str:
    """The SELECT computing ``results`` (DuckDB dialect, portable constructs), checked with sqlglot."""
    sql = select_sql(policies, as_of, policy_ids)[0]
    sqlglot.parse_one(sql, dialect="duckdb")
    return sql


def transpile_results_sql(
    policies: Sequence[Policy], as_of: date, dialect: str = "spark", policy_ids: Sequence[str] | None = None
) -> str:
    """The results SELECT in another dialect; raises on constructs sqlglot cannot translate."""
    return sqlglot.transpile(
        results_sql(policies, as_of, policy_ids),
        read="duckdb",
        write=dialect,
        unsupported_level=sqlglot.ErrorLevel.RAISE,
    )[0]


def compile_version(
    policy: Policy,
    version: PolicyVersion,
    as_of: date,
    rhash: str = "",
    dialect: str = "duckdb",
    *,
    pretty: bool = False,
) -> str:
    """The statement of one version (``version_sql``) in ``dialect`` (duckdb or spark), both printed from one
    SQLGlot tree (``pretty``: one clause a line, for the snapshots under tests/engine/rules/snapshots)."""
    tree = sqlglot.parse_one(version_sql(policy, version, as_of, rhash), dialect="duckdb")
    return tree.sql(dialect=dialect, pretty=pretty, unsupported_level=sqlglot.ErrorLevel.RAISE)


def compile_all_seconds(policies: Sequence[Policy] | None = None, dialects: Sequence[str] = ("duckdb",)) -> float:
    """Seconds to compile every version of the policies (default: the shipped ones) from the IR, with an
    empty cache: the DuckDB statement ``evaluate`` runs (``version_sql``). Each other dialect in ``dialects``
    adds printing that statement's tree in it (``compile_version``: parse once, print), which SQLGlot takes
    far longer for than the compile itself. For ``gaoqi bench rules``."""
    if policies is None:
        from gaoqi.engine.rules.evaluate import default_policy_dir

        policies = load_policies(default_policy_dir())
    _COMPILED.clear()
    start = time.perf_counter()
    for policy in policies:
        for version in policy.versions:
            for dialect in dialects:
                if dialect == "duckdb":
                    version_sql(policy, version, version.valid_from, "")
                else:
                    compile_version(policy, version, version.valid_from, "", dialect)
    seconds = time.perf_counter() - start
    _COMPILED.clear()
    return seconds
