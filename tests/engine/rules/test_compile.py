"""compile: the IR → SQLGlot visitor, the statement of a version, both dialects, and the SQL snapshots."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlglot

from gaoqi.engine.rules import Policy, load_policies, results_sql, transpile_results_sql
from tests.engine.rules.support import AS_OF

POLICIES_DIR = Path(__file__).resolve().parents[3] / "policies"


@pytest.fixture(scope="module")
def policies() -> list[Policy]:
    return [p for p in load_policies(POLICIES_DIR) if p.id == "hte-certification"]


@pytest.mark.parametrize("as_of", [date(2015, 6, 1), AS_OF])
def test_sql_parses_and_transpiles_to_spark(policies: list[Policy], as_of: date) -> None:
    sql = results_sql(policies, as_of)
    assert sqlglot.parse_one(sql, dialect="duckdb") is not None
    spark = transpile_results_sql(policies, as_of, "spark")
    assert "FROM profile" in spark
    assert sqlglot.parse_one(spark, dialect="spark") is not None
