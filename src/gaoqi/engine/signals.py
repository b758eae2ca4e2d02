"""Review signals (审查提示信号, issue 16, ADR 0035): signs of a bought or padded HTE application, for reviewers.

A signal is a prompt to look, never a verdict. ``review_signals(con, as_of, batch_year, params)`` returns one
``ReviewSignal`` per applicant and finding, with its evidence (feed, file and physical line of every row behind
it). Applicants: enterprises with a row of the ``hte_application`` feed for the batch year, status in_review or
certified, submitted on or before as_of.

Every signal but the near-duplicate texts is one set-based SQL statement over the current views
(``<feed>_cur``, ``ip_link``), written in DuckDB's dialect and parsed by SQLGlot before it runs (as the warning
rules are); ``rd_near_duplicate`` reads the applicants' R&D project texts and compares them with datasketch's
MinHash LSH over character shingles, every candidate pair confirmed by its exact Jaccard similarity.
The thresholds are data: ``policies/signals/signals.yaml`` (``load_signal_params``).
"""

from __future__ import annotations

import os
import re
import time
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import duckdb

from gaoqi.engine.features.declare import date_lit
from gaoqi.engine.features.ip import IP_ACQUIRED, ip_countable_sql
from gaoqi.engine.lazy import LazyModule
from gaoqi.engine.names import install_sql_macros
from gaoqi.engine.rules.evaluate import default_policy_dir
from gaoqi.engine.validate import lit

if TYPE_CHECKING:
    import sqlglot
    import yaml
else:  # imported on first use (gaoqi.engine.lazy)
    sqlglot = LazyModule("sqlglot", globals(), "sqlglot")
    yaml = LazyModule("yaml", globals(), "yaml")

#: kind → Chinese label, in the order signals are reported.
REVIEW_SIGNAL_KINDS: Mapping[str, str] = MappingProxyType({
    "ip_transfer_recent": "申请前集中受让知识产权",
    "transferor_many": "同一转让人向多家申请企业转让知识产权",
    "rd_near_duplicate": "研发项目文本跨企业高度雷同",
    "st_staff_above_insured": "科技人员数超过参保人数",
    "rd_vs_deduction": "研发费用与加计扣除归集额不一致",
    "shared_contact": "多家申请企业共用地址、电话或代理机构",
})  # fmt: skip

#: shared_contact's evidence: what is shared (the first evidence item's label says which).
SHARED_WHAT: Mapping[str, str] = MappingProxyType(
    {"address": "共用地址", "phone": "共用电话", "agent": "共用申报代理机构"}
)

IP_TYPE_LABELS: Mapping[str, str] = MappingProxyType({
    "invention_patent": "发明专利", "utility_model": "实用新型专利", "design": "外观设计专利",
    "software_copyright": "软件著作权", "ic_layout": "集成电路布图设计", "plant_variety": "植物新品种",
    "new_drug": "国家新药", "trademark": "商标",
})  # fmt: skip
ACQUISITION_LABELS: Mapping[str, str] = MappingProxyType({"transfer": "受让", "gift": "受赠", "merger": "并购"})

APPLICANT_STATUSES: tuple[str, ...] = ("in_review", "certified")


@dataclass(frozen=True)
class SignalEvidence:
    """One fact behind a signal: a label (Chinese), its value, and where it came from (``feed``/``file_name``/
    ``line``: the physical line of the source row, header = line 1; all None for a computed value)."""

    label: str
    value: str
    feed: str | None
    file_name: str | None
    line: int | None


@dataclass(frozen=True)
class ReviewSignal:
    """One signal on one applicant: ``kind`` (a key of REVIEW_SIGNAL_KINDS), one Chinese sentence with the
    numbers, the evidence, and the other applicants involved (same transferor, copied project, shared contact)."""

    uscc: str
    batch_year: int
    kind: str
    summary: str
    evidence: tuple[SignalEvidence, ...]
    related_usccs: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignalSpec:
    """One signal kind as the parameters file declares it."""

    kind: str
    label: str
    articles: tuple[str, ...]
    guards: str
    parameters: Mapping[str, Any]  # name → value (typed)
    unconfirmed: frozenset[str]  # the parameters marked unconfirmed (DEFAULT)


