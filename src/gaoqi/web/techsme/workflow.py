"""The tech-SME evaluation as data (core/workflow.py): an evaluation (自评 → 登记 → 信息表) moves from its draft
through the responsible office's completeness review and publicity to registration, or it is a yearly update of
a registered enterprise (Art. 12); a registration (入库登记编号) is valid until it is revoked (Art. 14).

Every status change goes through ``core.workflow.transition`` (``create`` for the first status): the services
(techsme/services.py) look the move up here; the mechanism checks the role and the guard on the row re-read
under its lock, logs and audits the move."""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.core.workflow import NEW, SYSTEM, Transition, Workflow, register

DRAFT = "draft"
SUBMITTED = "submitted"  # 待审核: the office checks the information is complete (Art. 11)
RETURNED = "returned"  # 退回补正
PUBLICITY = "publicity"  # 公示 (10 working days, Art. 11)
REGISTERED = "registered"  # 已入库, registration number assigned
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
UPDATED = "updated"  # a yearly update made (Art. 12)

STATUS_LABELS: dict[str, str] = {
    DRAFT: "草稿",
    SUBMITTED: "待审核",
    RETURNED: "退回补正",
    PUBLICITY: "公示中",
    REGISTERED: "已入库登记",
    REJECTED: "不予登记",
    WITHDRAWN: "已撤回",
    UPDATED: "年度信息已更新",
}
#: Statuses with a running clock (process.yaml time_limits, working days).
TIMED: dict[str, str] = {SUBMITTED: "review", RETURNED: "returned", PUBLICITY: "publicity"}
#: Statuses of an evaluation still in progress (one at a time per enterprise).
IN_PROGRESS = (DRAFT, SUBMITTED, RETURNED, PUBLICITY)

ENT = frozenset({roles.ENTERPRISE})
OFFICE = frozenset({roles.DISTRICT, roles.MUNICIPAL})  # the district its own district, the municipal office all
MUNI = frozenset({roles.MUNICIPAL})
AUTO = frozenset({SYSTEM})  # the platform's daily job

TRANSITIONS: tuple[Transition, ...] = (
    Transition("start", NEW, DRAFT, ENT, "开始评价"),
    Transition("submit", DRAFT, SUBMITTED, ENT, "提交评价信息", guard="first_ready"),
    Transition("update", DRAFT, UPDATED, ENT, "提交年度更新", guard="update_ready"),
    Transition("resubmit", RETURNED, SUBMITTED, ENT, "补正后重新提交", guard="first_ready"),
    Transition("withdraw", DRAFT, WITHDRAWN, ENT, "撤回"),
    Transition("withdraw", RETURNED, WITHDRAWN, ENT, "撤回"),
    Transition("return", SUBMITTED, RETURNED, OFFICE, "退回补正", guard="in_jurisdiction", needs_comment=True),
    Transition("approve", SUBMITTED, PUBLICITY, OFFICE, "审核通过，进入公示", guard="in_jurisdiction"),
    Transition("reject", SUBMITTED, REJECTED, OFFICE, "不予登记", guard="in_jurisdiction", needs_comment=True),
    Transition("register", PUBLICITY, REGISTERED, AUTO | MUNI, "公示期满，入库登记", guard="publicity_over"),
    Transition("objection_upheld", PUBLICITY, REJECTED, MUNI, "公示有异议且成立，不予登记", needs_comment=True),
)  # fmt: skip

EVALUATION = register(Workflow("techsme_evaluation", "评价", STATUS_LABELS, TRANSITIONS))

# ------------------------------------------------------------------------------------------------------
# registrations (入库登记编号)

VALID, REVOKED = "valid", "revoked"

#: Art. 14: the reasons a registration number is revoked (code → words); ``not_updated`` is the daily job's.
REVOCATION_REASONS: dict[str, str] = {
    "not_qualified": "企业不再符合《科技型中小企业评价办法》第六条条件",
    "falsification": "提供的信息存在严重弄虚作假行为",
    "research_misconduct": "发生科研严重失信行为",
    "accident": "发生重大安全、重大质量事故或有严重环境违法行为",
    "listed": "被列入经营异常名录或严重违法失信企业名单",
    "not_updated": "未按期更新信息",
}
NOT_UPDATED = "not_updated"

REGISTRATION = register(
    Workflow(
        "techsme_registration",
        "入库登记",
        {VALID: "有效", REVOKED: "已撤销"},
        (
            Transition("register", NEW, VALID, AUTO | MUNI, "入库登记，赋予登记编号"),
            Transition("update", VALID, VALID, ENT, "年度信息更新", audit=""),  # the evaluation's update is audited
            Transition("revoke", VALID, REVOKED, MUNI, "撤销登记编号", needs_comment=True),
            Transition("lapse", VALID, REVOKED, AUTO, "未按期更新信息，撤销登记编号", guard="update_overdue"),
        ),
        stale="入库登记已由“{seen}”变为“{now}”，{stale}",
        forbidden="入库登记当前为“{now}”，不能执行该操作",
    )
)

WORKFLOWS = (EVALUATION, REGISTRATION)
