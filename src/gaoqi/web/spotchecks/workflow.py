"""The life of a spot-check case (core/workflow.py): a case is created ``drawn`` by the yearly draw (set-based, the
draw's own audit entry), then ``checking`` once an inspector starts, then ``passed`` or ``failed`` (the reasons
required: a failed check opens the revocation path). Recorded by an assigned inspector who has an account, or by
the municipal office (the service's permission check on the fresh row)."""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.core.workflow import Transition, Workflow, register

DRAWN, CHECKING, PASSED, FAILED = "drawn", "checking", "passed", "failed"
STATUS_LABELS: dict[str, str] = {
    DRAWN: "已抽取，待检查",
    CHECKING: "检查中",
    PASSED: "检查合格",
    FAILED: "检查不合格",
}
OPEN = (DRAWN, CHECKING)
DONE = (PASSED, FAILED)

#: the roles an inspector's account may have (a district or municipal official); the permission narrows it
RECORDERS = frozenset({roles.DISTRICT, roles.MUNICIPAL})

CASE = register(
    Workflow(
        "spotcheck_case",
        "抽查事项",
        STATUS_LABELS,
        (
            Transition("start", DRAWN, CHECKING, RECORDERS, "开始检查", audit="spotchecks.case_start"),
            Transition("pass", CHECKING, PASSED, RECORDERS, "检查合格", audit="spotchecks.case_pass"),
            Transition("fail", CHECKING, FAILED, RECORDERS, "检查不合格", needs_comment=True,
                       audit="spotchecks.case_fail"),
        ),
        stale="抽查事项已由“{seen}”变为“{now}”，{stale}",
        forbidden="该抽查事项当前为“{now}”，不能执行该操作，{stale}",
    )
)  # fmt: skip

WORKFLOWS = (CASE,)
