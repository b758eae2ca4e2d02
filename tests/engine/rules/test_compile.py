"""compile: the IR → SQLGlot visitor, the statement of a version, both dialects, and the SQL snapshots."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlglot

from gaoqi.engine.rules import (
    Parameter,
    Policy,
    PolicyVersion,
    compile_all_seconds,
    compile_expr,
    compile_version,
    ir,
    load_policies,
    results_sql,
    source_text,
    to_sqlglot,
    transpile_results_sql,
    typecheck,
    with_parameters,
)
from gaoqi.engine.rules.compile import _COMPILED, compile_condition, compile_scores
from gaoqi.engine.rules.load import to_ir
from gaoqi.engine.rules.subjects import SUBJECTS
from tests.engine.rules.support import AS_OF, POLICIES_DIR

D = Decimal


@pytest.fixture(scope="module")
def policies() -> list[Policy]:
    return [p for p in load_policies(POLICIES_DIR) if p.id == "hte-certification"]


@pytest.fixture(scope="module")
def all_policies() -> list[Policy]:
    """Every shipped policy, over enterprises and over incubators (ADR 0018)."""
    return load_policies(POLICIES_DIR) + load_policies(POLICIES_DIR, "incubator")


@pytest.mark.parametrize("as_of", [date(2015, 6, 1), AS_OF])
def test_sql_parses_and_transpiles_to_spark(policies: list[Policy], as_of: date) -> None:
    sql = results_sql(policies, as_of)
    assert sqlglot.parse_one(sql, dialect="duckdb") is not None
    spark = transpile_results_sql(policies, as_of, "spark")
    assert "FROM profile" in spark
    assert sqlglot.parse_one(spark, dialect="spark") is not None


# --- the visitor --------------------------------------------------------------------------------------------


def _trees(v: PolicyVersion) -> list[tuple[str, ir.Expr]]:
    """Every expression tree of a version, named."""
    out: list[tuple[str, ir.Expr]] = []
    for c in v.conditions:
        for part, node in (("observed", c.observed), ("required", c.required)):
            if node is not None:
                out.append((f"{v.id}/{c.id}.{part}", node))
        if c.lever is not None:
            out.append((f"{v.id}/{c.id}.lever", c.lever.per))
        if c.waiver is not None:
            out.append((f"{v.id}/{c.id}.waiver", c.waiver.when))
    for sc in v.scores:
        for name, node in (("value", sc.value), ("expr", sc.expr)):
            if node is not None:
                out.append((f"{v.id}/{sc.id}.{name}", node))
        for b in sc.bands:
            if b.when is not None:
                out.append((f"{v.id}/{sc.id}.{b.grade}", b.when))
    if v.benefit is not None:
        out.append((f"{v.id}/benefit", v.benefit.amount))
    return out


def test_every_shipped_tree_prints_as_dsl_that_loads_back_to_the_same_tree(all_policies: list[Policy]) -> None:
    count = 0
    for policy in all_policies:
        for v in policy.versions:
            scores = {s.id: s for s in v.scores}
            for name, node in _trees(v):
                text = source_text(node)
                again = to_ir(
                    sqlglot.parse_one(text, dialect="duckdb"), v.parameters, scores, SUBJECTS[policy.subject].features
                )
                assert again == node, (policy.id, name, text)
                assert typecheck.type_of(node) == node.type, (policy.id, name)
                count += 1
    assert count > 100


def test_parameters_bind_as_exact_literals_and_scores_as_columns(all_policies: list[Policy]) -> None:
    (hte,) = [p for p in all_policies if p.id == "hte-certification"]
    v2016 = hte.versions[1]
    rd = next(c for c in v2016.conditions if c.id == "rd_ratio")
    assert rd.required is not None
    required = compile_expr(rd.required, v2016)
    assert "param." not in required
    assert "CAST(0.05 AS DECIMAL(38, 2))" in required and "<= 5000 " in required
    screen = next(c for c in v2016.conditions if c.id == "innovation_score")
    assert screen.observed == ir.ScoreRef("innovation_total")
    assert compile_expr(screen.observed, v2016, scores={"innovation_total": "sc_innovation_total_hi"}) == (
        "sc_innovation_total_hi"
    )
    # the same tree in both dialects
    node = ir.Func("round", (ir.Feature("hte_rd_ratio", "ratio"), ir.Literal(D(2), "number")), "ratio")
    assert compile_expr(node, v2016, "duckdb") == compile_expr(node, v2016, "spark") == "ROUND(hte_rd_ratio, 2)"
    div = ir.Arith("/", ir.Feature("rd_expense_window", "money"), ir.Feature("sales_revenue_window", "money"), "ratio")
    assert compile_expr(div, v2016, "duckdb") == "rd_expense_window / sales_revenue_window"
    assert compile_expr(div, v2016, "spark") == "rd_expense_window / sales_revenue_window"
    when = ir.Param("x", "date")
    params = {"x": Parameter("x", "date", date(2024, 1, 1), "", False, 1)}
    assert to_sqlglot(when, params).sql(dialect="duckdb") == "CAST('2024-01-01' AS DATE)"
    assert to_sqlglot(when, params).sql(dialect="spark") == "CAST('2024-01-01' AS DATE)"


def test_compiled_sql_is_cached_by_file_hash_version_and_parameters(all_policies: list[Policy]) -> None:
    (hte,) = [p for p in all_policies if p.id == "hte-certification"]
    v = hte.versions[1]
    # a second load of the same file: other objects, the same key
    (again,) = [p for p in load_policies(POLICIES_DIR) if p.id == "hte-certification"]
    assert again.versions[1] is not v and again.versions[1].sha256 == v.sha256 == hte.sha256
    assert compile_scores(again.versions[1]) is compile_scores(v)
    changed = with_parameters(v, {"rd_ratio_tier1": "0.06"})
    assert compile_scores(changed) is not compile_scores(v)
    rd = next(c for c in v.conditions if c.id == "rd_ratio")
    assert (
        "0.06" in compile_condition(rd, changed).required.sql()
        and "0.06" not in compile_condition(rd, v).required.sql()
    )


def test_every_policy_kind_compiles_through_one_path(all_policies: list[Policy]) -> None:
    assert {p.kind for p in all_policies} >= {"certification", "recognition", "subsidy", "tax", "list", "evaluation"}
    for p in all_policies:
        for v in p.versions:
            sql = compile_version(p, v, v.valid_from)
            key = SUBJECTS[p.subject].key  # uscc, or incubator_code for a policy over incubators
            assert sql.startswith(f"SELECT {key}, ") and f"'{p.id}' AS policy_id" in sql


def test_compile_all_seconds_compiles_every_shipped_version(all_policies: list[Policy]) -> None:
    from gaoqi.engine import compile_all_seconds as public

    assert public is compile_all_seconds
    seconds = compile_all_seconds(all_policies)
    assert isinstance(seconds, float) and seconds > 0
    assert not _COMPILED  # measured from an empty cache, and left empty


# --- SQL snapshots: every shipped version in both dialects --------------------------------------------------

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def _versions() -> list[tuple[str, str]]:
    shipped = load_policies(POLICIES_DIR) + load_policies(POLICIES_DIR, "incubator")
    return [(p.id, v.id) for p in shipped for v in p.versions]


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
@pytest.mark.parametrize(("policy_id", "version_id"), _versions())
def test_compiled_sql_matches_its_snapshot(
    all_policies: list[Policy], policy_id: str, version_id: str, dialect: str
) -> None:
    """A change in the compiled SQL shows as a diff of tests/engine/rules/snapshots/ in review (regenerate
    with GAOQI_UPDATE_SNAPSHOTS=1)."""
    policy = next(p for p in all_policies if p.id == policy_id)
    version = next(v for v in policy.versions if v.id == version_id)
    sql = compile_version(policy, version, version.valid_from, "", dialect, pretty=True) + "\n"
    path = SNAPSHOTS / f"{policy_id}@{version_id}.{dialect}.sql"
    if os.environ.get("GAOQI_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(sql, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with GAOQI_UPDATE_SNAPSHOTS=1"
    assert sql == path.read_text(encoding="utf-8")


def test_no_stale_snapshots() -> None:
    expected = {f"{p}@{v}.{d}.sql" for p, v in _versions() for d in ("duckdb", "spark")}
    assert {f.name for f in SNAPSHOTS.glob("*.sql")} == expected
