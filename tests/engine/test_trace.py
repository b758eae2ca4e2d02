"""The rows behind the IP and credit counts: as many as the profile counts, each at a real line of its file.

A synthetic Beijing goes through synth → ingest → resolve → build_profiles; for every enterprise and every
traced feature the tracer returns exactly as many rows as the profile column says, and every row's
(file_name, line) is a line of the delivered file holding that IP number or credit event (checked by reading
the file independently: the CSV's physical line, the workbook's sheet row).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from openpyxl import load_workbook

from gaoqi.engine.features import CREDIT_COUNT_FEATURES, FEATURE_BY_NAME, IP_COUNT_FEATURES, build_profiles
from gaoqi.engine.ingest import ingest_directory
from gaoqi.engine.resolve import METHODS, resolve
from gaoqi.engine.trace import (
    CREDIT_ROW_KEYS,
    FEATURE_TRACERS,
    IP_ROW_KEYS,
    credit_rows,
    ip_rows,
    trace_rows,
)
from gaoqi.engine.workspace import connect
from gaoqi.synth import generate
from tests.engine.features.workspace import AS_OF, Workspace

AS_OFS = (date(2025, 3, 1), date(2026, 6, 30))


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("trace") / "feeds"
    generate(out, enterprises=500, seed=5)
    return out


@pytest.fixture(scope="module")
def con(feeds: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    ws = tmp_path_factory.mktemp("trace-ws")
    assert ingest_directory(ws, feeds).errors == []
    c = connect(ws)
    resolve(c)
    yield c
    c.close()


Trace = tuple[str, str, int, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def traces(con: duckdb.DuckDBPyConnection) -> dict[date, list[Trace]]:
    """Per as-of date, (uscc, feature, profile value, traced rows) for every enterprise and traced feature."""
    out: dict[date, list[Trace]] = {}
    names = list(FEATURE_TRACERS)
    for as_of in AS_OFS:
        build_profiles(con, as_of)
        out[as_of] = [
            (str(row[0]), name, int(value), trace_rows(con, str(row[0]), as_of, name))
            for row in con.execute(f"SELECT uscc, {', '.join(names)} FROM profile ORDER BY uscc").fetchall()
            for name, value in zip(names, row[1:], strict=True)
        ]
    return out


@pytest.mark.parametrize("as_of", AS_OFS)
def test_every_count_has_exactly_its_rows(traces: dict[date, list[Trace]], as_of: date) -> None:
    assert len(traces[as_of]) == 500 * len(FEATURE_TRACERS)
    for uscc, name, value, rows in traces[as_of]:
        assert len(rows) == value, (uscc, name)
    # not a parity of zeros: every IP count and the main credit counts have enterprises with rows
    total = dict.fromkeys(FEATURE_TRACERS, 0)
    for _, name, value, _ in traces[as_of]:
        total[name] += value
    for name in (*IP_COUNT_FEATURES, "abnormal_operation_listed", "credit_administrative_penalty_365d"):
        assert total[name] > 0, name
    assert sum(total[n] for n in CREDIT_COUNT_FEATURES) > 10, total


def _lines(path: Path, encoding: str, wanted: set[int]) -> dict[int, list[str]]:
    """The cells of the wanted lines: a CSV's physical lines, a workbook's sheet rows (1-based)."""
    out: dict[int, list[str]] = {}
    if encoding == "":
        wb = load_workbook(path, read_only=True)
        try:
            for i, row in enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1):
                if i in wanted:
                    out[i] = ["" if v is None else str(v) for v in row]
        finally:
            wb.close()
    else:
        with path.open(encoding=encoding, newline="") as fh:
            for i, text in enumerate(fh, start=1):
                if i in wanted:
                    out[i] = next(csv.reader(io.StringIO(text)))
    return out


def test_every_row_points_at_its_line_of_the_delivered_file(
    con: duckdb.DuckDBPyConnection, feeds: Path, traces: dict[date, list[Trace]]
) -> None:
    with (feeds / "_truth" / "files.csv").open(encoding="utf-8") as fh:
        encodings = {r["file"]: r["encoding"] for r in csv.DictReader(fh)}
    links = dict(con.execute("SELECT ip_number, method FROM ip_link").fetchall())
    expect: dict[tuple[str, int], set[str]] = {}  # (file, line) → values the line must hold
    n_ip = n_credit = 0
    for as_of in AS_OFS:
        for uscc, name, _, rows in traces[as_of]:
            for r in rows:
                if name in IP_COUNT_FEATURES:
                    assert tuple(r) == IP_ROW_KEYS
                    assert r["feed"] == "ip" and r["link_method"] == links[r["ip_number"]] in METHODS
                    values = {r["ip_number"]}
                    n_ip += 1
                else:
                    assert tuple(r) == CREDIT_ROW_KEYS
                    assert r["feed"] == "credit"
                    values = {uscc, r["document_number"]} - {None}
                    n_credit += 1
                expect.setdefault((r["file_name"], r["line"]), set()).update(values)
    assert n_ip > 100 and n_credit > 10, (n_ip, n_credit)
    for file_name in {f for f, _ in expect}:
        wanted = {line for f, line in expect if f == file_name}
        found = _lines(feeds / file_name, encodings[file_name], wanted)
        for line in wanted:
            assert expect[(file_name, line)] <= set(found.get(line, [])), (file_name, line)


def test_indexes_for_one_enterprise_lookups(con: duckdb.DuckDBPyConnection) -> None:
    indexes = {(t, str(e)) for t, e in con.execute("SELECT table_name, expressions FROM duckdb_indexes()").fetchall()}
    assert {("ip_link", "[uscc]"), ("ip_cur", "[ip_number]"), ("credit_cur", "[uscc]")} <= indexes


def test_tracers_cover_the_register_counts() -> None:
    assert set(FEATURE_TRACERS) == set(IP_COUNT_FEATURES) | set(CREDIT_COUNT_FEATURES)
    assert all(FEATURE_TRACERS[f] is ip_rows for f in IP_COUNT_FEATURES)
    assert all(FEATURE_TRACERS[f] is credit_rows for f in CREDIT_COUNT_FEATURES)
    assert all(FEATURE_BY_NAME[f].type == "count" for f in FEATURE_TRACERS)
    assert {FEATURE_BY_NAME[f].group for f in CREDIT_COUNT_FEATURES} == {"credit"}
    with pytest.raises(KeyError):
        trace_rows(duckdb.connect(), "x", AS_OF, "hte_rd_ratio")
    with pytest.raises(KeyError):
        ip_rows(duckdb.connect(), "x", AS_OF, "credit_administrative_penalty_365d")


def test_hand_made_boundaries() -> None:
    """The boundaries of test_features' IP and credit tests, row by row."""
    ws = Workspace()
    e = ws.enterprise()
    ws.ip("ZL1", e, "invention_patent", date(2025, 2, 28))  # counted: granted the day before
    ws.ip("ZL2", e, "invention_patent", date(2025, 3, 1))  # granted on as_of: not yet
    ws.ip("UM1", e, "utility_model", date(2020, 1, 1), acquisition="transfer", acquired=date(2021, 1, 1))
    ws.ip("UM2", e, "utility_model", date(2020, 1, 1), status="invalid")
    ws.ip("UM3", e, "utility_model", date(2020, 1, 1), acquisition="transfer", acquired=date(2025, 3, 1))
    ws.ip("TM1", e, "trademark", date(2019, 1, 1))
    ws.ip("SW1", e, "software_copyright", date(2019, 1, 1), acquisition="gift")
    ws.link("SW1", e)  # linked twice: one row
    ws.credit(e, "major_safety_accident", date(2024, 3, 1))  # 365 days before: counted
    ws.credit(e, "major_quality_accident", date(2024, 2, 29))  # 366 days: not
    ws.credit(e, "abnormal_operation", date(2024, 6, 1), removed=date(2025, 3, 1))  # removed on as_of
    ws.credit(e, "abnormal_operation", date(2022, 1, 1))
    ws.con.execute("INSERT INTO loads VALUES (4, 'ip', 'ip.csv', 'a', 'csv', 'utf-8', 'en', 9, 9, 0, now())")
    p = ws.build()[e]

    def numbers(feature: str) -> list[str]:
        return [r["ip_number"] for r in ip_rows(ws.con, e, AS_OF, feature)]

    assert numbers("ip_class1_count") == ["ZL1"]
    assert numbers("ip_class2_count") == ["SW1", "UM1"]
    assert numbers("ip_original_count") == ["ZL1"]
    assert numbers("ip_acquired_count") == ["SW1", "UM1"]
    zl1 = ip_rows(ws.con, e, AS_OF, "ip_class1_count")[0]
    assert (zl1["feed"], zl1["file_name"], zl1["load_id"], zl1["link_method"]) == ("ip", "ip.csv", 4, "holder_uscc")
    assert zl1["grant_date"] == date(2025, 2, 28) and zl1["acquisition"] == "original"

    def events(feature: str) -> list[tuple[str, date]]:
        return [(r["event_type"], r["decided_date"]) for r in credit_rows(ws.con, e, AS_OF, feature)]

    assert events("credit_hte_accidents_365d") == [("major_safety_accident", date(2024, 3, 1))]
    assert events("credit_major_quality_accident_365d") == []
    assert events("credit_abnormal_operation_365d") == [("abnormal_operation", date(2024, 6, 1))]
    assert events("abnormal_operation_listed") == [("abnormal_operation", date(2022, 1, 1))]
    for name in FEATURE_TRACERS:
        assert len(trace_rows(ws.con, e, AS_OF, name)) == p[name], name
    # a code is a quoted literal, never SQL
    assert credit_rows(ws.con, "x' OR '1'='1", AS_OF, "abnormal_operation_listed") == []
    assert ip_rows(ws.con, "x' OR '1'='1", AS_OF, "ip_class2_count") == []
