"""Enterprise profiles: one row per enterprise for one as-of (application) date.

``build_profiles(con, as_of)`` replaces the table ``profile`` with one row per ``enterprise`` row. Every
column is a feature listed in ``FEATURES`` (name, Chinese label, type, unit, definition, rule article),
which also renders ``docs/features.md`` and is what the policy engine reads.

How it is computed: one generated SQL statement (validated with sqlglot, written with constructs that
transpile to Spark), one pass per source view, each reduced to at most one row per uscc and left-joined
to ``enterprise``: ``finance_cur`` / ``rd_cur`` (window rows, joined once per window year), ``ip_cur`` ×
``ip_link``, ``credit_cur`` and ``certificate_cur`` (GROUP BY uscc), ``social_insurance_cur`` (the row of
the latest period) and ``name_history``. No per-enterprise Python. All dates and fiscal years derived
from ``as_of`` are computed in Python and written into the SQL as literals.

The rules it encodes (S-32 = 国科发火〔2016〕32号, S-195 = 国科发火〔2016〕195号; readings in
``docs/features.md``):

* Window: the three fiscal years before the as-of year (as-of 2025-xx-xx → FY2022–2024; last year =
  FY2024). An enterprise established inside the window uses its actual years, from its establishment
  year on; rows for earlier years are ignored everywhere.
* Missing data is NULL, never 0: a window sum or ratio is NULL unless every window year has the value.
  Division by zero gives NULL. Register feeds (ip, credit, certificate) give 0 / false for an enterprise
  without rows when the feed was delivered at all, and NULL when it never was.
* Ratios are DECIMAL(38,12): the quotient rounded at the 12th decimal, exact whenever the true value has
  at most 12 decimals (so 250 / 5000 is exactly 0.05 and 115 / 100 − 1 exactly 0.15).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any, Literal

import duckdb
import sqlglot

from gaoqi.engine.current import create_current_views, loads_fingerprint

FeatureType = Literal["money", "ratio", "count", "date", "boolean", "text", "integer"]

RATIO_DECIMALS = 12
MONEY = "DECIMAL(38,4)"
RATIO = f"DECIMAL(38,{RATIO_DECIMALS})"
STAFF = "DECIMAL(12,2)"

#: Register feeds: an enterprise with no rows has none of the things listed (0 / false), provided the feed
#: was delivered at all; otherwise the features are NULL (unknown).
REGISTER_FEEDS: tuple[str, ...] = ("ip", "credit", "certificate")

IP_CLASS1: tuple[str, ...] = ("invention_patent", "plant_variety", "new_drug", "ic_layout")
IP_CLASS2: tuple[str, ...] = ("utility_model", "design", "software_copyright")
IP_ACQUIRED: tuple[str, ...] = ("transfer", "gift", "merger")

CREDIT_EVENT_TYPES: tuple[str, ...] = (
    "major_safety_accident",
    "major_quality_accident",
    "serious_environmental_violation",
    "serious_dishonesty",
    "abnormal_operation",
    "research_misconduct",
    "administrative_penalty",
)
#: The events of S-32 Art. 11(八): none may have happened in the 365 days before the application.
HTE_ACCIDENT_TYPES: tuple[str, ...] = (
    "major_safety_accident",
    "major_quality_accident",
    "serious_environmental_violation",
)
CREDIT_LOOKBACK_DAYS = 365
HTE_VALIDITY_YEARS = 3  # S-32 Art. 9, used only when a HTE certificate has no expiry date

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


@dataclass(frozen=True)
class Feature:
    """One column of ``profile``."""

    name: str
    label: str
    type: FeatureType
    unit: str | None
    definition: str
    article: str | None
    group: str
    sql_type: str
    feeds: tuple[str, ...]
    #: where the value comes from, for the "source" hover: a prefix P such that the profile columns
    #: ``P_load_id`` and ``P_line`` name the row, or "finance_window" / "rd_window" (the rows of that
    #: feed's current view for the enterprise and the window's fiscal years), or None.
    provenance: str | None = None


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
}


def _f(
    name: str,
    label: str,
    type_: FeatureType,
    sql_type: str,
    group: str,
    feeds: tuple[str, ...],
    definition: str,
    *,
    unit: str | None = None,
    article: str | None = None,
    provenance: str | None = None,
) -> Feature:
    return Feature(name, label, type_, unit, definition, article, group, sql_type, feeds, provenance)


_E = ("registration",)
_FIN = ("finance",)
_RD = ("rd",)
_W = "Window years: from fy_window_start to fy_window_end. NULL unless every window year has a value."

# The registry is a table: keep it laid out as one (fmt: off).
# fmt: off
FEATURES: tuple[Feature, ...] = (
    # --- enterprise ---------------------------------------------------------------------------------
    _f("as_of", "评估基准日", "date", "DATE", "enterprise", (),
       "The as-of (application) date the profile is computed for; every window and cut-off derives "
       "from it.", article="S-195 §三(一)"),
    _f("uscc", "统一社会信用代码", "text", "VARCHAR", "enterprise", _E, "Unified social credit code.",
       provenance="registration"),
    _f("name", "企业名称", "text", "VARCHAR", "enterprise", _E, "Current registered name.",
       provenance="registration"),
    _f("former_names", "曾用名", "text", "VARCHAR[]", "enterprise", ("registration", "name_change"),
       "List of the enterprise's other names in name_history (normalised name different from the current "
       "one; one entry per normalised name), oldest first; empty list when none."),
    _f("district_code", "所属区县代码", "text", "VARCHAR", "enterprise", _E, "GB/T 2260 district code.",
       provenance="registration"),
    _f("industry_code", "国民经济行业代码", "text", "VARCHAR", "enterprise", _E,
       "GB/T 4754 industry code as delivered.", provenance="registration"),
    _f("industry_section", "行业门类", "text", "VARCHAR", "enterprise", _E,
       "GB/T 4754-2017 section letter (A–T): the code's leading letter if it has one, else looked up from "
       "its first two digits (division); NULL when neither is usable."),
    _f("industry_division", "行业大类", "text", "VARCHAR", "enterprise", _E,
       "GB/T 4754-2017 two-digit division (大类), digits only: the two characters after the code's section "
       "letter (A–T) if it has one, else its first two (I6510 → 65, 6510 → 65, C3911 → 39); NULL unless they "
       "are a division of the standard (01–97). The letter is not checked against the division."),
    _f("industry_class", "行业小类", "text", "VARCHAR", "enterprise", _E,
       "GB/T 4754-2017 four-digit class (小类), digits only: the first four digits after the section letter "
       "when industry_division is known and the next two characters are digits too (I6510 → 6510, "
       "7010 → 7010); NULL for shorter codes (I65, 651)."),
    _f("status", "登记状态", "text", "VARCHAR", "enterprise", _E, "Registration status (存续, 在业, …).",
       provenance="registration"),
    _f("established_date", "成立日期", "date", "DATE", "enterprise", _E, "Date of establishment.",
       provenance="registration"),
    _f("days_since_established", "成立天数", "integer", "BIGINT", "enterprise", _E,
       "as_of − established_date in days (negative if established after as_of). Condition (一) holds "
       "at ≥ 365.", unit="天", article="S-32 Art. 11(一); S-195 §三 (一年以上 = 365 days)"),
    # --- window -------------------------------------------------------------------------------------
    _f("fy_window_start", "窗口起始年度", "integer", "INTEGER", "window", _E,
       "First fiscal year of the enterprise's window: as_of year − 3, or the establishment year if later. "
       "NULL when window_years = 0.", article="S-195 §三(一); S-32 Art. 11(五)"),
    _f("fy_window_end", "窗口截止年度", "integer", "INTEGER", "window", (),
       "Last fiscal year of the window = 最近一年 = as_of year − 1. NULL when window_years = 0.",
       article="S-195 §三(一)"),
    _f("window_years", "实际经营年数", "integer", "INTEGER", "window", _E,
       "Number of window years the enterprise operated: 3, or fewer when its establishment year falls "
       "inside the window (the establishment year counts as an operating year); 0 when established in or "
       "after the as-of year. Unknown establishment date → 3.",
       unit="年", article="S-32 Art. 11(五) 实际经营年限"),
    _f("finance_years_present", "税务数据年数", "integer", "INTEGER", "window", _FIN,
       "Number of the window years that have a finance row.", unit="年"),
    _f("rd_years_present", "研发数据年数", "integer", "INTEGER", "window", _RD,
       "Number of the window years that have an rd row.", unit="年"),
    # --- finance ------------------------------------------------------------------------------------
    *(_f(f"sales_revenue_y{i}", f"销售收入（第{i}年）", "money", MONEY, "finance", _FIN,
         f"Sales revenue of fiscal year as_of year − {4 - i} (window year {i}; y3 = last year). NULL if "
         "that year is not an operating year or has no value.", unit="万元", provenance="finance_window")
      for i in (1, 2, 3)),
    *(_f(f"net_assets_y{i}", f"净资产（第{i}年）", "money", MONEY, "finance", _FIN,
         f"Net assets = total_assets − total_liabilities of fiscal year as_of year − {4 - i}. NULL if "
         "either is missing or the year is not an operating year.", unit="万元",
         article="S-195 §2.4.4", provenance="finance_window")
      for i in (1, 2, 3)),
    _f("sales_revenue_window", "近三年销售收入总额", "money", MONEY, "finance", _FIN,
       "Sum of sales revenue over the window years. " + _W, unit="万元",
       article="S-32 Art. 11(五); S-195 §2.1", provenance="finance_window"),
    _f("sales_revenue_last_year", "最近一年销售收入", "money", MONEY, "finance", _FIN,
       "Sales revenue of the last year (selects the R&D-ratio tier).", unit="万元",
       article="S-32 Art. 11(五)", provenance="finance_last"),
    _f("total_revenue_last_year", "最近一年收入总额", "money", MONEY, "finance", _FIN,
       "Revenue in total (收入总额) of the last year.", unit="万元", provenance="finance_last"),
    _f("non_taxable_revenue_last_year", "最近一年不征税收入", "money", MONEY, "finance", _FIN,
       "Non-taxable revenue (不征税收入) of the last year.", unit="万元", provenance="finance_last"),
    _f("total_revenue_net_last_year", "最近一年总收入", "money", MONEY, "finance", _FIN,
       "总收入 = 收入总额 − 不征税收入 of the last year; NULL if either is missing.", unit="万元",
       article="S-195 §2.3", provenance="finance_last"),
    _f("total_costs_last_year", "最近一年成本费用总额", "money", MONEY, "finance", _FIN,
       "Total costs and expenses of the last year (tech-SME R&D option 2).", unit="万元",
       article="S-115 Art. 7", provenance="finance_last"),
    _f("total_assets_last_year", "最近一年资产总额", "money", MONEY, "finance", _FIN,
       "Total assets at the end of the last year.", unit="万元", article="S-115 Art. 6",
       provenance="finance_last"),
    # --- rd -----------------------------------------------------------------------------------------
    *(_f(f"rd_expense_y{i}", f"研究开发费用（第{i}年）", "money", MONEY, "rd", _RD,
         f"R&D expense of fiscal year as_of year − {4 - i}. NULL if that year is not an operating year "
         "or has no value.", unit="万元", provenance="rd_window")
      for i in (1, 2, 3)),
    _f("rd_expense_window", "近三年研究开发费用总额", "money", MONEY, "rd", _RD,
       "Sum of R&D expense over the window years. " + _W, unit="万元",
       article="S-32 Art. 11(五); S-195 §2.1", provenance="rd_window"),
    _f("rd_expense_domestic_window", "近三年境内研究开发费用总额", "money", MONEY, "rd", _RD,
       "Sum of domestic R&D expense over the window years. " + _W, unit="万元",
       article="S-32 Art. 11(五)", provenance="rd_window"),
    _f("hte_rd_ratio", "研究开发费用占比", "ratio", RATIO, "rd", ("rd", "finance"),
       "rd_expense_window ÷ sales_revenue_window (same actual years). NULL if either is NULL or sales "
       "is 0.", article="S-32 Art. 11(五); S-195 §2.1"),
    _f("rd_domestic_share", "境内研究开发费用占比", "ratio", RATIO, "rd", _RD,
       "rd_expense_domestic_window ÷ rd_expense_window (the same window as the R&D ratio). NULL if either "
       "is NULL or total R&D is 0.", article="S-32 Art. 11(五)"),
    _f("rd_expense_last_year", "最近一年研究开发费用", "money", MONEY, "rd", _RD,
       "R&D expense of the last year (tech-SME R&D input).", unit="万元", article="S-115 Art. 7",
       provenance="rd_last"),
    _f("ht_revenue_last_year", "最近一年高新技术产品（服务）收入", "money", MONEY, "rd", _RD,
       "High-tech product/service revenue of the last year.", unit="万元", article="S-195 §2.3",
       provenance="rd_last"),
    _f("ht_revenue_share", "高新技术产品（服务）收入占比", "ratio", RATIO, "rd", ("rd", "finance"),
       "ht_revenue_last_year ÷ total_revenue_net_last_year. NULL if either is NULL or the denominator "
       "is 0.", article="S-32 Art. 11(六); S-195 §2.3"),
    _f("staff_count_last_year", "最近一年职工总数", "count", STAFF, "rd", _RD,
       "Total staff (annual monthly average) of the last year.", unit="人", article="S-195 §2.2",
       provenance="rd_last"),
    _f("st_staff_count_last_year", "最近一年科技人员数", "count", STAFF, "rd", _RD,
       "S&T staff of the last year.", unit="人", article="S-195 §2.2", provenance="rd_last"),
    _f("st_staff_share", "科技人员占比", "ratio", RATIO, "rd", _RD,
       "st_staff_count_last_year ÷ staff_count_last_year. NULL if either is NULL or staff is 0.",
       article="S-32 Art. 11(四); S-195 §2.2"),
    _f("results_commercialized_window", "近三年科技成果转化数", "count", "BIGINT", "rd", _RD,
       "Sum of results commercialised over the window years. " + _W, unit="项",
       article="S-195 §2.4.2", provenance="rd_window"),
    _f("results_commercialized_avg", "年均科技成果转化数", "count", RATIO, "rd", _RD,
       "results_commercialized_window ÷ window_years (annual average over the actual years).",
       unit="项/年", article="S-195 §2.4.2"),
    # --- growth -------------------------------------------------------------------------------------
    _f("net_asset_growth", "净资产增长率", "ratio", RATIO, "growth", _FIN,
       "Net asset growth by the Guidelines' formula on net_assets_y1..y3; see net_asset_growth_basis. "
       "Negative values are kept.", article="S-195 §2.4.4"),
    _f("net_asset_growth_basis", "净资产增长率计算依据", "text", "VARCHAR", "growth", _FIN,
       "How net_asset_growth was computed, or why it is NULL: " + ", ".join(GROWTH_BASES) + ".",
       article="S-195 §2.4.4"),
    _f("sales_growth", "销售收入增长率", "ratio", RATIO, "growth", _FIN,
       "Sales revenue growth by the Guidelines' formula on sales_revenue_y1..y3; see "
       "sales_growth_basis. Negative values are kept.", article="S-195 §2.4.4"),
    _f("sales_growth_basis", "销售收入增长率计算依据", "text", "VARCHAR", "growth", _FIN,
       "How sales_growth was computed, or why it is NULL (same codes as net_asset_growth_basis).",
       article="S-195 §2.4.4"),
    # --- ip -----------------------------------------------------------------------------------------
    _f("ip_class1_count", "Ⅰ类知识产权数", "count", "BIGINT", "ip", ("ip",),
       "Distinct IP linked to the enterprise (ip_link) of type " + ", ".join(IP_CLASS1) + ", status "
       "valid, granted before as_of (and, if it has an acquired_date, acquired before as_of).",
       unit="件", article="S-32 Art. 11(二); S-195 §2.4.1"),
    _f("ip_class2_count", "Ⅱ类知识产权数", "count", "BIGINT", "ip", ("ip",),
       "As ip_class1_count for types " + ", ".join(IP_CLASS2) + " (trademarks never count).",
       unit="件", article="S-32 Art. 11(二); S-195 §2.4.1"),
    _f("ip_original_count", "自主研发知识产权数", "count", "BIGINT", "ip", ("ip",),
       "Counted (class Ⅰ or Ⅱ) IP acquired by own R&D (acquisition = original).", unit="件",
       article="S-195 §2.4.1(4)"),
    _f("ip_acquired_count", "受让/受赠/并购知识产权数", "count", "BIGINT", "ip", ("ip",),
       "Counted (class Ⅰ or Ⅱ) IP acquired by transfer, gift or merger. IP without an acquisition value "
       "is in neither count.", unit="件", article="S-195 §2.4.1(4)"),
    # --- credit -------------------------------------------------------------------------------------
    *(_f(f"credit_{t}_365d", f"近365天{lbl}次数", "count", "BIGINT", "credit", ("credit",),
         f"Credit events of type {t} decided in the 365 days before as_of: as_of − 365 days ≤ "
         "decided_date ≤ as_of (a later removal does not matter).", unit="次", article=art)
      for t, lbl, art in (
          ("major_safety_accident", "重大安全事故", "S-32 Art. 11(八); S-195 §三"),
          ("major_quality_accident", "重大质量事故", "S-32 Art. 11(八); S-195 §三"),
          ("serious_environmental_violation", "严重环境违法", "S-32 Art. 11(八); S-195 §三"),
          ("serious_dishonesty", "严重失信", "S-115 Art. 6(4)"),
          ("abnormal_operation", "经营异常", "S-115 Art. 6(4)"),
          ("research_misconduct", "科研失信", "S-115 Art. 6(4)"),
          ("administrative_penalty", "行政处罚", None),
      )),
    _f("credit_hte_accidents_365d", "近365天重大事故及严重环境违法次数", "count", "BIGINT", "credit",
       ("credit",), "Sum of the three Art. 11(八) counts (major safety accident, major quality accident, "
       "serious environmental violation) in the 365 days before as_of.", unit="次",
       article="S-32 Art. 11(八); S-195 §三"),
    _f("abnormal_operation_listed", "经营异常名录在列数", "count", "BIGINT", "credit", ("credit",),
       "abnormal_operation listings in force at as_of: decided_date ≤ as_of and (removed_date NULL or "
       "removed_date > as_of), whatever the decision date.", unit="条", article="S-115 Art. 6(4)"),
    _f("serious_dishonesty_listed", "严重失信名单在列数", "count", "BIGINT", "credit", ("credit",),
       "serious_dishonesty listings in force at as_of (same rule as abnormal_operation_listed).",
       unit="条", article="S-115 Art. 6(4)"),
    # --- certificate --------------------------------------------------------------------------------
    _f("has_hte_certificate", "持有有效高新技术企业证书", "boolean", "BOOLEAN", "certificate",
       ("certificate",), "A HTE certificate is current at as_of: issue_date ≤ as_of ≤ expiry "
       "(inclusive) and status not revoked. A missing expiry is issue_date + 3 years − 1 day.",
       article="S-32 Art. 9", provenance="hte_certificate"),
    _f("hte_certificate_number", "高企证书编号", "text", "VARCHAR", "certificate", ("certificate",),
       "Number of the current HTE certificate (the latest issued if several).",
       provenance="hte_certificate"),
    _f("hte_issue_date", "高企证书发证日期", "date", "DATE", "certificate", ("certificate",),
       "Issue date of the current HTE certificate.", provenance="hte_certificate"),
    _f("hte_days_since_issue", "高企证书发证天数", "integer", "BIGINT", "certificate", ("certificate",),
       "as_of − hte_issue_date in days (0 on the issue date); NULL without a current HTE certificate. "
       "District rewards for a newly issued certificate use it.", unit="天", provenance="hte_certificate"),
    _f("hte_expiry_date", "高企证书有效期至", "date", "DATE", "certificate", ("certificate",),
       "Expiry (valid-to, inclusive) of the current HTE certificate; issue + 3 years − 1 day when the "
       "feed has none.", article="S-32 Art. 9", provenance="hte_certificate"),
    _f("tech_field", "技术领域", "text", "VARCHAR", "certificate", ("certificate",),
       "Technical field (one of the eight 国家重点支持的高新技术领域) of the current HTE certificate.",
       article="S-32 annex", provenance="hte_certificate"),
    _f("hte_prior_certificate", "曾持有更早的高企证书（重新认定）", "boolean", "BOOLEAN", "certificate",
       ("certificate",), "The enterprise has a current HTE certificate (has_hte_certificate) and another HTE "
       "certificate in certificate_cur issued strictly before hte_issue_date, whatever that one's status "
       "(expired, revoked) or expiry: a re-certification. FALSE with no current HTE certificate or only "
       "certificates issued on or after the current one's issue date.", article="S-32 Art. 9"),
    _f("hte_first_issue_date", "首次高企证书发证日期", "date", "DATE", "certificate", ("certificate",),
       "Earliest issue_date ≤ as_of of any HTE certificate in certificate_cur, whatever its status or "
       "expiry, current or not; NULL when there is none."),
    _f("has_tech_sme", "科技型中小企业（有效）", "boolean", "BOOLEAN", "certificate", ("certificate",),
       "A tech_sme registration is current at as_of (same rule; no expiry = current).",
       article="S-115"),
    _f("has_zgc_hte", "中关村高新技术企业（有效）", "boolean", "BOOLEAN", "certificate", ("certificate",),
       "A zgc_hte certificate is current at as_of (same rule; no expiry = current)."),
    # --- social insurance ---------------------------------------------------------------------------
    _f("insured_count", "参保人数", "count", "INTEGER", "social_insurance", ("social_insurance",),
       "Insured headcount of the latest period ≤ as_of (period = first day of its month).", unit="人",
       provenance="social_insurance"),
    _f("insured_count_period", "参保人数所属期", "date", "DATE", "social_insurance", ("social_insurance",),
       "The period insured_count comes from.", provenance="social_insurance"),
    # --- provenance ---------------------------------------------------------------------------------
    *(_f(f"{p}_{c}", f"{lbl}{clbl}", "integer", "INTEGER" if c == "load_id" else "BIGINT", "provenance",
         feeds, ("loads.load_id" if c == "load_id" else "Line in the delivered file") + f" of {what}.")
      for p, lbl, feeds, what in (
          ("registration", "登记", _E, "the enterprise's registration row"),
          ("finance_last", "最近一年税务", _FIN, "the last-year finance_cur row"),
          ("rd_last", "最近一年研发", _RD, "the last-year rd_cur row"),
          ("social_insurance", "社保", ("social_insurance",), "the social_insurance_cur row used"),
          ("hte_certificate", "高企证书", ("certificate",), "the current HTE certificate row"),
      )
      for c, clbl in (("load_id", "批次号"), ("line", "行号"))),
)
# fmt: on

FEATURE_BY_NAME: dict[str, Feature] = {f.name: f for f in FEATURES}
assert len(FEATURE_BY_NAME) == len(FEATURES), "duplicate feature name"


def feature(name: str) -> Feature:
    return FEATURE_BY_NAME[name]


def provenance_columns(feat: Feature) -> tuple[str, str] | None:
    """The profile columns (load_id, line) naming the source row of a feature, if it has one row."""
    if feat.provenance is None or feat.provenance.endswith("_window"):
        return None
    return f"{feat.provenance}_load_id", f"{feat.provenance}_line"


# ------------------------------------------------------------------------------------------------------
# SQL generation


@dataclass(frozen=True)
class Window:
    as_of: date
    first_year: int  # as_of year − 3 (nominal window start)
    last_year: int  # as_of year − 1 (最近一年)
    credit_from: date  # as_of − 365 days


def window_for(as_of: date) -> Window:
    as_of = _as_date(as_of)
    return Window(as_of, as_of.year - 3, as_of.year - 1, as_of - timedelta(days=CREDIT_LOOKBACK_DAYS))


def _as_date(value: date) -> date:
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise TypeError(f"as_of must be a date, not {type(value).__name__}")
    return value


def _lit(d: date) -> str:
    return f"DATE '{d.isoformat()}'"


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# The rows behind the register counts: one definition each, used by the profile SQL (as aggregate FILTERs)
# and by ``trace`` (as WHERE clauses listing the rows of one enterprise).

#: ip_* count features → (column of the ``ipc`` pass, predicate on a countable record's ip_type /
#: acquisition). A record counts in a feature when it is countable (``ip_countable_sql``) and matches.
IP_COUNT_FEATURES: dict[str, tuple[str, str]] = {
    "ip_class1_count": ("class1", f"ip_type IN {_in(IP_CLASS1)}"),
    "ip_class2_count": ("class2", f"ip_type IN {_in(IP_CLASS2)}"),
    "ip_original_count": ("original", "acquisition = 'original'"),
    "ip_acquired_count": ("acquired", f"acquisition IN {_in(IP_ACQUIRED)}"),
}


def ip_countable_sql(as_of: date, alias: str = "i") -> str:
    """Predicate on ``ip_cur`` (as ``alias``): the records any ip_* count may include at ``as_of`` — valid,
    class Ⅰ or Ⅱ, granted strictly before as_of and, if acquired, acquired strictly before as_of."""
    a = _lit(_as_date(as_of))
    return (
        f"{alias}.status = 'valid' AND {alias}.grant_date < {a} AND {alias}.ip_type IN {_in(IP_CLASS1 + IP_CLASS2)} "
        f"AND ({alias}.acquired_date IS NULL OR {alias}.acquired_date < {a})"
    )


#: The credit count features, each a count of credit_cur events (``credit_predicates``).
CREDIT_COUNT_FEATURES: tuple[str, ...] = (
    *(f"credit_{t}_365d" for t in CREDIT_EVENT_TYPES),
    "credit_hte_accidents_365d",
    "abnormal_operation_listed",
    "serious_dishonesty_listed",
)


def credit_predicates(as_of: date) -> dict[str, str]:
    """Per credit count feature (``CREDIT_COUNT_FEATURES``), the predicate on ``credit_cur`` columns
    (unqualified: event_type, decided_date, removed_date) selecting the events it counts at ``as_of``."""
    w = window_for(as_of)
    a = _lit(w.as_of)
    recent = f"decided_date BETWEEN {_lit(w.credit_from)} AND {a}"
    out = {f"credit_{t}_365d": f"event_type = '{t}' AND {recent}" for t in CREDIT_EVENT_TYPES}
    out["credit_hte_accidents_365d"] = f"event_type IN {_in(HTE_ACCIDENT_TYPES)} AND {recent}"
    for t in ("abnormal_operation", "serious_dishonesty"):
        out[f"{t}_listed"] = (
            f"event_type = '{t}' AND decided_date <= {a} AND (removed_date IS NULL OR removed_date > {a})"
        )
    assert tuple(out) == CREDIT_COUNT_FEATURES
    return out


def _ratio(num: str, den: str) -> str:
    """num ÷ den; NULL when either is NULL or den = 0.

    Computed in DOUBLE (the same on every engine: decimal division differs between DuckDB and Spark) and
    rounded at the 12th decimal by the final cast to RATIO, which makes 0.049999999999999996 exactly 0.05.
    """
    return f"CAST({num} AS DOUBLE) / NULLIF(CAST({den} AS DOUBLE), 0)"


def _window_sum(col: str) -> str:
    """Sum of the gated per-year columns col_1..col_3 over the enterprise's operating window years."""
    return f"CASE k WHEN 3 THEN {col}_1 + {col}_2 + {col}_3 WHEN 2 THEN {col}_2 + {col}_3 WHEN 1 THEN {col}_3 END"


