"""The profile SQL on Apache Spark (local mode), for when one machine's DuckDB is not enough.

DuckDB stays the default engine. This module runs the *same* generated SQL (``features.profile_sql``, DuckDB
dialect) on Spark: the workspace tables the SQL reads are exported to Parquet (``COPY … TO … (FORMAT
parquet)``), registered as Spark temp views under the same names, and the SQL is transpiled with sqlglot
(read ``duckdb``, write ``spark``) plus a few targeted rewrites (``spark_sql``) where plain transpilation
would silently change the result. ``build_profiles_spark`` returns the profile as a ``pyarrow.Table`` with
the same columns, types and values as DuckDB's ``profile`` table; ``parity_report`` names the cells where
two such tables differ (the parity test asserts it is empty).

Policy evaluation runs the same way: ``evaluate_spark`` exports ``profile``, runs ``rules.results_sql``
transpiled with the schema-aware rewrites of ``spark_sql(…, schema=…)`` (decimal comparisons, ROUND of
DOUBLE) under DuckDB's decimal arithmetic (``spark.sql.decimalOperations.allowPrecisionLoss=false``) and
returns the rows with the columns and types of DuckDB's ``results``; ``store_results`` writes them into the
workspace's ``results`` and ``results_meta`` as ``rules.evaluate`` does.

pyspark is optional (``pip install '.[spark]'``): it is imported lazily, so this module imports without it
and every entry point raises ``SparkUnavailableError`` with that instruction when it is missing.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

from gaoqi.engine import rules
from gaoqi.engine.current import create_current_views
from gaoqi.engine.features import delivered_register_feeds, profile_sql, validate_sql, window_for
from gaoqi.engine.rules import Policy
from gaoqi.engine.validate import lit

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


def require_pyspark() -> None:
    """Raise ``SparkUnavailableError`` (saying how to install it) unless pyspark is importable."""
    _require_pyspark()


def spark_available() -> bool:
    """Is pyspark importable? (Java is checked only when a session starts.)"""
    try:
        _require_pyspark()
    except SparkUnavailableError:  # pragma: no cover
        return False
    return True


# ------------------------------------------------------------------------------------------------------
# Session


def spark_session(
    app: str = "gaoqi",
    threads: int = 2,
    *,
    master: str | None = None,
    executor_memory: str = "2g",
    event_log_dir: Path | str | None = None,
) -> SparkSession:
    """A local-mode SparkSession: ``threads`` cores, quiet logging, no network, UTC, ANSI SQL.

    * No network: no web UI, driver bound to 127.0.0.1 (a laptop without a resolvable hostname works).
    * ``spark.sql.session.timeZone=UTC`` (and the JVM's zone): DATE ↔ TIMESTAMP conversions that Spark makes
      for date + interval arithmetic cannot shift a day.
    * ANSI mode on: like DuckDB, an overflowing cast or arithmetic raises instead of silently giving NULL,
      so a value that would differ fails loudly instead.
    * Warehouse, scratch space and the log configuration live in a temp dir removed at exit.

    With ``master`` (``spark://host:port``, a standalone cluster: ``spark_cluster``), the session is the
    driver of an application on that cluster instead: ``threads`` executors of one core and ``executor_memory``
    each (the first query waits until all have registered, at most two minutes), the
    driver bound to ``$SPARK_LOCAL_IP`` (default 127.0.0.1; on a real cluster an address the workers reach).
    Executors read and write files by path: every path the queries use must be shared (``evaluate_spark``'s
    ``work_dir``). ``event_log_dir``: Spark's event log of the application, one JSON event a line
    (``spark_cluster.tasks_by_executor`` reads where the tasks ran).

    If a session is already running in this process, Spark returns it (static settings then stay as they
    were); one on another cluster than asked (or a cluster when local mode is asked) raises ``RuntimeError``.
    """
    sql = _require_pyspark()
    work = Path(tempfile.mkdtemp(prefix="gaoqi-spark-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    log4j = work / "log4j2.properties"
    log4j.write_text(_LOG4J2, encoding="utf-8")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    java_opts = f"-Dlog4j2.configurationFile={log4j.as_uri()} -Duser.timezone=UTC"
    url = master or f"local[{int(threads)}]"
    builder = sql.SparkSession.builder.master(url).appName(app)
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
    if master is not None:
        host = os.environ["SPARK_LOCAL_IP"]
        settings |= {
            "spark.driver.host": host,
            "spark.driver.bindAddress": host,
            "spark.executor.cores": "1",
            "spark.executor.memory": executor_memory,
            # ``threads`` executors in all, and no query before every one has registered: otherwise the first
            # stages run on whichever executor started first
            "spark.cores.max": str(int(threads)),
            "spark.scheduler.minRegisteredResourcesRatio": "1.0",
            "spark.scheduler.maxRegisteredResourcesWaitingTime": "120s",
            # the log4j file above is the driver's own temp file, which another machine's executors cannot read:
            # their logs stay Spark's default, in the workers' work dirs
            "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
        }
    if event_log_dir is not None:
        Path(event_log_dir).mkdir(parents=True, exist_ok=True)
        settings |= {
            "spark.eventLog.enabled": "true",
            "spark.eventLog.dir": Path(event_log_dir).resolve().as_uri(),
            # one plain JSON file per application (Spark 4 compresses and rolls by default)
            "spark.eventLog.compress": "false",
            "spark.eventLog.rolling.enabled": "false",
        }
    for key, value in settings.items():
        builder = builder.config(key, value)
    session: SparkSession = builder.getOrCreate()
    running = session.sparkContext.master or ""
    # a local session of other threads is returned as before; a cluster is never silently swapped for another
    if running != url and (master is not None or not running.startswith("local")):
        raise RuntimeError(f"a Spark session on {session.sparkContext.master} is running here, not on {url}")
    session.sparkContext.setLogLevel("ERROR")
    return session


# ------------------------------------------------------------------------------------------------------
# Hand-off: DuckDB → Parquet → Spark temp views


def export_tables(con: duckdb.DuckDBPyConnection, names: Iterable[str], out_dir: Path | str) -> dict[str, Path]:
    """Write each DuckDB table or view ``name`` to ``out_dir/name.parquet``; return name → path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name in names:
        if not name.isidentifier():
            raise ValueError(f"not a table name: {name!r}")
        path = out / f"{name}.parquet"
        con.execute(f'COPY (SELECT * FROM "{name}") TO {lit(str(path))} (FORMAT parquet)')
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


_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


def _is_decimal(node: exp.Expression) -> bool:
    return node.type is not None and node.type.is_type(exp.DataType.Type.DECIMAL)


def _is_double(node: exp.Expression) -> bool:
    return node.type is not None and node.type.is_type(*exp.DataType.FLOAT_TYPES)


def _zero_diff(left: exp.Expression, right: exp.Expression, op: type[exp.Expression]) -> exp.Expression:
    """``(left - right) op 0``."""
    return op(this=exp.Paren(this=exp.Sub(this=left, expression=right)), expression=exp.Literal.number(0))


def _exact_decimal_comparisons(tree: exp.Expr) -> None:
    """Comparisons of two DECIMALs (also IN, BETWEEN) → ``(a - b) op 0``, in place; ``tree`` annotated.

    DuckDB compares two decimals exactly, at the larger scale (``DECIMAL(38,12) >= DECIMAL(38,2)`` casts
    the right side to scale 12). Spark 4 first casts both sides to a common type that keeps the integer
    digits and, past precision 38, drops fraction digits: ``st_staff_share >= CAST(0.10 AS
    DECIMAL(38,2))`` becomes ``CAST(st_staff_share AS DECIMAL(38,2)) >= 0.10``, so 9.66% "passes" 10%
    (and ``spark.sql.legacy.decimal.retainFractionDigitsOnTruncate`` would fix this but break CASE,
    GREATEST and COALESCE, where both engines keep integer digits). A difference of two decimals is exact
    on Spark without precision loss (``evaluate_spark`` turns it off), at the larger scale, like DuckDB's
    comparison; comparing it with 0 cannot lose digits. Innermost first, so nested comparisons move along.
    """
    found = [
        node
        for node in tree.find_all(*_COMPARISONS, exp.In, exp.Between)
        if _is_decimal(node.this)
        and (
            (isinstance(node, _COMPARISONS) and _is_decimal(node.expression))
            or (
                isinstance(node, exp.In)
                and not node.args.get("query")
                and any(_is_decimal(e) for e in node.expressions)
            )
            or (isinstance(node, exp.Between) and (_is_decimal(node.args["low"]) or _is_decimal(node.args["high"])))
        )
    ]
    for node in sorted(found, key=lambda n: -n.depth):
        new: exp.Expression
        if isinstance(node, exp.In):
            # x IN (a, b) = (x = a OR x = b), NULLs included (no match and a NULL item → NULL)
            new = exp.Paren(this=exp.or_(*(_zero_diff(node.this.copy(), e, exp.EQ) for e in node.expressions)))
        elif isinstance(node, exp.Between):
            low, high = node.args["low"], node.args["high"]
            new = exp.Paren(
                this=exp.and_(_zero_diff(node.this.copy(), low, exp.GTE), _zero_diff(node.this, high, exp.LTE))
            )
        else:
            new = _zero_diff(node.this, node.expression, type(node))
        node.replace(new)


def _double(node: exp.Expression) -> exp.Expression:
    return exp.Cast(this=node, to=exp.DataType.build("DOUBLE"))


def _ieee_divisions(tree: exp.Expr) -> None:
    """DuckDB ``a / b`` → DOUBLE division with IEEE results for a zero divisor, on Spark; in place.

    DuckDB's ``/`` divides in DOUBLE whatever the operand types (``DECIMAL / DECIMAL`` is a DOUBLE) and a
    zero divisor gives ±inf or NaN. Spark divides decimals as decimals (other digits) and, in ANSI mode,
    raises DIVIDE_BY_ZERO. Rewritten to ``CASE WHEN b = 0 THEN ±inf / NaN by the sign of a ELSE a / b END``
    over ``CAST(… AS DOUBLE)`` operands (NULL stays NULL; a divisor of −0.0 counts as +0.0). Innermost
    first, so a division inside an operand is rewritten too.
    """

    def special(text: str) -> exp.Expression:
        return exp.Cast(this=exp.Literal.string(text), to=exp.DataType.build("DOUBLE"))

    for node in sorted(tree.find_all(exp.Div), key=lambda n: -n.depth):
        a, b = _double(node.this), _double(node.expression)
        zero = exp.Literal.number(0)
        by_sign = (
            exp.Case()
            .when(exp.GT(this=a.copy(), expression=zero.copy()), special("Infinity"))
            .when(exp.LT(this=a.copy(), expression=zero.copy()), special("-Infinity"))
            .when(exp.Not(this=exp.Is(this=a.copy(), expression=exp.Null())), special("NaN"))
        )
        quotient = exp.Div(this=a.copy(), expression=b.copy())
        node.replace(exp.Case().when(exp.EQ(this=b, expression=zero), by_sign).else_(quotient))


def _no_double_round(node: exp.Expression) -> exp.Expression:
    """ROUND of a DOUBLE has no Spark equivalent: refuse it instead of giving other digits.

    DuckDB rounds the double's exact binary value half away from zero (``ROUND(2.675, 2)`` = 2.67, as
    2.675 is 2.67499999…; ``ROUND(0.125, 2)`` = 0.13); Spark rounds its shortest decimal text half up
    (2.68). The generated SQL rounds DECIMALs only (same on both engines); a DOUBLE should be cast to a
    DECIMAL first.
    """
    if isinstance(node, exp.Round) and _is_double(node.this):
        raise NotImplementedError(f"ROUND of a DOUBLE differs on Spark, cast to DECIMAL first: {node.sql('duckdb')}")
    return node


def spark_sql(sql_duckdb: str, schema: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """Transpile a DuckDB query to Spark SQL with sqlglot, fixing what sqlglot gets wrong for parity.

    With ``schema`` (table → column → DuckDB type of every table read), the query is qualified and
    type-annotated, and the rewrites for rules SQL apply too: exact decimal comparisons
    (``_exact_decimal_comparisons``), DuckDB's DOUBLE division (``_ieee_divisions``), and a refusal of ROUND
    of a DOUBLE (``_no_double_round``).
    """
    tree = sqlglot.parse_one(sql_duckdb, dialect="duckdb")
    if schema is not None:
        types = MappingSchema({t: dict(cols) for t, cols in schema.items()}, dialect="duckdb")
        tree = qualify(tree, dialect="duckdb", schema=types, quote_identifiers=False, identify=False)
        tree = annotate_types(tree, schema=types, dialect="duckdb")
        _exact_decimal_comparisons(tree)
        tree = tree.transform(_no_double_round)
        _ieee_divisions(tree)
    tree = tree.transform(_days_between).transform(_ordered_list)
    return tree.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)


def run_on_spark(
    spark: SparkSession, sql_duckdb: str, schema: Mapping[str, Mapping[str, str]] | None = None
) -> DataFrame:
    """Run a DuckDB-dialect query on Spark (its tables must be registered as temp views)."""
    return spark.sql(spark_sql(sql_duckdb, schema))


def duckdb_schema(con: duckdb.DuckDBPyConnection, names: Iterable[str]) -> dict[str, dict[str, str]]:
    """Table → column → DuckDB type, for ``spark_sql(…, schema=…)``."""
    return {n: {str(c): str(t) for c, t, *_ in con.execute(f'DESCRIBE "{n}"').fetchall()} for n in names}


@contextmanager
def session_conf(spark: SparkSession, settings: Mapping[str, str]) -> Iterator[None]:
    """Runtime SQL settings for the duration of a block, restored (or unset) afterwards."""
    before = {k: spark.conf.get(k, None) for k in settings}
    for k, v in settings.items():
        spark.conf.set(k, v)
    try:
        yield
    finally:
        for k, old in before.items():
            if old is None:
                spark.conf.unset(k)
            else:
                spark.conf.set(k, old)


#: DuckDB's decimal arithmetic: a result wider than 38 digits keeps its scale (and overflow raises) instead
#: of Spark's default of rounding away fraction digits (``(0.10 − ratio) * sales`` at 6 instead of 16 decimals).
DUCKDB_DECIMALS = {"spark.sql.decimalOperations.allowPrecisionLoss": "false"}


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
# Policy evaluation


def evaluate_spark(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    policies: Sequence[Policy],
    policy_ids: Sequence[str] | None = None,
    spark: SparkSession | None = None,
    *,
    work_dir: Path | str | None = None,
    timings: dict[str, float] | None = None,
) -> pa.Table:
    """The rows of ``rules.evaluate`` for ``as_of``, computed by Spark; sorted by uscc, policy_id.

    ``profile`` (built for ``as_of``, as ``rules.evaluate`` requires) is exported to Parquet under
    ``work_dir`` (a temp dir by default, removed afterwards) and ``rules.results_sql`` runs transpiled, with
    the type-dependent rewrites and DuckDB's decimal arithmetic. The Arrow table has exactly the columns and
    types that DuckDB gives the same query (read from DuckDB, not listed here). ``spark`` None: a session
    is started (``spark_session``) and stopped afterwards. Nothing in the workspace changes
    (``store_results`` writes the rows).

    On a cluster (``spark`` a session on ``spark://…``), ``work_dir`` must be a directory every worker sees at
    the same path: the executors read the exported tables and write the results there, and only the query
    plan and the commit of the written files pass through the driver. ``timings``, when given, receives the
    seconds of each part: ``export`` (DuckDB → Parquet), ``plan`` (sqlglot's transpilation and Spark's
    analysis), ``spark`` (the query run, results written as Parquet by the executors), ``import`` (DuckDB reads
    them back, sorted).
    """
    rules.check_profile(con, as_of)
    sql = rules.results_sql(policies, as_of, policy_ids)
    # DuckDB's own types of the result: the schema the Spark rows are cast to (LIMIT 0 runs nothing)
    target = con.sql(f"SELECT * FROM ({sql}) AS q LIMIT 0").to_arrow_table().schema
    names = tables_read(sql)
    schema = duckdb_schema(con, names)
    own = spark is None
    lap = timings if timings is not None else {}
    session = spark_session() if spark is None else spark
    try:
        with tempfile.TemporaryDirectory(prefix="gaoqi-export-", dir=work_dir) as tmp:
            started = time.perf_counter()
            export_tables(con, names, tmp)
            lap["export"] = time.perf_counter() - started
            register_tables(session, tmp, names)
            try:
                with session_conf(session, DUCKDB_DECIMALS):
                    started = time.perf_counter()
                    df = run_on_spark(session, sql, schema)
                    lap["plan"] = time.perf_counter() - started
                    # Parquet hand-off, not a collect: 12 million rows do not fit the driver's heap
                    # (toArrow at 2M enterprises × 6 policies ran out of Java heap)
                    out = Path(tmp) / "results.parquet"
                    started = time.perf_counter()
                    df.write.mode("overwrite").parquet(str(out))
                    lap["spark"] = time.perf_counter() - started
                started = time.perf_counter()
                table = con.sql(
                    f"SELECT * FROM read_parquet({lit(str(out / '*.parquet'))}) ORDER BY uscc, policy_id"
                ).to_arrow_table()
                lap["import"] = time.perf_counter() - started
            finally:
                for name in names:
                    session.catalog.dropTempView(name)
    finally:
        if own:
            session.stop()
    if table.column_names != target.names:
        raise RuntimeError(f"Spark gave columns {table.column_names}, DuckDB {target.names}")
    # Spark's Arrow output differs only in representation (non-nullable fields, list item names)
    return pa.Table.from_arrays(
        [col.cast(field.type) for col, field in zip(table.columns, target, strict=True)], schema=target
    )


def store_results(
    con: duckdb.DuckDBPyConnection,
    table: pa.Table,
    as_of: date,
    policies: Sequence[Policy],
    policy_ids: Sequence[str] | None = None,
) -> duckdb.DuckDBPyRelation:
    """Replace ``results`` with the rows of ``evaluate_spark`` and ``results_meta`` as ``rules.evaluate``
    does; return ``results_with_gap`` (the results with their gap sentences) as a relation."""
    con.register("_gaoqi_spark_results", table)
    try:
        con.execute("CREATE OR REPLACE TABLE results AS SELECT * FROM _gaoqi_spark_results")
    finally:
        con.unregister("_gaoqi_spark_results")
    rules.write_results_meta(con, as_of, policies, policy_ids)
    return con.table("results_with_gap")


# ------------------------------------------------------------------------------------------------------
# Parity


def _normal_type(t: pa.DataType) -> pa.DataType:
    """Arrow types up to representation: large_string = string, large_list<x> = list<x>."""
    if pa.types.is_large_string(t):
        return pa.string()
    if pa.types.is_large_list(t) or pa.types.is_list(t):
        return pa.list_(_normal_type(t.value_type))
    return t


def parity_report(
    expected: pa.Table, actual: pa.Table, *, key: str | Sequence[str] = "uscc", limit: int = 20
) -> list[str]:
    """Where two profile (or results) tables differ, first differences first; ``[]`` when identical.

    Compares column names and order, column types (ignoring nullability and string/list width), the set
    of keys (``key``: a column, or several, e.g. ``("uscc", "policy_id")`` for results), then every cell of
    the rows matched by key: exact equality (Decimals by value and type, dates, booleans, NULL only equal to
    NULL, lists in order). At most ``limit`` cell differences.
    """
    keys = (key,) if isinstance(key, str) else tuple(key)
    label = key if isinstance(key, str) else "(" + ", ".join(keys) + ")"

    def key_of(row: dict[str, Any]) -> Any:
        return row[keys[0]] if isinstance(key, str) else tuple(row[k] for k in keys)

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
    absent = [k for k in keys if k not in common]
    if absent:
        out.append(f"key column {absent[0]!r} missing")
        return out
    exp_rows = {key_of(r): r for r in expected.select(common).to_pylist()}
    act_rows = {key_of(r): r for r in actual.select(common).to_pylist()}
    if len(exp_rows) != expected.num_rows or len(act_rows) != actual.num_rows:
        out.append(f"{label} is not unique ({expected.num_rows} / {actual.num_rows} rows)")
    only_exp = sorted(k for k in exp_rows if k not in act_rows)
    only_act = sorted(k for k in act_rows if k not in exp_rows)
    if only_exp:
        out.append(f"{len(only_exp)} {label}s only in expected, e.g. {only_exp[:3]}")
    if only_act:
        out.append(f"{len(only_act)} {label}s only in actual, e.g. {only_act[:3]}")
    cells = 0
    for k in sorted(k for k in exp_rows if k in act_rows):
        e, a = exp_rows[k], act_rows[k]
        for c in common:
            if not _same(e[c], a[c]):
                out.append(f"{label}={k} column {c}: expected {e[c]!r}, found {a[c]!r}")
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
