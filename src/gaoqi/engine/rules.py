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
unknown_features   VARCHAR[]  NULL features read by the data conditions (feature names, file order), then
                              ``pending:<condition id>`` for every attested/expert condition (always
                              outstanding: the engine has no attestations yet)
binding_condition  VARCHAR    the failing condition closest to passing: smallest relative gap
                              ``|required − observed| / |required|`` (``|required − observed|`` when
                              required is 0; booleans/text count as 1); ties → file order. NULL unless fail
binding_gap        VARCHAR    human text for it, e.g. ``hte_rd_ratio 4.3% < 5%: 0.7 points short; about
                              35万元 more R&D``
as_of              DATE       the evaluation date (= profile.as_of)
engine_version     VARCHAR    ``ENGINE_VERSION``
ruleset_hash       VARCHAR    sha256 over (policy id, file sha256) of the evaluated policies
=================  =========  ===========================================================================

Three-valued logic: a data condition is **unknown** when any feature its comparison reads (observed or
required side, e.g. ``sales_revenue_last_year`` for the R&D tier) is NULL — never false, never 0. (A
comparison that is NULL although its inputs are not — impossible with the allowed constructs except by
division by zero — is unknown too, without a feature to list.) A policy with no version in force at
as_of gives no rows. Gap numbers: percentages to 4 decimals, money to 4, counts and levers to 2, each
shown to 8 decimals instead when rounding would hide the difference; trailing zeros dropped.

Metadata: the table ``results_meta`` (one row, replaced with ``results``) holds as_of, engine_version,
ruleset_hash, the evaluated ``policy_id@version`` list, the ``loads.load_id`` list present when evaluating
(the loads the profile was built from) and the evaluation timestamp.

``explain(con, uscc, policy_id, as_of, policies=None)`` (None → ``default_policy_dir()``) gives every condition with its observed value, the
threshold in force, article, outcome (pass/fail/unknown/pending), gap, and the provenance of the values
(feed and file via ``loads``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import sqlglot

from gaoqi.engine.features import FEATURE_BY_NAME
from gaoqi.engine.policies import (
    Condition,
    Policy,
    PolicyVersion,
    load_policies,
    ruleset_hash,
    substitute_params,
)

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
)

_NEG = {">=": "<", ">": "≤", "<=": ">", "<": "≥", "=": "≠"}


def default_policy_dir() -> Path:
    """$GAOQI_POLICIES, else the repository's ``policies/`` directory."""
    env = os.environ.get("GAOQI_POLICIES")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "policies"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fmt(x: str, decimals: int) -> str:
    """x rounded to ``decimals`` as text without trailing zeros (portable: no regexp)."""
    s = f"CAST(CAST(ROUND({x}, {decimals}) AS DECIMAL(38,{decimals})) AS VARCHAR)"
    return f"(CASE WHEN {s} LIKE '%.%' THEN RTRIM(RTRIM({s}, '0'), '.') ELSE {s} END)"


def _sql(cond_sql: str, version: PolicyVersion) -> str:
    return substitute_params(cond_sql, version.parameters).sql(dialect="duckdb")


def _fine(x: str, decimals: int, *, unlike: str | None = None) -> str:
    """_fmt at ``decimals``, or at 8 decimals when that would hide a difference: a non-zero x rounding to 0,
    or (with ``unlike``) an x different from ``unlike`` that rounds to the same text."""
    hidden = f"ROUND({x}, {decimals}) = 0 AND {x} <> 0"
    if unlike is not None:
        hidden = f"ROUND({x}, {decimals}) = ROUND({unlike}, {decimals}) AND {x} <> {unlike}"
    return f"(CASE WHEN {hidden} THEN {_fmt(x, 8)} ELSE {_fmt(x, decimals)} END)"


def _display(value: str, vtype: str, unit: str, other: str | None = None) -> str:
    """A value as text in its unit; ``other`` = the value it is compared with (shown apart if they differ)."""
    if vtype == "ratio":
        pct = f"({value}) * 100"
        return f"{_fine(pct, 4, unlike=None if other is None else f'({other}) * 100')} || '%'"
    if vtype == "money":
        return f"{_fine(value, 4, unlike=other)} || '万元'"
    if vtype == "boolean":
        return f"CASE WHEN {value} THEN 'true' ELSE 'false' END"
    if vtype in ("text", "date"):
        return f"CAST({value} AS VARCHAR)"
    return f"{_fine(value, 2, unlike=other)} || {_q(unit)}"


