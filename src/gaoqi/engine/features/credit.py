"""Credit events (信用事件, ``credit_cur``): counts of events decided in the 365 days before the as-of date, and
of listings in force at it.

A register feed: an enterprise without events has 0 of each when the feed was delivered, NULL when it never
was. Each count's predicate lives in its declaration (``counts``); ``trace`` lists the events it counts with
the very same predicates (``credit_predicates``)."""

from __future__ import annotations

from datetime import date
from functools import partial

from gaoqi.engine.features.declare import (
    Source,
    SourceSQL,
    Window,
    count_columns,
    date_lit,
    declare,
    in_list,
    window_for,
)

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

_RECENT = "decided_date BETWEEN {credit_from} AND {as_of}"
_IN_FORCE = "decided_date <= {as_of} AND (removed_date IS NULL OR removed_date > {as_of})"

# A count: the column of the ``cr`` pass named after the feature; 0 without events (the feed delivered).
_count = partial(declare, group="credit", feeds=("credit",), type_="count", sql_type="BIGINT", absent="0")

# fmt: off
FEATURES = (
    *(_count(f"credit_{t}_365d", f"近365天{lbl}次数", unit="次", article=art,
             definition=f"Credit events of type {t} decided in the 365 days before as_of: as_of − 365 days ≤ "
             "decided_date ≤ as_of (a later removal does not matter).",
             sql=f"cr.credit_{t}_365d", counts=f"event_type = '{t}' AND {_RECENT}")
      for t, lbl, art in (
          ("major_safety_accident", "重大安全事故", "S-32 Art. 11(八); S-195 §三"),
          ("major_quality_accident", "重大质量事故", "S-32 Art. 11(八); S-195 §三"),
          ("serious_environmental_violation", "严重环境违法", "S-32 Art. 11(八); S-195 §三"),
          ("serious_dishonesty", "严重失信", "S-115 Art. 6(4)"),
          ("abnormal_operation", "经营异常", "S-115 Art. 6(4)"),
          ("research_misconduct", "科研失信", "S-115 Art. 6(4)"),
          ("administrative_penalty", "行政处罚", None),
      )),
    _count("credit_hte_accidents_365d", "近365天重大事故及严重环境违法次数", unit="次",
           article="S-32 Art. 11(八); S-195 §三",
           definition="Sum of the three Art. 11(八) counts (major safety accident, major quality accident, "
           "serious environmental violation) in the 365 days before as_of.",
           sql="cr.credit_hte_accidents_365d", counts=f"event_type IN {in_list(HTE_ACCIDENT_TYPES)} AND {_RECENT}"),
    _count("abnormal_operation_listed", "经营异常名录在列数", unit="条", article="S-115 Art. 6(4)",
           definition="abnormal_operation listings in force at as_of: decided_date ≤ as_of and (removed_date "
           "NULL or removed_date > as_of), whatever the decision date.",
           sql="cr.abnormal_operation_listed", counts=f"event_type = 'abnormal_operation' AND {_IN_FORCE}"),
    _count("serious_dishonesty_listed", "严重失信名单在列数", unit="条", article="S-115 Art. 6(4)",
           definition="serious_dishonesty listings in force at as_of (same rule as abnormal_operation_listed).",
           sql="cr.serious_dishonesty_listed", counts=f"event_type = 'serious_dishonesty' AND {_IN_FORCE}"),
)
# fmt: on

#: The credit count features, each a count of credit_cur events (``credit_predicates``).
CREDIT_COUNT_FEATURES: tuple[str, ...] = tuple(f.name for f in FEATURES if f.counts)


def credit_predicates(as_of: date) -> dict[str, str]:
    """Per credit count feature (``CREDIT_COUNT_FEATURES``), the predicate on ``credit_cur`` columns
    (unqualified: event_type, decided_date, removed_date) selecting the events it counts at ``as_of``."""
    w = window_for(as_of)
    return {f.name: w.sql(f.counts) for f in FEATURES if f.counts}


def _sql(w: Window) -> SourceSQL:
    return SourceSQL(
        ctes={
            "cr": f"""
            SELECT uscc, {count_columns(w, FEATURES)}
            FROM credit_cur
            WHERE decided_date <= {date_lit(w.as_of)}
            GROUP BY uscc""",
        },
        joins=("LEFT JOIN cr ON cr.uscc = win.uscc",),
    )


SOURCE = Source("credit", FEATURES, _sql, register_feed="credit")