def _growth_basis(col: str) -> str:
    y1, y2, y3 = f"{col}_1", f"{col}_2", f"{col}_3"
    return (
        "CASE"
        f" WHEN k = 3 THEN CASE WHEN {y1} IS NULL OR {y2} IS NULL OR {y3} IS NULL THEN 'missing_data'"
        f" WHEN {y2} = 0 THEN 'year2_zero' WHEN {y1} = 0 THEN 'last_two_years' ELSE 'three_years' END"
        f" WHEN k = 2 THEN CASE WHEN {y2} IS NULL OR {y3} IS NULL THEN 'missing_data'"
        f" WHEN {y2} = 0 THEN 'first_year_zero' ELSE 'actual_two_years' END"
        " ELSE 'insufficient_years' END"
    )


def _growth_value(col: str) -> str:
    y1, y2, y3 = (f"CAST({col}_{i} AS DOUBLE)" for i in (1, 2, 3))
    basis = f"{col}_growth_basis"
    two = f"{y3} / NULLIF({y2}, 0) - 1"
    three = f"({y2} / NULLIF({y1}, 0) + {y3} / NULLIF({y2}, 0)) / 2 - 1"
    return (
        f"CASE {basis} WHEN 'three_years' THEN {three} WHEN 'last_two_years' THEN {two}"
        f" WHEN 'actual_two_years' THEN {two} END"
    )


