"""Fixtures of the review-signal tests: a movable platform date; applications in review in 海淀 (one in district
review, one with an expert panel) and 朝阳, a draft; officials of both districts, the municipal office, an
evaluator, the panel's expert and another expert, the enterprise; published snapshot rows to derive into."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.core import clock as platform_clock
from tests.web import factories as f
from tests.web.conftest import CHAOYANG, HAIDIAN


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, dt.date]:
    now = {"day": dt.date(2026, 9, 30)}
    monkeypatch.setattr(platform_clock, "today", lambda: now["day"])
    return now


@pytest.fixture()
def rs(db: Any, clock: dict[str, dt.date]) -> dict[str, Any]:
    from gaoqi.web.certification.models import Panel

    municipal = f.user(roles.MUNICIPAL, "rs_municipal")
    hd = f.application("district_review", district_code=HAIDIAN)
    hd2 = f.application("expert_review", district_code=HAIDIAN, code=f.uscc(district_code=HAIDIAN))
    cy = f.application("district_review", district_code=CHAOYANG, code=f.uscc(district_code=CHAOYANG))
    draft = f.application("draft", district_code=HAIDIAN)
    expert = f.expert(f.user(roles.EXPERT, "rs_expert"))
    other_expert = f.expert(f.user(roles.EXPERT, "rs_expert2"))
    Panel.objects.create(application=hd2, seed=1, expert_ids=[expert.pk], leader=expert, drawn_by=municipal)
    return {
        "clock": clock, "hd": hd, "hd2": hd2, "cy": cy, "draft": draft,
        "ent": hd.created_by,
        "haidian": f.user(roles.DISTRICT, "rs_haidian", district_code=HAIDIAN),
        "haidian2": f.user(roles.DISTRICT, "rs_haidian2", district_code=HAIDIAN),
        "chaoyang": f.user(roles.DISTRICT, "rs_chaoyang", district_code=CHAOYANG),
        "municipal": municipal,
        "municipal2": f.user(roles.MUNICIPAL, "rs_municipal2"),
        "evaluator": f.user(roles.EVALUATOR, "rs_evaluator"),
        "expert": expert.user,
        "other_expert": other_expert.user,
    }  # fmt: skip


def published(as_of: dt.date = dt.date(2026, 9, 30)) -> Any:
    """A published, current snapshot row (no DuckDB file behind it): what ``signals_derive`` derives into."""
    from gaoqi.web.intake.models import Snapshot

    Snapshot.objects.filter(is_current=True).update(is_current=False)
    return Snapshot.objects.create(as_of=as_of, status=Snapshot.PUBLISHED, is_current=True, ruleset_hash="h")


def sig(app: Any, kind: str = "st_staff_above_insured", *, summary: str = "科技人员 42 人，超过参保人数 30 人",
        related: tuple[str, ...] = (), value: Any = 42, **extra: Any) -> dict[str, Any]:  # fmt: skip
    """One signal as the engine's ``Workspace.review_signals`` gives it (as a mapping of its fields)."""
    return {
        "uscc": app.uscc, "batch_year": app.year, "kind": kind, "summary": summary,
        "evidence": [{"label": "科技人员数", "value": value, "feed": "hte_annual_report",
                      "file_name": "hte_annual_report_2025.csv", "line": 17},
                     {"label": "参保人数", "value": 30, "feed": "social_insurance",
                      "file_name": "social_insurance_2025.csv", "line": 8}],
        "related_usccs": related, **extra,
    }  # fmt: skip


def derive(snapshot: Any, *signals: dict[str, Any], kinds: Any = None) -> dict[str, int]:
    from django.db import transaction

    from gaoqi.web.reviewsignals.services import signals_derive

    with transaction.atomic():
        return signals_derive(snapshot, list(signals), kinds)
