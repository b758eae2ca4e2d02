"""The profile SQL on Apache Spark (local mode), for when one machine's DuckDB is not enough.

DuckDB stays the default engine. This module runs the *same* generated SQL (``features.profile_sql``, DuckDB
dialect) on Spark: the workspace tables the SQL reads are exported to Parquet (``COPY … TO … (FORMAT
parquet)``), registered as Spark temp views under the same names, and the SQL is transpiled with sqlglot
(read ``duckdb``, write ``spark``) plus a few targeted rewrites (``spark_sql``) where plain transpilation
would silently change the result. ``build_profiles_spark`` returns the profile as a ``pyarrow.Table`` with
the same columns, types and values as DuckDB's ``profile`` table; ``parity_report`` names the cells where
two such tables differ (the parity test asserts it is empty).

pyspark is optional (``pip install '.[spark]'``): it is imported lazily, so this module imports without it
and every entry point raises ``SparkUnavailableError`` with that instruction when it is missing.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp

from gaoqi.engine.current import create_current_views
from gaoqi.engine.features import delivered_register_feeds, profile_sql, validate_sql, window_for

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

INSTALL_HINT = "pip install '.[spark]'"

# Spark's own log4j2 configuration prints INFO/WARN lines (native-hadoop, hostname, …) on every start; the
# engine wants a silent run unless something is actually wrong. (Two lines still appear at start-up and are
# not Spark logging: the JVM's "Using incubator modules" and Spark's "Setting default log level" notice, printed to stderr directly, not through log4j.)
_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


class SparkUnavailableError(ImportError):
    """pyspark is not installed."""


def _require_pyspark() -> Any:
    try:
        import pyspark.sql
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise SparkUnavailableError(
            f"the Spark engine needs pyspark (Java 17+ too): install the extra with `{INSTALL_HINT}`"
        ) from e
    return pyspark.sql


def spark_available() -> bool:
    """Is pyspark importable? (Java is checked only when a session starts.)"""
    try:
        _require_pyspark()
    except SparkUnavailableError:  # pragma: no cover
        return False
    return True


# ------------------------------------------------------------------------------------------------------
# Session


def spark_session(app: str = "gaoqi", threads: int = 2) -> SparkSession:
    """A local-mode SparkSession: ``threads`` cores, quiet logging, no network, UTC, ANSI SQL.

    * No network: no web UI, driver bound to 127.0.0.1 (a laptop without a resolvable hostname works).
    * ``spark.sql.session.timeZone=UTC`` (and the JVM's zone): DATE ↔ TIMESTAMP conversions that Spark makes
      for date + interval arithmetic cannot shift a day.
    * ANSI mode on: like DuckDB, an overflowing cast or arithmetic raises instead of silently giving NULL,
      so a value that would differ fails loudly instead.
    * Warehouse, scratch space and the log configuration live in a temp dir removed at exit.

    If a session is already running in this process, Spark returns it (static settings then stay as they
    were).
    """
    sql = _require_pyspark()
    work = Path(tempfile.mkdtemp(prefix="gaoqi-spark-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    log4j = work / "log4j2.properties"
    log4j.write_text(_LOG4J2, encoding="utf-8")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    java_opts = f"-Dlog4j2.configurationFile={log4j.as_uri()} -Duser.timezone=UTC"
    builder = sql.SparkSession.builder.master(f"local[{int(threads)}]").appName(app)
    settings = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.ansi.enabled": "true",
        "spark.sql.warehouse.dir": str(work / "warehouse"),
        "spark.local.dir": str(work / "scratch"),
        "spark.driver.extraJavaOptions": java_opts,
        "spark.executor.extraJavaOptions": java_opts,
        # small local jobs: the default 200 shuffle partitions cost more than the work
        "spark.sql.shuffle.partitions": str(max(2, 2 * int(threads))),
        "spark.sql.adaptive.enabled": "true",
        # Parquet from DuckDB is proleptic Gregorian: read dates as written (Spark 3.x defaults to EXCEPTION)
        "spark.sql.parquet.datetimeRebaseModeInRead": "CORRECTED",
        "spark.sql.parquet.int96RebaseModeInRead": "CORRECTED",
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    session: SparkSession = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


# ------------------------------------------------------------------------------------------------------
# Hand-off: DuckDB → Parquet → Spark temp views


def _quote_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export_tables(con: duckdb.DuckDBPyConnection, names: Iterable[str], out_dir: Path | str) -> dict[str, Path]:
    """Write each DuckDB table or view ``name`` to ``out_dir/name.parquet``; return name → path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name in names:
        if not name.isidentifier():
            raise ValueError(f"not a table name: {name!r}")
        path = out / f"{name}.parquet"
        con.execute(f'COPY (SELECT * FROM "{name}") TO {_quote_path(path)} (FORMAT parquet)')
        paths[name] = path
    return paths


def register_tables(spark: SparkSession, out_dir: Path | str, names: Iterable[str]) -> list[str]:
    """Register ``out_dir/name.parquet`` as Spark temp view ``name`` for each name; return the names."""
    out = Path(out_dir)
    done: list[str] = []
    for name in names:
        path = out / f"{name}.parquet"
        if not path.exists():
            raise FileNotFoundError(f"{path}: export the table first (export_tables)")
        spark.read.parquet(str(path)).createOrReplaceTempView(name)
        done.append(name)
    return done


def tables_read(sql_duckdb: str) -> list[str]:
    """The tables a (DuckDB-dialect) query reads: every table reference that is not one of its CTEs."""
    tree = sqlglot.parse_one(sql_duckdb, dialect="duckdb")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    found = {t.name for t in tree.find_all(exp.Table) if t.name and t.name not in ctes}
    return sorted(found)


# ------------------------------------------------------------------------------------------------------
# Transpilation


def _days_between(node: exp.Expression) -> exp.Expression:
    """DuckDB ``DATE_DIFF('day', a, b)`` → Spark ``DATEDIFF(b, a)``.

    sqlglot writes ``DATEDIFF(DAY, a, b)``, which Spark (≥ 3.3) parses as ``TIMESTAMPDIFF(DAY, a, b)``: both
    dates are cast to TIMESTAMP at local midnight of the session time zone and whole days between the two
    local date-times are counted. Where a DST change skips midnight, that "midnight" is 01:00 and a day is
    lost: with session zone America/Sao_Paulo, ``DATEDIFF(DAY, DATE '2018-11-04', DATE '2018-11-05')`` is 0
    (Spark 4.3), and every difference starting on such a day is one short. Our sessions use UTC, but a
    session Spark hands back from ``getOrCreate`` may not. DuckDB counts calendar days; so does Spark's
    two-argument ``DATEDIFF(end, start)`` (DATE arithmetic, no zone), exactly ``date_diff('day', start,
    end)``: end − start, negative when start is later.
    """
    if not isinstance(node, exp.DateDiff):
        return node
    unit = node.args.get("unit")
    if unit is None or unit.name.upper() not in ("DAY", "DAYS", "D"):
        return node
    return exp.Anonymous(this="DATEDIFF", expressions=[node.this.copy(), node.expression.copy()])


def _ordered_list(node: exp.Expression) -> exp.Expression:
    """DuckDB ``LIST(v ORDER BY k1, k2 …)`` → Spark ``TRANSFORM(SORT_ARRAY(COLLECT_LIST(STRUCT(…))), x -> x.v)``.

    sqlglot writes ``COLLECT_LIST(v)`` and drops the ORDER BY without an error; Spark's COLLECT_LIST has
    no order at all (it follows whatever the shuffle delivers), so ``former_names`` would come out in a
    run-dependent order. Instead, collect structs (sort keys first, value last), sort them — struct
    ordering is field by field — and keep the value. Each key is preceded by a null flag so that NULLS
    FIRST / LAST is what the DuckDB query says (DuckDB: ascending keys sort NULLs last unless told), not
    Spark's struct-field default. Wrapping in a struct also keeps NULL values, which DuckDB's LIST keeps
    and COLLECT_LIST would drop. Only ascending keys are needed by the generated SQL; DESC raises.
    """
    if not isinstance(node, exp.ArrayAgg) or not isinstance(node.this, exp.Order):
        return node
    order = node.this
    fields: list[exp.Expression] = []
    for i, ordered in enumerate(order.expressions):
        if not isinstance(ordered, exp.Ordered) or ordered.args.get("desc"):
            raise NotImplementedError(f"ordered list aggregate not supported on Spark: {node.sql('duckdb')}")
        key = ordered.this
        nulls_first = bool(ordered.args.get("nulls_first"))
        flag: exp.Expression = exp.Not(this=exp.Is(this=key.copy(), expression=exp.Null()))
        if not nulls_first:
            flag = exp.Is(this=key.copy(), expression=exp.Null())
        fields.append(exp.Alias(this=flag, alias=exp.to_identifier(f"n{i}")))
        fields.append(exp.Alias(this=key.copy(), alias=exp.to_identifier(f"k{i}")))
    fields.append(exp.Alias(this=order.this.copy(), alias=exp.to_identifier("v")))
    collected = exp.Anonymous(this="COLLECT_LIST", expressions=[exp.Struct(expressions=fields)])
    ordered_list = exp.Anonymous(this="SORT_ARRAY", expressions=[collected, exp.true()])
    lam = exp.Lambda(
        this=exp.Dot(this=exp.to_identifier("x"), expression=exp.to_identifier("v")),
        expressions=[exp.to_identifier("x")],
    )
    return exp.Anonymous(this="TRANSFORM", expressions=[ordered_list, lam])


def spark_sql(sql_duckdb: str) -> str:
    """Transpile a DuckDB query to Spark SQL with sqlglot, fixing what sqlglot gets wrong for parity."""
    tree = sqlglot.parse_one(sql_duckdb, dialect="duckdb")
    tree = tree.transform(_days_between).transform(_ordered_list)
    return tree.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)


