"""Finance (税务, ``finance_cur``): sales revenue and net assets of the window years, the last year's revenue,
costs and assets, and the growth rates of the Guidelines (S-195 §2.4.4)."""

from __future__ import annotations

from functools import partial

from gaoqi.engine.features.declare import (
    MONEY,
    RATIO,
    WINDOW_SUM_NOTE,
    Source,
    SourceSQL,
    Window,
    declare,
    source_row,
    window_rows,
    window_sum,
)

GROWTH_BASES: dict[str, str] = {
    "three_years": "½ × (y2/y1 + y3/y2) − 1 over the three window years (S-195 §2.4.4).",
    "last_two_years": "year-1 value is 0: computed on the last two years, y3/y2 − 1 (S-195 §2.4.4).",
    "actual_two_years": "enterprise operated two window years only: second/first − 1 "
    "(UNCONFIRMED reading of 按实际经营时间计算).",
    "year2_zero": "growth NULL: year-2 value is 0; the Guidelines give 0 points (S-195 §2.4.4).",
    "first_year_zero": "growth NULL: two-year enterprise whose first-year value is 0; not covered by the "
    "text, score as 0 points like year2_zero (UNCONFIRMED).",
    "insufficient_years": "growth NULL: fewer than two operating years in the window.",
    "missing_data": "growth NULL: a year the formula needs has no value.",
}
GROWTH_COMPUTED = ("three_years", "last_two_years", "actual_two_years")


def growth_basis(prefix: str) -> str:
    """Which GROWTH_BASES case applies to the per-year columns P_1..P_3."""
    y1, y2, y3 = f"{prefix}_1", f"{prefix}_2", f"{prefix}_3"
    return (
        "CASE"
        f" WHEN k = 3 THEN CASE WHEN {y1} IS NULL OR {y2} IS NULL OR {y3} IS NULL THEN 'missing_data'"
        f" WHEN {y2} = 0 THEN 'year2_zero' WHEN {y1} = 0 THEN 'last_two_years' ELSE 'three_years' END"
        f" WHEN k = 2 THEN CASE WHEN {y2} IS NULL OR {y3} IS NULL THEN 'missing_data'"
        f" WHEN {y2} = 0 THEN 'first_year_zero' ELSE 'actual_two_years' END"
        " ELSE 'insufficient_years' END"
    )


def growth_value(prefix: str) -> str:
    """The growth rate of P_1..P_3 by the case in column P_growth_basis (NULL when not computed)."""
    y1, y2, y3 = (f"CAST({prefix}_{i} AS DOUBLE)" for i in (1, 2, 3))
    basis = f"{prefix}_growth_basis"
    two = f"{y3} / NULLIF({y2}, 0) - 1"
    three = f"({y2} / NULLIF({y1}, 0) + {y3} / NULLIF({y2}, 0)) / 2 - 1"
    return (
        f"CASE {basis} WHEN 'three_years' THEN {three} WHEN 'last_two_years' THEN {two}"
        f" WHEN 'actual_two_years' THEN {two} END"
    )


_FIN = ("finance",)
_f = partial(declare, group="finance", feeds=_FIN)