@cache
def _industry_sections() -> tuple[tuple[str, int, int], ...]:
    text = resources.files("gaoqi.engine").joinpath("data", "industry_sections.json").read_text("utf-8")
    data = json.loads(text)
    return tuple(
        (letter, int(v["divisions"][0]), int(v["divisions"][1]))
        for letter, v in data.items()
        if not letter.startswith("_")
    )


def _industry_division_values() -> str:
    """VALUES rows (division, section) for every two-digit GB/T 4754 division."""
    rows = [f"('{d:02d}', '{letter}')" for letter, lo, hi in _industry_sections() for d in range(lo, hi + 1)]
    return ", ".join(rows)


def profile_sql(as_of: date, *, delivered: Mapping[str, bool] | None = None) -> str:
    """The SELECT producing the profile rows for ``as_of`` (DuckDB dialect, portable constructs).

    ``delivered`` says, per register feed (ip, credit, certificate), whether it was delivered at all;
    missing entries count as delivered. Rows come in no particular order.
    """
    w = window_for(as_of)
    a = _lit(w.as_of)
    ay = w.as_of.year
    got = {feed: (delivered or {}).get(feed, True) for feed in REGISTER_FEEDS}

    def reg(feed: str, expr: str, none: str) -> str:
        return f"COALESCE({expr}, {none})" if got[feed] else "NULL"

    # Per-year values: join the window rows of finance_cur / rd_cur once per window year (aliases f1..f3,
    # r1..r3; year i = as_of year − 4 + i) and keep a year only when it is an operating year (k >= 4 − i).
    def gate(i: int, expr: str) -> str:
        return f"CASE WHEN ent.k >= {4 - i} THEN {expr} END"

    per_year = {
        "sales": ("f", "sales_revenue"),
        "na": ("f", "net_assets"),
        "rde": ("r", "rd_expense"),
        "dom": ("r", "rd_expense_domestic"),
        "rc": ("r", "results_commercialized"),
    }
    last_year = {
        "ly_total_revenue": "f3.total_revenue",
        "ly_non_taxable": "f3.non_taxable_revenue",
        "ly_total_costs": "f3.total_costs",
        "ly_total_assets": "f3.total_assets",
        "ly_fin_load_id": "f3._load_id",
        "ly_fin_line": "f3._line",
        "ly_staff": "r3.staff_count",
        "ly_st_staff": "r3.st_staff_count",
        "ly_ht_revenue": "r3.ht_revenue",
        "ly_rd_load_id": "r3._load_id",
        "ly_rd_line": "r3._line",
    }
    gated = [f"{gate(i, f'{t}{i}.{col}')} AS {alias}_{i}" for alias, (t, col) in per_year.items() for i in (1, 2, 3)]
    gated += [f"{gate(3, expr)} AS {alias}" for alias, expr in last_year.items()]
    for t, name in (("f", "fin"), ("r", "rd")):
        present = " + ".join(
            f"CASE WHEN ent.k >= {4 - i} AND {t}{i}.uscc IS NOT NULL THEN 1 ELSE 0 END" for i in (1, 2, 3)
        )
        gated.append(f"{present} AS {name}_years_present")
    year_joins = "\n".join(
        f"LEFT JOIN {src} {t}{i} ON {t}{i}.uscc = ent.uscc AND {t}{i}.fiscal_year = {w.first_year + i - 1}"
        for t, src in (("f", "fin"), ("r", "rd"))
        for i in (1, 2, 3)
    )

    year = "EXTRACT(YEAR FROM established_date)"
    cert_expiry = (
        f"COALESCE(expiry_date, CASE WHEN kind = 'hte' THEN "
        f"CAST(issue_date + INTERVAL {HTE_VALIDITY_YEARS} YEAR - INTERVAL 1 DAY AS DATE) END)"
    )
    credit = credit_predicates(w.as_of)  # feature → predicate; the pass has one COUNT column per feature
    credit_cols = [f"COUNT(*) FILTER (WHERE {pred}) AS n_{name}" for name, pred in credit.items()]

    letters = _in(tuple(s[0] for s in _industry_sections()))
    ip_counts = ", ".join(f"COUNT(*) FILTER (WHERE {pred}) AS {col}" for col, pred in IP_COUNT_FEATURES.values())

    ctes = {
        "ent": f"""
            SELECT uscc, name, name_norm, district_code, industry_code, status, established_date,
                   SUBSTR(UPPER(TRIM(industry_code)), 1, 2) AS ind2,
                   -- the code without its section letter: its division is the first two characters
                   CASE WHEN SUBSTR(UPPER(TRIM(industry_code)), 1, 1) IN {letters}
                        THEN SUBSTR(UPPER(TRIM(industry_code)), 2)
                        ELSE UPPER(TRIM(industry_code)) END AS ind_digits,
                   _load_id AS reg_load_id, _line AS reg_line,
                   CASE WHEN established_date IS NULL THEN 3
                        WHEN {year} <= {w.first_year} THEN 3
                        WHEN {year} >= {ay} THEN 0
                        ELSE {ay} - {year} END AS k
            FROM enterprise""",
        "sec": f"""
            SELECT division, section FROM (VALUES {_industry_division_values()}) AS t(division, section)""",
        "fin": f"""
            SELECT uscc, fiscal_year, sales_revenue, total_assets - total_liabilities AS net_assets,
                   total_revenue, non_taxable_revenue, total_costs, total_assets, _load_id, _line
            FROM finance_cur
            WHERE fiscal_year BETWEEN {w.first_year} AND {w.last_year}""",
        "rd": f"""
            SELECT uscc, fiscal_year, rd_expense, rd_expense_domestic, results_commercialized,
                   staff_count, st_staff_count, ht_revenue, _load_id, _line
            FROM rd_cur
            WHERE fiscal_year BETWEEN {w.first_year} AND {w.last_year}""",
        "yr": f"""
            SELECT ent.*, {", ".join(gated)}
            FROM ent
            {year_joins}""",
        "win": f"""
            SELECT yr.*,
                   {_window_sum("sales")} AS sales_window,
                   {_window_sum("rde")} AS rde_window,
                   {_window_sum("dom")} AS dom_window,
                   {_window_sum("rc")} AS rc_window,
                   {_growth_basis("sales")} AS sales_growth_basis,
                   {_growth_basis("na")} AS na_growth_basis
            FROM yr""",
        "ipl": f"""
            SELECT DISTINCT l.uscc, i.ip_number, i.ip_type, i.acquisition
            FROM ip_cur i
            JOIN ip_link l ON l.ip_number = i.ip_number
            WHERE {ip_countable_sql(w.as_of)}""",
        "ipc": f"""
            SELECT uscc, {ip_counts}
            FROM ipl
            GROUP BY uscc""",
        "cr": f"""
            SELECT uscc, {", ".join(credit_cols)}
            FROM credit_cur
            WHERE decided_date <= {a}
            GROUP BY uscc""",
        # Every certificate issued by as_of, flagged current (not revoked, not expired at as_of): the
        # current ones give the flags and the HTE certificate; all HTE ones the first issue date.
        "cert": f"""
            SELECT uscc, kind, number, issue_date, tech_field, _load_id, _line, {cert_expiry} AS expiry,
                   COALESCE(status, '') <> 'revoked'
                   AND ({cert_expiry} IS NULL OR {cert_expiry} >= {a}) AS cur
            FROM certificate_cur
            WHERE issue_date <= {a}""",
        "ce": """
            SELECT uscc,
                   ARG_MAX(STRUCT_PACK(number := number, issue_date := issue_date, expiry := expiry,
                                       tech_field := tech_field, load_id := _load_id, line := _line),
                           -- ties on issue date broken by delivery, so DuckDB and Spark pick the same row
                           STRUCT_PACK(d := issue_date, l := _load_id, n := _line))
                       FILTER (WHERE kind = 'hte' AND cur) AS hte,
                   COUNT(*) FILTER (WHERE kind = 'hte' AND cur) AS n_hte,
                   COUNT(*) FILTER (WHERE kind = 'tech_sme' AND cur) AS n_tech_sme,
                   COUNT(*) FILTER (WHERE kind = 'zgc_hte' AND cur) AS n_zgc_hte,
                   MIN(issue_date) FILTER (WHERE kind = 'hte') AS hte_first
            FROM cert
            GROUP BY uscc""",
        # The latest period per enterprise, from the raw table (it has exactly the view's (uscc, period)
        # keys), then that one row of the view: cheaper than an ARG_MAX over every month of the view.
        "si_last": f"""
            SELECT uscc, MAX(period) AS period
            FROM social_insurance
            WHERE period <= {a}
            GROUP BY uscc""",
        "si": f"""
            SELECT v.uscc, v.insured_count, v.period, v._load_id, v._line
            FROM social_insurance_cur v
            JOIN si_last ON si_last.uscc = v.uscc AND si_last.period = v.period
            WHERE v.period <= {a}""",
        "nh1": """
            SELECT n.uscc, MIN(n.name) AS name, MIN(n.valid_from) AS first_from
            FROM name_history n
            JOIN enterprise e ON e.uscc = n.uscc
            WHERE COALESCE(n.name_norm, n.name) <> COALESCE(e.name_norm, e.name)
            GROUP BY n.uscc, COALESCE(n.name_norm, n.name)""",
        "nh": """
            SELECT uscc, LIST(name ORDER BY first_from NULLS FIRST, name) AS former_names
            FROM nh1
            GROUP BY uscc""",
    }

    counts = {name: reg("ip", f"ipc.{col}", "0") for name, (col, _) in IP_COUNT_FEATURES.items()}
    counts.update({name: reg("credit", f"cr.n_{name}", "0") for name in credit})
    exprs: dict[str, str] = {
        "as_of": a,
        "uscc": "win.uscc",
        "name": "win.name",
        "former_names": "COALESCE(nh.former_names, [])",
        "district_code": "win.district_code",
        "industry_code": "win.industry_code",
        "industry_section": f"CASE WHEN SUBSTR(win.ind2, 1, 1) IN {letters} THEN SUBSTR(win.ind2, 1, 1) "
        "ELSE sec.section END",
        # sec is joined on the first two characters after the letter: a match is a known division
        "industry_division": "sec.division",
        "industry_class": "CASE WHEN sec.division IS NOT NULL AND SUBSTR(win.ind_digits, 3, 1) BETWEEN '0' AND '9' "
        "AND SUBSTR(win.ind_digits, 4, 1) BETWEEN '0' AND '9' THEN SUBSTR(win.ind_digits, 1, 4) END",
        "status": "win.status",
        "established_date": "win.established_date",
        "days_since_established": f"DATE_DIFF('day', win.established_date, {a})",
        "fy_window_start": f"CASE WHEN k > 0 THEN {ay} - k END",
        "fy_window_end": f"CASE WHEN k > 0 THEN {w.last_year} END",
        "window_years": "k",
        "finance_years_present": "fin_years_present",
        "rd_years_present": "rd_years_present",
        **{f"sales_revenue_y{i}": f"sales_{i}" for i in (1, 2, 3)},
        **{f"net_assets_y{i}": f"na_{i}" for i in (1, 2, 3)},
        "sales_revenue_window": "sales_window",
        "sales_revenue_last_year": "sales_3",
        "total_revenue_last_year": "ly_total_revenue",
        "non_taxable_revenue_last_year": "ly_non_taxable",
        "total_revenue_net_last_year": "ly_total_revenue - ly_non_taxable",
        "total_costs_last_year": "ly_total_costs",
        "total_assets_last_year": "ly_total_assets",
        **{f"rd_expense_y{i}": f"rde_{i}" for i in (1, 2, 3)},
        "rd_expense_window": "rde_window",
        "rd_expense_domestic_window": "dom_window",
        "hte_rd_ratio": _ratio("rde_window", "sales_window"),
        "rd_domestic_share": _ratio("dom_window", "rde_window"),
        "rd_expense_last_year": "rde_3",
        "ht_revenue_last_year": "ly_ht_revenue",
        "ht_revenue_share": _ratio("ly_ht_revenue", "ly_total_revenue - ly_non_taxable"),
        "staff_count_last_year": "ly_staff",
        "st_staff_count_last_year": "ly_st_staff",
        "st_staff_share": _ratio("ly_st_staff", "ly_staff"),
        "results_commercialized_window": "rc_window",
        "results_commercialized_avg": _ratio("rc_window", "k"),
        "net_asset_growth": _growth_value("na"),
        "net_asset_growth_basis": "na_growth_basis",
        "sales_growth": _growth_value("sales"),
        "sales_growth_basis": "sales_growth_basis",
        **counts,
        "has_hte_certificate": reg("certificate", "ce.n_hte > 0", "FALSE"),
        "hte_prior_certificate": reg("certificate", "ce.hte_first < ce.hte.issue_date", "FALSE"),
        "hte_first_issue_date": "ce.hte_first",
        "hte_certificate_number": "ce.hte.number",
        "hte_issue_date": "ce.hte.issue_date",
        "hte_days_since_issue": f"DATE_DIFF('day', ce.hte.issue_date, {a})",
        "hte_expiry_date": "ce.hte.expiry",
        "tech_field": "ce.hte.tech_field",
        "has_tech_sme": reg("certificate", "ce.n_tech_sme > 0", "FALSE"),
        "has_zgc_hte": reg("certificate", "ce.n_zgc_hte > 0", "FALSE"),
        "insured_count": "si.insured_count",
        "insured_count_period": "si.period",
        "registration_load_id": "reg_load_id",
        "registration_line": "reg_line",
        "finance_last_load_id": "ly_fin_load_id",
        "finance_last_line": "ly_fin_line",
        "rd_last_load_id": "ly_rd_load_id",
        "rd_last_line": "ly_rd_line",
        "social_insurance_load_id": "si._load_id",
        "social_insurance_line": "si._line",
        "hte_certificate_load_id": "ce.hte.load_id",
        "hte_certificate_line": "ce.hte.line",
    }
    missing = [f.name for f in FEATURES if f.name not in exprs]
    extra = [n for n in exprs if n not in FEATURE_BY_NAME]
    if missing or extra:  # pragma: no cover - a programming error caught by every test run
        raise AssertionError(f"profile SQL out of step with FEATURES: missing {missing}, extra {extra}")

    cols = []
    for f in FEATURES:
        expr = exprs[f.name]
        is_list = f.sql_type.endswith("[]")  # lists keep their type; the rest is cast to the registry's type
        cols.append(f"{expr} AS {f.name}" if is_list else f"CAST({expr} AS {f.sql_type}) AS {f.name}")
    with_sql = ",\n".join(f"{name} AS ({body}\n)" for name, body in ctes.items())
    select = ",\n    ".join(cols)
    return f"""WITH {with_sql}
SELECT
    {select}
FROM win
LEFT JOIN sec ON sec.division = SUBSTR(win.ind_digits, 1, 2)
LEFT JOIN ipc ON ipc.uscc = win.uscc
LEFT JOIN cr ON cr.uscc = win.uscc
LEFT JOIN ce ON ce.uscc = win.uscc
LEFT JOIN si ON si.uscc = win.uscc
LEFT JOIN nh ON nh.uscc = win.uscc"""


