"""The certification lifecycle through the services, on a real published snapshot: the standard route from
draft to certificate, the 报备即批准 route and its check afterwards, revocation, reports, renames, time limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.certification import services as sv
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.workdays import deadline_provisional
from tests.web.certification.conftest import FIELD, PILOT_DECLARATIONS, draft
from tests.web.certification.pdfs import CLEAN
from tests.web.conftest import make_user

PDF = CLEAN


@pytest.mark.django_db
def test_the_standard_route_from_draft_to_certificate(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    from gaoqi.web.certification.models import Certificate, Notification

    p = people
    app = draft(p)
    # prefilled from the shared data, with sources
    assert app.prefill["basic"]["uscc"] == app.uscc and "第" in app.prefill["basic"]["source"]
    assert app.prefill["finance"] and all("source" in row for row in app.prefill["finance"])
    app = sv.application_transition(p["enterprise"], app, "submit")
    check = app.self_check
    assert check["blocking"] == []
    assert [c["outcome"] for c in check["conditions"] if c["kind"] == "expert"] == ["pending", "pending"]
    assert app.status == wf.DISTRICT_REVIEW
    # the district official was told; another district's official may not act
    assert Notification.objects.filter(user=p["district"]).count() == 1
    with pytest.raises(sv.WorkflowError, match="管辖"):
        sv.application_transition(p["other_district"], app, "district_pass")
    with pytest.raises(sv.WorkflowError, match="需要填写意见"):
        sv.application_transition(p["district"], app, "district_return")
    # 补正 and back
    app = sv.application_transition(p["district"], app, "district_return", "请补充RD01立项材料")
    assert app.status == wf.CORRECTION
    clock["day"] = dt.date(2026, 7, 3)
    app = sv.application_transition(p["enterprise"], app, "resubmit")
    app = sv.application_transition(p["district"], app, "district_pass")
    assert app.status == wf.MUNICIPAL_REVIEW
    panel = sv.panel_draw(p["municipal"], app, seed=20260701)
    conflicted = next(e.pk for e in p["experts"] if e.user.username == "conflicted")
    assert conflicted not in panel.expert_ids and str(conflicted) in panel.excluded
    assert len(panel.expert_ids) == 5
    app = sv.application_transition(p["municipal"], app, "accept")
    assert app.status == wf.EXPERT_REVIEW
    # each expert scores alone, inside the bands the data decides
    ranges = sv.score_ranges(app)
    from gaoqi.web.certification.models import Expert

    panel_experts = list(Expert.objects.filter(pk__in=panel.expert_ids).order_by("pk"))
    with pytest.raises(sv.WorkflowError, match="不在"):
        bad = {k: hi + 1 for k, (lo, hi, _) in ranges.items()}
        sv.score_submit(panel_experts[0].user, app, bad)
    for e in panel_experts:
        sv.score_submit(e.user, app, {k: hi for k, (lo, hi, _) in ranges.items()})  # the best the bands allow
    app.refresh_from_db()
    assert app.status == wf.DECISION
    result = sv.panel_result(app)
    assert result is not None and result["average"] == sv.score_total({k: hi for k, (lo, hi, _) in ranges.items()})
    if not result["passed"]:
        pytest.skip("this enterprise's bands cannot exceed 70 (the screen would have failed it)")
    app = sv.application_transition(p["municipal"], app, "approve")
    assert app.status == wf.PUBLICITY
    start = app.stage_started_at
    end, _ = deadline_provisional(start, 10)
    clock["day"] = end
    assert sv.publicity_close_due() == []  # the last day of publicity: not yet
    clock["day"] = end + dt.timedelta(days=1)
    (done,) = sv.publicity_close_due()
    assert done.status == wf.CERTIFIED
    cert = Certificate.objects.get(application=app)
    assert cert.number == f"GR{start.year}11000001"
    assert (cert.issue_date, cert.expiry_date) == (start, start.replace(year=start.year + 3) - dt.timedelta(days=1))
    steps = list(app.transitions.values_list("action", flat=True))
    assert steps == ["start", "submit", "district_return", "resubmit", "district_pass", "accept", "scores_complete",
                     "approve", "publicity_end"]  # fmt: skip


@pytest.mark.django_db
def test_attachments_are_checked_by_content(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    app = sv.application_start(people["enterprise"], as_of=dt.date(2026, 6, 30), tech_field=FIELD)
    with pytest.raises(sv.WorkflowError, match="PDF"):
        sv.attachment_add(people["enterprise"], app, "RD01", "fake.pdf", b"MZ\x90\x00 not a pdf %%EOF")
    att = sv.attachment_add(people["enterprise"], app, "RD01", "../../etc/rd01.pdf", PDF)
    assert att.file_name == "rd01.pdf" and "/attachments/" in att.path


@pytest.mark.django_db
def test_pilot_route_approves_on_filing_and_a_failed_check_revokes(
    people: dict[str, Any], clock: dict[str, dt.date], monkeypatch: pytest.MonkeyPatch
) -> None:
    from gaoqi.web.certification.config import process_config
    from gaoqi.web.certification.models import Certificate, PostCheck, Revocation

    p = people
    app = draft(p)
    with pytest.raises(sv.WorkflowError, match="告知承诺书"):
        sv.application_transition(p["enterprise"], app, "file")
    sv.application_declare(p["enterprise"], app, PILOT_DECLARATIONS)
    cfg = process_config()
    monkeypatch.setitem(cfg.pilot, "post_check_share", 1.0)  # every pilot approval is checked, for the test
    app = sv.application_transition(p["enterprise"], app, "file")
    assert app.status == wf.FILED
    cert = Certificate.objects.get(application=app)
    assert cert.issue_date == clock["day"] and cert.status == Certificate.VALID
    check = PostCheck.objects.get(application=app)
    due, provisional = deadline_provisional(clock["day"], 30)
    assert (check.due_date, check.due_provisional) == (due, provisional)
    with pytest.raises(sv.WorkflowError, match="原因"):
        sv.post_check_complete(p["municipal"], check, passed=False)
    sv.post_check_complete(p["municipal"], check, passed=False, reasons="研发费用归集不实")
    cert.refresh_from_db()
    app.refresh_from_db()
    assert (cert.status, app.status) == (Certificate.REVOKED, wf.REVOKED)
    rev = Revocation.objects.get(certificate=cert)
    assert (rev.recover_tax_from_year, rev.no_application_in_year) == (2026, 2026)
    # revoked this year: no new application in the same year, one next year is fine
    with pytest.raises(sv.WorkflowError, match="当年不得再次申请"):
        sv.application_start(p["enterprise"], as_of=dt.date(2026, 6, 30), tech_field=FIELD)
    clock["day"] = dt.date(2027, 3, 31)
    assert sv.application_start(p["enterprise"], as_of=dt.date(2026, 6, 30), tech_field=FIELD).year == 2027


@pytest.mark.django_db
def test_pilot_scope_is_configurable(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    p = people
    app = sv.application_start(p["enterprise"], as_of=dt.date(2026, 6, 30), tech_field="航空航天")
    sv.application_declare(p["enterprise"], app, PILOT_DECLARATIONS)
    with pytest.raises(sv.WorkflowError, match="不在报备即批准试点范围内"):
        sv.application_transition(p["enterprise"], app, "file")


def _certificate(uscc: str, issue: dt.date) -> Any:
    from gaoqi.web.certification.models import Certificate

    return Certificate.objects.create(number=f"GR{issue.year}11{Certificate.objects.count() + 1:06d}", uscc=uscc,
                                      enterprise_name="测试企业", tech_field=FIELD, issue_date=issue,
                                      expiry_date=sv.expiry_for(issue))  # fmt: skip


@pytest.mark.django_db
def test_annual_reports_two_missing_years_flag_cancellation(people: dict[str, Any]) -> None:
    cert = _certificate(people["enterprise"].uscc, dt.date(2023, 12, 1))
    assert sv.report_years(cert, dt.date(2024, 5, 31)) == []  # due 31 May 2024: not late on the day
    assert sv.report_years(cert, dt.date(2024, 6, 1)) == [2023]
    (late,) = sv.annual_reports_overdue(dt.date(2025, 6, 1))
    assert (late["missing"], late["flag_cancellation"]) == ([2023, 2024], True)
    sv.annual_report_submit(people["enterprise"], cert, 2024, {"revenue": "1000"})
    (late,) = sv.annual_reports_overdue(dt.date(2025, 6, 1))
    assert (late["missing"], late["flag_cancellation"]) == ([2023], False)


@pytest.mark.django_db
def test_name_change_keeps_number_and_validity(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    from gaoqi.web.certification.models import Certificate

    cert = _certificate(people["enterprise"].uscc, dt.date(2025, 12, 1))
    nc = sv.name_change_request(people["enterprise"], cert, new_name="北京新名称科技有限公司")
    end, _ = deadline_provisional(clock["day"], 10)
    assert nc.publicity_end == end
    with pytest.raises(sv.WorkflowError, match="尚未期满"):
        sv.name_change_complete(nc, end)
    new = sv.name_change_complete(nc, end + dt.timedelta(days=1))
    cert.refresh_from_db()
    assert (new.number, new.issue_date, new.expiry_date) == (cert.number, cert.issue_date, cert.expiry_date)
    assert (cert.status, new.status, new.enterprise_name) == (
        Certificate.REPLACED,
        Certificate.VALID,
        "北京新名称科技有限公司",
    )


@pytest.mark.django_db
def test_expiry_is_three_years_from_issue() -> None:
    assert sv.expiry_for(dt.date(2026, 11, 25)) == dt.date(2029, 11, 24)
    assert sv.expiry_for(dt.date(2024, 2, 29)) == dt.date(2027, 2, 28)


@pytest.mark.django_db
def test_renewal_reminders_six_months_before_expiry(people: dict[str, Any]) -> None:
    from gaoqi.web.certification.models import Notification

    _certificate(people["enterprise"].uscc, dt.date(2024, 1, 15))  # expires 2027-01-14
    assert sv.renewal_reminders(dt.date(2026, 7, 1)) == 0
    assert sv.renewal_reminders(dt.date(2026, 7, 20)) == 1
    assert "2027-01-14" in Notification.objects.get(user=people["enterprise"]).text


@pytest.mark.django_db
def test_overdue_counts_working_days_per_stage(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    from gaoqi.web.certification.selectors import stage_deadlines

    p = people
    app = draft(p)
    clock["day"] = dt.date(2026, 9, 25)  # a Friday before 国庆
    app = sv.application_transition(p["enterprise"], app, "submit")
    limit = 5  # district review, process.yaml
    assert stage_deadlines(p["municipal"], dt.date(2026, 10, 9))["overdue"] == []  # 国庆: only working days count
    late = stage_deadlines(p["municipal"], sv.workdays.add_workdays(dt.date(2026, 9, 25), limit + 1))["overdue"]
    assert [(x["application"].pk, x["stage"], x["used"]) for x in late] == [(app.pk, wf.DISTRICT_REVIEW, limit + 1)]


@pytest.mark.django_db
def test_daily_job_completes_renames_and_is_idempotent(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    from gaoqi.web.certification.models import Certificate

    cert = _certificate(people["enterprise"].uscc, dt.date(2025, 12, 1))
    nc = sv.name_change_request(people["enterprise"], cert, new_name="北京改名后科技有限公司")
    assert nc.publicity_end is not None
    clock["day"] = nc.publicity_end  # the last publicity day
    assert sv.daily()["renamed"] == []
    clock["day"] = nc.publicity_end + dt.timedelta(days=1)
    assert sv.daily()["renamed"] == [cert.number]
    assert sv.daily()["renamed"] == []  # nothing more the second time
    assert (
        Certificate.objects.filter(number=cert.number, status=Certificate.VALID).get().enterprise_name
        == "北京改名后科技有限公司"
    )


@pytest.mark.django_db
def test_major_change_goes_to_re_review_not_publicity(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    cert = _certificate(people["enterprise"].uscc, dt.date(2025, 12, 1))
    nc = sv.name_change_request(people["enterprise"], cert, new_name="北京重组后科技有限公司", major_change=True)
    assert (nc.status, nc.publicity_end) == ("re_review", None)
    with pytest.raises(sv.WorkflowError):
        sv.name_change_complete(nc, dt.date(2027, 1, 1))


@pytest.mark.django_db
def test_expert_pool_page_adds_experts_and_records_conflicts(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    from gaoqi.web.certification.models import Expert
    from tests.web.conftest import login

    c = login(people["municipal"])
    # the account is the system administrator's; the pool only lists expert accounts not yet in it
    make_user(roles.EXPERT, "newexpert", display_name="新专家")
    assert "newexpert" in c.get("/certification/experts/").content.decode()
    r = c.post(
        "/certification/experts/", {"op": "add", "username": "newexpert", "kind": "technical", "fields": [FIELD]}
    )
    assert r.status_code == 302
    new = Expert.objects.get(user__username="newexpert")
    assert (new.kind, new.fields, new.active) == ("technical", [FIELD], True)
    # the applicant becomes the expert's former employer (left a year ago): the expert is excluded from its panel
    r = c.post("/certification/experts/", {"op": "update", "expert": new.pk, "active": "1", "employer_uscc": "",
                                             "avoid_usccs": "", "past_employers": f"{people['enterprise'].uscc} 2025-07-01"})  # fmt: skip
    new.refresh_from_db()
    assert new.past_employers == [[people["enterprise"].uscc, "2025-07-01"]]
    app = draft(people)
    app = sv.application_transition(people["enterprise"], app, "submit")
    app = sv.application_transition(people["district"], app, "district_pass")
    panel = sv.panel_draw(people["municipal"], app, seed=7)
    assert new.pk not in panel.expert_ids and panel.excluded[str(new.pk)] == "former_employer"
    # only the municipal office manages the pool
    assert login(people["district"]).get("/certification/experts/").status_code == 403


@pytest.mark.django_db
def test_revoking_from_the_application_page_revokes_the_certificate(
    people: dict[str, Any], clock: dict[str, dt.date], monkeypatch: pytest.MonkeyPatch
) -> None:
    """撤销资格 on the application goes through the one revocation service: the certificate is revoked with its
    revocation row, leaves 我的证书, its PDF says 已撤销, and no new application is accepted this year."""
    from gaoqi.web.certification.config import process_config
    from gaoqi.web.certification.models import Certificate, Revocation
    from tests.web.conftest import login

    p = people
    app = draft(p)
    sv.application_declare(p["enterprise"], app, PILOT_DECLARATIONS)
    monkeypatch.setitem(process_config().pilot, "post_check_share", 0.0)
    app = sv.application_transition(p["enterprise"], app, "file")
    cert = Certificate.objects.get(application=app)
    c = login(p["municipal"])
    r = c.post(
        f"/certification/{app.pk}/act/", {"action": "revoke", "reason": "falsification", "comment": ""}, follow=True
    )
    assert any("事实与理由" in str(m) for m in r.context["messages"])
    r = c.post(f"/certification/{app.pk}/act/",
               {"action": "revoke", "reason": "falsification", "comment": "研发项目材料伪造"}, follow=True)  # fmt: skip
    assert r.status_code == 200
    cert.refresh_from_db()
    app.refresh_from_db()
    assert (cert.status, app.status) == (Certificate.REVOKED, wf.REVOKED)
    rev = Revocation.objects.get(certificate=cert)
    assert (rev.reason, rev.article, rev.recover_tax_from_year, rev.no_application_in_year) == (
        "falsification", "国科发火〔2016〕32号 第十九条（一）", 2026, 2026,
    )  # fmt: skip
    mine = login(p["enterprise"]).get("/certification/").content.decode()
    assert cert.number not in mine  # 我的证书 lists valid certificates only
    pdf = login(p["enterprise"]).get(f"/certification/certificates/{cert.pk}.pdf")
    assert pdf.status_code == 200
    with pytest.raises(sv.WorkflowError, match="当年不得再次申请"):
        sv.application_start(p["enterprise"], as_of=dt.date(2026, 6, 30), tech_field=FIELD)
    # the service refuses a second revocation of the same application
    with pytest.raises(sv.StaleActionError):
        sv.application_revoke(p["municipal"], app, reason="falsification", detail="再次撤销")


@pytest.mark.django_db
def test_submission_waits_for_every_section_and_its_attachment(
    people: dict[str, Any], clock: dict[str, dt.date]
) -> None:
    ent = people["enterprise"]
    app = sv.application_start(ent, as_of=dt.date(2026, 6, 30), tech_field=FIELD)
    with pytest.raises(sv.WorkflowError) as refused:
        sv.application_transition(ent, app, "submit")
    assert (
        "请填写：研究开发活动（RD01…）、高新技术产品（服务）（PS01…）、科技成果转化情况、研究开发组织管理水平"
        in str(refused.value)
    )
    sv.application_update_form(ent, app, {"rd_projects": [{"code": "RD01", "name": "算法"}],
                                          "products": [{"code": "PS01", "name": "模组"}]})  # fmt: skip
    with pytest.raises(sv.WorkflowError) as refused:
        sv.application_transition(ent, app, "submit")
    assert "请填写：科技成果转化情况、研究开发组织管理水平" in str(refused.value)
    assert "缺少附件：RD01、PS01" in str(refused.value)


@pytest.mark.django_db
def test_acceptance_draws_the_panel_and_the_office_sees_it(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    from gaoqi.web.certification.models import Panel
    from tests.web.conftest import login

    p = people
    app = sv.application_transition(p["enterprise"], draft(p), "submit")
    app = sv.application_transition(p["district"], app, "district_pass")
    app = sv.application_transition(p["municipal"], app, "accept")  # 受理并抽取专家, one step
    assert app.status == wf.EXPERT_REVIEW
    panel = Panel.objects.get(application=app)
    assert len(panel.expert_ids) == 5 and "conflicted" not in {
        e.user.username for e in p["experts"] if e.pk in panel.expert_ids
    }
    page = login(p["municipal"]).get(f"/certification/{app.pk}/").content.decode()
    assert f"随机种子 {panel.seed}" in page and "（组长）" in page and "3年内曾任职单位" in page
    expert_page = login(p["experts"][0].user).get(f"/certification/{app.pk}/")
    assert "回避排除" not in expert_page.content.decode() or expert_page.status_code == 404


@pytest.mark.django_db
def test_a_certified_enterprise_applies_again_in_the_year_its_certificate_expires(
    people: dict[str, Any], clock: dict[str, dt.date], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is in progress after certification, so the enterprise is not told so: it is told until when its
    certificate is valid and in which year to apply again; in that year it may."""
    from gaoqi.web.certification.config import process_config
    from gaoqi.web.certification.models import Certificate
    from gaoqi.web.enterprises.models import Enterprise

    p = people
    app = draft(p)
    sv.application_declare(p["enterprise"], app, PILOT_DECLARATIONS)
    monkeypatch.setitem(process_config().pilot, "post_check_share", 0.0)
    app = sv.application_transition(p["enterprise"], app, "file")
    cert = Certificate.objects.get(application=app)
    assert (cert.issue_date, cert.expiry_date) == (dt.date(2026, 7, 1), dt.date(2029, 6, 30))
    ent = Enterprise.objects.get(uscc=app.uscc)
    expected = (
        f"您的高新技术企业证书（{cert.number}）有效期至2029年6月30日，有效期内无需重复申请；"
        "请在证书到期当年（2029年）重新申请认定（国科发火〔2016〕32号 第九条）"
    )
    assert sv.application_start_refusal(ent) == expected
    with pytest.raises(sv.WorkflowError) as refused:
        sv.application_start(p["enterprise"], as_of=dt.date(2026, 6, 30), tech_field=FIELD)
    assert str(refused.value) == expected and "进行中" not in expected
    clock["day"] = dt.date(2028, 12, 31)  # the last day of the year before expiry: still refused
    assert sv.application_start_refusal(ent) is not None
    clock["day"] = dt.date(2029, 1, 1)  # the expiry year: re-certification
    assert sv.application_start_refusal(ent) is None
    assert sv.application_start(p["enterprise"], as_of=dt.date(2026, 6, 30), tech_field=FIELD).year == 2029


