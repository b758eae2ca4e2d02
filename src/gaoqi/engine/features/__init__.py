"""Enterprise profiles: one row per enterprise for one as-of (application) date.

``build_profiles(con, as_of)`` replaces the table ``profile`` with one row per ``enterprise`` row. Every
column is a feature listed in ``FEATURES`` (name, Chinese label, type, unit, definition, rule article and its
SQL), which also renders ``docs/features.md`` and is what the policy engine reads.

Each feature is declared once, beside its SQL, in the module of its source: ``registration``, ``finance``,
``rd``, ``ip``, ``credit``, ``social_insurance``, ``certificates`` (each also declares, once, the CTEs and
joins its features share). ``profile.profile_sql`` only assembles the sources' pieces into one SQL
statement (validated with sqlglot, written with constructs that transpile to Spark): the spine ``ent`` (one
row per enterprise), the window rows of ``finance_cur`` / ``rd_cur`` joined once per window year, and every
other source reduced to at most one row per uscc and left-joined. No per-enterprise Python. All dates and
fiscal years derived from ``as_of`` are computed in Python and written into the SQL as literals. See
README.md beside this file.

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

from typing import TYPE_CHECKING

from gaoqi.engine.lazy import lazy_attributes

if TYPE_CHECKING:
    from gaoqi.engine.features.build import (
        ProfileSummary,
        build_profiles,
        delivered_register_feeds,
        district_summary,
        ensure_profiles,
        profile_summary,
    )
    from gaoqi.engine.features.credit import CREDIT_COUNT_FEATURES, credit_predicates
    from gaoqi.engine.features.declare import GROUPS, MONEY, Feature, window_for
    from gaoqi.engine.features.finance import GROWTH_BASES
    from gaoqi.engine.features.ip import IP_COUNT_FEATURES, ip_countable_sql
    from gaoqi.engine.features.profile import (
        FEATURE_BY_NAME,
        FEATURES,
        feature,
        features_markdown,
        profile_sql,
        provenance_columns,
        transpile_profile_sql,
        validate_sql,
    )


# The names load on first use (PEP 562), as in gaoqi.engine: the feature declarations (FEATURE_BY_NAME, labels,
# units) without the profile builder and its imports (the workspace, current views; `gaoqi explain` needs
# neither).
_LAZY: dict[str, tuple[str, str]] = {
    "ProfileSummary": ("gaoqi.engine.features.build", "ProfileSummary"),
    "build_profiles": ("gaoqi.engine.features.build", "build_profiles"),
    "delivered_register_feeds": ("gaoqi.engine.features.build", "delivered_register_feeds"),
    "district_summary": ("gaoqi.engine.features.build", "district_summary"),
    "ensure_profiles": ("gaoqi.engine.features.build", "ensure_profiles"),
    "profile_summary": ("gaoqi.engine.features.build", "profile_summary"),
    "CREDIT_COUNT_FEATURES": ("gaoqi.engine.features.credit", "CREDIT_COUNT_FEATURES"),
    "credit_predicates": ("gaoqi.engine.features.credit", "credit_predicates"),
    "GROUPS": ("gaoqi.engine.features.declare", "GROUPS"),
    "MONEY": ("gaoqi.engine.features.declare", "MONEY"),
    "Feature": ("gaoqi.engine.features.declare", "Feature"),
    "window_for": ("gaoqi.engine.features.declare", "window_for"),
    "GROWTH_BASES": ("gaoqi.engine.features.finance", "GROWTH_BASES"),
    "IP_COUNT_FEATURES": ("gaoqi.engine.features.ip", "IP_COUNT_FEATURES"),
    "ip_countable_sql": ("gaoqi.engine.features.ip", "ip_countable_sql"),
    "FEATURE_BY_NAME": ("gaoqi.engine.features.profile", "FEATURE_BY_NAME"),
    "FEATURES": ("gaoqi.engine.features.profile", "FEATURES"),
    "feature": ("gaoqi.engine.features.profile", "feature"),
    "features_markdown": ("gaoqi.engine.features.profile", "features_markdown"),
    "profile_sql": ("gaoqi.engine.features.profile", "profile_sql"),
    "provenance_columns": ("gaoqi.engine.features.profile", "provenance_columns"),
    "transpile_profile_sql": ("gaoqi.engine.features.profile", "transpile_profile_sql"),
    "validate_sql": ("gaoqi.engine.features.profile", "validate_sql"),
}


__getattr__ = lazy_attributes(__name__, _LAZY, globals())


__all__ = [
    "CREDIT_COUNT_FEATURES",
    "FEATURES",
    "FEATURE_BY_NAME",
    "GROUPS",
    "GROWTH_BASES",
    "IP_COUNT_FEATURES",
    "MONEY",
    "Feature",
    "ProfileSummary",
    "build_profiles",
    "credit_predicates",
    "delivered_register_feeds",
    "district_summary",
    "ensure_profiles",
    "feature",
    "features_markdown",
    "ip_countable_sql",
    "profile_sql",
    "profile_summary",
    "provenance_columns",
    "transpile_profile_sql",
    "validate_sql",
    "window_for",
]
