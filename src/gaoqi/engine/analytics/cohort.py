"""Cohorts over a published snapshot: a TYPED filter (never SQL from the user) compiled with SQLGlot builders.

``CohortFilter`` holds codes, numbers and years only; every value reaches the SQL as a literal built by SQLGlot
(``exp.Literal``), never as text spliced into a statement. ``cohort_sql`` counts the filtered enterprises and
their distributions by district, technical field, size band, growth band (GROUPING SETS: one scan) and by tag
(one FILTER aggregate per tag) over ``tags.tagged_select``. ``scope`` is the caller's districts (None: every
district; an empty tuple: none), intersected with the filter's own districts: the platform passes the user's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from gaoqi.engine.analytics.tags import TagSet
from gaoqi.engine.lazy import LazyModule

if TYPE_CHECKING:
    from sqlglot import exp
else:
    exp = LazyModule("sqlglot.expressions", globals(), "exp")

#: The distributions a cohort gives: dimension → its column in ``tagged_select`` (tag groups by their band).
DIMENSIONS: tuple[str, ...] = ("district", "tech_field", "size", "growth")
_DIMENSION_COLUMN: Mapping[str, str] = {
    "district": "district_code",
    "tech_field": "tech_field",
    "size": "band_size",
    "growth": "band_growth",
}


class CohortFilterError(ValueError):
    """A filter naming a code the tags file does not define (the platform's form should have refused it)."""


@dataclass(frozen=True)
class CohortFilter:
    """Which enterprises: every field narrows (AND); an empty field does not filter. Codes only.

    ``size_bands``/``growth_bands``: tag codes of the exclusive groups ``size``/``growth``; ``tags_all``: every
    tag; ``tags_any``: at least one; ``revenue_min``/``revenue_max``: last year's sales revenue in 万元,
    inclusive (an enterprise without the figure is out when either is set); ``established_from``/``_to``:
    the year of establishment, inclusive."""

    districts: tuple[str, ...] = ()
    tech_fields: tuple[str, ...] = ()
    industry_sections: tuple[str, ...] = ()
    size_bands: tuple[str, ...] = ()
    growth_bands: tuple[str, ...] = ()
    tags_all: tuple[str, ...] = ()
    tags_any: tuple[str, ...] = ()
    has_hte: bool | None = None
    revenue_min: Decimal | None = None
    revenue_max: Decimal | None = None
    established_from: int | None = None
    established_to: int | None = None


@dataclass(frozen=True)
class CohortResult:
    """The cohort's count and distributions (code → count; ``""``: no value / no band), each by count, largest first."""

    count: int
    by_district: dict[str, int] = field(default_factory=dict)
    by_tech_field: dict[str, int] = field(default_factory=dict)
    by_size: dict[str, int] = field(default_factory=dict)
    by_growth: dict[str, int] = field(default_factory=dict)
    by_tag: dict[str, int] = field(default_factory=dict)
    tags_version: str = ""


def _strings(values: Sequence[str]) -> list[exp.Expr]:
    return [exp.Literal.string(str(v)) for v in values]


def _in(column: str, values: Sequence[str]) -> exp.Expr:
    return exp.In(this=exp.column(column), expressions=_strings(values))


def _number(value: Decimal | int) -> exp.Expr:
    text = str(Decimal(value))
    if text.startswith("-"):
        return exp.Neg(this=exp.Literal.number(text[1:]))
    return exp.Literal.number(text)


def check_filter(f: CohortFilter, tags: TagSet) -> None:
    """Refuse a tag or band code the tags file does not define."""
    for name, codes, group in (
        ("size_bands", f.size_bands, "size"),
        ("growth_bands", f.growth_bands, "growth"),
        ("tags_all", f.tags_all, None),
        ("tags_any", f.tags_any, None),
    ):
        for code in codes:
            tag = tags.by_code.get(code)
            if tag is None or (group is not None and tag.group != group):
                raise CohortFilterError(f"{name}: unknown code '{code}'")


def where_clause(f: CohortFilter, tags: TagSet, scope: Sequence[str] | None) -> exp.Expr:
    """The filter (and the caller's scope) as one boolean over ``tagged_select``'s columns; TRUE when empty."""
    check_filter(f, tags)
    parts: list[exp.Expr] = []
    if scope is not None:
        parts.append(_in("district_code", scope) if scope else exp.false())
    if f.districts:
        parts.append(_in("district_code", f.districts))
    if f.tech_fields:
        parts.append(_in("tech_field", f.tech_fields))
    if f.industry_sections:
        parts.append(_in("industry_section", f.industry_sections))
    if f.size_bands:
        parts.append(_in("band_size", f.size_bands))
    if f.growth_bands:
        parts.append(_in("band_growth", f.growth_bands))
    for code in f.tags_all:
        parts.append(tags.tag_test(code))
    if f.tags_any:
        parts.append(exp.Paren(this=exp.or_(*(tags.tag_test(c) for c in f.tags_any))))
    if f.has_hte is not None:
        parts.append(
            exp.EQ(
                this=exp.Coalesce(this=exp.column("has_hte_certificate"), expressions=[exp.false()]),
                expression=exp.Boolean(this=f.has_hte),
            )
        )
    if f.revenue_min is not None:
        parts.append(exp.GTE(this=exp.column("sales_revenue_last_year"), expression=_number(f.revenue_min)))
    if f.revenue_max is not None:
        parts.append(exp.LTE(this=exp.column("sales_revenue_last_year"), expression=_number(f.revenue_max)))
    if f.established_from is not None:
        parts.append(exp.GTE(this=exp.column("established_year"), expression=_number(f.established_from)))
    if f.established_to is not None:
        parts.append(exp.LTE(this=exp.column("established_year"), expression=_number(f.established_to)))
    if not parts:
        return exp.true()
    return exp.and_(*parts)


def _filtered(f: CohortFilter, tags: TagSet, scope: Sequence[str] | None, src: exp.Expr) -> exp.Select:
    return exp.select("*").from_(exp.alias_(src, "t", table=True)).where(where_clause(f, tags, scope))


def count_sql(f: CohortFilter, tags: TagSet, scope: Sequence[str] | None, src: exp.Expr) -> str:
    """The cohort's size only (the trend's statement). ``src``: ``tags.source`` (stored or computed)."""
    q = exp.select(exp.alias_(exp.Count(this=exp.Star()), "n")).from_(
        exp.alias_(exp.Subquery(this=_filtered(f, tags, scope, src)), "c", table=True)
    )
    return q.sql(dialect="duckdb")


def cohort_sql(f: CohortFilter, tags: TagSet, scope: Sequence[str] | None, src: exp.Expr) -> str:
    """One statement: a row per (dimension, value) — ``dim`` names the grouping set ('' for the whole cohort) —
    with ``n`` and, on the whole-cohort row, one ``tag_<code>`` count per tag."""
    dims = [exp.column(c) for c in _DIMENSION_COLUMN.values()]
    grouping = exp.func("grouping", *dims)
    # which grouping set a row belongs to: GROUPING() has a 1 bit for every column aggregated away
    n_dims = len(dims)
    dim_case = exp.Case(
        ifs=[
            exp.If(
                this=exp.EQ(this=grouping, expression=exp.Literal.number((1 << n_dims) - 1 - (1 << (n_dims - 1 - i)))),
                true=exp.Literal.string(name),
            )
            for i, name in enumerate(_DIMENSION_COLUMN)
        ],
        default=exp.Literal.string(""),
    )
    value = exp.Coalesce(this=exp.Cast(this=dims[0], to="VARCHAR"), expressions=[*dims[1:], exp.Literal.string("")])
    cols: list[exp.Expr] = [
        exp.alias_(dim_case, "dim"),
        exp.alias_(value, "value"),
        exp.alias_(exp.Count(this=exp.Star()), "n"),
    ]
    for t in tags.tags:
        cols.append(
            exp.alias_(
                exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=tags.tag_test(t.code))),
                f"tag_{t.code}",
            )
        )
    sets = [exp.Tuple(expressions=[d]) for d in dims] + [exp.Tuple(expressions=[])]
    q = (
        exp.select(*cols)
        .from_(exp.alias_(exp.Subquery(this=_filtered(f, tags, scope, src)), "c", table=True))
        .group_by(exp.GroupingSets(expressions=sets))
    )
    return q.sql(dialect="duckdb")


def read_cohort(rows: Sequence[Mapping[str, Any]], tags: TagSet) -> CohortResult:
    """``cohort_sql``'s rows as a ``CohortResult`` (an empty cohort: count 0, every distribution empty)."""
    by: dict[str, dict[str, int]] = {d: {} for d in DIMENSIONS}
    count = 0
    by_tag: dict[str, int] = {}
    for r in rows:
        dim = str(r["dim"])
        if dim == "":
            count = int(r["n"])
            by_tag = {t.code: int(r[f"tag_{t.code}"] or 0) for t in tags.tags}
        else:
            by[dim][str(r["value"] or "")] = int(r["n"])

    def ranked(d: dict[str, int]) -> dict[str, int]:
        return dict(sorted(d.items(), key=lambda kv: (-kv[1], kv[0])))

    return CohortResult(
        count,
        ranked(by["district"]),
        ranked(by["tech_field"]),
        ranked(by["size"]),
        ranked(by["growth"]),
        by_tag if count else {},
        tags.version,
    )
