"""What officials, enterprises and the public can send the certification services: every bad input gets a clear
Chinese refusal (never a 500), double submits are refused or idempotent, uploads are parsed, public objections
are bounded, and the daily job survives a bad item."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connections

from gaoqi.web import roles
from gaoqi.web.certification import services as sv
from gaoqi.web.certification import workflow as wf
from tests.web.certification.conftest import FIELD, draft
from tests.web.certification.pdfs import ACTIVE, CLEAN
from tests.web.conftest import login, make_user


def _certificate(uscc: str, issue: dt.date, name: str = "测试企业") -> Any:
    from gaoqi.web.certification.models import Certificate

    return Certificate.objects.create(number=f"GR{issue.year}11{Certificate.objects.count() + 1:06d}", uscc=uscc,
                                      enterprise_name=name, tech_field=FIELD, issue_date=issue,
                                      expiry_date=sv.expiry_for(issue))  # fmt: skip


# ------------------------------------------------------------------------------------------------------
# starting, editing, declaring


@pytest.mark.django_db
def test_start_takes_only_a_known_field_and_the_snapshot_date(
    people: dict[str, Any], clock: dict[str, dt.date]
) -> None:
    ent = people["enterprise"]
    with pytest.raises(sv.WorkflowError, match="技术领域"):
        sv.application_start(ent, as_of=dt.date(2026, 6, 30), tech_field="<script>")
    with pytest.raises(sv.WorkflowError, match="不能晚于今天"):
        sv.application_start(ent, as_of=dt.date(2099, 1, 1), tech_field=FIELD)
    with pytest.raises(sv.WorkflowError, match="当前数据快照的日期 2026-06-30"):
        sv.application_start(ent, as_of=dt.date(2025, 12, 31), tech_field=FIELD)
    app = sv.application_start(ent, as_of=dt.date(2026, 6, 30), tech_field=FIELD)
    assert (app.year, app.as_of) == (2026, dt.date(2026, 6, 30))
    # one application in progress, whatever the year: no second live draft next year either
    clock["day"] = dt.date(2027, 1, 5)
    with pytest.raises(sv.WorkflowError, match="进行中的申请"):
        sv.application_start(ent, as_of=dt.date(2026, 6, 30), tech_field=FIELD)


@pytest.mark.django_db
def test_the_start_page_refuses_bad_dates_with_a_message(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    c = login(people["enterprise"])
    for as_of in ("", "2026-13-01", "abc", "9999-12-31"):
        r = c.post("/certification/start/", {"as_of": as_of, "tech_field": FIELD}, follow=True)
        assert r.status_code == 200
        assert any("评估基准日" in str(m) for m in r.context["messages"]), as_of


@pytest.mark.django_db
def test_no_declaration_or_edit_after_submission_nor_of_unknown_items(
    people: dict[str, Any], clock: dict[str, dt.date]
) -> None:
    ent = people["enterprise"]
    app = draft(people)
    with pytest.raises(sv.WorkflowError, match="不能承诺的事项"):
        sv.application_declare(ent, app, ["anything_goes"])
    app = sv.application_transition(ent, app, "submit")
    with pytest.raises(sv.StaleActionError, match="不能再修改"):
        sv.application_declare(ent, app, [sv.COMMITMENT])
    with pytest.raises(sv.StaleActionError, match="不能再修改"):
        sv.application_update_form(ent, app, {"products": []})
    with pytest.raises(sv.WorkflowError, match="本企业"):
        sv.application_declare(people["district"], app, [sv.COMMITMENT])


# ------------------------------------------------------------------------------------------------------
# attachments


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(ACTIVE))
def test_active_or_fake_pdfs_are_refused(people: dict[str, Any], clock: dict[str, dt.date], kind: str) -> None:
    from gaoqi.web.certification.models import Attachment

    app = sv.application_start(people["enterprise"], as_of=dt.date(2026, 6, 30), tech_field=FIELD)
    with pytest.raises(sv.WorkflowError, match="附件"):
        sv.attachment_add(people["enterprise"], app, "RD01", "rd01.pdf", ACTIVE[kind])
    assert not Attachment.objects.filter(application=app).exists()


@pytest.mark.django_db
def test_attachment_quota(people: dict[str, Any], clock: dict[str, dt.date], monkeypatch: pytest.MonkeyPatch) -> None:
    from gaoqi.web.certification.services import attachments

    monkeypatch.setattr(attachments, "MAX_ATTACHMENTS", 3)  # where the quota is read
    app = sv.application_start(people["enterprise"], as_of=dt.date(2026, 6, 30), tech_field=FIELD)
    for i in range(3):
        sv.attachment_add(people["enterprise"], app, f"RD0{i}", f"rd{i}.pdf", CLEAN)
    with pytest.raises(sv.WorkflowError, match="最多上传 3 个附件"):
        sv.attachment_add(people["enterprise"], app, "RD09", "rd9.pdf", CLEAN)


@pytest.mark.django_db
def test_reviewers_download_proofs_as_attachments_and_others_do_not(
    people: dict[str, Any], clock: dict[str, dt.date]
) -> None:
    from gaoqi.web.audit.models import AuditEvent

    app = sv.application_transition(people["enterprise"], draft(people), "submit")
    att = app.attachments.get(item="RD01")
    url = f"/certification/{app.pk}/attachments/{att.pk}/"
    for who in ("enterprise", "district", "municipal"):
        r = login(people[who]).get(url)
        assert r.status_code == 200, who
        assert r["Content-Type"] == "application/pdf"
        assert r["Content-Disposition"].startswith("attachment;") and "RD01.pdf" in r["Content-Disposition"]
        assert (r["X-Content-Type-Options"], r["Cache-Control"]) == ("nosniff", "no-store")
        assert b"".join(r.streaming_content) == CLEAN
    assert login(people["other_district"]).get(url).status_code == 404
    outsider = make_user(roles.EXPERT, "not_on_the_panel")
    assert login(outsider).get(url).status_code == 404
    assert AuditEvent.objects.filter(action="attachment.download").count() == 3


# ------------------------------------------------------------------------------------------------------
# scores, annual reports, renames


def _expert_review(p: dict[str, Any]) -> Any:
    app = sv.application_transition(p["enterprise"], draft(p), "submit")
    app = sv.application_transition(p["district"], app, "district_pass")
    sv.panel_draw(p["municipal"], app, seed=20260701)
    return sv.application_transition(p["municipal"], app, "accept")


@pytest.mark.django_db
def test_an_expert_scoring_twice_is_told_so(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    from gaoqi.web.certification.models import Expert

    app = _expert_review(people)
    user = Expert.objects.get(pk=app.panel.expert_ids[0]).user
    ranges = sv.score_ranges(app)
    top = {k: hi for k, (_, hi, _) in ranges.items()}
    sv.score_submit(user, app, top)
    with pytest.raises(sv.StaleActionError, match="已提交过"):
        sv.score_submit(user, app, top)
    # through the page: a message, not a 500
    r = login(user).post(f"/certification/{app.pk}/score/", {k: str(v) for k, v in top.items()}, follow=True)
    assert r.status_code == 200 and any("已提交过" in str(m) for m in r.context["messages"])
    r = login(user).post(f"/certification/{app.pk}/score/", {k: "9" * 40 for k in top}, follow=True)
    assert r.status_code == 200


@pytest.mark.django_db(transaction=True)  # the threads' own connections must see the published snapshot
def test_score_totals_and_explanations_from_16_threads(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    """DuckDB's module-level connection shared by threads raised ResourceInUse (134 of 800 calls, 4 threads)."""
    from gaoqi.web.enterprises.selectors import explain_for

    items = {k: hi for k, (_, hi, _) in sv.score_ranges(draft(people)).items()}  # every item an expert scores
    expected_total = sv.score_total(items)
    expected_status = explain_for(people["enterprise"].uscc, sv.POLICY_ID)["status"]  # type: ignore[index]
    errors: list[BaseException] = []
    wrong: list[Any] = []

    def work() -> None:
        try:
            for _ in range(10):
                if (total := sv.score_total(items)) != expected_total:
                    wrong.append(total)
                got = explain_for(people["enterprise"].uscc, sv.POLICY_ID)
                if got is None or got["status"] != expected_status:
                    wrong.append(got)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and wrong == []


