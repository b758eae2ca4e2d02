"""The 快申快享 reads, scoped by core/scoping: municipal officials and evaluators all applications; a district
official its district's enterprises' applications and those its district decides; an enterprise its own. The
officials' queue (filters, overdue first), the enterprise's applications and what it may apply for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from gaoqi.web import roles
from gaoqi.web.core import clock
from gaoqi.web.core.scoping import scope_q
from gaoqi.web.core.workflow import history as history  # the moves of an object, shared by every workflow
from gaoqi.web.quickapply import prefill as pf
from gaoqi.web.quickapply import workflow as wf
from gaoqi.web.quickapply.config import config
from gaoqi.web.quickapply.models import PolicyApplication

OFFICE = frozenset({roles.DISTRICT, roles.MUNICIPAL})
QUEUE_LIMIT = 200


def applications_visible_to(user: Any) -> QuerySet[PolicyApplication]:
    q = scope_q(user, district="district_code", uscc="uscc")
    if q is None:
        return PolicyApplication.objects.none()
    if getattr(user, "role", None) == roles.DISTRICT:
        q |= Q(responsible_district=user.district_code)
    return PolicyApplication.objects.filter(q)


def application_get(user: Any, pk: int) -> PolicyApplication | None:
    return applications_visible_to(user).filter(pk=pk).first()


def is_overdue(app: PolicyApplication, today: dt.date) -> bool:
    """Waiting for the office past its last day (the due day itself is still on time)."""
    return app.status == wf.SUBMITTED and app.decision_due is not None and today > app.decision_due


@dataclass(frozen=True)
class QueueFilter:
    status: str = wf.SUBMITTED  # "" all (drafts are the enterprise's own and never in the queue)
    policy: str = ""
    district: str = ""
    overdue: bool = False
    mine: bool = False  # only those the user decides


def queue(user: Any, f: QueueFilter, today: dt.date | None = None) -> QuerySet[PolicyApplication]:
    """政策申请审核: the applications an official may see, filtered, the oldest deadline first."""
    if getattr(user, "role", None) not in OFFICE | {roles.EVALUATOR}:
        return PolicyApplication.objects.none()
    today = today or clock.today()
    qs = applications_visible_to(user).exclude(status=wf.DRAFT)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.policy:
        qs = qs.filter(policy_id=f.policy)
    if f.district:
        qs = qs.filter(district_code=f.district)
    if f.overdue:
        qs = qs.filter(status=wf.SUBMITTED, decision_due__lt=today)
    if f.mine:
        if user.role == roles.DISTRICT:
            qs = qs.filter(responsible_district=user.district_code)
        elif user.role == roles.MUNICIPAL:
            qs = qs.filter(responsible_district="")
        else:
            qs = qs.none()
    return qs.order_by("decision_due", "pk")


def queue_policies(user: Any) -> list[tuple[str, str]]:
    rows = applications_visible_to(user).values_list("policy_id", "policy_name").distinct()
    return sorted(set(rows))


def mine(user: Any) -> list[PolicyApplication]:
    return list(applications_visible_to(user).order_by("-pk"))


def offers(user: Any) -> list[dict[str, Any]]:
    """The policies an enterprise may apply for now: its result in the current snapshot passes or misses by at
    most ``near_failed_max`` conditions, delivered by application here, and no application of the period yet."""
    from gaoqi.web.enterprises.models import Enterprise, PolicyResult
    from gaoqi.web.intake.selectors import current_snapshot
    from gaoqi.web.quickapply.services import period_of

    if getattr(user, "role", None) != roles.ENTERPRISE:
        return []
    snap = current_snapshot()
    ent = Enterprise.objects.filter(uscc=user.uscc).first()
    if snap is None or ent is None:
        return []
    taken = dict(
        PolicyApplication.objects.filter(uscc=ent.uscc, period=period_of(clock.today()))
        .exclude(status__in=wf.CLOSED_WITHOUT_BENEFIT)
        .values_list("policy_id", "pk")
    )
    out = []
    near = config().near_failed_max
    results = (
        PolicyResult.objects.of(snap)
        .filter(enterprise=ent)
        .filter(Q(status="pass") | Q(status="fail", failed_count__lte=near) | Q(status="unknown"))
    )
    for r in results.order_by("policy_id"):
        policy, why = pf.applicable(r.policy_id)
        if policy is None or why:
            continue
        out.append({"policy_id": r.policy_id, "name": policy.name, "status": r.status, "near": r.status == "fail",
                    "amount": r.benefit_amount, "application": taken.get(r.policy_id)})  # fmt: skip
    return out


def offer_for(user: Any, policy_id: str) -> dict[str, Any] | None:
    """The 申请 button of one policy for an enterprise user (None: none to show)."""
    return next((o for o in offers(user) if o["policy_id"] == policy_id), None)


@dataclass(frozen=True)
class Clock:
    due: dt.date | None
    provisional: bool
    overdue: bool
    days: int
    unconfirmed: bool
    used: int


def clock_of(app: PolicyApplication, today: dt.date | None = None) -> Clock:
    today = today or clock.today()
    return Clock(app.decision_due, app.decision_due_provisional, is_overdue(app, today), app.time_limit_days,
                 app.time_limit_unconfirmed, app.office_days_used)  # fmt: skip