@pytest.mark.django_db
def test_a_certificate_from_the_department_feed_counts_too(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    from gaoqi.web.enterprises.models import Enterprise

    ent = Enterprise.objects.get(uscc=people["enterprise"].uscc)
    Enterprise.objects.filter(pk=ent.pk).update(has_hte=True, hte_expiry_date=dt.date(2027, 11, 30))
    ent.refresh_from_db()
    refusal = sv.application_start_refusal(ent)
    assert (
        refusal is not None
        and refusal.startswith("您的高新技术企业证书有效期至2027年11月30日")
        and "（2027年）" in refusal
    )
    Enterprise.objects.filter(pk=ent.pk).update(hte_expiry_date=dt.date(2026, 11, 30))  # expires this year
    ent.refresh_from_db()
    assert sv.application_start_refusal(ent) is None


@pytest.mark.django_db
def test_the_start_form_gives_way_to_the_reason(
    people: dict[str, Any], clock: dict[str, dt.date], monkeypatch: pytest.MonkeyPatch
) -> None:
    """高企认定 offers the start form to an enterprise that may apply, and after its certification says until when
    the certificate is valid and when to apply again instead of offering a form that would be refused."""
    from gaoqi.web.certification.config import process_config
    from tests.web.conftest import login

    page = login(people["enterprise"]).get("/certification/").content.decode()
    assert "发起认定申请" in page and 'id="start-refusal"' not in page
    app = draft(people)
    sv.application_declare(people["enterprise"], app, PILOT_DECLARATIONS)
    monkeypatch.setitem(process_config().pilot, "post_check_share", 0.0)
    sv.application_transition(people["enterprise"], app, "file")
    page = login(people["enterprise"]).get("/certification/").content.decode()
    assert "发起认定申请" not in page
    assert "有效期至2029年6月30日，有效期内无需重复申请；请在证书到期当年（2029年）重新申请认定" in page