@dataclass(frozen=True)
class SignalParams:
    """The thresholds of every signal (``policies/signals/signals.yaml``)."""

    file: str
    valid_from: date
    signals: Mapping[str, SignalSpec] = field(default_factory=dict)
    # the typed values, one attribute each
    ip_transfer_window_days: int = 365
    ip_transfer_acquisitions: tuple[str, ...] = ("transfer",)
    transferor_min_applicants: int = 3
    transferor_acquisitions: tuple[str, ...] = ("transfer", "gift")
    rd_jaccard_min: float = 0.8
    rd_shingle_chars: int = 3
    rd_num_perm: int = 128
    rd_lsh_threshold: float = 0.65
    st_staff_min_excess: Decimal = Decimal(1)
    rd_max_excess_share: Decimal = Decimal("0.30")
    shared_min_applicants: int = 5
    shared_phone_min_digits: int = 7


class SignalParamsError(ValueError):
    """The parameters file is wrong (the message names the file and the item)."""


def default_signals_file() -> Path:
    """``$GAOQI_SIGNALS``, else ``signals/signals.yaml`` under the policy directory."""
    env = os.environ.get("GAOQI_SIGNALS")
    return Path(env) if env else default_policy_dir() / "signals" / "signals.yaml"


# name → (kind, parameter, type)
_PARAMS: dict[str, tuple[str, str, str]] = {
    "ip_transfer_window_days": ("ip_transfer_recent", "window_days", "int"),
    "ip_transfer_acquisitions": ("ip_transfer_recent", "acquisitions", "acquisitions"),
    "transferor_min_applicants": ("transferor_many", "min_applicants", "int"),
    "transferor_acquisitions": ("transferor_many", "acquisitions", "acquisitions"),
    "rd_jaccard_min": ("rd_near_duplicate", "jaccard_min", "ratio"),
    "rd_shingle_chars": ("rd_near_duplicate", "shingle_chars", "int"),
    "rd_num_perm": ("rd_near_duplicate", "num_perm", "int"),
    "rd_lsh_threshold": ("rd_near_duplicate", "lsh_threshold", "ratio"),
    "st_staff_min_excess": ("st_staff_above_insured", "min_excess", "decimal"),
    "rd_max_excess_share": ("rd_vs_deduction", "max_excess_share", "decimal"),
    "shared_min_applicants": ("shared_contact", "min_applicants", "int"),
    "shared_phone_min_digits": ("shared_contact", "phone_min_digits", "int"),
}


def _typed(where: str, kind: str, value: Any) -> Any:
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise SignalParamsError(f"{where}: a whole number ≥ 1, not {value!r}")
        return value
    if kind == "ratio":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise SignalParamsError(f"{where}: a number in (0, 1], not {value!r}")
        return float(value)
    if kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise SignalParamsError(f"{where}: a number ≥ 0, not {value!r}")
        return Decimal(str(value))
    if kind == "acquisitions":
        if not isinstance(value, list) or not value or any(v not in IP_ACQUIRED for v in value):
            raise SignalParamsError(f"{where}: a list of {', '.join(IP_ACQUIRED)}, not {value!r}")
        return tuple(str(v) for v in value)
    raise AssertionError(kind)


