"""A request's life as data (core/workflow.py): filed (已提交) → accepted (已受理) → answered (已答复) → closed
(已办结) after the enterprise's rating, or by the daily job when it does not rate in time; the enterprise may
reopen an answered or closed request once (→ reopened → accepted …); the handling unit may transfer it (转办,
with a reason), and an overdue request is escalated (督办) once per stage. Transfers and escalations keep the
status: they are moves of the table so that the workflow log and the audit record them like any other."""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.core.workflow import NEW, SYSTEM, Transition, Workflow, register

FILED = "filed"
ACCEPTED = "accepted"
ANSWERED = "answered"
CLOSED = "closed"
REOPENED = "reopened"

STATUS_LABELS: dict[str, str] = {
    FILED: "已提交",
    ACCEPTED: "已受理",
    ANSWERED: "已答复",
    CLOSED: "已办结",
    REOPENED: "重新办理",
}
#: Statuses whose clock (due_on) counts as overdue when past: waiting for the unit.
UNIT_OWES = (FILED, ACCEPTED, REOPENED)

ENT = frozenset({roles.ENTERPRISE})
OFFICE = frozenset({roles.DISTRICT, roles.MUNICIPAL})
FILERS = ENT | OFFICE
AUTO = frozenset({SYSTEM})

TRANSITIONS: tuple[Transition, ...] = (
    Transition("file", NEW, FILED, FILERS, "提交诉求"),
    Transition("accept", FILED, ACCEPTED, OFFICE, "受理", guard="handler"),
    Transition("accept", REOPENED, ACCEPTED, OFFICE, "受理", guard="handler"),
    Transition("answer", ACCEPTED, ANSWERED, OFFICE, "答复", guard="handler", needs_comment=True),
    Transition("transfer", FILED, FILED, OFFICE, "转办", guard="handler", needs_comment=True),
    Transition("transfer", ACCEPTED, FILED, OFFICE, "转办", guard="handler", needs_comment=True),
    Transition("transfer", REOPENED, REOPENED, OFFICE, "转办", guard="handler", needs_comment=True),
    Transition("rate", ANSWERED, CLOSED, ENT, "评价"),
    Transition("close", ANSWERED, CLOSED, AUTO, "逾期未评价，自动办结", guard="close_due"),
    Transition("reopen", ANSWERED, REOPENED, ENT, "申请重新办理", guard="reopen_left", needs_comment=True),
    Transition("reopen", CLOSED, REOPENED, ENT, "申请重新办理", guard="reopen_left", needs_comment=True),
    Transition("escalate", FILED, FILED, AUTO, "超时督办", guard="overdue"),
    Transition("escalate", ACCEPTED, ACCEPTED, AUTO, "超时督办", guard="overdue"),
    Transition("escalate", REOPENED, REOPENED, AUTO, "超时督办", guard="overdue"),
)  # fmt: skip

REQUEST = register(
    Workflow(
        "servicedesk_request",
        "诉求",
        STATUS_LABELS,
        TRANSITIONS,
        stale="诉求已由“{seen}”变为“{now}”，{stale}",
        forbidden="诉求当前为“{now}”，不能执行该操作（{stale}）",
    )
)
