"""Warning rules (监测预警, ADR 0029): ``kind: warning`` policies evaluated set-based after the profile.

``evaluate_warnings(con, as_of, rules, previous)`` replaces, for the as-of date:

* ``warning_features``: one row per profile row — the features only warning rules read
  (``features.warning``): change since the ``previous`` snapshot (its DuckDB file attached READ ONLY, its
  ``profile`` and ``loads`` read; None → those features NULL), the platform's own records, derived values —
  with the evidence columns ``P_load_id``/``P_line`` (a row of this workspace's deliveries) or ``P_file``/
  ``P_line`` (a row the previous snapshot was built from);
* the view ``warning_profile``: ``profile`` joined to ``warning_features`` (what a warning rule's SQL reads);
* ``warning_results``: one row per **raised** warning — ``uscc, rule_id, rule_version, severity, as_of,
  ruleset_hash`` — a rule is raised when every condition holds (TRUE); a condition reading a NULL feature is
  unknown and the rule is not raised. The severity is the version's ``severity`` unless an ``escalate`` item's
  test holds (first wins; a test reading a NULL feature does not hold);
* ``warning_rule_meta``: per rule version evaluated, its name, articles and the features its conditions read
  (what ``warning_rows`` reports as evidence);
* ``warning_meta``: one row — as_of, ruleset_hash, the rules evaluated, the previous snapshot's file name.

Each rule version is one ``SELECT … FROM warning_profile WHERE <every condition's outcome>`` built from the same
compiled conditions as ``evaluate`` (``compile.compile_condition``: three-valued, parameters bound as exact
literals), printed from one SQLGlot tree in DuckDB or Spark SQL (``warnings_sql``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from gaoqi.engine.features import FEATURE_BY_NAME as ENTERPRISE_FEATURES
from gaoqi.engine.features.build import delivered_register_feeds
from gaoqi.engine.features.certificates import HTE_DEFAULT_EXPIRY
from gaoqi.engine.features.declare import date_lit, ratio, window_for
from gaoqi.engine.features.warning import EVIDENCE
from gaoqi.engine.features.warning import FEATURES as WARNING_FEATURES
from gaoqi.engine.lazy import LazyModule
from gaoqi.engine.rules.compile import compile_condition, to_sqlglot
from gaoqi.engine.rules.evaluate import check_profile
from gaoqi.engine.rules.ir import Policy, PolicyVersion
from gaoqi.engine.rules.load import WARNING_KIND, load_policies, ruleset_hash
from gaoqi.engine.rules.subjects import any_feature
from gaoqi.engine.validate import lit

if TYPE_CHECKING:
    import sqlglot
    from sqlglot import exp
else:  # imported on first use (gaoqi.engine.lazy)
    sqlglot = LazyModule("sqlglot", globals(), "sqlglot")
    exp = LazyModule("sqlglot.expressions", globals(), "exp")

#: The workspace tables (and the view) this step writes.
TABLES = ("warning_results", "warning_rule_meta", "warning_meta", "warning_features")
VIEW = "warning_profile"
#: The name the previous snapshot is attached under while ``warning_features`` is built.
PREVIOUS = "warn_prev"


def load_warning_rules(directory: Path | str) -> list[Policy]:
    """The warning rules (``kind: warning``) of a policy directory, loaded and checked like every policy file
    (an error anywhere in the directory raises ``PolicyLoadError`` with file and line)."""
    return load_policies(directory, WARNING_KIND)


# ------------------------------------------------------------------------------------------------------
# The warning features


def _previous_sql(previous: bool) -> str:
    """The previous snapshot's rows (``warn_prev.profile`` with its files from ``warn_prev.loads``), or none."""
    if not previous:
        return (
            "SELECT CAST(NULL AS VARCHAR) AS uscc, CAST(NULL AS DATE) AS previous_as_of, "
            "CAST(NULL AS VARCHAR) AS previous_district_code, CAST(NULL AS INTEGER) AS previous_insured_count, "
            "CAST(NULL AS VARCHAR) AS previous_registration_file, CAST(NULL AS BIGINT) AS previous_registration_line, "
            "CAST(NULL AS VARCHAR) AS previous_social_insurance_file, "
            "CAST(NULL AS BIGINT) AS previous_social_insurance_line WHERE FALSE"
        )
    return f"""
            SELECT pp.uscc, pp.as_of AS previous_as_of, pp.district_code AS previous_district_code,
                   CAST(pp.insured_count AS INTEGER) AS previous_insured_count,
                   lr.file_name AS previous_registration_file, pp.registration_line AS previous_registration_line,
                   ls.file_name AS previous_social_insurance_file,
                   pp.social_insurance_line AS previous_social_insurance_line
            FROM {PREVIOUS}.profile pp
            LEFT JOIN {PREVIOUS}.loads lr ON lr.load_id = pp.registration_load_id
            LEFT JOIN {PREVIOUS}.loads ls ON ls.load_id = pp.social_insurance_load_id"""


