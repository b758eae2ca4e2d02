"""The certification lifecycle as data: statuses, and a transition table of who may move an application from
which status to which, under which guard, and within which time limit (process.yaml, in working days).

``services.application_transition`` is the only way to change an application's status: it looks the move up
here, checks the role and the guard, records the transition (who, when, from, to, comment) and audits it.
"""

from __future__ import annotations

from dataclasses import dataclass

from gaoqi.web import roles

DRAFT = "draft"
CORRECTION = "correction"  # returned for correction (补正)
DISTRICT_REVIEW = "district_review"  # 区级形式审查
MUNICIPAL_REVIEW = "municipal_review"  # 市级受理
EXPERT_REVIEW = "expert_review"  # 专家评审
DECISION = "decision"  # 认定决定 (scores in)
PUBLICITY = "publicity"  # 公示
CERTIFIED = "certified"  # 备案、发证
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
FILED = "filed"  # 报备即批准: approved on filing, certificate issued, check afterwards may follow
REVOKED = "revoked"

STATUS_LABELS: dict[str, str] = {
    DRAFT: "草稿",
    CORRECTION: "退回补正",
    DISTRICT_REVIEW: "区级形式审查",
    MUNICIPAL_REVIEW: "市级受理",
    EXPERT_REVIEW: "专家评审",
    DECISION: "待认定决定",
    PUBLICITY: "公示中",
    CERTIFIED: "已认定",
    REJECTED: "未通过",
    WITHDRAWN: "已撤回",
    FILED: "报备即批准",
    REVOKED: "已撤销",
}
#: Statuses with a running clock (the stage's time limit applies).
TIMED: dict[str, str] = {
    CORRECTION: "correction",
    DISTRICT_REVIEW: "district_review",
    MUNICIPAL_REVIEW: "municipal_review",
    EXPERT_REVIEW: "expert_review",
    DECISION: "decision",
    PUBLICITY: "publicity",
}


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    roles: frozenset[str]
    label: str
    guard: str | None = None  # a function name in services.GUARDS
    needs_comment: bool = False


ENT = frozenset({roles.ENTERPRISE})
DIST = frozenset({roles.DISTRICT})
MUNI = frozenset({roles.MUNICIPAL})
SYSTEM = frozenset({"system"})  # moves made by the platform itself (publicity ends, panel scored)

TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", DRAFT, DISTRICT_REVIEW, ENT, "提交申请", guard="self_check_passes"),
    Transition("file", DRAFT, FILED, ENT, "报备即批准：报备", guard="pilot_eligible"),
    Transition("resubmit", CORRECTION, DISTRICT_REVIEW, ENT, "补正后重新提交", guard="self_check_passes"),
    Transition("withdraw", DRAFT, WITHDRAWN, ENT, "撤回"),
    Transition("withdraw", CORRECTION, WITHDRAWN, ENT, "撤回"),
    Transition("district_pass", DISTRICT_REVIEW, MUNICIPAL_REVIEW, DIST, "形式审查通过", guard="in_jurisdiction"),
    Transition("district_return", DISTRICT_REVIEW, CORRECTION, DIST, "退回补正", guard="in_jurisdiction", needs_comment=True),
    Transition("accept", MUNICIPAL_REVIEW, EXPERT_REVIEW, MUNI, "受理并抽取专家", guard="panel_drawn"),
    Transition("municipal_return", MUNICIPAL_REVIEW, CORRECTION, MUNI, "退回补正", needs_comment=True),
    Transition("scores_complete", EXPERT_REVIEW, DECISION, SYSTEM, "专家评分完成", guard="all_scored"),
    Transition("approve", DECISION, PUBLICITY, MUNI, "认定通过，进入公示", guard="panel_passes"),
    Transition("reject", DECISION, REJECTED, MUNI, "不予认定", needs_comment=True),
    Transition("publicity_end", PUBLICITY, CERTIFIED, SYSTEM | MUNI, "公示期满无异议，备案发证", guard="publicity_over"),
    Transition("objection_upheld", PUBLICITY, REJECTED, MUNI, "异议成立，不予认定", needs_comment=True),
    Transition("revoke", CERTIFIED, REVOKED, MUNI, "撤销资格", needs_comment=True),
    Transition("revoke", FILED, REVOKED, MUNI, "撤销资格（事后核查未通过）", needs_comment=True),
)  # fmt: skip


def transitions_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == status]


def find(status: str, action: str) -> Transition | None:
    return next((t for t in TRANSITIONS if t.source == status and t.action == action), None)
