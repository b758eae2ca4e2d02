"""The recommendation workflow (programmes/workflow.py) as a table: every status × action × role through the one
mechanism (core.workflow.transition) on real rows → moved to the expected status, or refused with the expected
words. The expectations are written out here, so a change of the table fails until it is made here too."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from gaoqi.web import roles
from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.core.locks import STALE, DomainError
from gaoqi.web.core.models import WorkflowLog
from gaoqi.web.core.workflow import NEW, SYSTEM, WorkflowError, create, registered, transition
from gaoqi.web.programmes import workflow as wf
from gaoqi.web.programmes.models import ListMembership, Recommendation
from tests.web import factories as f
from tests.web.programmes.factories import POOL, recommendation

D, M = roles.DISTRICT, roles.MUNICIPAL
ACTORS = (*roles.ROLES, SYSTEM)

#: (action, source, target, roles, label, guard, needs a comment, audit action)
EXPECTED = [
    ("submit", NEW, "submitted", {D}, "推荐纳入名单", None, False, "recommendation.submit"),
    ("confirm", "submitted", "confirmed", {M}, "确认纳入", "still_eligible", False, "recommendation.confirm"),
    ("decline", "submitted", "declined", {M}, "不予纳入", None, True, "recommendation.decline"),
    ("withdraw", "submitted", "withdrawn", {D}, "撤回推荐", None, False, "recommendation.withdraw"),
]
LABELS = {"submitted": "待市级确认", "confirmed": "已确认纳入", "declined": "不予纳入", "withdrawn": "已撤回"}
FORBIDDEN = "该推荐已处理（{now}），" + STALE
STALE_WORDS = "推荐已由“{seen}”变为“{now}”，" + STALE


def test_the_table_is_the_expected_one() -> None:
    w = wf.RECOMMENDATION
    got = [(t.action, t.source, t.target, set(t.roles), t.label, t.guard, t.needs_comment, w.audit_action(t))
           for t in w.transitions]  # fmt: skip
    assert got == EXPECTED
    assert w.labels() == LABELS
    assert (w.field, w.forbidden.replace("{stale}", STALE), w.stale.replace("{stale}", STALE).replace("{noun}", w.noun),
            w.forbidden_is_stale) == ("status", FORBIDDEN, STALE_WORDS, True)  # fmt: skip
    assert w in registered()  # its audit actions are in the catalogue test


class _Rollback(Exception):
    def __init__(self, status: str, audit: str | None, log: tuple[str, str, str]) -> None:
        self.status, self.audit, self.log = status, audit, log


def _enter(obj: Any, t: Any, log: Any) -> list[str]:
    """What the services do on a move: keep the comment (a decline's is required by a constraint) and, on
    entering ``confirmed``, open the stay on the list."""
    obj.decision_comment = log.comment
    if t.target != wf.CONFIRMED:
        return ["decision_comment"]
    obj.membership = ListMembership.objects.create(
        enterprise=obj.enterprise, list_id=obj.list_id, route="recommendation", entered_on="2026-07-01",
        entered_snapshot=obj.enterprise.snapshot, reason=obj.reason,
    )  # fmt: skip
    return ["decision_comment", "membership"]


def _attempt(obj: Any, action: str, actor: Any, before: int) -> tuple[str, Any]:
    """One cell: the move through the mechanism (every guard passing), rolled back; what happened."""
    w = wf.RECOMMENDATION
    passing = {t.guard: (lambda actor, obj: None) for t in w.transitions if t.guard}
    try:
        with transaction.atomic():
            moved = transition(
                w, Recommendation, obj.pk, action, actor, comment="处理意见", guards=passing, on_enter=_enter
            )
            last = AuditEvent.objects.filter(pk__gt=before).order_by("-id").first()
            log = WorkflowLog.objects.get(pk=moved.log.pk)
            raise _Rollback(moved.obj.status, last.action if last else None, (log.workflow, log.source, log.target))
    except _Rollback as done:
        return "moved", (done.status, done.audit, done.log)
    except DomainError as refused:
        return "refused", (type(refused).__name__, str(refused))


def _expected(status: str, action: str, role: str) -> tuple[str, Any]:
    row = next((r for r in EXPECTED if (r[1], r[0]) == (status, action)), None)
    if row is None:
        return "refused", ("StaleActionError", FORBIDDEN.format(now=LABELS[status]))
    _, source, target, allowed, label, _, _, audit = row
    if role not in allowed:
        return "refused", ("RoleRefused", f"您的角色不能执行“{label}”")
    return "moved", (target, audit, ("recommendation", source, target))


@pytest.mark.django_db
def test_every_status_action_and_role() -> None:
    w = wf.RECOMMENDATION
    actors: dict[str, Any] = {r: f.user(r, f"t_{r}") for r in roles.ROLES} | {SYSTEM: None}
    objects = {s: recommendation(s, enterprise=f.enterprise(name=f"企业{s}")) for s in LABELS}
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    got, want = {}, {}
    for status, obj in objects.items():
        for action in w.actions():  # generated from the table …
            for role in ACTORS:
                got[(status, action, role)] = _attempt(obj, action, actors[role], before)
                want[(status, action, role)] = _expected(status, action, role)  # … expected from this file
    assert got == want
    moved = [k for k, v in got.items() if v[0] == "moved"]
    assert len(moved) == sum(len(r[3]) for r in EXPECTED if r[1] != NEW)  # every allowed move was made
    assert not WorkflowLog.objects.exists()  # all rolled back


@pytest.mark.django_db
def test_the_creating_move_refuses_every_role_but_the_district() -> None:
    t = wf.RECOMMENDATION.find(NEW, "submit")
    assert t is not None
    for role in ACTORS:
        actor = None if role == SYSTEM else f.user(role)
        try:
            with transaction.atomic():
                obj = create(wf.RECOMMENDATION, "submit", actor, lambda s: recommendation(s))
                outcome = ("created", obj.status)
                raise _Rollback("", None, ("", "", ""))
        except _Rollback:
            pass
        except WorkflowError as refused:
            outcome = ("refused", str(refused))
        assert outcome == (("created", "submitted") if role == D else ("refused", "您的角色不能执行“推荐纳入名单”"))
    assert not Recommendation.objects.exists()


@pytest.mark.django_db
def test_a_stale_page_is_refused() -> None:
    rec = recommendation("declined")
    with pytest.raises(DomainError) as refused, transaction.atomic():
        transition(wf.RECOMMENDATION, Recommendation, rec.pk, "confirm", f.user(M), seen="submitted")
    assert str(refused.value) == STALE_WORDS.format(seen="待市级确认", now="不予纳入")
    assert rec.list_id == POOL
