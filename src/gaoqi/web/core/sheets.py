"""Spreadsheets officials upload (payment outcomes, research results): read by content, never by their name —
an xlsx must be a ZIP holding a workbook and may not inflate beyond a bound (a ZIP bomb); where a caller also
takes them, a legacy xls by its signature and CSV in UTF-8 or GB18030. Every cell comes back as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from typing import Any

from gaoqi.web.core.errors import DomainError

XLSX = b"PK\x03\x04"
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: How many times its own size an xlsx may inflate to.
INFLATE_FACTOR = 20
DAMAGED = "文件已损坏，不是有效的 Excel 文件"


def _refuse(message: str, field_note: str) -> DomainError:
    return DomainError(message, fields={"file": field_note})


def _check_workbook(data: bytes, max_bytes: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "xl/workbook.xml" not in zf.namelist():
                raise _refuse("文件不是 Excel（xlsx）工作簿", "请上传 xlsx 文件")
            if sum(i.file_size for i in zf.infolist()) > INFLATE_FACTOR * max_bytes:
                raise _refuse("文件解压后过大，拒绝处理", "文件异常")
    except zipfile.BadZipFile:
        raise _refuse(DAMAGED, "文件已损坏") from None


def cell_text(value: Any) -> str:
    """A cell as text: empty for none, whole numbers without ".0", dates in ISO form, NULs removed."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).replace("\x00", "").strip()


def sheet_rows(data: bytes, *, max_bytes: int, xls_and_csv: bool = False) -> list[list[str]]:
    """The first sheet's rows (every row, empty ones included, so that row i is the sheet's line i + 1), each
    cell as text. Refused in words: too large, not a workbook, damaged, inflating too far; with ``xls_and_csv``
    an xls is read too and anything else as CSV (UTF-8 or GB18030), otherwise only an xlsx is taken."""
    if len(data) > max_bytes:
        raise _refuse(f"文件过大（上限 {max_bytes // 1048576} MB）", "文件过大")
    if data.startswith(XLSX):
        _check_workbook(data, max_bytes)
    elif not (xls_and_csv and data.startswith(XLS)):
        if not xls_and_csv:
            raise _refuse("文件不是 Excel（xlsx）工作簿", "请上传 xlsx 文件")
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            return [[c.replace("\x00", "").strip() for c in row] for row in csv.reader(io.StringIO(text))]
        raise _refuse("文件无法读取：请上传 Excel 或 CSV（UTF-8 或 GBK 编码）", "编码无法识别")
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:
        raise _refuse(DAMAGED, "文件已损坏") from None
    return [[cell_text(v) for v in row] for row in sheet]


__all__ = ["cell_text", "sheet_rows"]