@dataclass(frozen=True)
class Delivered:
    """What the warning features' register semantics need to know of the workspace: per feed, whether it was
    delivered (``certificate``, ``credit``: rows exist, as the profile decides; the platform's feeds: a load of
    them exists, an empty delivery included), and the latest load of each platform feed (the file a FALSE
    "no row" is read from)."""

    certificate: bool = True
    credit: bool = True
    hte_application: int | None = None  # the latest load_id, None when never delivered
    hte_annual_report: int | None = None


def delivered(con: duckdb.DuckDBPyConnection) -> Delivered:
    rows = delivered_register_feeds(con)
    latest = dict(
        con.execute(
            "SELECT feed, MAX(load_id) FROM loads WHERE feed IN ('hte_application', 'hte_annual_report') GROUP BY feed"
        ).fetchall()
    )
    return Delivered(
        certificate=rows.get("certificate", True),
        credit=rows.get("credit", True),
        hte_application=latest.get("hte_application"),
        hte_annual_report=latest.get("hte_annual_report"),
    )


def warning_features_sql(as_of: date, *, previous: bool, feeds: Delivered | None = None) -> str:
    """The SELECT of ``warning_features`` for ``as_of`` over ``profile`` and the current views (DuckDB dialect):
    the features of ``features.warning`` in their order, then the evidence columns. ``previous``: the previous
    snapshot is attached as ``warn_prev``; ``feeds``: what was delivered (default: everything, no platform
    load)."""
    feeds = feeds or Delivered()
    w = window_for(as_of)
    last, prior = as_of.year - 1, as_of.year - 2
    day = date_lit(as_of)
    app_load, rep_load = feeds.hte_application, feeds.hte_annual_report

    def when(delivered: bool, expr: str) -> str:
        """A register feature: its value when the feed was delivered, else NULL for everyone."""
        return expr if delivered else "NULL"

    cols = {
        "as_of_month_day": f"{as_of.month * 100 + as_of.day}",
        "previous_as_of": "prev.previous_as_of",
        "previous_district_code": "prev.previous_district_code",
        "district_changed": "CASE WHEN p.district_code IS NULL OR prev.previous_district_code IS NULL THEN NULL "
        "ELSE p.district_code <> prev.previous_district_code END",
        "previous_insured_count": "prev.previous_insured_count",
        "insured_count_decline_share": "CASE WHEN p.insured_count IS NOT NULL THEN "
        + ratio("prev.previous_insured_count - p.insured_count", "prev.previous_insured_count")
        + " END",
        "hte_days_to_expiry": f"CASE WHEN p.has_hte_certificate THEN DATE_DIFF('day', {day}, p.hte_expiry_date) END",
        "hte_held_last_year": when(feeds.certificate, "held.uscc IS NOT NULL"),
        "hte_renewal_applied": when(app_load is not None, "app.uscc IS NOT NULL"),
        "annual_report_last_year_submitted": when(rep_load is not None, "rep.uscc IS NOT NULL"),
        "credit_major_tax_violation_365d": when(feeds.credit, "COALESCE(cw.tax_n, 0)"),
        "rd_ratio_last_year": ratio("p.rd_expense_last_year", "p.sales_revenue_last_year"),
        "sales_revenue_prior_year": "fp.sales_revenue",
        "tax_district_code_last_year": "fl.tax_district_code",
        "tax_district_code_prior_year": "fp.tax_district_code",
        "tax_district_changed": "CASE WHEN fl.tax_district_code IS NULL OR fp.tax_district_code IS NULL THEN NULL "
        "ELSE fl.tax_district_code <> fp.tax_district_code END",
        "sales_revenue_decline_share": "CASE WHEN fp.sales_revenue > 0 THEN "
        + ratio("fp.sales_revenue - p.sales_revenue_last_year", "fp.sales_revenue")
        + " END",
    }
    missing = [f.name for f in WARNING_FEATURES if f.name not in cols]
    if missing or len(cols) != len(WARNING_FEATURES):
        raise ValueError(f"warning features without SQL: {missing}")
    select = [f"CAST({cols[f.name]} AS {f.sql_type}) AS {f.name}" for f in WARNING_FEATURES]
    select += [
        "prev.previous_registration_file, prev.previous_registration_line",
        "prev.previous_social_insurance_file, prev.previous_social_insurance_line",
        "fp._load_id AS finance_prior_load_id, fp._line AS finance_prior_line",
        "held._load_id AS hte_held_load_id, held._line AS hte_held_line",
        f"{when(app_load is not None, f'COALESCE(app._load_id, {app_load})')} AS hte_application_load_id",
        "app._line AS hte_application_line",
        f"{when(rep_load is not None, f'COALESCE(rep._load_id, {rep_load})')} AS hte_annual_report_load_id",
        "rep._line AS hte_annual_report_line",
        "cw.tax_load_id AS credit_tax_load_id, cw.tax_line AS credit_tax_line",
        "cw.dis_load_id AS credit_dishonesty_load_id, cw.dis_line AS credit_dishonesty_line",
        "cw.pen_load_id AS credit_penalty_load_id, cw.pen_line AS credit_penalty_line",
    ]
    recent = f"decided_date BETWEEN {date_lit(w.credit_from)} AND {day}"
    in_force = f"(removed_date IS NULL OR removed_date > {day})"
    preds = {
        "tax": f"event_type = 'major_tax_violation' AND {recent}",
        "dis": f"event_type = 'serious_dishonesty' AND {in_force}",
        "pen": f"event_type = 'administrative_penalty' AND {recent}",
    }
    credit_cols = [f"COUNT(*) FILTER (WHERE {preds['tax']}) AS tax_n"]
    for k, pred in preds.items():
        credit_cols += [
            f"ARG_MAX(_load_id, decided_date) FILTER (WHERE {pred}) AS {k}_load_id",
            f"ARG_MAX(_line, decided_date) FILTER (WHERE {pred}) AS {k}_line",
        ]
    no_rows = "WHERE FALSE"
    ctes = {
        "prev": _previous_sql(previous),
        "fp": f"SELECT uscc, sales_revenue, tax_district_code, _load_id, _line FROM finance_cur WHERE fiscal_year = {prior}",
        "fl": f"SELECT uscc, tax_district_code FROM finance_cur WHERE fiscal_year = {last}",
        "held": f"""
            SELECT uscc, _load_id, _line FROM certificate_cur
            WHERE kind = 'hte' AND status IS DISTINCT FROM 'revoked' AND issue_date <= DATE '{last}-12-31'
              AND COALESCE(expiry_date, {HTE_DEFAULT_EXPIRY}) >= DATE '{last}-01-01'
            QUALIFY ROW_NUMBER() OVER (PARTITION BY uscc ORDER BY issue_date DESC, _line DESC) = 1""",
        "app": f"""
            SELECT a.uscc, a._load_id, a._line FROM hte_application_cur a JOIN profile pa ON pa.uscc = a.uscc
            WHERE a.status IN ('in_review', 'certified') AND a.submitted_date <= {day}
              AND a.submitted_date >= COALESCE(pa.hte_issue_date, DATE '1900-01-01')
              {"" if app_load is not None else "AND FALSE"}
            QUALIFY ROW_NUMBER() OVER (PARTITION BY a.uscc ORDER BY a.submitted_date DESC, a._line DESC) = 1""",
        "rep": f"""
            SELECT uscc, _load_id, _line FROM hte_annual_report_cur
            WHERE report_year = {last} AND submitted_date <= {day} {"" if rep_load is not None else "AND FALSE"}
            QUALIFY ROW_NUMBER() OVER (PARTITION BY uscc ORDER BY submitted_date, _line) = 1""",
        "cw": f"""
            SELECT uscc, {", ".join(credit_cols)} FROM credit_cur
            WHERE decided_date <= {day} {"" if feeds.credit else no_rows.replace("WHERE", "AND")}
            GROUP BY uscc""",
    }
    with_sql = ",\n".join(f"{name} AS ({body}\n)" for name, body in ctes.items())
    joins = "\n".join(f"LEFT JOIN {name} ON {name}.uscc = p.uscc" for name in ctes)
    body = ",\n    ".join(select)
    return f"""WITH {with_sql}
SELECT p.uscc, p.as_of,
    {body}
FROM profile p
{joins}"""


