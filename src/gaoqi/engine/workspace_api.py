"""The ``Workspace``: what the platform does with an engine workspace, without knowing its tables or SQL.

A workspace is a home directory (``$GAOQI_HOME``, holding ``gaoqi.duckdb`` and the quarantine reports) or a
published snapshot file. The pipeline's steps (ingest, resolve, profiles, evaluate) and every read the platform
makes (a profile and its sources, loads, quarantine, refused files, explanations, simulations, the rows a
snapshot publishes) are methods here, so the SQL on the engine's tables stays inside the engine.

The connection opens on first use: a workspace opened only for a path (``quarantine_report_path``) or to
``ingest`` (which opens its own, one transaction per file) holds no DuckDB lock meanwhile.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

import duckdb

if TYPE_CHECKING:
    import pyarrow as pa

from gaoqi.engine import incubators as _incubators
from gaoqi.engine import ingest as _ingest
from gaoqi.engine import initials as _initials
from gaoqi.engine import rules as _rules
from gaoqi.engine import signals as _signals
from gaoqi.engine import warning_rules as _warnings
from gaoqi.engine.analytics import cohort as _cohort
from gaoqi.engine.analytics import tags as _tags
from gaoqi.engine.features import ensure_profiles
from gaoqi.engine.rules import Policy, PolicyVersion, load_policies
from gaoqi.engine.rules.interpret import Interval, combined_total, outcomes, score_intervals, status_of
from gaoqi.engine.trace import ip_rows_by_feature
from gaoqi.engine.workspace import DB_FILE, connect

Row = dict[str, Any]
FETCH_BATCH = 5000


class SimulationError(ValueError):
    """A parameter value the simulation's SQL cannot take (the user's input, not a server fault)."""


@dataclass(frozen=True)
class Source:
    """Where a value came from: the feed, the delivered file and its line (header = line 1)."""

    feed: str | None
    file_name: str
    line: Any


class Backend(Protocol):
    """What a Workspace runs its steps on. DuckDB today; Spark's evaluation stays reachable through the CLI
    (``evaluate --engine spark``) and would implement this too."""

    name: str

    def build_profiles(self, as_of: date) -> bool: ...

    def evaluate(self, as_of: date, policies: Sequence[Policy]) -> None: ...

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Row]: ...

    def close(self) -> None: ...


class DuckDBBackend:
    """The DuckDB backend: one connection to a workspace database file."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def build_profiles(self, as_of: date) -> bool:
        return ensure_profiles(self.con, as_of)

    def evaluate(self, as_of: date, policies: Sequence[Policy]) -> None:
        _rules.evaluate(self.con, as_of, policies)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Row]:
        cur = self.con.execute(sql, list(params))
        names = [d[0] for d in cur.description or ()]
        while chunk := cur.fetchmany(FETCH_BATCH):
            for row in chunk:
                yield dict(zip(names, row, strict=True))

    def close(self) -> None:
        self.con.close()


_ENTERPRISE_SQL = """
    SELECT p.uscc, p.name, array_to_string(p.former_names, chr(10)) AS former_names, p.district_code,
           p.industry_code, p.industry_section, p.tech_field, p.status, p.established_date,
           e.legal_representative, e.legal_rep_id_number, e.phone, p.has_hte_certificate,
           p.hte_expiry_date, p.has_tech_sme, p.staff_count_last_year, p.sales_revenue_last_year,
           coalesce(r.status = 'pass', FALSE) AS above_scale, {incubator} AS incubator_code
    FROM {db}profile p
    LEFT JOIN {db}enterprise e USING (uscc)
    LEFT JOIN {db}results r ON r.uscc = p.uscc AND r.policy_id = 'above-scale'{incubator_join}"""
_RESULT_COLUMNS = (
    "uscc, policy_id, policy_version, status, failed_conditions, unknown_features, binding_condition, binding_gap, "
    "benefit_amount"
)
_RESULT_SQL = f"SELECT {_RESULT_COLUMNS} FROM results_with_gap ORDER BY uscc, policy_id"
#: the columns of ``Workspace.write_result_rows``'s CSV, in order
RESULT_CSV_COLUMNS: tuple[str, ...] = (
    "uscc", "policy_id", "policy_version", "status", "failed_conditions", "failed_count", "unknown_features",
    "binding_condition", "binding_gap", "benefit_amount",
)  # fmt: skip
#: the snapshot file a difference is taken against, attached read only under this name
_PREVIOUS = "_previous"


