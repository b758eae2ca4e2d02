"""The Spark engine: the same profile SQL gives the same profile on DuckDB and on Spark (local mode), and
the same policy evaluation gives the same results, row for row.

Skipped only when pyspark is not importable (CI installs the ``spark`` extra, so it runs there). One
SparkSession for the module; the first query pays Spark's JVM warm-up (~20 s), later ones a few seconds.
"""

from __future__ import annotations

import re
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
from gaoqi.engine.rules import default_policy_dir, evaluate, load_policies
from gaoqi.engine.workspace import DB_FILE, connect
from gaoqi.synth import generate

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


# ------------------------------------------------------------------------------------------------------
# Policy evaluation

RESULT_KEY = ("uscc", "policy_id")


def _duckdb_results(con: duckdb.DuckDBPyConnection, as_of: date) -> pa.Table:
    evaluate(con, as_of, load_policies(default_policy_dir()))
    return con.sql("SELECT * FROM results ORDER BY uscc, policy_id").to_arrow_table()


def _add_hand_made_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Enterprises next to every threshold of hte-certification, added to ``profile``: copies of one real
    row with the features its conditions read set by hand (ratios, money and counts that need 8 decimals,
    half-up rounding, tiers at their inclusive limits, levers too small to show, NULLs)."""
    passing = {  # every data condition of the 2016 version passes with these
        "days_since_established": "1000",
        "ip_class1_count": "1",
        "ip_class2_count": "0",
        "st_staff_share": "0.5",
        "staff_count_last_year": "100",
        "hte_rd_ratio": "0.1",
        "sales_revenue_last_year": "1000",
        "sales_revenue_window": "3000",
        "rd_domestic_share": "0.9",
        "rd_expense_window": "300",
        "ht_revenue_share": "0.9",
        "total_revenue_net_last_year": "1000",
        "credit_hte_accidents_365d": "0",
    }
    cases: list[dict[str, str]] = [
        {},
        {"st_staff_share": "0.09999999"},  # 10% when shown to 4 decimals: shown to 8 instead
        {"st_staff_share": "0.099999999999", "staff_count_last_year": "0.5"},  # below even 8 decimals
        {"st_staff_share": "0.096754", "staff_count_last_year": "1.5"},  # rounds to the threshold at 2 decimals
        {"hte_rd_ratio": "0.04999999995", "sales_revenue_last_year": "5000"},  # lower tier, inclusive
        {"hte_rd_ratio": "0.0465005", "sales_revenue_window": "1234.5678"},  # half up at the 4th decimal
        {
            "hte_rd_ratio": "0.029999",
            "sales_revenue_last_year": "123456789.1234",
            "sales_revenue_window": "370370367.3702",
        },
        {"hte_rd_ratio": "0.0399999", "sales_revenue_last_year": "20000.0001"},
        {"rd_domestic_share": "0.59999999", "rd_expense_window": "0.0001"},  # a lever too small for 8 decimals
        {"rd_domestic_share": "0.123456789012", "rd_expense_window": "98765.4321"},
        {"ht_revenue_share": "0.6"},
        {"ht_revenue_share": "0.5999", "total_revenue_net_last_year": "99999.9999"},
        {"credit_hte_accidents_365d": "2"},
        {"days_since_established": "364"},
        {"ip_class1_count": "0"},
        {"st_staff_share": "NULL", "hte_rd_ratio": "0.01"},  # fail wins over unknown
        {"sales_revenue_last_year": "NULL"},
    ]
    for i, case in enumerate(cases):
        values = {**passing, **case, "uscc": f"'HAND{i:02d}'"}
        sets = ", ".join(f"{v} AS {k}" for k, v in values.items())
        con.execute(f"INSERT INTO profile SELECT * REPLACE ({sets}) FROM (SELECT * FROM profile ORDER BY uscc LIMIT 1)")


def test_results_are_identical_on_duckdb_and_spark(workspace: Path, spark: SparkSession, tmp_path: Path) -> None:
    """Every shipped policy over the synthetic population plus hand-made enterprises at the thresholds: every
    column of every row, types included (the binding condition's values exactly, from which the gap text is
    rendered); then the Spark rows stored in the workspace are the very ``results`` table DuckDB writes."""
    shutil.copy(workspace / DB_FILE, tmp_path / DB_FILE)
    (tmp_path / "export").mkdir()
    con = connect(tmp_path)
    try:
        build_profiles(con, AS_OF)
        _add_hand_made_rows(con)
        expected = _duckdb_results(con, AS_OF)
        expected_types = con.execute("DESCRIBE results").fetchall()
        meta_sql = "SELECT as_of, engine_version, ruleset_hash, policies, load_ids FROM results_meta"
        expected_meta = con.execute(meta_sql).fetchall()
        policies = load_policies(default_policy_dir())
        actual = gs.evaluate_spark(con, AS_OF, policies, spark=spark, work_dir=tmp_path / "export")
        assert gs.parity_report(expected, actual, key=RESULT_KEY, limit=40) == []
        assert actual.schema == expected.schema  # exactly DuckDB's types, not just up to representation
        assert not list((tmp_path / "export").iterdir())  # the Parquet hand-off is removed
        con.execute("DROP TABLE results")
        con.execute("DROP TABLE results_meta")
        gs.store_results(con, actual, AS_OF, policies)
        assert con.execute("DESCRIBE results").fetchall() == expected_types
        stored = con.sql("SELECT * FROM results ORDER BY uscc, policy_id").to_arrow_table()
        assert gs.parity_report(expected, stored, key=RESULT_KEY) == []
        assert con.execute(meta_sql).fetchall() == expected_meta
    finally:
        con.close()
    # the population exercises what differs between the engines; the gap sentences are rendered from the
    # values Spark computed (stored typed, compared above), as the platform reads them
    con = connect(tmp_path)
    try:
        rows = con.sql("SELECT * FROM results_with_gap ORDER BY uscc, policy_id").to_arrow_table().to_pylist()
    finally:
        con.close()
    assert len({r["policy_id"] for r in rows}) == len([p for p in policies if p.version_at(AS_OF)])
    assert {r["status"] for r in rows} >= {"fail", "unknown"}
    assert sum(len(r["failed_conditions"]) >= 2 for r in rows) > 20  # lists built from several items
    gaps = [r["binding_gap"] for r in rows if r["uscc"].startswith("HAND") and r["binding_gap"]]
    assert any(re.search(r"\d\.\d{5,8}%", g) for g in gaps), gaps  # percentages shown to 8 decimals
    assert any(re.search(r"；约需\S+ \d\.\d{5,8}( 人|万元)$", g) for g in gaps), gaps  # levers shown to 8 decimals
    assert any("万元" in g and "%" in g for g in gaps), gaps
    assert any("，超出 " in g for g in gaps), gaps
    # district codes shown as names
    assert any(re.fullmatch(r"所属区县 \S+区，应为 东城区", r["binding_gap"] or "") for r in rows)


def test_decimal_and_double_rewrites_match_duckdb(spark: SparkSession, tmp_path: Path) -> None:
    """Comparisons, IN and BETWEEN of decimals of different scales; division (DOUBLE, ±inf and NaN for a
    zero divisor); decimal arithmetic past 38 digits; CASE/GREATEST mixing scales (no rewrite: both engines keep integer digits); the list
    construction of the results SQL; decimal text."""
    con = duckdb.connect()
    con.execute("CREATE TABLE t (id INTEGER, r DECIMAL(38,12), m DECIMAL(38,4), d DOUBLE, s VARCHAR)")
    con.execute(
        "INSERT INTO t VALUES (1, 0.096607986260, 5000, 2.675, NULL), (2, 0.104, 20000.0001, 1.005, 'a'), "
        "(3, 0.1, 0.0001, -2.675, ''), (4, NULL, NULL, NULL, 'b'), (5, 0.000000001, 123456789.1234, 0.125, 'c,d')"
    )
    gs.export_tables(con, ["t"], tmp_path)
    gs.register_tables(spark, tmp_path, ["t"])
    schema = gs.duckdb_schema(con, ["t"])
    p = "CAST(0.10 AS DECIMAL(38, 2))"
    queries = [
        f"SELECT id, r >= {p}, r = {p}, r <> {p}, r IN ({p}, CAST(0.2 AS DECIMAL(38,2))), "
        f"r BETWEEN CAST(0.05 AS DECIMAL(38,2)) AND {p}, m > r, NOT (r < {p}) FROM t ORDER BY id",
        "SELECT id, m / r, r / 0, -m / 0, (m - m) / 0, d / NULL, id / 2, m / (r / 0) FROM t ORDER BY id",
        f"SELECT id, ({p} - r) * m, r * 100, GREATEST(r, {p}), CASE WHEN id > 2 THEN r ELSE {p} END FROM t ORDER BY id",
        "SELECT id, CAST(CAST(ROUND(r * 100, 8) AS DECIMAL(38,8)) AS VARCHAR), "
        "RTRIM(RTRIM(CAST(CAST(ROUND(m, 4) AS DECIMAL(38,4)) AS VARCHAR), '0'), '.') FROM t ORDER BY id",
        "SELECT id, CONCAT_WS(',', s, NULL, 'x'), CASE WHEN CONCAT_WS(',', s) = '' THEN CAST(ARRAY[] AS VARCHAR[]) "
        "ELSE STRING_SPLIT(CONCAT_WS(',', s, 'y'), ',') END, s || 'z' FROM t ORDER BY id",
    ]

    def nan_free(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:  # NaN ≠ NaN
        return [tuple("NaN" if isinstance(v, float) and v != v else v for v in r) for r in rows]

    for sql in queries:
        expected = con.sql(sql).fetchall()
        with gs.session_conf(spark, gs.DUCKDB_DECIMALS):
            actual = [tuple(r) for r in gs.run_on_spark(spark, sql, schema).collect()]
        assert nan_free(actual) == nan_free(expected), sql
    # what the rewrites are for: Spark on its own says 9.66% ≥ 10%
    plain = [tuple(r) for r in gs.run_on_spark(spark, f"SELECT r >= {p} FROM t WHERE id = 1").collect()]
    assert plain == [(True,)]
    assert con.sql(f"SELECT r >= {p} FROM t WHERE id = 1").fetchall() == [(False,)]
    # DuckDB rounds a double's binary value (2.675 → 2.67), Spark its text (2.68): refused, not mistranslated
    with pytest.raises(NotImplementedError, match="ROUND of a DOUBLE"):
        gs.spark_sql("SELECT ROUND(d, 2) FROM t", schema)
    assert spark.conf.get("spark.sql.decimalOperations.allowPrecisionLoss") == "true"  # restored


def test_type_rewrites_in_the_transpiled_sql() -> None:
    schema = {"t": {"r": "DECIMAL(38,12)", "m": "DECIMAL(38,4)", "d": "DOUBLE", "s": "VARCHAR", "i": "BIGINT"}}
    out = gs.spark_sql("SELECT r >= m AS a, s = 'x' AS b, i >= 1 AS c, m / i AS e, ROUND(m, 2) AS f FROM t", schema)
    assert "(t.r - t.m) >= 0" in out
    assert "t.s = 'x'" in out and "t.i >= 1" in out  # not decimals: untouched
    assert "ROUND(t.m, 2)" in out
    assert "CAST(t.m AS DOUBLE) / CAST(t.i AS DOUBLE)" in out and "CAST('Infinity' AS DOUBLE)" in out
    assert "r >= m" in gs.spark_sql("SELECT r >= m FROM t")  # without a schema: no type rewrites
