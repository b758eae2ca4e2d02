"""Evaluate policies over ``profile``: one set-based SQL statement, three-valued results, gaps.

``evaluate(con, as_of, policies, policy_ids=None)`` compiles, for every policy whose version is in force at
``as_of``, all its conditions into one SELECT over ``profile`` (UNION ALL across policies), checks it with
sqlglot (and that it transpiles to Spark), and replaces the table ``results``:

=================  =========  ===========================================================================
column             type       meaning
=================  =========  ===========================================================================
uscc               VARCHAR    the enterprise
policy_id          VARCHAR    e.g. ``hte-certification``
policy_version     VARCHAR    the version in force at as_of, e.g. ``2016``
status             VARCHAR    ``fail`` if any data condition fails; else ``unknown`` if any data condition
                              is unknown or any attested/expert condition is outstanding; else ``pass``
failed_conditions  VARCHAR[]  ids of the failing data conditions, in file order
unknown_features   VARCHAR[]  NULL features read by the data conditions that are unknown (feature names,
                              file order), then ``pending:<condition id>`` for every attested/expert
                              condition not failed by its data screen (always outstanding: the engine has
                              no attestations yet)
binding_condition  VARCHAR    the failing condition closest to passing: smallest relative gap
                              ``|required − observed| / |required|`` (``|required − observed|`` when
                              required is 0; booleans/text count as 1); ties → file order. NULL unless fail
binding_gap        VARCHAR    a Chinese sentence for it, e.g. ``研究开发费用占比 4.3%，至少需 5%，差 0.7 个
                              百分点；约需增加研究开发费用 35万元``
as_of              DATE       the evaluation date (= profile.as_of)
engine_version     VARCHAR    ``ENGINE_VERSION``
ruleset_hash       VARCHAR    sha256 over (policy id, file sha256) of the evaluated policies
benefit_amount     DECIMAL    what the policy pays (万元, its ``benefit``) unless the status is fail; NULL
                              for policies without an amount
=================  =========  ===========================================================================

Three-valued logic: a data condition is **unknown** when any feature its comparison reads (observed or
required side, e.g. ``sales_revenue_last_year`` for the R&D tier) is NULL — never false, never 0. (A
comparison that is NULL although its inputs are not — impossible with the allowed constructs except by
division by zero — is unknown too, without a feature to list.) A policy with no version in force at
as_of gives no rows. Gap numbers: percentages to 4 decimals, money to 4, counts and levers to 2, each
shown to 8 decimals (percentages 10: ratios carry 12) instead when rounding would hide the difference; trailing zeros dropped.

Metadata: the table ``results_meta`` (one row, replaced with ``results``) holds as_of, engine_version,
ruleset_hash, the evaluated ``policy_id@version`` list, the ``loads.load_id`` list present when evaluating
(the loads the profile was built from) and the evaluation timestamp.

Scores (``policies.Score``) are intervals: a condition on ``score.<id>`` passes when the interval's minimum
passes and fails when its maximum fails (ADR 0005); its gap is measured from the bound that failed.

``explain(con, uscc, policy_id, as_of, policies=None)`` (None → ``default_policy_dir()``) gives every condition with its observed value, the
threshold in force, article, outcome (pass/fail/unknown/pending), gap, and the provenance of the values
(feed and file via ``loads``), and every score with its band and interval.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar, cast

import duckdb
import sqlglot

from gaoqi.engine.features import FEATURE_BY_NAME, IP_COUNT_FEATURES, MONEY
from gaoqi.engine.policies import (
    SCORE_PREFIX,
    Condition,
    Policy,
    PolicyVersion,
    Score,
    load_policies,
    ruleset_hash,
    substitute_params,
)
from gaoqi.engine.trace import FEATURE_TRACERS, ip_rows_by_feature
from gaoqi.engine.validate import district_codes, lit

ENGINE_VERSION = "gaoqi-rules/1"

RESULT_COLUMNS: tuple[str, ...] = (
    "uscc",
    "policy_id",
    "policy_version",
    "status",
    "failed_conditions",
    "unknown_features",
    "binding_condition",
    "binding_gap",
    "as_of",
    "engine_version",
    "ruleset_hash",
    "benefit_amount",
)

# the gap sentence: what the requirement is called, per operator, and the word before the difference
_NEED = {">=": "至少需", ">": "需大于", "<=": "至多", "<": "需小于", "=": "应为"}
_NEED_DATE = {">=": "应不早于", ">": "应晚于", "<=": "应不晚于", "<": "应早于", "=": "应为"}
_SHORT = {">=": "差", ">": "差", "<=": "超出", "<": "超出", "=": "相差"}


def default_policy_dir() -> Path:
    """$GAOQI_POLICIES, else the repository's ``policies/`` directory."""
    env = os.environ.get("GAOQI_POLICIES")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "policies"


def _fmt(x: str, decimals: int) -> str:
    """x rounded to ``decimals`` as text without trailing zeros (portable: no regexp)."""
    s = f"CAST(CAST(ROUND({x}, {decimals}) AS DECIMAL(38,{decimals})) AS VARCHAR)"
    return f"(CASE WHEN {s} LIKE '%.%' THEN RTRIM(RTRIM({s}, '0'), '.') ELSE {s} END)"


