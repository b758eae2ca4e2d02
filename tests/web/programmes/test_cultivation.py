"""The records of cultivation (issue 12): one-to-one tutoring and policy training of the cultivation pool's
members, each confirmed or disputed by the enterprise itself. Each refusal in words; the gaps frozen at record
time; the workflow's log and audit; two answers at once: one winner; follow-up outcomes; coverage."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.core import clock
from gaoqi.web.core.errors import DomainError, Forbidden, NotFound, StaleActionError
from gaoqi.web.core.models import WorkflowLog
from gaoqi.web.core.workflow import RoleRefused, WorkflowError
from gaoqi.web.programmes import selectors as sel
from gaoqi.web.programmes import services as sv
from gaoqi.web.programmes.models import FollowUp, ListMembership, TrainingAttendance, Tutoring
from tests.web import factories as f
from tests.web.certification.pdfs import ACTIVE, CLEAN
from tests.web.conftest import CHAOYANG, HAIDIAN, race
from tests.web.programmes.cultivation_factories import hte_result, member, new_snapshot

TODAY = dt.date(2026, 7, 1)
pytestmark = pytest.mark.django_db
RD_GAP = "研发费用占比还差1.2个百分点"


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


def _last() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _tutoring(tutor: Any = None, ent: Any = None, **kw: Any) -> Any:
    ent = ent or member("北京辅导科技有限公司")
    tutor = tutor or f.user(roles.DISTRICT)
    return sv.tutoring_create(tutor, ent.uscc, kw.pop("held_on", TODAY), kw.pop("advice", "建议规范研发费用归集"), **kw)


# recording a tutoring session


def test_a_district_official_records_a_tutoring_with_the_gaps_of_the_moment() -> None:
    ent = member("北京差距科技有限公司")
    hte_result(ent, ["rd_ratio", "core_ip"], binding="rd_ratio", gap=RD_GAP)
    tutor = f.user(roles.DISTRICT, display_name="王辅导")
    since = _last()
    rec = sv.tutoring_create(tutor, ent.uscc, dt.date(2026, 6, 20), " 建议规范研发费用归集 ",
                             [("整理近三年研发辅助账", dt.date(2026, 9, 30)), ("", None)])  # fmt: skip
    assert (rec.status, rec.tutor, rec.tutor_kind, rec.district_code, rec.advice) == (
        "recorded", tutor, "district", HAIDIAN, "建议规范研发费用归集")  # fmt: skip
    assert [c["id"] for c in rec.gaps["conditions"]] == ["rd_ratio", "core_ip"]
    assert rec.gaps["conditions"][0] == {
        "id": "rd_ratio", "label": "近三个会计年度研究开发费用总额占同期销售收入总额的比例符合要求", "gap": RD_GAP}  # fmt: skip
    assert rec.gaps["conditions"][1]["gap"] == ""  # no snapshot file here: only the binding gap is known
    assert (rec.gaps["policy_version"], rec.gaps["as_of"], rec.gaps_snapshot_id) == (
        "2016", "2026-06-30", ent.snapshot_id)  # fmt: skip
    assert list(rec.followups.values_list("action", "due_on", "outcome")) == [
        ("整理近三年研发辅助账", dt.date(2026, 9, 30), "open")]  # fmt: skip
    audit = AuditEvent.objects.filter(pk__gt=since).values_list("action", "target").get()
    assert audit == ("tutoring.record", f"tutoring:{rec.pk}")
    assert list(WorkflowLog.objects.filter(workflow="tutoring").values_list("action", "target")) == [
        ("record", "recorded")]  # fmt: skip


def test_the_frozen_gaps_do_not_change_when_a_later_snapshot_is_published() -> None:
    ent = member("北京冻结科技有限公司")
    hte_result(ent, ["rd_ratio"], binding="rd_ratio", gap=RD_GAP)
    rec = _tutoring(ent=ent)
    before = dict(rec.gaps)
    later = new_snapshot(dt.date(2026, 12, 31))
    hte_result(ent, ["st_staff_share"], snap=later, binding="st_staff_share", gap="科技人员占比还差3个百分点")
    rec.refresh_from_db()
    assert rec.gaps == before and [c["id"] for c in rec.gaps["conditions"]] == ["rd_ratio"]
    assert rec.gaps_snapshot_id != later.pk
    again = _tutoring(ent=ent, tutor=rec.tutor)
    assert again.gaps["conditions"] == [
        {"id": "st_staff_share", "label": "从事研发和相关技术创新活动的科技人员占企业当年职工总数的比例不低于10%",
         "gap": "科技人员占比还差3个百分点"}]  # fmt: skip
    assert again.gaps_snapshot_id == later.pk


def test_without_a_result_the_record_says_so() -> None:
    rec = _tutoring()
    assert rec.gaps["conditions"] == [] and rec.gaps["note"] == "当前快照中没有该企业的高企认定评估结果"


def test_recording_is_refused_for_an_enterprise_not_in_the_pool() -> None:
    ent = f.enterprise(name="北京非成员科技有限公司")
    with pytest.raises(DomainError) as exc:
        sv.tutoring_create(f.user(roles.DISTRICT), ent.uscc, TODAY, "建议")
    assert exc.value.code == "not_in_pool" and exc.value.status == 400
    assert exc.value.message == "北京非成员科技有限公司目前不在培育库中，不能记录培育活动（请先推荐纳入培育库）"
    left = member("北京已移出科技有限公司")
    ListMembership.objects.filter(enterprise=left).update(
        left_on=dt.date(2026, 6, 15), left_snapshot=left.snapshot, left_reason="certified")  # fmt: skip
    with pytest.raises(DomainError, match="目前不在培育库中"):
        sv.tutoring_create(f.user(roles.DISTRICT), left.uscc, TODAY, "建议")
    assert not Tutoring.objects.exists()


def test_recording_is_refused_outside_the_tutors_district_or_incubator() -> None:
    chaoyang = member("北京朝阳科技有限公司", district_code=CHAOYANG)
    with pytest.raises(NotFound, match="不在您的管辖范围内"):
        sv.tutoring_create(f.user(roles.DISTRICT), chaoyang.uscc, TODAY, "建议")
    incubated = member("北京孵化科技有限公司", incubator_code="INC-T")
    other = member("北京他孵科技有限公司", incubator_code="INC-X")
    incubator = f.user(roles.INCUBATOR)
    with pytest.raises(NotFound):
        sv.tutoring_create(incubator, other.uscc, TODAY, "建议")
    rec = sv.tutoring_create(incubator, incubated.uscc, TODAY, "建议")
    assert (rec.tutor_kind, rec.incubator_code, rec.district_code) == ("incubator", "INC-T", "")
    muni = sv.tutoring_create(f.user(roles.MUNICIPAL), chaoyang.uscc, TODAY, "建议")
    assert (muni.tutor_kind, muni.district_code) == ("municipal", "")
    assert Tutoring.objects.count() == 2


def test_recording_is_refused_for_a_future_date_no_advice_or_another_role() -> None:
    ent = member("北京日期科技有限公司")
    district = f.user(roles.DISTRICT)
    with pytest.raises(DomainError) as exc:
        sv.tutoring_create(district, ent.uscc, TODAY + dt.timedelta(days=1), "建议")
    assert exc.value.message == "辅导日期不能晚于今天（2026年07月01日）" and exc.value.fields == {
        "held_on": "不能是将来的日期"}  # fmt: skip
    assert sv.tutoring_create(district, ent.uscc, TODAY, "当天可以").held_on == TODAY  # the boundary
    with pytest.raises(DomainError, match="请填写辅导意见"):
        sv.tutoring_create(district, ent.uscc, TODAY, "  ")
    for role in (roles.ENTERPRISE, roles.EVALUATOR, roles.EXPERT):
        with pytest.raises(RoleRefused):
            sv.tutoring_create(f.user(role), ent.uscc, TODAY, "建议")
    with pytest.raises(DomainError, match="完成期限"):
        sv.tutoring_create(district, ent.uscc, TODAY, "建议", [("跟进", None)])


# the enterprise's confirmation


def test_the_enterprise_confirms_its_own_record_and_no_one_else_can() -> None:
    rec = _tutoring()
    own = f.user(roles.ENTERPRISE, uscc=rec.enterprise.uscc, display_name="企业联系人")
    other = f.user(roles.ENTERPRISE)
    with pytest.raises(NotFound):
        sv.tutoring_confirm(other, rec.pk)
    with pytest.raises(RoleRefused, match="您的角色不能执行“确认无误”"):
        sv.tutoring_confirm(rec.tutor, rec.pk)  # a tutor cannot confirm for the enterprise
    with pytest.raises(RoleRefused):
        sv.tutoring_confirm(f.user(roles.MUNICIPAL), rec.pk)
    since = _last()
    done = sv.tutoring_confirm(own, rec.pk, "属实")
    assert (done.status, done.answered_by, done.enterprise_comment) == ("confirmed", own, "属实")
    assert done.answered_at is not None
    assert list(AuditEvent.objects.filter(pk__gt=since).values_list("action", "username")) == [
        ("tutoring.confirm", own.username)
    ]
    with pytest.raises(StaleActionError, match="该辅导记录当前为“企业已确认”"):
        sv.tutoring_dispute(own, rec.pk, "改主意")


def test_a_dispute_needs_a_comment_and_the_tutor_corrects_it() -> None:
    rec = _tutoring()
    own = f.user(roles.ENTERPRISE, uscc=rec.enterprise.uscc)
    with pytest.raises(WorkflowError, match="“提出异议”需要填写意见"):
        sv.tutoring_dispute(own, rec.pk, " ")
    disputed = sv.tutoring_dispute(own, rec.pk, "辅导日期应为6月28日", seen="recorded")
    assert (disputed.status, disputed.enterprise_comment) == ("disputed", "辅导日期应为6月28日")
    with pytest.raises(WorkflowError, match="只能更正本单位记录的培育活动"):
        sv.tutoring_correct(f.user(roles.MUNICIPAL), rec.pk, "市级改")
    with pytest.raises(NotFound):
        sv.tutoring_correct(f.user(roles.DISTRICT, district_code=CHAOYANG), rec.pk, "他区改")
    same_district = f.user(roles.DISTRICT)
    fixed = sv.tutoring_correct(same_district, rec.pk, "已核实并更正", advice="更正后的意见")
    assert (fixed.status, fixed.advice, fixed.answered_by) == ("recorded", "更正后的意见", None)
    assert sv.tutoring_confirm(own, rec.pk).status == "confirmed"
    moves = list(WorkflowLog.objects.filter(workflow="tutoring", object_id=rec.pk).values_list("action", "comment"))
    assert moves == [("record", ""), ("dispute", "辅导日期应为6月28日"), ("correct", "已核实并更正"), ("confirm", "")]


def test_a_stale_page_is_refused() -> None:
    rec = _tutoring()
    own = f.user(roles.ENTERPRISE, uscc=rec.enterprise.uscc)
    sv.tutoring_dispute(own, rec.pk, "不对")
    with pytest.raises(StaleActionError, match="辅导记录已由“待企业确认”变为“企业有异议”"):
        sv.tutoring_confirm(own, rec.pk, seen="recorded")


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_racing_a_dispute_one_wins() -> None:
    rec = _tutoring()
    one = f.user(roles.ENTERPRISE, "ent_one", uscc=rec.enterprise.uscc)
    two = f.user(roles.ENTERPRISE, "ent_two", uscc=rec.enterprise.uscc)
    out = race(lambda: sv.tutoring_confirm(one, rec.pk, seen="recorded"),
               lambda: sv.tutoring_dispute(two, rec.pk, "不属实", seen="recorded"))  # fmt: skip
    assert sorted(k for k, _ in out) == ["error", "ok"], out
    assert isinstance(next(v for k, v in out if k == "error"), StaleActionError)
    winner = next(v for k, v in out if k == "ok")
    fresh = Tutoring.objects.get(pk=rec.pk)
    assert (fresh.status, fresh.answered_by_id) == (winner.status, winner.answered_by_id)
    assert WorkflowLog.objects.filter(workflow="tutoring", object_id=rec.pk).exclude(action="record").count() == 1


# follow-up actions


def test_follow_up_outcomes() -> None:
    rec = _tutoring(followups=[("补充知识产权", dt.date(2026, 8, 31))])
    item = rec.followups.get()
    tutor = rec.tutor
    with pytest.raises(DomainError, match="结果日期不能晚于今天"):
        sv.followup_outcome(tutor, item.pk, "done", TODAY + dt.timedelta(days=1))
    with pytest.raises(DomainError, match="请填写结果日期"):
        sv.followup_outcome(tutor, item.pk, "done", None)
    with pytest.raises(DomainError, match="请选择结果"):
        sv.followup_outcome(tutor, item.pk, "maybe", TODAY)
    with pytest.raises(Forbidden, match="只能跟进本单位记录的培育活动"):
        sv.followup_outcome(f.user(roles.MUNICIPAL), item.pk, "done", TODAY)
    with pytest.raises(NotFound):
        sv.followup_outcome(f.user(roles.DISTRICT, district_code=CHAOYANG), item.pk, "done", TODAY)
    with pytest.raises(Forbidden):
        sv.followup_outcome(f.user(roles.ENTERPRISE, uscc=rec.enterprise.uscc), item.pk, "done", TODAY)
    done = sv.followup_outcome(tutor, item.pk, "done", TODAY, "已获授权两件发明专利")
    assert (done.outcome, done.outcome_on, done.outcome_note) == ("done", TODAY, "已获授权两件发明专利")
    reopened = sv.followup_outcome(tutor, item.pk, "open")
    assert (reopened.outcome, reopened.outcome_on) == ("open", None)
    missed = sv.followup_outcome(tutor, item.pk, "not_done", TODAY, "未能完成")
    assert FollowUp.objects.get(pk=missed.pk).outcome == "not_done"
    added = sv.followup_add(tutor, rec.pk, "申报区级补贴", dt.date(2026, 10, 1))
    assert list(rec.followups.order_by("pk").values_list("action", flat=True)) == ["补充知识产权", "申报区级补贴"]
    assert AuditEvent.objects.filter(action="followup.outcome").count() == 3
    assert AuditEvent.objects.filter(action="followup.add", detail__followup=added.pk).count() == 1


# training sessions


def _session(organiser: Any, invited: list[Any], held_on: dt.date = dt.date(2026, 6, 25)) -> Any:
    return sv.training_create(organiser, held_on, "高企认定政策解读", "onsite", "2.5", [e.uscc for e in invited])


def test_a_training_session_invitations_attendance_and_confirmation() -> None:
    a, b = member("北京甲培训科技有限公司"), member("北京乙培训科技有限公司")
    district = f.user(roles.DISTRICT)
    since = _last()
    s = _session(district, [a, b])
    assert (s.organiser_kind, s.district_code, str(s.hours), s.mode) == ("district", HAIDIAN, "2.5", "onsite")
    assert sorted(s.attendances.values_list("enterprise__name", "attended", "status")) == [
        ("北京乙培训科技有限公司", None, "recorded"), ("北京甲培训科技有限公司", None, "recorded")]  # fmt: skip
    assert list(AuditEvent.objects.filter(pk__gt=since).values_list("action", flat=True)) == ["training.create"]
    row_a = s.attendances.get(enterprise=a)
    ent_a = f.user(roles.ENTERPRISE, uscc=a.uscc)
    with pytest.raises(WorkflowError, match="参训情况尚未登记"):
        sv.attendance_confirm(ent_a, row_a.pk)
    stranger = f.enterprise(name="北京未邀请科技有限公司")
    with pytest.raises(DomainError) as exc:
        sv.training_attendance_record(district, s.pk, [a.uscc, stranger.uscc])
    assert exc.value.code == "not_invited"
    assert exc.value.message == f"以下企业未受邀参加本次培训，不能登记为参训：{stranger.uscc}"
    assert not TrainingAttendance.objects.filter(attended__isnull=False).exists()
    sv.training_attendance_record(district, s.pk, [a.uscc])
    assert dict(s.attendances.values_list("enterprise__name", "attended")) == {
        "北京甲培训科技有限公司": True, "北京乙培训科技有限公司": False}  # fmt: skip
    with pytest.raises(StaleActionError, match="参训情况已于"):
        sv.training_attendance_record(district, s.pk, [a.uscc, b.uscc])
    with pytest.raises(NotFound):
        sv.attendance_confirm(f.user(roles.ENTERPRISE, uscc=b.uscc), row_a.pk)  # not its own row
    assert sv.attendance_confirm(ent_a, row_a.pk).status == "confirmed"
    row_b = s.attendances.get(enterprise=b)
    ent_b = f.user(roles.ENTERPRISE, uscc=b.uscc)
    sv.attendance_dispute(ent_b, row_b.pk, "我司派员参加了")
    fixed = sv.attendance_correct(district, row_b.pk, "核对签到表后更正", True)
    assert (fixed.status, fixed.attended) == ("recorded", True)
    with pytest.raises(RoleRefused):
        sv.attendance_confirm(district, row_b.pk)


def test_training_refusals() -> None:
    a = member("北京培训科技有限公司")
    chaoyang = member("北京朝阳培训科技有限公司", district_code=CHAOYANG)
    district = f.user(roles.DISTRICT)
    with pytest.raises(NotFound):
        _session(district, [a, chaoyang])
    with pytest.raises(DomainError, match="目前不在培育库中"):
        _session(district, [f.enterprise(name="北京非成员培训科技有限公司")])
    with pytest.raises(DomainError, match="请选择受邀企业"):
        sv.training_create(district, TODAY, "主题", "onsite", "2", [])
    with pytest.raises(DomainError, match="请选择培训方式"):
        sv.training_create(district, TODAY, "主题", "tv", "2", [a.uscc])
    with pytest.raises(DomainError, match="培训时长应大于0"):
        sv.training_create(district, TODAY, "主题", "online", "0", [a.uscc])
    with pytest.raises(Forbidden):
        sv.training_create(f.user(roles.ENTERPRISE, uscc=a.uscc), TODAY, "主题", "online", "1", [a.uscc])
    planned = _session(district, [a], held_on=TODAY + dt.timedelta(days=7))
    with pytest.raises(DomainError, match="培训尚未举行"):
        sv.training_attendance_record(district, planned.pk, [a.uscc])
    with pytest.raises(Forbidden, match="只能修改本单位记录的培育活动"):
        sv.training_attendance_record(f.user(roles.MUNICIPAL), planned.pk, [a.uscc])


def test_materials_are_pdfs_by_content_and_limited(
    settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gaoqi.web.programmes import cultivation

    settings.UPLOAD_DIR = tmp_path
    a = member("北京资料科技有限公司")
    district = f.user(roles.DISTRICT)
    s = _session(district, [a])
    with pytest.raises(DomainError, match="培训资料必须是 PDF 文件"):
        sv.training_material_add(district, s.pk, "讲义.pdf", b"<html>not a pdf</html>")
    with pytest.raises(DomainError, match=r"不予接收|含有"):
        sv.training_material_add(district, s.pk, "讲义.pdf", ACTIVE["javascript"])
    item = sv.training_material_add(district, s.pk, "../../讲义.pdf", CLEAN)
    assert (item.file_name, item.pages, item.size) == ("讲义.pdf", 1, len(CLEAN))
    cfg = cultivation.cultivation_config()
    monkeypatch.setattr(cultivation, "cultivation_config",
                        lambda: type(cfg)(**{**cfg.__dict__, "material_max_bytes": len(CLEAN) - 1}))  # fmt: skip
    with pytest.raises(DomainError, match="培训资料不能超过"):
        sv.training_material_add(district, s.pk, "讲义.pdf", CLEAN)
    got, handle = sv.training_material_open(f.user(roles.ENTERPRISE, uscc=a.uscc), item.pk)
    with handle:
        assert (got.pk, handle.read()) == (item.pk, CLEAN)
    for outsider in (f.user(roles.ENTERPRISE), f.user(roles.DISTRICT, district_code=CHAOYANG), f.user(roles.INCUBATOR)):
        with pytest.raises(NotFound):
            sv.training_material_open(outsider, item.pk)


# scoping and coverage


def test_records_are_scoped_like_the_directory() -> None:
    hd = member("北京海淀辅导科技有限公司", incubator_code="INC-T")
    cy = member("北京朝阳辅导科技有限公司", district_code=CHAOYANG)
    muni = f.user(roles.MUNICIPAL)
    r_hd, r_cy = _tutoring(ent=hd, tutor=muni), _tutoring(ent=cy, tutor=muni)
    s_hd = _session(f.user(roles.DISTRICT), [hd])
    s_cy = _session(f.user(roles.DISTRICT, district_code=CHAOYANG), [cy])

    def seen(user: Any) -> tuple[set[int], set[int]]:
        return set(sel.tutorings_visible_to(user).values_list("pk", flat=True)), set(
            sel.trainings_visible_to(user).values_list("pk", flat=True))  # fmt: skip

    assert seen(muni) == ({r_hd.pk, r_cy.pk}, {s_hd.pk, s_cy.pk})
    assert seen(f.user(roles.DISTRICT)) == ({r_hd.pk}, {s_hd.pk})
    assert seen(f.user(roles.DISTRICT, district_code=CHAOYANG)) == ({r_cy.pk}, {s_cy.pk})
    assert seen(f.user(roles.INCUBATOR)) == ({r_hd.pk}, set())
    assert seen(f.user(roles.ENTERPRISE, uscc=hd.uscc)) == ({r_hd.pk}, {s_hd.pk})
    assert seen(f.user(roles.ENTERPRISE)) == (set(), set())
    for role in (roles.EVALUATOR, roles.EXPERT, roles.SYSADMIN, roles.AUDITOR):
        assert seen(f.user(role)) == (set(), set())


def test_coverage_counts_pool_members_trained_and_tutored_this_year() -> None:
    a, b, c, d = (member(f"北京覆盖{i}科技有限公司") for i in "甲乙丙丁")
    member("北京朝阳覆盖科技有限公司", district_code=CHAOYANG)
    district = f.user(roles.DISTRICT)
    s = _session(district, [a, b, c])
    sv.training_attendance_record(district, s.pk, [a.uscc, b.uscc])  # c invited, did not come
    _tutoring(ent=a, tutor=district)
    _tutoring(ent=d, tutor=district, held_on=dt.date(2025, 12, 31))  # last year: not counted
    cov = sel.coverage(district)
    assert (cov.year, cov.members, cov.trained, cov.tutored, cov.both) == (2026, 4, 2, 1, 1)
    assert (cov.trained_share, cov.tutored_share) == (0.5, 0.25)
    assert (cov.training_target, cov.tutoring_target, cov.targets_default) == (0.8, 0.5, True)
    assert sel.coverage(f.user(roles.MUNICIPAL)).members == 5
    assert sel.coverage(f.user(roles.DISTRICT), 2025).tutored == 1


# the workflow's table, written out


T = {roles.DISTRICT, roles.MUNICIPAL, roles.INCUBATOR}
RECORD_TABLE = [
    # (action, source, target, roles, label, guard, needs a comment)
    ("confirm", "recorded", "confirmed", {roles.ENTERPRISE}, "确认无误", "answerable", False),
    ("dispute", "recorded", "disputed", {roles.ENTERPRISE}, "提出异议", "answerable", True),
    ("correct", "disputed", "recorded", T, "更正记录", None, True),
]


@pytest.mark.parametrize(("name", "create_label", "create_audit"),
                         [("tutoring", "记录一对一辅导", "tutoring.record"), ("attendance", "邀请参加培训", "")])  # fmt: skip
def test_the_record_workflows_are_the_expected_tables(name: str, create_label: str, create_audit: str) -> None:
    from gaoqi.web.core.workflow import NEW, SYSTEM
    from gaoqi.web.programmes import workflow as wf

    w = {"tutoring": wf.TUTORING, "attendance": wf.ATTENDANCE}[name]
    expected = [("record", NEW, "recorded", T, create_label, None, False), *RECORD_TABLE]
    got = [(t.action, t.source, t.target, set(t.roles), t.label, t.guard, t.needs_comment) for t in w.transitions]
    assert got == expected
    assert w.audit_action(w.transitions[0]) == create_audit
    assert w.labels() == {"recorded": "待企业确认", "confirmed": "企业已确认", "disputed": "企业有异议"}
    allowed = {(src, action, role) for action, src, _, rs, *_ in expected for role in rs}
    for status in (NEW, *w.statuses):
        for action in w.actions():
            for role in (*roles.ROLES, SYSTEM):
                refusal = w.refusal(status, action, role)
                assert (refusal is None) == ((status, action, role) in allowed), (status, action, role, refusal)


FOLLOWUP_TABLE = [
    ("done", "open", "done", T, "已完成"),
    ("not_done", "open", "not_done", T, "未完成"),
    ("done", "not_done", "done", T, "改为已完成"),
    ("not_done", "done", "not_done", T, "改为未完成"),
    ("reopen", "done", "open", T, "重新打开"),
    ("reopen", "not_done", "open", T, "重新打开"),
]


def test_the_follow_up_workflow_is_the_expected_table() -> None:
    from gaoqi.web.core.workflow import SYSTEM, registered
    from gaoqi.web.programmes import workflow as wf

    w = wf.FOLLOWUP
    assert w in registered() and w.field == "outcome"
    assert [(t.action, t.source, t.target, set(t.roles), t.label) for t in w.transitions] == FOLLOWUP_TABLE
    assert {w.audit_action(t) for t in w.transitions} == {"followup.outcome"}
    allowed = {(src, action, role) for action, src, _, rs, _ in FOLLOWUP_TABLE for role in rs}
    for status in w.statuses:
        for action in w.actions():
            for role in (*roles.ROLES, SYSTEM):
                assert (w.refusal(status, action, role) is None) == ((status, action, role) in allowed)


def test_a_follow_up_outcome_is_a_move_refused_when_stale_and_logged() -> None:
    from gaoqi.web.core.locks import StaleActionError
    from gaoqi.web.core.models import WorkflowLog
    from gaoqi.web.programmes.models import FollowUp

    ent = member("北京跟进科技有限公司")
    tutor = f.user(roles.DISTRICT, "followup_tutor")
    rec = sv.tutoring_create(
        tutor, ent.uscc, dt.date(2026, 6, 1), "规范研发辅助账", [("整理辅助账", dt.date(2026, 9, 30))]
    )
    item = FollowUp.objects.get(tutoring=rec)
    sv.followup_outcome(tutor, item.pk, "done", dt.date(2026, 6, 30), "已整理")
    with pytest.raises(StaleActionError, match="已完成"):
        sv.followup_outcome(tutor, item.pk, "done", dt.date(2026, 6, 30))  # a second 已完成 from a stale page
    sv.followup_outcome(tutor, item.pk, "open")
    item.refresh_from_db()
    assert (item.outcome, item.outcome_on, item.outcome_note) == ("open", None, "")
    log = WorkflowLog.objects.filter(workflow="followup", object_id=item.pk).order_by("pk")
    assert [(r.source, r.target) for r in log] == [("open", "done"), ("done", "open")]


def test_the_gap_sentences_are_the_engines_for_a_real_snapshot(snapshot: Any) -> None:
    """On a published snapshot with its workspace file: each failed condition's gap sentence is the engine's
    explanation's (read through gaoqi.engine's Workspace), in the result's order."""
    from gaoqi.web.enterprises.models import PolicyResult
    from gaoqi.web.enterprises.selectors import explain_for

    result = (
        PolicyResult.objects.of(snapshot).filter(policy_id="hte-certification", status="fail",
                                    failed_count__gte=2, enterprise__district_code=HAIDIAN)
        .select_related("enterprise").order_by("enterprise__uscc").first()
    )  # fmt: skip
    assert result is not None
    ent = result.enterprise
    ListMembership.objects.create(enterprise=ent, list_id="cultivation-pool", route="recommendation",
                                  entered_on=snapshot.as_of, entered_snapshot=snapshot, reason="推荐")  # fmt: skip
    rec = sv.tutoring_create(f.user(roles.DISTRICT), ent.uscc, TODAY, "建议")
    data = explain_for(ent.uscc, "hte-certification")
    assert data is not None
    explained = {c["id"]: c for c in data["conditions"]}
    assert [c["id"] for c in rec.gaps["conditions"]] == list(result.failed_conditions)
    assert [c["gap"] for c in rec.gaps["conditions"]] == [explained[i]["gap"] or "" for i in result.failed_conditions]
    assert any(c["gap"] for c in rec.gaps["conditions"])
    assert [c["label"] for c in rec.gaps["conditions"]] == [explained[i]["label"] for i in result.failed_conditions]
