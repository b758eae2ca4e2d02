"""A report's numbers as the pages, the Excel workbook and the PDF show them: one place formats them, so the PDF's
numbers are the Excel's (a test compares them). Values by the indicator's unit (a ratio as a percentage with two
decimals, a count as a whole number, money in 万元), scores and composites with two decimals, 无数据 for none."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from gaoqi.engine import IndicatorVersion, load_indicators_bytes
from gaoqi.web.evaluation.measures import platform_measures
from gaoqi.web.evaluation.models import AreaResult, EvaluationReport

NO_DATA = "无数据"


def version_of(report: EvaluationReport) -> IndicatorVersion:
    """The indicator version the report was computed with, from its stored copy of the file."""
    return _version(report.indicators_text, report.indicator_version)


@lru_cache(maxsize=16)
def _version(text: str, version_id: str) -> IndicatorVersion:
    """A stored file parsed and checked once (YAML and every formula through SQLGlot), not on every page: the text
    of a report never changes once computed, and an ``IndicatorVersion`` is frozen."""
    iset = load_indicators_bytes(text.encode("utf-8"), "indicators.yaml", platform_measures())
    for v in iset.versions:
        if v.id == version_id:
            return v
    raise ValueError(f"indicator version {version_id} not in the report's file")


def score_text(value: Any) -> str:
    return NO_DATA if value is None else f"{Decimal(str(value)):.2f}"


def value_text(value: Any, unit: str) -> str:
    if value is None:
        return NO_DATA
    d = Decimal(str(value))
    if unit == "ratio":
        return f"{d * 100:.2f}%"
    if unit == "count":
        return f"{d:.0f}"
    return f"{d:,.2f}"


def score_cell(value: Any) -> Decimal | str:
    """A score or composite as a spreadsheet number (无数据 as text)."""
    return NO_DATA if value is None else Decimal(str(value))


def excel_rows(report: EvaluationReport, areas: list[AreaResult]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows: rank, area, composite, the weights counted, then each indicator's value and score; after the
    areas, the stamps (snapshot, rule-set hash, indicator file hash) as rows of their own."""
    version = version_of(report)
    inds = list(version.indicators)
    header = ["排名", "评价对象代码", "评价对象", "综合得分", "计分权重合计"]
    for i in inds:
        header += [f"{i.code} {i.name}", f"{i.code} 得分"]
    header.append("评估意见")
    rows: list[list[Any]] = []
    for a in areas:
        row: list[Any] = [a.rank if a.rank is not None else NO_DATA, a.area_code, a.area_name,
                          score_cell(a.composite), a.weight_used]  # fmt: skip
        for i in inds:
            row += [value_text(a.values.get(i.code), i.unit), score_cell(a.scores.get(i.code))]
        row.append(a.comment)
        rows.append(row)
    rows.append([])
    rows += [[label, value] for label, value in stamps(report)]
    return header, rows


def stamps(report: EvaluationReport) -> list[tuple[str, str]]:
    out = [
        ("数据快照", f"第{report.snapshot_id}号（基准日 {report.snapshot.as_of.isoformat()}）"),
        ("规则集校验值", report.ruleset_hash or NO_DATA),
        ("指标体系及版本", f"{report.indicator_set} / {report.indicator_version}"),
        ("指标文件校验值", report.indicators_hash),
    ]
    if report.areas_hash:
        out.append(("分园对应表校验值", report.areas_hash))
    return out
