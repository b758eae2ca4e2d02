"""Ingestion: delivered department files → typed feed tables, bad rows → quarantine.

Per file: sniff format and encoding, map headers (English or Chinese), stage the raw text with the
physical line of every row, validate every row in set-based SQL, and in ONE transaction insert the good
rows, the quarantined problems and the ``loads`` row. A crash or ``kill -9`` before the commit leaves
nothing behind (DuckDB discards the uncommitted transaction on recovery), and a rerun loads the file
again; a file already loaded (same SHA-256) is skipped, so reloading changes nothing.

A full disk (issue 17): before anything is written, the free space of the workspace's disk is compared with
what the new files need (``SPACE_PER_BYTE``); short of it, the ingest is refused with ``DiskFullError`` and the
workspace is untouched. Should the disk fill during a file anyway (another writer on it), that file's
transaction is rolled back, its temporary files are removed and the run stops with the same error: the files
loaded before it in this run are kept, each whole; a later ingest after space is freed loads the rest.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from gaoqi.engine import sniff as sn
from gaoqi.engine.feeds import FeedSpec, feed_for_filename, feed_spec, map_headers, referenced_feeds
from gaoqi.engine.validate import (
    NUMERIC_KINDS,
    check_sql,
    column_names,
    feed_checks,
    ident,
    lit,
    numeric_sql,
    typed_sql,
    uscc_side_table,
    uscc_side_table_sql,
)
from gaoqi.engine.workspace import connect
from gaoqi.faults import crash_point

Progress = Callable[[str, int, int], None]


@dataclass
class FileResult:
    file: str
    feed: str | None
    encoding: str | None = None
    file_format: str | None = None
    header_language: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    skipped: bool = False
    load_id: int | None = None
    error: str | None = None
    refused: bool = False  # refused as a whole (now: ``error`` says why; or earlier: ``skipped``, said then)
    reason_code: str | None = None
    extra_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class IngestSummary:
    files: list[FileResult]
    seconds: float

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def errors(self) -> list[FileResult]:
        return [f for f in self.files if f.error]

    def as_dict(self) -> dict[str, object]:
        return {
            "files": [f.as_dict() for f in self.files],
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "errors": len(self.errors),
            "seconds": round(self.seconds, 3),
        }


class FileError(Exception):
    """The file as a whole cannot be loaded; the message says why, in Chinese and English."""

    def __init__(self, message: str, code: str = "file_refused") -> None:
        super().__init__(message)
        self.code = code


class DiskFullError(Exception):
    """The workspace's disk is full, or too full for the files: the message (Chinese first) names the disk and
    says what was kept."""


#: Free bytes an ingest wants per byte of the files it will load, before it starts: the database grows by about
#: half the text, the write-ahead log holds it again until the checkpoint, and a GB18030 file is transcoded to a
#: temporary UTF-8 copy first (measured: 36 MB of feeds → 17 MB database and ≤ 6 MB of log at a time).
SPACE_PER_BYTE = 2.0


def _disk_of(path: Path) -> Path:
    """The mount point holding ``path`` (what an operator frees space on)."""
    path = path.resolve()
    while not os.path.ismount(path) and path != path.parent:
        path = path.parent
    return path


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def check_space(con: duckdb.DuckDBPyConnection, home: Path, files: list[Path]) -> None:
    """Refuse the ingest before it writes anything when the files not loaded yet need more space than the
    workspace's disk has free. Only when all of them would not fit are they hashed to leave out the ones
    already loaded or refused (a delivery directory ingested again)."""
    free = shutil.disk_usage(home).free
    need = int(SPACE_PER_BYTE * sum(p.stat().st_size for p in files))
    if need <= free:
        return
    known = {
        str(h)
        for (h,) in con.execute(
            "SELECT content_sha256 FROM loads UNION SELECT content_sha256 FROM refused_files"
        ).fetchall()
    }
    need = int(SPACE_PER_BYTE * sum(p.stat().st_size for p in files if _sha256(p) not in known))
    if need > free:
        raise DiskFullError(
            f"磁盘空间不足：工作区 {home} 所在磁盘 {_disk_of(home)} 剩余 {_mb(free)}，本次导入约需 {_mb(need)}。"
            f"未导入任何文件，工作区未改动；请释放空间后重试 "
            f"(disk full: {_mb(free)} free on {_disk_of(home)}, the ingest needs about {_mb(need)}; nothing was "
            f"loaded, the workspace is unchanged)"
        )


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno == errno.ENOSPC
    return isinstance(exc, duckdb.Error) and "no space left on device" in str(exc).lower()


def _disk_full_during(home: Path, path: Path, kept: int) -> DiskFullError:
    return DiskFullError(
        f"磁盘空间不足：导入 {path.name} 时工作区 {home} 所在磁盘 {_disk_of(home)} 已满。该文件未导入（事务已回滚，"
        f"临时文件已删除）；本次已完整导入 {kept} 个文件。请释放空间后重新运行导入，已导入的文件会被跳过 "
        f"(disk full while loading {path.name}: that file was rolled back and its temporary files removed; "
        f"{kept} file(s) of this run were loaded whole; free space and ingest again)"
    )


UNKNOWN_FEED = "文件名不以任何数据接口名称开头，无法判断所属接口 (the file name does not start with a feed name)"


def delivered_files(directory: Path) -> list[Path]:
    """Files to ingest, in a stable order (so load ids are the same on every run): the files of feeds another
    feed refers to (the incubator roster, which incubation rows must name) first, then by name."""
    first = referenced_feeds()
    files = (p for p in directory.iterdir() if p.is_file() and not p.name.startswith((".", "_", "~$")))
    return sorted(files, key=lambda p: (feed_for_filename(p.name) not in first, p.name))


def ingest_directory(
    home: Path | str,
    directory: Path | str,
    *,
    progress: Progress | None = None,
) -> IngestSummary:
    """Ingest every delivered file of ``directory`` into the workspace at ``home``."""
    started = time.perf_counter()
    home = Path(home)
    con = connect(home)
    try:
        files = delivered_files(Path(directory))
        check_space(con, home, files)
        results: list[FileResult] = []
        # Hashing and encoding detection are Python work: a background thread does them for the next
        # files while DuckDB (which releases the GIL) loads the current one.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sniff") as pool:
            sniffs = [pool.submit(sn.sniff, p) for p in files]
            for i, (path, sniffed) in enumerate(zip(files, sniffs, strict=True)):
                if progress:
                    progress(path.name, i, len(files))
                try:
                    results.append(ingest_file(con, path, home, sniffed))
                except BaseException as exc:
                    for later in sniffs:  # the files not reached are not hashed for nothing
                        later.cancel()
                    if _is_disk_full(exc):
                        kept = sum(1 for r in results if r.load_id is not None and not r.skipped)
                        raise _disk_full_during(home, path, kept) from exc
                    raise
        if progress:
            progress("done", len(files), len(files))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return IngestSummary(results, time.perf_counter() - started)


def ingest_file(
    con: duckdb.DuckDBPyConnection, path: Path, home: Path, sniffed_later: Future[sn.Sniffed] | None = None
) -> FileResult:
    """Load one file. A file refused as a whole (no feed in its name, unreadable, damaged, a ZIP bomb, a
    required column missing) is recorded in ``refused_files`` with its reason and reported once: the same
    bytes delivered again for the same feed are skipped without a word (the reason stays on record)."""
    started = time.perf_counter()
    feed = feed_for_filename(path.name)
    result = FileResult(file=path.name, feed=feed)
    try:
        if feed is None:
            if sniffed_later is not None:
                sniffed_later.cancel()
            _refuse(con, result, _sha256(path), "unknown_feed", UNKNOWN_FEED)
            return result
        try:
            sniffed = sniffed_later.result() if sniffed_later is not None else sn.sniff(path)
        except (sn.UnreadableFile, UnicodeDecodeError) as exc:
            code = exc.code if isinstance(exc, sn.UnreadableFile) else "encoding"
            _refuse(con, result, _sha256(path), code, str(exc))
            return result
        result.encoding, result.file_format = sniffed.encoding, sniffed.file_format
        row = con.execute("SELECT load_id FROM loads WHERE content_sha256 = ?", [sniffed.sha256]).fetchone()
        if row is not None:
            result.skipped, result.load_id = True, int(row[0])
            return result
        if _refused_before(con, sniffed.sha256, feed, result):
            return result
        try:
            _load(con, feed_spec(feed), sniffed, result, home)
        except (sn.UnreadableFile, FileError, UnicodeDecodeError) as exc:
            code = exc.code if isinstance(exc, sn.UnreadableFile | FileError) else "encoding"
            _refuse(con, result, sniffed.sha256, code, str(exc))
    except duckdb.Error as exc:
        if _is_disk_full(exc):
            raise  # the run stops (ingest_directory): the next files would fill the same disk
        # The transaction was rolled back: nothing of this file is stored; the next file goes on. Not recorded
        # as refused: it may be the machine (memory, disk), and the file is tried again next time.
        result.error = f"{path.name}: 无法导入 (could not be loaded: {type(exc).__name__}: {str(exc)[:500]})"
    finally:
        result.seconds = round(time.perf_counter() - started, 3)
    return result


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(sn.CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _refused_before(con: duckdb.DuckDBPyConnection, sha256: str, feed: str | None, result: FileResult) -> bool:
    """Were these bytes refused for this feed already? Then they are skipped, and not reported again."""
    found = con.execute(
        "SELECT reason_code FROM refused_files WHERE content_sha256 = ? AND feed = ?", [sha256, feed or ""]
    ).fetchall()
    if not found:
        return False
    result.skipped, result.refused, result.reason_code = True, True, str(found[0][0])
    return True


def _refuse(con: duckdb.DuckDBPyConnection, result: FileResult, sha256: str, code: str, reason: str) -> None:
    """Record a file refused as a whole; report it (``error``) only the first time these bytes are seen."""
    if _refused_before(con, sha256, result.feed, result):
        return
    con.execute(
        "INSERT INTO refused_files VALUES (?, ?, ?, ?, ?, ?)",
        [sha256, result.feed or "", result.file, code, reason, dt.datetime.now()],
    )
    result.refused, result.reason_code, result.error = True, code, f"{result.file}: {reason}"


def _checked_header(spec: FeedSpec, s: sn.Sniffed) -> tuple[int, list[str], list[str | None]]:
    """The header line, its cells and their columns; a required column missing refuses the file."""
    header_line, headers = sn.read_header(s)
    mapped = map_headers(spec.name, headers)
    present = {m for m in mapped if m}
    missing = [f for f in spec.fields if f.required and f.name not in present]
    if missing:
        names = "、".join(f"{f.title}({f.name})" for f in missing)
        raise FileError(
            f"缺少必填列: {names} (missing required column(s)); 表头为: {', '.join(headers)}", "missing_columns"
        )
    return header_line, headers, mapped


def precheck(path: Path) -> tuple[str, str] | None:
    """What can be told about a delivered file without loading it: (reason code, reason) when ingest would
    refuse it as a whole (no feed in its name, unreadable or not a table, a required column missing), else
    None. The same checks ``ingest_file`` makes, in the same order; reads the whole file once (encoding)."""
    feed = feed_for_filename(path.name)
    if feed is None:
        return "unknown_feed", UNKNOWN_FEED
    try:
        _checked_header(feed_spec(feed), sn.sniff(path))
    except (sn.UnreadableFile, FileError) as exc:
        return exc.code, str(exc)
    except UnicodeDecodeError as exc:
        return "encoding", str(exc)
    return None


def _load(con: duckdb.DuckDBPyConnection, spec: FeedSpec, s: sn.Sniffed, result: FileResult, home: Path) -> None:
    header_line, headers, mapped = _checked_header(spec, s)
    present = {m for m in mapped if m}
    titles = {f.title for f in spec.fields}
    zh = sum(1 for h, m in zip(headers, mapped, strict=True) if m and h in titles)
    result.header_language = "zh" if zh * 2 > len(present) else "en"
    result.extra_columns = [h for h, m in zip(headers, mapped, strict=True) if m is None]
    ncols = len(headers)

    tmpdir = Path(tempfile.mkdtemp(prefix="ingest-", dir=home))
    try:
        # Staging goes to temp tables outside the transaction: they never reach the database file, and
        # committed temp tables number their rows from 0 (transaction-local rowids do not).
        structural = _stage(con, s, ncols, header_line, tmpdir)
        _load_staged(con, spec, s, result, home, headers, mapped, structural, ncols)
    finally:
        _drop_staging(con)
        shutil.rmtree(tmpdir, ignore_errors=True)


def _load_staged(
    con: duckdb.DuckDBPyConnection,
    spec: FeedSpec,
    s: sn.Sniffed,
    result: FileResult,
    home: Path,
    headers: list[str],
    mapped: list[str | None],
    structural: list[tuple[int, str, int | None, str]],
    ncols: int,
) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        load_id = int(con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone()[0])  # type: ignore[index]
        _validate_and_insert(con, spec, headers, mapped, load_id, s.path.name)
        _insert_structural(con, spec, structural, load_id, s.path.name, ncols)
        counts = con.execute(
            "SELECT reason_code, count(DISTINCT line) FROM quarantine WHERE load_id = ? GROUP BY 1 ORDER BY 1",
            [load_id],
        ).fetchall()
        rows_read = int(con.execute("SELECT count(*) FROM stg").fetchone()[0]) + len(structural)  # type: ignore[index]
        loaded = int(con.execute(f"SELECT count(*) FROM {spec.name} WHERE _load_id = ?", [load_id]).fetchone()[0])  # type: ignore[index]
        quarantined = int(
            con.execute("SELECT count(DISTINCT line) FROM quarantine WHERE load_id = ?", [load_id]).fetchone()[0]  # type: ignore[index]
        )
        con.execute(
            "INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                load_id,
                spec.name,
                s.path.name,
                s.sha256,
                s.file_format,
                s.encoding,
                result.header_language,
                rows_read,
                loaded,
                quarantined,
                dt.datetime.now(),
            ],
        )
        _write_quarantine_report(con, home, load_id, s.path.name)
        crash_point("GAOQI_CRASH_BEFORE_COMMIT", s.path.name)  # just before the commit
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    result.load_id = load_id
    result.rows_read, result.rows_loaded, result.rows_quarantined = rows_read, loaded, quarantined
    result.quarantined_by_reason = {str(r): int(n) for r, n in counts}


#: The temporary tables and views a load creates (``uscc_bad_<field>`` side tables too); nothing else on the
#: connection is touched, so a caller's own temp objects survive an ingest.
STAGING_NAMES: frozenset[str] = frozenset({"stg", "stg_raw", "rej_t", "stg_all", "dup", "typed", "badlines"})


def _is_staging(name: str) -> bool:
    return name in STAGING_NAMES or name.startswith("uscc_bad_")


def _drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the load's temporary tables and views (views first: they depend on tables)."""
    for (name,) in con.execute("SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal").fetchall():
        if _is_staging(str(name)):
            con.execute(f"DROP VIEW IF EXISTS {ident(str(name))}")
    for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall():
        if _is_staging(str(name)):
            con.execute(f"DROP TABLE IF EXISTS {ident(str(name))}")


