"""Incubator figures and their evaluation: a set-based step after ``evaluate``.

``build_incubator_figures(con, as_of, incubator_policies, enterprise_policies)`` replaces, for the as-of date:

* ``incubator_enterprise``: one row per enterprise attributed to an incubator (the profile's ``incubator_code``:
  the last incubator entered), with ``attached`` (it counts for that incubator in the evaluation year) and the
  flags the figures count;
* ``incubator_profile``: one row per body of the incubator roster (``incubator_cur``) — the incubator
  *features* (``features.incubator``: counts and shares, shared/reference/programmes.md §5.2) plus the roster's
  name, kind, level, district, operator and dates. It is the table a policy with ``subject: incubator`` reads;
* ``incubator_city``: one row, the same figures over every enterprise of the profile (the city's rates the
  incubator pages compare with);
* ``incubator_results``: one row per incubator and incubator policy version in force: status, failed and
  unknown gates, each gate's outcome and values, each score's interval, the total (the version's last score).

The evaluation year *y* is the as-of date's year, counted up to the as-of date. The figures' own parameters
(the graduation window, the growth rate, which list is the cultivation pool) are the incubator policy's
parameters ``grad_window_years``, ``growth_rate_above`` and ``pool_policy``: no number lives here. Pool
membership is read from ``results`` (the pool policy evaluated at the same as-of date): an enterprise is a pool
member when it passes, or when it was first certified in *y* and fails only conditions reading
``has_hte_certificate`` (it would be on the list but for its new certificate). DuckDB SQL; not run on Spark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import duckdb

from gaoqi.engine.features.certificates import HTE_DEFAULT_EXPIRY
from gaoqi.engine.features.declare import RATIO, date_lit, ratio
from gaoqi.engine.features.incubator import FEATURES as INCUBATOR_FEATURES
from gaoqi.engine.pipeline import has_table
from gaoqi.engine.rules.compile import explain_order, version_sql
from gaoqi.engine.rules.evaluate import check_profile
from gaoqi.engine.rules.ir import Policy, PolicyVersion
from gaoqi.engine.rules.load import ruleset_hash
from gaoqi.engine.validate import lit

#: The workspace tables this step writes.
TABLES = ("incubator_results", "incubator_city", "incubator_profile", "incubator_enterprise")
#: The parameters of an incubator policy version the figures read.
FIGURE_PARAMETERS = ("grad_window_years", "growth_rate_above", "pool_policy")


class IncubatorFiguresError(ValueError):
    """The figures cannot be computed (no incubator policy in force, a parameter missing, no evaluation)."""


@dataclass(frozen=True)
class FigureParameters:
    grad_window_years: int
    growth_rate_above: Decimal
    pool_policy: str


def figure_parameters(version: PolicyVersion) -> FigureParameters:
    missing = [p for p in FIGURE_PARAMETERS if p not in version.parameters]
    if missing:
        raise IncubatorFiguresError(f"incubator policy version {version.id} lacks parameter(s) {', '.join(missing)}")
    p = version.parameters
    return FigureParameters(
        int(p["grad_window_years"].value),  # type: ignore[arg-type]
        Decimal(str(p["growth_rate_above"].value)),
        str(p["pool_policy"].value),
    )


def in_force(policies: Sequence[Policy], as_of: date) -> list[tuple[Policy, PolicyVersion]]:
    out = []
    for p in policies:
        if p.subject != "incubator":
            raise IncubatorFiguresError(f"policy {p.id} is not a policy over incubators")
        v = p.version_at(as_of)
        if v is not None:
            out.append((p, v))
    return out


def _certificate_conditions(enterprise_policies: Sequence[Policy], pool_policy: str, as_of: date) -> list[str]:
    """The pool policy's conditions reading ``has_hte_certificate`` (its exclusion of certified enterprises)."""
    policy = next((p for p in enterprise_policies if p.id == pool_policy), None)
    version = policy.version_at(as_of) if policy is not None else None
    if version is None:
        raise IncubatorFiguresError(f"the cultivation-pool policy {pool_policy!r} has no version in force at {as_of}")
    return [c.id for c in version.conditions if "has_hte_certificate" in c.features]


