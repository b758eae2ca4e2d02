"""Current-state tables over the raw feed tables.

Departments redeliver: a later file may correct an earlier one. For each feed, ``<feed>_cur`` keeps one
row per primary key (from the feed's schema): the row of the latest load, and within a load the last line.
Every later stage (resolution, features) reads these, never the raw tables, so provenance (``_load_id``,
``_line``) always points at the row actually used.

They are materialised tables, not views: de-duplicating tens of millions of rows is the costliest step
of a profile build, and the data change only when a file is loaded. ``current_state`` records the last
load and row count each table reflects; a table is rebuilt only when they change.
"""

from __future__ import annotations

import hashlib

import duckdb

from gaoqi.engine.feeds import all_feeds, feed_spec

# Feeds read one enterprise (or one record) at a time — explain's sources, the profile page, the rows behind
# a count (trace.py) — get an ART index on that column: a millisecond lookup, which string zone maps cannot
# give, as every code shares its first eight bytes. Cheap: at 2M enterprises about 1 s for ip_cur (3M rows),
# 0.1 s for credit_cur.
INDEXED: dict[str, str] = {"finance": "uscc", "rd": "uscc", "credit": "uscc", "ip": "ip_number"}


def loads_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """Every load the workspace holds (id and content hash, in order), as one string: what resolution and
    profiles were built from. Loads are only ever added, each in one transaction, so a new file changes it."""
    row = con.execute(
        "SELECT count(*), coalesce(string_agg(load_id || ':' || content_sha256, ',' ORDER BY load_id), '') FROM loads"
    ).fetchall()[0]
    return f"{int(row[0])}:{hashlib.sha256(str(row[1]).encode()).hexdigest()}"


def current_select_sql(feed: str) -> str:
    spec = feed_spec(feed)
    key = ", ".join(spec.key)
    return f"SELECT * FROM {feed} QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _load_id DESC, _line DESC) = 1"


def _kind(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    if con.execute("SELECT 1 FROM duckdb_views() WHERE view_name = ? AND NOT internal", [name]).fetchall():
        return "VIEW"
    if con.execute("SELECT 1 FROM duckdb_tables() WHERE table_name = ?", [name]).fetchall():
        return "TABLE"
    return None


def create_current_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Bring every ``<feed>_cur`` table up to date with the loads; return the feeds rebuilt."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS current_state (feed VARCHAR PRIMARY KEY, last_load_id INTEGER NOT NULL, "
        "raw_rows BIGINT NOT NULL)"
    )
    rebuilt: list[str] = []
    # a feed that gained a column (workspace.ensure_schema adds it to the raw table) rebuilds its current table
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal ORDER BY table_name, column_index"
    ).fetchall():
        columns.setdefault(str(table), []).append(str(column))
    for spec in all_feeds():
        feed = spec.name
        # fetchall, not fetchone: DuckDB refuses some later calls while a result is left unread
        last = int(con.execute("SELECT coalesce(max(load_id), 0) FROM loads WHERE feed = ?", [feed]).fetchall()[0][0])
        raw_rows = int(con.execute(f"SELECT count(*) FROM {feed}").fetchall()[0][0])
        found = con.execute("SELECT last_load_id, raw_rows FROM current_state WHERE feed = ?", [feed]).fetchall()
        state = found[0] if found else None
        name = f"{feed}_cur"
        kind = _kind(con, name)
        same_columns = columns.get(name) == columns.get(feed)
        if (
            kind == "TABLE"
            and state is not None
            and (int(state[0]), int(state[1])) == (last, raw_rows)
            and same_columns
        ):
            continue
        if kind is not None:
            con.execute(f"DROP {kind} {name}")
        con.execute(f"CREATE TABLE {name} AS {current_select_sql(feed)}")
        if feed in INDEXED:
            con.execute(f"CREATE INDEX {name}_{INDEXED[feed]} ON {name} ({INDEXED[feed]})")
        con.execute("INSERT OR REPLACE INTO current_state VALUES (?, ?, ?)", [feed, last, raw_rows])
        rebuilt.append(feed)
    return rebuilt
