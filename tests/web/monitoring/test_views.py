"""监测预警's pages and API: the overview by rule, severity, age band and district, the key-paged list, a warning's
page with its evidence and log, the moves through the page, the Excel export's values, the rule catalogue, the
JSON API; scoping canaries (another district's official sees nothing, an enterprise nothing)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.db import transaction

from gaoqi.web.monitoring import services
from gaoqi.web.monitoring.models import Warning
from tests.web.conftest import login
from tests.web.monitoring.conftest import published, row

pytestmark = pytest.mark.django_db


@pytest.fixture()
def warnings(mon: dict[str, Any]) -> dict[str, Any]:
    s1 = published(dt.date(2026, 9, 30))
    with transaction.atomic():
        services.warnings_derive(s1, [row(mon["hd"]), row(mon["hd2"], "W04", severity="CRITICAL", name="研发费用占比低于标准"),
                                      row(mon["cy"], severity="WARN")])  # fmt: skip
    by = {w.enterprise_id: w for w in Warning.objects.all()}
    return {**mon, "s1": s1, "w_hd": by[mon["hd"].pk], "w_hd2": by[mon["hd2"].pk], "w_cy": by[mon["cy"].pk]}


def test_the_overview_and_list_of_a_district(warnings: dict[str, Any]) -> None:
    m = warnings
    m["clock"]["day"] = dt.date(2026, 10, 20)  # 20 days after opening: the 8–30 days band
    page = login(m["haidian"]).get("/monitoring/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "未处置预警 <strong>2</strong> 条" in html
    assert f'id="warning-{m["w_hd"].pk}"' in html and f'id="warning-{m["w_hd2"].pk}"' in html
    assert f'id="warning-{m["w_cy"].pk}"' not in html  # 朝阳's warning: not in 海淀's page
    assert '<a href="?age=1">8–30天</a></td><td>2</td>' in html
    assert '<a href="?severity=CRITICAL">特别严重</a></td><td>1</td>' in html
    chart = json.loads(html.split('id="monitoring-chart-data" type="application/json">')[1].split("</script>")[0])
    assert chart["series"][0]["data"] == [0, 2]  # the enterprises' snapshot (no warnings), then s1: 2 open in 海淀
    assert chart["severity"]["data"] == [1, 1, 0, 0]  # 特别严重, 严重, 一般, 提示


def test_the_municipal_page_breaks_down_by_district(warnings: dict[str, Any]) -> None:
    html = login(warnings["municipal"]).get("/monitoring/").content.decode()
    assert "未处置预警 <strong>3</strong> 条" in html
    assert 'id="by-district"' in html and "朝阳区" in html and "海淀区" in html
    only = login(warnings["municipal"]).get(f"/monitoring/?district={warnings['cy'].district_code}").content.decode()
    assert "未处置预警 <strong>1</strong> 条" in only


def test_key_paging(warnings: dict[str, Any]) -> None:
    from gaoqi.web.monitoring import selectors

    qs = selectors.warning_list(warnings["municipal"], selectors.WarningFilter(status="all"))
    first = selectors.key_page(qs, "", size=2)
    second = selectors.key_page(qs, first.next_after, size=2)
    ids = sorted((w.pk for w in Warning.objects.all()), reverse=True)
    assert ([w.pk for w in first.rows], first.next_after) == (ids[:2], str(ids[1]))
    assert ([w.pk for w in second.rows], second.next_after) == (ids[2:], "")


def test_scoping_canaries(warnings: dict[str, Any]) -> None:
    m = warnings
    cy = login(m["chaoyang"])
    assert cy.get(f"/monitoring/{m['w_hd'].pk}/").status_code == 404
    assert f'id="warning-{m["w_hd"].pk}"' not in cy.get("/monitoring/?status=all").content.decode()
    assert cy.post(f"/monitoring/{m['w_hd'].pk}/act/", {"action": "acknowledge"}).status_code == 404
    assert cy.get("/api/warnings?status=all").json()["items"] == [_api_item(m["w_cy"])]
    assert cy.get(f"/api/warnings/{m['w_hd'].pk}").status_code == 404
    ent = login(m["ent"])
    assert ent.get("/monitoring/").status_code == 403
    assert ent.get(f"/monitoring/{m['w_hd'].pk}/").status_code == 403
    assert ent.get("/api/warnings").status_code == 403
    assert Warning.objects.get(pk=m["w_hd"].pk).status == "open"


def _api_item(w: Warning) -> dict[str, Any]:
    return {
        "id": w.pk, "uscc": w.enterprise.uscc, "enterprise_name": w.enterprise.name, "district_code": w.district_code,
        "rule_id": w.rule_id, "rule_version": "2026-01-01", "name": w.name, "severity": w.severity, "status": "open",
        "opened_on": "2026-09-30", "due_on": w.due_on.isoformat(), "overdue": False, "escalated_at": None,
        "opened_snapshot": w.opened_snapshot_id, "last_seen_snapshot": w.last_seen_snapshot_id,
        "closed_snapshot": None, "action": "",
    }  # fmt: skip


def test_the_warning_page_and_its_moves(warnings: dict[str, Any]) -> None:
    m, w = warnings, warnings["w_hd"]
    c = login(m["haidian"])
    html = c.get(f"/monitoring/{w.pk}/").content.decode()
    assert "科技人员占比" in html and "annual_report_2025.csv" in html and "<td>17</td>" in html
    assert "国科发火〔2016〕32号 第十一条（四）" in html and 'id="act-acknowledge"' in html
    assert c.post(f"/monitoring/{w.pk}/act/", {"action": "acknowledge", "seen": "open"}).status_code == 302
    r = c.post(
        f"/monitoring/{w.pk}/act/",
        {"action": "handle", "how": "interview", "comment": "已约谈法定代表人", "seen": "acknowledged"},
    )
    assert r.status_code == 302
    w.refresh_from_db()
    assert (w.status, w.action, w.action_note) == ("handled", "interview", "已约谈法定代表人")
    html = c.get(f"/monitoring/{w.pk}/").content.decode()
    assert "约谈：已约谈法定代表人" in html and 'id="act-' not in html
    # a stale page: refused with the reason, nothing changes
    c.post(f"/monitoring/{w.pk}/act/", {"action": "dismiss", "comment": "误报", "seen": "open"}, follow=True)
    assert Warning.objects.get(pk=w.pk).status == "handled"
    # the evaluator reads, never acts
    ev = login(m["evaluator"])
    assert ev.get(f"/monitoring/{w.pk}/").status_code == 200
    assert ev.post(f"/monitoring/{m['w_hd2'].pk}/act/", {"action": "acknowledge"}).status_code == 403


def test_the_excel_export_values(warnings: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    m = warnings
    response = login(m["haidian"]).get("/monitoring/export/?severity=CRITICAL")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == services.EXPORT_HEADER
    assert len(rows) == 2
    w = m["w_hd2"]
    assert rows[1][:12] == (w.pk, "北京海淀另一家科技有限公司", m["hd2"].uscc, "海淀区", "W04", "2026-01-01",
                            "研发费用占比低于标准", "特别严重", "待处理", dt.datetime(2026, 9, 30), dt.datetime(2026, 10, 13), "否")  # fmt: skip
    assert rows[1][12] == "科技人员占比 0.08%（annual_report_2025.csv 第17行）"


def test_the_api_list_detail_and_act(warnings: dict[str, Any]) -> None:
    m, w = warnings, warnings["w_hd"]
    c = login(m["haidian"])
    got = c.get("/api/warnings?severity=HIGH").json()
    assert got == {"items": [_api_item(w)], "next_after": ""}
    detail = c.get(f"/api/warnings/{w.pk}").json()
    assert detail["evidence"][0]["line"] == 17 and [x["action"] for x in detail["log"]] == ["raise"]
    bad = c.post(f"/api/warnings/{w.pk}/handle", {"how": "call", "comment": "x"}, content_type="application/json")
    assert bad.status_code in (400, 422)
    r = c.post(f"/api/warnings/{w.pk}/dismiss", {"reason": "数据滞后", "seen": "open"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    again = c.post(f"/api/warnings/{w.pk}/acknowledge", {"seen": "open"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"]


def test_the_rule_catalogue_marks_defaults(warnings: dict[str, Any]) -> None:
    html = login(warnings["municipal"]).get("/monitoring/rules/").content.decode()
    assert "list-not-met" in html and "名单内企业已不符合名单条件" in html and "默认值，待确认" in html
