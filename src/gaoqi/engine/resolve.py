"""Entity resolution: which enterprise holds each IP record.

``resolve(con)`` brings the current-state tables up to date (``current.create_current_views``), reads
``registration_cur``, ``name_change_cur`` and ``ip_cur``, and replaces, in one transaction, four tables
that later stages rely on:

* ``enterprise``: one row per uscc of ``registration_cur``: every registration column, ``_load_id``,
  ``_line`` and ``name_norm`` (``names.normalize_company_name`` of the registered name).
* ``name_history(uscc, name, name_norm, valid_from, valid_to, source)``: every name an enterprise has
  had, valid on ``[valid_from, valid_to)`` (NULL = open). ``source = 'registration'``: the current name,
  from the last change date (or the establishment date). ``source = 'name_change'``: each old name,
  from the previous change (or establishment) until its change date, changes ordered by date; and a
  new name that the next record does not repeat (an incomplete chain), from its change date on.
* ``ip_link(ip_number, uscc, method, match_probability)``: at most one row per ``ip_cur`` record (indexed
  on uscc):

  - ``uscc``: the record's ``holder_uscc`` is a registered enterprise (probability 1).
  - ``exact_name``: the normalised holder name equals a normalised name in ``name_history`` of exactly
    one enterprise, choosing by the record's date: when some enterprise's name was valid on that date,
    only those enterprises count; when none was (or there is no date), all do (probability 1). The
    record's date is ``acquired_date`` for IP acquired by transfer, gift or merger (the holder got it,
    and its name on the record, then), otherwise ``application_date``, else ``grant_date``, else
    ``acquired_date``.
  - ``splink``: a record whose normalised holder name matches no name at all is scored by a Splink
    model (DuckDB backend, on this connection) against the distinct normalised names of
    ``name_history``; with the same date preference, it is linked when exactly one enterprise scores
    ``match_probability >= review_threshold``.

  A record whose ``holder_uscc`` is a valid code but not a registered enterprise is held by someone
  else (a company outside Beijing, say) and is not linked by name. Nor, fuzzily, is a holder whose
  name starts with another province or city (上海…, 济南…) and says 北京 nowhere: it is a company from
  there, and being one edit from a Beijing enterprise whose trade name happens to start the same way
  (济南致浩科技 vs 北京济致浩科技) is no evidence.
* ``link_review(ip_number, holder_name, candidate_uscc, candidate_name, match_probability, reason)``:
  what a person must decide, never linked automatically, at most ``MAX_REVIEW_CANDIDATES`` candidates
  per record, best first: ``ambiguous_exact_name`` (the name is several enterprises' at that date;
  probability 1/number of candidates), ``splink_ambiguous`` (several enterprises reach
  ``review_threshold``) and ``splink_low_confidence`` (none does, some reach ``review_floor``).

The Splink model. A holder name is one field, and Splink's estimators need more. EM over a single
comparison (plus a branch flag that is almost always equal) cannot tell m from u apart, so its answer
drifts with the data; and the levels that matter (one or two edits apart) are far too rare among
random pairs for ``estimate_u_using_random_sampling`` to observe. The m and u probabilities are
therefore fixed (``NAME_LEVELS``, ``BRANCH_LEVELS``), from what they mean: m from how mistyped names
look (most typing errors are one edit), u from how rarely two different Beijing enterprises'
normalised names come that close. They put one edit (Damerau-Levenshtein) with the same branch part
just above 0.99, two edits or a high Jaro-Winkler similarity in the review band, and a branch against
its parent below it. There is nothing random in the model, so results are deterministic.

What guards precision is around the model: fuzzy matching only for names the exact step could not
place at all, with at least ``MIN_FUZZY_CORE`` characters of core and not an institution (大学, 研究所,
…); blocking by the deletion neighbourhood (a name and the name with any one character removed, as an
exploded array: two names one edit apart always share a key, and the blocks stay small where blocking
on a prefix or a bigram would pair a holder with hundreds of 科技 companies); and the rule that a
record is linked only when a single enterprise reaches the threshold.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb

from gaoqi.engine import names
from gaoqi.engine import uscc as uscc_mod
from gaoqi.engine.current import create_current_views, loads_fingerprint
from gaoqi.engine.validate import lit

if TYPE_CHECKING:
    from splink import SettingsCreator

Progress = Callable[[str, int, int], None]

METHODS: tuple[str, ...] = ("uscc", "exact_name", "splink")
REVIEW_REASONS: tuple[str, ...] = ("ambiguous_exact_name", "splink_ambiguous", "splink_low_confidence")
STAGES: tuple[str, ...] = ("enterprise", "name_history", "uscc", "exact_name", "splink", "review")

# Acquisition kinds after which the holder's name on the record dates from the acquisition.
ACQUIRED_KINDS: tuple[str, ...] = ("transfer", "gift", "merger")
# Normalised holder names ending like this are institutions or public bodies, not enterprises: they
# are linked when their name matches exactly (a 研究院 can be a company), but never fuzzily.
INSTITUTION_ENDINGS: tuple[str, ...] = (
    "大学", "学院", "学校", "研究所", "研究院", "科学院", "医院", "研究中心", "实验室", "委员会", "政府",
    "管理局", "管理委员会", "协会", "学会", "基金会",
)  # fmt: skip
_SPACES_RE = r"[\s\x{3000}]"
MIN_FUZZY_CORE = 4  # characters; shorter names (people, two-character trade names) are too easy to hit
MAX_REVIEW_CANDIDATES = 5  # per record in link_review, best first

# Splink: fixed parameters (see the module docstring). Bayes factors m/u: one edit 2e6, two edits 5e4,
# Jaro-Winkler >= 0.92 1.5e4; with the prior 1e-4 these give 0.995, 0.83 and 0.6.
PRIOR = 1e-4
NAME_LEVELS: tuple[tuple[str, float, float], ...] = (
    # (level, m, u)
    ("exact", 0.55, 1e-8),
    ("damerau_levenshtein<=1", 0.30, 1.5e-7),
    ("damerau_levenshtein<=2", 0.08, 1.6e-6),
    ("jaro_winkler>=0.92", 0.03, 2e-6),
    ("else", 0.04, 0.99999624),
)
BRANCH_LEVELS: tuple[tuple[str, float, float], ...] = (
    ("same", 0.9999, 0.95),
    ("different", 0.0001, 0.05),
)


@dataclass(frozen=True)
class ResolveSummary:
    enterprises: int
    name_history: int
    ip_records: int
    links: dict[str, int]  # per method
    unlinked: int
    held_by_unknown_uscc: int  # valid holder_uscc that is not a registered enterprise
    review_rows: int
    review_records: int  # distinct ip_number in link_review
    review_reasons: dict[str, int]
    splink_holder_names: int  # distinct normalised holder names scored by Splink
    splink_pairs: int  # candidate pairs Splink returned (probability >= review_floor)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def linked(self) -> int:
        return sum(self.links.values())

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["linked"] = self.linked
        return d


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    rows = con.execute(sql).fetchall()  # fetch everything: DuckDB 2 keeps a partly read result open
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def _run(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    # Read the (empty) result to its end: DuckDB 2 keeps an unread result open and then refuses
    # other work on the connection (Splink's queries among it).
    con.execute(sql).fetchall()


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(lit(v) for v in values)


def _regex_alt(values: tuple[str, ...]) -> str:
    return "|".join(sorted(values, key=len, reverse=True))


def resolve(
    con: duckdb.DuckDBPyConnection,
    *,
    review_threshold: float = 0.99,
    review_floor: float = 0.5,
    progress: Progress | None = None,
) -> ResolveSummary:
    """Rebuild ``enterprise``, ``name_history``, ``ip_link`` and ``link_review``; see the module doc."""
    if not 0.0 < review_floor < review_threshold <= 1.0:
        raise ValueError("need 0 < review_floor < review_threshold <= 1")
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def done(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[stage] = round(now - clock, 3)
        clock = now
        if progress is not None:
            progress(stage, STAGES.index(stage) + 1, len(STAGES))

    create_current_views(con)
    names.install_sql_macros(con)
    uscc_mod.install_sql_macros(con)
    names.finish_pending(con)
    _run(con, "BEGIN TRANSACTION")
    try:
        _enterprise(con)
        done("enterprise")
        _name_history(con)
        done("name_history")
        _uscc_links(con)
        done("uscc")
        _exact_links(con, review_threshold)
        done("exact_name")
        fuzzy_names, fuzzy_pairs = _splink_links(con, review_threshold, review_floor)
        done("splink")
        _write_links(con)
        done("review")
        summary = _summary(con, fuzzy_names, fuzzy_pairs, seconds)
        _drop_work_tables(con)
        # what these tables were built from, for the profiles built on them (features.ensure_profiles)
        _run(con, "CREATE OR REPLACE TABLE resolve_meta (inputs VARCHAR NOT NULL)")
        con.execute(
            "INSERT INTO resolve_meta VALUES (?)", [f"{loads_fingerprint(con)}|{review_threshold}|{review_floor}"]
        )
        _run(con, "COMMIT")
    except BaseException:
        names.finish_pending(con)
        _run(con, "ROLLBACK")
        raise
    return summary


# --------------------------------------------------------------------------------------------------
# Stages


def _enterprise(con: duckdb.DuckDBPyConnection) -> None:
    _run(
        con,
        """
        CREATE OR REPLACE TABLE enterprise AS
        SELECT * EXCLUDE (_extra), normalize_company_name(name) AS name_norm
        FROM registration_cur
        """,
    )
    # is this USCC an enterprise (gaoqi explain asks before anything else): 1 ms instead of a 60 ms scan at 2M
    _run(con, "CREATE INDEX enterprise_uscc ON enterprise (uscc)")


def _name_history(con: duckdb.DuckDBPyConnection) -> None:
    _run(
        con,
        """
        CREATE OR REPLACE TEMP TABLE _gq_changes AS
        SELECT c.uscc, c.old_name, c.new_name, c.change_date,
               normalize_company_name(c.old_name) AS old_norm,
               normalize_company_name(c.new_name) AS new_norm,
               lag(c.change_date) OVER w AS prev_date,
               lead(c.change_date) OVER w AS next_date,
               lead(normalize_company_name(c.old_name)) OVER w AS next_old_norm
        FROM name_change_cur c
        WHERE c.uscc IN (SELECT uscc FROM enterprise)
        WINDOW w AS (PARTITION BY c.uscc ORDER BY c.change_date, c._load_id, c._line)
        """,
    )
    _run(
        con,
        """
        CREATE OR REPLACE TABLE name_history AS
        SELECT e.uscc, e.name, e.name_norm,
               coalesce(lc.last_change, e.established_date) AS valid_from,
               CAST(NULL AS DATE) AS valid_to,
               'registration' AS source
        FROM enterprise e
        LEFT JOIN (SELECT uscc, max(change_date) AS last_change FROM _gq_changes GROUP BY uscc) lc
            ON lc.uscc = e.uscc
        UNION ALL
        SELECT c.uscc, c.old_name, c.old_norm, coalesce(c.prev_date, e.established_date), c.change_date,
               'name_change'
        FROM _gq_changes c JOIN enterprise e ON e.uscc = c.uscc
        UNION ALL
        SELECT c.uscc, c.new_name, c.new_norm, c.change_date, c.next_date, 'name_change'
        FROM _gq_changes c JOIN enterprise e ON e.uscc = c.uscc
        WHERE c.new_norm IS DISTINCT FROM (CASE WHEN c.next_date IS NULL THEN e.name_norm ELSE c.next_old_norm END)
        """,
    )


def _uscc_links(con: duckdb.DuckDBPyConnection) -> None:
    acquired = _sql_list(ACQUIRED_KINDS)
    _run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE _gq_ip AS
        SELECT ip_number, holder_name,
               nullif(upper(trim(holder_uscc)), '') AS holder_uscc,
               CASE WHEN acquisition IN ({acquired}) AND acquired_date IS NOT NULL THEN acquired_date
                    ELSE coalesce(application_date, grant_date, acquired_date) END AS ref_date
        FROM ip_cur
        """,
    )
    _run(
        con,
        """
        CREATE OR REPLACE TEMP TABLE _gq_link AS
        SELECT i.ip_number, i.holder_uscc AS uscc, 'uscc' AS method, 1.0::DOUBLE AS match_probability
        FROM _gq_ip i JOIN enterprise e ON e.uscc = i.holder_uscc
        """,
    )
    # Records left for name matching: no holder_uscc, or one that is not a valid code. A valid code
    # of no registered enterprise names another holder: those are set aside.
    _run(
        con,
        """
        CREATE OR REPLACE TEMP TABLE _gq_unlinked AS
        SELECT i.ip_number, i.holder_name, i.ref_date,
               i.holder_uscc IS NOT NULL AND uscc_ok(i.holder_uscc) AS foreign_uscc
        FROM _gq_ip i
        WHERE i.ip_number NOT IN (SELECT ip_number FROM _gq_link)
        """,
    )
    _run(
        con,
        """
        CREATE OR REPLACE TEMP TABLE _gq_todo AS
        SELECT ip_number, holder_name, ref_date FROM _gq_unlinked
        WHERE NOT foreign_uscc AND holder_name IS NOT NULL
        """,
    )
    _run(
        con,
        """
        CREATE OR REPLACE TEMP TABLE _gq_holder AS
        SELECT holder_name, normalize_company_name(holder_name) AS name_norm
        FROM (SELECT DISTINCT holder_name FROM _gq_todo)
        """,
    )