def _sql(cond_sql: str, version: PolicyVersion) -> str:
    return substitute_params(cond_sql, version.parameters).sql(dialect="duckdb")


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
    tree = sqlglot.parse_one(cond.observed, dialect="duckdb")
    while isinstance(tree, sqlglot.exp.Paren):
        tree = tree.this
    if cond.scores:
        if isinstance(tree, sqlglot.exp.Column) and tree.table == SCORE_PREFIX:
            return version.score(tree.name).label, "分"
        return cond.label, "分"
    terms: list[sqlglot.exp.Expr] = []
    todo: list[sqlglot.exp.Expr] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, sqlglot.exp.Add):
            todo += [node.expression, node.left]
        else:
            terms.append(node)
    if not all(isinstance(t, sqlglot.exp.Column) and not t.table and t.name in FEATURE_BY_NAME for t in terms):
        return cond.label, ""
    feats = [FEATURE_BY_NAME[cast(sqlglot.exp.Column, t).name] for t in terms]
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
    columns: tuple[tuple[str, str], ...]  # (column name, SQL) computed at this depth
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


def _score_sql(text: str, version: PolicyVersion, bound: dict[str, str]) -> str:
    """A score expression with parameters and ``score.<id>`` references substituted (``bound``: id → SQL)."""
    tree = substitute_params(text, version.parameters)

    def repl(node: sqlglot.exp.Expr) -> sqlglot.exp.Expr:
        if isinstance(node, sqlglot.exp.Column) and node.table == SCORE_PREFIX:
            return sqlglot.parse_one(bound[node.name], dialect="duckdb")
        return node

    return tree.transform(repl).sql(dialect="duckdb")


# Compiled SQL by (version object, what). Compiling parses with SQLGlot (~3 ms a condition); explain and
# simulate compile the same version again and again. The version is kept in the value so its id cannot be
# reused while the entry lives.
_COMPILED: dict[tuple[int, str], tuple[PolicyVersion, object]] = {}
_T = TypeVar("_T")


def _per_version(version: PolicyVersion, what: str, build: Callable[[], _T]) -> _T:
    key = (id(version), what)
    hit = _COMPILED.get(key)
    if hit is not None and hit[0] is version:
        return cast(_T, hit[1])
    value = build()
    if len(_COMPILED) > 10_000:
        _COMPILED.clear()
    _COMPILED[key] = (version, value)
    return value


def compile_scores(version: PolicyVersion) -> dict[str, CompiledScore]:
    """Every score of the version, in file order (cached per version object)."""
    return _per_version(version, "\0scores", lambda: _compile_scores(version))


