"""An evaluation report (分析评价报告) as a workflow (core/workflow.py, ADR 0032).

The third-party evaluator computes a report (draft), recomputes it and writes its comments while it is a draft or
returned, and submits it; the municipal office publishes it to the districts (通报) or returns it with a reason.
Once published nothing changes (no move leaves ``published``): each district official then sees its own page.
Of two officials acting at once (publish and return), one wins and the other is told the report has changed.
"""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.core.workflow import NEW, Transition, Workflow, register

DRAFT, SUBMITTED, RETURNED, PUBLISHED = "draft", "submitted", "returned", "published"
STATUS_LABELS: dict[str, str] = {DRAFT: "草稿", SUBMITTED: "已提交", RETURNED: "已退回", PUBLISHED: "已通报"}
#: The statuses in which the evaluator may still recompute and comment.
EDITABLE: tuple[str, ...] = (DRAFT, RETURNED)

EVALUATOR = frozenset({roles.EVALUATOR})
OFFICE = frozenset({roles.MUNICIPAL})

REPORT = register(
    Workflow(
        "evaluation_report",
        "评价报告",
        STATUS_LABELS,
        (
            Transition("compute", NEW, DRAFT, EVALUATOR, "生成评价报告"),
            Transition("submit", DRAFT, SUBMITTED, EVALUATOR, "提交市级审核"),
            Transition("submit", RETURNED, SUBMITTED, EVALUATOR, "重新提交"),
            Transition("return", SUBMITTED, RETURNED, OFFICE, "退回修改", needs_comment=True),
            Transition("publish", SUBMITTED, PUBLISHED, OFFICE, "通报各区"),
        ),
        stale="评价报告已由“{seen}”变为“{now}”，{stale}",
        forbidden="该评价报告当前为“{now}”，不能执行该操作，{stale}",
        forbidden_is_stale=True,
    )
)

WORKFLOWS = (REPORT,)
