"""报备即批准 (policies/hte-filing-pilot.yaml): the pilot's own scope, and its conditions deciding instead of the
certification's of the same id (R&D in China ≥ 50% for the pilot, 60% otherwise), on the guard's fresh row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web.certification import services as sv
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.services import self_check
from tests.web.certification.conftest import PILOT_DECLARATIONS, draft

REAL = self_check._snapshot_explain


def _with_outcome(data: dict[str, Any] | None, condition: str, outcome: str, gap: str) -> dict[str, Any] | None:
    if data is None:
        return None
    conditions = [{**c, "outcome": outcome, "gap": gap} if c["id"] == condition else c for c in data["conditions"]]
    return {**data, "conditions": conditions}


def _domestic_share(monkeypatch: pytest.MonkeyPatch, *, hte: str, pilot: str) -> None:
    """The enterprise's R&D-in-China share as each policy judges it (the rest of the explanation is real)."""

    def explain(uscc: str, as_of: dt.date, policy_id: str = sv.POLICY_ID) -> dict[str, Any] | None:
        outcome = hte if policy_id == sv.POLICY_ID else pilot
        gap = "" if outcome == "pass" else "境内研究开发费用占比 0.55，低于要求"
        return _with_outcome(REAL(uscc, as_of, policy_id), "rd_domestic_share", outcome, gap)

    monkeypatch.setattr(self_check, "_snapshot_explain", explain)


@pytest.mark.django_db
def test_the_pilot_decides_its_own_conditions_instead_of_the_certifications(
    people: dict[str, Any], clock: dict[str, dt.date], monkeypatch: pytest.MonkeyPatch
) -> None:
    from gaoqi.web.certification.config import process_config

    monkeypatch.setitem(process_config().pilot, "post_check_share", 0.0)
    p = people
    _domestic_share(monkeypatch, hte="fail", pilot="pass")  # 55% in China: under 60%, over 50%
    app = draft(p)
    with pytest.raises(sv.WorkflowError, match="境内研究开发费用"):
        sv.application_transition(p["enterprise"], app, "submit")  # the standard route keeps its 60%
    app.refresh_from_db()
    check = sv.application_self_check(p["enterprise"], app)
    assert check["pilot"]["replaces"] == ["rd_domestic_share"]
    assert check["pilot"]["blocking"] == ["属于集成电路、人工智能、生物医药、关键材料领域：需要企业作出告知承诺"]
    sv.application_declare(p["enterprise"], app, PILOT_DECLARATIONS)
    app = sv.application_transition(p["enterprise"], app, "file")
    assert (app.status, app.route) == (wf.FILED, app.PILOT)


@pytest.mark.django_db
def test_a_pilot_condition_failing_refuses_the_filing_with_its_gap(
    people: dict[str, Any], clock: dict[str, dt.date], monkeypatch: pytest.MonkeyPatch
) -> None:
    p = people
    _domestic_share(monkeypatch, hte="fail", pilot="fail")  # under 50% too
    app = draft(p)
    sv.application_declare(p["enterprise"], app, PILOT_DECLARATIONS)
    with pytest.raises(sv.WorkflowError, match=r"不符合报备即批准试点条件：.*境内研究开发费用占比 0\.55"):
        sv.application_transition(p["enterprise"], app, "file")
    app.refresh_from_db()
    assert app.status == wf.DRAFT


@pytest.mark.django_db
def test_the_pilot_area_must_be_declared_besides_the_commitment(
    people: dict[str, Any], clock: dict[str, dt.date]
) -> None:
    p = people
    app = draft(p)
    sv.application_declare(p["enterprise"], app, ["commitment"])
    with pytest.raises(sv.WorkflowError, match="关键材料领域：需要企业作出告知承诺"):
        sv.application_transition(p["enterprise"], app, "file")
    assert "pilot_area" in sv.declarable_conditions(app.as_of)
    assert "pilot_area" not in sv.declarable_conditions(dt.date(2022, 5, 18))  # no pilot version in force then


@pytest.mark.django_db
def test_no_pilot_version_in_force_closes_the_route(
    people: dict[str, Any], clock: dict[str, dt.date], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explain(uscc: str, as_of: dt.date, policy_id: str = sv.POLICY_ID) -> dict[str, Any] | None:
        return REAL(uscc, as_of, policy_id) if policy_id == sv.POLICY_ID else None

    monkeypatch.setattr(self_check, "_snapshot_explain", explain)
    p = people
    app = draft(p)
    sv.application_declare(p["enterprise"], app, PILOT_DECLARATIONS)
    with pytest.raises(sv.WorkflowError, match="不在报备即批准试点政策的有效期内"):
        sv.application_transition(p["enterprise"], app, "file")


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["高技术服务", "航空航天"])
def test_fields_outside_the_four_areas_are_refused(
    people: dict[str, Any], clock: dict[str, dt.date], field: str
) -> None:
    p = people
    app = sv.application_start(p["enterprise"], as_of=dt.date(2026, 6, 30), tech_field=field)
    sv.application_declare(p["enterprise"], app, PILOT_DECLARATIONS)
    with pytest.raises(sv.WorkflowError, match=f"“{field}”不在报备即批准试点范围内"):
        sv.application_transition(p["enterprise"], app, "file")