def _compile_scores(version: PolicyVersion) -> dict[str, CompiledScore]:
    out: dict[str, CompiledScore] = {}
    for sc in version.scores:
        col = {part: score_column(sc.id, part) for part in ("band", "lo", "hi", "grade", "value")}
        if sc.assessed_by == "expert":
            cols = ((col["lo"], str(sc.min_points)), (col["hi"], str(sc.max_points)),
                    (col["grade"], "CAST(NULL AS VARCHAR)"), (col["value"], "CAST(NULL AS DOUBLE)"))  # fmt: skip
            out[sc.id] = CompiledScore(sc, 2, cols, ())
        elif sc.assessed_by == "combined":
            assert sc.expr is not None
            lo = _score_sql(sc.expr, version, {k: out[k].lo for k in sc.scores})
            hi = _score_sql(sc.expr, version, {k: out[k].hi for k in sc.scores})
            feats = tuple(dict.fromkeys(f for k in sc.scores for f in out[k].features))
            depth = 1 + max(out[k].depth for k in sc.scores)  # data and expert scores are ready at 2
            cols = ((col["lo"], lo), (col["hi"], hi), (col["grade"], "CAST(NULL AS VARCHAR)"),
                    (col["value"], "CAST(NULL AS DOUBLE)"))  # fmt: skip
            out[sc.id] = CompiledScore(sc, depth, cols, feats)
        else:
            # Bands are tried in order with three-valued logic: the first test that is TRUE decides, a
            # NULL test before it (missing input, division by zero) leaves the band unknown (0), FALSE goes on.
            # A valued score computes its value once (depth 0) and compares the column (depth 1).
            arms = [f"WHEN {col['value']} IS NULL THEN 0"] if sc.value is not None else []
            for i, b in enumerate(sc.bands, start=1):
                if b.threshold is not None:
                    arms.append(f"WHEN {col['value']} {b.threshold[0]} ({_sql(b.threshold[1], version)}) THEN {i}")
                elif b.when is not None:
                    w = _sql(b.when, version)
                    arms.append(f"WHEN {w} THEN {i} WHEN ({w}) IS NULL THEN 0")
            band = f"CASE {' '.join(arms)} ELSE {len(sc.bands)} END"
            value = "CAST(NULL AS DOUBLE)" if sc.value is None else _sql(sc.value, version)
            low, high = min(b.lo for b in sc.bands), max(b.hi for b in sc.bands)

            def by_band(pick: str, missing: str, sc: Score = sc, band_col: str = col["band"]) -> str:
                arms = " ".join(
                    f"WHEN {i} THEN {lit(b.grade) if pick == 'grade' else getattr(b, pick)}"
                    for i, b in enumerate(sc.bands, start=1)
                )
                return f"CASE {band_col} WHEN 0 THEN {missing} {arms} END"

            # value (depth 0), band index (1), then the interval and grade from the band index (2)
            out[sc.id] = CompiledScore(
                sc, 2,
                ((col["value"], value), (col["band"], band), (col["lo"], by_band("lo", str(low))),
                 (col["hi"], by_band("hi", str(high))), (col["grade"], by_band("grade", "CAST(NULL AS VARCHAR)"))),
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
            levels[k].extend(f"{expr} AS {name}" for name, expr in step)
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
    observed: str  # for scores: the interval bound that decides a failure (max for ≥/>/=, min for ≤/<)
    required: str
    ok: str  # TRUE / FALSE / NULL (unknown: an input feature is NULL, or a score interval straddles)
    per: str | None  # lever multiplier
    inputs: tuple[str, ...] = ()  # features whose NULL leaves the condition unknown (through scores too)
    observed_min: str | None = None  # score conditions: the interval of the observed side
    observed_max: str | None = None
    waived: str | None = None  # TRUE when the waiver applies
    name: str = ""  # the observed side in Chinese, for the gap text (_observed_name)
    unit: str = ""

    def rel_gap(self, obs: str, req: str) -> str:
        """Relative gap (DOUBLE) given SQL for the observed and required values."""
        vtype = self.cond.observed_type or "number"
        if vtype in ("money", "ratio", "count", "integer", "number"):
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
            if cond.observed not in FEATURE_BY_NAME:  # a test named by the condition's label, which states it
                return lit(name + "：否，应为 是")
            return f"{lit(name + '：')} || {_display(obs, vtype, unit)} || '，应为 ' || {_display(req, vtype, unit)}"
        if cond.scores:  # the bound that failed: the most the interval allows (≥, >, =) or the least
            name += "最高可得" if op in (">=", ">", "=") else "最低可得"
        if vtype in ("text", "date"):
            shown_obs, shown_req = _display(obs, vtype, unit), _display(req, vtype, unit)
            if cond.observed == "district_code":
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
    req = f"({_sql(cond.required, version)})"
    name, unit = _observed_name(cond, version)
    per = None if cond.lever is None else f"({_sql(cond.lever.per, version)})"
    waived = None if cond.waiver is None else f"({_sql(cond.waiver.when, version)})"
    nulls = " OR ".join(f"{f} IS NULL" for f in cond.features) or "FALSE"
    if not cond.scores:
        obs = f"({_sql(cond.observed, version)})"
        ok = f"CASE WHEN {nulls} THEN NULL ELSE ({obs} {cond.op} {req}) END"
        if waived is not None:
            ok = f"CASE WHEN {waived} THEN TRUE ELSE {ok} END"
        return CompiledCondition(cond, obs, req, ok, per, cond.features, waived=waived, name=name, unit=unit)
    scores = compile_scores(version)
    # score columns come from score_layers (version_sql puts them under the condition layer)
    lo = f"({_score_sql(cond.observed, version, {k: v.lo for k, v in scores.items()})})"
    hi = f"({_score_sql(cond.observed, version, {k: v.hi for k, v in scores.items()})})"
    op = cond.op
    if op in (">=", ">"):
        decided, obs = f"WHEN {lo} {op} {req} THEN TRUE WHEN NOT ({hi} {op} {req}) THEN FALSE", hi
    elif op in ("<=", "<"):
        decided, obs = f"WHEN {hi} {op} {req} THEN TRUE WHEN NOT ({lo} {op} {req}) THEN FALSE", lo
    else:
        decided, obs = f"WHEN {lo} = {hi} AND {lo} = {req} THEN TRUE WHEN {req} < {lo} OR {req} > {hi} THEN FALSE", hi
    ok = f"CASE WHEN {nulls} THEN NULL {decided} ELSE NULL END"
    if waived is not None:
        ok = f"CASE WHEN {waived} THEN TRUE ELSE {ok} END"
    inputs = tuple(dict.fromkeys([*cond.features, *(f for k in cond.scores for f in scores[k].features)]))
    return CompiledCondition(cond, obs, req, ok, per, inputs, lo, hi, waived, name, unit)


def _list(items: list[str]) -> str:
    """A VARCHAR[] from optional text items (NULL items are dropped): CONCAT_WS then split."""
    if not items:
        return "CAST(ARRAY[] AS VARCHAR[])"
    joined = f"CONCAT_WS(',', {', '.join(items)})"
    return f"CASE WHEN {joined} = '' THEN CAST(ARRAY[] AS VARCHAR[]) ELSE STRING_SPLIT({joined}, ',') END"


def version_sql(
    policy: Policy,
    version: PolicyVersion,
    as_of: date,
    rhash: str,
    source: str = "profile",
    *,
    detail: bool = False,
) -> str:
    """The SELECT producing the result rows of one policy version over ``profile``.

    ``detail`` (explain) leaves binding_gap NULL and adds, per compiled condition i, ``c{i}_ok, c{i}_obs,
    c{i}_req, c{i}_per, c{i}_lo, c{i}_hi, c{i}_waived`` and per score ``sc_<id>_grade, sc_<id>_lo,
    sc_<id>_hi, sc_<id>_value`` (conditions in ``explain_order(version)``, scores in file order).

    Four nested layers, all set-based: ``p`` reads ``profile`` (rows of as_of) and computes per compiled
    condition i (the data conditions, then the data screens of attested/expert ones) its observed value
    ``c{i}_obs``, required value ``c{i}_req``, lever multiplier ``c{i}_per`` and outcome ``c{i}_ok`` (NULL =
    unknown), per input feature a NULL marker ``u{j}``, and the benefit amount; ``r`` adds the relative gaps
    ``c{i}_rel`` of failing conditions and keeps a feature's marker only where a condition reading it is
    unknown (``v{j}``); ``b`` picks the binding condition ``bc``; the outer SELECT derives status, the
    lists, and the gap text of the binding condition only.
    """
    data = [compile_condition(c, version) for c in version.conditions if c.kind == "data"]
    screens = [compile_condition(c, version) for c in version.conditions if c.screened]
    pending = [c for c in version.conditions if c.kind != "data"]
    compiled = [*data, *screens]
    cols = ["uscc"]
    features: list[str] = []
    for i, cc in enumerate(compiled):
        cols += [f"{cc.observed} AS c{i}_obs", f"{cc.required} AS c{i}_req", f"{cc.ok} AS c{i}_ok"]
        cols.append(f"{cc.per or 'CAST(NULL AS DOUBLE)'} AS c{i}_per")
    for cc in data:
        features.extend(f for f in cc.inputs if f not in features)
    for j, f in enumerate(features):
        cols.append(f"CASE WHEN {f} IS NULL THEN {lit(f)} END AS u{j}")
    if detail:
        for i, cc in enumerate(compiled):
            cols += [f"{cc.observed_min or 'NULL'} AS c{i}_lo", f"{cc.observed_max or 'NULL'} AS c{i}_hi"]
            cols.append(f"{cc.waived or 'NULL'} AS c{i}_waived")
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
    any_fail = " OR ".join(f"c{i}_ok = FALSE" for i in range(n)) or "FALSE"
    any_unknown = " OR ".join([*(f"c{i}_ok IS NULL" for i in range(len(data))), "TRUE" if pending else "FALSE"])
    status = f"CASE WHEN {any_fail} THEN 'fail' WHEN {any_unknown} THEN 'unknown' ELSE 'pass' END"
    failed = _list([f"CASE WHEN c{i}_ok = FALSE THEN {lit(cc.cond.id)} END" for i, cc in enumerate(compiled)])
    screen_of = {cc.cond.id: len(data) + k for k, cc in enumerate(screens)}
    pend = [
        f"CASE WHEN c{screen_of[c.id]}_ok = FALSE THEN NULL ELSE {lit('pending:' + c.id)} END"
        if c.id in screen_of
        else lit("pending:" + c.id)
        for c in pending
    ]
    unknown = _list([*(f"v{j}" for j in range(len(features))), *pend])
    if n == 0:
        binding, gap = "CAST(NULL AS VARCHAR)", "CAST(NULL AS VARCHAR)"
    else:
        least = f"LEAST({', '.join(f'c{i}_rel' for i in range(n))})" if n > 1 else "c0_rel"
        by_rel = " ".join(f"WHEN c{i}_rel = {least} THEN {lit(cc.cond.id)}" for i, cc in enumerate(compiled))
        first = " ".join(f"WHEN c{i}_ok = FALSE THEN {lit(cc.cond.id)}" for i, cc in enumerate(compiled))
        binding = f"CASE {by_rel} {first} END"
        texts = (
            f"WHEN bc = {lit(cc.cond.id)} THEN {cc.gap_text(f'c{i}_obs', f'c{i}_req', f'c{i}_per' if cc.per else None)}"
            for i, cc in enumerate(compiled)
        )
        # detail (explain) formats the gap texts of the failing conditions apart, from their values:
        # the texts are most of this SQL, and planning them for one enterprise costs more than running it
        gap = "CAST(NULL AS VARCHAR)" if detail else f"CASE {' '.join(texts)} END"
    day = f"DATE '{as_of.isoformat()}'"
    scored = score_layers(version, f"SELECT * FROM {source} WHERE as_of = {day}")
    p = f"SELECT {', '.join(cols)} FROM ({scored}) AS sc"
    r = f"SELECT *, {', '.join(rels)} FROM ({p}) AS p" if rels else f"SELECT * FROM ({p}) AS p"
    b = f"SELECT *, {binding} AS bc FROM ({r}) AS r"
    more = ""
    if detail:
        extra: list[str] = []
        for i in range(n):
            extra += [f"c{i}_ok", f"c{i}_obs", f"c{i}_req", f"c{i}_per", f"c{i}_lo", f"c{i}_hi", f"c{i}_waived"]
        for sc in compile_scores(version).values():
            extra += [sc.grade, sc.lo, sc.hi, sc.value]
        more = "".join(", " + x for x in extra)
    return (
        f"SELECT uscc, {lit(policy.id)} AS policy_id, {lit(version.id)} AS policy_version, {status} AS status, "
        f"{failed} AS failed_conditions, {unknown} AS unknown_features, bc AS binding_condition, "
        f"{gap} AS binding_gap, {day} AS as_of, {lit(ENGINE_VERSION)} AS engine_version, "
        f"{lit(rhash)} AS ruleset_hash, CASE WHEN {any_fail} THEN NULL ELSE benefit_raw END AS benefit_amount"
        f"{more} FROM ({b}) AS b"
    )


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


def _select(policies: Sequence[Policy], as_of: date, policy_ids: Sequence[str] | None) -> tuple[str, list[str]]:
    chosen = _choose(policies, policy_ids)
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
        parts.append(
            "SELECT CAST(NULL AS VARCHAR) AS uscc, CAST(NULL AS VARCHAR) AS policy_id, "
            "CAST(NULL AS VARCHAR) AS policy_version, CAST(NULL AS VARCHAR) AS status, "
            "CAST(ARRAY[] AS VARCHAR[]) AS failed_conditions, CAST(ARRAY[] AS VARCHAR[]) AS unknown_features, "
            "CAST(NULL AS VARCHAR) AS binding_condition, CAST(NULL AS VARCHAR) AS binding_gap, "
            f"DATE '{as_of.isoformat()}' AS as_of, {lit(ENGINE_VERSION)} AS engine_version, "
            f"{lit(rhash)} AS ruleset_hash, CAST(NULL AS {MONEY}) AS benefit_amount FROM profile WHERE FALSE"
        )
    return "\nUNION ALL\n".join(parts), evaluated


def _choose(policies: Sequence[Policy], policy_ids: Sequence[str] | None) -> list[Policy]:
    if policy_ids is None:
        return list(policies)
    by_id = {p.id: p for p in policies}
    missing = [i for i in policy_ids if i not in by_id]
    if missing:
        raise ValueError(f"unknown policy id(s): {', '.join(missing)}")
    return [by_id[i] for i in policy_ids]


def results_sql(policies: Sequence[Policy], as_of: date, policy_ids: Sequence[str] | None = None) -> str:
    """The SELECT computing ``results`` (DuckDB dialect, portable constructs), checked with sqlglot."""
    sql = _select(policies, as_of, policy_ids)[0]
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


def _check_profile(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    # min and max come from zone maps: no scan of millions of rows (explain calls this too)
    low, high = con.execute("SELECT min(as_of), max(as_of) FROM profile").fetchall()[0]
    dates = {d for d in (low, high) if d is not None}
    if dates and dates != {as_of}:
        got = ", ".join(sorted(str(d) for d in dates))
        raise ValueError(f"profile is built for {got}, not {as_of}: run build_profiles(con, {as_of!r}) first")


def evaluate(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    policies: Sequence[Policy],
    policy_ids: Sequence[str] | None = None,
) -> duckdb.DuckDBPyRelation:
    """Replace tables ``results`` and ``results_meta``; return ``results`` as a relation."""
    _check_profile(con, as_of)
    sql, evaluated = _select(policies, as_of, policy_ids)
    sqlglot.parse_one(sql, dialect="duckdb")
    con.execute(f"CREATE OR REPLACE TABLE results AS {sql}")
    write_results_meta(con, as_of, policies, policy_ids, evaluated)
    return con.table("results")


def write_results_meta(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    policies: Sequence[Policy],
    policy_ids: Sequence[str] | None = None,
    evaluated: Sequence[str] | None = None,
) -> None:
    """Replace ``results_meta`` with the row describing ``results`` (``evaluated``: the ``policy_id@version``
    list; None → as ``evaluate`` computes it). The Spark engine writes the same row (``spark.store_results``)."""
    if evaluated is None:
        evaluated = _select(policies, as_of, policy_ids)[1]
    has_loads = con.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'loads'").fetchall()[0][
        0
    ]
    load_ids: list[int] = (
        [int(r[0]) for r in con.execute("SELECT load_id FROM loads ORDER BY load_id").fetchall()] if has_loads else []
    )
    con.execute(
        "CREATE OR REPLACE TABLE results_meta (as_of DATE, engine_version VARCHAR, ruleset_hash VARCHAR, "
        "policies VARCHAR[], load_ids INTEGER[], evaluated_at TIMESTAMP)"
    )
    con.execute(
        "INSERT INTO results_meta VALUES (?, ?, ?, ?, ?, ?)",
        [
            as_of,
            ENGINE_VERSION,
            ruleset_hash(_choose(policies, policy_ids)),
            evaluated,
            load_ids,
            datetime.now(UTC).replace(tzinfo=None),
        ],
    )


# ------------------------------------------------------------------------------------------------------
# explain


#: Sources of derived features that have no ``provenance`` of their own in the registry: profile column
#: prefixes (``P_load_id``/``P_line``) or ``finance_window`` / ``rd_window`` (the window rows of that feed).
DERIVED_PROVENANCE: dict[str, tuple[str, ...]] = {
    "days_since_established": ("registration",),
    "hte_rd_ratio": ("rd_window", "finance_window"),
    "rd_domestic_share": ("rd_window",),
    "st_staff_share": ("rd_last",),
    "ht_revenue_share": ("rd_last", "finance_last"),
}


def _provenance(
    con: duckdb.DuckDBPyConnection,
    uscc: str,
    feature: str,
    row: dict[str, Any],
    seen: dict[str, list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """Where a feature's value comes from: [{feed, file_name, load_id, line, fiscal_year?}]; for IP and
    credit counts, the records counted (``trace.FEATURE_TRACERS``: ip_number or event, link method, …).
    ``seen`` caches window rows and loads across the features of one explain, which share them."""
    seen = {} if seen is None else seen
    if feature in FEATURE_TRACERS:  # register counts: the IP records and credit events counted
        if row.get(feature) is None:
            return []
        try:
            if feature in IP_COUNT_FEATURES:  # the four IP counts share their two lookups
                if "ip" not in seen:
                    seen["ip"] = [ip_rows_by_feature(con, uscc, row["as_of"])]
                return [dict(item) for item in seen["ip"][0][feature]]
            return FEATURE_TRACERS[feature](con, uscc, row["as_of"], feature)
        except duckdb.CatalogException:  # a profile without the register tables behind it: nothing to trace
            return []
    f = FEATURE_BY_NAME[feature]
    sources = (f.provenance,) if f.provenance is not None else DERIVED_PROVENANCE.get(feature, ())
    out: list[dict[str, Any]] = []
    for source in sources:
        if source.endswith("_window"):
            if source not in seen:
                view = "finance_cur" if source == "finance_window" else "rd_cur"
                start, end = row.get("fy_window_start"), row.get("fy_window_end")
                seen[source] = (
                    []
                    if start is None or end is None
                    else sorted(
                        (
                            {"fiscal_year": fy, "load_id": load_id, "line": line}
                            # a literal key and no other filter: DuckDB 2.0 uses the uscc index only then
                            # (with the year filter beside it, it scans all 2M+ rows: 3 ms → 38 ms)
                            for fy, load_id, line in con.execute(
                                f"SELECT fiscal_year, _load_id, _line FROM {view} WHERE uscc = {lit(uscc)}"
                            ).fetchall()
                            if int(start) <= fy <= int(end)
                        ),
                        key=lambda item: int(item["fiscal_year"]),
                    )
                )
            out.extend(dict(item) for item in seen[source])
        elif row.get(f"{source}_load_id") is not None:
            out.append({"load_id": row[f"{source}_load_id"], "line": row.get(f"{source}_line")})
    if "loads" not in seen:
        seen["loads"] = [
            {"load_id": lid, "feed": feed, "file_name": name}
            for lid, feed, name in con.execute("SELECT load_id, feed, file_name FROM loads").fetchall()
        ]
    files = {d["load_id"]: d for d in seen["loads"]}
    for item in out:
        known = files.get(item["load_id"])
        item["feed"], item["file_name"] = (known["feed"], known["file_name"]) if known else (None, None)
    return out


def _typed_literal(value: Any, sql_type: Any) -> str:
    """A value as a SQL literal of the given DuckDB type (so formatting gives the batch's exact text)."""
    if value is None:
        return f"CAST(NULL AS {sql_type})"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return f"CAST({lit(str(value))} AS {sql_type})"


def _gap_texts(
    con: duckdb.DuckDBPyConnection,
    compiled: dict[str, CompiledCondition],
    outcomes: Mapping[str, Sequence[Any]],
    types: Mapping[str, Sequence[Any]],
) -> dict[str, tuple[str | None, Any]]:
    """Gap text and lever of each failing condition, by the same SQL as the batch (gap_text) applied to
    typed literals: constant folding makes this query cheap to plan, unlike the texts over columns."""
    parts: list[str] = []
    failing = [cid for cid, o in outcomes.items() if o[0] is False]
    for cid in failing:
        cc = compiled[cid]
        obs_v, req_v, per_v = outcomes[cid][1:4]
        obs, req, per = (_typed_literal(v, t[1]) for v, t in zip((obs_v, req_v, per_v), types[cid], strict=True))
        parts += [cc.gap_text(obs, req, per if cc.per else None), cc.lever(obs, req, per if cc.per else None) or "NULL"]
    if not parts:
        return {}
    values = con.execute(f"SELECT {', '.join(parts)}").fetchall()[0]
    return {cid: (values[2 * i], values[2 * i + 1]) for i, cid in enumerate(failing)}


def _cached_provenance(
    con: duckdb.DuckDBPyConnection, uscc: str, feature: str, row: dict[str, Any], seen: dict[str, Any]
) -> list[dict[str, Any]]:
    """_provenance once per feature of an explain (conditions and scores share features)."""
    key = "feature:" + feature
    if key not in seen:
        seen[key] = _provenance(con, uscc, feature, row, seen)
    return [dict(item) for item in seen[key]]


def explain(
    con: duckdb.DuckDBPyConnection,
    uscc: str,
    policy_id: str,
    as_of: date,
    policies: Sequence[Policy] | None = None,
) -> dict[str, Any]:
    """Every condition of the policy version in force at as_of for one enterprise, with values and sources.

    Returns {uscc, policy_id, policy_version, as_of, status, binding_condition, binding_gap, benefit_amount,
    conditions: [{id, label, article, kind, outcome, observed, required, op, expr, gap, lever,
    observed_min, observed_max, waived, values: {feature: value}, provenance: {feature: [{feed, file_name,
    load_id, line, fiscal_year?}]}, note}], scores: [{id, label, article, assessed_by, grade, min, max,
    max_points, value}]}. ``outcome`` is pass/fail/unknown for data conditions; attested/expert ones are
    ``pending``, or ``fail`` when their data screen fails. ``observed_min``/``observed_max`` give the
    interval of a condition on scores (``observed`` is the bound that decides a failure).
    """
    _check_profile(con, as_of)
    policy = _choose(policies if policies is not None else load_policies(default_policy_dir()), [policy_id])[0]
    version = policy.version_at(as_of)
    if version is None:
        raise ValueError(f"policy {policy_id} has no version in force at {as_of}")
    # One query: the summary, every condition and every score (version_sql's detail columns, each
    # expression written once), and the profile row, both through the USCC index.
    ordered = explain_order(version)
    compiled = {c.id: compile_condition(c, version) for c in ordered}
    scores = compile_scores(version)
    # Only the columns the version reads: `SELECT *` of 120 columns through the nested layers costs more
    # to plan (~25 ms) than the whole evaluation of one enterprise.
    one = f"(SELECT {', '.join(sorted(version_features(version)))} FROM profile WHERE uscc = {lit(uscc)})"
    detail = version_sql(policy, version, as_of, "", one, detail=True)
    # the profile columns explain shows or traces from, not all of them (each column costs a segment read)
    wanted = {"as_of", "fy_window_start", "fy_window_end"}
    for cc in compiled.values():
        wanted.update(cc.inputs, cc.cond.lever_features)
    for name in list(wanted):
        feat = FEATURE_BY_NAME[name]
        sources = (feat.provenance,) if feat.provenance is not None else DERIVED_PROVENANCE.get(name, ())
        wanted.update(f"{src}_{part}" for src in sources if not src.endswith("_window") for part in ("load_id", "line"))
    cur = con.execute(
        f"SELECT d.*, {', '.join(f'p.{c}' for c in sorted(wanted))} FROM ({detail}) AS d, "
        f"(SELECT {', '.join(sorted(wanted))} FROM profile WHERE uscc = {lit(uscc)}) AS p"
    )
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if not rows:
        raise ValueError(f"no profile row for {uscc}")
    flat = rows[0]
    per_cond, per_score = 7, 4
    head = len(RESULT_COLUMNS)
    k = head + per_cond * len(compiled) + per_score * len(scores)
    row = dict(zip(names[k:], flat[k:], strict=True))
    summary = dict(zip(RESULT_COLUMNS, flat[:head], strict=True))
    outcomes = {cid: flat[head + per_cond * i : head + per_cond * (i + 1)] for i, cid in enumerate(compiled)}
    types = {cid: cur.description[head + per_cond * i + 1 : head + per_cond * i + 4] for i, cid in enumerate(compiled)}
    texts = _gap_texts(con, compiled, outcomes, types)
    if summary["binding_condition"] is not None:
        summary["binding_gap"] = texts[summary["binding_condition"]][0]
    base = head + per_cond * len(compiled)
    score_items = []
    for i, sc in enumerate(scores.values()):
        grade, lo, hi, value = flat[base + per_score * i : base + per_score * (i + 1)]
        score_items.append(
            {
                "id": sc.score.id,
                "label": sc.score.label,
                "article": sc.score.article,
                "assessed_by": sc.score.assessed_by,
                "grade": grade,
                "min": None if lo is None else int(lo),
                "max": None if hi is None else int(hi),
                "max_points": sc.score.max_points,
                "value": value,
                "note": sc.score.note,
            }
        )
    seen: dict[str, list[dict[str, Any]]] = {}
    conditions: list[dict[str, Any]] = []
    for cond in version.conditions:
        item: dict[str, Any] = {
            "id": cond.id,
            "label": cond.label,
            "article": cond.article,
            "kind": cond.kind,
            "note": cond.note,
        }
        if cond.id not in compiled:
            item.update(outcome="pending", observed=None, required=None, op=None, expr=None, gap=None, lever=None)
            item.update(observed_min=None, observed_max=None, waived=None, values={}, provenance={})
            conditions.append(item)
            continue
        cc = compiled[cond.id]
        ok, obs, req, _per, lo, hi, waived = outcomes[cond.id]
        gap, lever = texts.get(cond.id, (None, None))
        feats = [*cc.inputs, *(f for f in cond.lever_features if f not in cc.inputs)]
        if cond.kind == "data":
            outcome = "unknown" if ok is None else "pass" if ok else "fail"
        else:
            outcome = "fail" if ok is False else "pending"
        item.update(
            outcome=outcome,
            observed=obs,
            required=req,
            op=cond.op,
            expr=cond.expr,
            gap=gap,
            lever=lever if ok is False else None,
            observed_min=lo,
            observed_max=hi,
            waived=cond.waiver.label if cond.waiver is not None and waived else None,
            values={f: row[f] for f in feats},
            provenance={f: _cached_provenance(con, uscc, f, row, seen) for f in feats},
        )
        conditions.append(item)
    return {
        "uscc": uscc,
        "policy_id": policy.id,
        "policy_version": version.id,
        "as_of": as_of,
        "status": summary["status"],
        "binding_condition": summary["binding_condition"],
        "binding_gap": summary["binding_gap"],
        "benefit_amount": summary["benefit_amount"],
        "benefit_label": version.benefit.label if version.benefit is not None else None,
        "conditions": conditions,
        "scores": score_items,
    }


#: The largest magnitude a simulated parameter may take (amounts are in 万元 or 元; thresholds far below this).
PARAMETER_LIMIT = Decimal(10) ** 15


def with_parameters(version: PolicyVersion, overrides: dict[str, str]) -> PolicyVersion:
    """A copy of ``version`` with some parameter values replaced (text parsed by each parameter's type)."""
    import dataclasses
    from decimal import InvalidOperation

    params = dict(version.parameters)
    for name, text in overrides.items():
        if name not in params:
            known = ", ".join(sorted(params))
            raise ValueError(f"policy version {version.id} has no parameter {name!r} (parameters: {known})")
        old = params[name]
        value: Any
        if isinstance(old.value, bool):
            value = text.strip().lower() in ("1", "true", "yes", "是")
        elif isinstance(old.value, Decimal):
            try:
                value = Decimal(text.strip())
            except InvalidOperation as exc:
                raise ValueError(f"参数 {name} 须为数字 ({name} takes a number, not {text[:40]!r})") from exc
            # NaN and Infinity parse as Decimals but are no threshold; nor is a number no column can hold
            if not value.is_finite() or abs(value) >= PARAMETER_LIMIT:
                raise ValueError(
                    f"参数 {name} 须为绝对值小于 10^15 的有限数值 ({name} takes a finite number, not {text[:40]!r})"
                )
        elif isinstance(old.value, date):
            try:
                value = date.fromisoformat(text.strip())
            except ValueError as exc:
                raise ValueError(f"参数 {name} 须为日期 YYYY-MM-DD ({name} takes a date, not {text[:40]!r})") from exc
        else:
            value = text
        params[name] = dataclasses.replace(old, value=value)
    return dataclasses.replace(version, parameters=params)


def simulate(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    policy: Policy,
    overrides: dict[str, str],
    by: str = "district",
) -> dict[str, Any]:
    """The population impact of a parameter change, in one pass over ``profile``: per group (district or
    HTE technical field), how many enterprises move between pass, fail and unknown."""
    _check_profile(con, as_of)
    version = policy.version_at(as_of)
    if version is None:
        raise ValueError(f"policy {policy.id} has no version in force at {as_of}")
    changed = with_parameters(version, overrides)
    group = {"district": "district_code", "field": "coalesce(tech_field, '(none)')"}.get(by)
    if group is None:
        raise ValueError("by must be 'district' or 'field'")
    base_sql = version_sql(policy, version, as_of, "")
    new_sql = version_sql(policy, changed, as_of, "")
    # fiscal cost: what the passing enterprises are paid, before and after; "unknown" rows would cost
    # the same amounts if their outstanding items were settled in their favour
    sql = (
        f"WITH base AS (SELECT uscc, status, benefit_amount AS amount FROM ({base_sql})), "
        f"new AS (SELECT uscc, status, benefit_amount AS amount FROM ({new_sql})) "
        f"SELECT {group} AS grp, base.status AS before, new.status AS after, count(*) AS n, "
        "sum(CASE WHEN base.status = 'pass' THEN base.amount END) AS cost_before, "
        "sum(CASE WHEN new.status = 'pass' THEN new.amount END) AS cost_after, "
        "sum(CASE WHEN base.status = 'unknown' THEN base.amount END) AS potential_before, "
        "sum(CASE WHEN new.status = 'unknown' THEN new.amount END) AS potential_after "
        f"FROM base JOIN new USING (uscc) JOIN profile USING (uscc) GROUP BY ALL ORDER BY ALL"
    )
    sqlglot.parse_one(sql, dialect="duckdb")
    rows = con.execute(sql).fetchall()
    groups: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    money = ("cost_before", "cost_after", "potential_before", "potential_after")
    cost: dict[str, Any] = dict.fromkeys(money, Decimal(0))
    group_cost: dict[str, dict[str, Any]] = {}
    for grp, before, after, n, *amounts in rows:
        key = f"{before}→{after}"
        groups.setdefault(str(grp), {})[key] = groups.get(str(grp), {}).get(key, 0) + int(n)
        totals[key] = totals.get(key, 0) + int(n)
        gc = group_cost.setdefault(str(grp), dict.fromkeys(money, Decimal(0)))
        for name, amount in zip(money, amounts, strict=True):
            if amount is not None:
                cost[name] += amount
                gc[name] += amount
    pays = version.benefit is not None
    return {
        "policy_id": policy.id,
        "policy_version": version.id,
        "as_of": as_of.isoformat(),
        "changes": {
            k: {"from": str(version.parameters[k].value), "to": str(changed.parameters[k].value)} for k in overrides
        },
        "by": by,
        "totals": totals,
        "flips": {k: v for k, v in totals.items() if k.split("→")[0] != k.split("→")[1]},
        "groups": groups,
        # 万元; None when the policy pays no amount
        "cost": ({**cost, "change": cost["cost_after"] - cost["cost_before"]} if pays else None),
        "group_cost": (
            {g: {**c, "change": c["cost_after"] - c["cost_before"]} for g, c in group_cost.items()} if pays else None
        ),
    }
