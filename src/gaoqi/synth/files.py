"""The delivered files: which file carries which feed, encoding, header language, date, money and period
styles and planted defects (:data:`FILE_PLANS`), and the writer that formats and plants them."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

import numpy as np

from gaoqi.engine.feeds import FeedSpec, FieldSpec, feed_spec
from gaoqi.engine.uscc import ALPHABET
from gaoqi.synth import pools
from gaoqi.synth.config import I64, ORD_MAX, ORD_MIN, Cell, Column, Row, SynthConfig, SynthFile


# --------------------------------------------------------------------------------------------------
# The delivered files
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FilePlan:
    name: str
    feed: str
    encoding: str | None  # None for xlsx
    header: str  # "en" | "zh"
    date_style: str = "iso"  # "iso" | "slash" | "cn" | "mixed" (per row)
    enum_lang: str = "en"  # "en" | "zh" | "mixed"
    money_style: str = "fixed2"  # "fixed2" | "trim" | "thousands" (some rows with separators)
    period_style: str = "dash"  # "dash" | "compact" | "cn" | "mixed"
    columns: tuple[str, ...] | None = None  # delivered column order; None = schema order
    extra: str | None = None  # header of an extra, non-schema column (kept by the loader)
    defects: tuple[str, ...] = ()
    newline: str = "\n"

    @property
    def file_format(self) -> str:
        return "xlsx" if self.encoding is None else "csv"


FILE_PLANS: tuple[FilePlan, ...] = (
    FilePlan(
        "registration_2026-03.csv",
        "registration",
        "utf-8-sig",
        "zh",
        date_style="mixed",
        enum_lang="zh",
        money_style="trim",
        extra="备注",
        defects=("duplicate_row",),
    ),
    FilePlan("name_change.csv", "name_change", "gb18030", "zh", date_style="cn", newline="\r\n"),
    # The oldest finance delivery predates the optional tax_district_code column (issue 15): it has none.
    FilePlan(
        "finance_2024-06.csv",
        "finance",
        "utf-8",
        "en",
        columns=(
            "uscc",
            "fiscal_year",
            "sales_revenue",
            "total_revenue",
            "non_taxable_revenue",
            "total_costs",
            "total_assets",
            "total_liabilities",
            "tax_paid",
        ),
        defects=("negative_value", "not_a_number", "uscc_check_character", "duplicate_row", "column_count"),
    ),
    FilePlan(
        "finance_2025-06.csv",
        "finance",
        "gb18030",
        "zh",
        money_style="trim",
        newline="\r\n",
        defects=("negative_value", "not_a_number", "column_count", "duplicate_row"),
    ),
    FilePlan(
        "finance_2026-03.csv",
        "finance",
        "utf-8",
        "en",
        money_style="thousands",
        extra="remark",
        defects=("not_a_number", "duplicate_row", "negative_value"),
    ),
    FilePlan(
        "rd_2021-2025.csv",
        "rd",
        "utf-8-sig",
        "en",
        columns=(
            "fiscal_year",
            "uscc",
            "rd_expense",
            "rd_expense_domestic",
            "ht_revenue",
            "staff_count",
            "st_staff_count",
            "results_commercialized",
        ),
        defects=("negative_value", "not_a_number", "uscc_check_character", "column_count", "duplicate_row"),
    ),
    FilePlan(
        "social_insurance_2025.csv",
        "social_insurance",
        "utf-8",
        "en",
        period_style="dash",
        defects=("uscc_check_character", "negative_value", "duplicate_row", "column_count"),
    ),
    FilePlan(
        "social_insurance_2026-01.csv",
        "social_insurance",
        "gb18030",
        "zh",
        period_style="mixed",
        newline="\r\n",
        defects=("column_count", "negative_value"),
    ),
    FilePlan(
        "ip-batch1.csv",
        "ip",
        "utf-8",
        "en",
        date_style="iso",
        enum_lang="zh",
        defects=("invalid_date", "duplicate_row", "column_count"),
    ),
    FilePlan(
        "ip-batch2.csv",
        "ip",
        "gb18030",
        "zh",
        date_style="cn",
        enum_lang="zh",
        newline="\r\n",
        defects=("invalid_date", "column_count"),
    ),
    FilePlan(
        "ip-batch3.csv",
        "ip",
        "utf-8-sig",
        "zh",
        date_style="mixed",
        enum_lang="mixed",
        extra="备注",
        defects=("invalid_date", "duplicate_row"),
    ),
    # In the workbooks the last column is always filled: a reader that trims trailing empty cells must
    # not see a short row where the sheet has none.
    FilePlan(
        "credit.xlsx",
        "credit",
        None,
        "zh",
        date_style="mixed",
        enum_lang="zh",
        columns=("uscc", "event_type", "decided_date", "removed_date", "authority", "document_number"),
        defects=("uscc_check_character", "invalid_date", "duplicate_row"),
    ),
    FilePlan(
        "certificate_hte.csv",
        "certificate",
        "utf-8",
        "en",
        date_style="slash",
        defects=("invalid_date", "uscc_check_character", "column_count"),
    ),
    FilePlan(
        "certificate_tech_sme.xlsx",
        "certificate",
        None,
        "zh",
        date_style="iso",
        enum_lang="zh",
        columns=("uscc", "kind", "number", "issue_date", "expiry_date", "status"),
        defects=("invalid_date", "duplicate_row"),
    ),
    # The incubator roster and the incubation relations (科技部门): an unknown incubator code is planted in the
    # relations (the roster has no such body: quarantined as unknown_reference).
    FilePlan(
        "incubator_2026.csv",
        "incubator",
        "utf-8-sig",
        "zh",
        date_style="cn",
        enum_lang="zh",
        defects=("duplicate_row",),
    ),
    FilePlan(
        "incubation_2026-03.csv",
        "incubation",
        "gb18030",
        "zh",
        date_style="mixed",
        enum_lang="mixed",
        newline="\r\n",
        defects=("unknown_reference", "uscc_check_character", "invalid_date", "duplicate_row"),
    ),
    # The platform's own records (高企认定系统, ADR 0011/0029): renewal applications and annual development
    # reports, written clean by the platform (no planted defects), as certification/feed.py writes them.
    FilePlan("hte_application_高企认定系统.csv", "hte_application", "utf-8", "zh", enum_lang="en"),
    FilePlan("hte_annual_report_高企认定系统.csv", "hte_annual_report", "utf-8", "zh"),
)

#: Columns the schemas gained for the review signals (ADR 0035): delivered only by the opt-in applications world
#: (``SynthConfig.applications``), so that the default world's bytes do not change.
OPT_IN_COLUMNS: dict[str, tuple[str, ...]] = {
    "ip": ("transferor_name",),
    "finance": ("rd_deduction_base",),
    "hte_application": ("agent_name",),
}
#: Feeds only the applications world delivers.
OPT_IN_FEEDS: tuple[str, ...] = ("hte_rd_project",)
#: The applications world's own files (after FILE_PLANS): the R&D projects of the applications.
APPLICATION_PLANS: tuple[FilePlan, ...] = (
    FilePlan("hte_rd_project_高企认定系统.csv", "hte_rd_project", "utf-8", "zh"),
)


def _column(table: Table, f: FieldSpec) -> Column:
    col = table.cols.get(f.name)
    return _empty(f, table.n) if col is None else col


def _empty(f: FieldSpec, n: int) -> Column:
    """A column the table does not carry (an opt-in column left empty): empty text or missing numbers."""
    if f.kind in _TEXT_KINDS or f.kind == "enum":
        return [""] * n
    if f.kind in ("date", "period"):
        return np.zeros(n, dtype=np.int64)
    if f.kind in ("year", "integer"):
        return np.full(n, -1, dtype=np.int64)
    return np.full(n, np.nan, dtype=np.float64)


#: The code planted where a relation names no body of the roster.
UNKNOWN_INCUBATOR = "FH999999"


_BAD_DATES: tuple[tuple[int, int, int], ...] = (
    (2023, 2, 30),
    (2024, 13, 1),
    (2022, 4, 31),
    (2021, 2, 29),
    (2025, 6, 31),
    (2023, 0, 12),
    (2024, 11, 31),
)


_NUMERIC_KINDS = frozenset({"money", "count", "integer"})
_TEXT_KINDS = frozenset({"uscc", "text", "name", "district_code", "admin_code", "industry_code"})


@cache
def _date_strings(style: str) -> tuple[str, ...]:
    out: list[str] = []
    for o in range(ORD_MIN, ORD_MAX + 1):
        d = dt.date.fromordinal(o)
        if style == "iso":
            out.append(d.isoformat())
        elif style == "slash":
            out.append(f"{d.year}/{d.month}/{d.day}")
        else:
            out.append(f"{d.year}年{d.month}月{d.day}日")
    return tuple(out)


_DATE_STYLES = ("iso", "slash", "cn")
_PERIOD_STYLES = ("dash", "compact", "cn", "slash")


def _period_text(m: int, style: str) -> str:
    y, mo = divmod(m, 12)
    mo += 1
    if style == "dash":
        return f"{y}-{mo:02d}"
    if style == "compact":
        return f"{y}{mo:02d}"
    if style == "cn":
        return f"{y}年{mo}月"
    return f"{y}/{mo}"


def _bad_date(rng: np.random.Generator, style: str) -> str:
    y, m, d = _BAD_DATES[int(rng.integers(len(_BAD_DATES)))]
    if style == "iso":
        return f"{y}-{m:02d}-{d:02d}"
    if style == "slash":
        return f"{y}/{m}/{d}"
    return f"{y}年{m}月{d}日"


def _money_fixed(v: float) -> str:
    return f"{v:.2f}"


def _money_trim(v: float) -> str:
    s = f"{v:.2f}"
    if s.endswith("00"):
        return s[:-3]
    if s.endswith("0"):
        return s[:-1]
    return s


@dataclass
class Table:
    n: int
    cols: dict[str, Column]


@dataclass
class Defect:
    feed: str
    file: str
    line: int
    reason_code: str


class FileWriter:
    """One delivered file: formats typed columns the way this file's department does, plants the
    malformed rows of its plan and records them with their physical line."""

    def __init__(self, out_dir: Path, plan: FilePlan, cfg: SynthConfig, sink: list[Defect]) -> None:
        self.plan = plan
        self.cfg = cfg
        self.sink = sink
        self.spec: FeedSpec = feed_spec(plan.feed)
        names = plan.columns or tuple(
            c for c in self.spec.field_names if cfg.applications or c not in OPT_IN_COLUMNS.get(plan.feed, ())
        )
        self.fields: tuple[FieldSpec, ...] = tuple(self.spec.field(c) for c in names)
        self.rows = 0
        #: the applications world's edit of a table before it is formatted (None: the default world)
        self.patch: Callable[[FilePlan, Table], Table] | None = None
        self.pending: set[str] = set(plan.defects)  # kinds still to be planted at least once
        self.path = out_dir / plan.name
        header = [f.title if plan.header == "zh" else f.name for f in self.fields]
        if plan.extra is not None:
            header.append(plan.extra)
        idx = {f.name: i for i, f in enumerate(self.fields)}
        self.uscc_col = idx.get("uscc")
        self.numeric_cols = [i for i, f in enumerate(self.fields) if f.kind in _NUMERIC_KINDS]
        self.date_cols = [i for i, f in enumerate(self.fields) if f.kind == "date"]
        self._fh: IO[str] | None = None
        self._csv: Any = None
        self._wb: Any = None
        self._ws: Any = None
        if plan.encoding is None:
            from openpyxl import Workbook

            self._wb = Workbook(write_only=True)
            self._wb.properties.creator = "gaoqi synth"
            self._wb.properties.created = dt.datetime(2026, 3, 31)
            self._ws = self._wb.create_sheet(self.spec.title)
            self._ws.append(header)
        else:
            self._fh = self.path.open("w", encoding=plan.encoding, newline="")
            self._csv = csv.writer(self._fh, lineterminator=plan.newline)
            self._csv.writerow(header)

    # -- formatting -------------------------------------------------------------------------------
    def _format(self, f: FieldSpec, col: Column, n: int, row_style: I64, rng: np.random.Generator) -> list[Cell]:
        plan = self.plan
        k = f.kind
        if k in _TEXT_KINDS:
            assert isinstance(col, list)
            return list(col)
        if k == "enum":
            assert isinstance(col, list)
            if plan.enum_lang == "en":
                return list(col)
            first = {c: a[0] for c, a in f.aliases.items()}
            if plan.enum_lang == "zh":
                return [first.get(v, v) for v in col]
            choices = {c: (c, *a) for c, a in f.aliases.items()}
            pick = rng.integers(0, 1 << 30, n).tolist()
            return [(choices[v][p % len(choices[v])] if v in choices else v) for v, p in zip(col, pick, strict=True)]
        assert isinstance(col, np.ndarray)
        if k == "date":
            vals = col.tolist()
            if plan.date_style == "mixed":
                tables = [_date_strings(s) for s in _DATE_STYLES]
                out: list[Cell] = [
                    (tables[s][o - ORD_MIN] if o > 0 else "") for o, s in zip(vals, row_style.tolist(), strict=True)
                ]
            else:
                table = _date_strings(plan.date_style)
                out = [(table[o - ORD_MIN] if o > 0 else "") for o in vals]
            if plan.encoding is None:  # a workbook: about half the dates are real Excel dates
                as_date = (rng.random(n) < 0.5).tolist()
                out = [
                    (dt.date.fromordinal(o) if (a and o > 0) else s) for s, o, a in zip(out, vals, as_date, strict=True)
                ]
            return out
        if k == "period":
            vals = col.tolist()
            if plan.period_style == "mixed":
                return [
                    _period_text(m, _PERIOD_STYLES[1 + s % 3]) for m, s in zip(vals, row_style.tolist(), strict=True)
                ]
            return [_period_text(m, plan.period_style) for m in vals]
        if k == "money":
            vals = col.tolist()
            if plan.money_style == "trim":
                return [("" if v != v else _money_trim(v)) for v in vals]
            if plan.money_style == "thousands":
                sep = (rng.random(n) < 0.3).tolist()
                return [("" if v != v else (f"{v:,.2f}" if s else f"{v:.2f}")) for v, s in zip(vals, sep, strict=True)]
            return [("" if v != v else _money_fixed(v)) for v in vals]
        if k == "count":
            return [("" if v != v else _money_trim(v)) for v in col.tolist()]
        # year, integer: -1 is empty
        return [("" if v < 0 else str(v)) for v in col.tolist()]

    # -- writing ----------------------------------------------------------------------------------
    def write(self, table: Table, rng: np.random.Generator) -> None:
        if self.patch is not None:
            table = self.patch(self.plan, table)
        n = table.n
        if n == 0:
            return
        row_style = rng.integers(0, 3, n).astype(np.int64)
        cols = [self._format(f, _column(table, f), n, row_style, rng) for f in self.fields]
        if self.plan.extra is not None:
            pick = rng.integers(0, 100, n).tolist()
            cols.append([(pools.REMARKS[p % len(pools.REMARKS)] if p < 8 else "") for p in pick])
        rows: list[Row] = list(zip(*cols, strict=True))
        out = self._plant(rows, rng)
        if self._ws is not None:
            for r in out:
                self._ws.append(list(r))
        else:
            self._csv.writerows(out)
        self.rows += len(out)

    def _plant(self, rows: list[Row], rng: np.random.Generator) -> list[Row]:
        n = len(rows)
        used: set[int] = set()
        reason: dict[int, str] = {}
        dups: dict[int, list[int]] = {}  # insert after position -> source positions
        for kind in self.plan.defects:
            k = int(rng.binomial(n, self.cfg.defect_rate))
            if kind in self.pending:
                k = max(k, 1)
            for _ in range(k):
                for _attempt in range(40):
                    i = int(rng.integers(n))
                    if i in used:
                        continue
                    new = self._mutate(rows[i], kind, rng)
                    if new is None:
                        continue
                    used.add(i)
                    if kind == "duplicate_row":
                        after = min(n - 1, i + int(rng.integers(0, 60)))
                        dups.setdefault(after, []).append(i)
                    else:
                        rows[i] = new
                        reason[i] = kind
                    self.pending.discard(kind)
                    break
        if not reason and not dups:
            return rows
        out: list[Row] = []
        base = self.rows + 2  # line of the first row of this batch
        feed, name = self.plan.feed, self.plan.name
        for i, r in enumerate(rows):
            if i in reason:
                self.sink.append(Defect(feed, name, base + len(out), reason[i]))
            out.append(r)
            for src in dups.get(i, ()):
                self.sink.append(Defect(feed, name, base + len(out), "duplicate_row"))
                out.append(rows[src])
        return out

    def _mutate(self, row: Row, kind: str, rng: np.random.Generator) -> Row | None:
        """The row with one planted defect of ``kind``, or None when the row cannot carry it."""
        cells = list(row)
        if kind == "duplicate_row":
            return row
        if kind == "column_count":
            if self.plan.encoding is None:
                return None
            r = rng.random()
            if r < 0.4:  # a cell left out
                del cells[int(rng.integers(1, len(cells)))]
                return tuple(cells)
            if r < 0.8:  # an amount with an unquoted thousands separator: "1,234.56" splits in two
                big = [i for i in self.numeric_cols if isinstance(cells[i], str) and _int_digits(str(cells[i])) > 3]
                if big:
                    i = big[int(rng.integers(len(big)))]
                    s = str(cells[i])
                    cut = _int_digits(s) - 3
                    cells[i : i + 1] = [s[:cut], s[cut:]]
                    return tuple(cells)
            cells.append("")  # a trailing delimiter: one empty cell too many
            return tuple(cells)
        if kind == "uscc_check_character":
            if self.uscc_col is None:
                return None
            code = cells[self.uscc_col]
            if not isinstance(code, str) or len(code) != 18:
                return None
            wrong = [c for c in ALPHABET if c != code[17]]
            cells[self.uscc_col] = code[:17] + wrong[int(rng.integers(len(wrong)))]
            return tuple(cells)
        if kind == "negative_value":
            options = [i for i in self.numeric_cols if _positive(cells[i])]
            if not options:
                return None
            i = options[int(rng.integers(len(options)))]
            cells[i] = "-" + str(cells[i])
            return tuple(cells)
        if kind == "not_a_number":
            if not self.numeric_cols:
                return None
            i = self.numeric_cols[int(rng.integers(len(self.numeric_cols)))]
            cells[i] = pools.NOT_NUMBERS[int(rng.integers(len(pools.NOT_NUMBERS)))]
            return tuple(cells)
        if kind == "invalid_date":
            options = [i for i in self.date_cols if cells[i] != ""]
            if not options:
                return None
            i = options[int(rng.integers(len(options)))]
            style = self.plan.date_style if self.plan.date_style != "mixed" else _DATE_STYLES[int(rng.integers(3))]
            cells[i] = _bad_date(rng, style)
            return tuple(cells)
        if kind == "unknown_reference":
            refs = [i for i, f in enumerate(self.fields) if f.references is not None]
            if not refs:
                return None
            cells[refs[0]] = UNKNOWN_INCUBATOR
            return tuple(cells)
        raise ValueError(kind)

    def close(self) -> SynthFile:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._wb is not None:
            self._wb.save(self.path)
            self._wb = None
            _normalise_xlsx(self.path)
        return SynthFile(self.plan.name, self.plan.feed, self.rows, self.plan.encoding, self.plan.file_format)

    def abort(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        self._wb = None


def _int_digits(s: str) -> int:
    """Digits before the decimal point of a plain number ("12345.6" -> 5); 0 when not one."""
    head = s.split(".", 1)[0]
    return len(head) if head.isdigit() else 0


def _positive(cell: Cell) -> bool:
    if not isinstance(cell, str) or cell == "":
        return False
    try:
        return float(cell.replace(",", "")) > 0
    except ValueError:
        return False


_FIXED_ZIP_TIME = (2026, 3, 31, 0, 0, 0)
_CORE_TIME = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def _normalise_xlsx(path: Path) -> None:
    """Rewrite a workbook with fixed timestamps (zip entries and document properties) so that the
    same seed gives the same bytes."""
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            if info.filename == "docProps/core.xml":
                data = _CORE_TIME.sub(rb"\g<1>2026-03-31T00:00:00Z\g<2>", zin.read(info))
                zout.writestr(zi, data)
            else:
                with zin.open(info) as src, zout.open(zi, "w", force_zip64=info.file_size > (1 << 30)) as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    tmp.replace(path)
