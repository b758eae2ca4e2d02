"""Two officials (or experts, or browser tabs) acting on the same object at the same moment: exactly one wins,
the other is told the object has changed, and nothing is lost or left half-done.

Each race runs its actors in real threads with their own database connections, released together by a barrier,
against the configured database (PostgreSQL: row locks; SQLite: IMMEDIATE transactions). Every actor works from
a copy of the object loaded before the race, as a view does before calling its service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gaoqi.web import roles
from gaoqi.web.certification import services as sv
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.config import process_config
from tests.web.certification.conftest import FIELD, PILOT_DECLARATIONS, draft
from tests.web.conftest import make_user, race

pytestmark = pytest.mark.django_db(transaction=True)


def one_winner(results: list[tuple[str, Any]]) -> tuple[int, Exception]:
    """Exactly one call succeeded and the other was refused as stale (not a database error): (winner, refusal)."""
    oks = [i for i, (kind, _) in enumerate(results) if kind == "ok"]
    errors = [r for kind, r in results if kind == "error"]
    assert len(oks) == 1, f"expected exactly one winner, got {results}"
    assert len(errors) == len(results) - 1
    for exc in errors:
        assert isinstance(exc, sv.DomainError), f"the loser got {type(exc).__name__}: {exc}, not a clear refusal"
    return oks[0], errors[0]


def _filed_with_post_check(p: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    from gaoqi.web.certification.models import PostCheck

    app = draft(p)
    sv.application_declare(p["enterprise"], app, PILOT_DECLARATIONS)
    monkeypatch.setitem(process_config().pilot, "post_check_share", 1.0)
    app = sv.application_transition(p["enterprise"], app, "file")
    assert app.status == wf.FILED
    return PostCheck.objects.get(application=app)


def test_two_officials_completing_one_post_check(
    people: dict[str, Any], clock: dict[str, dt.date], monkeypatch: pytest.MonkeyPatch
) -> None:
    from gaoqi.web.certification.models import Certificate, PostCheck

    check = _filed_with_post_check(people, monkeypatch)
    other = make_user(roles.MUNICIPAL, "muni2")
    stale_a, stale_b = PostCheck.objects.get(pk=check.pk), PostCheck.objects.get(pk=check.pk)
    results = race(
        lambda: sv.post_check_complete(people["municipal"], stale_a, passed=True),
        lambda: sv.post_check_complete(other, stale_b, passed=False, reasons="研发费用归集不实"),
    )
    winner, refusal = one_winner(results)
    assert "已由他人完成" in str(refusal)
    check.refresh_from_db()
    cert = Certificate.objects.get(application=check.application)
    app = check.application
    app.refresh_from_db()
    # the recorded outcome and the certificate agree, whoever won
    if winner == 0:
        assert (check.outcome, check.reasons, cert.status, app.status) == ("passed", "", "valid", wf.FILED)
    else:
        assert (check.outcome, cert.status, app.status) == ("failed", "revoked", wf.REVOKED)
        assert check.reasons == "研发费用归集不实"


def test_two_sessions_saving_sections_and_declaring_at_once_lose_nothing(
    people: dict[str, Any], clock: dict[str, dt.date]
) -> None:
    from gaoqi.web.certification.models import Application

    ent = people["enterprise"]
    app = sv.application_start(ent, as_of=dt.date(2026, 6, 30), tech_field=FIELD)
    sv.application_update_form(ent, app, {"rd_projects": [{"code": "RD01", "name": "智能识别算法研发"}]})
    stale = [Application.objects.get(pk=app.pk) for _ in range(3)]
    results = race(
        lambda: sv.application_update_form(ent, stale[0], {"products": [{"code": "PS01", "name": "识别模组"}]}),
        lambda: sv.application_update_form(ent, stale[1], {"results": [{"code": "CG01", "name": "成果转化"}]}),
        lambda: sv.application_declare(ent, stale[2], [sv.COMMITMENT]),
    )
    assert [kind for kind, _ in results] == ["ok", "ok", "ok"], results
    app.refresh_from_db()
    assert {k for k, v in app.form.items() if v} == {"rd_projects", "products", "results"}
    assert set(app.declarations) == {sv.COMMITMENT}


def test_two_officials_handling_one_objection(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    from gaoqi.web.certification.models import Application, Objection

    app = draft(people)
    Application.objects.filter(pk=app.pk).update(status=wf.PUBLICITY)  # the route there is tested elsewhere
    obj = sv.objection_file(app, name="张三", contact="13800000000", content="研发费用存疑")
    other = make_user(roles.MUNICIPAL, "muni2")
    stale_a, stale_b = Objection.objects.get(pk=obj.pk), Objection.objects.get(pk=obj.pk)
    results = race(
        lambda: sv.objection_handle(people["municipal"], stale_a, upheld=True, handling="经核实异议成立"),
        lambda: sv.objection_handle(other, stale_b, upheld=False, handling="经核实异议不成立"),
    )
    winner, refusal = one_winner(results)
    assert "已处理" in str(refusal) or "不在公示期" in str(refusal)
    obj.refresh_from_db()
    app.refresh_from_db()
    assert obj.upheld is (winner == 0)
    assert app.status == (wf.REJECTED if winner == 0 else wf.PUBLICITY)
    # and a handled objection cannot be decided again afterwards
    with pytest.raises(sv.StaleActionError):
        sv.objection_handle(other, obj, upheld=not obj.upheld, handling="改判")


def test_two_officials_editing_one_expert(people: dict[str, Any]) -> None:
    from gaoqi.web.certification.models import Expert

    expert = people["experts"][0]
    other = make_user(roles.MUNICIPAL, "muni2")
    version = Expert.objects.get(pk=expert.pk).version
    kw: dict[str, Any] = {"employer_uscc": "", "past_employers": [], "version": version}
    results = race(
        lambda: sv.expert_update(people["municipal"], expert, active=False, avoid_usccs=[], **kw),
        lambda: sv.expert_update(other, expert, active=True, avoid_usccs=["91110108MA00000001"], **kw),
    )
    winner, refusal = one_winner(results)
    assert "已被他人修改" in str(refusal)
    expert.refresh_from_db()
    assert expert.version == version + 1
    assert (expert.active, expert.avoid_usccs) == ((False, []) if winner == 0 else (True, ["91110108MA00000001"]))


def test_district_pass_and_return_at_once(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    from gaoqi.web.certification.models import Application
    from gaoqi.web.core.models import WorkflowLog

    app = sv.application_transition(people["enterprise"], draft(people), "submit")
    colleague = make_user(roles.DISTRICT, "dist_colleague", district_code=app.district_code)
    stale_a, stale_b = Application.objects.get(pk=app.pk), Application.objects.get(pk=app.pk)
    results = race(
        lambda: sv.application_transition(people["district"], stale_a, "district_pass"),
        lambda: sv.application_transition(colleague, stale_b, "district_return", "请补充材料"),
    )
    winner, refusal = one_winner(results)
    assert isinstance(refusal, sv.StaleActionError)
    app.refresh_from_db()
    assert app.status == (wf.MUNICIPAL_REVIEW if winner == 0 else wf.CORRECTION)
    assert WorkflowLog.objects.filter(application=app, action__in=["district_pass", "district_return"]).count() == 1


def test_two_starts_at_once_make_one_application(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    from gaoqi.web.certification.models import Application

    def start() -> Any:
        return sv.application_start(people["enterprise"], as_of=dt.date(2026, 6, 30), tech_field=FIELD)

    _, refusal = one_winner(race(start, start))
    assert "进行中的申请" in str(refusal)
    assert Application.objects.filter(uscc=people["enterprise"].uscc).count() == 1


def _in_expert_review(p: dict[str, Any]) -> Any:
    app = sv.application_transition(p["enterprise"], draft(p), "submit")
    app = sv.application_transition(p["district"], app, "district_pass")
    sv.panel_draw(p["municipal"], app, seed=20260701)
    return sv.application_transition(p["municipal"], app, "accept")


def _panel_users(app: Any) -> list[Any]:
    from gaoqi.web.certification.models import Expert

    return [e.user for e in Expert.objects.filter(pk__in=app.panel.expert_ids).select_related("user").order_by("pk")]


def test_the_last_two_experts_scoring_at_once_move_the_application_on(
    people: dict[str, Any], clock: dict[str, dt.date]
) -> None:
    from gaoqi.web.certification.models import Application, Score

    app = _in_expert_review(people)
    experts = _panel_users(app)
    top = {k: hi for k, (_, hi, _) in sv.score_ranges(app).items()}
    for user in experts[:-2]:
        sv.score_submit(user, app, top)
    stale = Application.objects.get(pk=app.pk)
    results = race(*(lambda u=u: sv.score_submit(u, stale, top) for u in experts[-2:]))
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    app.refresh_from_db()
    assert Score.objects.filter(panel=app.panel).count() == len(experts)
    assert app.status == wf.DECISION
    assert list(app.transitions.filter(action="scores_complete").values_list("target", flat=True)) == [wf.DECISION]


def test_one_expert_submitting_twice_at_once(people: dict[str, Any], clock: dict[str, dt.date]) -> None:
    from gaoqi.web.certification.models import Score

    app = _in_expert_review(people)
    user = _panel_users(app)[0]
    top = {k: hi for k, (_, hi, _) in sv.score_ranges(app).items()}
    _, refusal = one_winner(race(lambda: sv.score_submit(user, app, top), lambda: sv.score_submit(user, app, top)))
    assert "已提交过" in str(refusal)
    assert Score.objects.filter(panel=app.panel).count() == 1
