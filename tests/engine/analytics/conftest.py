"""A hand-built snapshot file: ``profile`` and ``results`` with just the columns the tags and cohorts read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

PROFILE_DDL = """CREATE TABLE profile (
    uscc VARCHAR, district_code VARCHAR, tech_field VARCHAR, industry_section VARCHAR,
    has_hte_certificate BOOLEAN, has_tech_sme BOOLEAN, has_zgc_hte BOOLEAN,
    sales_revenue_last_year DECIMAL(38, 4), staff_count_last_year DECIMAL(12, 2), sales_growth DECIMAL(38, 12),
    established_date DATE, as_of DATE)"""
RESULTS_DDL = "CREATE TABLE results (uscc VARCHAR, policy_id VARCHAR, status VARCHAR)"
COLUMNS = (
    "uscc", "district_code", "tech_field", "industry_section", "has_hte_certificate", "has_tech_sme",
    "has_zgc_hte", "sales_revenue_last_year", "staff_count_last_year", "sales_growth", "established_date", "as_of",
)  # fmt: skip


def ent(uscc: str, **values: Any) -> dict[str, Any]:
    """A profile row: district 海淀, everything else unknown unless given."""
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(uscc=uscc, district_code="110108", as_of=dt.date(2026, 6, 30))
    row.update(values)
    return row


def build(
    path: Path, rows: Sequence[dict[str, Any]], results: Sequence[tuple[str, str, str]] = (), *, stored: bool = False
) -> Path:
    """The file; ``stored``: with the tags built into it (``Workspace.build_tags``, as a snapshot run does)."""
    con = duckdb.connect(str(path))
    try:
        con.execute(PROFILE_DDL)
        con.execute(RESULTS_DDL)
        for r in rows:
            con.execute(
                f"INSERT INTO profile ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                [r[c] for c in COLUMNS],
            )
        for res in results:
            con.execute("INSERT INTO results VALUES (?, ?, ?)", list(res))
    finally:
        con.close()
    if stored:
        from gaoqi.engine import Workspace

        with Workspace.open(path) as ws:
            ws.build_tags()
    return path