def _stage(
    con: duckdb.DuckDBPyConnection, s: sn.Sniffed, ncols: int, header_line: int, tmpdir: Path
) -> list[tuple[int, str, int | None, str]]:
    """Create temp table ``stg(__line, c0..cN-1)`` of raw text; return structural rejects
    (line, raw text, cell count or None, DuckDB error type)."""
    cols = ", ".join(f"{lit(f'c{i}')}: 'VARCHAR'" for i in range(ncols))
    if s.file_format == "csv" and header_line == 1:
        utf8 = s.path if s.encoding in ("utf-8", "utf-8-sig") else sn.transcode_to_utf8(s, tmpdir / "utf8.csv")
        fast = _stage_fast(con, utf8, cols, ncols)
        if fast is not None:
            return fast
    normalised = tmpdir / "normalised.csv"
    _rows, rejects = sn.write_normalised_csv(s, ncols, normalised)
    ncols_sql = f"{lit('__line')}: 'BIGINT', {cols}"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE stg AS SELECT * FROM read_csv({lit(str(normalised))}, header = false, "
        f"columns = {{{ncols_sql}}}, delim = ',', quote = '\"', escape = '\"', auto_detect = false)"
    )
    return [(line, raw, n, "column_count") for line, raw, n in rejects]


def _cell_count(text: str) -> int | None:
    try:
        return len(next(csv.reader([text]), []))
    except csv.Error:
        return None


