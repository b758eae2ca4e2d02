"""The certification lifecycle as data: one workflow (core/workflow.py) per kind of object with a status —
applications, certificates, renames, post-checks, objections — each its statuses and its transition table of who
may move an object from which status to which, under which guard (a name in the services' guards); the
applications' stages also have time limits (process.yaml, in working days).

Every status change goes through ``core.workflow.transition`` (or ``create`` for the first status): the
services (certification/services/) look the move up here, and the mechanism checks the role and the guard on
the row re-read under its lock, records the move (who, when, from, to, comment) and audits it.
"""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from gaoqi.web import roles
from gaoqi.web.core.workflow import NEW, Transition, Workflow, register

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


ENT = frozenset({roles.ENTERPRISE})
DIST = frozenset({roles.DISTRICT})
MUNI = frozenset({roles.MUNICIPAL})
SYSTEM = frozenset({"system"})  # moves made by the platform itself (publicity ends, panel scored) or the public

TRANSITIONS: tuple[Transition, ...] = (
    Transition("start", NEW, DRAFT, ENT, "发起申请"),
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


APPLICATION = register(Workflow("application", "申请", STATUS_LABELS, TRANSITIONS))


# ------------------------------------------------------------------------------------------------------
# certificates (the codes are Certificate's; the labels the catalogue's certificate_status)

VALID, CERT_REVOKED, CANCELLED, EXPIRED, REPLACED = "valid", "revoked", "cancelled", "expired", "replaced"

CERTIFICATE = register(
    Workflow(
        "certificate",
        "证书",
        {
            code: pgettext_lazy("certificate_status", code)
            for code in (VALID, CERT_REVOKED, CANCELLED, EXPIRED, REPLACED)
        },
        (
            Transition("issue", NEW, VALID, SYSTEM, "备案发证"),
            # a rename's new certificate (same number and validity): name_change.complete is the audited act
            Transition("reissue", NEW, VALID, SYSTEM, "更名换发新证书", audit=""),
            Transition("revoke", VALID, CERT_REVOKED, MUNI, "取消高企资格", needs_comment=True),
            Transition("replace", VALID, REPLACED, SYSTEM, "更名换发，原证书失效", audit=""),
        ),
        stale="证书已不是{seen}状态，{stale}",
        forbidden="证书当前为“{now}”，不能执行该操作",
    )
)

# ------------------------------------------------------------------------------------------------------
# renames (Art. 17): publicity then a new certificate, or a re-review on a major change

NC_PUBLICITY, NC_RE_REVIEW, NC_DONE = "publicity", "re_review", "done"

NAME_CHANGE = register(
    Workflow(
        "name_change",
        "更名申请",
        {NC_PUBLICITY: "更名公示中", NC_RE_REVIEW: "重大变化重新审查", NC_DONE: "已换发新证书"},
        (
            Transition("request", NEW, NC_PUBLICITY, ENT, "申请更名"),
            Transition("request_major", NEW, NC_RE_REVIEW, ENT, "申请更名（重大变化）", audit="name_change.request"),
            Transition("complete", NC_PUBLICITY, NC_DONE, SYSTEM, "公示期满，换发证书", guard="rename_publicity_over"),
        ),
        forbidden="更名公示尚未期满",
    )
)

# ------------------------------------------------------------------------------------------------------
# 报备即批准: the check afterwards (PostCheck.outcome; "" while pending; labels the catalogue's post_check)

CHECK_PENDING, CHECK_PASSED, CHECK_FAILED = "", "passed", "failed"

POST_CHECK = register(
    Workflow(
        "post_check",
        "事后核查",
        {CHECK_PENDING: "待核查", CHECK_PASSED: pgettext_lazy("post_check", "passed"),
         CHECK_FAILED: pgettext_lazy("post_check", "failed")},
        (
            Transition("pass", CHECK_PENDING, CHECK_PASSED, MUNI, "核查通过", guard="application_filed",
                       audit="post_check.complete"),
            Transition("fail", CHECK_PENDING, CHECK_FAILED, MUNI, "核查未通过（撤销资格）", guard="application_filed",
                       needs_comment=True, audit="post_check.complete"),
        ),
        field="outcome",
        stale="该核查已由他人完成（{now}），{stale}",
        forbidden="该核查已由他人完成（{now}），{stale}",
        forbidden_is_stale=True,
    )
)  # fmt: skip

# ------------------------------------------------------------------------------------------------------
# objections during publicity

OBJ_PENDING, OBJ_UPHELD, OBJ_DISMISSED = "pending", "upheld", "dismissed"

OBJECTION = register(
    Workflow(
        "objection",
        "异议",
        {OBJ_PENDING: "待处理", OBJ_UPHELD: "成立", OBJ_DISMISSED: "不成立"},
        (
            Transition("file", NEW, OBJ_PENDING, SYSTEM, "提出异议"),  # the public, without an account
            Transition("uphold", OBJ_PENDING, OBJ_UPHELD, MUNI, "异议成立", guard="in_publicity", needs_comment=True,
                       audit="objection.handle"),
            Transition("dismiss", OBJ_PENDING, OBJ_DISMISSED, MUNI, "异议不成立", guard="in_publicity",
                       needs_comment=True, audit="objection.handle"),
        ),
        stale="该异议已处理（{now}），{stale}",
        forbidden="该异议已处理（{now}），{stale}",
        forbidden_is_stale=True,
    )
)  # fmt: skip

WORKFLOWS = (APPLICATION, CERTIFICATE, NAME_CHANGE, POST_CHECK, OBJECTION)

# ------------------------------------------------------------------------------------------------------
# revocation referrals (移送撤销, issue 15): a warning's handling or a failed spot check refers an enterprise to
# the municipal office, which revokes the qualification or declines the referral (ADR 0030)

REF_REFERRED, REF_REVOKED, REF_DECLINED = "referred", "revoked", "declined"
REFERRAL_LABELS: dict[str, str] = {REF_REFERRED: "已移送待决定", REF_REVOKED: "已决定撤销", REF_DECLINED: "不予撤销"}

REFERRAL = register(
    Workflow(
        "revocation_referral",
        "撤销移送",
        REFERRAL_LABELS,
        (
            Transition("refer", NEW, REF_REFERRED, DIST | MUNI, "移送撤销程序"),
            Transition("revoke", REF_REFERRED, REF_REVOKED, MUNI, "决定撤销资格", needs_comment=True),
            Transition("decline", REF_REFERRED, REF_DECLINED, MUNI, "不予撤销", needs_comment=True),
        ),
        stale="撤销移送已由“{seen}”变为“{now}”，{stale}",
        forbidden="该撤销移送已有决定（{now}），{stale}",
        forbidden_is_stale=True,
    )
)
