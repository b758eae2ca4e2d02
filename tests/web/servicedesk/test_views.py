"""The pages and the API: filing with attachments (a fake PDF refused), downloads scoped and never stored, the
queue's filters and overdue flag, Excel, the 三率 page and API (Q3 → 0.913), service days, 时限监控."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gaoqi.web.core.errors import DomainError
from gaoqi.web.servicedesk import services as sv
from gaoqi.web.servicedesk.models import Request, ServiceDay
from tests.web.certification.pdfs import CLEAN
from tests.web.conftest import HAIDIAN, login
from tests.web.servicedesk.conftest import file_request
from tests.web.servicedesk.test_stats import q3_rows

pytestmark = pytest.mark.django_db

FORM = {"category": "wrp", "urgency": "GENERAL", "title": "工作居住证咨询", "description": "材料要求不明确"}


def test_an_enterprise_files_with_a_pdf_and_downloads_it(sd: Any) -> None:
    c = login(sd["ent"])
    r = c.post("/servicedesk/new/", {**FORM, "attachments": SimpleUploadedFile("证明.pdf", CLEAN)})
    req = Request.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/servicedesk/{req.pk}/"
    page = c.get(r["Location"]).content.decode()
    assert "海淀区人力资源和社会保障局" in page and "工作居住证：区级承办规则" in page and "2026年10月8日" in page
    att = req.attachments.get()
    download = c.get(f"/servicedesk/attachments/{att.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == CLEAN
    assert "no-store" in download["Cache-Control"]
    assert login(sd["ent2"]).get(f"/servicedesk/attachments/{att.pk}/").status_code == 404
    assert login(sd["chaoyang"]).get(f"/servicedesk/{req.pk}/").status_code == 404


def test_a_fake_pdf_is_refused_on_the_page_and_nothing_is_written(sd: Any) -> None:
    c = login(sd["ent"])
    r = c.post(
        "/servicedesk/new/",
        {**FORM, "attachments": SimpleUploadedFile("假证明.pdf", b"MZ\x90\x00 not a pdf")},
        follow=True,
    )
    assert "假证明.pdf" in r.content.decode() and "PDF" in r.content.decode()
    assert not Request.objects.exists()


def test_the_queue_filters_and_flags_overdue(sd: Any) -> None:
    late = file_request(sd["ent"], title="超时的诉求")
    sd["clock"]["day"] = dt.date(2026, 10, 9)
    fresh = file_request(sd["ent"], category="housing", title="新提交的诉求")
    c = login(sd["haidian"])
    page = c.get("/servicedesk/queue/").content.decode()
    assert "超时的诉求" in page and "新提交的诉求" in page and page.count("已超时") == 1
    only_late = c.get("/servicedesk/queue/?overdue=on").content.decode()
    assert "超时的诉求" in only_late and "新提交的诉求" not in only_late
    by_cat = c.get("/servicedesk/queue/?category=housing").content.decode()
    assert "新提交的诉求" in by_cat and "超时的诉求" not in by_cat
    by_unit = c.get(f"/servicedesk/queue/?unit={HAIDIAN}.housing").content.decode()
    assert "新提交的诉求" in by_unit and "超时的诉求" not in by_unit
    assert "没有符合条件的诉求" in login(sd["chaoyang"]).get("/servicedesk/queue/").content.decode()
    from openpyxl import load_workbook

    xlsx = c.get("/servicedesk/queue/export/?overdue=on")
    assert "no-store" in xlsx["Cache-Control"]
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == late.pk and rows[1][13] == "是"
    overdue = c.get("/certification/overdue/").content.decode()
    assert "企业诉求超时" in overdue and "超时的诉求" in overdue and "新提交的诉求" not in overdue
    assert "没有超时的企业诉求" in login(sd["chaoyang"]).get("/certification/overdue/").content.decode()
    assert fresh.pk


def test_the_journey_through_the_pages(sd: Any) -> None:
    req = file_request(sd["ent"])
    off = login(sd["haidian"])
    assert off.post(f"/servicedesk/{req.pk}/act/", {"action": "accept", "seen": "filed"}).status_code == 302
    off.post(f"/servicedesk/{req.pk}/act/", {"action": "answer", "seen": "accepted", "comment": "请携带劳动合同"})
    ent = login(sd["ent"])
    refused = login(sd["ent2"]).post(
        f"/servicedesk/{req.pk}/act/", {"action": "rate", "resolved": "YES", "satisfaction": "SATISFIED"}
    )
    assert refused.status_code == 404
    ent.post(f"/servicedesk/{req.pk}/act/", {"action": "rate", "resolved": "YES", "satisfaction": "SATISFIED"})
    page = ent.get(f"/servicedesk/{req.pk}/").content.decode()
    assert "已办结" in page and "已解决 · 满意" in page and "请携带劳动合同" in page
    again = ent.post(
        f"/servicedesk/{req.pk}/act/", {"action": "rate", "resolved": "NO", "satisfaction": "DISSATISFIED"}, follow=True
    )
    assert "不能执行该操作" in again.content.decode()
    assert Request.objects.get().resolved == "YES"


def test_stats_page_and_api_give_q3(sd: Any) -> None:
    q3_rows(sd)
    c = login(sd["municipal"])
    page = c.get("/servicedesk/stats/?by=district").content.decode()
    assert "servicedesk-stats-data" in page and "0.913" in page and "海淀区" in page and "默认值，待确认" in page
    api = c.get("/api/servicedesk/stats?by=unit").json()
    assert api["defaults"] is True and api["rows"][0]["composite"] == 0.913
    assert c.get("/servicedesk/stats/export/?by=month").status_code == 200
    assert login(sd["chaoyang"]).get("/api/servicedesk/stats").json()["rows"] == []


def test_the_api_lists_scoped_and_rates(sd: Any) -> None:
    mine = file_request(sd["ent"])
    file_request(sd["ent_cy"])
    assert [r["id"] for r in login(sd["ent"]).get("/api/servicedesk/requests").json()["items"]] == [mine.pk]
    assert login(sd["municipal"]).get("/api/servicedesk/requests").json()["count"] == 2
    assert login(sd["chaoyang"]).get(f"/api/servicedesk/requests/{mine.pk}").status_code == 404
    sv.request_accept(sd["haidian"], mine.pk)
    sv.request_answer(sd["haidian"], mine.pk, "已答复")
    body = {"resolved": "NO", "satisfaction": "DISSATISFIED", "comment": "未解决"}
    assert (
        login(sd["ent2"])
        .post(f"/api/servicedesk/requests/{mine.pk}/rate", body, content_type="application/json")
        .status_code
        == 404
    )
    ok = login(sd["ent"]).post(f"/api/servicedesk/requests/{mine.pk}/rate", body, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "closed"
    twice = login(sd["ent"]).post(f"/api/servicedesk/requests/{mine.pk}/rate", body, content_type="application/json")
    assert twice.status_code == 409
    filed = login(sd["ent"]).post("/api/servicedesk/filings", {"category": "other", "title": "咨询", "description": "内容"},
                                  content_type="application/json")  # fmt: skip
    assert (
        filed.status_code == 200 and filed.json()["unit"] == f"{HAIDIAN}.gov" and filed.json()["uscc"] == sd["hd"].uscc
    )


def test_a_service_day_from_invitation_to_follow_up(sd: Any) -> None:
    c = login(sd["haidian"])
    r = c.post("/servicedesk/days/new/", {"held_on": "2026-09-30", "leader_name": "李四", "leader_title": "副区长",
                                          "topic": "人才政策专场", "invited": f"{sd['hd'].uscc}\n{sd['hd2'].uscc}"})  # fmt: skip
    event = ServiceDay.objects.get()
    assert r.status_code == 302 and event.district_code == HAIDIAN and event.invites.count() == 2
    refused = c.post("/servicedesk/days/new/", {"held_on": "2026-09-30", "leader_name": "李四", "leader_title": "副区长",
                                                "topic": "跨区", "invited": sd["cy"].uscc}, follow=True)  # fmt: skip
    assert "不属于该区" in refused.content.decode()
    c.post(f"/servicedesk/days/{event.pk}/attendance/", {"attended": [sd["hd"].uscc]})
    with pytest.raises(DomainError, match="未出席"):
        file_request(sd["haidian"], uscc=sd["hd2"].uscc, channel="entrepreneur_day", event_id=event.pk)
    r = c.post("/servicedesk/new/", {**FORM, "uscc": sd["hd"].uscc, "channel": "entrepreneur_day", "event": event.pk})
    req = Request.objects.get()
    assert (req.channel, req.event_id, req.filed_by, req.uscc) == (
        "entrepreneur_day",
        event.pk,
        sd["haidian"],
        sd["hd"].uscc,
    )
    c.post(f"/servicedesk/days/{event.pk}/followup/", {"on": "2026-10-09", "text": "已督促区人社局专人对接"})
    page = c.get(f"/servicedesk/days/{event.pk}/").content.decode()
    assert "已督促区人社局专人对接" in page and "工作居住证咨询" in page and "李四（副区长）" in page
    # the invited enterprise sees the day; another district's official and an uninvited enterprise do not
    assert login(sd["ent"]).get(f"/servicedesk/days/{event.pk}/").status_code == 200
    assert login(sd["ent_cy"]).get(f"/servicedesk/days/{event.pk}/").status_code == 404
    assert login(sd["chaoyang"]).get(f"/servicedesk/days/{event.pk}/").status_code == 404
    assert "人才政策专场" in login(sd["municipal"]).get("/servicedesk/days/").content.decode()


def test_the_demo_rows_are_made_once(sd: Any) -> None:
    from gaoqi.web.servicedesk.demo import demo_rows

    assert demo_rows(sd["ent"], sd["haidian"], sd["municipal"]) == 4
    assert demo_rows(sd["ent"], sd["haidian"], sd["municipal"]) == 0
    assert Request.objects.filter(channel="entrepreneur_day", status="filed").count() == 1
    assert Request.objects.filter(status="closed", resolved="YES").count() == 1