def validate_sql(sql: str) -> None:
    """Parse the generated SQL with sqlglot (DuckDB dialect); raises sqlglot.errors.ParseError."""
    sqlglot.parse_one(sql, dialect="duckdb")


def transpile_profile_sql(as_of: date, dialect: str = "spark", *, delivered: Mapping[str, bool] | None = None) -> str:
    """The profile SELECT in another dialect (for the Spark port); raises on unsupported constructs."""
    return sqlglot.transpile(
        profile_sql(as_of, delivered=delivered),
        read="duckdb",
        write=dialect,
        unsupported_level=sqlglot.ErrorLevel.RAISE,
    )[0]


# ------------------------------------------------------------------------------------------------------
# Build


@dataclass(frozen=True)
class ProfileSummary:
    as_of: date
    fy_window_start: int
    fy_window_end: int
    enterprises: int
    with_complete_finance: int  # sales_revenue_window not NULL
    with_rd_ratio: int  # hte_rd_ratio not NULL
    with_hte_certificate: int
    feeds_not_delivered: tuple[str, ...]  # register feeds whose features are NULL for everyone
    seconds: float


def delivered_register_feeds(con: duckdb.DuckDBPyConnection) -> dict[str, bool]:
    """Per register feed: does its raw table hold at least one row?"""
    out: dict[str, bool] = {}
    for feed in REGISTER_FEEDS:
        rows = con.execute(f"SELECT EXISTS (SELECT 1 FROM {feed})").fetchall()
        out[feed] = bool(rows[0][0])
    return out