def enterprise_sql(as_of: date, fp: FigureParameters, cert_conditions: Sequence[str]) -> str:
    """``incubator_enterprise``-shaped rows for EVERY profile row (``incubator_code`` NULL for the others):
    the flags the figures count, all booleans (an unknown input counts as not having the thing)."""
    y = as_of.year
    a = date_lit(as_of)
    year_start = date_lit(date(y, 1, 1))
    grad_from = date_lit(date(y - fp.grad_window_years, 1, 1))
    g = f"CAST({lit(str(fp.growth_rate_above))} AS DECIMAL(38, 12))"
    expiry = f"COALESCE(expiry_date, {HTE_DEFAULT_EXPIRY})"
    if cert_conditions:
        ids = ", ".join(lit(c) for c in cert_conditions)
        but_for_cert = (
            f"(r.status = 'fail' AND YEAR(p.hte_first_issue_date) = {y} AND len(r.failed_conditions) > 0 "
            f"AND len(list_filter(r.failed_conditions, LAMBDA x : x NOT IN ({ids}))) = 0)"
        )
    else:
        but_for_cert = "FALSE"
    return f"""
    WITH hte AS (
        SELECT uscc, issue_date, {expiry} AS expiry
        FROM certificate_cur
        WHERE kind = 'hte' AND COALESCE(status, '') <> 'revoked' AND issue_date <= {a}
    ), due AS (
        SELECT uscc, MIN(issue_date) FILTER (WHERE YEAR(expiry) = {y}) AS due_issue, MAX(issue_date) AS last_issue
        FROM hte GROUP BY uscc
    ), e AS (
        SELECT p.uscc, p.incubator_code, p.incubation_status,
               p.incubator_code IS NOT NULL AND (
                   p.incubation_left_on IS NULL OR p.incubation_left_on >= {year_start}
                   OR (p.incubation_status = 'graduated' AND p.incubation_left_on >= {grad_from})) AS attached,
               COALESCE(YEAR(p.established_date) = {y - 1}, FALSE) AS registered_last_year,
               COALESCE(p.has_tech_sme, FALSE) AS tech_sme,
               COALESCE(YEAR(p.hte_first_issue_date) = {y}, FALSE) AS new_hte,
               COALESCE(p.has_hte_certificate, FALSE) AS hte_valid,
               d.due_issue IS NOT NULL AS hte_due,
               COALESCE(d.last_issue > d.due_issue, FALSE) AS hte_recertified,
               COALESCE(r.status = 'pass', FALSE) AS in_pool,
               COALESCE(r.status = 'pass' OR {but_for_cert}, FALSE) AS pool_member,
               COALESCE(f2.sales_revenue > 0 AND f1.sales_revenue > f2.sales_revenue * (1 + {g}), FALSE)
               OR COALESCE(r2.rd_expense > 0 AND r1.rd_expense > r2.rd_expense * (1 + {g}), FALSE) AS grown
        FROM profile p
        LEFT JOIN due d ON d.uscc = p.uscc
        LEFT JOIN results r ON r.uscc = p.uscc AND r.policy_id = {lit(fp.pool_policy)}
        LEFT JOIN finance_cur f1 ON f1.uscc = p.uscc AND f1.fiscal_year = {y - 1}
        LEFT JOIN finance_cur f2 ON f2.uscc = p.uscc AND f2.fiscal_year = {y - 2}
        LEFT JOIN rd_cur r1 ON r1.uscc = p.uscc AND r1.fiscal_year = {y - 1}
        LEFT JOIN rd_cur r2 ON r2.uscc = p.uscc AND r2.fiscal_year = {y - 2}
        WHERE p.as_of = {a}
    )
    SELECT *, pool_member AND new_hte AS pool_converted FROM e"""


_COUNTS = (
    ("incubated", "TRUE"),
    ("incubating", "incubation_status = 'incubating'"),
    ("registered_last_year", "registered_last_year"),
    ("tech_sme", "tech_sme"),
    ("new_hte", "new_hte"),
    ("hte_valid", "hte_valid"),
    ("hte_due", "hte_due"),
    ("hte_recertified", "hte_recertified"),
    ("in_pool", "in_pool"),
    ("pool_members", "pool_member"),
    ("pool_converted", "pool_converted"),
    ("grown", "grown"),
)
_SHARES = (
    ("registered_last_year_share", "registered_last_year", "incubated"),
    ("tech_sme_share", "tech_sme", "incubated"),
    ("hte_share", "hte_valid", "incubated"),
    ("recert_rate", "hte_recertified", "hte_due"),
    ("pool_conv", "pool_converted", "pool_members"),
    ("growth_share", "grown", "incubated"),
)
_FIGURES = tuple(f.name for f in INCUBATOR_FEATURES if not f.name.startswith("incubator_"))


def _aggregates() -> str:
    return ", ".join(f"COUNT(*) FILTER (WHERE {cond}) AS {name}" for name, cond in _COUNTS)


def _figure_columns(source: str) -> str:
    """The figures (in the declarations' order) over a row of counts ``source`` (NULL counts are 0)."""
    cols = []
    shares = {name: (num, den) for name, num, den in _SHARES}
    for name in _FIGURES:
        if name in shares:
            num, den = shares[name]
            cols.append(f"CAST({ratio(f'COALESCE({source}.{num}, 0)', f'{source}.{den}')} AS {RATIO}) AS {name}")
        else:
            cols.append(f"CAST(COALESCE({source}.{name}, 0) AS BIGINT) AS {name}")
    return ", ".join(cols)


def incubator_profile_sql(as_of: date) -> str:
    """One row per roster body over ``incubator_enterprise``: roster columns, then the figures."""
    return f"""
    SELECT i.code AS incubator_code, {date_lit(as_of)} AS as_of, {as_of.year} AS evaluation_year,
           i.name AS incubator_name, i.kind AS incubator_kind, i.level AS incubator_level,
           i.district_code AS incubator_district_code, i.operator_uscc, i.recognised_on, i.valid_to,
           {_figure_columns("c")}
    FROM incubator_cur i
    LEFT JOIN (SELECT incubator_code, {_aggregates()} FROM incubator_enterprise WHERE attached
               GROUP BY incubator_code) c ON c.incubator_code = i.code"""


