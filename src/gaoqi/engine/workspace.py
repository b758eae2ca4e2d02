"""The workspace: one DuckDB database file holding every load, its quarantine and what is derived from it.

Table contract (other modules rely on it):

* ``loads``: one row per delivered file that was loaded (load_id, feed, file_name, content_sha256, …).
* one table per feed, named after the feed (``registration``, ``finance``, …), with the canonical typed
  columns of the feed's schema plus provenance: ``_load_id`` (→ loads) and ``_line`` (line in the
  delivered file, header = line 1; for Excel the sheet row) and ``_extra`` (extra columns, kept).
* ``quarantine``: rejected rows, one row per (row, problem): load_id, feed, file_name, line, field,
  value, reason_code, message.
* ``refused_files``: every delivered file refused as a whole, once per content (SHA-256) and feed ('' when the
  file name names no feed): file_name, reason_code, reason (Chinese, with English), refused_at. The same
  bytes delivered again for the same feed are not retried (nor reported again).
* resolution and features write ``enterprise``, ``name_history``, ``ip_link``, ``link_review`` and
  ``profile`` (see resolve.py and the features package).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from gaoqi.engine.feeds import all_feeds

DB_FILE = "gaoqi.duckdb"

PROVENANCE_COLUMNS = "_load_id INTEGER NOT NULL, _line BIGINT NOT NULL, _extra MAP(VARCHAR, VARCHAR)"

LOADS_DDL = """
CREATE TABLE IF NOT EXISTS loads (
    load_id INTEGER PRIMARY KEY,
    feed VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    content_sha256 VARCHAR NOT NULL UNIQUE,
    file_format VARCHAR NOT NULL,
    encoding VARCHAR,
    header_language VARCHAR,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
)
"""

QUARANTINE_DDL = """
CREATE TABLE IF NOT EXISTS quarantine (
    load_id INTEGER NOT NULL,
    feed VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    line BIGINT NOT NULL,
    field VARCHAR,
    value VARCHAR,
    reason_code VARCHAR NOT NULL,
    message VARCHAR NOT NULL
)
"""


REFUSED_DDL = """
CREATE TABLE IF NOT EXISTS refused_files (
    content_sha256 VARCHAR NOT NULL,
    feed VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    reason_code VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    refused_at TIMESTAMP NOT NULL,
    PRIMARY KEY (content_sha256, feed)
)
"""


def default_home() -> Path:
    return Path(os.environ.get("GAOQI_HOME", "var"))


def feed_table_ddl(feed_name: str) -> str:
    spec = next(f for f in all_feeds() if f.name == feed_name)
    cols = ", ".join(f"{f.name} {f.sql_type}" for f in spec.fields)
    return f"CREATE TABLE IF NOT EXISTS {spec.name} ({cols}, {PROVENANCE_COLUMNS})"


def connect(home: Path | str | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and if needed create) the workspace database under ``home``."""
    root = Path(home) if home is not None else default_home()
    root.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(root / DB_FILE), read_only=read_only)
    mem = os.environ.get("GAOQI_MEMORY_LIMIT", "6GB")
    con.execute(f"SET memory_limit = '{mem}'")
    con.execute("SET preserve_insertion_order = true")
    if not read_only:
        ensure_schema(con)
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(LOADS_DDL)
    con.execute(QUARANTINE_DDL)
    con.execute(REFUSED_DDL)
    for spec in all_feeds():
        con.execute(feed_table_ddl(spec.name))
    # A workspace created before a feed gained an optional column (certificate.subtype) gets it, empty.
    have = set(con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall())
    for spec in all_feeds():
        for f in spec.fields:
            if (spec.name, f.name) not in have:
                con.execute(f"ALTER TABLE {spec.name} ADD COLUMN {f.name} {f.sql_type}")
