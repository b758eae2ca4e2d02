"""The life of a 免申即享 benefit (core/workflow.py; programmes.md §9.2 MSJX flow, DEFAULT details).

A benefit is created ``notified`` by the snapshot that found the enterprise qualified (``services.benefits_derive``,
set-based, its first status). Within the window (10 working days, DEFAULT) the enterprise may confirm its bank
account (``confirmed``) or object (``objected``, with a reason: stops the payment). After the window, a benefit
not objected to becomes ``payable`` (``mature``, the daily job); an official resolves an objection (``payable``
or ``cancelled``, with a comment). The paying department's outcome file marks a payable benefit ``paid`` or
``failed``; a failed payment may be put back on the list (``retry``)."""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.core.workflow import Transition, Workflow, register

NOTIFIED, CONFIRMED, OBJECTED, PAYABLE, PAID, FAILED, CANCELLED = (
    "notified", "confirmed", "objected", "payable", "paid", "failed", "cancelled",
)  # fmt: skip
STATUS_LABELS: dict[str, str] = {
    NOTIFIED: "已告知，待企业确认",
    CONFIRMED: "企业已确认账户",
    OBJECTED: "企业有异议，暂停兑付",
    PAYABLE: "待兑付",
    PAID: "已兑付",
    FAILED: "兑付失败",
    CANCELLED: "已撤销",
}
OPEN = (NOTIFIED, CONFIRMED)  # within the window: the enterprise may still act

OFFICIALS = frozenset({roles.DISTRICT, roles.MUNICIPAL})
ENT = frozenset({roles.ENTERPRISE})
SYSTEM = frozenset({"system"})

BENEFIT = register(
    Workflow(
        "benefit",
        "免申即享事项",
        STATUS_LABELS,
        (
            Transition("confirm", NOTIFIED, CONFIRMED, ENT, "确认收款账户", guard="in_window",
                       audit="benefits.confirm"),
            Transition("object", NOTIFIED, OBJECTED, ENT, "提出异议", guard="in_window", needs_comment=True,
                       audit="benefits.object"),
            Transition("object", CONFIRMED, OBJECTED, ENT, "提出异议", guard="in_window", needs_comment=True,
                       audit="benefits.object"),
            Transition("mature", NOTIFIED, PAYABLE, SYSTEM | OFFICIALS, "异议期满，转入待兑付",
                       guard="window_over", audit="benefits.mature"),
            Transition("mature", CONFIRMED, PAYABLE, SYSTEM | OFFICIALS, "异议期满，转入待兑付",
                       guard="window_over", audit="benefits.mature"),
            Transition("resolve_pay", OBJECTED, PAYABLE, OFFICIALS, "异议已处理，予以兑付", needs_comment=True,
                       audit="benefits.resolve"),
            Transition("resolve_cancel", OBJECTED, CANCELLED, OFFICIALS, "异议成立，撤销", needs_comment=True,
                       audit="benefits.resolve"),
            Transition("pay", PAYABLE, PAID, OFFICIALS, "兑付成功", audit="benefits.paid"),
            Transition("fail", PAYABLE, FAILED, OFFICIALS, "兑付失败", needs_comment=True, audit="benefits.failed"),
            Transition("retry", FAILED, PAYABLE, OFFICIALS, "重新列入兑付清单", needs_comment=True,
                       audit="benefits.retry"),
        ),
        stale="免申即享事项已由“{seen}”变为“{now}”，{stale}",
        forbidden="该免申即享事项当前为“{now}”，不能执行该操作，{stale}",
    )
)  # fmt: skip

WORKFLOWS = (BENEFIT,)
