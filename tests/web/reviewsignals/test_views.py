"""The pages, the export and the API: the district reviewer sees its district's signals only (canaries on the
list, the export, the API, the application page and the conclusion), the municipal office all; the panel's expert
reads the signal on its application's pages (the related applicants counted, never named, their names and codes
withheld from the evidence) and cannot conclude; the application page's form records the conclusion."""

from __future__ import annotations

import io
from typing import Any

import pytest

from gaoqi.web.reviewsignals import services
from gaoqi.web.reviewsignals.models import ReviewSignal
from tests.web.conftest import login
from tests.web.reviewsignals.conftest import derive, published, sig

pytestmark = pytest.mark.django_db


@pytest.fixture()
def signals(rs: dict[str, Any]) -> dict[str, Any]:
    hd, hd2, cy = rs["hd"], rs["hd2"], rs["cy"]
    s1 = published()
    derive(
        s1,
        sig(hd, "shared_contact", summary="与另2家申报企业共用申报代理机构", related=(hd2.uscc, cy.uscc)),
        sig(hd2, "rd_near_duplicate", summary=f"研发项目描述与{hd.enterprise_name}的项目高度相似",
            related=(hd.uscc,), value=f"{hd.uscc} RD01"),
        sig(cy, "st_staff_above_insured"),
    )  # fmt: skip
    by = {s.application_id: s for s in ReviewSignal.objects.all()}
    return {**rs, "s_hd": by[hd.pk], "s_hd2": by[hd2.pk], "s_cy": by[cy.pk]}


def test_the_district_list_shows_its_own_only(signals: dict[str, Any]) -> None:
    m = signals
    html = login(m["haidian"]).get("/review-signals/").content.decode()
    assert f'id="signal-row-{m["s_hd"].pk}"' in html and f'id="signal-row-{m["s_hd2"].pk}"' in html
    assert f'id="signal-row-{m["s_cy"].pk}"' not in html  # 朝阳's signal is not in 海淀's list
    assert "共用地址、电话或代理机构" in html and "供参考，不作为认定结论" in html
    only = login(m["haidian"]).get("/review-signals/?kind=rd_near_duplicate").content.decode()
    assert f'id="signal-row-{m["s_hd2"].pk}"' in only and f'id="signal-row-{m["s_hd"].pk}"' not in only
    everything = login(m["municipal"]).get("/review-signals/?status=all").content.decode()
    assert all(f'id="signal-row-{m[k].pk}"' in everything for k in ("s_hd", "s_hd2", "s_cy"))
    cy_only = login(m["municipal"]).get("/review-signals/?district=110105").content.decode()
    assert f'id="signal-row-{m["s_cy"].pk}"' in cy_only and f'id="signal-row-{m["s_hd"].pk}"' not in cy_only


def test_key_paging(signals: dict[str, Any]) -> None:
    from gaoqi.web.reviewsignals import selectors

    qs = selectors.signal_list(signals["municipal"], selectors.SignalFilter(status="all"))
    first = selectors.key_page(qs, "", size=2)
    second = selectors.key_page(qs, first.next_after, size=2)
    ids = sorted((s.pk for s in ReviewSignal.objects.all()), reverse=True)
    assert ([s.pk for s in first.rows], first.next_after) == (ids[:2], str(ids[1]))
    assert ([s.pk for s in second.rows], second.next_after) == (ids[2:], "")


