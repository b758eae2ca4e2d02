"""The workflow mechanism (core/workflow.py) on a demonstration table over a model with a status (a snapshot's
queued → running → published | failed): the locked re-read, the stale refusal, the role, permission, comment
and guard checks on the fresh row, the log row and the audit entry — and a real race between two writers."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from gaoqi.web import roles
from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.core.locks import STALE, StaleActionError
from gaoqi.web.core.models import WorkflowLog
from gaoqi.web.core.workflow import (
    NEW,
    SYSTEM,
    Transition,
    Workflow,
    WorkflowError,
    create,
    registered,
    transition,
)
from tests.web import factories
from tests.web.conftest import race

MUNI = frozenset({roles.MUNICIPAL})
DEMO = Workflow(
    "demo",
    "快照",
    {"queued": "排队中", "running": "运行中", "published": "已发布", "failed": "失败"},
    (
        Transition("queue", NEW, "queued", MUNI, "排队"),
        Transition("run", "queued", "running", MUNI | {SYSTEM}, "开始运行", guard="has_source"),
        Transition("publish", "running", "published", MUNI, "发布"),
        Transition("fail", "running", "failed", MUNI, "标为失败", needs_comment=True, audit=""),
        Transition("retry", "failed", "queued", MUNI, "重新排队", audit="demo.requeue"),
    ),
)


def _snapshot(status: str, source_dir: str = "/feeds") -> Any:
    from gaoqi.web.intake.models import Snapshot

    return Snapshot.objects.create(as_of="2026-06-30", status=status, source_dir=source_dir)


def _has_source(actor: Any, snap: Any) -> str | None:
    return None if snap.source_dir else "没有数据目录"


GUARDS = {"has_source": _has_source}


def _move(snap: Any, action: str, actor: Any, **kw: Any) -> Any:
    from gaoqi.web.intake.models import Snapshot

    with transaction.atomic():
        return transition(DEMO, Snapshot, snap.pk, action, actor, guards=GUARDS, **kw)


@pytest.mark.django_db
def test_a_move_sets_the_status_and_writes_the_log_row_and_the_audit_entry() -> None:
    muni = factories.user(roles.MUNICIPAL, "muni")
    snap = _snapshot("queued")
    moved = _move(snap, "run", muni, seen="queued", comment="开始")
    snap.refresh_from_db()
    assert (snap.status, moved.obj.status, moved.source, moved.transition.target) == (
        "running", "running", "queued", "running",
    )  # fmt: skip
    log = WorkflowLog.objects.get()
    assert (log.workflow, log.subject, log.action, log.source, log.target, log.actor, log.comment) == (
        "demo", snap, "run", "queued", "running", muni, "开始",
    )  # fmt: skip
    assert log.at is not None and log.workdays_used is None and moved.log == log
    event = AuditEvent.objects.filter(action__startswith="demo.").get()
    assert (event.username, event.action, event.target, event.detail) == (
        "muni", "demo.run", f"demo:{snap.pk}", {"from": "queued", "to": "running", "comment": "开始"},
    )  # fmt: skip


@pytest.mark.django_db
def test_the_fresh_row_decides_not_the_callers_copy() -> None:
    from gaoqi.web.intake.models import Snapshot

    muni = factories.user(roles.MUNICIPAL, "muni")
    snap = _snapshot("queued")
    copy = Snapshot.objects.get(pk=snap.pk)
    Snapshot.objects.filter(pk=snap.pk).update(status="running")  # someone else's committed move
    # the page showed "queued": refused as stale, in words, and nothing written
    with pytest.raises(StaleActionError) as refused:
        _move(copy, "run", muni, seen=copy.status)
    assert str(refused.value) == f"快照已由“排队中”变为“运行中”，{STALE}"
    assert not WorkflowLog.objects.exists() and not AuditEvent.objects.filter(action__startswith="demo.").exists()
    # without a status seen (a system job), the action is looked up for the fresh status: publish is allowed
    _move(copy, "publish", muni)
    assert Snapshot.objects.get(pk=snap.pk).status == "published"
    assert list(WorkflowLog.objects.values_list("source", "target")) == [("running", "published")]


@pytest.mark.django_db
def test_the_guard_reads_the_fresh_row() -> None:
    from gaoqi.web.intake.models import Snapshot

    muni = factories.user(roles.MUNICIPAL, "muni")
    snap = _snapshot("queued", source_dir="/feeds")
    Snapshot.objects.filter(pk=snap.pk).update(source_dir="")  # changed after the caller loaded it
    with pytest.raises(WorkflowError, match=r"^没有数据目录$"):
        _move(snap, "run", muni, seen="queued")
    assert Snapshot.objects.get(pk=snap.pk).status == "queued"


@pytest.mark.django_db
def test_refusals_say_why() -> None:
    muni = factories.user(roles.MUNICIPAL, "muni")
    district = factories.user(roles.DISTRICT, "dist")
    running = _snapshot("running")
    cases: list[tuple[Any, str, Any, dict[str, Any], str]] = [
        (_snapshot("published"), "run", muni, {}, "状态“已发布”下不能执行该操作"),
        (_snapshot("published"), "run", muni, {"forbidden": "{noun}已是“{now}”"}, "快照已是“已发布”"),
        (running, "publish", district, {}, "您的角色不能执行“发布”"),
        (running, "publish", None, {}, "您的角色不能执行“发布”"),  # no actor: the system role
        (running, "fail", muni, {"comment": "  "}, "“标为失败”需要填写意见"),
        (running, "publish", muni, {"permit": lambda actor, obj: "只能操作本人的快照"}, "只能操作本人的快照"),
    ]
    for snap, action, actor, kw, message in cases:
        with pytest.raises(WorkflowError) as refused:
            _move(snap, action, actor, **kw)
        assert str(refused.value) == message
    assert not WorkflowLog.objects.exists()
    with pytest.raises(RuntimeError, match="no guard has_source"), transaction.atomic():
        from gaoqi.web.intake.models import Snapshot

        transition(DEMO, Snapshot, _snapshot("queued").pk, "run", muni)


@pytest.mark.django_db
def test_a_decided_object_refuses_as_stale_when_its_table_says_so() -> None:
    """A one-decision object (a post-check, an objection): no action left means someone else decided it."""
    from dataclasses import replace

    from gaoqi.web.intake.models import Snapshot

    once = replace(DEMO, forbidden="{noun}已{now}，{stale}", forbidden_is_stale=True)
    snap = _snapshot("published")
    with pytest.raises(StaleActionError) as refused, transaction.atomic():
        transition(once, Snapshot, snap.pk, "publish", factories.user(roles.MUNICIPAL, "muni"))
    assert str(refused.value) == f"快照已已发布，{STALE}"


@pytest.mark.django_db
def test_hooks_run_in_order_and_their_fields_are_saved() -> None:
    muni = factories.user(roles.MUNICIPAL, "muni")
    snap = _snapshot("running")
    calls: list[str] = []

    def prepare(actor: Any, obj: Any, t: Transition) -> None:
        calls.append(f"prepare:{obj.status}")

    def on_enter(obj: Any, t: Transition, log: WorkflowLog) -> list[str]:
        calls.append(f"enter:{obj.status}->{t.target}")
        obj.message, log.workdays_used = "运行中断", 3
        return ["message"]

    _move(snap, "fail", muni, comment="数据目录缺失", prepare=prepare, on_enter=on_enter)
    snap.refresh_from_db()
    assert calls == ["prepare:running", "enter:running->failed"]
    assert (snap.status, snap.message) == ("failed", "运行中断")
    log = WorkflowLog.objects.get()
    assert (log.action, log.workdays_used, log.comment) == ("fail", 3, "数据目录缺失")
    # audit="": the enclosing act audits; the log row is still written
    assert not AuditEvent.objects.filter(action__startswith="demo.").exists()
    _move(snap, "retry", muni)
    assert list(AuditEvent.objects.filter(action__startswith="demo.").values_list("action", flat=True)) == [
        "demo.requeue"
    ]


@pytest.mark.django_db
def test_create_logs_and_audits_the_first_status() -> None:
    from gaoqi.web.intake.models import Snapshot

    muni = factories.user(roles.MUNICIPAL, "muni")
    with transaction.atomic():
        snap = create(
            DEMO, "queue", muni, lambda status: Snapshot.objects.create(as_of="2026-06-30", status=status),
            audit_detail=lambda s: {"as_of": str(s.as_of)},
        )  # fmt: skip
    assert snap.status == "queued"
    log = WorkflowLog.objects.get()
    assert (log.subject, log.action, log.source, log.target, log.actor) == (snap, "queue", "", "queued", muni)
    event = AuditEvent.objects.filter(action__startswith="demo.").get()
    assert (event.action, event.target, event.detail) == ("demo.queue", f"demo:{snap.pk}", {"as_of": "2026-06-30"})
    with pytest.raises(WorkflowError, match="您的角色不能执行“排队”"):
        create(DEMO, "queue", None, lambda status: Snapshot.objects.create(as_of="2026-06-30", status=status))
    with pytest.raises(ValueError, match="must create the object in queued"), transaction.atomic():
        create(DEMO, "queue", muni, lambda status: Snapshot.objects.create(as_of="2026-06-30", status="running"))


@pytest.mark.django_db(transaction=True)  # a test outside any transaction, as a view before its service
def test_a_move_belongs_inside_a_transaction() -> None:
    from gaoqi.web.intake.models import Snapshot

    snap = _snapshot("queued")
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        transition(DEMO, Snapshot, snap.pk, "run", None, guards=GUARDS)


def test_a_table_with_unknown_statuses_or_two_moves_of_one_action_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown statuses"):
        Workflow("bad", "物", {"a": "甲"}, (Transition("go", "a", "b", MUNI, "前往"),))
    with pytest.raises(ValueError, match="<new> is not a status"):
        Workflow("bad", "物", {NEW: "新"}, ())
    with pytest.raises(ValueError, match="two transitions go"):
        Workflow("bad", "物", {"a": "甲", "b": "乙"}, (Transition("go", "a", "b", MUNI, "前往"),) * 2)
    assert DEMO.refusal("queued", "publish", roles.MUNICIPAL) == "状态“排队中”下不能执行该操作"
    assert DEMO.refusal("running", "publish", roles.DISTRICT) == "您的角色不能执行“发布”"
    assert DEMO.refusal("running", "publish", roles.MUNICIPAL) is None
    assert DEMO.audit_actions() == {"demo.queue", "demo.run", "demo.publish", "demo.requeue"}
    assert DEMO not in registered()  # only the platform's own tables are registered


@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_one_wins_the_other_is_told_it_is_stale() -> None:
    from gaoqi.web.intake.models import Snapshot

    muni, other = factories.user(roles.MUNICIPAL, "muni"), factories.user(roles.MUNICIPAL, "muni2")
    snap = _snapshot("running")
    copy_a, copy_b = Snapshot.objects.get(pk=snap.pk), Snapshot.objects.get(pk=snap.pk)
    results = race(
        lambda: _move(copy_a, "publish", muni, seen=copy_a.status),
        lambda: _move(copy_b, "fail", other, seen=copy_b.status, comment="数据有误"),
    )
    oks = [i for i, (kind, _) in enumerate(results) if kind == "ok"]
    assert len(oks) == 1, results
    (refusal,) = [r for kind, r in results if kind == "error"]
    final = "published" if oks == [0] else "failed"
    assert isinstance(refusal, StaleActionError)
    assert str(refusal) == f"快照已由“运行中”变为“{DEMO.label(final)}”，{STALE}"
    assert Snapshot.objects.get(pk=snap.pk).status == final
    assert list(WorkflowLog.objects.values_list("source", "target")) == [("running", final)]


def test_refusals_answer_with_the_status_of_their_kind() -> None:
    """A role that may not make a move is a 403, a move the object's status does not have a 409 (the object is
    not where the request thought), a comment missing or a guard failing a 400: one shape, one status per kind."""
    from gaoqi.web.core.workflow import RoleRefused, StatusRefused

    assert (RoleRefused("x").status, RoleRefused("x").code) == (403, "forbidden")
    assert (StatusRefused("x").status, StatusRefused("x").code) == (409, "wrong_status")
    assert (WorkflowError("x").status, WorkflowError("x").code) == (400, "invalid")
    assert issubclass(RoleRefused, WorkflowError) and issubclass(StatusRefused, WorkflowError)
