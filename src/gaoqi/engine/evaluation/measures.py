"""Measures: the named, additive figures per area (district) that indicator formulas read (ADR 0032).

A measure is a count or a sum per area and year (never a ratio: a sub-park's measure is the sum of its districts',
and a ratio is a formula over two measures). ``ENGINE_MEASURES`` are computed here from a snapshot's workspace
by ONE set-based statement (``district_measures_sql``), grouped by the enterprise's district (the profile's
``district_code``); the platform declares its own measures (its records: the cultivation pool's funnel, 小升规
conversions, service timeliness) with the same ``MeasureSpec`` and hands both to ``indicators.load_indicators``.

Year *y* (the evaluation year):

* HTE certificates (``certificate_cur``, kind ``hte``): a certificate is *valid at a day* when issued on or before
  it and expiring on or after it (no expiry: issue + 3 years − 1 day) and not revoked (the feed gives no
  revocation date: a revoked certificate counts at no day). ``hte_valid`` / ``hte_valid_prev``: enterprises with
  a valid certificate on 31 December of *y* / *y*−1. ``hte_new``: enterprises whose first HTE certificate (any
  status) was issued in *y*. ``hte_due``: enterprises with a (not revoked) certificate expiring in *y*;
  ``hte_recertified``: of those, the ones with a certificate issued after the one expiring (as
  ``incubators.py`` counts 复审).
* R&D intensity (fiscal year *y*): over the enterprises valid at the end of *y* with both an R&D expense
  (``rd_cur``) and a sales revenue (``finance_cur``) of *y*: ``hte_rd`` = Σ R&D, ``hte_rd_revenue`` = Σ revenue.
* Growth on a same-enterprise panel: enterprises valid at the end of *y* with a sales revenue (tax paid) for both
  *y* and *y*−1: ``hte_revenue`` / ``hte_revenue_prev`` (``hte_tax`` / ``hte_tax_prev``) are the two years' sums.

A sum over no enterprise is NULL (no data), never 0; a count is 0 when the area has enterprises but none counted.
A measure with NULL is left out of the long rows: an absent ``(area, measure)`` row means no data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from gaoqi.engine.features.certificates import HTE_DEFAULT_EXPIRY
from gaoqi.engine.features.declare import date_lit
from gaoqi.engine.validate import lit

#: The kinds of a measure: what its values are (the pages show a unit: 家, 万元, 件).
MEASURE_UNITS = ("count", "money")


@dataclass(frozen=True)
class MeasureSpec:
    """A measure formulas may name. ``nonzero``: declared never 0 for an area that has it (a formula may then
    divide by it with ``/``); ``pending``: declared, but its provider is not wired yet (a formula naming it is
    refused at load); ``provider``: who computes it (``engine`` or the platform's name for its source)."""

    name: str
    label: str
    unit: str = "count"
    nonzero: bool = False
    provider: str = "engine"
    pending: bool = False


# fmt: off
ENGINE_MEASURES: tuple[MeasureSpec, ...] = (
    MeasureSpec("hte_valid", "年末有效高企数", "count"),
    MeasureSpec("hte_valid_prev", "上年末有效高企数", "count"),
    MeasureSpec("hte_new", "当年首次认定高企数", "count"),
    MeasureSpec("hte_due", "当年证书到期高企数", "count"),
    MeasureSpec("hte_recertified", "到期后重新认定高企数", "count"),
    MeasureSpec("hte_rd", "高企研发费用合计（当年）", "money"),
    MeasureSpec("hte_rd_revenue", "同口径高企销售收入合计（当年）", "money"),
    MeasureSpec("hte_revenue", "同一企业样本销售收入合计（当年）", "money"),
    MeasureSpec("hte_revenue_prev", "同一企业样本销售收入合计（上年）", "money"),
    MeasureSpec("hte_tax", "同一企业样本纳税额合计（当年）", "money"),
    MeasureSpec("hte_tax_prev", "同一企业样本纳税额合计（上年）", "money"),
)
# fmt: on
ENGINE_MEASURE_NAMES: tuple[str, ...] = tuple(m.name for m in ENGINE_MEASURES)


def district_measures_sql(year: int, districts: Sequence[str]) -> str:
    """One statement: per district of ``districts``, every engine measure of ``year``, as long rows
    ``(area, measure, value DOUBLE)`` (NULLs left out). Reads ``profile`` (the district), ``certificate_cur``,
    ``finance_cur``, ``rd_cur``."""
    end, prev = date_lit(date(year, 12, 31)), date_lit(date(year - 1, 12, 31))
    expiry = f"COALESCE(expiry_date, {HTE_DEFAULT_EXPIRY})"
    areas = ", ".join(lit(d) for d in districts) or "NULL"
    y, p = year, year - 1
    both_rev = "rev_y IS NOT NULL AND rev_p IS NOT NULL"
    both_tax = "tax_y IS NOT NULL AND tax_p IS NOT NULL"
    rd_pair = "rd_y IS NOT NULL AND rev_y IS NOT NULL"
    cols = ", ".join(
        f"CAST({sql} AS DOUBLE) AS {name}"
        for name, sql in (
            ("hte_valid", "COUNT(*) FILTER (WHERE valid_end)"),
            ("hte_valid_prev", "COUNT(*) FILTER (WHERE valid_prev)"),
            ("hte_new", f"COUNT(*) FILTER (WHERE YEAR(first_issue) = {y})"),
            ("hte_due", "COUNT(*) FILTER (WHERE due_issue IS NOT NULL)"),
            ("hte_recertified", "COUNT(*) FILTER (WHERE last_issue > due_issue)"),
            ("hte_rd", f"SUM(rd_y) FILTER (WHERE valid_end AND {rd_pair})"),
            ("hte_rd_revenue", f"SUM(rev_y) FILTER (WHERE valid_end AND {rd_pair})"),
            ("hte_revenue", f"SUM(rev_y) FILTER (WHERE valid_end AND {both_rev})"),
            ("hte_revenue_prev", f"SUM(rev_p) FILTER (WHERE valid_end AND {both_rev})"),
            ("hte_tax", f"SUM(tax_y) FILTER (WHERE valid_end AND {both_tax})"),
            ("hte_tax_prev", f"SUM(tax_p) FILTER (WHERE valid_end AND {both_tax})"),
        )
    )
    names = ", ".join(ENGINE_MEASURE_NAMES)
    return f"""
    WITH c AS (
        SELECT uscc, issue_date, {expiry} AS expiry, COALESCE(status, '') <> 'revoked' AS live
        FROM certificate_cur WHERE kind = 'hte'
    ), e AS (
        SELECT uscc,
               bool_or(live AND issue_date <= {end} AND expiry >= {end}) AS valid_end,
               bool_or(live AND issue_date <= {prev} AND expiry >= {prev}) AS valid_prev,
               MIN(issue_date) AS first_issue,
               MIN(issue_date) FILTER (WHERE live AND YEAR(expiry) = {y}) AS due_issue,
               MAX(issue_date) FILTER (WHERE live) AS last_issue
        FROM c GROUP BY uscc
    ), f AS (
        SELECT uscc,
               MAX(sales_revenue) FILTER (WHERE fiscal_year = {y}) AS rev_y,
               MAX(sales_revenue) FILTER (WHERE fiscal_year = {p}) AS rev_p,
               MAX(tax_paid) FILTER (WHERE fiscal_year = {y}) AS tax_y,
               MAX(tax_paid) FILTER (WHERE fiscal_year = {p}) AS tax_p
        FROM finance_cur WHERE fiscal_year IN ({y}, {p}) GROUP BY uscc
    ), r AS (
        SELECT uscc, MAX(rd_expense) AS rd_y FROM rd_cur WHERE fiscal_year = {y} GROUP BY uscc
    ), j AS (
        SELECT pr.district_code AS area, e.*, f.rev_y, f.rev_p, f.tax_y, f.tax_p, r.rd_y
        FROM (SELECT uscc, district_code FROM profile WHERE district_code IN ({areas})) pr
        LEFT JOIN e USING (uscc) LEFT JOIN f USING (uscc) LEFT JOIN r USING (uscc)
    ), agg AS (
        SELECT area, {cols} FROM j GROUP BY area
    )
    SELECT area, measure, value FROM agg UNPIVOT (value FOR measure IN ({names}))
    ORDER BY area, measure"""
