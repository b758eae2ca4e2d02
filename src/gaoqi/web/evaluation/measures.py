"""The platform's measures of the district evaluation: its own records, per district and year, ONE grouped query
per provider (ADR 0032). Each ``Provider`` declares the measures it gives (``MeasureSpec``, the engine's type: the
indicator loader checks formulas against them) and computes them as ``{measure: {district: value}}``; a district
absent from a measure has no data for it (无数据), never 0.

Year *y*:

* ``pool`` — the cultivation pool's funnel (``programmes.funnel``): entrants of cohort *y*−1 and those certified by
  31 December of *y* (conversion(y−1, k = 1), programmes.md §2.2);
* ``small_to_above`` — 小升规 (``ListMembership`` of ``small-to-above-scale``): stays on the list during *y* and
  exits as converted (规下→规上) in *y*;
* ``cert_stages`` — certification stages (``WorkflowLog`` of applications leaving a timed stage in *y*): done, and
  done within the stage's working-day limit (``certification/process.yaml``) as the log's ``workdays_used`` counts;
* ``requests`` — enterprise requests (servicedesk) filed in *y*: filed, and answered on or before the answer's due day;
* ``service_items`` — service-package items due in *y* (cancelled ones aside): due, and done on or before due day;
* ``warnings`` — 监测预警 (``monitoring.Warning``) whose handling limit fell in *y*: due (those the platform closed
  itself before their limit, the condition having cleared unhandled, are not owed), and handled or dismissed on or
  before the limit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, OuterRef, Q, Subquery

from gaoqi.engine import MeasureSpec

Values = dict[str, dict[str, float]]


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    measures: tuple[MeasureSpec, ...]
    compute: Callable[[int, Any], Values] | None  # None: pending (not wired)


def _grouped(rows: Iterable[dict[str, Any]], key: str, names: Iterable[str]) -> Values:
    out: Values = {n: {} for n in names}
    for r in rows:
        district = r[key]
        if not district:
            continue
        for n in out:
            out[n][str(district)] = float(r[n] or 0)
    return out


def _pool(year: int, actor: Any) -> Values:
    from gaoqi.web.programmes.funnel import FunnelFilter, funnel

    data = funnel(actor, "cultivation-pool", FunnelFilter(cohort=year - 1))
    out: Values = {"pool_entrants": {}, "pool_converted": {}}
    for row in data.by_district if data is not None else []:
        if row.district and row.entrants:
            out["pool_entrants"][row.district] = float(row.entrants)
            out["pool_converted"][row.district] = float(row.by_end[1])
    return out


def _small_to_above(year: int, actor: Any) -> Values:
    from gaoqi.web.programmes.models import CONVERTED, ListMembership

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = (
        ListMembership.objects.filter(list_id="small-to-above-scale", entered_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .order_by()
        .values(d=F("enterprise__district_code"))
        .annotate(
            sts_members=Count("pk"),
            sts_converted=Count("pk", filter=Q(left_reason=CONVERTED, left_on__gte=start, left_on__lte=end)),
        )
    )
    return _grouped(rows, "d", ("sts_members", "sts_converted"))


def _cert_stages(year: int, actor: Any) -> Values:
    from gaoqi.web.certification import workflow as wf
    from gaoqi.web.certification.config import process_config
    from gaoqi.web.certification.models import Application
    from gaoqi.web.core.models import WorkflowLog

    limits = process_config().time_limits
    on_time = Q()
    for status, key in wf.TIMED.items():
        on_time |= Q(source=status, workdays_used__lte=limits[key])
    district = Application.objects.filter(pk=OuterRef("object_id")).values("district_code")[:1]
    rows = (
        WorkflowLog.objects.filter(workflow=wf.APPLICATION.name, source__in=list(wf.TIMED), at__year=year)
        .annotate(d=Subquery(district))
        .order_by()
        .values("d")
        .annotate(cert_stages_done=Count("pk"), cert_stages_on_time=Count("pk", filter=on_time))
    )
    return _grouped(rows, "d", ("cert_stages_done", "cert_stages_on_time"))


def _requests(year: int, actor: Any) -> Values:
    from gaoqi.web.servicedesk.models import Request

    rows = (
        Request.objects.filter(filed_on__year=year)
        .order_by()
        .values("district_code")
        .annotate(
            requests_filed=Count("pk"),
            requests_answered_in_time=Count(
                "pk", filter=Q(answered_on__isnull=False, answered_on__lte=F("answer_due"))
            ),
        )
    )
    return _grouped(rows, "district_code", ("requests_filed", "requests_answered_in_time"))


def _service_items(year: int, actor: Any) -> Values:
    from gaoqi.web.servicepacks.models import ServiceItem
    from gaoqi.web.servicepacks.workflow import CANCELLED, DONE

    rows = (
        ServiceItem.objects.filter(due_on__year=year)
        .exclude(status=CANCELLED)
        .order_by()
        .values(d=F("package__district_code"))
        .annotate(
            pack_items_due=Count("pk"),
            pack_items_on_time=Count("pk", filter=Q(status=DONE, done_on__lte=F("due_on"))),
        )
    )
    return _grouped(rows, "d", ("pack_items_due", "pack_items_on_time"))


def _warnings(year: int, actor: Any) -> Values:
    from gaoqi.web.monitoring import workflow as mwf
    from gaoqi.web.monitoring.models import Warning

    cleared_first = Q(status=mwf.CLOSED, closed_on__lte=F("due_on"))
    rows = (
        Warning.objects.filter(due_on__year=year)
        .exclude(cleared_first)
        .order_by()
        .values("district_code")
        .annotate(
            warnings_due=Count("pk"),
            warnings_on_time=Count("pk", filter=Q(status__in=(mwf.HANDLED, mwf.DISMISSED), closed_on__lte=F("due_on"))),
        )
    )
    return _grouped(rows, "district_code", ("warnings_due", "warnings_on_time"))


# fmt: off
PROVIDERS: tuple[Provider, ...] = (
    Provider("pool", "培育库转化（名单漏斗）", (
        MeasureSpec("pool_entrants", "上年纳入培育库企业数", provider="pool"),
        MeasureSpec("pool_converted", "其中至当年年底认定为高企数", provider="pool"),
    ), _pool),
    Provider("small_to_above", "小升规名单", (
        MeasureSpec("sts_members", "当年在“小升规”名单的企业数", provider="small_to_above"),
        MeasureSpec("sts_converted", "当年规下转规上企业数", provider="small_to_above"),
    ), _small_to_above),
    Provider("cert_stages", "高企认定环节时限", (
        MeasureSpec("cert_stages_done", "当年办结的认定环节数", provider="cert_stages"),
        MeasureSpec("cert_stages_on_time", "其中按时办结数", provider="cert_stages"),
    ), _cert_stages),
    Provider("requests", "企业诉求", (
        MeasureSpec("requests_filed", "当年企业诉求数", provider="requests"),
        MeasureSpec("requests_answered_in_time", "其中按时答复数", provider="requests"),
    ), _requests),
    Provider("service_items", "服务包事项", (
        MeasureSpec("pack_items_due", "当年到期服务包事项数", provider="service_items"),
        MeasureSpec("pack_items_on_time", "其中按时办结数", provider="service_items"),
    ), _service_items),
    Provider("warnings", "监测预警", (
        MeasureSpec("warnings_due", "当年到期应处置预警数", provider="warnings"),
        MeasureSpec("warnings_on_time", "其中按时处置数", provider="warnings"),
    ), _warnings),
)
# fmt: on


def platform_measures() -> list[MeasureSpec]:
    """Every measure the platform declares (pending ones included: a formula naming them is refused at load)."""
    return [m for p in PROVIDERS for m in p.measures]


def measure_labels() -> dict[str, str]:
    from gaoqi.engine import ENGINE_MEASURES

    return {m.name: m.label for m in (*ENGINE_MEASURES, *platform_measures())}


def compute(year: int, actor: Any, needed: Iterable[str]) -> list[tuple[str, str, float]]:
    """The long rows (district, measure, value) of the providers giving any of ``needed`` (one query each)."""
    wanted = set(needed)
    rows: list[tuple[str, str, float]] = []
    for p in PROVIDERS:
        if p.compute is None or not wanted & {m.name for m in p.measures}:
            continue
        for measure, by_district in p.compute(year, actor).items():
            rows.extend((d, measure, v) for d, v in by_district.items())
    return rows
