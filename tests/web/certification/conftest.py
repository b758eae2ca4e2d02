"""Fixtures of the certification tests: a movable platform date, a certifiable enterprise of the published
snapshot, the people who act on its application, and a draft with one project and its PDF."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.certification import services as sv
from gaoqi.web.core import clock as platform_clock
from tests.web.certification.pdfs import CLEAN
from tests.web.conftest import make_user

FIELD = "电子信息"
#: What filing under the 报备即批准 pilot needs declared: the 告知承诺书 and the pilot's attested scope (its area).
PILOT_DECLARATIONS = ["commitment", "pilot_area"]


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, dt.date]:
    """The platform's date, movable by the test (core.clock.today)."""
    now = {"day": dt.date(2026, 7, 1)}
    monkeypatch.setattr(platform_clock, "today", lambda: now["day"])
    return now


def certifiable(**where: Any) -> list[str]:
    """Enterprises of the current snapshot passing every data condition of HTE certification (only expert items
    outstanding) and inside the 报备即批准 pilot's scope (only its declaration outstanding), not already HTEs."""
    from gaoqi.web.enterprises.models import PolicyResult

    def clean(policy_id: str) -> set[str]:
        rows = PolicyResult.objects.filter(
            snapshot__is_current=True, policy_id=policy_id, status="unknown", failed_count=0, **where
        ).values_list("enterprise__uscc", "unknown_features")
        # no missing data: only the expert (or attested) items are outstanding
        return {uscc for uscc, unknown in rows if all(u.startswith("pending:") for u in unknown)}

    # not already an HTE: a valid certificate means applying again only in the year it expires
    return sorted(clean("hte-certification") & clean("hte-filing-pilot"))


@pytest.fixture()
def candidate(snapshot: Any) -> str:
    """An enterprise passing every data condition of HTE certification and of the pilot's scope."""
    ok = certifiable(enterprise__has_hte=False)
    assert ok, "the synthetic population has a certifiable enterprise"
    return ok[0]


@pytest.fixture()
def people(candidate: str, snapshot: Any) -> dict[str, Any]:
    from gaoqi.web.certification.models import Expert
    from gaoqi.web.enterprises.models import Enterprise

    ent = Enterprise.objects.get(uscc=candidate)
    out = {
        "enterprise": make_user(roles.ENTERPRISE, "ent", uscc=candidate),
        "district": make_user(roles.DISTRICT, "dist", district_code=ent.district_code),
        "other_district": make_user(roles.DISTRICT, "dist2", district_code="110119" if ent.district_code != "110119" else "110101"),
        "municipal": make_user(roles.MUNICIPAL, "muni"),
        "experts": [],
    }  # fmt: skip
    for i in range(8):
        u = make_user(roles.EXPERT, f"tech{i}")
        out["experts"].append(Expert.objects.create(user=u, kind="technical", fields=[FIELD]))
    for i in range(3):
        u = make_user(roles.EXPERT, f"fin{i}")
        out["experts"].append(Expert.objects.create(user=u, kind="financial", fields=[]))
    # a conflicted expert: the applicant employed them until a year ago
    u = make_user(roles.EXPERT, "conflicted")
    out["experts"].append(
        Expert.objects.create(user=u, kind="technical", fields=[FIELD], past_employers=[[candidate, "2025-07-01"]])
    )
    return out


#: One entry per section the enterprise fills in (each needs its PDF).
SECTIONS = {
    "rd_projects": [{"code": "RD01", "name": "智能识别算法研发"}],
    "products": [{"code": "PS01", "name": "智能识别模组"}],
    "results": [{"code": "CG01", "name": "识别算法成果转化"}],
    "rd_management": [{"code": "GL01", "name": "研发项目管理制度"}],
}


def draft(p: dict[str, Any]) -> Any:
    """A draft with every section filled in and every entry's PDF attached: ready to submit."""
    app = sv.application_start(p["enterprise"], as_of=dt.date(2026, 6, 30), tech_field=FIELD)
    sv.application_update_form(p["enterprise"], app, SECTIONS)
    for entries in SECTIONS.values():
        for entry in entries:
            sv.attachment_add(p["enterprise"], app, entry["code"], f"{entry['code']}.pdf", CLEAN)
    return app