# The per-year step (see _sql): sales_1..3 and na_1..3 (net assets), gated to the operating years, and the
# last year's (ly_*) row.
# fmt: off
FEATURES = (
    # --- window -------------------------------------------------------------------------------------
    _f("finance_years_present", "税务数据年数", "integer", "INTEGER",
       "Number of the window years that have a finance row.", unit="年", group="window",
       sql="fin_years_present"),
    # --- finance ------------------------------------------------------------------------------------
    *(_f(f"sales_revenue_y{i}", f"销售收入（第{i}年）", "money", MONEY,
         f"Sales revenue of fiscal year as_of year − {4 - i} (window year {i}; y3 = last year). NULL if "
         "that year is not an operating year or has no value.", unit="万元", provenance="finance_window",
         sql=f"sales_{i}")
      for i in (1, 2, 3)),
    *(_f(f"net_assets_y{i}", f"净资产（第{i}年）", "money", MONEY,
         f"Net assets = total_assets − total_liabilities of fiscal year as_of year − {4 - i}. NULL if "
         "either is missing or the year is not an operating year.", unit="万元",
         article="S-195 §2.4.4", provenance="finance_window",
         sql=f"na_{i}")
      for i in (1, 2, 3)),
    _f("sales_revenue_window", "近三年销售收入总额", "money", MONEY,
       "Sum of sales revenue over the window years. " + WINDOW_SUM_NOTE, unit="万元",
       article="S-32 Art. 11(五); S-195 §2.1", provenance="finance_window",
       sql="sales_window"),
    _f("sales_revenue_last_year", "最近一年销售收入", "money", MONEY,
       "Sales revenue of the last year (selects the R&D-ratio tier).", unit="万元",
       article="S-32 Art. 11(五)", provenance="finance_last",
       sql="sales_3"),
    _f("total_revenue_last_year", "最近一年收入总额", "money", MONEY,
       "Revenue in total (收入总额) of the last year.", unit="万元", provenance="finance_last",
       sql="ly_total_revenue"),
    _f("non_taxable_revenue_last_year", "最近一年不征税收入", "money", MONEY,
       "Non-taxable revenue (不征税收入) of the last year.", unit="万元", provenance="finance_last",
       sql="ly_non_taxable"),
    _f("total_revenue_net_last_year", "最近一年总收入", "money", MONEY,
       "总收入 = 收入总额 − 不征税收入 of the last year; NULL if either is missing.", unit="万元",
       article="S-195 §2.3", provenance="finance_last",
       sql="ly_total_revenue - ly_non_taxable"),
    _f("total_costs_last_year", "最近一年成本费用总额", "money", MONEY,
       "Total costs and expenses of the last year (tech-SME R&D option 2).", unit="万元",
       article="S-115 Art. 7", provenance="finance_last",
       sql="ly_total_costs"),
    _f("total_assets_last_year", "最近一年资产总额", "money", MONEY,
       "Total assets at the end of the last year.", unit="万元", article="S-115 Art. 6",
       provenance="finance_last",
       sql="ly_total_assets"),
    # --- growth -------------------------------------------------------------------------------------
    _f("net_asset_growth", "净资产增长率", "ratio", RATIO,
       "Net asset growth by the Guidelines' formula on net_assets_y1..y3; see net_asset_growth_basis. "
       "Negative values are kept.", article="S-195 §2.4.4", group="growth",
       sql=growth_value("na")),
    _f("net_asset_growth_basis", "净资产增长率计算依据", "text", "VARCHAR",
       "How net_asset_growth was computed, or why it is NULL: " + ", ".join(GROWTH_BASES) + ".",
       article="S-195 §2.4.4", group="growth",
       sql="na_growth_basis"),
    _f("sales_growth", "销售收入增长率", "ratio", RATIO,
       "Sales revenue growth by the Guidelines' formula on sales_revenue_y1..y3; see "
       "sales_growth_basis. Negative values are kept.", article="S-195 §2.4.4", group="growth",
       sql=growth_value("sales")),
    _f("sales_growth_basis", "销售收入增长率计算依据", "text", "VARCHAR",
       "How sales_growth was computed, or why it is NULL (same codes as net_asset_growth_basis).",
       article="S-195 §2.4.4", group="growth",
       sql="sales_growth_basis"),
    # --- provenance ---------------------------------------------------------------------------------
    *source_row("finance_last", "最近一年税务", "the last-year finance_cur row", feeds=_FIN,
                load_id="ly_fin_load_id", line="ly_fin_line"),
)
# fmt: on


def _sql(w: Window) -> SourceSQL:
    joins, columns = window_rows(
        w,
        table="fin",
        alias="f",
        per_year={"sales": "sales_revenue", "na": "net_assets"},
        last_year={
            "ly_total_revenue": "f3.total_revenue",
            "ly_non_taxable": "f3.non_taxable_revenue",
            "ly_total_costs": "f3.total_costs",
            "ly_total_assets": "f3.total_assets",
            "ly_fin_load_id": "f3._load_id",
            "ly_fin_line": "f3._line",
        },
        present="fin_years_present",
    )
    return SourceSQL(
        ctes={
            "fin": f"""
            SELECT uscc, fiscal_year, sales_revenue, total_assets - total_liabilities AS net_assets,
                   total_revenue, non_taxable_revenue, total_costs, total_assets, _load_id, _line
            FROM finance_cur
            WHERE fiscal_year BETWEEN {w.first_year} AND {w.last_year}""",
        },
        year_joins=joins,
        year_columns=columns,
        window_columns=(
            f"{window_sum('sales')} AS sales_window",
            f"{growth_basis('sales')} AS sales_growth_basis",
            f"{growth_basis('na')} AS na_growth_basis",
        ),
    )


SOURCE = Source("finance", FEATURES, _sql)