def build_warning_features(con: duckdb.DuckDBPyConnection, as_of: date, previous: Path | None) -> None:
    """Replace ``warning_features`` (and the view ``warning_profile``) for ``as_of``; ``previous``: the previous
    published snapshot's DuckDB file, attached READ ONLY while the table is built."""
    if previous is not None:
        if not Path(previous).is_file():
            raise FileNotFoundError(f"previous snapshot not found: {previous}")
        con.execute(f"ATTACH {lit(str(previous))} AS {PREVIOUS} (READ_ONLY)")
    try:
        sql = warning_features_sql(as_of, previous=previous is not None, feeds=delivered(con))
        sqlglot.parse_one(sql, dialect="duckdb")
        con.execute(f"CREATE OR REPLACE TABLE warning_features AS SELECT * FROM ({sql}) ORDER BY uscc")
    finally:
        if previous is not None:
            con.execute(f"DETACH {PREVIOUS}")
    extra = [
        str(r[0])
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'warning_features' "
            "AND column_name NOT IN ('uscc', 'as_of') ORDER BY ordinal_position"
        ).fetchall()
    ]
    con.execute(
        f"CREATE OR REPLACE VIEW {VIEW} AS SELECT p.*, {', '.join('w.' + c for c in extra)} "
        "FROM profile p JOIN warning_features w ON w.uscc = p.uscc"
    )