@dataclass(frozen=True)
class CompiledCondition:
    """SQL pieces of one data condition over ``profile`` (parameters substituted)."""

    cond: Condition
    observed: str
    required: str
    ok: str  # TRUE / FALSE / NULL (unknown: an input feature is NULL)
    per: str | None  # lever multiplier

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
        """Human text 'name observed <neg op> required: difference short; about lever unit what' (VARCHAR)."""
        cond = self.cond
        assert cond.op is not None
        vtype = cond.observed_type or "number"
        name = cond.observed if cond.observed in FEATURE_BY_NAME else cond.id
        feat = FEATURE_BY_NAME.get(cond.observed or "")
        unit = feat.unit if feat is not None and feat.unit else ""
        neg = _q(" " + _NEG[cond.op] + " ")
        text = f"{_q(name + ' ')} || {_display(obs, vtype, unit, req)} || {neg} || {_display(req, vtype, unit)}"
        if vtype not in ("money", "ratio", "count", "integer", "number"):
            return text
        if cond.op in (">=", ">"):
            signed, word = f"{req} - {obs}", "short"
        elif cond.op in ("<=", "<"):
            signed, word = f"{obs} - {req}", "over"
        else:
            signed, word = f"ABS({req} - {obs})", "off"
        if vtype == "ratio":
            amount = f"{_fine(f'({signed}) * 100', 4)} || ' points {word}'"
        elif vtype == "money":
            amount = f"{_fine(signed, 4)} || '万元 {word}'"
        else:
            amount = f"{_fine(signed, 2)} || {_q(unit + ' ' + word)}"
        text += f" || ': ' || {amount}"
        lever = self.lever(obs, req, per)
        if lever is not None and cond.lever is not None:
            what = _q(cond.lever.unit + " " + cond.lever.what)
            text += f" || COALESCE('; about ' || {_fine(lever, 2)} || {what}, '')"
        return text


# Compiled conditions by (version object, condition id). Compiling parses with SQLGlot (~3 ms a condition);
# explain and simulate compile the same version again and again. The version is kept in the value so its
# id cannot be reused while the entry lives.
_COMPILED: dict[tuple[int, str], tuple[PolicyVersion, CompiledCondition]] = {}


def compile_condition(cond: Condition, version: PolicyVersion) -> CompiledCondition:
    key = (id(version), cond.id)
    hit = _COMPILED.get(key)
    if hit is not None and hit[0] is version:
        return hit[1]
    compiled = _compile_condition(cond, version)
    if len(_COMPILED) > 10_000:
        _COMPILED.clear()
    _COMPILED[key] = (version, compiled)
    return compiled


def _compile_condition(cond: Condition, version: PolicyVersion) -> CompiledCondition:
    assert cond.observed is not None and cond.required is not None and cond.op is not None
    obs = f"({_sql(cond.observed, version)})"
    req = f"({_sql(cond.required, version)})"
    nulls = " OR ".join(f"{f} IS NULL" for f in cond.features) or "FALSE"
    ok = f"CASE WHEN {nulls} THEN NULL ELSE ({obs} {cond.op} {req}) END"
    per = None if cond.lever is None else f"({_sql(cond.lever.per, version)})"
    return CompiledCondition(cond, obs, req, ok, per)


def _list(items: list[str]) -> str:
    """A VARCHAR[] from optional text items (NULL items are dropped): CONCAT_WS then split."""
    if not items:
        return "CAST(ARRAY[] AS VARCHAR[])"
    joined = f"CONCAT_WS(',', {', '.join(items)})"
    return f"CASE WHEN {joined} = '' THEN CAST(ARRAY[] AS VARCHAR[]) ELSE STRING_SPLIT({joined}, ',') END"


