"""interpret: the IR evaluated in Python for one enterprise agrees with the SQL.

The property: for every shipped policy in force and every enterprise of a small synthetic Beijing (500
profiles), each data condition's and data screen's outcome (pass/fail/unknown), the status and the failed
conditions computed by the interpreter equal those of the compiled SQL. Then the interpreter's own rules:
three-valued logic, exact decimals, DuckDB's division and ``score_total``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from gaoqi.engine import score_total
from gaoqi.engine.rules import Policy, ir, load_policies, version_sql
from gaoqi.engine.rules.compile import explain_order
from gaoqi.engine.rules.interpret import combined_total, compare, evaluate_expr, outcomes, score_intervals, status
from tests.engine.rules.support import POLICIES_DIR, synthetic_population

AS_OF = date(2026, 6, 30)
D = Decimal


@pytest.fixture(scope="module")
def policies() -> list[Policy]:
    return load_policies(POLICIES_DIR)


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    con = synthetic_population(tmp_path_factory, enterprises=500, seed=23, as_of=AS_OF)
    yield con
    con.close()


def _profile_rows(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    cur = con.execute("SELECT * FROM profile ORDER BY uscc")
    names = [d[0] for d in cur.description]
    return {r[names.index("uscc")]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}


def _agree(con: duckdb.DuckDBPyConnection, policies: list[Policy], rows: dict[str, dict[str, Any]]) -> int:
    """Every version of every policy (old versions too: the statement reads the same profiles) over ``rows``:
    the interpreter's outcomes, status, failed list and score intervals equal the SQL's. Returns the number
    of (enterprise, version) pairs compared."""
    compared = 0
    for policy in policies:
        for version in policy.versions:
            order = [c.id for c in explain_order(version)]
            # the detail columns: per compiled condition c{i}_ok, … (explain's statement over every profile)
            sql = version_sql(policy, version, AS_OF, "", detail=True)
            cur = con.execute(f"SELECT * FROM ({sql}) AS d ORDER BY uscc")
            names = [d[0] for d in cur.description]
            for values in cur.fetchall():
                got = dict(zip(names, values, strict=True))
                row = rows[got["uscc"]]
                where = (policy.id, version.id, got["uscc"])
                assert outcomes(version, row) == {cid: got[f"c{i}_ok"] for i, cid in enumerate(order)}, where
                assert status(version, row) == (got["status"], got["failed_conditions"]), where
                for sc_id, iv in score_intervals(version, row).items():
                    assert (iv.lo, iv.hi, iv.grade) == (got[f"sc_{sc_id}_lo"], got[f"sc_{sc_id}_hi"],
                                                        got[f"sc_{sc_id}_grade"]), (*where, sc_id)  # fmt: skip
                compared += 1
    return compared


def test_interpreter_outcomes_equal_the_sql_for_every_shipped_policy(
    population: duckdb.DuckDBPyConnection, policies: list[Policy]
) -> None:
    rows = _profile_rows(population)
    assert len(rows) == 500
    versions = sum(len(p.versions) for p in policies)
    assert versions >= 8
    assert _agree(population, policies, rows) == 500 * versions


def test_interpreter_equals_the_sql_at_the_thresholds(
    population: duckdb.DuckDBPyConnection, policies: list[Policy]
) -> None:
    """Rows moved onto each threshold: a feature compared with a parameter set to exactly its value (where
    exact decimals and floating-point division part ways, if anywhere)."""
    base = list(_profile_rows(population).values())[:20]
    con = duckdb.connect()
    population_types = population.execute("DESCRIBE profile").fetchall()
    con.execute("CREATE TABLE profile (" + ", ".join(f"{n} {t}" for n, t, *_ in population_types) + ")")
    names = [n for n, *_ in population_types]
    rows: dict[str, dict[str, Any]] = {}
    for policy in policies:
        for version in policy.versions:
            for cond in version.conditions:
                if not (isinstance(cond.observed, ir.Feature) and isinstance(cond.required, ir.Param)):
                    continue
                value = version.parameters[cond.required.name].value
                for k, row in enumerate(base):
                    moved = {**row, cond.observed.name: value, "uscc": f"T{len(rows):05d}{k:02d}"}
                    rows[moved["uscc"]] = moved
    assert len(rows) >= 200
    con.executemany(
        f"INSERT INTO profile VALUES ({', '.join('?' for _ in names)})", [[r[n] for n in names] for r in rows.values()]
    )
    # read back as DuckDB holds them (a parameter stored in a DECIMAL(38,12) or INTEGER column)
    stored = _profile_rows(con)
    versions = sum(len(p.versions) for p in policies)
    assert _agree(con, policies, stored) == len(rows) * versions


def test_the_population_reaches_all_three_outcomes(
    population: duckdb.DuckDBPyConnection, policies: list[Policy]
) -> None:
    """The property above is only as strong as its sample: pass, fail and unknown all occur."""
    rows = _profile_rows(population)
    kinds: set[bool | None] = set()
    for policy in policies:
        version = policy.version_at(AS_OF)
        if version is not None:
            for row in rows.values():
                kinds.update(outcomes(version, row).values())
    assert kinds == {True, False, None}


def _expr(text: str) -> ir.Expr:
    import sqlglot

    from gaoqi.engine.rules.load import to_ir

    return to_ir(sqlglot.parse_one(text, dialect="duckdb"), {}, None)


def test_three_valued_logic() -> None:
    row: dict[str, Any] = {"has_hte_certificate": None, "hte_prior_certificate": True, "hte_rd_ratio": None}
    assert evaluate_expr(_expr("has_hte_certificate = TRUE OR hte_prior_certificate = TRUE"), row, {}) is True
    assert evaluate_expr(_expr("has_hte_certificate = TRUE AND hte_prior_certificate = TRUE"), row, {}) is None
    assert evaluate_expr(_expr("has_hte_certificate = TRUE AND hte_prior_certificate = FALSE"), row, {}) is False
    assert evaluate_expr(_expr("NOT has_hte_certificate"), row, {}) is None
    # a CASE arm whose test is unknown is skipped
    case = _expr("CASE WHEN hte_rd_ratio > 0.1 THEN 1 ELSE 2 END")
    assert evaluate_expr(case, row, {}) == D(2)
    assert compare(">=", None, D(1)) is None


def test_decimals_are_exact_and_division_is_floating_point_like_duckdb() -> None:
    row = {"sales_revenue_last_year": D("0.1"), "rd_expense_last_year": D("0.2")}
    total = evaluate_expr(_expr("sales_revenue_last_year + rd_expense_last_year"), row, {})
    assert total == D("0.3") and isinstance(total, Decimal)
    assert evaluate_expr(_expr("rd_expense_last_year / sales_revenue_last_year"), row, {}) == 2.0
    zero = {"sales_revenue_last_year": D(0), "rd_expense_last_year": D(1)}
    con = duckdb.connect()
    duck = con.execute("SELECT CAST(1 AS DECIMAL(38,4)) / CAST(0 AS DECIMAL(38,4))").fetchone()
    assert duck is not None
    assert evaluate_expr(_expr("rd_expense_last_year / sales_revenue_last_year"), zero, {}) == duck[0]
    assert evaluate_expr(_expr("least(rd_expense_last_year, 3, sales_revenue_last_year)"), zero, {}) == D(0)
    assert evaluate_expr(_expr("round(rd_expense_last_year / 3, 2)"), zero, {}) == 0.33


def test_score_total_by_the_interpreter(policies: list[Policy]) -> None:
    """The innovation total: knowledge property capped at 30 (least), the four items summed."""
    hte = next(p for p in policies if p.id == "hte-certification")
    version = hte.version_at(AS_OF)
    assert version is not None
    combined = [s for s in version.scores if s.assessed_by == "combined"]
    assert combined, "the 2016 version combines its innovation items"
    items = {s.id: s.max_points or 0 for s in version.scores if s.assessed_by != "combined"}
    top = combined_total(version, items)
    assert top == score_total(hte, version, items)
    # the same total as DuckDB computes from the compiled expressions, one layer per combined score
    from gaoqi.engine.rules import compile_expr

    con = duckdb.connect()
    cols = ", ".join(f"{v} AS v_{k}" for k, v in items.items())
    last = combined[-1]
    layered = f"SELECT {cols}"
    for sc in combined:
        assert sc.expr is not None
        bound = {k: f"v_{k}" for k in [*items, *(c.id for c in combined)]}
        layered = f"SELECT *, {compile_expr(sc.expr, version, scores=bound)} AS v_{sc.id} FROM ({layered})"
    duck = con.execute(f"SELECT v_{last.id} FROM ({layered})").fetchone()
    assert duck is not None and int(duck[0]) == top
    assert score_total(hte, None, dict.fromkeys(items, 0)) == 0