def _read_fast(con: duckdb.DuckDBPyConnection, path: Path, cols: str) -> None:
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE stg_raw AS SELECT * FROM read_csv({lit(str(path))}, header = true, "
        f"columns = {{{cols}, '__overflow': 'VARCHAR'}}, delim = ',', quote = '\"', escape = '\"', "
        f"auto_detect = false, null_padding = true, nullstr = '\x01', "
        f"store_rejects = true, rejects_table = 'stg_rej', rejects_scan = 'stg_scan', max_line_size = 10000000)"
    )


def _stage_fast(
    con: duckdb.DuckDBPyConnection, path: Path, cols: str, ncols: int
) -> list[tuple[int, str, int | None, str]] | None:
    """DuckDB's parallel CSV reader, when every record is exactly one physical line.

    DuckDB reports the physical line of each rejected record but not of good ones; good record k
    (0-based, in file order) is on line k + 2 + (rejected lines before it). That holds only when no
    record spans lines and no blank line is skipped, which the line count proves: physical lines ==
    1 + good + rejected. Otherwise the caller falls back to the exact Python reader.

    DuckDB tolerates short rows only with null padding and silently drops empty trailing cells beyond
    the header, so the file is read with one sentinel column more than the header, null padding on and
    no NULL string: a short row ends in NULL, a long one has a non-NULL sentinel. Both are moved to the
    quarantine as column_count.
    """
    con.execute("DROP TABLE IF EXISTS stg_rej")
    con.execute("DROP TABLE IF EXISTS stg_scan")
    try:
        _read_fast(con, path, cols)
    except duckdb.Error:
        # e.g. a quoted line break, which the parallel reader refuses with null padding: use the exact reader
        return None
    good = int(con.execute("SELECT count(*) FROM stg_raw").fetchone()[0])  # type: ignore[index]
    rejected = con.execute(
        "SELECT line, any_value(csv_line ORDER BY column_idx), any_value(error_type ORDER BY column_idx) "
        "FROM stg_rej GROUP BY line ORDER BY line"
    ).fetchall()
    if sn.count_physical_lines(path) != 1 + good + len(rejected):
        con.execute("DROP TABLE stg_raw")
        return None
    # t_j = good rows before the j-th rejected line; good row k is then on line k + 2 + #{j: t_j <= k}.
    thresholds = [
        int(r[0])
        for r in con.execute(
            "SELECT line - 1 - row_number() OVER (ORDER BY line) FROM (SELECT DISTINCT line FROM stg_rej) ORDER BY 1"
        ).fetchall()
    ]
    if len(thresholds) <= 256:
        # A view: numbering few rejects costs a comparison each, and the staged rows are not copied.
        adjust = "".join(f" + (rowid >= {t})::BIGINT" for t in thresholds)
        con.execute(f"CREATE OR REPLACE TEMP VIEW stg_all AS SELECT rowid + 2{adjust} AS __line, * FROM stg_raw")
    else:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE rej_t AS SELECT line - 1 - row_number() OVER (ORDER BY line) AS t, "
            "row_number() OVER (ORDER BY line) AS before FROM (SELECT DISTINCT line FROM stg_rej)"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE stg_all AS SELECT r.rowid + 2 + coalesce(j.before, 0) AS __line, r.* "
            "FROM stg_raw r ASOF LEFT JOIN rej_t j ON r.rowid >= j.t"
        )
    out: list[tuple[int, str, int | None, str]] = []
    last = f"c{ncols - 1}"
    cells = [f"c{i}" for i in range(ncols)]
    short_or_long = f"__overflow IS NOT NULL OR {last} IS NULL"
    for line, raw, n in con.execute(
        f"SELECT __line, concat_ws(',', {', '.join(cells)}, __overflow), "
        f"CASE WHEN __overflow IS NOT NULL THEN {ncols + 1} ELSE {' + '.join(f'({c} IS NOT NULL)::INT' for c in cells)} END "
        f"FROM stg_all WHERE {short_or_long} ORDER BY __line"
    ).fetchall():
        out.append((int(line), str(raw)[:2000], int(n), "column_count"))
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW stg AS SELECT * EXCLUDE (__overflow) FROM stg_all WHERE NOT ({short_or_long})"
    )
    for line, raw, err in rejected:
        code = "column_count" if err in ("MISSING COLUMNS", "TOO MANY COLUMNS") else "malformed_row"
        text = str(raw or "").rstrip("\r\n")
        count = _cell_count(text) if code == "column_count" else None
        out.append((int(line), text[:2000], count, code if code == "column_count" else str(err)))
    con.execute("DROP TABLE IF EXISTS stg_rej")
    con.execute("DROP TABLE IF EXISTS stg_scan")
    return out