_FIELD_TEXTS_SQL = """SELECT e.uscc, e.business_scope, t.ip_titles
    FROM enterprise e
    LEFT JOIN (
        SELECT l.uscc, string_agg(i.title, '；' ORDER BY i.ip_number) AS ip_titles
        FROM ip_link l JOIN ip_cur i ON i.ip_number = l.ip_number
        WHERE l.uscc IS NOT NULL
        GROUP BY l.uscc
    ) t ON t.uscc = e.uscc
    ORDER BY e.uscc"""


class Workspace:
    """An engine workspace: ``Workspace.open(home_or_file, read_only=...)``, best used as a context manager."""

    def __init__(self, home: Path | None, file: Path | None, *, read_only: bool) -> None:
        self.home = home
        self._file = file
        self.read_only = read_only
        self._backend: DuckDBBackend | None = None

    @classmethod
    def open(cls, home_or_file: Path | str, *, read_only: bool = False) -> Workspace:
        """A workspace home directory (created if needed unless read-only) or one database file (a snapshot)."""
        path = Path(home_or_file)
        if path.suffix == ".duckdb" or path.is_file():
            return cls(None, path, read_only=read_only)
        return cls(path, None, read_only=read_only)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None

    @property
    def path(self) -> Path:
        """The database file (what a snapshot copies)."""
        if self._file is not None:
            return self._file
        assert self.home is not None
        return self.home / DB_FILE

    @property
    def backend(self) -> DuckDBBackend:
        if self._backend is None:
            if self._file is not None:
                con = duckdb.connect(str(self._file), read_only=self.read_only)
            else:
                con = connect(self.home, read_only=self.read_only)
            self._backend = DuckDBBackend(con)
        return self._backend

    @property
    def _con(self) -> duckdb.DuckDBPyConnection:
        return self.backend.con

    def _home(self) -> Path:
        if self.home is None:
            raise ValueError("this workspace is a single database file, not a home directory")
        return self.home

    def _records(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(self.backend.rows(sql, params))

    def _has_table(self, name: str) -> bool:
        return bool(
            self._con.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_name = ? AND table_catalog = current_database()",
                [name],
            ).fetchall()
        )

    # -- the pipeline ---------------------------------------------------------------------------------------

    def ingest(self, directory: Path | str) -> _ingest.IngestSummary:
        """Load every delivered file of ``directory`` (one transaction per file; see ingest.py)."""
        self.close()  # ingest opens its own connection to the home
        return _ingest.ingest_directory(self._home(), directory)

    @staticmethod
    def precheck(path: Path) -> tuple[str, str] | None:
        """(reason code, reason) when ingest would refuse the file as a whole, else None."""
        return _ingest.precheck(path)

    def resolve(self) -> Any:
        """Entity resolution: ``enterprise``, ``name_history``, ``ip_link``, ``link_review``."""
        from gaoqi.engine.resolve import resolve  # Splink is imported on first use only

        return resolve(self._con)

    def profiles(self, as_of: date) -> bool:
        """The profile for ``as_of``, rebuilt unless already built from the same inputs; whether it was."""
        return self.backend.build_profiles(as_of)

    def evaluate(self, as_of: date, policies: Sequence[Policy] | None = None) -> dict[str, Any]:
        """Every policy version in force at ``as_of`` over the profile; the results' meta (engine version,
        ruleset hash)."""
        self.backend.evaluate(as_of, policies if policies is not None else default_policies())
        return self.results_meta()

    def results_meta(self) -> dict[str, Any]:
        rows = self._records("SELECT engine_version, ruleset_hash FROM results_meta")
        return rows[0] if rows else {}

    def checkpoint(self) -> None:
        self._con.execute("CHECKPOINT")

    # -- reads ----------------------------------------------------------------------------------------------

    def profile(self, uscc: str) -> Row:
        """One enterprise's profile row ({} when it has none)."""
        rows = self._records("SELECT * FROM profile WHERE uscc = ?", [uscc])
        return rows[0] if rows else {}

    def profile_count(self) -> int:
        return int(self._con.execute("SELECT count(*) FROM profile").fetchall()[0][0])

    def profile_details(self, uscc: str) -> dict[str, Any]:
        """The profile and what it was built from, each value with its ``Source`` (feed, file, line): finance
        and R&D/staff by year, IP records by count feature, credit events (latest first), certificates."""
        con = self._con
        profile = self.profile(uscc)
        loads = {
            lid: (feed, fname)
            for lid, feed, fname in con.execute("SELECT load_id, feed, file_name FROM loads").fetchall()
        }

        def src(load_id: Any, line: Any) -> Source:
            feed, fname = loads.get(load_id, (None, "?"))
            return Source(feed, fname, line)

        finance = [
            {"year": fy, "sales": s, "total": t, "assets": a, "liabilities": li, "source": src(lid, ln)}
            for fy, s, t, a, li, lid, ln in con.execute(
                "SELECT fiscal_year, sales_revenue, total_revenue, total_assets, total_liabilities, _load_id, _line "
                "FROM finance_cur WHERE uscc = ?",
                [uscc],
            ).fetchall()
        ]
        rd = [
            {"year": fy, "staff": st, "st_staff": sst, "rd": r, "ht": h, "source": src(lid, ln)}
            for fy, st, sst, r, h, lid, ln in con.execute(
                "SELECT fiscal_year, staff_count, st_staff_count, rd_expense, ht_revenue, _load_id, _line "
                "FROM rd_cur WHERE uscc = ?",
                [uscc],
            ).fetchall()
        ]
        finance.sort(key=lambda x: x["year"])
        rd.sort(key=lambda x: x["year"])
        as_of = profile.get("as_of")
        ip = ip_rows_by_feature(con, uscc, as_of) if as_of else {}
        credit = [
            {"event_type": t, "decided": d, "removed": rm, "authority": au, "document": doc, "source": src(lid, ln)}
            for t, d, rm, au, doc, lid, ln in con.execute(
                "SELECT event_type, decided_date, removed_date, authority, document_number, _load_id, _line "
                "FROM credit_cur WHERE uscc = ?",
                [uscc],
            ).fetchall()
        ]
        credit.sort(key=lambda x: str(x["decided"]), reverse=True)
        certs = con.execute(
            "SELECT kind, number, issue_date, expiry_date, status, tech_field, _load_id, _line FROM certificate_cur "
            "WHERE uscc = ? ORDER BY issue_date",
            [uscc],
        ).fetchall()
        return {
            "profile": profile,
            "finance": finance,
            "rd": rd,
            "ip": ip,
            "credit": credit,
            "certificates": [
                {"kind": k, "number": n, "issue": i, "expiry": e, "status": s, "field": f, "source": src(lid, ln)}
                for k, n, i, e, s, f, lid, ln in certs
            ],
            "sources": {"registration": src(profile.get("registration_load_id"), profile.get("registration_line"))},
        }

    def explain(
        self, uscc: str, policy_id: str, as_of: date, policies: Sequence[Policy] | None = None
    ) -> dict[str, Any]:
        """Every condition of the policy version in force for one enterprise, with values and sources
        (ValueError: no such enterprise, policy version or profile date): the dictionary form of the engine's
        ``Explanation`` (its ``to_dict()``), which the platform may annotate."""
        return _rules.explain(self._con, uscc, policy_id, as_of, policies).to_dict()

    def simulate(self, as_of: date, policy: Policy, overrides: dict[str, str], by: str = "district") -> dict[str, Any]:
        """The population impact of a parameter change (SimulationError: a value the SQL cannot take)."""
        try:
            return _rules.simulate(self._con, as_of, policy, overrides, by)
        except duckdb.Error as exc:
            raise SimulationError(str(exc)) from exc

    def loads(self) -> list[Row]:
        """Every delivered file loaded, with its row counts."""
        return self._records(
            "SELECT load_id, feed, file_name, file_format, encoding, rows_read, rows_loaded, rows_quarantined, "
            "loaded_at FROM loads ORDER BY load_id"
        )

    def loads_by_hash(self, hashes: Sequence[str]) -> dict[str, Row]:
        """The loads of these contents (SHA-256), by hash."""
        if not hashes:
            return {}
        rows = self._records(
            "SELECT load_id, feed, file_name, content_sha256, rows_read, rows_loaded, rows_quarantined FROM loads "
            "WHERE list_contains(?, content_sha256)",
            [list(hashes)],
        )
        return {str(r["content_sha256"]): r for r in rows}

    def quarantine(self, load_id: int, limit: int = 200) -> list[Row]:
        """A load's quarantined rows (line, field, value, reason_code, message, feed), by line."""
        return self._records(
            "SELECT q.line, q.field, q.value, q.reason_code, q.message, l.feed FROM quarantine AS q "
            "JOIN loads AS l ON l.load_id = q.load_id WHERE q.load_id = ? ORDER BY q.line LIMIT ?",
            [load_id, limit],
        )

    def refused_files(self) -> list[Row]:
        """Files refused as a whole, each once with its reason ([] for a workspace older than the record)."""
        if not self._has_table("refused_files"):
            return []
        return self._records(
            "SELECT file_name, nullif(feed, '') AS feed, reason_code, reason, refused_at FROM refused_files "
            "ORDER BY refused_at, file_name"
        )

    def refused_by_hash(self, hashes: Sequence[str]) -> dict[tuple[str, str], Row]:
        """Refusals of these contents, by (SHA-256, feed)."""
        if not hashes or not self._has_table("refused_files"):
            return {}
        rows = self._records(
            "SELECT content_sha256, feed, reason_code, reason FROM refused_files WHERE list_contains(?, content_sha256)",
            [list(hashes)],
        )
        return {(str(r["content_sha256"]), str(r["feed"])): r for r in rows}

    def quarantine_report_path(self, load_id: int, file_name: str) -> Path:
        """Where the quarantine report (CSV) of a load is written under this workspace's home."""
        return _ingest.quarantine_report_path(self._home(), load_id, file_name)

    def _enterprise_sql(self, catalog: str = "") -> str:
        db = f"{catalog}." if catalog else ""
        found = self._con.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_name = 'incubator_enterprise' "
            "AND table_catalog = coalesce(nullif(?, ''), current_database())",  # this file's, or the attached one's
            [catalog],
        ).fetchall()
        if found:
            return _ENTERPRISE_SQL.format(
                db=db,
                incubator="ie.incubator_code",
                incubator_join=f"\n    LEFT JOIN {db}incubator_enterprise ie ON ie.uscc = p.uscc AND ie.attached",
            )
        return _ENTERPRISE_SQL.format(db=db, incubator="CAST(NULL AS VARCHAR)", incubator_join="")

    def _with_initials(self, sql: str) -> str:
        """``sql``'s rows (the enterprise index) with their pinyin ``name_initials`` (NULL when not built)."""
        if self._has_table(_initials.TABLE):
            return f"SELECT d.*, i.initials AS name_initials FROM ({sql}) d LEFT JOIN {_initials.TABLE} i ON i.name = d.name ORDER BY d.uscc"
        return f"SELECT d.*, CAST(NULL AS VARCHAR) AS name_initials FROM ({sql}) d ORDER BY d.uscc"

    def enterprise_rows(self) -> Iterator[Row]:
        """The enterprise index a snapshot publishes: one row per profile, by USCC, fetched in batches.
        ``incubator_code``: the incubator the enterprise counts for in the incubator figures (attached), when
        they were computed (``incubator_figures``), else NULL; ``name_initials``: the name's pinyin initials when
        ``build_name_initials`` ran, else NULL."""
        return self.backend.rows(self._with_initials(self._enterprise_sql()))

    def build_name_initials(self, workers: int | None = None) -> int:
        """The pinyin initials of every profile name not done yet, kept in the workspace (``initials.py``);
        the number computed."""
        return _initials.build_name_initials(self._con, workers)

    # -- the difference with a previous snapshot file (ADR 0042: a republication writes only what changed) ------

    @contextlib.contextmanager
    def _attached(self, previous: Path | str) -> Iterator[None]:
        self._con.execute(f"ATTACH '{Path(previous)}' AS {_PREVIOUS} (READ_ONLY)")
        try:
            yield
        finally:
            self._con.execute(f"DETACH {_PREVIOUS}")

    def changed_enterprise_rows(self, previous: Path | str) -> Iterator[Row]:
        """The enterprise index rows (as ``enterprise_rows``) that differ from those of the snapshot file
        ``previous`` or are not in it, by USCC."""
        with self._attached(previous):
            sql = f"{self._enterprise_sql()} EXCEPT {self._enterprise_sql(_PREVIOUS)}"
            yield from self.backend.rows(self._with_initials(sql))

    def gone_enterprises(self, previous: Path | str) -> list[str]:
        """The USCCs in the snapshot file ``previous``'s index and not in this one's."""
        with self._attached(previous):
            sql = f"SELECT uscc FROM {_PREVIOUS}.profile EXCEPT SELECT uscc FROM profile ORDER BY uscc"
            return [str(u) for (u,) in self._con.execute(sql).fetchall()]

    def changed_result_rows(self, previous: Path | str) -> Iterator[Row]:
        """The result rows (as ``result_rows``) that differ from those of the snapshot file ``previous`` or are
        not in it, by USCC and policy."""
        with self._attached(previous):
            sql = (
                f"SELECT * FROM (SELECT {_RESULT_COLUMNS} FROM results_with_gap EXCEPT "
                f"SELECT {_RESULT_COLUMNS} FROM {_PREVIOUS}.results_with_gap) ORDER BY uscc, policy_id"
            )
            yield from self.backend.rows(sql)

    def gone_results(self, previous: Path | str) -> list[tuple[str, str]]:
        """The (USCC, policy) pairs with a result in the snapshot file ``previous`` and none in this one."""
        with self._attached(previous):
            sql = (
                f"SELECT uscc, policy_id FROM {_PREVIOUS}.results EXCEPT SELECT uscc, policy_id FROM results "
                "ORDER BY uscc, policy_id"
            )
            return [(str(u), str(p)) for u, p in self._con.execute(sql).fetchall()]

    def write_result_rows(self, target: Path | str, previous: Path | str | None = None) -> int:
        """Write the result rows a snapshot publishes (``previous``: only those differing from that snapshot
        file's, as ``changed_result_rows``) to ``target`` as CSV for a bulk load, written by DuckDB in one pass
        (tens of millions of rows are not fetched into Python): no header; the columns of ``RESULT_CSV_COLUMNS``;
        the condition lists as JSON arrays; every text quoted, so "" is an empty text and an unquoted empty
        field (only ``benefit_amount``) is NULL. Returns the rows written."""
        quoted = ", ".join(c for c in RESULT_CSV_COLUMNS if c not in ("failed_count", "benefit_amount"))
        body = (
            "SELECT uscc, policy_id, policy_version, status, to_json(coalesce(failed_conditions, [])) AS "
            "failed_conditions, len(coalesce(failed_conditions, [])) AS failed_count, "
            "to_json(coalesce(unknown_features, [])) AS unknown_features, coalesce(binding_condition, '') AS "
            "binding_condition, coalesce(binding_gap, '') AS binding_gap, benefit_amount FROM ({rows})"
        )
        options = f"(FORMAT csv, HEADER false, FORCE_QUOTE ({quoted}))"
        if previous is None:
            sql = body.format(rows=f"SELECT {_RESULT_COLUMNS} FROM results_with_gap")
            found = self._con.execute(f"COPY ({sql}) TO '{Path(target)}' {options}").fetchall()
            return int(found[0][0]) if found else 0
        with self._attached(previous):
            rows = (
                f"SELECT {_RESULT_COLUMNS} FROM results_with_gap EXCEPT "
                f"SELECT {_RESULT_COLUMNS} FROM {_PREVIOUS}.results_with_gap"
            )
            found = self._con.execute(f"COPY ({body.format(rows=rows)}) TO '{Path(target)}' {options}").fetchall()
            return int(found[0][0]) if found else 0

    def result_count(self) -> int:
        return int(self._con.execute("SELECT count(*) FROM results").fetchall()[0][0])

    def publish_counts(self) -> dict[str, list[Row]]:
        """The dashboards' counts of this snapshot, grouped here rather than over the platform's tables:
        ``district`` (enterprises, valid HTEs, tech SMEs, above scale per district), ``field`` (valid HTEs per
        district and technical field) and ``policy`` (results per district, policy, status and ``near``: failing
        on one condition only; ``n`` and the benefit ``amount``). Districts and fields "" when unknown."""
        ents = f"({self._enterprise_sql()})"
        district = self._records(
            "SELECT coalesce(district_code, '') AS district_code, count(*) AS enterprises, "
            "count(*) FILTER (WHERE coalesce(has_hte_certificate, FALSE)) AS hte, "
            "count(*) FILTER (WHERE coalesce(has_tech_sme, FALSE)) AS tech_sme, "
            f"count(*) FILTER (WHERE above_scale) AS above_scale FROM {ents} GROUP BY 1 ORDER BY 1"
        )
        field = self._records(
            "SELECT coalesce(district_code, '') AS district_code, tech_field, count(*) AS n "
            f"FROM {ents} WHERE coalesce(has_hte_certificate, FALSE) AND coalesce(tech_field, '') <> '' "
            "GROUP BY 1, 2 ORDER BY 1, 2"
        )
        policy = self._records(
            "SELECT coalesce(p.district_code, '') AS district_code, r.policy_id, r.status, "
            "(r.status = 'fail' AND coalesce(len(r.failed_conditions), 0) = 1) AS near, count(*) AS n, "
            "sum(r.benefit_amount) AS amount FROM results r JOIN profile p ON p.uscc = r.uscc "
            "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
        )
        return {"district": district, "field": field, "policy": policy}

    def field_texts(self, batch_rows: int = 50_000) -> pa.RecordBatchReader:
        """The texts the technical-field classifier reads, one row per registered enterprise (resolved workspace),
        by USCC, streamed as Arrow record batches of ``batch_rows``: ``uscc``, ``business_scope`` (the
        registration feed's 经营范围) and ``ip_titles`` (the titles of the IP records linked to it by resolve,
        joined with ``；``, NULL when none)."""
        if not self._has_table("enterprise"):
            raise ValueError("the workspace is not resolved (no enterprise table): run `gaoqi resolve` first")
        reader: pa.RecordBatchReader = self._con.sql(_FIELD_TEXTS_SQL).to_arrow_reader(batch_rows)
        return reader

    def field_texts_of(self, uscc: str) -> Row | None:
        """One enterprise's texts for the field classifier (as :meth:`field_texts`): ``business_scope`` and
        ``ip_titles`` (a list, by IP number); None when the workspace has no such enterprise (or is not
        resolved)."""
        if not self._has_table("enterprise"):
            return None
        found = self._con.execute("SELECT business_scope FROM enterprise WHERE uscc = ?", [uscc]).fetchall()
        if not found:
            return None
        titles = self._con.execute(
            "SELECT i.title FROM ip_link l JOIN ip_cur i ON i.ip_number = l.ip_number WHERE l.uscc = ? "
            "ORDER BY i.ip_number",
            [uscc],
        ).fetchall()
        return {"uscc": uscc, "business_scope": found[0][0], "ip_titles": [str(t) for (t,) in titles if t]}

    def incubator_figures(
        self,
        as_of: date,
        policies: Sequence[Policy] | None = None,
        enterprise_policies: Sequence[Policy] | None = None,
    ) -> list[Row]:
        """The incubator figures and their evaluation at ``as_of`` (``gaoqi.engine.incubators``; run after
        ``evaluate`` at the same date): computed set-based into the workspace, then returned as
        ``incubator_rows``. ``policies``: the policies over incubators (default: the shipped ones);
        ``enterprise_policies``: where the cultivation pool's conditions are read (default: the shipped ones).
        Raises ``IncubatorFiguresError`` when they cannot be computed."""
        _incubators.build_incubator_figures(
            self._con,
            as_of,
            policies if policies is not None else default_policies("incubator"),
            enterprise_policies if enterprise_policies is not None else default_policies(),
        )
        return self.incubator_rows()

    def incubator_rows(self) -> list[Row]:
        """Per incubator of the roster: its roster facts, its figures (``features.incubator``) and its evaluation
        (status, failed and unknown gates, ``gates`` and ``scores`` as lists, the total ``score_lo``–``score_hi``),
        best score first; [] when the figures were never computed in this workspace."""
        if not self._has_table("incubator_results"):
            return []
        return list(self.backend.rows(_incubators.ROWS_SQL))

    def incubator_city(self) -> Row:
        """The same figures over every enterprise (the city's rates); {} when never computed."""
        if not self._has_table("incubator_city"):
            return {}
        rows = self._records("SELECT * FROM incubator_city")
        return rows[0] if rows else {}

    def incubator_enterprises(self, incubator_code: str) -> list[Row]:
        """The enterprises attributed to an incubator with the flags its figures count (attached or not)."""
        if not self._has_table("incubator_enterprise"):
            return []
        return self._records(
            "SELECT * FROM incubator_enterprise WHERE incubator_code = ? ORDER BY uscc", [incubator_code]
        )

    def district_measures(self, year: int) -> list[tuple[str, str, float]]:
        """The engine's measures of the district evaluation for ``year`` (``evaluation.measures``: valid, new and
        re-certified HTEs, their R&D intensity, revenue and tax on a same-enterprise panel), per district of the
        reference list, as long rows (district, measure, value) in one set-based statement; a measure with no
        data for a district is absent (ADR 0032)."""
        from gaoqi.engine.evaluation.measures import district_measures_sql
        from gaoqi.engine.validate import district_codes

        sql = district_measures_sql(year, sorted(district_codes()))
        return [(str(a), str(m), float(v)) for a, m, v in self._con.execute(sql).fetchall()]

    def result_rows(self) -> Iterator[Row]:
        """The policy results a snapshot publishes, by USCC and policy, fetched in batches."""
        return self.backend.rows(_RESULT_SQL)

    # -- 企业画像 analytics (analytics/, ADR 0033): tags and cohorts, computed on read from profile and results ----

    def _tag_source(self, tags: _tags.TagSet | None) -> tuple[_tags.TagSet, Any]:
        """The tags and where to read them: the stored ``profile_tags`` when this tags file built it over this
        profile (``build_tags``), else computed on read from ``profile`` and ``results`` (slower, same values)."""
        ts = tags or _tags.default_tags()
        with_results, with_warnings = self._has_table("results"), self._has_table(_tags.WARNING_RESULTS)
        key = _tags.build_key(ts, with_results=with_results, with_warnings=with_warnings)
        stored = (
            self._has_table(_tags.META_TABLE)
            and bool(self._con.execute(_tags.META_KEY_SQL).fetchall()[0][0])
            and bool(self._con.execute(_tags.CURRENT_SQL, [key]).fetchall()[0][0])
        )
        return ts, _tags.source(ts, stored=stored, with_results=with_results, with_warnings=with_warnings)

    def build_tags(self, tags: _tags.TagSet | None = None) -> int:
        """企业画像标签 for every profile, set-based, stored in ``profile_tags`` (run after ``evaluate`` and
        ``warnings_evaluate``: the list tags read its results, the warning tags the raised warnings); the number of
        enterprises tagged."""
        ts = tags or _tags.default_tags()
        with_results, with_warnings = self._has_table("results"), self._has_table(_tags.WARNING_RESULTS)
        for sql in _tags.build_statements(ts, with_results=with_results, with_warnings=with_warnings):
            self._con.execute(sql)
        return int(self._con.execute(f"SELECT count(*) FROM {_tags.TABLE}").fetchall()[0][0])

    def tag_rows(self, tags: _tags.TagSet | None = None) -> Iterator[Row]:
        """Every enterprise's tags (``uscc``, ``tags``: codes in the tags file's order), set-based, by USCC."""
        ts, src = self._tag_source(tags)
        return self.backend.rows(_tags.tag_rows_sql(ts, src))

    def enterprise_tags(self, uscc: str, tags: _tags.TagSet | None = None) -> list[str]:
        """One enterprise's tag codes in the tags file's order ([] without a profile)."""
        ts, src = self._tag_source(tags)
        rows = self._records(_tags.tag_rows_sql(ts, src, uscc))
        return list(rows[0]["tags"]) if rows else []

    def cohort(
        self,
        f: _cohort.CohortFilter | None = None,
        scope: Sequence[str] | None = None,
        tags: _tags.TagSet | None = None,
    ) -> _cohort.CohortResult:
        """The enterprises ``f`` selects within ``scope`` (districts; None: all, (): none): their count and
        distributions by district, technical field, size band, growth band and tag (one statement;
        ``CohortFilterError`` for a code the tags file does not define)."""
        ts, src = self._tag_source(tags)
        sql = _cohort.cohort_sql(f or _cohort.CohortFilter(), ts, scope, src)
        return _cohort.read_cohort(self._records(sql), ts)

    def cohort_count(
        self,
        f: _cohort.CohortFilter | None = None,
        scope: Sequence[str] | None = None,
        tags: _tags.TagSet | None = None,
    ) -> int:
        """How many enterprises ``f`` selects within ``scope`` (the trend's figure)."""
        ts, src = self._tag_source(tags)
        sql = _cohort.count_sql(f or _cohort.CohortFilter(), ts, scope, src)
        return int(self._con.execute(sql).fetchall()[0][0])

    @staticmethod
    def cohort_trend(
        files: Sequence[Path | str],
        f: _cohort.CohortFilter | None = None,
        scope: Sequence[str] | None = None,
        tags: _tags.TagSet | None = None,
    ) -> list[int | None]:
        """The same filter counted over each snapshot file (opened read-only), in the order given; None for a
        file that no longer exists. Every snapshot is read with the same tags file (today's definitions)."""
        ts = tags or _tags.default_tags()
        out: list[int | None] = []
        for file in files:
            if not Path(file).exists():
                out.append(None)
                continue
            with Workspace.open(file, read_only=True) as ws:
                out.append(ws.cohort_count(f, scope, ts))
        return out

    # -- warnings (监测预警, ADR 0029) --------------------------------------------------------------------------

    def warnings_evaluate(self, as_of: date, policies_dir: Path | str, previous: Path | str | None = None) -> Row:
        """Every warning rule (``kind: warning`` in ``policies_dir``) in force at ``as_of`` over the profile (built
        for ``as_of``: run ``profiles`` first), set-based, into the workspace (``warning_rules``). ``previous``: the
        previous published snapshot's DuckDB file, attached read only for the change-since-previous features (None:
        those are NULL, so no change rule is raised). Returns ``as_of``, ``rules`` (``id@version`` evaluated),
        ``raised``, ``by_rule``, ``ruleset_hash``, ``previous`` (its file name) and ``seconds``. A bad rule file
        raises ``PolicyLoadError`` (file and line)."""
        rules = _warnings.load_warning_rules(policies_dir)
        return _warnings.evaluate_warnings(self._con, as_of, rules, None if previous is None else Path(previous))

    def warning_rows(self) -> Iterator[Row]:
        """One dict per raised warning of the last ``warnings_evaluate`` (by rule, then USCC): ``uscc, rule_id,
        rule_version, severity, name, articles, as_of, evidence`` (per feature read: ``feature, label, value,
        unit, feed, file, line, sources``), JSON-serialisable; nothing when never evaluated."""
        return _warnings.warning_rows(self._con)

    def warning_meta(self) -> Row:
        """The last ``warnings_evaluate``'s ``as_of, ruleset_hash, rules, previous`` ({} when never run)."""
        return _warnings.warning_meta(self._con)

    def review_signals(
        self, as_of: date, *, batch_year: int | None = None, params: Path | None = None
    ) -> list[_signals.ReviewSignal]:
        """The review signals (审查提示信号, ADR 0035) on the applicants of ``batch_year`` (default: as_of's year;
        the ``hte_application`` rows in review or certified, submitted by as_of), by kind then USCC, each with
        its evidence (feed, file, line). ``params``: the parameters file (default ``load_signal_params()``).
        Needs the current views (``resolve``)."""
        return _signals.review_signals(
            self._con, as_of, batch_year=batch_year, params=_signals.load_signal_params(params)
        )

    @staticmethod
    def warning_rules(policies_dir: Path | str, as_of: date | None = None) -> list[Row]:
        """The warning catalogue (``warning_rules.warning_catalogue``): per rule its name, version in force at
        ``as_of`` (default today), severity and escalations, conditions (label, article, expression and words),
        parameters (``unconfirmed`` marked)."""
        return _warnings.warning_catalogue(_warnings.load_warning_rules(policies_dir), as_of or date.today())


