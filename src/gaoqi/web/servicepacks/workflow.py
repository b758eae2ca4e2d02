"""A service-package item (服务事项) as a workflow (core/workflow.py).

An official who manages the package assigns (交办) an item to a responsible unit; an official acting for that
unit accepts it (受理) and completes it (办结, with the result), or returns it (退回, with a reason) to the
assigner, who reassigns it (to the same or another unit: a new due date); the assigner may cancel (撤销) an open
item with a reason. The enterprise rates a completed item (a field written under the same lock, not a move);
an unsatisfied rating lets the enterprise reopen the item once (重新办理: done → accepted, a new due date).
Each move goes through ``core.workflow.transition``: of two officials completing and returning at once, one
wins and the other is told the item has changed.
"""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.core.workflow import NEW, Transition, Workflow, register

ASSIGNED, ACCEPTED, RETURNED, DONE, CANCELLED = "assigned", "accepted", "returned", "done", "cancelled"
STATUS_LABELS: dict[str, str] = {
    ASSIGNED: "已交办",
    ACCEPTED: "已受理",
    RETURNED: "已退回",
    DONE: "已办结",
    CANCELLED: "已撤销",
}
#: The statuses of an item someone still owes (overdue when its due date has passed).
OPEN: tuple[str, ...] = (ASSIGNED, ACCEPTED, RETURNED)

OFFICIALS = frozenset({roles.MUNICIPAL, roles.DISTRICT})
ENT = frozenset({roles.ENTERPRISE})

ITEM = register(
    Workflow(
        "service_item",
        "服务事项",
        STATUS_LABELS,
        (
            Transition("assign", NEW, ASSIGNED, OFFICIALS, "交办"),
            Transition("accept", ASSIGNED, ACCEPTED, OFFICIALS, "受理"),
            Transition("return", ASSIGNED, RETURNED, OFFICIALS, "退回交办人", needs_comment=True),
            Transition("return", ACCEPTED, RETURNED, OFFICIALS, "退回交办人", needs_comment=True),
            Transition("complete", ACCEPTED, DONE, OFFICIALS, "办结", needs_comment=True),
            Transition("reassign", RETURNED, ASSIGNED, OFFICIALS, "重新交办"),
            Transition("cancel", ASSIGNED, CANCELLED, OFFICIALS, "撤销", needs_comment=True),
            Transition("cancel", ACCEPTED, CANCELLED, OFFICIALS, "撤销", needs_comment=True),
            Transition("cancel", RETURNED, CANCELLED, OFFICIALS, "撤销", needs_comment=True),
            Transition("reopen", DONE, ACCEPTED, ENT, "不满意，重新办理", guard="reopenable", needs_comment=True),
        ),
        stale="服务事项已由“{seen}”变为“{now}”，{stale}",
        forbidden="该服务事项当前为“{now}”，不能执行该操作，{stale}",
        forbidden_is_stale=True,
    )
)

SATISFIED, BASIC, UNSATISFIED = "satisfied", "basic", "unsatisfied"
RATING_LABELS: dict[str, str] = {SATISFIED: "满意", BASIC: "基本满意", UNSATISFIED: "不满意"}

WORKFLOWS = (ITEM,)