def version_sql(policy: Policy, version: PolicyVersion, as_of: date, rhash: str, source: str = "profile") -> str:
    """The SELECT producing the result rows of one policy version over ``profile``.

    Four nested layers, all set-based: ``p`` reads ``profile`` (rows of as_of) and computes per data
    condition i its observed value ``c{i}_obs``, required value ``c{i}_req``, lever multiplier
    ``c{i}_per`` and outcome ``c{i}_ok`` (NULL = unknown), and per input feature a NULL marker ``u{j}``;
    ``r`` adds the relative gaps ``c{i}_rel`` of failing conditions; ``b`` picks the binding condition
    ``bc``; the outer SELECT derives status, the lists, and the gap text of the binding condition only.
    """
    data = [compile_condition(c, version) for c in version.conditions if c.kind == "data"]
    pending = [c.id for c in version.conditions if c.kind != "data"]
    cols = ["uscc"]
    features: list[str] = []
    for i, cc in enumerate(data):
        cols += [f"{cc.observed} AS c{i}_obs", f"{cc.required} AS c{i}_req", f"{cc.ok} AS c{i}_ok"]
        cols.append(f"{cc.per or 'CAST(NULL AS DOUBLE)'} AS c{i}_per")
        features.extend(f for f in cc.cond.features if f not in features)
    for j, f in enumerate(features):
        cols.append(f"CASE WHEN {f} IS NULL THEN {_q(f)} END AS u{j}")
    n = len(data)
    rels = [
        f"CASE WHEN c{i}_ok = FALSE THEN {cc.rel_gap(f'c{i}_obs', f'c{i}_req')} END AS c{i}_rel"
        for i, cc in enumerate(data)
    ]
    any_fail = " OR ".join(f"c{i}_ok = FALSE" for i in range(n)) or "FALSE"
    any_unknown = " OR ".join([*(f"c{i}_ok IS NULL" for i in range(n)), "TRUE" if pending else "FALSE"])
    status = f"CASE WHEN {any_fail} THEN 'fail' WHEN {any_unknown} THEN 'unknown' ELSE 'pass' END"
    failed = _list([f"CASE WHEN c{i}_ok = FALSE THEN {_q(cc.cond.id)} END" for i, cc in enumerate(data)])
    unknown = _list([*(f"u{j}" for j in range(len(features))), *(_q("pending:" + p) for p in pending)])
    if n == 0:
        binding, gap = "CAST(NULL AS VARCHAR)", "CAST(NULL AS VARCHAR)"
    else:
        least = f"LEAST({', '.join(f'c{i}_rel' for i in range(n))})" if n > 1 else "c0_rel"
        by_rel = " ".join(f"WHEN c{i}_rel = {least} THEN {_q(cc.cond.id)}" for i, cc in enumerate(data))
        first = " ".join(f"WHEN c{i}_ok = FALSE THEN {_q(cc.cond.id)}" for i, cc in enumerate(data))
        binding = f"CASE {by_rel} {first} END"
        texts = (
            f"WHEN bc = {_q(cc.cond.id)} THEN {cc.gap_text(f'c{i}_obs', f'c{i}_req', f'c{i}_per' if cc.per else None)}"
            for i, cc in enumerate(data)
        )
        gap = f"CASE {' '.join(texts)} END"
    day = f"DATE '{as_of.isoformat()}'"
    p = f"SELECT {', '.join(cols)} FROM {source} WHERE as_of = {day}"
    r = f"SELECT *, {', '.join(rels)} FROM ({p}) AS p" if rels else f"SELECT * FROM ({p}) AS p"
    b = f"SELECT *, {binding} AS bc FROM ({r}) AS r"
    return (
        f"SELECT uscc, {_q(policy.id)} AS policy_id, {_q(version.id)} AS policy_version, {status} AS status, "
        f"{failed} AS failed_conditions, {unknown} AS unknown_features, bc AS binding_condition, "
        f"{gap} AS binding_gap, {day} AS as_of, {_q(ENGINE_VERSION)} AS engine_version, "
        f"{_q(rhash)} AS ruleset_hash FROM ({b}) AS b"
    )


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
            f"DATE '{as_of.isoformat()}' AS as_of, {_q(ENGINE_VERSION)} AS engine_version, "
            f"{_q(rhash)} AS ruleset_hash FROM profile WHERE FALSE"
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
    return con.table("results")


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
    """Where a feature's value comes from: [{feed, file_name, load_id, line, fiscal_year?}] (possibly empty:
    IP and credit counts are not traced to rows). ``seen`` caches window rows and loads across the features
    of one explain, which share them."""
    seen = {} if seen is None else seen
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
                    else [
                        {"fiscal_year": fy, "load_id": load_id, "line": line}
                        # literals, not parameters: DuckDB uses the uscc index only for a constant
                        for fy, load_id, line in con.execute(
                            f"SELECT fiscal_year, _load_id, _line FROM {view} WHERE uscc = {_q(uscc)} "
                            f"AND fiscal_year BETWEEN {int(start)} AND {int(end)} ORDER BY fiscal_year"
                        ).fetchall()
                    ]
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


