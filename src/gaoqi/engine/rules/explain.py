"""Why an enterprise passes or fails one policy: every condition with its values, gap and sources.

``explain(con, uscc, policy_id, as_of, policies=None)`` (None → ``default_policy_dir()``) runs the version's
statement (``compile.version_sql`` with ``detail``) for one enterprise through the USCC index and gives every
condition with its observed value, the threshold in force, article, outcome (pass/fail/unknown/pending), gap,
and the provenance of the values (feed and file via ``loads``), and every score with its band and interval.

The answer is typed: an ``Explanation`` holding ``ConditionOutcome``s (with ``Provenance`` per feature) and
``ScoreOutcome``s. Their field names are the keys of the dictionary form (``to_dict()``, what
``Workspace.explain`` gives the platform), and each object also reads as a mapping of that form
(``x["status"]``, ``{**x}``), so templates and older callers read both alike. ``to_json()`` is the stable
JSON form: the dictionary with ``"schema": "gaoqi-explain/1"`` first, Decimals as exact strings and dates
in ISO form.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb

from gaoqi.engine.features import FEATURE_BY_NAME, IP_COUNT_FEATURES
from gaoqi.engine.rules.compile import (
    NUMERIC_TYPES,
    RESULT_COLUMNS,
    CompiledCondition,
    CompiledScore,
    _cache_key,
    choose,
    compile_condition,
    compile_scores,
    explain_order,
    version_features,
    version_sql,
)
from gaoqi.engine.rules.evaluate import check_profile, default_policy_dir
from gaoqi.engine.rules.gaptext import Difference, Unformattable, difference, gap_text, lever_value
from gaoqi.engine.rules.interpret import compare, condition_outcome, evaluate_expr, score_intervals, status_of
from gaoqi.engine.rules.ir import Policy, PolicyVersion
from gaoqi.engine.rules.load import load_policies
from gaoqi.engine.trace import FEATURE_TRACERS, ip_rows_by_feature
from gaoqi.engine.validate import lit

_Detail = tuple[dict[str, Any], Mapping[str, Sequence[Any]], Sequence[Any], dict[str, tuple[str | None, Any]]]

EXPLAIN_SCHEMA = "gaoqi-explain/1"
_ONE = "__gaoqi_explain_row__"  # where the enterprise's profile row goes in the cached statement


class _Record(Mapping[str, Any]):
    """Reads as the mapping of its ``to_dict()`` form (the dictionaries explain gave before it was typed)."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())


def _plain(value: Any) -> Any:
    if isinstance(value, _Record):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _json_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)  # Decimal: exact; float: repr


@dataclass(frozen=True, eq=False)
class Provenance(_Record):
    """Where a value comes from: a row of a delivered file (feed, file name, load and line; ``fiscal_year``
    for the rows of a window), or, for a register count, one record counted (``record``: its fields, e.g.
    ip_number and link method, or the credit event)."""

    feed: str | None = None
    file_name: str | None = None
    load_id: int | None = None
    line: int | None = None
    fiscal_year: int | None = None
    record: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.record is not None:
            return dict(self.record)
        out: dict[str, Any] = {} if self.fiscal_year is None else {"fiscal_year": self.fiscal_year}
        out.update(load_id=self.load_id, line=self.line, feed=self.feed, file_name=self.file_name)
        return out

    @classmethod
    def of(cls, item: Mapping[str, Any]) -> Provenance:
        if set(item) <= {"fiscal_year", "load_id", "line", "feed", "file_name"}:
            return cls(item.get("feed"), item.get("file_name"), item.get("load_id"), item.get("line"),
                       item.get("fiscal_year"))  # fmt: skip
        return cls(record=dict(item))


