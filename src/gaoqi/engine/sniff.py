"""Reading a delivered file: its format (by content, not extension), encoding, header and rows.

CSV arrives in UTF-8, UTF-8 with BOM or GBK/GB18030; Excel as .xlsx (a ZIP with ``xl/workbook.xml``)
or legacy .xls (an OLE compound file). GB* is always decoded as GB18030, its superset. The whole file is
checked, not only its head: a GBK file whose first megabyte happens to be ASCII must not be taken for UTF-8.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 22  # 4 MiB

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class UnreadableFile(Exception):
    """A file that cannot be read at all; the message names the reason, ``code`` classifies it."""

    def __init__(self, message: str, code: str = "unreadable_file") -> None:
        super().__init__(message)
        self.code = code


# An .xlsx is a ZIP: a small file can declare (and inflate to) gigabytes, which the Excel reader would hold in
# memory. Refused: more than XLSX_MAX_BYTES in all, or, beyond XLSX_RATIO_FROM bytes, more than XLSX_MAX_RATIO
# times the file's size (a real workbook's XML compresses 5 to 30 times). Both can be set in the environment.
XLSX_MAX_BYTES = 2 << 30
XLSX_MAX_RATIO = 200
XLSX_RATIO_FROM = 16 << 20


def xlsx_limits() -> tuple[int, int]:
    return (
        int(os.environ.get("GAOQI_XLSX_MAX_BYTES", XLSX_MAX_BYTES)),
        int(os.environ.get("GAOQI_XLSX_MAX_RATIO", XLSX_MAX_RATIO)),
    )


@dataclass(frozen=True)
class Sniffed:
    path: Path
    file_format: str  # "csv" | "xlsx" | "xls"
    encoding: str | None  # "utf-8", "utf-8-sig", "gb18030"; None for Excel
    sha256: str
    size: int


def sniff(path: Path) -> Sniffed:
    """Hash the file and decide its format and encoding from its whole content."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        head = fh.read(CHUNK)
        if not head:
            raise UnreadableFile("文件为空 (the file is empty)", "empty_file")
        digest.update(head)
        size += len(head)
        if head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC):
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
            return Sniffed(path, _excel_kind(path, head, size), None, digest.hexdigest(), size)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise UnreadableFile("UTF-16 编码不受支持，请使用 UTF-8 或 GB18030 (UTF-16 is not accepted)", "encoding")
        bom = head.startswith(codecs.BOM_UTF8)
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8_ok = True
        chunk = head
        while chunk:
            if utf8_ok:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            chunk = fh.read(CHUNK)
            if chunk:
                digest.update(chunk)
                size += len(chunk)
        if utf8_ok:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_ok = False
    if utf8_ok:
        encoding = "utf-8-sig" if bom else "utf-8"
    else:
        encoding = "gb18030"
        _check_gb18030(path)
    return Sniffed(path, "csv", encoding, digest.hexdigest(), size)


def _excel_kind(path: Path, head: bytes, size: int) -> str:
    if head.startswith(OLE_MAGIC):
        return "xls"
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" not in names:
                raise UnreadableFile(
                    "ZIP 文件不是 Excel 工作簿 (a ZIP archive but not an .xlsx workbook)", "damaged_file"
                )
            _check_inflated_size(zf, size)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise UnreadableFile(f"ZIP 文件已损坏 (damaged ZIP/xlsx file: {exc})", "damaged_file") from exc
    return "xlsx"


def _check_inflated_size(zf: zipfile.ZipFile, size: int) -> None:
    """Refuse a ZIP bomb: first by the sizes the archive declares, then by inflating every member (the reader
    stops at the declared size and checks the CRC, so an archive lying about its sizes fails here too)."""
    limit, ratio = xlsx_limits()

    def check(total: int) -> None:
        if total > limit or (total > XLSX_RATIO_FROM and total > ratio * size):
            raise UnreadableFile(
                f"Excel 文件解压后过大（{size:,} 字节的文件解压后超过 {total:,} 字节，上限 {limit:,} 字节、"
                f"压缩比 {ratio} 倍），疑为压缩炸弹，未导入 (the workbook inflates to more than {total:,} bytes: "
                "refused as a possible ZIP bomb)",
                "decompressed_too_large",
            )

    check(sum(info.file_size for info in zf.infolist()))
    total = 0
    for info in zf.infolist():
        with zf.open(info) as member:
            while block := member.read(CHUNK):
                total += len(block)
                check(total)


