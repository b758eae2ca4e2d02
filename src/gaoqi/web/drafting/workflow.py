"""A policy draft's workflow (core/workflow.py): the municipal office writes a draft (draft), its author submits
it (submitted); a second municipal official — never the author — approves it, which publishes it (published),
or returns it with a comment (returned), after which the author edits and submits again. Published is final:
no transition leaves it, the service refuses any edit and a database trigger refuses any UPDATE of the row."""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.core.workflow import NEW, Transition, Workflow, register

DRAFT, SUBMITTED, PUBLISHED, RETURNED = "draft", "submitted", "published", "returned"
STATUS_LABELS: dict[str, str] = {
    DRAFT: "草稿",
    SUBMITTED: "待审核",
    PUBLISHED: "已发布",
    RETURNED: "已退回",
}
EDITABLE = frozenset({DRAFT, RETURNED})

MUNICIPAL = frozenset({roles.MUNICIPAL})

POLICY_DRAFT = register(
    Workflow(
        "policy_draft",
        "政策草稿",
        STATUS_LABELS,
        (
            Transition("create", NEW, DRAFT, MUNICIPAL, "起草", audit="drafting.create"),
            Transition("submit", DRAFT, SUBMITTED, MUNICIPAL, "提交审核", audit="drafting.submit"),
            Transition("submit", RETURNED, SUBMITTED, MUNICIPAL, "重新提交审核", audit="drafting.submit"),
            Transition("approve", SUBMITTED, PUBLISHED, MUNICIPAL, "审核通过并发布", audit="drafting.publish"),
            Transition(
                "return", SUBMITTED, RETURNED, MUNICIPAL, "退回修改", needs_comment=True, audit="drafting.return"
            ),
        ),
        stale="政策草稿已由“{seen}”变为“{now}”，{stale}",
        forbidden="该政策草稿当前为“{now}”，不能执行该操作，{stale}",
    )
)

WORKFLOWS = (POLICY_DRAFT,)
