"""The district evaluation's JSON operations (registered on the one ``NinjaAPI``: ``web/api.py`` imports this
module at its end): the reports the caller may see and one report with its areas, scoped like the pages (a district
official: published reports, only the areas holding its district, only its own comment)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Schema

from gaoqi.web.api import NOT_FOUND, api
from gaoqi.web.core.errors import NotFound
from gaoqi.web.evaluation import selectors
from gaoqi.web.evaluation.models import EvaluationReport


class EvaluationAreaOut(Schema):
    code: str
    name: str
    districts: list[str]
    rank: int | None
    composite: str | None
    weight_used: str
    values: dict[str, str | None]  # indicator code → value (decimal text; null: no data)
    scores: dict[str, str | None]  # indicator code → 0–100 (null: no data)
    comment: str


class EvaluationReportOut(Schema):
    id: int
    year: int
    area_kind: str
    status: str
    snapshot_id: int
    ruleset_hash: str
    indicator_set: str
    indicator_version: str
    indicators_hash: str
    areas_hash: str
    computed_at: datetime
    published_at: datetime | None


class EvaluationReportDetailOut(EvaluationReportOut):
    ranked: int
    areas: list[EvaluationAreaOut]


def _report(r: EvaluationReport) -> dict[str, Any]:
    return {
        "id": r.pk, "year": r.year, "area_kind": r.area_kind, "status": r.status, "snapshot_id": r.snapshot_id,
        "ruleset_hash": r.ruleset_hash, "indicator_set": r.indicator_set, "indicator_version": r.indicator_version,
        "indicators_hash": r.indicators_hash, "areas_hash": r.areas_hash, "computed_at": r.computed_at,
        "published_at": r.published_at,
    }  # fmt: skip


@api.get("/evaluation/reports", response={200: list[EvaluationReportOut], **NOT_FOUND},
         url_name="evaluation_reports")  # fmt: skip
def evaluation_reports(request: HttpRequest) -> list[dict[str, Any]]:
    """The evaluation reports the caller may see (evaluator: all; municipal office: submitted, returned and
    published; a district: published), newest year first."""
    return [_report(r) for r in selectors.reports_visible_to(request.user)[:200]]


@api.get("/evaluation/reports/{pk}", response={200: EvaluationReportDetailOut, **NOT_FOUND},
         url_name="evaluation_report")  # fmt: skip
def evaluation_report(request: HttpRequest, pk: int) -> dict[str, Any]:
    """One report with the areas the caller may see: composite, rank, each indicator's value and score."""
    report = selectors.report_get(request.user, pk)
    if report is None:
        raise NotFound("评价报告不存在或不在您的查看范围内")
    areas = [
        {"code": a.area_code, "name": a.area_name, "districts": a.districts, "rank": a.rank,
         "composite": None if a.composite is None else str(a.composite), "weight_used": str(a.weight_used),
         "values": a.values, "scores": a.scores, "comment": a.comment}
        for a in selectors.areas_of(request.user, report)
    ]  # fmt: skip
    return {**_report(report), "ranked": selectors.ranked_count(report), "areas": areas}