def _validate_and_insert(
    con: duckdb.DuckDBPyConnection,
    spec: FeedSpec,
    headers: list[str],
    mapped: list[str | None],
    load_id: int,
    file_name: str,
) -> None:
    position = {m: i for i, m in enumerate(mapped) if m}
    raw_cols: list[str] = []
    for f in spec.fields:
        src = f"NULLIF(trim(c{position[f.name]}), '')" if f.name in position else "CAST(NULL AS VARCHAR)"
        raw_cols.append(f"{src} AS {ident('r_' + f.name)}")
    extras = [(h, i) for i, (h, m) in enumerate(zip(headers, mapped, strict=True)) if m is None]
    extra_sql = (
        f"MAP([{', '.join(lit(h) for h, _ in extras)}], [{', '.join(f'c{i}' for _, i in extras)}])"
        if extras
        else "CAST(NULL AS MAP(VARCHAR, VARCHAR))"
    )
    all_raw = ", ".join(f"c{i}" for i in range(len(headers)))
    numeric = [f for f in spec.fields if f.kind in NUMERIC_KINDS]
    n_cols = "".join(f", {numeric_sql(column_names(f)[0])} AS {column_names(f)[1]}" for f in numeric)
    t_cols = ", ".join(f"{typed_sql(f, *column_names(f)[:2])} AS {column_names(f)[2]}" for f in spec.fields)
    checks = feed_checks(spec)
    bad = " OR ".join(f"coalesce({c.condition}, false)" for _, c in checks) or "false"

    def pipeline(source: str) -> str:
        # raw text (r_) → numeric reading (n_) → typed value (t_) → the row's verdict (__bad)
        return (
            f"SELECT *, ({bad}) AS __bad FROM (SELECT *, {t_cols} FROM ("
            f"SELECT __line, {', '.join(raw_cols)}, {extra_sql} AS __extra{n_cols} FROM {source}))"
        )

    for f in spec.fields:
        if f.kind == "uscc" and f.name in position:
            con.execute(check_sql(uscc_side_table_sql(f, f"NULLIF(trim(c{position[f.name]}), '')", "stg")))
        elif f.kind == "uscc":
            con.execute(f"CREATE OR REPLACE TEMP TABLE {uscc_side_table(f)} (v VARCHAR, reason VARCHAR)")
    # Exact duplicates: a hash aggregate over the raw cells finds candidates cheaply; the exact
    # comparison then runs on the candidates only. Every copy after the first, in line order, is bad.
    con.execute(
        check_sql(
            f"CREATE OR REPLACE TEMP TABLE dup AS SELECT unnest(list_sort(list(__line))[2:]) AS __line "
            f"FROM stg WHERE hash({all_raw}) IN (SELECT hash({all_raw}) FROM stg GROUP BY 1 HAVING count(*) > 1) "
            f"GROUP BY {all_raw} HAVING count(*) > 1"
        )
    )
    # One pass types every row and gives its verdict (kept in memory, typed columns only); the good rows
    # are then copied into the feed table, and the bad ones re-examined for their reasons.
    typed = ", ".join(column_names(f)[2] for f in spec.fields)
    con.execute(
        check_sql(
            f"CREATE OR REPLACE TEMP TABLE typed AS SELECT __line, {typed}, __extra, __bad FROM ({pipeline('stg')})"
        )
    )
    con.execute(
        check_sql(
            "CREATE OR REPLACE TEMP TABLE badlines AS SELECT __line FROM typed WHERE __bad UNION SELECT __line FROM dup"
        )
    )
    cols = ", ".join(f.name for f in spec.fields)
    con.execute(
        check_sql(
            f"INSERT INTO {spec.name} ({cols}, _load_id, _line, _extra) "
            f"SELECT {typed}, {load_id}, __line, __extra FROM typed "
            f"WHERE NOT __bad AND __line NOT IN (SELECT __line FROM dup)"
        )
    )
    con.execute(
        check_sql(
            f"CREATE OR REPLACE TEMP TABLE chk AS {pipeline('(SELECT * FROM stg WHERE __line IN (SELECT __line FROM badlines))')}"
        )
    )
    parts = [
        f"SELECT __line AS line, {lit(f.name)} AS field, CAST({column_names(f)[0]} AS VARCHAR) AS value, "
        f"{lit(c.reason_code)} AS reason_code, {c.message} AS message FROM chk WHERE coalesce({c.condition}, false)"
        for f, c in checks
    ]
    parts.append(
        "SELECT __line, NULL, NULL, 'duplicate_row', "
        "concat('与本文件中较早的一行完全相同 (exact duplicate of an earlier row)') FROM dup"
    )
    union = " UNION ALL ".join(parts)
    con.execute(
        check_sql(
            f"INSERT INTO quarantine SELECT {load_id}, {lit(spec.name)}, {lit(file_name)}, line, field, value, "
            f"reason_code, message FROM ({union}) ORDER BY line, field"
        )
    )


