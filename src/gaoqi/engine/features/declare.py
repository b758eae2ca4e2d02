"""The declaration types of the profile: a ``Feature`` (one column: its metadata and its SQL) and a ``Source``
(one department feed's features and the SQL pieces they share), the window every date derives from, and the
SQL helpers the sources have in common. Nothing here knows a particular source; ``profile.py`` assembles them.

A feature's ``sql`` is a template: ``{as_of}`` (a DATE literal), ``{as_of_year}``, ``{first_year}``,
``{last_year}`` and ``{credit_from}`` (a DATE literal) are filled in from the as-of date (``Window.sql``), so
every date is a literal in the generated statement. A literal brace is written twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

FeatureType = Literal["money", "ratio", "count", "date", "boolean", "text", "integer"]

RATIO_DECIMALS = 12
MONEY = "DECIMAL(38,4)"
RATIO = f"DECIMAL(38,{RATIO_DECIMALS})"
STAFF = "DECIMAL(12,2)"

#: The look-back of the credit counts: the 365 days before the application (S-32 Art. 11(八)).
CREDIT_LOOKBACK_DAYS = 365

#: The definition's sentence for a window sum.
WINDOW_SUM_NOTE = "Window years: from fy_window_start to fy_window_end. NULL unless every window year has a value."

#: The feature groups, in column order: the profile's columns are the features ordered by group, then by
#: source (``profile.SOURCES``), then as declared in their source module.
GROUPS: dict[str, str] = {
    "enterprise": "登记信息",
    "window": "时间窗口",
    "finance": "财务（税务）",
    "rd": "研发与人员",
    "growth": "成长性",
    "ip": "知识产权",
    "credit": "信用事件",
    "certificate": "资质",
    "social_insurance": "社保",
    "provenance": "来源",
    "incubation": "孵化",
}


@dataclass(frozen=True, kw_only=True)
class Feature:
    """One column of ``profile``: what it means and the SQL that computes it."""

    name: str
    label: str
    type: FeatureType
    unit: str | None
    definition: str
    article: str | None
    group: str
    sql_type: str
    feeds: tuple[str, ...]
    #: The column's value: a SQL expression (template, see the module docstring) over the spine ``win`` and
    #: its source's joins; cast to ``sql_type`` (lists keep their type).
    sql: str
    #: where the value comes from, for the "source" hover: a prefix P such that the profile columns
    #: ``P_load_id`` and ``P_line`` name the row, or "finance_window" / "rd_window" (the rows of that
    #: feed's current view for the enterprise and the window's fiscal years), or None.
    provenance: str | None = None
    #: Register feeds only: the value for an enterprise without rows when the feed was delivered ("0",
    #: "FALSE"); the column is NULL for everyone when the feed never was.
    absent: str | None = None
    #: With ``absent``: the test (template) telling an enterprise without rows, when the feature's own SQL
    #: can be NULL for one with rows (unknown) — then ``absent`` replaces only that case, not every NULL.
    absent_when: str | None = None
    #: Counts of a source's rows: the predicate (template) selecting the rows counted. The source's
    #: per-enterprise pass has the column ``COUNT(*) FILTER (WHERE <counts>) AS <name>`` (``count_columns``).
    counts: str | None = None


def declare(
    name: str,
    label: str,
    type_: FeatureType,
    sql_type: str,
    definition: str,
    *,
    sql: str,
    group: str,
    feeds: tuple[str, ...],
    unit: str | None = None,
    article: str | None = None,
    provenance: str | None = None,
    absent: str | None = None,
    absent_when: str | None = None,
    counts: str | None = None,
) -> Feature:
    """A ``Feature``, positional in the order a declaration reads: name, label, type, SQL type, definition."""
    return Feature(
        name=name,
        label=label,
        type=type_,
        unit=unit,
        definition=definition,
        article=article,
        group=group,
        sql_type=sql_type,
        feeds=feeds,
        sql=sql,
        provenance=provenance,
        absent=absent,
        absent_when=absent_when,
        counts=counts,
    )


def source_row(
    prefix: str, label: str, what: str, *, feeds: tuple[str, ...], load_id: str, line: str
) -> tuple[Feature, Feature]:
    """The two provenance columns ``<prefix>_load_id`` and ``<prefix>_line`` naming the row ``what`` (the
    row a feature with ``provenance=prefix`` comes from), computed by ``load_id`` and ``line``."""
    return (
        declare(f"{prefix}_load_id", f"{label}批次号", "integer", "INTEGER", f"loads.load_id of {what}.",
                sql=load_id, group="provenance", feeds=feeds),
        declare(f"{prefix}_line", f"{label}行号", "integer", "BIGINT", f"Line in the delivered file of {what}.",
                sql=line, group="provenance", feeds=feeds),
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------------
# The window: every date and fiscal year derived from the as-of date


@dataclass(frozen=True)
class Window:
    as_of: date
    first_year: int  # as_of year − 3 (nominal window start)
    last_year: int  # as_of year − 1 (最近一年)
    credit_from: date  # as_of − 365 days

    def sql(self, template: str) -> str:
        """``template`` with this window's values filled in (see the module docstring)."""
        return template.format_map(
            {
                "as_of": date_lit(self.as_of),
                "as_of_year": self.as_of.year,
                "first_year": self.first_year,
                "last_year": self.last_year,
                "credit_from": date_lit(self.credit_from),
            }
        )