@dataclass(frozen=True, eq=False)
class ConditionOutcome(_Record):
    """One condition for one enterprise. ``outcome``: pass/fail/unknown for data conditions; attested and
    expert ones are ``pending``, or ``fail`` when their data screen fails. ``observed_min``/``observed_max``:
    the interval of a condition on scores (``observed`` is the bound that decides a failure)."""

    id: str
    label: str
    article: str
    kind: str
    note: str | None
    outcome: str
    observed: Any = None
    required: Any = None
    op: str | None = None
    expr: str | None = None
    gap: str | None = None
    lever: Any = None
    # what the gap sentence says after 差/超出/相差, typed (gaptext.Difference), for readers that must not parse text
    difference: Decimal | None = None
    difference_unit: str | None = None
    difference_word: str | None = None
    observed_min: Any = None
    observed_max: Any = None
    waived: str | None = None
    # the features read, by name (a field named as the dictionary key: it shadows Mapping.values on purpose)
    values: dict[str, Any] = field(default_factory=dict)  # type: ignore[assignment]
    provenance: dict[str, tuple[Provenance, ...]] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class ScoreOutcome(_Record):
    """One score for one enterprise: its band (``grade``), interval [min, max] and measured value."""

    id: str
    label: str
    article: str | None
    assessed_by: str
    grade: str | None
    min: int | None
    max: int | None
    max_points: int | None
    value: Any
    note: str | None


@dataclass(frozen=True, eq=False)
class Explanation(_Record):
    """One policy version for one enterprise: the batch's summary, every condition and every score."""

    uscc: str
    policy_id: str
    policy_version: str
    as_of: date
    status: str
    binding_condition: str | None
    binding_gap: str | None
    benefit_amount: Decimal | None
    benefit_label: str | None
    conditions: tuple[ConditionOutcome, ...]
    scores: tuple[ScoreOutcome, ...]

    def to_json(self) -> str:
        """The stable JSON form (``"schema": "gaoqi-explain/1"``)."""
        return json.dumps({"schema": EXPLAIN_SCHEMA, **_json_value(self.to_dict())}, ensure_ascii=False, indent=2)


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
        lever_per = None if cc.per is None else per
        parts += [cc.gap_text(obs, req, lever_per), cc.lever(obs, req, lever_per) or "NULL"]
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


class _Untyped(ValueError):
    """A value computed in Python that the SQL column's type would not hold as it is."""


@dataclass(frozen=True)
class _Plan:
    """What a warm explain needs of the version's statement: the SQL types of its columns (summary, the
    seven per condition, the four per score) and of each lever (``CompiledCondition.lever``)."""

    head: tuple[str, ...]
    conditions: dict[str, tuple[str, ...]]
    scores: tuple[str, ...]
    levers: dict[str, str]


# by (version, policy id, as_of, the profile columns' types): the types a version's statement gives
_PLANS: dict[tuple[object, ...], tuple[PolicyVersion | None, _Plan]] = {}


def _plan(version: PolicyVersion, key: tuple[object, ...]) -> _Plan | None:
    hit = _PLANS.get((*_cache_key(version, "\0explain"), *key))
    if hit is None or (not version.sha256 and hit[0] is not version):
        return None
    return hit[1]


def _remember(version: PolicyVersion, key: tuple[object, ...], plan: _Plan) -> None:
    if len(_PLANS) > 1_000:
        _PLANS.clear()
    _PLANS[(*_cache_key(version, "\0explain"), *key)] = (None if version.sha256 else version, plan)


def _typed(value: Any, sql_type: str) -> Any:
    """A value computed by ``interpret`` as DuckDB returns it in a column of ``sql_type``."""
    if value is None:
        return None
    if sql_type.startswith("DECIMAL("):
        if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
            raise _Untyped(sql_type)
        width, scale = (int(x) for x in sql_type[8:-1].split(","))
        out = Decimal(value).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
        if out != value or len(out.as_tuple().digits) > width:  # the SQL rounds no value; it fails on overflow
            raise _Untyped(sql_type)
        return out
    if sql_type == "DOUBLE":
        if isinstance(value, bool) or not isinstance(value, (Decimal, int, float)):
            raise _Untyped(sql_type)
        return float(value)
    if sql_type in ("INTEGER", "BIGINT", "HUGEINT", "SMALLINT", "TINYINT"):
        if isinstance(value, bool) or not isinstance(value, (Decimal, int)) or value != int(value):
            raise _Untyped(sql_type)
        return int(value)
    if sql_type == "BOOLEAN" and isinstance(value, bool):
        return value
    if sql_type == "VARCHAR" and isinstance(value, str):
        return value
    if sql_type == "DATE" and isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise _Untyped(sql_type)


