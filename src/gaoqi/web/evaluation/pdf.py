"""The evaluation report as a PDF (reportlab; its built-in Chinese CID font, as certification/pdf.py uses): the
stamps (snapshot, rule-set hash, indicator file hash) on every page's foot and on the first page, the composite
ranking as a table and a bar chart (reportlab.graphics), each indicator's scores, the indicator definitions
(DEFAULTs marked) and the evaluator's comments. Numbers formatted by ``tables`` as the Excel's are."""

from __future__ import annotations

import io
from typing import Any

from gaoqi.web.evaluation import tables
from gaoqi.web.evaluation.models import AreaResult, EvaluationReport

FONT = "STSong-Light"


def report_pdf(report: EvaluationReport, areas: list[AreaResult]) -> bytes:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=13, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=22, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)
    version = tables.version_of(report)
    inds = list(version.indicators)
    stamps = tables.stamps(report)
    grid = TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ])  # fmt: skip
    story: list[Any] = [
        Paragraph(f"{report.year}年度{report.get_area_kind_display()}高新技术企业工作第三方评价报告", h1),
        Paragraph(f"状态：{report.get_status_display()}　计算时间：{report.computed_at:%Y年%m月%d日}", body),
    ]
    story.append(Table([[k, v] for k, v in stamps], colWidths=[40 * mm, 200 * mm], style=grid))
    story.append(Paragraph("综合得分与排名", h2))
    ranking = [["排名", "评价对象", "综合得分", "计分权重合计"]] + [
        [str(a.rank) if a.rank is not None else tables.NO_DATA, a.area_name, tables.score_text(a.composite),
         f"{a.weight_used:g}"]
        for a in areas
    ]  # fmt: skip
    story.append(Table(ranking, colWidths=[18 * mm, 60 * mm, 30 * mm, 30 * mm], style=grid, repeatRows=1))
    scored = [a for a in areas if a.composite is not None]
    if scored:
        drawing = Drawing(250 * mm, 75 * mm)
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 15 * mm, 18 * mm, 225 * mm, 50 * mm
        chart.data = [[float(a.composite) for a in scored]]
        chart.categoryAxis.categoryNames = [a.area_name for a in scored]
        chart.categoryAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = 7
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
        chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
        chart.valueAxis.labels.fontName = FONT
        chart.bars[0].fillColor = colors.HexColor("#3b6fb6")
        drawing.add(chart)
        drawing.add(String(15 * mm, 70 * mm, "各评价对象综合得分", fontName=FONT, fontSize=10))
        story.append(drawing)
    story += [PageBreak(), Paragraph("各指标得分（0–100，最小–最大标准化；无数据不计分）", h2)]
    head = ["评价对象", *[i.code for i in inds]]
    rows = [[a.area_name, *[tables.score_text(a.scores.get(i.code)) for i in inds]] for a in areas]
    width = (250 * mm - 40 * mm) / max(len(inds), 1)
    story.append(Table([head, *rows], colWidths=[40 * mm] + [width] * len(inds), style=grid, repeatRows=1))
    story.append(Paragraph("各指标数值", h2))
    vrows = [[a.area_name, *[tables.value_text(a.values.get(i.code), i.unit) for i in inds]] for a in areas]
    story.append(Table([head, *vrows], colWidths=[40 * mm] + [width] * len(inds), style=grid, repeatRows=1))
    story += [PageBreak(), Paragraph("指标体系（" + version.id + "）", h2)]
    defs = [["代码", "指标", "定义", "方向", "权重", "状态"]] + [
        [i.code, Paragraph(i.name, body), Paragraph(i.definition, body), "越高越好" if i.direction == "higher"
         else "越低越好", f"{i.weight:g}", "默认值，待确认" if i.unconfirmed else "已确认"]
        for i in inds
    ]  # fmt: skip
    story.append(Table(defs, colWidths=[14 * mm, 40 * mm, 130 * mm, 20 * mm, 14 * mm, 28 * mm], style=grid,
                       repeatRows=1))  # fmt: skip
    story.append(
        Paragraph("综合得分 = Σ（权重 × 指标得分）÷ 有数据指标的权重之和；无数据的指标不计分，也不计入权重。", body)
    )
    commented = [a for a in areas if a.comment]
    if commented:
        story.append(Paragraph("评估意见", h2))
        for a in commented:
            story.append(Paragraph(f"<b>{a.area_name}</b>：{_escape(a.comment)}", body))
            story.append(Spacer(1, 2 * mm))
    foot = "　".join(f"{k}：{v}" for k, v in stamps[:2]) + f"　指标文件校验值：{report.indicators_hash[:16]}…"

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(12 * mm, 8 * mm, f"{foot}　第{doc.page}页")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=14 * mm, title=f"{report.year}年度评价报告", author="第三方评估机构")  # fmt: skip
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
