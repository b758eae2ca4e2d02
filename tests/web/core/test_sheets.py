"""Uploaded spreadsheets read by content: an xlsx's cells as text, and each refusal in words."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from gaoqi.web.core.errors import DomainError
from gaoqi.web.core.sheets import cell_text, sheet_rows
from gaoqi.web.exports import xlsx


def test_an_xlsx_is_read_row_by_row_as_text() -> None:
    data = xlsx("表", ["编号", "金额"], [["MS00000001", 10], ["MS00000002", 2.5]])
    assert sheet_rows(data, max_bytes=1 << 20) == [["编号", "金额"], ["MS00000001", "10"], ["MS00000002", "2.5"]]
    assert [cell_text(v) for v in (None, 3.0, 0.1, dt.date(2026, 12, 7), " 甲\x00 ")] == [
        "",
        "3",
        "0.1",
        "2026-12-07",
        "甲",
    ]


def test_csv_and_xls_only_where_the_caller_takes_them() -> None:
    gbk = "成果名称,所在区\n量子芯片,海淀区\n".encode("gb18030")
    assert sheet_rows(gbk, max_bytes=1 << 20, xls_and_csv=True) == [["成果名称", "所在区"], ["量子芯片", "海淀区"]]
    with pytest.raises(DomainError, match="不是 Excel（xlsx）工作簿"):
        sheet_rows(gbk, max_bytes=1 << 20)
    with pytest.raises(DomainError, match="请上传 Excel 或 CSV"):
        sheet_rows(b"\xff\xfe\x00\x81\x30", max_bytes=1 << 20, xls_and_csv=True)


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def test_refusals_too_large_not_a_workbook_damaged_inflating() -> None:
    with pytest.raises(DomainError, match="文件过大") as big:
        sheet_rows(b"x" * 11, max_bytes=10)
    assert big.value.fields == {"file": "文件过大"}
    with pytest.raises(DomainError, match="不是 Excel（xlsx）工作簿"):
        sheet_rows(_zip({"word/document.xml": b"<w/>"}), max_bytes=1 << 20)
    with pytest.raises(DomainError, match="文件已损坏"):
        sheet_rows(b"PK\x03\x04garbage", max_bytes=1 << 20)
    bomb = _zip({"xl/workbook.xml": b"<w/>", "xl/worksheets/sheet1.xml": b"0" * (30 << 20)})
    with pytest.raises(DomainError, match="解压后过大"):
        sheet_rows(bomb, max_bytes=1 << 20)
