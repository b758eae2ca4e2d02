"""数据汇聚 views: the municipal office's uploads and runs, inputs parsed by forms."""

from __future__ import annotations

import pytest

from gaoqi.web import roles
from tests.web.conftest import login
from tests.web.core.scoping_factories import World, world

__all__ = ["world"]


@pytest.mark.django_db
def test_the_intake_page_and_its_parameters(world: World) -> None:
    c = login(world.users[roles.MUNICIPAL])
    r = c.get("/intake/", {"load": "abc"})  # not a load: no quarantine rows, no error
    assert r.status_code == 200 and r.context["quarantine"] == [] and r.context["chosen"] is None
    assert [u.pk for u, _ in r.context["uploads"]] == [world.upload.pk]
    assert list(r.context["snapshots"]) == [world.snapshot]
    r = c.get(f"/intake/progress/{world.snapshot.pk}/", HTTP_HX_REQUEST="true")
    assert r.status_code == 286  # published: htmx stops polling
    assert c.get("/intake/progress/999999/", HTTP_HX_REQUEST="true").status_code == 404
    assert c.get("/intake/uploads/999999/quarantine.csv").status_code == 404
    assert login(world.users[roles.DISTRICT]).get("/intake/").status_code == 403
