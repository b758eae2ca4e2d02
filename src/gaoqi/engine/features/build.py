"""Building the ``profile`` table in a workspace: ``build_profiles`` runs the assembled SQL, ``ensure_profiles``
rebuilds only when an input changed, and the summaries describe what was built."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from gaoqi.engine.current import create_current_views, loads_fingerprint
from gaoqi.engine.features.declare import window_for
from gaoqi.engine.features.profile import FEATURES, REGISTER_FEEDS, profile_sql, validate_sql


@dataclass(frozen=True)
class ProfileSummary:
    as_of: date
    fy_window_start: int
    fy_window_end: int
    enterprises: int
    with_complete_finance: int  # sales_revenue_window not NULL
    with_rd_ratio: int  # hte_rd_ratio not NULL
    with_hte_certificate: int
    feeds_not_delivered: tuple[str, ...]  # register feeds whose features are NULL for everyone
    seconds: float


def delivered_register_feeds(con: duckdb.DuckDBPyConnection) -> dict[str, bool]:
    """Per register feed: does its raw table hold at least one row?"""
    out: dict[str, bool] = {}
    for feed in REGISTER_FEEDS:
        rows = con.execute(f"SELECT EXISTS (SELECT 1 FROM {feed})").fetchall()
        out[feed] = bool(rows[0][0])
    return out


def build_profiles(con: duckdb.DuckDBPyConnection, as_of: date) -> ProfileSummary:
    """Replace table ``profile`` with one row per enterprise for ``as_of``; return a summary."""
    started = time.perf_counter()
    w = window_for(as_of)
    create_current_views(con)
    delivered = delivered_register_feeds(con)
    sql = profile_sql(w.as_of, delivered=delivered)
    validate_sql(sql)
    inputs = _profile_inputs(con, sql)
    con.execute("BEGIN TRANSACTION")
    try:
        # Stored in USCC order: zone maps then let a one-enterprise lookup (explain, a profile page) skip
        # almost every row group instead of scanning two million rows.
        con.execute(f"CREATE OR REPLACE TABLE profile AS SELECT * FROM ({sql}) ORDER BY uscc")
        con.execute("CREATE INDEX profile_uscc ON profile (uscc)")
        con.execute("CREATE OR REPLACE TABLE profile_meta (as_of DATE NOT NULL, inputs VARCHAR NOT NULL)")
        con.execute("INSERT INTO profile_meta VALUES (?, ?)", [w.as_of, inputs])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    row = con.execute(
        "SELECT COUNT(*), COUNT(sales_revenue_window), COUNT(hte_rd_ratio), "
        "COUNT(*) FILTER (WHERE has_hte_certificate) FROM profile"
    ).fetchall()[0]
    return ProfileSummary(
        as_of=w.as_of,
        fy_window_start=w.first_year,
        fy_window_end=w.last_year,
        enterprises=int(row[0]),
        with_complete_finance=int(row[1]),
        with_rd_ratio=int(row[2]),
        with_hte_certificate=int(row[3]),
        feeds_not_delivered=tuple(f for f, ok in delivered.items() if not ok),
        seconds=time.perf_counter() - started,
    )


def profile_summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the current ``profile`` table holds: as-of date, window, row count, growth bases and, per
    feature, how many enterprises have a value (data coverage). JSON-serialisable except for dates."""
    coverage = ", ".join(f"COUNT({f.name})" for f in FEATURES)
    head = con.execute(
        f"SELECT COUNT(*), MIN(as_of), MIN(fy_window_end), "
        f"COUNT(*) FILTER (WHERE has_hte_certificate), {coverage} FROM profile"
    ).fetchall()[0]
    rows, as_of, fy_end, with_hte = head[:4]
    out: dict[str, Any] = {
        "as_of": as_of,
        "fy_window": [fy_end - 2, fy_end] if fy_end is not None else None,
        "enterprises": int(rows),
        "with_hte_certificate": int(with_hte),
    }
    for basis in ("sales_growth_basis", "net_asset_growth_basis"):
        counts = con.execute(f"SELECT {basis}, COUNT(*) FROM profile GROUP BY 1 ORDER BY 1").fetchall()
        out[basis] = {str(k): int(n) for k, n in counts}
    out["non_null"] = {f.name: int(n) for f, n in zip(FEATURES, head[4:], strict=True)}
    return out


def district_summary(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per district: enterprises, current HTE certificates, and how much data backs the key indicators —
    the first thing a district official asks of a new profile build."""
    from gaoqi.engine.validate import district_codes

    names = district_codes()
    rows = con.execute(
        """
        SELECT district_code,
               count(*) AS enterprises,
               count(*) FILTER (WHERE has_hte_certificate) AS hte_certified,
               count(*) FILTER (WHERE has_tech_sme) AS tech_sme,
               count(hte_rd_ratio) AS with_rd_ratio,
               median(hte_rd_ratio) AS median_rd_ratio,
               count(*) FILTER (WHERE ip_class1_count > 0) AS with_class1_ip,
               count(*) FILTER (WHERE credit_hte_accidents_365d > 0) AS with_accident_365d
        FROM profile GROUP BY district_code ORDER BY enterprises DESC
        """
    ).fetchall()
    keys = (
        "district_code",
        "enterprises",
        "hte_certified",
        "tech_sme",
        "with_rd_ratio",
        "median_rd_ratio",
        "with_class1_ip",
        "with_accident_365d",
    )
    out = []
    for r in rows:
        d = dict(zip(keys, r, strict=True))
        d["district"] = names.get(str(d["district_code"]), str(d["district_code"]))
        out.append(d)
    return out


def _profile_inputs(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """What a profile is built from: the loads (every file, by content), the resolution that produced
    ``enterprise``, ``name_history`` and ``ip_link`` (``resolve_meta``, '' before the first recorded one) and
    the profile SQL itself (the as-of date, the delivered feeds and the feature definitions are all in it)."""
    found = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'resolve_meta'").fetchall()[
        0
    ][0]
    resolved = con.execute("SELECT max(inputs) FROM resolve_meta").fetchall()[0][0] if found else None
    digest = hashlib.sha256(sql.encode()).hexdigest()
    return f"loads={loads_fingerprint(con)};resolve={hashlib.sha256(str(resolved or '').encode()).hexdigest()};sql={digest}"


def ensure_profiles(con: duckdb.DuckDBPyConnection, as_of: date) -> bool:
    """Bring the current tables up to date and build ``profile`` unless it is already built for ``as_of``
    from exactly the same inputs (``profile_meta``: the loads, the resolution, the SQL). A file loaded or a
    resolution run since, even with the same as-of date, rebuilds it. Returns whether it was (re)built. The
    rules read ``profile``; callers need not know whether it is fresh."""
    create_current_views(con)
    w = window_for(as_of)
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('profile', 'profile_meta')"
    ).fetchall()[0][0]
    if found == 2:
        built = con.execute("SELECT as_of, inputs FROM profile_meta").fetchall()
        sql = profile_sql(w.as_of, delivered=delivered_register_feeds(con))
        if built == [(w.as_of, _profile_inputs(con, sql))]:
            return False
    build_profiles(con, as_of)
    return True
