"""Reads of the district evaluation, scoped (ADR 0032): the evaluator sees every report (its drafts included); the
municipal office the reports submitted to it, returned or published; a district official only published reports
and in them only the areas holding its district (its own page: its scores and rank, its own comment, never another
area's). Every other role nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from gaoqi.web import roles
from gaoqi.web.evaluation.compute import compute_scores, number_text, sha256
from gaoqi.web.evaluation.models import AreaResult, EvaluationReport
from gaoqi.web.evaluation.workflow import DRAFT, PUBLISHED


def reports_visible_to(user: Any) -> QuerySet[EvaluationReport]:
    role = getattr(user, "role", None)
    qs = EvaluationReport.objects.select_related("snapshot").order_by("-year", "area_kind")
    if role == roles.EVALUATOR:
        return qs
    if role == roles.MUNICIPAL:
        return qs.exclude(status=DRAFT)
    if role == roles.DISTRICT and getattr(user, "district_code", ""):
        return qs.filter(status=PUBLISHED)
    return qs.none()


def report_get(user: Any, pk: int) -> EvaluationReport | None:
    return reports_visible_to(user).filter(pk=pk).first()


def areas_of(user: Any, report: EvaluationReport) -> list[AreaResult]:
    """The report's areas the user may see, best first (a district official: the areas holding its district)."""
    rows = list(report.areas.order_by("rank", "area_code"))
    if getattr(user, "role", None) in (roles.EVALUATOR, roles.MUNICIPAL):
        return rows
    if getattr(user, "role", None) == roles.DISTRICT and report.status == PUBLISHED:
        mine = getattr(user, "district_code", "")
        return [a for a in rows if mine and mine in a.districts]
    return []


def area_get(user: Any, report: EvaluationReport, code: str) -> AreaResult | None:
    return next((a for a in areas_of(user, report) if a.area_code == code), None)


def ranked_count(report: EvaluationReport) -> int:
    """How many areas have a rank (the denominator of 第 n / N)."""
    return report.areas.filter(rank__isnull=False).count()


@dataclass(frozen=True)
class Reproduction:
    ruleset_matches: bool
    indicators_match: bool
    areas_match: bool
    differences: list[str]

    @property
    def ok(self) -> bool:
        return self.ruleset_matches and self.indicators_match and self.areas_match and not self.differences


def report_reproduce(report: EvaluationReport, actor: Any) -> Reproduction:
    """Recompute the report from its stamps alone (the stamped snapshot, the stored indicator file and mapping)
    and compare every number with the stored ones: the third-party report is reproducible."""
    snap = report.snapshot
    ruleset = snap.ruleset_hash == report.ruleset_hash
    indicators = sha256(report.indicators_text) == report.indicators_hash
    areas = (sha256(report.areas_text) == report.areas_hash) if report.areas_hash else not report.areas_text
    done = compute_scores(snap, report.year, report.area_kind, report.indicators_text, report.areas_text, actor)
    stored = {a.area_code: a for a in report.areas.all()}
    diffs: list[str] = []
    for s in done.scores:
        a = stored.pop(s.area, None)
        if a is None:
            diffs.append(f"{s.area}: 报告中没有")
            continue
        again = (
            s.composite, s.rank, {k: number_text(v) for k, v in s.values.items()},
            {k: None if v is None else str(v) for k, v in s.scores.items()},
        )  # fmt: skip
        kept = (a.composite, a.rank, a.values, a.scores)
        if again != kept:
            diffs.append(f"{s.area}: {kept} ≠ {again}")
    diffs += [f"{code}: 重新计算时没有" for code in stored]
    return Reproduction(ruleset, indicators, areas, diffs)
