"""企业画像 analytics: tags as data (``tags``) and cohorts over a published snapshot (``cohort``). The platform
reaches them through ``Workspace`` (``tags``, ``enterprise_tags``, ``cohort``, ``cohort_trend``) and the names
exported by ``gaoqi.engine``; ADR 0033."""

from gaoqi.engine.analytics.cohort import CohortFilter, CohortFilterError, CohortResult, cohort_sql, count_sql
from gaoqi.engine.analytics.tags import Tag, TagGroup, TagSet, default_tags_file, load_tags, load_tags_text

__all__ = [
    "CohortFilter",
    "CohortFilterError",
    "CohortResult",
    "Tag",
    "TagGroup",
    "TagSet",
    "cohort_sql",
    "count_sql",
    "default_tags_file",
    "load_tags",
    "load_tags_text",
]
