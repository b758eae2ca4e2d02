"""Writes of the district evaluation (ADR 0032): computing (and recomputing) a report, the evaluator's comments,
the report's moves (submit, return, publish) through ``core.workflow``, and the audited exports. A report is
computed outside the transaction (the snapshot's DuckDB file and the platform's grouped queries), then written in
one transaction serialised per year and kind of area; a recomputation keeps the comments."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from gaoqi.engine import default_indicator_path, default_subpark_path
from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.core import workflow
from gaoqi.web.core.errors import Conflict, DomainError, Forbidden
from gaoqi.web.core.locks import locked, serialize
from gaoqi.web.evaluation.compute import compute_scores, number_text, sha256
from gaoqi.web.evaluation.models import AREA_KINDS, DISTRICT, AreaResult, EvaluationReport
from gaoqi.web.evaluation.workflow import EDITABLE, REPORT

COMMENT_MAX = 2000


def _read(path: Any) -> str:
    try:
        return str(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DomainError(f"无法读取配置文件 {path.name}") from exc


def report_compute(actor: Any, year: int, area_kind: str) -> EvaluationReport:
    """Compute the report of ``year`` for ``area_kind`` over the current snapshot with the shipped indicator file
    (and sub-park mapping): a new draft, or the same report again while it is a draft or returned (its comments
    kept). The evaluator's only."""
    from gaoqi.web.intake.selectors import current_snapshot

    if getattr(actor, "role", "") != roles.EVALUATOR:
        raise Forbidden("只有第三方评估机构可以生成评价报告")
    if area_kind not in dict(AREA_KINDS):
        raise DomainError("评价对象只能是各区或中关村分园", fields={"area_kind": "请选择评价对象"})
    snapshot = current_snapshot()
    if snapshot is None:
        raise Conflict("尚无已发布的数据快照，无法生成评价报告")
    if not 2000 <= year <= snapshot.as_of.year:
        raise DomainError(f"评价年度须在2000年至数据快照基准日所在年度（{snapshot.as_of.year}年）之间",
                          fields={"year": "评价年度超出范围"})  # fmt: skip
    indicators = _read(default_indicator_path())
    areas = "" if area_kind == DISTRICT else _read(default_subpark_path())
    done = compute_scores(snapshot, year, area_kind, indicators, areas, actor)
    stamps = {
        "snapshot": snapshot, "ruleset_hash": snapshot.ruleset_hash, "indicator_set": done.set_id,
        "indicator_version": done.version.id, "indicators_hash": sha256(indicators), "indicators_text": indicators,
        "areas_hash": sha256(areas) if areas else "", "areas_text": areas, "computed_by": actor,
        "computed_at": timezone.now(),
    }  # fmt: skip
    with transaction.atomic():
        serialize(f"evaluation:{year}:{area_kind}")
        existing = EvaluationReport.objects.filter(year=year, area_kind=area_kind).first()
        if existing is None:
            report = workflow.create(
                REPORT, "compute", actor,
                lambda status: EvaluationReport.objects.create(year=year, area_kind=area_kind, status=status, **stamps),
                audit_target=lambda r: f"evaluation_report:{r.pk}",
                audit_detail=lambda r: {"year": year, "area_kind": area_kind, "snapshot": snapshot.pk},
            )  # fmt: skip
            comments: dict[str, str] = {}
        else:
            report = locked(EvaluationReport, existing.pk)
            if report.status not in EDITABLE:
                raise Conflict(f"该评价报告当前为“{REPORT.label(report.status)}”，不能重新计算")
            comments = dict(report.areas.values_list("area_code", "comment"))
            for field, value in stamps.items():
                setattr(report, field, value)
            report.save()
            report.areas.all().delete()
            audit_record(actor, "evaluation_report.recompute", target=f"evaluation_report:{report.pk}",
                         detail={"snapshot": snapshot.pk, "indicators_hash": stamps["indicators_hash"]})  # fmt: skip
        names = {code: (name, districts) for code, name, districts in done.areas}
        AreaResult.objects.bulk_create(
            AreaResult(
                report=report, area_code=s.area, area_name=names[s.area][0], districts=list(names[s.area][1]),
                composite=s.composite, rank=s.rank, weight_used=s.weight_used,
                values={k: number_text(v) for k, v in s.values.items()},
                scores={k: None if v is None else str(v) for k, v in s.scores.items()},
                measures={k: number_text(v) for k, v in s.measures.items()}, comment=comments.get(s.area, ""),
            )
            for s in done.scores
        )  # fmt: skip
    return report


def report_comment(actor: Any, pk: int, area_code: str, comment: str) -> AreaResult:
    """The evaluator's comment on one area, while the report is a draft or returned (under the report's lock)."""
    if getattr(actor, "role", "") != roles.EVALUATOR:
        raise Forbidden("只有第三方评估机构可以填写评估意见")
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError(f"评估意见不能超过{COMMENT_MAX}字", fields={"comment": "评估意见过长"})
    with transaction.atomic():
        report = locked(EvaluationReport, pk)
        if report.status not in EDITABLE:
            raise Conflict(f"该评价报告当前为“{REPORT.label(report.status)}”，不能修改评估意见")
        row = report.areas.filter(area_code=area_code).first()
        if row is None:
            raise DomainError("评价对象不在该报告中", fields={"area_code": "评价对象不在该报告中"})
        row.comment = comment
        row.save(update_fields=["comment"])
        audit_record(actor, "evaluation_report.comment", target=f"evaluation_report:{pk}",
                     detail={"area": area_code})  # fmt: skip
    return row


def report_move(actor: Any, pk: int, action: str, *, comment: str = "", seen: str | None = None) -> EvaluationReport:
    """submit (the evaluator), return (with a reason) or publish (the municipal office): the workflow's table
    decides; a publication stamps its time."""
    if action not in ("submit", "return", "publish"):
        raise DomainError("未知操作")

    def on_enter(obj: Any, t: Any, log: Any) -> list[str]:
        if t.target == "published":
            obj.published_at = timezone.now()
            return ["published_at"]
        return []

    with transaction.atomic():
        moved = workflow.transition(REPORT, EvaluationReport, pk, action, actor, seen=seen, comment=comment,
                                    on_enter=on_enter)  # fmt: skip
    return moved.obj


def report_export(actor: Any, report: EvaluationReport, areas: list[AreaResult], *, request: Any = None) -> bytes:
    """The report as an Excel workbook (every cell through ``exports.xlsx``); audited."""
    from gaoqi.web.evaluation.tables import excel_rows
    from gaoqi.web.exports import xlsx

    header, rows = excel_rows(report, areas)
    data = xlsx("评价结果", header, rows)
    audit_record(actor, "evaluation_report.export", target=f"evaluation_report:{report.pk}", request=request,
                 detail={"rows": len(areas), "format": "xlsx"})  # fmt: skip
    return data


def report_pdf(actor: Any, report: EvaluationReport, areas: list[AreaResult], *, request: Any = None) -> bytes:
    from gaoqi.web.evaluation.pdf import report_pdf as render

    data = render(report, areas)
    audit_record(actor, "evaluation_report.export", target=f"evaluation_report:{report.pk}", request=request,
                 detail={"rows": len(areas), "format": "pdf"})  # fmt: skip
    return data
