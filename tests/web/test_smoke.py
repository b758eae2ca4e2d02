"""The published snapshot reaches the pages: a municipal official sees every enterprise, with results."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import login


@pytest.mark.django_db
def test_snapshot_publishes_every_enterprise_and_result(snapshot: Any) -> None:
    from gaoqi.web.enterprises.models import Enterprise, PolicyResult

    assert snapshot.status == "published" and snapshot.is_current
    assert Enterprise.objects.count() == snapshot.enterprises == 300 + 0
    assert PolicyResult.objects.filter(snapshot=snapshot).count() == snapshot.results == 300 * 6


@pytest.mark.django_db
def test_municipal_pages_render(users: dict[str, Any]) -> None:
    c = login(users["municipal"])
    from gaoqi.web.enterprises.models import Enterprise

    e = Enterprise.objects.order_by("uscc").first()
    assert e is not None
    for url in ["/", "/enterprises/", f"/enterprises/{e.uscc}/", "/policies/", "/policies/hte-certification/"]:
        assert c.get(url).status_code == 200, url
