"""The incubator roster and incubation feeds (issue 12): validation, quarantine of rows naming no incubator of
the roster, and the roster loaded before the relations whatever the file names."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from gaoqi.engine.feeds import feed_for_filename, feed_spec, referenced_feeds
from gaoqi.engine.ingest import delivered_files, ingest_directory
from gaoqi.engine.workspace import connect

XIAOMI = "91110108551385082Q"
BAIDU = "91110000802100433B"
BAD_CHECK = "91110108551385082A"


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


ROSTER = [
    "孵化机构代码",
    "孵化机构名称",
    "机构类型",
    "级别",
    "所在区县代码",
    "运营主体统一社会信用代码",
    "认定日期",
    "认定有效期至",
]
RELATIONS = ["孵化机构代码", "统一社会信用代码", "入孵日期", "离孵日期", "孵化状态"]


def test_the_feeds_and_their_key() -> None:
    assert feed_for_filename("incubator_2026.csv") == "incubator"
    assert feed_for_filename("incubation-2026.xlsx") == "incubation"
    assert feed_spec("incubation").key == ("incubator_code", "uscc", "entered_on")
    assert feed_spec("incubation").field("incubator_code").references == ("incubator", "code")
    assert referenced_feeds() == frozenset({"incubator"})
    assert feed_spec("incubator").field("kind").aliases == {
        "incubator": ("孵化器",),
        "maker_space": ("众创空间",),
        "service_agency": ("服务机构",),
    }


def test_roster_first_then_relations_with_quarantine(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    # "incubation" sorts before "incubator": the roster must still load first
    write(
        src / "incubation_2026.csv",
        RELATIONS,
        [
            ["INC-001", XIAOMI, "2024-03-01", "", "在孵"],  # line 2: good
            ["INC-404", XIAOMI, "2024-03-01", "", "在孵"],  # 3: no such incubator
            ["INC-002", BAD_CHECK, "2024-03-01", "", "在孵"],  # 4: bad check character
            ["INC-002", BAIDU, "2023/1/5", "", "毕业"],  # 5: graduated without a leaving date
            ["INC-002", BAIDU, "2023年1月5日", "2025-06-30", "graduated"],  # 6: good (aliases and dates)
            ["INC-001", BAIDU, "2022-01-01", "2022-12-31", "休眠"],  # 7: not a status
        ],
    )
    write(
        src / "incubator_2026.csv",
        ROSTER,
        [
            ["INC-001", "中关村示范孵化器", "孵化器", "国家级", "110108", XIAOMI, "2020-01-01", "2027-12-31"],
            ["INC-002", "海淀创业服务中心", "服务机构", "市级", "110108", BAIDU, "", ""],
            ["INC-003", "坏区县众创空间", "众创空间", "区级", "999999", BAIDU, "", ""],  # 4: not a Beijing district
            ["INC-004", "坏代码众创空间", "众创空间", "其他", "110105", BAD_CHECK, "", ""],  # 5: bad operator USCC
        ],
    )
    assert [p.name for p in delivered_files(src)] == ["incubator_2026.csv", "incubation_2026.csv"]
    home = tmp_path / "home"
    summary = ingest_directory(home, src)
    by_feed = {f.feed: f for f in summary.files}
    assert (by_feed["incubator"].rows_loaded, by_feed["incubator"].rows_quarantined) == (2, 2)
    assert (by_feed["incubation"].rows_loaded, by_feed["incubation"].rows_quarantined) == (2, 4)
    con = connect(home)
    try:
        reasons = con.execute(
            "SELECT feed, line, field, reason_code FROM quarantine ORDER BY feed, line, field"
        ).fetchall()
        assert reasons == [
            ("incubation", 3, "incubator_code", "unknown_reference"),
            ("incubation", 4, "uscc", "uscc_check_character"),
            ("incubation", 5, "left_on", "required_missing"),
            ("incubation", 7, "status", "invalid_enum"),
            ("incubator", 4, "district_code", "invalid_district_code"),
            ("incubator", 5, "operator_uscc", "uscc_check_character"),
        ]
        message = con.execute("SELECT message FROM quarantine WHERE reason_code = 'unknown_reference'").fetchall()
        assert message == [("孵化机构代码不在孵化机构名录中: INC-404",)]
        good = con.execute(
            "SELECT incubator_code, uscc, entered_on, left_on, status FROM incubation ORDER BY _line"
        ).fetchall()
        assert good == [
            ("INC-001", XIAOMI, dt.date(2024, 3, 1), None, "incubating"),
            ("INC-002", BAIDU, dt.date(2023, 1, 5), dt.date(2025, 6, 30), "graduated"),
        ]
        kinds = con.execute("SELECT code, kind, level FROM incubator ORDER BY code").fetchall()
        assert kinds == [("INC-001", "incubator", "national"), ("INC-002", "service_agency", "municipal")]
    finally:
        con.close()


def test_a_relation_for_a_later_roster_is_quarantined_until_redelivered(tmp_path: Path) -> None:
    first = tmp_path / "d1"
    first.mkdir()
    write(first / "incubation_a.csv", RELATIONS, [["INC-009", XIAOMI, "2024-03-01", "", "在孵"]])
    home = tmp_path / "home"
    summary = ingest_directory(home, first)
    assert summary.rows_quarantined == 1 and summary.rows_loaded == 0
    second = tmp_path / "d2"
    second.mkdir()
    write(second / "incubator_a.csv", ROSTER, [["INC-009", "后来的孵化器", "孵化器", "市级", "110108", XIAOMI, "", ""]])
    # the same relation redelivered (other bytes: the same bytes would be skipped as loaded)
    write(second / "incubation_b.csv", RELATIONS, [["INC-009", XIAOMI, "2024/3/1", "", "在孵"]])
    summary = ingest_directory(home, second)
    assert summary.rows_loaded == 2 and summary.rows_quarantined == 0