def _sql_detail(
    con: duckdb.DuckDBPyConnection,
    uscc: str,
    policy: Policy,
    version: PolicyVersion,
    as_of: date,
    compiled: dict[str, CompiledCondition],
) -> tuple[_Detail, _Plan]:
    """The summary, every condition and every score by the version's statement (``version_sql``'s detail
    columns) for one enterprise, and the types of its columns. Planning that statement costs some 20 ms,
    so it runs on the first explain of a version only (and whenever Python cannot reproduce the SQL)."""
    # Only the columns the version reads: `SELECT *` of 120 columns through the nested layers costs more
    # to plan (~25 ms) than the whole evaluation of one enterprise.
    # (the statement is compiled once per version, over a placeholder for this enterprise's row)
    one = f"(SELECT {', '.join(sorted(version_features(version)))} FROM profile WHERE uscc = {lit(uscc)})"
    cur = con.execute(version_sql(policy, version, as_of, "", _ONE, detail=True).replace(_ONE, one))
    rows = cur.fetchall()
    if not rows:
        raise ValueError(f"no profile row for {uscc}")
    flat, kinds = rows[0], [str(d[1]) for d in cur.description]
    per_cond, head = 7, len(RESULT_COLUMNS)
    summary = dict(zip(RESULT_COLUMNS, flat[:head], strict=True))
    outcomes = {cid: flat[head + per_cond * i : head + per_cond * (i + 1)] for i, cid in enumerate(compiled)}
    types = {cid: cur.description[head + per_cond * i + 1 : head + per_cond * i + 4] for i, cid in enumerate(compiled)}
    texts = _gap_texts(con, compiled, outcomes, types)
    base = head + per_cond * len(compiled)
    levers: dict[str, str] = {}
    with_lever = [cid for cid, cc in compiled.items() if cc.per is not None]
    if with_lever:
        nulls = [compiled[cid].lever(*(f"CAST(NULL AS {t[1]})" for t in types[cid])) or "NULL" for cid in with_lever]
        lever_types = con.execute(f"SELECT {', '.join(nulls)}").description
        levers = {cid: str(d[1]) for cid, d in zip(with_lever, lever_types, strict=True)}
    plan = _Plan(
        head=tuple(kinds[:head]),
        conditions={
            cid: tuple(kinds[head + per_cond * i : head + per_cond * (i + 1)]) for i, cid in enumerate(compiled)
        },
        scores=tuple(kinds[base:]),
        levers=levers,
    )
    return (summary, outcomes, flat[base:], texts), plan


def _rel_gap(cc: CompiledCondition, obs: Any, req: Any) -> float | None:
    """``CompiledCondition.rel_gap`` (DOUBLE)."""
    vtype = cc.cond.observed_type or "number"
    if vtype in NUMERIC_TYPES:
        if obs is None or req is None:
            return None
        r, o = float(req), float(obs)
        diff = abs(r - o)
        return diff if r == 0 else diff / abs(r)
    return 1.0 if vtype in ("boolean", "text") else None


