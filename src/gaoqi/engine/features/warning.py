"""The features only **warning rules** may read (the policy subject ``warning``, ADR 0029): one row per enterprise
and as-of date in the workspace table ``warning_features``, joined to ``profile`` as the view ``warning_profile``
by ``gaoqi.engine.warnings``. A warning rule reads every enterprise feature and these; the enterprise profile,
the results and every other consumer are unchanged.

Three kinds:

* **change since the previous snapshot** (``previous_*``, ``*_changed``, ``*_decline_share`` over insured
  staff): read from the previous published snapshot's ``profile`` (attached read only); NULL for everyone when
  there is no previous snapshot, and for an enterprise the previous snapshot did not have — so a change rule is
  then not raised (unknown);
* **the platform's own records** (高企认定系统, ADR 0011): renewal applications and annual development reports
  (feeds ``hte_application`` and ``hte_annual_report``) with register-feed semantics: NULL for everyone when the
  feed was never delivered (no load of it), FALSE when it was and the enterprise has no matching row;
* **derived values** a warning needs that the profile does not carry (the last year's R&D ratio, the revenue
  decline, days to the certificate's expiry, the as-of date's month and day, the tax registration districts).

Each declaration is the column's metadata; its SQL lives in ``gaoqi.engine.warnings`` (one statement). Names
are distinct from the enterprise and incubator features' (checked in ``rules.subjects``). ``provenance``: the
evidence sources, a tuple of prefixes P naming ``warning_profile`` columns — ``P_load_id``/``P_line`` (a row
of a current delivery) or ``P_file``/``P_line`` (a row of the previous snapshot, its file named there)."""

from __future__ import annotations

from functools import partial

from gaoqi.engine.features.declare import RATIO, Feature, declare

_f = partial(declare, group="warning", sql="")


# fmt: off
FEATURES: tuple[Feature, ...] = (
    # --- the as-of date -----------------------------------------------------------------------------
    _f("as_of_month_day", "评估日（月×100＋日）", "integer", "INTEGER",
       "The as-of date's month × 100 + day (31 May = 531): a yearly deadline is compared with it.", feeds=()),
    # --- change since the previous snapshot ---------------------------------------------------------
    _f("previous_as_of", "上一期快照日期", "date", "DATE",
       "The previous snapshot's as-of date; NULL without a previous snapshot or when it had no row for the "
       "enterprise.", feeds=("registration",)),
    _f("previous_district_code", "上一期所属区县代码", "text", "VARCHAR",
       "The enterprise's district_code in the previous snapshot's profile.", feeds=("registration",)),
    _f("district_changed", "注册区县较上一期变化", "boolean", "BOOLEAN",
       "district_code differs from previous_district_code; NULL when either is NULL (no previous snapshot).",
       feeds=("registration",)),
    _f("previous_insured_count", "上一期参保人数", "count", "INTEGER",
       "insured_count in the previous snapshot's profile.", unit="人", feeds=("social_insurance",)),
    _f("insured_count_decline_share", "参保人数较上一期下降比例", "ratio", RATIO,
       "(previous_insured_count − insured_count) ÷ previous_insured_count; negative for a rise; NULL when "
       "either is NULL or the previous count is 0.", feeds=("social_insurance",)),
    # --- certificate --------------------------------------------------------------------------------
    _f("hte_days_to_expiry", "高企证书距到期天数", "integer", "BIGINT",
       "hte_expiry_date − as_of in days (0 on the certificate's last day); NULL without a current HTE "
       "certificate.", unit="天", article="S-32 Art. 9", feeds=("certificate",)),
    _f("hte_held_last_year", "上一年度曾持有高企证书", "boolean", "BOOLEAN",
       "An HTE certificate (certificate_cur, kind hte, not revoked) was valid on some day of the year before the "
       "as-of year: issue_date ≤ 31 Dec and expiry (issue + 3 years − 1 day when none) ≥ 1 Jan of that year. "
       "FALSE without one when the certificate feed was delivered, NULL when it never was.",
       article="S-32 Art. 13", feeds=("certificate",)),
    # --- the platform's own records (高企认定系统) -------------------------------------------------------
    _f("hte_renewal_applied", "已提交重新认定申请", "boolean", "BOOLEAN",
       "An HTE application (hte_application_cur) in review or certified, submitted on or before as_of and on "
       "or after the current certificate's issue date (a renewal, not the application that gave it). FALSE "
       "without one when the feed was delivered (a load of it exists), NULL when it never was.",
       article="S-32 Art. 9", feeds=("hte_application",)),
    _f("annual_report_last_year_submitted", "已填报上一年度发展情况报表", "boolean", "BOOLEAN",
       "An annual development report (hte_annual_report_cur) for the year before the as-of year submitted on or "
       "before as_of. FALSE without one when the feed was delivered, NULL when it never was.",
       article="S-32 Art. 13", feeds=("hte_annual_report",)),
    # --- credit --------------------------------------------------------------------------------------
    _f("credit_major_tax_violation_365d", "近365天重大税收违法次数", "count", "BIGINT",
       "Credit events of type major_tax_violation (重大税收违法) decided in the 365 days before as_of (as the "
       "other credit_*_365d counts). 0 without events when the credit feed was delivered, NULL when it never was.",
       unit="次", feeds=("credit",)),
    # --- finance and R&D ----------------------------------------------------------------------------
    _f("rd_ratio_last_year", "最近一年研究开发费用占销售收入比例", "ratio", RATIO,
       "rd_expense_last_year ÷ sales_revenue_last_year; NULL when either is NULL or sales are 0.",
       article="S-32 Art. 11(五)", feeds=("rd", "finance")),
    _f("sales_revenue_prior_year", "上一年度销售收入", "money", "DECIMAL(38,4)",
       "Sales revenue of fiscal year as_of year − 2 (the year before the last year).", unit="万元",
       feeds=("finance",)),
    _f("tax_district_code_last_year", "最近一年主管税务机关区县代码", "text", "VARCHAR",
       "finance_cur.tax_district_code of the last year (an optional column: NULL when not delivered).",
       feeds=("finance",)),
    _f("tax_district_code_prior_year", "上一年度主管税务机关区县代码", "text", "VARCHAR",
       "finance_cur.tax_district_code of the year before the last year.", feeds=("finance",)),
    _f("tax_district_changed", "主管税务机关区县变化", "boolean", "BOOLEAN",
       "tax_district_code_last_year differs from tax_district_code_prior_year; NULL when either is NULL.",
       feeds=("finance",)),
    _f("sales_revenue_decline_share", "销售收入同比下降比例", "ratio", RATIO,
       "(sales_revenue_prior_year − sales_revenue_last_year) ÷ sales_revenue_prior_year; negative for growth; "
       "NULL when either is NULL or the prior year's is ≤ 0.", feeds=("finance",)),
)
# fmt: on

