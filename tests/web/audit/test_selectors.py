"""audit_entries_visible_to: the log is the audit administrator's alone (三员分立)."""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.audit import selectors
from tests.web.core.scoping_factories import World, world

__all__ = ["world"]


def test_audit_entries_visible_to_the_auditor_only(world: World) -> None:
    auditor = world.users[roles.AUDITOR]
    entries = list(selectors.audit_entries_visible_to(auditor))
    assert [e.action for e in entries] == ["scoping.test"]
    assert [e.action for e in selectors.audit_events(auditor, action="scoping.test")] == ["scoping.test"]
    assert not selectors.audit_events(auditor, action="nothing.here").exists()
    assert [e.username for e in selectors.audit_events(auditor, username="s_municipal")] == ["s_municipal"]
    for who in set(world.users) - {roles.AUDITOR}:  # the system and security administrators included
        assert not selectors.audit_entries_visible_to(world.users[who]).exists(), who
