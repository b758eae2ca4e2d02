"""The process through the services on real rows: submit, return and resubmit, approve into a publicity of 10
working days (across 国庆), registration with its number, the yearly update by 31 March (1 April is late and the
daily job revokes), an official's revocation with its Art. 14 reason."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.core.locks import StaleActionError
from gaoqi.web.core.models import WorkflowLog
from gaoqi.web.core.workflow import RoleRefused, StatusRefused, WorkflowError
from gaoqi.web.techsme import feed, services
from gaoqi.web.techsme import workflow as wf
from gaoqi.web.techsme.config import process_config
from gaoqi.web.techsme.models import UPDATE, Evaluation, Registration
from tests.web import factories as f
from tests.web.conftest import CHAOYANG, HAIDIAN
from tests.web.techsme.factories import evaluation, registration

pytestmark = pytest.mark.django_db
NUMBER = re.compile(r"^2026110108A\d{7}$")


@pytest.fixture()
def officials() -> dict[str, Any]:
    return {
        "district": f.user(roles.DISTRICT, district_code=HAIDIAN),
        "other_district": f.user(roles.DISTRICT, district_code=CHAOYANG),
        "municipal": f.user(roles.MUNICIPAL),
    }


def _registered(clock: dict[str, dt.date], officials: dict[str, Any], **kw: Any) -> Evaluation:
    """An evaluation taken from its draft to registration on the platform's dates."""
    ev = evaluation(**kw)
    ev = services.evaluation_transition(ev.created_by, ev, "submit")
    ev = services.evaluation_transition(officials["district"], ev, "approve")
    clock["day"] = services.publicity_end(ev)[0] + dt.timedelta(days=1)
    return services.evaluation_transition(None, ev, "register")


def test_submit_return_resubmit_approve(clock: dict[str, dt.date], officials: dict[str, Any]) -> None:
    ev = evaluation()
    owner = ev.created_by
    ev = services.evaluation_transition(owner, ev, "submit")
    assert ev.status == wf.SUBMITTED and ev.self_check["passed"] is True and ev.submitted_at is not None
    with pytest.raises(WorkflowError, match="需要填写意见"):
        services.evaluation_transition(officials["district"], ev, "return")
    with pytest.raises(WorkflowError, match="不在您的管辖范围内"):
        services.evaluation_transition(officials["other_district"], ev, "return", "请补充")
    with pytest.raises(RoleRefused):
        services.evaluation_transition(owner, ev, "approve")
    ev = services.evaluation_transition(officials["district"], ev, "return", "请核实知识产权数量")
    assert ev.status == wf.RETURNED
    ev = services.evaluation_transition(owner, ev, "resubmit")
    ev = services.evaluation_transition(officials["municipal"], ev, "approve")
    assert (ev.status, ev.stage_started_at) == (wf.PUBLICITY, clock["day"])
    log = list(
        WorkflowLog.objects.filter(workflow="techsme_evaluation", object_id=ev.pk).values_list("action", "target")
    )
    assert log == [("submit", "submitted"), ("return", "returned"), ("resubmit", "submitted"), ("approve", "publicity")]


def test_a_failing_self_check_cannot_be_submitted() -> None:
    ev = evaluation(values={"staff_count_last_year": 501, "st_staff_count_last_year": 200})
    with pytest.raises(WorkflowError, match="自评未通过：职工总数不超过500人：不满足"):
        services.evaluation_transition(ev.created_by, ev, "submit")
    assert Evaluation.objects.get(pk=ev.pk).status == wf.DRAFT


