"""Writes of the incubators app: the figures published with a snapshot (inside the snapshot switch, like
``programmes.services.memberships_update``) and the audited ranking export. Nothing here is typed in by a person:
every figure comes from the engine (``Workspace.incubator_figures``), the applications from certification."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count

from gaoqi.web.audit.services import audit_record
from gaoqi.web.incubators.models import COUNTS, SHARES, CityFigures, Incubator, IncubatorFigures
from gaoqi.web.intake.models import Snapshot

EXPORT_LIMIT = 10_000
EXPORT_COLUMNS = (
    "排名", "孵化机构代码", "孵化机构名称", "机构类型", "级别", "所在区县", "评价结论", "得分（下限）", "得分（上限）",
    "未通过的门槛", "在孵及毕业企业数", "当年首次认定高企数", "有效高企占比", "高企复审率", "培育库转化率",
    "科技型中小企业占比", "上年新注册企业占比", "高成长企业占比", "当年申报高企数",
)  # fmt: skip


def _points(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _applied(year: int, codes: Iterable[str]) -> dict[str, int]:
    """Applications for HTE certification of the year (submitted: not drafts, not withdrawn) by the enterprises
    each incubator counts, from the certification app (``Enterprise.incubator_code`` as just published)."""
    from gaoqi.web.certification import workflow as wf
    from gaoqi.web.certification.models import Application
    from gaoqi.web.enterprises.models import Enterprise

    usccs = Application.objects.filter(year=year).exclude(status__in=[wf.DRAFT, wf.WITHDRAWN]).values("uscc")
    counted = (
        Enterprise.objects.filter(uscc__in=usccs, incubator_code__in=set(codes))
        .order_by()
        .values_list("incubator_code")
        .annotate(n=Count("pk"))
    )
    return dict(counted)


def figures_publish(snapshot: Snapshot, rows: Sequence[Mapping[str, Any]], city: Mapping[str, Any]) -> int:
    """Store the roster, each incubator's figures and evaluation (``rows``: the engine's ``incubator_rows``, best
    first) and the city's figures for ``snapshot``; idempotent (the same snapshot again replaces its rows). Runs
    inside the caller's transaction (the snapshot switch); returns how many incubators were stored."""
    with transaction.atomic():
        IncubatorFigures.objects.filter(snapshot=snapshot).delete()
        CityFigures.objects.filter(snapshot=snapshot).delete()
        if not rows:
            return 0
        year = int(rows[0]["evaluation_year"])
        applied = _applied(year, (str(r["incubator_code"]) for r in rows))
        out = []
        for rank, r in enumerate(rows, start=1):
            inc, _ = Incubator.objects.update_or_create(
                code=r["incubator_code"],
                defaults={
                    "name": r["incubator_name"] or "",
                    "kind": r["incubator_kind"] or "",
                    "level": r["incubator_level"] or "",
                    "district_code": r["incubator_district_code"] or "",
                    "operator_uscc": r["operator_uscc"] or "",
                    "recognised_on": r["recognised_on"],
                    "valid_to": r["valid_to"],
                    "snapshot": snapshot,
                },
            )
            out.append(
                IncubatorFigures(
                    snapshot=snapshot,
                    incubator=inc,
                    evaluation_year=year,
                    applied=applied.get(inc.code, 0),
                    policy_id=r["policy_id"] or "",
                    policy_version=r["policy_version"] or "",
                    status=r["status"] or "",
                    failed_conditions=list(r["failed_conditions"] or []),
                    unknown_features=list(r["unknown_features"] or []),
                    gates=[dict(g) for g in r["gates"] or []],
                    scores=[dict(s) for s in r["scores"] or []],
                    score_lo=_points(r["score_lo"]),
                    score_hi=_points(r["score_hi"]),
                    rank=rank,
                    **{k: int(r[k] or 0) for k in COUNTS},
                    **{k: r[k] for k in SHARES},
                )
            )
        IncubatorFigures.objects.bulk_create(out)
        if city:
            CityFigures.objects.create(
                snapshot=snapshot,
                evaluation_year=int(city["evaluation_year"]),
                **{k: int(city[k] or 0) for k in COUNTS},
                **{k: city[k] for k in SHARES},
            )
        return len(out)


def ranking_export(actor: Any, qs: Any, *, request: Any = None, filters: dict[str, Any]) -> bytes:
    """An Excel workbook of exactly the ranking rows the user may see under the current filters and order
    (every cell through ``exports.xlsx``: a name starting with = + - @ is text, never a formula). Audited."""
    from gaoqi.web.core import labels
    from gaoqi.web.exports import xlsx

    n = 0

    def rows() -> Any:
        nonlocal n
        for f in qs[:EXPORT_LIMIT]:
            i = f.incubator
            n += 1
            yield [
                f.rank, i.code, i.name, i.get_kind_display(), i.get_level_display(), labels.district(i.district_code),
                labels.label("status", f.status), f.score_lo, f.score_hi,
                "、".join(labels.label("incubator_gate", c) for c in f.failed_conditions), f.incubated, f.new_hte,
                labels.percent(f.hte_share), labels.percent(f.recert_rate), labels.percent(f.pool_conv),
                labels.percent(f.tech_sme_share), labels.percent(f.registered_last_year_share),
                labels.percent(f.growth_share), f.applied,
            ]  # fmt: skip

    data = xlsx("孵化机构排名", list(EXPORT_COLUMNS), rows())
    audit_record(
        actor, "export", target="url:incubators:ranking", request=request, detail={"rows": n, "filters": filters}
    )
    return data
