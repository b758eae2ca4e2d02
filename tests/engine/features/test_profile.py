"""profile.py: the registry built from the sources, the assembled SQL, register feeds never delivered,
provenance, and the generated docs."""

from __future__ import annotations

import importlib
import itertools
import pkgutil
import re
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest
import sqlglot

import gaoqi.engine.features
from gaoqi.engine.features import (
    CREDIT_COUNT_FEATURES,
    FEATURE_BY_NAME,
    FEATURES,
    GROUPS,
    GROWTH_BASES,
    IP_COUNT_FEATURES,
    MONEY,
    build_profiles,
    credit_predicates,
    features_markdown,
    finance,
    profile_sql,
    provenance_columns,
    rd,
    registration,
    transpile_profile_sql,
    window_for,
)
from gaoqi.engine.features.declare import declare
from gaoqi.engine.features.profile import REGISTER_FEEDS, SOURCES, assemble, registry
from tests.engine.features.workspace import AS_OF, D, Workspace

DOCS = Path(__file__).resolve().parents[3] / "docs" / "features.md"


def test_register_feeds_never_delivered_give_null(ws: Workspace) -> None:
    e = ws.enterprise()
    summary = build_profiles(ws.con, AS_OF)
    assert summary.feeds_not_delivered == ("ip", "credit", "certificate")
    p = ws.build()[e]
    for col in ("ip_class1_count", "credit_major_safety_accident_365d", "abnormal_operation_listed"):
        assert p[col] is None, col
    assert p["has_hte_certificate"] is None and p["has_tech_sme"] is None
    assert p["has_zgc_hte"] is None and p["has_zgc_hte_innovative"] is None
    assert p["hte_prior_certificate"] is None and p["hte_first_issue_date"] is None
    assert p["former_names"] == []


def test_redelivered_row_wins_and_provenance_points_at_it(ws: Workspace) -> None:
    e = ws.enterprise()
    ws.finance(e, 2022, 1000)
    ws.finance(e, 2023, 1000)
    ws.finance(e, 2024, 1, load_id=2, line=5)
    ws.finance(e, 2024, 2000, total_revenue=2100, load_id=8, line=3)  # correction in a later delivery
    ws.rd(e, 2024, 70, load_id=3, line=11)
    p = ws.build()[e]
    assert p["sales_revenue_last_year"] == D("2000")
    assert (p["finance_last_load_id"], p["finance_last_line"]) == (8, 3)
    assert (p["rd_last_load_id"], p["rd_last_line"]) == (3, 11)
    assert p["registration_load_id"] == 1
    assert provenance_columns(FEATURE_BY_NAME["sales_revenue_last_year"]) == (
        "finance_last_load_id",
        "finance_last_line",
    )
    assert provenance_columns(FEATURE_BY_NAME["sales_revenue_window"]) is None


def test_profile_table_matches_the_registry(ws: Workspace) -> None:
    ws.enterprise()
    ws.build()
    described = ws.con.execute("DESCRIBE profile").fetchall()
    assert [(r[0], r[1]) for r in described] == [(f.name, f.sql_type) for f in FEATURES]


def test_registry_is_complete() -> None:
    for f in FEATURES:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", f.name), f.name
        assert f.type in {"money", "ratio", "count", "date", "boolean", "text", "integer"}, f.name
        assert f.label and f.definition, f.name
        assert f.group in GROUPS, f.name
        if f.type == "money":
            assert f.unit == "万元", f.name
        if f.provenance and not f.provenance.endswith("_window"):
            load_id, line = provenance_columns(f) or ("", "")
            assert load_id in FEATURE_BY_NAME and line in FEATURE_BY_NAME, f.name
    assert set(GROWTH_BASES) >= {"three_years", "last_two_years", "year2_zero", "missing_data"}


