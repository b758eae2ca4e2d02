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
    _f("as_of_month_day", "评估日月日（MMDD）", "integer", "INTEGER",
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
    # --- finance and R&D ----------------------------------------------------------------------------
    _f("rd_ratio_last_year", "最近一年研究开发费用占销售收入比例", "ratio", RATIO,
       "rd_expense_last_year ÷ sales_revenue_last_year; NULL when either is NULL or sales are 0.",
       article="S-32 Art. 11(五)", feeds=("rd", "finance")),
    _f("sales_revenue_prior_year", "上一年度销售收入", "money", "DECIMAL(38,4)",
       "Sales revenue of fiscal year as_of year − 2 (the year before the last year).", unit="万元",
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
    # enterprise features without a provenance of their own
    "st_staff_share": ("rd_last",),
    "ht_revenue_share": ("rd_last", "finance_last"),
    "days_since_established": ("registration",),
    "hte_prior_certificate": ("hte_certificate",),
}
