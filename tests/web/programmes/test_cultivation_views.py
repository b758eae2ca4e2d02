"""The cultivation pages, their download and the API, as each role: a 海淀 official, an incubator and an enterprise
see their own records and never a 朝阳 canary's (its pages, download and API answer 404); the forms record and
refuse in words; the enterprise confirms its own record (htmx swaps the status block), a tutor cannot."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse

from gaoqi.web import roles
from gaoqi.web.core import clock
from gaoqi.web.programmes import services as sv
from gaoqi.web.programmes.models import TrainingSession, Tutoring
from tests.web import factories as f
from tests.web.certification.pdfs import CLEAN
from tests.web.conftest import CANARY_NAME, CHAOYANG, login
from tests.web.programmes.cultivation_factories import hte_result, member
from tests.web.test_chinese_everywhere import BROWSER, ascii_words

TODAY = dt.date(2026, 7, 1)
pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


@pytest.fixture()
def world(settings: Any, tmp_path: Any) -> dict[str, Any]:
    """A 海淀 member (incubated by INC-T) with a tutoring record and a training session with a material; a 朝阳
    canary member with the same."""
    settings.UPLOAD_DIR = tmp_path
    hd = member("北京海淀培育科技有限公司", incubator_code="INC-T")
    hte_result(hd, ["rd_ratio"], binding="rd_ratio", gap="研发费用占比还差1.2个百分点")
    cy = member(f"{CANARY_NAME}培育", district_code=CHAOYANG)
    district = f.user(roles.DISTRICT, "hd_official", display_name="王辅导")
    cy_district = f.user(roles.DISTRICT, "cy_official", district_code=CHAOYANG)
    rec = sv.tutoring_create(district, hd.uscc, dt.date(2026, 6, 20), "建议规范研发费用归集",
                             [("整理研发辅助账", dt.date(2026, 9, 30))])  # fmt: skip
    canary_rec = sv.tutoring_create(cy_district, cy.uscc, dt.date(2026, 6, 21), f"{CANARY_NAME}的辅导意见")
    session = sv.training_create(district, dt.date(2026, 6, 25), "海淀政策解读", "onsite", "2", [hd.uscc])
    canary_session = sv.training_create(cy_district, dt.date(2026, 6, 25), f"{CANARY_NAME}培训", "online", "1",
                                        [cy.uscc])  # fmt: skip
    material = sv.training_material_add(district, session.pk, "讲义.pdf", CLEAN)
    canary_material = sv.training_material_add(cy_district, canary_session.pk, "朝阳讲义.pdf", CLEAN)
    return {
        "hd": hd, "cy": cy, "district": district, "rec": rec, "canary_rec": canary_rec, "session": session,
        "canary_session": canary_session, "material": material, "canary_material": canary_material,
        "enterprise": f.user(roles.ENTERPRISE, "hd_enterprise", uscc=hd.uscc),
        "other_enterprise": f.user(roles.ENTERPRISE, "cy_enterprise", uscc=cy.uscc),
        "incubator": f.user(roles.INCUBATOR, "inc_operator"),
        "municipal": f.user(roles.MUNICIPAL, "muni_official"),
    }  # fmt: skip


def _viewers(w: dict[str, Any]) -> dict[str, Any]:
    return {"district": w["district"], "incubator": w["incubator"], "enterprise": w["enterprise"]}


def test_no_canary_on_any_page_download_or_api_answer_of_a_haidian_viewer(world: dict[str, Any]) -> None:
    w = world
    for who, user in _viewers(w).items():
        c = login(user)
        listing = c.get(reverse("programmes:cultivation"))
        assert listing.status_code == 200, who
        html = listing.content.decode()
        assert "北京海淀培育科技有限公司" in html and CANARY_NAME not in html, who
        for name, pk in (("programmes:tutoring_detail", w["canary_rec"].pk),
                         ("programmes:training_detail", w["canary_session"].pk),
                         ("programmes:material_download", w["canary_material"].pk)):  # fmt: skip
            assert c.get(reverse(name, args=[pk])).status_code == 404, (who, name)
        assert c.get(reverse("programmes:tutoring_detail", args=[w["rec"].pk])).status_code == 200, who
        api = c.get("/api/tutorings")
        assert api.status_code == 200 and [r["id"] for r in api.json()["items"]] == [w["rec"].pk], who
        assert CANARY_NAME not in api.content.decode()
        if who != "incubator":  # the incubator sees its members' tutoring, not the district's sessions
            assert c.get(reverse("programmes:training_detail", args=[w["session"].pk])).status_code == 200, who
            download = c.get(reverse("programmes:material_download", args=[w["material"].pk]))
            assert download.status_code == 200 and b"".join(download.streaming_content) == CLEAN, who
            assert download["Cache-Control"].startswith("no-store") or "no-store" in download["Cache-Control"]
        for name in (
            ("programmes:coverage", "programmes:tutoring_new", "programmes:training_new") if who != "enterprise" else ()
        ):
            page = c.get(reverse(name))
            assert page.status_code == 200 and CANARY_NAME not in page.content.decode()
    # the municipal office sees both
    api = login(w["municipal"]).get("/api/tutorings")
    assert sorted(r["id"] for r in api.json()["items"]) == sorted([w["rec"].pk, w["canary_rec"].pk])


def test_the_enterprise_sees_only_its_own_attendance_row(world: dict[str, Any]) -> None:
    w = world
    other = member("北京同场科技有限公司")
    session = sv.training_create(w["district"], dt.date(2026, 6, 26), "同场培训", "onsite", "1",
                                 [w["hd"].uscc, other.uscc])  # fmt: skip
    html = login(w["enterprise"]).get(reverse("programmes:training_detail", args=[session.pk])).content.decode()
    assert "北京海淀培育科技有限公司" in html and "北京同场科技有限公司" not in html
    html = login(w["district"]).get(reverse("programmes:training_detail", args=[session.pk])).content.decode()
    assert "北京海淀培育科技有限公司" in html and "北京同场科技有限公司" in html


def test_the_detail_shows_the_frozen_gaps_and_follow_ups_in_chinese(world: dict[str, Any]) -> None:
    w = world
    for user in (w["district"], w["enterprise"], w["municipal"]):
        page = login(user).get(reverse("programmes:tutoring_detail", args=[w["rec"].pk]), headers=BROWSER)
        html = page.content.decode()
        assert "研发费用占比还差1.2个百分点" in html and "整理研发辅助账" in html and "待企业确认" in html
        known = {user.username, "INC-T", "hd_official"}
        assert not ascii_words(html, known), ascii_words(html, known)
    for name, args in (("programmes:training_detail", [w["session"].pk]), ("programmes:cultivation", []),
                       ("programmes:coverage", []), ("programmes:tutoring_new", []), ("programmes:training_new", [])):  # fmt: skip
        html = login(w["district"]).get(reverse(name, args=args), headers=BROWSER).content.decode()
        assert not ascii_words(html, {"hd_official", "INC-T", "讲义.pdf"}), name


def test_the_enterprise_confirms_its_own_record_a_tutor_cannot(world: dict[str, Any]) -> None:
    w = world
    url = reverse("programmes:tutoring_answer", args=[w["rec"].pk])
    refused = login(w["district"]).post(url, {"action": "confirm", "seen": "recorded"}, headers=HX)
    assert refused.status_code == 403 and "您的角色不能执行“确认无误”" in refused.content.decode()
    other = login(w["other_enterprise"]).post(url, {"action": "confirm"}, follow=True)
    assert other.status_code == 404 and "记录不存在或不在您的管辖范围内" in other.content.decode()
    assert Tutoring.objects.get(pk=w["rec"].pk).status == "recorded"
    api_other = login(w["other_enterprise"]).post(f"/api/tutorings/{w['rec'].pk}/confirm", json.dumps({}),
                                                  content_type="application/json")  # fmt: skip
    assert api_other.status_code in (403, 404)  # no CSRF token on a session write (403), or not its record (404)
    c = login(w["enterprise"])
    done = c.post(url, {"action": "confirm", "seen": "recorded", "comment": "属实"}, headers=HX)
    assert (
        done.status_code == 200
        and "企业已确认" in done.content.decode()
        and 'id="record-status"' in done.content.decode()
    )
    assert Tutoring.objects.get(pk=w["rec"].pk).answered_by == w["enterprise"]
    again = c.post(url, {"action": "dispute", "seen": "recorded", "comment": "改主意"}, headers=HX)
    assert again.status_code == 409 and "辅导记录已由“待企业确认”变为“企业已确认”" in again.content.decode()


def test_the_api_confirm_and_dispute_for_the_enterprise_with_a_token(world: dict[str, Any]) -> None:
    from django.test import Client

    from gaoqi.web.accounts.services import api_token_create

    w = world
    second = sv.tutoring_create(w["district"], w["hd"].uscc, TODAY, "第二次辅导")
    token = {"Authorization": f"Bearer {api_token_create(None, w['enterprise'], 'test')}"}
    c = Client()
    body = json.dumps({"comment": "属实"})
    assert c.post(f"/api/tutorings/{w['canary_rec'].pk}/confirm", body, content_type="application/json",
                  headers=token).status_code == 404  # fmt: skip
    ok = c.post(f"/api/tutorings/{w['rec'].pk}/confirm", body, content_type="application/json", headers=token)
    assert ok.status_code == 200 and (ok.json()["status"], ok.json()["answered_by"]) == ("confirmed", "hd_enterprise")
    assert [g["id"] for g in ok.json()["gaps"]] == ["rd_ratio"]
    blank = c.post(f"/api/tutorings/{second.pk}/dispute", json.dumps({"comment": " "}),
                   content_type="application/json", headers=token)  # fmt: skip
    assert blank.status_code in (400, 422)
    disputed = c.post(f"/api/tutorings/{second.pk}/dispute", json.dumps({"comment": "日期有误"}),
                      content_type="application/json", headers=token)  # fmt: skip
    assert disputed.status_code == 200 and disputed.json()["enterprise_comment"] == "日期有误"
    listing = c.get("/api/tutorings?status=disputed", headers=token).json()
    assert [r["id"] for r in listing["items"]] == [second.pk]


def test_recording_through_the_form(world: dict[str, Any]) -> None:
    w = world
    c = login(w["district"])
    outsider = f.enterprise(name="北京非成员表单科技有限公司")
    refused = c.post(reverse("programmes:tutoring_new"), {"uscc": outsider.uscc, "held_on": "2026-06-30",
                                                          "advice": "建议"})  # fmt: skip
    assert refused.status_code == 400 and "目前不在培育库中" in refused.content.decode()
    future = c.post(
        reverse("programmes:tutoring_new"), {"uscc": w["hd"].uscc, "held_on": "2026-07-02", "advice": "建议"}
    )
    assert future.status_code == 400 and "辅导日期不能晚于今天" in future.content.decode()
    canary = c.post(
        reverse("programmes:tutoring_new"), {"uscc": w["cy"].uscc, "held_on": "2026-06-30", "advice": "建议"}
    )
    assert canary.status_code == 404
    ok = c.post(reverse("programmes:tutoring_new"), {"uscc": w["hd"].uscc, "held_on": "2026-06-30", "advice": "再辅导",
                                                     "followup_action_0": "补充专利", "followup_due_0": "2026-08-01"})  # fmt: skip
    rec = Tutoring.objects.get(advice="再辅导")
    assert ok.status_code == 302 and ok["Location"] == reverse("programmes:tutoring_detail", args=[rec.pk])
    assert list(rec.followups.values_list("action", flat=True)) == ["补充专利"]
    item = rec.followups.get()
    done = c.post(reverse("programmes:followup_outcome", args=[item.pk]),
                  {"outcome": "done", "outcome_on": "2026-07-01", "outcome_note": "已完成"})  # fmt: skip
    assert done.status_code == 302
    item.refresh_from_db()
    assert (item.outcome, item.outcome_on) == ("done", TODAY)


def test_training_through_the_forms(world: dict[str, Any]) -> None:
    w = world
    c = login(w["district"])
    page = c.get(reverse("programmes:training_new")).content.decode()
    assert "北京海淀培育科技有限公司" in page and CANARY_NAME not in page
    ok = c.post(reverse("programmes:training_new"), {"held_on": "2026-06-28", "topic": "研发费用归集", "mode": "online",
                                                     "hours": "1.5", "invited": [w["hd"].uscc]})  # fmt: skip
    session = TrainingSession.objects.get(topic="研发费用归集")
    assert ok.status_code == 302
    smuggled = c.post(reverse("programmes:training_new"), {"held_on": "2026-06-28", "topic": "夹带", "mode": "online",
                                                           "hours": "1", "invited": [w["cy"].uscc]})  # fmt: skip
    assert smuggled.status_code == 400 and not TrainingSession.objects.filter(topic="夹带").exists()
    stray = c.post(reverse("programmes:training_attendance", args=[session.pk]), {"attended": [w["cy"].uscc]})
    assert stray.status_code == 302  # back to the page, with the refusal as its message
    session.refresh_from_db()
    assert session.attendance_recorded_at is None
    c.post(reverse("programmes:training_attendance", args=[session.pk]), {"attended": [w["hd"].uscc]})
    row = session.attendances.get()
    assert row.attended is True
    e = login(w["enterprise"])
    e.post(reverse("programmes:attendance_answer", args=[row.pk]), {"action": "confirm", "seen": "recorded"})
    row.refresh_from_db()
    assert (row.status, row.answered_by) == ("confirmed", w["enterprise"])
    bad = c.post(reverse("programmes:material_upload", args=[session.pk]),
                 {"file": _upload("假资料.pdf", b"%PDF-1.4 not really")}, headers=HX)  # fmt: skip
    assert bad.status_code == 400 and "培训资料" in bad.content.decode()


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_the_profile_shows_the_tutoring_count_and_the_last_session(world: dict[str, Any]) -> None:
    w = world
    sv.tutoring_create(w["district"], w["hd"].uscc, dt.date(2026, 6, 30), "第二次")
    for user in (w["district"], w["enterprise"]):
        html = login(user).get(reverse("enterprises:detail", args=[w["hd"].uscc])).content.decode()
        assert "一对一辅导 2 次" in html and "2026年6月30日" in html
    html = login(f.user(roles.EVALUATOR)).get(reverse("enterprises:detail", args=[w["hd"].uscc])).content.decode()
    assert "一对一辅导" not in html


def test_the_tutoring_export_is_scoped_audited_and_neutralises_formulas(world: dict[str, Any]) -> None:
    import io

    from openpyxl import load_workbook

    from gaoqi.web.audit.models import AuditEvent

    w = world
    sv.tutoring_create(w["district"], w["hd"].uscc, dt.date(2026, 6, 22), '=HYPERLINK("http://x")')
    url = reverse("programmes:cultivation_export")

    def sheet(user: Any) -> list[tuple[Any, ...]]:
        response = login(user).get(url)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))

    rows = sheet(w["district"])
    assert rows[0][:3] == ("统一社会信用代码", "企业名称", "所属区县")
    assert [r[1] for r in rows[1:]] == ["北京海淀培育科技有限公司"] * 2  # the 朝阳 canary is not there
    assert rows[1][5] == '\'=HYPERLINK("http://x")'  # text, never a formula
    assert rows[2][6].endswith("研发费用占比还差1.2个百分点")  # the gaps frozen when the record was made
    assert rows[2][7] == "0/1"
    assert len(sheet(w["municipal"])) == 4  # both districts' three records
    assert AuditEvent.objects.filter(action="export", target="tutorings").count() == 2
    assert login(w["enterprise"]).get(url).status_code == 403