def test_sql_parses_and_transpiles_to_spark() -> None:
    sql = profile_sql(AS_OF)
    sqlglot.parse_one(sql, dialect="duckdb")
    spark = transpile_profile_sql(AS_OF)
    assert "MAX_BY" in spark and "FILTER" in spark
    assert "DATE '2025-03-01'" in sql and "2024-03-01" in sql
    # the NULL choice for undelivered register feeds is baked into the SQL
    assert "COALESCE(ipc.ip_class1_count, 0)" in sql
    assert "COALESCE(ipc.ip_class1_count, 0)" not in profile_sql(AS_OF, delivered={"ip": False})


def test_docs_list_every_feature() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert features_markdown() in text, "docs/features.md is out of date: paste features_markdown() into it"
    for f in FEATURES:
        assert f"`{f.name}`" in text, f.name


# --- the registry is the sources' declarations ---------------------------------------------------------


def _package_modules() -> dict[str, ModuleType]:
    return {
        m.name: importlib.import_module(f"gaoqi.engine.features.{m.name}")
        for m in pkgutil.iter_modules(gaoqi.engine.features.__path__)
    }


def test_the_registry_is_built_from_the_source_modules() -> None:
    sourced = {name: m for name, m in _package_modules().items() if hasattr(m, "SOURCE")}
    assert sorted(sourced) == [
        "certificates",
        "credit",
        "finance",
        "incubation",
        "ip",
        "rd",
        "registration",
        "social_insurance",
    ]
    assert [s.name for s in SOURCES] == [
        "registration",
        "finance",
        "rd",
        "ip",
        "credit",
        "social_insurance",
        "certificates",
        "incubation",
    ]
    assert {id(m.SOURCE) for m in sourced.values()} == {id(s) for s in SOURCES}
    for m in sourced.values():
        assert m.SOURCE.features is m.FEATURES  # a module's declarations are its source's features
    declared = {f.name: f for s in SOURCES for f in s.features}
    assert len(declared) == sum(len(s.features) for s in SOURCES) == len(FEATURES) == 94
    assert all(FEATURE_BY_NAME[name] is f for name, f in declared.items())  # the very declarations, nothing else
    assert REGISTER_FEEDS == ("ip", "credit", "certificate")


def test_columns_follow_group_then_source_then_declaration() -> None:
    groups = list(GROUPS)
    key = {f.name: (groups.index(f.group), i, j) for i, s in enumerate(SOURCES) for j, f in enumerate(s.features)}
    assert [f.name for f in FEATURES] == sorted(key, key=key.__getitem__)
    # every group is one contiguous block, in GROUPS order
    assert [g for g, _ in itertools.groupby(f.group for f in FEATURES)] == groups
    assert [f.name for f in FEATURES[:3]] == ["as_of", "uscc", "name"]
    assert [f.name for f in FEATURES[-6:]] == [
        "incubation_load_id",
        "incubation_line",
        "incubator_code",
        "incubation_status",
        "incubation_entered_on",
        "incubation_left_on",
    ]


def test_every_feature_has_its_sql_and_every_column_is_a_feature() -> None:
    w = window_for(AS_OF)
    sql = profile_sql(AS_OF)
    assert sqlglot.parse_one(sql, dialect="duckdb").named_selects == [f.name for f in FEATURES]
    for f in FEATURES:
        expr = w.sql(f.sql)
        assert expr.strip() and "{" not in expr, f.name
        if f.absent is not None and f.absent_when is not None:
            expr = f"CASE WHEN {w.sql(f.absent_when)} THEN {f.absent} ELSE {expr} END"
        elif f.absent is not None:
            expr = f"COALESCE({expr}, {f.absent})"
        column = f"{expr} AS {f.name}" if f.sql_type.endswith("[]") else f"CAST({expr} AS {f.sql_type}) AS {f.name}"
        assert column in sql, f.name  # the column is its declaration's SQL
    assert "CAST(DATE '2025-03-01' AS DATE) AS as_of" in sql
    assert "CAST(CASE WHEN k > 0 THEN 2025 - k END AS INTEGER) AS fy_window_start" in sql
    assert "CAST(DATE_DIFF('day', ce.hte.issue_date, DATE '2025-03-01') AS BIGINT) AS hte_days_since_issue" in sql