def load_signal_params(path: Path | None = None) -> SignalParams:
    """The signals' parameters (default: ``default_signals_file()``), checked: every kind of
    REVIEW_SIGNAL_KINDS present with its label, articles and parameters (typed); ``SignalParamsError`` names
    the file and the item otherwise."""
    p = Path(path) if path is not None else default_signals_file()
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise SignalParamsError(f"{p}: {e}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("signals"), dict):
        raise SignalParamsError(f"{p}: a mapping with 'signals' expected")
    valid_from = doc.get("valid_from")
    if not isinstance(valid_from, date):
        raise SignalParamsError(f"{p}: valid_from: a date (YYYY-MM-DD) expected")
    raw: dict[str, Any] = doc["signals"]
    unknown = sorted(set(raw) - set(REVIEW_SIGNAL_KINDS))
    missing = [k for k in REVIEW_SIGNAL_KINDS if k not in raw]
    if unknown or missing:
        raise SignalParamsError(f"{p}: unknown signals {unknown}, missing {missing}")
    specs: dict[str, SignalSpec] = {}
    for kind, item in raw.items():
        where = f"{p}: signals.{kind}"
        if not isinstance(item, dict) or not isinstance(item.get("parameters"), dict):
            raise SignalParamsError(f"{where}: a mapping with parameters expected")
        articles = item.get("articles")
        if not isinstance(articles, list) or not articles or not all(isinstance(a, str) and a for a in articles):
            raise SignalParamsError(f"{where}.articles: a non-empty list of articles expected")
        params: dict[str, Any] = {}
        unconfirmed: set[str] = set()
        for name, prm in item["parameters"].items():
            if not isinstance(prm, dict) or "value" not in prm or not isinstance(prm.get("label"), str):
                raise SignalParamsError(f"{where}.parameters.{name}: {{value, label}} expected")
            if not isinstance(prm.get("since"), date):
                raise SignalParamsError(f"{where}.parameters.{name}.since: a date expected")
            params[name] = prm["value"]
            if prm.get("unconfirmed", False):
                unconfirmed.add(name)
        specs[kind] = SignalSpec(
            kind=kind,
            label=str(item.get("label") or REVIEW_SIGNAL_KINDS[kind]),
            articles=tuple(articles),
            guards=" ".join(str(item.get("guards", "")).split()),
            parameters=MappingProxyType(params),
            unconfirmed=frozenset(unconfirmed),
        )
    values: dict[str, Any] = {}
    for attr, (kind, name, type_) in _PARAMS.items():
        if name not in specs[kind].parameters:
            raise SignalParamsError(f"{p}: signals.{kind}.parameters.{name} missing")
        values[attr] = _typed(f"{p}: signals.{kind}.parameters.{name}", type_, specs[kind].parameters[name])
    return SignalParams(file=str(p), valid_from=valid_from, signals=MappingProxyType(specs), **values)


# ------------------------------------------------------------------------------------------------------
# SQL


def _checked(sql: str) -> str:
    """``sql`` parsed by SQLGlot (DuckDB dialect) before it runs: a malformed statement fails here."""
    sqlglot.parse_one(sql, dialect="duckdb")
    return sql


def applicants_sql(as_of: date, batch_year: int, *, agent: bool = True) -> str:
    """The batch's applicants: one row per enterprise (the feed's key is uscc, batch_year). ``agent``: whether
    ``hte_application_cur`` has the (optional, later) ``agent_name`` column; without it, NULL."""
    statuses = ", ".join(lit(s) for s in APPLICANT_STATUSES)
    agent_name = "a.agent_name" if agent else "CAST(NULL AS VARCHAR) AS agent_name"
    return f"""
        SELECT a.uscc, a.batch_year, a.submitted_date, {agent_name}, a._load_id, a._line
        FROM hte_application_cur a
        WHERE a.batch_year = {int(batch_year)} AND a.status IN ({statuses}) AND a.submitted_date <= {date_lit(as_of)}"""


def _in(values: Sequence[str]) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"


def ip_transfer_sql(
    as_of: date, batch_year: int, params: SignalParams, *, agent: bool = True, transferor: bool = True
) -> str:
    """Counted IP acquired (transfer) within ``window_days`` before the application's submission: one row per
    applicant and record."""
    return _checked(f"""
        WITH apps AS ({applicants_sql(as_of, batch_year, agent=agent)})
        SELECT a.uscc, a.submitted_date, a._load_id AS app_load_id, a._line AS app_line,
               i.ip_number, i.ip_type, i.acquisition, i.acquired_date,
               {"i.transferor_name" if transferor else "CAST(NULL AS VARCHAR) AS transferor_name"},
               i._load_id, i._line, DATE_DIFF('day', i.acquired_date, a.submitted_date) AS days
        FROM apps a
        JOIN ip_link l ON l.uscc = a.uscc
        JOIN ip_cur i ON i.ip_number = l.ip_number
        WHERE {ip_countable_sql(as_of)}
          AND i.acquisition IN {_in(params.ip_transfer_acquisitions)}
          AND i.acquired_date IS NOT NULL AND i.acquired_date <= a.submitted_date
          AND DATE_DIFF('day', i.acquired_date, a.submitted_date) <= {int(params.ip_transfer_window_days)}
        ORDER BY a.uscc, i.acquired_date, i.ip_number""")


def transferor_sql(as_of: date, batch_year: int, params: SignalParams, *, agent: bool = True) -> str:
    """Counted IP acquired from a transferor (normalised name) who fed ≥ ``min_applicants`` applicants: one row
    per applicant and record, with the transferor's applicants."""
    return _checked(f"""
        WITH apps AS ({applicants_sql(as_of, batch_year, agent=agent)}),
        t AS (
            SELECT a.uscc, i.ip_number, i.ip_type, i.acquired_date, i.transferor_name, i._load_id, i._line,
                   normalize_company_name(trim(i.transferor_name)) AS transferor_key
            FROM apps a
            JOIN ip_link l ON l.uscc = a.uscc
            JOIN ip_cur i ON i.ip_number = l.ip_number
            WHERE {ip_countable_sql(as_of)}
              AND i.acquisition IN {_in(params.transferor_acquisitions)}
              AND NULLIF(trim(i.transferor_name), '') IS NOT NULL
              AND (i.acquired_date IS NULL OR i.acquired_date <= a.submitted_date)
        ),
        g AS (
            SELECT transferor_key, list(DISTINCT uscc ORDER BY uscc) AS applicants
            FROM t WHERE transferor_key <> ''
            GROUP BY transferor_key
            HAVING COUNT(DISTINCT uscc) >= {int(params.transferor_min_applicants)}
        )
        SELECT t.uscc, t.transferor_key, t.transferor_name, t.ip_number, t.ip_type, t.acquired_date,
               t._load_id, t._line, g.applicants
        FROM t JOIN g USING (transferor_key)
        ORDER BY t.transferor_key, t.uscc, t.ip_number""")


def st_staff_sql(as_of: date, batch_year: int, params: SignalParams, *, agent: bool = True) -> str:
    """S&T staff of the last fiscal year (batch year − 1) above that year's highest insured head count."""
    fy = int(batch_year) - 1
    return _checked(f"""
        WITH apps AS ({applicants_sql(as_of, batch_year, agent=agent)}),
        si AS (
            SELECT uscc, MAX(insured_count) AS insured_max,
                   ARG_MAX(period, insured_count) AS period, ARG_MAX(_load_id, insured_count) AS _load_id,
                   ARG_MAX(_line, insured_count) AS _line
            FROM social_insurance_cur
            WHERE period BETWEEN DATE '{fy}-01-01' AND DATE '{fy}-12-31' AND insured_count IS NOT NULL
            GROUP BY uscc
        )
        SELECT a.uscc, r.st_staff_count, r.staff_count, r._load_id AS rd_load_id, r._line AS rd_line,
               si.insured_max, si.period, si._load_id AS si_load_id, si._line AS si_line
        FROM apps a
        JOIN rd_cur r ON r.uscc = a.uscc AND r.fiscal_year = {fy}
        JOIN si ON si.uscc = a.uscc
        WHERE r.st_staff_count IS NOT NULL
          AND r.st_staff_count - si.insured_max >= {lit_decimal(params.st_staff_min_excess)}
        ORDER BY a.uscc""")


def rd_deduction_sql(as_of: date, batch_year: int, params: SignalParams, *, agent: bool = True) -> str:
    """R&D expense of the last fiscal year more than ``max_excess_share`` above the super-deduction base (or a
    base of zero while R&D expense is positive); missing either value raises nothing."""
    fy = int(batch_year) - 1
    share = lit_decimal(params.rd_max_excess_share)
    return _checked(f"""
        WITH apps AS ({applicants_sql(as_of, batch_year, agent=agent)})
        SELECT a.uscc, r.rd_expense, r._load_id AS rd_load_id, r._line AS rd_line,
               f.rd_deduction_base, f._load_id AS fin_load_id, f._line AS fin_line
        FROM apps a
        JOIN rd_cur r ON r.uscc = a.uscc AND r.fiscal_year = {fy}
        JOIN finance_cur f ON f.uscc = a.uscc AND f.fiscal_year = {fy}
        WHERE r.rd_expense IS NOT NULL AND f.rd_deduction_base IS NOT NULL
          AND ((f.rd_deduction_base = 0 AND r.rd_expense > 0)
               OR (f.rd_deduction_base > 0 AND r.rd_expense - f.rd_deduction_base > f.rd_deduction_base * {share}))
        ORDER BY a.uscc""")


#: address / phone / agent keys (SQL expressions over the applicants joined to their registration)
_ADDRESS_KEY = (
    "regexp_replace(regexp_replace(lower(trim(r.address)), '[\\s,，。．.、·\\-－—()（）#＃]', '', 'g'), "
    "'^(中国)?(北京市|北京)', '')"
)


def shared_contact_sql(as_of: date, batch_year: int, params: SignalParams, *, agent: bool = True) -> str:
    """Groups of ≥ ``min_applicants`` applicants sharing a normalised address, a phone number or an agent: one
    row per applicant and what it shares."""
    k = int(params.shared_min_applicants)
    return _checked(f"""
        WITH apps AS ({applicants_sql(as_of, batch_year, agent=agent)}),
        keys AS (
            SELECT a.uscc, 'address' AS what, {_ADDRESS_KEY} AS key, r.address AS value,
                   r._load_id, r._line
            FROM apps a JOIN registration_cur r ON r.uscc = a.uscc
            WHERE NULLIF(trim(r.address), '') IS NOT NULL
            UNION ALL
            SELECT a.uscc, 'phone', regexp_replace(r.phone, '[^0-9]', '', 'g'), r.phone, r._load_id, r._line
            FROM apps a JOIN registration_cur r ON r.uscc = a.uscc
            WHERE length(regexp_replace(r.phone, '[^0-9]', '', 'g')) >= {int(params.shared_phone_min_digits)}
            UNION ALL
            SELECT a.uscc, 'agent', normalize_company_name(trim(a.agent_name)), a.agent_name, a._load_id, a._line
            FROM apps a
            WHERE NULLIF(trim(a.agent_name), '') IS NOT NULL
        ),
        g AS (
            SELECT what, key, list(DISTINCT uscc ORDER BY uscc) AS members
            FROM keys WHERE key <> ''
            GROUP BY what, key
            HAVING COUNT(DISTINCT uscc) >= {k}
        )
        SELECT keys.uscc, keys.what, keys.key, keys.value, keys._load_id, keys._line, g.members
        FROM keys JOIN g USING (what, key)
        ORDER BY keys.what, keys.key, keys.uscc""")


def lit_decimal(value: Decimal) -> str:
    return f"CAST({lit(format(value, 'f'))} AS DECIMAL(18,4))"


def rd_projects_sql(as_of: date, batch_year: int, *, agent: bool = True) -> str:
    return _checked(f"""
        WITH apps AS ({applicants_sql(as_of, batch_year, agent=agent)})
        SELECT p.uscc, p.project_code, p.project_name, p.project_text, p._load_id, p._line
        FROM hte_rd_project_cur p JOIN apps a ON a.uscc = p.uscc
        WHERE p.batch_year = {int(batch_year)} AND NULLIF(trim(p.project_text), '') IS NOT NULL
        ORDER BY p.uscc, p.project_code""")


# ------------------------------------------------------------------------------------------------------
# Near-duplicate texts (datasketch MinHash LSH)

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def shingles(text: str, k: int) -> frozenset[str]:
    """The character k-shingles of a text after NFKC, lower case and with spaces and punctuation removed."""
    s = _DROP.sub("", unicodedata.normalize("NFKC", text).lower())
    if len(s) <= k:
        return frozenset({s}) if s else frozenset()
    return frozenset(s[i : i + k] for i in range(len(s) - k + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def _identity(value: int) -> int:
    return value


def near_duplicate_pairs(
    texts: Sequence[tuple[str, str]], *, threshold: float, k: int, num_perm: int, lsh_threshold: float | None = None
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, jaccard) of ``texts`` ((owner, text)) of different owners whose exact shingle Jaccard is
    ≥ ``threshold``, candidates found by MinHash LSH at ``lsh_threshold`` (default threshold − 0.15: lower than
    asked, so that a pair just above it is rarely missed for the estimate's noise; each candidate is then
    confirmed exactly, so a pair is never reported below ``threshold``)."""
    from datasketch import MinHash, MinHashLSH

    sets = [shingles(t, k) for _, t in texts]
    lsh_threshold = max(0.05, threshold - 0.15) if lsh_threshold is None else min(lsh_threshold, threshold)
    lsh = MinHashLSH(threshold=lsh_threshold, num_perm=num_perm)
    # each distinct shingle hashed once (CRC-32: deterministic, 32 bits as MinHash wants), then the integers
    # handed to MinHash as their own hash values
    vocab: dict[str, int] = {}
    hashed: list[list[int]] = []
    for sh in sets:
        row = []
        for s in sh:
            h = vocab.get(s)
            if h is None:
                h = vocab[s] = zlib.crc32(s.encode("utf-8"))
            row.append(h)
        hashed.append(row)
    sigs = MinHash.bulk(hashed, num_perm=num_perm, seed=1, hashfunc=_identity)
    for i, (sig, sh) in enumerate(zip(sigs, sets, strict=True)):
        if sh:
            lsh.insert(i, sig, check_duplication=False)
    out: list[tuple[int, int, float]] = []
    for i, (sig, sh) in enumerate(zip(sigs, sets, strict=True)):
        if not sh:
            continue
        for j in lsh.query(sig):
            jj = int(j)
            if jj <= i or texts[jj][0] == texts[i][0]:
                continue
            sim = jaccard(sh, sets[jj])
            if sim >= threshold:
                out.append((i, jj, sim))
    out.sort()
    return out


# ------------------------------------------------------------------------------------------------------
# Evaluation


def _has(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT 1 FROM information_schema.tables WHERE table_name = ?", [name]).fetchall())


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return bool(
        con.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = ? AND column_name = ?", [table, column]
        ).fetchall()
    )


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _num(v: Any) -> str:
    """A number as a reviewer reads it: 12, 12.5 (no trailing zeros)."""
    if v is None:
        return ""
    if isinstance(v, Decimal):
        s = format(v.normalize(), "f")
        return s
    return str(v)


class _Files:
    """The loads' files (evidence) and what the workspace's current views hold."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.agent = _has_column(con, "hte_application_cur", "agent_name")
        self.transferor = _has_column(con, "ip_cur", "transferor_name")
        self.by_load = {
            int(r[0]): (str(r[1]), str(r[2]))
            for r in con.execute("SELECT load_id, feed, file_name FROM loads").fetchall()
        }

    def ev(self, label: str, value: Any, load_id: Any, line: Any) -> SignalEvidence:
        feed, file = self.by_load.get(int(load_id), (None, None)) if load_id is not None else (None, None)
        return SignalEvidence(
            label=label,
            value=value
            if isinstance(value, str)
            else _num(value)
            if not isinstance(value, date)
            else value.isoformat(),
            feed=feed,
            file_name=file,
            line=None if line is None else int(line),
        )


def _ip_label(ip_type: Any) -> str:
    return IP_TYPE_LABELS.get(str(ip_type), str(ip_type))


def _ip_transfer(
    con: duckdb.DuckDBPyConnection, files: _Files, as_of: date, year: int, p: SignalParams
) -> list[ReviewSignal]:
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in _rows(con, ip_transfer_sql(as_of, year, p, agent=files.agent, transferor=files.transferor)):
        by[str(r["uscc"])].append(r)
    verb = "/".join(ACQUISITION_LABELS.get(a, a) for a in p.ip_transfer_acquisitions)
    out = []
    for uscc, recs in by.items():
        kinds: dict[str, int] = defaultdict(int)
        for r in recs:
            kinds[_ip_label(r["ip_type"])] += 1
        detail = "、".join(f"{k}{n}件" for k, n in kinds.items())
        first = recs[0]
        evidence = [files.ev("申请提交日期", first["submitted_date"], first["app_load_id"], first["app_line"])]
        for r in recs:
            how = ACQUISITION_LABELS.get(str(r["acquisition"]), str(r["acquisition"]))
            who = f"，转让人{r['transferor_name']}" if r["transferor_name"] else ""
            evidence.append(files.ev(
                f"{how}日期", f"{r['acquired_date'].isoformat()}（{_ip_label(r['ip_type'])} {r['ip_number']}，"
                f"申请前{r['days']}天{who}）", r["_load_id"], r["_line"]))  # fmt: skip
        out.append(ReviewSignal(
            uscc=uscc, batch_year=year, kind="ip_transfer_recent",
            summary=f"申请前{p.ip_transfer_window_days}天内{verb}知识产权{len(recs)}件（{detail}）并计入知识产权",
            evidence=tuple(evidence), related_usccs=()))  # fmt: skip
    return out


def _transferor(
    con: duckdb.DuckDBPyConnection, files: _Files, as_of: date, year: int, p: SignalParams
) -> list[ReviewSignal]:
    by: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in _rows(con, transferor_sql(as_of, year, p, agent=files.agent)):
        by[(str(r["uscc"]), str(r["transferor_key"]))].append(r)
    out = []
    for (uscc, _key), recs in by.items():
        first = recs[0]
        members = [str(u) for u in first["applicants"]]
        evidence = [SignalEvidence("转让人涉及申请企业数", str(len(members)), None, None, None)]
        for r in recs:
            when = r["acquired_date"].isoformat() if r["acquired_date"] else "未填"
            evidence.append(files.ev(
                "转让人", f"{r['transferor_name']}（{_ip_label(r['ip_type'])} {r['ip_number']}，取得日期{when}）",
                r["_load_id"], r["_line"]))  # fmt: skip
        out.append(ReviewSignal(
            uscc=uscc, batch_year=year, kind="transferor_many",
            summary=f"转让人“{first['transferor_name']}”向本批次{len(members)}家申请企业转让知识产权，"
            f"本企业受让{len(recs)}件",
            evidence=tuple(evidence), related_usccs=tuple(u for u in members if u != uscc)))  # fmt: skip
    return out


def _st_staff(
    con: duckdb.DuckDBPyConnection, files: _Files, as_of: date, year: int, p: SignalParams
) -> list[ReviewSignal]:
    out = []
    for r in _rows(con, st_staff_sql(as_of, year, p, agent=files.agent)):
        st, ins = r["st_staff_count"], r["insured_max"]
        evidence = (
            files.ev(f"{year - 1}年科技人员数", st, r["rd_load_id"], r["rd_line"]),
            files.ev(
                f"{year - 1}年最高参保人数（{r['period'].strftime('%Y-%m')}）", ins, r["si_load_id"], r["si_line"]
            ),
        )
        out.append(ReviewSignal(
            uscc=str(r["uscc"]), batch_year=year, kind="st_staff_above_insured",
            summary=f"{year - 1}年科技人员{_num(st)}人，超过当年最高参保人数{_num(ins)}人（多{_num(st - ins)}人）",
            evidence=evidence))  # fmt: skip
    return out


def _rd_deduction(
    con: duckdb.DuckDBPyConnection, files: _Files, as_of: date, year: int, p: SignalParams
) -> list[ReviewSignal]:
    out = []
    for r in _rows(con, rd_deduction_sql(as_of, year, p, agent=files.agent)):
        rd, base = r["rd_expense"], r["rd_deduction_base"]
        if base:
            gap = _num(((rd - base) / base * 100).quantize(Decimal("0.1")))
            summary = f"{year - 1}年申报研究开发费用{_num(rd)}万元，比加计扣除归集额{_num(base)}万元高出{gap}%"
        else:
            summary = f"{year - 1}年申报研究开发费用{_num(rd)}万元，而当年研发费用加计扣除归集额为0"
        evidence = (
            files.ev(f"{year - 1}年研究开发费用（万元）", rd, r["rd_load_id"], r["rd_line"]),
            files.ev(f"{year - 1}年研发费用加计扣除归集额（万元）", base, r["fin_load_id"], r["fin_line"]),
            SignalEvidence("允许超出比例上限", f"{_num((p.rd_max_excess_share * 100).normalize())}%", None, None, None),
        )
        out.append(ReviewSignal(
            uscc=str(r["uscc"]), batch_year=year, kind="rd_vs_deduction",
            summary=summary, evidence=evidence))  # fmt: skip
    return out


def _shared(
    con: duckdb.DuckDBPyConnection, files: _Files, as_of: date, year: int, p: SignalParams
) -> list[ReviewSignal]:
    out = []
    for r in _rows(con, shared_contact_sql(as_of, year, p, agent=files.agent)):
        what = str(r["what"])
        members = [str(u) for u in r["members"]]
        label = SHARED_WHAT[what]
        noun = {"address": "注册地址", "phone": "联系电话", "agent": "申报代理机构"}[what]
        evidence = (
            files.ev(label, r["value"], r["_load_id"], r["_line"]),
            SignalEvidence(f"{label}的申请企业数", str(len(members)), None, None, None),
        )
        out.append(ReviewSignal(
            uscc=str(r["uscc"]), batch_year=year, kind="shared_contact",
            summary=f"本批次{len(members)}家申请企业共用同一{noun}“{r['value']}”",
            evidence=evidence, related_usccs=tuple(u for u in members if u != str(r["uscc"]))))  # fmt: skip
    return out


def _near_duplicates(
    con: duckdb.DuckDBPyConnection, files: _Files, as_of: date, year: int, p: SignalParams
) -> list[ReviewSignal]:
    rows = _rows(con, rd_projects_sql(as_of, year, agent=files.agent))
    pairs = near_duplicate_pairs(
        [(str(r["uscc"]), str(r["project_text"])) for r in rows],
        threshold=p.rd_jaccard_min, k=p.rd_shingle_chars, num_perm=p.rd_num_perm, lsh_threshold=p.rd_lsh_threshold,
    )  # fmt: skip
    by: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
    for i, j, sim in pairs:
        by[str(rows[i]["uscc"])].append((i, j, sim))
        by[str(rows[j]["uscc"])].append((j, i, sim))
    out = []
    for uscc in sorted(by):
        hits = sorted(by[uscc], key=lambda h: (-h[2], h[0], h[1]))
        others = sorted({str(rows[j]["uscc"]) for _, j, _ in hits})
        own = sorted({str(rows[i]["project_code"]) for i, _, _ in hits})
        evidence = []
        for i, j, sim in hits:
            mine, theirs = rows[i], rows[j]
            evidence.append(
                files.ev(
                    f"研发项目{mine['project_code']}",
                    f"{str(mine['project_text'])[:60]}",
                    mine["_load_id"],
                    mine["_line"],
                )
            )
            evidence.append(files.ev(
                f"相似项目（相似度{sim:.2f}）", f"{theirs['uscc']} {theirs['project_code']}：{str(theirs['project_text'])[:60]}",
                theirs["_load_id"], theirs["_line"]))  # fmt: skip
        out.append(ReviewSignal(
            uscc=uscc, batch_year=year, kind="rd_near_duplicate",
            summary=f"研发项目{'、'.join(own)}与{len(others)}家其他申请企业的项目文本高度相似"
            f"（字符片段相似度最高{hits[0][2]:.2f}，下限{p.rd_jaccard_min:.2f}）",
            evidence=tuple(evidence), related_usccs=tuple(others)))  # fmt: skip
    return out


_EVALUATORS = {
    "ip_transfer_recent": _ip_transfer,
    "transferor_many": _transferor,
    "rd_near_duplicate": _near_duplicates,
    "st_staff_above_insured": _st_staff,
    "rd_vs_deduction": _rd_deduction,
    "shared_contact": _shared,
}
#: The tables (and optional columns, ``table.column``) a kind reads: without them (a feed never delivered, a
#: snapshot built before the column existed) the kind raises nothing.
_NEEDS = {
    "ip_transfer_recent": ("ip_cur", "ip_link"),
    "transferor_many": ("ip_cur", "ip_link", "ip_cur.transferor_name"),
    "rd_near_duplicate": ("hte_rd_project_cur",),
    "st_staff_above_insured": ("rd_cur", "social_insurance_cur"),
    "rd_vs_deduction": ("rd_cur", "finance_cur", "finance_cur.rd_deduction_base"),
    "shared_contact": ("registration_cur",),
}


def review_signals(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    *,
    batch_year: int | None = None,
    params: SignalParams | None = None,
    kinds: Sequence[str] | None = None,
    timings: dict[str, float] | None = None,
) -> list[ReviewSignal]:
    """Every signal on the applicants of ``batch_year`` (default: as_of's year), by kind (REVIEW_SIGNAL_KINDS'
    order) then USCC. The current views must exist (``resolve`` builds them and ``ip_link``); a feed never
    delivered raises nothing. ``timings``: filled with the seconds each kind took."""
    p = params or load_signal_params()
    year = as_of.year if batch_year is None else int(batch_year)
    if not _has(con, "hte_application_cur"):
        raise ValueError("the current views are missing: run resolve first (it builds hte_application_cur, ip_link)")
    chosen = list(REVIEW_SIGNAL_KINDS) if kinds is None else [k for k in REVIEW_SIGNAL_KINDS if k in kinds]
    install_sql_macros(con)
    files = _Files(con)
    out: list[ReviewSignal] = []
    for kind in chosen:
        started = time.perf_counter()
        if all(_has_column(con, *t.split(".")) if "." in t else _has(con, t) for t in _NEEDS[kind]):
            found = _EVALUATORS[kind](con, files, as_of, year, p)
            out.extend(sorted(found, key=lambda s: (s.uscc, s.summary)))
        if timings is not None:
            timings[kind] = time.perf_counter() - started
    return out
