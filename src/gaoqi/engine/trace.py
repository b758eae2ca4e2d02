"""The rows behind a register count: which IP records and credit events a profile count counted.

``ip_rows(con, uscc, as_of, feature)`` lists the IP records counted in ``ip_class1_count``,
``ip_class2_count``, ``ip_original_count`` or ``ip_acquired_count``; ``credit_rows`` the events counted in
a credit count (``features.CREDIT_COUNT_FEATURES``). ``FEATURE_TRACERS`` maps each such feature to its
tracer, ``trace_rows`` dispatches. For every enterprise and as-of date the number of rows equals the
profile feature (when the feed was delivered; an undelivered feed gives NULL there and [] here): the WHERE
clauses are the very predicates the profile SQL counts with (``features.ip_countable_sql``,
``features.IP_COUNT_FEATURES``, ``features.credit_predicates``), nothing is written twice.

Each row names its source: ``feed`` and ``file_name`` (from ``loads``), ``load_id`` and ``line`` (the line
of the delivered file, header = line 1); IP rows also say how the record was linked to the enterprise
(``link_method``: ``uscc``, ``exact_name`` or ``splink``, from ``ip_link``).

Speed: one enterprise is a few rows of tables with millions, so every lookup goes through an ART index,
which DuckDB uses only for a constant: ``ip_link (uscc)`` (built by ``resolve``), ``ip_cur (ip_number)``
and ``credit_cur (uscc)`` (built by ``current.create_current_views``). Values are therefore written into
the SQL as quoted literals, never bound as parameters, and the lookup is the only filter of its scan: a
MATERIALIZED CTE fetches the enterprise's rows by the key alone and the feature's predicate filters that
(DuckDB 2.0 falls back to a full scan when other filters sit beside the key). IP takes two queries (the
enterprise's links, then its records by number) so that both use an index; a join would scan ``ip_cur``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import duckdb

from gaoqi.engine.features import (
    CREDIT_COUNT_FEATURES,
    IP_COUNT_FEATURES,
    credit_predicates,
    ip_countable_sql,
)
from gaoqi.engine.validate import lit

Row = dict[str, Any]
Tracer = Callable[[duckdb.DuckDBPyConnection, str, date, str], list[Row]]

IP_ROW_KEYS: tuple[str, ...] = (
    "ip_number",
    "ip_type",
    "title",
    "grant_date",
    "acquisition",
    "feed",
    "file_name",
    "load_id",
    "line",
    "link_method",
)
CREDIT_ROW_KEYS: tuple[str, ...] = (
    "event_type",
    "decided_date",
    "removed_date",
    "authority",
    "document_number",
    "feed",
    "file_name",
    "load_id",
    "line",
)


def ip_rows(con: duckdb.DuckDBPyConnection, uscc: str, as_of: date, feature: str) -> list[Row]:
    """The IP records counted in ``feature`` (an ip_* count) for ``uscc`` at ``as_of``, by ip_number."""
    if feature not in IP_COUNT_FEATURES:
        raise KeyError(f"not an IP count feature: {feature}")
    return ip_rows_by_feature(con, uscc, as_of, (feature,))[feature]


def ip_rows_by_feature(
    con: duckdb.DuckDBPyConnection, uscc: str, as_of: date, features: tuple[str, ...] = tuple(IP_COUNT_FEATURES)
) -> dict[str, list[Row]]:
    """``ip_rows`` for several IP count features at once: the same two lookups serve them all."""
    unknown = [f for f in features if f not in IP_COUNT_FEATURES]
    if unknown:
        raise KeyError(f"not an IP count feature: {', '.join(unknown)}")
    out: dict[str, list[Row]] = {f: [] for f in features}
    # The enterprise's links (index on ip_link.uscc); a record linked twice still counts once.
    links = con.execute(
        f"SELECT ip_number, MIN(method) FROM ip_link WHERE uscc = {lit(uscc)} GROUP BY ip_number"
    ).fetchall()
    if not links or not features:
        return out
    method = {str(number): str(m) for number, m in links}
    numbers = ", ".join(lit(n) for n in sorted(method))
    flags = ", ".join(f"({IP_COUNT_FEATURES[f][1]}) AS f{i}" for i, f in enumerate(features))
    rows = con.execute(
        f"""
        WITH i AS MATERIALIZED (SELECT * FROM ip_cur WHERE ip_number IN ({numbers}))
        SELECT i.ip_number, i.ip_type, i.title, i.grant_date, i.acquisition, ld.feed, ld.file_name,
               i._load_id, i._line, {flags}
        FROM i
        LEFT JOIN loads ld ON ld.load_id = i._load_id
        WHERE {ip_countable_sql(as_of, "i")}
        ORDER BY i.ip_number
        """
    ).fetchall()
    width = len(IP_ROW_KEYS) - 1
    for r in rows:
        item = dict(zip(IP_ROW_KEYS, (*r[:width], method[str(r[0])]), strict=True))
        for i, f in enumerate(features):
            if r[width + i]:
                out[f].append(dict(item))
    return out


def credit_rows(con: duckdb.DuckDBPyConnection, uscc: str, as_of: date, feature: str) -> list[Row]:
    """The credit_cur events counted in ``feature`` (a credit count) for ``uscc`` at ``as_of``, oldest first."""
    predicates = credit_predicates(as_of)
    if feature not in predicates:
        raise KeyError(f"not a credit count feature: {feature}")
    rows = con.execute(
        f"""
        WITH c AS MATERIALIZED (SELECT * FROM credit_cur WHERE uscc = {lit(uscc)})
        SELECT c.event_type, c.decided_date, c.removed_date, c.authority, c.document_number, ld.feed,
               ld.file_name, c._load_id, c._line
        FROM c
        LEFT JOIN loads ld ON ld.load_id = c._load_id
        WHERE {predicates[feature]}
        ORDER BY c.decided_date, c.event_type, c.document_number, c._load_id, c._line
        """
    ).fetchall()
    return [dict(zip(CREDIT_ROW_KEYS, r, strict=True)) for r in rows]


#: Every traceable feature → its tracer.
FEATURE_TRACERS: dict[str, Tracer] = {
    **dict.fromkeys(IP_COUNT_FEATURES, ip_rows),
    **dict.fromkeys(CREDIT_COUNT_FEATURES, credit_rows),
}


def trace_rows(con: duckdb.DuckDBPyConnection, uscc: str, as_of: date, feature: str) -> list[Row]:
    """The rows counted in ``feature`` for ``uscc`` at ``as_of``; KeyError if the feature is not traceable."""
    return FEATURE_TRACERS[feature](con, uscc, as_of, feature)
