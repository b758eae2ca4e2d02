"""The field classifier in the certification app (ADR 0034): the suggestion stored at the start, a change of the
declared field recorded, the mismatch flag at submission at the boundary of its parameter, the reserved seat of
the panel, and the pages that show them. On a real published snapshot; SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.certification import fields as field_ai
from gaoqi.web.certification import panels
from gaoqi.web.certification import services as sv
from gaoqi.web.certification.config import process_config
from gaoqi.web.certification.models import Expert
from tests.web.certification.conftest import FIELD, SECTIONS, draft
from tests.web.conftest import login, make_user

#: What the registration feed says of a water-treatment company (the declared field is FIELD, 电子信息).
WATER = [
    "污水处理及其再生利用；水污染治理；环保设备销售；技术开发。",
    "一种农村生活污水一体化处理设备",
    "一种MBR膜组件的清洗方法",
    "一种工业废水零排放的分盐结晶方法",
]
CHIPS = ["集成电路设计；集成电路芯片设计及服务。", "一种低功耗蓝牙射频收发电路", "集成电路布图设计：BLE主控芯片"]


@pytest.fixture()
def texts(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The enterprise's registration texts, set by the test (the snapshot's are whatever the generator drew)."""
    held = {"texts": CHIPS}
    monkeypatch.setattr(field_ai, "registration_texts", lambda uscc, prefill=None: list(held["texts"]))
    return held


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


@pytest.mark.django_db
def test_the_suggestion_is_stored_and_a_change_recorded(
    people: dict[str, Any], clock: dict[str, dt.date], texts: dict[str, list[str]]
) -> None:
    p = people
    app = sv.application_start(p["enterprise"], as_of=dt.date(2026, 6, 30), tech_field="新材料")
    s = app.field_suggestion
    assert (s["field"], s["field_code"], s["sub_field_code"], s["sub_field_name"]) == (
        "电子信息",
        "1",
        "1.2",
        "微电子技术",
    )
    assert s["confidence"] > 0.8 and s["evidence"] and s["model_version"].startswith("fields-linear-")
    # the enterprise declared another field than the suggestion: recorded, never silently
    [change] = s["changes"]
    assert (change["from"], change["to"], change["away_from_suggestion"]) == ("电子信息", "新材料", True)
    [event] = _events("application.field_change")
    assert event.detail["to"] == "新材料" and event.target == f"application:{app.pk}"
    # back to the suggestion: recorded too (not away from it); an unchanged field records nothing
    app = sv.application_update_form(p["enterprise"], app, {"tech_field": "电子信息"})
    app = sv.application_update_form(p["enterprise"], app, {"tech_field": "电子信息"})
    assert [(c["from"], c["to"], c["away_from_suggestion"]) for c in app.field_suggestion["changes"]] == [
        ("电子信息", "新材料", True),
        ("新材料", "电子信息", False),
    ]
    assert len(_events("application.field_change")) == 2


@pytest.mark.django_db
def test_the_suggested_field_declared_records_no_change(
    people: dict[str, Any], clock: dict[str, dt.date], texts: dict[str, list[str]]
) -> None:
    app = sv.application_start(people["enterprise"], as_of=dt.date(2026, 6, 30), tech_field="电子信息")
    assert app.field_suggestion["field"] == "电子信息" and app.field_suggestion["changes"] == []
    assert _events("application.field_change") == []


