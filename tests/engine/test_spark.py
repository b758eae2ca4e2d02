"""The Spark engine: the same profile SQL gives the same profile on DuckDB and on Spark (local mode).

Skipped only when pyspark is not importable (CI installs the ``spark`` extra, so it runs there). One
SparkSession for the module; the first query pays Spark's JVM warm-up (~20 s), later ones a few seconds.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pytest

from gaoqi.engine import spark as gs
from gaoqi.engine.features import FEATURES, build_profiles
from gaoqi.engine.ingest import ingest_directory
from gaoqi.engine.resolve import resolve
from gaoqi.engine.synth import generate
from gaoqi.engine.workspace import DB_FILE, connect

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

AS_OF = date(2025, 3, 1)


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    pytest.importorskip("pyspark")
    session = gs.spark_session(app="gaoqi-test", threads=2)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("spark")
    generate(root / "feeds", enterprises=400, seed=7)
    summary = ingest_directory(root / "ws", root / "feeds")
    assert summary.errors == []
    con = connect(root / "ws")
    try:
        resolve(con)
    finally:
        con.close()
    return root / "ws"


def _duckdb_profile(con: duckdb.DuckDBPyConnection, as_of: date) -> pa.Table:
    build_profiles(con, as_of)
    return con.sql("SELECT * FROM profile ORDER BY uscc").to_arrow_table()


def test_profile_is_identical_on_duckdb_and_spark(workspace: Path, spark: SparkSession, tmp_path: Path) -> None:
    con = connect(workspace)
    try:
        expected = _duckdb_profile(con, AS_OF)
        actual = gs.build_profiles_spark(con, AS_OF, spark, work_dir=tmp_path)
    finally:
        con.close()
    assert gs.parity_report(expected, actual) == []
    assert actual.column_names == [f.name for f in FEATURES]
    assert actual.column("uscc").to_pylist() == sorted(expected.column("uscc").to_pylist())
    # the population exercises what differs between the engines: not a parity of empty columns
    rows = expected.to_pylist()
    assert len(rows) == 400
    assert any(len(r["former_names"]) >= 2 for r in rows)  # ordered list aggregate
    assert any(r["has_hte_certificate"] for r in rows)  # MAX_BY(STRUCT…), date + interval
    assert sum(r["hte_rd_ratio"] is not None for r in rows) > 50  # DOUBLE → DECIMAL(38,12)
    assert any(r["sales_growth"] is not None and r["sales_growth"] < 0 for r in rows)
    assert {r["sales_growth_basis"] for r in rows} >= {"three_years", "missing_data", "insufficient_years"}
    assert not list(tmp_path.iterdir())  # the Parquet hand-off is removed


def test_undelivered_feed_and_leap_day_as_of(workspace: Path, spark: SparkSession, tmp_path: Path) -> None:
    """A register feed never delivered (NULL, not 0, on both engines) and an as-of date of 29 February."""
    shutil.copy(workspace / DB_FILE, tmp_path / DB_FILE)
    con = connect(tmp_path)
    try:
        con.execute("DELETE FROM credit")
        as_of = date(2024, 2, 29)
        expected = _duckdb_profile(con, as_of)
        actual = gs.build_profiles_spark(con, as_of, spark)
    finally:
        con.close()
    assert gs.parity_report(expected, actual) == []
    assert actual.column("credit_hte_accidents_365d").null_count == actual.num_rows
    assert actual.column("fy_window_end").drop_null().unique().to_pylist() == [2023]


def test_targeted_rewrites_match_duckdb_on_edge_cases(spark: SparkSession, tmp_path: Path) -> None:
    """Day differences across leap days and in both directions; ordered lists with NULL and tied keys."""
    con = duckdb.connect()
    con.execute("CREATE TABLE d (id INTEGER, a DATE, b DATE)")
    con.execute(
        "INSERT INTO d VALUES (1, DATE '2024-02-28', DATE '2024-03-01'), (2, DATE '2025-03-01', DATE '2024-03-01'), "
        "(3, NULL, DATE '2024-03-01'), (4, DATE '1999-12-31', DATE '2025-03-30'), (5, DATE '2024-03-30', "
        "DATE '2024-10-27'), (6, DATE '2018-11-04', DATE '2018-11-05')"
    )
    con.execute("CREATE TABLE n (g INTEGER, name VARCHAR, first_from DATE)")
    con.execute(
        "INSERT INTO n VALUES (1, '乙', DATE '2020-01-01'), (1, '甲', DATE '2020-01-01'), (1, 'Z', NULL), "
        "(1, '丙', DATE '2019-05-05'), (1, NULL, DATE '2021-01-01'), (2, 'b', NULL), (2, 'a', NULL), "
        "(3, 'x', DATE '2022-02-02')"
    )
    gs.export_tables(con, ["d", "n"], tmp_path)
    gs.register_tables(spark, tmp_path, ["d", "n"])
    queries = [
        "SELECT id, DATE_DIFF('day', a, b) AS days FROM d ORDER BY id",
        "SELECT g, LIST(name ORDER BY first_from NULLS FIRST, name) AS names FROM n GROUP BY g ORDER BY g",
        "SELECT g, LIST(name ORDER BY first_from, name) AS names FROM n GROUP BY g ORDER BY g",
    ]
    for sql in queries:
        expected = con.sql(sql).fetchall()
        actual = [tuple(r) for r in gs.run_on_spark(spark, sql).collect()]
        assert actual == expected, sql
    # DATEDIFF(DAY, …) would lose a day where DST skips midnight (2018-11-04 in São Paulo); DATEDIFF(b, a) does not
    zone = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "America/Sao_Paulo")
    try:
        actual = [tuple(r) for r in gs.run_on_spark(spark, queries[0]).collect()]
    finally:
        spark.conf.set("spark.sql.session.timeZone", zone or "UTC")
    assert actual == con.sql(queries[0]).fetchall()
    assert actual[-1] == (6, 1)
    assert con.sql(queries[1]).fetchall()[0] == (1, ["Z", "丙", "乙", "甲", None])


def test_rewrites_in_the_transpiled_sql() -> None:
    out = gs.spark_sql("SELECT DATE_DIFF('day', a, b) AS d, LIST(v ORDER BY k NULLS FIRST) AS l FROM t GROUP BY 1")
    assert "DATEDIFF(b, a)" in out
    assert "COLLECT_LIST(v)" not in out
    assert "SORT_ARRAY(COLLECT_LIST(STRUCT(" in out
    with pytest.raises(NotImplementedError):
        gs.spark_sql("SELECT LIST(v ORDER BY k DESC) FROM t")


def test_tables_read_lists_sources_not_ctes() -> None:
    assert gs.tables_read("WITH a AS (SELECT * FROM x JOIN y USING (k)) SELECT * FROM a, z") == ["x", "y", "z"]


def test_parity_report_names_the_differing_cells() -> None:
    schema = pa.schema([("uscc", pa.string()), ("v", pa.decimal128(38, 4)), ("l", pa.list_(pa.string()))])
    a = pa.Table.from_pylist(
        [{"uscc": "1", "v": Decimal("1.5"), "l": ["x", "y"]}, {"uscc": "2", "v": None, "l": []}], schema=schema
    )
    assert gs.parity_report(a, a) == []
    b = pa.Table.from_pylist(
        [{"uscc": "1", "v": Decimal("1.5"), "l": ["y", "x"]}, {"uscc": "2", "v": Decimal(0), "l": []}], schema=schema
    )
    assert gs.parity_report(a, b) == [
        "uscc=1 column l: expected ['x', 'y'], found ['y', 'x']",
        "uscc=2 column v: expected None, found Decimal('0.0000')",
    ]
    c = a.set_column(1, "v", pa.array([1.5, None], pa.float64()))
    assert gs.parity_report(a, c)[0] == "column v: type decimal128(38, 4) expected, double found"
    assert "1 usccs only in expected" in gs.parity_report(a, a.slice(0, 1))[0]