# A name_history row n was the name on a record t's date.
_VALID_AT = (
    "(t.ref_date IS NOT NULL AND (n.valid_from IS NULL OR n.valid_from <= t.ref_date)"
    " AND (n.valid_to IS NULL OR t.ref_date < n.valid_to))"
)

# Candidates (ip_number, uscc, candidate_name, p, valid_at) → per record, the enterprises considered
# (those with a name valid on the record's date if any has one, else all), each with its rank (best
# probability first, then uscc), how many there are, and how many reach the threshold. A record is
# linked when exactly one reaches it; the others go to review.
_DECIDE_SQL = """
WITH per_uscc AS (
    SELECT ip_number, uscc,
           max(p) AS p,
           bool_or(valid_at) AS valid_at,
           arg_max(candidate_name, p + CASE WHEN valid_at THEN 1 ELSE 0 END) AS candidate_name
    FROM {candidates}
    GROUP BY ip_number, uscc
),
considered AS (
    SELECT ip_number, uscc, p, candidate_name
    FROM (SELECT *, bool_or(valid_at) OVER (PARTITION BY ip_number) AS any_valid FROM per_uscc)
    WHERE valid_at OR NOT any_valid
)
SELECT ip_number, uscc, p, candidate_name,
       row_number() OVER (PARTITION BY ip_number ORDER BY p DESC, uscc) AS rank,
       count(*) OVER (PARTITION BY ip_number) AS n_candidates,
       count(*) FILTER (WHERE p >= {threshold}) OVER (PARTITION BY ip_number) AS n_top
FROM considered
"""