@pytest.mark.django_db
@pytest.mark.parametrize("above", [False, True])
def test_the_mismatch_flag_at_the_boundary_of_its_parameter(
    people: dict[str, Any],
    clock: dict[str, dt.date],
    texts: dict[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
    above: bool,
) -> None:
    """Predicted field ≠ declared with confidence c (as stored, 4 decimals): flagged when the parameter is c (≥),
    not when it is the next stored value above c."""
    app = draft(people)  # declared 电子信息, products and projects of image recognition
    texts["texts"] = WATER
    expected = field_ai.check(FIELD, WATER + field_ai.form_texts(SECTIONS))
    c = float(expected["confidence"])
    assert expected["field"] == "资源与环境" and 0.3 < c < 0.9999
    monkeypatch.setitem(process_config().fields, "mismatch_confidence", round(c + 0.0001, 4) if above else c)
    app = sv.application_transition(people["enterprise"], app, "submit")
    check = app.field_check
    assert (check["declared"], check["field"], check["sub_field_code"]) == (FIELD, "资源与环境", "7.1")
    assert check["confidence"] == round(c, 4) and check["mismatch"] is (not above)
    assert len(_events("application.field_mismatch")) == (0 if above else 1)


@pytest.mark.django_db
def test_no_flag_when_the_evidence_agrees(
    people: dict[str, Any], clock: dict[str, dt.date], texts: dict[str, list[str]]
) -> None:
    app = sv.application_transition(people["enterprise"], draft(people), "submit")
    assert app.field_check["field"] == FIELD and app.field_check["mismatch"] is False


@pytest.mark.django_db
def test_a_flagged_application_reserves_a_seat_for_the_predicted_field(
    people: dict[str, Any], clock: dict[str, dt.date], texts: dict[str, list[str]]
) -> None:
    p = people
    water = []
    for i in range(3):
        u = make_user("expert", f"water{i}")
        water.append(Expert.objects.create(user=u, kind="technical", fields=["资源与环境"]))
    app = draft(p)
    texts["texts"] = WATER
    app = sv.application_transition(p["enterprise"], app, "submit")
    assert app.field_check["mismatch"] is True
    app = sv.application_transition(p["district"], app, "district_pass")
    panel = sv.panel_draw(p["municipal"], app, seed=11)
    assert panel.routing["field"] == "资源与环境" and panel.routing["seats"] == 1
    [routed] = panel.routing["expert_ids"]
    assert routed in {e.pk for e in water} and routed in panel.expert_ids
    assert panel.leader_id not in {e.pk for e in water}  # the leader is of the declared field
    assert _events("panel.draw")[-1].detail["routing"]["field"] == "资源与环境"
    # the panel says so, on the application page of the municipal office and of the panel's experts
    page = login(p["municipal"]).get(f"/certification/{app.pk}/").content.decode()
    assert "申报领域与佐证材料不一致" in page and "为“资源与环境”领域专家预留 1 个技术专家席位" in page
    expert = Expert.objects.get(pk=routed)
    page = login(expert.user).get(f"/certification/{app.pk}/").content.decode()
    assert "申报领域与佐证材料不一致" in page and "预留 1 个技术专家席位" in page
    app = sv.application_transition(p["municipal"], app, "accept")
    score_page = login(expert.user).get(f"/certification/{app.pk}/score/").content.decode()
    assert "申报领域与佐证材料不一致</strong>：申报领域为“电子信息”" in score_page


@pytest.mark.django_db
def test_the_pages_show_the_suggestion_and_the_flag(
    people: dict[str, Any], clock: dict[str, dt.date], texts: dict[str, list[str]]
) -> None:
    p = people
    index = login(p["enterprise"]).get("/certification/").content.decode()
    assert "系统建议：<strong>电子信息</strong> · 微电子技术" in index
    assert "<option selected>电子信息</option>" in index  # the start form is prefilled with it
    app = draft(p)
    texts["texts"] = WATER
    app = sv.application_transition(p["enterprise"], app, "submit")
    own = login(p["enterprise"]).get(f"/certification/{app.pk}/").content.decode()
    assert "发起申请时系统建议：<strong>电子信息</strong>" in own
    assert "申报领域与佐证材料不一致" not in own  # the flag is for the reviewers and experts
    district = login(p["district"]).get(f"/certification/{app.pk}/").content.decode()
    assert "申报领域与佐证材料不一致</strong>：申报领域为“电子信息”" in district
    assert "资源与环境 · 水污染控制与水资源利用技术" in district and "污水" in district


def test_the_draw_reserves_seats_reproducibly() -> None:
    on = dt.date(2026, 7, 1)
    pool = [panels.Expert(id=f"T{i}", name=f"t{i}", kind="technical", fields=frozenset({"电子信息"})) for i in range(6)]
    pool += [
        panels.Expert(id=f"W{i}", name=f"w{i}", kind="technical", fields=frozenset({"资源与环境"})) for i in range(4)
    ]
    pool += [panels.Expert(id=f"F{i}", name=f"f{i}", kind="financial") for i in range(2)]
    rules = panels.PanelRules()
    plain = panels.draw_panel("91110108MA0000001X", "电子信息", pool, rules, seed=5, on=on)
    assert plain.reserved_ids == () and plain.reserved_field is None
    assert panels.draw_panel("91110108MA0000001X", "电子信息", pool, rules, 5, on, reserve=("电子信息", 1)) == plain
    routed = panels.draw_panel("91110108MA0000001X", "电子信息", pool, rules, 5, on, reserve=("资源与环境", 1))
    assert routed.reserved_field == "资源与环境" and routed.reserved_seats == 1
    assert len(routed.reserved_ids) == 1 and routed.reserved_ids[0].startswith("W")
    assert routed.reserved_ids[0] in routed.expert_ids and routed.leader_id.startswith("T")
    assert sum(e.startswith(("T", "W")) for e in routed.expert_ids) >= rules.min_technical
    assert routed == panels.draw_panel("91110108MA0000001X", "电子信息", pool, rules, 5, on, reserve=("资源与环境", 1))
    assert panels.redraw_check(routed, pool, rules).matches
    two = panels.draw_panel("91110108MA0000001X", "电子信息", pool, rules, 5, on, reserve=("资源与环境", 9))
    assert len(two.reserved_ids) == rules.min_technical - 1  # one technical seat stays for a leader of the field
    none = panels.draw_panel("91110108MA0000001X", "电子信息", pool, rules, 5, on, reserve=("航空航天", 1))
    assert none.reserved_field == "航空航天" and none.reserved_ids == ()  # nobody to route to: the field fills it