def test_count_predicates_live_in_their_declarations() -> None:
    w = window_for(AS_OF)
    for s in SOURCES:
        pieces = s.sql(w)
        passes = "".join(pieces.ctes.values())
        for f in s.features:
            if f.counts is None:
                continue
            assert f"COUNT(*) FILTER (WHERE {w.sql(f.counts)}) AS {f.name}" in passes, f.name
            alias = f.sql.split(".")[0]
            assert f.sql == f"{alias}.{f.name}" and f"LEFT JOIN {alias} ON {alias}.uscc = win.uscc" in pieces.joins
    assert {f.name for f in FEATURES if f.counts} == set(IP_COUNT_FEATURES) | set(CREDIT_COUNT_FEATURES)
    assert IP_COUNT_FEATURES["ip_acquired_count"] == (
        "ip_acquired_count",
        "acquisition IN ('transfer', 'gift', 'merger')",
    )
    for name, (column, predicate) in IP_COUNT_FEATURES.items():  # trace uses them as they are: no as-of in them
        assert column == name and w.sql(predicate) == predicate
    predicates = credit_predicates(AS_OF)
    assert tuple(predicates) == CREDIT_COUNT_FEATURES == tuple(f.name for f in FEATURES if f.group == "credit")
    assert predicates["credit_major_safety_accident_365d"] == (
        "event_type = 'major_safety_accident' AND decided_date BETWEEN DATE '2024-03-01' AND DATE '2025-03-01'"
    )
    assert predicates["serious_dishonesty_listed"] == (
        "event_type = 'serious_dishonesty' AND decided_date <= DATE '2025-03-01' "
        "AND (removed_date IS NULL OR removed_date > DATE '2025-03-01')"
    )


def test_the_registry_refuses_what_it_cannot_assemble() -> None:
    first = rd.FEATURES[0]
    with pytest.raises(ValueError, match="duplicate feature name 'rd_years_present'"):
        registry((registration.SOURCE, replace(rd.SOURCE, features=(*rd.FEATURES, first))))
    with pytest.raises(ValueError, match="x: unknown group 'nowhere'"):
        registry((registration.SOURCE, replace(rd.SOURCE, features=(replace(first, name="x", group="nowhere"),))))
    with pytest.raises(ValueError, match="x: only a register feed's features have a value when absent"):
        registry((registration.SOURCE, replace(rd.SOURCE, features=(replace(first, name="x", absent="0"),))))


def test_adding_a_feature_is_one_declaration(ws: Workspace) -> None:
    """A feature declared in its source's module (here appended to finance's FEATURES, over the per-year
    columns finance already declares) is a column of the profile, placed in its group, computed by its SQL."""
    new = declare(
        "total_liabilities_last_year",
        "最近一年负债总额",
        "money",
        MONEY,
        "Total liabilities at the end of the last year.",
        sql="ly_total_assets - na_3",
        group="finance",
        feeds=("finance",),
        unit="万元",
    )
    sources = tuple(replace(s, features=(*s.features, new)) if s is finance.SOURCE else s for s in SOURCES)
    names = [f.name for f in registry(sources)]
    after = names.index("total_assets_last_year") + 1
    assert names == [*(f.name for f in FEATURES[:after]), new.name, *(f.name for f in FEATURES[after:])]

    e = ws.enterprise()
    ws.finance(e, 2024, 100, assets=500, liabilities=D("120.5"))
    ws.build()  # the current views
    sql = assemble(window_for(AS_OF), sources)
    got = ws.con.execute(f"SELECT uscc, total_liabilities_last_year, total_assets_last_year FROM ({sql})").fetchall()
    assert got == [(e, D("120.5"), D("500"))]
    cols = [d[0] for d in ws.con.execute(f"SELECT * FROM ({sql}) LIMIT 0").description]
    assert cols == names
