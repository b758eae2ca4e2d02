"""The tech-SME workflows (techsme/workflow.py) as tables: every status × action × role against the moves written
out here (a change of the table fails until it is made here too), and a sample of moves through the services
on real rows."""

from __future__ import annotations

import itertools

import pytest

from gaoqi.web import roles
from gaoqi.web.core.workflow import NEW, SYSTEM, registered
from gaoqi.web.techsme import workflow as wf

E, D, M = roles.ENTERPRISE, roles.DISTRICT, roles.MUNICIPAL
ACTORS = (*roles.ROLES, SYSTEM)

#: (action, source, target, roles, guard, needs a comment)
EVALUATION = [
    ("start", NEW, "draft", {E}, None, False),
    ("submit", "draft", "submitted", {E}, "first_ready", False),
    ("update", "draft", "updated", {E}, "update_ready", False),
    ("resubmit", "returned", "submitted", {E}, "first_ready", False),
    ("withdraw", "draft", "withdrawn", {E}, None, False),
    ("withdraw", "returned", "withdrawn", {E}, None, False),
    ("return", "submitted", "returned", {D, M}, "in_jurisdiction", True),
    ("approve", "submitted", "publicity", {D, M}, "in_jurisdiction", False),
    ("reject", "submitted", "rejected", {D, M}, "in_jurisdiction", True),
    ("register", "publicity", "registered", {SYSTEM, M}, "publicity_over", False),
    ("objection_upheld", "publicity", "rejected", {M}, None, True),
]
REGISTRATION = [
    ("register", NEW, "valid", {SYSTEM, M}, None, False),
    ("update", "valid", "valid", {E}, None, False),
    ("revoke", "valid", "revoked", {M}, None, True),
    ("lapse", "valid", "revoked", {SYSTEM}, "update_overdue", False),
]


@pytest.mark.parametrize(("workflow", "expected"), [(wf.EVALUATION, EVALUATION), (wf.REGISTRATION, REGISTRATION)])
def test_the_tables_are_the_expected_ones(workflow: object, expected: list[tuple[object, ...]]) -> None:
    got = [(t.action, t.source, t.target, set(t.roles), t.guard, t.needs_comment) for t in workflow.transitions]  # type: ignore[attr-defined]
    assert got == expected
    assert workflow in registered()


@pytest.mark.parametrize(("workflow", "expected"), [(wf.EVALUATION, EVALUATION), (wf.REGISTRATION, REGISTRATION)])
def test_every_status_action_role(workflow: object, expected: list[tuple[object, ...]]) -> None:
    """Each cell: allowed exactly when the written-out table has the move for that role; else the refusal says
    the status has no such move, or the role may not make it."""
    w = workflow
    moves = {(src, action): (target, who) for action, src, target, who, _, _ in expected}
    cells = 0
    for status, action, actor in itertools.product(w.statuses, w.actions(), ACTORS):  # type: ignore[attr-defined]
        refusal = w.refusal(status, action, actor)  # type: ignore[attr-defined]
        move = moves.get((status, action))
        if move is None:
            assert refusal == w.no_move(status), (status, action, actor)  # type: ignore[attr-defined]
        elif actor in move[1]:
            assert refusal is None, (status, action, actor)
            assert w.find(status, action).target == move[0]  # type: ignore[attr-defined]
        else:
            assert refusal is not None and refusal.startswith("您的角色不能执行"), (status, action, actor)
        cells += 1
    assert cells == len(w.statuses) * len(w.actions()) * len(ACTORS)  # type: ignore[attr-defined]


def test_statuses_have_words_and_clocks() -> None:
    assert wf.EVALUATION.labels() == {
        "draft": "草稿", "submitted": "待审核", "returned": "退回补正", "publicity": "公示中", "registered": "已入库登记",
        "rejected": "不予登记", "withdrawn": "已撤回", "updated": "年度信息已更新",
    }  # fmt: skip
    assert wf.TIMED == {"submitted": "review", "returned": "returned", "publicity": "publicity"}
    assert set(wf.REVOCATION_REASONS) == {"not_qualified", "falsification", "research_misconduct", "accident",
                                          "listed", "not_updated"}  # fmt: skip