def build_profiles(con: duckdb.DuckDBPyConnection, as_of: date) -> ProfileSummary:
    """Replace table ``profile`` with one row per enterprise for ``as_of``; return a summary."""
    started = time.perf_counter()
    w = window_for(as_of)
    create_current_views(con)
    delivered = delivered_register_feeds(con)
    sql = profile_sql(w.as_of, delivered=delivered)
    validate_sql(sql)
    inputs = _profile_inputs(con, sql)
    con.execute("BEGIN TRANSACTION")
    try:
        # Stored in USCC order: zone maps then let a one-enterprise lookup (explain, a profile page) skip
        # almost every row group instead of scanning two million rows.
        con.execute(f"CREATE OR REPLACE TABLE profile AS SELECT * FROM ({sql}) ORDER BY uscc")
        con.execute("CREATE INDEX profile_uscc ON profile (uscc)")
        con.execute("CREATE OR REPLACE TABLE profile_meta (as_of DATE NOT NULL, inputs VARCHAR NOT NULL)")
        con.execute("INSERT INTO profile_meta VALUES (?, ?)", [w.as_of, inputs])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    row = con.execute(
        "SELECT COUNT(*), COUNT(sales_revenue_window), COUNT(hte_rd_ratio), "
        "COUNT(*) FILTER (WHERE has_hte_certificate) FROM profile"
    ).fetchall()[0]
    return ProfileSummary(
        as_of=w.as_of,
        fy_window_start=w.first_year,
        fy_window_end=w.last_year,
        enterprises=int(row[0]),
        with_complete_finance=int(row[1]),
        with_rd_ratio=int(row[2]),
        with_hte_certificate=int(row[3]),
        feeds_not_delivered=tuple(f for f, ok in delivered.items() if not ok),
        seconds=time.perf_counter() - started,
    )