def _decide(con: duckdb.DuckDBPyConnection, candidates: str, out: str, threshold: float) -> None:
    sql = _DECIDE_SQL.format(candidates=candidates, threshold=repr(float(threshold)))
    _run(con, f"CREATE OR REPLACE TEMP TABLE {out} AS {sql}")


def _exact_links(con: duckdb.DuckDBPyConnection, review_threshold: float) -> None:
    _run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE _gq_exact_cand AS
        SELECT t.ip_number, n.uscc, n.name AS candidate_name, 1.0::DOUBLE AS p,
               {_VALID_AT} AS valid_at
        FROM _gq_todo t
        JOIN _gq_holder h ON h.holder_name = t.holder_name
        JOIN name_history n ON n.name_norm = h.name_norm
        WHERE h.name_norm <> ''
        """,
    )
    _decide(con, "_gq_exact_cand", "_gq_exact", review_threshold)
    _run(con, "INSERT INTO _gq_link SELECT ip_number, uscc, 'exact_name', 1.0 FROM _gq_exact WHERE n_candidates = 1")
    _run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE _gq_review AS
        SELECT e.ip_number, t.holder_name, e.uscc AS candidate_uscc, e.candidate_name,
               1.0 / e.n_candidates AS match_probability, 'ambiguous_exact_name' AS reason
        FROM _gq_exact e JOIN _gq_todo t ON t.ip_number = e.ip_number
        WHERE e.n_candidates > 1 AND e.rank <= {MAX_REVIEW_CANDIDATES}
        """,
    )


