"""The in-memory workspace the profile tests build enterprises in, by hand.

As-of date 2025-03-01 throughout unless a test says otherwise: window FY2022–2024, last year FY2024,
credit look-back from 2024-03-01 (365 days, across 2024-02-29).
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from gaoqi.engine.features import build_profiles
from gaoqi.engine.feeds import feed_spec
from gaoqi.engine.uscc import complete
from gaoqi.engine.workspace import ensure_schema

AS_OF = date(2025, 3, 1)
D = Decimal

_serial = itertools.count(1)


def code(n: int | None = None) -> str:
    """A valid USCC (Haidian, 'MA' identifier)."""
    return complete(f"91110108MA{(n if n is not None else next(_serial)):07d}")


class Workspace:
    """An in-memory workspace with the exact table shapes build_profiles reads."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        ensure_schema(self.con)
        reg_cols = ", ".join(f"{f.name} {f.sql_type}" for f in feed_spec("registration").fields)
        self.con.execute(f"CREATE TABLE enterprise ({reg_cols}, _load_id INTEGER, _line BIGINT, name_norm VARCHAR)")
        self.con.execute(
            "CREATE TABLE name_history (uscc VARCHAR, name VARCHAR, name_norm VARCHAR, "
            "valid_from DATE, valid_to DATE, source VARCHAR)"
        )
        self.con.execute(
            "CREATE TABLE ip_link (ip_number VARCHAR, uscc VARCHAR, method VARCHAR, match_probability DOUBLE)"
        )
        self.line = itertools.count(2)

    def _insert(self, table: str, values: dict[str, Any], load_id: int, line: int | None) -> None:
        cols = [*values, "_load_id", "_line"]
        params = [*values.values(), load_id, line if line is not None else next(self.line)]
        placeholders = ", ".join("?" for _ in cols)
        self.con.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({placeholders})", params)

    def enterprise(
        self,
        uscc: str | None = None,
        *,
        name: str | None = None,
        established: date | None = date(2010, 1, 1),
        industry_code: str | None = "6510",
        status: str = "存续",
    ) -> str:
        uscc = uscc or code()
        name = name or f"北京{uscc[-6:]}科技有限公司"
        values = {
            "uscc": uscc,
            "name": name,
            "established_date": established,
            "district_code": "110108",
            "industry_code": industry_code,
            "status": status,
            "name_norm": name.replace("有限公司", ""),
        }
        self._insert("enterprise", values, 1, None)
        return uscc

    def finance(
        self,
        uscc: str,
        fy: int,
        sales: Any = None,
        *,
        total_revenue: Any = None,
        non_taxable: Any = None,
        costs: Any = None,
        assets: Any = None,
        liabilities: Any = None,
        load_id: int = 2,
        line: int | None = None,
    ) -> None:
        values = {
            "uscc": uscc,
            "fiscal_year": fy,
            "sales_revenue": sales,
            "total_revenue": total_revenue,
            "non_taxable_revenue": non_taxable,
            "total_costs": costs,
            "total_assets": assets,
            "total_liabilities": liabilities,
        }
        self._insert("finance", values, load_id, line)

    def rd(
        self,
        uscc: str,
        fy: int,
        rd: Any = None,
        *,
        domestic: Any = None,
        staff: Any = None,
        st_staff: Any = None,
        ht: Any = None,
        results: int | None = None,
        load_id: int = 3,
        line: int | None = None,
    ) -> None:
        values = {
            "uscc": uscc,
            "fiscal_year": fy,
            "rd_expense": rd,
            "rd_expense_domestic": domestic,
            "staff_count": staff,
            "st_staff_count": st_staff,
            "ht_revenue": ht,
            "results_commercialized": results,
        }
        self._insert("rd", values, load_id, line)

    def ip(
        self,
        number: str,
        owner: str | None,
        ip_type: str,
        granted: date | None,
        *,
        status: str = "valid",
        acquisition: str | None = "original",
        acquired: date | None = None,
    ) -> None:
        values = {
            "ip_number": number,
            "ip_type": ip_type,
            "title": number,
            "grant_date": granted,
            "status": status,
            "acquisition": acquisition,
            "acquired_date": acquired,
        }
        self._insert("ip", values, 4, None)
        if owner is not None:
            self.link(number, owner)

    def link(self, number: str, owner: str) -> None:
        self.con.execute("INSERT INTO ip_link VALUES (?, ?, 'holder_uscc', 1.0)", [number, owner])

    def credit(self, uscc: str, event_type: str, decided: date, *, removed: date | None = None) -> None:
        values = {
            "uscc": uscc,
            "event_type": event_type,
            "decided_date": decided,
            "document_number": f"京{next(_serial)}号",
            "removed_date": removed,
        }
        self._insert("credit", values, 5, None)

    def certificate(
        self,
        uscc: str,
        kind: str,
        issued: date,
        expiry: date | None,
        *,
        status: str | None = "valid",
        tech_field: str | None = None,
        number: str | None = None,
        subtype: str | None = None,
    ) -> None:
        values = {
            "uscc": uscc,
            "kind": kind,
            "number": number or f"GR{next(_serial):09d}",
            "issue_date": issued,
            "expiry_date": expiry,
            "status": status,
            "tech_field": tech_field,
            "subtype": subtype,
        }
        self._insert("certificate", values, 6, None)

    def incubator(
        self, code: str, *, kind: str = "incubator", level: str = "municipal", district: str = "110108"
    ) -> str:
        values = {
            "code": code,
            "name": f"{code}孵化器",
            "kind": kind,
            "level": level,
            "district_code": district,
            "operator_uscc": complete("91110108MA9999999"),
        }
        self._insert("incubator", values, 8, None)
        return code

    def incubation(
        self, incubator: str, uscc: str, entered: date, left: date | None = None, status: str = "incubating"
    ) -> None:
        values = {"incubator_code": incubator, "uscc": uscc, "entered_on": entered, "left_on": left, "status": status}
        self._insert("incubation", values, 9, None)

    def insured(self, uscc: str, period: date, count: int | None) -> None:
        self._insert("social_insurance", {"uscc": uscc, "period": period, "insured_count": count}, 7, None)

    def build(self, as_of: date = AS_OF) -> dict[str, dict[str, Any]]:
        build_profiles(self.con, as_of)
        cur = self.con.execute("SELECT * FROM profile")
        names = [d[0] for d in cur.description]
        return {row[1]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def three_years(ws: Workspace, uscc: str, sales: tuple[Any, Any, Any], rd: tuple[Any, Any, Any]) -> None:
    for fy, s, r in zip((2022, 2023, 2024), sales, rd, strict=True):
        ws.finance(uscc, fy, s)
        ws.rd(uscc, fy, r)


def write_registration_fix(con: duckdb.DuckDBPyConnection, uscc: str, name: str, out: Path) -> Path:
    """A redelivered registration file: the enterprise's current row with a new name."""
    import csv

    fields = [f.name for f in feed_spec("registration").fields]
    row = con.execute(f"SELECT {', '.join(fields)} FROM registration_cur WHERE uscc = ?", [uscc]).fetchall()[0]
    values = dict(zip(fields, row, strict=True), name=name)
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(fields)
        w.writerow(["" if values[f] is None else str(values[f]) for f in fields])
    return out
