"""An enterprise's space need (空间需求) as a workflow (core/workflow.py): recorded by the enterprise or an
official (open); officials offer space (offered); the enterprise accepts or declines the offer (accepted /
declined — after a decline a new offer may follow); officials record the outcome: settled (落地) after an
acceptance, or closed with the outcome at any open stage."""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.core.workflow import NEW, Transition, Workflow, register

OPEN, OFFERED, ACCEPTED, DECLINED, SETTLED, CLOSED = "open", "offered", "accepted", "declined", "settled", "closed"
STATUS_LABELS: dict[str, str] = {
    OPEN: "待提供空间",
    OFFERED: "已提供，待企业答复",
    ACCEPTED: "企业已接受",
    DECLINED: "企业已婉拒",
    SETTLED: "已落地",
    CLOSED: "已关闭",
}

OFFICIALS = frozenset({roles.DISTRICT, roles.MUNICIPAL})
ENT = frozenset({roles.ENTERPRISE})

SPACE_NEED = register(
    Workflow(
        "space_need",
        "空间需求",
        STATUS_LABELS,
        (
            Transition("record", NEW, OPEN, OFFICIALS | ENT, "登记空间需求", audit="support.space_need_record"),
            Transition("offer", OPEN, OFFERED, OFFICIALS, "提供空间", audit="support.space_offer"),
            Transition("offer", DECLINED, OFFERED, OFFICIALS, "再次提供空间", audit="support.space_offer"),
            Transition("accept", OFFERED, ACCEPTED, ENT, "接受", audit="support.space_accept"),
            Transition("decline", OFFERED, DECLINED, ENT, "婉拒", audit="support.space_decline"),
            Transition(
                "settle", ACCEPTED, SETTLED, OFFICIALS, "已落地", needs_comment=True, audit="support.space_settle"
            ),
            *(
                Transition("close", s, CLOSED, OFFICIALS, "关闭需求", needs_comment=True, audit="support.space_close")
                for s in (OPEN, OFFERED, ACCEPTED, DECLINED)
            ),
        ),
        stale="空间需求已由“{seen}”变为“{now}”，{stale}",
        forbidden="该空间需求当前为“{now}”，不能执行该操作，{stale}",
    )
)

WORKFLOWS = (SPACE_NEED,)