@pytest.mark.django_db
def test_annual_reports_once_a_year_within_the_validity_and_numbers_only(
    people: dict[str, Any], clock: dict[str, dt.date]
) -> None:
    ent = people["enterprise"]
    cert = _certificate(ent.uscc, dt.date(2024, 12, 1))  # reportable: 2024 and 2025 (today 2026-07-01)
    for year in (-5, 2023, 2026, 2030):
        with pytest.raises(sv.WorkflowError, match="不在可填报范围内"):
            sv.annual_report_submit(ent, cert, year, {"revenue": "1000"})
    with pytest.raises(sv.WorkflowError, match="销售收入（万元）须为数字"):
        sv.annual_report_submit(ent, cert, 2025, {"revenue": "abc"})
    with pytest.raises(sv.WorkflowError, match="不小于 0"):
        sv.annual_report_submit(ent, cert, 2025, {"revenue": "-1"})
    with pytest.raises(sv.WorkflowError, match="不小于 0"):
        sv.annual_report_submit(ent, cert, 2025, {"rd_expense": "NaN"})
    report = sv.annual_report_submit(ent, cert, 2025, {"revenue": "1,000.5", "ip_count": "3"})
    assert report.data == {"revenue": "1000.5", "ip_count": "3"}
    with pytest.raises(sv.StaleActionError, match="已提交"):
        sv.annual_report_submit(ent, cert, 2025, {"revenue": "1000"})
    # through the page, twice: a message each time, one report
    c = login(ent)
    for _ in range(2):
        r = c.post(
            f"/certification/certificates/{cert.pk}/annual-report/", {"year": "2024", "revenue": "9"}, follow=True
        )
        assert r.status_code == 200
    assert sorted(cert.annual_reports.values_list("year", flat=True)) == [2024, 2025]
    r = c.post(f"/certification/certificates/{cert.pk}/annual-report/", {"year": "-5", "revenue": "9"}, follow=True)
    assert r.status_code == 200 and any("不在可填报范围内" in str(m) for m in r.context["messages"])