def _insert_structural(
    con: duckdb.DuckDBPyConnection,
    spec: FeedSpec,
    rejects: list[tuple[int, str, int | None, str]],
    load_id: int,
    file_name: str,
    ncols: int,
) -> None:
    rows = []
    for line, raw, n, code in rejects:
        if code == "column_count":
            found = f"，实际为{n}列" if n is not None else ""
            msg = f"列数不符：表头有{ncols}列{found} (wrong number of columns)"
            rows.append((load_id, spec.name, file_name, line, None, raw, "column_count", msg))
        else:
            msg = f"无法解析的行（{code}），请检查引号和分隔符 (malformed CSV row)"
            rows.append((load_id, spec.name, file_name, line, None, raw, "malformed_row", msg))
    if rows:
        con.executemany("INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def quarantine_report_path(home: Path, load_id: int, file_name: str) -> Path:
    """Where the quarantine report of a load is written (a load with no quarantined row has none)."""
    return home / "quarantine" / f"load-{load_id:05d}-{Path(file_name).stem}.csv"


def _write_quarantine_report(con: duckdb.DuckDBPyConnection, home: Path, load_id: int, file_name: str) -> None:
    """The per-load CSV report an official opens in Excel (UTF-8 with BOM so Excel shows Chinese)."""
    n = con.execute("SELECT count(*) FROM quarantine WHERE load_id = ?", [load_id]).fetchone()
    if not n or not n[0]:
        return
    out = quarantine_report_path(home, load_id, file_name)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = con.execute(
        "SELECT feed, file_name, line, field, value, reason_code, message FROM quarantine "
        "WHERE load_id = ? ORDER BY line, field",
        [load_id],
    ).fetchall()
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["feed", "file", "line", "field", "value", "reason_code", "message"])
        w.writerows(rows)
    tmp.replace(out)
