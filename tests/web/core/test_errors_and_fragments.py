"""Error pages are Chinese whatever DEBUG says, and a fragment opened directly leads to its page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from gaoqi.web import roles
from tests.web.conftest import login


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
def test_404_and_403_in_chinese_in_every_mode(users: dict[str, Any], debug: bool) -> None:
    with override_settings(DEBUG=debug):
        c = login(users[roles.DISTRICT])
        r = c.get("/enterprises/911101050000000000/")  # no such enterprise (or not the district's)
        assert (
            r.status_code == 404
            and "404 页面不存在" in r.content.decode()
            and "Page not found" not in r.content.decode()
        )
        r = c.get("/nowhere/")
        assert r.status_code == 404 and "页面不存在" in r.content.decode()
        r = c.get("/audit/")  # the auditor's page
        assert r.status_code == 403 and "禁止访问" in r.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
def test_a_server_error_is_a_chinese_page_and_is_logged(
    users: dict[str, Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, debug: bool
) -> None:
    from gaoqi.web.dashboard import views

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "render", broken)  # the dashboard fails while rendering
    c = Client(raise_request_exception=False)
    c.force_login(users[roles.MUNICIPAL])
    with override_settings(DEBUG=debug):
        r = c.get("/")
    assert r.status_code == 500
    page = r.content.decode()
    assert "500 服务器内部错误" in page and "Traceback" not in page and "boom" not in page
    assert any("500 GET /" in rec.getMessage() for rec in caplog.records)


@pytest.mark.django_db
def test_the_database_gone_under_a_request_is_a_503_to_retry_not_a_500(
    users: dict[str, Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A PostgreSQL restart cuts the statement in flight (ADR 0041): 503 with Retry-After, in Chinese, a warning
    in the log; a 500 stays for real bugs."""
    from django.db import OperationalError

    from gaoqi.web.dashboard import views

    def cut_off(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(views, "render", cut_off)
    c = Client(raise_request_exception=False)
    c.force_login(users[roles.MUNICIPAL])
    r = c.get("/")
    assert r.status_code == 503 and r["Retry-After"] == "5"
    page = r.content.decode()
    assert "503 服务暂时不可用" in page and "administrator" not in page
    assert any(rec.levelname == "WARNING" and "503 GET /" in rec.getMessage() for rec in caplog.records)
    assert not any(rec.exc_info or "500 GET" in rec.getMessage() for rec in caplog.records)  # no traceback


@pytest.mark.django_db
def test_fragments_opened_directly_go_to_their_page(users: dict[str, Any], snapshot: Any) -> None:
    from gaoqi.web.enterprises.models import Enterprise

    c = login(users[roles.MUNICIPAL])
    ent = Enterprise.objects.order_by("uscc").first()
    assert ent is not None
    url = f"/enterprises/{ent.uscc}/explain/hte-certification/"
    r = c.get(url)
    assert r.status_code == 302 and r["Location"] == f"/enterprises/{ent.uscc}/#policies"
    r = c.get(url, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "<html" not in r.content.decode()
    r = c.get(f"/intake/progress/{snapshot.pk}/")
    assert r.status_code == 302 and r["Location"] == "/intake/"
