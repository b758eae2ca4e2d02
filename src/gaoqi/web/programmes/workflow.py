"""A district's recommendation of an enterprise for a list (the cultivation pool's entry path A, ADR 0016) as a
workflow (core/workflow.py): a district official submits it with a reason; the municipal office confirms it
(the enterprise enters the list, route ``recommendation``) or declines it with a comment; the recommending
district may withdraw it while it waits. Each move goes through ``core.workflow.transition`` (locked re-read,
stale refusal, log row, audit entry): of two municipal officials confirming at once, one wins.
"""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.core.workflow import NEW, Transition, Workflow, register

SUBMITTED, CONFIRMED, DECLINED, WITHDRAWN = "submitted", "confirmed", "declined", "withdrawn"
STATUS_LABELS: dict[str, str] = {
    SUBMITTED: "待市级确认",
    CONFIRMED: "已确认纳入",
    DECLINED: "不予纳入",
    WITHDRAWN: "已撤回",
}

DIST = frozenset({roles.DISTRICT})
MUNI = frozenset({roles.MUNICIPAL})

RECOMMENDATION = register(
    Workflow(
        "recommendation",
        "推荐",
        STATUS_LABELS,
        (
            Transition("submit", NEW, SUBMITTED, DIST, "推荐纳入名单"),
            Transition("confirm", SUBMITTED, CONFIRMED, MUNI, "确认纳入", guard="still_eligible"),
            Transition("decline", SUBMITTED, DECLINED, MUNI, "不予纳入", needs_comment=True),
            Transition("withdraw", SUBMITTED, WITHDRAWN, DIST, "撤回推荐"),
        ),
        stale="推荐已由“{seen}”变为“{now}”，{stale}",
        # a recommendation has one decision: no move left means someone else has decided it (or withdrawn it)
        forbidden="该推荐已处理（{now}），{stale}",
        forbidden_is_stale=True,
    )
)

WORKFLOWS = (RECOMMENDATION,)