def profile_summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the current ``profile`` table holds: as-of date, window, row count, growth bases and, per
    feature, how many enterprises have a value (data coverage). JSON-serialisable except for dates."""
    coverage = ", ".join(f"COUNT({f.name})" for f in FEATURES)
    head = con.execute(
        f"SELECT COUNT(*), MIN(as_of), MIN(fy_window_end), "
        f"COUNT(*) FILTER (WHERE has_hte_certificate), {coverage} FROM profile"
    ).fetchall()[0]
    rows, as_of, fy_end, with_hte = head[:4]
    out: dict[str, Any] = {
        "as_of": as_of,
        "fy_window": [fy_end - 2, fy_end] if fy_end is not None else None,
        "enterprises": int(rows),
        "with_hte_certificate": int(with_hte),
    }
    for basis in ("sales_growth_basis", "net_asset_growth_basis"):
        counts = con.execute(f"SELECT {basis}, COUNT(*) FROM profile GROUP BY 1 ORDER BY 1").fetchall()
        out[basis] = {str(k): int(n) for k, n in counts}
    out["non_null"] = {f.name: int(n) for f, n in zip(FEATURES, head[4:], strict=True)}
    return out


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


def district_summary(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per district: enterprises, current HTE certificates, and how much data backs the key indicators —
    the first thing a district official asks of a new profile build."""
    from gaoqi.engine.validate import district_codes

    names = district_codes()
    rows = con.execute(
        """
        SELECT district_code,
               count(*) AS enterprises,
               count(*) FILTER (WHERE has_hte_certificate) AS hte_certified,
               count(*) FILTER (WHERE has_tech_sme) AS tech_sme,
               count(hte_rd_ratio) AS with_rd_ratio,
               median(hte_rd_ratio) AS median_rd_ratio,
               count(*) FILTER (WHERE ip_class1_count > 0) AS with_class1_ip,
               count(*) FILTER (WHERE credit_hte_accidents_365d > 0) AS with_accident_365d
        FROM profile GROUP BY district_code ORDER BY enterprises DESC
        """
    ).fetchall()
    keys = (
        "district_code",
        "enterprises",
        "hte_certified",
        "tech_sme",
        "with_rd_ratio",
        "median_rd_ratio",
        "with_class1_ip",
        "with_accident_365d",
    )
    out = []
    for r in rows:
        d = dict(zip(keys, r, strict=True))
        d["district"] = names.get(str(d["district_code"]), str(d["district_code"]))
        out.append(d)
    return out