# ------------------------------------------------------------------------------------------------------
# The rules


def _guarded(when: exp.Expr, features: Sequence[str]) -> exp.Expr:
    """``when`` holding only when none of the features it reads is NULL (unknown never escalates)."""
    if not features:
        return exp.Paren(this=when)
    nulls: exp.Expr = exp.Is(this=exp.column(features[0]), expression=exp.Null())
    for f in features[1:]:
        nulls = exp.Or(this=nulls, expression=exp.Is(this=exp.column(f), expression=exp.Null()))
    return exp.And(this=exp.Not(this=exp.Paren(this=nulls)), expression=exp.Paren(this=when))


def rule_tree(policy: Policy, version: PolicyVersion, as_of: date, rhash: str) -> exp.Select:
    """The SELECT of one warning version's raised rows (a SQLGlot tree)."""
    assert version.severity is not None
    oks = [compile_condition(c, version).ok for c in version.conditions]
    where: exp.Expr = exp.EQ(this=exp.column("as_of"), expression=exp.Cast(
        this=exp.Literal.string(as_of.isoformat()), to=exp.DataType.build("DATE")))  # fmt: skip
    for ok in oks:
        where = exp.And(this=where, expression=exp.Paren(this=ok.copy()))
    severity: exp.Expr = exp.Literal.string(version.severity)
    if version.escalations:
        severity = exp.Case(
            ifs=[
                exp.If(
                    this=_guarded(to_sqlglot(e.when, version.parameters), e.features),
                    true=exp.Literal.string(e.severity),
                )
                for e in version.escalations
            ],
            default=severity,
        )
    return (
        exp.select(
            exp.column("uscc"),
            exp.alias_(exp.Literal.string(policy.id), "rule_id"),
            exp.alias_(exp.Literal.string(version.id), "rule_version"),
            exp.alias_(severity, "severity"),
            exp.alias_(exp.Cast(this=exp.Literal.string(as_of.isoformat()), to=exp.DataType.build("DATE")), "as_of"),
            exp.alias_(exp.Literal.string(rhash), "ruleset_hash"),
        )
        .from_(VIEW)
        .where(where)
    )


