"""A warning's life as data (core/workflow.py, ADR 0030): open (待处理) → acknowledged (已签收) → handled (已处置:
the action taken — interview 约谈, check 核查 or referral 移送撤销) or dismissed (已排除, with a reason); a warning
whose condition no longer holds in a newer snapshot is closed by the platform (已消除, "预警条件已消除（快照 N）").
Escalation (督办) keeps the status: a move of the table so that the log and the audit record it.

The platform's own moves over many warnings at once (``close`` at publication) are applied set-based by
``services.warnings_derive``, which takes the move from this table and writes the log rows set-based too."""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.core.workflow import NEW, SYSTEM, Transition, Workflow, register

OPEN, ACKNOWLEDGED, HANDLED, DISMISSED, CLOSED = "open", "acknowledged", "handled", "dismissed", "closed"
STATUS_LABELS: dict[str, str] = {
    OPEN: "待处理",
    ACKNOWLEDGED: "已签收",
    HANDLED: "已处置",
    DISMISSED: "已排除",
    CLOSED: "已消除",
}
#: Statuses of a warning still waiting for the district (one at a time per enterprise and rule).
OPEN_STATUSES = (OPEN, ACKNOWLEDGED)

OFFICE = frozenset({roles.DISTRICT, roles.MUNICIPAL})
AUTO = frozenset({SYSTEM})

TRANSITIONS: tuple[Transition, ...] = (
    Transition("raise", NEW, OPEN, AUTO, "预警生成"),
    Transition("acknowledge", OPEN, ACKNOWLEDGED, OFFICE, "签收", guard="in_charge"),
    Transition("handle", OPEN, HANDLED, OFFICE, "处置", guard="in_charge", needs_comment=True),
    Transition("handle", ACKNOWLEDGED, HANDLED, OFFICE, "处置", guard="in_charge", needs_comment=True),
    Transition("dismiss", OPEN, DISMISSED, OFFICE, "排除预警", guard="in_charge", needs_comment=True),
    Transition("dismiss", ACKNOWLEDGED, DISMISSED, OFFICE, "排除预警", guard="in_charge", needs_comment=True),
    Transition("close", OPEN, CLOSED, AUTO, "预警条件已消除"),
    Transition("close", ACKNOWLEDGED, CLOSED, AUTO, "预警条件已消除"),
    Transition("escalate", OPEN, OPEN, AUTO, "超时督办", guard="overdue"),
    Transition("escalate", ACKNOWLEDGED, ACKNOWLEDGED, AUTO, "超时督办", guard="overdue"),
    Transition("update", OPEN, OPEN, AUTO, "预警内容更新", audit=""),
    Transition("update", ACKNOWLEDGED, ACKNOWLEDGED, AUTO, "预警内容更新", audit=""),
)  # fmt: skip

WARNING = register(
    Workflow(
        "warning",
        "预警",
        STATUS_LABELS,
        TRANSITIONS,
        stale="预警已由“{seen}”变为“{now}”，{stale}",
        forbidden="预警当前为“{now}”，不能执行该操作（{stale}）",
    )
)

#: The actions a handling records (处置方式); ``referral`` opens the revocation path (certification).
INTERVIEW, CHECK, REFERRAL = "interview", "check", "referral"
ACTIONS: dict[str, str] = {INTERVIEW: "约谈", CHECK: "核查", REFERRAL: "移送撤销"}
SEVERITIES = ("INFO", "WARN", "HIGH", "CRITICAL")
SEVERITY_LABELS: dict[str, str] = {"INFO": "提示", "WARN": "一般", "HIGH": "严重", "CRITICAL": "特别严重"}