def test_publicity_lasts_ten_working_days_across_national_day(
    clock: dict[str, dt.date], officials: dict[str, Any]
) -> None:
    """Approved on Wednesday 30 September 2026: 30 Sep, 8, 9, 10 (a make-up Saturday), 12–16, 19 October."""
    assert process_config().time_limits["publicity"] == 10
    clock["day"] = dt.date(2026, 9, 30)
    ev = evaluation(status=wf.SUBMITTED, stage_started_at=dt.date(2026, 9, 29))
    ev = services.evaluation_transition(officials["district"], ev, "approve")
    assert services.publicity_end(ev) == (dt.date(2026, 10, 19), False)
    clock["day"] = dt.date(2026, 10, 19)
    with pytest.raises(WorkflowError, match="公示期至2026年10月19日"):
        services.evaluation_transition(officials["municipal"], ev, "register")
    assert services.daily()["registered"] == []
    clock["day"] = dt.date(2026, 10, 20)
    assert services.daily()["registered"] == [ev.pk]
    reg = Registration.objects.get(evaluation=ev)
    assert NUMBER.match(reg.number) and reg.number.endswith("0000001")
    assert (reg.registered_on, reg.valid_until, reg.status) == (dt.date(2026, 10, 20), dt.date(2027, 3, 31), wf.VALID)
    assert services.daily() == {"registered": [], "lapsed": [], "errors": []}  # idempotent


def test_numbers_run_per_year_and_district_without_gaps(clock: dict[str, dt.date], officials: dict[str, Any]) -> None:
    numbers = [Registration.objects.get(evaluation=_registered(clock, officials)).number for _ in range(3)]
    assert numbers == [f"2026110108A{n:07d}" for n in (1, 2, 3)]
    chaoyang = evaluation(district_code=CHAOYANG, status=wf.PUBLICITY, stage_started_at=dt.date(2026, 7, 1))
    clock["day"] = dt.date(2026, 12, 1)
    services.evaluation_transition(None, chaoyang, "register")
    assert Registration.objects.get(evaluation=chaoyang).number == "2026110105A0000001"
    assert Registration.objects.values("number").distinct().count() == Registration.objects.count() == 4