def explain(
    con: duckdb.DuckDBPyConnection,
    uscc: str,
    policy_id: str,
    as_of: date,
    policies: Sequence[Policy] | None = None,
) -> dict[str, Any]:
    """Every condition of the policy version in force at as_of for one enterprise, with values and sources.

    Returns {uscc, policy_id, policy_version, as_of, status, binding_condition, binding_gap,
    conditions: [{id, label, article, kind, outcome, observed, required, op, expr, gap, lever,
    values: {feature: value}, provenance: {feature: [{feed, file_name, load_id, line, fiscal_year?}]},
    note}]}. ``outcome`` is pass/fail/unknown for data conditions and ``pending`` for attested/expert ones.
    """
    _check_profile(con, as_of)
    policy = _choose(policies if policies is not None else load_policies(default_policy_dir()), [policy_id])[0]
    version = policy.version_at(as_of)
    if version is None:
        raise ValueError(f"policy {policy_id} has no version in force at {as_of}")
    # Every query below reads this one enterprise's row through the USCC index on ``profile``.
    one = f"(SELECT * FROM profile WHERE uscc = {_q(uscc)})"
    seen: dict[str, list[dict[str, Any]]] = {}
    cur = con.execute(f"SELECT * FROM {one}")
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if not rows:
        raise ValueError(f"no profile row for {uscc}")
    row = dict(zip(names, rows[0], strict=True))
    summary = con.execute(
        f"SELECT status, binding_condition, binding_gap FROM ({version_sql(policy, version, as_of, '', one)}) AS r"
    ).fetchall()[0]
    # All data conditions of this enterprise in one query (one lookup instead of one per condition).
    compiled = {c.id: compile_condition(c, version) for c in version.conditions if c.kind == "data"}
    parts = []
    for cc in compiled.values():
        gap_sql = cc.gap_text(cc.observed, cc.required, cc.per)
        lever_sql = cc.lever(cc.observed, cc.required, cc.per) or "NULL"
        parts.append(f"{cc.ok}, {cc.observed}, {cc.required}, CASE WHEN NOT ({cc.ok}) THEN {gap_sql} END, {lever_sql}")
    flat = con.execute(f"SELECT {', '.join(parts)} FROM {one}").fetchall()[0] if parts else ()
    outcomes = {cid: flat[5 * i : 5 * i + 5] for i, cid in enumerate(compiled)}
    conditions: list[dict[str, Any]] = []
    for cond in version.conditions:
        item: dict[str, Any] = {
            "id": cond.id,
            "label": cond.label,
            "article": cond.article,
            "kind": cond.kind,
            "note": cond.note,
        }
        if cond.kind != "data":
            item.update(outcome="pending", observed=None, required=None, op=None, expr=None, gap=None, lever=None)
            item.update(values={}, provenance={})
            conditions.append(item)
            continue
        ok, obs, req, gap, lever = outcomes[cond.id]
        feats = [*cond.features, *(f for f in cond.lever_features if f not in cond.features)]
        item.update(
            outcome="unknown" if ok is None else "pass" if ok else "fail",
            observed=obs,
            required=req,
            op=cond.op,
            expr=cond.expr,
            gap=gap,
            lever=lever if ok is False else None,
            values={f: row[f] for f in feats},
            provenance={f: _provenance(con, uscc, f, row, seen) for f in feats},
        )
        conditions.append(item)
    return {
        "uscc": uscc,
        "policy_id": policy.id,
        "policy_version": version.id,
        "as_of": as_of,
        "status": summary[0],
        "binding_condition": summary[1],
        "binding_gap": summary[2],
        "conditions": conditions,
    }


def with_parameters(version: PolicyVersion, overrides: dict[str, str]) -> PolicyVersion:
    """A copy of ``version`` with some parameter values replaced (text parsed by each parameter's type)."""
    import dataclasses
    from decimal import Decimal, InvalidOperation

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
                raise ValueError(f"{name} takes a number, not {text!r}") from exc
        elif isinstance(old.value, date):
            value = date.fromisoformat(text.strip())
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
    sql = (
        f"WITH base AS (SELECT uscc, status FROM ({base_sql})), new AS (SELECT uscc, status FROM ({new_sql})) "
        f"SELECT {group} AS grp, base.status AS before, new.status AS after, count(*) AS n "
        f"FROM base JOIN new USING (uscc) JOIN profile USING (uscc) GROUP BY ALL ORDER BY ALL"
    )
    sqlglot.parse_one(sql, dialect="duckdb")
    rows = con.execute(sql).fetchall()
    groups: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for grp, before, after, n in rows:
        key = f"{before}→{after}"
        groups.setdefault(str(grp), {})[key] = groups.get(str(grp), {}).get(key, 0) + int(n)
        totals[key] = totals.get(key, 0) + int(n)
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
    }
