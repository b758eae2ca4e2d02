from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from gaoqi.web.intake.models import Snapshot
from gaoqi.web.intake.runlock import run_lock


def current_snapshot() -> Snapshot | None:
    return Snapshot.objects.filter(is_current=True).first()


def snapshot_interrupted(snapshot: Snapshot) -> bool:
    """A RUNNING snapshot whose run no longer holds the run lock: its process died (see runlock.py). Read
    before the worker restarts and marks it failed, so that the page stops waiting for it."""
    if snapshot.status != Snapshot.RUNNING:
        return False
    with run_lock(None, timeout=0) as free:
        # with the lock held here no run can finish meanwhile: still RUNNING now means interrupted
        return free and Snapshot.objects.filter(pk=snapshot.pk, status=Snapshot.RUNNING).exists()


def snapshot_connection(snapshot: Snapshot | None = None) -> duckdb.DuckDBPyConnection | None:
    """A read-only connection to a published snapshot's DuckDB file (profiles, results, sources)."""
    snapshot = snapshot or current_snapshot()
    if snapshot is None or not snapshot.duckdb_path or not Path(snapshot.duckdb_path).exists():
        return None
    return duckdb.connect(snapshot.duckdb_path, read_only=True)


def _records(snapshot: Snapshot | None, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """Rows of a query on a snapshot's file as dicts ([] without a snapshot)."""
    con = snapshot_connection(snapshot)
    if con is None:
        return []
    try:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


def loads_of(snapshot: Snapshot | None) -> list[dict[str, Any]]:
    """Every delivered file of the snapshot with its row counts (quarantine reports are per load)."""
    return _records(
        snapshot,
        "SELECT load_id, feed, file_name, file_format, encoding, rows_read, rows_loaded, rows_quarantined, "
        "loaded_at FROM loads ORDER BY load_id",
    )


def quarantine_of(snapshot: Snapshot | None, load_id: int, limit: int = 200) -> list[dict[str, Any]]:
    return _records(
        snapshot,
        "SELECT line, field, value, reason_code, message FROM quarantine WHERE load_id = ? ORDER BY line LIMIT ?",
        [load_id, limit],
    )


def refused_of(snapshot: Snapshot | None) -> list[dict[str, Any]]:
    """The delivered files refused as a whole (no feed in the name, damaged, a ZIP bomb, a required column
    missing), each once, with its reason; [] for a snapshot taken before the engine recorded them."""
    if not _records(snapshot, "SELECT 1 AS x FROM information_schema.tables WHERE table_name = 'refused_files'"):
        return []
    return _records(
        snapshot,
        "SELECT file_name, nullif(feed, '') AS feed, reason_code, reason, refused_at FROM refused_files "
        "ORDER BY refused_at, file_name",
    )