def _fuzzy_inputs(con: duckdb.DuckDBPyConnection) -> int:
    """Build the two Splink inputs; return the number of holder names to score."""
    institutions = _regex_alt(INSTITUTION_ENDINGS)
    other_regions = _regex_alt(tuple(r for r in names.PROVINCES + names.CITIES if r != "北京"))
    sep = names.BRANCH_SEPARATOR
    del_keys = "list_transform(range(1, length(name_norm) + 1), lambda i: substr(name_norm, 1, i - 1) || substr(name_norm, i + 1))"
    columns = f"""
        name_norm AS unique_id,
        name_norm,
        CASE WHEN contains(name_norm, '{sep}') THEN split_part(name_norm, '{sep}', 2) ELSE '' END AS branch,
        list_append({del_keys}, name_norm) AS del_keys
    """
    _run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE _gq_fz_holders AS
        SELECT {columns}
        FROM (
            SELECT h.name_norm
            FROM _gq_todo t JOIN _gq_holder h ON h.holder_name = t.holder_name
            WHERE t.ip_number NOT IN (SELECT ip_number FROM _gq_exact)
              AND length(split_part(h.name_norm, '{sep}', 1)) >= {MIN_FUZZY_CORE}
              AND NOT regexp_matches(split_part(h.name_norm, '{sep}', 1), '(?:{institutions})$')
            GROUP BY h.name_norm
            HAVING NOT regexp_matches(h.name_norm, '^(?:{other_regions})')
                OR bool_or(contains(regexp_replace(t.holder_name, '{_SPACES_RE}', '', 'g'), '北京'))
        )
        """,
    )
    n = _count(con, "SELECT count(*) FROM _gq_fz_holders")
    if n == 0:
        return 0
    # Only registered names that share a deletion key with some holder name go to Splink (a
    # semi-join over the exploded keys): the blocking rule could pair no other.
    _run(con, "CREATE OR REPLACE TEMP TABLE _gq_fz_hkeys AS SELECT DISTINCT unnest(del_keys) AS k FROM _gq_fz_holders")
    _run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE _gq_fz_registry AS
        WITH reg AS (
            SELECT DISTINCT name_norm FROM name_history
            WHERE name_norm <> '' AND name_norm NOT IN (SELECT name_norm FROM _gq_fz_holders)
        ),
        bounds AS (SELECT min(length(name_norm)) - 1 AS lo, max(length(name_norm)) + 1 AS hi FROM _gq_fz_holders),
        reg_keys AS (
            SELECT name_norm, unnest(list_append({del_keys}, name_norm)) AS k
            FROM reg, bounds
            WHERE length(name_norm) BETWEEN bounds.lo AND bounds.hi
        )
        SELECT {columns}
        FROM (SELECT DISTINCT name_norm FROM reg_keys WHERE k IN (SELECT k FROM _gq_fz_hkeys))
        """,
    )
    return n