def city_sql(as_of: date, enterprises: str) -> str:
    """The same figures over every enterprise of the profile (``enterprises``: the flags of all of them)."""
    return (
        f"SELECT {date_lit(as_of)} AS as_of, {as_of.year} AS evaluation_year, {_figure_columns('c')} "
        f"FROM (SELECT {_aggregates()} FROM ({enterprises})) c"
    )


def results_sql(pairs: Sequence[tuple[Policy, PolicyVersion]], as_of: date, rhash: str) -> str:
    """The incubator policies' results in one shape: the version statement (``compile.version_sql`` over
    ``incubator_profile``, with its detail columns) reduced to gates and scores as lists of structs."""
    parts = []
    for policy, version in pairs:
        inner = version_sql(policy, version, as_of, rhash, source="incubator_profile", detail=True)
        gates = ", ".join(
            f"STRUCT_PACK(id := {lit(c.id)}, ok := c{i}_ok, observed := CAST(c{i}_obs AS DOUBLE), "
            f"required := CAST(c{i}_req AS DOUBLE))"
            for i, c in enumerate(explain_order(version))
        )
        scores = ", ".join(
            f"STRUCT_PACK(id := {lit(s.id)}, lo := CAST(sc_{s.id}_lo AS DOUBLE), hi := CAST(sc_{s.id}_hi AS DOUBLE))"
            for s in version.scores
        )
        last = version.scores[-1].id if version.scores else None
        total = (
            f"CAST(sc_{last}_lo AS DOUBLE) AS score_lo, CAST(sc_{last}_hi AS DOUBLE) AS score_hi"
            if last
            else "CAST(NULL AS DOUBLE) AS score_lo, CAST(NULL AS DOUBLE) AS score_hi"
        )
        parts.append(
            f"SELECT incubator_code, policy_id, policy_version, status, failed_conditions, unknown_features, "
            f"as_of, ruleset_hash, {total}, [{gates}] AS gates, [{scores}] AS scores FROM ({inner}) AS v"
        )
    return "\nUNION ALL\n".join(parts)


def build_incubator_figures(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    incubator_policies: Sequence[Policy],
    enterprise_policies: Sequence[Policy],
) -> int:
    """Replace ``incubator_enterprise``, ``incubator_profile``, ``incubator_city`` and ``incubator_results``
    for ``as_of`` (after ``evaluate`` at the same date); return how many incubators were evaluated. The tables
    of an earlier run are dropped first: when the figures cannot be computed now, none of another date remain."""
    for table in TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
    check_profile(con, as_of)
    evaluated = con.execute("SELECT max(as_of) FROM results_meta").fetchall() if has_table(con, "results_meta") else []
    if not evaluated or evaluated[0][0] != as_of:
        raise IncubatorFiguresError(f"evaluate the enterprises at {as_of} first (the figures read the pool's results)")
    pairs = in_force(incubator_policies, as_of)
    if not pairs:
        raise IncubatorFiguresError(f"no policy over incubators is in force at {as_of}")
    fp = figure_parameters(pairs[0][1])
    every = enterprise_sql(as_of, fp, _certificate_conditions(enterprise_policies, fp.pool_policy, as_of))
    con.execute(
        f"CREATE OR REPLACE TABLE incubator_enterprise AS SELECT * FROM ({every}) WHERE incubator_code IS NOT NULL"
    )
    con.execute(f"CREATE OR REPLACE TABLE incubator_profile AS {incubator_profile_sql(as_of)}")
    con.execute(f"CREATE OR REPLACE TABLE incubator_city AS {city_sql(as_of, every)}")
    return evaluate_incubators(con, as_of, incubator_policies)


def evaluate_incubators(con: duckdb.DuckDBPyConnection, as_of: date, incubator_policies: Sequence[Policy]) -> int:
    """Replace ``incubator_results``: every incubator policy version in force over ``incubator_profile`` (the
    rules' own statement, ``compile.version_sql``); return how many incubators were evaluated."""
    pairs = in_force(incubator_policies, as_of)
    if not pairs:
        raise IncubatorFiguresError(f"no policy over incubators is in force at {as_of}")
    rhash = ruleset_hash([p for p, _ in pairs])
    con.execute(f"CREATE OR REPLACE TABLE incubator_results AS {results_sql(pairs, as_of, rhash)}")
    return int(con.execute("SELECT count(DISTINCT incubator_code) FROM incubator_results").fetchall()[0][0])


#: The rows the platform publishes: roster, figures and the evaluation, best first (ADR 0018).
ROWS_SQL = """
    SELECT p.*, r.policy_id, r.policy_version, r.status, r.failed_conditions, r.unknown_features,
           r.score_lo, r.score_hi, r.gates, r.scores
    FROM incubator_profile p
    LEFT JOIN incubator_results r USING (incubator_code)
    ORDER BY r.score_lo DESC NULLS LAST, r.score_hi DESC NULLS LAST, p.incubator_code"""
