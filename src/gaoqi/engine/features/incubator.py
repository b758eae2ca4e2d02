"""The features of an **incubator** (the policy subject ``incubator``): one row per body of the incubator roster
and as-of date in the workspace table ``incubator_profile``, computed set-based by ``gaoqi.engine.incubators``
from the enterprise profile, the policy results and the certificate, finance and R&D feeds.

These declarations are what a policy with ``subject: incubator`` may read (the rules' type check knows which
features exist for which subject: ``gaoqi.engine.rules.subjects``). Their names are distinct from the
enterprise features' (a test holds them apart), so that a feature name alone says whose it is. Definitions:
shared/reference/programmes.md §5.2 (DEFAULT readings, see docs/adr/0018). The evaluation year *y* is the
as-of date's year, counted up to the as-of date (year to date)."""

from __future__ import annotations

from functools import partial

from gaoqi.engine.features.declare import RATIO, Feature, declare

_f = partial(declare, group="incubator", feeds=("incubator", "incubation"), sql="")

# fmt: off
FEATURES: tuple[Feature, ...] = (
    _f("incubator_kind", "机构类型", "text", "VARCHAR", "The roster's kind: incubator, maker_space or service_agency."),
    _f("incubator_level", "机构级别", "text", "VARCHAR", "The roster's level: national, municipal, district or other."),
    _f("incubator_district_code", "机构所在区县代码", "text", "VARCHAR", "The roster's district code (GB/T 2260)."),
    _f("incubated", "在孵及毕业企业数", "count", "BIGINT",
       "attached(I, y): enterprises attributed to I (incubator_code: the last incubator entered) whose relation "
       "runs at some time in y up to as_of, plus those graduated from I within the graduation window "
       "(parameter grad_window_years).", unit="家"),
    _f("incubating", "在孵企业数", "count", "BIGINT", "Attached enterprises still incubated at as_of.", unit="家"),
    _f("registered_last_year", "上年新注册企业数", "count", "BIGINT",
       "Attached enterprises established in y − 1.", unit="家"),
    _f("registered_last_year_share", "上年新注册企业占比", "ratio", RATIO,
       "registered_last_year ÷ incubated; NULL when none is attached."),
    _f("tech_sme", "科技型中小企业数", "count", "BIGINT", "Attached enterprises with a current tech-SME registration.",
       unit="家"),
    _f("tech_sme_share", "科技型中小企业占比", "ratio", RATIO, "tech_sme ÷ incubated."),
    _f("new_hte", "当年首次认定高企数", "count", "BIGINT",
       "Attached enterprises whose first national HTE certificate was issued in y (up to as_of); unicorns are not "
       "counted.", unit="家"),
    _f("hte_valid", "有效高企数", "count", "BIGINT", "Attached enterprises holding a current HTE certificate at as_of.",
       unit="家"),
    _f("hte_share", "有效高企占比", "ratio", RATIO, "hte_valid ÷ incubated."),
    _f("hte_due", "当年到期高企数", "count", "BIGINT",
       "Attached enterprises with a (not revoked) HTE certificate expiring in y (issued in y − 3).", unit="家"),
    _f("hte_recertified", "到期后重新认定数", "count", "BIGINT",
       "Of hte_due, those holding a later HTE certificate issued on or before as_of.", unit="家"),
    _f("recert_rate", "高企复审率", "ratio", RATIO,
       "hte_recertified ÷ hte_due; NULL when no certificate is due (DEFAULT reading of 复审率, UNCONFIRMED)."),
    _f("in_pool", "培育库在库企业数", "count", "BIGINT",
       "Attached enterprises on the cultivation list at as_of (the list policy named by parameter pool_policy "
       "passes).", unit="家"),
    _f("pool_members", "培育库企业数（含当年转化）", "count", "BIGINT",
       "in_pool plus the attached enterprises first certified in y that fail the list's rule only on conditions "
       "reading has_hte_certificate (on the list but for their new certificate).", unit="家"),
    _f("pool_converted", "培育库当年转化为高企数", "count", "BIGINT",
       "Of pool_members, those first certified in y.", unit="家"),
    _f("pool_conv", "培育库转化率", "ratio", RATIO, "pool_converted ÷ pool_members; NULL without pool members."),
    _f("grown", "收入或研发费用增长企业数", "count", "BIGINT",
       "Attached enterprises whose sales revenue or R&D expense of y − 1 exceeds that of y − 2 by more than "
       "parameter growth_rate_above (a base ≤ 0 or a missing year does not count).", unit="家"),
    _f("growth_share", "高成长企业占比", "ratio", RATIO, "grown ÷ incubated."),
)
# fmt: on

FEATURE_BY_NAME: dict[str, Feature] = {f.name: f for f in FEATURES}