def _python_detail(
    plan: _Plan,
    version: PolicyVersion,
    compiled: dict[str, CompiledCondition],
    scores: Mapping[str, CompiledScore],
    row: Mapping[str, Any],
) -> _Detail:
    """What ``_sql_detail`` gives, computed by ``interpret`` and ``gaptext`` over the profile row and typed
    as the statement's columns (``plan``): no statement to plan."""
    params = version.parameters
    iv = score_intervals(version, row) if version.scores else {}
    outcomes: dict[str, tuple[Any, ...]] = {}
    for cid, cc in compiled.items():
        cond = cc.cond
        assert cond.observed is not None and cond.required is not None
        ok = condition_outcome(cond, version, row, iv)
        req = evaluate_expr(cond.required, row, params)
        lo = hi = None
        if cond.scores:
            lo = evaluate_expr(cond.observed, row, params, {k: v.lo for k, v in iv.items()})
            hi = evaluate_expr(cond.observed, row, params, {k: v.hi for k, v in iv.items()})
            obs = lo if cond.op in ("<=", "<") else hi
        else:
            obs = evaluate_expr(cond.observed, row, params)
        per = None if cond.lever is None else evaluate_expr(cond.lever.per, row, params)
        waived = None if cond.waiver is None else evaluate_expr(cond.waiver.when, row, params)
        values = (ok, obs, req, per, lo, hi, waived)
        outcomes[cid] = tuple(_typed(v, t) for v, t in zip(values, plan.conditions[cid], strict=True))
    flat_scores: list[Any] = []
    for (sid, sc), kinds in zip(scores.items(), _chunks(plan.scores, 4), strict=True):
        interval = iv[sid]
        value = None
        if sc.score.assessed_by == "data" and sc.score.value is not None:
            value = evaluate_expr(sc.score.value, row, params)
        parts = (interval.grade, interval.lo, interval.hi, value)
        flat_scores += [_typed(v, t) for v, t in zip(parts, kinds, strict=True)]
    status, _failed = status_of(version, {cid: o[0] for cid, o in outcomes.items()})
    any_fail = status == "fail"
    binding = None
    failing = [cid for cid, o in outcomes.items() if o[0] is False]
    if failing:
        rels = {cid: _rel_gap(compiled[cid], outcomes[cid][1], outcomes[cid][2]) for cid in failing}
        known = [r for r in rels.values() if r is not None]
        if known:
            least = known[0]
            for r in known[1:]:
                if compare("<", r, least):
                    least = r
            binding = next((cid for cid in failing if rels[cid] is not None and compare("=", rels[cid], least)), None)
        if binding is None:
            binding = failing[0]
    benefit = None
    if version.benefit is not None and not any_fail:
        benefit = _typed(
            evaluate_expr(version.benefit.amount, row, params), plan.head[RESULT_COLUMNS.index("benefit_amount")]
        )
    summary: dict[str, Any] = {"status": status, "binding_condition": binding, "benefit_amount": benefit}
    texts: dict[str, tuple[str | None, Any]] = {}
    for cid in failing:
        cc = compiled[cid]
        _ok, obs, req, per = outcomes[cid][:4]
        lever = None if cc.per is None else _typed(lever_value(obs, req, per), plan.levers[cid])
        texts[cid] = (gap_text(cc, obs, req, per if cc.per is not None else None), lever)
    return summary, outcomes, flat_scores, texts


def _difference(cc: CompiledCondition, obs: Any, req: Any) -> Difference | None:
    """The typed difference the gap sentence states; None where the sentence could not be formatted either."""
    try:
        return difference(cc, obs, req)
    except (Unformattable, ArithmeticError, TypeError):
        return None


def _chunks(items: Sequence[str], size: int) -> list[tuple[str, ...]]:
    return [tuple(items[i : i + size]) for i in range(0, len(items), size)]


