"""The migrations to the one workflow mechanism keep what was recorded: an objection's decision becomes its status,
and the applications' transition log rows move into core.WorkflowLog with their order, actor, times, comments and
working days (and back, when the migrations are reversed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("certification", "0003_name_change_completed_on"), ("core", "0001_initial")]
AFTER = [("certification", "0005_workflow_log")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_objection_decisions_and_transition_logs_survive_the_migrations() -> None:
    old = _migrate(BEFORE)
    user = old.get_model("accounts", "User").objects.create(
        username="ent_m", role="enterprise", uscc="91110108MA0000001X"
    )
    app = old.get_model("certification", "Application").objects.create(
        uscc="91110108MA0000001X", enterprise_name="甲", district_code="110108", year=2026, tech_field="电子信息",
        status="publicity", stage_started_at=dt.date(2026, 7, 1), as_of=dt.date(2026, 6, 30), created_by=user,
    )  # fmt: skip
    Log = old.get_model("certification", "TransitionLog")
    at = dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC)
    steps = [
        ("start", "", "draft", None),
        ("submit", "draft", "district_review", 0),
        ("approve", "decision", "publicity", 4),
    ]
    for action, source, target, used in steps:
        row = Log.objects.create(application=app, action=action, source=source, target=target, actor=user,
                                 comment=f"{action}意见", workdays_used=used)  # fmt: skip
        Log.objects.filter(pk=row.pk).update(at=at)
    Objection = old.get_model("certification", "Objection")
    for upheld in (None, True, False):
        Objection.objects.create(application=app, name="张三", contact="1", content=str(upheld), upheld=upheld)

    new = _migrate(AFTER)
    WorkflowLog = new.get_model("core", "WorkflowLog")
    rows = WorkflowLog.objects.order_by("id")
    assert [(r.workflow, r.object_id, r.action, r.source, r.target, r.actor_id, r.comment, r.workdays_used, r.at)
            for r in rows] == [("application", app.pk, a, s, t, user.pk, f"{a}意见", u, at) for a, s, t, u in steps]  # fmt: skip
    assert {r.content_type.model for r in rows} == {"application"}
    statuses = dict(new.get_model("certification", "Objection").objects.values_list("content", "status"))
    assert statuses == {"None": "pending", "True": "upheld", "False": "dismissed"}

    back = _migrate(BEFORE)
    assert list(
        back.get_model("certification", "TransitionLog").objects.order_by("id").values_list("action", "workdays_used")
    ) == [(a, u) for a, _, _, u in steps]
    upheld = dict(back.get_model("certification", "Objection").objects.values_list("content", "upheld"))
    assert upheld == {"None": None, "True": True, "False": False}
    _migrate_all()


def _migrate_all() -> None:
    """Every app forward to its latest migration again: going back to 0003 also unapplied what depends on the later
    certification migrations (the revocation referrals, the spot checks), and the next tests on this database
    need them."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