def test_the_number_format_is_configured(
    clock: dict[str, dt.date], officials: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = dataclasses.replace(process_config(), number_prefix="KX{year}-{district}-", serial_digits=4)
    monkeypatch.setattr(services, "process_config", lambda: cfg)
    ev = evaluation(status=wf.PUBLICITY, stage_started_at=dt.date(2026, 6, 1))
    services.evaluation_transition(officials["municipal"], ev, "register")
    assert Registration.objects.get(evaluation=ev).number == "KX2026-110108-0001"


def _update_draft(reg: Registration, year: int) -> Evaluation:
    ev = reg.evaluation
    return evaluation(code=ev.uscc, created_by=ev.created_by, year=year, kind=UPDATE, registration=reg,
                      stage_started_at=dt.date(year, 1, 5))  # fmt: skip


def test_yearly_update_by_31_march(clock: dict[str, dt.date], officials: dict[str, Any]) -> None:
    reg = Registration.objects.get(evaluation=_registered(clock, officials))
    assert reg.valid_until == dt.date(2027, 3, 31)
    upd = _update_draft(reg, 2027)
    clock["day"] = dt.date(2027, 3, 31)
    with pytest.raises(WorkflowError, match="年度更新请提交更新"):
        services.evaluation_transition(upd.created_by, upd, "submit")
    upd = services.evaluation_transition(upd.created_by, upd, "update")
    assert upd.status == wf.UPDATED
    reg.refresh_from_db()
    assert (reg.status, reg.updated_year, reg.valid_until) == (wf.VALID, 2027, dt.date(2028, 3, 31))
    clock["day"] = dt.date(2027, 4, 1)
    assert services.daily()["lapsed"] == []


def test_an_update_on_1_april_is_late_and_the_daily_job_revokes(
    clock: dict[str, dt.date], officials: dict[str, Any]
) -> None:
    reg = Registration.objects.get(evaluation=_registered(clock, officials))
    upd = _update_draft(reg, 2027)
    clock["day"] = dt.date(2027, 3, 31)
    assert services.daily()["lapsed"] == []  # the deadline's own day: not late
    clock["day"] = dt.date(2027, 4, 1)
    with pytest.raises(WorkflowError, match="2027年度信息更新已于2027年3月31日截止"):
        services.evaluation_transition(upd.created_by, upd, "update")
    assert services.daily()["lapsed"] == [reg.pk]
    reg.refresh_from_db()
    assert (reg.status, reg.revoke_reason, reg.revoked_on, reg.revoked_by) == (
        wf.REVOKED, wf.NOT_UPDATED, dt.date(2027, 4, 1), None)  # fmt: skip
    assert reg.revoke_comment == "未按期更新信息"
    services.evaluation_transition(upd.created_by, upd, "withdraw")
    assert services.evaluation_start_refusal(reg.uscc, UPDATE) == "贵企业尚未入库，请先办理入库评价"
    assert services.evaluation_start_refusal(reg.uscc, "first") is None  # it may be evaluated afresh
    rows = feed.registration_rows()
    assert rows == [{"uscc": reg.uscc, "kind": "tech_sme", "number": reg.number, "issue_date": reg.registered_on.isoformat(),
                     "expiry_date": "2027-03-31", "status": "revoked"}]  # fmt: skip


def test_revocation_by_an_official_needs_a_reason_and_a_comment(
    clock: dict[str, dt.date], officials: dict[str, Any]
) -> None:
    reg = Registration.objects.get(evaluation=_registered(clock, officials))
    with pytest.raises(WorkflowError, match="请选择撤销原因"):
        services.registration_revoke(officials["municipal"], reg, "whim", "说明")
    with pytest.raises(WorkflowError, match="需要填写意见"):
        services.registration_revoke(officials["municipal"], reg, "falsification", " ")
    with pytest.raises(RoleRefused):
        services.registration_revoke(officials["district"], reg, "falsification", "抽查发现研发费用虚报")
    with pytest.raises(WorkflowError, match="尚未逾期"):
        services.registration_lapse(reg.pk)
    reg = services.registration_revoke(officials["municipal"], reg, "falsification", "抽查发现研发费用虚报")
    assert (reg.status, reg.revoke_reason, reg.revoked_by) == (wf.REVOKED, "falsification", officials["municipal"])
    with pytest.raises(WorkflowError):
        services.registration_revoke(officials["municipal"], reg, "listed", "再次撤销")


def test_one_evaluation_in_progress_and_stale_moves(clock: dict[str, dt.date], officials: dict[str, Any]) -> None:
    ev = evaluation(status=wf.SUBMITTED)
    stale = Evaluation.objects.get(pk=ev.pk)
    services.evaluation_transition(officials["district"], ev, "approve")
    with pytest.raises(StaleActionError, match="评价已由“待审核”变为“公示中”"):
        services.evaluation_transition(officials["municipal"], stale, "reject", "不予登记")
    with pytest.raises(StatusRefused):
        services.evaluation_transition(officials["municipal"], Evaluation.objects.get(pk=ev.pk), "reject", "不予登记")
    assert services.evaluation_start_refusal(ev.uscc, "first") == "已有进行中的评价，请在原评价中继续办理"


def test_one_failing_item_does_not_stop_the_daily_job(
    clock: dict[str, dt.date], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = registration(evaluation(status=wf.REGISTERED), number="2026110108A0000001")
    second = registration(evaluation(status=wf.REGISTERED), number="2026110108A0000002")
    real = services.registration_lapse

    def lapse(pk: int) -> Registration:
        if pk == first.pk:
            raise RuntimeError("磁盘已满")
        return real(pk)

    monkeypatch.setattr(services, "registration_lapse", lapse)
    clock["day"] = dt.date(2027, 4, 1)
    done = services.daily()
    assert done["lapsed"] == [second.pk]
    assert done["errors"] == [
        {"step": "techsme_lapse", "target": f"techsme_registration:{first.pk}", "error": "RuntimeError: 磁盘已满"}
    ]
    assert Registration.objects.get(pk=first.pk).status == wf.VALID
    assert Registration.objects.get(pk=second.pk).status == wf.REVOKED
