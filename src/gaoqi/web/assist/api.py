"""``GET /api/assist/plan/{uscc}`` (行动建议, scoped like the profile: another district's enterprise is a 404) and
``GET /api/assist/search?q=`` (政策问答: the ranked passages with their citations). Registered on the one
``NinjaAPI`` (``web/api.py`` imports this module at its end); access.ACCESS names both operations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Schema

from gaoqi.web.api import ERRORS, NOT_FOUND, api
from gaoqi.web.assist import selectors
from gaoqi.web.core.errors import NotFound


class MissingDataOut(Schema):
    feature: str
    label: str = Field(description="the feature's Chinese name")
    feed: str | None = Field(description="the feed that delivers it (Chinese title)")
    department: str | None = Field(description="the department that delivers that feed")


class StepOut(Schema):
    kind: str = Field(description="gap (a condition failing: close the gap) / data (补充数据: data missing)")
    condition_id: str
    label: str
    article: str
    sentence: str = Field(description="the step in words, from the plan's templates")
    due: date | None = Field(description="by when; null when no date is known (due_text says so)")
    due_text: str
    observed: Any = Field(None, description="the engine's observed value (ratios as fractions, money in 万元)")
    required: Any = Field(None, description="the engine's required value")
    op: str | None = None
    difference: Decimal | None = Field(None, description="the gap as the engine's gap sentence states it")
    difference_unit: str | None = Field(None, description="its unit: 个百分点, 万元, 件, 天…")
    gap: str | None = Field(None, description="the engine's gap sentence")
    lever: Any = Field(None, description="the engine's lever: the amount closing the gap (e.g. 万元 of R&D)")
    lever_text: str | None = None
    missing: list[MissingDataOut]


class PolicyPlanOut(Schema):
    policy_id: str
    policy_name: str
    policy_version: str
    status: str
    failed: int = Field(description="conditions failing")
    benefit: str | None
    unlocks: str
    steps: list[StepOut]


class PlanOut(Schema):
    uscc: str
    as_of: date | None = Field(description="the snapshot's date; null without a published snapshot")
    max_failed: int | None
    policies: list[PolicyPlanOut]


class CitationOut(Schema):
    source: str = Field(description="the digest file or policies/<file>.yaml")
    document: str
    section: str
    article: str | None
    policy_id: str | None
    condition_id: str | None


class HitOut(Schema):
    text: str
    score: float
    citation: CitationOut
    matched: list[str] = Field(description="the question's terms found in the passage")
    segments: list[tuple[str, bool]] = Field(description="the text cut at the matched terms: (text, matched)")


class AnswerOut(Schema):
    question: str
    found: bool
    message: str = Field(description="未找到… when nothing matched (an empty or unknown question)")
    terms: list[str]
    hits: list[HitOut]


class QuestionIn(Schema):
    q: str = Field("", max_length=200, description="the question, in Chinese")
    k: int = Field(5, ge=1, le=20, description="how many passages")


@api.get("/assist/plan/{uscc}", response={200: PlanOut, **NOT_FOUND}, url_name="assist_plan", tags=["智能助手"])
def assist_plan(request: HttpRequest, uscc: str) -> dict[str, Any]:
    """行动建议: for each policy the enterprise nearly meets, the steps (gaps with the engine's numbers, missing data
    with its department), by when, and what they unlock. Scoped like the profile page."""
    view = selectors.plan_for(request.user, uscc)
    if view is None:
        raise NotFound("企业不存在或不在您的管辖范围内")
    plan = view.plan
    return {
        "uscc": view.enterprise.uscc,
        "as_of": plan.as_of if plan else None,
        "max_failed": plan.max_failed if plan else None,
        "policies": [
            {
                "policy_id": p.policy_id,
                "policy_name": p.policy_name,
                "policy_version": p.policy_version,
                "status": p.status,
                "failed": p.failed,
                "benefit": p.benefit,
                "unlocks": p.unlocks,
                "steps": [{**s.__dict__, "missing": [m.__dict__ for m in s.missing]} for s in p.steps],
            }
            for p in (plan.policies if plan else ())
        ],
    }


@api.get("/assist/search", response={200: AnswerOut, **ERRORS}, url_name="assist_search", tags=["智能助手"])
def assist_search(request: HttpRequest, params: Query[QuestionIn]) -> dict[str, Any]:
    """政策问答: the passages of the rules digests and the policy files that answer a question, ranked (BM25 over
    jieba terms), each with its citation and the matched terms."""
    result = selectors.question_answer(params.q, params.k)
    return {
        "question": result.question,
        "found": result.found,
        "message": result.message,
        "terms": list(result.terms),
        "hits": [
            {
                "text": h.passage.text,
                "score": h.score,
                "citation": h.passage.citation.__dict__,
                "matched": list(h.matched),
                "segments": [list(s) for s in h.segments],
            }
            for h in result.hits
        ],
    }
