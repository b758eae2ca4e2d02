"""What a workspace holds: loads, rows per feed, quarantine, refused files, and a content checksum per table.

The checksum is order-independent (a sum of row hashes) and leaves out only wall-clock columns
(``loads.loaded_at``), so two workspaces built from the same files, in one run or after a crash and a
rerun, have the same checksums.
"""

from __future__ import annotations

from typing import Any

import duckdb

from gaoqi.engine.feeds import FEED_NAMES

# Columns that record when, not what: excluded from the checksum.
VOLATILE = {"loads": ("loaded_at",), "refused_files": ("refused_at",)}


def table_checksum(con: duckdb.DuckDBPyConnection, table: str) -> str:
    cols = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
        if r[0] not in VOLATILE.get(table, ())
    ]
    struct = ", ".join(f'"{c}" := "{c}"' for c in cols)
    row = con.execute(
        f"SELECT count(*), coalesce(sum(hash(struct_pack({struct}))::HUGEINT), 0) FROM {table}"
    ).fetchone()
    assert row is not None
    return f"{int(row[0])}:{int(row[1]) & ((1 << 128) - 1):032x}"


def workspace_status(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    loads = con.execute(
        "SELECT load_id, feed, file_name, file_format, encoding, rows_read, rows_loaded, rows_quarantined, "
        "strftime(loaded_at, '%Y-%m-%d %H:%M:%S') FROM loads ORDER BY load_id"
    ).fetchall()
    rows = {f: int(con.execute(f"SELECT count(*) FROM {f}").fetchone()[0]) for f in FEED_NAMES}  # type: ignore[index]
    by_reason = {
        str(r): int(n)
        for r, n in con.execute("SELECT reason_code, count(*) FROM quarantine GROUP BY 1 ORDER BY 1").fetchall()
    }
    refused = con.execute(
        "SELECT file_name, nullif(feed, ''), reason_code, reason, strftime(refused_at, '%Y-%m-%d %H:%M:%S'), "
        "content_sha256 FROM refused_files ORDER BY refused_at, file_name"
    ).fetchall()
    tables = ["loads", *FEED_NAMES, "quarantine", "refused_files"]
    return {
        "loads": [
            dict(
                zip(
                    (
                        "load_id",
                        "feed",
                        "file",
                        "format",
                        "encoding",
                        "rows_read",
                        "rows_loaded",
                        "rows_quarantined",
                        "loaded_at",
                    ),
                    r,
                    strict=True,
                )
            )
            for r in loads
        ],
        "rows": rows,
        "quarantined_problems": by_reason,
        "quarantined_problems_total": sum(by_reason.values()),
        # files refused as a whole, each once (the same bytes are not retried): why, in Chinese and English
        "refused_files": [
            dict(zip(("file", "feed", "reason_code", "reason", "refused_at", "sha256"), r, strict=True))
            for r in refused
        ],
        "checksums": {t: table_checksum(con, t) for t in tables},
    }
