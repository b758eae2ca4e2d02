"""Ingestion: every header and encoding variant, quarantine reasons, atomicity, idempotent reloads."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from gaoqi.engine.current import create_current_views
from gaoqi.engine.ingest import ingest_directory
from gaoqi.engine.status import workspace_status
from gaoqi.engine.workspace import connect

JD = "91110302562134916R"
XIAOMI = "91110108551385082Q"
BAIDU = "91110000802100433B"

REG_HEADER_EN = [
    "uscc",
    "name",
    "enterprise_type",
    "legal_representative",
    "legal_rep_id_number",
    "phone",
    "registered_capital",
    "established_date",
    "district_code",
    "address",
    "industry_code",
    "business_scope",
    "status",
    "status_date",
]
REG_HEADER_ZH = [
    "统一社会信用代码",
    "企业名称",
    "企业类型",
    "法定代表人",
    "法定代表人证件号码",
    "联系电话",
    "注册资本",
    "成立日期",
    "所属区县代码",
    "住所",
    "国民经济行业代码",
    "经营范围",
    "登记状态",
    "状态日期",
]


def reg_row(
    code: str,
    name: str,
    established: str = "2015-03-01",
    district: str = "110108",
    industry: str = "I6513",
    status: str = "存续",
) -> list[str]:
    return [
        code,
        name,
        "有限责任公司",
        "张三",
        "110108199001011234",
        "13800000000",
        "1000",
        established,
        district,
        "北京市海淀区中关村大街1号",
        industry,
        "软件开发，技术服务",
        status,
        "",
    ]


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def rows(ws: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(ws / "gaoqi.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def quarantine(ws: Path) -> list[tuple[object, ...]]:
    return rows(ws, "SELECT file_name, line, field, reason_code FROM quarantine ORDER BY file_name, line, field")


@pytest.fixture()
def ws(tmp_path: Path) -> Path:
    return tmp_path / "ws"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
@pytest.mark.parametrize("header", ["en", "zh"])
def test_header_and_encoding_variants_load_the_same_rows(tmp_path: Path, ws: Path, encoding: str, header: str) -> None:
    d = tmp_path / "in"
    d.mkdir()
    h = REG_HEADER_EN if header == "en" else REG_HEADER_ZH
    write_csv(
        d / "registration.csv",
        h,
        [reg_row(JD, "北京京东世纪信息技术有限公司"), reg_row(XIAOMI, "小米科技有限责任公司")],
        encoding,
    )
    summary = ingest_directory(ws, d)
    f = summary.files[0]
    assert f.error is None
    assert f.encoding == {"gbk": "gb18030"}.get(encoding, encoding)
    assert f.header_language == header
    assert rows(ws, "SELECT uscc, name, district_code, established_date, _line FROM registration ORDER BY _line") == [
        (JD, "北京京东世纪信息技术有限公司", "110108", dt.date(2015, 3, 1), 2),
        (XIAOMI, "小米科技有限责任公司", "110108", dt.date(2015, 3, 1), 3),
    ]


def test_gbk_is_sniffed_beyond_the_head_of_the_file(tmp_path: Path, ws: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    # 20,000 pure-ASCII rows, then one row with Chinese: a head-only sniffer would call it UTF-8.
    data = [[JD, str(2000 + i % 20), "1", "1", "", "", "", "", ""] for i in range(20000)]
    data.append([XIAOMI, "2024", "1", "1", "", "", "", "", ""])
    header = [
        "uscc",
        "fiscal_year",
        "sales_revenue",
        "total_revenue",
        "non_taxable_revenue",
        "total_costs",
        "total_assets",
        "total_liabilities",
        "备注",
    ]
    data[-1][-1] = "北京"
    write_csv(d / "finance.csv", header, data, "gb18030")
    f = ingest_directory(ws, d).files[0]
    assert f.encoding == "gb18030"
    assert rows(ws, f"SELECT _extra['备注'] FROM finance WHERE uscc = '{XIAOMI}'") == [("北京",)]


def test_xlsx_is_recognised_by_content_not_extension(tmp_path: Path, ws: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    write_xlsx(
        d / "certificate_2025.csv",
        ["统一社会信用代码", "资质类型", "证书编号", "发证日期", "有效期至"],
        [
            [JD, "高新技术企业", "GR202311000001", dt.datetime(2023, 11, 30), "2026/11/29"],
            [XIAOMI, "tech_sme", "2024110108A0001", "2024年3月1日", None],
        ],
    )
    f = ingest_directory(ws, d).files[0]
    assert f.error is None and f.file_format == "xlsx"
    assert rows(ws, "SELECT uscc, kind, issue_date, expiry_date, _line FROM certificate ORDER BY _line") == [
        (JD, "hte", dt.date(2023, 11, 30), dt.date(2026, 11, 29), 2),
        (XIAOMI, "tech_sme", dt.date(2024, 3, 1), None, 3),
    ]


def test_every_date_format_and_thousands_separators(tmp_path: Path, ws: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    write_csv(
        d / "registration.csv",
        REG_HEADER_EN,
        [
            reg_row(JD, "甲", "2024-03-01"),
            reg_row(XIAOMI, "乙", "2024/3/1"),
            reg_row(BAIDU, "丙", "2024年3月1日"),
        ],
    )
    write_csv(d / "finance.csv", ["uscc", "fiscal_year", "sales_revenue"], [[JD, "2024", "1,234,567.25"]])
    ingest_directory(ws, d)
    assert rows(ws, "SELECT DISTINCT established_date FROM registration") == [(dt.date(2024, 3, 1),)]
    assert rows(ws, "SELECT sales_revenue FROM finance") == [(Decimal("1234567.2500"),)]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_bad_rows_are_quarantined_with_their_reason_and_good_rows_all_kept(
    tmp_path: Path, ws: Path, encoding: str
) -> None:
    d = tmp_path / "in"
    d.mkdir()
    fin_header = ["uscc", "fiscal_year", "sales_revenue", "total_revenue"]
    write_csv(
        d / "finance.csv",
        fin_header,
        [
            [JD, "2024", "100", "120"],  # 2 good
            [JD[:17] + "A", "2024", "100", "120"],  # 3 wrong check character
            [XIAOMI, "2024", "-5", "1"],  # 4 negative
            [XIAOMI, "2023", "N/A", "1"],  # 5 not a number
            [JD, "2023", "100"],  # 6 wrong number of columns
            [JD, "2022", "10", "11"],  # 7 good
            [JD, "2022", "10", "11"],  # 8 exact duplicate of 7
            ["", "2021", "1", "1"],  # 9 required missing
            [BAIDU, "1800", "1", "1"],  # 10 year out of range
            [BAIDU, "2021", "1", "1", "extra"],  # 11 too many columns
            [JD.lower(), "2021", "5", "5"],  # 12 good (lower case is the same code)
        ],
        encoding,
    )
    write_csv(
        d / "registration.csv",
        REG_HEADER_EN,
        [
            reg_row(JD, "甲", "2023-02-30"),  # 2 impossible date
            reg_row(XIAOMI, "乙", district="110103"),  # 3 old district code
            reg_row(BAIDU, "丙", industry="C6513"),  # 4 section letter does not match division
            reg_row("91110108551385082", "丁"),  # 5 length 17
            reg_row("91110108551385O82Q", "戊"),  # 6 illegal letter O
            reg_row(JD, "己", status="歇业"),  # 7 unknown status
            reg_row(XIAOMI, "庚"),  # 8 good
        ],
        encoding,
    )
    summary = ingest_directory(ws, d)
    assert [f.error for f in summary.files] == [None, None]
    assert quarantine(ws) == [
        ("finance.csv", 3, "uscc", "uscc_check_character"),
        ("finance.csv", 4, "sales_revenue", "negative_value"),
        ("finance.csv", 5, "sales_revenue", "not_a_number"),
        ("finance.csv", 6, None, "column_count"),
        ("finance.csv", 8, None, "duplicate_row"),
        ("finance.csv", 9, "uscc", "required_missing"),
        ("finance.csv", 10, "fiscal_year", "out_of_range"),
        ("finance.csv", 11, None, "column_count"),
        ("registration.csv", 2, "established_date", "invalid_date"),
        ("registration.csv", 3, "district_code", "invalid_district_code"),
        ("registration.csv", 4, "industry_code", "invalid_industry_code"),
        ("registration.csv", 5, "uscc", "uscc_length"),
        ("registration.csv", 6, "uscc", "uscc_illegal_character"),
        ("registration.csv", 7, "status", "invalid_enum"),
    ]
    assert rows(ws, "SELECT uscc, fiscal_year, _line FROM finance ORDER BY _line") == [
        (JD, 2024, 2),
        (JD, 2022, 7),
        (JD, 2021, 12),
    ]
    assert rows(ws, "SELECT uscc, _line FROM registration") == [(XIAOMI, 8)]
    fin = next(f for f in summary.files if f.feed == "finance")
    assert (fin.rows_read, fin.rows_loaded, fin.rows_quarantined) == (11, 3, 8)
    # The CSV report beside the workspace says the same, in a form Excel opens.
    report = next((ws / "quarantine").glob("load-*-finance.csv"))
    with report.open(encoding="utf-8-sig") as fh:
        lines = list(csv.DictReader(fh))
    assert {(r["line"], r["reason_code"]) for r in lines} >= {("3", "uscc_check_character"), ("8", "duplicate_row")}
    assert all(r["message"] for r in lines)
    msg = rows(ws, "SELECT message FROM quarantine WHERE reason_code = 'uscc_check_character'")[0][0]
    assert "应为R" in str(msg)


def test_blank_lines_and_multiline_fields_keep_true_line_numbers(tmp_path: Path, ws: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    text = (
        "uscc,old_name,new_name,change_date\n"
        f"{JD},甲,乙,2020-01-01\n"
        "\n"
        f'{XIAOMI},"丙\n丁",戊,2021-01-01\n'
        f"{BAIDU},己,庚,2021-02-30\n"
    )
    (d / "name_change.csv").write_text(text, encoding="utf-8")
    ingest_directory(ws, d)
    assert rows(ws, "SELECT uscc, _line FROM name_change ORDER BY _line") == [(JD, 2), (XIAOMI, 4)]
    assert quarantine(ws) == [("name_change.csv", 6, "change_date", "invalid_date")]


def test_extra_columns_are_kept(tmp_path: Path, ws: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    write_csv(
        d / "social_insurance_2025-06.csv",
        ["uscc", "period", "insured_count", "remark", "经办人"],
        [[JD, "2025-06", "120", "补缴", "王五"]],
    )
    f = ingest_directory(ws, d).files[0]
    assert f.extra_columns == ["remark", "经办人"]
    assert rows(ws, "SELECT period, insured_count, _extra FROM social_insurance") == [
        (dt.date(2025, 6, 1), 120, {"remark": "补缴", "经办人": "王五"})
    ]


def test_unreadable_files_get_one_clear_error_and_the_others_still_load(tmp_path: Path, ws: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    write_csv(d / "registration.csv", REG_HEADER_EN, [reg_row(JD, "甲")])
    (d / "finance.csv").write_bytes(b"")
    (d / "ip.csv").write_bytes(b"\xff\xfe\x00\x81\x30\x00\xff" * 10)
    (d / "credit.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    write_csv(d / "rd.csv", ["uscc", "staff_count"], [[JD, "3"]])  # fiscal_year column missing
    (d / "tax_refunds.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    summary = ingest_directory(ws, d)
    errors = {f.file: f.error for f in summary.files}
    assert errors["registration.csv"] is None
    assert "为空" in str(errors["finance.csv"])
    assert errors["ip.csv"] is not None and "ip.csv" in errors["ip.csv"]
    assert "credit.xlsx" in str(errors["credit.xlsx"])
    assert "fiscal_year" in str(errors["rd.csv"])
    assert "feed name" in str(errors["tax_refunds.csv"])
    assert rows(ws, "SELECT count(*) FROM registration") == [(1,)]
    assert rows(ws, "SELECT count(*) FROM loads") == [(1,)]


def test_reloading_the_same_file_changes_nothing(tmp_path: Path, ws: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    write_csv(d / "registration.csv", REG_HEADER_EN, [reg_row(JD, "甲"), reg_row(XIAOMI, "乙", "bad")])
    ingest_directory(ws, d)
    con = connect(ws)
    before = workspace_status(con)["checksums"]
    con.close()
    # the same bytes under another name are the same delivery
    (d / "registration_copy.csv").write_bytes((d / "registration.csv").read_bytes())
    second = ingest_directory(ws, d)
    assert [f.skipped for f in second.files] == [True, True]
    con = connect(ws)
    assert workspace_status(con)["checksums"] == before
    con.close()


def _make_feeds(d: Path, n: int) -> None:
    from gaoqi.engine.uscc import complete

    d.mkdir()
    codes = [complete(f"91110108MA{i:07d}") for i in range(n)]
    write_csv(
        d / "registration.csv", REG_HEADER_EN, [reg_row(c, f"北京测试{i}科技有限公司") for i, c in enumerate(codes)]
    )
    header = ["uscc", "fiscal_year", "sales_revenue", "total_revenue"]
    for part in range(3):
        write_csv(
            d / f"finance_part{part}.csv",
            header,
            [[c, str(2020 + part), str(i), "-1" if i % 997 == 0 else str(i + 1)] for i, c in enumerate(codes)],
        )
    write_csv(d / "rd.csv", ["统一社会信用代码", "年度", "职工总数"], [[c, "2024", "10.5"] for c in codes], "gb18030")


def _status(ws: Path) -> dict[str, str]:
    con = connect(ws)
    try:
        return dict(workspace_status(con)["checksums"])
    finally:
        con.close()


def _clean_and_crash_paths(tmp_path: Path, enterprises: int) -> tuple[Path, Path, list[str], float]:
    """Feeds, a workspace from an uninterrupted ingest (and how long it took), and the CLI command that
    ingests the same feeds into a second workspace."""
    import time

    d = tmp_path / "in"
    _make_feeds(d, enterprises)
    clean = tmp_path / "clean"
    started = time.monotonic()
    ingest_directory(clean, d)
    crashed = tmp_path / "crashed"
    cmd = [sys.executable, "-m", "gaoqi.cli", "ingest", str(d), "--workspace", str(crashed), "--json"]
    return clean, crashed, cmd, time.monotonic() - started


@pytest.mark.slow
@pytest.mark.parametrize("victim", ["finance_part1.csv", "rd.csv"])
def test_kill_9_mid_ingest_then_rerun_equals_an_uninterrupted_run(tmp_path: Path, victim: str) -> None:
    clean, crashed, cmd, _ = _clean_and_crash_paths(tmp_path, 30000)
    env = {**os.environ, "GAOQI_CRASH_BEFORE_COMMIT": victim}
    proc = subprocess.run(cmd, env=env, capture_output=True, timeout=300)
    assert proc.returncode == -9  # killed by SIGKILL, inside the victim's transaction
    loaded = [r[0] for r in rows(crashed, "SELECT file_name FROM loads ORDER BY load_id")]
    assert victim not in loaded  # no partial batch: the victim left nothing
    victim_feed = victim.split("_part")[0].removesuffix(".csv")
    assert rows(crashed, f"SELECT count(*) FROM {victim_feed} WHERE _load_id NOT IN (SELECT load_id FROM loads)") == [
        (0,)
    ]
    rerun = subprocess.run(cmd, capture_output=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert _status(crashed) == _status(clean)


@pytest.mark.slow
def test_kill_9_at_a_random_moment_then_rerun_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    import random
    import signal
    import time

    clean, crashed, cmd, seconds = _clean_and_crash_paths(tmp_path, 60000)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # somewhere in the middle of the run (interpreter start-up takes about a second)
    time.sleep(1.0 + random.uniform(0.2, 0.8) * seconds)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert subprocess.run(cmd, capture_output=True, timeout=300).returncode == 0
    assert _status(crashed) == _status(clean)


def test_ingest_leaves_the_callers_own_temp_tables_alone(tmp_path: Path) -> None:
    """A load drops its staging tables only: a temp table the caller made on the same connection survives."""
    from gaoqi.engine.ingest import STAGING_NAMES, ingest_file
    from gaoqi.engine.workspace import connect

    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "registration.csv").write_text(
        "uscc,name,established_date,district_code,industry_code,status\\n"
        "91110108MA0123456G,北京测试科技有限公司,2020-01-01,110108,6510,存续\\n",
        encoding="utf-8",
    )
    con = connect(tmp_path / "ws")
    try:
        con.execute("CREATE TEMP TABLE my_scratch AS SELECT 42 AS answer")
        ingest_file(con, feeds / "registration.csv", tmp_path / "ws")
        left = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}
        assert "my_scratch" in left and not (left & STAGING_NAMES)
        assert con.execute("SELECT answer FROM my_scratch").fetchall() == [(42,)]
    finally:
        con.close()


def zip_bomb(path: Path, real: Path, inflated: int = 40 << 20) -> Path:
    """A real workbook plus one member of ``inflated`` zero bytes: ~40 KB on disk, 40 MB inflated."""
    import zipfile

    with zipfile.ZipFile(real) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/media/padding.bin", b"\0" * inflated)
    return path


def test_files_refused_as_a_whole_are_recorded_once_with_their_reason_and_not_retried(tmp_path: Path, ws: Path) -> None:
    """A damaged xlsx, a ZIP bomb and a file of no feed: each refused with its reason (Chinese first), recorded
    once by content, listed by status, and on the next run skipped without a word."""
    d, scratch = tmp_path / "in", tmp_path / "scratch"
    d.mkdir()
    scratch.mkdir()
    write_csv(d / "registration.csv", REG_HEADER_EN, [reg_row(JD, "甲")])
    good = write_xlsx(scratch / "ok.xlsx", ["uscc", "fiscal_year", "sales_revenue"], [[JD, 2024, 100]])
    (d / "credit_damaged.xlsx").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    bomb = zip_bomb(d / "finance_bomb.xlsx", good)
    assert bomb.stat().st_size < 200_000
    (d / "tax_refunds.csv").write_text("a,b\n1,2\n", encoding="utf-8")

    first = {f.file: f for f in ingest_directory(ws, d).files}
    assert first["registration.csv"].error is None and first["registration.csv"].rows_loaded == 1
    assert {n: (f.refused, f.skipped, f.reason_code) for n, f in first.items() if n != "registration.csv"} == {
        "credit_damaged.xlsx": (True, False, "damaged_file"),
        "finance_bomb.xlsx": (True, False, "decompressed_too_large"),
        "tax_refunds.csv": (True, False, "unknown_feed"),
    }
    assert "ZIP 文件已损坏" in str(first["credit_damaged.xlsx"].error)
    assert "疑为压缩炸弹" in str(first["finance_bomb.xlsx"].error)
    assert "无法判断所属接口" in str(first["tax_refunds.csv"].error)
    assert rows(ws, "SELECT count(*) FROM finance") == [(0,)]

    second = {f.file: f for f in ingest_directory(ws, d).files}
    for name in ("credit_damaged.xlsx", "finance_bomb.xlsx", "tax_refunds.csv"):
        assert (second[name].skipped, second[name].refused, second[name].error) == (True, True, None), name
    con = connect(ws)
    try:
        refused = workspace_status(con)["refused_files"]
    finally:
        con.close()
    assert [(r["file"], r["feed"], r["reason_code"]) for r in sorted(refused, key=lambda r: r["file"])] == [
        ("credit_damaged.xlsx", "credit", "damaged_file"),
        ("finance_bomb.xlsx", "finance", "decompressed_too_large"),
        ("tax_refunds.csv", None, "unknown_feed"),
    ]
    assert all(r["reason"] and r["refused_at"] for r in refused)

    # the same bytes under a feed's name are another delivery: tried (and refused for what they lack)
    (d / "rd_refunds.csv").write_bytes((d / "tax_refunds.csv").read_bytes())
    third = {f.file: f for f in ingest_directory(ws, d).files}
    assert third["rd_refunds.csv"].reason_code == "missing_columns" and "缺少必填列" in str(
        third["rd_refunds.csv"].error
    )


def test_an_xlsx_inflating_beyond_the_limit_is_refused(
    tmp_path: Path, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = tmp_path / "in"
    d.mkdir()
    write_xlsx(d / "finance.xlsx", ["uscc", "fiscal_year", "sales_revenue"], [[JD, 2024 - i, 100] for i in range(50)])
    monkeypatch.setenv("GAOQI_XLSX_MAX_BYTES", "2000")  # a real workbook's XML is larger than that
    f = ingest_directory(ws, d).files[0]
    assert f.reason_code == "decompressed_too_large" and f.rows_loaded == 0
    monkeypatch.delenv("GAOQI_XLSX_MAX_BYTES")
    assert ingest_directory(ws, d).files[0].skipped  # the same bytes: not retried


def test_a_subtype_is_optional_and_has_at_most_50_characters(tmp_path: Path, ws: Path) -> None:
    """The sub-types' definition is unconfirmed: a ZGC certificate delivered without one is kept (the feature
    reading it is then unknown), not quarantined; an over-long one is."""
    d = tmp_path / "in"
    d.mkdir()
    write_csv(
        d / "certificate.csv",
        ["统一社会信用代码", "资质类型", "证书编号", "发证日期", "证书子类型"],
        [
            [JD, "中关村高新技术企业", "ZGC1", "2025-01-01", "科技创新型"],  # 2 good
            [XIAOMI, "zgc_hte", "ZGC2", "2025-01-01", ""],  # 3 good: a ZGC certificate without its sub-type
            [BAIDU, "zgc_hte", "ZGC3", "2025-01-01", "科" * 51],  # 4 too long
            [BAIDU, "hte", "GR1", "2025-01-01", ""],  # 5 good: other kinds need none
            [XIAOMI, "tech_sme", "S1", "2025-01-01", "科技服务型"],  # 6 good: kept, the features ignore it
        ],
    )
    summary = ingest_directory(ws, d)
    assert [f.error for f in summary.files] == [None]
    assert quarantine(ws) == [("certificate.csv", 4, "subtype", "too_long")]
    assert rows(ws, "SELECT number, subtype FROM certificate ORDER BY _line") == [
        ("ZGC1", "科技创新型"), ("ZGC2", None), ("GR1", None), ("S1", "科技服务型"),
    ]  # fmt: skip


def test_a_workspace_from_before_the_subtype_column_gets_it(tmp_path: Path, ws: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    write_csv(
        d / "certificate.csv",
        ["统一社会信用代码", "资质类型", "证书编号", "发证日期"],
        [[JD, "hte", "GR1", "2025-01-01"]],
    )
    ingest_directory(ws, d)
    con = connect(ws)
    create_current_views(con)
    # the workspace as an older release left it: no sub-type in the raw table nor in its current table
    con.execute("ALTER TABLE certificate DROP COLUMN subtype")
    con.execute("CREATE OR REPLACE TABLE certificate_cur AS SELECT * EXCLUDE (subtype) FROM certificate_cur")
    con.close()
    con = connect(ws)
    assert "subtype" in [r[0] for r in con.execute("DESCRIBE certificate").fetchall()]
    # the loads did not change, but the columns did: the current table is rebuilt with the new column
    assert create_current_views(con) == ["certificate"]
    assert con.execute("SELECT number, subtype FROM certificate_cur").fetchall() == [("GR1", None)]
    assert create_current_views(con) == []
    con.close()


def test_a_tax_office_outside_beijing_is_kept_and_a_malformed_code_quarantined(tmp_path: Path, ws: Path) -> None:
    """The finance feed's optional tax district is any GB/T 2260 county code: a move to Shanghai is the fact a
    relocation warning reads, so it must load; only a code that is not six digits of a province is refused."""
    d = tmp_path / "in"
    d.mkdir()
    header = ["uscc", "fiscal_year", "sales_revenue", "tax_district_code"]
    write_csv(d / "finance.csv", header, [[JD, "2024", "100", "110108"], [JD, "2025", "100", "310115"],
                                          [XIAOMI, "2025", "100", "31011"], [BAIDU, "2025", "100", "910101"]])  # fmt: skip
    ingest_directory(ws, d)
    assert rows(ws, "SELECT fiscal_year, tax_district_code FROM finance ORDER BY _line") == [
        (2024, "110108"), (2025, "310115")]  # fmt: skip
    assert quarantine(ws) == [("finance.csv", 4, "tax_district_code", "invalid_admin_code"),
                              ("finance.csv", 5, "tax_district_code", "invalid_admin_code")]  # fmt: skip
