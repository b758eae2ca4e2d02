"""Reads on applications, scoped to the user like enterprises: the enterprise its own, a district its district's,
the municipal office all, an expert the applications whose panel holds them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from gaoqi.web import roles
from gaoqi.web.certification import workdays
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.config import process_config
from gaoqi.web.certification.models import Application, Certificate, Expert, Notification, Objection, PostCheck
from gaoqi.web.core.scoping import visible_to
from gaoqi.web.core.workflow import history

#: Each transition's action as a person reads it (the transition table's labels; the first wins for an action
#: allowed from two statuses): the application's history and the audit log.
ACTION_LABELS: dict[str, str] = {t.action: t.label for t in reversed(wf.TRANSITIONS)}


def _assigned(user: Any) -> Q | None:
    """An expert's applications: those whose panel holds the expert (the panel keeps its experts' ids)."""
    expert = expert_of(user)
    if expert is None:
        return None
    panels = Application.objects.filter(panel__isnull=False).values_list("pk", "panel__expert_ids")
    return Q(pk__in=[pk for pk, ids in panels if expert.pk in ids])


def applications_visible_to(user: Any) -> QuerySet[Application]:
    """The applications the user may see (core/scoping.py): the enterprise its own, a district its district's,
    the municipal office and evaluators all, an expert those of the panels the expert sits on."""
    return visible_to(Application.objects.all(), user, district="district_code", uscc="uscc", expert=_assigned)


def application_get(user: Any, pk: int) -> Application | None:
    """One application if the user may see it (None: the page answers 404, whether it exists or not)."""
    return applications_visible_to(user).filter(pk=pk).first()


def applications_recent(user: Any, limit: int = 200) -> QuerySet[Application]:
    return applications_visible_to(user).order_by("-id")[:limit]


def application_in_publicity(pk: int) -> Application | None:
    """An application in public 公示 (the public objection form: no scope, only what is published)."""
    return Application.objects.filter(pk=pk, status=wf.PUBLICITY).first()


def application_record(app: Application) -> dict[str, Any]:
    """What the application's page shows besides the application: certificates, post-check, objections and
    the history of its moves."""
    return {
        "certificates": list(app.certificates.all()),
        "post_check": PostCheck.objects.filter(application=app).first(),
        "objections": list(app.objections.all()),
        "transitions": history(app),
    }


#: What waits for each role's action (the 工作台's pending tasks): the statuses in which the role acts.
QUEUE_STATUSES: dict[str, tuple[str, ...]] = {
    roles.DISTRICT: (wf.DISTRICT_REVIEW,),
    roles.MUNICIPAL: (wf.MUNICIPAL_REVIEW, wf.DECISION, wf.PUBLICITY),
    roles.ENTERPRISE: (wf.DRAFT, wf.CORRECTION),
    roles.EXPERT: (wf.EXPERT_REVIEW,),
}


def queue_for(user: Any) -> QuerySet[Application]:
    """What waits for this user's action, among the applications the user may see: the statuses the role acts
    in; for the municipal office also 报备即批准 approvals drawn for a check afterwards and not yet checked; for an
    expert only the applications the expert has not scored yet."""
    qs = applications_visible_to(user)
    statuses = QUEUE_STATUSES.get(getattr(user, "role", ""), ())
    queue = qs.filter(status__in=statuses)
    if wf.MUNICIPAL_REVIEW in statuses:
        queue = queue | qs.filter(status=wf.FILED, post_check__outcome="")
    if wf.EXPERT_REVIEW in statuses:
        queue = queue.exclude(panel__scores__expert=expert_of(user))
    return queue


def certificates_visible_to(user: Any) -> QuerySet[Certificate]:
    """The certificates the user may see: the enterprise its own, a district those of its district's
    applications, the municipal office and evaluators all."""
    return visible_to(Certificate.objects.all(), user, district="application__district_code", uscc="uscc")


def certificate_get(user: Any, pk: int) -> Certificate | None:
    return certificates_visible_to(user).filter(pk=pk).first()


def certificates_held(user: Any, limit: int = 50) -> QuerySet[Certificate]:
    """The valid certificates the user's own enterprise holds (an enterprise user's; none for officials)."""
    own = visible_to(Certificate.objects.all(), user, sees_all=frozenset(), uscc="uscc")
    return own.filter(status="valid")[:limit]


def objection_get(user: Any, pk: int) -> Objection | None:
    """An objection to an application the user may see."""
    return Objection.objects.filter(pk=pk, application__in=applications_visible_to(user)).first()


def post_check_get(user: Any, pk: int) -> PostCheck | None:
    """A post-check (报备即批准 抽查) of an application the user may see."""
    return PostCheck.objects.filter(pk=pk, application__in=applications_visible_to(user)).first()


def expert_of(user: Any) -> Expert | None:
    """The user's record in the expert pool (None for anyone else)."""
    if getattr(user, "role", None) != roles.EXPERT:
        return None
    return Expert.objects.filter(user=user).first()


def expert_has_scored(panel: Any, expert: Expert) -> bool:
    return bool(panel.scores.filter(expert=expert).exists())


def experts_visible_to(user: Any) -> QuerySet[Expert]:
    """The expert pool: the municipal office manages it; no one else reads it here."""
    qs = Expert.objects.select_related("user").order_by("kind", "pk")
    return visible_to(qs, user, sees_all=frozenset({roles.MUNICIPAL}))


def expert_get(user: Any, pk: Any) -> Expert | None:
    return experts_visible_to(user).filter(pk=pk).first() if str(pk).isdigit() else None


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
    timed = applications_visible_to(user).filter(status__in=list(wf.TIMED)).order_by("stage_started_at", "pk")
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
    return workdays.add_workdays_provisional(start, limit)


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