@pytest.mark.django_db
def test_renames_need_a_new_name_and_one_at_a_time(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    from django.db import IntegrityError, transaction

    from gaoqi.web.certification.models import NameChange

    ent = people["enterprise"]
    cert = _certificate(ent.uscc, dt.date(2025, 12, 1))
    for blank in ("", "   ", "\u3000"):
        with pytest.raises(sv.WorkflowError, match="请填写变更后的企业名称"):
            sv.name_change_request(ent, cert, new_name=blank)
    with pytest.raises(sv.WorkflowError, match="相同"):
        sv.name_change_request(ent, cert, new_name="测试企业")
    sv.name_change_request(ent, cert, new_name="北京新名称科技有限公司")
    with pytest.raises(sv.StaleActionError, match="已有办理中的更名申请"):
        sv.name_change_request(ent, cert, new_name="北京又一个名称科技有限公司")
    # the database refuses what the service would: a second pending rename, a blank name
    with pytest.raises(IntegrityError), transaction.atomic():
        NameChange.objects.create(certificate=cert, old_name="a", new_name="b", status="publicity")
    with pytest.raises(IntegrityError), transaction.atomic():
        NameChange.objects.create(certificate=cert, old_name="a", new_name="", status="done")


@pytest.mark.django_db
def test_one_failing_item_does_not_stop_the_daily_job(
    people: dict[str, Any], clock: dict[str, dt.date], monkeypatch: pytest.MonkeyPatch
) -> None:
    from gaoqi.web.audit.models import AuditEvent
    from gaoqi.web.certification.models import Certificate

    ent = people["enterprise"]
    broken = _certificate(ent.uscc, dt.date(2025, 12, 1), "甲公司")
    fine = _certificate(ent.uscc, dt.date(2025, 12, 2), "乙公司")
    nc_broken = sv.name_change_request(ent, broken, new_name="甲新公司")
    nc_fine = sv.name_change_request(ent, fine, new_name="乙新公司")
    Certificate.objects.filter(pk=broken.pk).update(status=Certificate.REVOKED)  # revoked during the publicity

    def fails(on: dt.date) -> int:
        raise RuntimeError("mail server down")

    from gaoqi.web.certification.services import daily_job

    monkeypatch.setattr(daily_job, "annual_report_reminders", fails)  # the step the daily job calls
    assert nc_fine.publicity_end is not None
    clock["day"] = dt.date(2027, 5, 1)  # after both publicities; a reminder day and a renewal day
    out = sv.daily()
    assert out["renamed"] == [fine.number]
    assert sorted(e["step"] for e in out["errors"]) == ["name_change", "report_reminders"]
    assert next(e for e in out["errors"] if e["step"] == "name_change")["target"] == f"name_change:{nc_broken.pk}"
    assert AuditEvent.objects.filter(action="daily.name_change", outcome="failure").count() == 1
    # the next run reports the broken item again and changes nothing else
    again = sv.daily()
    assert again["renamed"] == [] and [e["step"] for e in again["errors"]][:1] == ["name_change"]


# ------------------------------------------------------------------------------------------------------
# publicity objections


def _in_publicity(p: dict[str, Any]) -> Any:
    from gaoqi.web.certification.models import Application

    app = draft(p)
    Application.objects.filter(pk=app.pk).update(status=wf.PUBLICITY, stage_started_at=dt.date(2026, 7, 1))
    app.refresh_from_db()
    return app


@pytest.mark.django_db
def test_objections_are_bounded_rate_limited_and_notified_once(
    people: dict[str, Any], clock: dict[str, dt.date]
) -> None:
    from django.test import Client

    from gaoqi.web.certification.models import Notification, Objection

    app = _in_publicity(people)
    public = Client(REMOTE_ADDR="203.0.113.7")
    url = f"/certification/{app.pk}/object/"
    r = public.post(url, {"name": "张" * 65, "contact": "x", "content": "异议"}, follow=True)
    assert r.status_code == 200 and not Objection.objects.exists()
    r = public.post(url, {"name": "张三", "contact": "x", "content": "异" * 2001}, follow=True)
    assert not Objection.objects.exists()
    r = public.post(url, {"name": "张三", "contact": "x", "content": "x" * (2 * 1024 * 1024)})
    assert r.status_code == 400 and not Objection.objects.exists()  # refused before the view (1 MB of fields)
    sent = [public.post(url, {"name": f"张三{i}", "contact": "x", "content": "研发费用存疑"}) for i in range(37)]
    assert all(r.status_code == 302 for r in sent)
    assert Objection.objects.count() == 3  # process.yaml: 3 per address per hour
    # from another address: accepted; the municipal office has one unread notice, not 4
    Client(REMOTE_ADDR="198.51.100.2").post(url, {"name": "李四", "contact": "y", "content": "知识产权存疑"})
    assert Objection.objects.count() == 4
    assert Notification.objects.filter(user=people["municipal"]).count() == 1


@pytest.mark.django_db
def test_the_objectors_name_is_for_the_municipal_office_only(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    app = _in_publicity(people)
    sv.objection_file(app, name="王实名", contact="13912345678", content="异议内容甲")
    municipal = login(people["municipal"]).get(f"/certification/{app.pk}/").content.decode()
    assert "王实名" in municipal and "13912345678" in municipal and "异议内容甲" in municipal
    for who in ("enterprise", "district"):
        page = login(people[who]).get(f"/certification/{app.pk}/").content.decode()
        assert "异议内容甲" in page and "王实名" not in page and "13912345678" not in page, who
    evaluator = make_user(roles.EVALUATOR, "eval")
    page = login(evaluator).get(f"/certification/{app.pk}/").content.decode()
    assert "王实名" not in page


# ------------------------------------------------------------------------------------------------------
# the expert pool


@pytest.mark.django_db
def test_the_expert_pool_creates_no_accounts(people: dict[str, Any]) -> None:
    from gaoqi.web.accounts.models import User
    from gaoqi.web.certification.models import Expert

    c = login(people["municipal"])
    before = User.objects.count()
    r = c.post("/certification/experts/", {"op": "add", "username": "brand_new", "password": "1",
                                            "kind": "technical", "fields": [FIELD]}, follow=True)  # fmt: skip
    assert r.status_code == 200 and any("已创建的评审专家账号" in str(m) for m in r.context["messages"])
    assert User.objects.count() == before and not User.objects.filter(username="brand_new").exists()
    # a district official's account cannot be turned into an expert either
    with pytest.raises(sv.WorkflowError, match="评审专家账号"):
        sv.expert_add(people["municipal"], username=people["district"].username, kind="financial", fields=[])
    with pytest.raises(sv.StaleActionError, match="已在专家库中"):
        sv.expert_add(people["municipal"], username=people["experts"][0].user.username, kind="financial", fields=[])
    assert Expert.objects.count() == len(people["experts"])


@pytest.mark.django_db
def test_a_stale_expert_form_is_refused(people: dict[str, Any]) -> None:
    expert = people["experts"][0]
    c = login(people["municipal"])
    form = {"op": "update", "expert": expert.pk, "version": expert.version, "active": "0", "employer_uscc": "",
            "avoid_usccs": "", "past_employers": ""}  # fmt: skip
    assert c.post("/certification/experts/", form).status_code == 302
    r = c.post("/certification/experts/", {**form, "active": "1"}, follow=True)  # the same, older form again
    assert any("已被他人修改" in str(m) for m in r.context["messages"])
    expert.refresh_from_db()
    assert (expert.active, expert.version) == (False, 2)
    r = c.post("/certification/experts/", {**form, "version": 2, "past_employers": "X 2025-13-01"}, follow=True)
    assert r.status_code == 200 and any("YYYY-MM-DD" in str(m) for m in r.context["messages"])
