"""One error type, one answer: the API's JSON shape {"error": {"code", "message", "fields"}} with its status
(400 input, 401, 403, 404, 409), the pages' Chinese page of the status, an htmx request's fragment, and a
refused form back on its page with the message."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test import Client

from gaoqi.web import roles
from gaoqi.web.core import errors
from tests.web.conftest import login
from tests.web.core.scoping_factories import USCC_A, USCC_C, World, world

__all__ = ["world"]


def _error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}, body
    error: dict[str, Any] = body["error"]
    return error


def test_the_kinds_and_their_statuses() -> None:
    from gaoqi.web.core import locks

    kinds = [errors.DomainError, errors.Forbidden, errors.NotFound, errors.Conflict, errors.StaleActionError]
    assert [(k.status, k.code) for k in kinds] == [
        (400, "invalid"), (403, "forbidden"), (404, "not_found"), (409, "conflict"), (409, "stale"),
    ]  # fmt: skip
    # the services' imports keep working: one class, re-exported
    assert locks.DomainError is errors.DomainError and locks.StaleActionError is errors.StaleActionError
    assert str(errors.StaleActionError()) == locks.STALE
    exc = errors.DomainError("名称过长", code="too_long", fields={"name": "最多 64 个字符"})
    assert (exc.message, exc.code, exc.fields, exc.status) == ("名称过长", "too_long", {"name": "最多 64 个字符"}, 400)
    assert isinstance(exc, ValueError)  # callers catching ValueError still catch it


def test_a_form_refuses_through_the_one_error_type() -> None:
    class F(forms.Form):
        year = forms.IntegerField(error_messages={"required": "请填写报告年度", "invalid": "请填写报告年度"})

    with pytest.raises(errors.DomainError) as caught:
        errors.valid_data(F({"year": "abc"}))
    assert (caught.value.message, caught.value.fields) == ("请填写报告年度", {"year": "请填写报告年度"})
    assert errors.valid_data(F({"year": "2026"})) == {"year": 2026}


@pytest.mark.django_db
def test_the_api_answers_every_refusal_in_one_shape(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    district = login(world.users[roles.DISTRICT])
    assert district.get(f"/api/enterprises/{USCC_A}").status_code == 200
    r = district.get(f"/api/enterprises/{USCC_C}")  # another district's: as if it did not exist
    error = _error(r)
    assert r.status_code == 404 and error["code"] == "not_found" and "管辖范围" in error["message"]
    r = district.get(f"/api/enterprises/{USCC_A}/explain/hte-certification")  # no snapshot file: no explanation
    assert r.status_code == 404 and _error(r)["code"] == "not_found"
    r = Client().get("/api/policies")
    assert r.status_code == 401 and _error(r)["code"] == "unauthenticated"
    r = login(world.users[roles.EXPERT]).get("/api/enterprises")
    assert r.status_code == 403 and _error(r)["code"] == "forbidden"
    r = login(world.users[roles.MUNICIPAL]).get("/api/enterprises", {"page": "0", "page_size": "x"})
    error = _error(r)
    assert r.status_code == 400 and error["code"] == "invalid"
    assert error["fields"] == {"page": "不能小于 1", "page_size": "应为整数"}
    r = district.get("/api/nowhere")
    assert r.status_code == 404 and _error(r)["code"] == "not_found"

    # a service's refusal inside an operation: its own status, code and message
    from gaoqi.web.enterprises import selectors

    def stale(*args: Any) -> Any:
        raise errors.StaleActionError()

    monkeypatch.setattr(selectors, "enterprise_get", stale)
    r = district.get(f"/api/enterprises/{USCC_A}")
    assert r.status_code == 409 and _error(r) == {"code": "stale", "message": errors.StaleActionError.default_message,
                                                  "fields": {}}  # fmt: skip


@pytest.mark.django_db
def test_a_page_shows_a_refusal_as_its_status_page_or_fragment(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from gaoqi.web.dashboard import views

    def refused(user: Any) -> Any:
        raise errors.Conflict("该批次正在发布，请稍后再试")

    monkeypatch.setattr(views, "dashboard_figures", refused)
    c = login(world.users[roles.MUNICIPAL])
    r = c.get("/")
    page = r.content.decode()
    assert (
        r.status_code == 409 and "409 操作未完成" in page and "该批次正在发布，请稍后再试" in page and "<html" in page
    )
    r = c.get("/", HTTP_HX_REQUEST="true")  # htmx swaps the message in, not a page inside the page
    fragment = r.content.decode()
    assert r.status_code == 409 and "该批次正在发布，请稍后再试" in fragment and "<html" not in fragment
    assert 'role="alert"' in fragment


@pytest.mark.django_db
def test_an_out_of_scope_fragment_is_a_fragment_404(world: World) -> None:
    c = login(world.users[roles.DISTRICT])
    r = c.get(f"/enterprises/{USCC_C}/explain/hte-certification/", HTTP_HX_REQUEST="true")
    assert r.status_code == 404 and "<html" not in r.content.decode() and "不在您的管辖范围内" in r.content.decode()
    r = c.get(f"/enterprises/{USCC_C}/")
    assert r.status_code == 404 and "404 页面不存在" in r.content.decode()


@pytest.mark.django_db
def test_a_refused_form_goes_back_to_its_page_with_the_message(world: World) -> None:
    from gaoqi.web.intake.models import Snapshot

    c = login(world.users[roles.MUNICIPAL])
    before = Snapshot.objects.count()
    r = c.post("/intake/publish/", {"as_of": "2026-13-01"}, follow=True)
    assert r.redirect_chain == [("/intake/", 302)]
    assert [str(m) for m in r.context["messages"]] == ["评估基准日格式应为 YYYY-MM-DD"]
    assert Snapshot.objects.count() == before
    r = c.post("/intake/upload/", {}, follow=True)
    assert [str(m) for m in r.context["messages"]] == ["请选择文件"]


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
def test_an_api_failure_is_the_shape_never_a_traceback(
    world: World, monkeypatch: pytest.MonkeyPatch, debug: bool
) -> None:
    from django.test import override_settings

    from gaoqi.web.enterprises import selectors

    def broken(*args: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "enterprise_get", broken)
    c = Client(raise_request_exception=False)
    c.force_login(world.users[roles.MUNICIPAL])
    with override_settings(DEBUG=debug):
        r = c.get(f"/api/enterprises/{USCC_A}")
    assert r.status_code == 500 and _error(r) == {"code": "server_error", "message": "服务器内部错误", "fields": {}}
    assert b"boom" not in r.content and b"Traceback" not in r.content
