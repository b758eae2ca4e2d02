"""A day's delivery over an existing workspace (issue 17's republication benchmark): new tax figures for some
enterprises, a few renames and a few new registrations, written as department files the engine ingests."""

from __future__ import annotations

from pathlib import Path

import duckdb

from gaoqi.engine.feeds import feed_spec
from gaoqi.engine.uscc import complete


def _columns(feed: str) -> str:
    return ", ".join(f.name for f in feed_spec(feed).fields)


def day_delivery(
    workspace_file: Path, out: Path, *, changed: int, renames: int, new: int, seed: int = 17
) -> dict[str, int]:
    """Write into ``out``: ``finance_2026-07.csv`` (the latest fiscal year's figures of ``changed`` enterprises,
    revenue and tax up by a tenth) and ``registration_2026-07.csv`` (``renames`` enterprises under a new name and
    ``new`` enterprises registered, copies of existing ones under new codes). Enterprises are drawn by a hash of
    the code and ``seed``, so a rerun writes the same files. Returns the rows written per file."""
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(workspace_file), read_only=True)
    try:
        (year,) = con.execute("SELECT max(fiscal_year) FROM finance_cur").fetchone() or (None,)
        pick = f"ORDER BY hash(uscc || '{seed}')"
        money = {"sales_revenue", "total_revenue", "tax_paid"}
        cols = [
            f"round({f.name} * 1.1, 2) AS {f.name}" if f.name in money else f.name for f in feed_spec("finance").fields
        ]
        finance = out / "finance_2026-07.csv"
        con.execute(
            f"COPY (SELECT {', '.join(cols)} FROM finance_cur WHERE fiscal_year = {int(year or 0)} {pick} "
            f"LIMIT {int(changed)}) TO '{finance}' (HEADER)"
        )
        existing = {u for (u,) in con.execute("SELECT uscc FROM registration_cur").fetchall()}
        codes: list[str] = []
        n = 0
        while len(codes) < new:
            code = complete(f"911101080{n:08d}")
            n += 1
            if code not in existing:
                codes.append(code)
        reg = _columns("registration")
        con.execute("CREATE TEMP TABLE _new_codes (i INTEGER, uscc VARCHAR)")
        con.executemany("INSERT INTO _new_codes VALUES (?, ?)", list(enumerate(codes)))
        renamed = reg.replace("name,", "replace(name, '有限公司', '科创有限公司') AS name,", 1)
        added = reg.replace("uscc,", "c.uscc AS uscc,", 1)
        registration = out / "registration_2026-07.csv"
        con.execute(
            f"COPY (SELECT * FROM (SELECT {renamed} FROM registration_cur {pick} LIMIT {int(renames)}) "
            f"UNION ALL SELECT * FROM (SELECT {added} FROM (SELECT *, row_number() OVER ({pick}) - 1 AS i "
            f"FROM registration_cur) r JOIN _new_codes c ON c.i = r.i)) TO '{registration}' (HEADER)"
        )
    finally:
        con.close()
    return {"finance": int(changed), "renames": int(renames), "new": len(codes)}
