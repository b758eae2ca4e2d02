"""Incubation (孵化关系, ``incubation_cur``): the incubator (孵化器、众创空间或服务机构 of the ``incubator`` roster) an
enterprise is attributed to at the as-of date.

An enterprise is attributed to **one** incubator: the last one it entered (shared/reference/programmes.md §5.2,
DEFAULT): the relation with the latest ``entered_on`` on or before as-of, ties broken by delivery (the later
load, then the later line). Whether that relation still counts for an incubator's figures (incubated in the
year, or graduated within the window) is the incubator figures' business (``gaoqi.engine.incubators``)."""

from __future__ import annotations

from functools import partial

from gaoqi.engine.features.declare import Source, SourceSQL, Window, date_lit, declare, source_row

_IN = ("incubation",)
_f = partial(declare, group="incubation", feeds=_IN)

# ``inc`` (see _sql) has, per enterprise, ``rel``: its last relation entered on or before as-of (a struct).
# fmt: off
FEATURES = (
    _f("incubator_code", "所属孵化机构代码", "text", "VARCHAR",
       "Code (incubator roster) of the incubator the enterprise last entered on or before as_of, whatever the "
       "relation's status: an enterprise moving from A to B is B's (programmes.md §5.2, DEFAULT). NULL when it "
       "has no incubation relation.", provenance="incubation",
       sql="inc.rel.code"),
    _f("incubation_status", "孵化状态", "text", "VARCHAR",
       "Status of that relation at as_of: incubating (在孵) while it has no leaving date or leaves after as_of, "
       "else the delivered status (graduated 毕业 or exited 退出).", provenance="incubation",
       sql="CASE WHEN inc.rel.code IS NULL THEN NULL WHEN inc.rel.left_on IS NULL OR inc.rel.left_on > {as_of} "
           "THEN 'incubating' ELSE inc.rel.status END"),
    _f("incubation_entered_on", "入孵日期", "date", "DATE",
       "The day the enterprise entered that incubator.", provenance="incubation",
       sql="inc.rel.entered_on"),
    _f("incubation_left_on", "离孵日期", "date", "DATE",
       "The day it graduated or left, when that is on or before as_of; NULL while incubated.",
       provenance="incubation",
       sql="CASE WHEN inc.rel.left_on <= {as_of} THEN inc.rel.left_on END"),
    # --- provenance ---------------------------------------------------------------------------------
    *source_row("incubation", "孵化关系", "the incubation_cur row of the enterprise's last incubator", feeds=_IN,
                load_id="inc.rel.load_id", line="inc.rel.line"),
)
# fmt: on


def _sql(w: Window) -> SourceSQL:
    a = date_lit(w.as_of)
    return SourceSQL(
        ctes={
            "inc": f"""
            SELECT uscc,
                   ARG_MAX(STRUCT_PACK(code := incubator_code, entered_on := entered_on, left_on := left_on,
                                       status := status, load_id := _load_id, line := _line),
                           STRUCT_PACK(d := entered_on, l := _load_id, n := _line)) AS rel
            FROM incubation_cur
            WHERE entered_on <= {a}
            GROUP BY uscc""",
        },
        joins=("LEFT JOIN inc ON inc.uscc = win.uscc",),
    )


SOURCE = Source("incubation", FEATURES, _sql)