def default_tags() -> _tags.TagSet:
    """The shipped tags (``policies/analytics/tags.yaml`` or ``$GAOQI_TAGS``), loaded and checked."""
    return _tags.default_tags()


def default_policies(subject: str = "enterprise") -> list[Policy]:
    """The shipped policies over ``subject`` (enterprises, or ``incubator``) (``policies/*.yaml``, or
    ``$GAOQI_POLICY_DIR``), loaded and checked."""
    return load_policies(_rules.default_policy_dir(), subject)


def score_total(policy: Policy, version: PolicyVersion | None, items: dict[str, int]) -> int:
    """The innovation total by the version's own combination rules (IP capped at 30, …), computed by the
    rules interpreter (``version`` None: the policy's latest)."""
    return combined_total(version or policy.versions[-1], items)


class _Row(dict[str, Any]):
    """Feature values of one enterprise; a feature not given is missing (None), as a NULL in the profile."""

    def __missing__(self, key: str) -> None:
        return None


def evaluate_one(version: PolicyVersion, row: Mapping[str, Any], *, zero: Iterable[str] = ()) -> dict[str, Any]:
    """One enterprise's scores and data conditions over the feature values in ``row`` (missing: unknown), by the
    rules interpreter (the SQL's semantics): a form's self-check before the data reach a snapshot. ``zero``:
    scores that count 0 points (an indicator the enterprise did not choose); the combined scores follow.
    Returns ``scores`` (id → lo, hi, grade), ``conditions`` (data conditions and screens, id → True, False or
    None), ``status`` and ``failed`` as a results row gives them."""
    values = _Row(row)
    fixed = {sid: Interval(Decimal(0), Decimal(0)) for sid in zero}
    iv = score_intervals(version, values, fixed)
    decided = outcomes(version, values, iv)
    status, failed = status_of(version, decided)
    scores = {sid: {"lo": i.lo, "hi": i.hi, "grade": i.grade} for sid, i in iv.items()}
    return {"scores": scores, "conditions": decided, "status": status, "failed": failed}
