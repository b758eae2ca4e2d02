"""Reads on applications, scoped to the user like enterprises: the enterprise its own, a district its district's,
the municipal office all, an expert the applications whose panel holds them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from gaoqi.web import roles
from gaoqi.web.certification import workdays
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.config import process_config
from gaoqi.web.certification.models import Application, Certificate, Expert, Notification

#: Each transition's action as a person reads it (the transition table's labels; the first wins for an action
#: allowed from two statuses): the application's history and the audit log.
ACTION_LABELS: dict[str, str] = {"start": "发起申请", **{t.action: t.label for t in reversed(wf.TRANSITIONS)}}


def applications_visible(user: Any) -> QuerySet[Application]:
    role = getattr(user, "role", None)
    qs = Application.objects.all()
    if role in (roles.MUNICIPAL, roles.EVALUATOR):
        return qs
    if role == roles.DISTRICT:
        return qs.filter(district_code=user.district_code)
    if role == roles.ENTERPRISE:
        return qs.filter(uscc=user.uscc)
    if role == roles.EXPERT:
        expert = Expert.objects.filter(user=user).first()
        if expert is None:
            return qs.none()
        ids = [
            p for p, ids in qs.filter(panel__isnull=False).values_list("pk", "panel__expert_ids") if expert.pk in ids
        ]
        return qs.filter(pk__in=ids)
    return qs.none()


def queue_for(user: Any) -> QuerySet[Application]:
    """What waits for this user's action (the 工作台's pending tasks)."""
    role = getattr(user, "role", None)
    qs = applications_visible(user)
    if role == roles.DISTRICT:
        return qs.filter(status=wf.DISTRICT_REVIEW)
    if role == roles.MUNICIPAL:  # and 报备即批准 approvals drawn for a check afterwards, not yet checked
        return qs.filter(status__in=[wf.MUNICIPAL_REVIEW, wf.DECISION, wf.PUBLICITY]) | qs.filter(
            status=wf.FILED, post_check__outcome=""
        )
    if role == roles.ENTERPRISE:
        return qs.filter(status__in=[wf.DRAFT, wf.CORRECTION])
    if role == roles.EXPERT:
        expert = Expert.objects.filter(user=user).first()
        return qs.filter(status=wf.EXPERT_REVIEW).exclude(panel__scores__expert=expert)
    return qs.none()


def certificates_visible(user: Any) -> QuerySet[Certificate]:
    role = getattr(user, "role", None)
    qs = Certificate.objects.all()
    if role in (roles.MUNICIPAL, roles.EVALUATOR):
        return qs
    if role == roles.ENTERPRISE:
        return qs.filter(uscc=user.uscc)
    if role == roles.DISTRICT:
        return qs.filter(application__district_code=user.district_code)
    return qs.none()


def notifications_of(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)[:100]


def publicity_list() -> dict[str, list[Any]]:
    """What is in public 公示 now (a public page, no scope): applications in publicity with their period, and
    certificate renames (Art. 17) in their 10-working-day publicity."""
    from gaoqi.web.certification.config import process_config
    from gaoqi.web.certification.models import NameChange
    from gaoqi.web.certification.workdays import deadline_provisional

    days = process_config().time_limits["publicity"]
    apps = Application.objects.filter(status=wf.PUBLICITY).order_by("enterprise_name", "pk")
    renames = (
        NameChange.objects.filter(status="publicity", publicity_start__isnull=False)
        .select_related("certificate")
        .order_by("publicity_start", "pk")
    )
    return {
        "applications": [(a, a.stage_started_at, deadline_provisional(a.stage_started_at, days)[0]) for a in apps],
        "renames": list(renames),
    }


def stage_deadlines(user: Any, on: dt.date) -> dict[str, Any]:
    """时限监控 (减时限): the applications the user may see that are past their stage's time limit (working days,
    process.yaml ``time_limits``) and those within ``monitoring.due_soon_workdays`` working days of it.

    Returns {"overdue": rows, "due_soon": rows, "due_soon_workdays": n}; a row is {application, stage, limit,
    used, left (working days left, negative when overdue), over (working days past the limit), due (the stage's last working day), provisional
    (counted on a calendar year not yet published)}. Overdue rows come most overdue first, due-soon rows
    nearest first."""
    cfg = process_config()
    soon = cfg.due_soon_workdays
    overdue: list[dict[str, Any]] = []
    due_soon: list[dict[str, Any]] = []
    timed = applications_visible(user).filter(status__in=list(wf.TIMED)).order_by("stage_started_at", "pk")
    for app in timed:
        limit = cfg.time_limits[wf.TIMED[app.status]]
        used, provisional = workdays.workdays_between_provisional(app.stage_started_at, on)
        due, later = _last_day(app.stage_started_at, limit)
        row = {
            "application": app,
            "stage": app.status,
            "limit": limit,
            "used": used,
            "left": limit - used,
            "over": max(0, used - limit),
            "due": due,
            "provisional": provisional or later,
        }
        if used > limit:
            overdue.append(row)
        elif limit - used <= soon:
            due_soon.append(row)
    overdue.sort(key=lambda r: (r["left"], r["application"].pk))
    due_soon.sort(key=lambda r: (r["left"], r["application"].pk))
    return {"overdue": overdue, "due_soon": due_soon, "due_soon_workdays": soon}


def _last_day(start: dt.date, limit: int) -> tuple[dt.date, bool]:
    """The stage's last working day within its limit, counted as ``used`` is (working days after ``start``):
    on it ``used == limit``, the day after the stage is overdue. True when counted past the published calendar."""
    try:
        return workdays.add_workdays(start, limit), False
    except workdays.CalendarRangeError:
        return workdays.deadline_provisional(start, limit + 1)[0], True


def deadline_chart(deadlines: dict[str, Any], district_names: dict[str, str]) -> dict[str, Any]:
    """The 时限监控 charts' data: overdue applications per district stacked by stage, and per stage the
    overdue and the due-soon counts (labels in Chinese; only districts and stages that have any)."""
    rows = [("overdue", r) for r in deadlines["overdue"]] + [("due_soon", r) for r in deadlines["due_soon"]]
    stages = [s for s in wf.TIMED if any(r["stage"] == s for _, r in rows)]
    codes = sorted({r["application"].district_code for _, r in rows})
    labels = wf.STATUS_LABELS
    by_district = [
        {
            "name": labels[s],
            "data": [
                sum(1 for k, r in rows if k == "overdue" and r["stage"] == s and r["application"].district_code == c)
                for c in codes
            ],
        }
        for s in stages
    ]
    soon = deadlines["due_soon_workdays"]
    return {
        "districts": [district_names.get(c, c) for c in codes],
        "by_district": by_district,
        "stages": [labels[s] for s in stages],
        "by_stage": [
            {"name": "已超时", "data": [sum(1 for k, r in rows if k == "overdue" and r["stage"] == s) for s in stages]},
            {
                "name": f"{soon}个工作日内到期",
                "data": [sum(1 for k, r in rows if k == "due_soon" and r["stage"] == s) for s in stages],
            },
        ],
    }
