"""企业画像分析 reads: the cohort of the current snapshot and its trend over the published snapshots, scoped.

The figures are the engine's (``Workspace.cohort`` over the snapshot file, read-only; ``Workspace.cohort_trend``
over the last published files), for the districts ``core.scoping`` gives the user: the municipal office and the
evaluator every district, a district official its own (whatever districts the filter asks for: the engine
intersects them with the scope). Nothing here writes; the tags are computed when read (ADR 0033)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from gaoqi.engine import CohortFilter, CohortFilterError, CohortResult, TagSet, Workspace, default_tags, district_codes
from gaoqi.web import roles
from gaoqi.web.core.errors import DomainError, Forbidden
from gaoqi.web.core.labels import district, label
from gaoqi.web.core.scoping import district_scope
from gaoqi.web.intake.models import Snapshot
from gaoqi.web.intake.selectors import current_snapshot, snapshot_workspace

#: Who reads the cohort figures (access.py says the same for the URLs).
READERS = frozenset({roles.DISTRICT, roles.MUNICIPAL, roles.EVALUATOR})
#: How many published snapshots the trend counts over (newest last).
TREND_SNAPSHOTS = 8
NO_VALUE = "无数据"


def cohort_scope(user: Any) -> tuple[str, ...] | None:
    """The districts the user's figures cover: None for every district, else the account's (empty: none)."""
    if getattr(user, "role", None) not in READERS:
        raise Forbidden()
    q = district_scope(user)
    if q is None:
        return ()
    if not q.children:
        return None
    return tuple(str(v) for _, v in q.children)


def scope_districts(user: Any) -> list[str]:
    """The districts the user may choose in the filter."""
    scope = cohort_scope(user)
    return list(district_codes()) if scope is None else list(scope)


def tag_set() -> TagSet:
    return default_tags()


@dataclass(frozen=True)
class TrendPoint:
    snapshot_id: int
    as_of: dt.date
    count: int


@dataclass
class CohortView:
    """The cohort of the current snapshot (``result`` None without one) and its trend, in the user's scope."""

    filter: CohortFilter
    scope: tuple[str, ...] | None
    tags: TagSet
    snapshot: Snapshot | None = None
    result: CohortResult | None = None
    trend: list[TrendPoint] = field(default_factory=list)


def cohort_for(user: Any, f: CohortFilter) -> CohortView:
    scope = cohort_scope(user)
    tags = tag_set()
    view = CohortView(f, scope, tags)
    snap = current_snapshot()
    ws = snapshot_workspace(snap)
    if ws is None:
        return view
    try:
        with ws:
            view.result = ws.cohort(f, scope, tags)
        published = list(
            Snapshot.objects.filter(status=Snapshot.PUBLISHED).exclude(duckdb_path="").order_by("-as_of", "-id")
        )[:TREND_SNAPSHOTS][::-1]
        counts = Workspace.cohort_trend([s.duckdb_path for s in published], f, scope, tags)
    except CohortFilterError as e:
        raise DomainError("筛选条件中有未定义的标签或分档") from e
    view.snapshot = snap
    view.trend = [TrendPoint(s.pk, s.as_of, c) for s, c in zip(published, counts, strict=True) if c is not None]
    return view


def enterprise_tags(uscc: str) -> list[dict[str, str]]:
    """An enterprise's tags in the current snapshot (label and group), for its profile page; [] without one."""
    ws = snapshot_workspace()
    if ws is None:
        return []
    tags = tag_set()
    with ws:
        codes = ws.enterprise_tags(uscc, tags)
    return [
        {"code": c, "label": tags.by_code[c].label, "group": tags.group(tags.by_code[c].group).label} for c in codes
    ]


# ------------------------------------------------------------------------------------------------------
# words and chart data


def _band_labels(tags: TagSet) -> dict[str, str]:
    return {t.code: t.label for t in tags.tags}


def distributions(view: CohortView) -> list[dict[str, Any]]:
    """Each distribution as (title, rows of (label, count, share)), for the tables, the charts and the workbook."""
    r = view.result
    if r is None:
        return []
    bands = _band_labels(view.tags)

    def rows(d: dict[str, int], word: Any) -> list[dict[str, Any]]:
        return [
            {"code": k, "label": word(k) if k else NO_VALUE, "count": n, "share": n / r.count if r.count else None}
            for k, n in d.items()
        ]

    out: list[dict[str, Any]] = [
        {"key": "district", "title": "按区县", "rows": rows(r.by_district, district)},
        {"key": "tech_field", "title": "按技术领域", "rows": rows(r.by_tech_field, lambda c: label("tech_field", c))},
        {"key": "size", "title": "按规模", "rows": rows(r.by_size, lambda c: bands.get(c, c))},
        {"key": "growth", "title": "按成长", "rows": rows(r.by_growth, lambda c: bands.get(c, c))},
    ]
    for g in view.tags.groups:
        if g.exclusive:
            continue  # a band group's tags are its distribution (技术领域 by the field itself, above)
        members = view.tags.in_group(g.code)
        tag_rows = [
            {"code": t.code, "label": t.label, "count": r.by_tag.get(t.code, 0),
             "share": r.by_tag.get(t.code, 0) / r.count if r.count else None}
            for t in members
        ]  # fmt: skip
        out.append({"key": f"tag_{g.code}", "title": f"按标签：{g.label}", "rows": tag_rows, "empty": not members})
    return out


def chart(view: CohortView) -> dict[str, Any]:
    """The charts' data (ECharts, analytics.js): each distribution's labels and counts, and the trend."""
    return {
        "distributions": [
            {
                "title": d["title"],
                "labels": [x["label"] for x in d["rows"]],
                "values": [x["count"] for x in d["rows"]],
            }
            for d in distributions(view)
            if d["rows"]
        ],
        "trend": {
            "labels": [f"{p.as_of.year}年{p.as_of.month}月{p.as_of.day}日" for p in view.trend],
            "values": [p.count for p in view.trend],
        },
    }