def _profile_inputs(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """What a profile is built from: the loads (every file, by content), the resolution that produced
    ``enterprise``, ``name_history`` and ``ip_link`` (``resolve_meta``, '' before the first recorded one) and
    the profile SQL itself (the as-of date, the delivered feeds and the feature definitions are all in it)."""
    found = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'resolve_meta'").fetchall()[
        0
    ][0]
    resolved = con.execute("SELECT max(inputs) FROM resolve_meta").fetchall()[0][0] if found else None
    digest = hashlib.sha256(sql.encode()).hexdigest()
    return f"loads={loads_fingerprint(con)};resolve={hashlib.sha256(str(resolved or '').encode()).hexdigest()};sql={digest}"


def ensure_profiles(con: duckdb.DuckDBPyConnection, as_of: date) -> bool:
    """Bring the current tables up to date and build ``profile`` unless it is already built for ``as_of``
    from exactly the same inputs (``profile_meta``: the loads, the resolution, the SQL). A file loaded or a
    resolution run since, even with the same as-of date, rebuilds it. Returns whether it was (re)built. The
    rules read ``profile``; callers need not know whether it is fresh."""
    create_current_views(con)
    w = window_for(as_of)
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('profile', 'profile_meta')"
    ).fetchall()[0][0]
    if found == 2:
        built = con.execute("SELECT as_of, inputs FROM profile_meta").fetchall()
        sql = profile_sql(w.as_of, delivered=delivered_register_feeds(con))
        if built == [(w.as_of, _profile_inputs(con, sql))]:
            return False
    build_profiles(con, as_of)
    return True
