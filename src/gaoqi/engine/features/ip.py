"""Intellectual property (知识产权, ``ip_cur`` × ``ip_link``): counts of the enterprise's valid class Ⅰ / Ⅱ IP.

A register feed: an enterprise without records has 0 of each when the feed was delivered, NULL when it never
was. Each count's predicate lives in its declaration (``counts``); ``trace`` lists the records it counts with
the very same predicates (``IP_COUNT_FEATURES``, ``ip_countable_sql``)."""

from __future__ import annotations

from datetime import date
from functools import partial

from gaoqi.engine.features.declare import Source, SourceSQL, Window, as_date, count_columns, date_lit, declare, in_list

IP_CLASS1: tuple[str, ...] = ("invention_patent", "plant_variety", "new_drug", "ic_layout")
IP_CLASS2: tuple[str, ...] = ("utility_model", "design", "software_copyright")
IP_ACQUIRED: tuple[str, ...] = ("transfer", "gift", "merger")

# A count: the column of the ``ipc`` pass named after the feature; 0 without records (the feed delivered).
_count = partial(declare, group="ip", feeds=("ip",), type_="count", sql_type="BIGINT", unit="件", absent="0")

# fmt: off
FEATURES = (
    _count("ip_class1_count", "Ⅰ类知识产权数",
           definition="Distinct IP linked to the enterprise (ip_link) of type " + ", ".join(IP_CLASS1) + ", status "
           "valid, granted before as_of (and, if it has an acquired_date, acquired before as_of).",
           article="S-32 Art. 11(二); S-195 §2.4.1",
           sql="ipc.ip_class1_count", counts=f"ip_type IN {in_list(IP_CLASS1)}"),
    _count("ip_class2_count", "Ⅱ类知识产权数",
           definition="As ip_class1_count for types " + ", ".join(IP_CLASS2) + " (trademarks never count).",
           article="S-32 Art. 11(二); S-195 §2.4.1",
           sql="ipc.ip_class2_count", counts=f"ip_type IN {in_list(IP_CLASS2)}"),
    _count("ip_original_count", "自主研发知识产权数",
           definition="Counted (class Ⅰ or Ⅱ) IP acquired by own R&D (acquisition = original).",
           article="S-195 §2.4.1(4)",
           sql="ipc.ip_original_count", counts="acquisition = 'original'"),
    _count("ip_acquired_count", "受让/受赠/并购知识产权数",
           definition="Counted (class Ⅰ or Ⅱ) IP acquired by transfer, gift or merger. IP without an acquisition "
           "value is in neither count.", article="S-195 §2.4.1(4)",
           sql="ipc.ip_acquired_count", counts=f"acquisition IN {in_list(IP_ACQUIRED)}"),
)
# fmt: on

#: ip_* count features → (column of the ``ipc`` pass, predicate on a countable record's ip_type /
#: acquisition). A record counts in a feature when it is countable (``ip_countable_sql``) and matches.
IP_COUNT_FEATURES: dict[str, tuple[str, str]] = {f.name: (f.name, f.counts) for f in FEATURES if f.counts}


def ip_countable_sql(as_of: date, alias: str = "i") -> str:
    """Predicate on ``ip_cur`` (as ``alias``): the records any ip_* count may include at ``as_of`` — valid,
    class Ⅰ or Ⅱ, granted strictly before as_of and, if acquired, acquired strictly before as_of."""
    a = date_lit(as_date(as_of))
    return (
        f"{alias}.status = 'valid' AND {alias}.grant_date < {a} AND {alias}.ip_type IN {in_list(IP_CLASS1 + IP_CLASS2)} "
        f"AND ({alias}.acquired_date IS NULL OR {alias}.acquired_date < {a})"
    )


def _sql(w: Window) -> SourceSQL:
    return SourceSQL(
        ctes={
            # every countable record linked to the enterprise, once (a record linked twice counts once)
            "ipl": f"""
            SELECT DISTINCT l.uscc, i.ip_number, i.ip_type, i.acquisition
            FROM ip_cur i
            JOIN ip_link l ON l.ip_number = i.ip_number
            WHERE {ip_countable_sql(w.as_of)}""",
            "ipc": f"""
            SELECT uscc, {count_columns(w, FEATURES)}
            FROM ipl
            GROUP BY uscc""",
        },
        joins=("LEFT JOIN ipc ON ipc.uscc = win.uscc",),
    )


SOURCE = Source("ip", FEATURES, _sql, register_feed="ip")
