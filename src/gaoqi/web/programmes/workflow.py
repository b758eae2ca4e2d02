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


# ------------------------------------------------------------------------------------------------------
# the records of cultivation (issue 12): a one-to-one tutoring session and a training attendance, each confirmed
# or disputed by the enterprise itself; the tutor (organiser) corrects a disputed record, which is then
# recorded again for the enterprise to confirm.

RECORDED, AFFIRMED, DISPUTED = "recorded", "confirmed", "disputed"
RECORD_LABELS: dict[str, str] = {
    RECORDED: "待企业确认",
    AFFIRMED: "企业已确认",
    DISPUTED: "企业有异议",
}
#: Who records cultivation: a district official (its district's enterprises), the municipal office (all), an
#: incubator's operator (its incubated enterprises).
TUTORS = frozenset({roles.DISTRICT, roles.MUNICIPAL, roles.INCUBATOR})
ENT = frozenset({roles.ENTERPRISE})


def _record_workflow(name: str, noun: str, create: str) -> Workflow:
    return register(
        Workflow(
            name,
            noun,
            RECORD_LABELS,
            (
                Transition("record", NEW, RECORDED, TUTORS, create, audit="" if name == "attendance" else None),
                Transition("confirm", RECORDED, AFFIRMED, ENT, "确认无误", guard="answerable"),
                Transition("dispute", RECORDED, DISPUTED, ENT, "提出异议", guard="answerable", needs_comment=True),
                Transition("correct", DISPUTED, RECORDED, TUTORS, "更正记录", needs_comment=True),
            ),
            stale=noun + "已由“{seen}”变为“{now}”，{stale}",
            forbidden="该" + noun + "当前为“{now}”，不能执行该操作，{stale}",
            forbidden_is_stale=True,
        )
    )


#: A one-to-one tutoring session (一对一辅导).
TUTORING = _record_workflow("tutoring", "辅导记录", "记录一对一辅导")
#: An enterprise's invitation to (and attendance at) a policy training session (政策培训); created with the
#: session (one audit entry for the session, none per invitation).
ATTENDANCE = _record_workflow("attendance", "培训参训记录", "邀请参加培训")

#: A tutoring session's follow-up action (跟进事项): its outcome recorded by the tutor's organisation (done or not
#: done, dated), corrected from one to the other, or opened again.
FOLLOWUP_OPEN, FOLLOWUP_DONE, FOLLOWUP_NOT_DONE = "open", "done", "not_done"
FOLLOWUP = register(
    Workflow(
        "followup",
        "跟进事项",
        {FOLLOWUP_OPEN: "进行中", FOLLOWUP_DONE: "已完成", FOLLOWUP_NOT_DONE: "未完成"},
        (
            Transition("done", FOLLOWUP_OPEN, FOLLOWUP_DONE, TUTORS, "已完成", audit="followup.outcome"),
            Transition("not_done", FOLLOWUP_OPEN, FOLLOWUP_NOT_DONE, TUTORS, "未完成", audit="followup.outcome"),
            Transition("done", FOLLOWUP_NOT_DONE, FOLLOWUP_DONE, TUTORS, "改为已完成", audit="followup.outcome"),
            Transition("not_done", FOLLOWUP_DONE, FOLLOWUP_NOT_DONE, TUTORS, "改为未完成", audit="followup.outcome"),
            Transition("reopen", FOLLOWUP_DONE, FOLLOWUP_OPEN, TUTORS, "重新打开", audit="followup.outcome"),
            Transition("reopen", FOLLOWUP_NOT_DONE, FOLLOWUP_OPEN, TUTORS, "重新打开", audit="followup.outcome"),
        ),
        field="outcome",
        stale="跟进事项已由“{seen}”变为“{now}”，{stale}",
        forbidden="该跟进事项当前为“{now}”，不能执行该操作，{stale}",
        forbidden_is_stale=True,
    )
)

WORKFLOWS = (RECOMMENDATION, TUTORING, ATTENDANCE, FOLLOWUP)