def warnings_sql(
    rules: Sequence[Policy], as_of: date, dialect: str = "duckdb"
) -> tuple[str, list[tuple[Policy, PolicyVersion]]]:
    """The UNION ALL of every warning version in force at ``as_of`` (``dialect``: duckdb or spark) and the
    versions it evaluates."""
    rhash = ruleset_hash(list(rules))
    chosen = [(p, v) for p in sorted(rules, key=lambda p: p.id) if (v := p.version_at(as_of)) is not None]
    parts = [
        rule_tree(p, v, as_of, rhash).sql(dialect=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)
        for p, v in chosen
    ]
    if not parts:
        empty = (
            "SELECT CAST(NULL AS VARCHAR) AS uscc, CAST(NULL AS VARCHAR) AS rule_id, "
            "CAST(NULL AS VARCHAR) AS rule_version, CAST(NULL AS VARCHAR) AS severity, "
            f"CAST(NULL AS DATE) AS as_of, {lit(rhash)} AS ruleset_hash FROM {VIEW} WHERE FALSE"
        )
        parts.append(sqlglot.parse_one(empty, dialect="duckdb").sql(dialect=dialect))
    return "\nUNION ALL\n".join(parts), chosen


def _articles(version: PolicyVersion) -> list[str]:
    return list(dict.fromkeys(c.article for c in version.conditions))


def _read_features(version: PolicyVersion) -> list[str]:
    """The features the version's conditions read, in file order."""
    out: list[str] = []
    for c in version.conditions:
        out.extend(f for f in c.features if f not in out)
    return out


