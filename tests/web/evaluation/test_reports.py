"""Evaluation reports on a real published snapshot (issue 15, ADR 0032): computed by the evaluator and stamped,
reproducible from the stamps, no data shown as 无数据 with the composite over the remaining weights, the workflow
(draft → submitted → returned / published) and its refusals, the PDF opened with pypdf and its numbers compared with
the Excel's, the sub-parks, and scoping canaries: before publication a district sees nothing, after it only its own
area's page (never another district's scores or comments)."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from gaoqi.web import roles
from gaoqi.web.core.errors import Conflict, DomainError, Forbidden, StaleActionError
from gaoqi.web.core.workflow import RoleRefused
from gaoqi.web.evaluation import selectors, services
from gaoqi.web.evaluation.models import AreaResult, EvaluationReport
from tests.web.conftest import CHAOYANG, HAIDIAN, login, make_user

pytestmark = pytest.mark.django_db
Y = 2025


@pytest.fixture()
def people(users: dict[str, Any]) -> dict[str, Any]:
    return {
        "evaluator": users[roles.EVALUATOR],
        "municipal": users[roles.MUNICIPAL],
        "haidian": users[roles.DISTRICT],
        "chaoyang": make_user(roles.DISTRICT, "ev_chaoyang", district_code=CHAOYANG),
        "enterprise": users[roles.ENTERPRISE],
    }


def _report(p: dict[str, Any], kind: str = "district") -> EvaluationReport:
    return services.report_compute(p["evaluator"], Y, kind)


def test_a_report_is_computed_stamped_and_reproducible(snapshot: Any, people: dict[str, Any]) -> None:
    from gaoqi.engine import Workspace, district_codes

    r = _report(people)
    assert (r.status, r.snapshot_id, r.ruleset_hash) == ("draft", snapshot.pk, snapshot.ruleset_hash)
    assert len(r.indicators_hash) == 64 and "D1" in r.indicators_text and r.areas_hash == ""
    areas = list(r.areas.all())
    assert {a.area_code for a in areas} == set(district_codes())
    # the engine's measures stored are the snapshot's
    with Workspace.open(snapshot.duckdb_path, read_only=True) as ws:
        engine = {(d, m): v for d, m, v in ws.district_measures(Y)}
    hd = next(a for a in areas if a.area_code == HAIDIAN)
    assert Decimal(hd.measures["hte_valid"]) == Decimal(str(engine[(HAIDIAN, "hte_valid")])) > 0
    # ranks 1..n over the areas with a composite, best first; composites within 0–100
    ranked = sorted((a for a in areas if a.rank is not None), key=lambda a: a.rank)
    assert [a.composite for a in ranked] == sorted((a.composite for a in ranked), reverse=True)
    assert ranked[0].rank == 1 and all(Decimal(0) <= a.composite <= 100 for a in ranked)
    # min–max: on each indicator with two different values, the best area has 100 and the worst 0
    d2 = [Decimal(a.scores["D2"]) for a in areas if a.scores["D2"] is not None]
    assert max(d2) == 100 and min(d2) == 0
    again = selectors.report_reproduce(r, people["evaluator"])
    assert again.ok, again.differences


def test_no_data_is_shown_as_no_data_and_left_out_of_the_weights(snapshot: Any, people: dict[str, Any]) -> None:
    r = _report(people)
    hd = r.areas.get(area_code=HAIDIAN)
    # no request, certification stage or service item in 2025 on this snapshot: D10, D12, D13 have no data
    assert hd.values["D10"] is None and hd.scores["D10"] is None
    assert hd.scores["D12"] is None and hd.scores["D13"] is None
    missing = {"D10", "D12", "D13"} | {k for k, v in hd.scores.items() if v is None}
    weights = {"D1": 15, "D2": 15, "D3": 10, "D4": 10, "D7": 10, "D8": 10, "D8T": 5, "D9": 5, "D10": 10,
               "D12": 5, "D13": 5}  # fmt: skip
    assert hd.weight_used == sum(w for k, w in weights.items() if k not in missing)
    scored = {k: Decimal(v) for k, v in hd.scores.items() if v is not None}
    want = sum(weights[k] * s for k, s in scored.items()) / hd.weight_used
    assert abs(hd.composite - want) <= Decimal("0.01")
    page = login(people["evaluator"]).get(reverse("evaluation:area", args=[r.pk]), {"code": HAIDIAN})
    assert page.status_code == 200
    text = page.content.decode()
    assert "无数据" in text
    row = re.search(r"D10</span> 企业诉求按时答复率.*?</tr>", text, re.S)
    assert row is not None and "无数据" in row.group(0) and ">0.00<" not in row.group(0)


def test_workflow_and_refusals(snapshot: Any, people: dict[str, Any]) -> None:
    p = people
    with pytest.raises(Forbidden):
        services.report_compute(p["municipal"], Y, "district")
    with pytest.raises(DomainError, match="评价年度须在"):
        services.report_compute(p["evaluator"], snapshot.as_of.year + 1, "district")
    r = _report(p)
    services.report_comment(p["evaluator"], r.pk, HAIDIAN, "海淀区高企存量增长稳定。")
    with pytest.raises(StaleActionError):  # a draft has no publication
        services.report_move(p["municipal"], r.pk, "publish")
    services.report_move(p["evaluator"], r.pk, "submit")
    with pytest.raises(RoleRefused):  # the evaluator does not publish its own report
        services.report_move(p["evaluator"], r.pk, "publish")
    with pytest.raises(Conflict):
        services.report_comment(p["evaluator"], r.pk, HAIDIAN, "改")
    with pytest.raises(Conflict):
        services.report_compute(p["evaluator"], Y, "district")
    with pytest.raises(DomainError, match="需要填写意见"):
        services.report_move(p["municipal"], r.pk, "return")
    services.report_move(p["municipal"], r.pk, "return", comment="请补充朝阳区意见")
    again = services.report_compute(p["evaluator"], Y, "district")  # recomputed while returned: comments kept
    assert again.pk == r.pk and again.areas.get(area_code=HAIDIAN).comment == "海淀区高企存量增长稳定。"
    services.report_move(p["evaluator"], r.pk, "submit")
    done = services.report_move(p["municipal"], r.pk, "publish")
    assert done.status == "published" and done.published_at is not None
    with pytest.raises(Conflict):
        services.report_compute(p["evaluator"], Y, "district")
    from gaoqi.web.core.models import WorkflowLog

    moves = list(
        WorkflowLog.objects.filter(workflow="evaluation_report", object_id=r.pk).values_list("action", flat=True)
    )
    assert moves == ["compute", "submit", "return", "submit", "publish"]


def test_scoping_canaries_before_and_after_publication(snapshot: Any, people: dict[str, Any]) -> None:
    p = people
    r = _report(p)
    services.report_comment(p["evaluator"], r.pk, HAIDIAN, "海淀意见金丝雀")
    services.report_comment(p["evaluator"], r.pk, CHAOYANG, "朝阳意见金丝雀")
    hd, cy = login(p["haidian"]), login(p["chaoyang"])
    area = reverse("evaluation:area", args=[r.pk])
    # a draft: the municipal office and the districts see nothing of it
    assert login(p["municipal"]).get(reverse("evaluation:detail", args=[r.pk])).status_code == 404
    assert hd.get(area, {"code": HAIDIAN}).status_code == 404
    assert hd.get(reverse("api:evaluation_report", args=[r.pk])).status_code == 404
    services.report_move(p["evaluator"], r.pk, "submit")
    assert login(p["municipal"]).get(reverse("evaluation:detail", args=[r.pk])).status_code == 200
    assert hd.get(area, {"code": HAIDIAN}).status_code == 404  # submitted, not yet published
    assert hd.get(reverse("api:evaluation_reports")).json() == []
    services.report_move(p["municipal"], r.pk, "publish")
    own = hd.get(area, {"code": HAIDIAN})
    assert own.status_code == 200
    text = own.content.decode()
    mine = r.areas.get(area_code=HAIDIAN)
    assert "海淀意见金丝雀" in text and "朝阳意见金丝雀" not in text
    assert f"第 {mine.rank} 名" in text
    assert "朝阳区" not in text  # not even another district's name
    assert hd.get(area, {"code": CHAOYANG}).status_code == 404
    assert hd.get(area).status_code == 200  # without a code: its own
    assert "朝阳意见金丝雀" in cy.get(area, {"code": CHAOYANG}).content.decode()
    assert "海淀意见金丝雀" not in cy.get(area, {"code": CHAOYANG}).content.decode()
    # the report's page, its files and the index's list are the overseers'
    assert hd.get(reverse("evaluation:detail", args=[r.pk])).status_code == 403
    assert hd.get(reverse("evaluation:pdf", args=[r.pk])).status_code == 403
    index = hd.get(reverse("evaluation:index")).content.decode()
    assert "海淀区" in index and "朝阳区" not in index
    api = hd.get(reverse("api:evaluation_report", args=[r.pk])).json()
    assert [a["code"] for a in api["areas"]] == [HAIDIAN] and api["areas"][0]["comment"] == "海淀意见金丝雀"
    assert login(p["enterprise"]).get(reverse("api:evaluation_reports")).status_code == 403


def test_the_pdf_numbers_are_the_excels(snapshot: Any, people: dict[str, Any]) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    r = _report(people)
    services.report_comment(people["evaluator"], r.pk, HAIDIAN, "意见写入报告")
    c = login(people["evaluator"])
    xlsx = c.get(reverse("evaluation:export", args=[r.pk]))
    pdf = c.get(reverse("evaluation:pdf", args=[r.pk]))
    assert xlsx.status_code == pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    areas = [row for row in rows[1:] if row and row[1] and str(row[1]).isdigit()]
    assert len(areas) == 16
    reader = PdfReader(io.BytesIO(pdf.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    compact = re.sub(r"\s+", "", text)
    # the stamps are printed
    assert snapshot.ruleset_hash in compact and r.indicators_hash in compact
    # per area: the rank line (rank, name, composite) and the score line (name, every indicator's score)
    score_cols = [i for i, h in enumerate(header) if str(h).endswith("得分") and h != "综合得分"]
    for row in areas:
        rank, name, composite = row[0], row[2], row[3]
        shown = "无数据" if isinstance(composite, str) else f"{Decimal(str(composite)):.2f}"
        assert f"{rank}{name}{shown}" in compact, (rank, name, shown)
        scores = "".join("无数据" if isinstance(row[i], str) else f"{Decimal(str(row[i])):.2f}" for i in score_cols)
        assert f"{name}{scores}" in compact, (name, scores)
    assert "意见写入报告" in compact
    assert len(reader.pages) >= 3


def test_sub_parks_sum_their_districts(snapshot: Any, people: dict[str, Any]) -> None:
    d = _report(people)
    s = _report(people, "subpark")
    assert s.area_kind == "subpark" and len(s.areas_hash) == 64
    hd, park = d.areas.get(area_code=HAIDIAN), s.areas.get(area_code="ZGC-HD")
    assert park.districts == [HAIDIAN] and park.measures == hd.measures and park.values == hd.values
    assert selectors.report_reproduce(s, people["evaluator"]).ok
    services.report_move(people["evaluator"], s.pk, "submit")
    services.report_move(people["municipal"], s.pk, "publish")
    page = login(people["haidian"]).get(reverse("evaluation:index")).content.decode()
    assert "中关村海淀园" in page and "中关村朝阳园" not in page


def test_a_changed_stamp_is_noticed(snapshot: Any, people: dict[str, Any]) -> None:
    r = _report(people)
    hd = r.areas.get(area_code=HAIDIAN)
    AreaResult.objects.filter(pk=hd.pk).update(composite=Decimal("1.00"))
    out = selectors.report_reproduce(EvaluationReport.objects.get(pk=r.pk), people["evaluator"])
    assert not out.ok and any(x.startswith(HAIDIAN) for x in out.differences)
    EvaluationReport.objects.filter(pk=r.pk).update(
        indicators_text=r.indicators_text.replace("weight: 15", "weight: 16", 1)
    )
    assert not selectors.report_reproduce(EvaluationReport.objects.get(pk=r.pk), people["evaluator"]).indicators_match