def run_on_spark(spark: SparkSession, sql_duckdb: str) -> DataFrame:
    """Run a DuckDB-dialect query on Spark (its tables must be registered as temp views)."""
    return spark.sql(spark_sql(sql_duckdb))


# ------------------------------------------------------------------------------------------------------
# Profiles


def to_arrow(df: DataFrame) -> pa.Table:
    """Collect a Spark DataFrame as a pyarrow Table (Spark ≥ 4: ``toArrow``; 3.5: via rows)."""
    if hasattr(df, "toArrow"):
        table: pa.Table = df.toArrow()
        return table
    from pyspark.sql.pandas.types import to_arrow_schema  # pragma: no cover - Spark 3.5 only

    rows = [row.asDict(recursive=True) for row in df.collect()]  # pragma: no cover
    return pa.Table.from_pylist(rows, schema=to_arrow_schema(df.schema))  # pragma: no cover


def build_profiles_spark(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    spark: SparkSession,
    *,
    work_dir: Path | str | None = None,
) -> pa.Table:
    """The profile of ``features.build_profiles`` for ``as_of``, computed by Spark; sorted by uscc.

    Brings the ``*_cur`` tables up to date (as ``build_profiles`` does), exports the tables the profile
    SQL reads to Parquet under ``work_dir`` (a temp dir, removed afterwards, by default), registers them
    and runs the transpiled SQL. The DuckDB ``profile`` table is not touched.
    """
    w = window_for(as_of)
    create_current_views(con)
    delivered = delivered_register_feeds(con)
    sql = profile_sql(w.as_of, delivered=delivered)
    validate_sql(sql)
    names = tables_read(sql)
    with tempfile.TemporaryDirectory(prefix="gaoqi-export-", dir=work_dir) as tmp:
        export_tables(con, names, tmp)
        register_tables(spark, tmp, names)
        try:
            table = to_arrow(run_on_spark(spark, sql).orderBy("uscc"))
        finally:
            for name in names:
                spark.catalog.dropTempView(name)
    return table


