"""The profile: the registry of features built from the sources, and the one SQL statement assembled from
their pieces. Nothing here computes a feature; each is declared, with its SQL, in its source's module."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from gaoqi.engine.features import (
    certificates,
    credit,
    finance,
    incubation,
    ip,
    rd,
    registration,
    social_insurance,
)
from gaoqi.engine.features.declare import GROUPS, Feature, Source, Window, window_for

#: The sources, in a stable order: within a group, columns follow it. Registration comes first (its ``ent``
#: is the spine every other source joins to).
SOURCES: tuple[Source, ...] = (
    registration.SOURCE,
    finance.SOURCE,
    rd.SOURCE,
    ip.SOURCE,
    credit.SOURCE,
    social_insurance.SOURCE,
    certificates.SOURCE,
    incubation.SOURCE,
)

#: Register feeds: an enterprise with no rows has none of the things listed (0 / false), provided the feed
#: was delivered at all; otherwise the features are NULL (unknown).
REGISTER_FEEDS: tuple[str, ...] = tuple(s.register_feed for s in SOURCES if s.register_feed)


def registry(sources: tuple[Source, ...]) -> tuple[Feature, ...]:
    """Every source's features in column order: by group (``GROUPS``), then source, then declaration."""
    groups = list(GROUPS)
    seen: set[str] = set()
    keyed: list[tuple[int, int, int, Feature]] = []
    for s, source in enumerate(sources):
        for d, f in enumerate(source.features):
            if f.name in seen:
                raise ValueError(f"duplicate feature name {f.name!r}")
            if f.group not in GROUPS:
                raise ValueError(f"{f.name}: unknown group {f.group!r}")
            if f.absent is not None and source.register_feed is None:
                raise ValueError(f"{f.name}: only a register feed's features have a value when absent")
            seen.add(f.name)
            keyed.append((groups.index(f.group), s, d, f))
    return tuple(k[3] for k in sorted(keyed, key=lambda k: k[:3]))


FEATURES: tuple[Feature, ...] = registry(SOURCES)
FEATURE_BY_NAME: dict[str, Feature] = {f.name: f for f in FEATURES}


def feature(name: str) -> Feature:
    return FEATURE_BY_NAME[name]


def provenance_columns(feat: Feature) -> tuple[str, str] | None:
    """The profile columns (load_id, line) naming the source row of a feature, if it has one row."""
    if feat.provenance is None or feat.provenance.endswith("_window"):
        return None
    return f"{feat.provenance}_load_id", f"{feat.provenance}_line"


# ------------------------------------------------------------------------------------------------------
# SQL assembly


def profile_sql(as_of: date, *, delivered: Mapping[str, bool] | None = None) -> str:
    """The SELECT producing the profile rows for ``as_of`` (DuckDB dialect, portable constructs).

    ``delivered`` says, per register feed (ip, credit, certificate), whether it was delivered at all;
    missing entries count as delivered. Rows come in no particular order.
    """
    return assemble(window_for(as_of), SOURCES, delivered=delivered)


def assemble(w: Window, sources: tuple[Source, ...], *, delivered: Mapping[str, bool] | None = None) -> str:
    """The profile SELECT of ``sources`` for window ``w``: their CTEs in source order, the spine steps ``yr``
    and ``win`` (see ``SourceSQL``), then one column per feature (``registry(sources)``) over ``win`` and the
    sources' joins. Each column is the feature's SQL cast to its type; a register feed's feature with
    ``absent`` is COALESCEd to it when the feed was delivered (or takes it where ``absent_when`` holds) and NULL
    when it never was."""
    pieces = [s.sql(w) for s in sources]
    ctes: dict[str, str] = {}
    for p in pieces:
        for name, body in p.ctes.items():
            if name in ctes or name in ("yr", "win"):
                raise ValueError(f"CTE {name!r} declared twice")
            ctes[name] = body
    year_columns = "".join(f", {c}" for p in pieces for c in p.year_columns)
    year_joins = "".join(f"\n            {j}" for p in pieces for j in p.year_joins)
    ctes["yr"] = f"""
            SELECT ent.*{year_columns}
            FROM ent{year_joins}"""
    window_columns = "".join(f",\n                   {c}" for p in pieces for c in p.window_columns)
    ctes["win"] = f"""
            SELECT yr.*{window_columns}
            FROM yr"""

    register = {f.name: s.register_feed for s in sources for f in s.features}
    cols = []
    for f in registry(sources):
        expr = w.sql(f.sql)
        if f.absent is not None:
            feed = register[f.name]
            if not (feed and (delivered or {}).get(feed, True)):
                expr = "NULL"
            elif f.absent_when is not None:
                expr = f"CASE WHEN {w.sql(f.absent_when)} THEN {f.absent} ELSE {expr} END"
            else:
                expr = f"COALESCE({expr}, {f.absent})"
        is_list = f.sql_type.endswith("[]")  # lists keep their type; the rest is cast to the registry's type
        cols.append(f"{expr} AS {f.name}" if is_list else f"CAST({expr} AS {f.sql_type}) AS {f.name}")
    with_sql = ",\n".join(f"{name} AS ({body}\n)" for name, body in ctes.items())
    select = ",\n    ".join(cols)
    joins = "\n".join(j for p in pieces for j in p.joins)
    return f"""WITH {with_sql}
SELECT
    {select}
FROM win
{joins}"""


def validate_sql(sql: str) -> None:
    """Parse the generated SQL with sqlglot (DuckDB dialect); raises sqlglot.errors.ParseError."""
    import sqlglot  # here, not at the top: the registry (FEATURE_BY_NAME) is read without sqlglot

    sqlglot.parse_one(sql, dialect="duckdb")


def transpile_profile_sql(as_of: date, dialect: str = "spark", *, delivered: Mapping[str, bool] | None = None) -> str:
    """The profile SELECT in another dialect (for the Spark port); raises on unsupported constructs."""
    import sqlglot

    return sqlglot.transpile(
        profile_sql(as_of, delivered=delivered),
        read="duckdb",
        write=dialect,
        unsupported_level=sqlglot.ErrorLevel.RAISE,
    )[0]


# ------------------------------------------------------------------------------------------------------
# Documentation


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _source_row(f: Feature) -> str:
    cols = provenance_columns(f)
    if cols:
        return f"`{cols[0]}`, `{cols[1]}`"
    if f.provenance:
        feed = f.provenance.removesuffix("_window")
        return f"{feed}_cur rows of the window years"
    return ""


def features_markdown() -> str:
    """The generated feature tables of docs/features.md (one table per group)."""
    parts: list[str] = []
    for group, title in GROUPS.items():
        feats = [f for f in FEATURES if f.group == group]
        if not feats:
            continue
        parts.append(f"### {title}\n")
        parts.append("| Feature | 名称 | Type | SQL type | Unit | Definition | Rule | Feeds | Source row |")
        parts.append("|---|---|---|---|---|---|---|---|---|")
        for f in feats:
            parts.append(
                f"| `{f.name}` | {f.label} | {f.type} | {f.sql_type} | {f.unit or ''} | {_md(f.definition)} "
                f"| {_md(f.article or '')} | {', '.join(f.feeds)} | {_source_row(f)} |"
            )
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"