def window_for(as_of: date) -> Window:
    as_of = as_date(as_of)
    return Window(as_of, as_of.year - 3, as_of.year - 1, as_of - timedelta(days=CREDIT_LOOKBACK_DAYS))


def as_date(value: date) -> date:
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise TypeError(f"as_of must be a date, not {type(value).__name__}")
    return value


# ------------------------------------------------------------------------------------------------------
# Sources


@dataclass(frozen=True)
class SourceSQL:
    """What one source adds to the profile statement for one window (every part optional).

    The statement is ``WITH <every source's ctes>, yr AS (SELECT ent.*, <year_columns> FROM ent
    <year_joins>), win AS (SELECT yr.*, <window_columns> FROM yr) SELECT <features> FROM win <joins>``:
    ``ent`` (registration's: one row per enterprise, with the window's operating years ``k``) is the spine,
    ``yr`` adds per-enterprise values taken from the window's rows, ``win`` what is computed from those, and
    everything else is reduced to at most one row per uscc and left-joined.
    """

    ctes: Mapping[str, str] = field(default_factory=dict)
    year_joins: tuple[str, ...] = ()
    year_columns: tuple[str, ...] = ()
    window_columns: tuple[str, ...] = ()
    joins: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """One department feed (or a few that belong together) and every feature computed from it."""

    name: str
    features: tuple[Feature, ...]
    sql: Callable[[Window], SourceSQL]
    #: A register feed (ip, credit, certificate): features with ``absent`` are 0 / false for an enterprise
    #: without rows when the feed was delivered at all, and NULL when it never was.
    register_feed: str | None = None


# ------------------------------------------------------------------------------------------------------
# SQL helpers


def date_lit(d: date) -> str:
    return f"DATE '{d.isoformat()}'"


def in_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def ratio(num: str, den: str) -> str:
    """num ÷ den; NULL when either is NULL or den = 0.

    Computed in DOUBLE (the same on every engine: decimal division differs between DuckDB and Spark) and
    rounded at the 12th decimal by the final cast to RATIO, which makes 0.049999999999999996 exactly 0.05.
    """
    return f"CAST({num} AS DOUBLE) / NULLIF(CAST({den} AS DOUBLE), 0)"


def count_columns(w: Window, features: tuple[Feature, ...]) -> str:
    """The columns of a per-enterprise pass counting rows: one per feature with ``counts``, named after it."""
    return ", ".join(f"COUNT(*) FILTER (WHERE {w.sql(f.counts)}) AS {f.name}" for f in features if f.counts)


def window_rows(
    w: Window,
    *,
    table: str,
    alias: str,
    per_year: Mapping[str, str],
    last_year: Mapping[str, str],
    present: str,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The per-year step's joins and columns for a source with one row per (uscc, fiscal_year).

    The CTE ``table`` holds the window's rows; it is joined once per window year (aliases ``alias``1..3,
    year i = as_of year − 4 + i), and a year's value is kept only when it is an operating year of the
    enterprise (``k >= 4 − i``). ``per_year`` maps a prefix P to a column: P_1, P_2, P_3. ``last_year`` maps a
    column name to an expression over ``alias``3. ``present`` names the count of window years with a row.
    """

    def gate(i: int, expr: str) -> str:
        return f"CASE WHEN ent.k >= {4 - i} THEN {expr} END"

    joins = tuple(
        f"LEFT JOIN {table} {alias}{i} ON {alias}{i}.uscc = ent.uscc AND {alias}{i}.fiscal_year = {w.first_year + i - 1}"
        for i in (1, 2, 3)
    )
    cols = [f"{gate(i, f'{alias}{i}.{col}')} AS {prefix}_{i}" for prefix, col in per_year.items() for i in (1, 2, 3)]
    cols += [f"{gate(3, expr)} AS {name}" for name, expr in last_year.items()]
    years = " + ".join(
        f"CASE WHEN ent.k >= {4 - i} AND {alias}{i}.uscc IS NOT NULL THEN 1 ELSE 0 END" for i in (1, 2, 3)
    )
    cols.append(f"{years} AS {present}")
    return joins, tuple(cols)


def window_sum(prefix: str) -> str:
    """Sum of the gated per-year columns P_1..P_3 over the enterprise's operating window years."""
    p = prefix
    return f"CASE k WHEN 3 THEN {p}_1 + {p}_2 + {p}_3 WHEN 2 THEN {p}_2 + {p}_3 WHEN 1 THEN {p}_3 END"