def evaluate_warnings(
    con: duckdb.DuckDBPyConnection, as_of: date, rules: Sequence[Policy], previous: Path | None = None
) -> dict[str, Any]:
    """Build the warning features and evaluate every warning version in force at ``as_of`` (see the module);
    returns ``rules`` (the ``id@version`` evaluated), ``raised`` (rows), ``by_rule`` (id → rows),
    ``ruleset_hash``, ``as_of``, ``previous`` (the file name or None) and ``seconds``."""
    started = time.perf_counter()
    for p in rules:
        if p.kind != WARNING_KIND:
            raise ValueError(f"policy {p.id!r} is not a warning rule (kind {p.kind!r})")
    check_profile(con, as_of)
    build_warning_features(con, as_of, previous)
    features_done = time.perf_counter()
    sql, chosen = warnings_sql(rules, as_of)
    rhash = ruleset_hash(list(rules))
    evaluated = [f"{p.id}@{v.id}" for p, v in chosen]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE OR REPLACE TABLE warning_results AS SELECT * FROM ({sql}) ORDER BY rule_id, uscc")
        con.execute(
            "CREATE OR REPLACE TABLE warning_rule_meta (rule_id VARCHAR, rule_version VARCHAR, name VARCHAR, "
            "articles VARCHAR[], features VARCHAR[])"
        )
        for p, v in chosen:
            con.execute(
                "INSERT INTO warning_rule_meta VALUES (?, ?, ?, ?, ?)",
                [p.id, v.id, p.name, _articles(v), _read_features(v)],
            )
        con.execute(
            "CREATE OR REPLACE TABLE warning_meta (as_of DATE, ruleset_hash VARCHAR, rules VARCHAR[], "
            "previous VARCHAR, evaluated_at TIMESTAMP)"
        )
        con.execute(
            "INSERT INTO warning_meta VALUES (?, ?, ?, ?, ?)",
            [
                as_of,
                rhash,
                evaluated,
                None if previous is None else Path(previous).name,
                datetime.now(UTC).replace(tzinfo=None),
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    counts = dict(con.execute("SELECT rule_id, COUNT(*) FROM warning_results GROUP BY rule_id").fetchall())
    by_rule = {p.id: int(counts.get(p.id, 0)) for p, _ in chosen}
    return {
        "as_of": as_of.isoformat(),
        "rules": evaluated,
        "raised": sum(by_rule.values()),
        "by_rule": by_rule,
        "ruleset_hash": rhash,
        "previous": None if previous is None else Path(previous).name,
        "seconds": time.perf_counter() - started,
        "features_seconds": features_done - started,
    }


# ------------------------------------------------------------------------------------------------------
# Reading the raised warnings with their evidence


def json_value(value: Any) -> Any:
    """A value as JSON takes it: dates as ISO text, Decimals as exact text, lists item by item."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _sources(feature: str) -> tuple[str, ...]:
    if feature in EVIDENCE:
        return EVIDENCE[feature]
    f = ENTERPRISE_FEATURES.get(feature)
    if f is not None and f.provenance is not None and not f.provenance.endswith("_window"):
        return (f.provenance,)
    return ()


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {
        str(r[0])
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
        ).fetchall()
    }


def warning_rows(con: duckdb.DuckDBPyConnection) -> Iterator[dict[str, Any]]:
    """One dict per raised warning, by rule then USCC: ``uscc, rule_id, rule_version, severity, name,
    articles, as_of, evidence`` — evidence: per feature the conditions read, ``{feature, label, value, unit,
    feed, file, line, sources}`` (``sources``: every row behind the value, ``{feed, file, line, previous}``;
    feed/file/line: the first of them), JSON-serialisable. Nothing when warnings were never evaluated."""
    if not _columns(con, "warning_results"):
        return
    view_cols = _columns(con, VIEW)
    loads = {
        int(r[0]): (str(r[1]), str(r[2])) for r in con.execute("SELECT load_id, feed, file_name FROM loads").fetchall()
    }
    metas = con.execute(
        "SELECT rule_id, rule_version, name, articles, features FROM warning_rule_meta ORDER BY rule_id"
    ).fetchall()
    for rule_id, rule_version, name, articles, features in metas:
        feats = [str(f) for f in features]
        plan: list[tuple[str, list[tuple[str, str, str]]]] = []  # feature → [(prefix, kind, feed)]
        cols = list(feats)
        for f in feats:
            srcs: list[tuple[str, str, str]] = []
            feed = (any_feature(f).feeds or ("",))[0]
            for prefix in _sources(f):
                if f"{prefix}_load_id" in view_cols:
                    srcs.append((prefix, "load", ""))
                    cols += [f"{prefix}_load_id", f"{prefix}_line"]
                elif f"{prefix}_file" in view_cols:
                    srcs.append((prefix, "file", feed))
                    cols += [f"{prefix}_file", f"{prefix}_line"]
            plan.append((f, srcs))
        distinct = list(dict.fromkeys(cols))
        sql = (
            f"SELECT r.uscc, r.severity, r.as_of, {', '.join('w.' + c for c in distinct)} FROM warning_results r "
            f"JOIN {VIEW} w ON w.uscc = r.uscc WHERE r.rule_id = ? ORDER BY r.uscc"
        )
        cur = con.execute(sql, [rule_id])
        names = [d[0] for d in cur.description]
        while batch := cur.fetchmany(5000):
            for tup in batch:
                row = dict(zip(names, tup, strict=True))
                evidence = []
                for f, srcs in plan:
                    feat = any_feature(f)
                    sources = []
                    for prefix, kind, feed in srcs:
                        line = row.get(f"{prefix}_line")
                        if kind == "load":
                            load_id = row.get(f"{prefix}_load_id")
                            if load_id is None:
                                continue
                            lfeed, lfile = loads.get(int(load_id), (None, None))
                            sources.append({"feed": lfeed, "file": lfile, "line": json_value(line), "previous": False})
                        else:
                            file = row.get(f"{prefix}_file")
                            if file is None:
                                continue
                            sources.append(
                                {"feed": feed or None, "file": file, "line": json_value(line), "previous": True}
                            )
                    first = sources[0] if sources else {"feed": (feat.feeds or (None,))[0], "file": None, "line": None}
                    evidence.append({
                        "feature": f, "label": feat.label, "value": json_value(row[f]), "unit": feat.unit,
                        "feed": first["feed"], "file": first["file"], "line": first["line"], "sources": sources,
                    })  # fmt: skip
                yield {
                    "uscc": row["uscc"],
                    "rule_id": rule_id,
                    "rule_version": rule_version,
                    "severity": row["severity"],
                    "name": name,
                    "articles": list(articles),
                    "as_of": json_value(row["as_of"]),
                    "evidence": evidence,
                }


def warning_meta(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The last evaluation's ``as_of, ruleset_hash, rules, previous`` ({} when never evaluated)."""
    if not _columns(con, "warning_meta"):  # (not a try: DuckDB would scan a Python object of that name)
        return {}
    rows = con.execute("SELECT as_of, ruleset_hash, rules, previous FROM warning_meta").fetchall()
    if not rows:
        return {}
    as_of, rhash, rules, previous = rows[0]
    return {"as_of": json_value(as_of), "ruleset_hash": rhash, "rules": list(rules), "previous": previous}


# ------------------------------------------------------------------------------------------------------
# The catalogue


def warning_catalogue(rules: Sequence[Policy], as_of: date) -> list[dict[str, Any]]:
    """Per warning rule: ``id, name, authority, document_number, file, version`` (in force at ``as_of``, else
    the latest; ``in_force``), ``valid_from``/``valid_to``, ``severity``, ``escalations`` ``[{severity, when,
    text}]``, ``conditions`` ``[{id, label, article, expr, text, features}]``, ``parameters`` ``[{name, label,
    type, value, text, unconfirmed}]`` (``text``: in words, ``describe``; None when it has none), JSON-ready."""
    from gaoqi.engine.describe import describe_condition, describe_parameter, describe_tree

    out: list[dict[str, Any]] = []
    for p in sorted(rules, key=lambda p: p.id):
        v = p.version_at(as_of)
        in_force = v is not None
        v = v or max(p.versions, key=lambda x: x.valid_from)
        out.append({
            "id": p.id, "name": p.name, "authority": p.authority, "document_number": p.document_number,
            "file": Path(p.file).name, "version": v.id, "in_force": in_force,
            "valid_from": v.valid_from.isoformat(), "valid_to": None if v.valid_to is None else v.valid_to.isoformat(),
            "severity": v.severity,
            "escalations": [{"severity": e.severity, "when": str(e.when), "text": describe_tree(e.when, v)}
                            for e in v.escalations],
            "conditions": [{"id": c.id, "label": c.label, "article": c.article, "expr": c.expr,
                            "text": describe_condition(c, v), "features": list(c.features)} for c in v.conditions],
            "parameters": [{"name": prm.name, "label": prm.label, "type": prm.type, "value": json_value(prm.value),
                            "text": describe_parameter(prm), "unconfirmed": prm.unconfirmed}
                           for prm in v.parameters.values()],
            "notes": v.notes,
        })  # fmt: skip
    return out


def features_markdown() -> str:
    """The table of the warning-only features (docs/features.md)."""
    head = (
        "| Feature | 名称 | Type | SQL type | Unit | Definition | Rule | Evidence |\n|---|---|---|---|---|---|---|---|"
    )
    rows = [
        f"| `{f.name}` | {f.label} | {f.type} | {f.sql_type} | {f.unit or ''} | {f.definition} | {f.article or ''} "
        f"| {', '.join(EVIDENCE.get(f.name, ()))} |"
        for f in WARNING_FEATURES
    ]
    return "\n".join([head, *rows]) + "\n"