# ------------------------------------------------------------------------------------------------------
# Parity


def _normal_type(t: pa.DataType) -> pa.DataType:
    """Arrow types up to representation: large_string = string, large_list<x> = list<x>."""
    if pa.types.is_large_string(t):
        return pa.string()
    if pa.types.is_large_list(t) or pa.types.is_list(t):
        return pa.list_(_normal_type(t.value_type))
    return t


def parity_report(expected: pa.Table, actual: pa.Table, *, key: str = "uscc", limit: int = 20) -> list[str]:
    """Where two profile tables differ, first differences first; ``[]`` when identical.

    Compares column names and order, column types (ignoring nullability and string/list width), the set
    of keys, then every cell of the rows matched by ``key``: exact equality (Decimals by value and type,
    dates, booleans, NULL only equal to NULL, lists in order). At most ``limit`` cell differences.
    """
    out: list[str] = []
    if expected.column_names != actual.column_names:
        missing = [c for c in expected.column_names if c not in actual.column_names]
        extra = [c for c in actual.column_names if c not in expected.column_names]
        out.append(f"columns differ: missing {missing}, extra {extra}" if missing or extra else "column order differs")
    common = [c for c in expected.column_names if c in actual.column_names]
    for c in common:
        te, ta = _normal_type(expected.schema.field(c).type), _normal_type(actual.schema.field(c).type)
        if te != ta:
            out.append(f"column {c}: type {te} expected, {ta} found")
    if key not in common:
        out.append(f"key column {key!r} missing")
        return out
    exp_rows = {r[key]: r for r in expected.select(common).to_pylist()}
    act_rows = {r[key]: r for r in actual.select(common).to_pylist()}
    if len(exp_rows) != expected.num_rows or len(act_rows) != actual.num_rows:
        out.append(f"{key} is not unique ({expected.num_rows} / {actual.num_rows} rows)")
    only_exp = sorted(k for k in exp_rows if k not in act_rows)
    only_act = sorted(k for k in act_rows if k not in exp_rows)
    if only_exp:
        out.append(f"{len(only_exp)} {key}s only in expected, e.g. {only_exp[:3]}")
    if only_act:
        out.append(f"{len(only_act)} {key}s only in actual, e.g. {only_act[:3]}")
    cells = 0
    for k in sorted(k for k in exp_rows if k in act_rows):
        e, a = exp_rows[k], act_rows[k]
        for c in common:
            if not _same(e[c], a[c]):
                out.append(f"{key}={k} column {c}: expected {e[c]!r}, found {a[c]!r}")
                cells += 1
                if cells >= limit:
                    out.append("… (more differences not shown)")
                    return out
    return out


def _same(x: object, y: object) -> bool:
    if x is None or y is None:
        return x is None and y is None
    if isinstance(x, Sequence) and not isinstance(x, str):
        return (
            isinstance(y, Sequence)
            and not isinstance(y, str)
            and len(x) == len(y)
            and all(_same(a, b) for a, b in zip(x, y, strict=True))
        )
    return type(x) is type(y) and x == y
