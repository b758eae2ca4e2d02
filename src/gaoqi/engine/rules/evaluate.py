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
binding_observed   DECIMAL    its observed value (a score condition: the bound that failed) when it is a
                              number (money, ratio, count, integer), exact: DECIMAL(38,12)
binding_required   DECIMAL    the value it requires (a number)
binding_per        DECIMAL    its lever's multiplier, when it has a lever: the amount to add is
                              (required − observed) × per (e.g. R&D expense to add = gap × sales revenue)
binding_observed_  VARCHAR    the observed and required values of a binding condition that is not a
 text, _required_text         number (boolean, text, date), as text
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

The gap sentence (``binding_gap``, e.g. ``研究开发费用占比 4.3%，至少需 5%，差 0.7 个百分点；约需增加研究开发费用
35万元``) is rendered where results are read, from the stored values (``compile.binding_gap_sql``): the view
``results_with_gap`` is ``results`` plus that column (formatting it for every failing row of the batch was
most of an evaluation's time).

Metadata: the table ``results_meta`` (one row, replaced with ``results``) holds as_of, engine_version,
ruleset_hash, the evaluated ``policy_id@version`` list, the ``loads.load_id`` list present when evaluating
(the loads the profile was built from) and the evaluation timestamp.

Scores (``ir.Score``) are intervals: a condition on ``score.<id>`` passes when the interval's minimum
passes and fails when its maximum fails (ADR 0005); its gap is measured from the bound that failed.

The statement comes from ``compile`` (``results_sql``); ``explain`` and ``simulate`` live beside this module.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from gaoqi.engine.lazy import LazyModule
from gaoqi.engine.rules.compile import ENGINE_VERSION, RESULT_VIEW_COLUMNS, binding_gap_sql, choose, select_sql
from gaoqi.engine.rules.ir import Policy
from gaoqi.engine.rules.load import ruleset_hash

if TYPE_CHECKING:
    import sqlglot
else:  # imported on first use (gaoqi.engine.lazy)
    sqlglot = LazyModule("sqlglot", globals(), "sqlglot")


def default_policy_dir() -> Path:
    """$GAOQI_POLICIES, else the repository's ``policies/`` directory."""
    env = os.environ.get("GAOQI_POLICIES")
    return Path(env) if env else Path(__file__).resolve().parents[4] / "policies"


def check_profile(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
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
    """Replace tables ``results`` and ``results_meta``; return ``results_with_gap`` as a relation."""
    check_profile(con, as_of)
    sql, evaluated = select_sql(policies, as_of, policy_ids)
    sqlglot.parse_one(sql, dialect="duckdb")
    con.execute(f"CREATE OR REPLACE TABLE results AS {sql}")
    write_results_meta(con, as_of, policies, policy_ids, evaluated)
    return con.table("results_with_gap")


def write_results_meta(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    policies: Sequence[Policy],
    policy_ids: Sequence[str] | None = None,
    evaluated: Sequence[str] | None = None,
) -> None:
    """Replace ``results_meta`` with the row describing ``results`` (``evaluated``: the ``policy_id@version``
    list; None → as ``evaluate`` computes it) and the view ``results_with_gap`` (``results`` and its gap
    sentences). The Spark engine writes the same (``spark.store_results``)."""
    if evaluated is None:
        evaluated = select_sql(policies, as_of, policy_ids)[1]
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
            ruleset_hash(choose(policies, policy_ids)),
            evaluated,
            load_ids,
            datetime.now(UTC).replace(tzinfo=None),
        ],
    )
    gap = binding_gap_sql(policies, as_of, policy_ids)
    shown = ", ".join(f"{gap} AS binding_gap" if c == "binding_gap" else c for c in RESULT_VIEW_COLUMNS)
    con.execute(f"CREATE OR REPLACE VIEW results_with_gap AS SELECT {shown} FROM results")
