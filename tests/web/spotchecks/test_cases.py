"""A case's moves: drawn → checking → passed / failed (reasons required), by an assigned inspector's account or
the municipal office; a failed check opens the revocation path; two hands at once: one wins."""

from __future__ import annotations

from typing import Any

import pytest

from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.core.errors import Conflict, Forbidden, NotFound, StaleActionError
from gaoqi.web.core.workflow import WorkflowError
from gaoqi.web.spotchecks import hooks, services
from gaoqi.web.spotchecks.models import Case, CaseInspector
from tests.web.conftest import CHAOYANG, HAIDIAN, race
from tests.web.spotchecks.conftest import draw


def chaoyang_case(world: dict[str, Any]) -> Any:
    """The 朝阳 case (海淀's and the city's inspectors check it), with 海淀's inspector account assigned to it."""
    d = draw(world)
    case = Case.objects.get(draw=d, district_code=CHAOYANG)
    hd = world["pool"][0]  # 张海, 海淀, with the account hd_inspector
    if not CaseInspector.objects.filter(case=case, inspector=hd).exists():
        a = CaseInspector.objects.filter(case=case).order_by("position").first()
        a.inspector = hd
        a.save()
    return case


@pytest.mark.django_db
def test_the_assigned_inspector_records_a_pass(world: dict[str, Any]) -> None:
    case = chaoyang_case(world)
    insp = world["hd_inspector"]
    services.case_move(insp, case.pk, "start", seen="drawn")
    c = services.case_move(insp, case.pk, "pass", comment="研发费用归集规范", seen="checking")
    assert c.status == "passed" and c.result_reasons == "研发费用归集规范" and c.checked_by == insp
    assert c.referral_id is None
    assert AuditEvent.objects.filter(action="spotchecks.case_pass", target=f"spotcheck_case:{case.pk}").count() == 1


@pytest.mark.django_db
def test_a_fail_needs_reasons_and_opens_the_revocation_path(world: dict[str, Any]) -> None:
    from gaoqi.web.certification.models import RevocationReferral

    case = chaoyang_case(world)
    muni = world["municipal"]
    services.case_move(muni, case.pk, "start")
    with pytest.raises(WorkflowError, match="需要填写意见"):
        services.case_move(muni, case.pk, "fail", comment="  ")
    c = services.case_move(muni, case.pk, "fail", comment="高新技术产品收入占比不足60%")
    ref = RevocationReferral.objects.get()
    assert (ref.source_kind, ref.source_id, ref.uscc, ref.reasons) == (
        "spot_check", case.pk, case.uscc, "高新技术产品收入占比不足60%",
    )  # fmt: skip
    assert ref.referred_by == muni and ref.status == "referred"
    assert c.status == "failed" and c.referral_id == ref.pk == Case.objects.get(pk=case.pk).referral_id
    with pytest.raises(Conflict, match="不能重复移送"):
        services.case_refer(muni, case.pk)


@pytest.mark.django_db
def test_a_district_inspectors_fail_waits_for_the_municipal_office_to_refer(world: dict[str, Any]) -> None:
    from gaoqi.web.certification.models import Notification, RevocationReferral

    case = chaoyang_case(world)  # 朝阳's case, 海淀's inspector: outside the inspector's jurisdiction
    insp = world["hd_inspector"]
    services.case_move(insp, case.pk, "start")
    c = services.case_move(insp, case.pk, "fail", comment="研发费用归集不实")
    assert c.status == "failed" and c.referral_id is None and not RevocationReferral.objects.exists()
    told = f"{case.enterprise_name}：2026年度“双随机”抽查检查不合格，请移送撤销程序"
    assert Notification.objects.filter(user=world["municipal"], text=told).count() == 1
    with pytest.raises(Forbidden):
        services.case_refer(insp, case.pk)
    c = services.case_refer(world["municipal"], case.pk)
    ref = RevocationReferral.objects.get()
    assert c.referral_id == ref.pk and ref.source_id == case.pk and ref.reasons == "研发费用归集不实"
    assert AuditEvent.objects.filter(action="spotchecks.case_refer").count() == 1


@pytest.mark.django_db
def test_a_failed_referral_rolls_the_result_back(world: dict[str, Any], monkeypatch: Any) -> None:
    case = chaoyang_case(world)

    def broken(actor: Any, c: Any) -> int:
        raise StaleActionError("撤销程序已由他人开启")

    monkeypatch.setattr(hooks, "revocation_refer", broken)
    services.case_move(world["municipal"], case.pk, "start")
    with pytest.raises(StaleActionError):
        services.case_move(world["municipal"], case.pk, "fail", comment="不合格")
    assert Case.objects.get(pk=case.pk).status == "checking"


@pytest.mark.django_db
def test_who_may_record(world: dict[str, Any]) -> None:
    case = chaoyang_case(world)
    # 朝阳's own official does not inspect its own district's case (sees it, cannot record it)
    with pytest.raises(WorkflowError, match="只有被选派的检查人员"):
        services.case_move(world["cy_official"], case.pk, "start")
    # 海淀's plain official neither sees nor records a 朝阳 case
    with pytest.raises(NotFound):
        services.case_move(world["hd_official"], case.pk, "start")
    with pytest.raises((NotFound, WorkflowError)):  # its own case (refused by role) or another's (not found)
        services.case_move(world["ent_cy"], case.pk, "start")
    hd_case = Case.objects.filter(draw=case.draw, district_code=HAIDIAN).first()
    with pytest.raises(WorkflowError):  # an inspector account on a case it is not assigned to, in its district
        services.case_move(world["hd_inspector"], hd_case.pk, "start")
    # a deactivated inspector's account records nothing more
    world["pool"][0].active = False
    world["pool"][0].save()
    with pytest.raises(WorkflowError):
        services.case_move(world["hd_inspector"], case.pk, "start")
    assert Case.objects.get(pk=case.pk).status == "drawn"


@pytest.mark.django_db
def test_the_enterprise_and_its_district_are_told_the_result(world: dict[str, Any]) -> None:
    from gaoqi.web.certification.models import Notification

    case = chaoyang_case(world)
    services.case_move(world["municipal"], case.pk, "start")
    services.case_move(world["municipal"], case.pk, "pass")
    text = f"{case.enterprise_name}：2026年度“双随机”抽查检查合格"
    assert Notification.objects.filter(user=world["cy_official"], text=text).count() == 1
    if world["ent_cy"].uscc == case.uscc:
        assert Notification.objects.filter(user=world["ent_cy"], text=text).count() == 1


@pytest.mark.django_db(transaction=True)
def test_pass_and_fail_at_once_one_wins(world: dict[str, Any]) -> None:
    from gaoqi.web.certification.models import RevocationReferral

    case = chaoyang_case(world)
    services.case_move(world["municipal"], case.pk, "start")
    results = race(
        lambda: services.case_move(world["hd_inspector"], case.pk, "pass", comment="合格", seen="checking"),
        lambda: services.case_move(world["municipal"], case.pk, "fail", comment="不合格", seen="checking"),
    )
    kinds = sorted(k for k, _ in results)
    assert kinds == ["error", "ok"], results
    assert isinstance(next(r for k, r in results if k == "error"), StaleActionError)
    c = Case.objects.get(pk=case.pk)
    assert c.status in ("passed", "failed")
    assert RevocationReferral.objects.count() == (1 if c.status == "failed" else 0)
    assert (c.referral_id is not None) == (c.status == "failed")
    assert AuditEvent.objects.filter(action__in=["spotchecks.case_pass", "spotchecks.case_fail"]).count() == 1
