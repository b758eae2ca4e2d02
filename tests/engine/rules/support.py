"""Test workspaces for the rules: hand-built enterprises through the feeds (``HteWorkspace``) and profiles
written directly (``Profiles``)."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import pytest

from gaoqi.engine.features import FEATURE_BY_NAME, build_profiles
from gaoqi.engine.feeds import feed_spec
from gaoqi.engine.rules import Policy, evaluate
from gaoqi.engine.uscc import complete
from gaoqi.engine.workspace import ensure_schema

#: As-of of the HTE workspace: window FY2022–2024, last year FY2024.
AS_OF = date(2025, 3, 1)
#: As-of of ``Profiles``: last year FY2025.
PROFILES_AS_OF = date(2026, 6, 30)

#: The shipped policies.
POLICIES_DIR = Path(__file__).resolve().parents[3] / "policies"

_serial = itertools.count(1)


def synthetic_population(
    tmp_path_factory: pytest.TempPathFactory, *, enterprises: int, seed: int, as_of: date
) -> duckdb.DuckDBPyConnection:
    """A synthetic Beijing (the generator's planted mess included) ingested, resolved and profiled as of
    ``as_of``: an open connection to its workspace."""
    from gaoqi.engine.ingest import ingest_directory
    from gaoqi.engine.resolve import resolve
    from gaoqi.engine.workspace import connect
    from gaoqi.synth import generate

    feeds, ws = tmp_path_factory.mktemp("feeds"), tmp_path_factory.mktemp("ws")
    generate(feeds, enterprises=enterprises, seed=seed)
    ingest_directory(ws, feeds)
    con = connect(ws)
    resolve(con)
    build_profiles(con, as_of)
    return con


def code() -> str:
    return complete(f"91110108MA{next(_serial):07d}")


class HteWorkspace:
    """In-memory workspace with the feed tables, enterprise, name_history, ip_link and loads rows."""

    LOADS: ClassVar[dict[int, str]] = {1: "registration", 2: "finance", 3: "rd", 4: "ip", 5: "credit", 6: "certificate"}

    def __init__(self) -> None:
        self.con = duckdb.connect()
        ensure_schema(self.con)
        reg = ", ".join(f"{f.name} {f.sql_type}" for f in feed_spec("registration").fields)
        self.con.execute(f"CREATE TABLE enterprise ({reg}, _load_id INTEGER, _line BIGINT, name_norm VARCHAR)")
        self.con.execute(
            "CREATE TABLE name_history (uscc VARCHAR, name VARCHAR, name_norm VARCHAR, valid_from DATE, "
            "valid_to DATE, source VARCHAR)"
        )
        self.con.execute(
            "CREATE TABLE ip_link (ip_number VARCHAR, uscc VARCHAR, method VARCHAR, match_probability DOUBLE)"
        )
        for load_id, feed in self.LOADS.items():
            self.con.execute(
                "INSERT INTO loads VALUES (?, ?, ?, ?, 'csv', 'utf-8', 'zh', 0, 0, 0, TIMESTAMP '2025-02-01 00:00:00')",
                [load_id, feed, f"{feed}_2025.csv", f"sha{load_id}"],
            )
        self.line = itertools.count(2)
        # a bystander with one unrelated credit event: the credit and ip feeds count as delivered
        other = self.enterprise()
        self.credit(other, "administrative_penalty", date(2024, 6, 1))
        self.ip("BYSTANDER-IP", other, "trademark", date(2020, 1, 1))

    def _insert(self, table: str, values: dict[str, Any], load_id: int) -> None:
        cols = [*values, "_load_id", "_line"]
        self.con.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [*values.values(), load_id, next(self.line)],
        )

    def enterprise(
        self, *, established: date | None = date(2010, 1, 1), status: str = "存续", industry: str = "6510"
    ) -> str:
        uscc = code()
        name = f"北京{uscc[-6:]}科技有限公司"
        self._insert(
            "enterprise",
            {"uscc": uscc, "name": name, "established_date": established, "district_code": "110108",
             "industry_code": industry, "status": status, "name_norm": name},
            1,
        )  # fmt: skip
        return uscc

    def finance(
        self, uscc: str, fy: int, sales: Any, *, total: Any = None, non_taxable: Any = 0, assets: Any = None
    ) -> None:
        self._insert(
            "finance",
            {"uscc": uscc, "fiscal_year": fy, "sales_revenue": sales,
             "total_revenue": sales if total is None else total, "non_taxable_revenue": non_taxable,
             "total_assets": assets},
            2,
        )  # fmt: skip

    def rd(self, uscc: str, fy: int, rd: Any, *, domestic: Any = None, staff: Any = 100, st_staff: Any = 20,
           ht: Any = None) -> None:  # fmt: skip
        self._insert(
            "rd",
            {"uscc": uscc, "fiscal_year": fy, "rd_expense": rd, "rd_expense_domestic": rd if domestic is None else domestic,
             "staff_count": staff, "st_staff_count": st_staff, "ht_revenue": ht},
            3,
        )  # fmt: skip

    def ip(self, number: str, owner: str, ip_type: str, granted: date) -> None:
        self._insert(
            "ip",
            {"ip_number": number, "ip_type": ip_type, "title": number, "grant_date": granted, "status": "valid",
             "acquisition": "original"},
            4,
        )  # fmt: skip
        self.con.execute("INSERT INTO ip_link VALUES (?, ?, 'holder_uscc', 1.0)", [number, owner])

    def credit(self, uscc: str, event_type: str, decided: date, *, removed: date | None = None) -> None:
        self._insert(
            "credit",
            {
                "uscc": uscc,
                "event_type": event_type,
                "decided_date": decided,
                "removed_date": removed,
                "document_number": f"京{next(_serial)}号",
            },
            5,
        )

    def certificate(
        self, uscc: str, kind: str, issued: date, expiry: date | None = None, *, subtype: str | None = None
    ) -> None:
        self._insert(
            "certificate",
            {"uscc": uscc, "kind": kind, "number": f"C{next(_serial):09d}", "issue_date": issued,
             "expiry_date": expiry, "status": "valid", "subtype": subtype},
            6,
        )  # fmt: skip

    def company(
        self,
        *,
        established: date = date(2010, 1, 1),
        sales: tuple[Any, ...] = (1000, 1000, 1000),
        rd: tuple[Any, ...] = (100, 100, 100),
        years: tuple[int, ...] = (2022, 2023, 2024),
        ht: Any = 800,
        st_staff: Any = 20,
        domestic: tuple[Any, ...] | None = None,
        patent: bool = True,
    ) -> str:
        """An enterprise meeting every data condition of the 2016 version unless told otherwise."""
        e = self.enterprise(established=established)
        for i, (fy, s, r) in enumerate(zip(years, sales, rd, strict=True)):
            last = i == len(years) - 1
            self.finance(e, fy, s, total=1000 if last else None)
            self.rd(e, fy, r, domestic=None if domestic is None else domestic[i], st_staff=st_staff,
                    ht=ht if last else None)  # fmt: skip
        if patent:
            self.ip(f"ZL{e[-8:]}", e, "invention_patent", date(2011, 5, 1))
        return e

    def evaluate(self, policies: list[Policy], as_of: date = AS_OF) -> dict[str, dict[str, Any]]:
        build_profiles(self.con, as_of)
        rel = evaluate(self.con, as_of, policies)
        names = rel.columns
        return {r[0]: dict(zip(names, r, strict=True)) for r in rel.fetchall()}


class Profiles:
    """A ``profile`` table with every feature; rows are added with the features a test cares about."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        ensure_schema(self.con)  # loads, quarantine: explain reads loads for provenance
        self.con.execute("DROP TABLE IF EXISTS profile")
        names = [f for f in FEATURE_BY_NAME if f not in ("uscc", "as_of")]
        cols = ", ".join(f"{f} {FEATURE_BY_NAME[f].sql_type}" for f in names)
        self.con.execute(f"CREATE TABLE profile (uscc VARCHAR, as_of DATE, {cols})")

    def add(self, **values: Any) -> str:
        uscc = f"E{next(_serial):06d}"
        cols = ["uscc", "as_of", *values]
        self.con.execute(
            f"INSERT INTO profile ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [uscc, PROFILES_AS_OF, *values.values()],
        )
        return uscc

    def results(self, policy: Policy, as_of: date = PROFILES_AS_OF) -> dict[str, dict[str, Any]]:
        rel = evaluate(self.con, as_of, [policy])
        names = rel.columns
        return {r[0]: dict(zip(names, r, strict=True)) for r in rel.fetchall()}
