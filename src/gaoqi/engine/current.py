"""Current-state views over the raw feed tables.

Departments redeliver: a later file may correct an earlier one. For each feed, ``<feed>_cur`` keeps one
row per primary key (from the feed's schema): the row of the latest load, and within a load the last line.
Every later stage (resolution, features) reads these views, never the raw tables, so provenance
(``_load_id``, ``_line``) always points at the row actually used.
"""

from __future__ import annotations

import duckdb

from gaoqi.engine.feeds import all_feeds


def current_view_sql(feed: str) -> str:
    spec = next(f for f in all_feeds() if f.name == feed)
    key = ", ".join(spec.key)
    return (
        f"CREATE OR REPLACE VIEW {feed}_cur AS "
        f"SELECT * FROM {feed} "
        f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _load_id DESC, _line DESC) = 1"
    )


def create_current_views(con: duckdb.DuckDBPyConnection) -> None:
    for spec in all_feeds():
        con.execute(current_view_sql(spec.name))