def explain(
    con: duckdb.DuckDBPyConnection,
    uscc: str,
    policy_id: str,
    as_of: date,
    policies: Sequence[Policy] | None = None,
) -> Explanation:
    """Every condition of the policy version in force at as_of for one enterprise, with values and sources.

    An ``Explanation`` (as a mapping: {uscc, policy_id, policy_version, as_of, status, binding_condition,
    binding_gap, benefit_amount, benefit_label, conditions: [{id, label, article, kind, note, outcome,
    observed, required, op, expr, gap, lever, difference, difference_unit, difference_word, observed_min,
    observed_max, waived, values: {feature: value},
    provenance: {feature: [{feed, file_name, load_id, line, fiscal_year?}]}}], scores: [{id, label, article,
    assessed_by, grade, min, max, max_points, value, note}]}). ``outcome`` is pass/fail/unknown for data
    conditions; attested/expert ones are ``pending``, or ``fail`` when their data screen fails.
    ``observed_min``/``observed_max`` give the interval of a condition on scores (``observed`` is the bound
    that decides a failure).
    """
    check_profile(con, as_of)
    policy = choose(policies if policies is not None else load_policies(default_policy_dir()), [policy_id])[0]
    version = policy.version_at(as_of)
    if version is None:
        raise ValueError(f"policy {policy_id} has no version in force at {as_of}")
    ordered = explain_order(version)
    compiled = {c.id: compile_condition(c, version) for c in ordered}
    scores = compile_scores(version)
    # the profile columns explain shows or traces from, not all of them (each column costs a segment read)
    wanted = {"as_of", "fy_window_start", "fy_window_end"}
    for cc in compiled.values():
        wanted.update(cc.inputs, cc.cond.lever_features)
    for name in list(wanted):
        feat = FEATURE_BY_NAME[name]
        sources = (feat.provenance,) if feat.provenance is not None else DERIVED_PROVENANCE.get(name, ())
        wanted.update(f"{src}_{part}" for src in sources if not src.endswith("_window") for part in ("load_id", "line"))
    # The enterprise's row, through the USCC index: the columns the version reads and those shown.
    columns = sorted(version_features(version) | wanted)
    cur = con.execute(f"SELECT {', '.join(columns)} FROM profile WHERE uscc = {lit(uscc)}")
    rows = cur.fetchall()
    if not rows:
        raise ValueError(f"no profile row for {uscc}")
    row = dict(zip(columns, rows[0], strict=True))
    key = (policy.id, as_of, tuple(str(d[1]) for d in cur.description))
    plan = _plan(version, key)
    detail = None
    if plan is not None:  # warm: the version's SQL evaluated in Python (interpret, gaptext), typed as the SQL
        try:
            detail = _python_detail(plan, version, compiled, scores, row)
        except (Unformattable, _Untyped, ArithmeticError, TypeError):  # decimal.InvalidOperation included
            detail = None  # a value the SQL would reject or type otherwise: the SQL decides
    if detail is None:  # cold: the version's statement, which also gives the types of its columns
        detail, plan = _sql_detail(con, uscc, policy, version, as_of, compiled)
        _remember(version, key, plan)
    summary, outcomes, flat_scores, texts = detail
    # the sentence is rendered from the failing conditions' values, as results_with_gap renders it
    binding = summary["binding_condition"]
    binding_gap = None if binding is None else texts[binding][0]
    per_score = 4
    score_items: list[ScoreOutcome] = []
    for i, sc in enumerate(scores.values()):
        grade, lo, hi, value = flat_scores[per_score * i : per_score * (i + 1)]
        score_items.append(
            ScoreOutcome(
                id=sc.score.id,
                label=sc.score.label,
                article=sc.score.article,
                assessed_by=sc.score.assessed_by,
                grade=grade,
                min=None if lo is None else int(lo),
                max=None if hi is None else int(hi),
                max_points=sc.score.max_points,
                value=value,
                note=sc.score.note,
            )
        )
    seen: dict[str, list[dict[str, Any]]] = {}
    conditions: list[ConditionOutcome] = []
    for cond in version.conditions:
        if cond.id not in compiled:
            conditions.append(ConditionOutcome(cond.id, cond.label, cond.article, cond.kind, cond.note, "pending"))
            continue
        cc = compiled[cond.id]
        ok, obs, req, _per, lo, hi, waived = outcomes[cond.id]
        gap, lever = texts.get(cond.id, (None, None))
        diff = _difference(cc, obs, req) if ok is False else None
        feats = [*cc.inputs, *(f for f in cond.lever_features if f not in cc.inputs)]
        if cond.kind == "data":
            outcome = "unknown" if ok is None else "pass" if ok else "fail"
        else:
            outcome = "fail" if ok is False else "pending"
        item = ConditionOutcome(
            id=cond.id,
            label=cond.label,
            article=cond.article,
            kind=cond.kind,
            note=cond.note,
            outcome=outcome,
            observed=obs,
            required=req,
            op=cond.op,
            expr=cond.expr,
            gap=gap,
            lever=lever if ok is False else None,
            difference=diff.amount if diff is not None else None,
            difference_unit=diff.unit if diff is not None else None,
            difference_word=diff.word if diff is not None else None,
            observed_min=lo,
            observed_max=hi,
            waived=cond.waiver.label if cond.waiver is not None and waived else None,
            values={f: row[f] for f in feats},
            provenance={f: tuple(Provenance.of(p) for p in _cached_provenance(con, uscc, f, row, seen)) for f in feats},
        )
        conditions.append(item)
    return Explanation(
        uscc=uscc,
        policy_id=policy.id,
        policy_version=version.id,
        as_of=as_of,
        status=summary["status"],
        binding_condition=summary["binding_condition"],
        binding_gap=binding_gap,
        benefit_amount=summary["benefit_amount"],
        benefit_label=version.benefit.label if version.benefit is not None else None,
        conditions=tuple(conditions),
        scores=tuple(score_items),
    )
