"""R&D and staff (研发与人员, ``rd_cur``): R&D expense of the window years, the last year's high-tech revenue
and staff, results commercialised, and the ratios the rules test. Two ratios divide by finance figures
(``sales_window``, ``ly_total_revenue`` − ``ly_non_taxable`` of ``finance.py``'s per-year step)."""

from __future__ import annotations

from functools import partial

from gaoqi.engine.features.declare import (
    MONEY,
    RATIO,
    STAFF,
    WINDOW_SUM_NOTE,
    Source,
    SourceSQL,
    Window,
    declare,
    ratio,
    source_row,
    window_rows,
    window_sum,
)

_RD = ("rd",)
_f = partial(declare, group="rd", feeds=_RD)

# The per-year step (see _sql): rde_1..3 (R&D expense), dom_1..3 (domestic), rc_1..3 (results
# commercialised), gated to the operating years, and the last year's (ly_*) row; the window step their sums.
# fmt: off
FEATURES = (
    # --- window -------------------------------------------------------------------------------------
    _f("rd_years_present", "研发数据年数", "integer", "INTEGER",
       "Number of the window years that have an rd row.", unit="年", group="window",
       sql="rd_years_present"),
    # --- rd -----------------------------------------------------------------------------------------
    *(_f(f"rd_expense_y{i}", f"研究开发费用（第{i}年）", "money", MONEY,
         f"R&D expense of fiscal year as_of year − {4 - i}. NULL if that year is not an operating year "
         "or has no value.", unit="万元", provenance="rd_window",
         sql=f"rde_{i}")
      for i in (1, 2, 3)),
    _f("rd_expense_window", "近三年研究开发费用总额", "money", MONEY,
       "Sum of R&D expense over the window years. " + WINDOW_SUM_NOTE, unit="万元",
       article="S-32 Art. 11(五); S-195 §2.1", provenance="rd_window",
       sql="rde_window"),
    _f("rd_expense_domestic_window", "近三年境内研究开发费用总额", "money", MONEY,
       "Sum of domestic R&D expense over the window years. " + WINDOW_SUM_NOTE, unit="万元",
       article="S-32 Art. 11(五)", provenance="rd_window",
       sql="dom_window"),
    _f("hte_rd_ratio", "研究开发费用占比", "ratio", RATIO,
       "rd_expense_window ÷ sales_revenue_window (same actual years). NULL if either is NULL or sales "
       "is 0.", article="S-32 Art. 11(五); S-195 §2.1", feeds=("rd", "finance"),
       sql=ratio("rde_window", "sales_window")),
    _f("rd_domestic_share", "境内研究开发费用占比", "ratio", RATIO,
       "rd_expense_domestic_window ÷ rd_expense_window (the same window as the R&D ratio). NULL if either "
       "is NULL or total R&D is 0.", article="S-32 Art. 11(五)",
       sql=ratio("dom_window", "rde_window")),
    _f("rd_expense_last_year", "最近一年研究开发费用", "money", MONEY,
       "R&D expense of the last year (tech-SME R&D input).", unit="万元", article="S-115 Art. 7",
       provenance="rd_last",
       sql="rde_3"),
    _f("ht_revenue_last_year", "最近一年高新技术产品（服务）收入", "money", MONEY,
       "High-tech product/service revenue of the last year.", unit="万元", article="S-195 §2.3",
       provenance="rd_last",
       sql="ly_ht_revenue"),
    _f("ht_revenue_share", "高新技术产品（服务）收入占比", "ratio", RATIO,
       "ht_revenue_last_year ÷ total_revenue_net_last_year. NULL if either is NULL or the denominator "
       "is 0.", article="S-32 Art. 11(六); S-195 §2.3", feeds=("rd", "finance"),
       sql=ratio("ly_ht_revenue", "ly_total_revenue - ly_non_taxable")),
    _f("staff_count_last_year", "最近一年职工总数", "count", STAFF,
       "Total staff (annual monthly average) of the last year.", unit="人", article="S-195 §2.2",
       provenance="rd_last",
       sql="ly_staff"),
    _f("st_staff_count_last_year", "最近一年科技人员数", "count", STAFF,
       "S&T staff of the last year.", unit="人", article="S-195 §2.2", provenance="rd_last",
       sql="ly_st_staff"),
    _f("st_staff_share", "科技人员占比", "ratio", RATIO,
       "st_staff_count_last_year ÷ staff_count_last_year. NULL if either is NULL or staff is 0.",
       article="S-32 Art. 11(四); S-195 §2.2",
       sql=ratio("ly_st_staff", "ly_staff")),
    _f("results_commercialized_window", "近三年科技成果转化数", "count", "BIGINT",
       "Sum of results commercialised over the window years. " + WINDOW_SUM_NOTE, unit="项",
       article="S-195 §2.4.2", provenance="rd_window",
       sql="rc_window"),
    _f("results_commercialized_avg", "年均科技成果转化数", "count", RATIO,
       "results_commercialized_window ÷ window_years (annual average over the actual years).",
       unit="项/年", article="S-195 §2.4.2",
       sql=ratio("rc_window", "k")),
    # --- provenance ---------------------------------------------------------------------------------
    *source_row("rd_last", "最近一年研发", "the last-year rd_cur row", feeds=_RD,
                load_id="ly_rd_load_id", line="ly_rd_line"),
)
# fmt: on


def _sql(w: Window) -> SourceSQL:
    joins, columns = window_rows(
        w,
        table="rd",
        alias="r",
        per_year={"rde": "rd_expense", "dom": "rd_expense_domestic", "rc": "results_commercialized"},
        last_year={
            "ly_staff": "r3.staff_count",
            "ly_st_staff": "r3.st_staff_count",
            "ly_ht_revenue": "r3.ht_revenue",
            "ly_rd_load_id": "r3._load_id",
            "ly_rd_line": "r3._line",
        },
        present="rd_years_present",
    )
    return SourceSQL(
        ctes={
            "rd": f"""
            SELECT uscc, fiscal_year, rd_expense, rd_expense_domestic, results_commercialized,
                   staff_count, st_staff_count, ht_revenue, _load_id, _line
            FROM rd_cur
            WHERE fiscal_year BETWEEN {w.first_year} AND {w.last_year}""",
        },
        year_joins=joins,
        year_columns=columns,
        window_columns=(
            f"{window_sum('rde')} AS rde_window",
            f"{window_sum('dom')} AS dom_window",
            f"{window_sum('rc')} AS rc_window",
        ),
    )


SOURCE = Source("rd", FEATURES, _sql)