def _check_gb18030(path: Path) -> None:
    decoder = codecs.getincrementaldecoder("gb18030")()
    offset = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise UnreadableFile(
                    f"既不是 UTF-8 也不是 GB18030 编码，约第 {offset + exc.start} 字节处无法解码 "
                    f"(neither UTF-8 nor GB18030: undecodable byte near offset {offset + exc.start})",
                    "encoding",
                ) from exc
            offset += len(chunk)


def _excel_cell(value: object) -> str:
    """An Excel cell as the text a CSV would carry (integral floats without '.0', dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def iter_records(s: Sniffed) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) for every non-empty record, the header first. Line numbers are physical lines
    (for Excel: sheet rows), 1-based, so a report points where an official would look."""
    if s.file_format in ("xlsx", "xls"):
        from python_calamine import CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_path(str(s.path))
            sheet = wb.get_sheet_by_index(0)
            rows = sheet.iter_rows()
        except Exception as exc:
            raise UnreadableFile(f"无法读取 Excel 文件 (cannot read the workbook: {exc})", "damaged_file") from exc
        i = 0
        while True:
            try:  # a sheet damaged further down fails while its rows are read
                row = next(rows, None)
            except Exception as exc:
                raise UnreadableFile(
                    f"无法读取 Excel 文件第 {i + 1} 行 (cannot read the workbook at row {i + 1}: {exc})", "damaged_file"
                ) from exc
            if row is None:
                return
            i += 1
            cells = [_excel_cell(v) for v in row]
            while cells and cells[-1] == "":
                cells.pop()
            if cells:
                yield i, cells
    assert s.encoding is not None
    with s.path.open("r", encoding=s.encoding, newline="") as fh:
        reader = csv.reader(fh)
        start = 1
        for record in reader:
            if record and any(c.strip() for c in record):
                yield start, record
            start = reader.line_num + 1


def read_header(s: Sniffed) -> tuple[int, list[str]]:
    for line, cells in iter_records(s):
        return line, [c.strip() for c in cells]
    raise UnreadableFile("文件没有表头 (the file has no header row)", "no_header")


def write_normalised_csv(s: Sniffed, ncols: int, out: Path) -> tuple[int, list[tuple[int, str, int]]]:
    """Rewrite the data rows as UTF-8 CSV with the physical line number as the first column.

    Rows with the wrong number of cells are not written; they are returned as (line, raw text, count)
    for the quarantine. Returns (rows read, those rejects).
    """
    rejects: list[tuple[int, str, int]] = []
    rows = 0
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        records = iter_records(s)
        next(records, None)  # header
        excel = s.file_format != "csv"
        for line, cells in records:
            rows += 1
            if excel:
                # Excel has no column count of its own: empty trailing cells are simply absent.
                if len(cells) > ncols and not any(cells[ncols:]):
                    cells = cells[:ncols]
                cells = cells + [""] * (ncols - len(cells))
            if len(cells) != ncols:
                buf = io.StringIO()
                csv.writer(buf, lineterminator="").writerow(cells)
                rejects.append((line, buf.getvalue()[:2000], len(cells)))
                continue
            writer.writerow([line, *cells])
    return rows, rejects


def transcode_to_utf8(s: Sniffed, out: Path) -> Path:
    """Re-encode a GB18030 CSV as UTF-8, chunk by chunk. Line structure is unchanged, so the fast reader
    and its line numbers apply to the copy."""
    assert s.encoding is not None
    decoder = codecs.getincrementaldecoder(s.encoding)()
    with s.path.open("rb") as src, out.open("wb") as dst:
        for chunk in iter(lambda: src.read(CHUNK), b""):
            dst.write(decoder.decode(chunk).encode("utf-8"))
        dst.write(decoder.decode(b"", final=True).encode("utf-8"))
    return out


def count_physical_lines(path: Path) -> int:
    """Lines as an editor counts them: newlines, plus one for a last line without a newline."""
    n = 0
    last = b"\n"
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n if last == b"\n" else n + 1
