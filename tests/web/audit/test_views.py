"""审计日志 views: the filter and the verification anchor parsed by forms."""

from __future__ import annotations

import pytest

from gaoqi.web import roles
from tests.web.conftest import login
from tests.web.core.scoping_factories import World, world

__all__ = ["world"]


@pytest.mark.django_db
def test_the_log_filter_and_the_anchor(world: World) -> None:
    from gaoqi.web.audit.models import AuditEvent

    c = login(world.users[roles.AUDITOR])
    r = c.get("/audit/", {"action": "scoping.test"})
    assert [e.action for e, *_ in r.context["rows"]] == ["scoping.test"]
    assert r.context["query_prefix"] == "action=scoping.test&"
    assert c.get("/audit/verify/", {"anchor_id": "x", "anchor_hash": "y"}).context["anchor"] is None
    first = AuditEvent.objects.order_by("id").first()
    assert first is not None
    r = c.get("/audit/verify/", {"anchor_id": str(first.pk), "anchor_hash": f" {first.hash} "})
    assert r.context["anchor"] == (first.pk, first.hash) and r.context["result"].ok
    for who in (roles.SYSADMIN, roles.SECADMIN, roles.MUNICIPAL):
        assert login(world.users[who]).get("/audit/").status_code == 403, who
