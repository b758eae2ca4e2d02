"""企业画像分析's one write: the Excel export of the aggregates (audited). No personal data: counts only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gaoqi.web.analytics.selectors import CohortView, distributions
from gaoqi.web.audit.services import audit_record
from gaoqi.web.core.labels import cn_date, percent
from gaoqi.web.exports import xlsx

EXPORT_COLUMNS = ("分组", "类别", "企业数", "占比")


def cohort_export(actor: Any, view: CohortView, *, described: Sequence[tuple[str, str]], request: Any = None) -> bytes:
    """The cohort's count, its distributions and its trend as one sheet (every cell through ``exports.xlsx``)."""
    r = view.result
    rows: list[list[Any]] = []
    snap = view.snapshot
    rows.append(["快照", f"第{snap.pk}期，基准日 {cn_date(snap.as_of)}" if snap else "暂无已发布的快照", None, None])
    rows.append(["标签版本", f"{view.tags.name} {view.tags.version}", None, None])
    for name, value in described or [("筛选条件", "不限")]:
        rows.append(["筛选条件", f"{name}：{value}" if value != "不限" else "不限", None, None])
    if r is not None:
        rows.append(["合计", "企业数", r.count, None])
        for d in distributions(view):
            for x in d["rows"]:
                rows.append([d["title"], x["label"], x["count"], percent(x["share"])])
    for p in view.trend:
        rows.append(["趋势（各期快照）", cn_date(p.as_of), p.count, None])
    out = xlsx("企业画像分析", list(EXPORT_COLUMNS), rows)
    audit_record(
        actor, "export", target="url:analytics:cohort", request=request,
        detail={"rows": len(rows), "filters": dict(described), "snapshot": snap.pk if snap else None},
    )  # fmt: skip
    return out