def test_scoping_canaries(signals: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    m = signals
    cy = login(m["chaoyang"])
    assert f'id="signal-row-{m["s_hd"].pk}"' not in cy.get("/review-signals/?status=all").content.decode()
    rows = list(load_workbook(io.BytesIO(cy.get("/review-signals/export/?status=all").content)).active.iter_rows(
        values_only=True))  # fmt: skip
    assert [r[0] for r in rows[1:]] == [m["s_cy"].pk]
    assert [x["id"] for x in cy.get("/api/review-signals?status=all").json()["items"]] == [m["s_cy"].pk]
    assert cy.get("/api/review-signals?district=110108").json()["items"] == []
    r = cy.post(f"/api/review-signals/{m['s_hd'].pk}/conclude", {"conclusion": "confirmed", "note": "越权"},
                content_type="application/json")  # fmt: skip
    assert r.status_code == 404
    cy.post(f"/review-signals/{m['s_hd'].pk}/conclude/", {"conclusion": "confirmed", "note": "越权"})
    assert ReviewSignal.objects.get(pk=m["s_hd"].pk).status == "open"
    # the application page of another district is not theirs, nor its signals
    assert cy.get(f"/certification/{m['hd'].pk}/").status_code == 404
    for who in ("ent", "evaluator", "expert"):
        c = login(m[who])
        assert c.get("/review-signals/").status_code == 403
        assert c.get("/review-signals/export/").status_code == 403
        assert c.get("/api/review-signals").status_code == 403
    # the enterprise's own application page shows no signal
    assert "审查风险提示" not in login(m["ent"]).get(f"/certification/{m['hd'].pk}/").content.decode()


def test_the_reviewer_reads_the_evidence_and_records_a_conclusion(signals: dict[str, Any]) -> None:
    m, s = signals, signals["s_hd"]
    c = login(m["haidian"])
    html = c.get(f"/certification/{m['hd'].pk}/").content.decode()
    assert f'id="signal-{s.pk}"' in html and "共用地址、电话或代理机构" in html
    assert "与另2家申报企业共用申报代理机构" in html and "供参考，不作为认定结论" in html
    assert "hte_annual_report_2025.csv 第17行" in html and "social_insurance_2025.csv 第8行" in html
    assert m["hd2"].enterprise_name in html  # the reviewer sees the related applicants of its district
    assert m["cy"].uscc not in html and m["cy"].enterprise_name not in html  # not another district's
    assert "关联申报企业：2 家" in html and "另有 1 家（不在您的管辖范围内，名称不予展示）" in html
    everything = login(m["municipal"]).get(f"/certification/{m['hd'].pk}/").content.decode()
    assert m["cy"].uscc in everything and m["hd2"].uscc in everything  # the municipal office sees all
    assert 'data-action="conclude"' in html
    r = c.post(f"/review-signals/{s.pk}/conclude/", {"conclusion": "explained", "note": "企业说明：集团统一委托代理",
                                                    "seen": "open", "back": f"/certification/{m['hd'].pk}/"})  # fmt: skip
    assert r.status_code == 302 and r["Location"] == f"/certification/{m['hd'].pk}/"
    s.refresh_from_db()
    assert (s.status, s.conclusion, s.conclusion_note, s.concluded_by) == (
        "concluded", "explained", "企业说明：集团统一委托代理", m["haidian"],
    )  # fmt: skip
    html = c.get(f"/certification/{m['hd'].pk}/").content.decode()
    assert (
        "核实结论：<strong>已作说明</strong>：企业说明：集团统一委托代理" in html
        and 'data-action="conclude"' not in html
    )
    # an outside link is not followed back
    r = c.post(f"/review-signals/{m['s_hd2'].pk}/conclude/", {"conclusion": "confirmed", "note": "属实",
                                                             "back": "https://example.com/"})  # fmt: skip
    assert r["Location"] == "/review-signals/"


def test_the_expert_reads_but_cannot_conclude_and_never_learns_who_else_applied(signals: dict[str, Any]) -> None:
    m, s = signals, signals["s_hd2"]
    c = login(m["expert"])
    for url in (f"/certification/{m['hd2'].pk}/", f"/certification/{m['hd2'].pk}/score/"):
        html = c.get(url).content.decode()
        assert f'id="signal-{s.pk}"' in html and "研发项目文本跨企业高度雷同" in html, url
        assert "关联申报企业：1 家（企业名称不向评审专家展示）" in html
        assert m["hd"].uscc not in html and m["hd"].enterprise_name not in html  # withheld from summary and evidence
        assert "〔其他申报企业，已隐去〕" in html
        assert 'data-action="conclude"' not in html
    assert (
        c.post(f"/review-signals/{s.pk}/conclude/", {"conclusion": "confirmed", "note": "专家认为属实"}).status_code
        == 403
    )
    r = c.post(f"/api/review-signals/{s.pk}/conclude", {"conclusion": "confirmed", "note": "专家认为属实"},
               content_type="application/json")  # fmt: skip
    assert r.status_code == 403
    assert ReviewSignal.objects.get(pk=s.pk).status == "open"
    # an expert not on the panel sees neither the application nor its signal
    assert login(m["other_expert"]).get(f"/certification/{m['hd2'].pk}/").status_code == 404


def test_the_excel_export_values(signals: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    m, s = signals, signals["s_hd"]
    response = login(m["haidian"]).get("/review-signals/export/?kind=shared_contact")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == services.EXPORT_HEADER
    assert len(rows) == 2
    assert rows[1][:8] == (s.pk, m["hd"].enterprise_name, m["hd"].uscc, "海淀区", 2026, "区级形式审查",
                           "多家申请企业共用地址、电话或代理机构", "与另2家申报企业共用申报代理机构")  # fmt: skip
    assert "hte_annual_report_2025.csv 第17行" in rows[1][8]
    assert rows[1][9] == f"{m['hd2'].enterprise_name}；另有 1 家（不在管辖范围内）"  # 朝阳's applicant withheld
    response = login(m["municipal"]).get("/review-signals/export/?kind=shared_contact")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][9] == f"{m['cy'].enterprise_name}、{m['hd2'].enterprise_name}"  # by USCC (110105 first)
    assert rows[1][10] == "待核实"


def test_the_export_neutralises_formulas(signals: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    m = signals
    ReviewSignal.objects.filter(pk=m["s_hd"].pk).update(summary='=HYPERLINK("http://x")')
    response = login(m["haidian"]).get("/review-signals/export/?kind=shared_contact")
    cell = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[1][7]
    assert not str(cell).startswith("=")


def test_the_api_list_and_conclude(signals: dict[str, Any]) -> None:
    m, s = signals, signals["s_hd"]
    c = login(m["haidian"])
    got = c.get("/api/review-signals?kind=shared_contact").json()
    assert got["next_after"] == "" and [x["id"] for x in got["items"]] == [s.pk]
    item = got["items"][0]
    assert (item["kind_label"], item["related_usccs"], item["related_count"], item["notice"]) == (
        "多家申请企业共用地址、电话或代理机构", [m["hd2"].uscc], 2, "供参考，不作为认定结论",
    )  # fmt: skip
    assert item["evidence"][0] == {"label": "科技人员数", "value": 42, "feed": "hte_annual_report",
                                   "file": "hte_annual_report_2025.csv", "line": 17}  # fmt: skip
    bad = c.post(f"/api/review-signals/{s.pk}/conclude", {"conclusion": "guilty", "note": "x"},
                 content_type="application/json")  # fmt: skip
    assert bad.status_code in (400, 422)
    r = c.post(f"/api/review-signals/{s.pk}/conclude", {"conclusion": "unfounded", "note": "地址为园区公共地址",
                                                        "seen": "open"}, content_type="application/json")  # fmt: skip
    assert r.status_code == 200 and (r.json()["status"], r.json()["conclusion"]) == ("concluded", "unfounded")
    again = c.post(f"/api/review-signals/{s.pk}/conclude", {"conclusion": "confirmed", "note": "再次"},
                   content_type="application/json")  # fmt: skip
    assert again.status_code == 409 and again.json()["error"]["code"]