def _splink_settings() -> SettingsCreator:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    m = {name: (mm, u) for name, mm, u in NAME_LEVELS}
    b = {name: (mm, u) for name, mm, u in BRANCH_LEVELS}
    name_cmp = cl.CustomComparison(
        output_column_name="name_norm",
        comparison_levels=[
            cll.NullLevel("name_norm"),
            cll.ExactMatchLevel("name_norm").configure(m_probability=m["exact"][0], u_probability=m["exact"][1]),
            cll.DamerauLevenshteinLevel("name_norm", 1).configure(
                m_probability=m["damerau_levenshtein<=1"][0], u_probability=m["damerau_levenshtein<=1"][1]
            ),
            cll.DamerauLevenshteinLevel("name_norm", 2).configure(
                m_probability=m["damerau_levenshtein<=2"][0], u_probability=m["damerau_levenshtein<=2"][1]
            ),
            cll.JaroWinklerLevel("name_norm", 0.92).configure(
                m_probability=m["jaro_winkler>=0.92"][0], u_probability=m["jaro_winkler>=0.92"][1]
            ),
            cll.ElseLevel().configure(m_probability=m["else"][0], u_probability=m["else"][1]),
        ],
        comparison_description="normalised name",
    )
    branch_cmp = cl.CustomComparison(
        output_column_name="branch",
        comparison_levels=[
            cll.NullLevel("branch"),
            cll.ExactMatchLevel("branch").configure(m_probability=b["same"][0], u_probability=b["same"][1]),
            cll.ElseLevel().configure(m_probability=b["different"][0], u_probability=b["different"][1]),
        ],
        comparison_description="branch part (分公司 …) of the normalised name",
    )
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=PRIOR,
        comparisons=[name_cmp, branch_cmp],
        blocking_rules_to_generate_predictions=[block_on("del_keys", arrays_to_explode=["del_keys"])],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def _splink_links(con: duckdb.DuckDBPyConnection, review_threshold: float, review_floor: float) -> tuple[int, int]:
    _run(con, "CREATE OR REPLACE TEMP TABLE _gq_fz_pairs (holder_norm VARCHAR, cand_norm VARCHAR, p DOUBLE)")
    n_holders = _fuzzy_inputs(con)
    n_registry = _count(con, "SELECT count(*) FROM _gq_fz_registry") if n_holders else 0
    if n_holders and n_registry:
        from splink import DuckDBAPI, Linker

        db_api = DuckDBAPI(connection=con)
        holders = db_api.register("_gq_fz_holders", dataset_display_name="holders")
        registry = db_api.register("_gq_fz_registry", dataset_display_name="registry")
        linker = Linker([holders, registry], _splink_settings(), log_level=None)
        try:
            pred = linker.inference.predict(threshold_match_probability=review_floor, warning_mode="never")
            _run(
                con,
                f"""
                INSERT INTO _gq_fz_pairs
                SELECT CASE WHEN source_dataset_l = 'holders' THEN unique_id_l ELSE unique_id_r END,
                       CASE WHEN source_dataset_l = 'holders' THEN unique_id_r ELSE unique_id_l END,
                       match_probability
                FROM {pred.physical_name}
                WHERE source_dataset_l <> source_dataset_r
                """,
            )
        finally:
            linker.table_management.delete_tables_created_by_splink_from_db()  # type: ignore[no-untyped-call]
    pairs = _count(con, "SELECT count(*) FROM _gq_fz_pairs")
    _run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE _gq_fz_cand AS
        SELECT t.ip_number, n.uscc, n.name AS candidate_name, fp.p,
               {_VALID_AT} AS valid_at
        FROM _gq_todo t
        JOIN _gq_holder h ON h.holder_name = t.holder_name
        JOIN _gq_fz_pairs fp ON fp.holder_norm = h.name_norm
        JOIN name_history n ON n.name_norm = fp.cand_norm
        WHERE t.ip_number NOT IN (SELECT ip_number FROM _gq_exact)
        """,
    )
    _decide(con, "_gq_fz_cand", "_gq_fz", review_threshold)
    _run(con, "INSERT INTO _gq_link SELECT ip_number, uscc, 'splink', p FROM _gq_fz WHERE n_top = 1 AND rank = 1")
    _run(
        con,
        f"""
        INSERT INTO _gq_review
        SELECT f.ip_number, t.holder_name, f.uscc, f.candidate_name, f.p,
               CASE WHEN f.n_top > 1 THEN 'splink_ambiguous' ELSE 'splink_low_confidence' END
        FROM _gq_fz f JOIN _gq_todo t ON t.ip_number = f.ip_number
        WHERE f.n_top <> 1 AND f.rank <= {MAX_REVIEW_CANDIDATES}
        """,
    )
    return n_holders, pairs


def _write_links(con: duckdb.DuckDBPyConnection) -> None:
    _run(
        con,
        """
        CREATE OR REPLACE TABLE ip_link AS
        SELECT CAST(ip_number AS VARCHAR) AS ip_number, CAST(uscc AS VARCHAR) AS uscc,
               CAST(method AS VARCHAR) AS method, CAST(match_probability AS DOUBLE) AS match_probability
        FROM _gq_link
        """,
    )
    # one enterprise's links (trace.ip_rows) in a millisecond; about 1 s at 2.8M links
    _run(con, "CREATE INDEX ip_link_uscc ON ip_link (uscc)")
    _run(
        con,
        """
        CREATE OR REPLACE TABLE link_review AS
        SELECT CAST(ip_number AS VARCHAR) AS ip_number, CAST(holder_name AS VARCHAR) AS holder_name,
               CAST(candidate_uscc AS VARCHAR) AS candidate_uscc,
               CAST(candidate_name AS VARCHAR) AS candidate_name,
               CAST(match_probability AS DOUBLE) AS match_probability, CAST(reason AS VARCHAR) AS reason
        FROM _gq_review
        ORDER BY ip_number, match_probability DESC, candidate_uscc
        """,
    )


def _summary(
    con: duckdb.DuckDBPyConnection, fuzzy_names: int, fuzzy_pairs: int, seconds: dict[str, float]
) -> ResolveSummary:
    links = {m: 0 for m in METHODS}
    for method, n in con.execute("SELECT method, count(*) FROM ip_link GROUP BY method").fetchall():
        links[str(method)] = int(n)
    reasons = {r: 0 for r in REVIEW_REASONS}
    for reason, n in con.execute("SELECT reason, count(*) FROM link_review GROUP BY reason").fetchall():
        reasons[str(reason)] = int(n)
    ip_records = _count(con, "SELECT count(*) FROM _gq_ip")
    return ResolveSummary(
        enterprises=_count(con, "SELECT count(*) FROM enterprise"),
        name_history=_count(con, "SELECT count(*) FROM name_history"),
        ip_records=ip_records,
        links=links,
        unlinked=ip_records - sum(links.values()),
        held_by_unknown_uscc=_count(con, "SELECT count(*) FROM _gq_unlinked WHERE foreign_uscc"),
        review_rows=_count(con, "SELECT count(*) FROM link_review"),
        review_records=_count(con, "SELECT count(DISTINCT ip_number) FROM link_review"),
        review_reasons=reasons,
        splink_holder_names=fuzzy_names,
        splink_pairs=fuzzy_pairs,
        seconds=dict(seconds),
    )


def _drop_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND starts_with(table_name, '_gq_')"
    ).fetchall():
        _run(con, f'DROP TABLE IF EXISTS "{name}"')