FEATURE_BY_NAME: dict[str, Feature] = {f.name: f for f in FEATURES}

#: Evidence sources of every feature a warning may read that has no single profile provenance of its own
#: (the enterprise features with ``provenance`` use it; these are added): prefixes of ``warning_profile``
#: columns ``P_load_id``/``P_line`` or ``P_file``/``P_line``.
EVIDENCE: dict[str, tuple[str, ...]] = {
    "previous_as_of": ("previous_registration",),
    "previous_district_code": ("previous_registration",),
    "district_changed": ("registration", "previous_registration"),
    "previous_insured_count": ("previous_social_insurance",),
    "insured_count_decline_share": ("social_insurance", "previous_social_insurance"),
    "hte_days_to_expiry": ("hte_certificate",),
    "rd_ratio_last_year": ("rd_last", "finance_last"),
    "sales_revenue_prior_year": ("finance_prior",),
    "sales_revenue_decline_share": ("finance_last", "finance_prior"),
    "hte_held_last_year": ("hte_held",),
    "hte_renewal_applied": ("hte_application",),
    "annual_report_last_year_submitted": ("hte_annual_report",),
    "credit_major_tax_violation_365d": ("credit_tax",),
    "tax_district_code_last_year": ("finance_last",),
    "tax_district_code_prior_year": ("finance_prior",),
    "tax_district_changed": ("finance_last", "finance_prior"),
    # enterprise features without a provenance of their own (credit counts: the latest event counted)
    "serious_dishonesty_listed": ("credit_dishonesty",),
    "credit_administrative_penalty_365d": ("credit_penalty",),
    "st_staff_share": ("rd_last",),
    "ht_revenue_share": ("rd_last", "finance_last"),
    "days_since_established": ("registration",),
    "hte_prior_certificate": ("hte_certificate",),
}
