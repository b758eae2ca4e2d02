"""分析评价 pages: the reports (the evaluator computes one; the municipal office reviews and publishes), a report's
page (stamps, ranking chart, each indicator's scores, comments, moves, Excel and PDF), and one area's page (a
district official's own page after publication: its scores and rank). Thin: each view reads one selector or calls
one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gaoqi.engine import IndicatorVersion
from gaoqi.web import roles
from gaoqi.web.core import clock
from gaoqi.web.core.errors import refusals_to, valid_data
from gaoqi.web.core.workflow import role_of
from gaoqi.web.evaluation import selectors, services, tables
from gaoqi.web.evaluation.forms import CommentForm, ComputeForm, MoveForm
from gaoqi.web.evaluation.measures import PROVIDERS, measure_labels
from gaoqi.web.evaluation.models import AREA_KINDS, AreaResult, EvaluationReport
from gaoqi.web.evaluation.workflow import EDITABLE, REPORT
from gaoqi.web.exports import xlsx_response


def _report(request: HttpRequest, pk: int) -> EvaluationReport:
    report = selectors.report_get(request.user, pk)
    if report is None:
        raise Http404("评价报告不存在或不在您的查看范围内")
    return report


def _rows(version: IndicatorVersion, areas: list[AreaResult]) -> list[dict[str, Any]]:
    return [
        {
            "area": a,
            "cells": [
                (tables.value_text(a.values.get(i.code), i.unit), tables.score_text(a.scores.get(i.code)),
                 a.scores.get(i.code) is None)
                for i in version.indicators
            ],
        }
        for a in areas
    ]  # fmt: skip


def index(request: HttpRequest) -> HttpResponse:
    reports = list(selectors.reports_visible_to(request.user)[:100])
    mine = []
    if request.user.role == roles.DISTRICT:
        for r in reports:
            for a in selectors.areas_of(request.user, r):
                mine.append({"report": r, "area": a, "of": selectors.ranked_count(r)})
    return render(request, "evaluation/index.html", {
        "reports": reports, "mine": mine, "may_compute": request.user.role == roles.EVALUATOR,
        "kinds": AREA_KINDS, "default_year": clock.today().year - 1,
        "pending": [p for p in PROVIDERS if p.compute is None],
    })  # fmt: skip


@require_POST
@refusals_to(lambda: reverse("evaluation:index"))
def compute(request: HttpRequest) -> HttpResponse:
    d = valid_data(ComputeForm(request.POST))
    report = services.report_compute(request.user, d["year"], d["area_kind"])
    messages.success(request, f"已生成{report}（草稿）")
    return redirect("evaluation:detail", pk=report.pk)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    areas = selectors.areas_of(request.user, report)
    version = tables.version_of(report)
    role = role_of(request.user)
    moves = [t for t in REPORT.transitions_from(report.status) if role in t.roles]
    scored = [a for a in areas if a.composite is not None]
    chart = {"areas": [a.area_name for a in scored], "composite": [float(a.composite) for a in scored]}
    return render(request, "evaluation/detail.html", {
        "report": report, "rows": _rows(version, areas), "indicators": version.indicators, "version": version,
        "stamps": tables.stamps(report), "moves": moves, "chart": chart,
        "editable": report.status in EDITABLE and role == roles.EVALUATOR, "no_data": tables.NO_DATA,
    })  # fmt: skip


def area(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    areas = selectors.areas_of(request.user, report)
    code = request.GET.get("code", "")
    row = next((a for a in areas if a.area_code == code), None) if code else (areas[0] if areas else None)
    if row is None:
        raise Http404("评价对象不存在或不在您的查看范围内")
    version = tables.version_of(report)
    labels = measure_labels()
    lines = [
        {"i": i, "value": tables.value_text(row.values.get(i.code), i.unit),
         "score": tables.score_text(row.scores.get(i.code)), "none": row.scores.get(i.code) is None,
         "measures": [(labels.get(m, m), row.measures.get(m)) for m in i.measures]}
        for i in version.indicators
    ]  # fmt: skip
    chart = {
        "indicators": [f"{i.code} {i.name}" for i in version.indicators],
        "scores": [None if row.scores.get(i.code) is None else float(row.scores[i.code]) for i in version.indicators],
    }
    return render(request, "evaluation/area.html", {
        "report": report, "row": row, "lines": lines, "of": selectors.ranked_count(report), "chart": chart,
        "others": [a for a in areas if a.area_code != row.area_code], "stamps": tables.stamps(report),
        "no_data": tables.NO_DATA,
    })  # fmt: skip


@require_POST
@refusals_to(lambda pk: reverse("evaluation:detail", args=[pk]))
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    _report(request, pk)
    d = valid_data(CommentForm(request.POST))
    services.report_comment(request.user, pk, d["area_code"], d["comment"])
    messages.success(request, "评估意见已保存")
    return redirect(reverse("evaluation:detail", args=[pk]) + f"#area-{d['area_code']}")


@require_POST
@refusals_to(lambda pk: reverse("evaluation:detail", args=[pk]))
def move(request: HttpRequest, pk: int) -> HttpResponse:
    _report(request, pk)
    d = valid_data(MoveForm(request.POST))
    report = services.report_move(request.user, pk, d["action"], comment=d["comment"] or "", seen=d["seen"] or None)
    messages.success(request, f"评价报告已{REPORT.label(report.status)}")
    return redirect("evaluation:detail", pk=pk)


def export(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    data = services.report_export(request.user, report, selectors.areas_of(request.user, report), request=request)
    return xlsx_response(data, f"evaluation-{report.year}-{report.area_kind}.xlsx")


def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    data = services.report_pdf(request.user, report, selectors.areas_of(request.user, report), request=request)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="evaluation-{report.year}-{report.area_kind}.pdf"'
    return response
