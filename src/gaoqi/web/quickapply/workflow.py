"""The 快申快享 application as data (core/workflow.py): the enterprise starts a draft prefilled from the shared data,
submits it (its self-check must pass), the responsible office returns it for correction (the enterprise
resubmits), approves or rejects it; the enterprise may withdraw a draft or a returned application.

The responsible office is the municipal office, or for a district's policy (its ``district`` parameter, e.g.
东城区's rewards) that district's officials: the guard ``responsible`` checks it on the fresh row."""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.core.workflow import NEW, Transition, Workflow, register

DRAFT = "draft"
SUBMITTED = "submitted"  # 待审核: the decision clock runs
RETURNED = "returned"  # 退回补正: the clock stops
APPROVED = "approved"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"

STATUS_LABELS: dict[str, str] = {
    DRAFT: "草稿",
    SUBMITTED: "待审核",
    RETURNED: "退回补正",
    APPROVED: "已批准",
    REJECTED: "不予批准",
    WITHDRAWN: "已撤回",
}
#: An application still open (one per enterprise, policy and period).
OPEN = (DRAFT, SUBMITTED, RETURNED)
#: Statuses that free the period for a new application.
CLOSED_WITHOUT_BENEFIT = (REJECTED, WITHDRAWN)

ENT = frozenset({roles.ENTERPRISE})
OFFICE = frozenset({roles.DISTRICT, roles.MUNICIPAL})  # the guard narrows to the responsible office

TRANSITIONS: tuple[Transition, ...] = (
    Transition("start", NEW, DRAFT, ENT, "发起政策申请"),
    Transition("submit", DRAFT, SUBMITTED, ENT, "提交申请", guard="ready"),
    Transition("resubmit", RETURNED, SUBMITTED, ENT, "补正后重新提交", guard="ready"),
    Transition("withdraw", DRAFT, WITHDRAWN, ENT, "撤回申请"),
    Transition("withdraw", RETURNED, WITHDRAWN, ENT, "撤回申请"),
    Transition("return", SUBMITTED, RETURNED, OFFICE, "退回补正", guard="responsible", needs_comment=True),
    Transition("approve", SUBMITTED, APPROVED, OFFICE, "批准", guard="responsible"),
    Transition("reject", SUBMITTED, REJECTED, OFFICE, "不予批准", guard="responsible", needs_comment=True),
)  # fmt: skip

APPLICATION = register(Workflow("quickapply", "政策申请", STATUS_LABELS, TRANSITIONS))
